#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act/act.h"
#include "door/audit.h"
#include "core/err.h"
#include "store/freeze.h"
#include "store/gen.h"
#include "git/repo.h"
#include "store/pins.h"
#include "store/store.h"

/* Materializes a tree; one that the environment should have had and did
 * not (a base pin's, or one the current generation uses: removed by hand,
 * a failed disk) is said to be made again, so that "nothing to add" never
 * hides it. A deploy head's tree that nothing used is simply made. */
static int made_again(struct store *s, const struct package *k, const char *commit, bool needed,
		      size_t *remade)
{
	bool had = store_has_tree(s, k->name, commit);
	char key[NAME_MAX_LEN + 16];
	int r;

	if ((r = repo_materialize(s->pol, k, commit)) || had || !needed)
		return r;
	printf("%s: the tree of %.12s was missing; made again\n", k->name, commit);
	snprintf(key, sizeof key, "remade.%s", k->name);
	audit_note(key, commit);
	(*remade)++;
	return 0;
}

/* What init would do, from what is on disk: offline, nothing fetched,
 * verified or written, no lock taken. */
static int dry_run(const struct policy *p)
{
	struct store s = STORE_INIT;
	struct generation cur = { 0 };
	struct pin *pins = calloc(p->npkgs ? p->npkgs : 1, sizeof *pins);
	size_t add = 0, make = 0;
	bool have = false;
	int r;

	if (!pins)
		return err_oom();
	if ((r = store_open(&s, p, false)) || (r = freeze_check(&s)) || (r = basefile_load(p, pins)) ||
	    (r = store_current(&s, &cur, &have)))
		goto out;
	for (size_t i = 0; i < p->npkgs; i++) {
		const struct package *k = &p->pkgs[i];
		const struct gen_pkg *old = have ? gen_find(&cur, k->name) : NULL;

		if (!old) {
			printf("%s: would be fetched from %s and added, on its deploy branch\n", k->name,
			       k->remote);
			add++;
			continue;
		}
		if (!store_has_tree(&s, k->name, old->commit)) {
			printf("%s: the tree of %.12s is missing; it would be made again\n", k->name,
			       old->commit);
			make++;
		}
		if (strcmp(old->commit, pins[i].commit) != 0 && !store_has_tree(&s, k->name, pins[i].commit)) {
			printf("%s: the tree of its base pin %.12s is missing; it would be made again\n", k->name,
			       pins[i].commit);
			make++;
		}
	}
	if (!have)
		printf("dry run: would make generation 1 with %zu package%s; nothing changed\n", add,
		       add == 1 ? "" : "s");
	else if (add)
		printf("dry run: would add %zu package%s to generation %lu; nothing changed\n", add,
		       add == 1 ? "" : "s", cur.number);
	else if (make)
		printf("dry run: generation %lu is current; %zu missing tree%s would be made again; "
		       "nothing changed\n", cur.number, make, make == 1 ? "" : "s");
	else
		printf("dry run: already initialized: generation %lu is current; nothing to add\n",
		       cur.number);
out:
	gen_free(&cur);
	free(pins);
	store_close(&s);
	return r;
}

/* Fetches every package, verifies and materializes its base pin and its
 * deploy head, and makes generation 1 (or a generation that adds packages
 * new to the policy). All or nothing: the environment changes only after
 * every package succeeded. */
int act_init(const struct act_ctx *ctx)
{
	const struct policy *p = ctx->pol;
	const struct caller *c = ctx->who;
	struct store s = STORE_INIT;
	struct generation cur = { 0 }, next = { 0 };
	struct pin *pins = calloc(p->npkgs, sizeof *pins);
	char (*heads)[OID_HEX + 1] = calloc(p->npkgs, sizeof *heads);
	char who[160], earlier[256];
	struct generation before = { 0 };
	size_t added = 0, dropped = 0, remade = 0;
	bool have = false, had_gen = false;
	int r;

	if (ctx->req->dry_run) {
		free(pins);
		free(heads);
		return dry_run(p);
	}
	if (!pins || !heads || !(next.pkgs = calloc(p->npkgs, sizeof *next.pkgs))) {
		r = err_oom();
		goto out;
	}
	if ((r = store_open(&s, p, true)) ||
	    (r = store_lock(&s, LOCK_WORK, act_who(c, "init", who, sizeof who), earlier, sizeof earlier)))
		goto out;
	act_note_earlier("interrupted.work", earlier);
	act_sweep(&s, true, who);
	/* What the environment had: a tree of it that is missing was lost. */
	if ((r = store_current(&s, &before, &had_gen)))
		goto out;
	if ((r = freeze_check(&s)) || (r = basefile_load(p, pins)) || (r = repo_start(p, REPO_WRITE)))
		goto out;
	for (size_t i = 0; i < p->npkgs; i++) {
		const struct package *k = &p->pkgs[i];
		struct verified_pin v = { 0 };

		printf("%s: fetching %s\n", k->name, k->remote);
		fflush(stdout);
		const struct gen_pkg *used = had_gen ? gen_find(&before, k->name) : NULL;

		if ((r = repo_fetch(p, k)) || (r = repo_verify_pin(p, k, &pins[i], v.tagref)) ||
		    (r = made_again(&s, k, pins[i].commit, used != NULL, &remade)) ||
		    (r = repo_deploy_head(p, k, heads[i])) ||
		    (r = made_again(&s, k, heads[i], used && !strcmp(used->commit, heads[i]), &remade)) ||
		    (used && (r = made_again(&s, k, used->commit, true, &remade))))
			goto out;
		str_copy(v.tag, sizeof v.tag, pins[i].tag);
		str_copy(v.commit, sizeof v.commit, pins[i].commit);
		if ((r = pins_write(&s, k->name, &v, NULL)))
			goto out;
	}
	if ((r = store_current(&s, &cur, &have)))
		goto out;
	for (size_t i = 0; i < p->npkgs; i++) {
		const struct gen_pkg *old = have ? gen_find(&cur, p->pkgs[i].name) : NULL;
		struct gen_pkg *n = &next.pkgs[next.npkgs++];

		if (old) {
			*n = *old;
			continue;
		}
		/* A package new to the environment starts on its deploy head. */
		str_copy(n->name, sizeof n->name, p->pkgs[i].name);
		str_copy(n->commit, sizeof n->commit, heads[i]);
		n->source = SRC_DEPLOY;
		str_copy(n->ref, sizeof n->ref, p->pkgs[i].deploy_branch);
		n->follows = true;
		added++;
	}
	if (added) {
		if ((r = act_switch(&s, c, "init", &cur, &next, &dropped)))
			goto out;
		if (have)
			printf("generation %lu: %zu package%s added, on %s deploy branch\n", next.number,
			       added, added == 1 ? "" : "s", added == 1 ? "its" : "their");
		else
			printf("generation %lu: %zu package%s on %s deploy branch\n", next.number, added,
			       added == 1 ? "" : "s", added == 1 ? "its" : "their");
	} else {
		if ((r = store_ensure_setupsh(&s)))
			goto out;
		if (remade)
			printf("already initialized: generation %lu is current; %zu missing tree%s made "
			       "again\n", cur.number, remade, remade == 1 ? "" : "s");
		else
			printf("already initialized: generation %lu is current; nothing to add\n",
			       cur.number);
	}
	if (!(r = store_trim(&s)) && !(r = store_gc_trees(&s, pins, NULL)))
		r = store_empty_trash(&s, TRASH_ALL);
out:
	gen_free(&before);
	gen_free(&cur);
	gen_free(&next);
	free(pins);
	free(heads);
	store_close(&s);
	return r;
}
