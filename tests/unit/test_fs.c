#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/err.h"
#include "core/fs.h"

/* Ownership checks need files owned by root and by someone else. */
static char dir[64], path[128];

static void setup(void)
{
	int fd;

	if (geteuid() != 0)
		cr_skip_test("needs root");
	strcpy(dir, "/tmp/obsenv-fs-XXXXXX");
	cr_assert(mkdtemp(dir));
	chmod(dir, 0755);
	snprintf(path, sizeof path, "%s/policy.yaml", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, "owner: x\n", 9), 9);
	close(fd);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (dir[0] && system(cmd) != 0)
		cr_log_warn("could not remove %s", dir);
}

static void refused(const char *msg)
{
	char *buf = NULL;
	size_t len;

	cr_assert_eq(fs_read_trusted(path, 1024, &buf, &len), E_POLICY);
	cr_expect_str_eq(err_msg(), msg);
	cr_expect_null(buf);
}

TestSuite(fs, .init = setup, .fini = teardown);

Test(fs, root_owned_file_is_read)
{
	char *buf = NULL;
	size_t len;

	cr_assert_eq(fs_read_trusted(path, 1024, &buf, &len), 0, "%s", err_msg());
	cr_expect_str_eq(buf, "owner: x\n");
	free(buf);
}

Test(fs, group_or_world_writable_file)
{
	char msg[256];

	chmod(path, 0664);
	snprintf(msg, sizeof msg, "%s: file is writable by group or others (mode 0664)", path);
	refused(msg);
	chmod(path, 0666);
	snprintf(msg, sizeof msg, "%s: file is writable by group or others (mode 0666)", path);
	refused(msg);
}

Test(fs, file_owned_by_a_user)
{
	char msg[256];

	cr_assert_eq(chown(path, 65534, 0), 0);
	snprintf(msg, sizeof msg, "%s: file is owned by uid 65534, not root", path);
	refused(msg);
}

Test(fs, writable_directory_above)
{
	char msg[256];

	chmod(dir, 0777);
	snprintf(msg, sizeof msg, "%s: directory is writable by group or others (mode 0777)", dir);
	refused(msg);
}

Test(fs, root_owned_sticky_directory_is_accepted)
{
	char *buf = NULL;
	size_t len;

	chmod(dir, 01777);
	cr_expect_eq(fs_read_trusted(path, 1024, &buf, &len), 0, "%s", err_msg());
	free(buf);
}

Test(fs, user_owned_directory_above)
{
	char msg[256];

	cr_assert_eq(chown(dir, 65534, 65534), 0);
	snprintf(msg, sizeof msg, "%s: directory is owned by uid 65534, not root", dir);
	refused(msg);
}

Test(fs, file_is_a_symlink)
{
	char real[160], msg[256];

	snprintf(real, sizeof real, "%s/real.yaml", dir);
	cr_assert_eq(rename(path, real), 0);
	cr_assert_eq(symlink("real.yaml", path), 0);
	snprintf(msg, sizeof msg, "%s: is a symlink", path);
	refused(msg);
}

Test(fs, directory_is_a_symlink)
{
	char link[160], linked[200], msg[256];
	char *buf = NULL;
	size_t len;

	snprintf(link, sizeof link, "%s/link", dir);
	cr_assert_eq(symlink(".", link), 0);
	snprintf(linked, sizeof linked, "%s/policy.yaml", link);
	cr_assert_eq(fs_read_trusted(linked, 1024, &buf, &len), E_POLICY);
	snprintf(msg, sizeof msg, "%s: directory is a symlink", link);
	cr_expect_str_eq(err_msg(), msg);
}

/* A blocking open never returns: the timeout only has to outlast a test
 * process started under valgrind on a busy machine (5 s did not). */
Test(fs, fifo_socket_device_directory_refused_without_blocking, .timeout = 30)
{
	char msg[256];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s;

	snprintf(msg, sizeof msg, "%s: not a regular file", path);
	unlink(path);
	cr_assert_eq(mkfifo(path, 0644), 0);
	refused(msg);
	unlink(path);
	cr_assert_eq(mknod(path, S_IFCHR | 0644, makedev(1, 3)), 0);
	refused(msg);
	unlink(path);
	cr_assert_eq(mkdir(path, 0755), 0);
	refused(msg);
	rmdir(path);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sa.sun_path, path);
	cr_assert_eq(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
	refused(msg);
	close(s);
}

Test(fs, too_large)
{
	char msg[256];
	int fd = open(path, O_WRONLY | O_APPEND);

	cr_assert(fd >= 0);
	cr_assert_eq(ftruncate(fd, 2048), 0);
	close(fd);
	snprintf(msg, sizeof msg, "%s: larger than 1024 bytes", path);
	refused(msg);
}

Test(fs, missing)
{
	char msg[256];

	unlink(path);
	snprintf(msg, sizeof msg, "%s: No such file or directory", path);
	refused(msg);
}

/* The environment root: only root and the owner account may have
 * arranged it (store_open), and the base file likewise (basefile_load). */
#define OWNER 54321
static char envp[160];

static int open_env(void)
{
	int fd = -1, r = fs_open_owned_dir(envp, OWNER, &fd);

	if (fd >= 0)
		close(fd);
	return r;
}

static void make_env(mode_t mode)
{
	snprintf(envp, sizeof envp, "%s/env", dir);
	cr_assert_eq(mkdir(envp, mode), 0);
	cr_assert_eq(chmod(envp, mode), 0);
	cr_assert_eq(chown(envp, OWNER, OWNER), 0);
}

Test(fs, an_owner_root_under_root_directories_is_accepted, .init = setup, .fini = teardown)
{
	make_env(0755);
	cr_assert_eq(open_env(), 0, "%s", err_msg());
}

Test(fs, a_root_others_can_write_is_refused, .init = setup, .fini = teardown)
{
	make_env(0777);
	cr_assert_eq(open_env(), E_FAIL);
	cr_expect(strstr(err_msg(), "/env is writable by group or others (mode 0777)") != NULL, "%s",
		  err_msg());
}

Test(fs, a_root_of_another_account_is_refused, .init = setup, .fini = teardown)
{
	make_env(0755);
	cr_assert_eq(chown(envp, OWNER + 1, OWNER), 0);
	cr_assert_eq(open_env(), E_FAIL);
	cr_expect(strstr(err_msg(), "not by the owner account") != NULL, "%s", err_msg());
}

/* A world-writable parent lets anyone rename the root away and put
 * their own in its place. */
Test(fs, a_parent_others_can_write_is_refused_unless_root_sticky, .init = setup, .fini = teardown)
{
	make_env(0755);
	cr_assert_eq(chmod(dir, 0777), 0);
	cr_assert_eq(open_env(), E_FAIL);
	cr_expect(strstr(err_msg(), "directory is writable by group or others") != NULL, "%s",
		  err_msg());
	cr_assert_eq(chmod(dir, 01777), 0);
	cr_assert_eq(open_env(), 0, "a root-owned sticky parent: %s", err_msg());
	/* Sticky, but the outsider's: they may still remove what is in it. */
	cr_assert_eq(chown(dir, OWNER + 1, 0), 0);
	cr_assert_eq(open_env(), E_FAIL);
}

Test(fs, a_root_that_is_a_symlink_is_refused, .init = setup, .fini = teardown)
{
	char real[160];

	make_env(0755);
	snprintf(real, sizeof real, "%s/real", dir);
	cr_assert_eq(rename(envp, real), 0);
	cr_assert_eq(symlink(real, envp), 0);
	cr_assert_eq(open_env(), E_FAIL);
}

Test(fs, the_base_file_is_the_owners_or_roots_alone, .init = setup, .fini = teardown)
{
	char *buf = NULL;
	size_t len = 0;

	cr_assert_eq(chown(path, OWNER, OWNER), 0);
	cr_assert_eq(fs_read_owned(path, OWNER, 1024, &buf, &len), 0, "%s", err_msg());
	free(buf);
	buf = NULL;
	cr_assert_eq(chmod(path, 0666), 0);
	cr_assert_eq(fs_read_owned(path, OWNER, 1024, &buf, &len), E_POLICY);
	cr_assert_eq(chmod(path, 0644), 0);
	cr_assert_eq(chown(path, OWNER + 1, 0), 0);
	cr_assert_eq(fs_read_owned(path, OWNER, 1024, &buf, &len), E_POLICY);
	cr_expect(strstr(err_msg(), "not root or the owner account") != NULL, "%s", err_msg());
	cr_assert_eq(chown(path, OWNER, OWNER), 0);
	cr_assert_eq(chmod(dir, 0777), 0);
	cr_assert_eq(fs_read_owned(path, OWNER, 1024, &buf, &len), E_POLICY);
	cr_assert_null(buf);
}

/* A sync that fails (here: no file system behind the descriptor) is an
 * error naming what was not written, never a tree named regardless. */
Test(fs, sync_before_name_reports_what_it_could_not_write)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);

	cr_assert(dfd >= 0);
	cr_assert_eq(fs_sync_before_name(dfd, "the tree of pkg00"), 0);
	close(dfd);
	cr_assert_eq(fs_sync_before_name(dfd, "the tree of pkg00"), E_FAIL);
	cr_assert(strstr(err_msg(), "cannot write the tree of pkg00 to disk"), "%s", err_msg());
}
