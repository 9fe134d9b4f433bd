/*
 * obsenv: the one door into a shared observing environment.
 *
 * main() is the privilege timeline, top to bottom:
 *   1. hygiene   - descriptors, signals, limits, umask, environment (root)
 *   2. identify  - the real uid from the kernel, and its account (root)
 *   3. parse     - the command line, into a request (root, pure)
 *   4. policy    - read the root-owned policy, check its ownership (root)
 *   5. decide    - authorize the human caller against it (root, pure)
 *   6. drop      - become the target account for good, no capabilities,
 *                  no_new_privs; then the seccomp filter
 *   7. act       - as the target account only
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
#include "door/args.h"
#include "door/audit.h"
#include "door/authz.h"
#include "door/callerfile.h"
#include "policy/cycle.h"
#include "core/err.h"
#include "door/hygiene.h"
#include "door/identity.h"
#include "policy/policy.h"
#include "confine/privs.h"
#include "confine/sandbox.h"

#ifndef POLICY_PATH
#define POLICY_PATH "/etc/obsenv/policy.yaml"
#endif
#ifndef SUDO_PATH
#define SUDO_PATH "/usr/bin/sudo"
#endif
#ifndef OBSENV_VERSION
#define OBSENV_VERSION "0.1"
#endif

static int drop_to(const struct account *a, enum sb_profile profile)
{
	int r = privs_drop(a->uid, a->gid, a->groups, a->ngroups);

	return r ? r : sandbox_apply(profile);
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

int main(int argc, char **argv)
{
	static struct caller who;  /* large: keep them off the stack */
	static struct account owner;
	struct sudo_env sudo;
	struct audit au = { 0 };
	struct request req = { 0 };
	struct policy pol = { 0 };
	struct diag d = { 0 };
	const struct action *act = NULL;
	const struct account *target;
	const char *decision = "error";
	int r, loaded = E_POLICY;

	r = hygiene_start(argc, argv, &sudo, au.env_dropped, sizeof au.env_dropped);
	/* The account is looked up before the audit socket takes a descriptor,
	 * and even when hygiene refused, so that the record names the user. */
	if (!r) {
		if (account_by_uid(getuid(), &who.real) == 0)
			str_copy(au.user, sizeof au.user, who.real.name);
		else
			r = E_PRIV;
	} else {
		const struct passwd *pw = getpwuid(getuid());

		if (pw)
			str_copy(au.user, sizeof au.user, pw->pw_name);
	}
	audit_open(&au, argc, argv);
	if (r)
		goto out;
	who.human = who.real;
	if ((r = args_parse(argc, argv, &req)))
		goto out;
	if (!req.has_action || req.help || req.version) {
		decision = "allow";
		r = help(&req);
		goto out;
	}
	act = action_get(req.action);
	au.action = act->name;

	/* A file named on the command line is read with the caller's rights
	 * only: obsenv must not become a way to read files as root. */
	if (req.action == A_CHECK && req.file) {
		decision = "allow";
		au.target = who.real.name;
		audit_decision(&au, decision, NULL);
		if ((r = drop_to(&who.real, SB_LOCAL)))
			goto out;
		loaded = policy_load(req.file, false, &d, &pol);
		r = act_check(req.file, loaded, &d, &pol);
		goto out;
	}

	loaded = policy_load(POLICY_PATH, true, &d, &pol);
	if (loaded && req.action != A_CHECK) {
		r = loaded;
		goto out;
	}
	if (!loaded && req.action != A_CHECK) {
		if (account_by_name(pol.owner, &owner)) {
			r = err_set(E_POLICY, "%s: owner account '%s' does not exist", POLICY_PATH,
				    pol.owner);
			goto out;
		}
		if ((r = identity_resolve_sudo(&who, owner.uid, &sudo, SUDO_PATH)))
			goto out;
		if (who.via_sudo) {
			str_copy(au.sudo_user, sizeof au.sudo_user, who.human.name);
			au.sudo_uid = (long)who.human.uid;
		}
	}

	if (!act->open) {
		const struct role *role = authz_role_for(&pol, &who.human, req.action);

		if (!role) {
			decision = "deny";
			r = err_set(E_DENIED, "%s may not run '%s': no role in the policy allows it",
				    who.human.name, act->name);
			goto out;
		}
		au.role = role->name;
	}
	target = act->runs_as == AS_OWNER ? &owner : act->runs_as == AS_HUMAN ? &who.human : &who.real;
	au.target = target->name;
	if (act->runs_as == AS_HUMAN && (r = check_human(target, &owner))) {
		decision = r == E_DENIED ? "deny" : "error";
		goto out;
	}
	decision = "allow";
	audit_decision(&au, decision, NULL);

	/* pin --import FILE: read with the human caller's rights, by a child
	 * that drops to them, before this process becomes the owner. */
	if (req.import && (r = callerfile_read(&who.human, req.import, CYCLE_MAX_BYTES, &req.import_buf,
					       &req.import_len)))
		goto out;
	if ((r = drop_to(target, act->network ? SB_NETWORK : SB_LOCAL)))
		goto out;
	switch (req.action) {
	case A_CHECK:
		r = act_check(POLICY_PATH, loaded, &d, &pol);
		break;
	case A_LIST:
		r = act_list(POLICY_PATH, &pol, &who, &owner);
		break;
	case A_INIT:
		r = act_init(&pol, &who);
		break;
	case A_STATUS:
		r = act_status(&pol, &req);
		break;
	case A_ROLLBACK:
		r = act_rollback(&pol, &who, &req);
		break;
	case A_REVERT:
		r = act_revert(&pol, &who, &req);
		break;
	case A_RESTORE_SETUPS:
		r = act_restore_setups(&pol, target);
		break;
	case A_PIN:
		r = act_pin(&pol, &who, &req);
		break;
	case A_CHECKOUT:
		r = act_checkout(&pol, &who, &req);
		break;
	case A_PULL:
		r = act_pull(&pol, &who, &req);
		break;
	case A_HISTORY:
		r = act_history(&pol, &req);
		break;
	case A_DIFF:
		r = act_diff(&pol, &req);
		break;
	case A_FREEZE:
		r = act_freeze(&pol, &who, &req);
		break;
	case A_THAW:
		r = act_thaw(&pol, &who, &req);
		break;
	default:
		r = err_set(E_USAGE, "unknown action '%s'", act->name);
		break;
	}
out:
	/* Output that did not arrive (a closed pipe, a full disk) is a failure
	 * to report, not something to pass over. */
	if (fflush(stdout) || ferror(stdout)) {
		if (!r)
			r = err_sys(E_FAIL, errno, "cannot write output");
	}
	if (r && !err_is_quiet())
		fprintf(stderr, "obsenv: %s\n", err_msg());
	audit_result(&au, decision, err_exit_status(r), r ? err_msg() : NULL);
	policy_free(&pol);
	diag_free(&d);
	free(req.import_buf);
	return err_exit_status(r);
}
