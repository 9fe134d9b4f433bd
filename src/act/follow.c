/* Forward again, on purpose: after a rollback every package is on its
 * base and follows nothing, so hot fixes stop arriving until someone asks
 * for them again. follow puts packages back on their deploy heads, as the
 * store has them (offline: it works with the network down; the next pull
 * brings anything newer), and makes them follow deploy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act/act.h"
#include "core/err.h"
#include "git/repo.h"
#include "store/freeze.h"
#include "store/gen.h"
#include "store/store.h"

/* The package's generation entry onto its deploy head; 1 when it moved. */
static int follow_one(struct store *s, const struct policy *p, const struct package *k,
		      struct gen_pkg *n, bool dry)
{
	char head[OID_HEX + 1], old[256];
	int r;

	if ((r = repo_deploy_head(p, k, head)))
		return r;
	if (n->follows && !strcmp(n->commit, head)) {
		printf("%s: follows %s already (%.10s)\n", k->name, k->deploy_branch, head);
		return 0;
	}
	store_tree_name(s, k->name, n->commit, old, sizeof old);
	/* "(deploy)", as status says it; a branch of another name is named. */
	printf("%s: %.10s (%s) -> %.10s (%s%s), following it from now on\n", k->name, n->commit,
	       old[0] ? old : "?", head, strcmp(k->deploy_branch, "deploy") ? "deploy branch " : "",
	       k->deploy_branch);
	if (dry)
		return (r = repo_check_limits(p, k, head)) ? r : 1;
	if ((r = repo_materialize(p, k, head)))
		return r;
	str_copy(n->commit, sizeof n->commit, head);
	n->source = SRC_DEPLOY;
	str_copy(n->ref, sizeof n->ref, k->deploy_branch);
	n->follows = true;
	return 1;
}

int act_follow(const struct act_ctx *ctx)
{
	const struct policy *p = ctx->pol;
	const struct caller *c = ctx->who;
	const struct request *req = ctx->req;
	struct store s = STORE_INIT;
	struct generation cur = { 0 }, next = { 0 };
	bool *want = calloc(p->npkgs ? p->npkgs : 1, sizeof *want);
	size_t changed = 0, dropped = 0;
	int r;

	if (!want)
		return err_oom();
	if ((r = act_select_pkgs(p, "follow", req, want)) ||
	    (r = act_open_store(&s, p, c, "follow", req->dry_run, LOCK_WORK, true)) ||
	    (r = store_current_required(&s, &cur)) || (r = freeze_check(&s)) ||
	    (r = repo_start(p, req->dry_run ? REPO_READ : REPO_WRITE)))
		goto out;
	if ((r = gen_copy_pkgs(&next, &cur, 0)))
		goto out;
	/* All or nothing: every named package is checked and its tree made
	 * before the one switch. */
	for (size_t i = 0; i < p->npkgs; i++) {
		struct gen_pkg *n = want[i] ? gen_find_mut(&next, p->pkgs[i].name) : NULL;
		int one;

		if (want[i] && !n) {
			r = err_set(E_FAIL, "follow: %s is not in the environment yet; run 'obsenv init'",
				    p->pkgs[i].name);
			goto out;
		}
		if (n && (one = follow_one(&s, p, &p->pkgs[i], n, req->dry_run)) < 0) {
			r = one;
			goto out;
		}
		changed += n ? (size_t)one : 0;
	}
	if (!changed) {
		printf("nothing changed (generation %lu is current)\n", cur.number);
		goto out;
	}
	if (req->dry_run) {
		printf("dry run: %zu package%s would follow deploy again; nothing changed\n", changed,
		       changed == 1 ? "" : "s");
		goto out;
	}
	if ((r = act_switch(&s, c, "follow", &cur, &next, &dropped)))
		goto out;
	if (next.number)
		printf("generation %lu is current: %zu package%s follow%s deploy again (as of the last "
		       "fetch; 'obsenv pull' brings anything newer)\n", next.number, changed - dropped,
		       changed - dropped == 1 ? "" : "s", changed - dropped == 1 ? "s" : "");
	if (dropped)
		r = err_set(E_FAIL, "follow: %zu package%s changed by another run meanwhile stay%s as %s",
			    dropped, dropped == 1 ? "" : "s", dropped == 1 ? "s" : "",
			    dropped == 1 ? "it is" : "they are");
	act_gc(&s, p, next.number ? TRASH_EARLIER : TRASH_ALL);
out:
	gen_free(&cur);
	gen_free(&next);
	free(want);
	store_close(&s);
	return r;
}
