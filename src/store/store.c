#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "core/fs.h"
#include "store/files.h"
#include "store/gitlocks.h"
#include "store/lock.h"
#include "store/setupsh.h"

#define RECORD_MAX 65536

int store_open(struct store *s, const struct policy *p, bool create)
{
	static const char *const dirs[] = { "generations", "trees", "repos", "pins" };

	struct stat st;
	int r;

	s->pol = p;
	s->lock = s->work = -1;
	/* Observers source auto_env_setup.sh and the script queue imports the
	 * trees: an environment that anyone but root and the owner account can
	 * change, or rename away, is refused by every action, rollback too. */
	if ((r = fs_open_owned_dir(p->root, geteuid(), &s->root)))
		return err_set(r, "environment root: %s; obsenv refuses it until only root and the "
			       "owner account can change it (see obsenv-policy(5), root)", err_msg());
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
		if (create && mkdirat(s->root, dirs[i], 0755) && errno != EEXIST)
			return err_sys(E_FAIL, errno, "%s/%s", p->root, dirs[i]);
		if (fstatat(s->root, dirs[i], &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue; /* not made yet: init makes it */
		if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)))
			return err_set(E_FAIL, "environment root: %s/%s is not a directory of the owner "
				       "account's alone (uid %u, mode %04o); obsenv refuses it", p->root,
				       dirs[i], (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
	}
	return 0;
}

void store_close(struct store *s)
{
	lock_release(&s->lock);
	lock_release(&s->work);
	if (s->root >= 0)
		close(s->root);
	s->root = -1;
}

/* See store_locks_suspect. */
#define SWEPT ".git-locks-swept"

int store_lock(struct store *s, enum lock_kind kind, const char *who, char *earlier,
	       size_t earlier_size)
{
	int r = lock_take(s->root, kind, s->pol->lock_timeout, who,
			  kind == LOCK_SWITCH ? &s->lock : &s->work, earlier, earlier_size);

	/* A killed holder may have left git lock files: the next change that
	 * can hold both locks sweeps them (store_sweep_locks). */
	if (!r && earlier[0])
		unlinkat(s->root, SWEPT, 0);
	return r;
}

void store_unlock(struct store *s, enum lock_kind kind)
{
	lock_release(kind == LOCK_SWITCH ? &s->lock : &s->work);
}

static int open_dir(int dfd, const char *name)
{
	return openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* An error names what was being removed and, when it lies deeper, the
 * entry that stopped it: "cannot remove .tmp-gone-7/.../file". */
static int remove_failed(const char *top, const char *leaf, int errnum)
{
	if (!top)
		return E_FAIL; /* store_discard: the error in flight stays */
	if (leaf == top)
		return err_sys(E_FAIL, errnum, "cannot remove %s", top);
	return err_sys(E_FAIL, errnum, "cannot remove %s/.../%s", top, leaf);
}

static int remove_at(int dfd, const char *name, const char *top)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int fd, r = 0;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : remove_failed(top, name, errno);
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dfd, name, 0) && errno != ENOENT ? remove_failed(top, name, errno) : 0;
	/* Trees are read-only: their owner must make a directory writable to
	 * empty it. */
	if ((fd = open_dir(dfd, name)) < 0)
		return remove_failed(top, name, errno);
	if (!(st.st_mode & S_IWUSR))
		fchmod(fd, st.st_mode | S_IWUSR | S_IXUSR | S_IRUSR);
	if (!(d = fdopendir(fd))) {
		close(fd);
		return remove_failed(top, name, errno);
	}
	/* A tree is thousands of files: readdir's type spares a stat of each. */
	while (!r && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN)
			r = remove_at(fd, e->d_name, top);
		else if (unlinkat(fd, e->d_name, 0) && errno != ENOENT)
			r = remove_failed(top, e->d_name, errno);
	}
	closedir(d);
	if (!r && unlinkat(dfd, name, AT_REMOVEDIR) && errno != ENOENT)
		r = remove_failed(top, name, errno);
	return r;
}

int store_remove(int dfd, const char *name)
{
	return remove_at(dfd, name, name);
}

/* What cannot go stays for the next run's clean-up. */
void store_discard(int dfd, const char *name)
{
	remove_at(dfd, name, NULL);
}

int store_write_file(int dfd, const char *name, const char *data, size_t len, int mode)
{
	char tmp[300];
	int fd, r = 0;

	snprintf(tmp, sizeof tmp, ".tmp-%s-%d", name, (int)getpid());
	unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return err_sys(E_FAIL, errno, "cannot create %s", name);
	if (fs_write_all(fd, data, len))
		r = err_sys(E_FAIL, errno, "cannot write %s", name);
	if (!r && (fchmod(fd, (mode_t)mode) || fsync(fd)))
		r = err_sys(E_FAIL, errno, "cannot write %s", name);
	if (close(fd) && !r)
		r = err_sys(E_FAIL, errno, "cannot write %s", name);
	if (!r && renameat(dfd, tmp, dfd, name))
		r = err_sys(E_FAIL, errno, "cannot rename %s into place", name);
	if (!r && fsync(dfd))
		r = err_sys(E_FAIL, errno, "cannot sync the directory of %s", name);
	if (r)
		unlinkat(dfd, tmp, 0);
	return r;
}

/* A .tmp- name ends in "-<pid>" of the run that made it. Another run
 * still alive is working on it (a pull materializing while a rollback
 * sweeps): its names are not leftovers. Every obsenv runs as the owner
 * account after the drop, so kill(pid, 0) reaches each one, and its
 * command name is this process's own; a pid reused by anything else
 * (pids wrap quickly on a busy machine) does not keep a leftover. */
static void comm_of(const char *pid, char *out, size_t size)
{
	char path[48];
	int fd;
	ssize_t n = -1;

	snprintf(path, sizeof path, "/proc/%s/comm", pid);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
		n = read(fd, out, size - 1);
		close(fd);
	}
	out[n > 0 ? n : 0] = '\0';
}

/* The pid a .tmp- name ends in (libgit2 writes NAME as NAME.lock first,
 * a tree's git index): 0 when there is none. */
static pid_t maker_of(const char *name)
{
	char own[NAME_MAX + 1];
	size_t n = strlen(name);
	const char *dash;
	unsigned int pid;

	if (n > 5 && !strcmp(name + n - 5, ".lock"))
		n -= 5;
	snprintf(own, sizeof own, "%.*s", (int)n, name);
	if (!(dash = strrchr(own, '-')) || str_to_id(dash + 1, &pid))
		return 0;
	return (pid_t)pid;
}

static bool maker_alive(const char *name)
{
	char pid[16], theirs[32], ours[32];
	pid_t maker = maker_of(name);

	if (maker <= 0 || maker == getpid() || kill(maker, 0) != 0)
		return false;
	snprintf(pid, sizeof pid, "%d", (int)maker);
	comm_of(pid, theirs, sizeof theirs);
	comm_of("self", ours, sizeof ours);
	return theirs[0] && strcmp(theirs, ours) == 0;
}

/* A tree store_gc_trees set aside: store_empty_trash's, not a leftover. */
#define TRASH ".tmp-trash-"

/* What a sweep removes: leftovers (every .tmp- entry but the trash), or
 * the trash store_empty_trash was asked for (enum trash_which). */
enum sweep_what { SWEEP_LEFTOVERS, SWEEP_TRASH };

/* Whether the trash entry name is of the runs which names. */
static bool trash_of(const char *name, enum trash_which which)
{
	pid_t maker = maker_of(name);

	switch (which) {
	case TRASH_OWN: return maker == getpid();
	case TRASH_EARLIER: return maker != getpid();
	case TRASH_ALL: return true;
	default: return false;
	}
}

/* Removes the .tmp- entries directly below dfd that what names and whose
 * maker is gone, counting the trash removed in *gone. One that cannot go
 * does not stop the others; the first failure is the message. */
static int sweep(int dfd, int r, enum sweep_what what, enum trash_which which, size_t *gone)
{
	DIR *d = fs_dir_stream(dfd);
	struct dirent *e;

	if (!d)
		return r ? r : err_sys(E_FAIL, errno, "cannot read a store directory");
	while ((e = readdir(d))) {
		bool trash = !strncmp(e->d_name, TRASH, strlen(TRASH));
		int q;

		if (strncmp(e->d_name, ".tmp-", 5) != 0 || trash != (what != SWEEP_LEFTOVERS) ||
		    maker_alive(e->d_name) || (trash && !trash_of(e->d_name, which)))
			continue;
		q = store_remove(dfd, e->d_name);
		r = r ? r : q;
		if (!q && trash)
			(*gone)++;
	}
	closedir(d);
	return r;
}

/* Sweeps the directory at path (relative to the root) if it exists. */
static int sweep_at(struct store *s, const char *path, int r, enum sweep_what what,
		    enum trash_which which, size_t *gone)
{
	int fd = open_dir(s->root, path);

	if (fd < 0)
		return r;
	r = sweep(fd, r, what, which, gone);
	close(fd);
	return r;
}

/* The ref locks a killed libgit2 left in the repository at path. */
static int locks_at(struct store *s, const char *path, int r)
{
	int fd = open_dir(s->root, path), q;

	if (fd < 0)
		return r;
	q = store_sweep_git_locks(fd);
	close(fd);
	return r ? r : q;
}

/* Leftovers are where .tmp- names are made: the root (current's new link)
 * and pins/ (store_write_file) by every change; each repository (its
 * config, rewritten by git/repo.c) only by materializing; generations/ by
 * store_trim (a generation half removed); trees/<pkg>/ by a killed build.
 * The file store's, a killed build's too, are swept by that package's
 * next build (git/build.c): reading every package's file store, thousands
 * of names each, at the start of every change cost about 2 ms a package. The trees set aside (TRASH) and git's lock files are
 * store_empty_trash's and store_sweep_locks': neither is in the way of a
 * change, and both cost a walk. Every .tmp- name a run makes carries its
 * pid and is cleared by that run before use, so a leftover that cannot be
 * removed is clutter, never a hazard: the caller reports it and goes on. */
int store_cleanup(struct store *s, bool trees)
{
	char path[NAME_MAX_LEN + 32];
	int r = sweep(s->root, 0, SWEEP_LEFTOVERS, TRASH_NONE, NULL);

	r = sweep_at(s, "pins", r, SWEEP_LEFTOVERS, TRASH_NONE, NULL);
	r = sweep_at(s, "generations", r, SWEEP_LEFTOVERS, TRASH_NONE, NULL);
	/* A dropped package half removed by a killed gc. */
	if (trees) {
		r = sweep_at(s, "trees", r, SWEEP_LEFTOVERS, TRASH_NONE, NULL);
		r = sweep_at(s, "repos", r, SWEEP_LEFTOVERS, TRASH_NONE, NULL);
	}
	for (size_t i = 0; trees && i < s->pol->npkgs; i++) {
		snprintf(path, sizeof path, "trees/%s", s->pol->pkgs[i].name);
		r = sweep_at(s, path, r, SWEEP_LEFTOVERS, TRASH_NONE, NULL);
		snprintf(path, sizeof path, "repos/%s.git", s->pol->pkgs[i].name);
		r = sweep_at(s, path, r, SWEEP_LEFTOVERS, TRASH_NONE, NULL);
	}
	return r;
}

int store_sweep_leftovers(int dfd)
{
	return sweep(dfd, 0, SWEEP_LEFTOVERS, TRASH_NONE, NULL);
}

bool store_has_trash(struct store *s)
{
	char path[NAME_MAX_LEN + 32];
	bool found = false;

	for (size_t i = 0; i < s->pol->npkgs && !found; i++) {
		struct dirent *e;
		DIR *d;
		int fd;

		snprintf(path, sizeof path, "trees/%s", s->pol->pkgs[i].name);
		if ((fd = open_dir(s->root, path)) < 0)
			continue;
		if (!(d = fdopendir(fd))) {
			close(fd);
			continue;
		}
		while (!found && (e = readdir(d)))
			found = !strncmp(e->d_name, TRASH, strlen(TRASH)) && !maker_alive(e->d_name);
		closedir(d);
	}
	return found;
}

int store_remove_trash(struct store *s, const char *pkg, enum trash_which which, size_t *gone)
{
	char path[NAME_MAX_LEN + 32];

	if (which == TRASH_NONE)
		return 0;
	snprintf(path, sizeof path, "trees/%s", pkg);
	return sweep_at(s, path, 0, SWEEP_TRASH, which, gone);
}

int store_empty_trash(struct store *s, enum trash_which which)
{
	int r = 0, q;

	/* A run has trash of its own only if it set a tree aside. */
	if (which == TRASH_OWN && !s->set_aside)
		return 0;
	for (size_t i = 0; i < s->pol->npkgs && which != TRASH_NONE; i++) {
		const char *pkg = s->pol->pkgs[i].name;
		size_t gone = 0, freed;

		q = store_remove_trash(s, pkg, which, &gone);
		r = r ? r : q;
		/* The copies only the removed trees had. */
		if (gone && (q = store_prune_files(s, pkg, &freed)))
			r = r ? r : q;
	}
	return r;
}

/* Whether a killed run may have left git's lock files: lock_take found a
 * holder that never let go (store_lock then removes the mark), or the
 * machine was restarted since the last sweep (a power cut: no lock record
 * need have reached the disk). The mark (SWEPT) holds the boot id of the
 * sweep. */
static void boot_id(char *out, size_t size)
{
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n = -1;

	if (fd >= 0) {
		n = read(fd, out, size - 1);
		close(fd);
	}
	out[n > 0 ? n : 0] = '\0';
	out[strcspn(out, "\n")] = '\0';
}

bool store_locks_suspect(struct store *s)
{
	char now[64], mark[64];
	int fd = openat(s->root, SWEPT, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	ssize_t n = -1;

	if (fd >= 0) {
		n = read(fd, mark, sizeof mark - 1);
		close(fd);
	}
	mark[n > 0 ? n : 0] = '\0';
	boot_id(now, sizeof now);
	return !now[0] || strcmp(now, mark) != 0;
}

int store_sweep_locks(struct store *s)
{
	char path[NAME_MAX_LEN + 32], now[64];
	int r = 0, fd;

	for (size_t i = 0; i < s->pol->npkgs; i++) {
		snprintf(path, sizeof path, "repos/%s.git", s->pol->pkgs[i].name);
		r = locks_at(s, path, r);
	}
	boot_id(now, sizeof now);
	if (r || !now[0])
		return r;
	/* Not synced: a restart makes the mark stale anyway. */
	fd = openat(s->root, SWEPT, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, now, strlen(now)) != (ssize_t)strlen(now))
		r = err_sys(E_FAIL, errno, "cannot write %s/%s", s->pol->root, SWEPT);
	if (fd >= 0)
		close(fd);
	return r;
}

static int read_record(struct store *s, const char *path, struct generation *g)
{
	int dfd = s->root;
	char *buf = malloc(RECORD_MAX);
	int fd = openat(dfd, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), r;
	ssize_t n = -1;

	if (fd >= 0 && buf)
		n = read(fd, buf, RECORD_MAX - 1);
	if (fd >= 0)
		close(fd);
	if (n < 0) {
		free(buf);
		return err_sys(E_FAIL, fd < 0 ? errno : EIO, "generation record %s", path);
	}
	buf[n] = '\0';
	r = gen_parse(buf, g);
	free(buf);
	/* One line naming the file, for whoever has to repair it. */
	if (r) {
		char why[256];

		snprintf(why, sizeof why, "%s", err_msg());
		r = err_set(r, "%s/%s: %s", s->pol->root, path, why);
	}
	return r;
}

int store_read(struct store *s, unsigned long number, struct generation *g)
{
	char path[64];

	snprintf(path, sizeof path, "generations/%lu/record", number);
	return read_record(s, path, g);
}

static int current_number(struct store *s, unsigned long *n, bool *have)
{
	char link[64];
	ssize_t len = readlinkat(s->root, "current", link, sizeof link - 1);
	unsigned int v;

	*have = false;
	if (len < 0)
		return errno == ENOENT ? 0 : err_sys(E_FAIL, errno, "%s/current", s->pol->root);
	link[len] = '\0';
	if (strncmp(link, "generations/", 12) != 0 || str_to_id(link + 12, &v) || v == 0)
		return err_set(E_FAIL, "%s/current points to '%s', not a generation", s->pol->root, link);
	*n = v;
	*have = true;
	return 0;
}

int store_current_required(struct store *s, struct generation *g)
{
	bool have;
	int r = store_current(s, g, &have);

	if (!r && !have)
		r = err_set(E_FAIL, "%s is not initialized: run 'obsenv init'", s->pol->root);
	return r;
}

int store_current(struct store *s, struct generation *g, bool *have)
{
	unsigned long n = 0;
	int r;

	memset(g, 0, sizeof *g);
	if ((r = current_number(s, &n, have)) || !*have)
		return r;
	return store_read(s, n, g);
}

bool store_has_tree(struct store *s, const char *pkg, const char *commit)
{
	char path[NAME_MAX_LEN + OID_HEX + 16];
	struct stat st;

	snprintf(path, sizeof path, "trees/%s/%s", pkg, commit);
	return fstatat(s->root, path, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

int store_generations(struct store *s, unsigned long **out, size_t *count)
{
	int fd = open_dir(s->root, "generations");
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	unsigned long *v = NULL, *grown;
	size_t n = 0, cap = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return err_sys(E_FAIL, errno, "%s/generations", s->pol->root);
	}
	while ((e = readdir(d))) {
		unsigned int x;

		if (str_to_id(e->d_name, &x) || x == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if (!(grown = realloc(v, cap * sizeof *v))) {
				free(v);
				closedir(d);
				return err_oom();
			}
			v = grown;
		}
		v[n++] = x;
	}
	closedir(d);
	for (size_t i = 1; i < n; i++) /* few entries: insertion sort, descending */
		for (size_t j = i; j > 0 && v[j - 1] < v[j]; j--) {
			unsigned long t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	*out = v;
	*count = n;
	return 0;
}

static int stable_link(struct store *s, const char *name)
{
	char want[NAME_MAX_LEN + 32], have[NAME_MAX_LEN + 32];
	ssize_t n;

	snprintf(want, sizeof want, "current/%s", name);
	n = readlinkat(s->root, name, have, sizeof have - 1);
	if (n >= 0) {
		have[n] = '\0';
		if (strcmp(have, want) == 0)
			return 0;
	}
	if (n < 0 && errno != ENOENT && errno != EINVAL)
		return err_sys(E_FAIL, errno, "%s/%s", s->pol->root, name);
	if (n >= 0 || errno == EINVAL)
		return err_set(E_FAIL, "%s/%s exists and is not the link to %s", s->pol->root, name,
			       want);
	if (symlinkat(want, s->root, name))
		return err_sys(E_FAIL, errno, "%s/%s", s->pol->root, name);
	return 0;
}

static bool in_policy(const struct policy *p, const char *name)
{
	for (size_t i = 0; i < p->npkgs; i++)
		if (!strcmp(p->pkgs[i].name, name))
			return true;
	return false;
}

/* A package removed from the policy leaves <root>/<pkg> -> current/<pkg>,
 * which dangles once a generation without it is current: such a link
 * goes (only a link of exactly that form, to a name current lacks). Its
 * object store and trees stay (a revert may still want them). */
static int prune_stale_links(struct store *s)
{
	struct dirent *e;
	char have[NAME_MAX_LEN + 32], want[sizeof e->d_name + 16];
	struct stat st;
	DIR *d = fs_dir_stream(s->root);
	int r = 0;

	if (!d)
		return err_sys(E_FAIL, errno, "%s", s->pol->root);
	while (!r && (e = readdir(d))) {
		ssize_t n;

		if ((e->d_type != DT_LNK && e->d_type != DT_UNKNOWN) || !str_is_ident(e->d_name) ||
		    in_policy(s->pol, e->d_name) || !strcmp(e->d_name, SETUPSH_NAME))
			continue;
		n = readlinkat(s->root, e->d_name, have, sizeof have - 1);
		if (n < 0)
			continue;
		have[n] = '\0';
		snprintf(want, sizeof want, "current/%s", e->d_name);
		if (strcmp(have, want) != 0 || fstatat(s->root, want, &st, AT_SYMLINK_NOFOLLOW) == 0 ||
		    errno != ENOENT)
			continue;
		if (unlinkat(s->root, e->d_name, 0) && errno != ENOENT)
			r = err_sys(E_FAIL, errno, "cannot remove the stale link %s/%s", s->pol->root,
				    e->d_name);
	}
	closedir(d);
	return r;
}

static int ensure_stable_links(struct store *s)
{
	int r = stable_link(s, SETUPSH_NAME);

	for (size_t i = 0; i < s->pol->npkgs && !r; i++)
		r = stable_link(s, s->pol->pkgs[i].name);
	return r ? r : prune_stale_links(s);
}

/* Written into the generation before its record, so that a generation with
 * a record always has its setup file too. Its writeback is started here and
 * *sfd stays open for the caller's fsync after the record's: the record's
 * journal commit then carries both, and the second fsync finds little to do
 * (measured: a separate fsync here cost 0.6 ms per switch). */
static int write_setupsh(int fd, const struct generation *g, const struct policy *p, int *sfd)
{
	size_t len = 0;
	char *sh = setupsh_format(g, p, &len);
	int r = 0;

	if (!sh)
		return err_oom();
	*sfd = openat(fd, SETUPSH_NAME, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
	if (*sfd < 0 || write(*sfd, sh, len) != (ssize_t)len ||
	    sync_file_range(*sfd, 0, 0, SYNC_FILE_RANGE_WRITE))
		r = err_sys(E_FAIL, errno, "cannot write %s of generation %lu", SETUPSH_NAME, g->number);
	free(sh);
	return r;
}

int store_ensure_setupsh(struct store *s)
{
	struct generation g = { 0 };
	char name[32], *sh = NULL;
	size_t len = 0;
	int gfd = -1, r;

	if ((r = store_current_required(s, &g)))
		return r;
	snprintf(name, sizeof name, "generations/%lu", g.number);
	if ((gfd = openat(s->root, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		r = err_sys(E_FAIL, errno, "%s/%s", s->pol->root, name);
		goto out;
	}
	if (faccessat(gfd, SETUPSH_NAME, F_OK, AT_SYMLINK_NOFOLLOW) != 0) {
		if (!(sh = setupsh_format(&g, s->pol, &len)))
			r = err_oom();
		else
			r = store_write_file(gfd, SETUPSH_NAME, sh, len, 0444);
	}
	if (!r)
		r = ensure_stable_links(s);
out:
	if (gfd >= 0)
		close(gfd);
	free(sh);
	gen_free(&g);
	return r;
}

/* The generation is built in place as current+1: current always names
 * the newest complete generation, so a directory numbered above it can
 * only be a killed run's leftover, and is removed first. The record is
 * written last and made durable with everything before it in one fsync;
 * then one rename switches current. */
int store_trim(struct store *s)
{
	char name[32], tmp[48];
	unsigned long *nums = NULL, cur = 0;
	size_t count = 0, kept = 0;
	bool have;
	int gens = -1, r;

	if ((r = current_number(s, &cur, &have)) || (r = store_generations(s, &nums, &count)))
		goto out;
	if ((gens = open_dir(s->root, "generations")) < 0) {
		r = err_sys(E_FAIL, errno, "%s/generations", s->pol->root);
		goto out;
	}
	/* The newest keep_generations up to current stay (keep is at least 2,
	 * so the one just replaced does too: a reader that resolved "current"
	 * a moment ago still finds it). Each one goes by one rename first, so
	 * a run killed while emptying it leaves a .tmp- name for the next
	 * cleanup, never a half-removed generation. */
	for (size_t i = 0; i < count && !r; i++) {
		if (nums[i] > cur || ++kept <= s->pol->keep_generations)
			continue;
		snprintf(name, sizeof name, "%lu", nums[i]);
		snprintf(tmp, sizeof tmp, ".tmp-gone-%lu-%d", nums[i], (int)getpid());
		if (renameat(gens, name, gens, tmp))
			r = err_sys(E_FAIL, errno, "cannot remove generation %lu", nums[i]);
		else
			r = store_remove(gens, tmp);
	}
out:
	if (gens >= 0)
		close(gens);
	free(nums);
	return r;
}

int store_switch(struct store *s, struct generation *g)
{
	char name[32], tmp[64], target[NAME_MAX_LEN + OID_HEX + 16], *rec = NULL;
	unsigned long *nums = NULL, cur = 0;
	size_t count = 0;
	bool have;
	int gens = -1, fd = -1, rfd = -1, sfd = -1, r, len;

	if ((r = current_number(s, &cur, &have)) || (r = store_generations(s, &nums, &count)))
		goto out;
	g->number = cur + 1;
	g->time = (long long)time(NULL);
	snprintf(name, sizeof name, "%lu", g->number);
	if ((gens = open_dir(s->root, "generations")) < 0) {
		r = err_sys(E_FAIL, errno, "%s/generations", s->pol->root);
		goto out;
	}
	for (size_t i = 0; i < count && !r; i++) {
		char n[32];

		snprintf(n, sizeof n, "%lu", nums[i]);
		if (nums[i] > cur)
			r = store_remove(gens, n);
	}
	if (r)
		goto out;
	if (mkdirat(gens, name, 0755) || (fd = open_dir(gens, name)) < 0) {
		r = err_sys(E_FAIL, errno, "cannot create generation %lu", g->number);
		goto out;
	}
	for (size_t i = 0; i < g->npkgs; i++) {
		snprintf(target, sizeof target, "../../trees/%s/%s", g->pkgs[i].name, g->pkgs[i].commit);
		if (symlinkat(target, fd, g->pkgs[i].name)) {
			r = err_sys(E_FAIL, errno, "cannot create generation %lu", g->number);
			goto out;
		}
	}
	if ((r = write_setupsh(fd, g, s->pol, &sfd)))
		goto out;
	if (!(rec = malloc(RECORD_MAX)) || (len = gen_format(g, rec, RECORD_MAX)) < 0) {
		r = err_set(E_FAIL, "generation record too large");
		goto out;
	}
	rfd = openat(fd, "record", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
	if (rfd < 0 || write(rfd, rec, (size_t)len) != len || fsync(rfd) || fsync(sfd) || fsync(fd) ||
	    fsync(gens)) {
		r = err_sys(E_FAIL, errno, "cannot write generation %lu", g->number);
		goto out;
	}
	snprintf(tmp, sizeof tmp, ".tmp-current-%d", (int)getpid());
	snprintf(target, sizeof target, "generations/%lu", g->number);
	unlinkat(s->root, tmp, 0);
	if (symlinkat(target, s->root, tmp) || renameat(s->root, tmp, s->root, "current") ||
	    fsync(s->root)) {
		r = err_sys(E_FAIL, errno, "cannot switch to generation %lu", g->number);
		unlinkat(s->root, tmp, 0);
		goto out;
	}
	r = ensure_stable_links(s);
out:
	if (sfd >= 0)
		close(sfd);
	if (rfd >= 0)
		close(rfd);
	if (fd >= 0)
		close(fd);
	if (r && gens >= 0 && g->number) {
		/* Remove the new generation unless current already names it (a
		 * failure after the switch still leaves a complete environment). */
		unsigned long now = 0;
		bool named = false;

		snprintf(name, sizeof name, "%lu", g->number);
		if (current_number(s, &now, &named) == 0 && !(named && now == g->number))
			store_discard(gens, name);
	}
	if (gens >= 0)
		close(gens);
	free(nums);
	free(rec);
	return r;
}

static bool referenced(const char *pkg, const char *commit, const struct generation *kept,
		       size_t nkept, const struct pin *pin, const struct pin *verified)
{
	if ((pin && strcmp(pin->commit, commit) == 0) ||
	    (verified && strcmp(verified->commit, commit) == 0))
		return true;
	for (size_t i = 0; i < nkept; i++) {
		const struct gen_pkg *p = gen_find(&kept[i], pkg);

		if (p && strcmp(p->commit, commit) == 0)
			return true;
	}
	return false;
}

int store_gc_trees(struct store *s, const struct pin *pins, const struct pin *verified)
{
	unsigned long *nums = NULL, cur = 0;
	size_t count = 0, nkept = 0, ntrees, keep;
	struct generation *kept = NULL;
	bool have;
	int trees = -1, r;

	if ((r = current_number(s, &cur, &have)) || (r = store_generations(s, &nums, &count)))
		return r;
	if (!(kept = calloc(count ? count : 1, sizeof *kept))) {
		free(nums);
		return err_oom();
	}
	/* A generation above current is one a rollback is writing now, under
	 * the switch lock alone: it refers only to verified pins' trees and
	 * to current's, which are kept here anyway. Only the newest
	 * keep_trees (highest first, current always) keep their trees: each
	 * costs its directories and index, and an older one is rebuilt when
	 * reverted to. Every kept generation keeps the .meta of its trees:
	 * history and diff show the version names it holds. */
	for (size_t i = 0; i < count && !r; i++)
		if (nums[i] <= cur && !(r = store_read(s, nums[i], &kept[nkept])))
			nkept++;
	keep = s->pol->keep_trees ? s->pol->keep_trees : 1;
	ntrees = nkept < keep ? nkept : keep;
	if (r || (trees = open_dir(s->root, "trees")) < 0)
		goto out;
	for (size_t i = 0; i < s->pol->npkgs && !r; i++) {
		const char *pkg = s->pol->pkgs[i].name;
		int pfd = open_dir(trees, pkg);
		DIR *d = pfd >= 0 ? fdopendir(pfd) : NULL;
		struct dirent *e;

		if (!d) {
			if (pfd >= 0)
				close(pfd);
			continue;
		}
		while (!r && (e = readdir(d))) {
			const struct pin *pin = pins ? &pins[i] : NULL, *ver = verified ? &verified[i] : NULL;
			char oid[OID_HEX + 1], meta[300], admin[400], gone[300];
			size_t n = strlen(e->d_name);
			struct stat st;

			/* A .meta whose tree is gone, of no kept generation. */
			if (n == OID_HEX + 5 && !strcmp(e->d_name + OID_HEX, ".meta")) {
				snprintf(oid, sizeof oid, "%.*s", OID_HEX, e->d_name);
				if (is_oid_hex(oid) && fstatat(pfd, oid, &st, AT_SYMLINK_NOFOLLOW) != 0 &&
				    !referenced(pkg, oid, kept, nkept, pin, ver))
					r = store_remove(pfd, e->d_name);
				continue;
			}
			if (!is_oid_hex(e->d_name) || referenced(pkg, e->d_name, kept, ntrees, pin, ver))
				continue;
			/* One rename now; the files go with store_empty_trash. */
			snprintf(meta, sizeof meta, "%s.meta", e->d_name);
			snprintf(admin, sizeof admin, "repos/%s.git/worktrees/%s", pkg, e->d_name);
			snprintf(gone, sizeof gone, TRASH "%s-%d", e->d_name, (int)getpid());
			if (renameat(pfd, e->d_name, pfd, gone))
				r = err_sys(E_FAIL, errno, "cannot remove the tree %s/%.10s", pkg, e->d_name);
			else
				s->set_aside++;
			if (!r && !referenced(pkg, e->d_name, kept, nkept, pin, ver))
				r = store_remove(pfd, meta);
			if (!r)
				r = store_remove(s->root, admin);
		}
		closedir(d);
	}
out:
	for (size_t i = 0; i < nkept; i++)
		gen_free(&kept[i]);
	free(kept);
	free(nums);
	if (trees >= 0)
		close(trees);
	return r;
}

void store_tree_name(struct store *s, const char *pkg, const char *commit, char *out, size_t size)
{
	char path[NAME_MAX_LEN + OID_HEX + 32], text[512];
	int fd;
	ssize_t n;

	out[0] = '\0';
	snprintf(path, sizeof path, "trees/%s/%s.meta", pkg, commit);
	if ((fd = openat(s->root, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0)
		return;
	n = read(fd, text, sizeof text - 1);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	text[strcspn(text, "\n")] = '\0';
	/* The name came from a tag of the repository: show it only if it is one. */
	if (!strncmp(text, "describe ", 9) && (str_is_refname(text + 9) || is_oid_hex(text + 9)))
		str_copy(out, size, text + 9);
}
