/* Reading a file the caller names (pin --import FILE) with the caller's
 * rights only, although the action runs as the owner: a child process
 * drops to the caller, reads, and hands the bytes over a pipe. */
#ifndef OBSENV_CALLERFILE_H
#define OBSENV_CALLERFILE_H

#include <stddef.h>

#include "door/identity.h"
#include "core/err.h"

/* Called while still root, before the drop. *buf is NUL-terminated and
 * must be freed. Returns 0 or E_FAIL with the reason. */
MUST_USE int callerfile_read(const struct account *a, const char *path, size_t max, char **buf, size_t *len);

#endif
