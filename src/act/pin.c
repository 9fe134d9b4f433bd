#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "act/act.h"
#include "core/sha256.h"
#include "door/audit.h"
#include "policy/cycle.h"
#include "core/err.h"
#include "store/freeze.h"
#include "core/fs.h"
#include "git/repo.h"
#include "store/pins.h"
#include "store/store.h"

#define PROBLEMS_MAX 4096

/* Problems of an import, all listed before anything is pinned: one line
 * each, "FILE:LINE: what", as check lists a policy's. */
struct problems {
	const char *file;
	int line; /* of the entry being planned */
	char text[PROBLEMS_MAX];
	size_t n;
};

static void problem(struct problems *pr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct problems *pr, const char *fmt, ...)
{
	size_t len = strlen(pr->text);
	va_list ap;

	if (len + 80 < sizeof pr->text) {
		snprintf(pr->text + len, sizeof pr->text - len, "%s:%d: ", pr->file, pr->line);
		len = strlen(pr->text);
		va_start(ap, fmt);
		vsnprintf(pr->text + len, sizeof pr->text - len - 1, fmt, ap);
		va_end(ap);
		len = strlen(pr->text);
		pr->text[len] = '\n';
		pr->text[len + 1] = '\0';
	}
	pr->n++;
}

/* The lines on stderr; in the audit record, one value. */
static int refuse(const char *lines, size_t n)
{
	char note[PROBLEMS_MAX];

	fputs(lines, stderr);
	str_copy(note, sizeof note, lines);
	for (char *c = note; (c = strchr(c, '\n'));)
		*c = c[1] ? ';' : '\0';
	audit_note("problems", note);
	return err_set(E_FAIL, "pin --import: nothing pinned: %zu problem%s (above)", n, n == 1 ? "" : "s");
}

/* The pin must be on the deploy branch (so rollback never goes where
 * deploy never was), unless the maintainer says why not. */
static int check_reachable(const struct policy *p, const struct package *k, const struct pin *pin,
			   const struct request *req)
{
	char head[OID_HEX + 1];
	bool on = false;
	int r;

	if ((r = repo_deploy_head(p, k, head)) || (r = repo_descends(p, k, head, pin->commit, &on)))
		return r;
	if (!on && !req->force_reason)
		return err_set(E_FAIL, "%s: %s%s%s is not on the deploy branch '%s'; pin it with "
				       "--force-unreachable REASON if you must", k->name, pin->tag,
			       pin->tag[0] ? " " : "", pin->commit, k->deploy_branch);
	return 0;
}

/* pin PKG REF: what the new pin of one package is. */
static int plan_one(const struct policy *p, const struct package *k, const struct request *req,
		    struct pin *pins)
{
	struct repo_target t;
	struct pin *pin;
	int r;

	if ((r = repo_resolve(p, k, req->ops[1], &t)) || (r = act_check_tag(k, &t)))
		return r;
	pin = &pins[k - p->pkgs];
	memset(pin, 0, sizeof *pin);
	str_copy(pin->commit, sizeof pin->commit, t.commit);
	if (t.source == SRC_TAG)
		str_copy(pin->tag, sizeof pin->tag, t.ref);
	return check_reachable(p, k, pin, req);
}

/* One cycle.env value: the tags it may name, and the deploy branch. It
 * must resolve to exactly one commit. */
static void plan_import_one(const struct policy *p, const struct package *k, const char *value,
			    const struct request *req, struct pin *pin, struct problems *pr)
{
	char cands[CYCLE_MAX_CANDIDATES][REF_MAX_LEN + 1], ref[REF_MAX_LEN + 16];
	char found[CYCLE_MAX_CANDIDATES + 1][OID_HEX + 1], first[REF_MAX_LEN + 1] = "";
	char key[NAME_MAX_LEN + 16], note[2 * REF_MAX_LEN + OID_HEX + 16];
	size_t n = cycle_candidates(value, cands, CYCLE_MAX_CANDIDATES), nf = 0;

	for (size_t i = 0; i < n; i++) {
		char c[OID_HEX + 1];

		snprintf(ref, sizeof ref, "refs/tags/%s", cands[i]);
		if (repo_ref_commit(p, k, ref, c) != 0)
			continue;
		if (!str_glob_match(k->tags, cands[i])) {
			problem(pr, "%s: tag %s is outside the policy's pattern '%s'", k->name, cands[i],
				k->tags);
			return;
		}
		if (!first[0])
			str_copy(first, sizeof first, cands[i]);
		str_copy(found[nf++], sizeof found[0], c);
	}
	if (!strcmp(value, k->deploy_branch)) {
		snprintf(ref, sizeof ref, "refs/heads/%s", k->deploy_branch);
		if (repo_ref_commit(p, k, ref, found[nf]) == 0)
			nf++;
	}
	if (nf == 0) {
		problem(pr, "%s=%s: no such tag (tried %s and the v, alpha, beta and rc forms) and not "
			    "its deploy branch", k->name, value, value);
		return;
	}
	for (size_t i = 1; i < nf; i++)
		if (strcmp(found[i], found[0]) != 0) {
			problem(pr, "%s=%s: names two commits (%s and others); pin it by hand", k->name,
				value, found[0]);
			return;
		}
	memset(pin, 0, sizeof *pin);
	str_copy(pin->commit, sizeof pin->commit, found[0]);
	str_copy(pin->tag, sizeof pin->tag, first);
	/* What the file said and what it was taken to mean, even when the
	 * import is refused: the file itself is the caller's and may change. */
	snprintf(key, sizeof key, "import.%s", k->name);
	snprintf(note, sizeof note, "%s -> %s %s", value, first[0] ? first : k->deploy_branch, found[0]);
	audit_note(key, note);
	if (check_reachable(p, k, pin, req))
		problem(pr, "%s", err_msg());
}

static int plan_import(const struct policy *p, const struct request *req, struct pin *pins)
{
	struct diag d = { .file = req->import };
	struct cycle_entry *e = NULL;
	struct problems pr = { .file = req->import };
	size_t n = 0, skipped = 0;
	char sum[SHA256_HEX + 1];
	bool *seen = calloc(p->npkgs ? p->npkgs : 1, sizeof *seen);
	int r = 0;

	if (!seen)
		return err_oom();
	sha256_hex(req->import_buf, req->import_len, sum);
	audit_note("import_sha256", sum);
	if (cycle_parse(req->import_buf, req->import_len, &d, &e, &n)) {
		for (size_t i = 0; i < d.n; i++) {
			size_t len = strlen(pr.text);

			snprintf(pr.text + len, sizeof pr.text - len, "%s\n", d.msgs[i]);
		}
		r = refuse(pr.text[0] ? pr.text : "invalid import file\n", d.n + d.dropped ? d.n + d.dropped : 1);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct package *k = act_package(p, e[i].name);

		if (!k) {
			skipped++;
			continue;
		}
		pr.line = e[i].line;
		if (seen[k - p->pkgs]) {
			problem(&pr, "%s is named twice", k->name);
			continue;
		}
		seen[k - p->pkgs] = true;
		plan_import_one(p, k, e[i].value, req, &pins[k - p->pkgs], &pr);
	}
	if (pr.n) {
		r = refuse(pr.text, pr.n);
		goto out;
	}
	printf("%s: %zu name%s not in the policy skipped\n", req->import, skipped, skipped == 1 ? "" : "s");
	for (size_t i = 0; i < p->npkgs; i++)
		if (!seen[i])
			printf("%s: not in %s; keeps its pin\n", p->pkgs[i].name, req->import);
out:
	free(e);
	free(seen);
	diag_free(&d);
	return r;
}

/* The old base file is kept under <root>/base-history/, never replaced. */
static int keep_history(struct store *s, const struct policy *p)
{
	char *old = NULL, stamp[32], name[64];
	size_t len = 0;
	time_t now = time(NULL);
	struct tm tm;
	int dfd, r;

	if (fs_read_plain(p->base_file, O_NOFOLLOW, FS_TEXT_MAX, &old, &len))
		return err_set(E_FAIL, "base file %s", err_msg());
	if (mkdirat(s->root, "base-history", 0755) && errno != EEXIST) {
		free(old);
		return err_sys(E_FAIL, errno, "%s/base-history", p->root);
	}
	if ((dfd = openat(s->root, "base-history", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		free(old);
		return err_sys(E_FAIL, errno, "%s/base-history", p->root);
	}
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", gmtime_r(&now, &tm));
	/* A free name, found under the lock: store_write_file renames over
	 * whatever has the name, and history is never replaced. */
	r = R_ABSENT;
	for (int i = 1; i <= 100 && r == R_ABSENT; i++) {
		if (i == 1)
			snprintf(name, sizeof name, "%s.yaml", stamp);
		else
			snprintf(name, sizeof name, "%s-%d.yaml", stamp, i);
		if (faccessat(dfd, name, F_OK, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT)
			r = store_write_file(dfd, name, old, len, 0444);
	}
	if (r == R_ABSENT)
		r = err_set(E_FAIL, "%s/base-history: 100 base files from this second exist already",
			    p->root);
	if (!r)
		printf("the previous base file is kept as %s/base-history/%s\n", p->root, name);
	close(dfd);
	free(old);
	return r;
}

static int write_basefile(const struct policy *p, const struct pin *pins)
{
	char dir[PATH_MAX_LEN + 1], *slash, *text;
	size_t len = 0;
	int dfd, r;

	str_copy(dir, sizeof dir, p->base_file);
	slash = strrchr(dir, '/');
	*slash = '\0';
	if (!(text = basefile_format(p, pins, &len)))
		return err_oom();
	if ((dfd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		free(text);
		return err_sys(E_FAIL, errno, "%s", dir);
	}
	if ((r = store_write_file(dfd, slash + 1, text, len, 0644)))
		r = err_set(E_FAIL, "base file %s: %s", p->base_file, err_msg());
	close(dfd);
	free(text);
	return r;
}

static bool pin_changed(const struct pin *a, const struct pin *b)
{
	return strcmp(a->commit, b->commit) != 0 || strcmp(a->tag, b->tag) != 0;
}

int act_pin(const struct act_ctx *ctx)
{
	const struct policy *p = ctx->pol;
	const struct caller *c = ctx->who;
	const struct request *req = ctx->req;
	struct store s = STORE_INIT;
	struct pin *old = calloc(p->npkgs ? p->npkgs : 1, sizeof *old);
	struct pin *pins = calloc(p->npkgs ? p->npkgs : 1, sizeof *pins);
	const struct package *k = NULL;
	size_t changed = 0;
	int r;

	if (!old || !pins) {
		r = err_oom();
		goto out;
	}
	/* The command line is checked before the store is touched. */
	if (!req->import && !(k = act_check_target(p, "pin", req->ops[0], req->ops[1]))) {
		r = E_USAGE;
		goto out;
	}
	if ((r = act_open_store(&s, p, c, "pin", req->dry_run, LOCK_WORK, true)))
		goto out;
	if ((r = freeze_check(&s)) || (r = basefile_load(p, old)) ||
	    (r = repo_start(p, req->dry_run ? REPO_READ : REPO_WRITE)))
		goto out;
	memcpy(pins, old, p->npkgs * sizeof *pins);
	if ((r = k ? plan_one(p, k, req, pins) : plan_import(p, req, pins)))
		goto out;
	if (req->force_reason)
		audit_note("force_unreachable", req->force_reason);
	for (size_t i = 0; i < p->npkgs; i++) {
		const struct pin *o = &old[i], *n = &pins[i];

		if (!pin_changed(o, n))
			continue;
		changed++;
		printf("%s: base pin %s%s%.10s -> %s%s%.10s\n", p->pkgs[i].name, o->tag, o->tag[0] ? " " : "",
		       o->commit, n->tag, n->tag[0] ? " " : "", n->commit);
	}
	if (!changed) {
		printf("the base pins are as asked already: nothing changed\n");
		goto out;
	}
	if (req->dry_run) {
		for (size_t i = 0; i < p->npkgs; i++)
			if (pin_changed(&old[i], &pins[i]) &&
			    (r = repo_check_limits(p, &p->pkgs[i], pins[i].commit)))
				goto out;
		printf("dry run: %zu pin%s would change; nothing changed\n", changed, changed == 1 ? "" : "s");
		goto out;
	}
	/* Trees and verified records first, the base file last: a run killed
	 * in between leaves the old base file, whose pins are still verified
	 * (pins.h keeps the record before). */
	for (size_t i = 0; i < p->npkgs; i++) {
		const struct package *pk = &p->pkgs[i];
		struct verified_pin v = { 0 }, base;
		bool have_base;

		if (!pin_changed(&old[i], &pins[i]))
			continue;
		have_base = pins_read(&s, pk->name, old[i].commit, &base) == 0 &&
			    !strcmp(base.commit, old[i].commit);
		if ((r = repo_materialize(p, pk, pins[i].commit)) ||
		    (r = repo_verify_pin(p, pk, &pins[i], v.tagref)))
			goto out;
		str_copy(v.tag, sizeof v.tag, pins[i].tag);
		str_copy(v.commit, sizeof v.commit, pins[i].commit);
		if ((r = pins_write(&s, pk->name, &v, have_base ? &base : NULL)))
			goto out;
	}
	if ((r = keep_history(&s, p)) || (r = write_basefile(p, pins)))
		goto out;
	for (size_t i = 0; i < p->npkgs; i++) {
		char key[NAME_MAX_LEN + 8], val[2 * OID_HEX + 8];

		if (!pin_changed(&old[i], &pins[i]))
			continue;
		snprintf(key, sizeof key, "pin.%s", p->pkgs[i].name);
		snprintf(val, sizeof val, "%s..%s", old[i].commit, pins[i].commit);
		audit_note(key, val);
	}
	printf("wrote %s: %zu pin%s changed; the running environment is unchanged ('obsenv rollback' "
	       "switches to the new base)\n", p->base_file, changed, changed == 1 ? "" : "s");
out:
	free(old);
	free(pins);
	store_close(&s);
	return r;
}
