#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act/act.h"
#include "door/audit.h"
#include "core/err.h"
#include "store/freeze.h"
#include "store/gen.h"
#include "store/store.h"

/* A tree the generation needs and the store no longer has: only the
 * newest keep_trees generations keep theirs. It is made again from the
 * object store before anything switches; one that cannot be stops the
 * revert with nothing switched. */
static int rebuild(struct store *s, const struct package *k, const char *commit, bool dry_run)
{
	char key[NAME_MAX_LEN + 16];

	if (act_build_missing(s, k, commit, dry_run))
		return err_set(E_FAIL, "%s: the tree of %.12s is not kept and cannot be rebuilt: %s",
			       k->name, commit, err_msg());
	printf("%s: the tree of %.12s %s from the object store\n", k->name, commit,
	       dry_run ? "is not kept; it would be rebuilt" : "was not kept; rebuilt");
	if (dry_run)
		return 0;
	snprintf(key, sizeof key, "rebuilt.%s", k->name);
	audit_note(key, commit);
	return 0;
}

/* Makes a new generation with the packages as they were in an earlier
 * kept one (default: the one before the current): the undo for a bad
 * change. Needs no git when the trees are there: those of the newest
 * keep_trees generations always are. */
int act_revert(const struct act_ctx *ctx)
{
	const struct policy *p = ctx->pol;
	const struct caller *c = ctx->who;
	const struct request *req = ctx->req;
	struct store s = STORE_INIT;
	struct generation cur = { 0 }, old = { 0 }, next = { 0 };
	unsigned int want = 0;
	char action[24], to[24];
	size_t changed = 0, dropped = 0;
	int r;

	if (req->operand && str_to_id(req->operand, &want))
		return err_set(E_USAGE, "revert: '%.32s' is not a generation number", req->operand);
	if ((r = act_open_store(&s, p, c, "revert", req->dry_run, LOCK_WORK, false)))
		goto out;
	if ((r = store_current_required(&s, &cur)) || (r = freeze_check(&s)))
		goto out;
	if (!want) {
		/* The newest kept generation before the current one. */
		for (unsigned long n = cur.number - 1; n > 0 && !want; n--)
			if (store_read(&s, n, &old) == 0)
				want = (unsigned int)n;
		gen_free(&old);
		if (!want) {
			r = err_set(E_FAIL, "there is no generation before %lu to revert to", cur.number);
			goto out;
		}
	}
	/* The target, also when it was not named: "the one before". */
	snprintf(to, sizeof to, "%u", want);
	audit_note("revert_to", to);
	if (want == cur.number) {
		printf("generation %u is current already: nothing changed\n", want);
		goto out;
	}
	if (store_read(&s, want, &old)) {
		r = err_set(E_FAIL, "generation %u is not kept (keep_generations is %u)", want,
			    p->keep_generations);
		goto out;
	}
	if (!(next.pkgs = calloc(p->npkgs, sizeof *next.pkgs))) {
		r = err_oom();
		goto out;
	}
	for (size_t i = 0; i < p->npkgs; i++) {
		const struct gen_pkg *from = gen_find(&old, p->pkgs[i].name);
		const struct gen_pkg *was = gen_find(&cur, p->pkgs[i].name);

		/* A package the old generation did not have stays as it is. */
		if (!from && !(from = was))
			continue;
		if (!store_has_tree(&s, from->name, from->commit) &&
		    (r = rebuild(&s, &p->pkgs[i], from->commit, req->dry_run)))
			goto out;
		next.pkgs[next.npkgs++] = *from;
		if (was && !strcmp(was->commit, from->commit) && was->follows == from->follows &&
		    was->source == from->source)
			continue;
		changed++;
		printf("%s: %.10s -> %.10s (%s%s%s)\n", from->name, was ? was->commit : "none", from->commit,
		       gen_source_name(from->source), from->ref[0] ? " " : "", from->ref);
	}
	if (req->dry_run) {
		printf("dry run: reverting to generation %u would change %zu package%s; nothing changed\n",
		       want, changed, changed == 1 ? "" : "s");
		goto out;
	}
	/* The target goes into the record, for history. */
	snprintf(action, sizeof action, "revert-to-%u", want);
	if ((r = act_switch(&s, c, action, &cur, &next, &dropped)))
		goto out;
	if (next.number)
		printf("reverted to generation %u: generation %lu is current (%zu package%s changed)\n",
		       want, next.number, changed - dropped, changed - dropped == 1 ? "" : "s");
	else if (!dropped)
		printf("generation %u has what is current already: nothing changed\n", want);
	if (dropped)
		r = err_set(E_FAIL, "revert: %zu package%s changed by another run meanwhile stay%s as %s; %s",
			    dropped, dropped == 1 ? "" : "s", dropped == 1 ? "s" : "",
			    dropped == 1 ? "it is" : "they are",
			    next.number ? "the others were reverted" : "nothing switched");
	act_gc(&s, p, next.number ? TRASH_EARLIER : TRASH_ALL);
out:
	gen_free(&cur);
	gen_free(&old);
	gen_free(&next);
	store_close(&s);
	return r;
}
