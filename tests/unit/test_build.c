/* Trees built in two halves (git/build.c, git/buildplan.c) are the
 * commit's, read-only, sharing the file store's copies, with an index git
 * finds clean. The commits are made with the git command. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/str.h"
#include "git/buildplan.h"
#include "git/repo.h"
#include "shell.h"

static char dir[64], remote[128], store[128], head[64];
static struct policy pol;
static struct package pkg;

/* One top directory holds everything, so that the halves meet inside
 * it: 400 files in each of two directories below it, a deep path, an
 * executable, a symlink and a submodule. */
static void setup(void)
{
	strcpy(dir, "/tmp/obsenv-bd-XXXXXX");
	cr_assert(mkdtemp(dir));
	chmod(dir, 0755);
	snprintf(remote, sizeof remote, "%s/remote.git", dir);
	snprintf(store, sizeof store, "%s/root/repos/pkg.git", dir);
	sh("mkdir -p %s/root/trees && cd %s && git init -q -b deploy w && cd w && mkdir -p top/a top/b top/c/d/e/f && "
	   "for i in $(seq 400); do echo a$i >top/a/$i; echo b$i >top/b/$i; done && echo same >top/c/d/e/f/same && "
	   "echo same >top/a/same && printf '#!/bin/sh\\n' >top/run && chmod +x top/run && ln -s a/1 top/link && "
	   "git add -A && git update-index --add --cacheinfo 160000,$(git hash-object -t commit /dev/null -w "
	   "--literally 2>/dev/null || echo 0000000000000000000000000000000000000001),top/sub && "
	   "git -c user.name=t -c user.email=t@t commit -qm c && git clone -q --bare . %s",
	   dir, dir, remote);
	str_copy(pol.root, sizeof pol.root, dir);
	strcat(pol.root, "/root");
	pol.connect_timeout = pol.stall_timeout = 30;
	pol.max_fetch_mib = 100;
	pol.max_objects = 100000;
	pol.max_memory_mib = 4096;
	pol.max_file_mib = 10;
	pol.max_tree_mib = 100;
	str_copy(pkg.name, sizeof pkg.name, "pkg");
	str_copy(pkg.remote, sizeof pkg.remote, remote);
	str_copy(pkg.deploy_branch, sizeof pkg.deploy_branch, "deploy");
	pol.pkgs = &pkg;
	pol.npkgs = 1;
	cr_assert_eq(repo_start(&pol, REPO_WRITE), 0, "%s", err_msg());
	cr_assert_eq(repo_fetch(&pol, &pkg), 0, "%s", err_msg());
	out(head, sizeof head, "git --git-dir=%s rev-parse deploy", remote);
}

static void teardown(void)
{
	char cmd[256];

	snprintf(cmd, sizeof cmd, "chmod -R u+w '%s' 2>/dev/null; rm -rf '%s'", dir, dir);
	if (dir[0] && system(cmd) != 0)
		cr_log_warn("could not remove %s", dir);
}

TestSuite(build, .init = setup, .fini = teardown);

/* The halves meet inside top/: it alone is shared, entered and left. */
Test(build, the_plan_halves_inside_the_one_top_directory)
{
	git_repository *repo = NULL;
	git_object *commit = NULL;
	struct plan pl;
	size_t s, shared = 0, open[MAX_DEPTH + 1], depth = 0;

	cr_assert_eq(repo_open_commit(&pol, &pkg, head, &repo, &commit), 0, "%s", err_msg());
	cr_assert_eq(plan_make(&pl, repo, commit, "pkg"), 0, "%s", err_msg());
	s = plan_split(&pl);
	cr_assert(s > pl.n / 3 && s < pl.n * 2 / 3, "split at %zu of %zu", s, pl.n);
	/* The directories open at s, by a stack: exactly those are shared,
	 * and the ends of exactly those. */
	for (size_t i = 0; i < s; i++) {
		if (pl.ops[i].kind == OP_DIR)
			open[depth++] = i;
		else if (pl.ops[i].kind == OP_END)
			depth--;
	}
	cr_assert(depth >= 1 && !strcmp(G(git_tree_entry_name)(pl.ops[open[0]].e), "top"), "split outside top/");
	for (size_t i = 0, d = 0; i < pl.n; i++) {
		bool ancestor = d < depth && open[d] == i;

		d += ancestor;
		if (pl.ops[i].kind == OP_DIR && i < s)
			cr_expect_eq(pl.ops[i].shared, ancestor, "%s", G(git_tree_entry_name)(pl.ops[i].e));
		else if (pl.ops[i].kind != OP_END || i < s)
			cr_expect(!pl.ops[i].shared, "op %zu", i);
		else if (pl.ops[i].shared)
			shared++;
	}
	cr_expect_eq(shared, depth, "%zu ends shared, %zu directories open", shared, depth);
	plan_free(&pl);
	G(git_object_free)(commit);
}

/* What git would check out, read-only to the last directory, every file
 * a link to the file store, and git status clean. Built twice, the
 * second tree shares every file with the first. */
Test(build, a_halved_build_is_the_commit_read_only_and_shared)
{
	char tree[256], n[64];

	cr_assert_eq(repo_materialize(&pol, &pkg, head), 0, "%s", err_msg());
	snprintf(tree, sizeof tree, "%s/root/trees/pkg/%s", dir, head);
	sh("cd %s && git ls-files -s | awk '{print $1, $2, $4}' >%s/index && "
	   "git --git-dir=%s ls-tree -r --full-tree %s | awk '{print $1, $3, $4}' >%s/tree && "
	   "test $(wc -l <%s/tree) = 805 && cmp %s/index %s/tree", tree, dir, store, head, dir, dir, dir, dir);
	sh("cd %s && test -z \"$(git status --porcelain)\"", tree);
	sh("cd %s && test -z \"$(find . -path ./.git -prune -o ! -type l -perm /0222 -print)\"", tree);
	sh("cd %s && test $(find top -type f | wc -l) = 803 && test -x top/run && "
	   "test \"$(readlink top/link)\" = a/1 && test -d top/sub && test \"$(cat top/b/400)\" = b400", tree);
	/* Every file is the store's copy: a link count of two. */
	sh("cd %s && test -z \"$(find top -type f -links 1)\"", tree);
	/* One copy for the two files of one content, one in each half. */
	out(n, sizeof n, "find %s/files -type f | wc -l", store);
	cr_expect_str_eq(n, "802", "the file store holds %s copies", n);
	sh("cd %s && test $(stat -c %%i top/a/same) = $(stat -c %%i top/c/d/e/f/same)", tree);
}

/* What a killed build left in the file store goes with the package's
 * next build; a live run's name stays (the runner that forked this test
 * stands for one: alive, and of the same name). */
Test(build, a_killed_builds_leftover_in_the_file_store_goes_with_the_next_build)
{
	char dead[256], live[256];
	struct stat st;

	snprintf(dead, sizeof dead, "%s/files/.tmp-file-7-999999999", store);
	snprintf(live, sizeof live, "%s/files/.tmp-file-7-%d", store, (int)getppid());
	sh("mkdir -p %s/files && echo x >%s && echo y >%s", store, dead, live);
	cr_assert_eq(repo_materialize(&pol, &pkg, head), 0, "%s", err_msg());
	cr_expect_neq(lstat(dead, &st), 0, "a killed build's leftover stayed");
	cr_expect_eq(lstat(live, &st), 0, "a live run's file went");
}
