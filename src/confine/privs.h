/* The one-way privilege drop. Sees only ids, never the policy. */
#ifndef OBSENV_PRIVS_H
#define OBSENV_PRIVS_H

#include <stddef.h>
#include <sys/types.h>
#include "core/err.h"

/* Becomes uid/gid with exactly these supplementary groups, for good:
 * all three uids and gids, then clears every capability (effective,
 * permitted, inheritable, bounding and ambient), makes the process
 * non-dumpable and sets no_new_privs. Verifies each step and tries to get
 * root back; returns E_PRIV if anything is not as it must be. */
MUST_USE int privs_drop(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups);

#endif
