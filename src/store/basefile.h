/* The base environment: one pin (a commit, and usually the tag it came
 * from) per package. Written only by obsenv; the format is the one the
 * observatory's tooling and make-fixture write:
 *   packages:
 *     pkg: {tag: v0.30.2, commit: <40 hex>}
 */
#ifndef OBSENV_BASEFILE_H
#define OBSENV_BASEFILE_H

#include <sys/types.h>

#include "core/diag.h"
#include "policy/policy.h"
#include "core/err.h"

#define OID_HEX 40

struct pin {
	char tag[REF_MAX_LEN + 1]; /* "" for a bare commit */
	char commit[OID_HEX + 1];
};

/* Parses buf into pins[], one per policy package in policy order. Every
 * policy package must be pinned, no other package may be, and a tag must
 * match the package's tag pattern. Returns 0 or -1 with reasons in d. */
MUST_USE int basefile_parse(const char *buf, size_t len, const struct policy *p, struct diag *d,
		   struct pin *pins);
/* Reads and parses the policy's base_file (as the owner, after the drop). */
MUST_USE int basefile_load(const struct policy *p, struct pin *pins);
/* The same for a file the account owner keeps (basefile_load: this
 * process's euid, the owner account after the drop): the file and every
 * directory above it must be root's or owner's, writable by no one else. */
MUST_USE int basefile_load_as(const struct policy *p, uid_t owner, struct pin *pins);
MUST_USE int is_oid_hex(const char *s);
/* The base file for pins[] (policy order), in the format above. Returns a
 * malloc'ed string, or NULL when out of memory. */
char *basefile_format(const struct policy *p, const struct pin *pins, size_t *len);

#endif
