#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "git/deadline.h"

/* A fetch blocked on a silent remote is what a read of an empty pipe
 * is: the deadline must interrupt it. */
static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static ssize_t blocked_read(double *took)
{
	int fds[2];
	char c;
	double t0 = now();
	ssize_t n;

	cr_assert_eq(pipe(fds), 0);
	n = read(fds[0], &c, 1);
	*took = now() - t0;
	close(fds[0]);
	close(fds[1]);
	return n;
}

Test(deadline, a_remote_that_never_answers_is_cut_off_at_the_connect_timeout)
{
	double took;

	cr_assert_eq(deadline_start(1), 0);
	cr_assert_eq(blocked_read(&took), -1);
	cr_expect_eq(errno, EINTR);
	cr_expect(deadline_passed());
	cr_expect(!deadline_answered());
	cr_expect(!deadline_alive(5), "a callback after the deadline must end the fetch");
	deadline_stop();
	cr_expect(took > 0.8 && took < 3, "took %.2f s", took);
}

Test(deadline, a_sign_of_life_moves_the_deadline_to_the_stall_timeout)
{
	double took;

	cr_assert_eq(deadline_start(1), 0);
	usleep(600000);
	cr_assert(deadline_alive(2));
	cr_assert_eq(blocked_read(&took), -1);
	cr_expect(deadline_passed());
	cr_expect(deadline_answered());
	deadline_stop();
	cr_expect(took > 1.7 && took < 4, "took %.2f s", took);
}

Test(deadline, stop_disarms_the_timer_and_restores_the_handler)
{
	struct sigaction sa;
	struct itimerval it;

	cr_assert_eq(deadline_start(30), 0);
	deadline_stop();
	cr_assert_eq(getitimer(ITIMER_REAL, &it), 0);
	cr_expect_eq(it.it_value.tv_sec, 0);
	cr_expect_eq(it.it_value.tv_usec, 0);
	cr_assert_eq(sigaction(SIGALRM, NULL, &sa), 0);
	cr_expect(sa.sa_handler == SIG_DFL);
	cr_expect(!deadline_passed());
}
