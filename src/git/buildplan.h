/* What building a commit's tree does, in order, before anything is made
 * (git/buildplan.c); git/build.c carries it out. */
#ifndef OBSENV_GIT_BUILDPLAN_H
#define OBSENV_GIT_BUILDPLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "git/priv.h"

/* Deeper than any package has a reason to be, and within the open
 * descriptors a build holds (one per level and worker). */
#define MAX_DEPTH 128

enum op_kind {
	OP_DIR,	    /* make the directory and enter it */
	OP_END,	    /* leave it, read-only */
	OP_FILE,    /* a regular file: a link to the file store's copy */
	OP_SYMLINK, /* a symbolic link */
	OP_GITLINK  /* a submodule: an empty directory */
};

struct op {
	const git_tree_entry *e; /* borrowed from plan.trees */
	enum op_kind kind;
	bool shared;	/* OP_DIR, OP_END: entered by both halves (plan_split) */
	struct stat st; /* OP_FILE, OP_SYMLINK: what was made, for the index */
};

struct plan {
	struct op *ops;
	size_t n, cap;
	git_tree **trees;
	size_t ntrees, cap_trees;
};

/* Reads every tree of commit and lists what a build does, depth first,
 * in the order git lists entries. Every path is checked here, before
 * anything is made: git's rules for names, PATH_MAX_LEN, MAX_DEPTH, and
 * known modes. E_FAIL naming pkg and the path. */
MUST_USE int plan_make(struct plan *pl, git_repository *repo, git_object *commit, const char *pkg);
/* Where the second of two halves starts (0: too little to halve): the
 * ops before it and from it weigh about the same (a directory is three
 * times a file). The directories open at that point are marked shared. */
size_t plan_split(struct plan *pl);
void plan_free(struct plan *pl);

#endif
