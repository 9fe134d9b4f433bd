/* probe USER [local|network]: the privilege drop and sandbox, proved from
 * inside. Built from obsenv's own hygiene, identity, privs and sandbox code
 * but never linked into the shipped binary, which has no test hooks. The
 * end-to-end suite installs it setuid root in its temporary prefix only,
 * executable by one test group. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <unistd.h>

#include "core/err.h"
#include "door/hygiene.h"
#include "door/identity.h"
#include "confine/privs.h"
#include "confine/sandbox.h"

static void show(const char *what, long r)
{
	printf("%s: %s\n", what, r < 0 ? strerror(errno) : "ALLOWED");
}

int main(int argc, char **argv)
{
	static struct account a;
	struct sudo_env sudo;
	char ignored[256], line[256];
	char *sh[] = { "/bin/sh", "-c", "true", NULL };
	FILE *f;
	int r;

	if ((r = hygiene_start(argc, argv, &sudo, ignored, sizeof ignored)) || argc < 2) {
		fprintf(stderr, "usage: probe USER [local|network]\n");
		return 2;
	}
	printf("start: euid=%u\n", (unsigned)geteuid());
	if ((r = account_by_name(argv[1], &a)) ||
	    (r = privs_drop(a.uid, a.gid, a.groups, a.ngroups)) ||
	    (r = sandbox_apply(argc > 2 && !strcmp(argv[2], "network") ? SB_NETWORK : SB_LOCAL))) {
		fprintf(stderr, "probe: %s\n", err_msg());
		return 5;
	}
	if (!(f = fopen("/proc/self/status", "r")))
		return 1;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "Uid:", 4) || !strncmp(line, "Gid:", 4) || !strncmp(line, "Groups:", 7) ||
		    !strncmp(line, "Cap", 3) || !strncmp(line, "NoNewPrivs:", 11) ||
		    !strncmp(line, "Seccomp:", 8))
			fputs(line, stdout);
	fclose(f);
	fflush(stdout);
	show("execve", execve(sh[0], sh, sh + 3));
	show("setuid0", syscall(SYS_setuid, 0));
	show("setresuid0", syscall(SYS_setresuid, 0, 0, 0));
	show("ptrace_attach_parent", ptrace(PTRACE_ATTACH, getppid(), NULL, NULL));
	show("mount", mount("none", "/mnt", "tmpfs", 0, NULL));
	show("socket_inet", socket(AF_INET, SOCK_STREAM, 0));
	show("socket_unix", socket(AF_UNIX, SOCK_DGRAM, 0));
	show("open_shadow", open("/etc/shadow", O_RDONLY));
	return 0;
}
