#include "door/audit.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define AUDIT_MAX_CHANGES 256

static struct {
	char key[80];
	char value[AUDIT_VALUE_MAX + 1];
} notes[AUDIT_MAX_CHANGES];
static size_t nnotes;
static unsigned long generation;
static bool use_journal;

void audit_generation(unsigned long number)
{
	generation = number;
}

void audit_forget(void)
{
	nnotes = 0;
	generation = 0;
}

void audit_note(const char *key, const char *value)
{
	if (nnotes == AUDIT_MAX_CHANGES)
		return;
	snprintf(notes[nnotes].key, sizeof notes[nnotes].key, "%s", key);
	snprintf(notes[nnotes].value, sizeof notes[nnotes].value, "%s", value);
	nnotes++;
}

void audit_change(const char *pkg, const char *from, const char *to)
{
	char key[80], value[2 * 64 + 8];

	/* Full commit ids: an auditor must be able to find them in git. */
	snprintf(key, sizeof key, "pkg.%s", pkg);
	snprintf(value, sizeof value, "%s..%s", from[0] ? from : "none", to);
	audit_note(key, value);
}

/* A record stays below AUDIT_LINE_MAX whatever it carries, so that with
 * the syslog header and " truncated=1" it is never cut by the receiver. */
static void append(struct record *r, const char *s, size_t n)
{
	if (r->cut || r->len + n > AUDIT_LINE_MAX) {
		r->cut = true;
		return;
	}
	memcpy(r->buf + r->len, s, n);
	r->len += n;
	r->buf[r->len] = '\0';
}

static bool bare(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '=' && c != '\'';
}

/* At most max bytes of value, escaped into at most room bytes. */
static void add(struct record *r, const char *key, const char *value, size_t max, size_t room)
{
	static char esc[AUDIT_LINE_MAX + 32]; /* not on a caller-limited stack */
	size_t n = 0, in = strlen(value), take = in > max ? max : in;
	bool quote = in == 0;

	/* Room for the quotes and "...[N bytes]" is kept aside. */
	room = room > sizeof esc - 32 ? sizeof esc - 32 : room;
	for (size_t i = 0, w = 0; i < take; i++) {
		unsigned char c = (unsigned char)value[i];

		w += c == '"' || c == '\\' ? 2 : c < 0x20 || c >= 0x7f ? 4 : 1;
		if (w > room) {
			take = i;
			break;
		}
	}
	for (size_t i = 0; i < take; i++)
		quote |= !bare((unsigned char)value[i]);
	quote |= take < in;
	append(r, " ", r->len ? 1 : 0);
	append(r, key, strlen(key));
	append(r, "=", 1);
	if (quote)
		esc[n++] = '"';
	/* Bytes, not characters: invalid UTF-8 and terminal escapes are
	 * written as \xHH, so the record is plain printable ASCII. */
	for (size_t i = 0; i < take; i++) {
		unsigned char c = (unsigned char)value[i];

		if (c == '"' || c == '\\') {
			esc[n++] = '\\';
			esc[n++] = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			n += (size_t)snprintf(esc + n, sizeof esc - n, "\\x%02x", c);
		} else {
			esc[n++] = (char)c;
		}
	}
	if (take < in)
		n += (size_t)snprintf(esc + n, sizeof esc - n, "...[%zu bytes]", in);
	if (quote)
		esc[n++] = '"';
	append(r, esc, n);
}

void record_add(struct record *r, const char *key, const char *value)
{
	add(r, key, value, AUDIT_VALUE_MAX, (size_t)AUDIT_VALUE_MAX * 4);
}

void record_add_rest(struct record *r, const char *key, const char *value)
{
	size_t used = r->len + strlen(key) + 2 + 32;

	add(r, key, value, AUDIT_LINE_MAX, used < AUDIT_LINE_MAX ? AUDIT_LINE_MAX - used : 0);
}

void record_addu(struct record *r, const char *key, unsigned long v)
{
	char num[24];

	snprintf(num, sizeof num, "%lu", v);
	record_add(r, key, num);
}

/* Days since 1970-01-01 to a civil date, in 400-year eras of 146097 days
 * starting on 0000-03-01 so that the leap day ends each year. */
void audit_iso_time(long long t, char out[64])
{
	long long days = t / 86400, secs = t % 86400;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	days += 719468;
	long long era = (days >= 0 ? days : days - 146096) / 146097;
	long long doe = days - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153;
	long long d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
	long long y = yoe + era * 400 + (m <= 2);

	snprintf(out, 64, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", y, m, d, secs / 3600,
		 secs / 60 % 60, secs % 60);
}

void audit_format(struct record *r, const struct audit *a, const char *decision)
{
	char when[64];

	r->len = 0;
	r->cut = false;
	r->buf[0] = '\0';
	record_add(r, "decision", decision);
	record_addu(r, "uid", a->uid);
	record_add(r, "user", a->user[0] ? a->user : "?");
	if (a->sudo_user[0]) {
		record_add(r, "sudo_user", a->sudo_user);
		record_addu(r, "sudo_uid", (unsigned long)a->sudo_uid);
	}
	record_addu(r, "euid", a->euid);
	/* syslog's own stamp has no year and no zone. */
	audit_iso_time(a->now ? a->now : (long long)time(NULL), when);
	record_add(r, "time", when);
	record_add(r, "tty", a->tty);
	record_add(r, "cwd", a->cwd);
	record_add(r, "action", a->action ? a->action : "-");
	if (a->target)
		record_add(r, "as", a->target);
	if (a->role)
		record_add(r, "role", a->role);
	record_addu(r, "argc", (unsigned long)(a->argc > 0 ? a->argc - 1 : 0));
	for (int i = 1; i < a->argc && i <= AUDIT_MAX_ARGS; i++) {
		char key[16];

		snprintf(key, sizeof key, "arg%d", i);
		record_add(r, key, a->argv[i]);
	}
	if (a->env_dropped[0])
		record_add(r, "env_ignored", a->env_dropped);
	if (a->dry_run)
		record_add(r, "dry_run", "yes");
}

static void jfield_u(struct jfields *j, const char *name, unsigned long v)
{
	char num[24];

	snprintf(num, sizeof num, "%lu", v);
	jfields_add(j, name, num);
}

void audit_journal(struct jfields *j, const struct audit *a, const char *decision,
		   const char *result, int code, const char *message, int prio)
{
	char name[sizeof notes[0].key + 8];

	j->len = j->n = 0;
	j->cut = false;
	/* The message first: whatever else does not fit, the line does. The
	 * fields carry values as they are (the protocol frames each by its
	 * length), an auditor's exact matches; MESSAGE is the escaped line. */
	jfields_add(j, "MESSAGE", message);
	jfield_u(j, "PRIORITY", (unsigned long)prio);
	jfield_u(j, "SYSLOG_FACILITY", LOG_AUTHPRIV >> 3);
	jfields_add(j, "SYSLOG_IDENTIFIER", "obsenv");
	jfield_u(j, "SYSLOG_PID", (unsigned long)getpid());
	jfields_add(j, "OBSENV_DECISION", decision);
	jfield_u(j, "OBSENV_UID", a->uid);
	jfields_add(j, "OBSENV_USER", a->user[0] ? a->user : "?");
	if (a->sudo_user[0]) {
		jfields_add(j, "OBSENV_SUDO_USER", a->sudo_user);
		jfield_u(j, "OBSENV_SUDO_UID", (unsigned long)a->sudo_uid);
	}
	jfields_add(j, "OBSENV_ACTION", a->action ? a->action : "-");
	if (a->target)
		jfields_add(j, "OBSENV_AS", a->target);
	if (a->role)
		jfields_add(j, "OBSENV_ROLE", a->role);
	/* "no" as well: journalctl matches values, and cannot leave out the
	 * entries that have a field. */
	jfields_add(j, "OBSENV_DRY_RUN", a->dry_run ? "yes" : "no");
	if (!result)
		return;
	jfields_add(j, "OBSENV_RESULT", result);
	if (code)
		jfield_u(j, "OBSENV_EXIT", (unsigned long)code);
	if (generation)
		jfield_u(j, "OBSENV_GENERATION", generation);
	for (size_t i = 0; i < nnotes; i++) {
		snprintf(name, sizeof name, "OBSENV_%.72s", notes[i].key);
		jfields_add(j, name, notes[i].value);
	}
	/* The package names again, exactly and under one name: a field name
	 * is upper case and may be cut, and journalctl matches values only,
	 * so "everything that changed pkg" is OBSENV_PACKAGE=pkg. */
	for (size_t i = 0; i < nnotes; i++)
		if (!strncmp(notes[i].key, "pkg.", 4) || !strncmp(notes[i].key, "pin.", 4))
			jfields_add(j, "OBSENV_PACKAGE", notes[i].key + 4);
}

/* The journal when this run has one, else syslog; never both, so that
 * nothing is counted twice, and never neither. */
static void send(const struct audit *a, const struct record *r, const char *decision,
		 const char *result, int code, int prio)
{
	static char line[AUDIT_MAX + 16];
	static struct jfields j;

	/* A cut record says so at its end, where nothing can be appended. */
	snprintf(line, sizeof line, "%s%s", r->buf, r->cut ? " truncated=1" : "");
	if (use_journal) {
		audit_journal(&j, a, decision, result, code, line, prio);
		if (journal_send(&j) == 0)
			return;
	}
	syslog(LOG_AUTHPRIV | prio, "%s", line);
}

void audit_open(struct audit *a, int argc, char **argv)
{
	a->uid = getuid();
	a->euid = geteuid();
	a->argc = argc;
	a->argv = argv;
	if (ttyname_r(0, a->tty, sizeof a->tty))
		snprintf(a->tty, sizeof a->tty, "-");
	if (!getcwd(a->cwd, sizeof a->cwd))
		snprintf(a->cwd, sizeof a->cwd, "-");
	/* Connect now, while nothing is forbidden yet; records sent after the
	 * drop and under seccomp reuse this socket. */
	openlog("obsenv", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
	use_journal = journal_open();
}

void audit_decision(const struct audit *a, const char *decision, const char *reason)
{
	struct record r;

	audit_format(&r, a, decision);
	if (reason)
		record_add(&r, "reason", reason);
	send(a, &r, decision, NULL, 0, strcmp(decision, "allow") ? LOG_WARNING : LOG_NOTICE);
}

void audit_result(const struct audit *a, const char *decision, int code, const char *error)
{
	struct record r;

	audit_format(&r, a, decision);
	if (generation)
		record_addu(&r, "generation", generation);
	record_add(&r, "result", code == 0 ? "ok" : "failed");
	for (size_t i = 0; i < nnotes; i++)
		record_add(&r, notes[i].key, notes[i].value);
	if (code)
		record_addu(&r, "exit", (unsigned long)code);
	if (error)
		record_add_rest(&r, "error", error);
	send(a, &r, decision, code == 0 ? "ok" : "failed", code, code ? LOG_WARNING : LOG_NOTICE);
}
