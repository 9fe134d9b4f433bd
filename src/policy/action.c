#include "policy/action.h"

#include <string.h>

#define MANY 64

static const struct action actions[A_COUNT] = {
	[A_CHECK] = {
		.name = "check",
		.runs_as = AS_CALLER,
		.open = true,
		.available = true,
		.max_ops = 1,
		.usage = "check [FILE]",
		.summary = "validate the installed policy, or FILE",
	},
	[A_LIST] = {
		.name = "list",
		.runs_as = AS_CALLER,
		.open = true,
		.available = true,
		.usage = "list",
		.summary = "show what you may do",
	},
	[A_INIT] = {
		.name = "init",
		.runs_as = AS_OWNER,
		.network = true,
		.changes = true,
		.available = true,
		.opts = OPT_DRY_RUN,
		.usage = "init [--dry-run]",
		.summary = "create the environment, or add what is missing",
	},
	[A_STATUS] = {
		.name = "status",
		.runs_as = AS_OWNER,
		.available = true,
		.opts = OPT_JSON | OPT_VERIFY | OPT_CHECK,
		.usage = "status [--json] [--verify] [--check]",
		.summary = "show the environment",
	},
	[A_ROLLBACK] = {
		.name = "rollback",
		.runs_as = AS_OWNER,
		.changes = true,
		.available = true,
		.opts = OPT_DRY_RUN,
		.usage = "rollback [--dry-run]",
		.summary = "put every package back on its base pin",
	},
	[A_PIN] = {
		.name = "pin",
		.runs_as = AS_OWNER,
		.changes = true,
		.available = true,
		.opts = OPT_DRY_RUN | OPT_FORCE | OPT_IMPORT,
		.min_ops = 2,
		.max_ops = 2,
		.usage = "pin [--dry-run] [--force-unreachable REASON] PKG TAG|COMMIT | --import FILE",
		.summary = "set base pins (the environment does not switch)",
	},
	[A_CHECKOUT] = {
		.name = "checkout",
		.runs_as = AS_OWNER,
		.changes = true,
		.available = true,
		.opts = OPT_DRY_RUN,
		.min_ops = 2,
		.max_ops = 2,
		.usage = "checkout [--dry-run] PKG TAG|COMMIT|deploy",
		.summary = "switch one package",
	},
	[A_PULL] = {
		.name = "pull",
		.runs_as = AS_OWNER,
		.network = true,
		.changes = true,
		.available = true,
		.opts = OPT_DRY_RUN | OPT_REWRITE,
		.max_ops = MANY,
		.usage = "pull [--dry-run] [--accept-rewrite PKG --reason TEXT] [PKG...]",
		.summary = "fetch, and fast-forward deploy followers",
	},
	[A_HISTORY] = {
		.name = "history",
		.runs_as = AS_OWNER,
		.available = true,
		.opts = OPT_JSON | OPT_COUNT,
		.usage = "history [-n N] [--json]",
		.summary = "list the generations, newest first",
	},
	[A_REVERT] = {
		.name = "revert",
		.runs_as = AS_OWNER,
		.changes = true,
		.available = true,
		.opts = OPT_DRY_RUN,
		.max_ops = 1,
		.usage = "revert [--dry-run] [GENERATION]",
		.summary = "switch back to an earlier generation",
	},
	[A_DIFF] = {
		.name = "diff",
		.runs_as = AS_OWNER,
		.available = true,
		.max_ops = 3,
		.usage = "diff [GEN [GEN]] [PKG]",
		.summary = "commits between two generations (default: base and current)",
	},
	[A_FREEZE] = {
		.name = "freeze",
		.runs_as = AS_OWNER,
		.changes = true,
		.available = true,
		.opts = OPT_DRY_RUN | OPT_UNTIL,
		.min_ops = 1,
		.max_ops = 1,
		.usage = "freeze [--dry-run] [--until TIME] REASON",
		.summary = "refuse every change but rollback",
	},
	[A_THAW] = {
		.name = "thaw",
		.runs_as = AS_OWNER,
		.changes = true,
		.available = true,
		.opts = OPT_DRY_RUN,
		.usage = "thaw [--dry-run]",
		.summary = "end a freeze",
	},
	[A_RESTORE_SETUPS] = {
		.name = "restore-setups",
		.runs_as = AS_HUMAN,
		.changes = true,
		.available = true,
		.usage = "restore-setups",
		.summary = "save your notebook setup file aside and write a fresh one",
	},
	[A_FOLLOW] = {
		.name = "follow",
		.runs_as = AS_OWNER,
		.changes = true,
		.available = true,
		.opts = OPT_DRY_RUN,
		.max_ops = MANY,
		.usage = "follow [--dry-run] [PKG...]",
		.summary = "put packages back on their deploy heads, following them",
	},
	[A_GC] = {
		.name = "gc",
		.runs_as = AS_OWNER,
		.changes = true,
		.available = true,
		.opts = OPT_DRY_RUN,
		.usage = "gc [--dry-run]",
		.summary = "remove what the store holds of packages the policy dropped",
	},
	[A_ACCEPT_REWRITE] = {
		.name = "accept-rewrite",
		.right = true,
		.runs_as = AS_OWNER,
		.network = true,
		.changes = true,
		.usage = "pull --accept-rewrite PKG --reason TEXT",
		.summary = "accept a rewritten deploy branch",
	},
	[A_VERIFY] = {
		.name = "verify",
		.runs_as = AS_OWNER,
		.changes = true,
		.available = true,
		.opts = OPT_REPAIR,
		.usage = "verify [--repair]",
		.summary = "compare the base trees with their commits; --repair rebuilds them",
	},
};

const struct action *action_get(enum action_id id)
{
	return (unsigned)id < A_COUNT ? &actions[id] : NULL;
}

int action_lookup(const char *name, enum action_id *out)
{
	for (int i = 0; i < A_COUNT; i++) {
		if (strcmp(actions[i].name, name) == 0) {
			*out = (enum action_id)i;
			return 0;
		}
	}
	return -1;
}
