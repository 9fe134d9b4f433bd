/* The seccomp filter's rules, written with libseccomp. Not part of the
 * installed binary: the build runs them once (sandbox_gen.c) and obsenv
 * loads the resulting BPF program (sandbox.c); the unit tests inspect them
 * and check that the program obsenv carries is what they build now. */
#ifndef OBSENV_SANDBOX_RULES_H
#define OBSENV_SANDBOX_RULES_H

#include <seccomp.h>

#include "confine/sandbox.h"
#include "core/err.h"

/* Builds the filter for a profile without loading it. */
MUST_USE int sandbox_build(enum sb_profile p, scmp_filter_ctx *out);

#endif
