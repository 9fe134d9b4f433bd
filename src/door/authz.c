#include "door/authz.h"

#include <string.h>

bool authz_role_matches(const struct role *r, const struct account *who)
{
	for (size_t i = 0; i < r->nusers; i++)
		if (r->users[i][0] && strcmp(r->users[i], who->name) == 0)
			return true;
	for (size_t i = 0; i < r->ngroups; i++)
		for (size_t j = 0; j < who->ngroups; j++)
			if (r->groups[i][0] && strcmp(r->groups[i], who->group_names[j]) == 0)
				return true;
	return false;
}

unsigned int authz_actions(const struct policy *p, const struct account *who)
{
	unsigned int mask = 0;

	for (int a = 0; a < A_COUNT; a++)
		if (action_get((enum action_id)a)->open)
			mask |= 1u << a;
	for (size_t i = 0; i < p->nroles; i++)
		if (authz_role_matches(&p->roles[i], who))
			mask |= p->roles[i].actions;
	return mask;
}

const struct role *authz_role_for(const struct policy *p, const struct account *who,
				  enum action_id a)
{
	for (size_t i = 0; i < p->nroles; i++)
		if ((p->roles[i].actions & (1u << a)) && authz_role_matches(&p->roles[i], who))
			return &p->roles[i];
	return NULL;
}
