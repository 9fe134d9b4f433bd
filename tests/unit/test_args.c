#include <criterion/criterion.h>
#include <string.h>

#include "door/args.h"
#include "core/err.h"

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
		   *h[] = { "obsenv", "check", "" }, *i[] = { "obsenv", "stauts" };

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
	cr_expect_eq(parse(&r, 2, i), E_USAGE);
	cr_expect_str_eq(err_msg(), "unknown action 'stauts': did you mean 'status'? (try 'obsenv --help')");
}

Test(args, control_bytes_never_reach_the_terminal)
{
	struct request r;
	const char *a[] = { "obsenv", "\x1b]0;pwned\x07\n" };

	const char *c1[] = { "obsenv", "\x9b" "2J\xc2\x9b" "31m\xe2\x80\xae" };

	cr_expect_eq(parse(&r, 2, a), E_USAGE);
	cr_expect_str_eq(err_msg(), "unknown action '?]0;pwned?\?' (try 'obsenv --help')");
	/* C1 (8-bit CSI, raw or encoded) and a bidi override, too. */
	cr_expect_eq(parse(&r, 2, c1), E_USAGE);
	cr_expect_str_eq(err_msg(), "unknown action '?2J?31m?' (try 'obsenv --help')");
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

Test(args, options_belong_to_their_action)
{
	struct request r;
	const char *a[] = { "obsenv", "history", "-n", "5", "--json" }, *b[] = { "obsenv", "history", "-n=7" },
		   *c[] = { "obsenv", "history", "-n", "0" }, *d[] = { "obsenv", "history", "-n" },
		   *e[] = { "obsenv", "status", "-n", "3" }, *f[] = { "obsenv", "rollback", "--json" },
		   *g[] = { "obsenv", "checkout", "--dry-run", "pkg", "v1" };

	cr_assert_eq(parse(&r, 5, a), 0, "%s", err_msg());
	cr_expect(r.count == 5 && r.json);
	cr_assert_eq(parse(&r, 3, b), 0, "%s", err_msg());
	cr_expect_eq(r.count, 7);
	cr_expect_eq(parse(&r, 4, c), E_USAGE);
	cr_expect_str_eq(err_msg(), "history: -n needs a positive number, not '0'");
	cr_expect_eq(parse(&r, 3, d), E_USAGE);
	cr_expect_eq(parse(&r, 4, e), E_USAGE);
	cr_expect_str_eq(err_msg(), "status: unknown option '-n'");
	cr_expect_eq(parse(&r, 3, f), E_USAGE);
	cr_assert_eq(parse(&r, 5, g), 0, "%s", err_msg());
	cr_expect(r.dry_run && r.nops == 2);
	cr_expect_str_eq(r.ops[0], "pkg");
	cr_expect_str_eq(r.ops[1], "v1");
}

/* --repair is verify's alone, and verify takes no operand. */
Test(args, verify_takes_repair_and_nothing_else)
{
	struct request r;
	const char *a[] = { "obsenv", "verify" }, *b[] = { "obsenv", "verify", "--repair" },
		   *c[] = { "obsenv", "rollback", "--repair" }, *d[] = { "obsenv", "verify", "pkg" },
		   *e[] = { "obsenv", "verify", "--dry-run" };

	cr_assert_eq(parse(&r, 2, a), 0, "%s", err_msg());
	cr_expect(r.action == A_VERIFY && !r.repair);
	cr_assert_eq(parse(&r, 3, b), 0, "%s", err_msg());
	cr_expect(r.repair);
	cr_expect_eq(parse(&r, 3, c), E_USAGE);
	cr_expect_str_eq(err_msg(), "rollback: unknown option '--repair'");
	cr_expect_eq(parse(&r, 3, d), E_USAGE);
	cr_expect_str_eq(err_msg(), "verify: unexpected argument 'pkg' (usage: obsenv verify [--repair])");
	cr_expect_eq(parse(&r, 3, e), E_USAGE);
}

Test(args, operand_counts)
{
	struct request r;
	const char *a[] = { "obsenv", "checkout", "pkg" }, *b[] = { "obsenv", "checkout", "p", "v", "x" },
		   *c[] = { "obsenv", "freeze" }, *d[] = { "obsenv", "pull", "a", "b", "c" },
		   *e[] = { "obsenv", "diff", "1", "2", "p", "3" }, *f[] = { "obsenv", "checkout", "p", "" };

	cr_expect_eq(parse(&r, 3, a), E_USAGE);
	cr_expect_str_eq(err_msg(), "checkout: missing argument (usage: obsenv checkout [--dry-run] PKG TAG|COMMIT|deploy)");
	cr_expect_eq(parse(&r, 5, b), E_USAGE);
	cr_expect_eq(parse(&r, 2, c), E_USAGE);
	cr_assert_eq(parse(&r, 5, d), 0);
	cr_expect_eq(r.nops, 3);
	cr_expect_eq(parse(&r, 5, e), 0, "two generations and a package");
	cr_expect_eq(parse(&r, 6, e), E_USAGE);
	cr_expect_eq(parse(&r, 4, f), E_USAGE);
	cr_expect_str_eq(err_msg(), "checkout: empty argument");
}

Test(args, follow_takes_packages_or_none)
{
	struct request r;
	const char *a[] = { "obsenv", "follow" }, *b[] = { "obsenv", "follow", "--dry-run", "p1", "p2" };

	cr_assert_eq(parse(&r, 2, a), 0);
	cr_expect_eq(r.action, A_FOLLOW);
	cr_expect_eq(r.nops, 0);
	cr_assert_eq(parse(&r, 5, b), 0);
	cr_expect(r.dry_run);
	cr_expect_eq(r.nops, 2);
}

/* A rewrite is accepted for one named package, with a reason, or not at
 * all; the timer's plain pull can never carry it. */
Test(args, accept_rewrite_names_one_package_and_a_reason)
{
	struct request r;
	const char *ok[] = { "obsenv", "pull", "--accept-rewrite", "p1", "--reason", "rebased fix" },
		   *eq[] = { "obsenv", "pull", "--accept-rewrite=p1", "--reason=r", "p1" },
		   *noreason[] = { "obsenv", "pull", "--accept-rewrite", "p1" },
		   *nopkg[] = { "obsenv", "pull", "--reason", "r" },
		   *two[] = { "obsenv", "pull", "--accept-rewrite", "a", "--accept-rewrite", "b", "--reason", "r" },
		   *ctl[] = { "obsenv", "pull", "--accept-rewrite", "p1", "--reason", "a\nb" },
		   *empty[] = { "obsenv", "pull", "--accept-rewrite", "p1", "--reason", "" },
		   *other[] = { "obsenv", "checkout", "--accept-rewrite", "p1", "p1", "v1" };

	cr_assert_eq(parse(&r, 6, ok), 0);
	cr_expect_str_eq(r.accept_rewrite, "p1");
	cr_expect_str_eq(r.reason, "rebased fix");
	cr_assert_eq(parse(&r, 5, eq), 0);
	cr_expect_str_eq(r.accept_rewrite, "p1");
	cr_expect_eq(parse(&r, 4, noreason), E_USAGE);
	cr_expect(strstr(err_msg(), "--accept-rewrite PKG and --reason TEXT go together") != NULL, "%s",
		  err_msg());
	cr_expect_eq(parse(&r, 4, nopkg), E_USAGE);
	cr_expect_eq(parse(&r, 8, two), E_USAGE);
	cr_expect_str_eq(err_msg(), "pull: --accept-rewrite takes one package at a time");
	cr_expect_eq(parse(&r, 6, ctl), E_USAGE);
	cr_expect_str_eq(err_msg(), "pull: --reason needs one line of 1 to 200 printable bytes");
	cr_expect_eq(parse(&r, 6, empty), E_USAGE);
	cr_expect_eq(parse(&r, 6, other), E_USAGE);
	cr_expect_str_eq(err_msg(), "checkout: unknown option '--accept-rewrite'");
}
