/* Packages the store still holds after the policy dropped them. Their
 * links go with the next generation, but their object store and trees
 * stay: a kept generation may still name them, and a package removed by
 * mistake comes back without a fetch. obsenv gc removes one once no kept
 * generation names it. */
#include "store/orphans.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "core/str.h"

static bool in_policy(const struct policy *p, const char *name)
{
	for (size_t i = 0; i < p->npkgs; i++)
		if (!strcmp(p->pkgs[i].name, name))
			return true;
	return false;
}

static bool listed(const struct orphans *o, const char *name)
{
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->pkg[i].name, name))
			return true;
	return false;
}

/* Adds what dir (trees/ or repos/, with suffix ".git") holds that the
 * policy does not name. Names that are not package names (.tmp- leftovers,
 * anything else) are not obsenv's packages and are left alone. */
static int scan(struct store *s, const char *dir, const char *suffix, struct orphans *o)
{
	char name[NAME_MAX_LEN + 8];
	size_t slen = strlen(suffix);
	int fd = openat(s->root, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), r = 0;
	struct dirent *e;
	DIR *d;

	if (fd < 0)
		return errno == ENOENT ? 0 : err_sys(E_FAIL, errno, "%s/%s", s->pol->root, dir);
	if (!(d = fdopendir(fd))) {
		close(fd);
		return err_sys(E_FAIL, errno, "%s/%s", s->pol->root, dir);
	}
	while ((e = readdir(d)) && !r) {
		size_t n = strlen(e->d_name);

		if (n <= slen || n - slen > NAME_MAX_LEN || strcmp(e->d_name + n - slen, suffix) != 0)
			continue;
		memcpy(name, e->d_name, n - slen);
		name[n - slen] = '\0';
		if (!str_is_ident(name) || in_policy(s->pol, name) || listed(o, name))
			continue;
		if (o->n == ORPHANS_MAX)
			r = err_set(E_FAIL, "more than %d packages the policy no longer names", ORPHANS_MAX);
		else
			str_copy(o->pkg[o->n++].name, sizeof o->pkg[0].name, name);
	}
	closedir(d);
	return r;
}

int store_orphans(struct store *s, struct orphans *o)
{
	int r;

	o->n = 0;
	if ((r = scan(s, "repos", ".git", o)) || (r = scan(s, "trees", "", o)))
		return r;
	return 0;
}

/* Each directory goes by one rename first, so that a run killed while
 * emptying it leaves a .tmp- name the next sweep removes, never half a
 * package under its own name. */
static int remove_dir(struct store *s, const char *dir, const char *name, const char *pkg)
{
	char tmp[NAME_MAX_LEN + 48];
	int fd = openat(s->root, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), r = 0;

	if (fd < 0)
		return errno == ENOENT ? 0 : err_sys(E_FAIL, errno, "%s/%s", s->pol->root, dir);
	snprintf(tmp, sizeof tmp, ".tmp-gone-%s-%d", pkg, (int)getpid());
	if (renameat(fd, name, fd, tmp)) {
		if (errno != ENOENT)
			r = err_sys(E_FAIL, errno, "cannot remove %s/%s/%s", s->pol->root, dir, name);
	} else {
		r = store_remove(fd, tmp);
	}
	close(fd);
	return r;
}

int store_remove_package(struct store *s, const char *pkg)
{
	char name[NAME_MAX_LEN + 8];
	int pins, r;

	if (!str_is_ident(pkg) || in_policy(s->pol, pkg))
		return err_set(E_FAIL, "%s: the policy names it; obsenv removes only what it dropped", pkg);
	snprintf(name, sizeof name, "%s.git", pkg);
	if ((r = remove_dir(s, "trees", pkg, pkg)) || (r = remove_dir(s, "repos", name, pkg)))
		return r;
	pins = openat(s->root, "pins", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (pins >= 0) {
		if (unlinkat(pins, pkg, 0) && errno != ENOENT)
			r = err_sys(E_FAIL, errno, "cannot remove %s/pins/%s", s->pol->root, pkg);
		close(pins);
	}
	return r;
}
