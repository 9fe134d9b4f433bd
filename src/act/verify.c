#include <stdio.h>

#include "act/act.h"
#include "core/err.h"
#include "store/store.h"

/* verify compares every base tree (the verified pins' trees, what
 * rollback switches to) with its commit; --repair rebuilds each one that
 * is missing or differs, offline, under the work lock (a rollback meanwhile
 * is not held up: a tree is swapped in by one rename). It is allowed during a
 * freeze, as rollback is: it puts back exactly the pinned bytes, and a
 * damaged base tree is what a rollback in critical observing would meet. */
int act_verify(const struct act_ctx *ctx)
{
	const struct request *req = ctx->req;
	struct store s = STORE_INIT;
	int r;

	if (!(r = act_open_store(&s, ctx->pol, ctx->who, "verify", !req->repair, LOCK_WORK, true)) &&
	    !(r = act_verify_base(&s, req->repair, true)))
		printf("the base trees match their commits%s\n", req->repair ? " (verified now)" : "");
	store_close(&s);
	return r;
}
