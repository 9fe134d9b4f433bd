#include "policy/action.h"

#include <string.h>

#define MANY 64

static const struct action actions[A_COUNT] = {
	[A_CHECK] = { "check", AS_CALLER, false, true, true, 0, 0, 1, "check [FILE]",
		      "validate the installed policy, or FILE" },
	[A_LIST] = { "list", AS_CALLER, false, true, true, 0, 0, 0, "list", "show what you may do" },
	[A_INIT] = { "init", AS_OWNER, true, false, true, 0, 0, 0, "init",
		     "create the environment, or add what is missing" },
	[A_STATUS] = { "status", AS_OWNER, false, false, true, OPT_JSON | OPT_VERIFY, 0, 0,
		       "status [--json] [--verify]", "show the environment" },
	[A_ROLLBACK] = { "rollback", AS_OWNER, false, false, true, OPT_DRY_RUN, 0, 0,
			 "rollback [--dry-run]", "put every package back on its base pin" },
	[A_PIN] = { "pin", AS_OWNER, false, false, true, OPT_DRY_RUN | OPT_FORCE | OPT_IMPORT, 2, 2,
		    "pin [--dry-run] [--force-unreachable REASON] PKG TAG|COMMIT | --import FILE",
		    "set base pins (the environment does not switch)" },
	[A_CHECKOUT] = { "checkout", AS_OWNER, false, false, true, OPT_DRY_RUN, 2, 2,
			 "checkout [--dry-run] PKG TAG|COMMIT|deploy", "switch one package" },
	[A_PULL] = { "pull", AS_OWNER, true, false, true, OPT_DRY_RUN, 0, MANY,
		     "pull [--dry-run] [PKG...]", "fetch, and fast-forward deploy followers" },
	[A_HISTORY] = { "history", AS_OWNER, false, false, true, OPT_JSON | OPT_COUNT, 0, 0,
			"history [-n N] [--json]", "list the generations, newest first" },
	[A_REVERT] = { "revert", AS_OWNER, false, false, true, OPT_DRY_RUN, 0, 1,
		       "revert [--dry-run] [GENERATION]", "switch back to an earlier generation" },
	[A_DIFF] = { "diff", AS_OWNER, false, false, true, 0, 0, 2, "diff [GEN [GEN]]",
		     "commits between two generations (default: base and current)" },
	[A_FREEZE] = { "freeze", AS_OWNER, false, false, true, OPT_DRY_RUN, 1, 1,
		       "freeze [--dry-run] REASON", "refuse every change but rollback" },
	[A_THAW] = { "thaw", AS_OWNER, false, false, true, OPT_DRY_RUN, 0, 0, "thaw [--dry-run]",
		     "end a freeze" },
	[A_RESTORE_SETUPS] = { "restore-setups", AS_HUMAN, false, false, true, 0, 0, 0,
			       "restore-setups",
			       "save your notebook setup file aside and write a fresh one" },
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
