#include <stdio.h>

#include "act.h"
#include "gen.h"

/* Who made a generation: the account obsenv ran for, and the human behind
 * sudo when there was one. */
void act_stamp(struct generation *g, const struct caller *c, const char *action)
{
	str_copy(g->user, sizeof g->user, c->real.name);
	g->uid = (unsigned int)c->real.uid;
	str_copy(g->sudo_user, sizeof g->sudo_user, c->via_sudo ? c->human.name : "");
	str_copy(g->action, sizeof g->action, action);
}

char *act_who(const struct caller *c, const char *action, char *buf, size_t size)
{
	if (c->via_sudo)
		snprintf(buf, size, "%s via sudo as %s, %s", c->human.name, c->real.name, action);
	else
		snprintf(buf, size, "%s, %s", c->real.name, action);
	return buf;
}
