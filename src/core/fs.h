/* Reading configuration files without being fooled by the file system. */
#ifndef OBSENV_FS_H
#define OBSENV_FS_H

#include <dirent.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/err.h"

/* The most obsenv reads of any text file: the policy, the base file,
 * known_hosts, a cycle file. 1 MiB is thousands of packages or keys,
 * and small enough to hold in memory without a second thought. */
#define FS_TEXT_MAX ((size_t)1 << 20)

/* Reads an absolute path that only root can have written: the file and
 * every directory above it must be owned by root and not writable by group
 * or others (a root-owned sticky directory is accepted), and no component
 * may be a symlink. Checks are made on the open descriptors. Returns 0 or
 * E_POLICY; *buf is NUL-terminated and must be freed. */
MUST_USE int fs_read_trusted(const char *path, size_t max, char **buf, size_t *len);
/* Opens the directory at an absolute path that only root and owner can
 * have arranged: every directory above it owned by root or owner and not
 * writable by group or others (a root-owned sticky one is accepted), no
 * symlink anywhere, and the directory itself owner's and writable by owner
 * alone. Checked on the open descriptors; *fd is O_DIRECTORY. E_FAIL. */
MUST_USE int fs_open_owned_dir(const char *path, uid_t owner, int *fd);
/* Reads a file the owner account keeps (the base file): the same walk,
 * and the file owner's or root's, writable by its owner alone. E_POLICY. */
MUST_USE int fs_read_owned(const char *path, uid_t owner, size_t max, char **buf, size_t *len);
/* Reads a regular file with the caller's own rights (after the drop).
 * flags: extra open flags, e.g. O_NOFOLLOW where a symlink is an error. */
MUST_USE int fs_read_plain(const char *path, int flags, size_t max, char **buf, size_t *len);

/* Durable before named: writes back everything the file system holding
 * dfd has in memory (a new tree's files, the objects a fetch wrote), then
 * fsyncs dfd itself. Call it before the rename that gives new content the
 * name readers trust. what: named in the error. E_FAIL. */
MUST_USE int fs_sync_before_name(int dfd, const char *what);

/* Writes all of data, or returns -1 with errno set. */
MUST_USE int fs_write_all(int fd, const void *data, size_t len);
/* A stream over the directory dfd that leaves dfd open (closedir closes
 * a copy), read from the start: NULL with errno set. */
DIR *fs_dir_stream(int dfd);

#endif
