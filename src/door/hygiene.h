/* Start-up hygiene: everything the caller controls about the process we
 * inherit (descriptors, signals, limits, umask, environment) is reset
 * before any library that could be influenced by it runs. */
#ifndef OBSENV_HYGIENE_H
#define OBSENV_HYGIENE_H

#include <stddef.h>

#include "door/identity.h"
#include "core/err.h"

#define ARG_MAX_COUNT 64
#define ARG_MAX_BYTES 4096

/* Returns 0, or an error for an argument vector or resource limits obsenv
 * refuses (the rest of the hygiene is still done, so the refusal can be
 * reported and audited safely).
 * sudo receives SUDO_USER/SUDO_UID; ignored receives the names of
 * attack-prone variables that were present (for the audit record). */
MUST_USE int hygiene_start(int argc, char **argv, struct sudo_env *sudo, char *ignored, size_t size);

#endif
