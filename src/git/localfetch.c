/* Fetching from a remote on a local path: a mirror on the same host or on
 * NFS, a real production setup. libgit2's local transport packs, on every
 * fetch, the whole tree of every tag the remote has, whatever the store
 * already holds (measured: about 4,900 objects a package where 3 were
 * new, and the store grew by them each pull). Here the remote is opened as
 * a repository, with none of its configuration, and only what the store
 * lacks is packed: what the deploy head and the tags reach and nothing the
 * store's refs reach (git/sparse.c), plus the tag objects it lacks. The
 * refs are then set as the refspecs of repo_fetch would set them. The
 * first fetch (into a store with no ref yet) copies the remote's packs
 * instead (git/packcopy.c), then packs what they lack; the walk then finds
 * everything there. */
#include "git/localfetch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/err.h"
#include "git/limits.h"
#include "git/packcopy.h"
#include "git/priv.h"
#include "git/sparse.h"

struct lf {
	const struct policy *p;
	const struct package *k;
	git_repository *src, *dest;
	git_odb *src_odb, *dest_odb;
	git_revwalk *walk; /* both made on the first object the store lacks */
	git_packbuilder *pb;
	bool walking; /* a commit was pushed: the walk has work to do */
	git_indexer_progress copied; /* what this fetch wrote before: the limits are the fetch's */
	int r;
};

/* A pull with nothing new, the common case, must make neither: hiding
 * the store's refs in a walk costs a walk of the tree of every commit
 * they name, whether or not anything is pushed. */
static int start_pack(struct lf *f)
{
	if (f->pb)
		return 0;
	if (G(git_revwalk_new)(&f->walk, f->src) < 0 || G(git_packbuilder_new)(&f->pb, f->src) < 0)
		return -1;
	/* The delta search is what a first fetch (init) spends its time on:
	 * one thread per core. */
	G(git_packbuilder_set_threads)(f->pb, 0);
	return 0;
}

/* A tag the store lacks, and what it names down to the first object the
 * store has: the tag objects go in the pack, a commit into the walk. */
static int want(struct lf *f, const git_oid *id, const char *name)
{
	git_object *obj = NULL, *next = NULL;
	git_oid at = *id;
	int g = 0;

	while (!G(git_odb_exists)(f->dest_odb, &at)) {
		if (start_pack(f) < 0 || G(git_object_lookup)(&obj, f->src, &at, GIT_OBJECT_ANY) < 0)
			return -1;
		switch (G(git_object_type)(obj)) {
		case GIT_OBJECT_TAG:
			if ((g = G(git_packbuilder_insert)(f->pb, &at, name)) == 0 &&
			    (g = G(git_tag_target)(&next, (const git_tag *)obj)) == 0)
				at = *G(git_object_id)(next);
			G(git_object_free)(next);
			next = NULL;
			break;
		case GIT_OBJECT_COMMIT:
			g = G(git_revwalk_push)(f->walk, &at);
			f->walking = true;
			G(git_object_free)(obj);
			return g;
		default: /* a tag of a tree or a blob */
			g = G(git_packbuilder_insert_recur)(f->pb, &at, name);
			G(git_object_free)(obj);
			return g;
		}
		G(git_object_free)(obj);
		obj = NULL;
		if (g < 0)
			return g;
	}
	return 0;
}

/* Every commit a ref of the store names, where the remote has it too,
 * bounds the walk: neither it nor what it reaches is sent. */
static int hide(const char *name, void *payload)
{
	struct lf *f = payload;
	git_object *obj = NULL, *commit = NULL;
	git_oid id;

	if (G(git_reference_name_to_id)(&id, f->dest, name) < 0 || !G(git_odb_exists)(f->src_odb, &id))
		return 0;
	if (G(git_object_lookup)(&obj, f->src, &id, GIT_OBJECT_ANY) == 0 &&
	    G(git_object_peel)(&commit, obj, GIT_OBJECT_COMMIT) == 0 &&
	    G(git_revwalk_hide)(f->walk, G(git_object_id)(commit)) < 0)
		f->r = repo_fail(f->k->name);
	G(git_object_free)(commit);
	G(git_object_free)(obj);
	return f->r ? -1 : 0;
}

static int want_tag(const char *name, void *payload)
{
	struct lf *f = payload;
	git_oid id;

	if (G(git_reference_name_to_id)(&id, f->src, name) < 0 || want(f, &id, name) < 0) {
		f->r = repo_fail(f->k->name);
		return -1;
	}
	return 0;
}

/* A ref that already names id is left alone: rewriting it would lock,
 * write and fsync it (and its directory) on every pull for nothing. */
static int set_ref(git_repository *repo, const char *name, const git_oid *id)
{
	git_reference *ref = NULL;
	const git_oid *now;
	int g = 0;

	if (G(git_reference_lookup)(&ref, repo, name) == 0 && (now = G(git_reference_target)(ref)) &&
	    G(git_oid_equal)(now, id))
		goto out;
	G(git_reference_free)(ref);
	ref = NULL;
	g = G(git_reference_create)(&ref, repo, name, id, 1, "obsenv fetch");
out:
	G(git_reference_free)(ref);
	return g;
}

static int set_tag(const char *name, void *payload)
{
	struct lf *f = payload;
	git_oid id;

	if (G(git_reference_name_to_id)(&id, f->src, name) < 0 || set_ref(f->dest, name, &id) < 0) {
		f->r = repo_fail(f->k->name);
		return -1;
	}
	return 0;
}

/* The pack goes straight into the store's object database, counted as it
 * goes: the policy's limits hold here as over the network. */
struct sink {
	struct lf *f;
	git_odb_writepack *wp;
	git_indexer_progress st;
};

static int to_store(void *buf, size_t size, void *payload)
{
	struct sink *s = payload;

	s->st.received_bytes += size;
	if (limit_transfer(s->f->p, s->f->k, &s->st)) {
		s->f->r = E_FAIL;
		return GIT_EUSER;
	}
	return s->wp->append(s->wp, buf, size, &s->st);
}

/* Writes what the packbuilder holds into the store, within the limits
 * with what this fetch wrote before it. */
static int write_pack(struct lf *f)
{
	git_indexer_progress count = f->copied;
	struct sink s = { .f = f, .st = { .received_bytes = f->copied.received_bytes } };
	size_t n = G(git_packbuilder_object_count)(f->pb);
	int r = 0;

	if (!n)
		return 0;
	count.total_objects += (unsigned int)n;
	if (limit_transfer(f->p, f->k, &count))
		return E_FAIL;
	if (G(git_odb_write_pack)(&s.wp, f->dest_odb, NULL, NULL) < 0)
		return repo_fail(f->k->name);
	if (G(git_packbuilder_foreach)(f->pb, to_store, &s) < 0 || s.wp->commit(s.wp, &s.st) < 0)
		r = f->r ? f->r : repo_fail(f->k->name);
	s.wp->free(s.wp);
	f->copied.total_objects = count.total_objects;
	f->copied.received_bytes = s.st.received_bytes;
	return r;
}

static int pack_missing(struct lf *f)
{
	char head[REF_MAX_LEN + 16];
	git_oid id;
	int r;

	snprintf(head, sizeof head, "refs/heads/%s", f->k->deploy_branch);
	if (G(git_reference_name_to_id)(&id, f->src, head) == 0 && want(f, &id, NULL) < 0)
		return repo_fail(f->k->name);
	if (G(git_reference_foreach_glob)(f->src, "refs/tags/*", want_tag, f) < 0)
		return f->r ? f->r : repo_fail(f->k->name);
	if (!f->pb)
		return 0;
	/* New tag objects on commits the store has need no walk. The walk is
	 * bounded by the store's branch, what it fetched last, and its tags;
	 * not by refs/obsenv/deployed/, one more each pull that switched,
	 * each a commit to read from the remote (loose there, as a server
	 * keeps small pushes). A deployed commit is the deploy branch's, a
	 * tag's, or one the store fetched; one that none of those reaches any
	 * more (after a rewrite) is walked again, and found in the store. */
	if (f->walking) {
		static const char *const bounds[] = { "refs/heads/*", "refs/obsenv/fetched/*", "refs/tags/*" };

		for (size_t i = 0; i < sizeof bounds / sizeof *bounds; i++)
			if (G(git_reference_foreach_glob)(f->dest, bounds[i], hide, f) < 0)
				return f->r ? f->r : repo_fail(f->k->name);
		if ((r = repo_pack_sparse(f->src, f->dest_odb, f->pb, f->walk, f->k->name)))
			return r;
	}
	return write_pack(f);
}

static int any(const char *name, void *payload)
{
	(void)name;
	(void)payload;
	return GIT_EUSER;
}

/* Whatever the copied packs lack of the remote (its loose objects), so
 * that the store holds all the remote does: the walk of pack_missing
 * stops at the first object the store has, and must miss nothing beneath
 * it. */
static int add_rest(const git_oid *id, void *payload)
{
	struct lf *f = payload;

	if (G(git_odb_exists)(f->dest_odb, id))
		return 0;
	if (start_pack(f) < 0 || G(git_packbuilder_insert)(f->pb, id, NULL) < 0) {
		f->r = repo_fail(f->k->name);
		return GIT_EUSER;
	}
	return 0;
}

/* All the objects of a first fetch: the remote's packs, then the rest of
 * the remote, then the usual walk, which finds nothing left when the
 * packs were copied. On failure every pack goes again: no ref names any,
 * and the next first fetch would start over anyway. */
static int first_fetch(struct lf *f, const char *src_path)
{
	char dir[PATH_MAX_LEN + 32];
	int r;

	snprintf(dir, sizeof dir, "%sobjects/pack", G(git_repository_path)(f->dest));
	if ((r = repo_copy_packs(f->p, f->k, f->dest_odb, dir, src_path, &f->copied)))
		goto out;
	if (f->copied.total_objects) {
		if (G(git_odb_foreach)(f->src_odb, add_rest, f) < 0) {
			r = f->r ? f->r : repo_fail(f->k->name);
			goto out;
		}
		if (f->pb && (r = write_pack(f)))
			goto out;
		G(git_packbuilder_free)(f->pb);
		G(git_revwalk_free)(f->walk);
		f->pb = NULL;
		f->walk = NULL;
	}
	r = pack_missing(f);
out:
	if (r)
		repo_uncopy_packs(dir);
	return r;
}

int repo_fetch_local(const struct policy *p, const struct package *k, git_repository *dest,
		     const char *src_path)
{
	char head[REF_MAX_LEN + 16], fetched[REF_MAX_LEN + 32];
	struct lf f = { .p = p, .k = k, .dest = dest };
	git_config *empty = NULL;
	struct stat st;
	git_oid id;
	int r, g;

	/* The mirror's own configuration is never honoured, as no
	 * repository's is. */
	if (stat(src_path, &st) != 0) {
		r = err_sys(E_FAIL, errno, "%s: the remote %s", k->name, src_path);
		goto out;
	}
	if (G(git_repository_open_ext)(&f.src, src_path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		r = err_set(E_FAIL, "%s: the remote %s is not a git repository", k->name, src_path);
		goto out;
	}
	if (G(git_config_new)(&empty) < 0 || G(git_repository_set_config)(f.src, empty) < 0 ||
	    G(git_repository_odb)(&f.src_odb, f.src) < 0 || G(git_repository_odb)(&f.dest_odb, dest) < 0) {
		r = repo_fail(k->name);
		goto out;
	}
	/* Only the first fetch copies: later ones send what is new, which
	 * the remote's packs would hold among much that the store has. A
	 * store without a ref never finished one (refs are set last, once
	 * every object is in): what a killed one left is not trusted to be
	 * whole, and the copy starts over. */
	if ((g = G(git_reference_foreach_glob)(dest, "refs/*", any, NULL)) < 0 && g != GIT_EUSER) {
		r = repo_fail(k->name);
		goto out;
	}
	if ((r = g ? pack_missing(&f) : first_fetch(&f, src_path)))
		goto out;
	snprintf(head, sizeof head, "refs/heads/%s", k->deploy_branch);
	snprintf(fetched, sizeof fetched, "refs/obsenv/fetched/%s", k->deploy_branch);
	if (G(git_reference_name_to_id)(&id, f.src, head) == 0 && set_ref(dest, fetched, &id) < 0) {
		r = repo_fail(k->name);
		goto out;
	}
	if (G(git_reference_foreach_glob)(f.src, "refs/tags/*", set_tag, &f) < 0)
		r = f.r ? f.r : repo_fail(k->name);
out:
	G(git_packbuilder_free)(f.pb);
	G(git_revwalk_free)(f.walk);
	G(git_odb_free)(f.dest_odb);
	G(git_odb_free)(f.src_odb);
	G(git_config_free)(empty);
	G(git_repository_free)(f.src);
	return r;
}
