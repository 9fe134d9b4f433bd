/* The command line, parsed into a request before anything else is read. */
#ifndef OBSENV_ARGS_H
#define OBSENV_ARGS_H

#include <stdbool.h>
#include <stdio.h>

#include "policy/action.h"
#include "core/err.h"

#define ARGS_MAX_OPERANDS 64

struct request {
	enum action_id action;
	bool help;       /* --help, for obsenv or for the action */
	bool version;
	bool has_action;
	const char *file;    /* check FILE */
	const char *operand; /* the first operand (revert GENERATION, freeze REASON...) */
	const char *ops[ARGS_MAX_OPERANDS];
	int nops;
	bool json;        /* --json */
	bool verify;      /* --verify */
	bool check;       /* --check */
	bool dry_run;     /* --dry-run */
	bool repair;      /* --repair */
	unsigned int count; /* -n N; 0 when not given */
	const char *force_reason; /* --force-unreachable REASON */
	const char *import;       /* --import FILE */
	const char *accept_rewrite; /* pull --accept-rewrite PKG */
	const char *reason;         /* its --reason TEXT */
	const char *until;          /* freeze --until TIME, checked by the action */
	char *import_buf;         /* its bytes, read as the caller (main.c) */
	size_t import_len;
};

MUST_USE int args_parse(int argc, char **argv, struct request *req);
void args_usage(FILE *out);

#endif
