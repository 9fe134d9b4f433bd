/* The first fetch from a mirror on a local path. Asked for everything the
 * deploy head and the tags reach, libgit2's packbuilder walks the whole
 * history and searches every delta again (init took 2.3 times a clone
 * loop); the mirror's pack files hold those deltas already. So, into a
 * store with no object yet, each of them is streamed through libgit2's
 * indexer, which checks every object against its name and the pack
 * against its checksum, and writes the index itself.
 *
 * MUST rules:
 *  1. The mirror is someone else's, maybe on NFS: a pack is opened with
 *     O_NOFOLLOW (and O_NONBLOCK, so a FIFO never blocks the open), must
 *     be a regular file, and is read through that descriptor only: never
 *     linked, renamed or mapped. Only names pack-<40 hex>.pack are read.
 *  2. The policy's limits hold for these bytes as for any fetch. The
 *     packs are measured first (sizes, and object counts from their
 *     headers), and nothing is copied when they would not fit: the minimal
 *     fetch then sends only what is needed, under the same limits. What is
 *     read is counted again as it arrives, since the files can change
 *     meanwhile, and the stall timeout bounds the reads.
 *  3. A failure leaves no pack in the store (the caller removes them all:
 *     the store has no ref, so none is needed), no temporary either.
 *
 * The packs can hold objects that neither the deploy branch nor a tag
 * reaches: other branches, garbage. They are inert: obsenv reads an
 * object only through a ref it set itself, and each was checked against
 * its name, so one cannot stand in for another. They take space and
 * count against the limits like anything fetched. But the store is
 * readable by every local user, so the packs are copied only when every
 * local user could read them in the mirror already: every directory
 * above them searchable by others, each file readable by others. */
#include "git/packcopy.h"

/* libgit2's *_OPTIONS_INIT macros name only the version field. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/fs.h"
#include "core/str.h"
#include "git/limits.h"
#include "git/watchdog.h"

#define MIB ((uint64_t)1 << 20)
/* More than this is a mirror that needs a repack: the minimal fetch. */
#define PACKS_MAX 64
#define PACK_NAME_LEN 50 /* pack-<40 hex>.pack */
#define CHUNK ((size_t)256 * 1024)

struct copy {
	const struct policy *p;
	const struct package *k;
	git_indexer_progress done; /* the packs indexed so far */
	uint64_t read; /* bytes of the pack being read */
	bool refused; /* our own message is in err.c */
};

static bool is_pack_name(const char *s)
{
	return strlen(s) == PACK_NAME_LEN && !strncmp(s, "pack-", 5) &&
	       strspn(s + 5, "0123456789abcdef") == 40 && !strcmp(s + 45, ".pack");
}

/* Every directory from / down to the mirror's pack directory must let
 * others through: otherwise what the store would publish was private. */
static bool public_path(const char *dir)
{
	char real[PATH_MAX];
	struct stat st;

	if (!realpath(dir, real))
		return false;
	for (;;) {
		if (stat(real[0] ? real : "/", &st) || !S_ISDIR(st.st_mode) || !(st.st_mode & S_IXOTH))
			return false;
		if (!real[0])
			return true;
		*strrchr(real, '/') = 0;
	}
}

static int open_pack(int dfd, const char *name, struct stat *st)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0 && (fstat(fd, st) || !S_ISREG(st->st_mode))) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

/* The mirror's pack names, and whether they fit the limits, measured from
 * the files alone: sizes, and object counts from the 12-byte headers. */
static int measure(const struct copy *c, int dfd, char (*names)[PACK_NAME_LEN + 1], size_t *n,
		   bool *fits)
{
	uint64_t bytes = 0, objects = 0;
	unsigned char h[12];
	struct dirent *e;
	struct stat st;
	DIR *d;
	int fd;

	*fits = false;
	if (!(d = fs_dir_stream(dfd)))
		return err_sys(E_FAIL, errno, "%s: the remote's objects/pack", c->k->name);
	while ((e = readdir(d)))
		if (is_pack_name(e->d_name) && (*n)++ < PACKS_MAX)
			memcpy(names[*n - 1], e->d_name, PACK_NAME_LEN + 1);
	closedir(d);
	if (!*n || *n > PACKS_MAX)
		return 0;
	for (size_t i = 0; i < *n; i++) {
		if ((fd = open_pack(dfd, names[i], &st)) < 0)
			return 0; /* gone meanwhile, or not a file: the minimal fetch */
		if (pread(fd, h, sizeof h, 0) != (ssize_t)sizeof h || memcmp(h, "PACK", 4) != 0 ||
		    !(st.st_mode & S_IROTH)) {
			close(fd);
			return 0;
		}
		close(fd);
		bytes += (uint64_t)st.st_size;
		objects += (uint64_t)h[8] << 24 | (uint64_t)h[9] << 16 | (uint64_t)h[10] << 8 | h[11];
	}
	*fits = bytes <= c->p->max_fetch_mib * MIB && objects <= c->p->max_objects;
	return 0;
}

/* Both the indexer's progress and every read: the running totals of all
 * the packs so far against the policy's limits, and a sign of life. */
static int within(struct copy *c, unsigned int objects)
{
	git_indexer_progress all = c->done;

	if (!watchdog_alive())
		return -1;
	all.total_objects += objects;
	all.received_bytes += c->read;
	if (limit_transfer(c->p, c->k, &all)) {
		c->refused = true;
		return -1;
	}
	return 0;
}

static int on_progress(const git_indexer_progress *st, void *payload)
{
	return within(payload, st->total_objects + st->local_objects) ? GIT_EUSER : 0;
}

static int index_pack(struct copy *c, int dfd, const char *name, git_odb *odb, const char *dest,
		      char *buf)
{
	git_indexer_options o = GIT_INDEXER_OPTIONS_INIT;
	git_indexer_progress st = { 0 };
	git_indexer *ix = NULL;
	char what[NAME_MAX_LEN + PACK_NAME_LEN + 32];
	struct stat sb;
	ssize_t got;
	int fd, r = 0;

	snprintf(what, sizeof what, "%s: the remote's %s", c->k->name, name);
	c->read = 0;
	o.progress_cb = on_progress;
	o.progress_cb_payload = c;
	if ((fd = open_pack(dfd, name, &sb)) < 0)
		return err_sys(E_FAIL, errno, "%s", what);
	if (G(git_indexer_new)(&ix, dest, 0, odb, &o) < 0) {
		r = repo_fail(what);
		goto out;
	}
	while ((got = read(fd, buf, CHUNK)) != 0) {
		if (got < 0 && errno == EINTR && watchdog_alive())
			continue;
		if (got < 0) {
			r = err_sys(E_FAIL, errno, "%s", what);
			goto out;
		}
		c->read += (uint64_t)got;
		if (within(c, st.total_objects) || G(git_indexer_append)(ix, buf, (size_t)got, &st) < 0) {
			r = c->refused ? E_FAIL : repo_fail(what);
			goto out;
		}
	}
	if (G(git_indexer_commit)(ix, &st) < 0) {
		r = c->refused ? E_FAIL : repo_fail(what);
		goto out;
	}
	c->done.total_objects += st.total_objects + st.local_objects;
	c->done.received_bytes += c->read;
out:
	G(git_indexer_free)(ix); /* removes its temporary pack unless committed */
	close(fd);
	return r;
}

static int copy_all(struct copy *c, int dfd, char (*names)[PACK_NAME_LEN + 1], size_t n,
		    git_odb *odb, const char *dest)
{
	char *buf = malloc(CHUNK);
	enum watchdog_end end;
	int r;

	if (!buf)
		return err_oom();
	if ((r = watchdog_start(c->p->connect_timeout, c->p->stall_timeout))) {
		free(buf);
		return r;
	}
	for (size_t i = 0; i < n && !r; i++)
		r = index_pack(c, dfd, names[i], odb, dest, buf);
	end = watchdog_stop();
	free(buf);
	if (r && end != WD_NONE)
		return err_set(E_FAIL, "%s: the remote %s made no progress for %u s (stall_timeout)",
			       c->k->name, c->k->remote, c->p->stall_timeout);
	return r;
}

int repo_copy_packs(const struct policy *p, const struct package *k, git_odb *dest_odb,
		    const char *dest_dir, const char *src_path, git_indexer_progress *copied)
{
	struct copy c = { .p = p, .k = k };
	char dir[PATH_MAX_LEN + 32], (*names)[PACK_NAME_LEN + 1] = NULL;
	struct stat st;
	size_t n = 0;
	bool fits = false;
	int dfd = -1, r = 0;

	memset(copied, 0, sizeof *copied);
	/* Borrowed objects would be missing from the copy, and are not ours
	 * to publish. */
	snprintf(dir, sizeof dir, "%s/objects/info/alternates", src_path);
	if (lstat(dir, &st) == 0 || errno != ENOENT)
		return 0;
	snprintf(dir, sizeof dir, "%s/objects/pack", src_path);
	if (!public_path(dir))
		return 0;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 0;
	if (!(names = calloc(PACKS_MAX, sizeof *names))) {
		r = err_oom();
		goto out;
	}
	if ((r = measure(&c, dfd, names, &n, &fits)) || !fits)
		goto out;
	if (!(r = copy_all(&c, dfd, names, n, dest_odb, dest_dir)))
		*copied = c.done;
out:
	free(names);
	close(dfd);
	return r;
}

void repo_uncopy_packs(const char *dest_dir)
{
	int dfd = open(dest_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct dirent *e;
	DIR *d;

	if (dfd < 0)
		return;
	if (!(d = fdopendir(dfd))) {
		close(dfd);
		return;
	}
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "pack-", 5) || !strncmp(e->d_name, "pack_git2_", 10))
			unlinkat(dfd, e->d_name, 0);
	closedir(d);
}
