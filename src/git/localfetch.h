/* Fetching from a remote on a local path without libgit2's transport. */
#ifndef OBSENV_GIT_LOCALFETCH_H
#define OBSENV_GIT_LOCALFETCH_H

#include "git/priv.h"

/* Fetches into dest (the store) from the repository at
 * src_path what the store lacks of the deploy branch and the tags, within
 * the policy's limits, and sets refs/obsenv/fetched/<deploy> and
 * the tags (refs/tags/) as the remote has them. E_FAIL, naming the package. */
MUST_USE int repo_fetch_local(const struct policy *p, const struct package *k, git_repository *dest,
			      const char *src_path);

#endif
