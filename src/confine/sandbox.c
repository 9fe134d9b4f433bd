#include "confine/sandbox.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/err.h"
/* The BPF programs that sandbox_gen compiled from sandbox_rules.c at build
 * time (the unit tests check they are what the rules build now). */
#include "sandbox_bpf.h"

const unsigned char *sandbox_program(enum sb_profile p, size_t *len)
{
	*len = p == SB_NETWORK ? sizeof sb_network_bpf : sizeof sb_local_bpf;
	return p == SB_NETWORK ? sb_network_bpf : sb_local_bpf;
}

int sandbox_apply(enum sb_profile p)
{
	size_t len;
	const unsigned char *code = sandbox_program(p, &len);
	struct sock_fprog prog = {
		.len = (unsigned short)(len / sizeof(struct sock_filter)),
		/* The kernel copies the program and never writes to it. */
		.filter = (struct sock_filter *)(uintptr_t)code,
	};

	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return err_sys(E_PRIV, errno, "cannot load the seccomp filter");
	return 0;
}
