/* Building a tree from a commit without checking it out: every file is a
 * hard link to one read-only copy per (blob, mode) kept in the package's
 * file store, repos/<pkg>.git/files/<blob id>[.x], so that a new tree
 * costs its directories and the files that are new, and trees share the
 * rest.
 *
 * Sharing is safe only if nothing ever writes through a shared inode: a
 * file is written once, under a .tmp- name, made read-only and renamed
 * into the store; a tree only ever gets new links. libgit2's checkout is
 * not used, because on top of links it rewrites a changed file in place
 * and so would alter every tree that shares it. A copy found damaged is
 * replaced by a new inode (a repair), never patched. */
#include "git/repo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/fs.h"
#include "git/priv.h"
#include "store/files.h"

/* Deeper than any package has a reason to be, and within the open
 * descriptors a walk holds (one per level). */
#define MAX_DEPTH 128

struct build {
	const struct package *k;
	git_repository *repo;
	git_index *ix;
	int files;	   /* repos/<pkg>.git/files */
	bool recheck;	   /* repair: read every shared copy before linking it */
	unsigned long tmp; /* the next .tmp- name in files/ */
	size_t len;	   /* of path */
	char path[PATH_MAX_LEN + 1];
};

/* A name a tree may hold: git's own rules for what a checkout writes (no
 * ".", "..", ".git" in any case, no slash), and nothing the kernel would
 * read as a path. */
static bool name_ok(const char *n)
{
	return *n && strcmp(n, ".") != 0 && strcmp(n, "..") != 0 && strcasecmp(n, ".git") != 0 && !strchr(n, '/');
}

static int fail(struct build *b, int err, const char *why)
{
	return err_sys(E_FAIL, err, "%s: cannot build %.300s%s", b->k->name, b->path, why);
}

/* The key of a file in the store: the blob id, ".x" for the executable
 * mode. One flat directory: a fan-out like git's objects' costs a block a
 * directory (1 MB a package on ext4) for a few thousand names, which a
 * hashed directory finds as fast. */
static void key_of(const git_oid *id, bool exec, char *key, size_t size)
{
	char hex[GIT_OID_HEXSZ + 1];

	G(git_oid_tostr)(hex, sizeof hex, id);
	snprintf(key, size, "%s%s", hex, exec ? ".x" : "");
}

/* Writes the blob as a new file at dfd/name, read-only, mode by exec. */
static int write_blob(struct build *b, int dfd, const char *name, const git_oid *id, bool exec)
{
	git_blob *blob = NULL;
	int fd = -1, r = 0;

	if (G(git_blob_lookup)(&blob, b->repo, id) < 0)
		return repo_fail(b->k->name);
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || fs_write_all(fd, G(git_blob_rawcontent)(blob), (size_t)G(git_blob_rawsize)(blob)) ||
	    fchmod(fd, exec ? 0555 : 0444))
		r = fail(b, errno, "");
	if (fd >= 0 && close(fd) && !r)
		r = fail(b, errno, "");
	G(git_blob_free)(blob);
	if (r && fd >= 0)
		unlinkat(dfd, name, 0);
	return r;
}

/* Puts a new copy of the blob into the store under key, replacing what
 * is there (a damaged copy keeps its inode in the trees that have it). */
static int store_blob(struct build *b, const char *key, const git_oid *id, bool exec)
{
	char tmp[64];
	int r;

	snprintf(tmp, sizeof tmp, ".tmp-file-%lu-%d", b->tmp++, (int)getpid());
	unlinkat(b->files, tmp, 0);
	if ((r = write_blob(b, b->files, tmp, id, exec)))
		return r;
	if (renameat(b->files, tmp, b->files, key)) {
		r = fail(b, errno, " (the file store)");
		unlinkat(b->files, tmp, 0);
	}
	return r;
}

/* The store's copy, read back whole and compared with the blob. */
static bool copy_intact(struct build *b, const char *key, const git_oid *id, bool exec)
{
	git_blob *blob = NULL;
	struct stat st;
	char *buf = NULL;
	size_t size;
	bool ok = false;
	int fd = openat(b->files, key, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    (st.st_mode & 07777) != (exec ? 0555u : 0444u) || G(git_blob_lookup)(&blob, b->repo, id) < 0)
		goto out;
	size = (size_t)G(git_blob_rawsize)(blob);
	if ((off_t)size != st.st_size || !(buf = malloc(size ? size : 1)))
		goto out;
	ok = read(fd, buf, size) == (ssize_t)size && !memcmp(buf, G(git_blob_rawcontent)(blob), size);
out:
	free(buf);
	G(git_blob_free)(blob);
	if (fd >= 0)
		close(fd);
	return ok;
}

/* dfd/name becomes a link to the store's copy of the blob, made first
 * when missing (or, rechecking, damaged). A copy that lost its read-only
 * mode is replaced rather than shared. Where a link cannot be made (too
 * many links to one inode, another file system) the tree gets a copy of
 * its own. */
static int link_blob(struct build *b, int dfd, const char *name, const git_oid *id, bool exec,
		     struct stat *st)
{
	char key[GIT_OID_HEXSZ + 8];
	int r;

	key_of(id, exec, key, sizeof key);
	if (b->recheck && !copy_intact(b, key, id, exec) && (r = store_blob(b, key, id, exec)))
		return r;
	for (int tries = 0; tries < 3; tries++) {
		if (linkat(b->files, key, dfd, name, 0) == 0) {
			if (fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW))
				return fail(b, errno, "");
			if (S_ISREG(st->st_mode) && (st->st_mode & 07777) == (exec ? 0555u : 0444u))
				return 0;
			if (unlinkat(dfd, name, 0))
				return fail(b, errno, "");
		} else if (errno == EMLINK || errno == EXDEV || errno == EPERM) {
			break;
		} else if (errno != ENOENT) {
			return fail(b, errno, "");
		}
		/* Missing (never stored, or removed by a clean-up meanwhile)
		 * or not read-only any more: a new copy. */
		if ((r = store_blob(b, key, id, exec)))
			return r;
	}
	if ((r = write_blob(b, dfd, name, id, exec)))
		return r;
	return fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW) ? fail(b, errno, "") : 0;
}

static int make_symlink(struct build *b, int dfd, const char *name, const git_oid *id, struct stat *st)
{
	git_blob *blob = NULL;
	char target[PATH_MAX_LEN + 1];
	size_t size;
	int r = 0;

	if (G(git_blob_lookup)(&blob, b->repo, id) < 0)
		return repo_fail(b->k->name);
	size = (size_t)G(git_blob_rawsize)(blob);
	if (size == 0 || size > PATH_MAX_LEN || memchr(G(git_blob_rawcontent)(blob), '\0', size)) {
		r = err_set(E_FAIL, "%s: %.300s is a symlink git cannot check out", b->k->name, b->path);
	} else {
		memcpy(target, G(git_blob_rawcontent)(blob), size);
		target[size] = '\0';
		if (symlinkat(target, dfd, name) || fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW))
			r = fail(b, errno, "");
	}
	G(git_blob_free)(blob);
	return r;
}

/* The index entry of what was just made, with its stat data, so that
 * git status in the tree compares stat data and reads no file. */
static int index_add(struct build *b, const git_oid *id, git_filemode_t mode, const struct stat *st)
{
	git_index_entry e;

	memset(&e, 0, sizeof e);
	if (st) {
		e.ctime.seconds = (int32_t)st->st_ctim.tv_sec;
		e.ctime.nanoseconds = (uint32_t)st->st_ctim.tv_nsec;
		e.mtime.seconds = (int32_t)st->st_mtim.tv_sec;
		e.mtime.nanoseconds = (uint32_t)st->st_mtim.tv_nsec;
		e.dev = (uint32_t)st->st_dev;
		e.ino = (uint32_t)st->st_ino;
		e.uid = (uint32_t)st->st_uid;
		e.gid = (uint32_t)st->st_gid;
		e.file_size = (uint32_t)st->st_size;
	}
	e.mode = (uint32_t)mode;
	e.id = *id;
	e.path = b->path;
	return G(git_index_add)(b->ix, &e) < 0 ? repo_fail(b->k->name) : 0;
}

static int build_dir(struct build *b, int dfd, const git_tree *tree, int depth);

static int build_entry(struct build *b, int dfd, const git_tree_entry *e, int depth)
{
	const git_oid *id = G(git_tree_entry_id)(e);
	git_filemode_t mode = G(git_tree_entry_filemode)(e);
	const char *name = G(git_tree_entry_name)(e);
	git_tree *sub = NULL;
	struct stat st = { 0 };
	int r, fd;

	switch (mode) {
	case GIT_FILEMODE_BLOB:
	case GIT_FILEMODE_BLOB_EXECUTABLE:
		if (!(r = link_blob(b, dfd, name, id, mode == GIT_FILEMODE_BLOB_EXECUTABLE, &st)))
			r = index_add(b, id, mode, &st);
		return r;
	case GIT_FILEMODE_LINK:
		if (!(r = make_symlink(b, dfd, name, id, &st)))
			r = index_add(b, id, mode, &st);
		return r;
	case GIT_FILEMODE_COMMIT:
		/* A submodule is never fetched: an empty directory, as git
		 * leaves one that is not initialized. */
		if (mkdirat(dfd, name, 0555))
			return fail(b, errno, "");
		return index_add(b, id, mode, NULL);
	case GIT_FILEMODE_TREE:
		break;
	default:
		return err_set(E_FAIL, "%s: %.300s has an unknown file mode %o", b->k->name, b->path,
			       (unsigned)mode);
	}
	if (depth >= MAX_DEPTH)
		return err_set(E_FAIL, "%s: %.300s is nested more than %d directories deep", b->k->name,
			       b->path, MAX_DEPTH);
	if (mkdirat(dfd, name, 0755) ||
	    (fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return fail(b, errno, "");
	if (G(git_tree_lookup)(&sub, b->repo, id) < 0)
		r = repo_fail(b->k->name);
	else if (!(r = build_dir(b, fd, sub, depth + 1)) && fchmod(fd, 0555))
		r = fail(b, errno, "");
	G(git_tree_free)(sub);
	close(fd);
	return r;
}

static int build_dir(struct build *b, int dfd, const git_tree *tree, int depth)
{
	size_t n = G(git_tree_entrycount)(tree), len = b->len;
	int r = 0;

	for (size_t i = 0; i < n && !r; i++) {
		const git_tree_entry *e = G(git_tree_entry_byindex)(tree, i);
		const char *name = G(git_tree_entry_name)(e);
		size_t nlen = strlen(name);

		if (len + nlen + 2 > sizeof b->path)
			return err_set(E_FAIL, "%s: a path of the commit is longer than %d bytes", b->k->name,
				       PATH_MAX_LEN);
		snprintf(b->path + len, sizeof b->path - len, "%s%s", len ? "/" : "", name);
		b->len = len + nlen + (len ? 1 : 0);
		if (!name_ok(name))
			r = err_set(E_FAIL, "%s: the commit has a path git refuses to check out: %.300s",
				    b->k->name, b->path);
		else
			r = build_entry(b, dfd, e, depth);
		b->len = len;
		b->path[len] = '\0';
	}
	return r;
}

int repo_build_tree(const struct package *k, git_repository *repo, git_object *commit, int dfd,
		    const char *files, git_index *ix, bool recheck)
{
	struct build b = { .k = k, .repo = repo, .ix = ix, .files = -1, .recheck = recheck };
	git_tree *tree = NULL;
	int r;

	if ((mkdir(files, 0700) && errno != EEXIST) ||
	    (b.files = open(files, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return err_sys(E_FAIL, errno, "%s: the file store %s", k->name, files);
	store_files_flatten(b.files);
	if (G(git_commit_tree)(&tree, (git_commit *)commit) < 0)
		r = repo_fail(k->name);
	else
		r = build_dir(&b, dfd, tree, 0);
	G(git_tree_free)(tree);
	close(b.files);
	return r;
}
