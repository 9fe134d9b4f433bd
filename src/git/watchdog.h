/* Time bounds on a fetch (the policy's connect_timeout and stall_timeout):
 * a remote that accepts a connection and never answers, or stops halfway,
 * must end the fetch, not hang the pull until something kills it.
 *
 * libgit2 1.5 has no network timeouts, and its SSH transport (libssh2)
 * waits in poll(2) and retries when a signal interrupts it. So a timer
 * (SIGALRM, without SA_RESTART) interrupts the blocked call, and its
 * handler shuts down every network socket the fetch opened: a library
 * that retries then reads end-of-file. The timer repeats every second
 * once it has fired, for a library that opens another connection; and
 * every libgit2 callback asks watchdog_alive(), which fails the fetch
 * once a limit has passed. One fetch at a time. */
#ifndef OBSENV_GIT_WATCHDOG_H
#define OBSENV_GIT_WATCHDOG_H

#include <stdbool.h>

#include "core/err.h"

enum watchdog_end {
	WD_NONE, /* no limit passed */
	WD_CONNECT, /* the remote never answered within connect_timeout */
	WD_STALL, /* it answered, then made no progress for stall_timeout */
};

/* Arms the timer for connect_s seconds (the remote has not answered yet). */
MUST_USE int watchdog_start(unsigned int connect_s, unsigned int stall_s);
/* From a callback that shows the remote is alive: the timer restarts at
 * stall_s. False once a limit has passed: the callback must fail. */
MUST_USE bool watchdog_alive(void);
/* Disarms the timer and puts the previous SIGALRM action back; says
 * which limit, if any, ended the fetch. Safe to call when not started. */
enum watchdog_end watchdog_stop(void);

#endif
