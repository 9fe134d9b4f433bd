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
#include "core/fs.h"

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
	rewinddir(d);
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

/* Copies in the older layout, files/ab/cdef...: each fan-out directory
 * cost a 4 KB block on ext4 for a handful of files. */
static int prune_fanout(int fd, size_t *freed)
{
	DIR *d = fs_dir_stream(fd);
	struct dirent *e;
	int r = 0;

	if (!d)
		return err_sys(E_FAIL, errno, "cannot read the file store");
	while ((e = readdir(d))) {
		int sub, q;

		if (!is_fanout(e->d_name))
			continue;
		sub = openat(fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			r = r ? r : err_sys(E_FAIL, errno, "cannot read %s in the file store", e->d_name);
			continue;
		}
		q = prune_dir(sub, freed);
		r = r ? r : q;
		/* Empty once no tree has any of its copies. */
		unlinkat(fd, e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
	return r;
}

int store_prune_files(struct store *s, const char *pkg, size_t *freed)
{
	char path[NAME_MAX_LEN + 32];
	int fd, top, r;

	*freed = 0;
	snprintf(path, sizeof path, "repos/%s.git/files", pkg);
	if ((fd = openat(s->root, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : err_sys(E_FAIL, errno, "%s/%s", s->pol->root, path);
	if ((top = dup(fd)) < 0) {
		close(fd);
		return err_sys(E_FAIL, errno, "%s/%s", s->pol->root, path);
	}
	r = prune_dir(top, freed);
	if (store_files_layout_old(fd)) {
		int q = prune_fanout(fd, freed);

		r = r ? r : q;
	}
	close(fd);
	return r;
}

bool store_files_layout_old(int fd)
{
	struct stat st;

	/* A directory's link count is 2 plus its subdirectories on ext4 and
	 * XFS; where it is not (btrfs says 1), look. */
	return fstat(fd, &st) != 0 || st.st_nlink != 2;
}

void store_files_flatten(int fd)
{
	char flat[8 + 64];
	DIR *d;
	struct dirent *e;

	if (!store_files_layout_old(fd) || !(d = fs_dir_stream(fd)))
		return;
	while ((e = readdir(d))) {
		DIR *sd;
		struct dirent *f;
		int sub;

		if (!is_fanout(e->d_name) ||
		    (sub = openat(fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
			continue;
		if (!(sd = fdopendir(sub))) {
			close(sub);
			continue;
		}
		/* The same inode under its new name, so the trees that link it
		 * still share it; a name taken already keeps its copy. */
		while ((f = readdir(sd)))
			if (f->d_name[0] != '.' && strlen(f->d_name) < 64) {
				snprintf(flat, sizeof flat, "%.2s%.63s", e->d_name, f->d_name);
				renameat2(sub, f->d_name, fd, flat, RENAME_NOREPLACE);
			}
		closedir(sd);
		unlinkat(fd, e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}
