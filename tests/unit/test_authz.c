#include <criterion/criterion.h>
#include <string.h>

#include "door/authz.h"

static const char yaml[] =
	"owner: obs_user\nroot: /opt/env\nbase_file: /opt/base.yaml\n"
	"packages:\n  pkg: {remote: /srv/pkg.git}\n"
	"roles:\n"
	"  observers: {groups: [obs-observers], actions: [status, rollback, restore-setups]}\n"
	"  maintainers: {groups: [obs-maintainers], users: [alice], actions: [all]}\n"
	"  timer: {users: [obs_user], actions: [pull]}\n";

static struct policy p;

static void setup(void)
{
	struct diag d = { .file = "t" };

	cr_assert_eq(policy_parse(yaml, sizeof yaml - 1, &d, &p), 0);
}

static struct account who(const char *name, const char *group)
{
	struct account a;

	memset(&a, 0, sizeof a);
	strcpy(a.name, name);
	if (group) {
		strcpy(a.group_names[0], group);
		a.ngroups = 1;
	}
	return a;
}

static unsigned bit(const char *name)
{
	enum action_id a;

	cr_assert_eq(action_lookup(name, &a), 0);
	return 1u << a;
}

Test(authz, observers, .init = setup)
{
	struct account a = who("bob", "obs-observers");
	unsigned m = authz_actions(&p, &a);

	cr_expect(m & bit("rollback"));
	cr_expect(m & bit("list"), "list is open to everyone");
	cr_expect_not(m & bit("pin"));
	cr_expect_not(m & bit("pull"));
	cr_expect_str_eq(authz_role_for(&p, &a, A_ROLLBACK)->name, "observers");
	cr_expect_null(authz_role_for(&p, &a, A_PIN));
}

Test(authz, maintainer_by_name_and_by_group, .init = setup)
{
	struct account a = who("alice", NULL), b = who("carol", "obs-maintainers");

	cr_expect_eq(authz_actions(&p, &a), (1u << A_COUNT) - 1);
	cr_expect_eq(authz_actions(&p, &b), (1u << A_COUNT) - 1);
}

Test(authz, outsider_gets_only_open_actions, .init = setup)
{
	struct account a = who("mallory", "users");

	cr_expect_eq(authz_actions(&p, &a), bit("check") | bit("list"));
	for (int i = 0; i < A_COUNT; i++)
		if (!action_get((enum action_id)i)->open)
			cr_expect_null(authz_role_for(&p, &a, (enum action_id)i));
}

Test(authz, owner_is_only_the_timer, .init = setup)
{
	struct account a = who("obs_user", "obs_user");

	cr_expect_eq(authz_actions(&p, &a), bit("check") | bit("list") | bit("pull"));
}

Test(authz, names_are_compared_exactly, .init = setup)
{
	struct account a = who("alice2", "obs-observers2"), b = who("Alice", NULL), c = who("", "");

	c.ngroups = 1;
	cr_expect_eq(authz_actions(&p, &a), bit("check") | bit("list"));
	cr_expect_eq(authz_actions(&p, &b), bit("check") | bit("list"));
	cr_expect_eq(authz_actions(&p, &c), bit("check") | bit("list"), "empty names match nothing");
}
