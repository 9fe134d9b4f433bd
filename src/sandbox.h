/* The seccomp filter installed after the drop. Sees only a profile. */
#ifndef OBSENV_SANDBOX_H
#define OBSENV_SANDBOX_H

#include <seccomp.h>

enum sb_profile {
	SB_LOCAL,   /* no IP sockets: everything but fetching */
	SB_NETWORK, /* IPv4/IPv6 (and netlink, for address lookup) too */
};

/* Builds the filter without loading it, so tests can export and inspect it. */
int sandbox_build(enum sb_profile p, scmp_filter_ctx *out);
/* Builds and loads it; requires no_new_privs (set by privs_drop). */
int sandbox_apply(enum sb_profile p);

#endif
