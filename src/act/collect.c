/* obsenv gc: what the store still holds that nothing needs. A package the
 * policy dropped loses its link with the next generation, but its object
 * store, trees and verified pin stay until no kept generation names it
 * (a revert may still want it) and someone runs gc. gc also does what
 * every change does after its switch: generations beyond keep_generations
 * go, and trees no base pin or newest keep_trees generation needs. Under
 * the work lock only: a rollback meanwhile is not held up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act/act.h"
#include "core/err.h"
#include "door/audit.h"
#include "store/freeze.h"
#include "store/gen.h"
#include "store/orphans.h"
#include "store/store.h"

/* The newest kept generation that names pkg, or 0. */
static int named_by(struct store *s, const char *pkg, unsigned long *by)
{
	struct generation cur = { 0 };
	unsigned long *nums = NULL;
	size_t count = 0;
	bool have;
	int r;

	*by = 0;
	if ((r = store_current(s, &cur, &have)) || (r = store_generations(s, &nums, &count)))
		goto out;
	/* Above current is a generation a rollback is writing now: it names
	 * only packages of the policy. */
	for (size_t i = 0; i < count && !r; i++) {
		struct generation g = { 0 };

		if (!have || nums[i] > cur.number || nums[i] <= *by || (r = store_read(s, nums[i], &g)))
			continue;
		if (gen_find(&g, pkg))
			*by = nums[i];
		gen_free(&g);
	}
out:
	gen_free(&cur);
	free(nums);
	return r;
}

int act_collect(const struct act_ctx *ctx)
{
	const struct request *req = ctx->req;
	struct store s = STORE_INIT;
	struct orphans *o = calloc(1, sizeof *o);
	char key[NAME_MAX_LEN + 16];
	size_t removed = 0, kept = 0;
	int r;

	if (!o)
		return err_oom();
	if ((r = act_open_store(&s, ctx->pol, ctx->who, "gc", req->dry_run, LOCK_WORK, true)) ||
	    (r = freeze_check(&s)))
		goto out;
	if (!req->dry_run)
		act_gc(&s, ctx->pol, TRASH_ALL);
	if ((r = store_orphans(&s, o)))
		goto out;
	for (size_t i = 0; i < o->n; i++) {
		const char *pkg = o->pkg[i].name;
		unsigned long by;

		if ((r = named_by(&s, pkg, &by)))
			goto out;
		if (by) {
			printf("%s: kept: generation %lu still names it; it can go once that generation "
			       "falls out of keep_generations\n", pkg, by);
			kept++;
			continue;
		}
		if (req->dry_run) {
			printf("%s: would be removed: its store, trees and verified pin (the policy no "
			       "longer names it)\n", pkg);
			continue;
		}
		if ((r = store_remove_package(&s, pkg)))
			goto out;
		printf("%s: removed its store, trees and verified pin (the policy no longer names it)\n",
		       pkg);
		snprintf(key, sizeof key, "removed.%s", pkg);
		audit_note(key, "repos trees pins");
		removed++;
	}
	if (req->dry_run)
		printf("dry run: %zu package%s would be removed; nothing changed\n", o->n - kept,
		       o->n - kept == 1 ? "" : "s");
	else if (!o->n)
		printf("nothing to remove: the store holds no package the policy dropped\n");
	else
		printf("%zu package%s removed, %zu kept\n", removed, removed == 1 ? "" : "s", kept);
out:
	store_close(&s);
	free(o);
	return r;
}
