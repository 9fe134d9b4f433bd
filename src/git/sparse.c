/* The objects a fetch from a local path packs for the commits the store
 * lacks. libgit2's packbuilder_insert_walk reads the whole tree of every
 * commit the walk hides, to mark it, and of every new commit: a one-file
 * hot fix on a package of 8,000 files read some 2,300 trees from the
 * remote, 38 ms of a 300 ms pull. Here each new commit's tree is compared
 * with its first parent's, and only the subtrees whose ids differ are
 * read, as git's pack-objects --sparse does.
 *
 * Why nothing is missed: the store holds everything the commits it has
 * reach, because a fetch sets refs only once all the objects are in, and
 * a first fetch takes all the remote holds (git/localfetch.c). An entry
 * with the same id as in the first parent is then the store's when the
 * parent is, and otherwise is packed with the parent, a new commit the
 * walk yields too. An entry that differs is packed unless the store has
 * it; a tree the store has is skipped with all it holds. A parent the
 * remote cannot show compares as no tree: everything the store lacks
 * goes. */
#include "git/sparse.h"

#include <stdlib.h>
#include <string.h>

/* The trees already taken, each once: a tree named ten times at each of
 * six levels (a pack bomb of a million names) is read six times, not a
 * million. Open addressing, at most half full. */
struct seen {
	git_oid *v;
	size_t n, cap;
};

static size_t slot(const struct seen *t, const git_oid *id)
{
	size_t h;

	memcpy(&h, id->id, sizeof h);
	return h & (t->cap - 1);
}

/* 1 when id was seen before, 0 when it is now, < 0 on failure. */
static int seen_add(struct seen *t, const git_oid *id)
{
	static const git_oid none;
	size_t i;

	if (2 * (t->n + 1) > t->cap) {
		struct seen g = { .cap = t->cap ? 2 * t->cap : 1024 };

		if (!(g.v = calloc(g.cap, sizeof *g.v)))
			return err_oom();
		for (size_t j = 0; j < t->cap; j++)
			if (memcmp(&t->v[j], &none, sizeof none) != 0)
				for (i = slot(&g, &t->v[j]);; i = (i + 1) & (g.cap - 1))
					if (!memcmp(&g.v[i], &none, sizeof none)) {
						g.v[i] = t->v[j];
						g.n++;
						break;
					}
		free(t->v);
		*t = g;
	}
	for (i = slot(t, id);; i = (i + 1) & (t->cap - 1)) {
		if (!memcmp(&t->v[i], id, sizeof *id))
			return 1;
		if (!memcmp(&t->v[i], &none, sizeof none))
			break;
	}
	t->v[i] = *id;
	t->n++;
	return 0;
}

struct sparse {
	git_repository *src;
	git_odb *dest;
	git_packbuilder *pb;
	const char *pkg;
	struct seen trees;
};

static int add_tree(struct sparse *s, const git_oid *id, const git_oid *base, const char *name, int depth)
{
	git_tree *tree = NULL, *was = NULL;
	int r = 0;

	if ((base && G(git_oid_equal)(id, base)) || (r = seen_add(&s->trees, id)) || G(git_odb_exists)(s->dest, id))
		return r < 0 ? r : 0;
	if (depth > SPARSE_DEPTH_MAX)
		return err_set(E_FAIL, "%s: the remote has a tree nested more than %d deep", s->pkg,
			       SPARSE_DEPTH_MAX);
	if (G(git_packbuilder_insert)(s->pb, id, name) < 0 || G(git_tree_lookup)(&tree, s->src, id) < 0 ||
	    (base && G(git_tree_lookup)(&was, s->src, base) < 0)) {
		r = repo_fail(s->pkg);
		goto out;
	}
	for (size_t i = 0, n = G(git_tree_entrycount)(tree); i < n && !r; i++) {
		const git_tree_entry *e = G(git_tree_entry_byindex)(tree, i);
		const git_tree_entry *old = was ? G(git_tree_entry_byname)(was, G(git_tree_entry_name)(e)) : NULL;
		const git_oid *at = G(git_tree_entry_id)(e);

		if (old && G(git_oid_equal)(at, G(git_tree_entry_id)(old)))
			continue;
		switch (G(git_tree_entry_type)(e)) {
		case GIT_OBJECT_TREE:
			r = add_tree(s, at,
				     old && G(git_tree_entry_type)(old) == GIT_OBJECT_TREE ? G(git_tree_entry_id)(old) : NULL,
				     G(git_tree_entry_name)(e), depth + 1);
			break;
		case GIT_OBJECT_BLOB:
			if (!G(git_odb_exists)(s->dest, at) &&
			    G(git_packbuilder_insert)(s->pb, at, G(git_tree_entry_name)(e)) < 0)
				r = repo_fail(s->pkg);
			break;
		default:
			/* A submodule's commit is another repository's. */
			break;
		}
	}
out:
	G(git_tree_free)(was);
	G(git_tree_free)(tree);
	return r;
}

int repo_pack_sparse(git_repository *src, git_odb *dest, git_packbuilder *pb, git_revwalk *walk,
		     const char *pkg)
{
	struct sparse s = { .src = src, .dest = dest, .pb = pb, .pkg = pkg };
	git_oid id;
	int r = 0, g = 0;

	while (!r && (g = G(git_revwalk_next)(&id, walk)) == 0) {
		git_commit *c = NULL, *parent = NULL;
		const git_oid *base = NULL;

		if (G(git_odb_exists)(dest, &id))
			continue;
		if (G(git_commit_lookup)(&c, src, &id) < 0 || G(git_packbuilder_insert)(pb, &id, NULL) < 0) {
			r = repo_fail(pkg);
		} else {
			if (G(git_commit_parentcount)(c) > 0 &&
			    G(git_commit_lookup)(&parent, src, G(git_commit_parent_id)(c, 0)) == 0)
				base = G(git_commit_tree_id)(parent);
			r = add_tree(&s, G(git_commit_tree_id)(c), base, NULL, 0);
		}
		G(git_commit_free)(parent);
		G(git_commit_free)(c);
	}
	if (!r && g != GIT_ITEROVER)
		r = repo_fail(pkg);
	free(s.trees.v);
	return r;
}
