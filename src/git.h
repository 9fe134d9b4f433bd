/* Everything obsenv asks of git, through libgit2. This is the only file
 * that includes <git2.h>, and libgit2 is loaded with dlopen(3) only when an
 * action calls git_start(): after the drop, under seccomp, and never on
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

#include "basefile.h"
#include "policy.h"

int git_start(void);
/* Creates or opens <root>/repos/<pkg>.git and fetches the deploy branch
 * and tags from the package's remote. */
int git_fetch_package(const struct policy *p, const struct package *k);
/* The commit the package's deploy branch points to in the store. */
int git_deploy_head(const struct policy *p, const struct package *k, char out[OID_HEX + 1]);
/* Verifies that the pin's tag (if any) resolves to its commit and that the
 * commit exists; tagref receives what refs/tags/<tag> points to (the tag
 * object for an annotated tag), for later checks without libgit2. */
int git_verify_pin(const struct policy *p, const struct package *k, const struct pin *pin,
		   char tagref[OID_HEX + 1]);
/* Checks commit out into <root>/trees/<pkg>/<commit> (a read-only
 * worktree with a detached HEAD) unless it is there already. */
int git_materialize(const struct policy *p, const struct package *k, const char *commit);
/* Files of the tree that differ from the commit (0 if none). */
int git_drift(const struct policy *p, const struct package *k, const char *commit, size_t *count);

#endif
