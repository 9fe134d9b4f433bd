/* Removing the trees earlier runs set aside, beside a pull's own work.
 * On 16 packages of 2,000 files a back-to-back pull spent 0.6-0.7 s of
 * its 2.3 s removing the trees the pull before it had replaced; those
 * trees are in no generation and their maker is gone, so nothing this run
 * does reads them, and a thread can unlink them while the fetches and the
 * builds run. The file store's copies those trees alone had are pruned
 * only once the thread has finished: a prune beside a build could remove
 * a copy the build is linking. */
#ifndef OBSENV_STORE_SWEEPER_H
#define OBSENV_STORE_SWEEPER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"

struct sweeper {
	struct store *s;
	size_t *gone;     /* per package of the policy: trees removed */
	bool tried, started, running;
	int r;            /* the thread's first failure, */
	char msg[512];    /* in its words */
	pthread_t thread;
};

/* Starts the thread, under the work lock, once: w is zeroed before the
 * first call, and later calls do nothing. When no thread can be made the
 * trash simply waits for store_empty_trash, as before: never an error. */
void sweeper_start(struct sweeper *w, struct store *s);
/* Waits for it, then prunes the file store of every package that lost a
 * tree. Safe on a sweeper never started. An error (its message set) is
 * clutter left for a later run, not a failure of the action. */
MUST_USE int sweeper_finish(struct sweeper *w);
/* The trash store_empty_trash still has to remove after the sweeper, for
 * a run that switched or not: a run that switched leaves its own (see
 * store_empty_trash); earlier runs' went with the thread, or were tried
 * and must not be tried, and warned of, twice. A sweeper never started
 * (store_has_trash found none) leaves only this run's own; one that could
 * not make its thread leaves everything to store_empty_trash. */
enum trash_which sweeper_left(const struct sweeper *w, bool switched);

#endif
