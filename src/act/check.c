#include <grp.h>
#include <pwd.h>
#include <stdio.h>

#include "act/act.h"
#include "core/err.h"

static void warn_accounts(const struct policy *p)
{
	for (size_t i = 0; i < p->nroles; i++) {
		const struct role *r = &p->roles[i];

		/* Not errors: a directory service may be down while observing,
		 * and a name that does not resolve matches nobody. */
		for (size_t j = 0; j < r->nusers; j++)
			if (r->users[j][0] && !getpwnam(r->users[j]))
				printf("warning: role '%s': user '%s' does not exist\n", r->name, r->users[j]);
		for (size_t j = 0; j < r->ngroups; j++)
			if (r->groups[j][0] && !getgrnam(r->groups[j]))
				printf("warning: role '%s': group '%s' does not exist\n", r->name, r->groups[j]);
	}
}

int act_check(const struct act_ctx *ctx)
{
	const char *path = ctx->policy_path;
	const int load_result = ctx->load_result;
	const struct diag *d = ctx->diag;
	const struct policy *p = ctx->pol;

	if (load_result) {
		for (size_t i = 0; i < d->n; i++)
			fprintf(stderr, "%s\n", d->msgs[i]);
		if (d->dropped)
			fprintf(stderr, "%s: %zu more problems not shown\n", path, d->dropped);
		if (d->n + d->dropped == 0)
			return load_result; /* the file could not be read: err.c says why */
		return err_set(E_POLICY, "%s: %zu problem%s", path, d->n + d->dropped,
			       d->n + d->dropped == 1 ? "" : "s");
	}
	if (!getpwnam(p->owner))
		return err_set(E_POLICY, "%s: owner account '%s' does not exist", path, p->owner);
	warn_accounts(p);
	printf("%s: OK\n", path);
	return 0;
}
