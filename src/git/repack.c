/* Merging a store's small packs. Every pull that brings a commit adds a
 * pack of a few objects to that package's store, and nothing else ever
 * removes one: after months of hot fixes each lookup that misses searches
 * hundreds of packs, and each pack read holds a descriptor (repo_start
 * bounds those). When a store has more than SMALL_PACKS_MAX small packs
 * (under an eighth of its largest and under 16 MiB), their objects (named by their .idx
 * files) are written as one new pack, with deltas searched among those
 * objects only, and the small packs are removed. The largest pack, the
 * one init copied from the mirror with the history in it, stays as it
 * is: searching its deltas again is what made init take 4 s a package.
 * A merged pack that outgrows an eighth stays too; the next merges leave
 * it alone.
 *
 * MUST rules:
 *  1. The new pack is whole and on disk (libgit2's indexer, with the
 *     fsync of the git directory repo_start turns on) before any small
 *     pack goes.
 *  2. Only the packs that were merged go, and only once the new pack is
 *     seen under a name none of them had: a merge whose result is named
 *     like one of its inputs removes nothing.
 *  3. Readers in other runs may still list a removed pack: libgit2 (and
 *     git) refresh the pack list when an object is not found, and find it
 *     in the new pack. A run that had the pack open reads on from it.
 *  4. Only names pack-<40 hex>.pack are considered, regular files, never
 *     through a link; a pack with a .keep stays. An index that is not
 *     what git writes stops the merge before anything is written.
 *  5. A failure leaves every small pack in place: at worst a new pack
 *     holds copies of their objects until the next merge. */
#include "git/repack.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/fs.h"
#include "git/priv.h"

#define PACK_NAME_LEN 50 /* pack-<40 hex>.pack */
#define IDX_HEADER (8 + 256 * 4)

struct pack {
	char name[PACK_NAME_LEN + 1];
	off_t size;
	bool keep;
};

struct packs {
	struct pack *pack;
	size_t n, cap;
};

static bool is_pack_name(const char *s)
{
	if (strlen(s) != PACK_NAME_LEN || strncmp(s, "pack-", 5) != 0 || strcmp(s + 45, ".pack") != 0)
		return false;
	for (size_t i = 5; i < 45; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* The sibling of pack-X.pack with suffix (".idx", ".keep"...). */
static void sibling(char *out, size_t size, const char *pack, const char *suffix)
{
	snprintf(out, size, "%.45s%s", pack, suffix);
}

/* Every pack name in dfd that has its index into all, with its size;
 * *largest is the size of the largest. A pack without an index (a merge
 * killed between the two unlinks) is left alone, and never stops one. */
static int list_packs(int dfd, struct packs *all, off_t *largest)
{
	char keep[PACK_NAME_LEN + 8];
	struct dirent *e;
	struct stat st;
	DIR *d = fs_dir_stream(dfd);
	int r = 0;

	*largest = 0;
	if (!d)
		return err_sys(E_FAIL, errno, "cannot read the store's pack directory");
	while (!r && (e = readdir(d))) {
		struct stat ist;
		char idx[PACK_NAME_LEN + 8];

		if (!is_pack_name(e->d_name) || fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode))
			continue;
		sibling(idx, sizeof idx, e->d_name, ".idx");
		if (fstatat(dfd, idx, &ist, AT_SYMLINK_NOFOLLOW) || !S_ISREG(ist.st_mode))
			continue;
		if (all->n == all->cap) {
			size_t cap = all->cap ? all->cap * 2 : 64;
			struct pack *grown = realloc(all->pack, cap * sizeof *grown);

			if (!grown) {
				r = err_oom();
				break;
			}
			all->pack = grown;
			all->cap = cap;
		}
		sibling(keep, sizeof keep, e->d_name, ".keep");
		memcpy(all->pack[all->n].name, e->d_name, PACK_NAME_LEN + 1);
		all->pack[all->n].size = st.st_size;
		all->pack[all->n].keep = faccessat(dfd, keep, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
		if (st.st_size > *largest)
			*largest = st.st_size;
		all->n++;
	}
	closedir(d);
	return r;
}

/* The packs of all under an eighth of the largest and under
 * SMALL_PACK_BYTES, without a .keep: at most PACKS_MERGED_MAX of them and
 * MERGED_BYTES_MAX together, so that a merge never searches deltas
 * through a large part of a big history, whatever the mirror held. */
static int small_packs(const struct packs *all, off_t largest, struct packs *small)
{
	off_t total = 0;

	if (!(small->pack = calloc(all->n ? all->n : 1, sizeof *small->pack)))
		return err_oom();
	for (size_t i = 0; i < all->n && small->n < PACKS_MERGED_MAX; i++) {
		const struct pack *k = &all->pack[i];

		if (k->keep || k->size >= largest / 8 || k->size >= SMALL_PACK_BYTES ||
		    total + k->size > MERGED_BYTES_MAX)
			continue;
		total += k->size;
		small->pack[small->n++] = *k;
	}
	return 0;
}

static bool listed(const struct packs *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->pack[i].name, name))
			return true;
	return false;
}

static uint32_t be32(const unsigned char *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

int repack_idx_names(int fd, unsigned char **out, size_t *count)
{
	static const unsigned char magic[8] = { 0xff, 't', 'O', 'c', 0, 0, 0, 2 };
	unsigned char head[IDX_HEADER];
	struct stat st;
	uint32_t prev = 0, n;
	unsigned char *ids;

	*out = NULL;
	*count = 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		return err_set(E_FAIL, "not a regular file");
	if (pread(fd, head, sizeof head, 0) != (ssize_t)sizeof head || memcmp(head, magic, sizeof magic) != 0)
		return err_set(E_FAIL, "not a pack index of version 2");
	/* The fan-out counts never go down; the last is the object count. */
	for (size_t i = 0; i < 256; i++) {
		uint32_t c = be32(head + 8 + 4 * i);

		if (c < prev)
			return err_set(E_FAIL, "a pack index whose fan-out goes down");
		prev = c;
	}
	n = prev;
	/* Names, CRCs and offsets, then two checksums, at the least. */
	if ((uint64_t)st.st_size < IDX_HEADER + (uint64_t)n * 28 + 40)
		return err_set(E_FAIL, "a pack index shorter than its %u objects", n);
	if (!n)
		return 0;
	if (!(ids = malloc((size_t)n * 20)))
		return err_oom();
	if (pread(fd, ids, (size_t)n * 20, IDX_HEADER) != (ssize_t)((size_t)n * 20)) {
		free(ids);
		return err_set(E_FAIL, "a pack index that could not be read");
	}
	*out = ids;
	*count = n;
	return 0;
}

/* Gives the packbuilder every object the small pack's index names. */
static int insert_pack(git_packbuilder *pb, int dfd, const char *pack, const char *pkg)
{
	char idx[PACK_NAME_LEN + 8];
	unsigned char *ids = NULL;
	size_t n = 0;
	git_oid id;
	int fd, r;

	sibling(idx, sizeof idx, pack, ".idx");
	if ((fd = openat(dfd, idx, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0)
		return err_sys(E_FAIL, errno, "%s: %s", pkg, idx);
	r = repack_idx_names(fd, &ids, &n);
	close(fd);
	if (r)
		return err_set(r, "%s: %s: %s", pkg, idx, err_msg());
	for (size_t i = 0; i < n && !r; i++)
		if (G(git_oid_fromraw)(&id, ids + 20 * i) < 0 || G(git_packbuilder_insert)(pb, &id, NULL) < 0)
			r = repo_fail(pkg);
	free(ids);
	return r;
}

static void remove_pack(int dfd, const char *pack)
{
	static const char *const suffixes[] = { ".idx", ".pack", ".rev", ".bitmap", ".mtimes", ".promisor" };
	char name[PACK_NAME_LEN + 16];

	/* The index first: a reader listing the directory meanwhile sees no
	 * pack at all rather than an index without its pack. */
	for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
		sibling(name, sizeof name, pack, suffixes[i]);
		unlinkat(dfd, name, 0);
	}
}

int repo_merge_packs(const struct policy *p, const struct package *k, size_t *merged)
{
	char dir[PATH_MAX_LEN + 160];
	struct packs before = { 0 }, small = { 0 }, after = { 0 };
	git_repository *repo;
	git_packbuilder *pb = NULL;
	const char *made = NULL;
	off_t largest = 0;
	int dfd, r;

	*merged = 0;
	snprintf(dir, sizeof dir, "%s/repos/%s.git/objects/pack", p->root, k->name);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : err_sys(E_FAIL, errno, "%s", dir);
	if ((r = list_packs(dfd, &before, &largest)) || (r = small_packs(&before, largest, &small)) ||
	    small.n <= SMALL_PACKS_MAX)
		goto out;
	if ((r = repo_may_write(k->name)) || (r = repo_open(p, k, &repo)))
		goto out;
	if (G(git_packbuilder_new)(&pb, repo) < 0) {
		r = repo_fail(k->name);
		goto out;
	}
	G(git_packbuilder_set_threads)(pb, 0);
	for (size_t i = 0; i < small.n && !r; i++)
		r = insert_pack(pb, dfd, small.pack[i].name, k->name);
	if (r)
		goto out;
	if (G(git_packbuilder_write)(pb, dir, 0, NULL, NULL) < 0) {
		r = repo_fail(k->name);
		goto out;
	}
	if ((r = list_packs(dfd, &after, &largest)))
		goto out;
	for (size_t i = 0; i < after.n && !made; i++)
		if (!listed(&before, after.pack[i].name))
			made = after.pack[i].name;
	if (!made)
		goto out; /* rule 2 */
	for (size_t i = 0; i < small.n; i++)
		remove_pack(dfd, small.pack[i].name);
	if (fsync(dfd))
		r = err_sys(E_FAIL, errno, "%s", dir);
	*merged = small.n;
out:
	if (pb)
		G(git_packbuilder_free)(pb);
	free(before.pack);
	free(small.pack);
	free(after.pack);
	close(dfd);
	return r;
}
