/* An administrative freeze for critical observing: while <root>/frozen
 * exists, every change but rollback is refused with its reason. */
#ifndef OBSENV_FREEZE_H
#define OBSENV_FREEZE_H

#include "store/store.h"
#include "core/err.h"

#define FREEZE_REASON_MAX 400

struct freeze {
	long long since;
	long long until; /* when it ends by itself; 0: at 'obsenv thaw' only */
	bool expired;    /* until has passed: no longer frozen */
	char who[160];
	char reason[FREEZE_REASON_MAX + 1];
};

/* Returns 0 and fills f when frozen, R_ABSENT when not, or an error. A
 * freeze whose until has passed is not one: R_ABSENT, with f filled and
 * f->expired set. */
MUST_USE int freeze_read(struct store *s, struct freeze *f);
/* Under the switch lock (where no freeze is made meanwhile): an expired
 * freeze's file is removed and its end recorded (freeze_ended= in the
 * audit record). Failures are warnings: the freeze is over either way. */
void freeze_expire(struct store *s);
/* E_FROZEN with the reason, who and since, when frozen; else 0. */
MUST_USE int freeze_check(struct store *s);
MUST_USE int freeze_write(struct store *s, const struct freeze *f);
MUST_USE int freeze_clear(struct store *s);
/* "2026-11-22 03:14:05 UTC" */
void freeze_time(long long t, char *buf, size_t size);

#endif
