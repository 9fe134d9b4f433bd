#include "core/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"

static int read_fd(int fd, const char *path, size_t max, char **buf, size_t *len)
{
	struct stat st;
	size_t n = 0;
	char *b;

	if (fstat(fd, &st))
		return err_sys(E_POLICY, errno, "%s", path);
	if (!S_ISREG(st.st_mode))
		return err_set(E_POLICY, "%s: not a regular file", path);
	if ((size_t)st.st_size > max)
		return err_set(E_POLICY, "%s: larger than %zu bytes", path, max);
	if (!(b = malloc(max + 1)))
		return err_sys(E_POLICY, ENOMEM, "%s", path);
	/* Read to EOF but never past max: the file may grow while we read. */
	for (;;) {
		ssize_t r = read(fd, b + n, max + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(b);
			return err_sys(E_POLICY, errno, "%s", path);
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			free(b);
			return err_set(E_POLICY, "%s: larger than %zu bytes", path, max);
		}
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

/* Owned by root and writable only by root, or a root-owned sticky directory
 * (where nobody else can rename or remove root's entries). */
static int trusted(const struct stat *st, const char *path, size_t plen, const char *what)
{
	if (st->st_uid != 0)
		return err_set(E_POLICY, "%.*s: %s is owned by uid %u, not root", (int)plen, path, what,
			       (unsigned)st->st_uid);
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX)))
		return err_set(E_POLICY, "%.*s: %s is writable by group or others (mode %04o)",
			       (int)plen, path, what, (unsigned)(st->st_mode & 07777));
	return 0;
}

int fs_read_trusted(const char *path, size_t max, char **buf, size_t *len)
{
	const char *c = path + 1, *slash;
	struct stat st, lst;
	int dfd = -1, fd = -1, r;

	if (path[0] != '/')
		return err_set(E_POLICY, "%s: not an absolute path", path);
	if ((dfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_sys(E_POLICY, errno, "/");
	if (fstat(dfd, &st)) {
		r = err_sys(E_POLICY, errno, "/");
		goto out;
	}
	if ((r = trusted(&st, "/", 1, "directory")))
		goto out;
	while ((slash = strchr(c, '/'))) {
		char name[NAME_MAX + 1];
		int next;

		if ((size_t)(slash - c) > NAME_MAX || slash == c) {
			r = err_set(E_POLICY, "%s: bad path", path);
			goto out;
		}
		memcpy(name, c, (size_t)(slash - c));
		name[slash - c] = '\0';
		if (fstatat(dfd, name, &lst, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(lst.st_mode)) {
			r = err_set(E_POLICY, "%.*s: directory is a symlink", (int)(slash - path), path);
			goto out;
		}
		next = openat(dfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			r = err_sys(E_POLICY, errno, "%.*s", (int)(slash - path), path);
			goto out;
		}
		close(dfd);
		dfd = next;
		if (fstat(dfd, &st)) {
			r = err_sys(E_POLICY, errno, "%.*s", (int)(slash - path), path);
			goto out;
		}
		if ((r = trusted(&st, path, (size_t)(slash - path), "directory")))
			goto out;
		c = slash + 1;
	}
	/* Look before opening: opening a device or FIFO can have side effects. */
	if (fstatat(dfd, c, &lst, AT_SYMLINK_NOFOLLOW)) {
		r = err_sys(E_POLICY, errno, "%s", path);
		goto out;
	}
	if (S_ISLNK(lst.st_mode)) {
		r = err_set(E_POLICY, "%s: is a symlink", path);
		goto out;
	}
	if (!S_ISREG(lst.st_mode)) {
		r = err_set(E_POLICY, "%s: not a regular file", path);
		goto out;
	}
	fd = openat(dfd, c, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		r = err_sys(E_POLICY, errno, "%s", path);
		goto out;
	}
	if (fstat(fd, &st)) {
		r = err_sys(E_POLICY, errno, "%s", path);
		goto out;
	}
	if ((r = trusted(&st, path, strlen(path), "file")))
		goto out;
	r = read_fd(fd, path, max, buf, len);
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	return r;
}

int fs_read_plain(const char *path, int flags, size_t max, char **buf, size_t *len)
{
	int fd, r;

	/* O_NONBLOCK: a FIFO must not hang us; read_fd then refuses it. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | flags);
	if (fd < 0 && errno == ELOOP && (flags & O_NOFOLLOW))
		return err_set(E_POLICY, "%s: is a symlink", path);
	if (fd < 0)
		return err_sys(E_POLICY, errno, "%s", path);
	r = read_fd(fd, path, max, buf, len);
	close(fd);
	return r;
}

int fs_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			errno = EIO; /* callers report errno: never a stale one */
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
