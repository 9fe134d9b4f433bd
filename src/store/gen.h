/* A generation: the complete state of the environment, one commit per
 * package, and who made it, when and how. Stored as a small text record
 * in generations/<N>/record so that reading it needs no library. */
#ifndef OBSENV_GEN_H
#define OBSENV_GEN_H

#include <stdbool.h>
#include <stddef.h>

#include "store/basefile.h"
#include "core/str.h"
#include "core/err.h"

/* 9999-12-31 23:59:59 UTC: any later time is not one obsenv wrote, and
 * some would not fit a struct tm. */
#define GEN_TIME_MAX 253402300799LL

enum source { SRC_BASE, SRC_TAG, SRC_COMMIT, SRC_DEPLOY };

struct gen_pkg {
	char name[NAME_MAX_LEN + 1];
	char commit[OID_HEX + 1];
	enum source source;
	char ref[REF_MAX_LEN + 1]; /* the tag or branch it came from; "-" for none */
	bool follows;              /* moves with the deploy branch on pull */
};

struct generation {
	unsigned long number;
	long long time;
	char user[ACCOUNT_MAX_LEN + 1];
	unsigned int uid;
	char sudo_user[ACCOUNT_MAX_LEN + 1]; /* "-" when not through sudo */
	char action[24];
	struct gen_pkg *pkgs;
	size_t npkgs;
};

const char *gen_source_name(enum source s);
/* Formats g into buf; returns the length, or -1 if it does not fit. */
MUST_USE int gen_format(const struct generation *g, char *buf, size_t size);
/* Parses a record; strict, since a record a maintainer edited by hand
 * must not steer a rollback. Returns 0 or E_FAIL. */
MUST_USE int gen_parse(const char *buf, struct generation *g);
void gen_free(struct generation *g);
/* The package called name in g, or NULL. */
const struct gen_pkg *gen_find(const struct generation *g, const char *name);
/* The same, for a generation being built. */
struct gen_pkg *gen_find_mut(struct generation *g, const char *name);
/* dst's packages become a copy of src's, in an array of its own with room
 * for extra more (what a change starts from); E_FAIL when out of memory. */
MUST_USE int gen_copy_pkgs(struct generation *dst, const struct generation *src, size_t extra);
/* Same commit, source, ref and following (both NULL: same too). */
bool gen_pkg_same(const struct gen_pkg *a, const struct gen_pkg *b);

#endif
