#include "confine/privs.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "core/err.h"

/* Needs CAP_SETPCAP, so it runs while we are still root. */
static int drop_bounding_and_ambient(void)
{
	cap_value_t max = cap_max_bits();

	for (cap_value_t c = 0; c < max; c++)
		if (cap_get_bound(c) > 0 && cap_drop_bound(c))
			return err_sys(E_PRIV, errno, "cannot drop capability %d from the bounding set",
				       (int)c);
	if (cap_reset_ambient())
		return err_sys(E_PRIV, errno, "cannot clear the ambient capabilities");
	return 0;
}

static bool groups_are(const gid_t *want, size_t n)
{
	gid_t have[1024];
	int m = getgroups(1024, have);

	if (m < 0 || (size_t)m != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		while (j < n && have[j] != want[i])
			j++;
		if (j == n)
			return false;
	}
	return true;
}

static int verify(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups, bool was_root)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	cap_t now = cap_get_proc(), none = cap_init();
	int same = now && none ? cap_compare(now, none) : -1;

	cap_free(now);
	cap_free(none);
	if (getresuid(&ru, &eu, &su) || ru != uid || eu != uid || su != uid)
		return err_set(E_PRIV, "uids are not all %u after the drop", (unsigned)uid);
	if (getresgid(&rg, &eg, &sg) || rg != gid || eg != gid || sg != gid)
		return err_set(E_PRIV, "gids are not all %u after the drop", (unsigned)gid);
	if (was_root && !groups_are(groups, ngroups))
		return err_set(E_PRIV, "supplementary groups are not as set after the drop");
	if (same != 0)
		return err_set(E_PRIV, "capabilities remain after the drop");
	/* Prove the drop, as OpenSSH does: getting root back must fail. */
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
		return err_set(E_PRIV, "could regain uid 0 after the drop");
	if (gid != 0 && uid != 0 && (setgid(0) == 0 || setegid(0) == 0))
		return err_set(E_PRIV, "could regain gid 0 after the drop");
	if (was_root)
		for (cap_value_t c = 0; c < cap_max_bits(); c++)
			if (cap_get_bound(c) != 0)
				return err_set(E_PRIV, "capability %d is still in the bounding set", (int)c);
	return 0;
}

int privs_drop(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups)
{
	bool was_root = geteuid() == 0;
	cap_t none = NULL;
	int r;

	if (!was_root && (uid != getuid() || gid != getgid()))
		return err_set(E_PRIV, "obsenv is not installed setuid root, so it cannot act as uid %u",
			       (unsigned)uid);
	if (was_root) {
		if ((r = drop_bounding_and_ambient()))
			return r;
		/* Groups first, then gid, then uid: each later step removes the
		 * right to take the earlier one. */
		if (setgroups(ngroups, groups))
			return err_sys(E_PRIV, errno, "setgroups");
		if (setresgid(gid, gid, gid))
			return err_sys(E_PRIV, errno, "setresgid(%u)", (unsigned)gid);
		if (setresuid(uid, uid, uid))
			return err_sys(E_PRIV, errno, "setresuid(%u)", (unsigned)uid);
	}
	/* Changing to a non-zero uid already empties the sets; clearing them
	 * explicitly also covers uid 0 and a non-setuid install. */
	if (!(none = cap_init()) || cap_set_proc(none)) {
		r = err_sys(E_PRIV, errno, "cannot clear capabilities");
		goto out;
	}
	/* A credential change resets dumpability from fs.suid_dumpable. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		r = err_sys(E_PRIV, errno, "cannot make the process non-dumpable");
		goto out;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) {
		r = err_sys(E_PRIV, errno, "cannot set no_new_privs");
		goto out;
	}
	r = verify(uid, gid, groups, ngroups, was_root);
out:
	cap_free(none);
	return r;
}
