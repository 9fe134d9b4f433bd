/* The actions. Each runs after the drop and the sandbox, and returns 0 or
 * a negative code with the message in err.c. */
#ifndef OBSENV_ACT_H
#define OBSENV_ACT_H

#include "door/args.h"
#include "core/diag.h"
#include "door/identity.h"
#include "policy/policy.h"
#include "core/err.h"
#include "store/lock.h"
#include "store/store.h"

/* What every action is given: one signature for all, so that main.c
 * dispatches through act_table rather than a switch. Everything here was
 * settled before the drop; an action only reads it. */
struct act_ctx {
	const char *policy_path;
	int load_result;           /* policy_load()'s result (check reports it) */
	const struct diag *diag;   /* the policy's problems, for check */
	const struct policy *pol;
	const struct caller *who;
	const struct account *owner;
	const struct account *target; /* the account the action runs as */
	const struct request *req;
};
typedef int act_fn(const struct act_ctx *ctx);

/* The action behind each id (act/table.c); NULL for none. */
act_fn *act_lookup(enum action_id id);

/* check: every problem of the policy, or "PATH: OK" with warnings about
 * accounts that do not exist. */
act_fn act_check;
act_fn act_list;
act_fn act_init;
act_fn act_status;
act_fn act_rollback;
act_fn act_revert;
act_fn act_restore_setups;
act_fn act_freeze;
act_fn act_thaw;
act_fn act_history;
act_fn act_checkout;
act_fn act_pull;
act_fn act_diff;
act_fn act_pin;
act_fn act_follow;
act_fn act_verify;
act_fn act_collect;

/* Shared by the actions that make generations (act/common.c). */
struct generation;
void act_stamp(struct generation *g, const struct caller *c, const char *action);
char *act_who(const struct caller *c, const char *action, char *buf, size_t size);
char *act_person(const struct caller *c, char *buf, size_t size);
/* checkout and pin: the package (NULL with the message set if it is not
 * in the policy or ref is not a sane name); a tag that git resolved must
 * match the package's pattern. */
struct repo_target;
const struct package *act_check_target(const struct policy *p, const char *action, const char *pkg,
				       const char *ref);
MUST_USE int act_check_tag(const struct package *k, const struct repo_target *t);
/* trash: which set-aside trees go now (store_empty_trash). */
void act_gc(struct store *s, const struct policy *p, enum trash_which trash);
/* A warning goes to stderr and, under key, to the audit record: note
 * there if given (a value for machines, "was..now"), else msg. */
/* Records and clears a freeze whose --until has passed (switch lock). */
void act_expire_freeze(struct store *s, const struct caller *c, const char *action);
void act_warn(const char *key, const char *msg, const char *note);
/* Removes killed runs' leftovers; what cannot go is a warning. who: for
 * the switch lock it may take (see store_sweep_locks). */
void act_sweep(struct store *s, bool trees, const char *who);
/* kind: LOCK_SWITCH for the actions that only switch (rollback, freeze,
 * thaw), held for their whole run, which is short; LOCK_WORK for the
 * changes that fetch or check out, which then switch with act_switch. */
MUST_USE int act_open_store(struct store *s, const struct policy *p, const struct caller *c,
			    const char *action, bool dry_run, enum lock_kind kind, bool trees);
/* Records, under key, a lock holder found to have ended without letting
 * go (earlier as lock_take gave it; nothing if ""). */
void act_note_earlier(const char *key, const char *earlier);
/* The switch of a change that holds the work lock and planned next
 * against base (act/switch.c): takes the switch lock for just the switch,
 * re-checks the freeze, and re-plans onto a generation made meanwhile,
 * never changing back a package changed since base. Records each package
 * the switch changed (audit_change), and only those. next->number is the
 * new generation's, or 0 when nothing was left to switch; *dropped
 * counts the packages left as the newer generation has them. */
MUST_USE int act_switch(struct store *s, const struct caller *c, const char *action,
			const struct generation *base, struct generation *next, size_t *dropped);
/* want[i]: the policy's package i is named in req's operands, or there
 * are none (all); an unknown name is E_USAGE. */
MUST_USE int act_select_pkgs(const struct policy *p, const char *action, const struct request *req,
			     bool *want);
/* Base trees (act/basetrees.c). A missing one rebuilt from the object
 * store, offline, with a warning (rebuilt.<pkg> in the audit record); a
 * dry run only checks that it could be. */
MUST_USE int act_rebuild_tree(struct store *s, const struct package *k, const char *commit,
			      bool dry_run);
/* The tree of commit made from the object store (a dry run: checked that
 * it could be), saying nothing: the caller says why it was missing. */
MUST_USE int act_build_missing(struct store *s, const struct package *k, const char *commit,
			       bool dry_run);
/* Every verified pin's tree compared with its commit; repair: rebuilt
 * when missing or different (repaired.<pkg>), and <root>/last-verify
 * written when all are sound (verified=<trees> in the audit record).
 * report: a line per tree on stdout. E_FAIL naming what is not sound. */
MUST_USE int act_verify_base(struct store *s, bool repair, bool report);
/* pull: act_verify_base(repair) once the policy's verify_interval has
 * passed since the last one; failures are warnings. */
void act_verify_due(struct store *s, bool dry_run);
/* "2026-12-04 03:15:02 UTC", or "?". */
void act_utc(long long t, char *buf, size_t size);
/* A generation record's action as people read it. */
const char *act_action_words(const char *action, char *buf, size_t size);
/* E_USAGE for a name the policy does not know, naming the package it
 * most likely meant. */
MUST_USE int act_unknown_pkg(const struct policy *p, const char *action, const char *pkg);
/* The policy's package called name, or NULL. */
const struct package *act_package(const struct policy *p, const char *name);

#endif
