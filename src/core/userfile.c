#include "core/userfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/fs.h"
#include "core/str.h"

static const char *kind(mode_t m)
{
	if (S_ISLNK(m))
		return "a symbolic link";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	return S_ISREG(m) ? "a file" : "not a file";
}

int userfile_open_home(const char *home, uid_t uid)
{
	struct stat st;
	int fd;

	/* The home path itself comes from the password database, which only
	 * root writes, so symlinks the administrator put in it are followed.
	 * Ownership is what matters, and it is checked on the descriptor. */
	if ((fd = open(home, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_sys(E_FAIL, errno, "home directory %s", home);
	if (fstat(fd, &st) || st.st_uid != uid) {
		close(fd);
		return err_set(E_FAIL, "home directory %s is not owned by uid %u", home, (unsigned)uid);
	}
	if (st.st_mode & S_IWOTH) {
		close(fd);
		return err_set(E_FAIL, "home directory %s is writable by everyone: obsenv will not write there",
			       home);
	}
	return fd;
}

/* Opens the directory name below dfd, making it if it is missing. Anything
 * but a directory of ours there is refused, and never opened: a FIFO could
 * block us, a symlink could lead anywhere. */
static int walk_dir(int dfd, const char *name, const char *shown, uid_t uid, bool *made)
{
	struct stat st, fst;
	int fd;

	*made = false;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
		if (errno != ENOENT)
			return err_sys(E_FAIL, errno, "%s", shown);
		if (mkdirat(dfd, name, 0755))
			return err_sys(E_FAIL, errno, "cannot create %s", shown);
		*made = true;
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW))
			return err_sys(E_FAIL, errno, "%s", shown);
	}
	if (!S_ISDIR(st.st_mode))
		return err_set(E_FAIL, "%s is %s, not a directory: obsenv will not use it", shown,
			       kind(st.st_mode));
	if (st.st_uid != uid)
		return err_set(E_FAIL, "%s is owned by uid %u, not by you: obsenv will not write there",
			       shown, (unsigned)st.st_uid);
	/* Anyone could swap our new file there between its write and rename. */
	if (st.st_mode & S_IWOTH)
		return err_set(E_FAIL, "%s is writable by everyone: obsenv will not write there", shown);
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_sys(E_FAIL, errno, "%s", shown);
	/* It must still be the directory we looked at. */
	if (fstat(fd, &fst) || fst.st_ino != st.st_ino || fst.st_dev != st.st_dev) {
		close(fd);
		return err_set(E_FAIL, "%s changed while obsenv looked at it", shown);
	}
	return fd;
}

/* Whether the checked inode (ofd, O_PATH) holds exactly data. Read through
 * /proc's link to the descriptor, so that what is read is that inode and
 * never what the name was swapped for meanwhile. */
static bool same_content(int ofd, const char *data, size_t len)
{
	char path[64], buf[4096];
	size_t off = 0;
	bool same = true;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/self/fd/%d", ofd);
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
		return false;
	while (same && (n = read(fd, buf, sizeof buf)) > 0) {
		if ((size_t)n > len - off || memcmp(buf, data + off, (size_t)n) != 0)
			same = false;
		off += (size_t)n;
	}
	same = same && n == 0 && off == len;
	close(fd);
	return same;
}

/* The backup is a new link to the inode that was opened and checked (ofd,
 * an O_PATH descriptor), made through /proc/self/fd: linking by name would
 * link whatever the name holds by then, a symlink swapped in included.
 * link(2) never replaces an entry, so a name is only ours once it worked:
 * candidates are tried in a buffer of our own, and out is set then, for
 * the caller's clean-up would remove whatever out names. */
static int keep_old(int ofd, int dfd, const char *name, const char *shown, time_t now, char *out,
		    size_t size)
{
	char stamp[32], self[64], cand[USERFILE_NAME_MAX + 40];
	struct tm tm;

	if (!gmtime_r(&now, &tm) || !strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm))
		return err_set(E_FAIL, "cannot format the time");
	snprintf(self, sizeof self, "/proc/self/fd/%d", ofd);
	for (unsigned int i = 1; i <= 100; i++) {
		int n = i == 1 ? snprintf(cand, sizeof cand, "%s.bak-%s", name, stamp)
			       : snprintf(cand, sizeof cand, "%s.bak-%s-%u", name, stamp, i);

		if (n < 0 || (size_t)n >= sizeof cand || (size_t)n >= size)
			return err_set(E_FAIL, "%s: the backup name would be too long", shown);
		if (linkat(AT_FDCWD, self, dfd, cand, AT_SYMLINK_FOLLOW) == 0) {
			memcpy(out, cand, (size_t)n + 1);
			return 0;
		}
		if (errno != EEXIST)
			return err_sys(E_FAIL, errno, "cannot keep %s as %s", shown, cand);
	}
	return err_set(E_FAIL, "%s: 100 backups from this second exist already", shown);
}

int userfile_replace(int home, const char *home_path, const char *rel, uid_t uid, const char *data,
		     size_t len, time_t now, struct userfile_result *res)
{
	char path[256], shown[PATH_MAX_LEN + 260], tmp[USERFILE_NAME_MAX + 1];
	/* fds[k] is the directory at depth k (the home is 0); comp[k] names
	 * fds[k + 1] in it, and made[k] says that we created it. */
	int fds[USERFILE_DEPTH_MAX + 1];
	char *comp[USERFILE_DEPTH_MAX], *name, *slash;
	bool made[USERFILE_DEPTH_MAX] = { false }, old = false, made_tmp = false;
	size_t depth = 0;
	struct stat st, now_st;
	int dfd = home, fd = -1, ofd = -1, r = 0;

	memset(res, 0, sizeof *res);
	if (!str_is_rel_path(rel) || strlen(rel) >= sizeof path)
		return err_set(E_FAIL, "'%s' is not a relative path", rel);
	str_copy(path, sizeof path, rel);
	fds[0] = home;
	name = path;
	while ((slash = strchr(name, '/'))) {
		int next;

		if (depth == USERFILE_DEPTH_MAX) {
			r = err_set(E_FAIL, "%s/%s: too many directories", home_path, rel);
			goto out;
		}
		*slash = '\0';
		snprintf(shown, sizeof shown, "%s/%.*s", home_path, (int)(slash - path), rel);
		next = walk_dir(dfd, name, shown, uid, &made[depth]);
		if (next < 0) {
			if (made[depth])
				unlinkat(dfd, name, AT_REMOVEDIR);
			r = next;
			goto out;
		}
		comp[depth] = name;
		res->made_dirs += made[depth];
		fds[++depth] = dfd = next;
		name = slash + 1;
	}
	snprintf(shown, sizeof shown, "%s/%s", home_path, rel);
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (!S_ISREG(st.st_mode)) {
			r = err_set(E_FAIL, "%s is %s, not a file: obsenv will not replace it", shown,
				    kind(st.st_mode));
			goto out;
		}
		if (st.st_uid != uid) {
			r = err_set(E_FAIL, "%s is owned by uid %u, not by you: obsenv will not replace it",
				    shown, (unsigned)st.st_uid);
			goto out;
		}
		/* Another name for the same file may be anywhere: keeping a
		 * backup of it here would be a surprise either way. */
		if (st.st_nlink != 1) {
			r = err_set(E_FAIL, "%s has %lu hard links: obsenv will not replace it", shown,
				    (unsigned long)st.st_nlink);
			goto out;
		}
		/* From here on the inode, not the name: the user may swap the
		 * name for a symlink at any moment. */
		ofd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (ofd < 0 || fstat(ofd, &now_st) || now_st.st_ino != st.st_ino ||
		    now_st.st_dev != st.st_dev || !S_ISREG(now_st.st_mode) || now_st.st_nlink != 1) {
			r = err_set(E_FAIL, "%s changed while obsenv looked at it", shown);
			goto out;
		}
		old = true;
		if (same_content(ofd, data, len)) {
			res->unchanged = true;
			goto out;
		}
	} else if (errno != ENOENT) {
		r = err_sys(E_FAIL, errno, "%s", shown);
		goto out;
	}

	/* A fixed temporary name: a killed run's leftover is simply replaced.
	 * unlink(2) removes a symlink itself, never what it points to. */
	if (snprintf(tmp, sizeof tmp, ".%s.obsenv-new", name) >= (int)sizeof tmp) {
		r = err_set(E_FAIL, "%s: the name is too long", shown);
		goto out;
	}
	if (unlinkat(dfd, tmp, 0) && errno != ENOENT) {
		r = err_sys(E_FAIL, errno, "cannot remove the leftover .%s.obsenv-new", name);
		goto out;
	}
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		r = err_sys(E_FAIL, errno, "cannot create the new %s", shown);
		goto out;
	}
	made_tmp = true;
	if (fchmod(fd, 0644) || fs_write_all(fd, data, len) || fsync(fd)) {
		r = err_sys(E_FAIL, errno, "cannot write the new %s", shown);
		goto out;
	}
	r = close(fd);
	fd = -1;
	if (r) {
		r = err_sys(E_FAIL, errno, "cannot write the new %s", shown);
		goto out;
	}
	if (old && (r = keep_old(ofd, dfd, name, shown, now, res->backup, sizeof res->backup)))
		goto out;
	if (renameat(dfd, tmp, dfd, name)) {
		r = err_sys(E_FAIL, errno, "cannot put the new %s in place", shown);
		goto out;
	}
	made_tmp = false;
	if (fsync(dfd))
		r = err_sys(E_FAIL, errno, "cannot sync the directory of %s", shown);
out:
	if (fd >= 0)
		close(fd);
	if (ofd >= 0)
		close(ofd);
	if (made_tmp) {
		/* Everything as it was: the old file under its name, no backup,
		 * no directories of ours. */
		unlinkat(dfd, tmp, 0);
		if (res->backup[0])
			unlinkat(dfd, res->backup, 0);
		res->backup[0] = '\0';
	}
	while (depth--) {
		close(fds[depth + 1]);
		if (r && made[depth])
			unlinkat(fds[depth], comp[depth], AT_REMOVEDIR);
	}
	if (r)
		res->made_dirs = 0;
	return r;
}
