#include "policy/ytree.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

struct builder {
	struct diag *d;
	struct ynode *root;
	struct ynode *stack[YTREE_MAX_DEPTH + 1];
	size_t depth;
	size_t nodes;
	int docs;
};

static struct ynode *node_new(enum ykind kind, const yaml_mark_t *m)
{
	struct ynode *n = calloc(1, sizeof *n);

	if (n) {
		n->kind = kind;
		n->line = m->line + 1;
		n->col = m->column + 1;
	}
	return n;
}

void ytree_free(struct ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		ytree_free(n->kids[i]);
	free(n->kids);
	free(n->str);
	free(n);
}

static int attach(struct builder *b, struct ynode *n)
{
	struct ynode *p, **k;

	if (b->depth == 0) {
		if (b->root) { /* cannot happen within one document; never leak */
			ytree_free(n);
			return -1;
		}
		b->root = n;
		return 0;
	}
	p = b->stack[b->depth - 1];
	if (p->kind == Y_MAP && p->nkids % 2 == 0 && n->kind != Y_SCALAR) {
		diag_add(b->d, n->line, n->col, "a key must be a plain string");
		ytree_free(n);
		return -1;
	}
	/* Grow by powers of two: attach is called once per node. */
	if ((p->nkids & (p->nkids - 1)) == 0) {
		k = realloc(p->kids, (p->nkids ? p->nkids * 2 : 1) * sizeof(struct ynode *));
		if (!k) {
			ytree_free(n);
			return -1;
		}
		p->kids = k;
	}
	p->kids[p->nkids++] = n;
	return 0;
}

static int cmp_key(const void *a, const void *b)
{
	const struct ynode *x = *(struct ynode *const *)a, *y = *(struct ynode *const *)b;
	int c = strcmp(x->str, y->str);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* Sorting keeps hostile maps with many keys at n log n. */
static int check_duplicates(struct builder *b, const struct ynode *map)
{
	size_t n = map->nkids / 2;
	struct ynode **keys;
	int r = 0;

	if (n < 2)
		return 0;
	if (!(keys = malloc(n * sizeof(struct ynode *))))
		return -1;
	for (size_t i = 0; i < n; i++)
		keys[i] = map->kids[2 * i];
	qsort(keys, n, sizeof(struct ynode *), cmp_key);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(keys[i - 1]->str, keys[i]->str) == 0) {
			diag_add(b->d, keys[i]->line, keys[i]->col, "duplicate key '%s' (first at line %zu)",
				 keys[i]->str, keys[i - 1]->line);
			r = -1;
		}
	}
	free(keys);
	return r;
}

static int refuse_decoration(struct builder *b, const yaml_event_t *e, const yaml_char_t *anchor,
			     const yaml_char_t *tag)
{
	if (anchor) {
		diag_add(b->d, e->start_mark.line + 1, e->start_mark.column + 1,
			 "anchors and aliases are not allowed");
		return -1;
	}
	if (tag) {
		diag_add(b->d, e->start_mark.line + 1, e->start_mark.column + 1,
			 "tags are not allowed");
		return -1;
	}
	return 0;
}

static int on_event(struct builder *b, const yaml_event_t *e)
{
	const yaml_mark_t *m = &e->start_mark;
	struct ynode *n;

	switch (e->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++b->docs > 1) {
			diag_add(b->d, m->line + 1, m->column + 1, "only one YAML document is allowed");
			return -1;
		}
		if (e->data.document_start.version_directive ||
		    e->data.document_start.tag_directives.start !=
			    e->data.document_start.tag_directives.end) {
			diag_add(b->d, m->line + 1, m->column + 1, "YAML directives are not allowed");
			return -1;
		}
		return 0;
	case YAML_ALIAS_EVENT:
		diag_add(b->d, m->line + 1, m->column + 1, "anchors and aliases are not allowed");
		return -1;
	case YAML_SCALAR_EVENT:
		if (refuse_decoration(b, e, e->data.scalar.anchor, e->data.scalar.tag))
			return -1;
		if (++b->nodes > YTREE_MAX_NODES || !(n = node_new(Y_SCALAR, m)))
			goto too_big;
		n->plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (!(n->str = malloc(e->data.scalar.length + 1))) {
			ytree_free(n);
			goto too_big;
		}
		memcpy(n->str, e->data.scalar.value, e->data.scalar.length);
		n->str[e->data.scalar.length] = '\0';
		/* libyaml lets "\0" escapes through; a C string would silently end there. */
		if (strlen(n->str) != e->data.scalar.length) {
			diag_add(b->d, n->line, n->col, "NUL character in a value");
			ytree_free(n);
			return -1;
		}
		return attach(b, n);
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT:
		if (e->type == YAML_MAPPING_START_EVENT
			    ? refuse_decoration(b, e, e->data.mapping_start.anchor, e->data.mapping_start.tag)
			    : refuse_decoration(b, e, e->data.sequence_start.anchor, e->data.sequence_start.tag))
			return -1;
		if (b->depth >= YTREE_MAX_DEPTH) {
			diag_add(b->d, m->line + 1, m->column + 1, "nested deeper than %d levels",
				 YTREE_MAX_DEPTH);
			return -1;
		}
		if (++b->nodes > YTREE_MAX_NODES ||
		    !(n = node_new(e->type == YAML_MAPPING_START_EVENT ? Y_MAP : Y_SEQ, m)))
			goto too_big;
		if (attach(b, n))
			return -1;
		b->stack[b->depth++] = n;
		return 0;
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		if (b->depth == 0)
			return -1; /* libyaml never sends this; refuse rather than trust it */
		n = b->stack[--b->depth];
		return n->kind == Y_MAP ? check_duplicates(b, n) : 0;
	default:
		return 0;
	}
too_big:
	diag_add(b->d, m->line + 1, m->column + 1, "more than %d values", YTREE_MAX_NODES);
	return -1;
}

int ytree_parse(const char *buf, size_t len, struct diag *d, struct ynode **out)
{
	struct builder b = { .d = d };
	yaml_parser_t parser;
	yaml_event_t event;
	const char *nul;
	int r = -1, done = 0;

	*out = NULL;
	if ((nul = memchr(buf, '\0', len))) {
		size_t line = 1;

		for (const char *p = buf; p < nul; p++)
			line += *p == '\n';
		diag_add(d, line, 1, "NUL byte in file");
		return -1;
	}
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3)) {
		diag_add(d, 1, 1, "byte order mark is not allowed");
		return -1;
	}
	if (!yaml_parser_initialize(&parser))
		return -1;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	while (!done) {
		if (!yaml_parser_parse(&parser, &event)) {
			diag_add(d, parser.problem_mark.line + 1, parser.problem_mark.column + 1, "%s%s%s",
				 parser.problem ? parser.problem : "syntax error",
				 parser.context ? " " : "", parser.context ? parser.context : "");
			goto out;
		}
		done = event.type == YAML_STREAM_END_EVENT;
		if (on_event(&b, &event)) {
			yaml_event_delete(&event);
			goto out;
		}
		yaml_event_delete(&event);
	}
	*out = b.root;
	b.root = NULL;
	r = 0;
out:
	ytree_free(b.root);
	yaml_parser_delete(&parser);
	return r;
}

bool ynode_is(const struct ynode *n, enum ykind kind, struct diag *d, const char *what)
{
	static const char *names[] = { "a string", "a mapping", "a list" };

	if (n->kind == kind)
		return true;
	diag_add(d, n->line, n->col, "%s must be %s", what, names[kind]);
	return false;
}

static bool all_of(const char *s, const char *set)
{
	return *s && strspn(s, set) == strlen(s);
}

/* YAML 1.1 resolves these plain scalars to numbers (0755 is octal 493, 1:30
 * is 90): a value that only means a string by accident is refused. */
static bool looks_numeric(const char *s)
{
	const char *dot, *e;

	if (*s == '+' || *s == '-')
		s++;
	if (!strncmp(s, "0x", 2) || !strncmp(s, "0b", 2) || !strncmp(s, "0o", 2))
		return all_of(s + 2, "0123456789abcdefABCDEF_");
	if (!strcasecmp(s, ".inf") || !strcasecmp(s, ".nan"))
		return true;
	if (all_of(s, "0123456789_") || (strchr(s, ':') && all_of(s, "0123456789_:")))
		return true;
	if (!(dot = strchr(s, '.')) || !all_of(s, "0123456789_.eE+-") || strchr(dot + 1, '.'))
		return false;
	e = strpbrk(s, "eE");
	return s[0] != 'e' && s[0] != 'E' && (!e || (e > dot && e[1]));
}

static bool looks_special(const char *s)
{
	static const char *const words[] = { "y", "yes", "n", "no", "true", "false", "on", "off",
					      "null", "~", "" };

	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (!strcasecmp(s, words[i]))
			return true;
	return false;
}

const char *ynode_str(const struct ynode *n, struct diag *d, const char *what)
{
	if (!ynode_is(n, Y_SCALAR, d, what))
		return NULL;
	if (n->plain && (looks_special(n->str) || looks_numeric(n->str))) {
		diag_add(d, n->line, n->col,
			 "%s: '%s' is not a string in YAML (boolean, null or number); quote it", what,
			 n->str);
		return NULL;
	}
	return n->str;
}

int ynode_uint(const struct ynode *n, struct diag *d, const char *what, unsigned int min,
	       unsigned int max, unsigned int *out)
{
	unsigned long v = 0;
	const char *s = n->str;

	if (n->kind != Y_SCALAR || !n->plain || !all_of(s, "0123456789") || (s[0] == '0' && s[1]) || strlen(s) > 9)
		goto bad;
	for (; *s; s++)
		v = v * 10 + (unsigned long)(*s - '0');
	if (v < min || v > max)
		goto bad;
	*out = (unsigned int)v;
	return 0;
bad:
	diag_add(d, n->line, n->col, "%s must be a whole number from %u to %u", what, min, max);
	return -1;
}
