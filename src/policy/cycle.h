/* The observatory's cycle build file (cycle/cycle.env): NAME=VALUE lines
 * and # comments, listing far more names than an environment has. Pure
 * parsing and the version -> tag-name mapping, for pin --import. */
#ifndef OBSENV_CYCLE_H
#define OBSENV_CYCLE_H

#include <stddef.h>

#include "core/diag.h"
#include "core/fs.h"
#include "core/str.h"
#include "core/err.h"

#define CYCLE_MAX_BYTES FS_TEXT_MAX
#define CYCLE_MAX_ENTRIES 4096
#define CYCLE_MAX_CANDIDATES 4

struct cycle_entry {
	char name[NAME_MAX_LEN + 1];
	char value[REF_MAX_LEN + 1];
	int line;
};

/* Every malformed line is a problem in d (all or nothing). *out is
 * malloc'ed. Returns 0 or -1. */
MUST_USE int cycle_parse(const char *buf, size_t len, struct diag *d, struct cycle_entry **out, size_t *n);
/* The tag names a version may have, in the order they are tried: the value
 * itself (w.2023.42), v<value>, and for a pre-release 0.28.63a1 both
 * v0.28.63.alpha.1 and v0.28.63-alpha.1 (b: beta, rc: rc). Only valid
 * ref names are returned. */
size_t cycle_candidates(const char *value, char out[][REF_MAX_LEN + 1], size_t max);

#endif
