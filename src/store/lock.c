#include "store/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
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

/* A lock file left 0644 by an earlier version is narrowed; one that is
 * not a plain file of ours is refused rather than trusted. */
static int owner_only(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return err_sys(E_FAIL, errno, "cannot check the lock file");
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || st.st_nlink != 1)
		return err_set(E_FAIL, "the lock file <root>/.lock is not a plain file owned by %u: remove it",
			       (unsigned)geteuid());
	if ((st.st_mode & 07777) != 0600 && fchmod(fd, 0600))
		return err_sys(E_FAIL, errno, "cannot make the lock file private");
	return 0;
}

/* While it holds the lock, the caller must not be able to park obsenv:
 * ^Z on the terminal, or a TSTP that sudo relays, would stop every
 * rollback behind it. Stops are ignored from the moment the lock is
 * taken until the process ends (the lock ends with it). */
static void ignore_stops(void)
{
	static const int sigs[] = { SIGTSTP, SIGTTIN, SIGTTOU };
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

int lock_take(int rootfd, unsigned int timeout, const char *who, int *out)
{
	struct timespec pause = { 0, 20000000L }, start, now;
	char line[256];
	int fd, n, r;

	*out = -1;
	/* flock(2) works on a read-only descriptor: a lock file anyone may
	 * open is a lock anyone may hold, and every rollback would wait on
	 * them. Only the owner account may open it. */
	fd = openat(rootfd, ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_sys(E_FAIL, errno, "cannot open the lock file");
	if ((r = owner_only(fd))) {
		close(fd);
		return r;
	}
	ignore_stops();
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
