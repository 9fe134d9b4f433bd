/* Everything obsenv asks of git, through libgit2. This is the only file
 * that includes <git2.h>, and libgit2 is loaded with dlopen(3) only when an
 * action calls repo_start(): after the drop, under seccomp, and never on
 * the rollback or status path, which must not pay for loading it.
 *
 * Git hygiene: no configuration is read (system, global and XDG search
 * paths are empty, and each repository's own config is replaced by an
 * empty in-memory one, so no insteadOf, proxy, sshCommand or include from
 * any file applies); repositories are opened by path without discovery;
 * the remote URL comes from the policy alone; no proxy; no submodule is
 * ever touched. */
#ifndef OBSENV_GIT_H
#define OBSENV_GIT_H

#include <stdbool.h>
#include <stdio.h>

#include "store/basefile.h"
#include "store/gen.h"
#include "policy/policy.h"
#include "core/err.h"

/* REPO_READ: the action only looks (diff, status, a dry run). It may run
 * without the lock, so it writes nothing in the store, not even the
 * config reset; the in-memory empty config still keeps the file's
 * settings from steering libgit2, which runs nothing from a config. Any
 * writing call then fails. REPO_WRITE: under the lock, the config file
 * is rewritten before every open too. */
enum repo_mode { REPO_READ, REPO_WRITE };
/* Loads and initializes libgit2 (once), then holds the process to the
 * policy's max_memory_mib. */
MUST_USE int repo_start(const struct policy *p, enum repo_mode mode);
/* Creates or opens <root>/repos/<pkg>.git and fetches the deploy branch
 * and tags from the package's remote. */
MUST_USE int repo_fetch(const struct policy *p, const struct package *k);
/* The commit the package's deploy branch points to in the store. */
MUST_USE int repo_deploy_head(const struct policy *p, const struct package *k, char out[OID_HEX + 1]);
/* Verifies that the pin's tag (if any) resolves to its commit and that the
 * commit exists; tagref receives what refs/tags/<tag> points to (the tag
 * object for an annotated tag), for later checks without libgit2. */
MUST_USE int repo_verify_pin(const struct policy *p, const struct package *k, const struct pin *pin,
		   char tagref[OID_HEX + 1]);
/* Checks commit out into <root>/trees/<pkg>/<commit> (a read-only
 * worktree with a detached HEAD) unless it is there already. */
MUST_USE int repo_materialize(const struct policy *p, const struct package *k, const char *commit);
/* What repo_materialize checks first (the policy's limits on files and
 * sizes), for a dry run to report the refusal the real run would meet. */
MUST_USE int repo_check_limits(const struct policy *p, const struct package *k, const char *commit);
/* Files of the tree that differ from the commit (0 if none) in *count;
 * each of them (changed, added or removed), in git's order, is passed to
 * each (if not NULL) until it returns false: a caller keeps what it
 * will show, and the path is valid only during the call. */
typedef bool repo_drift_fn(void *arg, const char *path);
MUST_USE int repo_drift(const struct policy *p, const struct package *k, const char *commit, size_t *count,
			repo_drift_fn *each, void *arg);
/* When the tree differs from its commit (*files is how many files do; 0:
 * nothing done), builds it again from the object store beside it and
 * swaps the two with one renameat2(RENAME_EXCHANGE), then removes the old
 * one (git/repair.c). */
MUST_USE int repo_repair(const struct policy *p, const struct package *k, const char *commit, size_t *files);

/* What a name on the command line means for a package: "deploy" (its
 * deploy branch), a tag, or a commit id of 7 to 40 hex digits. */
struct repo_target {
	char commit[OID_HEX + 1];
	enum source source; /* SRC_DEPLOY, SRC_TAG or SRC_COMMIT */
	char ref[REF_MAX_LEN + 1]; /* the branch or tag; "" for a commit */
};
MUST_USE int repo_resolve(const struct policy *p, const struct package *k, const char *name,
		struct repo_target *t);
/* The commit a full ref name (refs/tags/x, refs/heads/x) points to;
 * R_ABSENT when there is no such ref. */
MUST_USE int repo_ref_commit(const struct policy *p, const struct package *k, const char *ref,
		   char out[OID_HEX + 1]);
/* *yes: commit is ancestor or one of its descendants. */
MUST_USE int repo_descends(const struct policy *p, const struct package *k, const char *commit,
		 const char *ancestor, bool *yes);
/* One line per commit reachable from to but not from (from may be NULL),
 * newest first, each after mark, at most max lines; *count is the number of
 * commits. */
MUST_USE int repo_log(const struct policy *p, const struct package *k, const char *from, const char *to,
	    const char *mark, size_t max, FILE *out, size_t *count);
/* After a fetch: moves the deploy branch to what was fetched (only checks,
 * unless move), fast-forward only. old and now receive both commits
 * (equal when nothing is new); *forced is set when the fetched commit does
 * not descend from the branch (a force-push), which is then refused
 * unless accept (a maintainer's pull --accept-rewrite for this package). */
MUST_USE int repo_advance_deploy(const struct policy *p, const struct package *k, bool move,
				 bool accept, char old[OID_HEX + 1], char now[OID_HEX + 1],
				 bool *forced);

#endif
