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

/* How a package came to be, with the version name of its tree where
 * there is one: "tag v1.2", "commit 0123abcd, v1.2-3-g0123abc", "deploy,
 * v1.3-1-gfedcba9, follows deploy". */
static void how(struct store *s, const struct gen_pkg *k, char *buf, size_t size)
{
	char name[256];
	const char *ref = strcmp(k->ref, "-") != 0 ? k->ref : "";

	store_tree_name(s, k->name, k->commit, name, sizeof name);
	if (k->source == SRC_DEPLOY && !strcmp(ref, "deploy"))
		ref = "";
	snprintf(buf, size, "%s%s%s%s%s%s", gen_source_name(k->source), ref[0] ? " " : "", ref,
		 name[0] && strcmp(name, ref) != 0 ? ", " : "", name[0] && strcmp(name, ref) != 0 ? name : "",
		 k->follows ? ", follows deploy" : "");
}

/* One change of a package between two generations, for people or JSON;
 * was NULL with recorded: the generation before is no longer kept, and
 * the package is shown as this generation's record has it. */
static void change(struct store *s, const struct gen_pkg *was, const struct gen_pkg *now, bool recorded,
		   bool json, bool *first)
{
	const char *ref = now->ref[0] ? now->ref : "";
	char desc[600], name[256];

	if (json) {
		store_tree_name(s, now->name, now->commit, name, sizeof name);
		printf("%s{\"package\": ", *first ? "" : ", ");
		json_str(stdout, now->name);
		printf(", \"from\": ");
		json_str_or_null(stdout, was ? was->commit : NULL);
		printf(", \"to\": ");
		json_str(stdout, now->commit);
		printf(", \"version\": ");
		json_str_or_null(stdout, name);
		printf(", \"source\": ");
		json_str(stdout, gen_source_name(now->source));
		printf(", \"ref\": ");
		json_str(stdout, ref);
		printf(", \"follows_deploy\": %s}", now->follows ? "true" : "false");
	} else if (recorded) {
		printf("    %-24s %.10s (%s)\n", now->name, now->commit, (how(s, now, desc, sizeof desc), desc));
	} else {
		printf("    %-24s %.10s -> %.10s (%s)\n", now->name, was ? was->commit : "none", now->commit,
		       (how(s, now, desc, sizeof desc), desc));
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
		bool have_prev, trimmed, first = true;
		char when[40], what[64];

		/* Above current: a killed run's leftover, not history. */
		if (nums[i] > cur.number)
			continue;
		if (store_read(&s, nums[i], &g)) {
			fprintf(stderr, "obsenv: warning: %s; not shown\n", err_msg());
			continue;
		}
		have_prev = i + 1 < count && store_read(&s, nums[i + 1], &prev) == 0;
		/* The oldest kept generation, with earlier ones removed: what
		 * it changed is not known, what it had is. */
		trimmed = !have_prev && g.number > 1;
		act_utc(g.time, when, sizeof when);
		if (req->json) {
			printf("%s{\"generation\": %lu, \"time\": ", shown ? ", " : "", g.number);
			json_str(stdout, when);
			printf(", \"epoch\": %lld, \"user\": ", g.time);
			json_str(stdout, g.user);
			printf(", \"sudo_user\": ");
			json_str_or_null(stdout, g.sudo_user);
			printf(", \"action\": ");
			json_str(stdout, g.action);
			printf(", \"current\": %s, \"earlier_kept\": %s, \"changes\": [",
			       g.number == cur.number ? "true" : "false", trimmed ? "false" : "true");
		} else {
			printf("generation %lu  %s  %s%s%s  %s%s\n", g.number, when, g.user,
			       g.sudo_user[0] ? " via sudo by " : "", g.sudo_user,
			       act_action_words(g.action, what, sizeof what),
			       g.number == cur.number ? "  (current)" : "");
			if (trimmed)
				printf("    (generation %lu and earlier are no longer kept; as recorded:)\n",
				       g.number - 1);
		}
		for (size_t k = 0; k < g.npkgs; k++) {
			const struct gen_pkg *was = have_prev ? gen_find(&prev, g.pkgs[k].name) : NULL;

			if (trimmed || !same(was, &g.pkgs[k]))
				change(&s, was, &g.pkgs[k], trimmed, req->json, &first);
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
