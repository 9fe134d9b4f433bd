#include "git/deadline.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>

#include "core/err.h"

static volatile sig_atomic_t passed;
static bool answered, armed;
static struct sigaction old;

static void on_alarm(int sig)
{
	(void)sig;
	passed = 1;
}

/* After the first expiry the timer fires every second: a library call
 * that retries after EINTR is interrupted again until it gives up. */
static int arm(unsigned int seconds)
{
	struct itimerval it = { .it_interval = { 1, 0 }, .it_value = { (time_t)seconds, 0 } };

	return setitimer(ITIMER_REAL, &it, NULL);
}

int deadline_start(unsigned int connect_s)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm; /* no SA_RESTART: blocked calls return EINTR */
	sigemptyset(&sa.sa_mask);
	passed = 0;
	answered = false;
	if (sigaction(SIGALRM, &sa, &old))
		return err_sys(E_FAIL, errno, "cannot bound the fetch");
	armed = true;
	if (arm(connect_s)) {
		int e = errno;

		deadline_stop();
		return err_sys(E_FAIL, e, "cannot bound the fetch");
	}
	return 0;
}

bool deadline_alive(unsigned int stall_s)
{
	if (passed || !armed)
		return !passed;
	answered = true;
	return arm(stall_s) == 0;
}

void deadline_stop(void)
{
	struct itimerval off;

	if (!armed)
		return;
	memset(&off, 0, sizeof off);
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	armed = false;
}

bool deadline_passed(void)
{
	return passed != 0;
}

bool deadline_answered(void)
{
	return answered;
}
