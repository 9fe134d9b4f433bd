#include <stdio.h>
#include <string.h>
#include <time.h>

#include "act/act.h"
#include "door/audit.h"
#include "core/err.h"
#include "store/freeze.h"
#include "store/gen.h"
#include "store/store.h"

/* The reason is shown on other people's terminals and in the audit trail:
 * one printable line. */
static bool reason_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > FREEZE_REASON_MAX)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* --until: "+90m", "+12h", "+2d" (or "+30s") from now, or a UTC time as
 * status prints it ("2026-12-05 06:00[:00]", " UTC" optional) or in ISO
 * form ("2026-12-05T06:00[:00]Z"); in the future, within a year. */
static int parse_until(const char *v, long long now, long long *out)
{
	static const char *const forms[] = { "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S",
					     "%Y-%m-%dT%H:%M" };
	unsigned long long n;
	struct tm tm;
	const char *end;
	char num[16];
	size_t len = strlen(v);

	*out = 0;
	if (v[0] == '+' && len > 2 && len < sizeof num && strchr("smhd", v[len - 1])) {
		memcpy(num, v + 1, len - 2);
		num[len - 2] = '\0';
		if (!str_to_bounded(num, 366ULL * 86400, &n))
			*out = now + (long long)n * (v[len - 1] == 'd' ? 86400 : v[len - 1] == 'h' ? 3600
						     : v[len - 1] == 'm' ? 60 : 1);
	}
	for (size_t i = 0; !*out && i < sizeof forms / sizeof *forms; i++) {
		memset(&tm, 0, sizeof tm);
		if (!(end = strptime(v, forms[i], &tm)))
			continue;
		if (!strcmp(end, "") || !strcmp(end, " UTC") || (strchr(forms[i], 'T') && !strcmp(end, "Z")))
			*out = (long long)timegm(&tm);
	}
	if (*out <= now || *out > now + 366LL * 86400)
		return err_set(E_USAGE, "freeze: --until needs a time within the next year, as +90m, +12h, "
			       "+2d or 2026-12-05T06:00Z (UTC), not '%.40s'", v);
	return 0;
}

int act_freeze(const struct act_ctx *ctx)
{
	const struct policy *p = ctx->pol;
	const struct caller *c = ctx->who;
	const struct request *req = ctx->req;
	struct store s = STORE_INIT;
	struct freeze f = { 0 };
	struct generation g = { 0 };
	int r;

	char until[40] = "";

	if (!reason_ok(req->operand))
		return err_set(E_USAGE, "freeze: the reason must be one line of 1 to %d printable bytes",
			       FREEZE_REASON_MAX);
	audit_note("reason", req->operand);
	if (req->until && (r = parse_until(req->until, (long long)time(NULL), &f.until)))
		return r;
	if (f.until) {
		freeze_time(f.until, until, sizeof until);
		audit_note("until", until);
	}
	/* The switch lock: a change that worked while the freeze was made
	 * checks it again when it switches (act_switch). */
	if ((r = act_open_store(&s, p, c, "freeze", req->dry_run, LOCK_SWITCH, false)) ||
	    (r = store_current_required(&s, &g)))
		goto out;
	if (!req->dry_run)
		freeze_expire(&s);
	if ((r = freeze_check(&s))) {
		if (r == E_FROZEN)
			r = err_set(E_FAIL, "already frozen: %s", err_msg());
		goto out;
	}
	f.since = (long long)time(NULL);
	act_person(c, f.who, sizeof f.who);
	str_copy(f.reason, sizeof f.reason, req->operand);
	if (req->dry_run) {
		printf("dry run: would freeze for \"%s\"%s%s; nothing changed\n", f.reason,
		       until[0] ? " until " : "", until);
		goto out;
	}
	if ((r = freeze_write(&s, &f)))
		goto out;
	if (until[0])
		printf("frozen by %s until %s: \"%s\"\nevery change but rollback is refused until then, or "
		       "until 'obsenv thaw'\n", f.who, until, f.reason);
	else
		printf("frozen by %s: \"%s\"\nevery change but rollback is refused until 'obsenv thaw'\n",
		       f.who, f.reason);
out:
	gen_free(&g);
	store_close(&s);
	return r;
}

int act_thaw(const struct act_ctx *ctx)
{
	const struct policy *p = ctx->pol;
	const struct caller *c = ctx->who;
	const struct request *req = ctx->req;
	struct store s = STORE_INIT;
	struct freeze f;
	char when[40];
	int r;

	if ((r = act_open_store(&s, p, c, "thaw", req->dry_run, LOCK_SWITCH, false)))
		goto out;
	if (!req->dry_run)
		freeze_expire(&s);
	if ((r = freeze_read(&s, &f)) == R_ABSENT) {
		r = 0;
		printf("not frozen: nothing changed\n");
		goto out;
	}
	if (r)
		goto out;
	freeze_time(f.since, when, sizeof when);
	if (req->dry_run) {
		printf("dry run: would end the freeze by %s since %s (\"%s\"); nothing changed\n", f.who,
		       when, f.reason);
		goto out;
	}
	if ((r = freeze_clear(&s)))
		goto out;
	audit_note("was_frozen_by", f.who);
	audit_note("reason", f.reason);
	printf("thawed: the freeze by %s since %s (\"%s\") is over\n", f.who, when, f.reason);
out:
	store_close(&s);
	return r;
}
