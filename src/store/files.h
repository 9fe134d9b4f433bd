/* The file store of a package, repos/<pkg>.git/files (built by
 * git/build.c): one read-only copy of every file a tree has, which the
 * trees share by hard links. */
#ifndef OBSENV_STORE_FILES_H
#define OBSENV_STORE_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"

/* Removes the copies no tree links to any more (a link count of one: the
 * store's own name), after trees were removed. *freed: how many. */
MUST_USE int store_prune_files(struct store *s, const char *pkg, size_t *freed);
/* Whether the open file store fd may still have copies in the older
 * layout, files/ab/cdef... (one fstat). */
bool store_files_layout_old(int fd);
/* Moves such copies to their names in the flat layout, files/abcdef...,
 * keeping each inode, so that an upgraded store's trees go on sharing
 * them. Best effort: a copy left behind is written again when needed. */
void store_files_flatten(int fd);

#endif
