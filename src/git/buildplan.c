/* Every tree of the commit is read, and every path checked, before the
 * first directory is made: a commit git refuses to check out leaves
 * nothing behind, and the build that follows needs libgit2 only for the
 * rare file the store has no copy of, so that two threads can share it
 * (git/build.c). */
#include "git/buildplan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/str.h"

/* Below this, a second thread costs more than it saves. */
#define SPLIT_MIN_OPS 512
/* A directory (make, open, make read-only, close) against a file's link
 * and stat, as measured. */
#define DIR_WEIGHT 3

/* A name a tree may hold: git's own rules for what a checkout writes (no
 * ".", "..", ".git" in any case, no slash), and nothing the kernel would
 * read as a path. */
static bool name_ok(const char *n)
{
	return *n && strcmp(n, ".") != 0 && strcmp(n, "..") != 0 && strcasecmp(n, ".git") != 0 && !strchr(n, '/');
}

static int push(struct plan *pl, const git_tree_entry *e, enum op_kind kind)
{
	if (pl->n == pl->cap) {
		size_t cap = pl->cap ? pl->cap * 2 : 1024;
		struct op *grown = realloc(pl->ops, cap * sizeof *grown);

		if (!grown)
			return err_oom();
		pl->ops = grown;
		pl->cap = cap;
	}
	memset(&pl->ops[pl->n], 0, sizeof pl->ops[pl->n]);
	pl->ops[pl->n].e = e;
	pl->ops[pl->n++].kind = kind;
	return 0;
}

static int keep_tree(struct plan *pl, git_tree *t)
{
	if (pl->ntrees == pl->cap_trees) {
		size_t cap = pl->cap_trees ? pl->cap_trees * 2 : 256;
		git_tree **grown = realloc(pl->trees, cap * sizeof(git_tree *));

		if (!grown)
			return err_oom();
		pl->trees = grown;
		pl->cap_trees = cap;
	}
	pl->trees[pl->ntrees++] = t;
	return 0;
}

struct walk {
	struct plan *pl;
	git_repository *repo;
	const char *pkg;
	size_t len;
	char path[PATH_MAX_LEN + 1];
};

static int plan_dir(struct walk *w, git_tree *tree, int depth)
{
	size_t n = G(git_tree_entrycount)(tree), len = w->len;
	int r = 0;

	for (size_t i = 0; i < n && !r; i++) {
		const git_tree_entry *e = G(git_tree_entry_byindex)(tree, i);
		const char *name = G(git_tree_entry_name)(e);
		size_t nlen = strlen(name);
		git_tree *sub = NULL;

		if (len + nlen + 2 > sizeof w->path)
			return err_set(E_FAIL, "%s: a path of the commit is longer than %d bytes", w->pkg,
				       PATH_MAX_LEN);
		snprintf(w->path + len, sizeof w->path - len, "%s%s", len ? "/" : "", name);
		w->len = len + nlen + (len ? 1 : 0);
		if (!name_ok(name))
			return err_set(E_FAIL, "%s: the commit has a path git refuses to check out: %.300s",
				       w->pkg, w->path);
		switch (G(git_tree_entry_filemode)(e)) {
		case GIT_FILEMODE_BLOB:
		case GIT_FILEMODE_BLOB_EXECUTABLE:
			r = push(w->pl, e, OP_FILE);
			break;
		case GIT_FILEMODE_LINK:
			r = push(w->pl, e, OP_SYMLINK);
			break;
		case GIT_FILEMODE_COMMIT:
			r = push(w->pl, e, OP_GITLINK);
			break;
		case GIT_FILEMODE_TREE:
			if (depth >= MAX_DEPTH)
				return err_set(E_FAIL, "%s: %.300s is nested more than %d directories deep",
					       w->pkg, w->path, MAX_DEPTH);
			if (G(git_tree_lookup)(&sub, w->repo, G(git_tree_entry_id)(e)) < 0)
				return repo_fail(w->pkg);
			if ((r = keep_tree(w->pl, sub))) {
				G(git_tree_free)(sub);
				return r;
			}
			if (!(r = push(w->pl, e, OP_DIR)) && !(r = plan_dir(w, sub, depth + 1)))
				r = push(w->pl, e, OP_END);
			break;
		default:
			return err_set(E_FAIL, "%s: %.300s has an unknown file mode %o", w->pkg, w->path,
				       (unsigned)G(git_tree_entry_filemode)(e));
		}
		w->len = len;
		w->path[len] = '\0';
	}
	return r;
}

int plan_make(struct plan *pl, git_repository *repo, git_object *commit, const char *pkg)
{
	struct walk w = { .pl = pl, .repo = repo, .pkg = pkg };
	git_tree *tree = NULL;
	int r;

	memset(pl, 0, sizeof *pl);
	if (G(git_commit_tree)(&tree, (git_commit *)commit) < 0)
		return repo_fail(pkg);
	if ((r = keep_tree(pl, tree))) {
		G(git_tree_free)(tree);
		return r;
	}
	return plan_dir(&w, tree, 0);
}

size_t plan_split(struct plan *pl)
{
	size_t total = 0, sum = 0, s, depth = 0;

	if (pl->n < SPLIT_MIN_OPS)
		return 0;
	for (size_t i = 0; i < pl->n; i++)
		total += pl->ops[i].kind == OP_DIR ? DIR_WEIGHT : pl->ops[i].kind != OP_END;
	for (s = 0; s < pl->n && sum < total / 2; s++)
		sum += pl->ops[s].kind == OP_DIR ? DIR_WEIGHT : pl->ops[s].kind != OP_END;
	while (s < pl->n && pl->ops[s].kind == OP_END)
		s++;
	if (s >= pl->n)
		return 0;
	/* The directories entered before s and left after it: each half
	 * writes in them, so neither makes them read-only (build.c does,
	 * after both). Found from s backwards, innermost first. */
	for (size_t i = s; i-- > 0;) {
		if (pl->ops[i].kind == OP_END)
			depth++;
		else if (pl->ops[i].kind == OP_DIR && depth)
			depth--;
		else if (pl->ops[i].kind == OP_DIR)
			pl->ops[i].shared = true;
	}
	for (size_t i = s, open = 0; i < pl->n; i++) {
		if (pl->ops[i].kind == OP_DIR)
			open++;
		else if (pl->ops[i].kind == OP_END && open)
			open--;
		else if (pl->ops[i].kind == OP_END)
			pl->ops[i].shared = true;
	}
	return s;
}

void plan_free(struct plan *pl)
{
	for (size_t i = 0; i < pl->ntrees; i++)
		G(git_tree_free)(pl->trees[i]);
	free(pl->trees);
	free(pl->ops);
	memset(pl, 0, sizeof *pl);
}
