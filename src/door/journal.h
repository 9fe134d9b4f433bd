/* The journal's side of the audit trail: the same record as fields an
 * auditor can filter on (journalctl OBSENV_ACTION=rollback), sent with
 * the journal's native protocol when obsenv is built with libsystemd
 * (HAVE_SYSTEMD). Without it, or without a journal on this machine,
 * nothing is sent here and the record goes to syslog instead. */
#ifndef OBSENV_JOURNAL_H
#define OBSENV_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#define JOURNAL_MAX_FIELDS 300
#define JOURNAL_NAME_MAX 64 /* journald ignores a longer field name */

struct jfields {
	char buf[16384];
	size_t len;
	size_t off[JOURNAL_MAX_FIELDS], n;
	bool cut; /* a field did not fit and was left out */
};

/* Appends "NAME=value". name is made a valid journal field name: upper
 * case, [A-Z0-9_] only, at most JOURNAL_NAME_MAX bytes. Values are sent
 * as bytes (the protocol carries newlines in a value safely). */
void jfields_add(struct jfields *j, const char *name, const char *value);
const char *jfields_get(const struct jfields *j, size_t i);

/* Whether this run sends to the journal: built with it and its socket is
 * there. Decided once, before the drop, so that every record of a run
 * goes the same way. */
bool journal_open(void);
/* 0 when the journal took the record; otherwise the caller sends it to
 * syslog, so that a record is never lost for want of one transport. */
int journal_send(struct jfields *j);

#endif
