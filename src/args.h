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
	const char *file;    /* check FILE */
	const char *operand; /* revert GENERATION */
	bool json;        /* status --json */
	bool verify;      /* status --verify */
	bool dry_run;     /* rollback --dry-run */
};

int args_parse(int argc, char **argv, struct request *req);
void args_usage(FILE *out);

#endif
