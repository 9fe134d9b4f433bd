#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act/act.h"
#include "door/audit.h"
#include "core/err.h"
#include "store/freeze.h"
#include "store/gen.h"
#include "store/lastpull.h"
#include "store/pins.h"
#include "git/repack.h"
#include "git/repo.h"
#include "store/store.h"
#include "store/sweeper.h"
#include "store/unchanged.h"

#define FAILED_MAX 1024

/* pull --accept-rewrite names one package this pull fetches. */
static int check_accept(const struct policy *p, const struct request *req, const bool *want)
{
	const struct package *k;

	if (!req->accept_rewrite)
		return 0;
	if (!(k = act_package(p, req->accept_rewrite)))
		return act_unknown_pkg(p, "pull: --accept-rewrite", req->accept_rewrite);
	if (!want[k - p->pkgs])
		return err_set(E_USAGE, "pull: --accept-rewrite %s: this pull does not fetch it", k->name);
	audit_note("reason", req->reason);
	return 0;
}

/* A fetch that moved a pinned tag: rollback still goes to the commit the
 * pin verified, but whoever pinned it should hear of it from the pull
 * that brought it, not from a rollback at 3 a.m. */
static void notice_moved_tag(struct store *s, const struct package *k)
{
	char now[OID_HEX + 1], note[2 * OID_HEX + 8], msg[512], key[NAME_MAX_LEN + 16];
	struct verified_pin v;
	int r;

	if (pins_read(s, k->name, NULL, &v) != 0 || !v.tag[0])
		return;
	if ((r = pins_tag_now(s, k->name, &v, now)) < 0 || (r == 0 && !strcmp(now, v.tagref)))
		return;
	snprintf(note, sizeof note, "%s..%s", v.tagref, r == 0 ? now : "gone");
	snprintf(key, sizeof key, "tag_moved.%s", k->name);
	snprintf(msg, sizeof msg, "%s: TAG MOVED: the remote's pinned tag %s pointed to %.10s when it "
		 "was pinned and now %s %.10s; rollback still goes to the pinned commit %.10s: a "
		 "maintainer should re-pin it", k->name, v.tag, v.tagref, r == 0 ? "points to" : "is",
		 r == 0 ? now : "gone", v.commit);
	act_warn(key, msg, note);
}

/* One package: fetch, materialize the new head into n if the environment
 * follows the deploy branch, then move that branch fast-forward only. The
 * branch moves last, so that a head that cannot be materialized (a pack
 * bomb, a full disk) leaves the store as it was. Returns 1 when n changed. */
/* A rewrite a maintainer accepted by name: loud, and in the record with
 * both commits and the reason. */
static void accepted(const struct package *k, const char *old, const char *now, const char *reason,
		     bool dry)
{
	char key[NAME_MAX_LEN + 24], note[2 * OID_HEX + 8], msg[600];

	snprintf(note, sizeof note, "%s..%s", old, now);
	snprintf(key, sizeof key, "rewrite_accepted.%s", k->name);
	snprintf(msg, sizeof msg, "%s: REWRITE %sACCEPTED: %s moves from %.10s to %.10s, which does not "
		 "descend from it (\"%s\")", k->name, dry ? "WOULD BE " : "", k->deploy_branch, old, now,
		 reason);
	act_warn(key, msg, note);
}

static int pull_one(struct store *s, const struct policy *p, const struct package *k,
		    struct gen_pkg *n, const struct request *req, bool *fetched)
{
	char old[OID_HEX + 1], now[OID_HEX + 1], audit[2 * OID_HEX + 8];
	bool accept = req->accept_rewrite && !strcmp(req->accept_rewrite, k->name);
	bool dry = req->dry_run, forced = false, moves, quick;
	int r;

	/* Nothing new on a mirror, and nothing to materialize: no fetch, no
	 * git, and the deploy branch is where it was. */
	quick = !accept && store_remote_unchanged(s, k, now) && !(n && n->follows && strcmp(n->commit, now) != 0);
	if (!quick && (r = repo_fetch(p, k)))
		return r;
	*fetched = !quick && !dry;
	notice_moved_tag(s, k);
	if (quick) {
		str_copy(old, sizeof old, now);
	} else if ((r = repo_advance_deploy(p, k, false, accept, old, now, &forced))) {
		if (forced) {
			char key[NAME_MAX_LEN + 16];

			snprintf(key, sizeof key, "force_pushed.%s", k->name);
			snprintf(audit, sizeof audit, "%s..%s", old, now);
			audit_note(key, audit);
		}
		return r;
	}
	if (forced)
		accepted(k, old, now, req->reason, dry);
	else if (accept)
		printf("%s: --accept-rewrite: the deploy branch was not rewritten; pulled as usual\n",
		       k->name);
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
	if (strcmp(old, now) != 0 &&
	    (r = repo_advance_deploy(p, k, true, accept, old, now, &forced)))
		return r;
	if (!moves)
		return 0;
	str_copy(n->commit, sizeof n->commit, now);
	return 1;
}

/* The trees earlier runs set aside went beside the fetches; what could
 * not go is said as act_gc says it, and stays for the next run. */
static void finish_sweeper(struct sweeper *w)
{
	char msg[600];

	if (sweeper_finish(w)) {
		snprintf(msg, sizeof msg, "old trees were not removed: %s", err_msg());
		act_warn("warning", msg, NULL);
	}
}

/* After the switch and the clean-up: the small packs of each store this
 * pull fetched into are merged once there are enough of them. Nothing a
 * user waits for depends on it, so a failure is a warning. */
static void merge_packs(const struct policy *p, const bool *fetched)
{
	char key[NAME_MAX_LEN + 24], note[32], msg[600];
	size_t merged;

	for (size_t i = 0; i < p->npkgs; i++) {
		if (!fetched[i])
			continue;
		if (repo_merge_packs(p, &p->pkgs[i], &merged)) {
			snprintf(key, sizeof key, "warning.packs.%s", p->pkgs[i].name);
			snprintf(msg, sizeof msg, "%s: the store's small packs were not merged: %s",
				 p->pkgs[i].name, err_msg());
			act_warn(key, msg, NULL);
		} else if (merged) {
			snprintf(key, sizeof key, "packs_merged.%s", p->pkgs[i].name);
			snprintf(note, sizeof note, "%zu", merged);
			audit_note(key, note);
		}
	}
}

int act_pull(const struct act_ctx *ctx)
{
	const struct policy *p = ctx->pol;
	const struct caller *c = ctx->who;
	const struct request *req = ctx->req;
	struct store s = STORE_INIT;
	struct generation cur = { 0 }, next = { 0 };
	struct sweeper sweeper = { 0 };
	bool *want = calloc(p->npkgs ? p->npkgs : 1, sizeof *want);
	bool *fetched = calloc(p->npkgs ? p->npkgs : 1, sizeof *fetched);
	char failed[FAILED_MAX] = "";
	size_t moved = 0, nfailed = 0, tried = 0, dropped = 0;
	bool switched = false;
	int r;

	if (!want || !fetched) {
		free(want);
		free(fetched);
		return err_oom();
	}
	/* Even a dry run fetches into the store: it takes the lock. */
	if ((r = act_select_pkgs(p, "pull", req, want)) || (r = check_accept(p, req, want)) ||
	    (r = act_open_store(&s, p, c, "pull", false, LOCK_WORK, true)) ||
	    (r = store_current_required(&s, &cur)))
		goto out;
	if (!req->dry_run)
		act_expire_freeze(&s, c, "pull");
	if ((r = freeze_check(&s))) {
		/* The timer (the owner itself, not a person through sudo) is
		 * told by the exit status alone; the journal has the audit. */
		if (r == E_FROZEN && !c->via_sudo && !strcmp(c->real.name, p->owner))
			err_quiet();
		goto out;
	}
	if ((r = repo_start(p, REPO_WRITE)))
		goto out;
	/* Only when there is something for it to remove: a second thread
	 * makes every malloc after it dearer (4 ms a pull with nothing new).
	 * When there is nothing, act_gc need not look again either. */
	if (!req->dry_run && store_has_trash(&s))
		sweeper_start(&sweeper, &s);
	if ((r = gen_copy_pkgs(&next, &cur, 0)))
		goto out;
	for (size_t i = 0; i < p->npkgs; i++) {
		const struct package *k = &p->pkgs[i];
		struct gen_pkg *n = NULL;
		int one;

		if (!want[i])
			continue;
		tried++;
		n = gen_find_mut(&next, k->name);
		fflush(stdout);
		/* One failing remote does not stop the others. */
		if ((one = pull_one(&s, p, k, n, req, &fetched[i])) < 0) {
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
		/* The fetches and checkouts above held the work lock only; a
		 * rollback meanwhile wins for the packages it moved. */
		if ((r = act_switch(&s, c, "pull", &cur, &next, &dropped)))
			goto out;
		moved -= dropped;
		switched = next.number != 0;
		if (next.number)
			printf("generation %lu is current (%zu package%s moved)\n", next.number, moved,
			       moved == 1 ? "" : "s");
		else
			printf("nothing switched: every package that moved was changed by another run "
			       "meanwhile\n");
	} else if (!nfailed) {
		printf("%s: nothing changed (generation %lu is current)\n",
		       req->dry_run ? "dry run" : "nothing new", cur.number);
	}
	/* Also when nothing moved: the timer's pull trims what rollbacks added,
	 * and removes what the last switch set aside. */
	finish_sweeper(&sweeper);
	if (!req->dry_run)
		act_gc(&s, p, sweeper_left(&sweeper, switched));
	merge_packs(p, fetched);
	if (!req->dry_run && lastpull_write(&s, tried, nfailed, failed))
		act_warn("warning.last_pull", err_msg(), NULL);
	act_verify_due(&s, req->dry_run);
	if (nfailed)
		r = err_set(E_FAIL, "pull: %zu of %zu package%s failed: %s%s", nfailed, tried,
			    tried == 1 ? "" : "s", failed, moved ? " (the others moved)" : "");
out:
	/* A pull that failed early still waits for the thread, which uses
	 * the store it is about to close. */
	if (sweeper.running) {
		char keep[1024];

		str_copy(keep, sizeof keep, err_msg());
		finish_sweeper(&sweeper);
		err_set(r, "%s", keep);
	}
	gen_free(&cur);
	gen_free(&next);
	free(want);
	free(fetched);
	store_close(&s);
	return r;
}
