/* The table of actions: the one place that says, for each action, whose
 * identity it runs under and whether it may use the network. The policy,
 * the authorization check, the sandbox profile and --help all read it. */
#ifndef OBSENV_ACTION_H
#define OBSENV_ACTION_H

#include <stdbool.h>
#include "core/err.h"

enum action_id {
	A_CHECK, A_LIST, A_INIT, A_STATUS, A_ROLLBACK, A_PIN, A_CHECKOUT, A_PULL,
	A_HISTORY, A_REVERT, A_DIFF, A_FREEZE, A_THAW, A_RESTORE_SETUPS, A_FOLLOW, A_VERIFY, A_GC,
	/* Not a command: what a role must grant for pull --accept-rewrite,
	 * so that a role allowed to pull (the timer's) cannot rewrite. */
	A_ACCEPT_REWRITE,
	A_COUNT
};

enum runs_as {
	AS_CALLER, /* the account that started obsenv (real uid) */
	AS_OWNER,  /* the policy's owner account */
	AS_HUMAN,  /* the human behind sudo, or the caller */
};

/* Options an action accepts (struct action.opts). */
enum {
	OPT_JSON = 1 << 0,    /* --json */
	OPT_VERIFY = 1 << 1,  /* --verify */
	OPT_DRY_RUN = 1 << 2, /* --dry-run */
	OPT_COUNT = 1 << 3,   /* -n N */
	OPT_FORCE = 1 << 4,   /* --force-unreachable REASON */
	OPT_IMPORT = 1 << 5,  /* --import FILE */
	OPT_REWRITE = 1 << 6, /* --accept-rewrite PKG --reason TEXT */
	OPT_CHECK = 1 << 7,   /* --check */
	OPT_REPAIR = 1 << 8,  /* --repair */
	OPT_UNTIL = 1 << 9,   /* --until TIME */
};

struct action {
	const char *name;
	enum runs_as runs_as;
	bool network;   /* sandbox allows IP sockets */
	bool open;      /* allowed to everyone: reads only what is world-readable */
	bool available; /* implemented in this version */
	bool right;     /* not a command: what an option of another needs */
	/* Changes the environment (or a user's file): once the change is
	 * made, its exit status stands even if the report of it could not
	 * be written; for the others, the output is the result. */
	bool changes;
	unsigned int opts;
	unsigned char min_ops, max_ops; /* operands */
	const char *usage;
	const char *summary;
};

const struct action *action_get(enum action_id id);
/* Every name the policy may grant, implemented or not yet. */
MUST_USE int action_lookup(const char *name, enum action_id *out);

#endif
