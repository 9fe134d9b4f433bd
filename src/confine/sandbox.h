/* The seccomp filter installed after the drop. Sees only a profile. */
#ifndef OBSENV_SANDBOX_H
#define OBSENV_SANDBOX_H

#include <stddef.h>
#include "core/err.h"

enum sb_profile {
	SB_LOCAL,   /* no IP sockets: everything but fetching */
	SB_NETWORK, /* IPv4/IPv6 (and netlink, for address lookup) too */
};

/* Loads the profile's filter; requires no_new_privs (set by privs_drop). */
MUST_USE int sandbox_apply(enum sb_profile p);
/* The BPF program sandbox_apply loads (for the tests). */
const unsigned char *sandbox_program(enum sb_profile p, size_t *len);

#endif
