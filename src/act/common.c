#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act/act.h"
#include "door/audit.h"
#include "git/repo.h"
#include "core/err.h"
#include "store/store.h"
#include "store/gen.h"

/* Who made a generation: the account obsenv ran for, and the human behind
 * sudo when there was one. */
void act_stamp(struct generation *g, const struct caller *c, const char *action)
{
	str_copy(g->user, sizeof g->user, c->real.name);
	g->uid = (unsigned int)c->real.uid;
	str_copy(g->sudo_user, sizeof g->sudo_user, c->via_sudo ? c->human.name : "");
	str_copy(g->action, sizeof g->action, action);
}

char *act_who(const struct caller *c, const char *action, char *buf, size_t size)
{
	if (c->via_sudo)
		snprintf(buf, size, "%s via sudo as %s, %s", c->human.name, c->real.name, action);
	else
		snprintf(buf, size, "%s, %s", c->real.name, action);
	return buf;
}

/* "alice", or "alice (via sudo as obs_user)": who asked, for people. */
char *act_person(const struct caller *c, char *buf, size_t size)
{
	if (c->via_sudo)
		snprintf(buf, size, "%s (via sudo as %s)", c->human.name, c->real.name);
	else
		snprintf(buf, size, "%s", c->real.name);
	return buf;
}

const struct package *act_package(const struct policy *p, const char *name)
{
	for (size_t i = 0; i < p->npkgs; i++)
		if (!strcmp(p->pkgs[i].name, name))
			return &p->pkgs[i];
	return NULL;
}

/* After a switch: trees no kept generation or pin needs go. The action has
 * succeeded by then, so a failure here is a warning, not its result. */
void act_gc(struct store *s, const struct policy *p)
{
	struct pin *pins = calloc(p->npkgs ? p->npkgs : 1, sizeof *pins);
	char msg[512];

	msg[0] = '\0';
	if (store_trim(s))
		snprintf(msg, sizeof msg, "old generations were not removed: %s", err_msg());
	else if (!pins || basefile_load(p, pins) || store_gc_trees(s, pins))
		snprintf(msg, sizeof msg, "old trees were not removed: %s",
			 pins ? err_msg() : "out of memory");
	free(pins);
	if (msg[0])
		act_warn("warning", msg, NULL);
}

/* The auditor must see a warning too: an environment that keeps growing,
 * or clutter nobody can remove, is found from the records, not from a
 * terminal nobody watched. */
void act_warn(const char *key, const char *msg, const char *note)
{
	fprintf(stderr, "obsenv: warning: %s\n", msg);
	audit_note(key, note ? note : msg);
}

/* Leftovers of killed runs go before a change; one that cannot go (a
 * directory someone else made inside the store) must not block the
 * change, least of all a rollback. */
void act_sweep(struct store *s, bool trees)
{
	char msg[512];

	if (store_cleanup(s, trees)) {
		snprintf(msg, sizeof msg, "leftovers of an earlier run were not removed: %s", err_msg());
		act_warn("warning.leftovers", msg, NULL);
	}
}

/* Opens the store and, unless the action only looks (a dry run), takes
 * the lock and removes what killed runs left. trees: the action makes
 * trees, so trees/ is swept too. */
int act_open_store(struct store *s, const struct policy *p, const struct caller *c,
		   const char *action, bool dry_run, bool trees)
{
	char who[160];
	int r;

	if ((r = store_open(s, p, false)) || dry_run)
		return r;
	if ((r = store_lock(s, act_who(c, action, who, sizeof who))))
		return r;
	act_sweep(s, trees);
	return 0;
}

/* Checks the command line before any file is opened: a package the
 * policy names, and a name that means nothing to git's revision syntax,
 * a shell or a terminal. */
const struct package *act_check_target(const struct policy *p, const char *action, const char *pkg,
				       const char *ref)
{
	const struct package *k = act_package(p, pkg);

	if (!k)
		err_set(E_USAGE, "%s: unknown package '%.64s' (the policy names %zu; see 'obsenv status')",
			action, pkg, p->npkgs);
	else if (strcmp(ref, "deploy") != 0 && !str_is_refname(ref))
		err_set(E_USAGE, "%s: '%.64s%s' is not a valid tag or commit name", action, ref,
			strlen(ref) > 64 ? "..." : "");
	else
		return k;
	return NULL;
}

/* A tag must match the package's allowed pattern; commits and the deploy
 * branch are not tags. */
int act_check_tag(const struct package *k, const struct repo_target *t)
{
	if (t->source == SRC_TAG && !str_glob_match(k->tags, t->ref))
		return err_set(E_DENIED, "%s: tag '%s' does not match the policy's allowed tags '%s'",
			       k->name, t->ref, k->tags);
	return 0;
}
