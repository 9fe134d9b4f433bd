#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "git/watchdog.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A TCP listener on 127.0.0.1 that accepts (the kernel's backlog) and
 * never answers. */
static int listener(struct sockaddr_in *a)
{
	socklen_t len = sizeof *a;
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert(l >= 0);
	a->sin_family = AF_INET;
	a->sin_port = 0;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert(bind(l, (struct sockaddr *)a, sizeof *a) == 0 && listen(l, 4) == 0);
	cr_assert(getsockname(l, (struct sockaddr *)a, &len) == 0);
	return l;
}

static int listening(int fd)
{
	int on = 0;
	socklen_t len = sizeof on;

	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on;
}

/* What libssh2 does: poll, and on EINTR poll again (here at most 5 times). Only the socket being
 * shut down under it ends the wait; sockets open before are left alone. */
Test(watchdog, a_silent_remote_ends_after_connect_timeout_even_when_eintr_is_retried)
{
	struct sockaddr_in a;
	int l = listener(&a), c, n, interrupted = 0;
	struct pollfd pf;
	char byte;
	double t0;

	cr_assert(watchdog_start(1, 5) == 0);
	t0 = now();
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert(connect(c, (struct sockaddr *)&a, sizeof a) == 0);
	pf = (struct pollfd){ .fd = c, .events = POLLIN };
	while ((n = poll(&pf, 1, 5000)) < 0 && errno == EINTR && interrupted < 5)
		interrupted++;
	cr_assert_eq(n, 1, "not woken: poll returned %d (errno %d)", n, errno);
	cr_expect_eq(recv(c, &byte, 1, 0), 0, "end-of-file on the remote's socket");
	cr_expect(now() - t0 > 0.9 && now() - t0 < 2.5, "after %.2f s", now() - t0);
	cr_expect_leq(interrupted, 1, "the retry met the shutdown, not another wait");
	cr_expect_not(watchdog_alive(), "a callback after the limit must fail");
	cr_expect_eq(watchdog_stop(), WD_CONNECT);
	cr_expect(listening(l), "a socket open before the fetch was shut down");
	close(c);
	close(l);
}

/* A blocking wait of at most 5 s, interrupted or not. */
static int wait_pipe(int fd)
{
	struct pollfd pf = { .fd = fd, .events = POLLIN };

	return poll(&pf, 1, 5000);
}

/* Callbacks restart the timer at stall_timeout; once they stop, the next
 * blocking call is interrupted, and again every second after. */
Test(watchdog, progress_keeps_it_alive_then_a_stall_ends_it_and_repeats)
{
	int p[2];
	double t0, last;

	cr_assert(pipe(p) == 0);
	cr_assert(watchdog_start(1, 2) == 0);
	t0 = now();
	while (now() - t0 < 3.5) {
		cr_assert(watchdog_alive(), "fired after %.2f s of progress", now() - t0);
		usleep(300000);
	}
	last = now();
	cr_expect_eq(wait_pipe(p[0]), -1);
	cr_expect_eq(errno, EINTR);
	cr_expect(now() - last > 1.5 && now() - last < 3, "stalled %.2f s", now() - last);
	last = now();
	cr_expect_eq(wait_pipe(p[0]), -1, "the timer repeats");
	cr_expect_eq(errno, EINTR);
	cr_expect(now() - last < 1.5, "repeated after %.2f s", now() - last);
	cr_expect_not(watchdog_alive());
	cr_expect_eq(watchdog_stop(), WD_STALL);
	close(p[0]);
	close(p[1]);
}

static void mine(int sig)
{
	(void)sig;
}

Test(watchdog, stop_puts_the_handler_back_and_disarms)
{
	struct sigaction sa = { .sa_handler = mine }, got;
	struct itimerval t;

	cr_expect_eq(watchdog_stop(), WD_NONE, "not started");
	sigemptyset(&sa.sa_mask);
	cr_assert(sigaction(SIGALRM, &sa, NULL) == 0);
	cr_assert(watchdog_start(1, 1) == 0);
	cr_expect(watchdog_alive());
	cr_expect_eq(watchdog_stop(), WD_NONE);
	cr_assert(sigaction(SIGALRM, NULL, &got) == 0);
	cr_expect_eq(got.sa_handler, mine);
	cr_assert(getitimer(ITIMER_REAL, &t) == 0);
	cr_expect(t.it_value.tv_sec == 0 && t.it_value.tv_usec == 0, "the timer is still armed");
	cr_expect_eq(watchdog_stop(), WD_NONE, "twice");
}
