/* A first fetch from a mirror on a local path: the mirror's own packs,
 * indexed into the store (git/packcopy.c). */
#ifndef OBSENV_GIT_PACKCOPY_H
#define OBSENV_GIT_PACKCOPY_H

#include "git/priv.h"

/* Into a store that no fetch has finished into (it has no ref): every pack file of the repository at
 * src_path, streamed through libgit2's indexer into dest_odb, whose pack
 * directory is dest_dir. *copied counts the objects and bytes, for the
 * limits of whatever is fetched after. Nothing is copied (0, *copied
 * zero) when the mirror has no pack, borrows objects (alternates), or its
 * packs would not fit the policy's limits or are not readable by every
 * local user. E_FAIL, naming the package and the pack; then
 * repo_uncopy_packs() must empty dest_dir again. */
MUST_USE int repo_copy_packs(const struct policy *p, const struct package *k, git_odb *dest_odb,
			     const char *dest_dir, const char *src_path, git_indexer_progress *copied);
/* After a failed first fetch: removes every pack, index and libgit2
 * temporary from dest_dir, as far as it can (no ref names any of them,
 * and the next first fetch starts over whatever is left). */
void repo_uncopy_packs(const char *dest_dir);

#endif
