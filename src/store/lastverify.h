/* <root>/last-verify: when the base trees were last compared with their
 * commits (and repaired), so that the timer's pull does it once every
 * verify_interval rather than on every run. */
#ifndef OBSENV_LASTVERIFY_H
#define OBSENV_LASTVERIFY_H

#include "store/store.h"
#include "core/err.h"

#define LASTVERIFY_FILE "last-verify"

/* 0 and *when (seconds since the epoch); R_ABSENT when there is no file;
 * E_FAIL, with the message set, when it is not one obsenv wrote. */
MUST_USE int lastverify_read(struct store *s, long long *when);
MUST_USE int lastverify_write(struct store *s, long long when);

#endif
