#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act/act.h"
#include "door/audit.h"
#include "core/err.h"
#include "store/freeze.h"
#include "store/gen.h"
#include "git/repo.h"
#include "store/store.h"

#define FAILED_MAX 1024

/* Which packages to pull: those named, or all; unknown names are refused
 * before anything is fetched. */
static int select_pkgs(const struct policy *p, const struct request *req, bool *want)
{
	for (size_t i = 0; i < p->npkgs; i++)
		want[i] = req->nops == 0;
	for (int j = 0; j < req->nops; j++) {
		const struct package *k = act_package(p, req->ops[j]);

		if (!k)
			return err_set(E_USAGE, "pull: unknown package '%.64s' (see 'obsenv status')",
				       req->ops[j]);
		want[k - p->pkgs] = true;
	}
	return 0;
}

/* One package: fetch, materialize the new head into n if the environment
 * follows the deploy branch, then move that branch fast-forward only. The
 * branch moves last, so that a head that cannot be materialized (a pack
 * bomb, a full disk) leaves the store as it was. Returns 1 when n changed. */
static int pull_one(const struct policy *p, const struct package *k, struct gen_pkg *n, bool dry)
{
	char old[OID_HEX + 1], now[OID_HEX + 1], audit[2 * OID_HEX + 8];
	bool forced, moves;
	int r;

	if ((r = repo_fetch(p, k)))
		return r;
	if ((r = repo_advance_deploy(p, k, false, old, now, &forced))) {
		if (forced) {
			char key[NAME_MAX_LEN + 16];

			snprintf(key, sizeof key, "force_pushed.%s", k->name);
			snprintf(audit, sizeof audit, "%s..%s", old, now);
			audit_note(key, audit);
		}
		return r;
	}
	moves = n && n->follows && strcmp(n->commit, now) != 0;
	if (!n || !n->follows)
		printf("%s: fetched; %s%s\n", k->name, !strcmp(old, now) ? "nothing new" : "deploy moved",
		       n ? ", but the package does not follow deploy and stays put" : "");
	else if (!moves)
		printf("%s: up to date (%.10s)\n", k->name, now);
	else
		printf("%s: %.10s -> %.10s (%s)%s\n", k->name, n->commit, now, k->deploy_branch,
		       dry ? " [dry run]" : "");
	if (dry)
		return moves ? repo_check_limits(p, k, now) : 0;
	if (moves && (r = repo_materialize(p, k, now)))
		return r;
	if (strcmp(old, now) != 0 && (r = repo_advance_deploy(p, k, true, old, now, &forced)))
		return r;
	if (!moves)
		return 0;
	audit_change(k->name, n->commit, now);
	str_copy(n->commit, sizeof n->commit, now);
	return 1;
}

int act_pull(const struct act_ctx *ctx)
{
	const struct policy *p = ctx->pol;
	const struct caller *c = ctx->who;
	const struct request *req = ctx->req;
	struct store s = { .root = -1, .lock = -1 };
	struct generation cur = { 0 }, next = { 0 };
	bool *want = calloc(p->npkgs ? p->npkgs : 1, sizeof *want);
	char failed[FAILED_MAX] = "";
	size_t moved = 0, nfailed = 0, tried = 0;
	int r;

	if (!want)
		return err_oom();
	/* Even a dry run fetches into the store: it takes the lock. */
	if ((r = select_pkgs(p, req, want)) || (r = act_open_store(&s, p, c, "pull", false, true)) ||
	    (r = store_current_required(&s, &cur)))
		goto out;
	if ((r = freeze_check(&s))) {
		/* The timer (the owner itself, not a person through sudo) is
		 * told by the exit status alone; the journal has the audit. */
		if (r == E_FROZEN && !c->via_sudo && !strcmp(c->real.name, p->owner))
			err_quiet();
		goto out;
	}
	if ((r = repo_start(p, REPO_WRITE)))
		goto out;
	if (!(next.pkgs = calloc(cur.npkgs + 1, sizeof *next.pkgs))) {
		r = err_oom();
		goto out;
	}
	memcpy(next.pkgs, cur.pkgs, cur.npkgs * sizeof *cur.pkgs);
	next.npkgs = cur.npkgs;
	for (size_t i = 0; i < p->npkgs; i++) {
		const struct package *k = &p->pkgs[i];
		struct gen_pkg *n = NULL;
		int one;

		if (!want[i])
			continue;
		tried++;
		for (size_t j = 0; j < next.npkgs; j++)
			if (!strcmp(next.pkgs[j].name, k->name))
				n = &next.pkgs[j];
		fflush(stdout);
		/* One failing remote does not stop the others. */
		if ((one = pull_one(p, k, n, req->dry_run)) < 0) {
			size_t len = strlen(failed);
			char key[NAME_MAX_LEN + 16];

			fprintf(stderr, "obsenv: %s\n", err_msg());
			snprintf(key, sizeof key, "failed.%s", k->name);
			audit_note(key, err_msg());
			snprintf(failed + len, sizeof failed - len, "%s%s", nfailed ? ", " : "", k->name);
			nfailed++;
			continue;
		}
		moved += (size_t)one;
	}
	if (moved && !req->dry_run) {
		act_stamp(&next, c, "pull");
		if ((r = store_switch(&s, &next)))
			goto out;
		printf("generation %lu is current (%zu package%s moved)\n", next.number, moved,
		       moved == 1 ? "" : "s");
	} else if (!nfailed) {
		printf("%s: nothing changed (generation %lu is current)\n",
		       req->dry_run ? "dry run" : "nothing new", cur.number);
	}
	/* Also when nothing moved: the timer's pull trims what rollbacks added. */
	if (!req->dry_run)
		act_gc(&s, p);
	act_verify_due(&s, req->dry_run);
	if (nfailed)
		r = err_set(E_FAIL, "pull: %zu of %zu package%s failed: %s%s", nfailed, tried,
			    tried == 1 ? "" : "s", failed, moved ? " (the others moved)" : "");
out:
	gen_free(&cur);
	gen_free(&next);
	free(want);
	store_close(&s);
	return r;
}
