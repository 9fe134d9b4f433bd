/* Authorization: pure functions of the policy and an account, no I/O. */
#ifndef OBSENV_AUTHZ_H
#define OBSENV_AUTHZ_H

#include <stdbool.h>

#include "policy/action.h"
#include "door/identity.h"
#include "policy/policy.h"

bool authz_role_matches(const struct role *r, const struct account *who);
/* Bit set of the actions `who` may run (open actions always included). */
unsigned int authz_actions(const struct policy *p, const struct account *who);
/* The first role granting `a`, NULL if none (open actions need none). */
const struct role *authz_role_for(const struct policy *p, const struct account *who,
				  enum action_id a);

#endif
