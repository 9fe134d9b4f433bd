#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "freeze.h"
#include "pins.h"
#include "store.h"

#define C1 "60d750129842c820b9272a5ad269c2abf6271c19"
#define C2 "b8dbc023eee28ef07d88b0bb33676f7dcfed6df8"
#define C3 "0fce1e396909dc839a263ded62825e256bd34e69"

/* A store root of the test's own, with the directories init makes. */
static char root[64];
static struct policy pol;
static struct store s = { .root = -1, .lock = -1 };

static void setup(void)
{
	strcpy(root, "/tmp/obsenv-store-XXXXXX");
	cr_assert(mkdtemp(root));
	str_copy(pol.root, sizeof pol.root, root);
	cr_assert_eq(store_open(&s, &pol, true), 0, "%s", err_msg());
}

static void teardown(void)
{
	char cmd[128];

	store_close(&s);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	if (root[0] && system(cmd) != 0)
		cr_log_warn("could not remove %s", root);
}

TestSuite(pins, .init = setup, .fini = teardown);
TestSuite(freeze, .init = setup, .fini = teardown);

Test(pins, a_record_reads_back)
{
	struct verified_pin v = { "v1.0", C1, C2 }, got;

	cr_assert_eq(pins_write(&s, "pkg", &v, NULL), 0, "%s", err_msg());
	cr_assert_eq(pins_read(&s, "pkg", NULL, &got), 0);
	cr_expect_str_eq(got.tag, "v1.0");
	cr_expect_str_eq(got.commit, C1);
	cr_expect_str_eq(got.tagref, C2);
	cr_expect_eq(pins_read(&s, "other", NULL, &got), 1);
}

/* pin writes the new record with the base file's current pin kept aside:
 * until the base file is replaced, rollback still finds its record. */
Test(pins, the_record_the_base_file_names_survives_a_new_one)
{
	struct verified_pin base = { "v1.0", C1, C2 }, next = { "", C3, "" }, got;

	cr_assert_eq(pins_write(&s, "pkg", &base, NULL), 0);
	cr_assert_eq(pins_write(&s, "pkg", &next, &base), 0);
	cr_assert_eq(pins_write(&s, "pkg", &next, &base), 0, "a second attempt keeps it too");
	cr_assert_eq(pins_read(&s, "pkg", C1, &got), 0);
	cr_expect_str_eq(got.tag, "v1.0");
	cr_expect_str_eq(got.tagref, C2);
	cr_assert_eq(pins_read(&s, "pkg", C3, &got), 0);
	cr_expect_str_eq(got.tag, "");
	cr_assert_eq(pins_read(&s, "pkg", C2, &got), 0, "a commit never pinned: the newest, as found");
	cr_expect_str_eq(got.commit, C3);
}

Test(pins, a_damaged_record_is_an_error)
{
	char path[128];
	FILE *f;
	struct verified_pin got;

	snprintf(path, sizeof path, "%s/pins/pkg", root);
	cr_assert((f = fopen(path, "w")));
	fputs("tag ../x\ncommit zz\ntagref -\n", f);
	fclose(f);
	cr_expect_eq(pins_read(&s, "pkg", NULL, &got), E_FAIL);
	cr_expect(strstr(err_msg(), "is damaged") != NULL, "%s", err_msg());
}

Test(freeze, write_check_clear)
{
	struct freeze f = { .since = 1795000000, .who = "alice (via sudo as obs_user)",
			    .reason = "ToO: no changes" }, got;

	cr_expect_eq(freeze_check(&s), 0);
	cr_expect_eq(freeze_read(&s, &got), 1);
	cr_assert_eq(freeze_write(&s, &f), 0, "%s", err_msg());
	cr_assert_eq(freeze_read(&s, &got), 0);
	cr_expect_eq(got.since, f.since);
	cr_expect_str_eq(got.who, f.who);
	cr_expect_str_eq(got.reason, f.reason);
	cr_expect_eq(freeze_check(&s), E_FROZEN);
	cr_expect_str_eq(err_msg(), "the environment is frozen since 2026-11-18 11:06 UTC by alice (via "
				    "sudo as obs_user): \"ToO: no changes\"; only rollback is allowed until "
				    "'obsenv thaw'");
	cr_assert_eq(freeze_clear(&s), 0);
	cr_expect_eq(freeze_check(&s), 0);
}

Test(freeze, an_unreadable_record_still_freezes)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof path, "%s/frozen", root);
	cr_assert((f = fopen(path, "w")));
	fputs("garbage\n", f);
	fclose(f);
	cr_expect_eq(freeze_check(&s), E_FROZEN);
	cr_expect(strstr(err_msg(), "(no reason recorded)") != NULL, "%s", err_msg());
}
