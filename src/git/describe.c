/* The name status and rollback show for a tree: the nearest tag, as git
 * describe --tags gives it ("v1.2-3-gabc1234", "v1.2", or the short id
 * with no tag below). libgit2's git_describe_commit reads every ref of
 * the repository to find the tags among them, and a store has one more
 * ref each pull that switches (refs/obsenv/deployed/): with 422 of them
 * it took 10 ms of every tree's build, growing without end. Here only
 * refs/tags/ is read.
 *
 * The tag chosen is the first tagged commit of a walk newest first, as
 * git's is on a history without merges; on one with merges git weighs up
 * to ten candidates and may name another. A commit with several tags has
 * the annotated one, the newest of those, as git has. */
#include "git/describe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"

struct name {
	git_oid commit;
	int prio; /* annotated 2, lightweight 1 */
	git_time_t when;
	size_t order; /* as the refs were listed */
	char tag[REF_MAX_LEN + 1];
};

struct names {
	git_repository *repo;
	struct name *v;
	size_t n, cap;
	int r;
};

static int add(struct names *ns, const git_oid *commit, int prio, git_time_t when, const char *tag)
{
	struct name *e;

	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 32;
		struct name *grown = realloc(ns->v, cap * sizeof *grown);

		if (!grown)
			return err_oom();
		ns->v = grown;
		ns->cap = cap;
	}
	e = &ns->v[ns->n];
	e->commit = *commit;
	e->prio = prio;
	e->when = when;
	e->order = ns->n++;
	str_copy(e->tag, sizeof e->tag, tag);
	return 0;
}

/* By commit, and of one commit's tags the one git names it by first:
 * annotated before lightweight, the newer annotated, else the first. */
static int by_commit(const void *a, const void *b)
{
	const struct name *x = a, *y = b;
	int c = memcmp(x->commit.id, y->commit.id, sizeof x->commit.id);

	if (c)
		return c;
	if (x->prio != y->prio)
		return y->prio - x->prio;
	if (x->when != y->when)
		return x->when < y->when ? 1 : -1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* A tag that names no commit (a tree, a blob, a ref gone meanwhile) is
 * no name for one. */
static int each_tag(const char *ref, void *payload)
{
	struct names *ns = payload;
	git_object *obj = NULL, *commit = NULL;
	git_oid id;
	int prio;
	git_time_t when = 0;

	if (G(git_reference_name_to_id)(&id, ns->repo, ref) < 0 ||
	    G(git_object_lookup)(&obj, ns->repo, &id, GIT_OBJECT_ANY) < 0 ||
	    G(git_object_peel)(&commit, obj, GIT_OBJECT_COMMIT) < 0)
		goto out;
	prio = G(git_object_type)(obj) == GIT_OBJECT_TAG ? 2 : 1;
	if (prio == 2 && G(git_tag_tagger)((const git_tag *)obj))
		when = G(git_tag_tagger)((const git_tag *)obj)->when.time;
	ns->r = add(ns, G(git_object_id)(commit), prio, when, ref + strlen("refs/tags/"));
out:
	G(git_object_free)(commit);
	G(git_object_free)(obj);
	return ns->r ? -1 : 0;
}

static int cmp_commit(const void *key, const void *e)
{
	const git_oid *id = key;

	return memcmp(id->id, ((const struct name *)e)->commit.id, sizeof id->id);
}

/* The first of the commit's tags in by_commit's order. */
static const struct name *find(const struct names *ns, const git_oid *commit)
{
	const struct name *e = bsearch(commit, ns->v, ns->n, sizeof *ns->v, cmp_commit);

	while (e && e > ns->v && !cmp_commit(commit, e - 1))
		e--;
	return e;
}

/* How many commits commit has that tagged has not (git's depth). */
static int depth(git_repository *repo, const git_oid *commit, const git_oid *tagged, size_t *out)
{
	git_revwalk *w = NULL;
	git_oid id;
	int g;

	*out = 0;
	if (G(git_revwalk_new)(&w, repo) < 0 || G(git_revwalk_push)(w, commit) < 0 ||
	    G(git_revwalk_hide)(w, tagged) < 0) {
		G(git_revwalk_free)(w);
		return -1;
	}
	while ((g = G(git_revwalk_next)(&id, w)) == 0)
		(*out)++;
	G(git_revwalk_free)(w);
	return g == GIT_ITEROVER ? 0 : -1;
}

int repo_describe(git_repository *repo, git_object *commit, char *out, size_t size)
{
	struct names ns = { .repo = repo };
	const struct name *best = NULL;
	git_revwalk *w = NULL;
	git_buf id = { 0 };
	git_oid at;
	size_t n = 0;
	int r = 0, g = 0;

	if (G(git_reference_foreach_glob)(repo, "refs/tags/*", each_tag, &ns) < 0) {
		r = ns.r ? ns.r : repo_fail("describe");
		goto out;
	}
	if (ns.n)
		qsort(ns.v, ns.n, sizeof *ns.v, by_commit);
	if (ns.n && (G(git_revwalk_new)(&w, repo) < 0 || G(git_revwalk_sorting)(w, GIT_SORT_TIME) < 0 ||
		     G(git_revwalk_push)(w, G(git_object_id)(commit)) < 0)) {
		r = repo_fail("describe");
		goto out;
	}
	while (w && !best && (g = G(git_revwalk_next)(&at, w)) == 0)
		best = find(&ns, &at);
	if ((g < 0 && g != GIT_ITEROVER) ||
	    (best && depth(repo, G(git_object_id)(commit), &best->commit, &n) < 0)) {
		r = repo_fail("describe");
		goto out;
	}
	if (G(git_object_short_id)(&id, commit) < 0) {
		r = repo_fail("describe");
		goto out;
	}
	if (!best)
		snprintf(out, size, "%s", id.ptr);
	else if (!n)
		snprintf(out, size, "%s", best->tag);
	else
		snprintf(out, size, "%s-%zu-g%s", best->tag, n, id.ptr);
out:
	G(git_buf_dispose)(&id);
	G(git_revwalk_free)(w);
	free(ns.v);
	return r;
}
