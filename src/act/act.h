/* The actions. Each runs after the drop and the sandbox, and returns 0 or
 * a negative code with the message in err.c. */
#ifndef OBSENV_ACT_H
#define OBSENV_ACT_H

#include "door/args.h"
#include "core/diag.h"
#include "door/identity.h"
#include "policy/policy.h"

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
int act_freeze(const struct policy *p, const struct caller *c, const struct request *req);
int act_thaw(const struct policy *p, const struct caller *c, const struct request *req);
int act_history(const struct policy *p, const struct request *req);
int act_checkout(const struct policy *p, const struct caller *c, const struct request *req);
int act_pull(const struct policy *p, const struct caller *c, const struct request *req);
int act_diff(const struct policy *p, const struct request *req);
int act_pin(const struct policy *p, const struct caller *c, const struct request *req);

/* Shared by the actions that make generations (act/common.c). */
struct generation;
void act_stamp(struct generation *g, const struct caller *c, const char *action);
char *act_who(const struct caller *c, const char *action, char *buf, size_t size);
char *act_person(const struct caller *c, char *buf, size_t size);
void act_json_str(const char *s);
/* checkout and pin: the package (NULL with the message set if it is not
 * in the policy or ref is not a sane name); a tag that git resolved must
 * match the package's pattern. */
struct repo_target;
const struct package *act_check_target(const struct policy *p, const char *action, const char *pkg,
				       const char *ref);
int act_check_tag(const struct package *k, const struct repo_target *t);
struct store;
void act_gc(struct store *s, const struct policy *p);
int act_open_store(struct store *s, const struct policy *p, const struct caller *c,
		   const char *action, bool dry_run, bool trees);
/* The policy's package called name, or NULL. */
const struct package *act_package(const struct policy *p, const char *name);

#endif
