#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "policy/cycle.h"

static size_t cands(const char *v, char out[][REF_MAX_LEN + 1])
{
	return cycle_candidates(v, out, CYCLE_MAX_CANDIDATES);
}

Test(cycle, plain_and_v_prefixed)
{
	char c[CYCLE_MAX_CANDIDATES][REF_MAX_LEN + 1];

	cr_assert_eq(cands("0.30.2", c), 2);
	cr_expect_str_eq(c[0], "0.30.2");
	cr_expect_str_eq(c[1], "v0.30.2");
	cr_assert_eq(cands("w.2023.42", c), 2);
	cr_expect_str_eq(c[0], "w.2023.42");
	cr_expect_str_eq(c[1], "vw.2023.42");
}

Test(cycle, pre_releases_dotted_then_dashed)
{
	char c[CYCLE_MAX_CANDIDATES][REF_MAX_LEN + 1];

	cr_assert_eq(cands("0.28.63a1", c), 4);
	cr_expect_str_eq(c[2], "v0.28.63.alpha.1");
	cr_expect_str_eq(c[3], "v0.28.63-alpha.1");
	cr_assert_eq(cands("1.2b3", c), 4);
	cr_expect_str_eq(c[2], "v1.2.beta.3");
	cr_assert_eq(cands("2.0.0rc12", c), 4);
	cr_expect_str_eq(c[2], "v2.0.0.rc.12");
	cr_expect_str_eq(c[3], "v2.0.0-rc.12");
}

Test(cycle, not_pre_releases)
{
	char c[CYCLE_MAX_CANDIDATES][REF_MAX_LEN + 1];

	cr_expect_eq(cands("deploy-summit", c), 2);
	cr_expect_eq(cands("1.2a", c), 2);
	cr_expect_eq(cands("a1", c), 2);
	cr_expect_eq(cands("1.x2a1", c), 2);
}

Test(cycle, hostile_values_give_no_candidates)
{
	char c[CYCLE_MAX_CANDIDATES][REF_MAX_LEN + 1];

	cr_expect_eq(cands("v1..2", c), 0);
	cr_expect_eq(cands("-x", c), 0);
	cr_expect_eq(cands("x@{0}", c), 0);
	cr_expect_eq(cands("a\033[2J", c), 0);
	cr_expect_eq(cands("", c), 0);
}

Test(cycle, parse_lines_comments_quotes)
{
	static const char f[] = "# cycle 38\n\nts_xml=20.1.0\nexport summit_utils=\"0.28.63a1\"\n"
				"  spaces = 'w.2023.42'  \nEMPTY=\n";
	struct diag d = { .file = "cycle.env" };
	struct cycle_entry *e = NULL;
	size_t n = 0;

	cr_assert_eq(cycle_parse(f, sizeof f - 1, &d, &e, &n), 0, "%s", d.n ? d.msgs[0] : "");
	cr_assert_eq(n, 4);
	cr_expect_str_eq(e[0].name, "ts_xml");
	cr_expect_str_eq(e[0].value, "20.1.0");
	cr_expect_eq(e[0].line, 3);
	cr_expect_str_eq(e[1].name, "summit_utils");
	cr_expect_str_eq(e[1].value, "0.28.63a1");
	cr_expect_str_eq(e[2].name, "spaces");
	cr_expect_str_eq(e[2].value, "w.2023.42");
	cr_expect_str_eq(e[3].value, "");
	free(e);
	diag_free(&d);
}

Test(cycle, malformed_lines_are_refused)
{
	static const char *bad[] = { "no equals sign\n", "1abc=2\n", "a-b=1\n", "x=1\0y=2\n" };
	static const size_t lens[] = { 15, 7, 6, 8 };

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct diag d = { .file = "cycle.env" };
		struct cycle_entry *e = NULL;
		size_t n = 0;

		cr_expect_eq(cycle_parse(bad[i], lens[i], &d, &e, &n), -1, "case %zu", i);
		cr_expect_null(e);
		cr_expect_gt(d.n, 0);
		diag_free(&d);
	}
}

Test(cycle, inline_comments_are_not_part_of_the_value)
{
	static const char f[] = "a=1.2.3 # the summit's\nb=\"0.28.63a1\"   # quoted\nc='w.2023.42'\t#tab\n"
				"d=1#not-a-comment\ne=\"x # y\"\nf= # empty\n";
	struct diag d = { .file = "cycle.env" };
	struct cycle_entry *e = NULL;
	size_t n = 0;

	cr_assert_eq(cycle_parse(f, sizeof f - 1, &d, &e, &n), 0, "%s", d.n ? d.msgs[0] : "");
	cr_assert_eq(n, 6);
	cr_expect_str_eq(e[0].value, "1.2.3");
	cr_expect_str_eq(e[1].value, "0.28.63a1");
	cr_expect_str_eq(e[2].value, "w.2023.42");
	cr_expect_str_eq(e[3].value, "1#not-a-comment", "a # with no blank before it is the shell's too");
	cr_expect_str_eq(e[4].value, "x # y");
	cr_expect_str_eq(e[5].value, "");
	free(e);
	diag_free(&d);
}

Test(cycle, every_problem_is_named_on_its_line)
{
	static const char f[] = "ok=1\nno equals\nx=1 2\ny=\"open\n1z=3\nfine=2 # ok\n";
	struct diag d = { .file = "cycle.env" };
	struct cycle_entry *e = NULL;
	size_t n = 0;

	cr_expect_eq(cycle_parse(f, sizeof f - 1, &d, &e, &n), -1);
	cr_expect_null(e);
	cr_assert_eq(d.n, 4);
	cr_expect_str_eq(d.msgs[0], "cycle.env:2:1: not NAME=VALUE");
	cr_expect_str_eq(d.msgs[1], "cycle.env:3:3: x: not one value (an unclosed quote, or words after it "
				    "that are not a # comment)");
	cr_expect(!strncmp(d.msgs[2], "cycle.env:4:3: y: not one value", 31), "%s", d.msgs[2]);
	cr_expect_str_eq(d.msgs[3], "cycle.env:5:1: '1z' is not a name");
	diag_free(&d);
}
