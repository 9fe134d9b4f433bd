/* The base trees are what rollback switches to without git: one that is
 * missing or was changed by hand is rebuilt from the object store,
 * offline, wherever it is found (rollback, verify, the timer's pull). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "act/act.h"
#include "core/err.h"
#include "door/audit.h"
#include "git/repo.h"
#include "store/lastverify.h"
#include "store/pins.h"
#include "store/store.h"

/* libgit2 is loaded here only, when a tree is found missing: a rollback
 * or a revert that finds every tree in place never pays for it. A dry run
 * looks whether the commit could be checked out, and writes nothing. */
int act_build_missing(struct store *s, const struct package *k, const char *commit, bool dry_run)
{
	int r = repo_start(s->pol, dry_run ? REPO_READ : REPO_WRITE);

	if (!r)
		r = dry_run ? repo_check_limits(s->pol, k, commit) : repo_materialize(s->pol, k, commit);
	if (!r && !dry_run && !store_has_tree(s, k->name, commit))
		r = err_set(E_FAIL, "%s: trees/%s/%s is in the way", k->name, k->name, commit);
	return r;
}

int act_rebuild_tree(struct store *s, const struct package *k, const char *commit, bool dry_run)
{
	char key[NAME_MAX_LEN + 16], msg[300];
	int r;

	if ((r = act_build_missing(s, k, commit, dry_run)))
		return r;
	snprintf(key, sizeof key, "%s.%s", dry_run ? "would_rebuild" : "rebuilt", k->name);
	snprintf(msg, sizeof msg, "%s: the base tree %s %s", k->name, commit,
		 dry_run ? "is missing; it would be rebuilt from the object store"
			 : "was missing; rebuilt from the object store");
	act_warn(key, msg, commit);
	return 0;
}

/* One package's base tree: checked, and repaired if asked. *bad: it is
 * missing or differs and was left so. A repair is always said; report:
 * what was found is said too. */
static int verify_one(struct store *s, const struct package *k, const char *commit, bool repair,
		      bool report, bool *bad)
{
	char key[NAME_MAX_LEN + 16], note[OID_HEX + 32], msg[300];
	size_t files = 0;
	int r;

	*bad = false;
	if (!store_has_tree(s, k->name, commit)) {
		if (repair)
			return act_rebuild_tree(s, k, commit, false);
		if (report)
			printf("%s: the base tree %.10s is missing\n", k->name, commit);
		*bad = true;
		return 0;
	}
	if ((r = repair ? repo_repair(s->pol, k, commit, &files)
			: repo_drift(s->pol, k, commit, &files, NULL, NULL)))
		return r;
	if (!files) {
		if (report)
			printf("%s: the base tree %.10s matches its commit\n", k->name, commit);
		return 0;
	}
	if (!repair) {
		if (report)
				printf("%s: the base tree %.10s differs from its commit in %zu file%s\n", k->name,
			       commit, files, files == 1 ? "" : "s");
		*bad = true;
		return 0;
	}
	snprintf(key, sizeof key, "repaired.%s", k->name);
	snprintf(note, sizeof note, "%s files=%zu", commit, files);
	snprintf(msg, sizeof msg, "%s: the base tree %s differed from its commit in %zu file%s; "
		 "rebuilt from the object store", k->name, commit, files, files == 1 ? "" : "s");
	act_warn(key, msg, note);
	return 0;
}

/* The trees of the verified pins (pins/), the ones rollback uses. One
 * package's failure does not stop the others; it is named in the result.
 * When every tree matched or was repaired, the time is recorded. */
int act_verify_base(struct store *s, bool repair, bool report)
{
	const struct policy *p = s->pol;
	char names[512] = "", failed[512] = "";
	size_t nbad = 0, nfailed = 0, checked = 0;
	int r;

	if ((r = repo_start(p, repair ? REPO_WRITE : REPO_READ)))
		return r;
	for (size_t i = 0; i < p->npkgs; i++) {
		const struct package *k = &p->pkgs[i];
		struct verified_pin v;
		bool bad = false;

		if (pins_read(s, k->name, NULL, &v) != 0)
			continue;
		checked++;
		fflush(stdout);
		if (verify_one(s, k, v.commit, repair, report, &bad)) {
			char key[NAME_MAX_LEN + 16];

			fprintf(stderr, "obsenv: %s\n", err_msg());
			snprintf(key, sizeof key, "verify_failed.%s", k->name);
			audit_note(key, err_msg());
			snprintf(failed + strlen(failed), sizeof failed - strlen(failed), "%s%s",
				 nfailed++ ? ", " : "", k->name);
		} else if (bad) {
			snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
				 nbad++ ? ", " : "", k->name);
		}
	}
	if (!checked)
		return err_set(E_FAIL, "verify: no verified base pins (run 'obsenv init')");
	if (nfailed)
		return err_set(E_FAIL, "verify: %zu base tree%s could not be %s: %s", nfailed,
			       nfailed == 1 ? "" : "s", repair ? "repaired" : "checked", failed);
	if (nbad)
		return err_set(E_FAIL, "verify: %zu base tree%s missing or changed: %s (run 'obsenv verify "
				       "--repair')", nbad, nbad == 1 ? " is" : "s are", names);
	snprintf(names, sizeof names, "%zu", checked);
	audit_note("verified", names);
	if (repair && (r = lastverify_write(s, (long long)time(NULL))))
		return r;
	return 0;
}

/* The timer's pull: the base trees once every verify_interval. The pull
 * itself has succeeded or failed by then; what goes wrong here is a
 * warning. A record that cannot be read means a check is due. */
void act_verify_due(struct store *s, bool dry_run)
{
	long long last, now = (long long)time(NULL);
	char msg[600];
	int r;

	if (dry_run || !s->pol->verify_interval)
		return;
	if ((r = lastverify_read(s, &last)) == 0 && last <= now &&
	    now - last < (long long)s->pol->verify_interval)
		return;
	if (r < 0) {
		snprintf(msg, sizeof msg, "%s; verifying the base trees now", err_msg());
		act_warn("warning.last_verify", msg, NULL);
	}
	fflush(stdout);
	if (act_verify_base(s, true, false)) {
		snprintf(msg, sizeof msg, "the periodic check of the base trees failed: %s", err_msg());
		act_warn("warning.verify", msg, NULL);
	}
}
