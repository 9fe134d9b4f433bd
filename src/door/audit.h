/* The audit trail: one escaped key=value syslog record (authpriv, ident
 * "obsenv") per decision and per result, with the decision and the real
 * uid first, so that a reader can trust the start of every line. */
#ifndef OBSENV_AUDIT_H
#define OBSENV_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "door/journal.h"

#define AUDIT_MAX 8192
#define AUDIT_VALUE_MAX 256 /* bytes of one value before it is cut */
#define AUDIT_MAX_ARGS 16
/* The error text may fill the record up to here: rsyslog's default
 * maxMessageSize is 8 KiB with the header, and what it cuts is the end. */
#define AUDIT_LINE_MAX (AUDIT_MAX - 256)

struct record {
	char buf[AUDIT_MAX];
	size_t len;
	bool cut; /* something did not fit */
};

/* Appends " key=value"; the value is quoted and escaped unless it is made
 * only of characters that cannot be mistaken for syntax. */
void record_add(struct record *r, const char *key, const char *value);
void record_addu(struct record *r, const char *key, unsigned long v);
/* The same with as many bytes of value as fit below AUDIT_LINE_MAX, for
 * the text that explains a failure and comes last. */
void record_add_rest(struct record *r, const char *key, const char *value);
/* t as ISO 8601 UTC ("2026-01-31T23:59:59Z"), without the time zone
 * files that gmtime(3) may open and the sandbox forbids. */
void audit_iso_time(long long t, char out[64]);

/* What every record of this invocation repeats. Filled in as it becomes
 * known; strings are owned by the caller. */
struct audit {
	uid_t uid, euid;
	char user[64];
	char sudo_user[64];  /* "" when not through sudo */
	long sudo_uid;
	char tty[64];
	char cwd[1024];
	char env_dropped[256]; /* names of attack-prone variables we ignored */
	const char *action;
	const char *target;  /* account the action runs as */
	const char *role;
	int argc;
	char **argv;
	bool dry_run;        /* --dry-run: "result=ok" changed nothing */
	long long now;       /* for tests; 0: the clock at each record */
};

void audit_open(struct audit *a, int argc, char **argv);
/* decision is "allow", "deny" or "error". */
void audit_decision(const struct audit *a, const char *decision, const char *reason);
void audit_result(const struct audit *a, const char *decision, int code, const char *error);
/* Notes that pkg went from one commit to another, for the result record
 * ("pkg.<name>=<old>..<new>"). Called by the actions. */
void audit_change(const char *pkg, const char *from, const char *to);
/* Any other " key=value" the result record must carry (what was written
 * where, what was refused and why). */
void audit_note(const char *key, const char *value);
/* The generation this run made current ("generation=<n>"). */
void audit_generation(unsigned long number);
/* Forgets the notes and the generation (tests and fuzzing only). */
void audit_forget(void);
/* Formats a record without sending it (for tests). */
void audit_format(struct record *r, const struct audit *a, const char *decision);
/* The journal fields of a record whose line is message: the facts an
 * auditor filters on (OBSENV_ACTION, OBSENV_USER, ...), the result's
 * notes as OBSENV_<KEY> (pkg.<name> becomes OBSENV_PKG_<NAME>), and the
 * syslog identity. result is NULL for a decision. */
void audit_journal(struct jfields *j, const struct audit *a, const char *decision,
		   const char *result, int code, const char *message, int prio);

#endif
