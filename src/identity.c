#include "identity.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "err.h"

static int fill(const struct passwd *pw, struct account *a)
{
	gid_t groups[ACCOUNT_MAX_GROUPS];
	int n = ACCOUNT_MAX_GROUPS;

	memset(a, 0, sizeof *a);
	if (!str_is_account(pw->pw_name) || str_copy(a->name, sizeof a->name, pw->pw_name))
		return err_set(E_PRIV, "account name of uid %u is not a valid name",
			       (unsigned)pw->pw_uid);
	a->uid = pw->pw_uid;
	a->gid = pw->pw_gid;
	if (str_copy(a->home, sizeof a->home, pw->pw_dir))
		a->home[0] = '\0';
	if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0)
		return err_set(E_PRIV, "%s is in more than %d groups", a->name, ACCOUNT_MAX_GROUPS);
	a->ngroups = (size_t)n;
	for (size_t i = 0; i < a->ngroups; i++) {
		struct group *gr = getgrgid(groups[i]);

		a->groups[i] = groups[i];
		if (!gr || str_copy(a->group_names[i], sizeof a->group_names[i], gr->gr_name))
			a->group_names[i][0] = '\0';
	}
	return 0;
}

int account_by_uid(uid_t uid, struct account *a)
{
	struct passwd *pw;

	errno = 0;
	if (!(pw = getpwuid(uid)))
		return err_set(E_PRIV, "uid %u has no entry in the password database", (unsigned)uid);
	return fill(pw, a);
}

int account_by_name(const char *name, struct account *a)
{
	struct passwd *pw;

	if (!(pw = getpwnam(name)))
		return err_set(E_PRIV, "user '%s' does not exist", name);
	return fill(pw, a);
}

/* The parent is sudo if its executable is the sudo binary. With obsenv
 * setuid root this is read from /proc/PPID/exe; installed without the
 * setuid bit that link is unreadable, and a root-privileged parent named
 * "sudo" is the best proof the kernel gives us. */
static bool parent_is_sudo(const char *sudo_path)
{
	char link[64], target[4096], status[4096], *uid_line;
	unsigned int euid;
	pid_t ppid = getppid();
	ssize_t n;
	int fd;
	bool name_ok = false, root = false;

	snprintf(link, sizeof link, "/proc/%d/exe", (int)ppid);
	n = readlink(link, target, sizeof target - 1);
	if (n >= 0) {
		target[n] = '\0';
		return getppid() == ppid && strcmp(target, sudo_path) == 0;
	}
	snprintf(link, sizeof link, "/proc/%d/status", (int)ppid);
	if ((fd = open(link, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, status, sizeof status - 1);
	close(fd);
	if (n <= 0)
		return false;
	status[n] = '\0';
	name_ok = strncmp(status, "Name:\tsudo\n", 11) == 0;
	/* "Uid:\t<real>\t<effective>\t...": the effective uid must be 0. */
	if ((uid_line = strstr(status, "\nUid:\t"))) {
		char *eff = strchr(uid_line + 6, '\t'), *end;

		if (eff && (end = strchr(++eff, '\t'))) {
			*end = '\0';
			root = str_to_id(eff, &euid) == 0 && euid == 0;
		}
	}
	return name_ok && root && getppid() == ppid;
}

int identity_resolve_sudo(struct caller *c, uid_t owner_uid, const struct sudo_env *env,
			  const char *sudo_path)
{
	unsigned int uid;
	int r;

	c->human = c->real;
	c->via_sudo = false;
	if (c->real.uid != owner_uid || !parent_is_sudo(sudo_path))
		return 0;
	/* Started by sudo as the owner: sudo set these itself, so anything
	 * odd about them is an attack or a broken sudo, never a default. */
	if (!env->present || env->malformed || !env->user[0])
		return err_set(E_PRIV, "started through sudo, but SUDO_USER/SUDO_UID are missing or malformed");
	if (str_to_id(env->uid, &uid))
		return err_set(E_PRIV, "started through sudo, but SUDO_UID is not a valid uid");
	if (!str_is_account(env->user))
		return err_set(E_PRIV, "started through sudo, but SUDO_USER is not a valid user name");
	if ((r = account_by_name(env->user, &c->human)))
		return r;
	if (c->human.uid != uid)
		return err_set(E_PRIV, "started through sudo, but SUDO_USER %s is uid %u, not SUDO_UID %u",
			       env->user, (unsigned)c->human.uid, uid);
	c->via_sudo = true;
	return 0;
}
