/* The dispatch table: one row per implemented action, all of one
 * signature. An action id without a row is refused by main.c. */
#include "act/act.h"

static act_fn *const table[A_COUNT] = {
	[A_CHECK] = act_check,
	[A_LIST] = act_list,
	[A_INIT] = act_init,
	[A_STATUS] = act_status,
	[A_ROLLBACK] = act_rollback,
	[A_PIN] = act_pin,
	[A_CHECKOUT] = act_checkout,
	[A_PULL] = act_pull,
	[A_HISTORY] = act_history,
	[A_REVERT] = act_revert,
	[A_DIFF] = act_diff,
	[A_FREEZE] = act_freeze,
	[A_THAW] = act_thaw,
	[A_RESTORE_SETUPS] = act_restore_setups,
	[A_FOLLOW] = act_follow,
	[A_VERIFY] = act_verify,
	[A_GC] = act_collect,
};

act_fn *act_lookup(enum action_id id)
{
	return (unsigned)id < A_COUNT ? table[id] : NULL;
}
