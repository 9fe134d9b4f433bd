/* SSH host key verification against a known_hosts file named in the
 * policy: never disabled, never trust-on-first-use. Pure: no I/O. */
#ifndef OBSENV_KNOWNHOSTS_H
#define OBSENV_KNOWNHOSTS_H

#include <stddef.h>
#include "core/err.h"

/* Looks for host (on port; "[host]:port" entries when it is not 22) and
 * key (the server's raw public key blob, as sent on the wire) in the
 * text of a known_hosts file. Returns 1 if listed, 0 if not, -1 if the
 * key is marked @revoked. Hashed host names and @cert-authority lines are
 * not supported: they never match. */
MUST_USE int knownhosts_match(const char *text, const char *host, int port, const unsigned char *key,
		     size_t keylen);
/* The port of an ssh:// URL (22 if none or for scp-like remotes). */
MUST_USE int knownhosts_port(const char *remote);

#endif
