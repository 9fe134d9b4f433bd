/*
 * obsenv: the one door into a shared observing environment.
 *
 * main() is the privilege timeline, top to bottom, one call per phase
 * (SECURITY.md, "Privilege timeline"):
 *   1. hygiene   - descriptors, signals, limits, umask, environment (root)
 *   2. identify  - the real uid from the kernel, and its account (root);
 *                  then the audit socket, opened while it still can be
 *   3. parse     - the command line, into a request (root, pure)
 *   4. policy    - read the root-owned policy, check its ownership; the
 *                  owner account and the sudo user (root)
 *   5. decide    - authorize the human caller against it, and record the
 *                  decision (root, pure)
 *   6. drop      - become the target account for good, no capabilities,
 *                  no_new_privs; then the seccomp filter
 *   7. act       - as the target account only, through act_table
 *   8. audit     - one syslog record for the result, whatever happened
 * Only this file exits; everything else returns a code so that step 8
 * always runs.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "act/act.h"
#include "confine/privs.h"
#include "confine/sandbox.h"
#include "core/err.h"
#include "core/outbuf.h"
#include "door/args.h"
#include "door/audit.h"
#include "door/authz.h"
#include "door/callerfile.h"
#include "door/hygiene.h"
#include "door/identity.h"
#include "policy/cycle.h"
#include "policy/policy.h"

#ifndef POLICY_PATH
#define POLICY_PATH "/etc/obsenv/policy.yaml"
#endif
#ifndef SUDO_PATH
#define SUDO_PATH "/usr/bin/sudo"
#endif
#ifndef OBSENV_VERSION
#define OBSENV_VERSION "0.1"
#endif

/* Everything one run learns, phase by phase. Static: the accounts are
 * large, and the stack stays small for a caller's tiny RLIMIT_STACK. */
static struct run {
	struct caller who;
	struct account owner;
	struct sudo_env sudo;
	struct audit au;
	struct request req;
	struct policy pol;
	struct diag d;
	const struct action *act;
	const struct account *target;
	const char *decision; /* "allow", "deny" or "error", for the records */
	int loaded;           /* policy_load()'s result */
	bool done;            /* help and version: nothing to authorize */
} run = { .decision = "error", .loaded = E_POLICY };

/* 1 and 2. The account is looked up before the audit socket takes a
 * descriptor, and even when hygiene refused, so that the record names the
 * user. */
static int start(int argc, char **argv)
{
	int r = hygiene_start(argc, argv, &run.sudo, run.au.env_dropped, sizeof run.au.env_dropped);

	if (!r) {
		if (account_by_uid(getuid(), &run.who.real) == 0)
			str_copy(run.au.user, sizeof run.au.user, run.who.real.name);
		else
			r = E_PRIV;
	} else {
		const struct passwd *pw = getpwuid(getuid());

		if (pw)
			str_copy(run.au.user, sizeof run.au.user, pw->pw_name);
	}
	audit_open(&run.au, argc, argv);
	run.who.human = run.who.real;
	return r;
}

static int help(const struct request *req)
{
	const struct action *a = action_get(req->action);

	if (req->version) {
		printf("obsenv %s\npolicy: %s\n", OBSENV_VERSION, POLICY_PATH);
	} else if (req->has_action) {
		printf("usage: obsenv %s\n%s. See obsenv(8).\n", a->usage, a->summary);
	} else {
		args_usage(stdout);
		printf("\nSee obsenv(8) and obsenv-policy(5).\n");
	}
	return 0;
}

/* 3. Help and version are answered here, before any file is read. */
static int parse(int argc, char **argv)
{
	int r = args_parse(argc, argv, &run.req);

	if (r)
		return r;
	run.au.dry_run = run.req.dry_run;
	if (!run.req.has_action || run.req.help || run.req.version) {
		run.decision = "allow";
		run.done = true;
		return help(&run.req);
	}
	if (!(run.act = action_get(run.req.action)))
		return err_set(E_USAGE, "unknown action");
	run.au.action = run.act->name;
	return 0;
}

/* 4. The installed policy, its owner account, and the human behind sudo.
 * `check` goes on with a broken policy: reporting it is its job. */
static int load_policy(void)
{
	int r;

	run.loaded = policy_load(POLICY_PATH, true, &run.d, &run.pol);
	if (run.req.action == A_CHECK)
		return 0;
	if (run.loaded)
		return run.loaded;
	if (account_by_name(run.pol.owner, &run.owner))
		return err_set(E_POLICY, "%s: owner account '%s' does not exist", POLICY_PATH,
			       run.pol.owner);
	if ((r = identity_resolve_sudo(&run.who, run.owner.uid, &run.sudo, SUDO_PATH)))
		return r;
	if (run.who.via_sudo) {
		str_copy(run.au.sudo_user, sizeof run.au.sudo_user, run.who.human.name);
		run.au.sudo_uid = (long)run.who.human.uid;
	}
	return 0;
}

/* restore-setups writes in a person's home as that person, and as nobody
 * else: not root, not the owner account (whose rights reach the whole
 * environment), and not at all when obsenv cannot become the person. */
static int check_human(const struct account *t, const struct account *owner)
{
	if (t->uid == 0)
		return err_set(E_DENIED, "restore-setups never runs as root: run it as the user whose setup it is");
	if (t->uid == owner->uid)
		return err_set(E_DENIED, "restore-setups never runs as the owner account %s: run it as yourself, or through sudo -u %s",
			       owner->name, owner->name);
	if (geteuid() != 0 && t->uid != getuid())
		return err_set(E_PRIV, "restore-setups must become %s to write in their home, and obsenv is not installed setuid root",
			       t->name);
	return 0;
}

static const struct account *target_of(const struct action *a)
{
	switch (a->runs_as) {
	case AS_OWNER:
		return &run.owner;
	case AS_HUMAN:
		return &run.who.human;
	case AS_CALLER:
		break;
	}
	return &run.who.real;
}

/* 5. Deny by default: only a role that names the action allows it. The
 * decision is recorded before anything is done about it. */
static int decide(void)
{
	int r;

	if (!run.act)
		return err_set(E_USAGE, "unknown action");
	if (!run.act->open) {
		const struct role *role = authz_role_for(&run.pol, &run.who.human, run.req.action);

		if (!role) {
			run.decision = "deny";
			return err_set(E_DENIED, "%s may not run '%s': no role in the policy allows it",
				       run.who.human.name, run.act->name);
		}
		run.au.role = role->name;
		/* Accepting a rewritten deploy branch is a maintainer's decision:
		 * a role that may pull (the timer's) may not make it. */
		if (run.req.accept_rewrite && (run.who.human.uid == run.owner.uid ||
					       !authz_role_for(&run.pol, &run.who.human, A_ACCEPT_REWRITE))) {
			run.decision = "deny";
			return err_set(E_DENIED, "%s may not accept a rewritten deploy branch: %s",
				       run.who.human.name, run.who.human.uid == run.owner.uid ?
				       "the owner account (the timer) never does; a maintainer must, by name" :
				       "no role in the policy allows 'accept-rewrite'");
		}
	}
	run.target = target_of(run.act);
	run.au.target = run.target->name;
	if (run.act->runs_as == AS_HUMAN && (r = check_human(run.target, &run.owner))) {
		run.decision = r == E_DENIED ? "deny" : "error";
		return r;
	}
	run.decision = "allow";
	audit_decision(&run.au, run.decision, NULL);
	return 0;
}

/* 6. pin --import FILE is read first, with the human caller's rights, by
 * a child that drops to them, before this process becomes the owner. The
 * filter comes last, so that it may forbid the set*id calls of the drop. */
static int drop(void)
{
	int r;

	if (!run.target || !run.act)
		return err_set(E_PRIV, "no account to run as");
	if (run.req.import && (r = callerfile_read(&run.who.human, run.req.import, CYCLE_MAX_BYTES,
						   &run.req.import_buf, &run.req.import_len)))
		return r;
	if ((r = privs_drop(run.target->uid, run.target->gid, run.target->groups,
			    run.target->ngroups)))
		return r;
	return sandbox_apply(run.act->network ? SB_NETWORK : SB_LOCAL);
}

/* 7. */
static int act(const char *policy_path)
{
	const struct act_ctx x = {
		.policy_path = policy_path,
		.load_result = run.loaded,
		.diag = &run.d,
		.pol = &run.pol,
		.who = &run.who,
		.owner = &run.owner,
		.target = run.target,
		.req = &run.req,
	};
	act_fn *fn = act_lookup(run.req.action);

	if (!fn || !run.act)
		return err_set(E_USAGE, "unknown action");
	return fn(&x);
}

/* check FILE: a file named on the command line is read with the caller's
 * rights only, so that obsenv never becomes a way to read files as root.
 * Nothing is authorized: the caller drops to themselves first. */
static int check_file(void)
{
	int r;

	run.decision = "allow";
	run.target = &run.who.real;
	run.au.target = run.who.real.name;
	audit_decision(&run.au, run.decision, NULL);
	if ((r = privs_drop(run.target->uid, run.target->gid, run.target->groups,
			    run.target->ngroups)) ||
	    (r = sandbox_apply(SB_LOCAL)))
		return r;
	run.loaded = policy_load(run.req.file, false, &run.d, &run.pol);
	return act(run.req.file);
}

/* 8. Output that did not arrive (a closed pipe, a full disk) is never
 * passed over. Where the output is the result (list, status, a dry run)
 * it is the failure. Where a change was made (rollback at 3 a.m. with
 * stdout on a full disk), exit 1 would say "nothing happened": the
 * change's status stands and the lost output is a warning, on stderr
 * and in the audit record. */
static int finish(int r)
{
	out_release_all();
	if (fflush(stdout) || ferror(stdout)) {
		char msg[160];
		int e = errno;

		/* verify without --repair only looks: its output is the result. */
		bool looks = run.req.dry_run || (run.req.action == A_VERIFY && !run.req.repair);

		if (r || !run.act || !run.act->changes || looks) {
			if (!r)
				r = err_sys(E_FAIL, e, "cannot write output");
		} else {
			snprintf(msg, sizeof msg, "the output could not be written (%s); the %s itself finished",
				 strerror(e), run.act->name);
			act_warn("warning.output", msg, NULL);
		}
	}
	if (r && !err_is_quiet())
		fprintf(stderr, "obsenv: %s\n", err_msg());
	audit_result(&run.au, run.decision, err_exit_status(r), r ? err_msg() : NULL);
	policy_free(&run.pol);
	diag_free(&run.d);
	free(run.req.import_buf);
	return err_exit_status(r);
}

int main(int argc, char **argv)
{
	int r;

	if ((r = start(argc, argv)) || (r = parse(argc, argv)) || run.done)
		return finish(r);
	if (run.req.action == A_CHECK && run.req.file)
		return finish(check_file());
	if ((r = load_policy()) || (r = decide()) || (r = drop()))
		return finish(r);
	return finish(act(POLICY_PATH));
}
