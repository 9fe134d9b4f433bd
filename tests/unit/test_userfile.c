#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/userfile.h"

/* A home of the test's own user; the walk checks ownership against it. */
static char home[64];
static int hfd = -1;
static struct userfile_result res;
static const time_t NOW = 1795000000; /* 2026-11-18T11:06:40Z */

static void setup(void)
{
	strcpy(home, "/tmp/obsenv-home-XXXXXX");
	cr_assert(mkdtemp(home));
	chmod(home, 0755);
	hfd = userfile_open_home(home, geteuid());
	cr_assert(hfd >= 0, "%s", err_msg());
}

static void teardown(void)
{
	char cmd[128];

	if (hfd >= 0)
		close(hfd);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
	if (home[0] && system(cmd) != 0)
		cr_log_warn("could not remove %s", home);
}

static void put(const char *rel, const char *content)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", home, rel);
	cr_assert((f = fopen(p, "w")));
	fputs(content, f);
	fclose(f);
}

static char *get(const char *rel)
{
	static char buf[256];
	char p[256];
	FILE *f;
	size_t n;

	snprintf(p, sizeof p, "%s/%s", home, rel);
	if (!(f = fopen(p, "r")))
		return NULL;
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int replace(const char *rel)
{
	return userfile_replace(hfd, home, rel, geteuid(), "new\n", 4, NOW, &res);
}

static void refused(const char *rel, const char *why)
{
	char want[256];

	cr_assert_eq(replace(rel), E_FAIL);
	snprintf(want, sizeof want, "%s/%s %s", home, rel, why);
	cr_expect_str_eq(err_msg(), want);
	cr_expect_str_eq(res.backup, "");
}

TestSuite(userfile, .init = setup, .fini = teardown);

Test(userfile, missing_directories_are_made_0755)
{
	struct stat st;
	char p[256];

	cr_assert_eq(replace("a/b/.setups"), 0, "%s", err_msg());
	cr_expect_eq(res.made_dirs, 2);
	cr_expect_str_eq(get("a/b/.setups"), "new\n");
	snprintf(p, sizeof p, "%s/a/b", home);
	cr_assert_eq(stat(p, &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0755);
	snprintf(p, sizeof p, "%s/a/b/.setups", home);
	cr_assert_eq(stat(p, &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0644);
}

Test(userfile, old_file_is_kept_under_a_utc_name)
{
	put(".setups", "mine\n");
	cr_assert_eq(replace(".setups"), 0, "%s", err_msg());
	cr_expect_str_eq(res.backup, ".setups.bak-20261118T110640Z");
	cr_expect_str_eq(get(".setups.bak-20261118T110640Z"), "mine\n");
	cr_expect_str_eq(get(".setups"), "new\n");
	cr_expect_null(get("..setups.obsenv-new"));
}

Test(userfile, a_file_that_holds_the_data_already_is_left_alone)
{
	struct stat before, after;
	char p[256];

	put(".setups", "new\n");
	snprintf(p, sizeof p, "%s/.setups", home);
	cr_assert_eq(stat(p, &before), 0);
	cr_assert_eq(replace(".setups"), 0, "%s", err_msg());
	cr_expect(res.unchanged);
	cr_expect_str_eq(res.backup, "");
	cr_expect_null(get(".setups.bak-20261118T110640Z"));
	cr_assert_eq(stat(p, &after), 0);
	cr_expect_eq(before.st_ino, after.st_ino, "the file was not replaced");
	put(".setups", "new\nand more\n");
	cr_assert_eq(replace(".setups"), 0, "%s", err_msg());
	cr_expect_not(res.unchanged, "a longer file is not the same");
	cr_expect_str_eq(res.backup, ".setups.bak-20261118T110640Z");
	put(".setups", "ne");
	cr_assert_eq(replace(".setups"), 0, "%s", err_msg());
	cr_expect_not(res.unchanged, "a shorter file is not the same");
}

Test(userfile, existing_backups_are_never_overwritten)
{
	put(".setups", "third\n");
	put(".setups.bak-20261118T110640Z", "first\n");
	put(".setups.bak-20261118T110640Z-2", "second\n");
	cr_assert_eq(replace(".setups"), 0, "%s", err_msg());
	cr_expect_str_eq(res.backup, ".setups.bak-20261118T110640Z-3");
	cr_expect_str_eq(get(".setups.bak-20261118T110640Z"), "first\n");
	cr_expect_str_eq(get(".setups.bak-20261118T110640Z-2"), "second\n");
	cr_expect_str_eq(get(".setups.bak-20261118T110640Z-3"), "third\n");
}

/* When every name is taken the change is refused, and no backup that was
 * there before is touched, the last one tried included. */
Test(userfile, a_hundred_backups_in_one_second_refuse_and_keep_them_all)
{
	char rel[128];

	put(".setups", "mine\n");
	put(".setups.bak-20261118T110640Z", "1\n");
	for (int i = 2; i <= 100; i++) {
		snprintf(rel, sizeof rel, ".setups.bak-20261118T110640Z-%d", i);
		put(rel, "old\n");
	}
	cr_assert_eq(replace(".setups"), E_FAIL);
	snprintf(rel, sizeof rel, "%s/.setups: 100 backups from this second exist already", home);
	cr_expect_str_eq(err_msg(), rel);
	cr_expect_str_eq(res.backup, "");
	cr_expect_str_eq(get(".setups"), "mine\n");
	cr_expect_str_eq(get(".setups.bak-20261118T110640Z"), "1\n");
	for (int i = 2; i <= 100; i++) {
		snprintf(rel, sizeof rel, ".setups.bak-20261118T110640Z-%d", i);
		cr_expect_str_eq(get(rel), "old\n", "%s", rel);
	}
}

Test(userfile, a_killed_runs_temporary_file_is_replaced)
{
	put("..setups.obsenv-new", "half");
	cr_assert_eq(replace(".setups"), 0, "%s", err_msg());
	cr_expect_str_eq(get(".setups"), "new\n");
	cr_expect_null(get("..setups.obsenv-new"));
}

Test(userfile, symlinked_file_is_refused)
{
	char p[256];

	snprintf(p, sizeof p, "%s/.setups", home);
	cr_assert_eq(symlink("/etc/passwd", p), 0);
	refused(".setups", "is a symbolic link, not a file: obsenv will not replace it");
}

Test(userfile, symlinked_directory_is_refused)
{
	char p[256];

	snprintf(p, sizeof p, "%s/nb", home);
	cr_assert_eq(symlink("/tmp", p), 0);
	cr_assert_eq(replace("nb/.setups"), E_FAIL);
	snprintf(p, sizeof p, "%s/nb is a symbolic link, not a directory: obsenv will not use it", home);
	cr_expect_str_eq(err_msg(), p);
}

Test(userfile, fifo_is_refused_without_opening_it)
{
	char p[256];

	snprintf(p, sizeof p, "%s/.setups", home);
	cr_assert_eq(mkfifo(p, 0644), 0);
	refused(".setups", "is a FIFO, not a file: obsenv will not replace it");
}

Test(userfile, directory_is_refused)
{
	char p[256];

	snprintf(p, sizeof p, "%s/.setups", home);
	cr_assert_eq(mkdir(p, 0755), 0);
	refused(".setups", "is a directory, not a file: obsenv will not replace it");
}

Test(userfile, hard_link_is_refused)
{
	char a[256], b[256];

	put("other", "x\n");
	snprintf(a, sizeof a, "%s/other", home);
	snprintf(b, sizeof b, "%s/.setups", home);
	cr_assert_eq(link(a, b), 0);
	refused(".setups", "has 2 hard links: obsenv will not replace it");
	cr_expect_str_eq(get("other"), "x\n");
}

Test(userfile, foreign_owner_is_refused)
{
	put(".setups", "x\n");
	cr_assert_eq(userfile_replace(hfd, home, ".setups", geteuid() + 1, "n", 1, NOW, &res), E_FAIL);
	cr_expect(strstr(err_msg(), "is owned by uid") != NULL, "%s", err_msg());
	cr_expect_str_eq(get(".setups"), "x\n");
}

Test(userfile, world_writable_directory_is_refused)
{
	char p[256];

	snprintf(p, sizeof p, "%s/nb", home);
	cr_assert_eq(mkdir(p, 0755), 0);
	cr_assert_eq(chmod(p, 0777), 0);
	cr_assert_eq(replace("nb/.setups"), E_FAIL);
	snprintf(p, sizeof p, "%s/nb is writable by everyone: obsenv will not write there", home);
	cr_expect_str_eq(err_msg(), p);
}

Test(userfile, too_deep_and_bad_paths_are_refused)
{
	cr_expect_eq(replace("a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/file"), E_FAIL);
	cr_expect_null(get("a"), "nothing may be made for a path that is refused");
	cr_expect_eq(replace("../x"), E_FAIL);
	cr_expect_eq(replace("/etc/x"), E_FAIL);
}

Test(userfile, home_not_owned_is_refused)
{
	cr_expect_lt(userfile_open_home(home, geteuid() + 1), 0);
	cr_expect_lt(userfile_open_home("/nonexistent/home", geteuid()), 0);
}
