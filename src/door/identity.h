/* Who is calling: the kernel's real uid, and, only when the real uid is the
 * environment's owner and our parent process really is sudo, the human
 * behind sudo. Everything else the environment claims is ignored. */
#ifndef OBSENV_IDENTITY_H
#define OBSENV_IDENTITY_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/str.h"
#include "core/err.h"

#define ACCOUNT_MAX_GROUPS 256

struct account {
	uid_t uid;
	gid_t gid;
	char name[ACCOUNT_MAX_LEN + 1];
	char home[PATH_MAX_LEN + 1];
	gid_t groups[ACCOUNT_MAX_GROUPS];
	char group_names[ACCOUNT_MAX_GROUPS][ACCOUNT_MAX_LEN + 1]; /* "" if unnamed */
	size_t ngroups;
};

/* SUDO_* as found in the environment at start, copied before it is cleared. */
struct sudo_env {
	bool present;
	char user[ACCOUNT_MAX_LEN + 1];
	char uid[16];
	bool malformed; /* too long to be real */
};

struct caller {
	struct account real;  /* the real uid */
	struct account human; /* the sudo user, or a copy of real */
	bool via_sudo;
};

MUST_USE int account_by_uid(uid_t uid, struct account *a);
MUST_USE int account_by_name(const char *name, struct account *a);
/* Fills c->human (and via_sudo) once the owner is known. */
MUST_USE int identity_resolve_sudo(struct caller *c, uid_t owner_uid, const struct sudo_env *env,
			  const char *sudo_path);

#endif
