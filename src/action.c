#include "action.h"

#include <string.h>

static const struct action actions[A_COUNT] = {
	[A_CHECK] = { "check", AS_CALLER, false, true, true, "check [FILE]",
		      "validate the installed policy, or FILE" },
	[A_LIST] = { "list", AS_CALLER, false, true, true, "list",
		     "show what you may do" },
	[A_INIT] = { "init", AS_OWNER, true, false, true, "init",
		     "create the environment, or add what is missing" },
	[A_STATUS] = { "status", AS_OWNER, false, false, true, "status [--json] [--verify]",
		       "show the environment" },
	[A_ROLLBACK] = { "rollback", AS_OWNER, false, false, true, "rollback [--dry-run]",
			 "put every package back on its base pin" },
	[A_PIN] = { "pin", AS_OWNER, false, false, false, "pin PKG REF", "set a base pin" },
	[A_CHECKOUT] = { "checkout", AS_OWNER, false, false, false, "checkout PKG REF",
			 "switch one package" },
	[A_PULL] = { "pull", AS_OWNER, true, false, false, "pull [PKG...]",
		     "fast-forward deploy followers" },
	[A_HISTORY] = { "history", AS_OWNER, false, false, false, "history", "list generations" },
	[A_REVERT] = { "revert", AS_OWNER, false, false, true, "revert [GENERATION]",
		       "switch back to an earlier generation" },
	[A_DIFF] = { "diff", AS_OWNER, false, false, false, "diff [GEN [GEN]]",
		     "commits between generations" },
	[A_FREEZE] = { "freeze", AS_OWNER, false, false, false, "freeze REASON",
		       "refuse changes but rollback" },
	[A_THAW] = { "thaw", AS_OWNER, false, false, false, "thaw", "end a freeze" },
	[A_RESTORE_SETUPS] = { "restore-setups", AS_HUMAN, false, false, true, "restore-setups",
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
