/* The name a tree is shown by (git/describe.c) is the one git describe
 * --tags gives, on histories made with the git command. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/str.h"
#include "git/describe.h"
#include "git/repo.h"
#include "shell.h"

static char dir[64], store[128];
static struct policy pol;
static struct package pkg;

/* Commits a..h on deploy; b has a lightweight and an annotated tag, d two
 * annotated ones a day apart (the later made first), f one; a side
 * branch with its own tag is merged at g. Refs outside refs/tags (as
 * refs/obsenv/deployed/) name no commit. */
static void setup(void)
{
	strcpy(dir, "/tmp/obsenv-ds-XXXXXX");
	cr_assert(mkdtemp(dir));
	snprintf(store, sizeof store, "%s/root/repos/pkg.git", dir);
	sh("cd %s && git init -q -b deploy w && cd w && "
	   "c() { echo $1 >f; git add f; GIT_COMMITTER_DATE=\"$2T12:00:00 +0000\" git -c user.name=t -c user.email=t@t "
	   "commit -q --date=\"$2T12:00:00 +0000\" -m $1; } && "
	   "t() { GIT_COMMITTER_DATE=\"$3T12:00:00 +0000\" git -c user.name=t -c user.email=t@t tag -a $1 -m $1 $2; } && "
	   "c a 2020-01-01 && c b 2020-01-02 && git tag light && t v1.0 HEAD 2020-01-02 && "
	   "c c 2020-01-03 && c d 2020-01-04 && t v2.0-later HEAD 2020-01-06 && t v2.0-earlier HEAD 2020-01-05 && "
	   "c e 2020-01-07 && c f 2020-01-08 && t v3.0 HEAD 2020-01-08 && "
	   "git checkout -qb side HEAD~1 && echo s >s && git add s && "
	   "GIT_COMMITTER_DATE='2020-01-09T12:00:00 +0000' git -c user.name=t -c user.email=t@t commit -q -m s && "
	   "git checkout -q deploy && GIT_COMMITTER_DATE='2020-01-10T12:00:00 +0000' git -c user.name=t -c user.email=t@t "
	   "merge -q --no-ff -m g side && c h 2020-01-11 && "
	   "git update-ref refs/obsenv/deployed/x HEAD && "
	   "mkdir -p ../root/repos && git clone -q --bare --mirror . %s",
	   dir, store);
	str_copy(pol.root, sizeof pol.root, dir);
	strcat(pol.root, "/root");
	pol.max_memory_mib = 4096;
	str_copy(pkg.name, sizeof pkg.name, "pkg");
	str_copy(pkg.deploy_branch, sizeof pkg.deploy_branch, "deploy");
	pol.pkgs = &pkg;
	pol.npkgs = 1;
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (dir[0] && system(cmd) != 0)
		cr_log_warn("could not remove %s", dir);
}

TestSuite(describe, .init = setup, .fini = teardown);

static void expect_as_git(git_repository *repo, const char *rev)
{
	char want[256], id[64], got[256];
	git_object *obj = NULL;
	git_oid oid;

	out(id, sizeof id, "git --git-dir=%s rev-parse %s^{commit}", store, rev);
	out(want, sizeof want, "git --git-dir=%s describe --tags %s 2>/dev/null || "
	    "git --git-dir=%s rev-parse --short=7 %s", store, rev, store, rev);
	cr_assert_eq(G(git_oid_fromstr)(&oid, id), 0);
	cr_assert_eq(G(git_object_lookup)(&obj, repo, &oid, GIT_OBJECT_COMMIT), 0, "%s: %s", id,
		     G(git_error_last)() ? G(git_error_last)()->message : "");
	cr_assert_eq(repo_describe(repo, obj, got, sizeof got), 0, "%s", err_msg());
	cr_expect_str_eq(got, want, "%s", rev);
	G(git_object_free)(obj);
}

Test(describe, names_each_commit_as_git_does)
{
	static const char *const revs[] = { "deploy~5", "deploy~4", "deploy~3", "deploy~2", "deploy~1",
					    "deploy~1^2", "deploy", "v2.0-later", "light" };
	git_repository *repo = NULL;

	cr_assert_eq(repo_start(&pol, REPO_READ), 0, "%s", err_msg());
	cr_assert_eq(repo_open(&pol, &pkg, &repo), 0, "%s", err_msg());
	for (size_t i = 0; i < sizeof revs / sizeof *revs; i++)
		expect_as_git(repo, revs[i]);
	/* Below every tag: the short id. */
	expect_as_git(repo, "deploy~7");
}
