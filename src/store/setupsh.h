/* <root>/auto_env_setup.sh: the shell fragment that notebooks source to set
 * up every package from its stable path. Each generation has its own copy
 * and the root's name links to current/, so it changes with the switch. */
#ifndef OBSENV_SETUPSH_H
#define OBSENV_SETUPSH_H

#include <stddef.h>

#include "store/gen.h"
#include "policy/policy.h"

#define SETUPSH_NAME "auto_env_setup.sh"

/* The fragment for generation g, packages in policy order. Returns a
 * malloc'ed string (its length in *len), or NULL when out of memory. */
char *setupsh_format(const struct generation *g, const struct policy *p, size_t *len);

#endif
