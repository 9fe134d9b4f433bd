/* Pack bombs: a remote (or whoever can push to it) is not trusted to send
 * a small repository. A memory limit for everything libgit2 does, and two
 * checks, each before anything is written that the environment would use:
 *  - while a fetch arrives, the bytes received and the objects announced
 *    are held to max_fetch_mib and max_objects (the count is known from
 *    the pack's header, before the first object is indexed);
 *  - before a tree is checked out, its files are counted and sized from
 *    the object headers alone, without inflating any blob: a tiny pack can
 *    name one blob a million times, or a 10 GiB blob of zeros. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/resource.h>

#include "core/err.h"
#include "git/priv.h"
#include "git/limits.h"

#define MIB ((uint64_t)1 << 20)

unsigned int limit_memory_mib;

int limit_memory(const struct policy *p)
{
#if defined(__SANITIZE_ADDRESS__)
	/* The ASan build the tests use maps terabytes of shadow memory that
	 * count as data: the limit would stop ASan itself. */
	(void)p;
	return 0;
#else
	struct rlimit rl = { p->max_memory_mib * MIB, p->max_memory_mib * MIB };

	/* Lowering a limit needs no privilege; nothing can raise it again. */
	if (setrlimit(RLIMIT_DATA, &rl))
		return err_sys(E_FAIL, errno, "cannot limit memory to %u MiB", p->max_memory_mib);
	limit_memory_mib = p->max_memory_mib;
	return 0;
#endif
}

int limit_transfer(const struct policy *p, const struct package *k,
		       const git_indexer_progress *s)
{
	if (s->total_objects > p->max_objects)
		return err_set(E_FAIL, "%s: the remote sends %u objects, more than max_objects (%u)",
			       k->name, s->total_objects, p->max_objects);
	if (s->received_bytes > p->max_fetch_mib * MIB)
		return err_set(E_FAIL, "%s: the remote sends more than max_fetch_mib (%u MiB); fetch stopped",
			       k->name, p->max_fetch_mib);
	return 0;
}

struct tree_walk {
	const struct policy *p;
	const struct package *k;
	const char *commit;
	git_odb *odb;
	uint64_t files, bytes;
	int r;
};

static int visit(const char *root, const git_tree_entry *e, void *payload)
{
	struct tree_walk *w = payload;
	size_t len;
	git_object_t type;

	if (G(git_tree_entry_type)(e) != GIT_OBJECT_BLOB)
		return 0;
	if (++w->files > w->p->max_objects) {
		w->r = err_set(E_FAIL, "%s: %.10s has more than max_objects (%u) files", w->k->name,
			       w->commit, w->p->max_objects);
		return -1;
	}
	if (G(git_odb_read_header)(&len, &type, w->odb, G(git_tree_entry_id)(e)) < 0) {
		w->r = repo_fail(w->k->name);
		return -1;
	}
	if (len > w->p->max_file_mib * MIB) {
		w->r = err_set(E_FAIL, "%s: %.10s: %.200s%.200s is %" PRIu64 " MiB, over max_file_mib (%u)",
			       w->k->name, w->commit, root, G(git_tree_entry_name)(e),
			       (uint64_t)len / MIB, w->p->max_file_mib);
		return -1;
	}
	w->bytes += len;
	if (w->bytes > w->p->max_tree_mib * MIB) {
		w->r = err_set(E_FAIL, "%s: %.10s holds more than max_tree_mib (%u MiB) of files",
			       w->k->name, w->commit, w->p->max_tree_mib);
		return -1;
	}
	return 0;
}

int limit_tree(const struct policy *p, const struct package *k, git_repository *repo,
		   const git_object *commit, const char *hex)
{
	struct tree_walk w = { p, k, hex, NULL, 0, 0, 0 };
	git_tree *tree = NULL;
	int r = 0;

	if (G(git_repository_odb)(&w.odb, repo) < 0 ||
	    G(git_commit_tree)(&tree, (const git_commit *)commit) < 0) {
		r = repo_fail(k->name);
		goto out;
	}
	if (G(git_tree_walk)(tree, GIT_TREEWALK_PRE, visit, &w) < 0)
		r = w.r ? w.r : repo_fail(k->name);
out:
	G(git_tree_free)(tree);
	G(git_odb_free)(w.odb);
	return r;
}
