/* The first fetch from a remote on a local path copies the remote's packs
 * through libgit2's indexer (git/packcopy.c). Remotes are made with the
 * git command; each test runs in its own process, so libgit2 is started
 * once per test. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/str.h"
#include "git/repack.h"
#include "git/repo.h"
#include "shell.h"

static char dir[64], remote[128], store[128];
static struct policy pol;
static struct package pkg;

/* A remote of 40 commits on deploy and a tag, repacked into one pack
 * with deltas, and a second branch the policy never names. */
static void setup(void)
{
	strcpy(dir, "/tmp/obsenv-lf-XXXXXX");
	cr_assert(mkdtemp(dir));
	chmod(dir, 0755);
	snprintf(remote, sizeof remote, "%s/remote.git", dir);
	snprintf(store, sizeof store, "%s/root/repos/pkg.git", dir);
	sh("mkdir -p %s/root/repos && cd %s && git init -q -b deploy work && cd work && "
	   "for i in $(seq 40); do seq $i 400 >f; echo $i >g.$((i %% 5)); git add -A; "
	   "git -c user.name=t -c user.email=t@t commit -qm c$i; done && "
	   "git -c user.name=t -c user.email=t@t tag -a v1.0 -m v1.0 HEAD~3 && "
	   "git checkout -qb other && echo other >o && git add o && "
	   "git -c user.name=t -c user.email=t@t commit -qm other && git checkout -q deploy && "
	   "git clone -q --bare --no-local . %s && git -C %s repack -adq",
	   dir, dir, remote, remote);
	str_copy(pol.root, sizeof pol.root, dir);
	strcat(pol.root, "/root");
	pol.connect_timeout = pol.stall_timeout = 30;
	pol.max_fetch_mib = 100;
	pol.max_objects = 100000;
	pol.max_memory_mib = 4096;
	str_copy(pkg.name, sizeof pkg.name, "pkg");
	str_copy(pkg.remote, sizeof pkg.remote, remote);
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

TestSuite(localfetch, .init = setup, .fini = teardown);

/* The names in the store's objects/pack, one string ("" when empty). */
static void store_packs(char *buf, size_t size)
{
	char cmd[256];

	snprintf(cmd, sizeof cmd, "ls -A %s/objects/pack | tr '\\n' ' '", store);
	out(buf, size, "%s", cmd);
}

static void expect_same_refs(void)
{
	char a[128], b[128], cmd[512];

	snprintf(cmd, sizeof cmd, "git --git-dir=%s rev-parse deploy v1.0 | tr '\\n' ' '", remote);
	out(a, sizeof a, "%s", cmd);
	snprintf(cmd, sizeof cmd, "git --git-dir=%s rev-parse refs/obsenv/fetched/deploy v1.0 | tr '\\n' ' '", store);
	out(b, sizeof b, "%s", cmd);
	cr_expect_str_eq(b, a);
	sh("git --git-dir=%s fsck --strict --no-dangling --no-progress", store);
	/* The record of the store's tags (store/unchanged.c) is the tags. */
	sh("test \"$(cat %s/obsenv-tags)\" = \"$(git --git-dir=%s for-each-ref --format='%%(objectname) %%(refname)' "
	   "refs/tags)\"", store, store);
}

Test(localfetch, the_remotes_pack_is_copied_whole)
{
	char pack[128], cmd[256], names[512];

	snprintf(cmd, sizeof cmd, "cd %s/objects/pack && ls pack-*.pack", remote);
	out(pack, sizeof pack, "%s", cmd);
	cr_assert_eq(repo_start(&pol, REPO_WRITE), 0, "%s", err_msg());
	cr_assert_eq(repo_fetch(&pol, &pkg), 0, "%s", err_msg());
	expect_same_refs();
	/* The indexer names a pack by its checksum: the same name is the same
	 * bytes, deltas and all. The other branch came with it. */
	store_packs(names, sizeof names);
	cr_expect(strstr(names, pack), "%s not in %s", pack, names);
	sh("test $(ls %s/objects/pack/*.pack | wc -l) = 1", store);
	sh("git --git-dir=%s cat-file -e other", remote);
	sh("git --git-dir=%s cat-file -e $(git --git-dir=%s rev-parse other)", store, remote);
}

/* A commit packed on its own whose parent, and that parent's new file,
 * are loose in the remote (as after a small push): the copy of the packs
 * alone would leave a hole beneath a commit the store has. */
Test(localfetch, loose_objects_beneath_a_packed_commit_are_fetched_too)
{
	char names[512];

	sh("cd %s/work && echo b >b && git add b && git -c user.name=t -c user.email=t@t commit -qm b && "
	   "echo c >c && git add c && git -c user.name=t -c user.email=t@t commit -qm c && "
	   "git push -q %s deploy && cd %s && git rev-parse deploy deploy^{tree} | "
	   "git pack-objects -q objects/pack/pack >/dev/null && git prune-packed && "
	   "git cat-file -e deploy~1 && test -n \"$(find objects/?? -type f)\"",
	   dir, remote, remote);
	cr_assert_eq(repo_start(&pol, REPO_WRITE), 0, "%s", err_msg());
	cr_assert_eq(repo_fetch(&pol, &pkg), 0, "%s", err_msg());
	expect_same_refs();
	store_packs(names, sizeof names);
	cr_expect(strstr(names, ".idx"), "%s", names);
}

/* A later fetch sends only what is new, in a pack of its own. */
Test(localfetch, a_second_fetch_packs_only_what_is_new)
{
	char before[512], after[512];

	cr_assert_eq(repo_start(&pol, REPO_WRITE), 0, "%s", err_msg());
	cr_assert_eq(repo_fetch(&pol, &pkg), 0, "%s", err_msg());
	store_packs(before, sizeof before);
	sh("cd %s/work && echo n >n && git add n && git -c user.name=t -c user.email=t@t commit -qm n && "
	   "git push -q %s deploy", dir, remote);
	cr_assert_eq(repo_fetch(&pol, &pkg), 0, "%s", err_msg());
	expect_same_refs();
	store_packs(after, sizeof after);
	cr_expect(!strncmp(after, before, strlen(before)) || strstr(after, strtok(before, " ")), "%s / %s",
		  before, after);
	sh("test $(ls %s/objects/pack/*.pack | wc -l) = 2", store);
}

/* The objects of the store's pack written after before (a listing of
 * objects/pack saved in a file), as sorted ids in a file of the same name
 * with ".new". */
static void new_pack_objects(const char *before)
{
	sh("cd %s/objects/pack && ls *.idx | sort | comm -13 %s - >%s.idx && test $(wc -l <%s.idx) = 1 && "
	   "git show-index <$(cat %s.idx) | cut -d' ' -f2 | sort >%s.new",
	   store, before, before, before, before, before);
}

/* A one-file change three directories down packs the commit, the four
 * trees on its path and the blob: what is new, whatever the size of the
 * tree beside it. */
Test(localfetch, a_change_deep_in_a_tree_packs_its_path_only)
{
	char before[160];

	snprintf(before, sizeof before, "%s/before", dir);
	sh("cd %s/work && mkdir -p a/b/c && for i in $(seq 50); do echo $i >a/b/c/f$i; echo $i >a/b/g$i; done && "
	   "git add -A && git -c user.name=t -c user.email=t@t commit -qm tree && git push -q %s deploy",
	   dir, remote);
	cr_assert_eq(repo_start(&pol, REPO_WRITE), 0, "%s", err_msg());
	cr_assert_eq(repo_fetch(&pol, &pkg), 0, "%s", err_msg());
	sh("ls %s/objects/pack/*.idx | xargs -n1 basename | sort >%s", store, before);
	sh("cd %s/work && echo changed >a/b/c/f7 && git -c user.name=t -c user.email=t@t commit -qam one && "
	   "git push -q %s deploy", dir, remote);
	cr_assert_eq(repo_fetch(&pol, &pkg), 0, "%s", err_msg());
	new_pack_objects(before);
	sh("cd %s/work && git rev-list --objects deploy^..deploy | cut -d' ' -f1 | sort >%s.want && "
	   "test $(wc -l <%s.want) = 6 && cmp %s.want %s.new", dir, before, before, before, before);
	expect_same_refs();
}

/* Many kinds of history at once: commits on top of each other, a merge
 * of a branch with its own changes, a directory renamed, a file that
 * becomes a directory, a mode changed, a file back to an old content, a
 * submodule, and an annotated tag on a commit deploy never had. The
 * store ends whole, and the pack holds exactly what the store lacked. */
Test(localfetch, every_kind_of_history_is_fetched_whole_and_nothing_twice)
{
	char before[160], old[64], cmd[256];

	snprintf(before, sizeof before, "%s/before", dir);
	cr_assert_eq(repo_start(&pol, REPO_WRITE), 0, "%s", err_msg());
	cr_assert_eq(repo_fetch(&pol, &pkg), 0, "%s", err_msg());
	snprintf(cmd, sizeof cmd, "git --git-dir=%s rev-parse deploy", store);
	out(old, sizeof old, "%s", cmd);
	sh("ls %s/objects/pack/*.idx | xargs -n1 basename | sort >%s", store, before);
	sh("git --git-dir=%s cat-file --batch-all-objects --batch-check='%%(objectname)' | sort >%s.had", store,
	   before);
	sh("cd %s/work && C='git -c user.name=t -c user.email=t@t commit -q' && "
	   "mkdir -p d/e && echo x >d/e/x && echo y >d/y && git add -A && $C -m dirs && "
	   "git checkout -qb side && echo side >d/e/x && echo s >s && git add -A && $C -m side && "
	   "git checkout -q deploy && echo main >d/y && git add -A && $C -m main && "
	   "git -c user.name=t -c user.email=t@t merge -q --no-ff -m merge side && "
	   "git mv d moved && $C -m rename && "
	   "rm g.0 && mkdir g.0 && echo inner >g.0/inner && git add -A && $C -m file-to-dir && "
	   "chmod +x f && git add f && $C -m mode && "
	   "seq 1 400 >f && git add f && $C -m old-content && "
	   "git update-index --add --cacheinfo 160000,%s,sub && $C -m submodule && "
	   "git checkout -qb tagged && echo t >t && git add t && $C -m tagged && "
	   "git -c user.name=t -c user.email=t@t tag -a v2.0 -m v2.0 && git checkout -q deploy && "
	   "git push -q %s deploy v2.0",
	   dir, old, remote);
	cr_assert_eq(repo_fetch(&pol, &pkg), 0, "%s", err_msg());
	new_pack_objects(before);
	/* What the new commits reach and the store did not have: the file
	 * back to its first content is not sent again. */
	sh("cd %s/work && git rev-list --objects deploy v2.0 --not %s | cut -d' ' -f1 | sort | "
	   "comm -23 - %s.had >%s.want && test $(wc -l <%s.want) -gt 20 && "
	   "test $(git rev-list --objects deploy v2.0 --not %s | wc -l) -gt $(wc -l <%s.want) && "
	   "cmp %s.want %s.new",
	   dir, old, before, before, before, old, before, before, before);
	sh("git --git-dir=%s fsck --strict --no-dangling --no-progress", store);
	sh("test \"$(git --git-dir=%s rev-parse refs/obsenv/fetched/deploy v2.0)\" = "
	   "\"$(git --git-dir=%s rev-parse deploy v2.0)\"", store, remote);
}

/* A pack bomb of ten million names: one blob in a tree named ten times at
 * each of seven levels. The fetch reads each tree once (in seconds, not
 * hours) and packs each object once: the commit, its tree, the seven
 * trees below and the blob. */
Test(localfetch, a_tree_named_ten_million_times_is_read_once, .timeout = 20)
{
	char before[160];

	snprintf(before, sizeof before, "%s/before", dir);
	cr_assert_eq(repo_start(&pol, REPO_WRITE), 0, "%s", err_msg());
	cr_assert_eq(repo_fetch(&pol, &pkg), 0, "%s", err_msg());
	sh("ls %s/objects/pack/*.idx | xargs -n1 basename | sort >%s", store, before);
	sh("cd %s && sub=\"100644 blob $(echo bomb | git hash-object -w --stdin)\" && "
	   "for level in 1 2 3 4 5 6 7; do "
	   "sub=\"040000 tree $(for i in 0 1 2 3 4 5 6 7 8 9; do printf '%%s\\td%%d\\n' \"$sub\" $i; done | git mktree)\"; "
	   "done && tree=$({ git ls-tree deploy; printf '%%s\\tbomb\\n' \"$sub\"; } | git mktree) && "
	   "git update-ref refs/heads/deploy $(git -c user.name=b -c user.email=b@b commit-tree -p deploy -m bomb $tree)",
	   remote);
	cr_assert_eq(repo_fetch(&pol, &pkg), 0, "%s", err_msg());
	new_pack_objects(before);
	sh("test $(wc -l <%s.new) = 10", before);
	expect_same_refs();
}

/* A remote pack damaged in the middle, or cut short: refused in one line
 * naming the pack, and the store keeps no pack, index or temporary. */
static void damaged(const char *how)
{
	char names[512], pack[128], cmd[256];
	const char *msg;

	snprintf(cmd, sizeof cmd, "cd %s/objects/pack && ls pack-*.pack", remote);
	out(pack, sizeof pack, "%s", cmd);
	sh("cd %s/objects/pack && chmod u+w %s && %s%s", remote, pack, how, pack);
	cr_assert_eq(repo_start(&pol, REPO_WRITE), 0, "%s", err_msg());
	cr_assert_neq(repo_fetch(&pol, &pkg), 0);
	msg = err_msg();
	cr_expect(!strncmp(msg, "pkg: the remote's pack-", 23), "%s", msg);
	cr_expect(!strchr(msg, '\n'), "%s", msg);
	store_packs(names, sizeof names);
	cr_expect_str_eq(names, "");
	sh("test -z \"$(git --git-dir=%s for-each-ref)\"", store);
}

Test(localfetch, a_corrupted_pack_is_refused_and_leaves_nothing)
{
	/* Bytes in the middle of the compressed data. */
	damaged("printf 'garbagegarbage' | dd conv=notrunc bs=1 seek=2000 status=none of=");
}

Test(localfetch, a_truncated_pack_is_refused_and_leaves_nothing)
{
	damaged("truncate -s -100 ");
}

/* Packs over the limits are not copied; the minimal fetch then refuses
 * by the same limit, as it did before, and leaves no pack either. */
Test(localfetch, packs_over_the_limits_are_never_copied)
{
	char names[512];

	pol.max_objects = 20;
	cr_assert_eq(repo_start(&pol, REPO_WRITE), 0, "%s", err_msg());
	cr_assert_neq(repo_fetch(&pol, &pkg), 0);
	cr_expect(strstr(err_msg(), "more than max_objects (20)"), "%s", err_msg());
	store_packs(names, sizeof names);
	cr_expect_str_eq(names, "");
}

/* The packs fit, the loose objects on top do not: the limits are the
 * whole fetch's, and the copied pack goes again with the refusal. */
Test(localfetch, the_limits_count_the_copy_and_what_follows_it)
{
	char names[512], n[32], cmd[256];

	snprintf(cmd, sizeof cmd, "git --git-dir=%s count-objects -v | sed -n 's/^in-pack: //p'", remote);
	out(n, sizeof n, "%s", cmd);
	pol.max_objects = (unsigned int)atoi(n) + 1;
	sh("cd %s/work && echo l >l && git add l && git -c user.name=t -c user.email=t@t commit -qm l && "
	   "git push -q %s deploy", dir, remote);
	cr_assert_eq(repo_start(&pol, REPO_WRITE), 0, "%s", err_msg());
	cr_assert_neq(repo_fetch(&pol, &pkg), 0);
	cr_expect(strstr(err_msg(), "more than max_objects"), "%s", err_msg());
	store_packs(names, sizeof names);
	cr_expect_str_eq(names, "");
}

/* Twenty pulls' worth of small packs (a commit and what it adds, each in
 * a pack of its own) are merged into one by repo_merge_packs: every
 * object is still there, the store is whole, and no merged pack's file
 * is left. The pack the first fetch copied, with the history, stays as it
 * was. With sixteen or fewer small packs nothing is done. */
Test(localfetch, small_packs_are_merged_into_one)
{
	char names[4096], first[256], kept[256];
	size_t merged = 99;

	cr_assert_eq(repo_start(&pol, REPO_WRITE), 0, "%s", err_msg());
	cr_assert_eq(repo_fetch(&pol, &pkg), 0, "%s", err_msg());
	store_packs(first, sizeof first);
	sh("cd %s/work && for i in $(seq 16); do echo p$i >p$i; git add p$i; "
	   "git -c user.name=t -c user.email=t@t commit -qm p$i; "
	   "git rev-list --objects HEAD^..HEAD | cut -d' ' -f1 | git pack-objects -q %s/objects/pack/pack >/dev/null; "
	   "done", dir, store);
	cr_assert_eq(repo_merge_packs(&pol, &pkg, &merged), 0, "%s", err_msg());
	cr_expect_eq(merged, 0, "16 small packs were merged");
	sh("test $(ls %s/objects/pack/*.pack | wc -l) = 17", store);
	sh("cd %s/work && for i in $(seq 17 20); do echo p$i >p$i; git add p$i; "
	   "git -c user.name=t -c user.email=t@t commit -qm p$i; "
	   "git rev-list --objects HEAD^..HEAD | cut -d' ' -f1 | git pack-objects -q %s/objects/pack/pack >/dev/null; "
	   "done", dir, store);
	store_packs(names, sizeof names);
	/* A pack whose index is gone (a merge killed between the unlinks) is
	 * left alone and does not stop the merge. */
	sh("cd %s/objects/pack && p=$(ls pack-*.pack | tail -1) && cp $p orphan && "
	   "mv orphan pack-0000000000000000000000000000000000000000.pack", store);
	cr_assert_eq(repo_merge_packs(&pol, &pkg, &merged), 0, "%s", err_msg());
	cr_expect_eq(merged, 20, "merged %zu of 20 small packs", merged);
	sh("rm %s/objects/pack/pack-0000000000000000000000000000000000000000.pack", store);
	sh("test $(ls %s/objects/pack/*.pack | wc -l) = 2 && test $(ls %s/objects/pack | wc -l) = 4", store, store);
	str_copy(kept, sizeof kept, first);
	for (char *n = strtok(kept, " "); n; n = strtok(NULL, " "))
		sh("test -e %s/objects/pack/%s", store, n);
	/* Every object of the twenty commits, and the history below them. */
	sh("cd %s/work && git rev-list --objects HEAD | cut -d' ' -f1 | "
	   "git --git-dir=%s cat-file --batch-check | grep -v missing >/dev/null && "
	   "! git rev-list --objects HEAD | cut -d' ' -f1 | git --git-dir=%s cat-file --batch-check | grep -q missing",
	   dir, store, store);
	sh("git --git-dir=%s fsck --strict --no-progress --no-dangling", store);
	for (char *n = strtok(names, " "); n; n = strtok(NULL, " "))
		if (!strstr(first, n))
			sh("test ! -e %s/objects/pack/%s", store, n);
}

/* What is not a version 2 pack index stops a merge before it writes. */
Test(localfetch, an_index_that_is_not_one_is_refused)
{
	char path[160], cmd[256], idx[128];
	unsigned char *ids = NULL;
	size_t n = 0;
	int fd;

	snprintf(cmd, sizeof cmd, "ls %s/objects/pack/pack-*.idx", remote);
	out(idx, sizeof idx, "%s", cmd);
	fd = open(idx, O_RDONLY);
	cr_assert(fd >= 0, "%s", idx);
	cr_assert_eq(repack_idx_names(fd, &ids, &n), 0, "%s", err_msg());
	close(fd);
	cr_expect(n > 40, "a real index names %zu objects", n);
	free(ids);
	snprintf(path, sizeof path, "%s/short.idx", dir);
	sh("head -c 2000 %s >%s", idx, path);
	fd = open(path, O_RDONLY);
	cr_assert(fd >= 0);
	cr_expect_eq(repack_idx_names(fd, &ids, &n), E_FAIL, "a truncated index was read");
	cr_expect(strstr(err_msg(), "shorter than"), "%s", err_msg());
	close(fd);
	sh("printf 'PACK\\0\\0\\0\\2' >%s && head -c 2000 %s | tail -c +9 >>%s", path, idx, path);
	fd = open(path, O_RDONLY);
	cr_assert(fd >= 0);
	cr_expect_eq(repack_idx_names(fd, &ids, &n), E_FAIL, "a pack read as an index");
	cr_expect(strstr(err_msg(), "version 2"), "%s", err_msg());
	close(fd);
	/* A fan-out that goes down. */
	sh("cp %s %s && chmod u+w %s && printf '\\377\\377\\377\\377' | dd of=%s bs=1 seek=8 conv=notrunc 2>/dev/null",
	   idx, path, path, path);
	fd = open(path, O_RDONLY);
	cr_assert(fd >= 0);
	cr_expect_eq(repack_idx_names(fd, &ids, &n), E_FAIL, "a fan-out going down was read");
	close(fd);
}
