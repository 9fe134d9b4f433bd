#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "store.h"

/* Generations on disk: what a switch adds, what trimming removes, and
 * what a killed trim leaves for the next run. */
static char root[64];
static struct policy pol;
static struct store s = { .root = -1, .lock = -1 };
static struct gen_pkg pkg = { "pkg00", "60d750129842c820b9272a5ad269c2abf6271c19", SRC_BASE, "v1", false };

static void setup(void)
{
	strcpy(root, "/tmp/obsenv-gens-XXXXXX");
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

TestSuite(gens, .init = setup, .fini = teardown);

static void switch_n(int n)
{
	for (int i = 0; i < n; i++) {
		struct generation g = { .pkgs = &pkg, .npkgs = 1 };

		str_copy(g.user, sizeof g.user, "t");
		str_copy(g.sudo_user, sizeof g.sudo_user, "-");
		str_copy(g.action, sizeof g.action, "rollback");
		cr_assert_eq(store_switch(&s, &g), 0, "%s", err_msg());
	}
}

/* The names in generations/, as "1 2 3" (numbers ascending) plus others. */
static void names(char *out, size_t size)
{
	unsigned long *nums = NULL;
	size_t n = 0, len = 0;

	out[0] = '\0';
	cr_assert_eq(store_generations(&s, &nums, &n), 0);
	for (size_t i = n; i-- > 0;)
		len += (size_t)snprintf(out + len, size - len, "%s%lu", len ? " " : "", nums[i]);
	free(nums);
}

static void current_is(const char *want)
{
	char link[64];
	ssize_t n = readlinkat(s.root, "current", link, sizeof link - 1);

	cr_assert_gt(n, 0);
	link[n] = '\0';
	cr_assert_str_eq(link, want);
}

Test(gens, a_switch_removes_nothing_and_trim_keeps_the_newest)
{
	char got[128];

	switch_n(6);
	names(got, sizeof got);
	cr_assert_str_eq(got, "1 2 3 4 5 6", "a switch removed something");
	cr_assert_eq(store_trim(&s), 0, "%s", err_msg());
	names(got, sizeof got);
	cr_assert_str_eq(got, "4 5 6", "keep_generations is 3");
	current_is("generations/6");
	cr_assert_eq(store_trim(&s), 0, "%s", err_msg());
	names(got, sizeof got);
	cr_assert_str_eq(got, "4 5 6", "trimming twice removes nothing more");
}

Test(gens, a_trim_killed_midway_leaves_a_leftover_the_next_run_sweeps)
{
	char got[128], path[128];
	struct stat st;

	switch_n(2);
	/* What a trim killed after its rename leaves: a .tmp- name, part
	 * emptied, never a numbered generation missing its record. */
	cr_assert_eq(renameat(s.root, "generations/1", s.root, "generations/.tmp-gone-1"), 0);
	names(got, sizeof got);
	cr_assert_str_eq(got, "2");
	cr_assert_eq(store_cleanup(&s, false), 0, "%s", err_msg());
	snprintf(path, sizeof path, "%s/generations/.tmp-gone-1", root);
	cr_assert_neq(lstat(path, &st), 0, "the leftover is still there");
	current_is("generations/2");
}
