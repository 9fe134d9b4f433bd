#include <criterion/criterion.h>
#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "confine/sandbox.h"
#include "confine/sandbox_rules.h"

/* Each Criterion test runs in its own process, so loading the filter
 * here confines only that test. */
static void load(enum sb_profile p)
{
	cr_assert_eq(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	cr_assert_eq(sandbox_apply(p), 0);
}

static void refused(long r, int err, const char *what)
{
	cr_expect_eq(r, -1, "%s was allowed", what);
	cr_expect_eq(errno, err, "%s: errno %d, expected %d", what, errno, err);
}

Test(sandbox, local_profile_refuses_escape_routes)
{
	char *argv[] = { "/bin/true", NULL };
	int s;

	load(SB_LOCAL);
	errno = 0;
	refused(execve("/bin/true", argv, argv + 1), EPERM, "execve");
	refused(ptrace(PTRACE_TRACEME, 0, NULL, NULL), EPERM, "ptrace");
	/* Raw calls: glibc's set*id wrappers abort a multi-threaded process
	 * (Criterion's worker) when one thread is refused. */
	refused(syscall(SYS_setuid, 0), EPERM, "setuid");
	refused(syscall(SYS_setresgid, 0, 0, 0), EPERM, "setresgid");
	refused(syscall(SYS_setgroups, 0, NULL), EPERM, "setgroups");
	refused(unshare(CLONE_NEWUSER), EPERM, "unshare");
	refused(mount("none", "/mnt", "tmpfs", 0, NULL), EPERM, "mount");
	refused(chroot("/"), EPERM, "chroot");
	refused(ioctl(0, TIOCSTI, "x"), EPERM, "TIOCSTI");
	refused(socket(AF_INET, SOCK_STREAM, 0), EAFNOSUPPORT, "AF_INET");
	refused(socket(AF_INET6, SOCK_DGRAM, 0), EAFNOSUPPORT, "AF_INET6");
	refused(socket(AF_NETLINK, SOCK_RAW, 0), EAFNOSUPPORT, "AF_NETLINK");
	refused(socket(AF_PACKET, SOCK_RAW, 0), EAFNOSUPPORT, "AF_PACKET");
	refused(socket(4096, SOCK_RAW, 0), EAFNOSUPPORT, "family 4096");
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	cr_expect(s >= 0, "AF_UNIX (syslog) must work");
	close(s);
}

Test(sandbox, network_profile_allows_ip_only)
{
	int s;

	load(SB_NETWORK);
	s = socket(AF_INET, SOCK_STREAM, 0);
	cr_expect(s >= 0, "AF_INET: %s", strerror(errno));
	close(s);
	s = socket(AF_INET6, SOCK_STREAM, 0);
	cr_expect(s >= 0 || errno == EAFNOSUPPORT, "AF_INET6");
	close(s);
	refused(socket(AF_PACKET, SOCK_RAW, 0), EAFNOSUPPORT, "AF_PACKET");
	refused(socket(AF_BLUETOOTH, SOCK_RAW, 0), EAFNOSUPPORT, "AF_BLUETOOTH");
	{
		char *argv[] = { "/bin/true", NULL };

		refused(execve("/bin/true", argv, argv + 1), EPERM, "execve");
	}
}

/* The filter as exported, without loading it, names every denied call
 * with an errno action, and only the network profile lets IP sockets by. */
static char *export(enum sb_profile p)
{
	scmp_filter_ctx ctx;
	FILE *f = tmpfile();
	char *text = calloc(1, 1 << 20);
	size_t n;

	cr_assert(f && text);
	cr_assert_eq(sandbox_build(p, &ctx), 0);
	cr_assert_eq(seccomp_export_pfc(ctx, fileno(f)), 0);
	seccomp_release(ctx);
	rewind(f);
	n = fread(text, 1, (1 << 20) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

Test(sandbox, exported_filter_names_denied_calls)
{
	static const char *const names[] = { "execve", "execveat", "ptrace", "setuid", "setresuid",
					     "setgroups", "mount", "unshare", "bpf", "keyctl",
					     "process_vm_writev", "io_uring_setup" };
	char *local = export(SB_LOCAL), *net = export(SB_NETWORK), want[64];

	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		snprintf(want, sizeof want, "\"%s\"", names[i]);
		cr_expect(strstr(local, want) != NULL, "%s not in the local filter", names[i]);
		cr_expect(strstr(net, want) != NULL, "%s not in the network filter", names[i]);
	}
	cr_expect(strstr(local, "ERRNO(1)") != NULL);
	/* AF_INET (2) is refused by an equality rule in the local profile only. */
	cr_expect(strstr(local, "$a0.lo32 == 2)") != NULL, "%s", local);
	cr_expect(strstr(net, "$a0.lo32 == 2)") == NULL);
	free(local);
	free(net);
}

/* The program obsenv loads was compiled at build time: it must be exactly
 * what the rules build now, for both profiles, or every verdict above is
 * about a different filter. */
static void same_program(enum sb_profile p)
{
	scmp_filter_ctx ctx;
	FILE *f = tmpfile();
	unsigned char *now = calloc(1, 1 << 16);
	const unsigned char *embedded;
	size_t n, len;

	cr_assert(f && now);
	cr_assert_eq(sandbox_build(p, &ctx), 0);
	cr_assert_eq(seccomp_export_bpf(ctx, fileno(f)), 0);
	seccomp_release(ctx);
	rewind(f);
	n = fread(now, 1, 1 << 16, f);
	fclose(f);
	embedded = sandbox_program(p, &len);
	cr_assert_gt(len, 0);
	cr_assert_eq(len, n, "embedded program %zu bytes, the rules build %zu", len, n);
	cr_assert_arr_eq(embedded, now, n, "the embedded program differs from the rules");
	free(now);
}

Test(sandbox, embedded_program_is_what_the_rules_build)
{
	same_program(SB_LOCAL);
	same_program(SB_NETWORK);
}

Test(sandbox, profiles_differ)
{
	size_t a, b;
	const unsigned char *l = sandbox_program(SB_LOCAL, &a), *n = sandbox_program(SB_NETWORK, &b);

	cr_assert(a != b || memcmp(l, n, a) != 0, "the network profile is the local one");
}
