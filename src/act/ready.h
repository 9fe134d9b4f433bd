/* What status reports as problems, and status --check exits on: anything
 * that would keep rollback from putting every package on its verified
 * base (the very plan rollback makes, store/plan.h), and what a monitor
 * must hear of before it matters: a failed or stale pull, a freeze. */
#ifndef OBSENV_READY_H
#define OBSENV_READY_H

#include <stdbool.h>
#include <stdio.h>

#include "store/freeze.h"
#include "store/lastpull.h"
#include "store/plan.h"

struct problem {
	const char *pkg; /* NULL for the environment as a whole */
	const char *key; /* short, for machines: "tree_missing", "pull_stale"... */
	char msg[PLAN_MSG_MAX + 64];
};

struct problems {
	struct problem *v;
	size_t n, cap;
};

/* What status read, to be judged. */
struct ready_input {
	const struct policy *pol;
	const struct plan *plans;  /* plan_all's, policy order */
	const struct pin *pins;    /* the base file's, when base_err is "" */
	const char *base_err;
	const struct freeze *frozen; /* NULL when not frozen */
	int pull_r;                  /* lastpull_read's result */
	const struct last_pull *pull;
	const char *pull_err;        /* its message when pull_r < 0 */
	long long now;
};

MUST_USE int problems_add(struct problems *ps, const char *pkg, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Every problem of in, in a fixed order: the base file, each package in
 * policy order, the freeze, the last pull. */
MUST_USE int ready_judge(const struct ready_input *in, struct problems *ps);
void problems_json(FILE *f, const struct problems *ps);
void problems_free(struct problems *ps);

#endif
