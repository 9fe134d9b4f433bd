#include "door/identity.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"

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

/* Reads the parent's "Name:" and "Uid:" lines (real, effective) from
 * /proc/PPID/status, which every user may read. */
static bool parent_status(pid_t ppid, bool *named_sudo, unsigned int *ruid, unsigned int *euid)
{
	char path[64], status[4096], *line, *f[2] = { NULL, NULL };
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/status", (int)ppid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, status, sizeof status - 1);
	close(fd);
	if (n <= 0)
		return false;
	status[n] = '\0';
	*named_sudo = strncmp(status, "Name:\tsudo\n", 11) == 0;
	if (!(line = strstr(status, "\nUid:\t")))
		return false;
	line += 6;
	/* "<real>\t<effective>\t<saved>\t<fs>\n" */
	for (int i = 0; i < 2; i++) {
		char *end = strchr(line, '\t');

		if (!end)
			return false;
		*end = '\0';
		f[i] = line;
		line = end + 1;
	}
	return str_to_id(f[0], ruid) == 0 && str_to_id(f[1], euid) == 0;
}

/* The parent is sudo if its executable is the sudo binary. With obsenv
 * setuid root this is read from /proc/PPID/exe; installed without the
 * setuid bit that link is unreadable, and a root-privileged parent named
 * "sudo" is the best proof the kernel gives us. *ruid: the real uid of
 * that sudo, which is the person who ran it. */
static bool parent_is_sudo(const char *sudo_path, unsigned int *ruid)
{
	char link[64], target[4096];
	unsigned int euid;
	pid_t ppid = getppid();
	bool named = false;
	ssize_t n;

	if (!parent_status(ppid, &named, ruid, &euid) || euid != 0)
		return false;
	snprintf(link, sizeof link, "/proc/%d/exe", (int)ppid);
	n = readlink(link, target, sizeof target - 1);
	if (n >= 0) {
		target[n] = '\0';
		named = strcmp(target, sudo_path) == 0;
	}
	/* Still our parent: the pid was not reused while we looked. */
	return named && getppid() == ppid;
}

int identity_resolve_sudo(struct caller *c, uid_t owner_uid, const struct sudo_env *env,
			  const char *sudo_path)
{
	unsigned int uid, ran_by = 0;
	int r;

	c->human = c->real;
	c->via_sudo = false;
	if (c->real.uid != owner_uid || !parent_is_sudo(sudo_path, &ran_by))
		return 0;
	/* Started by sudo as the owner: sudo set these itself, so anything
	 * odd about them is an attack or a broken sudo, never a default. */
	if (!env->present || env->malformed || !env->user[0])
		return err_set(E_PRIV, "started through sudo, but SUDO_USER/SUDO_UID are missing or malformed");
	if (str_to_id(env->uid, &uid))
		return err_set(E_PRIV, "started through sudo, but SUDO_UID is not a valid uid");
	/* SUDO_* may have been rewritten between sudo and us (sudo running
	 * env, or a shell, as the owner); the real uid of the sudo process
	 * cannot be. */
	if (uid != ran_by)
		return err_set(E_PRIV, "started through sudo by uid %u, but SUDO_UID says %u", ran_by, uid);
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
