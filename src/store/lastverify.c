#include "store/lastverify.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/str.h"
#include "store/gen.h"

/* "verified N\n" and nothing else; a few bytes more than the longest. */
#define LASTVERIFY_MAX 64

int lastverify_read(struct store *s, long long *when)
{
	char buf[LASTVERIFY_MAX + 1], *nl;
	unsigned long long t;
	struct stat st;
	ssize_t n = -1;
	int fd = openat(s->root, LASTVERIFY_FILE, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), e;

	*when = 0;
	if (fd < 0)
		return errno == ENOENT ? R_ABSENT
				       : err_sys(E_FAIL, errno, "%s/%s", s->pol->root, LASTVERIFY_FILE);
	/* A fifo or a device would block or never end: a regular file only. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		n = read(fd, buf, LASTVERIFY_MAX);
	else
		errno = EINVAL;
	e = errno;
	close(fd);
	if (n < 0)
		return err_sys(E_FAIL, e, "%s/%s", s->pol->root, LASTVERIFY_FILE);
	buf[n] = '\0';
	nl = strchr(buf, '\n');
	if (strncmp(buf, "verified ", 9) != 0 || !nl || nl[1] || (size_t)n != strlen(buf))
		return err_set(E_FAIL, "%s/%s: not a record of obsenv's", s->pol->root, LASTVERIFY_FILE);
	*nl = '\0';
	if (str_to_bounded(buf + 9, GEN_TIME_MAX, &t))
		return err_set(E_FAIL, "%s/%s: bad time", s->pol->root, LASTVERIFY_FILE);
	*when = (long long)t;
	return 0;
}

int lastverify_write(struct store *s, long long when)
{
	char buf[LASTVERIFY_MAX];
	int n = snprintf(buf, sizeof buf, "verified %lld\n", when);

	if (when < 0 || when > GEN_TIME_MAX || n < 0 || (size_t)n >= sizeof buf)
		return err_set(E_FAIL, "last verification time %lld out of range", when);
	return store_write_file(s->root, LASTVERIFY_FILE, buf, (size_t)n, 0644);
}
