#include <criterion/criterion.h>
#include <string.h>

#include "door/audit.h"
#include "core/err.h"
#include "core/sha256.h"

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

Test(audit, a_full_record_stops_below_the_line_limit)
{
	static char *argv[17];
	static char ctl[300];
	struct record r;
	struct audit a = { .uid = 1, .action = "list", .argc = 17, .argv = argv };

	memset(ctl, 1, sizeof ctl - 1);
	argv[0] = "obsenv";
	for (int i = 1; i < 17; i++)
		argv[i] = ctl;
	audit_format(&r, &a, "error");
	cr_expect(r.cut);
	cr_expect(r.len <= AUDIT_LINE_MAX, "%zu", r.len);
	cr_expect(strncmp(r.buf, "decision=error uid=1 ", 21) == 0);
}

Test(audit, time_is_iso_8601_utc_with_the_year)
{
	char t[64];

	audit_iso_time(0, t);
	cr_expect_str_eq(t, "1970-01-01T00:00:00Z");
	audit_iso_time(951782400, t); /* a leap day */
	cr_expect_str_eq(t, "2000-02-29T00:00:00Z");
	audit_iso_time(1798761599, t);
	cr_expect_str_eq(t, "2026-12-31T23:59:59Z");
	audit_iso_time(4107542400LL, t);
	cr_expect_str_eq(t, "2100-03-01T00:00:00Z");
	audit_iso_time(-1, t);
	cr_expect_str_eq(t, "1969-12-31T23:59:59Z");
}

Test(audit, record_says_when_and_whether_it_was_a_dry_run)
{
	struct record r;
	char *argv[] = { "obsenv", "rollback", "--dry-run", NULL };
	struct audit a = { .uid = 7, .user = "bob", .action = "rollback", .argc = 3, .argv = argv,
			   .now = 1798761599, .dry_run = true };

	audit_format(&r, &a, "allow");
	cr_expect(strncmp(r.buf, "decision=allow uid=7 user=bob ", 30) == 0, "%s", r.buf);
	cr_expect(strstr(r.buf, " time=2026-12-31T23:59:59Z ") != NULL, "%s", r.buf);
	cr_expect(strstr(r.buf, " dry_run=yes") != NULL, "%s", r.buf);
	a.dry_run = false;
	audit_format(&r, &a, "allow");
	cr_expect(strstr(r.buf, "dry_run") == NULL, "%s", r.buf);
}

/* An error is the last field: it may use what the record has left, and is
 * cut, marked and quoted there rather than dropping the record's end. */
Test(audit, error_text_fills_the_record_and_is_marked_when_cut)
{
	static char big[100 * 1024];
	struct record r = { .len = 0 };
	char mid[1024];

	memset(mid, 'e', sizeof mid - 1);
	mid[sizeof mid - 1] = '\0';
	record_add(&r, "decision", "error");
	record_add_rest(&r, "error", mid);
	cr_expect(strstr(r.buf, "...[") == NULL, "1 KiB of error text is kept whole");
	cr_expect(r.len == strlen("decision=error error=") + sizeof mid - 1, "%zu", r.len);

	memset(big, '\n', sizeof big - 1);
	memset(&r, 0, sizeof r);
	record_add(&r, "decision", "error");
	record_add_rest(&r, "error", big);
	cr_expect(!r.cut);
	cr_expect(r.len <= AUDIT_LINE_MAX, "%zu", r.len);
	cr_expect(r.len > AUDIT_LINE_MAX - 64, "%zu", r.len);
	cr_expect(strcmp(r.buf + r.len - 18, "...[102399 bytes]\"") == 0, "%s", r.buf + r.len - 40);
	cr_expect(strncmp(r.buf, "decision=error error=\"\\x0a", 26) == 0);
}

Test(sha256, known_answers)
{
	char h[SHA256_HEX + 1];
	static char million[1000000];

	sha256_hex("", 0, h);
	cr_expect_str_eq(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, h);
	cr_expect_str_eq(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, h);
	cr_expect_str_eq(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(million, 'a', sizeof million);
	sha256_hex(million, sizeof million, h);
	cr_expect_str_eq(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

Test(err, context_may_wrap_the_current_message)
{
	err_set(E_FAIL, "cannot create %s: %s", "base.yaml", "Permission denied");
	err_set(E_FAIL, "base file %s: %s", "/x/base.yaml", err_msg());
	cr_expect_str_eq(err_msg(), "base file /x/base.yaml: cannot create base.yaml: Permission denied");
}
