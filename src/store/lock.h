/* Two kernel locks (flock) on files in the environment root, so that the
 * long work of a change never stands between an observer and a rollback:
 *
 *   <root>/.lock       the switch lock: held only to read current, write a
 *                      generation and rename current (milliseconds); a
 *                      rollback holds nothing else.
 *   <root>/.work.lock  the work lock: held by a change for its fetches,
 *                      checkouts and removals, which serializes writers
 *                      among themselves but never blocks a switch.
 *
 * A lock file's existence means nothing, so a run killed while holding one
 * never blocks the next. Only the owner account can open either file. */
#ifndef OBSENV_LOCK_H
#define OBSENV_LOCK_H

#include <stddef.h>

#include "core/err.h"

enum lock_kind { LOCK_SWITCH, LOCK_WORK };

/* Waits up to timeout seconds; on success *fd holds the lock until
 * lock_release. who describes this holder for whoever waits next. When the
 * previous holder ended without releasing it (killed), earlier receives
 * what it had written ("" otherwise), for the audit record. From the call
 * on, job-control stops are ignored and output is held (core/outbuf.h).
 * Returns 0, or E_FAIL naming the holder. */
MUST_USE int lock_take(int rootfd, enum lock_kind kind, unsigned int timeout, const char *who,
		       int *fd, char *earlier, size_t earlier_size);
/* Marks the lock released (a later holder must not take this run for a
 * killed one), closes it and, with the last lock, lets held output go. */
void lock_release(int *fd);

#endif
