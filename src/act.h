/* The actions. Each runs after the drop and the sandbox, and returns 0 or
 * a negative code with the message in err.c. */
#ifndef OBSENV_ACT_H
#define OBSENV_ACT_H

#include "args.h"
#include "diag.h"
#include "identity.h"
#include "policy.h"

/* Reports the outcome of loading a policy: every problem, or "PATH: OK"
 * with warnings about accounts that do not exist. */
int act_check(const char *path, int load_result, const struct diag *d, const struct policy *p);
int act_list(const char *path, const struct policy *p, const struct caller *c,
	     const struct account *owner);
int act_init(const struct policy *p, const struct caller *c);
int act_status(const struct policy *p, const struct request *req);
int act_rollback(const struct policy *p, const struct caller *c, const struct request *req);
int act_revert(const struct policy *p, const struct caller *c, const struct request *req);
int act_restore_setups(const struct policy *p, const struct account *user);

/* Shared by the actions that make generations (act_common.c). */
struct generation;
void act_stamp(struct generation *g, const struct caller *c, const char *action);
char *act_who(const struct caller *c, const char *action, char *buf, size_t size);

#endif
