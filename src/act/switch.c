/* The short end of every change. A change does its long work (fetching,
 * checking out, removing) under the work lock only, planned against the
 * generation that was current when it began; the switch lock is taken
 * here just to write the new generation and rename current. A rollback,
 * which takes only the switch lock, may have switched in between: the
 * plan is then made again on top of what is current, and no package that
 * someone changed meanwhile is changed back. A package an observer rolled
 * back stays on its base until someone asks for it again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act/act.h"
#include "core/err.h"
#include "door/audit.h"
#include "store/freeze.h"
#include "store/gen.h"
#include "store/store.h"

/* What this change did to one package, carried over onto now: applied
 * only where now still has the package as the plan found it. */
static int replan(const struct generation *base, const struct generation *now,
		  const struct generation *next, struct generation *out, size_t *dropped)
{
	char msg[400], key[NAME_MAX_LEN + 16];

	int r = gen_copy_pkgs(out, now, next->npkgs);

	if (r)
		return r;
	for (size_t i = 0; i < next->npkgs; i++) {
		const struct gen_pkg *want = &next->pkgs[i];
		const struct gen_pkg *was = gen_find(base, want->name);
		struct gen_pkg *have = gen_find_mut(out, want->name);

		if (gen_pkg_same(was, want))
			continue; /* not this change's: now's stands */
		if (!gen_pkg_same(was, have)) {
			snprintf(msg, sizeof msg, "%s: generation %lu (%s by %s) changed it while this %s ran; "
				 "it stays as that generation has it", want->name, now->number, now->action,
				 now->sudo_user[0] ? now->sudo_user : now->user, next->action);
			snprintf(key, sizeof key, "kept_newer.%s", want->name);
			act_warn(key, msg, NULL);
			(*dropped)++;
			continue;
		}
		if (have)
			*have = *want;
		else
			out->pkgs[out->npkgs++] = *want;
	}
	return 0;
}

int act_switch(struct store *s, const struct caller *c, const char *action,
	       const struct generation *base, struct generation *next, size_t *dropped)
{
	struct generation now = { 0 }, merged = { 0 };
	struct generation *use = next;
	bool have = false, moved = false;
	char who[160], earlier[256];
	int r;

	*dropped = 0;
	act_stamp(next, c, action);
	if ((r = store_lock(s, LOCK_SWITCH, act_who(c, action, who, sizeof who), earlier,
			    sizeof earlier)))
		return r;
	act_note_earlier("interrupted.switch", earlier);
	freeze_expire(s);
	/* A freeze made while this change worked stops it here. */
	if ((r = freeze_check(s)) || (r = store_current(s, &now, &have)))
		goto out;
	if (have && now.number != base->number) {
		if ((r = replan(base, &now, next, &merged, dropped)))
			goto out;
		act_stamp(&merged, c, action);
		use = &merged;
	}
	for (size_t i = 0; i < use->npkgs && !moved; i++)
		moved = !have || !gen_pkg_same(gen_find(&now, use->pkgs[i].name), &use->pkgs[i]);
	next->number = 0;
	if (!moved)
		goto out;
	if ((r = store_switch(s, use)))
		goto out;
	audit_generation(use->number);
	/* What the new generation changed, not what was planned: a package
	 * left as a rollback put it is no change of this action's. */
	for (size_t i = 0; i < use->npkgs; i++) {
		const struct gen_pkg *was = have ? gen_find(&now, use->pkgs[i].name) : NULL;

		if (!gen_pkg_same(was, &use->pkgs[i]))
			audit_change(use->pkgs[i].name, was ? was->commit : "", use->pkgs[i].commit);
	}
	if (use == &merged) {
		gen_free(next);
		*next = merged;
		merged.pkgs = NULL;
	}
out:
	store_unlock(s, LOCK_SWITCH);
	gen_free(&now);
	gen_free(&merged);
	return r;
}
