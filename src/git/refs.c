/* Questions about a package's history: what a name means, whether one
 * commit descends from another, what lies between two. libgit2 only. */
#include "git/repo.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "git/priv.h"

static bool is_hex_prefix(const char *s)
{
	size_t n = strlen(s);

	if (n < 7 || n > OID_HEX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static int peel_ref(git_repository *repo, const char *ref, char out[OID_HEX + 1])
{
	git_object *obj = NULL, *commit = NULL;
	git_oid id;
	int r = R_ABSENT;

	if (G(git_reference_name_to_id)(&id, repo, ref) < 0)
		return R_ABSENT;
	if (G(git_object_lookup)(&obj, repo, &id, GIT_OBJECT_ANY) == 0 &&
	    G(git_object_peel)(&commit, obj, GIT_OBJECT_COMMIT) == 0) {
		G(git_oid_tostr)(out, OID_HEX + 1, G(git_object_id)(commit));
		r = 0;
	}
	G(git_object_free)(commit);
	G(git_object_free)(obj);
	return r ? err_set(E_FAIL, "%s does not point to a commit", ref) : 0;
}

int repo_resolve(const struct policy *p, const struct package *k, const char *name,
		struct repo_target *t)
{
	char ref[REF_MAX_LEN + 16];
	git_repository *repo = NULL;
	git_object *obj = NULL;
	git_oid id;
	int r;

	memset(t, 0, sizeof *t);
	if ((r = repo_open(p, k, &repo)))
		return r;
	if (!strcmp(name, "deploy")) {
		snprintf(ref, sizeof ref, "refs/heads/%s", k->deploy_branch);
		t->source = SRC_DEPLOY;
		str_copy(t->ref, sizeof t->ref, k->deploy_branch);
		if ((r = peel_ref(repo, ref, t->commit)) == R_ABSENT)
			r = err_set(E_FAIL, "%s: no deploy branch '%s' in the store", k->name,
				    k->deploy_branch);
		goto out;
	}
	/* A tag wins over a commit id that happens to look like its name. */
	snprintf(ref, sizeof ref, "refs/tags/%s", name);
	if ((r = peel_ref(repo, ref, t->commit)) <= 0) {
		t->source = SRC_TAG;
		str_copy(t->ref, sizeof t->ref, name);
		goto out;
	}
	r = 0;
	if (is_hex_prefix(name) && G(git_oid_fromstrn)(&id, name, strlen(name)) == 0 &&
	    G(git_object_lookup_prefix)(&obj, repo, &id, strlen(name), GIT_OBJECT_COMMIT) == 0) {
		G(git_oid_tostr)(t->commit, sizeof t->commit, G(git_object_id)(obj));
		t->source = SRC_COMMIT;
		goto out;
	}
	r = err_set(E_FAIL, "%s: no tag or commit '%s' in the store (it holds the deploy branch and "
			    "the tags; 'obsenv pull' fetches new ones)", k->name, name);
out:
	G(git_object_free)(obj);
	return r;
}

int repo_descends(const struct policy *p, const struct package *k, const char *commit,
		 const char *ancestor, bool *yes)
{
	git_repository *repo = NULL;
	git_oid a, b;
	int r, d;

	*yes = !strcmp(commit, ancestor);
	if (*yes)
		return 0;
	if ((r = repo_open(p, k, &repo)))
		return r;
	if (G(git_oid_fromstr)(&a, commit) < 0 || G(git_oid_fromstr)(&b, ancestor) < 0 ||
	    (d = G(git_graph_descendant_of)(repo, &a, &b)) < 0)
		r = repo_fail(k->name);
	else
		*yes = d == 1;
	return r;
}

int repo_log(const struct policy *p, const struct package *k, const char *from, const char *to,
	    const char *mark, size_t max, FILE *out, size_t *count)
{
	git_repository *repo = NULL;
	git_revwalk *walk = NULL;
	git_oid id;
	int r;

	*count = 0;
	if ((r = repo_open(p, k, &repo)))
		return r;
	if (G(git_revwalk_new)(&walk, repo) < 0 ||
	    G(git_revwalk_sorting)(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME) < 0 ||
	    G(git_oid_fromstr)(&id, to) < 0 || G(git_revwalk_push)(walk, &id) < 0 ||
	    (from && (G(git_oid_fromstr)(&id, from) < 0 || G(git_revwalk_hide)(walk, &id) < 0))) {
		r = repo_fail(k->name);
		goto out;
	}
	while (G(git_revwalk_next)(&id, walk) == 0) {
		git_commit *c = NULL;
		char hex[OID_HEX + 1], summary[512];
		const char *text;

		if (++*count > max)
			continue;
		G(git_oid_tostr)(hex, sizeof hex, &id);
		if (G(git_commit_lookup)(&c, repo, &id) < 0) {
			r = repo_fail(k->name);
			goto out;
		}
		/* The summary is the remote's text: no control to the terminal. */
		text = G(git_commit_summary)(c);
		str_for_terminal(summary, sizeof summary, text ? text : "");
		fprintf(out, "    %s%.10s %s\n", mark, hex, summary);
		G(git_commit_free)(c);
	}
	if (*count > max)
		fprintf(out, "    %s... and %zu more\n", mark, *count - max);
out:
	G(git_revwalk_free)(walk);
	return r;
}

int repo_advance_deploy(const struct policy *p, const struct package *k, bool move, bool accept,
			char old[OID_HEX + 1], char now[OID_HEX + 1], bool *forced)
{
	char head[REF_MAX_LEN + 16], fetched[REF_MAX_LEN + 32];
	git_repository *repo = NULL;
	git_reference *ref = NULL;
	git_oid a, b;
	int r, d;

	*forced = false;
	if ((move && (r = repo_may_write(k->name))) || (r = repo_open(p, k, &repo)))
		return r;
	snprintf(head, sizeof head, "refs/heads/%s", k->deploy_branch);
	snprintf(fetched, sizeof fetched, "refs/obsenv/fetched/%s", k->deploy_branch);
	if (G(git_reference_name_to_id)(&a, repo, head) < 0 ||
	    G(git_reference_name_to_id)(&b, repo, fetched) < 0) {
		r = err_set(E_FAIL, "%s: no deploy branch '%s' in the store; run 'obsenv init'", k->name,
			    k->deploy_branch);
		goto out;
	}
	G(git_oid_tostr)(old, OID_HEX + 1, &a);
	G(git_oid_tostr)(now, OID_HEX + 1, &b);
	if (!strcmp(old, now))
		goto out;
	if ((d = G(git_graph_descendant_of)(repo, &b, &a)) < 0) {
		r = repo_fail(k->name);
		goto out;
	}
	/* History on the deploy branch is never rewritten here: a remote that
	 * was force-pushed is refused, and the branch stays where it was,
	 * unless a maintainer accepted this rewrite by name, with a reason
	 * (the old head stays reachable as refs/obsenv/deployed/). */
	*forced = d != 1;
	if (*forced && !accept) {
		r = err_set(E_FAIL, "%s: FORCE-PUSHED: the remote's %s is now %s, which does not descend "
				    "from %s; refusing to move (a maintainer may accept it: pull "
				    "--accept-rewrite %s --reason TEXT)", k->name, k->deploy_branch, now, old,
			    k->name);
		goto out;
	}
	if (move && G(git_reference_create)(&ref, repo, head, &b, 1,
					    *forced ? "obsenv pull: rewrite accepted" :
						      "obsenv pull: fast-forward") < 0)
		r = repo_fail(k->name);
out:
	G(git_reference_free)(ref);
	return r;
}

int repo_ref_commit(const struct policy *p, const struct package *k, const char *ref,
		   char out[OID_HEX + 1])
{
	git_repository *repo = NULL;
	int r;

	if ((r = repo_open(p, k, &repo)))
		return r;
	r = peel_ref(repo, ref, out);
	return r;
}
