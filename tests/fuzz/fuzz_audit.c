/* The audit record and its journal fields: any value gives one line of
 * printable ASCII in which no field can be forged (a quoted value has only
 * escaped quotes), and journal entries whose names are valid and whose
 * MESSAGE is that line. The input is split at NUL bytes into an argument,
 * a note key and value, a user name and an error text. */
#include <stdio.h>

#include "door/audit.h"
#include "fuzz.h"

static void line_ok(const struct record *r)
{
	if (r->len >= sizeof r->buf || strlen(r->buf) != r->len || r->len > AUDIT_LINE_MAX)
		abort();
	for (size_t i = 0; i < r->len; i++)
		if ((unsigned char)r->buf[i] < 0x20 || (unsigned char)r->buf[i] >= 0x7f)
			abort();
}

static void fields_ok(const struct jfields *j, const char *message)
{
	for (size_t i = 0; i < j->n; i++) {
		const char *f = jfields_get(j, i), *eq = strchr(f, '=');

		if (!eq || eq == f || eq - f > JOURNAL_NAME_MAX || !(f[0] >= 'A' && f[0] <= 'Z'))
			abort();
		for (const char *p = f; p < eq; p++)
			if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
				abort();
	}
	if (j->n == 0 || strncmp(jfields_get(j, 0), "MESSAGE=", 8) ||
	    strcmp(jfields_get(j, 0) + 8, message))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *v = fuzz_str(data, size), *part[5] = { "", "k", "", "", "" };
	static struct record r;
	static struct jfields j;
	struct audit a = { .uid = 1, .action = "pin", .argc = 2, .now = 1 };
	size_t np = 0;

	if (!v)
		return 0;
	for (char *p = v; np < 5 && p <= v + size; p += strlen(p) + 1)
		part[np++] = p;
	memset(&r, 0, sizeof r);
	record_add(&r, "arg1", part[0]);
	record_add(&r, "result", "ok");
	line_ok(&r);
	/* The last field is still ours: " result=ok" ends the record. */
	if (!r.cut && (r.len < 10 || strcmp(r.buf + r.len - 10, " result=ok")))
		abort();

	a.argv = (char *[]){ "obsenv", part[0], NULL };
	snprintf(a.user, sizeof a.user, "%s", part[3]);
	audit_forget();
	audit_note(part[1], part[2]);
	audit_change(part[1], part[2], part[4]);
	audit_generation(size);
	audit_format(&r, &a, "allow");
	record_add_rest(&r, "error", part[4]);
	line_ok(&r);
	if (strncmp(r.buf, "decision=allow uid=1 user=", 26))
		abort();
	audit_journal(&j, &a, "allow", "failed", 1, r.buf, 4);
	fields_ok(&j, r.buf);
	free(v);
	return 0;
}
