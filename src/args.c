#include <stdio.h>
#include <string.h>

#include "args.h"
#include "err.h"

void args_usage(FILE *out)
{
	fprintf(out, "usage: obsenv [--help | --version] ACTION [ARGS]\n\nactions:\n");
	for (int i = 0; i < A_COUNT; i++) {
		const struct action *a = action_get((enum action_id)i);

		if (a->available)
			fprintf(out, "  %-22s %s\n", a->usage, a->summary);
	}
}

int args_parse(int argc, char **argv, struct request *req)
{
	int i = 1, npos = 0;
	bool opts = true;
	const struct action *a;

	memset(req, 0, sizeof *req);
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			req->help = true;
		else if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-V"))
			req->version = true;
		else
			return err_set(E_USAGE, "unknown option '%.64s'", argv[i]);
	}
	if (i == argc)
		return req->help || req->version ? 0 : err_set(E_USAGE, "no action given (try 'obsenv --help')");
	if (req->version)
		return err_set(E_USAGE, "--version takes no action");
	if (action_lookup(argv[i], &req->action) || !action_get(req->action)->available)
		return err_set(E_USAGE, "unknown action '%.64s' (try 'obsenv --help')", argv[i]);
	req->has_action = true;
	a = action_get(req->action);
	/* Options and operands in any order, "--" ends options, as users of
	 * other tools expect; an operand that starts with '-' needs "--". */
	for (i++; i < argc; i++) {
		if (opts && !strcmp(argv[i], "--")) {
			opts = false;
		} else if (opts && argv[i][0] == '-') {
			if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
				req->help = true;
			else if (req->action == A_STATUS && !strcmp(argv[i], "--json"))
				req->json = true;
			else if (req->action == A_STATUS && !strcmp(argv[i], "--verify"))
				req->verify = true;
			else if (req->action == A_ROLLBACK && !strcmp(argv[i], "--dry-run"))
				req->dry_run = true;
			else
				return err_set(E_USAGE, "%s: unknown option '%.64s'", a->name, argv[i]);
		} else if (req->action == A_CHECK && npos == 0) {
			req->file = argv[i];
			npos++;
		} else if (req->action == A_REVERT && npos == 0) {
			req->operand = argv[i];
			npos++;
		} else {
			return err_set(E_USAGE, "%s: unexpected argument '%.64s' (usage: obsenv %s)",
				       a->name, argv[i], a->usage);
		}
	}
	if (req->file && !req->file[0])
		return err_set(E_USAGE, "check: empty file name");
	return 0;
}
