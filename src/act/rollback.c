#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act/act.h"
#include "door/audit.h"
#include "core/err.h"
#include "store/gen.h"
#include "store/plan.h"
#include "store/store.h"

/* Rollback is the door observers need at 3 a.m.: it never refuses as a
 * whole because of one package. Each package goes to a verified base tree
 * if it has one; the ones that cannot are named and stay where they are,
 * and the exit status (7) says the switch was partial. Small file reads
 * only (store/plan.c, which status --check shares): it works with the
 * network down and without libgit2, which is loaded only to rebuild a
 * base tree found missing (act/basetrees.c). */

int act_rollback(const struct act_ctx *ctx)
{
	const struct policy *p = ctx->pol;
	const struct caller *c = ctx->who;
	const struct request *req = ctx->req;
	struct store s = STORE_INIT;
	struct generation cur = { 0 }, next = { 0 };
	struct pin *pins = calloc(p->npkgs, sizeof *pins);
	struct plan *tg = calloc(p->npkgs, sizeof *tg);
	char old[256], names[512] = "", base_err[512];
	size_t changed = 0, stayed = 0;
	int r;

	if (!pins || !tg || !(next.pkgs = calloc(p->npkgs, sizeof *next.pkgs))) {
		r = err_oom();
		goto out;
	}
	if ((r = act_open_store(&s, p, c, "rollback", req->dry_run, LOCK_SWITCH, false)))
		goto out;
	if ((r = store_current_required(&s, &cur)))
		goto out;
	/* Every package is planned before anything is said or done. A base
	 * file edited by hand, or missing a package just added to the policy,
	 * must not lock observers out: the pins verified last stand. */
	plan_all(&s, pins, tg, base_err, sizeof base_err);
	if (base_err[0]) {
		char msg[700];

		snprintf(msg, sizeof msg, "the base file cannot be used (%s): rolling back to the last "
			 "verified pins", base_err);
		act_warn("warning.basefile", msg, NULL);
	}
	/* A missing base tree is made again from the object store, offline,
	 * so that the package can still go to its base (loudly). */
	for (size_t i = 0; i < p->npkgs; i++) {
		const char *prob = tg[i].problem;

		if (!prob || strcmp(prob, "tree_missing") != 0)
			continue;
		if (act_rebuild_tree(&s, &p->pkgs[i], tg[i].commit, req->dry_run) == 0) {
			tg[i].why[0] = '\0';
			tg[i].problem = NULL;
		} else {
			snprintf(tg[i].why, sizeof tg[i].why, "%s: the tree of base pin %.10s is missing and "
				 "was not rebuilt (%.200s)", p->pkgs[i].name, tg[i].commit, err_msg());
		}
	}
	for (size_t i = 0; i < p->npkgs; i++)
		for (size_t j = 0; j < tg[i].nnotes; j++) {
			char key[NAME_MAX_LEN + 32];

			snprintf(key, sizeof key, "%s.%s", tg[i].notes[j].key, p->pkgs[i].name);
			act_warn(key, tg[i].notes[j].msg, tg[i].notes[j].note);
		}
	for (size_t i = 0; i < p->npkgs; i++) {
		const struct package *k = &p->pkgs[i];
		const struct gen_pkg *was = gen_find(&cur, k->name);
		struct gen_pkg *n = &next.pkgs[next.npkgs];

		if (tg[i].why[0]) {
			char key[NAME_MAX_LEN + 16];

			fprintf(stderr, "obsenv: %s; it stays %s\n", tg[i].why, was ? "where it is" : "out");
			snprintf(key, sizeof key, "not_moved.%s", k->name);
			audit_note(key, tg[i].why);
			snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", stayed ? ", " : "",
				 k->name);
			stayed++;
			if (was)
				next.pkgs[next.npkgs++] = *was;
			continue;
		}
		next.npkgs++;
		str_copy(n->name, sizeof n->name, k->name);
		str_copy(n->commit, sizeof n->commit, tg[i].commit);
		n->source = SRC_BASE;
		str_copy(n->ref, sizeof n->ref, tg[i].tag);
		n->follows = false;
		if (was && !strcmp(was->commit, n->commit) && was->source == SRC_BASE && !was->follows)
			continue;
		changed++;
		old[0] = '\0';
		if (was)
			store_tree_name(&s, k->name, was->commit, old, sizeof old);
		printf("%s: %.10s (%s) -> %.10s (%s)\n", k->name, was ? was->commit : "none",
		       old[0] ? old : "?", n->commit, n->ref[0] ? n->ref : "base commit");
		if (!req->dry_run)
			audit_change(k->name, was ? was->commit : "", n->commit);
	}
	if (!changed)
		printf("already on the base environment (generation %lu): nothing changed\n", cur.number);
	else if (req->dry_run)
		printf("dry run: %zu package%s would change; nothing changed\n", changed,
		       changed == 1 ? "" : "s");
	else {
		act_stamp(&next, c, "rollback");
		if ((r = store_switch(&s, &next)))
			goto out;
		audit_generation(next.number);
		printf("rolled back %zu package%s: generation %lu is current\n", changed,
		       changed == 1 ? "" : "s", next.number);
	}
	if (stayed)
		r = err_set(E_PARTIAL, "rollback: %zu of %zu package%s could not be put on a verified base: %s",
			    stayed, p->npkgs, p->npkgs == 1 ? "" : "s", names);
out:
	gen_free(&cur);
	gen_free(&next);
	free(pins);
	free(tg);
	store_close(&s);
	return r;
}
