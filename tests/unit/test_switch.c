#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "act/act.h"
#include "core/err.h"
#include "store/gen.h"
#include "store/lock.h"
#include "store/store.h"

#define C1 "60d750129842c820b9272a5ad269c2abf6271c19"
#define C2 "b8dbc023eee28ef07d88b0bb33676f7dcfed6df8"
#define C3 "0fce1e396909dc839a263ded62825e256bd34e69"

/* The two locks and the short switch (act/switch.c) on a store root of
 * the test's own. */
static char root[64];
static struct policy pol;
static struct store s = STORE_INIT;
static struct caller who;

static void setup(void)
{
	strcpy(root, "/tmp/obsenv-switch-XXXXXX");
	cr_assert(mkdtemp(root));
	str_copy(pol.root, sizeof pol.root, root);
	pol.keep_generations = 3;
	pol.lock_timeout = 0;
	str_copy(who.real.name, sizeof who.real.name, "maint");
	who.human = who.real;
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

TestSuite(locks, .init = setup, .fini = teardown);
TestSuite(replan, .init = setup, .fini = teardown);

Test(locks, the_switch_lock_and_the_work_lock_are_independent)
{
	char earlier[256];
	int sw = -1, work = -1, again = -1;

	cr_assert_eq(lock_take(s.root, LOCK_WORK, 0, "maint, pull", &work, earlier, sizeof earlier), 0);
	cr_assert_eq(lock_take(s.root, LOCK_SWITCH, 0, "obs, rollback", &sw, earlier, sizeof earlier), 0,
		     "a held work lock blocked the switch lock: %s", err_msg());
	cr_assert_eq(lock_take(s.root, LOCK_WORK, 0, "maint, checkout", &again, earlier, sizeof earlier),
		     E_FAIL);
	cr_expect(strstr(err_msg(), "another change is under way: held by maint, pull (pid ") != NULL,
		  "%s", err_msg());
	cr_expect(strstr(err_msg(), " UTC); gave up after 0 s") != NULL, "%s", err_msg());
	cr_assert_eq(lock_take(s.root, LOCK_SWITCH, 0, "x", &again, earlier, sizeof earlier), E_FAIL);
	cr_expect(strstr(err_msg(), "switching generations, held by obs, rollback") != NULL, "%s",
		  err_msg());
	lock_release(&sw);
	lock_release(&work);
	cr_expect_eq(sw, -1);
}

/* A holder that ends without lock_release (killed) is named by the next
 * holder; one that released is not. */
Test(locks, a_holder_killed_while_holding_is_found_by_the_next)
{
	char earlier[256];
	int fd = -1;

	cr_assert_eq(lock_take(s.root, LOCK_WORK, 0, "maint, pull", &fd, earlier, sizeof earlier), 0);
	cr_expect_str_eq(earlier, "");
	close(fd); /* what the kernel does for a killed run */
	cr_assert_eq(lock_take(s.root, LOCK_WORK, 0, "maint, pin", &fd, earlier, sizeof earlier), 0);
	cr_expect(!strncmp(earlier, "maint, pull (pid ", 17), "%s", earlier);
	lock_release(&fd);
	cr_assert_eq(lock_take(s.root, LOCK_WORK, 0, "maint, pin", &fd, earlier, sizeof earlier), 0);
	cr_expect_str_eq(earlier, "", "a released lock was taken for a killed run");
	lock_release(&fd);
}

/* Someone else's lock file is never trusted. */
Test(locks, a_lock_file_that_is_not_ours_alone_is_refused)
{
	char earlier[256];
	int fd = -1;

	cr_assert_eq(symlinkat("/etc/passwd", s.root, ".work.lock"), 0);
	cr_assert_neq(lock_take(s.root, LOCK_WORK, 0, "x", &fd, earlier, sizeof earlier), 0);
	cr_expect_eq(fd, -1);
}

static void put(struct generation *g, size_t i, const char *name, const char *commit, enum source src,
		bool follows)
{
	str_copy(g->pkgs[i].name, sizeof g->pkgs[i].name, name);
	str_copy(g->pkgs[i].commit, sizeof g->pkgs[i].commit, commit);
	g->pkgs[i].source = src;
	str_copy(g->pkgs[i].ref, sizeof g->pkgs[i].ref, follows ? "deploy" : "v1");
	g->pkgs[i].follows = follows;
}

static void make(struct generation *g, const char *action)
{
	str_copy(g->user, sizeof g->user, "t");
	str_copy(g->sudo_user, sizeof g->sudo_user, "");
	str_copy(g->action, sizeof g->action, action);
	cr_assert_eq(store_switch(&s, g), 0, "%s", err_msg());
}

/* A pull planned against generation 1 finishes after an observer's
 * rollback made generation 2: the rolled-back package stays on base, the
 * other one moves. */
Test(replan, a_rollback_meanwhile_is_never_undone)
{
	struct gen_pkg b[2], r[2], n[2];
	struct generation base = { .pkgs = b, .npkgs = 2 }, rb = { .pkgs = r, .npkgs = 2 };
	struct generation next = { 0 }, cur = { 0 };
	size_t dropped = 9;

	memset(b, 0, sizeof b);
	put(&base, 0, "a", C1, SRC_DEPLOY, true);
	put(&base, 1, "b", C1, SRC_DEPLOY, true);
	make(&base, "init");
	memcpy(r, b, sizeof r);
	put(&rb, 0, "a", C2, SRC_BASE, false);
	make(&rb, "rollback");
	memcpy(n, b, sizeof n);
	next.pkgs = calloc(2, sizeof *next.pkgs);
	memcpy(next.pkgs, n, sizeof n);
	next.npkgs = 2;
	put(&next, 0, "a", C3, SRC_DEPLOY, true);
	put(&next, 1, "b", C3, SRC_DEPLOY, true);
	cr_assert_eq(act_switch(&s, &who, "pull", &base, &next, &dropped), 0, "%s", err_msg());
	cr_expect_eq(dropped, 1);
	cr_expect_eq(next.number, 3);
	cr_assert_eq(store_current_required(&s, &cur), 0, "%s", err_msg());
	cr_expect_eq(cur.number, 3);
	cr_expect_str_eq(gen_find(&cur, "a")->commit, C2, "the rollback was undone");
	cr_expect(!gen_find(&cur, "a")->follows);
	cr_expect_str_eq(gen_find(&cur, "b")->commit, C3);
	cr_expect_str_eq(cur.action, "pull");
	cr_expect_eq(s.lock, -1, "the switch lock is still held");
	gen_free(&cur);
	gen_free(&next);
}

/* Nothing of the plan is left: no new generation at all. */
Test(replan, nothing_left_to_switch_makes_no_generation)
{
	struct gen_pkg b[1], r[1];
	struct generation base = { .pkgs = b, .npkgs = 1 }, rb = { .pkgs = r, .npkgs = 1 };
	struct generation next = { 0 }, cur = { 0 };
	size_t dropped = 0;

	memset(b, 0, sizeof b);
	put(&base, 0, "a", C1, SRC_DEPLOY, true);
	make(&base, "init");
	memcpy(r, b, sizeof r);
	put(&rb, 0, "a", C2, SRC_BASE, false);
	make(&rb, "rollback");
	next.pkgs = calloc(1, sizeof *next.pkgs);
	next.npkgs = 1;
	put(&next, 0, "a", C3, SRC_TAG, false);
	cr_assert_eq(act_switch(&s, &who, "checkout", &base, &next, &dropped), 0, "%s", err_msg());
	cr_expect_eq(dropped, 1);
	cr_expect_eq(next.number, 0);
	cr_assert_eq(store_current_required(&s, &cur), 0, "%s", err_msg());
	cr_expect_eq(cur.number, 2);
	gen_free(&cur);
	gen_free(&next);
}

/* Planned against what is still current: switched as planned. */
Test(replan, no_one_in_between_switches_as_planned)
{
	struct gen_pkg b[1];
	struct generation base = { .pkgs = b, .npkgs = 1 }, next = { 0 };
	size_t dropped = 5;

	memset(b, 0, sizeof b);
	put(&base, 0, "a", C1, SRC_DEPLOY, true);
	make(&base, "init");
	next.pkgs = calloc(1, sizeof *next.pkgs);
	next.npkgs = 1;
	put(&next, 0, "a", C3, SRC_DEPLOY, true);
	cr_assert_eq(act_switch(&s, &who, "pull", &base, &next, &dropped), 0, "%s", err_msg());
	cr_expect_eq(dropped, 0);
	cr_expect_eq(next.number, 2);
	gen_free(&next);
}
