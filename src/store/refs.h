/* Reading a ref's value from a repository without libgit2, so that the
 * rollback path can check a pinned tag without loading a git library. */
#ifndef OBSENV_REFS_H
#define OBSENV_REFS_H

#include <stddef.h>

#include "core/err.h"

/* Looks refname ("refs/tags/v1") up in the repository directory repofd:
 * the loose ref first, then packed-refs. Returns 0 with the 40-hex object
 * id it names (not peeled), R_ABSENT if there is no such ref, or E_FAIL. */
MUST_USE int refs_read(int repofd, const char *refname, char out[41]);

/* The most of packed-refs that is read. */
#define REFS_PACKED_MAX ((size_t)64 * 1024 * 1024)
/* Reads the regular file dfd/name (no symlink followed) into *buf, NUL-
 * terminated, allocated to its size (under max), to be freed. 0, R_ABSENT
 * if there is no such file, or E_FAIL. */
MUST_USE int refs_read_file(int dfd, const char *name, size_t max, char **buf, size_t *len);

#endif
