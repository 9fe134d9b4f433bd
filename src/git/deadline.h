/* The bound on a fetch. libgit2 1.5 (Debian 12; EL9 ships older) has no
 * connect or read timeout of its own, and a remote that accepts a
 * connection and never answers would hold a pull, and its work lock,
 * forever. A real-time interval timer interrupts the blocking call
 * (SIGALRM without SA_RESTART: connect, poll and recv return EINTR and
 * libgit2 gives up), and every callback libgit2 makes while the remote
 * is alive pushes the deadline back and refuses to go on once it passed.
 * One fetch at a time: the state is this file's. */
#ifndef OBSENV_DEADLINE_H
#define OBSENV_DEADLINE_H

#include <stdbool.h>

#include "core/err.h"

/* Arms the timer: the remote has connect_s seconds to show a sign of
 * life. Returns 0, or E_FAIL if the timer cannot be set. */
MUST_USE int deadline_start(unsigned int connect_s);
/* A sign of life: from now on the remote may be silent for stall_s
 * seconds. false once the deadline has passed (the callback then ends
 * the fetch). */
bool deadline_alive(unsigned int stall_s);
/* Disarms the timer and puts the old SIGALRM handler back. */
void deadline_stop(void);
/* After the fetch: did the deadline pass, and had the remote answered? */
bool deadline_passed(void);
bool deadline_answered(void);

#endif
