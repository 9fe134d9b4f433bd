#include "confine/sandbox_rules.h"

#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "core/err.h"

/* A deny list rather than an allow list: obsenv runs on more than one
 * distribution's glibc and libgit2, and an allow list that kills on an
 * unforeseen syscall would break rollback at 3 a.m. What is denied is what
 * an attacker who got code running inside obsenv would need to leave it:
 * run a program, gain or change privileges, attach to processes, change
 * the mount or namespace view, or talk to the kernel's rarer interfaces. */
static const char *const denied[] = {
	"execve", "execveat",
	"ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
	"setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid",
	"setfsuid", "setfsgid", "setgroups", "capset",
	"mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen",
	"fsconfig", "fsmount", "fspick", "mount_setattr",
	"unshare", "setns",
	"keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
	"io_uring_setup", "io_uring_enter", "io_uring_register",
	"kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
	"reboot", "swapon", "swapoff", "syslog", "acct", "quotactl", "quotactl_fd",
	"name_to_handle_at", "open_by_handle_at", "iopl", "ioperm", "personality",
	"settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
	"sethostname", "setdomainname", "vhangup", "uselib", "lookup_dcookie",
};

/* Namespaces could be used to get new privileges inside them. */
static const unsigned long clone_flags[] = {
	CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWUTS,
	CLONE_NEWIPC, CLONE_NEWCGROUP,
};

static const unsigned long tty_ioctls[] = { TIOCSTI, TIOCLINUX };

static int add(scmp_filter_ctx ctx, uint32_t action, int nr, unsigned n,
	       const struct scmp_arg_cmp *cmp)
{
	return seccomp_rule_add_array(ctx, action, nr, n, cmp);
}

static int build_rules(scmp_filter_ctx ctx, enum sb_profile p)
{
	int r = 0;

	for (size_t i = 0; i < sizeof denied / sizeof *denied && !r; i++) {
		int nr = seccomp_syscall_resolve_name(denied[i]);

		if (nr != __NR_SCMP_ERROR)
			r = add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0, NULL);
	}
	for (size_t i = 0; i < sizeof clone_flags / sizeof *clone_flags && !r; i++) {
		struct scmp_arg_cmp c = SCMP_A0(SCMP_CMP_MASKED_EQ, clone_flags[i], clone_flags[i]);

		r = add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1, &c);
	}
	/* clone3 passes its flags in memory seccomp cannot read: make glibc
	 * fall back to clone, which the rules above do see. */
	if (!r)
		r = add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0, NULL);
	/* Typing into the caller's terminal after we become the owner. */
	for (size_t i = 0; i < sizeof tty_ioctls / sizeof *tty_ioctls && !r; i++) {
		struct scmp_arg_cmp c = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, tty_ioctls[i]);

		r = add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1, &c);
	}
	/* Socket families: AF_UNIX always (syslog, NSS); IP and netlink only
	 * for actions that fetch. One rule per refused family value, since a
	 * rule may compare an argument once. */
	for (int fam = 0; fam < AF_MAX && !r; fam++) {
		struct scmp_arg_cmp c = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fam);
		int allowed = fam == AF_UNIX ||
			      (p == SB_NETWORK && (fam == AF_INET || fam == AF_INET6 || fam == AF_NETLINK));

		if (!allowed)
			r = add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1, &c);
	}
	if (!r) {
		struct scmp_arg_cmp c = SCMP_A0(SCMP_CMP_GE, (scmp_datum_t)AF_MAX);

		r = add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1, &c);
	}
	return r;
}

int sandbox_build(enum sb_profile p, scmp_filter_ctx *out)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int r;

	*out = NULL;
	if (!ctx)
		return err_set(E_PRIV, "cannot create the seccomp filter");
	/* Another ABI (x32, i386 via int 0x80) would bypass every rule. No
	 * thread sync and no logging: sandbox_apply loads the program with
	 * flags 0, and the two must mean the same filter. */
	if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) ||
	    (r = build_rules(ctx, p))) {
		seccomp_release(ctx);
		return err_sys(E_PRIV, -r, "cannot build the seccomp filter");
	}
	*out = ctx;
	return 0;
}
