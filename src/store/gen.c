#include "store/gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

#define GEN_MAX_PKGS 256

static const char *const sources[] = { "base", "tag", "commit", "deploy" };

const char *gen_source_name(enum source s)
{
	return sources[s];
}

int gen_format(const struct generation *g, char *buf, size_t size)
{
	size_t n = 0;
	int k;

	k = snprintf(buf, size, "obsenv-generation 1\nnumber %lu\ntime %lld\nuser %s\nuid %u\n"
			       "sudo_user %s\naction %s\n",
		     g->number, g->time, g->user, g->uid, g->sudo_user[0] ? g->sudo_user : "-",
		     g->action);
	if (k < 0 || (size_t)k >= size)
		return -1;
	n = (size_t)k;
	for (size_t i = 0; i < g->npkgs; i++) {
		const struct gen_pkg *p = &g->pkgs[i];

		k = snprintf(buf + n, size - n, "pkg %s %s %s %s %d\n", p->name, p->commit,
			     sources[p->source], p->ref[0] ? p->ref : "-", p->follows);
		if (k < 0 || (size_t)k >= size - n)
			return -1;
		n += (size_t)k;
	}
	return (int)n;
}

static int bad(int line, const char *why)
{
	return err_set(E_FAIL, "line %d: %s", line, why);
}

static int parse_pkg(char *rest, struct gen_pkg *p, int line)
{
	char *f[5], *save = NULL;
	int i;

	for (i = 0; i < 5; i++)
		if (!(f[i] = strtok_r(i ? NULL : rest, " ", &save)))
			return bad(line, "a package line needs five fields");
	if (strtok_r(NULL, " ", &save))
		return bad(line, "a package line has extra fields");
	if (!str_is_ident(f[0]) || str_copy(p->name, sizeof p->name, f[0]))
		return bad(line, "bad package name");
	if (!is_oid_hex(f[1]))
		return bad(line, "bad commit");
	str_copy(p->commit, sizeof p->commit, f[1]);
	for (i = 0; i < 4 && strcmp(f[2], sources[i]) != 0; i++)
		;
	if (i == 4)
		return bad(line, "bad source");
	p->source = (enum source)i;
	if (strcmp(f[3], "-") != 0 && (!str_is_refname(f[3]) || str_copy(p->ref, sizeof p->ref, f[3])))
		return bad(line, "bad ref");
	if (strcmp(f[4], "0") != 0 && strcmp(f[4], "1") != 0)
		return bad(line, "bad follows flag");
	p->follows = f[4][0] == '1';
	return 0;
}

int gen_parse(const char *text, struct generation *g)
{
	static const char *const fields[] = { "number", "time", "user", "uid", "sudo_user", "action" };
	char *copy, *line, *save = NULL, *rest;
	unsigned int seen = 0;
	int n = 1, r = 0;
	unsigned int u;
	unsigned long long t;

	memset(g, 0, sizeof *g);
	/* Every field obsenv writes is printable ASCII: anything else was put
	 * there by someone else and must not reach a terminal. */
	for (const char *c = text; *c; c++) {
		n += *c == '\n';
		if (*c != '\n' && ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f))
			return bad(n, "a control or non-ASCII byte");
	}
	n = 0;
	copy = strdup(text);
	if (!copy || !(g->pkgs = calloc(GEN_MAX_PKGS, sizeof *g->pkgs))) {
		free(copy);
		return err_oom();
	}
	for (line = strtok_r(copy, "\n", &save); line && !r; line = strtok_r(NULL, "\n", &save)) {
		n++;
		if (n == 1) {
			if (strcmp(line, "obsenv-generation 1") != 0)
				r = bad(n, "not a generation record");
			continue;
		}
		if (!(rest = strchr(line, ' '))) {
			r = bad(n, "no value");
			break;
		}
		*rest++ = '\0';
		for (size_t f = 0; f < sizeof fields / sizeof *fields; f++)
			if (!strcmp(line, fields[f]) && (seen & 1U << f))
				r = bad(n, "a field given twice");
			else if (!strcmp(line, fields[f]))
				seen |= 1U << f;
		if (r)
			break;
		if (!strcmp(line, "number"))
			r = str_to_id(rest, &u) ? bad(n, "bad number") : (g->number = u, 0);
		else if (!strcmp(line, "time"))
			r = str_to_bounded(rest, GEN_TIME_MAX, &t) ? bad(n, "bad time")
								   : (g->time = (long long)t, 0);
		else if (!strcmp(line, "user"))
			r = !str_is_account(rest) || str_copy(g->user, sizeof g->user, rest)
				    ? bad(n, "bad user") : 0;
		else if (!strcmp(line, "uid"))
			r = str_to_id(rest, &g->uid) ? bad(n, "bad uid") : 0;
		else if (!strcmp(line, "sudo_user"))
			r = (strcmp(rest, "-") != 0 && !str_is_account(rest)) ||
				    str_copy(g->sudo_user, sizeof g->sudo_user, strcmp(rest, "-") != 0 ? rest : "")
				    ? bad(n, "bad sudo user") : 0;
		else if (!strcmp(line, "action"))
			r = !str_is_ident(rest) || str_copy(g->action, sizeof g->action, rest)
				    ? bad(n, "bad action") : 0;
		else if (!strcmp(line, "pkg"))
			r = g->npkgs == GEN_MAX_PKGS ? bad(n, "too many packages")
						     : parse_pkg(rest, &g->pkgs[g->npkgs++], n);
		else
			r = bad(n, "unknown field");
	}
	/* Every field obsenv writes must be there: a record that lacks one
	 * was not written by obsenv, and would not format back to itself. */
	for (size_t f = 0; !r && f < sizeof fields / sizeof *fields; f++)
		if (!(seen & 1U << f))
			r = err_set(E_FAIL, "generation record is incomplete: no %s", fields[f]);
	if (!r && g->number == 0)
		r = err_set(E_FAIL, "generation record is incomplete");
	free(copy);
	if (r)
		gen_free(g);
	return r;
}

void gen_free(struct generation *g)
{
	free(g->pkgs);
	g->pkgs = NULL;
	g->npkgs = 0;
}

const struct gen_pkg *gen_find(const struct generation *g, const char *name)
{
	for (size_t i = 0; i < g->npkgs; i++)
		if (strcmp(g->pkgs[i].name, name) == 0)
			return &g->pkgs[i];
	return NULL;
}

bool gen_pkg_same(const struct gen_pkg *a, const struct gen_pkg *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a->commit, b->commit) && a->source == b->source && !strcmp(a->ref, b->ref) &&
	       a->follows == b->follows;
}

struct gen_pkg *gen_find_mut(struct generation *g, const char *name)
{
	for (size_t i = 0; i < g->npkgs; i++)
		if (strcmp(g->pkgs[i].name, name) == 0)
			return &g->pkgs[i];
	return NULL;
}

int gen_copy_pkgs(struct generation *dst, const struct generation *src, size_t extra)
{
	struct gen_pkg *pkgs = calloc(src->npkgs + extra + 1, sizeof *pkgs);

	if (!pkgs)
		return err_oom();
	if (src->npkgs)
		memcpy(pkgs, src->pkgs, src->npkgs * sizeof *pkgs);
	free(dst->pkgs);
	dst->pkgs = pkgs;
	dst->npkgs = src->npkgs;
	return 0;
}
