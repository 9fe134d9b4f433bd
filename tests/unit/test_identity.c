#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "identity.h"

/* identity_resolve_sudo trusts SUDO_* only when the parent process is the
 * sudo binary. Naming the test runner (our real parent) as "sudo" lets
 * these tests take that path without any test hook in the code. */
static char parent_exe[4096];
static struct caller c;

static void setup(void)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof link, "/proc/%d/exe", (int)getppid());
	n = readlink(link, parent_exe, sizeof parent_exe - 1);
	cr_assert(n > 0);
	parent_exe[n] = '\0';
	cr_assert_eq(account_by_uid(getuid(), &c.real), 0);
}

static struct sudo_env env(const char *user, const char *uid)
{
	struct sudo_env e = { .present = true };

	strcpy(e.user, user);
	strcpy(e.uid, uid);
	return e;
}

Test(identity, real_uid_from_kernel, .init = setup)
{
	cr_expect_eq(c.real.uid, getuid());
	cr_expect(c.real.ngroups >= 1);
}

Test(identity, sudo_env_ignored_unless_caller_is_owner, .init = setup)
{
	struct sudo_env e = env("nobody", "65534");

	cr_assert_eq(identity_resolve_sudo(&c, c.real.uid + 1, &e, parent_exe), 0);
	cr_expect_not(c.via_sudo);
	cr_expect_str_eq(c.human.name, c.real.name);
}

Test(identity, sudo_env_ignored_unless_parent_is_sudo, .init = setup)
{
	struct sudo_env e = env("nobody", "65534");

	cr_assert_eq(identity_resolve_sudo(&c, c.real.uid, &e, "/usr/bin/sudo"), 0);
	cr_expect_not(c.via_sudo, "SUDO_* without sudo as parent is a spoof");
	cr_expect_eq(c.human.uid, c.real.uid);
}

Test(identity, sudo_user_accepted_when_consistent, .init = setup)
{
	struct sudo_env e = env("nobody", "65534");

	cr_assert_eq(identity_resolve_sudo(&c, c.real.uid, &e, parent_exe), 0, "%s", err_msg());
	cr_expect(c.via_sudo);
	cr_expect_str_eq(c.human.name, "nobody");
	cr_expect_eq(c.human.uid, 65534);
}

struct spoof {
	char user[40];
	char uid[16];
	bool present, malformed;
	char error[120];
};

static struct spoof spoofs[] = {
	{ "nobody", "-1", true, false, "started through sudo, but SUDO_UID is not a valid uid" },
	{ "nobody", "0", true, false, "started through sudo, but SUDO_USER nobody is uid 65534, not SUDO_UID 0" },
	{ "nobody", "4294967295", true, false, "started through sudo, but SUDO_UID is not a valid uid" },
	{ "nobody", " 65534", true, false, "started through sudo, but SUDO_UID is not a valid uid" },
	{ "nobody", "0x0", true, false, "started through sudo, but SUDO_UID is not a valid uid" },
	{ "no-such-user-x", "4242", true, false, "user 'no-such-user-x' does not exist" },
	{ "../root", "0", true, false, "started through sudo, but SUDO_USER is not a valid user name" },
	{ "", "", false, false, "started through sudo, but SUDO_USER/SUDO_UID are missing or malformed" },
	{ "nobody", "65534", true, true, "started through sudo, but SUDO_USER/SUDO_UID are missing or malformed" },
};

ParameterizedTestParameters(identity, spoofed_sudo_env_refused)
{
	return cr_make_param_array(struct spoof, spoofs, sizeof spoofs / sizeof *spoofs);
}

ParameterizedTest(struct spoof *s, identity, spoofed_sudo_env_refused, .init = setup)
{
	struct sudo_env e = env(s->user, s->uid);

	e.present = s->present;
	e.malformed = s->malformed;
	cr_assert_eq(identity_resolve_sudo(&c, c.real.uid, &e, parent_exe), E_PRIV);
	cr_expect_str_eq(err_msg(), s->error);
	cr_expect_not(c.via_sudo);
}
