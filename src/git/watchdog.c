#include "git/watchdog.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "core/err.h"

/* door/hygiene holds RLIMIT_NOFILE to at most 4096. */
#define FDS_MAX 4096
/* Callbacks come once per object; re-arming costs a system call, so it
 * happens at most every 100 ms, which is all a limit loses. */
#define REARM_NS 100000000LL

static volatile sig_atomic_t fired;
static bool running, answered;
static unsigned int stall;
static int nfds;
/* Network sockets open before the fetch (a directory service's, say):
 * not the remote's, so never shut down. */
static unsigned char before[FDS_MAX / 8];
static struct sigaction old_action;
static struct itimerval old_timer;
static struct timespec armed_at;

static bool net_socket(int fd)
{
	struct sockaddr_storage a = { .ss_family = AF_UNSPEC };
	socklen_t len = sizeof a;

	return getsockname(fd, (struct sockaddr *)&a, &len) == 0 &&
	       (a.ss_family == AF_INET || a.ss_family == AF_INET6);
}

static bool was_open(int fd)
{
	return before[fd / 8] & (1u << (fd % 8));
}

/* Async-signal-safe only: getsockname(2) and shutdown(2). A socket shut
 * down under a blocked poll or recv wakes it with end-of-file, which even
 * a library that retries on EINTR takes as the end of the connection. */
static void on_alarm(int sig)
{
	int saved = errno;

	(void)sig;
	fired = 1;
	for (int fd = 0; fd < nfds; fd++)
		if (!was_open(fd) && net_socket(fd))
			shutdown(fd, SHUT_RDWR);
	errno = saved;
}

/* After the first expiry the timer repeats every second: a library that
 * retries, or connects again, is interrupted again. */
static int arm(unsigned int seconds, struct itimerval *old)
{
	struct itimerval t = { { 1, 0 }, { (time_t)seconds, 0 } };

	clock_gettime(CLOCK_MONOTONIC, &armed_at);
	return setitimer(ITIMER_REAL, &t, old);
}

int watchdog_start(unsigned int connect_s, unsigned int stall_s)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct rlimit rl;

	fired = 0;
	answered = false;
	stall = stall_s;
	nfds = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < FDS_MAX ? (int)rl.rlim_cur : FDS_MAX;
	memset(before, 0, sizeof before);
	for (int fd = 0; fd < nfds; fd++)
		if (net_socket(fd))
			before[fd / 8] |= (unsigned char)(1u << (fd % 8));
	/* No SA_RESTART: a blocked connect or recv returns EINTR. */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, &old_action))
		return err_sys(E_FAIL, errno, "cannot bound the fetch in time");
	if (arm(connect_s, &old_timer)) {
		int e = errno;

		sigaction(SIGALRM, &old_action, NULL);
		return err_sys(E_FAIL, e, "cannot bound the fetch in time");
	}
	running = true;
	return 0;
}

bool watchdog_alive(void)
{
	struct timespec now;

	if (fired)
		return false;
	if (answered && clock_gettime(CLOCK_MONOTONIC, &now) == 0 &&
	    (int64_t)(now.tv_sec - armed_at.tv_sec) * 1000000000LL + (now.tv_nsec - armed_at.tv_nsec) <
		    REARM_NS)
		return true;
	answered = true;
	/* A timer that could not be re-armed keeps the earlier deadline: the
	 * fetch may end early, never late. */
	if (running)
		arm(stall, NULL);
	return true;
}

enum watchdog_end watchdog_stop(void)
{
	if (!running)
		return WD_NONE;
	/* The timer first: once it is off, no SIGALRM can meet the old action. */
	setitimer(ITIMER_REAL, &old_timer, NULL);
	sigaction(SIGALRM, &old_action, NULL);
	running = false;
	return !fired ? WD_NONE : answered ? WD_STALL : WD_CONNECT;
}
