/* What a fetch from a local path packs of the new commits (git/sparse.c). */
#ifndef OBSENV_GIT_SPARSE_H
#define OBSENV_GIT_SPARSE_H

#include "git/priv.h"

/* Deeper trees than this are refused: the recursion is bounded, and a
 * tree is built only 128 deep (git/build.c). */
#define SPARSE_DEPTH_MAX 1024

/* Inserts into pb each commit walk yields that the store (dest) lacks,
 * and of its tree what differs from its first parent's tree at the same
 * path and the store lacks. src is the remote's repository, whose objects
 * pb packs. E_FAIL naming pkg. */
MUST_USE int repo_pack_sparse(git_repository *src, git_odb *dest, git_packbuilder *pb, git_revwalk *walk,
			      const char *pkg);

#endif
