#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/basefile.h"
#include "core/err.h"
#include "store/gen.h"
#include "store/refs.h"
#include "store/setupsh.h"

#define C1 "60d750129842c820b9272a5ad269c2abf6271c19"
#define C2 "b8dbc023eee28ef07d88b0bb33676f7dcfed6df8"

static struct policy pol;

static void setup(void)
{
	static const char y[] = "owner: o\nroot: /r\nbase_file: /b\npackages:\n"
				"  pkg00: {remote: /a, tags: \"v*\"}\n  pkg01: {remote: /b}\n";
	struct diag d = { .file = "p" };

	cr_assert_eq(policy_parse(y, sizeof y - 1, &d, &pol), 0);
}

Test(basefile, the_format_make_fixture_writes, .init = setup)
{
	static const char y[] = "# Base environment\npackages:\n  pkg00:\n    tag: v0.2.1\n    commit: " C1
				"\n  pkg01:\n    commit: " C2 "\n";
	struct diag d = { .file = "b" };
	struct pin pins[2];

	cr_assert_eq(basefile_parse(y, sizeof y - 1, &pol, &d, pins), 0, "%s", d.n ? d.msgs[0] : "");
	cr_expect_str_eq(pins[0].tag, "v0.2.1");
	cr_expect_str_eq(pins[0].commit, C1);
	cr_expect_str_eq(pins[1].tag, "");
	cr_expect_str_eq(pins[1].commit, C2);
}

Test(basefile, numeric_looking_commit_is_taken_as_written, .init = setup)
{
	static const char y[] = "packages:\n  pkg00: {commit: 1234567890123456789012345678901234567890}\n"
				"  pkg01: {commit: " C2 "}\n";
	struct diag d = { .file = "b" };
	struct pin pins[2];

	cr_assert_eq(basefile_parse(y, sizeof y - 1, &pol, &d, pins), 0, "%s", d.n ? d.msgs[0] : "");
	cr_expect_str_eq(pins[0].commit, "1234567890123456789012345678901234567890");
}

struct bad {
	char yaml[300];
	char error[160];
};

static struct bad cases[] = {
	{ "packages:\n  pkg00: {commit: " C1 "}\n", "b:2:3: pkg01 has no base pin" },
	{ "packages:\n  pkg00: {commit: " C1 "}\n  pkg01: {commit: " C2 "}\n  other: {commit: " C2 "}\n",
	  "b:4:3: 'other' is not a package of the policy" },
	{ "packages:\n  pkg00: {tag: w.2023.42, commit: " C1 "}\n  pkg01: {commit: " C2 "}\n",
	  "b:2:16: pkg00: tag 'w.2023.42' does not match the policy's pattern 'v*'" },
	{ "packages:\n  pkg00: {tag: \"v1..2\", commit: " C1 "}\n  pkg01: {commit: " C2 "}\n",
	  "b:2:16: pkg00: tag 'v1..2' is not a valid tag name" },
	{ "packages:\n  pkg00: {tag: v1}\n  pkg01: {commit: " C2 "}\n", "b:2:10: pkg00: the pin has no commit" },
	{ "packages:\n  pkg00: {commit: ABCDEF}\n  pkg01: {commit: " C2 "}\n",
	  "b:2:19: pkg00: commit must be 40 lowercase hexadecimal digits" },
	{ "packages:\n  pkg00: {commit: " C1 ", branch: x}\n  pkg01: {commit: " C2 "}\n",
	  "b:2:61: unknown key 'branch' in the pin of pkg00" },
	{ "pkgs: {}\n", "b:1:1: unknown key 'pkgs' in the base file" },
	{ "", "b: empty base file" },
	{ "packages: &a {}\n", "b:1:11: anchors and aliases are not allowed" },
};

ParameterizedTestParameters(basefile, refused)
{
	return cr_make_param_array(struct bad, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct bad *c, basefile, refused, .init = setup)
{
	struct diag d = { .file = "b" };
	struct pin pins[2];
	int found = 0;

	cr_assert_eq(basefile_parse(c->yaml, strlen(c->yaml), &pol, &d, pins), -1);
	for (size_t i = 0; i < d.n; i++) {
		found |= !strcmp(d.msgs[i], c->error);
		if (strcmp(d.msgs[i], c->error))
			cr_log_info("got: %s", d.msgs[i]);
	}
	cr_expect(found, "expected: %s", c->error);
	diag_free(&d);
}

Test(gen, round_trip)
{
	struct gen_pkg pk[2] = { { "pkg00", C1, SRC_BASE, "v0.2.1", false },
				 { "pkg01", C2, SRC_DEPLOY, "deploy", true } };
	struct generation g = { 7, 1763819040, "obs_user", 995, "alice", "rollback", pk, 2 }, back;
	char buf[1024];

	cr_assert(gen_format(&g, buf, sizeof buf) > 0);
	cr_assert_eq(gen_parse(buf, &back), 0, "%s", err_msg());
	cr_expect_eq(back.number, 7);
	cr_expect_eq(back.time, 1763819040);
	cr_expect_str_eq(back.sudo_user, "alice");
	cr_expect_str_eq(back.action, "rollback");
	cr_assert_eq(back.npkgs, 2);
	cr_expect_str_eq(back.pkgs[1].ref, "deploy");
	cr_expect(back.pkgs[1].follows);
	cr_expect_eq(back.pkgs[0].source, SRC_BASE);
	gen_free(&back);
}

Test(gen, hand_edited_records_are_refused)
{
	static const char *const bad[] = {
		"",
		"obsenv-generation 2\nnumber 1\n",
		"obsenv-generation 1\nnumber 0\n",
		"obsenv-generation 1\nnumber 1\npkg ../x " C1 " base - 0\n",
		"obsenv-generation 1\nnumber 1\npkg a " C1 " base ../../etc 0\n",
		"obsenv-generation 1\nnumber 1\npkg a " C1 " branch x 0\n",
		"obsenv-generation 1\nnumber 1\npkg a 1234 base - 0\n",
		"obsenv-generation 1\nnumber 1\npkg a " C1 " base - 2\n",
		"obsenv-generation 1\nnumber 1\npkg a " C1 " base - 0 extra\n",
		"obsenv-generation 1\nnumber 1\nshell rm -rf /\n",
	};
	struct generation g;

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		cr_expect_eq(gen_parse(bad[i], &g), E_FAIL, "accepted: %s", bad[i]);
}

Test(refs, loose_then_packed)
{
	char dir[] = "/tmp/obsenv-refs-XXXXXX", path[128], out[41];
	int fd, d;
	FILE *f;

	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/refs", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/refs/tags", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/packed-refs", dir);
	f = fopen(path, "w");
	fprintf(f, "# pack-refs with: peeled fully-peeled sorted\n%s refs/tags/v1\n^%s\n%s refs/tags/v10\n",
		C1, C2, C2);
	fclose(f);
	d = open(dir, O_RDONLY | O_DIRECTORY);
	cr_assert_eq(refs_read(d, "refs/tags/v1", out), 0);
	cr_expect_str_eq(out, C1, "packed, not the peeled line");
	cr_assert_eq(refs_read(d, "refs/tags/v10", out), 0);
	cr_expect_str_eq(out, C2, "no prefix match");
	cr_expect_eq(refs_read(d, "refs/tags/v2", out), 1);
	snprintf(path, sizeof path, "%s/refs/tags/v1", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	cr_assert_eq(write(fd, C2 "\n", 41), 41);
	close(fd);
	cr_assert_eq(refs_read(d, "refs/tags/v1", out), 0);
	cr_expect_str_eq(out, C2, "a loose ref wins over packed-refs");
	unlink(path);
	cr_assert_eq(symlink("/etc/passwd", path), 0);
	cr_expect_eq(refs_read(d, "refs/tags/v1", out), E_FAIL, "a symlinked ref is refused");
	close(d);
}

static struct gen_pkg two[] = {
	{ .name = "pkg01", .commit = C2, .source = SRC_DEPLOY, .ref = "deploy", .follows = true },
	{ .name = "pkg00", .commit = C1, .source = SRC_BASE, .ref = "v1" },
};

Test(setupsh, one_line_per_package_in_policy_order, .init = setup)
{
	struct generation g = { .number = 7, .pkgs = two, .npkgs = 2 };
	size_t len = 0;
	char *s = setupsh_format(&g, &pol, &len);

	cr_assert_not_null(s);
	cr_expect_str_eq(s, "# auto_env_setup.sh: generated by obsenv for generation 7 of /r.\n"
			    "# Do not edit: every change of the environment rewrites it.\n"
			    "setup -j pkg00 -r /r/pkg00\n"
			    "setup -j pkg01 -r /r/pkg01\n");
	cr_expect_eq(len, strlen(s));
	free(s);
}

Test(setupsh, a_package_not_in_the_generation_is_left_out, .init = setup)
{
	struct generation g = { .number = 1, .pkgs = two, .npkgs = 1 };
	size_t len = 0;
	char *s = setupsh_format(&g, &pol, &len);

	cr_assert_not_null(s);
	cr_expect_null(strstr(s, "pkg00"), "%s", s);
	cr_expect_not_null(strstr(s, "setup -j pkg01 -r /r/pkg01\n"));
	free(s);
}

Test(setupsh, an_odd_root_is_one_quoted_word)
{
	static const char y[] = "owner: o\nroot: \"/obs env/it's $HOME`x`\"\nbase_file: /b\n"
				"packages:\n  pkg00: {remote: /a}\n";
	struct diag d = { .file = "p" };
	struct policy p = { 0 };
	struct generation g = { .number = 2, .pkgs = &two[1], .npkgs = 1 };
	size_t len = 0;
	char *s;

	cr_assert_eq(policy_parse(y, sizeof y - 1, &d, &p), 0);
	s = setupsh_format(&g, &p, &len);
	cr_assert_not_null(s);
	cr_expect_not_null(strstr(s, "setup -j pkg00 -r '/obs env/it'\\''s $HOME`x`/pkg00'\n"), "%s", s);
	free(s);
	policy_free(&p);
}

Test(basefile, what_pin_writes_reads_back, .init = setup)
{
	struct pin in[2] = { { "v1.0", C1 }, { "", C2 } }, out[2];
	struct diag d = { .file = "b" };
	size_t len = 0;
	char *s = basefile_format(&pol, in, &len);

	cr_assert_not_null(s);
	cr_expect_not_null(strstr(s, "  pkg00: {tag: \"v1.0\", commit: \"" C1 "\"}\n"), "%s", s);
	cr_expect_not_null(strstr(s, "  pkg01: {commit: \"" C2 "\"}\n"), "%s", s);
	cr_assert_eq(basefile_parse(s, len, &pol, &d, out), 0, "%s", d.n ? d.msgs[0] : "");
	cr_expect_str_eq(out[0].tag, "v1.0");
	cr_expect_str_eq(out[0].commit, C1);
	cr_expect_str_eq(out[1].tag, "");
	cr_expect_str_eq(out[1].commit, C2);
	free(s);
	diag_free(&d);
}

/* A record someone else wrote: each field bounded and checked against its
 * syntax when read, so nothing odd reaches a terminal, JSON or gmtime. */
#define GOOD "obsenv-generation 1\nnumber 3\n"
Test(gen, hostile_records_are_refused_with_the_field)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ GOOD "time 99999999999999999\n", "line 3: bad time" },
		{ GOOD "time 253402300800\n", "line 3: bad time" },
		{ GOOD "time 99999999999999999999999\n", "line 3: bad time" },
		{ GOOD "time -1\n", "line 3: bad time" },
		{ GOOD "time 12ab\n", "line 3: bad time" },
		{ GOOD "time 0123\n", "line 3: bad time" },
		{ GOOD "time \n", "line 3: bad time" },
		{ "obsenv-generation 1\nnumber 4294967295\n", "line 2: bad number" },
		{ "obsenv-generation 1\nnumber -3\n", "line 2: bad number" },
		{ GOOD "uid 99999999999\n", "line 3: bad uid" },
		{ GOOD "user al\x1b[2Jice\n", "line 3: a control or non-ASCII byte" },
		{ GOOD "user alice\rmallory\n", "line 3: a control or non-ASCII byte" },
		{ GOOD "action pin\x7f\n", "line 3: a control or non-ASCII byte" },
		{ GOOD "user \xc2\x9b" "31m\n", "line 3: a control or non-ASCII byte" },
		{ GOOD "sudo_user \x9b\n", "line 3: a control or non-ASCII byte" },
		{ GOOD "user al ice\n", "line 3: bad user" },
		{ GOOD "user aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", "line 3: bad user" },
		{ GOOD "sudo_user 123\n", "line 3: bad sudo user" },
		{ GOOD "action rollback;reboot\n", "line 3: bad action" },
		{ GOOD "action aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", "line 3: bad action" },
		{ GOOD "pkg " "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa " C1
		       " base - 0\n", "line 3: bad package name" },
		{ GOOD "pkg a " C1 "0 base - 0\n", "line 3: bad commit" },
		{ GOOD "pkg a " C1 " tag v1..2 0\n", "line 3: bad ref" },
	};
	struct generation g;

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		cr_expect_eq(gen_parse(bad[i].text, &g), E_FAIL, "accepted: %s", bad[i].text);
		cr_expect_str_eq(err_msg(), bad[i].why, "for %s", bad[i].text);
	}
}

Test(gen, the_last_time_that_fits_is_read)
{
	struct generation g;

	cr_assert_eq(gen_parse(GOOD "time 253402300799\nuser obs_user\nuid 1000\nsudo_user -\naction pin\n", &g), 0,
		     "%s", err_msg());
	cr_expect_eq(g.time, GEN_TIME_MAX);
	cr_expect_str_eq(g.sudo_user, "");
	gen_free(&g);
}

/* Found by fuzzing: a record without an action parsed, then formatted to
 * "action " and failed to parse back. Every field obsenv writes is now
 * required once, and what is read formats back to itself. */
Test(gen, every_field_is_required_once_and_a_record_formats_back_to_itself)
{
	static const char full[] = GOOD "time 1795000000\nuser obs_u\nuid 7\nsudo_user -\naction rollback\n";
	struct generation g, h;
	char out[4096];

	cr_assert_eq(gen_parse(GOOD "time 1795000000\nuser obs_u", &g), E_FAIL);
	cr_expect_str_eq(err_msg(), "generation record is incomplete: no uid");
	cr_assert_eq(gen_parse(GOOD "time 1\nuser a\nuid 1\nsudo_user -\n", &g), E_FAIL);
	cr_expect_str_eq(err_msg(), "generation record is incomplete: no action");
	cr_assert_eq(gen_parse(GOOD "time 1\ntime 2\n", &g), E_FAIL);
	cr_expect(strstr(err_msg(), "a field given twice"), "%s", err_msg());
	cr_assert_eq(gen_parse(full, &g), 0, "%s", err_msg());
	cr_assert(gen_format(&g, out, sizeof out) > 0);
	cr_expect_str_eq(out, full);
	cr_assert_eq(gen_parse(out, &h), 0, "%s", err_msg());
	gen_free(&g);
	gen_free(&h);
}
