#include <criterion/criterion.h>

#include <stdint.h>

#include "core/str.h"

Test(str, refnames)
{
	static const char *const bad[] = {
		"..", "a/../b", "/abs", "HEAD", "@{-1}", "main~1", ":/regex", "x.lock", "a:b",
		"+refs/*:refs/*", "*", "a b", "a\\b", "a?", "a[", "a^", "-x", "a\x01", "a//b", "a/",
		"a.", ".a", "a/.b", "", "t\xd0\xb0g", "a@{1}",
	};
	static const char *const good[] = { "deploy", "v1.2.3", "w.2023.42", "release/v1", "v0.28.63-alpha.1",
					    "deploy-summit", "a+b" };
	char longname[300];

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		cr_expect_not(str_is_refname(bad[i]), "accepted '%s'", bad[i]);
	for (size_t i = 0; i < sizeof good / sizeof *good; i++)
		cr_expect(str_is_refname(good[i]), "refused '%s'", good[i]);
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	cr_expect_not(str_is_refname(longname), "over 255 bytes");
	longname[255] = '\0';
	cr_expect(str_is_refname(longname), "255 bytes");
}

Test(str, ids)
{
	static const char *const bad[] = { "-1", "4294967295", "0x0", "+5", " 5", "5 ", "", "01",
					   "99999999999", "1e3", "5\n" };
	unsigned int v = 7;

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		cr_expect_eq(str_to_id(bad[i], &v), -1, "accepted '%s'", bad[i]);
	cr_expect_eq(v, 7, "output untouched on failure");
	cr_assert_eq(str_to_id("0", &v), 0);
	cr_expect_eq(v, 0);
	cr_assert_eq(str_to_id("4294967294", &v), 0);
	cr_expect_eq(v, 4294967294U);
}

Test(str, paths)
{
	cr_expect(str_is_abs_path("/opt/obs_env"));
	cr_expect_not(str_is_abs_path("/"));
	cr_expect_not(str_is_abs_path("/opt/"));
	cr_expect_not(str_is_abs_path("/opt/./x"));
	cr_expect_not(str_is_abs_path("/opt/../x"));
	cr_expect_not(str_is_abs_path("opt"));
	cr_expect_not(str_is_abs_path("/op\nt"));
	cr_expect(str_is_rel_path("notebooks/.user_setups"));
	cr_expect_not(str_is_rel_path("../x"));
	cr_expect_not(str_is_rel_path("a/../../x"));
	cr_expect_not(str_is_rel_path("/etc/shadow"));
	cr_expect_not(str_is_rel_path("a//b"));
}

Test(str, names)
{
	cr_expect(str_is_ident("ts_observatory_control"));
	cr_expect(str_is_ident("summit-utils.v2"));
	cr_expect_not(str_is_ident("-rf"));
	cr_expect_not(str_is_ident("a..b"));
	cr_expect_not(str_is_ident("a/b"));
	cr_expect_not(str_is_ident("x.lock"));
	cr_expect(str_is_account("obs_user"));
	cr_expect_not(str_is_account("1000"));
	cr_expect_not(str_is_account("-root"));
	cr_expect_not(str_is_account("a:b"));
}

Test(str, remotes)
{
	cr_expect(str_is_remote("https://github.com/lsst-ts/ts_observatory_control.git"));
	cr_expect(str_is_remote("ssh://git@github.com/x/y.git"));
	cr_expect(str_is_remote("git@github.com:x/y.git"));
	cr_expect(str_is_remote("file:///srv/git/x.git"));
	cr_expect(str_is_remote("/srv/git/x.git"));
	cr_expect_not(str_is_remote("ext::sh -c touch% /tmp/pwned"));
	cr_expect_not(str_is_remote("-uploadpack=touch"));
	cr_expect_not(str_is_remote("file:///srv/../etc"));
	cr_expect_not(str_is_remote("relative/path"));
	cr_expect_not(str_is_remote("https://-x"));
	cr_expect_not(str_is_remote("fd::17"));
}

Test(str, glob)
{
	cr_expect(str_glob_match("v*", "v1.2.3"));
	cr_expect_not(str_glob_match("v*", "w.2023.42"));
	cr_expect(str_glob_match("*", ""));
	cr_expect(str_glob_match("v?.*.*", "v1.2.3"));
	cr_expect(str_glob_match("*a*b*c", "xxaxxbxxc"));
	cr_expect_not(str_glob_match("*a*b*c", "xxaxxbxxcd"));
}

Test(str, bounded_numbers)
{
	static const char *const bad[] = { "", "-1", "+1", "01", "1a", " 1", "1 ", "101",
					   "99999999999999999999", "18446744073709551616" };
	unsigned long long v;

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		cr_expect_eq(str_to_bounded(bad[i], 100, &v), -1, "accepted '%s'", bad[i]);
	cr_assert_eq(str_to_bounded("100", 100, &v), 0);
	cr_expect_eq(v, 100);
	cr_assert_eq(str_to_bounded("0", 100, &v), 0);
	cr_expect_eq(v, 0);
}

Test(str, free_text)
{
	static const char *const bad[] = { "a\x1b[2J", "a\rb", "a\nb", "tab\there", "del\x7f",
					   "c1 \xc2\x9b", "raw c1 \x9b", "cut \xc3", "overlong \xc0\xaf",
					   "surrogate \xed\xa0\x80", "beyond \xf4\x90\x80\x80" };

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		cr_expect(!str_is_text(bad[i], 100), "accepted '%s'", bad[i]);
	cr_expect(str_is_text("", 100));
	cr_expect(str_is_text("seeing bad, caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xad", 100));
	cr_expect(!str_is_text("abcd", 3));
	cr_expect(str_is_text("abc", 3));
}

/* What reaches a terminal: C0, DEL and C1 controls (raw 0x9b, and U+009B
 * encoded), invalid UTF-8 and bidirectional overrides become '?'; other
 * text, accents and scripts included, is kept; a cut never splits a
 * character. */
Test(str, for_terminal)
{
	char out[64];

	str_for_terminal(out, sizeof out, "a\x1b[31mb\x7f\x9b" "2Jc");
	cr_expect_str_eq(out, "a?[31mb??2Jc");
	str_for_terminal(out, sizeof out, "x\xc2\x9b" "2Jy\xc2\x85z");
	cr_expect_str_eq(out, "x?2Jy?z");
	str_for_terminal(out, sizeof out, "Jos\xc3\xa9 \xe6\x9c\x9b\xe9\x81\xa0\xe9\x8f\xa1");
	cr_expect_str_eq(out, "Jos\xc3\xa9 \xe6\x9c\x9b\xe9\x81\xa0\xe9\x8f\xa1");
	str_for_terminal(out, sizeof out, "evil\xe2\x80\xae" "txt.exe\xe2\x81\xa6!");
	cr_expect_str_eq(out, "evil?txt.exe?!");
	str_for_terminal(out, sizeof out, "\xc3\x28\xed\xa0\x80\xf8");
	cr_expect_str_eq(out, "?(????");
	str_for_terminal(out, 5, "ab\xc3\xa9\xc3\xa9");
	cr_expect_str_eq(out, "ab\xc3\xa9");
	str_for_terminal(out, 4, "ab\xc3\xa9");
	cr_expect_str_eq(out, "ab");
}

/* Which remotes obsenv fetches from without libgit2's transport. */
Test(str, local_remote_paths)
{
	cr_assert_str_eq(str_local_remote("/srv/mirror/pkg.git"), "/srv/mirror/pkg.git");
	cr_assert_str_eq(str_local_remote("file:///srv/mirror/pkg.git"), "/srv/mirror/pkg.git");
	cr_assert_null(str_local_remote("file:///srv/a%20b.git"));
	cr_assert_null(str_local_remote("file://host/srv/pkg.git"));
	cr_assert_null(str_local_remote("ssh://git@host/pkg.git"));
	cr_assert_null(str_local_remote("git@host:pkg.git"));
	cr_assert_null(str_local_remote("https://host/pkg.git"));
}

Test(str, distance_and_nearest)
{
	const char *acts[] = { "status", "rollback", "revert", "restore-setups", "list", "pin", "pull" };
	const char *two[] = { "pin", "pun" };
	const size_t n = sizeof acts / sizeof *acts;
	char longer[NAME_MAX_LEN + 2];

	cr_expect_eq(str_distance("", ""), 0);
	cr_expect_eq(str_distance("status", "status"), 0);
	cr_expect_eq(str_distance("stauts", "status"), 1, "a swap of neighbours is one edit");
	cr_expect_eq(str_distance("rolback", "rollback"), 1);
	cr_expect_eq(str_distance("kitten", "sitting"), 3);
	cr_expect_eq(str_distance("", "abc"), 3);
	memset(longer, 'a', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	cr_expect_eq(str_distance(longer, "a"), SIZE_MAX, "beyond NAME_MAX_LEN is far from all");

	cr_expect_str_eq(str_nearest("stauts", acts, n), "status");
	cr_expect_str_eq(str_nearest("rollbak", acts, n), "rollback");
	cr_expect_str_eq(str_nearest("restore-setup", acts, n), "restore-setups");
	cr_expect_str_eq(str_nearest("lsit", acts, n), "list");
	cr_expect_null(str_nearest("status", acts, n), "the name itself is no suggestion");
	cr_expect_null(str_nearest("rm", acts, n));
	cr_expect_str_eq(str_nearest("pul", acts, n), "pull");
	cr_expect_null(str_nearest("pan", two, 2), "pin and pun are equally close");
	cr_expect_null(str_nearest("frobnicate", acts, n));
	cr_expect_null(str_nearest("li\x01st", acts, n), "a control byte is no slip");
	cr_expect_null(str_nearest("", acts, n));
	cr_expect_null(str_nearest("x", NULL, 0));
}
