#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include "act/act.h"
#include "door/audit.h"
#include "core/err.h"
#include "store/gen.h"
#include "store/refs.h"
#include "store/pins.h"
#include "store/store.h"

/* The base pin must be the one init verified, its tag must still point
 * where it pointed then, and its tree must be there. Small file reads
 * only: rollback works with the network down and without libgit2. */
static int check_pin(struct store *s, const struct package *k, const struct pin *pin)
{
	struct verified_pin v;
	char repo[NAME_MAX_LEN + 16], ref[REF_MAX_LEN + 16], now[OID_HEX + 1];
	int r, fd;

	if ((r = pins_read(s, k->name, pin->commit, &v)) < 0)
		return r;
	if (r == R_ABSENT || strcmp(v.commit, pin->commit) != 0 || strcmp(v.tag, pin->tag) != 0)
		return err_set(E_FAIL, "%s: the base pin %s%s%s has not been verified; run 'obsenv init'",
			       k->name, pin->tag, pin->tag[0] ? " " : "", pin->commit);
	if (!store_has_tree(s, k->name, pin->commit))
		return err_set(E_FAIL, "%s: the tree of base pin %s is missing; run 'obsenv init'",
			       k->name, pin->commit);
	if (!pin->tag[0])
		return 0;
	snprintf(repo, sizeof repo, "repos/%s.git", k->name);
	snprintf(ref, sizeof ref, "refs/tags/%s", pin->tag);
	if ((fd = openat(s->root, repo, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return err_set(E_FAIL, "%s: the repository is missing; run 'obsenv init'", k->name);
	r = refs_read(fd, ref, now);
	close(fd);
	if (r < 0)
		return r;
	if (r == R_ABSENT || strcmp(now, v.tagref) != 0)
		return err_set(E_FAIL, "%s: TAG MOVED: %s pointed to %s when it was pinned and now %s %s; "
				       "refusing it. The pinned commit %s is intact: re-pin it",
			       k->name, pin->tag, v.tagref, r == R_ABSENT ? "is" : "points to",
			       r == R_ABSENT ? "gone" : now, pin->commit);
	return 0;
}

int act_rollback(const struct act_ctx *ctx)
{
	const struct policy *p = ctx->pol;
	const struct caller *c = ctx->who;
	const struct request *req = ctx->req;
	struct store s = { .root = -1, .lock = -1 };
	struct generation cur = { 0 }, next = { 0 };
	struct pin *pins = calloc(p->npkgs, sizeof *pins);
	char old[256];
	size_t changed = 0;
	int r;

	if (!pins || !(next.pkgs = calloc(p->npkgs, sizeof *next.pkgs))) {
		r = err_oom();
		goto out;
	}
	if ((r = act_open_store(&s, p, c, "rollback", req->dry_run, false)))
		goto out;
	if ((r = store_current_required(&s, &cur)))
		goto out;
	if ((r = basefile_load(p, pins)))
		goto out;
	/* Every pin is checked before anything is said or done. */
	for (size_t i = 0; i < p->npkgs; i++)
		if ((r = check_pin(&s, &p->pkgs[i], &pins[i])))
			goto out;
	for (size_t i = 0; i < p->npkgs; i++) {
		const struct package *k = &p->pkgs[i];
		const struct gen_pkg *was = gen_find(&cur, k->name);
		struct gen_pkg *n = &next.pkgs[next.npkgs++];

		str_copy(n->name, sizeof n->name, k->name);
		str_copy(n->commit, sizeof n->commit, pins[i].commit);
		n->source = SRC_BASE;
		str_copy(n->ref, sizeof n->ref, pins[i].tag);
		n->follows = false;
		if (was && !strcmp(was->commit, n->commit) && was->source == SRC_BASE && !was->follows)
			continue;
		changed++;
		old[0] = '\0';
		if (was)
			store_tree_name(&s, k->name, was->commit, old, sizeof old);
		printf("%s: %.10s (%s) -> %.10s (%s)\n", k->name, was ? was->commit : "none",
		       old[0] ? old : "?", n->commit, n->ref[0] ? n->ref : "base commit");
		if (!req->dry_run)
			audit_change(k->name, was ? was->commit : "", n->commit);
	}
	if (!changed) {
		printf("already on the base environment (generation %lu): nothing changed\n", cur.number);
		goto out;
	}
	if (req->dry_run) {
		printf("dry run: %zu package%s would change; nothing changed\n", changed,
		       changed == 1 ? "" : "s");
		goto out;
	}
	act_stamp(&next, c, "rollback");
	if ((r = store_switch(&s, &next)))
		goto out;
	printf("rolled back %zu package%s: generation %lu is current\n", changed, changed == 1 ? "" : "s",
	       next.number);
out:
	gen_free(&cur);
	gen_free(&next);
	free(pins);
	store_close(&s);
	return r;
}
