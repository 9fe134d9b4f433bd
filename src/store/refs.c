#include "store/refs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/basefile.h"
#include "core/err.h"
#include "core/str.h"

int refs_read_file(int dfd, const char *name, size_t max, char **buf, size_t *len)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	size_t n = 0, size;
	ssize_t r;

	if (fd < 0)
		return errno == ENOENT ? R_ABSENT : err_sys(E_FAIL, errno, "%s", name);
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (size_t)st.st_size >= max ||
	    !(*buf = malloc((size = (size_t)st.st_size + 1)))) {
		close(fd);
		return err_set(E_FAIL, "%s: not a regular file of a sensible size", name);
	}
	while (n < size - 1 && (r = read(fd, *buf + n, size - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	(*buf)[n] = '\0';
	*len = n;
	return 0;
}

int refs_read(int repofd, const char *refname, char out[41])
{
	char *loose = NULL, *packed = NULL, *line, *save = NULL;
	size_t len, rl = strlen(refname);
	int r;

	if ((r = refs_read_file(repofd, refname, 64, &loose, &len)) < 0)
		return r;
	if (r == 0 && loose) {
		loose[strcspn(loose, "\n")] = '\0';
		r = is_oid_hex(loose) ? str_copy(out, 41, loose)
				      : err_set(E_FAIL, "%s is not a plain object id", refname);
		free(loose);
		return r;
	}
	if ((r = refs_read_file(repofd, "packed-refs", REFS_PACKED_MAX, &packed, &len)) != 0)
		return r < 0 ? r : R_ABSENT;
	r = R_ABSENT;
	/* "<40 hex> <refname>" lines; "^<hex>" peel lines and comments skipped. */
	for (line = strtok_r(packed, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strlen(line) == OID_HEX + 1 + rl && line[OID_HEX] == ' ' &&
		    memcmp(line + OID_HEX + 1, refname, rl) == 0) {
			line[OID_HEX] = '\0';
			if (is_oid_hex(line)) {
				str_copy(out, 41, line);
				r = 0;
			}
			break;
		}
	}
	free(packed);
	return r;
}
