/* A run killed while libgit2 updated a ref leaves the ref's ".lock" file,
 * and libgit2 then refuses that ref for ever ("failed to lock file"): one
 * kill at the wrong moment would stop every later pull of the package.
 * Only obsenv writes a store repository: a change under the work lock, a
 * rollback rebuilding a base tree under the switch lock. A lock file found
 * by a run holding both is a dead run's, and goes. */
#include "store/gitlocks.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/fs.h"

/* Ref names nest a few levels (refs/obsenv/deployed/<id>); more than this
 * is not a store obsenv made. */
#define LOCK_DEPTH 8

static bool is_lock(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && !strcmp(name + n - 5, ".lock");
}

static int sweep_refs(int dfd, int depth)
{
	DIR *d = fs_dir_stream(dfd);
	struct dirent *e;
	int r = 0;

	if (!d)
		return err_sys(E_FAIL, errno, "cannot read the refs of a store repository");
	while ((e = readdir(d))) {
		struct stat st;
		int sub;

		if (e->d_name[0] == '.' || fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		if (S_ISREG(st.st_mode) && is_lock(e->d_name)) {
			if (unlinkat(dfd, e->d_name, 0) && errno != ENOENT && !r)
				r = err_sys(E_FAIL, errno, "cannot remove the stale lock %s", e->d_name);
		} else if (S_ISDIR(st.st_mode) && depth < LOCK_DEPTH) {
			sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				int q = sweep_refs(sub, depth + 1);

				r = r ? r : q;
				close(sub);
			}
		}
	}
	closedir(d);
	return r;
}

/* A fetch killed while it wrote a pack leaves libgit2's temporaries
 * beside the packs: never used again, only disk lost. */
static int sweep_pack_temps(int repofd)
{
	DIR *d;
	struct dirent *e;
	struct stat st;
	int fd = openat(repofd, "objects/pack", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), r = 0;

	if (fd < 0)
		return 0;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return err_sys(E_FAIL, errno, "cannot read the packs of a store repository");
	}
	while ((e = readdir(d)))
		if ((is_lock(e->d_name) || !strncmp(e->d_name, "pack_git2_", 10)) &&
		    !fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) && S_ISREG(st.st_mode) &&
		    unlinkat(fd, e->d_name, 0) && errno != ENOENT && !r)
			r = err_sys(E_FAIL, errno, "cannot remove the stale pack file %s", e->d_name);
	closedir(d);
	return r;
}

int store_sweep_git_locks(int repofd)
{
	static const char *const top[] = { "packed-refs.lock", "HEAD.lock", "config.lock" };
	int refs, r = 0, q;

	for (size_t i = 0; i < sizeof top / sizeof *top; i++)
		if (unlinkat(repofd, top[i], 0) && errno != ENOENT && !r)
			r = err_sys(E_FAIL, errno, "cannot remove the stale lock %s", top[i]);
	refs = openat(repofd, "refs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (refs >= 0) {
		q = sweep_refs(refs, 0);
		r = r ? r : q;
		close(refs);
	}
	/* A tree's index (worktrees/<commit>/index.lock), one level down. */
	if ((refs = openat(repofd, "worktrees", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
		q = sweep_refs(refs, LOCK_DEPTH - 1);
		r = r ? r : q;
		close(refs);
	}
	q = sweep_pack_temps(repofd);
	return r ? r : q;
}
