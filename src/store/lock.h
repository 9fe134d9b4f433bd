/* One changing invocation at a time: a kernel lock (flock) on an open file
 * in the environment root. The file's existence means nothing, so a run
 * killed while holding the lock never blocks the next one. */
#ifndef OBSENV_LOCK_H
#define OBSENV_LOCK_H

#include "core/err.h"

/* Waits up to timeout seconds; on success *fd holds the lock until closed.
 * who describes this holder for whoever waits next. Returns 0 or E_FAIL
 * naming the holder. */
MUST_USE int lock_take(int rootfd, unsigned int timeout, const char *who, int *fd);

#endif
