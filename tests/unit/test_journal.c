#include <criterion/criterion.h>
#include <string.h>
#include <syslog.h>

#include "door/audit.h"
#include "door/journal.h"

/* The value of the first field called name, or NULL. */
static const char *field(const struct jfields *j, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < j->n; i++)
		if (!strncmp(jfields_get(j, i), name, n) && jfields_get(j, i)[n] == '=')
			return jfields_get(j, i) + n + 1;
	return NULL;
}

static size_t count(const struct jfields *j, const char *name)
{
	size_t n = strlen(name), c = 0;

	for (size_t i = 0; i < j->n; i++)
		c += !strncmp(jfields_get(j, i), name, n) && jfields_get(j, i)[n] == '=';
	return c;
}

Test(journal, names_are_made_valid)
{
	static struct jfields j;

	jfields_add(&j, "pkg.ts-xml", "a");
	jfields_add(&j, "_SYSTEMD_UNIT", "forged");
	jfields_add(&j, "9lives", "b");
	jfields_add(&j, "", "c");
	jfields_add(&j, "OBSENV_A_VERY_LONG_NAME_THAT_GOES_ON_AND_ON_PAST_SIXTY_FOUR_BYTES_OF_NAME", "d");
	cr_expect_str_eq(jfields_get(&j, 0), "PKG_TS_XML=a");
	cr_expect_str_eq(jfields_get(&j, 1), "XSYSTEMD_UNIT=forged", "no trusted field can be set");
	cr_expect_str_eq(jfields_get(&j, 2), "XLIVES=b");
	cr_expect_str_eq(jfields_get(&j, 3), "X=c");
	cr_expect(strchr(jfields_get(&j, 4), '=') - jfields_get(&j, 4) == JOURNAL_NAME_MAX);
	cr_expect(jfields_get(&j, 5) == NULL);
}

Test(journal, a_value_may_hold_any_byte_it_is_framed_by_its_length)
{
	static struct jfields j;

	jfields_add(&j, "OBSENV_X", "a\nMESSAGE=forged");
	cr_expect_str_eq(jfields_get(&j, 0), "OBSENV_X=a\nMESSAGE=forged");
	cr_expect(j.n == 1);
}

Test(journal, full_is_marked_not_overrun)
{
	static struct jfields j;
	static char big[8000];

	memset(big, 'v', sizeof big - 1);
	for (int i = 0; i < 5; i++)
		jfields_add(&j, "OBSENV_BIG", big);
	cr_expect(j.n == 2);
	cr_expect(j.cut);
	cr_expect(j.len <= sizeof j.buf);
}

Test(journal, result_fields_an_auditor_filters_on)
{
	static struct jfields j;
	char *argv[] = { "obsenv", "revert", NULL };
	struct audit a = { .uid = 995, .user = "obs_user", .sudo_user = "alice", .sudo_uid = 1002,
			   .action = "revert", .target = "obs_user", .role = "maintainers", .argc = 2,
			   .argv = argv, .now = 1 };

	audit_forget();
	audit_change("ts_xml", "1111", "2222");
	audit_note("revert_to", "4");
	audit_generation(42);
	audit_journal(&j, &a, "allow", "ok", 0, "decision=allow uid=995 ...", LOG_NOTICE);
	cr_expect_str_eq(jfields_get(&j, 0), "MESSAGE=decision=allow uid=995 ...");
	cr_expect_str_eq(field(&j, "SYSLOG_IDENTIFIER"), "obsenv");
	cr_expect_str_eq(field(&j, "SYSLOG_FACILITY"), "10");
	cr_expect_str_eq(field(&j, "PRIORITY"), "5");
	cr_expect_str_eq(field(&j, "OBSENV_DECISION"), "allow");
	cr_expect_str_eq(field(&j, "OBSENV_RESULT"), "ok");
	cr_expect_str_eq(field(&j, "OBSENV_UID"), "995");
	cr_expect_str_eq(field(&j, "OBSENV_USER"), "obs_user");
	cr_expect_str_eq(field(&j, "OBSENV_SUDO_USER"), "alice");
	cr_expect_str_eq(field(&j, "OBSENV_ACTION"), "revert");
	cr_expect_str_eq(field(&j, "OBSENV_ROLE"), "maintainers");
	cr_expect_str_eq(field(&j, "OBSENV_GENERATION"), "42");
	cr_expect_str_eq(field(&j, "OBSENV_PKG_TS_XML"), "1111..2222");
	cr_expect_str_eq(field(&j, "OBSENV_PACKAGE"), "ts_xml");
	cr_expect_str_eq(field(&j, "OBSENV_REVERT_TO"), "4");
	cr_expect_str_eq(field(&j, "OBSENV_DRY_RUN"), "no");
	cr_expect(field(&j, "OBSENV_EXIT") == NULL);
	cr_expect(count(&j, "MESSAGE") == 1);
	audit_forget();
}

Test(journal, a_decision_has_no_result_and_a_dry_run_says_so)
{
	static struct jfields j;
	struct audit a = { .uid = 7, .user = "bob", .action = "rollback", .dry_run = true, .now = 1 };

	audit_forget();
	audit_journal(&j, &a, "deny", NULL, 0, "m", LOG_WARNING);
	cr_expect_str_eq(field(&j, "OBSENV_DECISION"), "deny");
	cr_expect_str_eq(field(&j, "OBSENV_DRY_RUN"), "yes");
	cr_expect_str_eq(field(&j, "PRIORITY"), "4");
	cr_expect(field(&j, "OBSENV_RESULT") == NULL);
	cr_expect(field(&j, "OBSENV_SUDO_USER") == NULL);
	cr_expect(field(&j, "OBSENV_GENERATION") == NULL);
}
