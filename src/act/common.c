#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "act/act.h"
#include "door/audit.h"
#include "git/repo.h"
#include "core/err.h"
#include "store/store.h"
#include "store/freeze.h"
#include "store/gen.h"
#include "store/pins.h"

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

void act_utc(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	/* The records' times are bounded when read; a failed conversion
	 * still must not hand strftime a null time. */
	if (!gmtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, size, "?");
}

/* A generation's action for people: revert records its target in the
 * action's name ("revert-to-3"), which reads "revert to generation 3". */
const char *act_action_words(const char *action, char *buf, size_t size)
{
	unsigned int n;

	if (!strncmp(action, "revert-to-", 10) && str_to_id(action + 10, &n) == 0)
		snprintf(buf, size, "revert to generation %u", n);
	else
		snprintf(buf, size, "%s", action);
	return buf;
}

const struct package *act_package(const struct policy *p, const char *name)
{
	for (size_t i = 0; i < p->npkgs; i++)
		if (!strcmp(p->pkgs[i].name, name))
			return &p->pkgs[i];
	return NULL;
}

/* After a switch: trees no pin and none of the newest keep_trees
 * generations need are set aside, and the trash removes what trash says:
 * a run that switched leaves its own (a hot fix's pull returns without
 * removing the tree it replaced: the next run, the timer's pull within a
 * minute, removes it; a burst of switches leaves one run's trees at most),
 * and a pull's sweeper has already had earlier runs' (store/sweeper.h). The
 * action has succeeded by then, so a failure here is a warning, not its
 * result. Runs under the work lock only: a rollback may switch meanwhile,
 * to verified pins' trees and current's, which both stay. */
void act_gc(struct store *s, const struct policy *p, enum trash_which trash)
{
	struct pin *pins = calloc(p->npkgs ? p->npkgs : 1, sizeof *pins);
	struct pin *verified = calloc(p->npkgs ? p->npkgs : 1, sizeof *verified);
	struct verified_pin v;
	char msg[512];

	msg[0] = '\0';
	for (size_t i = 0; verified && i < p->npkgs; i++)
		if (pins_read(s, p->pkgs[i].name, NULL, &v) == 0)
			str_copy(verified[i].commit, sizeof verified[i].commit, v.commit);
	if (store_trim(s))
		snprintf(msg, sizeof msg, "old generations were not removed: %s", err_msg());
	else if (!pins || !verified)
		snprintf(msg, sizeof msg, "old trees were not removed: out of memory");
	else if (basefile_load(p, pins) || store_gc_trees(s, pins, verified) ||
		 store_empty_trash(s, trash))
		snprintf(msg, sizeof msg, "old trees were not removed: %s", err_msg());
	free(pins);
	free(verified);
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
 * change, least of all a rollback. git's lock files a killed run left are
 * swept only when one was (the walk of every repository's refs is not
 * free), and under the switch lock too, which a rollback rebuilding a
 * base tree holds while it writes a ref. */
void act_sweep(struct store *s, bool trees, const char *who)
{
	char msg[512], earlier[256];

	if (store_cleanup(s, trees)) {
		snprintf(msg, sizeof msg, "leftovers of an earlier run were not removed: %s", err_msg());
		act_warn("warning.leftovers", msg, NULL);
	}
	if (!trees || !store_locks_suspect(s))
		return;
	if (store_lock(s, LOCK_SWITCH, who, earlier, sizeof earlier) == 0) {
		act_note_earlier("interrupted.switch", earlier);
		if (store_sweep_locks(s)) {
			snprintf(msg, sizeof msg, "git lock files of an earlier run were not removed: %s",
				 err_msg());
			act_warn("warning.leftovers", msg, NULL);
		}
		store_unlock(s, LOCK_SWITCH);
	} else {
		snprintf(msg, sizeof msg, "git lock files of an earlier run were not looked for: %s",
			 err_msg());
		act_warn("warning.leftovers", msg, NULL);
	}
}

/* A holder that ended without letting go of a lock was killed (by the
 * OOM killer, an administrator, a signal the caller could aim): its
 * decision has no result record, so the run that finds it says so. */
void act_note_earlier(const char *key, const char *earlier)
{
	char note[400];

	if (!earlier[0])
		return;
	snprintf(note, sizeof note, "%s ended without releasing the lock", earlier);
	audit_note(key, note);
}

/* Opens the store and, unless the action only looks (a dry run), takes
 * the lock of that kind and removes what killed runs left. trees: the
 * action makes trees, so trees/ is swept too. */
int act_open_store(struct store *s, const struct policy *p, const struct caller *c,
		   const char *action, bool dry_run, enum lock_kind kind, bool trees)
{
	char who[160], earlier[256];
	int r;

	if ((r = store_open(s, p, false)) || dry_run)
		return r;
	if ((r = store_lock(s, kind, act_who(c, action, who, sizeof who), earlier, sizeof earlier)))
		return r;
	act_note_earlier(kind == LOCK_SWITCH ? "interrupted.switch" : "interrupted.work", earlier);
	act_sweep(s, trees, who);
	return 0;
}

/* An unknown package, with the policy's name it most likely was. Only a
 * caller whose role allows the action gets here: one with no role is
 * refused before any name is looked at, the same for every name. */
int act_unknown_pkg(const struct policy *p, const char *action, const char *pkg)
{
	const char **names = calloc(p->npkgs ? p->npkgs : 1, sizeof *names);
	const char *near = NULL;
	int r;

	for (size_t i = 0; names && i < p->npkgs; i++)
		names[i] = p->pkgs[i].name;
	if (names)
		near = str_nearest(pkg, names, p->npkgs);
	if (near)
		r = err_set(E_USAGE, "%s: unknown package '%.64s': did you mean '%s'? (see 'obsenv status')",
			    action, pkg, near);
	else
		r = err_set(E_USAGE, "%s: unknown package '%.64s' (the policy names %zu; see 'obsenv status')",
			    action, pkg, p->npkgs);
	free(names);
	return r;
}

/* Checks the command line before any file is opened: a package the
 * policy names, and a name that means nothing to git's revision syntax,
 * a shell or a terminal. */
const struct package *act_check_target(const struct policy *p, const char *action, const char *pkg,
				       const char *ref)
{
	const struct package *k = act_package(p, pkg);

	/* act_unknown_pkg always fails: it sets the message. */
	if (!k && act_unknown_pkg(p, action, pkg))
		return NULL;
	if (strcmp(ref, "deploy") != 0 && !str_is_refname(ref)) {
		err_set(E_USAGE, "%s: '%.64s%s' is not a valid tag or commit name", action, ref,
			strlen(ref) > 64 ? "..." : "");
		return NULL;
	}
	return k;
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

/* Which packages: those named, or all; an unknown name is refused before
 * anything is done. */
int act_select_pkgs(const struct policy *p, const char *action, const struct request *req,
		    bool *want)
{
	for (size_t i = 0; i < p->npkgs; i++)
		want[i] = req->nops == 0;
	for (int j = 0; j < req->nops; j++) {
		const struct package *k = act_package(p, req->ops[j]);

		if (!k)
			return act_unknown_pkg(p, action, req->ops[j]);
		want[k - p->pkgs] = true;
	}
	return 0;
}

/* A freeze whose --until has passed is recorded as ended by the first run
 * that finds it: the timer's pull, every 30 s, even when it fetches
 * nothing. Under the switch lock, as every write of the freeze file is, so
 * that a freeze made meanwhile is never the one removed; a lock that
 * cannot be had now leaves it to the next run. */
void act_expire_freeze(struct store *s, const struct caller *c, const char *action)
{
	char who[160], earlier[256];
	struct freeze f;

	if (freeze_read(s, &f) != R_ABSENT || !f.expired ||
	    store_lock(s, LOCK_SWITCH, act_who(c, action, who, sizeof who), earlier, sizeof earlier))
		return;
	act_note_earlier("interrupted.switch", earlier);
	freeze_expire(s);
	store_unlock(s, LOCK_SWITCH);
}
