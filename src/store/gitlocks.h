/* Stale lock files a killed libgit2 left in a store repository. */
#ifndef OBSENV_STORE_GITLOCKS_H
#define OBSENV_STORE_GITLOCKS_H

#include "core/err.h"

/* Removes packed-refs.lock, HEAD.lock, config.lock and every *.lock file
 * below refs/ of the repository open at repofd, each worktree's
 * (worktrees/<commit>/index.lock), and the temporaries a killed fetch
 * left in objects/pack (pack_git2_*, *.lock). Call only under both locks.
 * One that cannot go does not stop the others. E_FAIL. */
MUST_USE int store_sweep_git_locks(int repofd);

#endif
