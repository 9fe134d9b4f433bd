#include "act/ready.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act/act.h"
#include "core/err.h"
#include "core/json.h"

int problems_add(struct problems *ps, const char *pkg, const char *key, const char *fmt, ...)
{
	struct problem *p;
	va_list ap;

	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? 2 * ps->cap : 8;
		struct problem *v = realloc(ps->v, cap * sizeof *v);

		if (!v)
			return err_oom();
		ps->v = v;
		ps->cap = cap;
	}
	p = &ps->v[ps->n++];
	p->pkg = pkg;
	p->key = key;
	va_start(ap, fmt);
	vsnprintf(p->msg, sizeof p->msg, fmt, ap);
	va_end(ap);
	return 0;
}

/* The notes rollback would print as warnings, in words for a reader who
 * has not rolled back yet. */
static int package(const struct ready_input *in, size_t i, struct problems *ps)
{
	const char *name = in->pol->pkgs[i].name;
	const struct plan *t = &in->plans[i];
	int r = 0;

	for (size_t j = 0; !r && j < t->nnotes; j++) {
		const struct plan_note *n = &t->notes[j];

		if (!strcmp(n->key, "unverified"))
			r = problems_add(ps, name, n->key,
					 "%s: the base file's pin %s%s%.10s has not been verified: rollback would "
					 "go to the last verified pin %s%s%.10s", name, in->pins[i].tag,
					 in->pins[i].tag[0] ? " " : "", in->pins[i].commit, t->tag,
					 t->tag[0] ? " " : "", t->commit);
		else if (!strcmp(n->key, "tag_moved"))
			r = problems_add(ps, name, n->key,
					 "%s: tag %s moved since it was pinned (%s): rollback would go to the "
					 "pinned commit %.10s; a maintainer should re-pin it", name, t->tag,
					 n->note, t->commit);
		else
			r = problems_add(ps, name, n->key,
					 "%s: the repository is missing, so tag %s cannot be checked", name, t->tag);
	}
	/* A missing tree costs the rollback a checkout, and fails it for that
	 * package if the object store cannot give the commit back. */
	if (!r && t->why[0])
		r = problems_add(ps, name, t->problem, "%s; rollback would %s", t->why,
				 !strcmp(t->problem, "tree_missing") ?
					 "have to rebuild it from the object store first, or leave the "
					 "package where it is" :
					 "leave it where it is");
	return r;
}

static int last_pull(const struct ready_input *in, struct problems *ps)
{
	const struct last_pull *lp = in->pull;
	char when[40], list[LASTPULL_FAILED_MAX], *name, *save = NULL;
	int r = 0;

	if (in->pull_r == R_ABSENT)
		return 0;
	if (in->pull_r < 0)
		return problems_add(ps, NULL, "pull_record", "the record of the last pull is damaged: %s",
				    in->pull_err);
	freeze_time(lp->time, when, sizeof when);
	str_copy(list, sizeof list, lp->failed);
	for (name = strtok_r(list, ",", &save); !r && name; name = strtok_r(NULL, ",", &save)) {
		/* The policy's name outlives this buffer; a package no longer
		 * in the policy is still named in the message. */
		const struct package *k = act_package(in->pol, name);

		r = problems_add(ps, k ? k->name : NULL, "pull_failed", "%s: the last pull (%s) failed for it",
				 name, when);
	}
	if (!r && in->now - lp->time > (long long)in->pol->pull_stale_after)
		r = problems_add(ps, NULL, "pull_stale",
				 "the last pull was at %s, more than %u seconds ago (pull_stale_after): is the "
				 "timer running?", when, in->pol->pull_stale_after);
	return r;
}

int ready_judge(const struct ready_input *in, struct problems *ps)
{
	int r = 0;

	if (in->base_err[0])
		r = problems_add(ps, NULL, "basefile",
				 "the base file cannot be used (%s): rollback would use the last verified pins",
				 in->base_err);
	for (size_t i = 0; !r && i < in->pol->npkgs; i++)
		r = package(in, i, ps);
	if (!r && in->frozen) {
		char since[40], until[40] = "";

		freeze_time(in->frozen->since, since, sizeof since);
		if (in->frozen->until)
			freeze_time(in->frozen->until, until, sizeof until);
		r = problems_add(ps, NULL, "frozen", "the environment is frozen since %s by %s%s%s: \"%s\"",
				 since, in->frozen->who, until[0] ? " until " : "", until, in->frozen->reason);
	}
	return r ? r : last_pull(in, ps);
}

void problems_json(FILE *f, const struct problems *ps)
{
	fprintf(f, "[");
	for (size_t i = 0; i < ps->n; i++) {
		fprintf(f, "%s{\"package\": ", i ? ", " : "");
		json_str_or_null(f, ps->v[i].pkg);
		fprintf(f, ", \"problem\": ");
		json_str(f, ps->v[i].key);
		fprintf(f, ", \"message\": ");
		json_str(f, ps->v[i].msg);
		fprintf(f, "}");
	}
	fprintf(f, "]");
}

void problems_free(struct problems *ps)
{
	free(ps->v);
	ps->v = NULL;
	ps->n = ps->cap = 0;
}
