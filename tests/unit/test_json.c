#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

static char *out(const char *s)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	cr_assert(f);
	json_str(f, s);
	fclose(f);
	return buf;
}

static void is(const char *in, const char *want)
{
	char *got = out(in);

	cr_expect_str_eq(got, want, "for '%s'", in);
	free(got);
}

Test(json, plain_text_is_quoted_as_it_is)
{
	is("", "\"\"");
	is("pkg00 v0.2.1", "\"pkg00 v0.2.1\"");
	is("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xad", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xad\"");
}

Test(json, quotes_and_backslashes)
{
	is("a\"b\\c", "\"a\\\"b\\\\c\"");
	is("\", \"admin\": true, \"x\": \"", "\"\\\", \\\"admin\\\": true, \\\"x\\\": \\\"\"");
}

Test(json, c0_and_del)
{
	is("a\nb\r\t\x1b[2J\x01\x1f\x7f", "\"a\\u000ab\\u000d\\u0009\\u001b[2J\\u0001\\u001f\\u007f\"");
}

Test(json, c1_as_utf8_and_as_raw_bytes)
{
	is("\xc2\x80\xc2\x9b" "31m\xc2\x9f\xc2\xa0", "\"\\u0080\\u009b31m\\u009f\xc2\xa0\"");
	is("\x9b" "31m\x80", "\"\\u009b31m\\u0080\"");
}

Test(json, invalid_utf8_bytes_become_escapes)
{
	is("\xff\xfe", "\"\\u00ff\\u00fe\"");
	is("cut \xc3", "\"cut \\u00c3\"");
	is("\xc0\xaf", "\"\\u00c0\\u00af\"");             /* overlong '/' */
	is("\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"");  /* a surrogate */
	is("\xe2\x82", "\"\\u00e2\\u0082\"");              /* cut short */
}

Test(json, null_for_nothing)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	json_str_or_null(f, "");
	fputc(' ', f);
	json_str_or_null(f, NULL);
	fputc(' ', f);
	json_str_or_null(f, "alice");
	fclose(f);
	cr_expect_str_eq(buf, "null null \"alice\"");
	free(buf);
}
