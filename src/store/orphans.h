/* Packages the store holds that the policy no longer names. */
#ifndef OBSENV_STORE_ORPHANS_H
#define OBSENV_STORE_ORPHANS_H

#include "store/store.h"

/* More than this many dropped packages at once is no store obsenv made. */
#define ORPHANS_MAX 256

struct orphans {
	size_t n;
	struct {
		char name[NAME_MAX_LEN + 1];
	} pkg[ORPHANS_MAX];
};

/* Every package name with a repos/<name>.git or trees/<name> that the
 * policy does not name. E_FAIL. */
MUST_USE int store_orphans(struct store *s, struct orphans *o);
/* Removes trees/<pkg>, repos/<pkg>.git and pins/<pkg> of a package the
 * policy does not name. Call only under the work lock, and only for a
 * package no kept generation names. E_FAIL. */
MUST_USE int store_remove_package(struct store *s, const char *pkg);

#endif
