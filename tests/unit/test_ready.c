#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "act/ready.h"
#include "core/err.h"
#include "store/lastpull.h"
#include "store/pins.h"
#include "store/plan.h"
#include "store/store.h"

#define C1 "60d750129842c820b9272a5ad269c2abf6271c19"
#define C2 "b8dbc023eee28ef07d88b0bb33676f7dcfed6df8"
#define C3 "0fce1e396909dc839a263ded62825e256bd34e69"

Test(lastpull, a_record_formats_and_reads_back)
{
	struct last_pull lp = { .time = 1796354102, .result = PULL_PARTIAL, .failed = "pkg01,pkg_2" }, got;
	char buf[LASTPULL_MAX];
	int n = lastpull_format(&lp, buf, sizeof buf);

	cr_assert_gt(n, 0, "%s", err_msg());
	cr_expect_str_eq(buf, "time=1796354102\nresult=partial\nfailed=pkg01,pkg_2\n");
	cr_assert_eq(lastpull_parse(buf, (size_t)n, &got), 0, "%s", err_msg());
	cr_expect_eq(got.time, lp.time);
	cr_expect_eq(got.result, PULL_PARTIAL);
	cr_expect_str_eq(got.failed, "pkg01,pkg_2");
	cr_expect_str_eq(lastpull_result_name(got.result), "partial");
}

Test(lastpull, an_invalid_record_is_never_written)
{
	struct last_pull ok_with_failures = { .time = 1, .result = PULL_OK, .failed = "pkg01" };
	struct last_pull failed_without = { .time = 1, .result = PULL_FAILED };
	struct last_pull bad_name = { .time = 1, .result = PULL_FAILED, .failed = "../x" };
	char buf[LASTPULL_MAX];

	cr_expect_eq(lastpull_format(&ok_with_failures, buf, sizeof buf), E_FAIL);
	cr_expect_eq(lastpull_format(&failed_without, buf, sizeof buf), E_FAIL);
	cr_expect_eq(lastpull_format(&bad_name, buf, sizeof buf), E_FAIL);
}

struct hostile {
	char text[80];
	char msg[80];
};

/* The file is the owner account's: nothing in it is trusted. */
static struct hostile hostile[] = {
	{ "", "last-pull: a field is missing" },
	{ "time=1\nresult=ok\n", "last-pull: a field is missing" },
	{ "time=1\nresult=ok\nfailed=\ntime=2\n", "last-pull: line 4: bad or repeated field 'time'" },
	{ "time=01\nresult=ok\nfailed=\n", "last-pull: line 1: bad or repeated field 'time'" },
	{ "time=-1\nresult=ok\nfailed=\n", "last-pull: line 1: bad or repeated field 'time'" },
	{ "time=99999999999999999999\nresult=ok\nfailed=\n", "last-pull: line 1: bad or repeated field 'time'" },
	{ "time=1\nresult=fine\nfailed=\n", "last-pull: line 2: bad or repeated field 'result'" },
	{ "time=1\nresult=ok\nfailed=\nowner=root\n", "last-pull: line 4: bad or repeated field 'owner'" },
	{ "time=1\nresult=ok\nfailed=\n\x1b[2J=x\n", "last-pull: line 4: bad or repeated field '?'" },
	{ "time=1\nresult=ok\ngarbage\n", "last-pull: line 3 is not key=value" },
	{ "time=1\nresult=ok\nfailed=pkg01\n", "last-pull: the failed packages do not match the result" },
	{ "time=1\nresult=failed\nfailed=\n", "last-pull: the failed packages do not match the result" },
	{ "time=1\nresult=failed\nfailed=../../etc\n", "last-pull: the failed packages do not match the result" },
	{ "time=1\nresult=failed\nfailed=a,,b\n", "last-pull: the failed packages do not match the result" },
	{ "time=1\nresult=failed\nfailed=pkg\x1b]0;x\x07\n", "last-pull: the failed packages do not match the result" },
};

ParameterizedTestParameters(lastpull, hostile_content_is_refused_by_name)
{
	return cr_make_param_array(struct hostile, hostile, sizeof hostile / sizeof *hostile);
}

ParameterizedTest(struct hostile *h, lastpull, hostile_content_is_refused_by_name)
{
	struct last_pull got;

	cr_expect_eq(lastpull_parse(h->text, strlen(h->text), &got), E_FAIL, "%s", h->text);
	cr_expect_str_eq(err_msg(), h->msg);
}

Test(lastpull, binary_or_oversized_content_is_refused)
{
	static const char nul[] = "time=1\nresult=ok\0\nfailed=\n";
	char big[LASTPULL_MAX + 2];
	struct last_pull got;

	cr_expect_eq(lastpull_parse(nul, sizeof nul - 1, &got), E_FAIL);
	memset(big, 'a', sizeof big);
	cr_expect_eq(lastpull_parse(big, sizeof big, &got), E_FAIL);
	cr_expect_str_eq(err_msg(), "last-pull: not a record (too long or binary)");
}

/* A store of the test's own, with a policy of two packages whose base
 * file, pins, trees and tag refs each test breaks in its own way. */
static char root[64], basefile[128];
static struct policy pol;
static struct store s = STORE_INIT;

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", root, rel);
	cr_assert((f = fopen(path, "w")), "%s", path);
	fputs(text, f);
	fclose(f);
}

#define sh(...)                                                                  \
	do {                                                                     \
		char cmd_[512];                                                  \
		snprintf(cmd_, sizeof cmd_, __VA_ARGS__);                        \
		cr_assert_eq(system(cmd_), 0, "%s", cmd_);                       \
	} while (0)

static void setup(void)
{
	char y[512];
	struct diag d = { .file = "p" };
	struct verified_pin v0 = { "v1", C1, C3 }, v1 = { "", C2, "" };

	strcpy(root, "/tmp/obsenv-ready-XXXXXX");
	cr_assert(mkdtemp(root));
	snprintf(basefile, sizeof basefile, "%s/base.yaml", root);
	snprintf(y, sizeof y, "owner: o\nroot: %s\nbase_file: %s\npackages:\n  pkg00: {remote: /a}\n"
		 "  pkg01: {remote: /b}\n", root, basefile);
	cr_assert_eq(policy_parse(y, strlen(y), &d, &pol), 0);
	cr_assert_eq(store_open(&s, &pol, true), 0, "%s", err_msg());
	put("base.yaml", "packages:\n  pkg00: {tag: v1, commit: " C1 "}\n  pkg01: {commit: " C2 "}\n");
	cr_assert_eq(pins_write(&s, "pkg00", &v0, NULL), 0, "%s", err_msg());
	cr_assert_eq(pins_write(&s, "pkg01", &v1, NULL), 0, "%s", err_msg());
	sh("mkdir -p %s/trees/pkg00/" C1 " %s/trees/pkg01/" C2 " %s/repos/pkg00.git/refs/tags", root, root,
	   root);
	put("repos/pkg00.git/refs/tags/v1", C3 "\n");
}

static void teardown(void)
{
	store_close(&s);
	if (root[0])
		sh("rm -rf '%s'", root);
}

TestSuite(plan, .init = setup, .fini = teardown);

static void plan_now(struct plan *t, char *base_err)
{
	struct pin pins[2];

	plan_all(&s, pins, t, base_err, 512);
}

Test(plan, a_verified_environment_is_ready)
{
	struct plan t[2];
	char base_err[512];

	plan_now(t, base_err);
	cr_expect_str_eq(base_err, "");
	for (int i = 0; i < 2; i++) {
		cr_expect_str_eq(t[i].why, "");
		cr_expect_eq(t[i].nnotes, 0);
	}
	cr_expect_str_eq(t[0].commit, C1);
	cr_expect_str_eq(t[0].tag, "v1");
}

Test(plan, a_missing_tree_keeps_the_package_where_it_is)
{
	struct plan t[2];
	char base_err[512];

	sh("rmdir %s/trees/pkg01/" C2, root);
	plan_now(t, base_err);
	cr_expect_str_eq(t[0].why, "");
	cr_expect_str_eq(t[1].problem, "tree_missing");
	cr_expect_str_eq(t[1].why, "pkg01: the tree of base pin b8dbc023ee is missing (run 'obsenv verify --repair')");
}

Test(plan, a_moved_tag_still_goes_to_the_verified_commit)
{
	struct plan t[2];
	char base_err[512];

	put("repos/pkg00.git/refs/tags/v1", C2 "\n");
	plan_now(t, base_err);
	cr_expect_str_eq(t[0].why, "");
	cr_assert_eq(t[0].nnotes, 1);
	cr_expect_str_eq(t[0].notes[0].key, "tag_moved");
	cr_expect_str_eq(t[0].notes[0].note, C3 ".." C2);
	cr_expect_str_eq(t[0].commit, C1);
}

Test(plan, a_hand_edited_base_file_goes_to_the_last_verified_pin)
{
	struct plan t[2];
	char base_err[512];

	put("base.yaml", "packages:\n  pkg00: {tag: v1, commit: " C1 "}\n  pkg01: {commit: " C3 "}\n");
	plan_now(t, base_err);
	cr_expect_str_eq(base_err, "");
	cr_assert_eq(t[1].nnotes, 1);
	cr_expect_str_eq(t[1].notes[0].key, "unverified");
	cr_expect_str_eq(t[1].commit, C2);
	cr_expect_str_eq(t[1].why, "");
}

Test(plan, no_verified_pin_and_an_unusable_base_file)
{
	struct plan t[2];
	char base_err[512];

	sh("rm %s/pins/pkg01", root);
	put("base.yaml", "packages:\n  pkg00: {tag: v1, commit: " C1 "}\n");
	plan_now(t, base_err);
	cr_expect_neq(base_err[0], '\0');
	cr_expect_str_eq(t[0].why, "");
	cr_expect_str_eq(t[1].problem, "no_pin");
}

/* What status --check judges from what it read: pure. */
Test(plan, the_judge_names_every_problem_in_a_fixed_order)
{
	struct plan t[2];
	struct pin pins[2] = { { "v1", C1 }, { "", C2 } };
	struct freeze fz = { .since = 1796000000, .who = "alice", .reason = "ToO" };
	struct last_pull lp = { .time = 1796000000, .result = PULL_PARTIAL, .failed = "pkg01" };
	struct ready_input in = { .pol = &pol, .plans = t, .pins = pins, .base_err = "", .pull_r = 0,
				  .pull = &lp, .pull_err = "", .now = 1796000000 + 3601 };
	struct problems ps = { 0 };
	char base_err[512];

	sh("rmdir %s/trees/pkg01/" C2, root);
	plan_now(t, base_err);
	in.frozen = &fz;
	pol.pull_stale_after = 3600;
	cr_assert_eq(ready_judge(&in, &ps), 0);
	cr_assert_eq(ps.n, 4);
	cr_expect_str_eq(ps.v[0].key, "tree_missing");
	cr_expect_str_eq(ps.v[0].pkg, "pkg01");
	cr_expect_str_eq(ps.v[1].key, "frozen");
	cr_expect_null(ps.v[1].pkg);
	cr_expect_str_eq(ps.v[2].key, "pull_failed");
	cr_expect_str_eq(ps.v[2].msg, "pkg01: the last pull (2026-11-30 00:53:20 UTC) failed for it");
	cr_expect_str_eq(ps.v[3].key, "pull_stale");
	problems_free(&ps);
	in.now -= 2;
	in.frozen = NULL;
	lp = (struct last_pull){ .time = 1796000000, .result = PULL_OK };
	sh("mkdir %s/trees/pkg01/" C2, root);
	plan_now(t, base_err);
	cr_assert_eq(ready_judge(&in, &ps), 0);
	cr_expect_eq(ps.n, 0, "%s", ps.n ? ps.v[0].msg : "");
	problems_free(&ps);
	in.pull_r = R_ABSENT;
	in.now += 1000000;
	cr_assert_eq(ready_judge(&in, &ps), 0);
	cr_expect_eq(ps.n, 0, "never pulled is not stale");
	problems_free(&ps);
}
