/* The name of a commit by its nearest tag (git/describe.c). */
#ifndef OBSENV_GIT_DESCRIBE_H
#define OBSENV_GIT_DESCRIBE_H

#include <stddef.h>

#include "git/priv.h"

/* Writes to out what git describe --tags names commit by: "tag",
 * "tag-N-g<short id>", or the short id when no tag is below it. */
MUST_USE int repo_describe(git_repository *repo, git_object *commit, char *out, size_t size);

#endif
