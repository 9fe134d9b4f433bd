#include <criterion/criterion.h>
#include <string.h>

#include "args.h"
#include "err.h"

static int parse(struct request *r, int argc, const char **argv)
{
	return args_parse(argc, (char **)argv, r);
}

Test(args, check_with_and_without_file)
{
	struct request r;
	const char *a[] = { "obsenv", "check" }, *b[] = { "obsenv", "check", "/tmp/p.yaml" },
		   *c[] = { "obsenv", "check", "--", "-weird" };

	cr_assert_eq(parse(&r, 2, a), 0);
	cr_expect_eq(r.action, A_CHECK);
	cr_expect_null(r.file);
	cr_assert_eq(parse(&r, 3, b), 0);
	cr_expect_str_eq(r.file, "/tmp/p.yaml");
	cr_assert_eq(parse(&r, 4, c), 0);
	cr_expect_str_eq(r.file, "-weird");
}

Test(args, refused)
{
	struct request r;
	const char *a[] = { "obsenv" }, *b[] = { "obsenv", "rm" }, *c[] = { "obsenv", "list", "x" },
		   *d[] = { "obsenv", "-x", "list" }, *e[] = { "obsenv", "list", "--policy=/tmp/p" },
		   *f[] = { "obsenv", "check", "a", "b" }, *g[] = { "obsenv", "check", "-C" },
		   *h[] = { "obsenv", "check", "" };

	cr_expect_eq(parse(&r, 1, a), E_USAGE);
	cr_expect_str_eq(err_msg(), "no action given (try 'obsenv --help')");
	cr_expect_eq(parse(&r, 2, b), E_USAGE);
	cr_expect_str_eq(err_msg(), "unknown action 'rm' (try 'obsenv --help')");
	cr_expect_eq(parse(&r, 3, c), E_USAGE);
	cr_expect_str_eq(err_msg(), "list: unexpected argument 'x' (usage: obsenv list)");
	cr_expect_eq(parse(&r, 3, d), E_USAGE);
	cr_expect_str_eq(err_msg(), "unknown option '-x'");
	cr_expect_eq(parse(&r, 3, e), E_USAGE, "no option may name another policy");
	cr_expect_str_eq(err_msg(), "list: unknown option '--policy=/tmp/p'");
	cr_expect_eq(parse(&r, 4, f), E_USAGE);
	cr_expect_eq(parse(&r, 3, g), E_USAGE);
	cr_expect_eq(parse(&r, 3, h), E_USAGE);
}

Test(args, control_bytes_never_reach_the_terminal)
{
	struct request r;
	const char *a[] = { "obsenv", "\x1b]0;pwned\x07\n" };

	cr_expect_eq(parse(&r, 2, a), E_USAGE);
	cr_expect_str_eq(err_msg(), "unknown action '?]0;pwned?\?' (try 'obsenv --help')");
}

Test(args, help_and_version)
{
	struct request r;
	const char *a[] = { "obsenv", "--help" }, *b[] = { "obsenv", "--version" },
		   *c[] = { "obsenv", "list", "--help" };

	cr_assert_eq(parse(&r, 2, a), 0);
	cr_expect(r.help && !r.has_action);
	cr_assert_eq(parse(&r, 2, b), 0);
	cr_expect(r.version);
	cr_assert_eq(parse(&r, 3, c), 0);
	cr_expect(r.help && r.has_action && r.action == A_LIST);
}
