#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "act/act.h"
#include "core/err.h"
#include "core/fs.h"
#include "core/str.h"
#include "store/basefile.h"

static void warn_accounts(const struct policy *p)
{
	for (size_t i = 0; i < p->nroles; i++) {
		const struct role *r = &p->roles[i];

		/* Not errors: a directory service may be down while observing,
		 * and a name that does not resolve matches nobody. */
		for (size_t j = 0; j < r->nusers; j++)
			if (r->users[j][0] && !getpwnam(r->users[j]))
				printf("warning: role '%s': user '%s' does not exist\n", r->name, r->users[j]);
		for (size_t j = 0; j < r->ngroups; j++)
			if (r->groups[j][0] && !getgrnam(r->groups[j]))
				printf("warning: role '%s': group '%s' does not exist\n", r->name, r->groups[j]);
	}
}

/* What init or pull would refuse later, found now: the administrator is
 * at the keyboard now, the timer runs at 3 a.m. Warnings, not errors: the
 * policy stays valid (rollback must keep working), and a remote may be
 * out of this user's reach while obsenv's owner reaches it. */
static void warn_packages(const struct policy *p)
{
	struct stat st;

	for (size_t i = 0; i < p->npkgs; i++) {
		const struct package *k = &p->pkgs[i];
		const char *local = !strncmp(k->remote, "file://", 7) ? k->remote + 7 : k->remote;

		if (!p->known_hosts[0] && str_is_ssh_remote(k->remote))
			printf("warning: package '%s': an SSH remote needs known_hosts in the policy; init "
			       "and pull refuse it\n", k->name);
		else if (local[0] == '/' && stat(local, &st) != 0 && errno == ENOENT)
			printf("warning: package '%s': remote %s does not exist\n", k->name, local);
	}
}

/* The base file must pin exactly the policy's packages, or init and pin
 * refuse (rollback then uses the last verified pins). Read with the
 * caller's rights: if they cannot read it, say so and go on. */
static void warn_basefile(const struct policy *p, uid_t owner)
{
	struct pin *pins = calloc(p->npkgs ? p->npkgs : 1, sizeof *pins);

	if (!pins)
		return;
	if (basefile_load_as(p, owner, pins))
		printf("warning: %s\n", err_msg());
	free(pins);
}

/* Every action refuses a root someone else could change (store_open):
 * that is a problem of this installation now, not a warning. A root not
 * made yet is init's to report. */
static int check_root(const char *path, const struct policy *p, uid_t owner)
{
	int fd = -1, r;

	if (access(p->root, F_OK) != 0 && errno == ENOENT)
		return 0;
	r = fs_open_owned_dir(p->root, owner, &fd);
	if (fd >= 0)
		close(fd);
	if (r)
		return err_set(E_FAIL, "%s: environment root: %s; every action refuses it until only root "
			       "and the owner account can change it", path, err_msg());
	return 0;
}

int act_check(const struct act_ctx *ctx)
{
	const char *path = ctx->policy_path;
	const int load_result = ctx->load_result;
	const struct diag *d = ctx->diag;
	const struct policy *p = ctx->pol;
	const struct passwd *pw;
	uid_t owner;
	int r;

	if (load_result) {
		for (size_t i = 0; i < d->n; i++)
			fprintf(stderr, "%s\n", d->msgs[i]);
		if (d->dropped)
			fprintf(stderr, "%s: %zu more problems not shown\n", path, d->dropped);
		if (d->n + d->dropped == 0)
			return load_result; /* the file could not be read: err.c says why */
		return err_set(E_POLICY, "%s: %zu problem%s", path, d->n + d->dropped,
			       d->n + d->dropped == 1 ? "" : "s");
	}
	if (!(pw = getpwnam(p->owner)))
		return err_set(E_POLICY, "%s: owner account '%s' does not exist", path, p->owner);
	owner = pw->pw_uid;
	warn_accounts(p);
	warn_packages(p);
	warn_basefile(p, owner);
	if ((r = check_root(path, p, owner)))
		return r;
	printf("%s: OK\n", path);
	return 0;
}
