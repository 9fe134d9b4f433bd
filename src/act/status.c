#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "act/act.h"
#include "core/err.h"
#include "core/json.h"
#include "store/freeze.h"
#include "store/gen.h"
#include "git/repo.h"
#include "store/store.h"

static const char *follows(const struct gen_pkg *g, char *buf, size_t size)
{
	if (g->follows)
		snprintf(buf, size, "deploy (%s)", g->ref);
	else if (g->source == SRC_BASE)
		snprintf(buf, size, "base pin");
	else
		snprintf(buf, size, "%s %s", gen_source_name(g->source), g->ref[0] ? g->ref : "");
	return buf;
}

/* Reads only small files: no git library, no walk of the trees, unless
 * --verify asks for every file to be compared with its commit. */
int act_status(const struct act_ctx *ctx)
{
	const struct policy *p = ctx->pol;
	const struct request *req = ctx->req;
	struct store s = STORE_INIT;
	struct generation g = { 0 };
	struct pin *pins = calloc(p->npkgs, sizeof *pins);
	char when[64], name[256], fol[REF_MAX_LEN + 16];
	bool pins_ok, frozen;
	struct freeze fz;
	struct tm tm;
	time_t t;
	int r;

	if (!pins)
		return err_oom();
	if ((r = store_open(&s, p, false)) || (r = store_current_required(&s, &g)))
		goto out;
	if (req->verify && (r = repo_start(p, REPO_READ)))
		goto out;
	frozen = freeze_read(&s, &fz) == 0;
	pins_ok = basefile_load(p, pins) == 0;
	t = (time_t)g.time;
	/* The record's time is bounded when read; a failed conversion still
	 * must not hand strftime a null time. */
	if (!gmtime_r(&t, &tm) || !strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(when, sizeof when, "?");
	if (req->json) {
		printf("{\"root\": ");
		json_str(stdout, p->root);
		printf(", \"generation\": %lu, \"time\": ", g.number);
		json_str(stdout, when);
		printf(", \"user\": ");
		json_str(stdout, g.user);
		printf(", \"sudo_user\": ");
		json_str_or_null(stdout, g.sudo_user);
		printf(", \"action\": ");
		json_str(stdout, g.action);
		printf(", \"frozen\": ");
		if (frozen) {
			printf("{\"since\": %lld, \"by\": ", fz.since);
			json_str(stdout, fz.who);
			printf(", \"reason\": ");
			json_str(stdout, fz.reason);
			printf("}, ");
		} else {
			printf("null, ");
		}
		printf("\"packages\": [");
	} else {
		printf("%s: generation %lu, made %s by %s%s%s, %s\n", p->root, g.number, when, g.user,
		       g.sudo_user[0] ? " via sudo by " : "", g.sudo_user, g.action);
		if (frozen) {
			char since[40];

			freeze_time(fz.since, since, sizeof since);
			printf("FROZEN since %s by %s: \"%s\" (only rollback is allowed)\n", since, fz.who,
			       fz.reason);
		}
		if (!pins_ok)
			printf("warning: base file unreadable: %s\n", err_msg());
		printf("%-24s %-10s %-28s %-18s %-5s %s\n", "PACKAGE", "COMMIT", "VERSION", "FOLLOWS",
		       "BASE", "DRIFT");
	}
	for (size_t i = 0; i < g.npkgs; i++) {
		const struct gen_pkg *k = &g.pkgs[i];
		const struct package *pk = NULL;
		size_t drift = 0;
		int base = -1, d = -1;

		for (size_t j = 0; j < p->npkgs; j++)
			if (!strcmp(p->pkgs[j].name, k->name)) {
				pk = &p->pkgs[j];
				if (pins_ok)
					base = strcmp(pins[j].commit, k->commit) == 0;
			}
		store_tree_name(&s, k->name, k->commit, name, sizeof name);
		if (req->verify && pk) {
			if ((r = repo_drift(p, pk, k->commit, &drift)))
				goto out;
			d = drift > 0;
		}
		follows(k, fol, sizeof fol);
		if (req->json) {
			printf("%s{\"name\": ", i ? ", " : "");
			json_str(stdout, k->name);
			printf(", \"commit\": ");
			json_str(stdout, k->commit);
			printf(", \"version\": ");
			json_str(stdout, name);
			printf(", \"source\": ");
			json_str(stdout, gen_source_name(k->source));
			printf(", \"ref\": ");
			json_str(stdout, k->ref);
			printf(", \"follows_deploy\": %s, \"at_base\": %s, \"drift\": ",
			       k->follows ? "true" : "false", base < 0 ? "null" : base ? "true" : "false");
			if (d < 0)
				printf("null}");
			else
				printf("%zu}", drift);
		} else {
			char dr[32];

			snprintf(dr, sizeof dr, d < 0 ? "-" : drift ? "%zu files" : "no", drift);
			printf("%-24s %-10.10s %-28s %-18s %-5s %s\n", k->name, k->commit, name[0] ? name : "?",
			       fol, base < 0 ? "?" : base ? "yes" : "no", dr);
		}
	}
	if (req->json)
		printf("]}\n");
	else if (!req->verify)
		printf("(drift is checked with --verify)\n");
out:
	gen_free(&g);
	free(pins);
	store_close(&s);
	return r;
}
