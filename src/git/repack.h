/* Merging the small packs pulls leave in a store (git/repack.c). */
#ifndef OBSENV_GIT_REPACK_H
#define OBSENV_GIT_REPACK_H

#include <stddef.h>
#include <sys/types.h>

#include "policy/policy.h"
#include "core/err.h"

/* A small pack is under an eighth of the store's largest, and under this. */
#define SMALL_PACK_BYTES ((off_t)16 << 20)
/* The most bytes of packs one merge takes. */
#define MERGED_BYTES_MAX ((off_t)64 << 20)
/* More small packs than this are merged into one. */
#define SMALL_PACKS_MAX 16
/* The most packs one merge takes; the rest wait for the next. */
#define PACKS_MERGED_MAX 4096

/* When the package's store has more than SMALL_PACKS_MAX small packs,
 * writes their objects as one pack and removes them; *merged is how many
 * went (0: nothing to do). Under the work lock, after a fetch. On failure
 * every small pack is still there. */
MUST_USE int repo_merge_packs(const struct policy *p, const struct package *k, size_t *merged);
/* The object names a pack index (version 2) lists, raw, 20 bytes each,
 * in *out (to be freed), after checking it is one: the magic, a fan-out
 * that never goes down, and a size that holds what the fan-out counts. */
MUST_USE int repack_idx_names(int fd, unsigned char **out, size_t *count);

#endif
