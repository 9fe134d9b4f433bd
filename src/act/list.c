#include <stdio.h>

#include "act/act.h"
#include "door/authz.h"

static void print_actions(unsigned int mask, enum runs_as as, const char *label)
{
	int n = 0;

	for (int i = 0; i < A_COUNT; i++) {
		const struct action *a = action_get((enum action_id)i);

		if (!(mask & (1u << i)) || a->open || !a->available || a->runs_as != as)
			continue;
		printf("%s%s", n++ ? " " : "    ", a->name);
	}
	if (n)
		printf("   (as %s)\n", label);
}

/* Rights that an option of an action needs, shown as that option. */
static void print_rights(unsigned int mask)
{
	for (int i = 0; i < A_COUNT; i++) {
		const struct action *a = action_get((enum action_id)i);

		if ((mask & (1u << i)) && a->right)
			printf("    %s   (%s)\n", a->usage, a->summary);
	}
}

/* Granted by the policy, but not in this version: said, not hidden. */
static void print_missing(unsigned int mask)
{
	int n = 0;

	for (int i = 0; i < A_COUNT; i++) {
		const struct action *a = action_get((enum action_id)i);

		if ((mask & (1u << i)) && !a->available && !a->right)
			printf("%s%s", n++ ? " " : "also granted, not in this version: ", a->name);
	}
	if (n)
		printf("\n");
}

int act_list(const struct act_ctx *ctx)
{
	const char *path = ctx->policy_path;
	const struct policy *p = ctx->pol;
	const struct caller *c = ctx->who;
	const struct account *owner = ctx->owner;
	const struct account *who = &c->human;
	unsigned int mask = authz_actions(p, who);
	int roles = 0;

	printf("policy:      %s\n", path);
	printf("environment: %s (owner %s)\n", p->root, p->owner);
	printf("you are:     %s (uid %u)", who->name, (unsigned)who->uid);
	if (c->via_sudo)
		printf(", through sudo as %s", c->real.name);
	printf("\ngroups:     ");
	for (size_t i = 0; i < who->ngroups; i++)
		printf(" %s", who->group_names[i][0] ? who->group_names[i] : "?");
	printf("\nroles:      ");
	for (size_t i = 0; i < p->nroles; i++)
		if (authz_role_matches(&p->roles[i], who))
			printf(" %s", p->roles[i].name), roles++;
	printf("%s\nyou may run:\n    check list   (everyone)\n", roles ? "" : " none");
	print_actions(mask, AS_OWNER, owner->name);
	print_rights(mask);
	print_actions(mask, AS_HUMAN, who->name);
	print_missing(mask);
	printf("packages:   ");
	for (size_t i = 0; i < p->npkgs; i++)
		printf(" %s", p->pkgs[i].name);
	printf("\n");
	return 0;
}
