#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "act/act.h"
#include "door/audit.h"
#include "core/err.h"
#include "core/userfile.h"

/* What the new file does, as far as obsenv can tell: the usual content
 * sources the environment's own setup file, which follows its current
 * generation (not "the base environment", unless a rollback made it so). */
static const char *what_it_does(const struct policy *p, char *buf, size_t size)
{
	char setup[PATH_MAX_LEN + 32];

	snprintf(setup, sizeof setup, "%s/auto_env_setup.sh", p->root);
	if (strstr(p->setups_content, setup))
		snprintf(buf, size, "it sources %s, which sets up the environment's current generation",
			 setup);
	else
		snprintf(buf, size, "it holds the policy's user_setups content");
	return buf;
}

/* Runs as the user whose home it is (main.c dropped to exactly that user),
 * so the kernel's permission checks are the user's own; userfile.c adds
 * what the kernel does not check: no symlink, no foreign or shared file. */
int act_restore_setups(const struct act_ctx *ctx)
{
	const struct policy *p = ctx->pol;
	const struct account *user = ctx->target;
	struct userfile_result res;
	char full[PATH_MAX_LEN + 260], what[PATH_MAX_LEN + 128];
	int home, r;

	if (!p->setups_path[0])
		return err_set(E_FAIL, "restore-setups is not configured: the policy has no user_setups");
	snprintf(full, sizeof full, "%s/%s", user->home, p->setups_path);
	audit_note("file", full);
	if ((home = userfile_open_home(user->home, user->uid)) < 0)
		return home;
	r = userfile_replace(home, user->home, p->setups_path, user->uid, p->setups_content,
			     strlen(p->setups_content), time(NULL), &res);
	close(home);
	/* A failure after the new file went in (the directory's fsync) still
	 * leaves the old one under its backup name: say where, either way. */
	if (res.backup[0]) {
		audit_note("backup", res.backup);
		printf("kept your previous %s as %s\n", full, res.backup);
	}
	if (r)
		return r;
	if (res.unchanged) {
		audit_note("unchanged", "yes");
		printf("%s is already what the policy writes: nothing changed, no backup made\n", full);
		return 0;
	}
	printf("wrote a fresh %s from the policy: %s\n", full, what_it_does(p, what, sizeof what));
	return 0;
}
