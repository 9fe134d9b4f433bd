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

int act_checkout(const struct act_ctx *ctx)
{
	const struct policy *p = ctx->pol;
	const struct caller *c = ctx->who;
	const struct request *req = ctx->req;
	struct store s = STORE_INIT;
	struct generation cur = { 0 }, next = { 0 };
	const struct package *k;
	struct repo_target t;
	struct gen_pkg *n = NULL;
	char old[256];
	size_t dropped = 0;
	int r;

	if (!(k = act_check_target(p, "checkout", req->ops[0], req->ops[1])))
		return E_USAGE;
	if ((r = act_open_store(&s, p, c, "checkout", req->dry_run, LOCK_WORK, true)))
		goto out;
	if ((r = store_current_required(&s, &cur)) || (r = freeze_check(&s)) ||
	    (r = repo_start(p, req->dry_run ? REPO_READ : REPO_WRITE)) ||
	    (r = repo_resolve(p, k, req->ops[1], &t)) || (r = act_check_tag(k, &t)))
		goto out;
	if ((r = gen_copy_pkgs(&next, &cur, 0)))
		goto out;
	n = gen_find_mut(&next, k->name);
	if (!n) {
		r = err_set(E_FAIL, "%s is not in the environment yet; run 'obsenv init'", k->name);
		goto out;
	}
	if (!strcmp(n->commit, t.commit) && n->source == t.source && !strcmp(n->ref, t.ref)) {
		printf("%s is on %.10s (%s%s%s) already: nothing changed\n", k->name, t.commit,
		       gen_source_name(t.source), t.ref[0] ? " " : "", t.ref);
		goto out;
	}
	store_tree_name(&s, k->name, n->commit, old, sizeof old);
	printf("%s: %.10s (%s) -> %.10s (%s%s%s)%s\n", k->name, n->commit, old[0] ? old : "?", t.commit,
	       gen_source_name(t.source), t.ref[0] ? " " : "", t.ref,
	       t.source == SRC_DEPLOY ? ", following it from now on" : "");
	if (req->dry_run) {
		if (!(r = repo_check_limits(p, k, t.commit)))
			printf("dry run: nothing changed\n");
		goto out;
	}
	if ((r = repo_materialize(p, k, t.commit)))
		goto out;
	str_copy(n->commit, sizeof n->commit, t.commit);
	str_copy(n->ref, sizeof n->ref, t.ref);
	n->source = t.source;
	n->follows = t.source == SRC_DEPLOY;
	if ((r = act_switch(&s, c, "checkout", &cur, &next, &dropped)))
		goto out;
	if (!next.number) {
		r = err_set(E_FAIL, "checkout: nothing switched: %s was changed by another run meanwhile; "
			    "run it again if you still want it", k->name);
		goto out;
	}
	printf("generation %lu is current\n", next.number);
	act_gc(&s, p, next.number ? TRASH_EARLIER : TRASH_ALL);
out:
	gen_free(&cur);
	gen_free(&next);
	store_close(&s);
	return r;
}
