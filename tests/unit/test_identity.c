#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "door/identity.h"

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

/* "self" stands for our real uid, which is also our parent's: the "sudo"
 * of these tests was started by the same user. */
static struct sudo_env env(const char *user, const char *uid)
{
	struct sudo_env e = { .present = true };

	strcpy(e.user, strcmp(user, "self") ? user : c.real.name);
	if (strcmp(uid, "self"))
		strcpy(e.uid, uid);
	else
		snprintf(e.uid, sizeof e.uid, "%u", (unsigned)getuid());
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

Test(identity, sudo_user_accepted_when_it_is_who_ran_sudo, .init = setup)
{
	struct sudo_env e = env("self", "self");

	cr_assert_eq(identity_resolve_sudo(&c, c.real.uid, &e, parent_exe), 0, "%s", err_msg());
	cr_expect(c.via_sudo);
	cr_expect_str_eq(c.human.name, c.real.name);
	cr_expect_eq(c.human.uid, getuid());
}

/* SUDO_USER and SUDO_UID rewritten together (env run through sudo) agree
 * with each other and with the password database, but not with the
 * kernel's record of who ran sudo. */
Test(identity, consistent_sudo_env_of_someone_else_refused, .init = setup)
{
	struct sudo_env e = env("nobody", "65534");
	char want[120];

	cr_assert_eq(identity_resolve_sudo(&c, c.real.uid, &e, parent_exe), E_PRIV);
	snprintf(want, sizeof want, "started through sudo by uid %u, but SUDO_UID says 65534",
		 (unsigned)getuid());
	cr_expect_str_eq(err_msg(), want);
	cr_expect_not(c.via_sudo);
}

struct spoof {
	char user[40];
	char uid[16];
	bool present, malformed;
	char error[120];
};

static struct spoof spoofs[] = {
	{ "nobody", "-1", true, false, "started through sudo, but SUDO_UID is not a valid uid" },
	{ "nobody", "self", true, false, "started through sudo, but SUDO_USER nobody is uid 65534, not SUDO_UID SELF" },
	{ "nobody", "4294967295", true, false, "started through sudo, but SUDO_UID is not a valid uid" },
	{ "nobody", " 65534", true, false, "started through sudo, but SUDO_UID is not a valid uid" },
	{ "nobody", "0x0", true, false, "started through sudo, but SUDO_UID is not a valid uid" },
	{ "no-such-user-x", "self", true, false, "user 'no-such-user-x' does not exist" },
	{ "../root", "self", true, false, "started through sudo, but SUDO_USER is not a valid user name" },
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
	char want[120];

	e.present = s->present;
	e.malformed = s->malformed;
	cr_assert_eq(identity_resolve_sudo(&c, c.real.uid, &e, parent_exe), E_PRIV);
	char *self = strstr(s->error, "SELF");

	if (self)
		snprintf(want, sizeof want, "%.*s%u%s", (int)(self - s->error), s->error,
			 (unsigned)getuid(), self + 4);
	else
		snprintf(want, sizeof want, "%s", s->error);
	cr_expect_str_eq(err_msg(), want);
	cr_expect_not(c.via_sudo);
}
