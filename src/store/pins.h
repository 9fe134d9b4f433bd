/* <root>/pins/<pkg>: the base pin of a package as last verified against
 * git (by init or pin), so that rollback can check it without libgit2:
 * the tag, the commit, and what refs/tags/<tag> pointed to then. The one
 * base file still names is kept as <pkg>.prev while pin changes it, so that
 * a run killed (or failing) between writing the record and the base file
 * leaves rollback a verified record of the pin the base file names. */
#ifndef OBSENV_PINS_H
#define OBSENV_PINS_H

#include "store/basefile.h"
#include "store/store.h"
#include "core/err.h"

struct verified_pin {
	char tag[REF_MAX_LEN + 1];
	char commit[OID_HEX + 1];
	char tagref[OID_HEX + 1];
};

/* base: the record of the pin the base file names now (pin), or NULL
 * (init, which verifies the base file's own pins). */
MUST_USE int pins_write(struct store *s, const char *pkg, const struct verified_pin *v,
	       const struct verified_pin *base);
/* The record for commit (the newest one if commit is NULL). Returns R_ABSENT if
 * there is none; a record for another commit is returned as found. */
MUST_USE int pins_read(struct store *s, const char *pkg, const char *commit, struct verified_pin *v);

/* Where refs/tags/<v->tag> points in pkg's store now (unpeeled, like
 * v->tagref), read without libgit2: 0, R_ABSENT when the tag is gone, or
 * E_FAIL when the repository cannot be read. */
MUST_USE int pins_tag_now(struct store *s, const char *pkg, const struct verified_pin *v,
			  char now[OID_HEX + 1]);

#endif
