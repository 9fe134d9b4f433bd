/* A small, strict YAML reader on top of libyaml's event parser: one
 * document of maps, sequences and scalars, and nothing else. Anchors,
 * aliases, tags, directives, duplicate keys, deep nesting and huge inputs
 * are errors, because every one of them has been used to make a config
 * file say something other than what its reviewer saw. */
#ifndef OBSENV_YTREE_H
#define OBSENV_YTREE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/diag.h"
#include "core/err.h"

#define YTREE_MAX_DEPTH 16
#define YTREE_MAX_NODES 100000

enum ykind { Y_SCALAR, Y_MAP, Y_SEQ };

struct ynode {
	enum ykind kind;
	size_t line, col;       /* 1-based */
	char *str;              /* scalars: NUL-terminated value */
	bool plain;             /* scalars: unquoted */
	struct ynode **kids;    /* maps: key, value, key, value, ... */
	size_t nkids;
};

/* Parses buf into *out (NULL for an empty document). Returns 0, or -1 with
 * the reasons in d. */
MUST_USE int ytree_parse(const char *buf, size_t len, struct diag *d, struct ynode **out);
void ytree_free(struct ynode *n);

/* Schema helpers: each adds a message to d and returns NULL/-1 on mismatch. */
const char *ynode_str(const struct ynode *n, struct diag *d, const char *what);
MUST_USE int ynode_uint(const struct ynode *n, struct diag *d, const char *what,
	       unsigned int min, unsigned int max, unsigned int *out);
bool ynode_is(const struct ynode *n, enum ykind kind, struct diag *d, const char *what);

#endif
