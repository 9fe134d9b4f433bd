#include <criterion/criterion.h>
#include <string.h>

#include "door/audit.h"
#include "core/err.h"

static const char *one(const char *value)
{
	static struct record r;

	memset(&r, 0, sizeof r);
	record_add(&r, "k", value);
	return r.buf;
}

Test(audit, escaping)
{
	cr_expect_str_eq(one("plain-value_1.2/x"), "k=plain-value_1.2/x");
	cr_expect_str_eq(one(""), "k=\"\"");
	cr_expect_str_eq(one("a b"), "k=\"a b\"");
	cr_expect_str_eq(one("x\ndecision=allow uid=0"), "k=\"x\\x0adecision=allow uid=0\"");
	cr_expect_str_eq(one("\r\x1b[31m%n"), "k=\"\\x0d\\x1b[31m%n\"");
	cr_expect_str_eq(one("q\"uo\\te"), "k=\"q\\\"uo\\\\te\"");
	cr_expect_str_eq(one("a=b"), "k=\"a=b\"");
	cr_expect_str_eq(one("\xff\xfe"), "k=\"\\xff\\xfe\"");
	cr_expect_str_eq(one("trailing\\"), "k=\"trailing\\\\\"");
}

Test(audit, long_values_are_cut_and_marked)
{
	char big[100 * 1024];
	const char *s;

	memset(big, 'A', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	s = one(big);
	cr_expect(strlen(s) < AUDIT_VALUE_MAX + 40);
	cr_expect(strstr(s, "...[102399 bytes]") != NULL, "%s", s);
}

Test(audit, record_is_one_printable_line_with_decision_and_uid_first)
{
	struct record r;
	char *argv[] = { "obsenv", "list", "x\ny", "\x1b]0;pwned\x07", NULL };
	struct audit a = { .uid = 1001, .euid = 0, .user = "alice", .tty = "/dev/pts/1",
			   .cwd = "/home/al ice", .action = "list", .argc = 4, .argv = argv };

	audit_format(&r, &a, "deny");
	cr_assert(strncmp(r.buf, "decision=deny uid=1001 user=alice ", 34) == 0, "%s", r.buf);
	for (const char *p = r.buf; *p; p++)
		cr_assert((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f, "byte 0x%02x in %s",
			  (unsigned char)*p, r.buf);
	cr_expect(strstr(r.buf, " arg2=\"x\\x0ay\"") != NULL, "%s", r.buf);
	cr_expect(strstr(r.buf, " cwd=\"/home/al ice\"") != NULL, "%s", r.buf);
}

Test(audit, thousands_of_arguments_stay_bounded)
{
	static char *argv[1001];
	struct record r;
	struct audit a = { .uid = 1, .action = "list", .argc = 1001, .argv = argv };

	argv[0] = "obsenv";
	for (int i = 1; i < 1001; i++)
		argv[i] = "arg";
	audit_format(&r, &a, "error");
	cr_expect(strstr(r.buf, "argc=1000") != NULL);
	cr_expect(strstr(r.buf, "arg16=arg") != NULL);
	cr_expect(strstr(r.buf, "arg17=") == NULL, "at most 16 arguments are recorded");
	cr_expect(r.len < AUDIT_MAX);
}

Test(err, context_may_wrap_the_current_message)
{
	err_set(E_FAIL, "cannot create %s: %s", "base.yaml", "Permission denied");
	err_set(E_FAIL, "base file %s: %s", "/x/base.yaml", err_msg());
	cr_expect_str_eq(err_msg(), "base file /x/base.yaml: cannot create base.yaml: Permission denied");
}
