#include "store/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "core/outbuf.h"
#include "core/str.h"

/* The holder record: one fixed-size line overwritten in place, never
 * truncated (truncation makes ext4 flush the file, auto_da_alloc, which
 * costs more than a whole rollback). "held by ..." while a run holds the
 * lock, "free" once it let go: a "held by" found by the next holder is a
 * run that ended without letting go. */
#define RECORD 256
#define HELD "held by "

static const char *const names[] = { [LOCK_SWITCH] = ".lock", [LOCK_WORK] = ".work.lock" };

static void record_read(int fd, char *buf, size_t size)
{
	char raw[RECORD];
	ssize_t n = pread(fd, raw, sizeof raw - 1, 0);

	raw[n > 0 ? n : 0] = '\0';
	raw[strcspn(raw, "\n")] = '\0';
	for (n = (ssize_t)strlen(raw); n > 0 && raw[n - 1] == ' '; n--)
		raw[n - 1] = '\0';
	/* The text is only ever shown, to people and auditors. */
	str_for_terminal(buf, size, raw);
}

static void record_write(int fd, const char *text)
{
	char line[RECORD + 1];

	/* Padded with spaces to the full size, cut if longer. */
	snprintf(line, sizeof line, "%-*.*s\n", RECORD - 1, RECORD - 1, text);
	(void)!pwrite(fd, line, RECORD, 0);
}

/* A lock file left 0644 by an earlier version is narrowed; one that is
 * not a plain file of ours is refused rather than trusted. */
static int owner_only(int fd, const char *name)
{
	struct stat st;

	if (fstat(fd, &st))
		return err_sys(E_FAIL, errno, "cannot check the lock file <root>/%s", name);
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || st.st_nlink != 1)
		return err_set(E_FAIL, "the lock file <root>/%s is not a plain file owned by %u: remove it",
			       name, (unsigned)geteuid());
	if ((st.st_mode & 07777) != 0600 && fchmod(fd, 0600))
		return err_sys(E_FAIL, errno, "cannot make the lock file <root>/%s private", name);
	return 0;
}

/* While it holds a lock, the caller must not be able to park obsenv:
 * ^Z on the terminal, or a TSTP that sudo relays, would stop every
 * rollback behind it. Stops are ignored from the moment obsenv reaches
 * for a lock until the process ends. */
static void ignore_stops(void)
{
	static const int sigs[] = { SIGTSTP, SIGTTIN, SIGTTOU };
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

static int busy(int fd, enum lock_kind kind, unsigned int timeout)
{
	char line[RECORD];

	record_read(fd, line, sizeof line);
	if (strncmp(line, HELD, strlen(HELD)) != 0)
		snprintf(line, sizeof line, HELD "another obsenv");
	if (kind == LOCK_SWITCH)
		return err_set(E_FAIL, "the environment is busy: switching generations, %s; gave up after %u s",
			       line, timeout);
	return err_set(E_FAIL, "another change is under way: %s; gave up after %u s (a rollback "
		       "does not wait for it)", line, timeout);
}

int lock_take(int rootfd, enum lock_kind kind, unsigned int timeout, const char *who, int *out,
	      char *earlier, size_t earlier_size)
{
	struct timespec pause = { 0, 20000000L }, start, now;
	char line[RECORD], when[32];
	struct tm tm;
	time_t t;
	int fd, r;

	*out = -1;
	earlier[0] = '\0';
	/* flock(2) works on a read-only descriptor: a lock file anyone may
	 * open is a lock anyone may hold, and every rollback would wait on
	 * them. Only the owner account may open it. */
	fd = openat(rootfd, names[kind], O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_sys(E_FAIL, errno, "cannot open the lock file <root>/%s", names[kind]);
	if ((r = owner_only(fd, names[kind]))) {
		close(fd);
		return r;
	}
	ignore_stops();
	/* Output is held before the lock is taken: what was said before goes
	 * out now, while blocking on a stopped terminal holds nothing. */
	out_hold();
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			r = err_sys(E_FAIL, errno, "cannot lock the environment");
			goto fail;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= (time_t)timeout) {
			r = busy(fd, kind, timeout);
			goto fail;
		}
		nanosleep(&pause, NULL);
	}
	record_read(fd, line, sizeof line);
	if (!strncmp(line, HELD, strlen(HELD)))
		str_copy(earlier, earlier_size, line + strlen(HELD));
	t = time(NULL);
	if (!gmtime_r(&t, &tm) || !strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(when, sizeof when, "?");
	snprintf(line, sizeof line, HELD "%s (pid %d, since %s)", who, (int)getpid(), when);
	record_write(fd, line);
	*out = fd;
	return 0;
fail:
	close(fd);
	out_release();
	return r;
}

void lock_release(int *fd)
{
	if (*fd < 0)
		return;
	record_write(*fd, "free");
	close(*fd);
	*fd = -1;
	out_release();
}
