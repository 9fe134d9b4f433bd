/* The command line, parsed into a request before anything else is read. */
#ifndef OBSENV_ARGS_H
#define OBSENV_ARGS_H

#include <stdbool.h>
#include <stdio.h>

#include "action.h"

struct request {
	enum action_id action;
	bool help;       /* --help, for obsenv or for the action */
	bool version;
	bool has_action;
	const char *file; /* check FILE */
};

int args_parse(int argc, char **argv, struct request *req);
void args_usage(FILE *out);

#endif
