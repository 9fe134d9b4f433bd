#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "store/lastverify.h"
#include "store/store.h"

static char root[64];
static struct policy pol;
static struct store s = STORE_INIT;

static void setup(void)
{
	strcpy(root, "/tmp/obsenv-lastverify-XXXXXX");
	cr_assert(mkdtemp(root));
	str_copy(pol.root, sizeof pol.root, root);
	pol.keep_generations = 3;
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

TestSuite(lastverify, .init = setup, .fini = teardown);

/* Replaces the file with exactly these bytes. */
static void put(const char *data, size_t len)
{
	int fd;

	unlinkat(s.root, LASTVERIFY_FILE, 0);
	fd = openat(s.root, LASTVERIFY_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

Test(lastverify, absent_then_written_then_read_back)
{
	long long t = 99;
	struct stat st;

	cr_expect_eq(lastverify_read(&s, &t), R_ABSENT);
	cr_expect_eq(t, 0);
	cr_assert_eq(lastverify_write(&s, 1795000000), 0, "%s", err_msg());
	cr_assert_eq(lastverify_read(&s, &t), 0, "%s", err_msg());
	cr_expect_eq(t, 1795000000);
	cr_assert_eq(fstatat(s.root, LASTVERIFY_FILE, &st, 0), 0);
	cr_expect_eq(st.st_mode & 07777, 0644);
	cr_assert_eq(lastverify_write(&s, 0), 0);
	cr_assert_eq(lastverify_read(&s, &t), 0);
	cr_expect_eq(t, 0);
}

Test(lastverify, an_out_of_range_time_is_not_written)
{
	long long t;

	cr_expect_eq(lastverify_write(&s, -1), E_FAIL);
	cr_expect_eq(lastverify_write(&s, 253402300800LL), E_FAIL);
	cr_expect_eq(lastverify_read(&s, &t), R_ABSENT, "nothing was written");
}

/* Whatever else is there was not written by obsenv: refused, with the
 * file named, and the time never taken from it. */
Test(lastverify, hostile_content_is_refused)
{
	static const struct { const char *data; size_t len; } bad[] = {
		{ "", 0 },
		{ "verified 1795000000", 19 },           /* no newline */
		{ "verified 1795000000\n\n", 21 },       /* a second line */
		{ "verified 1795000000\nx", 21 },
		{ "verified -5\n", 12 },
		{ "verified +5\n", 12 },
		{ "verified 0017\n", 14 },
		{ "verified 17 \n", 13 },
		{ "verified 1e9\n", 13 },
		{ "verified \n", 10 },
		{ "verified 253402300800\n", 22 },        /* past GEN_TIME_MAX */
		{ "verified 99999999999999999999999\n", 33 },
		{ "verified 17\0" "99\n", 15 },           /* a NUL inside */
		{ "Verified 17\n", 12 },
		{ "1795000000\n", 11 },
		{ "verified 1795000000\r\n", 21 },
	};
	long long t;

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		put(bad[i].data, bad[i].len);
		t = 42;
		cr_expect_eq(lastverify_read(&s, &t), E_FAIL, "case %zu accepted", i);
		cr_expect_eq(t, 0, "case %zu left a time", i);
		cr_expect(strstr(err_msg(), LASTVERIFY_FILE), "case %zu: %s", i, err_msg());
	}
}

Test(lastverify, a_long_file_is_refused_without_reading_it_all)
{
	char big[4096];
	long long t;

	memset(big, '1', sizeof big);
	memcpy(big, "verified ", 9);
	big[sizeof big - 1] = '\n';
	put(big, sizeof big);
	cr_expect_eq(lastverify_read(&s, &t), E_FAIL);
}

Test(lastverify, a_symlink_a_fifo_and_a_directory_are_refused)
{
	char target[128];
	long long t;

	snprintf(target, sizeof target, "%s/elsewhere", root);
	put("verified 5\n", 11);
	cr_assert_eq(renameat(s.root, LASTVERIFY_FILE, s.root, "elsewhere"), 0);
	cr_assert_eq(symlinkat(target, s.root, LASTVERIFY_FILE), 0);
	cr_expect_eq(lastverify_read(&s, &t), E_FAIL, "followed a symlink");
	cr_assert_eq(unlinkat(s.root, LASTVERIFY_FILE, 0), 0);
	cr_assert_eq(mkfifoat(s.root, LASTVERIFY_FILE, 0644), 0);
	cr_expect_eq(lastverify_read(&s, &t), E_FAIL, "read a fifo");
	cr_assert_eq(unlinkat(s.root, LASTVERIFY_FILE, 0), 0);
	cr_assert_eq(mkdirat(s.root, LASTVERIFY_FILE, 0755), 0);
	cr_expect_eq(lastverify_read(&s, &t), E_FAIL, "read a directory");
	/* The writer replaces none of these by following them. */
	cr_expect_neq(lastverify_write(&s, 7), 0, "replaced a directory");
}
