#include "door/hygiene.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/err.h"

extern char **environ;

/* 0, 1 and 2 must be open before we open anything, or the policy could
 * become "stdout" and an error message could be written into it. For a
 * setuid program glibc has already put read-only /dev/null on a closed 1
 * or 2; make it writable so that a closed stream means "discard", not a
 * write error after the work is done. */
static void open_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		struct stat st;
		int flags = fcntl(fd, F_GETFL);

		if (flags == -1 && errno == EBADF) {
			if (open("/dev/null", O_RDWR | O_NOCTTY) != fd)
				_exit(127); /* nowhere safe to say anything */
		} else if (fd > 0 && flags != -1 && (flags & O_ACCMODE) == O_RDONLY &&
			   fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)) {
			int null = open("/dev/null", O_WRONLY | O_NOCTTY);

			if (null < 0 || dup2(null, fd) != fd)
				_exit(127);
			close(null);
		}
	}
}

static void close_other_fds(void)
{
	if (close_range(3, ~0U, 0) == 0)
		return;
	for (int fd = 3; fd < 65536; fd++)
		close(fd);
}

static void reset_signals(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, ign = { .sa_handler = SIG_IGN };
	sigset_t none;

	for (int s = 1; s < NSIG; s++)
		sigaction(s, &dfl, NULL); /* fails harmlessly for KILL, STOP, libc's own */
	/* A closed pipe or a tiny RLIMIT_FSIZE must give us an error to report
	 * and audit, not kill us between two steps. */
	sigaction(SIGPIPE, &ign, NULL);
	sigaction(SIGXFSZ, &ign, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Limits the caller set could make us fail halfway. As root we raise
 * them; where even root may not (no CAP_SYS_RESOURCE, or no setuid bit)
 * the soft limit goes up to the hard one, and a limit still too low to
 * finish is refused now, before anything is done. */
#define MIN_OPEN_FILES 64
/* The stack grows on demand up to RLIMIT_STACK: a caller's tiny limit
 * would turn a deep call in libgit2 into SIGSEGV after the drop, with a
 * decision record and no result. 8 MiB is the usual default; 1 MiB is
 * well above what obsenv's deepest path (removing a tree PATH_MAX deep)
 * uses. An unlimited one comes down too: nothing needs more. */
#define STACK_BYTES (8UL << 20)
#define MIN_STACK_BYTES (1UL << 20)

static int reset_limits(void)
{
	static const struct { int res; rlim_t cur, max; } lim[] = {
		{ RLIMIT_CORE, 0, 0 },
		{ RLIMIT_FSIZE, RLIM_INFINITY, RLIM_INFINITY },
		{ RLIMIT_CPU, RLIM_INFINITY, RLIM_INFINITY },
		{ RLIMIT_AS, RLIM_INFINITY, RLIM_INFINITY },
		{ RLIMIT_DATA, RLIM_INFINITY, RLIM_INFINITY },
		{ RLIMIT_NOFILE, 1024, 4096 },
		{ RLIMIT_STACK, STACK_BYTES, RLIM_INFINITY },
		/* fork (reading a caller's file) must not fail for the
		 * caller's process count, nor real-time CPU time kill us. */
		{ RLIMIT_NPROC, RLIM_INFINITY, RLIM_INFINITY },
		{ RLIMIT_RTTIME, RLIM_INFINITY, RLIM_INFINITY },
	};
	struct rlimit rl;

	for (size_t i = 0; i < sizeof lim / sizeof *lim; i++) {
		rl.rlim_cur = lim[i].cur;
		rl.rlim_max = lim[i].max;
		if (setrlimit(lim[i].res, &rl) == 0 || getrlimit(lim[i].res, &rl))
			continue;
		rl.rlim_cur = lim[i].cur < rl.rlim_max ? lim[i].cur : rl.rlim_max;
		setrlimit(lim[i].res, &rl);
	}
	if (getrlimit(RLIMIT_CORE, &rl) || rl.rlim_cur != 0)
		return err_set(E_PRIV, "cannot disable core dumps");
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur < MIN_OPEN_FILES)
		return err_set(E_FAIL, "the open file limit (%lu) is too low: obsenv needs %d",
			       (unsigned long)rl.rlim_cur, MIN_OPEN_FILES);
	if (getrlimit(RLIMIT_STACK, &rl) || rl.rlim_cur < MIN_STACK_BYTES)
		return err_set(E_FAIL, "the stack size limit (%lu KiB) is too low: obsenv needs %lu KiB",
			       (unsigned long)(rl.rlim_cur >> 10), MIN_STACK_BYTES >> 10);
	return 0;
}

/* Interval timers survive execve: a caller could arm one to kill us at a
 * moment of their choosing, between two steps of a change. */
static void disarm_timers(void)
{
	static const int which[] = { ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF };
	const struct itimerval off = { { 0, 0 }, { 0, 0 } };

	for (size_t i = 0; i < sizeof which / sizeof *which; i++)
		if (setitimer(which[i], &off, NULL))
			_exit(127); /* cannot fail for these; nowhere safe to say so yet */
}

static int prefixed(const char *var, const char *const *list)
{
	for (; *list; list++)
		if (!strncmp(var, *list, strlen(*list)))
			return 1;
	return 0;
}

static void note(char *ignored, size_t size, const char *var)
{
	size_t n = strlen(ignored), k = strcspn(var, "=");

	if (k > 48)
		k = 48;
	if (n + k + 2 < size) {
		if (n)
			ignored[n++] = ',';
		memcpy(ignored + n, var, k);
		ignored[n + k] = '\0';
	}
}

/* SUDO_* are copied, bounded, for identity.c to judge; everything else is
 * thrown away. The known attack vectors are named in the audit record. */
static void take_environment(struct sudo_env *sudo, char *ignored, size_t size)
{
	static const char *const risky[] = { "LD_", "GIT_", "GCONV_PATH=", "NLSPATH=", "LOCPATH=",
					     "GLIBC_TUNABLES=", "MALLOC_", "HOSTALIASES=",
					     "RES_OPTIONS=", "LOCALDOMAIN=", "TZDIR=", "TZ=",
					     "XDG_CONFIG_HOME=", "SSH_ASKPASS=", "POSIXLY_CORRECT=", NULL };

	memset(sudo, 0, sizeof *sudo);
	ignored[0] = '\0';
	for (char **e = environ; e && *e; e++) {
		const char *v = *e;

		if (!strncmp(v, "SUDO_USER=", 10)) {
			sudo->present = true;
			sudo->malformed |= str_copy(sudo->user, sizeof sudo->user, v + 10) != 0;
		} else if (!strncmp(v, "SUDO_UID=", 9)) {
			sudo->present = true;
			sudo->malformed |= str_copy(sudo->uid, sizeof sudo->uid, v + 9) != 0;
		} else if (prefixed(v, risky)) {
			note(ignored, size, v);
		}
	}
	clearenv();
	/* Fixed, minimal, and never consulted for paths obsenv acts on. */
	setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
	setenv("LC_ALL", "C", 1);
}

int hygiene_start(int argc, char **argv, struct sudo_env *sudo, char *ignored, size_t size)
{
	int r;

	disarm_timers();
	open_std_fds();
	close_other_fds();
	reset_signals();
	umask(022);
	r = reset_limits();
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	take_environment(sudo, ignored, size);
	if (r)
		return r;
	/* argv[0] is NULL or "" only when the caller exec'd us by hand: old
	 * kernels passed argc 0, and PwnKit-style bugs start from there. */
	if (argc < 1 || !argv || !argv[0] || !argv[0][0])
		return err_set(E_USAGE, "refusing to run with an empty argument list");
	if (argc > ARG_MAX_COUNT)
		return err_set(E_USAGE, "too many arguments (%d; at most %d)", argc - 1, ARG_MAX_COUNT - 1);
	for (int i = 1; i < argc; i++)
		if (strlen(argv[i]) > ARG_MAX_BYTES)
			return err_set(E_USAGE, "argument %d is longer than %d bytes", i, ARG_MAX_BYTES);
	return 0;
}
