#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "act/act.h"
#include "act/ready.h"
#include "core/err.h"
#include "core/json.h"
#include "store/freeze.h"
#include "store/gen.h"
#include "git/repo.h"
#include "store/store.h"

/* --verify names at most this many drifted files per package. */
#define DRIFT_SHOW 20
#define DRIFT_NAME_MAX 256

struct drift {
	size_t count, shown;
	char names[DRIFT_SHOW][DRIFT_NAME_MAX];
};

static bool keep_name(void *arg, const char *path)
{
	struct drift *d = arg;

	if (d->shown == DRIFT_SHOW)
		return false;
	snprintf(d->names[d->shown++], sizeof d->names[0], "%s", path);
	return true;
}

/* What a package follows, in words that agree with the BASE columns: a
 * package put on a base pin that has been pinned anew since is on an
 * earlier pin, not on "base pin". The default branch goes unnamed. */
static const char *follows(const struct gen_pkg *g, int base, char *buf, size_t size)
{
	if (g->follows && !strcmp(g->ref, "deploy"))
		snprintf(buf, size, "deploy");
	else if (g->follows)
		snprintf(buf, size, "deploy (%s)", g->ref);
	else if (g->source == SRC_BASE && base != 0)
		snprintf(buf, size, "base pin");
	else if (g->source == SRC_BASE)
		snprintf(buf, size, "earlier base pin%s%s", g->ref[0] && strcmp(g->ref, "-") != 0 ? " " : "",
			 strcmp(g->ref, "-") != 0 ? g->ref : "");
	else
		snprintf(buf, size, "%s %s", gen_source_name(g->source), g->ref[0] ? g->ref : "");
	return buf;
}

/* The base pin as people name it: "v1.2 (0123456789)", or the commit. */
static const char *pin_text(const struct pin *pin, char *buf, size_t size)
{
	if (!pin)
		snprintf(buf, size, "?");
	else if (pin->tag[0])
		snprintf(buf, size, "%s (%.10s)", pin->tag, pin->commit);
	else
		snprintf(buf, size, "%.10s", pin->commit);
	return buf;
}

static void json_last_pull(int r, const struct last_pull *lp, const char *why)
{
	char when[64], list[LASTPULL_FAILED_MAX], *name, *save = NULL;

	if (r == R_ABSENT) {
		printf("null");
		return;
	}
	if (r < 0) {
		printf("{\"time\": null, \"result\": null, \"error\": ");
		json_str(stdout, why);
		printf("}");
		return;
	}
	act_utc(lp->time, when, sizeof when);
	printf("{\"time\": %lld, \"utc\": ", lp->time);
	json_str(stdout, when);
	printf(", \"result\": ");
	json_str(stdout, lastpull_result_name(lp->result));
	printf(", \"failed\": [");
	str_copy(list, sizeof list, lp->failed);
	for (name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		printf("%s", name == list ? "" : ", ");
		json_str(stdout, name);
	}
	printf("]}");
}

static void text_last_pull(int r, const struct last_pull *lp, const char *why)
{
	char when[64];

	if (r == R_ABSENT) {
		printf("last pull: never\n");
	} else if (r < 0) {
		printf("last pull: unknown (%s)\n", why);
	} else {
		act_utc(lp->time, when, sizeof when);
		printf("last pull: %s, %s%s%s\n", when, lastpull_result_name(lp->result),
		       lp->failed[0] ? ": failed " : "", lp->failed);
	}
}

static void json_head(const struct policy *p, const struct generation *g, const char *when,
		      const struct freeze *fz)
{
	printf("{\"root\": ");
	json_str(stdout, p->root);
	printf(", \"generation\": %lu, \"time\": ", g->number);
	json_str(stdout, when);
	printf(", \"user\": ");
	json_str(stdout, g->user);
	printf(", \"sudo_user\": ");
	json_str_or_null(stdout, g->sudo_user);
	printf(", \"action\": ");
	json_str(stdout, g->action);
	printf(", \"frozen\": ");
	if (fz) {
		printf("{\"since\": %lld, \"until\": ", fz->since);
		if (fz->until)
			printf("%lld", fz->until);
		else
			printf("null");
		printf(", \"by\": ");
		json_str(stdout, fz->who);
		printf(", \"reason\": ");
		json_str(stdout, fz->reason);
		printf("}");
	} else {
		printf("null");
	}
}

static void json_pkg(const struct gen_pkg *k, const char *name, const char *fol, const struct pin *pin,
		     int base, const struct drift *d, bool first)
{
	printf("%s{\"name\": ", first ? "" : ", ");
	json_str(stdout, k->name);
	printf(", \"commit\": ");
	json_str(stdout, k->commit);
	printf(", \"version\": ");
	json_str(stdout, name);
	printf(", \"source\": ");
	json_str(stdout, gen_source_name(k->source));
	printf(", \"ref\": ");
	json_str(stdout, k->ref);
	printf(", \"follows\": ");
	json_str(stdout, fol);
	printf(", \"base\": ");
	if (pin) {
		printf("{\"tag\": ");
		json_str_or_null(stdout, pin->tag);
		printf(", \"commit\": ");
		json_str(stdout, pin->commit);
		printf("}");
	} else {
		printf("null");
	}
	printf(", \"follows_deploy\": %s, \"at_base\": %s, \"drift\": ", k->follows ? "true" : "false",
	       base < 0 ? "null" : base ? "true" : "false");
	if (!d) {
		printf("null}");
		return;
	}
	printf("%zu, \"drifted\": [", d->count);
	for (size_t j = 0; j < d->shown; j++) {
		printf("%s", j ? ", " : "");
		json_str(stdout, d->names[j]);
	}
	printf("]}");
}

/* One line of the table, and what sizes its columns. */
struct row {
	char name[256], fol[REF_MAX_LEN + 32], pin[REF_MAX_LEN + 16], dr[32];
	const char *base;
};

static const char *version(const struct row *w)
{
	return w->name[0] ? w->name : "?";
}

enum { C_PKG, C_COMMIT, C_VERSION, C_FOLLOWS, C_PIN, C_BASE, C_COLS };

static void table(const struct generation *g, const struct row *rows)
{
	static const char *const head[C_COLS] = { "PACKAGE", "COMMIT", "VERSION", "FOLLOWS", "BASE PIN",
						  "AT BASE" };
	int w[C_COLS];

	for (int c = 0; c < C_COLS; c++)
		w[c] = (int)strlen(head[c]);
	for (size_t i = 0; i < g->npkgs; i++) {
		const char *cell[C_COLS] = { g->pkgs[i].name, "0123456789", version(&rows[i]), rows[i].fol,
					     rows[i].pin, rows[i].base };

		for (int c = 0; c < C_COLS; c++)
			if ((int)strlen(cell[c]) > w[c])
				w[c] = (int)strlen(cell[c]);
	}
	printf("%-*s  %-*s  %-*s  %-*s  %-*s  %-*s  DRIFT\n", w[0], head[0], w[1], head[1], w[2], head[2],
	       w[3], head[3], w[4], head[4], w[5], head[5]);
	for (size_t i = 0; i < g->npkgs; i++)
		printf("%-*s  %-*.10s  %-*s  %-*s  %-*s  %-*s  %s\n", w[0], g->pkgs[i].name, w[1],
		       g->pkgs[i].commit, w[2], version(&rows[i]), w[3], rows[i].fol, w[4], rows[i].pin, w[5],
		       rows[i].base, rows[i].dr);
}

/* The drifted files of one package, for people: at most DRIFT_SHOW. */
static void text_drift(const char *pkg, const char *commit, const struct drift *d)
{
	char name[DRIFT_NAME_MAX];

	printf("%s: %zu file%s differ%s from commit %.10s:\n", pkg, d->count, d->count == 1 ? "" : "s",
	       d->count == 1 ? "s" : "", commit);
	for (size_t j = 0; j < d->shown; j++) {
		str_for_terminal(name, sizeof name, d->names[j]);
		printf("  %s\n", name);
	}
	if (d->count > d->shown)
		printf("  and %zu more\n", d->count - d->shown);
}

/* Reads only small files: no git library, no walk of the trees, unless
 * --verify asks for every file to be compared with its commit. Takes no
 * lock: a monitor's status --check never waits for, or delays, a change. */
int act_status(const struct act_ctx *ctx)
{
	const struct policy *p = ctx->pol;
	const struct request *req = ctx->req;
	struct store s = STORE_INIT;
	struct generation g = { 0 };
	struct pin *pins = calloc(p->npkgs ? p->npkgs : 1, sizeof *pins);
	struct plan *plans = calloc(p->npkgs ? p->npkgs : 1, sizeof *plans);
	struct drift *drift = NULL;
	struct problems ps = { 0 };
	struct ready_input in = { .pol = p, .plans = plans, .pins = pins };
	char when[64], base_err[512], pull_err[512] = "";
	struct row *rows = NULL;
	char drifted[512] = "";
	struct last_pull lp;
	struct freeze fz;
	size_t ndrifted = 0;
	int r;

	if (!pins || !plans) {
		r = err_oom();
		goto out;
	}
	if ((r = store_open(&s, p, false)) || (r = store_current_required(&s, &g)))
		goto out;
	if (!(rows = calloc(g.npkgs ? g.npkgs : 1, sizeof *rows))) {
		r = err_oom();
		goto out;
	}
	if (req->verify && ((r = repo_start(p, REPO_READ)) ||
			    !(drift = calloc(g.npkgs ? g.npkgs : 1, sizeof *drift)))) {
		r = r ? r : err_oom();
		goto out;
	}
	/* The same plan rollback would make, from the same files. */
	plan_all(&s, pins, plans, base_err, sizeof base_err);
	in.base_err = base_err;
	in.frozen = freeze_read(&s, &fz) == 0 ? &fz : NULL;
	if ((in.pull_r = lastpull_read(&s, &lp)) < 0)
		str_copy(pull_err, sizeof pull_err, err_msg());
	in.pull = &lp;
	in.pull_err = pull_err;
	in.now = (long long)time(NULL);
	if ((r = ready_judge(&in, &ps)))
		goto out;
	for (size_t i = 0; drift && i < g.npkgs; i++) {
		const struct package *pk = act_package(p, g.pkgs[i].name);

		if (!pk)
			continue;
		if ((r = repo_drift(p, pk, g.pkgs[i].commit, &drift[i].count, keep_name, &drift[i])))
			goto out;
		if (!drift[i].count)
			continue;
		snprintf(drifted + strlen(drifted), sizeof drifted - strlen(drifted), "%s%s",
			 ndrifted++ ? ", " : "", pk->name);
		if ((r = problems_add(&ps, pk->name, "drift", "%s: %zu file%s of its tree differ%s from commit "
				      "%.10s", pk->name, drift[i].count, drift[i].count == 1 ? "" : "s",
				      drift[i].count == 1 ? "s" : "", g.pkgs[i].commit)))
			goto out;
	}
	act_utc((long long)g.time, when, sizeof when);
	if (req->json) {
		json_head(p, &g, when, in.frozen);
		printf(", \"last_pull\": ");
		json_last_pull(in.pull_r, &lp, pull_err);
		/* The text form's warning lines, word for word. */
		printf(", \"warnings\": [");
		for (size_t i = 0, n = 0; i < ps.n; i++)
			if (strcmp(ps.v[i].key, "frozen") != 0 && strcmp(ps.v[i].key, "drift") != 0) {
				printf("%s", n++ ? ", " : "");
				json_str(stdout, ps.v[i].msg);
			}
		printf("], \"packages\": [");
	} else if (!req->check) {
		char what[64];

		printf("%s: generation %lu, made %s by %s%s%s, %s\n", p->root, g.number, when, g.user,
		       g.sudo_user[0] ? " via sudo by " : "", g.sudo_user,
		       act_action_words(g.action, what, sizeof what));
		if (in.frozen) {
			char since[40];

			char until[40] = "";

			freeze_time(fz.since, since, sizeof since);
			if (fz.until)
				freeze_time(fz.until, until, sizeof until);
			printf("FROZEN since %s by %s%s%s: \"%s\" (only rollback is allowed)\n", since, fz.who,
			       until[0] ? " until " : "", until, fz.reason);
		}
		text_last_pull(in.pull_r, &lp, pull_err);
		for (size_t i = 0; i < ps.n; i++)
			if (strcmp(ps.v[i].key, "frozen") != 0 && strcmp(ps.v[i].key, "drift") != 0)
				printf("warning: %s\n", ps.v[i].msg);
	}
	for (size_t i = 0; i < g.npkgs; i++) {
		const struct gen_pkg *k = &g.pkgs[i];
		const struct package *pk = act_package(p, k->name);
		const struct drift *d = drift && pk ? &drift[i] : NULL;
		const struct pin *pin = pk && !base_err[0] ? &pins[pk - p->pkgs] : NULL;
		int base = pin ? strcmp(pin->commit, k->commit) == 0 : -1;
		struct row *w = &rows[i];

		store_tree_name(&s, k->name, k->commit, w->name, sizeof w->name);
		follows(k, base, w->fol, sizeof w->fol);
		pin_text(pin, w->pin, sizeof w->pin);
		w->base = base < 0 ? "?" : base ? "yes" : "no";
		snprintf(w->dr, sizeof w->dr, !d ? "-" : d->count ? "%zu file%s" : "no", d ? d->count : 0,
			 d && d->count == 1 ? "" : "s");
		if (req->json)
			json_pkg(k, w->name, w->fol, pin, base, d, i == 0);
	}
	if (!req->json && !req->check)
		table(&g, rows);
	if (req->json) {
		printf("], \"rollback_ready\": %s, \"problems\": ", ps.n ? "false" : "true");
		problems_json(stdout, &ps);
		printf("}\n");
	} else {
		if (req->check)
			for (size_t i = 0; i < ps.n; i++)
				printf("%s\n", ps.v[i].msg);
		for (size_t i = 0; drift && i < g.npkgs; i++)
			if (drift[i].count)
				text_drift(g.pkgs[i].name, g.pkgs[i].commit, &drift[i]);
		if (req->check && !ps.n)
			printf("rollback ready: every package would go to its verified base\n");
		else if (!req->check && !req->verify)
			printf("(drift is checked with --verify)\n");
	}
	if (req->check && ps.n)
		r = err_set(E_NOT_READY, "status: %zu problem%s: rollback is not ready", ps.n,
			    ps.n == 1 ? "" : "s");
	else if (ndrifted)
		r = err_set(E_NOT_READY, "status: %zu package%s drifted from %s commit%s: %s", ndrifted,
			    ndrifted == 1 ? "" : "s", ndrifted == 1 ? "its" : "their", ndrifted == 1 ? "" : "s",
			    drifted);
out:
	gen_free(&g);
	free(rows);
	problems_free(&ps);
	free(drift);
	free(pins);
	free(plans);
	store_close(&s);
	return r;
}
