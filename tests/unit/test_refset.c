#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "store/refs.h"
#include "store/refset.h"
#include "store/store.h"
#include "store/unchanged.h"

#define A "60d750129842c820b9272a5ad269c2abf6271c19"
#define B "b8dbc023eee28ef07d88b0bb33676f7dcfed6df8"
#define C "0fce1e396909dc839a263ded62825e256bd34e69"

static char dir[64];

static void put(const char *path, const char *text)
{
	char tmp[512], *slash;
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s/%s", dir, path);
	for (slash = strchr(tmp + strlen(dir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(tmp, 0755);
		*slash = '/';
	}
	cr_assert((f = fopen(tmp, "w")), "%s", tmp);
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	strcpy(dir, "/tmp/obsenv-refset-XXXXXX");
	cr_assert(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (dir[0] && system(cmd) != 0)
		cr_log_warn("could not remove %s", dir);
}

static int read_set(const char *repo, struct refset *s)
{
	char path[256];
	int fd, r;

	snprintf(path, sizeof path, "%s/%s", dir, repo);
	cr_assert((fd = open(path, O_RDONLY | O_DIRECTORY)) >= 0, "%s", path);
	r = refset_read(fd, "refs/tags/", s);
	close(fd);
	return r;
}

TestSuite(refset, .init = setup, .fini = teardown);

/* As git reads them: a loose ref wins over a packed one of its name;
 * peel lines, comments, other prefixes and lock files are not refs. */
Test(refset, loose_refs_override_packed_ones)
{
	struct refset s;

	put("r/packed-refs", "# pack-refs with: peeled fully-peeled sorted\n" A " refs/tags/v1\n^" C "\n"
			     B " refs/tags/v2\n" C " refs/heads/deploy\n");
	put("r/refs/tags/v2", C "\n");
	put("r/refs/tags/rel/v3", A "\n");
	put("r/refs/tags/v4.lock", B "\n");
	cr_assert_eq(read_set("r", &s), 0);
	cr_expect_eq(s.n, 3);
	cr_expect_str_eq(refset_find(&s, "refs/tags/v1"), A);
	cr_expect_str_eq(refset_find(&s, "refs/tags/v2"), C, "the packed ref won over the loose one");
	cr_expect_str_eq(refset_find(&s, "refs/tags/rel/v3"), A);
	cr_expect_null(refset_find(&s, "refs/tags/v4"));
	cr_expect_null(refset_find(&s, "refs/heads/deploy"));
	refset_free(&s);
}

/* What this reader cannot take for certain makes it give up, so that
 * libgit2 decides: a symbolic ref, a symlink, a ref that is not an id. */
Test(refset, what_it_cannot_read_for_certain_fails)
{
	struct refset s;
	char path[256];

	put("a/refs/tags/v1", "ref: refs/heads/deploy\n");
	cr_expect_neq(read_set("a", &s), 0, "a symbolic ref was taken");
	put("b/refs/tags/v1", A "\n");
	snprintf(path, sizeof path, "%s/b/refs/tags/v2", dir);
	cr_assert_eq(symlink("v1", path), 0);
	cr_expect_neq(read_set("b", &s), 0, "a symlink was followed");
	put("c/refs/tags/v1", "not an id\n");
	cr_expect_neq(read_set("c", &s), 0);
	put("d/HEAD", "ref: refs/heads/deploy\n");
	cr_assert_eq(read_set("d", &s), 0, "no tags at all");
	cr_expect_eq(s.n, 0);
	refset_free(&s);
}

/* A store at dir with one package, pkg, whose remote is dir/remote.git. */
static void open_store(struct policy *pol, struct package *k, struct store *s)
{
	str_copy(pol->root, sizeof pol->root, dir);
	str_copy(k->name, sizeof k->name, "pkg");
	str_copy(k->deploy_branch, sizeof k->deploy_branch, "deploy");
	snprintf(k->remote, sizeof k->remote, "%s/remote.git", dir);
	cr_assert_eq(store_open(s, pol, true), 0, "%s", err_msg());
}

static void forget_tags(void)
{
	char path[256];
	int fd;

	snprintf(path, sizeof path, "%s/repos/pkg.git", dir);
	cr_assert((fd = open(path, O_RDONLY | O_DIRECTORY)) >= 0, "%s", path);
	store_forget_tags(fd);
	close(fd);
}

/* The pull's shortcut: only when the remote's deploy branch is what the
 * store fetched and has, and the store has every tag of the remote. */
Test(refset, a_remote_is_unchanged_only_when_every_ref_is_the_stores)
{
	struct policy pol = { 0 };
	struct package k = { 0 };
	struct store s = STORE_INIT;
	char now[41];

	open_store(&pol, &k, &s);
	put("remote.git/refs/heads/deploy", A "\n");
	put("remote.git/packed-refs", B " refs/tags/v1\n");
	put("repos/pkg.git/refs/heads/deploy", A "\n");
	put("repos/pkg.git/refs/obsenv/fetched/deploy", A "\n");
	put("repos/pkg.git/refs/tags/v1", B "\n");
	put("repos/pkg.git/refs/tags/gone-from-the-remote", C "\n");
	cr_expect(store_remote_unchanged(&s, &k, now));
	cr_expect_str_eq(now, A);
	put("remote.git/refs/tags/v2", C "\n");
	cr_expect_not(store_remote_unchanged(&s, &k, now), "a new tag");
	put("repos/pkg.git/refs/tags/v2", C "\n");
	forget_tags(); /* as the fetch that sets a tag does */
	cr_expect(store_remote_unchanged(&s, &k, now));
	put("remote.git/refs/tags/v1", C "\n");
	cr_expect_not(store_remote_unchanged(&s, &k, now), "a moved tag");
	put("remote.git/refs/tags/v1", B "\n");
	put("remote.git/refs/heads/deploy", C "\n");
	cr_expect_not(store_remote_unchanged(&s, &k, now), "a new deploy head");
	put("repos/pkg.git/refs/obsenv/fetched/deploy", C "\n");
	cr_expect_not(store_remote_unchanged(&s, &k, now), "fetched but not yet the store's deploy branch");
	put("repos/pkg.git/refs/heads/deploy", C "\n");
	cr_expect(store_remote_unchanged(&s, &k, now));
	str_copy(k.remote, sizeof k.remote, "https://example.org/pkg.git");
	cr_expect_not(store_remote_unchanged(&s, &k, now), "not a local path");
	store_close(&s);
}

/* The record a fetch leaves of the store's tags stands for them: the
 * check reads it instead of each tag, and answers as it would from the
 * tags. Forgotten, or not whole, the tags themselves are read. */
Test(refset, the_record_of_the_stores_tags_answers_as_the_tags_do)
{
	struct policy pol = { 0 };
	struct package k = { 0 };
	struct store s = STORE_INIT;
	struct refset set;
	char now[41], path[256], *text = NULL;
	size_t len;
	int fd;

	open_store(&pol, &k, &s);
	put("remote.git/refs/heads/deploy", A "\n");
	put("remote.git/refs/tags/v1", B "\n");
	put("remote.git/refs/tags/v2", C "\n");
	put("repos/pkg.git/refs/heads/deploy", A "\n");
	put("repos/pkg.git/refs/obsenv/fetched/deploy", A "\n");
	put("repos/pkg.git/refs/tags/v1", B "\n");
	put("repos/pkg.git/refs/tags/v2", C "\n");
	snprintf(path, sizeof path, "%s/repos/pkg.git", dir);
	cr_assert((fd = open(path, O_RDONLY | O_DIRECTORY)) >= 0);
	cr_assert_eq(store_note_tags(fd), 0, "%s", err_msg());
	cr_assert_eq(refs_read_file(fd, "obsenv-tags", 4096, &text, &len), 0);
	cr_expect_str_eq(text, B " refs/tags/v1\n" C " refs/tags/v2\n");
	free(text);
	cr_expect(store_remote_unchanged(&s, &k, now));
	/* The record is read, not the tags: one tag of the store gone is
	 * not seen while the record stands (only a fetch changes tags, and
	 * it forgets the record first). */
	snprintf(path, sizeof path, "%s/repos/pkg.git/refs/tags/v2", dir);
	cr_assert_eq(unlink(path), 0);
	cr_expect(store_remote_unchanged(&s, &k, now), "the record was not read");
	store_forget_tags(fd);
	cr_expect_not(store_remote_unchanged(&s, &k, now), "the record was read after it was forgotten");
	/* The check that found no record wrote one, from the tags. */
	cr_assert_eq(refs_read_file(fd, "obsenv-tags", 4096, &text, &len), 0);
	cr_expect_str_eq(text, B " refs/tags/v1\n");
	free(text);
	put("repos/pkg.git/refs/tags/v2", C "\n");
	/* A record that says less than the remote has, or is not whole. */
	put("repos/pkg.git/obsenv-tags", B " refs/tags/v1\n");
	cr_expect_not(store_remote_unchanged(&s, &k, now), "a tag the record lacks");
	put("repos/pkg.git/obsenv-tags", C " refs/tags/v2\n" B " refs/tags/v1\n");
	cr_expect(store_remote_unchanged(&s, &k, now), "a record out of order is not used");
	put("repos/pkg.git/obsenv-tags", B " refs/tags/v1\n" C " refs/tags/v");
	cr_expect(store_remote_unchanged(&s, &k, now), "a cut record is not used");
	put("remote.git/refs/tags/v1", C "\n");
	put("repos/pkg.git/obsenv-tags", B " refs/tags/v1\n" C " refs/tags/v2\n");
	cr_expect_not(store_remote_unchanged(&s, &k, now), "a moved tag");
	/* Written and read back whole. */
	cr_assert_eq(refset_read(fd, "refs/tags/", &set), 0);
	cr_assert_eq(refset_format(&set, &text, &len), 0);
	refset_free(&set);
	cr_assert_eq(refset_parse(text, len, &set), 0);
	cr_expect_eq(set.n, 2);
	cr_expect_str_eq(refset_find(&set, "refs/tags/v2"), C);
	refset_free(&set);
	free(text);
	close(fd);
	store_close(&s);
}
