#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act/act.h"
#include "core/err.h"
#include "store/gen.h"
#include "git/repo.h"
#include "store/store.h"

#define DIFF_MAX_LINES 50

/* "base" (the base pins), or a kept generation's number. */
static int load(struct store *s, const struct policy *p, const char *what, struct generation *g,
		char *label, size_t size)
{
	unsigned int n;
	struct pin *pins;
	int r;

	if (!strcmp(what, "base")) {
		if (!(pins = calloc(p->npkgs ? p->npkgs : 1, sizeof *pins)) ||
		    !(g->pkgs = calloc(p->npkgs ? p->npkgs : 1, sizeof *g->pkgs))) {
			free(pins);
			return err_oom();
		}
		if ((r = basefile_load(p, pins)) == 0) {
			for (size_t i = 0; i < p->npkgs; i++) {
				struct gen_pkg *k = &g->pkgs[g->npkgs++];

				str_copy(k->name, sizeof k->name, p->pkgs[i].name);
				str_copy(k->commit, sizeof k->commit, pins[i].commit);
				str_copy(k->ref, sizeof k->ref, pins[i].tag);
				k->source = SRC_BASE;
			}
		}
		free(pins);
		snprintf(label, size, "base");
		return r;
	}
	if (str_to_id(what, &n) || n == 0)
		return err_set(E_USAGE, "diff: '%.32s' is neither a generation number nor 'base'", what);
	if (store_read(s, n, g))
		return err_set(E_FAIL, "generation %u is not kept (keep_generations is %u)", n,
			       p->keep_generations);
	snprintf(label, size, "generation %u", n);
	return 0;
}

/* The operands: up to two generations ("base" or a number) and one
 * package, in any order; a name that is neither is an unknown package. */
static int operands(const struct policy *p, const struct request *req, const char **gens, int *ngens,
		    const struct package **pkg)
{
	unsigned int n;

	*ngens = 0;
	*pkg = NULL;
	for (int i = 0; i < req->nops; i++) {
		const char *op = req->ops[i];
		const struct package *k = act_package(p, op);

		if (k && *pkg)
			return err_set(E_USAGE, "diff: one package at a time ('%s' and '%s')", (*pkg)->name,
				       k->name);
		if (k)
			*pkg = k;
		else if (!strcmp(op, "base") || str_to_id(op, &n) == 0 || !str_is_ident(op))
			gens[(*ngens)++] = op;
		else
			return act_unknown_pkg(p, "diff", op);
		if (*ngens > 2)
			return err_set(E_USAGE, "diff: at most two generations (usage: obsenv diff [GEN [GEN]] [PKG])");
	}
	return 0;
}

/* Per package, the commits that one generation has and the other lacks:
 * "+" for those only in the second, "-" for those only in the first. */
int act_diff(const struct act_ctx *ctx)
{
	const struct policy *p = ctx->pol;
	const struct request *req = ctx->req;
	struct store s = STORE_INIT;
	struct generation a = { 0 }, b = { 0 };
	char la[32], lb[32], cur[32];
	const char *gens[3];
	const struct package *only;
	size_t same = 0;
	int ngens, r;

	if ((r = operands(p, req, gens, &ngens, &only)))
		return r;
	if ((r = store_open(&s, p, false)) || (r = store_current_required(&s, &b)))
		goto out;
	snprintf(cur, sizeof cur, "%lu", b.number);
	gen_free(&b);
	if ((r = load(&s, p, ngens > 0 ? gens[0] : "base", &a, la, sizeof la)) ||
	    (r = load(&s, p, ngens > 1 ? gens[1] : cur, &b, lb, sizeof lb)) ||
	    (r = repo_start(p, REPO_READ)))
		goto out;
	printf("%s -> %s%s%s\n", la, lb, only ? ", " : "", only ? only->name : "");
	for (size_t i = 0; i < p->npkgs; i++) {
		const struct package *k = &p->pkgs[i];

		if (only && k != only)
			continue;
		const struct gen_pkg *x = gen_find(&a, k->name), *y = gen_find(&b, k->name);
		char nx[256] = "", ny[256] = "";
		size_t ahead = 0, behind = 0;

		if (!x || !y || !strcmp(x->commit, y->commit)) {
			same += x && y;
			if (!x || !y)
				printf("%s: only in %s\n", k->name, x ? la : lb);
			continue;
		}
		store_tree_name(&s, k->name, x->commit, nx, sizeof nx);
		store_tree_name(&s, k->name, y->commit, ny, sizeof ny);
		printf("%s: %.10s (%s) -> %.10s (%s)\n", k->name, x->commit, nx[0] ? nx : "?", y->commit,
		       ny[0] ? ny : "?");
		fflush(stdout);
		if ((r = repo_log(p, k, x->commit, y->commit, "+ ", DIFF_MAX_LINES, stdout, &ahead)) ||
		    (r = repo_log(p, k, y->commit, x->commit, "- ", DIFF_MAX_LINES, stdout, &behind)))
			goto out;
	}
	if (only && same)
		printf("%s: unchanged\n", only->name);
	else if (!only)
		printf("%zu package%s unchanged\n", same, same == 1 ? "" : "s");
out:
	gen_free(&a);
	gen_free(&b);
	store_close(&s);
	return r;
}
