/* Repairing a tree that no longer matches its commit (a file edited,
 * removed or added by hand): a fresh tree is built beside it from the
 * object store, offline, and the two are swapped in one step, so that a
 * reader that resolved the path a moment ago sees the old tree or the new
 * one, never a half-made one. */
#include "git/repo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "core/err.h"
#include "core/fs.h"
#include "git/priv.h"
#include "store/store.h"

int repo_repair(const struct policy *p, const struct package *k, const char *commit, size_t *files)
{
	char dir[PATH_MAX_LEN + 128], index[PATH_MAX_LEN + 256], ix_tmp[OID_HEX + 40];
	char tmp[OID_HEX + 32];
	git_repository *repo = NULL;
	git_object *obj = NULL;
	int r, dfd = -1;

	*files = 0;
	if ((r = repo_drift(p, k, commit, files, NULL, NULL)) || !*files)
		return r;
	if ((r = repo_may_write(k->name)) || (r = repo_open_commit(p, k, commit, &repo, &obj)))
		return r;
	snprintf(dir, sizeof dir, "%s/trees/%s", p->root, k->name);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		r = err_sys(E_FAIL, errno, "%s", dir);
		goto out;
	}
	/* Both under ".tmp-" names beside the tree: a run killed before the
	 * swap leaves clutter the next clean-up removes, never a tree. The
	 * damaged tree's index stays where git looks until the swap. */
	snprintf(tmp, sizeof tmp, ".tmp-%s-%d", commit, (int)getpid());
	snprintf(ix_tmp, sizeof ix_tmp, ".tmp-index-%s-%d", commit, (int)getpid());
	snprintf(index, sizeof index, "%s/%s", dir, ix_tmp);
	store_discard(dfd, tmp);
	if ((r = repo_checkout(p, k, repo, obj, commit, tmp, index, true)))
		goto out;
	snprintf(index, sizeof index, "the rebuilt tree of %s %.10s", k->name, commit);
	if ((r = fs_sync_before_name(dfd, index)))
		goto out;
	if (renameat2(dfd, tmp, dfd, commit, RENAME_EXCHANGE) || fsync(dfd)) {
		r = err_sys(E_FAIL, errno, "%s: cannot swap the rebuilt tree of %s into place%s", k->name,
			    commit, errno == EINVAL ? " (the file system cannot exchange two names)" : "");
		goto out;
	}
	snprintf(index, sizeof index, "%s/repos/%s.git/worktrees/%s/index", p->root, k->name, commit);
	if (renameat(dfd, ix_tmp, AT_FDCWD, index))
		r = err_sys(E_FAIL, errno, "%s: the tree of %s is repaired, but not its git index",
			    k->name, commit);
	/* The damaged tree now has the temporary name: what cannot be removed
	 * now (a directory of someone else's inside it) the next clean-up
	 * tries again. */
out:
	if (dfd >= 0) {
		store_discard(dfd, tmp);
		store_discard(dfd, ix_tmp);
		close(dfd);
	}
	G(git_object_free)(obj);
	return r;
}
