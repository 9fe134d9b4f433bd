#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "store/files.h"
#include "store/gitlocks.h"
#include "store/freeze.h"
#include "store/pins.h"
#include "store/store.h"
#include "store/sweeper.h"

#define C1 "60d750129842c820b9272a5ad269c2abf6271c19"
#define C2 "b8dbc023eee28ef07d88b0bb33676f7dcfed6df8"
#define C3 "0fce1e396909dc839a263ded62825e256bd34e69"
#define C4 "1111111111111111111111111111111111111111"

/* A store root of the test's own, with the directories init makes. */
static char root[64];
static struct policy pol;
static struct store s = STORE_INIT;

static void setup(void)
{
	strcpy(root, "/tmp/obsenv-store-XXXXXX");
	cr_assert(mkdtemp(root));
	str_copy(pol.root, sizeof pol.root, root);
	pol.keep_generations = 3;
	cr_assert_eq(store_open(&s, &pol, true), 0, "%s", err_msg());
}

static void teardown(void)
{
	char cmd[128];

	store_close(&s);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	if (root[0] && system(cmd) != 0)
		cr_log_warn("could not remove %s", root);
}

TestSuite(pins, .init = setup, .fini = teardown);
TestSuite(freeze, .init = setup, .fini = teardown);
TestSuite(gens, .init = setup, .fini = teardown);

Test(pins, a_record_reads_back)
{
	struct verified_pin v = { "v1.0", C1, C2 }, got;

	cr_assert_eq(pins_write(&s, "pkg", &v, NULL), 0, "%s", err_msg());
	cr_assert_eq(pins_read(&s, "pkg", NULL, &got), 0);
	cr_expect_str_eq(got.tag, "v1.0");
	cr_expect_str_eq(got.commit, C1);
	cr_expect_str_eq(got.tagref, C2);
	cr_expect_eq(pins_read(&s, "other", NULL, &got), 1);
}

/* pin writes the new record with the base file's current pin kept aside:
 * until the base file is replaced, rollback still finds its record. */
Test(pins, the_record_the_base_file_names_survives_a_new_one)
{
	struct verified_pin base = { "v1.0", C1, C2 }, next = { "", C3, "" }, got;

	cr_assert_eq(pins_write(&s, "pkg", &base, NULL), 0);
	cr_assert_eq(pins_write(&s, "pkg", &next, &base), 0);
	cr_assert_eq(pins_write(&s, "pkg", &next, &base), 0, "a second attempt keeps it too");
	cr_assert_eq(pins_read(&s, "pkg", C1, &got), 0);
	cr_expect_str_eq(got.tag, "v1.0");
	cr_expect_str_eq(got.tagref, C2);
	cr_assert_eq(pins_read(&s, "pkg", C3, &got), 0);
	cr_expect_str_eq(got.tag, "");
	cr_assert_eq(pins_read(&s, "pkg", C2, &got), 0, "a commit never pinned: the newest, as found");
	cr_expect_str_eq(got.commit, C3);
}

Test(pins, a_damaged_record_is_an_error)
{
	char path[128];
	FILE *f;
	struct verified_pin got;

	snprintf(path, sizeof path, "%s/pins/pkg", root);
	cr_assert((f = fopen(path, "w")));
	fputs("tag ../x\ncommit zz\ntagref -\n", f);
	fclose(f);
	cr_expect_eq(pins_read(&s, "pkg", NULL, &got), E_FAIL);
	cr_expect(strstr(err_msg(), "is damaged") != NULL, "%s", err_msg());
}

Test(freeze, write_check_clear)
{
	struct freeze f = { .since = 1795000000, .who = "alice (via sudo as obs_user)",
			    .reason = "ToO: no changes" }, got;

	cr_expect_eq(freeze_check(&s), 0);
	cr_expect_eq(freeze_read(&s, &got), 1);
	cr_assert_eq(freeze_write(&s, &f), 0, "%s", err_msg());
	cr_assert_eq(freeze_read(&s, &got), 0);
	cr_expect_eq(got.since, f.since);
	cr_expect_str_eq(got.who, f.who);
	cr_expect_str_eq(got.reason, f.reason);
	cr_expect_eq(freeze_check(&s), E_FROZEN);
	cr_expect_str_eq(err_msg(), "the environment is frozen since 2026-11-18 11:06:40 UTC by alice (via "
				    "sudo as obs_user): \"ToO: no changes\"; only rollback is allowed until "
				    "'obsenv thaw'");
	cr_assert_eq(freeze_clear(&s), 0);
	cr_expect_eq(freeze_check(&s), 0);
}

Test(freeze, until_ends_it_by_itself)
{
	struct freeze f = { .since = 1795000000, .until = (long long)time(NULL) + 3600, .who = "alice",
			    .reason = "night" }, got;
	char path[128];

	cr_assert_eq(freeze_write(&s, &f), 0, "%s", err_msg());
	cr_assert_eq(freeze_read(&s, &got), 0);
	cr_expect_eq(got.until, f.until);
	cr_expect_not(got.expired);
	cr_expect_eq(freeze_check(&s), E_FROZEN);
	cr_expect(strstr(err_msg(), " by alice until ") && strstr(err_msg(), "until then or 'obsenv thaw'"),
		  "%s", err_msg());
	freeze_expire(&s);
	cr_expect_eq(freeze_read(&s, &got), 0, "a freeze that has not ended stays");
	f.until = (long long)time(NULL) - 1;
	cr_assert_eq(freeze_write(&s, &f), 0, "%s", err_msg());
	cr_expect_eq(freeze_read(&s, &got), R_ABSENT);
	cr_expect(got.expired);
	cr_expect_eq(freeze_check(&s), 0, "an ended freeze refuses nothing");
	freeze_expire(&s);
	snprintf(path, sizeof path, "%s/frozen", root);
	cr_expect_neq(access(path, F_OK), 0, "the ended freeze's file is removed");
	cr_expect_eq(freeze_read(&s, &got), R_ABSENT);
	cr_expect_not(got.expired);
}

Test(freeze, an_unreadable_record_still_freezes)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof path, "%s/frozen", root);
	cr_assert((f = fopen(path, "w")));
	fputs("garbage\n", f);
	fclose(f);
	cr_expect_eq(freeze_check(&s), E_FROZEN);
	cr_expect(strstr(err_msg(), "(no reason recorded)") != NULL, "%s", err_msg());
}

/* Generations on disk: what a switch adds, what trimming removes, and
 * what a killed trim leaves for the next run. */
static struct gen_pkg pkg = { "pkg00", C1, SRC_BASE, "v1", false };

static void switch_n(int n)
{
	for (int i = 0; i < n; i++) {
		struct generation g = { .pkgs = &pkg, .npkgs = 1 };

		str_copy(g.user, sizeof g.user, "t");
		str_copy(g.sudo_user, sizeof g.sudo_user, "-");
		str_copy(g.action, sizeof g.action, "rollback");
		cr_assert_eq(store_switch(&s, &g), 0, "%s", err_msg());
	}
}

/* The names in generations/, as "1 2 3" (numbers ascending) plus others. */
static void names(char *out, size_t size)
{
	unsigned long *nums = NULL;
	size_t n = 0, len = 0;

	out[0] = '\0';
	cr_assert_eq(store_generations(&s, &nums, &n), 0);
	for (size_t i = n; i-- > 0;)
		len += (size_t)snprintf(out + len, size - len, "%s%lu", len ? " " : "", nums[i]);
	free(nums);
}

static void current_is(const char *want)
{
	char link[64];
	ssize_t n = readlinkat(s.root, "current", link, sizeof link - 1);

	cr_assert_gt(n, 0);
	link[n] = '\0';
	cr_assert_str_eq(link, want);
}

Test(gens, a_switch_removes_nothing_and_trim_keeps_the_newest)
{
	char got[128];

	switch_n(6);
	names(got, sizeof got);
	cr_assert_str_eq(got, "1 2 3 4 5 6", "a switch removed something");
	cr_assert_eq(store_trim(&s), 0, "%s", err_msg());
	names(got, sizeof got);
	cr_assert_str_eq(got, "4 5 6", "keep_generations is 3");
	current_is("generations/6");
	cr_assert_eq(store_trim(&s), 0, "%s", err_msg());
	names(got, sizeof got);
	cr_assert_str_eq(got, "4 5 6", "trimming twice removes nothing more");
}

Test(gens, a_trim_killed_midway_leaves_a_leftover_the_next_run_sweeps)
{
	char got[128], path[128];
	struct stat st;

	switch_n(2);
	/* What a trim killed after its rename leaves: a .tmp- name, part
	 * emptied, never a numbered generation missing its record. */
	cr_assert_eq(renameat(s.root, "generations/1", s.root, "generations/.tmp-gone-1-999999999"), 0);
	names(got, sizeof got);
	cr_assert_str_eq(got, "2");
	cr_assert_eq(store_cleanup(&s, false), 0, "%s", err_msg());
	snprintf(path, sizeof path, "%s/generations/.tmp-gone-1-999999999", root);
	cr_assert_neq(lstat(path, &st), 0, "the leftover is still there");
	current_is("generations/2");
}

/* A rollback sweeps while a pull, under the other lock, is still
 * writing under its .tmp- names: those belong to a live run and stay. */
Test(gens, a_live_runs_temporary_names_are_not_swept)
{
	char path[128], name[64];
	struct stat st;

	switch_n(1);
	snprintf(name, sizeof name, ".tmp-base.yaml-%d", (int)getppid());
	cr_assert_eq(mkdirat(s.root, name, 0755), 0);
	cr_assert_eq(store_cleanup(&s, false), 0, "%s", err_msg());
	snprintf(path, sizeof path, "%s/%s", root, name);
	cr_assert_eq(lstat(path, &st), 0, "a live run's temporary name was swept");
	cr_assert_eq(unlinkat(s.root, name, AT_REMOVEDIR), 0);
	/* libgit2's lock for it too (a tree's index being written). */
	snprintf(name, sizeof name, ".tmp-index-c1-%d.lock", (int)getppid());
	cr_assert_eq(mkdirat(s.root, name, 0755), 0);
	cr_assert_eq(store_cleanup(&s, false), 0, "%s", err_msg());
	snprintf(path, sizeof path, "%s/%s", root, name);
	cr_assert_eq(lstat(path, &st), 0, "a live run's lock file was swept");
	cr_assert_eq(unlinkat(s.root, name, AT_REMOVEDIR), 0);
	/* A pid that another program has now (the test runner's parent, a
	 * shell or make) does not keep a killed run's leftover. */
	snprintf(path, sizeof path, "/proc/%d/stat", (int)getppid());
	FILE *f = fopen(path, "r");
	int other = 0;

	cr_assert(f && fscanf(f, "%*d (%*[^)]) %*c %d", &other) == 1 && other > 1);
	fclose(f);
	snprintf(name, sizeof name, ".tmp-base.yaml-%d", other);
	cr_assert_eq(mkdirat(s.root, name, 0755), 0);
	cr_assert_eq(store_cleanup(&s, false), 0, "%s", err_msg());
	snprintf(path, sizeof path, "%s/%s", root, name);
	cr_assert_neq(lstat(path, &st), 0, "a reused pid kept a leftover");
}

/* A ref lock left by a killed libgit2 would refuse the ref for ever; the
 * sweep removes lock files only, and follows no symlink. */
Test(store, stale_git_locks_go_and_nothing_else)
{
	char dir[] = "/tmp/obsenv-locks-XXXXXX", path[128];
	const char *files[] = { "refs/heads/deploy.lock", "refs/heads/deploy", "refs/tags/v1",
				"refs/obsenv/deployed/abc.lock", "packed-refs.lock", "packed-refs",
				"objects/pack/pack_git2_d7e3", "objects/pack/pack-1.idx.lock",
				"objects/pack/pack-1.pack", "objects/pack/pack-1.idx",
				"worktrees/c1/index.lock", "worktrees/c1/index" };
	int fd;

	cr_assert(mkdtemp(dir));
	cr_assert_eq(chdir(dir), 0);
	cr_assert_eq(mkdir("refs", 0755) | mkdir("refs/heads", 0755) | mkdir("refs/tags", 0755) |
			     mkdir("refs/obsenv", 0755) | mkdir("refs/obsenv/deployed", 0755) |
			     mkdir("outside", 0755) | mkdir("objects", 0755) | mkdir("objects/pack", 0755) |
			     mkdir("worktrees", 0755) | mkdir("worktrees/c1", 0755),
		     0);
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		fd = open(files[i], O_WRONLY | O_CREAT | O_EXCL, 0644);
		cr_assert(fd >= 0, "%s", files[i]);
		close(fd);
	}
	fd = open("outside/keep.lock", O_WRONLY | O_CREAT | O_EXCL, 0644);
	close(fd);
	cr_assert_eq(symlink("../outside", "refs/tags/link.lock") | symlink("../outside", "refs/link"), 0);
	fd = open(".", O_RDONLY | O_DIRECTORY);
	cr_assert_eq(store_sweep_git_locks(fd), 0, "%s", err_msg());
	close(fd);
	cr_expect_neq(access("refs/heads/deploy.lock", F_OK), 0);
	cr_expect_neq(access("refs/obsenv/deployed/abc.lock", F_OK), 0);
	cr_expect_neq(access("packed-refs.lock", F_OK), 0);
	cr_expect_eq(access("refs/heads/deploy", F_OK), 0);
	cr_expect_eq(access("refs/tags/v1", F_OK), 0);
	cr_expect_eq(access("packed-refs", F_OK), 0);
	cr_expect_neq(access("objects/pack/pack_git2_d7e3", F_OK), 0);
	cr_expect_neq(access("objects/pack/pack-1.idx.lock", F_OK), 0);
	cr_expect_eq(access("objects/pack/pack-1.pack", F_OK), 0);
	cr_expect_eq(access("objects/pack/pack-1.idx", F_OK), 0);
	cr_expect_neq(access("worktrees/c1/index.lock", F_OK), 0);
	cr_expect_eq(access("worktrees/c1/index", F_OK), 0);
	cr_expect_eq(access("outside/keep.lock", F_OK), 0, "a symlink was followed");
	cr_expect_eq(faccessat(AT_FDCWD, "refs/tags/link.lock", F_OK, AT_SYMLINK_NOFOLLOW), 0);
	snprintf(path, sizeof path, "rm -rf %s", dir);
	cr_assert_eq(chdir("/"), 0);
	cr_assert_eq(system(path), 0);
}

/* A copy in the file store that no tree links to any more is freed; one
 * a tree still has stays, and so does anything that is not a copy. */
TestSuite(files, .init = setup, .fini = teardown);

/* The policy names one package, "pkg", and the test works in the root. */
static void use_pkg(struct package *k)
{
	str_copy(k->name, sizeof k->name, "pkg");
	pol.pkgs = k;
	pol.npkgs = 1;
	cr_assert_eq(chdir(root), 0);
}

static void done_pkg(void)
{
	pol.pkgs = NULL;
	pol.npkgs = 0;
	pol.keep_trees = 0;
	cr_assert_eq(chdir("/"), 0);
}
Test(files, copies_no_tree_has_are_freed_and_nothing_else)
{
	char path[256];
	const char *names[] = { "ab/0001", "ab/0002.x", "cd/0003", "cd/0004" };
	size_t freed = 99;
	int fd;

	snprintf(path, sizeof path, "%s/repos/pkg.git", root);
	cr_assert_eq(mkdir(path, 0755), 0);
	cr_assert_eq(store_prune_files(&s, "pkg", &freed), 0, "no file store yet: %s", err_msg());
	cr_expect_eq(freed, 0);
	snprintf(path, sizeof path, "%s/repos/pkg.git/files", root);
	cr_assert_eq(chdir(path) == 0 || (mkdir(path, 0700) == 0 && chdir(path) == 0), 1);
	cr_assert_eq(mkdir("ab", 0700) | mkdir("cd", 0700) | mkdir("zz", 0700) | mkdir("tree", 0755), 0);
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		fd = open(names[i], O_WRONLY | O_CREAT | O_EXCL, 0444);
		cr_assert(fd >= 0, "%s", names[i]);
		close(fd);
	}
	fd = open("zz/0005", O_WRONLY | O_CREAT | O_EXCL, 0444);
	close(fd);
	cr_assert_eq(link("ab/0002.x", "tree/a") | link("cd/0004", "tree/b") | symlink("x", "cd/link"), 0);
	cr_assert_eq(store_prune_files(&s, "pkg", &freed), 0, "%s", err_msg());
	cr_expect_eq(freed, 2);
	cr_expect_neq(access("ab/0001", F_OK), 0, "a copy no tree has stayed");
	cr_expect_neq(access("cd/0003", F_OK), 0, "a copy no tree has stayed");
	cr_expect_eq(access("ab/0002.x", F_OK), 0, "a copy a tree has was freed");
	cr_expect_eq(access("cd/0004", F_OK), 0, "a copy a tree has was freed");
	cr_expect_eq(access("zz/0005", F_OK), 0, "a file outside the fan-out was touched");
	cr_expect_eq(faccessat(AT_FDCWD, "cd/link", F_OK, AT_SYMLINK_NOFOLLOW), 0);
	cr_assert_eq(chdir("/"), 0);
}

/* git's lock files are swept only when a killed run may have left some:
 * never swept, a holder that never let go, or a restart since (the mark
 * holds the boot id of the sweep). */
Test(gens, git_locks_are_suspect_only_after_a_kill_or_a_restart)
{
	char earlier[256], path[128];
	int fd;

	cr_expect(store_locks_suspect(&s), "a store never swept");
	cr_assert_eq(store_sweep_locks(&s), 0, "%s", err_msg());
	cr_expect_not(store_locks_suspect(&s), "just swept");
	cr_assert_eq(store_lock(&s, LOCK_WORK, "a test", earlier, sizeof earlier), 0, "%s", err_msg());
	store_unlock(&s, LOCK_WORK);
	cr_expect_not(store_locks_suspect(&s), "a holder that let go");
	/* What a killed holder leaves: its record, and no flock. */
	cr_assert_eq(store_lock(&s, LOCK_SWITCH, "a killed test", earlier, sizeof earlier), 0);
	close(s.lock);
	s.lock = -1;
	cr_assert_eq(store_lock(&s, LOCK_SWITCH, "a test", earlier, sizeof earlier), 0, "%s", err_msg());
	cr_expect_eq(strncmp(earlier, "a killed test (pid ", 19), 0, "the record is %s", earlier);
	cr_expect(store_locks_suspect(&s), "after a killed holder");
	store_unlock(&s, LOCK_SWITCH);
	cr_assert_eq(store_sweep_locks(&s), 0, "%s", err_msg());
	snprintf(path, sizeof path, "%s/.git-locks-swept", root);
	fd = open(path, O_WRONLY | O_TRUNC);
	cr_assert(fd >= 0 && write(fd, "another-boot", 12) == 12);
	close(fd);
	cr_expect(store_locks_suspect(&s), "after a restart");
}

/* A tree nothing needs is set aside by one rename; its files and the
 * copies only it had go when the trash is emptied, never before. */
Test(files, a_tree_set_aside_goes_with_the_trash)
{
	char path[256], gone[128];
	struct package k = { 0 };
	struct pin pin = { 0 };
	struct stat st;
	int fd;

	use_pkg(&k);
	str_copy(pin.commit, sizeof pin.commit, C2);
	snprintf(path, sizeof path, "%s/repos/pkg.git/files/ab", root);
	cr_assert_eq(mkdir("repos/pkg.git", 0755) | mkdir("repos/pkg.git/files", 0700) | mkdir(path, 0700) |
			     mkdir("trees/pkg", 0755) | mkdir("trees/pkg/" C1, 0755) | mkdir("trees/pkg/" C2, 0755),
		     0);
	fd = open("repos/pkg.git/files/ab/0001", O_WRONLY | O_CREAT | O_EXCL, 0444);
	cr_assert(fd >= 0);
	close(fd);
	cr_assert_eq(link("repos/pkg.git/files/ab/0001", "trees/pkg/" C1 "/a"), 0);
	cr_assert_eq(store_gc_trees(&s, &pin, NULL), 0, "%s", err_msg());
	cr_expect_neq(lstat("trees/pkg/" C1, &st), 0, "the unneeded tree is still in place");
	cr_expect_eq(lstat("trees/pkg/" C2, &st), 0, "the pinned tree was set aside");
	snprintf(gone, sizeof gone, "trees/pkg/.tmp-trash-%s-%d/a", C1, (int)getpid());
	cr_expect_eq(lstat(gone, &st), 0, "the tree was not set aside under its .tmp- name");
	cr_expect_eq(lstat("repos/pkg.git/files/ab/0001", &st), 0);
	cr_expect_eq(st.st_nlink, 2, "the copy went before the tree");
	cr_assert_eq(store_empty_trash(&s, TRASH_ALL), 0, "%s", err_msg());
	cr_expect_neq(lstat(gone, &st), 0, "the trash was not emptied");
	cr_expect_neq(lstat("repos/pkg.git/files/ab/0001", &st), 0, "a copy no tree has stayed");
	cr_expect_eq(lstat("trees/pkg/" C2, &st), 0);
	done_pkg();
}

/* A killed build's half-made tree goes before the next change; a tree
 * set aside waits for store_empty_trash (removing it costs a walk the
 * change should not wait for). */
Test(files, a_killed_build_goes_first_the_trash_later)
{
	struct package k = { 0 };
	struct stat st;

	use_pkg(&k);
	cr_assert_eq(mkdir("trees/pkg", 0755) | mkdir("trees/pkg/.tmp-" C1 "-999999999", 0755) |
			     mkdir("trees/pkg/.tmp-trash-" C2 "-999999999", 0755),
		     0);
	cr_assert_eq(store_cleanup(&s, true), 0, "%s", err_msg());
	cr_expect_neq(lstat("trees/pkg/.tmp-" C1 "-999999999", &st), 0, "a killed build's tree stayed");
	cr_expect_eq(lstat("trees/pkg/.tmp-trash-" C2 "-999999999", &st), 0, "the trash went before the change");
	cr_assert_eq(store_empty_trash(&s, TRASH_ALL), 0, "%s", err_msg());
	cr_expect_neq(lstat("trees/pkg/.tmp-trash-" C2 "-999999999", &st), 0, "the trash stayed");
	done_pkg();
}

/* Generations 1, 2 and 3 name the trees C1, C2 and C3: only the newest
 * keep_trees of them keep theirs, current always. */
Test(files, only_the_newest_keep_trees_generations_keep_their_trees)
{
	static const char *const commit[] = { C1, C2, C3 };
	char gone[128];
	struct package k = { 0 };
	struct stat st;

	use_pkg(&k);
	pol.keep_trees = 2;
	cr_assert_eq(mkdir("trees/pkg", 0755) | mkdir("trees/pkg/" C1, 0755) | mkdir("trees/pkg/" C2, 0755) |
			     mkdir("trees/pkg/" C3, 0755),
		     0);
	for (int i = 0; i < 3; i++) {
		struct gen_pkg one = { "pkg", "", SRC_DEPLOY, "deploy", true };
		struct generation g = { .pkgs = &one, .npkgs = 1 };

		str_copy(one.commit, sizeof one.commit, commit[i]);
		str_copy(g.user, sizeof g.user, "t");
		str_copy(g.sudo_user, sizeof g.sudo_user, "-");
		str_copy(g.action, sizeof g.action, "pull");
		cr_assert_eq(store_switch(&s, &g), 0, "%s", err_msg());
	}
	for (int i = 0; i < 4; i++) {
		char meta[128];
		int fd;

		snprintf(meta, sizeof meta, "trees/pkg/%s.meta", i < 3 ? commit[i] : C4);
		cr_assert((fd = open(meta, O_WRONLY | O_CREAT | O_EXCL, 0644)) >= 0);
		close(fd);
	}
	cr_assert_eq(store_gc_trees(&s, NULL, NULL), 0, "%s", err_msg());
	snprintf(gone, sizeof gone, "trees/pkg/.tmp-trash-%s-%d", C1, (int)getpid());
	cr_expect_eq(lstat(gone, &st), 0, "generation 1 kept its tree with keep_trees 2");
	/* history shows the version name a kept generation's .meta holds. */
	cr_expect_eq(lstat("trees/pkg/" C1 ".meta", &st), 0, "a kept generation lost its tree's .meta");
	cr_expect_neq(lstat("trees/pkg/" C4 ".meta", &st), 0, "a .meta of no kept generation and no tree stayed");
	cr_expect_eq(lstat("trees/pkg/" C2, &st), 0, "the generation before current lost its tree");
	cr_expect_eq(lstat("trees/pkg/" C3, &st), 0, "current lost its tree");
	pol.keep_trees = 1;
	cr_assert_eq(store_gc_trees(&s, NULL, NULL), 0, "%s", err_msg());
	cr_expect_neq(lstat("trees/pkg/" C2, &st), 0, "generation 2 kept its tree with keep_trees 1");
	cr_expect_eq(lstat("trees/pkg/" C3, &st), 0, "current lost its tree");
	/* No value can cost current its tree. */
	pol.keep_trees = 0;
	cr_assert_eq(store_gc_trees(&s, NULL, NULL), 0, "%s", err_msg());
	cr_expect_eq(lstat("trees/pkg/" C3, &st), 0, "current lost its tree with keep_trees 0");
	pol.keep_trees = 0;
	done_pkg();
}

/* A run that switched removes what earlier runs set aside, and leaves
 * its own to the next run (a process may still be in the tree it
 * replaced). */
Test(files, a_switching_run_leaves_its_own_trash)
{
	char own[128];
	struct package k = { 0 };
	struct stat st;

	use_pkg(&k);
	snprintf(own, sizeof own, "trees/pkg/.tmp-trash-%s-%d", C2, (int)getpid());
	cr_assert_eq(mkdir("trees/pkg", 0755) | mkdir("trees/pkg/.tmp-trash-" C1 "-999999999", 0755) |
			     mkdir(own, 0755),
		     0);
	cr_assert_eq(store_empty_trash(&s, TRASH_EARLIER), 0, "%s", err_msg());
	cr_expect_neq(lstat("trees/pkg/.tmp-trash-" C1 "-999999999", &st), 0, "an earlier run's trash stayed");
	cr_expect_eq(lstat(own, &st), 0, "this run's own trash went");
	cr_assert_eq(store_empty_trash(&s, TRASH_ALL), 0, "%s", err_msg());
	cr_expect_neq(lstat(own, &st), 0, "the next run left the trash");
	done_pkg();
}

/* A pull's sweeper removes what earlier runs set aside while the pull
 * works, and prunes the file store only once it has finished; this run's
 * own trash stays, and nothing is left for act_gc to try again. */
Test(files, the_sweeper_removes_earlier_trash_beside_the_run)
{
	char own[128], own_link[160];
	struct package k = { 0 };
	struct sweeper w;
	struct stat st;
	int fd;

	use_pkg(&k);
	snprintf(own, sizeof own, "trees/pkg/.tmp-trash-%s-%d", C2, (int)getpid());
	snprintf(own_link, sizeof own_link, "%s/b", own);
	cr_assert_eq(mkdir("repos/pkg.git", 0755) | mkdir("repos/pkg.git/files", 0700) | mkdir("trees/pkg", 0755) |
			     mkdir("trees/pkg/.tmp-trash-" C1 "-999999999", 0755) |
			     mkdir("trees/pkg/.tmp-trash-" C1 "-999999999/sub", 0755) | mkdir(own, 0755),
		     0);
	for (int i = 0; i < 2; i++) {
		fd = open(i ? "repos/pkg.git/files/shared" : "repos/pkg.git/files/only",
			  O_WRONLY | O_CREAT | O_EXCL, 0444);
		cr_assert(fd >= 0);
		close(fd);
	}
	cr_assert_eq(link("repos/pkg.git/files/only", "trees/pkg/.tmp-trash-" C1 "-999999999/sub/a") |
			     link("repos/pkg.git/files/shared", "trees/pkg/.tmp-trash-" C1 "-999999999/b") |
			     link("repos/pkg.git/files/shared", own_link),
		     0);
	/* Read-only, as trees are. */
	cr_assert_eq(chmod("trees/pkg/.tmp-trash-" C1 "-999999999/sub", 0555), 0);
	cr_expect(store_has_trash(&s), "the trash was not seen");
	memset(&w, 0, sizeof w);
	sweeper_start(&w, &s);
	cr_expect(w.started, "no thread was made");
	sweeper_start(&w, &s);
	cr_assert_eq(sweeper_finish(&w), 0, "%s", err_msg());
	cr_expect(!w.running);
	cr_expect_neq(lstat("trees/pkg/.tmp-trash-" C1 "-999999999", &st), 0, "an earlier run's trash stayed");
	cr_expect_eq(lstat(own, &st), 0, "this run's own trash went");
	cr_expect_neq(lstat("repos/pkg.git/files/only", &st), 0, "a copy only the removed tree had stayed");
	cr_expect_eq(lstat("repos/pkg.git/files/shared", &st), 0, "a copy a tree still has was freed");
	cr_expect_eq(sweeper_left(&w, true), TRASH_NONE, "a run that switched would remove trash again");
	cr_expect_eq(sweeper_left(&w, false), TRASH_OWN);
	/* A run that found no trash has only its own to remove. */
	{
		struct sweeper never = { 0 };

		cr_expect_eq(sweeper_left(&never, true), TRASH_NONE);
		cr_expect_eq(sweeper_left(&never, false), TRASH_OWN);
	}
	/* A thread that could not be made leaves it all to act_gc. */
	w.started = false;
	cr_expect_eq(sweeper_left(&w, true), TRASH_EARLIER);
	cr_expect_eq(sweeper_left(&w, false), TRASH_ALL);
	/* Own trash is what store_gc_trees set aside in this run. */
	s.set_aside = 1;
	cr_assert_eq(store_empty_trash(&s, TRASH_OWN), 0, "%s", err_msg());
	s.set_aside = 0;
	cr_expect_neq(lstat(own, &st), 0, "TRASH_OWN left this run's trash");
	cr_expect(!store_has_trash(&s), "trash seen where there is none");
	cr_expect_neq(lstat("repos/pkg.git/files/shared", &st), 0, "a copy no tree has stayed");
	done_pkg();
}

/* A store made with the fan-out layout (files/ab/cdef) is moved to the
 * flat one (files/abcdef) on the next build: the same inodes, so the
 * trees that link them still share them, and no directory left. */
Test(files, an_older_file_store_is_flattened_keeping_each_inode)
{
	struct package k = { 0 };
	struct stat tree_st, flat_st, st;
	size_t freed = 0;
	int fd;

	use_pkg(&k);
	cr_assert_eq(mkdir("repos/pkg.git", 0755) | mkdir("repos/pkg.git/files", 0700) |
			     mkdir("repos/pkg.git/files/ab", 0700) | mkdir("trees/pkg", 0755) |
			     mkdir("trees/pkg/" C1, 0755),
		     0);
	fd = open("repos/pkg.git/files/ab/cdef", O_WRONLY | O_CREAT | O_EXCL, 0444);
	cr_assert(fd >= 0);
	close(fd);
	cr_assert_eq(link("repos/pkg.git/files/ab/cdef", "trees/pkg/" C1 "/a"), 0);
	fd = open("repos/pkg.git/files", O_RDONLY | O_DIRECTORY);
	cr_assert(fd >= 0);
	cr_expect(store_files_layout_old(fd), "a fan-out directory was not seen");
	store_files_flatten(fd);
	cr_expect(!store_files_layout_old(fd), "a fan-out directory is left");
	close(fd);
	cr_assert_eq(stat("trees/pkg/" C1 "/a", &tree_st), 0);
	cr_assert_eq(stat("repos/pkg.git/files/abcdef", &flat_st), 0, "the copy is not under its flat name");
	cr_expect_eq(flat_st.st_ino, tree_st.st_ino, "the flat copy is not the tree's inode");
	cr_expect_neq(lstat("repos/pkg.git/files/ab", &st), 0, "the fan-out directory stayed");
	/* A flat copy no tree has goes with the prune; a linked one stays. */
	fd = open("repos/pkg.git/files/ffff", O_WRONLY | O_CREAT | O_EXCL, 0444);
	cr_assert(fd >= 0);
	close(fd);
	cr_assert_eq(store_prune_files(&s, "pkg", &freed), 0, "%s", err_msg());
	cr_expect_eq(freed, 1);
	cr_expect_neq(lstat("repos/pkg.git/files/ffff", &st), 0, "an unlinked copy stayed");
	cr_expect_eq(lstat("repos/pkg.git/files/abcdef", &st), 0, "a linked copy was freed");
	done_pkg();
}
