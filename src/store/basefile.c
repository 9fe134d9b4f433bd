#include "store/basefile.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "core/fs.h"
#include "policy/ytree.h"


int is_oid_hex(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n == OID_HEX && s[n] == '\0';
}

static void parse_pin(const struct ynode *v, const struct package *k, struct diag *d,
		      struct pin *pin)
{
	bool have_commit = false;

	if (!ynode_is(v, Y_MAP, d, k->name))
		return;
	for (size_t i = 0; i + 1 < v->nkids; i += 2) {
		const struct ynode *key = v->kids[i], *val = v->kids[i + 1];
		const char *s;

		if (strcmp(key->str, "tag") == 0) {
			if (!(s = ynode_str(val, d, "tag")))
				continue;
			if (!str_is_refname(s) || str_copy(pin->tag, sizeof pin->tag, s))
				diag_add(d, val->line, val->col, "%s: tag '%s' is not a valid tag name",
					 k->name, s);
			else if (!str_glob_match(k->tags, s))
				diag_add(d, val->line, val->col,
					 "%s: tag '%s' does not match the policy's pattern '%s'", k->name, s,
					 k->tags);
		} else if (strcmp(key->str, "commit") == 0) {
			/* Plain 40-hex values may look like numbers to YAML: take the
			 * scalar as written. */
			if (val->kind != Y_SCALAR || !is_oid_hex(val->str)) {
				diag_add(d, val->line, val->col,
					 "%s: commit must be 40 lowercase hexadecimal digits", k->name);
				continue;
			}
			str_copy(pin->commit, sizeof pin->commit, val->str);
			have_commit = true;
		} else {
			diag_add(d, key->line, key->col, "unknown key '%s' in the pin of %s", key->str,
				 k->name);
		}
	}
	if (!have_commit)
		diag_add(d, v->line, v->col, "%s: the pin has no commit", k->name);
}

int basefile_parse(const char *buf, size_t len, const struct policy *p, struct diag *d,
		   struct pin *pins)
{
	struct ynode *root = NULL;
	const struct ynode *pk = NULL;
	size_t before = d->n + d->dropped;

	memset(pins, 0, p->npkgs * sizeof *pins);
	if (ytree_parse(buf, len, d, &root))
		return -1;
	if (!root || !ynode_is(root, Y_MAP, d, "the base file")) {
		if (!root)
			diag_add(d, 0, 0, "empty base file");
		goto out;
	}
	for (size_t i = 0; i + 1 < root->nkids; i += 2) {
		if (strcmp(root->kids[i]->str, "packages") == 0)
			pk = root->kids[i + 1];
		else
			diag_add(d, root->kids[i]->line, root->kids[i]->col,
				 "unknown key '%s' in the base file", root->kids[i]->str);
	}
	if (!pk) {
		diag_add(d, root->line, root->col, "the base file has no 'packages'");
		goto out;
	}
	if (!ynode_is(pk, Y_MAP, d, "packages"))
		goto out;
	for (size_t i = 0; i + 1 < pk->nkids; i += 2) {
		const struct ynode *name = pk->kids[i];
		size_t j = 0;

		while (j < p->npkgs && strcmp(p->pkgs[j].name, name->str) != 0)
			j++;
		if (j == p->npkgs) {
			diag_add(d, name->line, name->col, "'%s' is not a package of the policy",
				 name->str);
			continue;
		}
		parse_pin(pk->kids[i + 1], &p->pkgs[j], d, &pins[j]);
	}
	for (size_t j = 0; j < p->npkgs; j++)
		if (!pins[j].commit[0] && d->n + d->dropped == before)
			diag_add(d, pk->line, pk->col, "%s has no base pin", p->pkgs[j].name);
out:
	ytree_free(root);
	return d->n + d->dropped > before ? -1 : 0;
}

int basefile_load(const struct policy *p, struct pin *pins)
{
	return basefile_load_as(p, geteuid(), pins);
}

int basefile_load_as(const struct policy *p, uid_t owner, struct pin *pins)
{
	struct diag d = { .file = p->base_file };
	char *buf = NULL;
	size_t len = 0;
	int r;

	/* The owner account writes it (pin): only root and it may have. */
	if ((r = fs_read_owned(p->base_file, owner, FS_TEXT_MAX, &buf, &len)))
		return err_set(E_FAIL, "base file %s", err_msg());
	if (basefile_parse(buf, len, p, &d, pins))
		r = err_set(E_FAIL, "%s", d.n ? d.msgs[0] : "invalid base file");
	free(buf);
	diag_free(&d);
	return r;
}

char *basefile_format(const struct policy *p, const struct pin *pins, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	fprintf(f, "# The base environment: written by obsenv pin; see obsenv(8).\npackages:\n");
	for (size_t i = 0; i < p->npkgs; i++) {
		/* Tags and commits passed the strict validators (no quote or
		 * backslash); quoted, a tag like "1.0" stays a string. */
		if (pins[i].tag[0])
			fprintf(f, "  %s: {tag: \"%s\", commit: \"%s\"}\n", p->pkgs[i].name,
				pins[i].tag, pins[i].commit);
		else
			fprintf(f, "  %s: {commit: \"%s\"}\n", p->pkgs[i].name, pins[i].commit);
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}
