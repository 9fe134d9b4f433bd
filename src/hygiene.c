#include "hygiene.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"

extern char **environ;

/* 0, 1 and 2 must be open before we open anything, or the policy could
 * become "stdout" and an error message could be written into it. */
static void open_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF &&
		    open("/dev/null", O_RDWR | O_NOCTTY) != fd)
			_exit(127); /* nowhere safe to say anything */
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

/* Limits the caller set could make us fail halfway; as root we may raise
 * them. Without root (no setuid bit) they stay as inherited. */
static void reset_limits(void)
{
	static const struct { int res; rlim_t cur, max; } lim[] = {
		{ RLIMIT_CORE, 0, 0 },
		{ RLIMIT_FSIZE, RLIM_INFINITY, RLIM_INFINITY },
		{ RLIMIT_CPU, RLIM_INFINITY, RLIM_INFINITY },
		{ RLIMIT_AS, RLIM_INFINITY, RLIM_INFINITY },
		{ RLIMIT_DATA, RLIM_INFINITY, RLIM_INFINITY },
		{ RLIMIT_NOFILE, 1024, 4096 },
	};

	for (size_t i = 0; i < sizeof lim / sizeof *lim; i++) {
		struct rlimit rl = { lim[i].cur, lim[i].max };

		if (setrlimit(lim[i].res, &rl) && lim[i].res == RLIMIT_CORE) {
			struct rlimit zero = { 0, 0 };

			setrlimit(RLIMIT_CORE, &zero);
		}
	}
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
	open_std_fds();
	close_other_fds();
	reset_signals();
	umask(022);
	reset_limits();
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	take_environment(sudo, ignored, size);
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
