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
 * replaced by a new inode (a repair), never patched.
 *
 * The plan (git/buildplan.c) reads every tree first; the directories and
 * links are then made by two threads, each one half of the plan, since
 * a build is mostly system calls (8,000 links and stats and 1,200
 * directories a package in the 64 x 8000 bench). Neither calls libgit2
 * but under b->git: only for a file the store lacks and for a symlink. */
#include "git/repo.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/fs.h"
#include "core/str.h"
#include "git/buildplan.h"
#include "git/priv.h"
#include "store/files.h"
#include "store/store.h"

struct build {
	const struct package *k;
	git_repository *repo;
	git_index *ix;
	int files;		/* repos/<pkg>.git/files */
	bool recheck;		/* repair: read every shared copy before linking it */
	pthread_mutex_t git;	/* libgit2 is called by one thread at a time */
	atomic_ulong tmp;	/* the next .tmp- name in files/ */
	atomic_bool stop;	/* a half failed: the other stops too */
	struct plan pl;
};

/* One half of the plan, or all of it. */
struct worker {
	struct build *b;
	size_t from, to;
	int fd[MAX_DEPTH + 2]; /* the directories entered; fd[0] the top */
	size_t len[MAX_DEPTH + 2];
	size_t depth;
	size_t plen;
	char path[PATH_MAX_LEN + 1];
	int r;
	char msg[1024]; /* err.c's is per thread */
	pthread_t thread;
};

static int fail(struct worker *w, int err, const char *why)
{
	return err_sys(E_FAIL, err, "%s: cannot build %.300s%s", w->b->k->name, w->path, why);
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
static int write_blob(struct worker *w, int dfd, const char *name, const git_oid *id, bool exec)
{
	struct build *b = w->b;
	git_blob *blob = NULL;
	int fd = -1, r = 0;

	pthread_mutex_lock(&b->git);
	if (G(git_blob_lookup)(&blob, b->repo, id) < 0) {
		r = repo_fail(b->k->name);
		goto out;
	}
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || fs_write_all(fd, G(git_blob_rawcontent)(blob), (size_t)G(git_blob_rawsize)(blob)) ||
	    fchmod(fd, exec ? 0555 : 0444))
		r = fail(w, errno, "");
	if (fd >= 0 && close(fd) && !r)
		r = fail(w, errno, "");
	if (r && fd >= 0)
		unlinkat(dfd, name, 0);
out:
	G(git_blob_free)(blob);
	pthread_mutex_unlock(&b->git);
	return r;
}

/* Puts a new copy of the blob into the store under key: in place of
 * what is there when replace (a damaged copy keeps its inode in the
 * trees that have it), else only where there is none, so that when both
 * halves of a build want the same missing copy, both link the one that
 * went in first. */
static int store_blob(struct worker *w, const char *key, const git_oid *id, bool exec, bool replace)
{
	struct build *b = w->b;
	char tmp[64];
	int r;

	snprintf(tmp, sizeof tmp, ".tmp-file-%lu-%d", atomic_fetch_add(&b->tmp, 1), (int)getpid());
	unlinkat(b->files, tmp, 0);
	if ((r = write_blob(w, b->files, tmp, id, exec)))
		return r;
	if (!replace && renameat2(b->files, tmp, b->files, key, RENAME_NOREPLACE) == 0)
		return 0;
	if (!replace && errno == EEXIST) {
		/* The other half put one in first. */
		unlinkat(b->files, tmp, 0);
		return 0;
	}
	/* Replacing; or on NFS, which has no RENAME_NOREPLACE. */
	if ((replace || errno == EINVAL) && renameat(b->files, tmp, b->files, key) == 0)
		return 0;
	r = fail(w, errno, " (the file store)");
	unlinkat(b->files, tmp, 0);
	return r;
}

/* The store's copy, read back whole and compared with the blob. */
static bool copy_intact(struct worker *w, const char *key, const git_oid *id, bool exec)
{
	struct build *b = w->b;
	git_blob *blob = NULL;
	struct stat st;
	char *buf = NULL;
	size_t size;
	bool ok = false;
	int fd = openat(b->files, key, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    (st.st_mode & 07777) != (exec ? 0555u : 0444u))
		goto out;
	pthread_mutex_lock(&b->git);
	if (G(git_blob_lookup)(&blob, b->repo, id) < 0)
		goto unlock;
	size = (size_t)G(git_blob_rawsize)(blob);
	if ((off_t)size != st.st_size || !(buf = malloc(size ? size : 1)))
		goto unlock;
	ok = read(fd, buf, size) == (ssize_t)size && !memcmp(buf, G(git_blob_rawcontent)(blob), size);
unlock:
	G(git_blob_free)(blob);
	pthread_mutex_unlock(&b->git);
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return ok;
}

/* dfd/name becomes a link to the store's copy of the blob, made first
 * when missing (or, rechecking, damaged). A copy that lost its read-only
 * mode is replaced rather than shared. Where a link cannot be made (too
 * many links to one inode, another file system) the tree gets a copy of
 * its own. */
static int link_blob(struct worker *w, int dfd, const char *name, const git_oid *id, bool exec,
		     struct stat *st)
{
	struct build *b = w->b;
	char key[GIT_OID_HEXSZ + 8];
	int r;

	key_of(id, exec, key, sizeof key);
	if (b->recheck && !copy_intact(w, key, id, exec) && (r = store_blob(w, key, id, exec, true)))
		return r;
	for (int tries = 0; tries < 3; tries++) {
		bool missing = false;

		if (linkat(b->files, key, dfd, name, 0) == 0) {
			if (fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW))
				return fail(w, errno, "");
			if (S_ISREG(st->st_mode) && (st->st_mode & 07777) == (exec ? 0555u : 0444u))
				return 0;
			if (unlinkat(dfd, name, 0))
				return fail(w, errno, "");
		} else if (errno == EMLINK || errno == EXDEV || errno == EPERM) {
			break;
		} else if (errno != ENOENT) {
			return fail(w, errno, "");
		} else {
			missing = true;
		}
		/* Missing (never stored, or removed by a clean-up meanwhile)
		 * or not read-only any more: a new copy. */
		if ((r = store_blob(w, key, id, exec, !missing)))
			return r;
	}
	if ((r = write_blob(w, dfd, name, id, exec)))
		return r;
	return fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW) ? fail(w, errno, "") : 0;
}

static int make_symlink(struct worker *w, int dfd, const char *name, const git_oid *id, struct stat *st)
{
	struct build *b = w->b;
	git_blob *blob = NULL;
	char target[PATH_MAX_LEN + 1];
	size_t size = 0;
	int r = 0;

	pthread_mutex_lock(&b->git);
	if (G(git_blob_lookup)(&blob, b->repo, id) < 0) {
		r = repo_fail(b->k->name);
	} else {
		size = (size_t)G(git_blob_rawsize)(blob);
		if (size == 0 || size > PATH_MAX_LEN || memchr(G(git_blob_rawcontent)(blob), '\0', size))
			r = err_set(E_FAIL, "%s: %.300s is a symlink git cannot check out", b->k->name, w->path);
		else
			memcpy(target, G(git_blob_rawcontent)(blob), size);
		if (!r)
			target[size] = '\0';
	}
	G(git_blob_free)(blob);
	pthread_mutex_unlock(&b->git);
	if (r)
		return r;
	if (symlinkat(target, dfd, name) || fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW))
		r = fail(w, errno, "");
	return r;
}

/* The index entry of what was made at path, with its stat data, so that
 * git status in the tree compares stat data and reads no file. */
static int index_add(struct build *b, const char *path, const git_tree_entry *te, const struct stat *st)
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
	e.mode = (uint32_t)G(git_tree_entry_filemode)(te);
	e.id = *G(git_tree_entry_id)(te);
	e.path = path;
	return G(git_index_add)(b->ix, &e) < 0 ? repo_fail(b->k->name) : 0;
}

/* path grows by name (checked to fit by the plan); returns the old length. */
static size_t path_push(char *path, size_t *len, const char *name)
{
	size_t was = *len;

	*len += (size_t)snprintf(path + was, PATH_MAX_LEN + 1 - was, "%s%s", was ? "/" : "", name);
	return was;
}

static int do_op(struct worker *w, struct op *o)
{
	const char *name = G(git_tree_entry_name)(o->e);
	const git_oid *id = G(git_tree_entry_id)(o->e);
	int dfd = w->fd[w->depth], fd, r = 0;
	size_t was;

	switch (o->kind) {
	case OP_DIR:
		w->len[w->depth] = path_push(w->path, &w->plen, name);
		/* A shared directory was made before the halves started. */
		if ((!o->shared && mkdirat(dfd, name, 0755)) ||
		    (fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
			return fail(w, errno, "");
		w->fd[++w->depth] = fd;
		return 0;
	case OP_END:
		if (!o->shared && fchmod(dfd, 0555))
			r = fail(w, errno, "");
		close(dfd);
		w->depth--;
		w->plen = w->len[w->depth];
		w->path[w->plen] = '\0';
		return r;
	default:
		break;
	}
	was = path_push(w->path, &w->plen, name);
	if (o->kind == OP_FILE)
		r = link_blob(w, dfd, name, id, G(git_tree_entry_filemode)(o->e) == GIT_FILEMODE_BLOB_EXECUTABLE,
			      &o->st);
	else if (o->kind == OP_SYMLINK)
		r = make_symlink(w, dfd, name, id, &o->st);
	/* A submodule is never fetched: an empty directory, as git leaves
	 * one that is not initialized. */
	else if (mkdirat(dfd, name, 0555))
		r = fail(w, errno, "");
	w->plen = was;
	w->path[was] = '\0';
	return r;
}

static void *run(void *arg)
{
	struct worker *w = arg;

	for (size_t i = w->from; i < w->to && !w->r; i++) {
		if (atomic_load(&w->b->stop))
			break;
		if ((w->r = do_op(w, &w->b->pl.ops[i]))) {
			str_copy(w->msg, sizeof w->msg, err_msg());
			atomic_store(&w->b->stop, true);
		}
	}
	/* Left early, or at the end of the first half: what is still open
	 * is closed, not made read-only (the caller's, or the other half's). */
	for (; w->depth > 0; w->depth--)
		close(w->fd[w->depth]);
	return NULL;
}

/* The directories open where the second half starts, made and entered
 * by the caller before either half runs: the first half enters them too,
 * the second starts inside them (with copies of the descriptors, which
 * it closes as it leaves them). fd[] keeps the caller's, outermost first,
 * *n of them. */
static int enter_shared(struct build *b, struct worker *w, int top, int *fd, size_t *n)
{
	w->fd[0] = top;
	for (size_t i = 0; i < w->from; i++) {
		struct op *o = &b->pl.ops[i];
		const char *name = G(git_tree_entry_name)(o->e);
		int parent = *n ? fd[*n - 1] : top;

		if (o->kind != OP_DIR || !o->shared)
			continue;
		w->len[w->depth] = path_push(w->path, &w->plen, name);
		if (mkdirat(parent, name, 0755) ||
		    (fd[*n] = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
			return fail(w, errno, "");
		(*n)++;
		if ((w->fd[w->depth + 1] = fcntl(fd[*n - 1], F_DUPFD_CLOEXEC, 0)) < 0)
			return fail(w, errno, "");
		w->depth++;
	}
	return 0;
}

/* Thread stacks are set, not inherited from the caller's RLIMIT_STACK. */
#define BUILD_STACK ((size_t)256 << 10)

static bool start(struct worker *w)
{
	pthread_attr_t attr;
	sigset_t all, old;
	bool ok = false;

	/* Signals (the watchdog's SIGALRM) are the main thread's. */
	sigfillset(&all);
	if (pthread_attr_init(&attr))
		return false;
	if (!pthread_attr_setstacksize(&attr, BUILD_STACK) && !pthread_sigmask(SIG_SETMASK, &all, &old)) {
		ok = pthread_create(&w->thread, &attr, run, w) == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	pthread_attr_destroy(&attr);
	return ok;
}

/* The cores this process may run on (its affinity, not the machine's). */
static int cores(void)
{
	cpu_set_t set;

	return sched_getaffinity(0, sizeof set, &set) ? 1 : CPU_COUNT(&set);
}

/* The halves, the second in a thread of its own when there are two
 * cores and enough to do. A repair (recheck) reads every copy back
 * through libgit2, one thread at a time anyway: it stays in one. The shared directories are made read-only,
 * innermost first, once both are done. */
static int make(struct build *b, int dfd)
{
	struct worker *h = calloc(2, sizeof *h);
	size_t s = b->recheck || cores() < 2 ? 0 : plan_split(&b->pl), n = 0;
	int shared[MAX_DEPTH + 1];
	bool second = false;
	int r = 0;

	if (!h)
		return err_oom();
	h[0] = (struct worker){ .b = b, .from = 0, .to = s ? s : b->pl.n, .fd = { dfd } };
	h[1] = (struct worker){ .b = b, .from = s, .to = b->pl.n };
	if (s && (r = enter_shared(b, &h[1], dfd, shared, &n))) {
		for (; h[1].depth > 0; h[1].depth--)
			close(h[1].fd[h[1].depth]);
		goto out;
	}
	second = s && start(&h[1]);
	run(&h[0]);
	if (second)
		pthread_join(h[1].thread, NULL);
	else if (s)
		run(&h[1]);
	for (int i = 0; i < 2 && !r; i++)
		if (h[i].r)
			r = err_set(h[i].r, "%s", h[i].msg);
out:
	while (n-- > 0) {
		if (!r && fchmod(shared[n], 0555))
			r = err_sys(E_FAIL, errno, "%s: cannot make a directory of the tree read-only", b->k->name);
		close(shared[n]);
	}
	free(h);
	return r;
}

/* The index, in the plan's order, with what the halves made. */
static int index_all(struct build *b)
{
	char path[PATH_MAX_LEN + 1] = "";
	size_t len = 0, lens[MAX_DEPTH + 2] = { 0 }, depth = 0;
	int r = 0;

	for (size_t i = 0; i < b->pl.n && !r; i++) {
		struct op *o = &b->pl.ops[i];
		size_t was;

		if (o->kind == OP_DIR) {
			lens[depth++] = path_push(path, &len, G(git_tree_entry_name)(o->e));
		} else if (o->kind == OP_END) {
			len = depth ? lens[--depth] : 0;
			path[len] = '\0';
		} else {
			was = path_push(path, &len, G(git_tree_entry_name)(o->e));
			r = index_add(b, path, o->e, o->kind == OP_GITLINK ? NULL : &o->st);
			len = was;
			path[len] = '\0';
		}
	}
	return r;
}

int repo_build_tree(const struct package *k, git_repository *repo, git_object *commit, int dfd,
		    const char *files, git_index *ix, bool recheck)
{
	struct build *b = calloc(1, sizeof *b);
	int r;

	if (!b)
		return err_oom();
	b->k = k;
	b->repo = repo;
	b->ix = ix;
	b->recheck = recheck;
	b->files = -1;
	pthread_mutex_init(&b->git, NULL);
	if ((mkdir(files, 0700) && errno != EEXIST) ||
	    (b->files = open(files, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		r = err_sys(E_FAIL, errno, "%s: the file store %s", k->name, files);
		goto out;
	}
	store_files_flatten(b->files);
	/* What a killed build left here. One that cannot go is in nobody's
	 * way: every name a build makes carries its pid, and is cleared
	 * before use. */
	(void)store_sweep_leftovers(b->files);
	if (!(r = plan_make(&b->pl, repo, commit, k->name)) && !(r = make(b, dfd)))
		r = index_all(b);
out:
	plan_free(&b->pl);
	if (b->files >= 0)
		close(b->files);
	pthread_mutex_destroy(&b->git);
	free(b);
	return r;
}
