#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act/act.h"
#include "core/err.h"
#include "core/json.h"
#include "store/freeze.h"
#include "store/gen.h"
#include "store/store.h"

#define HISTORY_DEFAULT 20

/* One change of a package between two generations, for people or JSON. */
static void change(const struct gen_pkg *was, const struct gen_pkg *now, const char *none, bool json,
		   bool *first)
{
	const char *ref = now->ref[0] ? now->ref : "";

	if (json) {
		printf("%s{\"package\": ", *first ? "" : ", ");
		json_str(stdout, now->name);
		printf(", \"from\": ");
		json_str_or_null(stdout, was ? was->commit : NULL);
		printf(", \"to\": ");
		json_str(stdout, now->commit);
		printf(", \"source\": ");
		json_str(stdout, gen_source_name(now->source));
		printf(", \"ref\": ");
		json_str(stdout, ref);
		printf(", \"follows_deploy\": %s}", now->follows ? "true" : "false");
	} else {
		printf("    %-24s %.10s -> %.10s (%s%s%s%s)\n", now->name, was ? was->commit : none,
		       now->commit, gen_source_name(now->source), ref[0] ? " " : "", ref,
		       now->follows ? ", follows deploy" : "");
	}
	*first = false;
}

static bool same(const struct gen_pkg *a, const struct gen_pkg *b)
{
	return a && b && !strcmp(a->commit, b->commit) && a->source == b->source &&
	       a->follows == b->follows && !strcmp(a->ref, b->ref);
}

/* Generations newest first; each with what changed since the one before
 * it (the oldest kept one lists its packages as they were). */
int act_history(const struct act_ctx *ctx)
{
	const struct policy *p = ctx->pol;
	const struct request *req = ctx->req;
	struct store s = STORE_INIT;
	struct generation cur = { 0 };
	unsigned long *nums = NULL;
	size_t count = 0, shown = 0, want = req->count ? req->count : HISTORY_DEFAULT;
	int r;

	if ((r = store_open(&s, p, false)) || (r = store_current_required(&s, &cur)) ||
	    (r = store_generations(&s, &nums, &count)))
		goto out;
	if (req->json)
		printf("[");
	for (size_t i = 0; i < count && shown < want; i++) {
		struct generation g = { 0 }, prev = { 0 };
		bool have_prev, first = true;
		char when[40];

		/* Above current: a killed run's leftover, not history. */
		if (nums[i] > cur.number)
			continue;
		if (store_read(&s, nums[i], &g)) {
			fprintf(stderr, "obsenv: warning: %s; not shown\n", err_msg());
			continue;
		}
		have_prev = i + 1 < count && store_read(&s, nums[i + 1], &prev) == 0;
		freeze_time(g.time, when, sizeof when);
		if (req->json) {
			printf("%s{\"generation\": %lu, \"time\": ", shown ? ", " : "", g.number);
			json_str(stdout, when);
			printf(", \"epoch\": %lld, \"user\": ", g.time);
			json_str(stdout, g.user);
			printf(", \"sudo_user\": ");
			json_str_or_null(stdout, g.sudo_user);
			printf(", \"action\": ");
			json_str(stdout, g.action);
			printf(", \"current\": %s, \"changes\": [", g.number == cur.number ? "true" : "false");
		} else {
			printf("generation %lu  %s  %s%s%s  %s%s\n", g.number, when, g.user,
			       g.sudo_user[0] ? " via sudo by " : "", g.sudo_user, g.action,
			       g.number == cur.number ? "  (current)" : "");
		}
		for (size_t k = 0; k < g.npkgs; k++) {
			const struct gen_pkg *was = have_prev ? gen_find(&prev, g.pkgs[k].name) : NULL;

			/* "?": the generation before is no longer kept. */
			if (!same(was, &g.pkgs[k]))
				change(was, &g.pkgs[k], have_prev || g.number == 1 ? "none" : "?",
				       req->json, &first);
		}
		if (req->json)
			printf("]}");
		else if (first)
			printf("    (no package changed)\n");
		shown++;
		gen_free(&g);
		gen_free(&prev);
	}
	if (req->json)
		printf("]\n");
out:
	free(nums);
	gen_free(&cur);
	store_close(&s);
	return r;
}
