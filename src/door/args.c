#include <stdio.h>
#include <string.h>

#include "door/args.h"
#include "core/err.h"
#include "core/str.h"

void args_usage(FILE *out)
{
	fprintf(out, "usage: obsenv [--help | --version] ACTION [ARGS]\n\nactions:\n");
	for (int i = 0; i < A_COUNT; i++) {
		const struct action *a = action_get((enum action_id)i);

		if (a->available)
			fprintf(out, "  %-44s %s\n", a->usage, a->summary);
	}
}

/* Action names are no secret (--help lists them): a slip of the fingers
 * is answered with the name it most likely was. */
static int unknown_action(const char *word)
{
	const char *names[A_COUNT], *near;
	size_t n = 0;

	for (int i = 0; i < A_COUNT; i++) {
		const struct action *a = action_get((enum action_id)i);

		if (a->available)
			names[n++] = a->name;
	}
	if ((near = str_nearest(word, names, n)))
		return err_set(E_USAGE, "unknown action '%.64s': did you mean '%s'? (try 'obsenv --help')",
			       word, near);
	return err_set(E_USAGE, "unknown action '%.64s' (try 'obsenv --help')", word);
}

/* An option that takes a value: "--opt VALUE" or "--opt=VALUE". */
static const char *value_of(const char *name, int argc, char **argv, int *i)
{
	const char *arg = argv[*i];
	size_t n = strlen(name);

	if (!arg)
		return NULL;
	if (!strncmp(arg, name, n) && arg[n] == '=')
		return arg + n + 1;
	if (strcmp(arg, name) != 0)
		return NULL;
	return *i + 1 < argc ? argv[++*i] : "";
}

static int option(const struct action *a, int argc, char **argv, int *i, struct request *req)
{
	const char *arg = argv[*i], *v;
	unsigned int n;

	if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
		req->help = true;
	} else if ((a->opts & OPT_JSON) && !strcmp(arg, "--json")) {
		req->json = true;
	} else if ((a->opts & OPT_VERIFY) && !strcmp(arg, "--verify")) {
		req->verify = true;
	} else if ((a->opts & OPT_CHECK) && !strcmp(arg, "--check")) {
		req->check = true;
	} else if ((a->opts & OPT_DRY_RUN) && !strcmp(arg, "--dry-run")) {
		req->dry_run = true;
	} else if ((a->opts & OPT_REPAIR) && !strcmp(arg, "--repair")) {
		req->repair = true;
	} else if ((a->opts & OPT_COUNT) && (v = value_of("-n", argc, argv, i))) {
		if (str_to_id(v, &n) || n == 0)
			return err_set(E_USAGE, "%s: -n needs a positive number, not '%.32s'", a->name, v);
		req->count = n;
	} else if ((a->opts & OPT_FORCE) && (v = value_of("--force-unreachable", argc, argv, i))) {
		if (!*v)
			return err_set(E_USAGE, "%s: --force-unreachable needs a reason", a->name);
		req->force_reason = v;
	} else if ((a->opts & OPT_REWRITE) && (v = value_of("--accept-rewrite", argc, argv, i))) {
		if (!*v)
			return err_set(E_USAGE, "%s: --accept-rewrite needs a package", a->name);
		if (req->accept_rewrite)
			return err_set(E_USAGE, "%s: --accept-rewrite takes one package at a time", a->name);
		req->accept_rewrite = v;
	} else if ((a->opts & OPT_REWRITE) && (v = value_of("--reason", argc, argv, i))) {
		/* The reason goes into the audit record: one line of text. */
		if (!str_is_text(v, 200) || !*v)
			return err_set(E_USAGE, "%s: --reason needs one line of 1 to 200 printable bytes",
				       a->name);
		req->reason = v;
	} else if ((a->opts & OPT_UNTIL) && (v = value_of("--until", argc, argv, i))) {
		if (!*v)
			return err_set(E_USAGE, "%s: --until needs a time", a->name);
		req->until = v;
	} else if ((a->opts & OPT_IMPORT) && (v = value_of("--import", argc, argv, i))) {
		if (!*v)
			return err_set(E_USAGE, "%s: --import needs a file", a->name);
		req->import = v;
	} else {
		return err_set(E_USAGE, "%s: unknown option '%.64s'", a->name, arg);
	}
	return 0;
}

int args_parse(int argc, char **argv, struct request *req)
{
	int i = 1;
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
		return unknown_action(argv[i]);
	req->has_action = true;
	a = action_get(req->action);
	/* Options and operands in any order, "--" ends options, as users of
	 * other tools expect; an operand that starts with '-' needs "--". */
	for (i++; i < argc; i++) {
		int r;

		if (opts && !strcmp(argv[i], "--")) {
			opts = false;
		} else if (opts && argv[i][0] == '-') {
			if ((r = option(a, argc, argv, &i, req)))
				return r;
		} else if (req->nops < a->max_ops) {
			req->ops[req->nops++] = argv[i];
		} else {
			return err_set(E_USAGE, "%s: unexpected argument '%.64s' (usage: obsenv %s)",
				       a->name, argv[i], a->usage);
		}
	}
	if (req->help)
		return 0;
	if (req->import && req->nops)
		return err_set(E_USAGE, "%s: --import takes no other argument (usage: obsenv %s)",
			       a->name, a->usage);
	if (!req->accept_rewrite != !req->reason)
		return err_set(E_USAGE, "%s: --accept-rewrite PKG and --reason TEXT go together (usage: "
			       "obsenv %s)", a->name, a->usage);
	if (req->nops < a->min_ops && !req->import)
		return err_set(E_USAGE, "%s: missing argument (usage: obsenv %s)", a->name, a->usage);
	for (int k = 0; k < req->nops; k++)
		if (!req->ops[k][0])
			return err_set(E_USAGE, "%s: empty argument", a->name);
	req->operand = req->nops ? req->ops[0] : NULL;
	if (req->action == A_CHECK)
		req->file = req->operand;
	return 0;
}
