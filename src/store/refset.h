/* The refs under a prefix of a repository ("refs/tags/"), read without
 * libgit2: what packed-refs has, overridden by the loose refs. */
#ifndef OBSENV_REFSET_H
#define OBSENV_REFSET_H

#include <stddef.h>

#include "core/err.h"
#include "core/str.h"

struct refent {
	char name[REF_MAX_LEN + 1];
	char id[41];
	unsigned char loose; /* wins over a packed ref of its name */
};
struct refset {
	struct refent *e; /* sorted by name */
	size_t n, cap;
};

/* E_FAIL for anything this reader does not take for certain (a symbolic
 * ref, a symlink, a name too long, too many refs): the caller asks
 * libgit2 instead. */
MUST_USE int refset_read(int repofd, const char *prefix, struct refset *out);
/* Reads lines "<40 hex> <name>\n", names in strictly increasing order
 * (as refset_format writes them); E_FAIL on anything else. */
MUST_USE int refset_parse(const char *text, size_t len, struct refset *out);
/* The lines refset_parse reads, in *text (to be freed), *len bytes. */
MUST_USE int refset_format(const struct refset *s, char **text, size_t *len);
/* The id refname has in s, or NULL. */
const char *refset_find(const struct refset *s, const char *name);
void refset_free(struct refset *s);

#endif
