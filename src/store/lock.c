#include "store/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"

static void holder(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	for (n = (ssize_t)strlen(buf); n > 0 && buf[n - 1] == ' '; n--)
		buf[n - 1] = '\0';
	if (!buf[0])
		snprintf(buf, size, "another obsenv");
}

int lock_take(int rootfd, unsigned int timeout, const char *who, int *out)
{
	struct timespec pause = { 0, 20000000L }, start, now;
	char line[256];
	int fd, n;

	*out = -1;
	fd = openat(rootfd, ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_sys(E_FAIL, errno, "cannot open the lock file");
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			close(fd);
			return err_sys(E_FAIL, errno, "cannot lock the environment");
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= (time_t)timeout) {
			holder(fd, line, sizeof line);
			close(fd);
			return err_set(E_FAIL, "the environment is busy: locked by %s; gave up after %u s",
				       line, timeout);
		}
		nanosleep(&pause, NULL);
	}
	/* Tell the next waiter who holds it. Best effort: the lock itself is
	 * the kernel's, not this text. A fixed-size record overwritten in
	 * place: truncating would make ext4 flush the file (auto_da_alloc),
	 * which costs more than the whole rollback. */
	memset(line, ' ', sizeof line);
	n = snprintf(line, sizeof line, "%s (pid %d, since %lld)", who, (int)getpid(),
		     (long long)time(NULL));
	if (n > 0 && (size_t)n < sizeof line) {
		line[n] = ' ';
		line[sizeof line - 1] = '\n';
		(void)!pwrite(fd, line, sizeof line, 0);
	}
	*out = fd;
	return 0;
}
