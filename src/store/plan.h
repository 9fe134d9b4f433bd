/* What rollback would do with each package, decided from small files
 * only (the base file, pins/, trees/, the store's tag refs): no lock, no
 * libgit2. rollback acts on the plan; status --check reports it, so that
 * the question a monitor asks is the very one rollback will answer. */
#ifndef OBSENV_PLAN_H
#define OBSENV_PLAN_H

#include "store/basefile.h"
#include "store/store.h"
#include "core/err.h"

#define PLAN_MSG_MAX 600

/* Something a reader should know although the package still goes to a
 * verified base: key is the audit key ("unverified", "tag_moved",
 * "tag_unchecked"), note its value for machines. */
struct plan_note {
	const char *key;
	char msg[PLAN_MSG_MAX];
	char note[2 * OID_HEX + 8];
};

struct plan {
	/* The last verified base pin ("" when none); its tree is there
	 * unless why says otherwise. */
	char commit[OID_HEX + 1];
	char tag[REF_MAX_LEN + 1];
	/* When the package cannot go to a verified base: why ("" when it can)
	 * and a short key for it ("no_pin", "tree_missing"). */
	char why[400];
	const char *problem;
	struct plan_note notes[2];
	size_t nnotes;
};

/* Plans every policy package into plans[] (policy order); pins[] gets the
 * base file's pins. base_err is "" when the base file can be used, else
 * why not: then the last verified pins stand for every package. */
void plan_all(struct store *s, struct pin *pins, struct plan *plans, char *base_err, size_t size);

#endif
