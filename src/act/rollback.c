#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include "act/act.h"
#include "door/audit.h"
#include "core/err.h"
#include "store/gen.h"
#include "store/refs.h"
#include "store/pins.h"
#include "store/basefile.h"
#include "store/store.h"

/* Rollback is the door observers need at 3 a.m.: it never refuses as a
 * whole because of one package. Each package goes to a verified base tree
 * if it has one; the ones that cannot are named and stay where they are,
 * and the exit status (7) says the switch was partial. Small file reads
 * only: it works with the network down and without libgit2, which is
 * loaded only to rebuild a base tree found missing (act/basetrees.c). */

struct target {
	char commit[OID_HEX + 1];
	char tag[REF_MAX_LEN + 1];
	char why[400]; /* "" when there is a verified base tree to switch to */
};

static void warn_pkg(const char *key, const char *pkg, const char *note, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* act_warn, under key.pkg in the audit record. */
static void warn_pkg(const char *key, const char *pkg, const char *note, const char *fmt, ...)
{
	char msg[600], k[NAME_MAX_LEN + 32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(k, sizeof k, "%s.%s", key, pkg);
	act_warn(k, msg, note);
}

/* The tag must still point where it pointed when the pin was verified. If
 * it moved, the verified commit is still the base: roll back to it, and
 * say so loudly, for the tag name now means something else. */
static void check_tag(struct store *s, const struct package *k, const struct verified_pin *v)
{
	char repo[NAME_MAX_LEN + 16], ref[REF_MAX_LEN + 16], now[OID_HEX + 1], note[2 * OID_HEX + 8];
	int r, fd;

	if (!v->tag[0])
		return;
	snprintf(repo, sizeof repo, "repos/%s.git", k->name);
	snprintf(ref, sizeof ref, "refs/tags/%s", v->tag);
	if ((fd = openat(s->root, repo, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		warn_pkg("tag_unchecked", k->name, v->tag,
			 "%s: the repository is missing, so tag %s could not be checked; rolled back to the "
			 "pinned commit %.10s", k->name, v->tag, v->commit);
		return;
	}
	r = refs_read(fd, ref, now);
	close(fd);
	if (r == 0 && strcmp(now, v->tagref) == 0)
		return;
	snprintf(note, sizeof note, "%s..%s", v->tagref, r == 0 ? now : "gone");
	warn_pkg("tag_moved", k->name, note,
		 "%s: TAG MOVED: %s pointed to %s when it was pinned and now %s %s; rolled back to the "
		 "pinned commit %s anyway: a maintainer should re-pin it",
		 k->name, v->tag, v->tagref, r == 0 ? "points to" : "is", r == 0 ? now : "gone", v->commit);
}

/* pin: the base file's pin, or NULL when the base file cannot be used. */
static void plan(struct store *s, const struct package *k, const struct pin *pin, struct target *t,
		 bool dry_run)
{
	struct verified_pin v;
	int r = pin && pin->commit[0] ? pins_read(s, k->name, pin->commit, &v) : R_ABSENT;
	bool verified = r == 0 && pin && !strcmp(v.commit, pin->commit) && !strcmp(v.tag, pin->tag);

	memset(t, 0, sizeof *t);
	if (!verified && pins_read(s, k->name, NULL, &v) != 0) {
		snprintf(t->why, sizeof t->why, "%s: no verified base pin (run 'obsenv init' or 'obsenv pin')",
			 k->name);
		return;
	}
	if (!verified && pin)
		warn_pkg("unverified", k->name, pin->commit,
			 "%s: the base file's pin %s%s%.10s has not been verified: rolled back to the last "
			 "verified pin %s%s%.10s; a maintainer should re-pin it or run 'obsenv init'",
			 k->name, pin->tag, pin->tag[0] ? " " : "", pin->commit, v.tag, v.tag[0] ? " " : "",
			 v.commit);
	if (!store_has_tree(s, k->name, v.commit) && act_rebuild_tree(s, k, v.commit, dry_run)) {
		snprintf(t->why, sizeof t->why, "%s: the tree of base pin %.10s is missing and was not "
			 "rebuilt (%.200s)", k->name, v.commit, err_msg());
		return;
	}
	check_tag(s, k, &v);
	str_copy(t->commit, sizeof t->commit, v.commit);
	str_copy(t->tag, sizeof t->tag, v.tag);
}

int act_rollback(const struct act_ctx *ctx)
{
	const struct policy *p = ctx->pol;
	const struct caller *c = ctx->who;
	const struct request *req = ctx->req;
	struct store s = { .root = -1, .lock = -1 };
	struct generation cur = { 0 }, next = { 0 };
	struct pin *pins = calloc(p->npkgs, sizeof *pins);
	struct target *tg = calloc(p->npkgs, sizeof *tg);
	char old[256], names[512] = "";
	size_t changed = 0, stayed = 0;
	bool base_ok;
	int r;

	if (!pins || !tg || !(next.pkgs = calloc(p->npkgs, sizeof *next.pkgs))) {
		r = err_oom();
		goto out;
	}
	if ((r = act_open_store(&s, p, c, "rollback", req->dry_run, false)))
		goto out;
	if ((r = store_current_required(&s, &cur)))
		goto out;
	/* A base file edited by hand, or missing a package just added to the
	 * policy, must not lock observers out: the pins verified last stand. */
	if (!(base_ok = basefile_load(p, pins) == 0)) {
		char msg[700];

		snprintf(msg, sizeof msg, "the base file cannot be used (%s): rolling back to the last "
			 "verified pins", err_msg());
		act_warn("warning.basefile", msg, NULL);
	}
	/* Every package is planned before anything is said or done. */
	for (size_t i = 0; i < p->npkgs; i++)
		plan(&s, &p->pkgs[i], base_ok ? &pins[i] : NULL, &tg[i], req->dry_run);
	for (size_t i = 0; i < p->npkgs; i++) {
		const struct package *k = &p->pkgs[i];
		const struct gen_pkg *was = gen_find(&cur, k->name);
		struct gen_pkg *n = &next.pkgs[next.npkgs];

		if (tg[i].why[0]) {
			char key[NAME_MAX_LEN + 16];

			fprintf(stderr, "obsenv: %s; it stays %s\n", tg[i].why, was ? "where it is" : "out");
			snprintf(key, sizeof key, "not_moved.%s", k->name);
			audit_note(key, tg[i].why);
			snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", stayed ? ", " : "",
				 k->name);
			stayed++;
			if (was)
				next.pkgs[next.npkgs++] = *was;
			continue;
		}
		next.npkgs++;
		str_copy(n->name, sizeof n->name, k->name);
		str_copy(n->commit, sizeof n->commit, tg[i].commit);
		n->source = SRC_BASE;
		str_copy(n->ref, sizeof n->ref, tg[i].tag);
		n->follows = false;
		if (was && !strcmp(was->commit, n->commit) && was->source == SRC_BASE && !was->follows)
			continue;
		changed++;
		old[0] = '\0';
		if (was)
			store_tree_name(&s, k->name, was->commit, old, sizeof old);
		printf("%s: %.10s (%s) -> %.10s (%s)\n", k->name, was ? was->commit : "none",
		       old[0] ? old : "?", n->commit, n->ref[0] ? n->ref : "base commit");
		if (!req->dry_run)
			audit_change(k->name, was ? was->commit : "", n->commit);
	}
	if (!changed)
		printf("already on the base environment (generation %lu): nothing changed\n", cur.number);
	else if (req->dry_run)
		printf("dry run: %zu package%s would change; nothing changed\n", changed,
		       changed == 1 ? "" : "s");
	else {
		act_stamp(&next, c, "rollback");
		if ((r = store_switch(&s, &next)))
			goto out;
		printf("rolled back %zu package%s: generation %lu is current\n", changed,
		       changed == 1 ? "" : "s", next.number);
	}
	if (stayed)
		r = err_set(E_PARTIAL, "rollback: %zu of %zu package%s could not be put on a verified base: %s",
			    stayed, p->npkgs, p->npkgs == 1 ? "" : "s", names);
out:
	gen_free(&cur);
	gen_free(&next);
	free(pins);
	free(tg);
	store_close(&s);
	return r;
}
