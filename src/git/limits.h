/* Limits on what a remote can make obsenv fetch and write (git/limits.c).
 * Included by the git_*.c files only. */
#ifndef OBSENV_GIT_LIMITS_H
#define OBSENV_GIT_LIMITS_H

#include "git/priv.h"
#include "core/err.h"

/* From a fetch's progress callback: an error once the policy's limits are
 * passed (the fetch is then cancelled). */
MUST_USE int limit_transfer(const struct policy *p, const struct package *k,
		       const git_indexer_progress *s);
/* Before checking commit (hex) out: every file within max_file_mib, all
 * within max_tree_mib, at most max_objects files. */
MUST_USE int limit_tree(const struct policy *p, const struct package *k, git_repository *repo,
		   const git_object *commit, const char *hex);

/* Holds the process's data (heap and private writable mappings) to the
 * policy's max_memory_mib: a delta that declares a multi-GiB result, or a
 * blob too large to check out, ends in an error, not in the OOM killer. */
MUST_USE int limit_memory(const struct policy *p);
/* The limit in force (0 if none), for the out-of-memory message. */
extern unsigned int limit_memory_mib;

#endif
