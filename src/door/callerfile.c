#include "door/callerfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/err.h"
#include "core/fs.h"
#include "confine/privs.h"
#include "confine/sandbox.h"

/* The child: becomes the caller for good, reads, and writes "0" and the
 * bytes, or "1" and the message, and exits 0 only if all of it went. It
 * never returns. */
static void child(int fd, const struct account *a, const char *path, size_t max)
{
	char *buf = NULL;
	size_t len = 0;
	int r = privs_drop(a->uid, a->gid, a->groups, a->ngroups);

	if (!r)
		r = sandbox_apply(SB_LOCAL);
	if (!r)
		r = fs_read_plain(path, 0, max, &buf, &len);
	/* A reply cut short is a failed read: the parent must not take half
	 * a file, or half a message, for the whole. */
	if (r)
		r = fs_write_all(fd, "1", 1) || fs_write_all(fd, err_msg(), strlen(err_msg()));
	else
		r = fs_write_all(fd, "0", 1) || fs_write_all(fd, buf, len);
	_exit(r ? 1 : 0);
}

int callerfile_read(const struct account *a, const char *path, size_t max, char **buf, size_t *len)
{
	int p[2], status = 0;
	size_t cap = max + 2, n = 0;
	char *data;
	pid_t pid;

	*buf = NULL;
	*len = 0;
	if (!(data = malloc(cap + 1)))
		return err_oom();
	if (pipe2(p, O_CLOEXEC)) {
		free(data);
		return err_sys(E_FAIL, errno, "pipe");
	}
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		free(data);
		return err_sys(E_FAIL, errno, "fork");
	}
	if (pid == 0) {
		close(p[0]);
		child(p[1], a, path, max);
	}
	close(p[1]);
	for (;;) {
		ssize_t r = read(p[0], data + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || (n += (size_t)r) == cap)
			break;
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	data[n] = '\0';
	if (n == 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || (data[0] != '0' && data[0] != '1')) {
		free(data);
		return err_set(E_FAIL, "%s: could not be read as %s", path, a->name);
	}
	if (data[0] == '1') {
		err_set(E_FAIL, "%s", data + 1);
		free(data);
		return E_FAIL;
	}
	if (n - 1 > max) {
		free(data);
		return err_set(E_FAIL, "%s: larger than %zu bytes", path, max);
	}
	memmove(data, data + 1, n);
	*buf = data;
	*len = n - 1;
	return 0;
}
