/* A copy is freed when no tree has it: the link count says so without
 * reading any tree. A build that links a copy at the moment it is pruned
 * finds it gone and writes it again (git/build.c), and a copy pruned just
 * after a build linked it stays in that tree, unshared from the next: no
 * lock is needed between the two, and neither can lose a file. */
#include "store/files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"

static bool is_fanout(const char *n)
{
	return strlen(n) == 2 && strspn(n, "0123456789abcdef") == 2;
}

static int prune_dir(int dfd, size_t *freed)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	struct stat st;
	int r = 0;

	if (!d) {
		close(dfd);
		return err_sys(E_FAIL, errno, "cannot read the file store");
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode) || st.st_nlink != 1)
			continue;
		if (unlinkat(dfd, e->d_name, 0) == 0)
			(*freed)++;
		else if (errno != ENOENT && !r)
			r = err_sys(E_FAIL, errno, "cannot free %s in the file store", e->d_name);
	}
	closedir(d);
	return r;
}

int store_prune_files(struct store *s, const char *pkg, size_t *freed)
{
	char path[NAME_MAX_LEN + 32];
	DIR *d;
	struct dirent *e;
	int fd, r = 0;

	*freed = 0;
	snprintf(path, sizeof path, "repos/%s.git/files", pkg);
	if ((fd = openat(s->root, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : err_sys(E_FAIL, errno, "%s/%s", s->pol->root, path);
	if (!(d = fdopendir(fd))) {
		close(fd);
		return err_sys(E_FAIL, errno, "%s/%s", s->pol->root, path);
	}
	while ((e = readdir(d))) {
		int sub;

		if (!is_fanout(e->d_name))
			continue;
		sub = openat(fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			r = r ? r : err_sys(E_FAIL, errno, "%s/%s/%s", s->pol->root, path, e->d_name);
			continue;
		}
		int q = prune_dir(sub, freed);

		r = r ? r : q;
	}
	closedir(d);
	return r;
}
