#include "policy/cycle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Names in cycle.env are shell variables; values may be quoted. */
static bool name_ok(const char *s)
{
	if (!*s || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_'))
			return false;
	return true;
}

/* The value as the shell reads it: quoted, or up to the first blank; a
 * '#' after a blank starts a comment, as in the shell file it comes from.
 * NULL when something else follows the value (the shell would run it). */
static char *value_of(char *raw)
{
	char *v = trim(raw), *end;

	if (v != raw && *v == '#')
		return v + strlen(v);
	if (*v == '"' || *v == '\'') {
		if (!(end = strchr(v + 1, *v)))
			return NULL;
		*end++ = '\0';
		v++;
	} else {
		end = v + strcspn(v, " \t");
	}
	if (*end && *end != ' ' && *end != '\t')
		return NULL;
	if (*end)
		*end++ = '\0';
	end = trim(end);
	return !*end || *end == '#' ? v : NULL;
}

int cycle_parse(const char *buf, size_t len, struct diag *d, struct cycle_entry **out, size_t *n)
{
	char *copy = malloc(len + 1), *line, *next;
	struct cycle_entry *e = calloc(CYCLE_MAX_ENTRIES, sizeof *e);
	size_t before = d->n + d->dropped;
	int no = 0;

	*out = NULL;
	*n = 0;
	if (!copy || !e) {
		free(copy);
		free(e);
		diag_add(d, 0, 0, "out of memory");
		return -1;
	}
	memcpy(copy, buf, len);
	copy[len] = '\0';
	if (strlen(copy) != len)
		diag_add(d, 0, 0, "the file holds a NUL byte");
	/* Every line is read: each problem is named, as check names a
	 * policy's, and nothing is pinned if there is one. */
	for (line = copy; line; line = next) {
		char *eq, *name, *value;

		no++;
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		line = trim(line);
		if (!*line || *line == '#')
			continue;
		if (!strncmp(line, "export ", 7))
			line = trim(line + 7);
		if (!(eq = strchr(line, '='))) {
			diag_add(d, no, 1, "not NAME=VALUE");
			continue;
		}
		*eq = '\0';
		name = trim(line);
		if (!name_ok(name) || strlen(name) > NAME_MAX_LEN) {
			diag_add(d, no, 1, "'%.64s' is not a name", name);
			continue;
		}
		if (!(value = value_of(eq + 1))) {
			diag_add(d, no, (int)(eq - line) + 2, "%s: not one value (an unclosed quote, or words "
				 "after it that are not a # comment)", name);
			continue;
		}
		if (*n == CYCLE_MAX_ENTRIES) {
			diag_add(d, no, 1, "more than %d entries", CYCLE_MAX_ENTRIES);
			continue;
		}
		/* Validated when it is used: only names of policy packages are. */
		if (str_copy(e[*n].value, sizeof e[*n].value, value)) {
			diag_add(d, no, (int)(value - line) + 1, "%s: the value is too long", name);
			continue;
		}
		str_copy(e[*n].name, sizeof e[*n].name, name);
		e[*n].line = no;
		(*n)++;
	}
	free(copy);
	if (d->n + d->dropped > before) {
		free(e);
		*n = 0;
		return -1;
	}
	*out = e;
	return 0;
}

static size_t add(char out[][REF_MAX_LEN + 1], size_t k, size_t max, const char *s)
{
	if (k < max && str_is_refname(s) && !str_copy(out[k], REF_MAX_LEN + 1, s))
		return k + 1;
	return k;
}

size_t cycle_candidates(const char *value, char out[][REF_MAX_LEN + 1], size_t max)
{
	static const struct { const char *mark, *word; } pre[] = {
		{ "rc", "rc" }, { "a", "alpha" }, { "b", "beta" },
	};
	char buf[REF_MAX_LEN + 32];
	size_t k = 0;

	if (!str_is_refname(value))
		return 0;
	k = add(out, k, max, value);
	snprintf(buf, sizeof buf, "v%s", value);
	k = add(out, k, max, buf);
	/* <release><mark><number>, the release made of digits and dots. */
	for (size_t i = 0; i < sizeof pre / sizeof *pre; i++) {
		const char *m = NULL;

		for (const char *p = value; (p = strstr(p, pre[i].mark)); p++)
			m = p;
		if (!m || m == value || m[-1] < '0' || m[-1] > '9' || !m[strlen(pre[i].mark)])
			continue;
		if (strspn(value, "0123456789.") != (size_t)(m - value) ||
		    strspn(m + strlen(pre[i].mark), "0123456789") != strlen(m + strlen(pre[i].mark)))
			continue;
		snprintf(buf, sizeof buf, "v%.*s.%s.%s", (int)(m - value), value, pre[i].word,
			 m + strlen(pre[i].mark));
		k = add(out, k, max, buf);
		snprintf(buf, sizeof buf, "v%.*s-%s.%s", (int)(m - value), value, pre[i].word,
			 m + strlen(pre[i].mark));
		k = add(out, k, max, buf);
		break;
	}
	return k;
}
