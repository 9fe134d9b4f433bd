#include <criterion/criterion.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "confine/privs.h"

static char *status_field(const char *key)
{
	static char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	size_t n = strlen(key);

	cr_assert(f);
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			fclose(f);
			line[strcspn(line, "\n")] = '\0';
			return line + n + 2;
		}
	fclose(f);
	return "";
}

Test(privs, drop_to_nobody_is_complete_and_permanent)
{
	gid_t groups[] = { 65534 };

	if (geteuid() != 0)
		cr_skip_test("needs root");
	cr_assert_eq(privs_drop(65534, 65534, groups, 1), 0, "%s", err_msg());
	cr_expect_str_eq(status_field("Uid"), "65534\t65534\t65534\t65534");
	cr_expect_str_eq(status_field("Gid"), "65534\t65534\t65534\t65534");
	cr_expect_str_eq(status_field("Groups"), "65534 ");
	cr_expect_str_eq(status_field("CapInh"), "0000000000000000");
	cr_expect_str_eq(status_field("CapPrm"), "0000000000000000");
	cr_expect_str_eq(status_field("CapEff"), "0000000000000000");
	cr_expect_str_eq(status_field("CapBnd"), "0000000000000000");
	cr_expect_str_eq(status_field("CapAmb"), "0000000000000000");
	cr_expect_str_eq(status_field("NoNewPrivs"), "1");
	cr_expect_eq(setuid(0), -1);
	cr_expect_eq(setgid(0), -1);
	/* A second drop, back to root, is refused with a clear message. */
	cr_expect_eq(privs_drop(0, 0, NULL, 0), E_PRIV);
	cr_expect_str_eq(err_msg(), "obsenv is not installed setuid root, so it cannot act as uid 0");
}

Test(privs, drop_to_root_still_clears_capabilities)
{
	char path[] = "/tmp/obsenv-privs-XXXXXX";
	int fd;

	if (geteuid() != 0)
		cr_skip_test("needs root");
	/* Someone else's private file: only CAP_DAC_OVERRIDE could open it. */
	fd = mkstemp(path);
	cr_assert(fd >= 0);
	close(fd);
	cr_assert_eq(chown(path, 65534, 65534), 0);
	cr_assert_eq(chmod(path, 0600), 0);
	cr_assert_eq(privs_drop(0, 0, NULL, 0), 0, "%s", err_msg());
	cr_expect_str_eq(status_field("CapEff"), "0000000000000000");
	cr_expect_str_eq(status_field("CapBnd"), "0000000000000000");
	fd = open(path, O_RDONLY);
	cr_expect_eq(fd, -1, "root without capabilities opened a 0600 file of another user");
	unlink(path);
}
