#include "store/plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "store/pins.h"

static void note(struct plan *t, const char *key, const char *value, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void note(struct plan *t, const char *key, const char *value, const char *fmt, ...)
{
	struct plan_note *n;
	va_list ap;

	if (t->nnotes >= sizeof t->notes / sizeof *t->notes)
		return;
	n = &t->notes[t->nnotes++];
	n->key = key;
	va_start(ap, fmt);
	vsnprintf(n->msg, sizeof n->msg, fmt, ap);
	va_end(ap);
	str_copy(n->note, sizeof n->note, value);
}

/* The tag must still point where it pointed when the pin was verified. If
 * it moved, the verified commit is still the base: rollback goes to it,
 * and says so loudly, for the tag name now means something else. */
static void check_tag(struct store *s, const struct package *k, const struct verified_pin *v,
		      struct plan *t)
{
	char now[OID_HEX + 1], was[2 * OID_HEX + 8];
	int r;

	if (!v->tag[0])
		return;
	if ((r = pins_tag_now(s, k->name, v, now)) < 0) {
		note(t, "tag_unchecked", v->tag,
		     "%s: the repository is missing, so tag %s could not be checked; rolled back to the "
		     "pinned commit %.10s", k->name, v->tag, v->commit);
		return;
	}
	if (r == 0 && strcmp(now, v->tagref) == 0)
		return;
	snprintf(was, sizeof was, "%s..%s", v->tagref, r == 0 ? now : "gone");
	note(t, "tag_moved", was,
	     "%s: TAG MOVED: %s pointed to %s when it was pinned and now %s %s; rolled back to the "
	     "pinned commit %s anyway: a maintainer should re-pin it",
	     k->name, v->tag, v->tagref, r == 0 ? "points to" : "is", r == 0 ? now : "gone", v->commit);
}

/* pin: the base file's pin, or NULL when the base file cannot be used. */
static void plan_one(struct store *s, const struct package *k, const struct pin *pin, struct plan *t)
{
	struct verified_pin v;
	int r = pin && pin->commit[0] ? pins_read(s, k->name, pin->commit, &v) : R_ABSENT;
	bool verified = r == 0 && pin && !strcmp(v.commit, pin->commit) && !strcmp(v.tag, pin->tag);

	memset(t, 0, sizeof *t);
	if (!verified && pins_read(s, k->name, NULL, &v) != 0) {
		t->problem = "no_pin";
		snprintf(t->why, sizeof t->why, "%s: no verified base pin (run 'obsenv init' or 'obsenv pin')",
			 k->name);
		return;
	}
	if (!verified && pin)
		note(t, "unverified", pin->commit,
		     "%s: the base file's pin %s%s%.10s has not been verified: rolled back to the last "
		     "verified pin %s%s%.10s; a maintainer should re-pin it or run 'obsenv init'",
		     k->name, pin->tag, pin->tag[0] ? " " : "", pin->commit, v.tag, v.tag[0] ? " " : "",
		     v.commit);
	str_copy(t->commit, sizeof t->commit, v.commit);
	str_copy(t->tag, sizeof t->tag, v.tag);
	/* Before the tree: rollback may rebuild a missing one, and the tag
	 * must have been checked all the same. */
	check_tag(s, k, &v, t);
	if (!store_has_tree(s, k->name, v.commit)) {
		t->problem = "tree_missing";
		snprintf(t->why, sizeof t->why, "%s: the tree of base pin %.10s is missing (run 'obsenv "
			 "verify --repair')", k->name, v.commit);
	}
}

void plan_all(struct store *s, struct pin *pins, struct plan *plans, char *base_err, size_t size)
{
	const struct policy *p = s->pol;
	bool base_ok = basefile_load(p, pins) == 0;

	/* Before plan_one: a damaged pin record would replace the message. */
	snprintf(base_err, size, "%s", base_ok ? "" : err_msg());
	for (size_t i = 0; i < p->npkgs; i++)
		plan_one(s, &p->pkgs[i], base_ok ? &pins[i] : NULL, &plans[i]);
}
