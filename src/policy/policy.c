#include "policy/policy.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/action.h"
#include "core/err.h"
#include "core/fs.h"
#include "policy/ytree.h"

/* A mapping is checked against a table of its keys: unknown keys are
 * errors (a misspelt "actons:" must not silently grant nothing or, worse,
 * be read by a later version as something else), and so are missing
 * required ones. Every problem is reported, not only the first. */
struct field {
	const char *key;
	bool required;
	void (*set)(void *obj, const struct ynode *v, struct diag *d);
};

#define FIELDS_MAX 16
/* other: a key none of the fields names is offered to it (the top level's
 * numbers); it returns false for a key it does not know either. */
typedef bool other_key(void *obj, const char *key, const struct ynode *v, struct diag *d);
#define WALK_MAP(map, fields, other, obj, d, where)                                              \
	do {                                                                                        \
		_Static_assert(sizeof(fields) / sizeof((fields)[0]) <= FIELDS_MAX, "keys");        \
		walk_map(map, fields, sizeof(fields) / sizeof((fields)[0]), other, obj, d, where); \
	} while (0)

static void walk_map(const struct ynode *map, const struct field *f, size_t nf, other_key *other,
		     void *obj, struct diag *d, const char *where)
{
	bool seen[FIELDS_MAX] = { false };

	if (!ynode_is(map, Y_MAP, d, where))
		return;
	for (size_t i = 0; i + 1 < map->nkids; i += 2) {
		const struct ynode *k = map->kids[i];
		size_t j;

		for (j = 0; j < nf && strcmp(f[j].key, k->str) != 0; j++)
			;
		if (j == nf) {
			if (!other || !other(obj, k->str, map->kids[i + 1], d))
				diag_add(d, k->line, k->col, "unknown key '%s' in %s", k->str, where);
			continue;
		}
		seen[j] = true;
		f[j].set(obj, map->kids[i + 1], d);
	}
	for (size_t j = 0; j < nf; j++)
		if (f[j].required && !seen[j])
			diag_add(d, map->line, map->col, "%s is missing required key '%s'", where,
				 f[j].key);
}

static void set_str(char *dst, size_t size, const struct ynode *v, struct diag *d,
		    const char *what, bool (*valid)(const char *), const char *expect)
{
	const char *s = ynode_str(v, d, what);

	if (!s)
		return;
	if (!valid(s) || str_copy(dst, size, s)) {
		diag_add(d, v->line, v->col, "%s must be %s", what, expect);
		dst[0] = '\0';
	}
}

static void set_owner(void *obj, const struct ynode *v, struct diag *d)
{
	struct policy *p = obj;

	set_str(p->owner, sizeof p->owner, v, d, "owner", str_is_account, "a user name");
	/* Running the environment as root would make every drop a no-op. */
	if (strcmp(p->owner, "root") == 0)
		diag_add(d, v->line, v->col, "owner must not be root");
}

static void set_root(void *obj, const struct ynode *v, struct diag *d)
{
	struct policy *p = obj;

	set_str(p->root, sizeof p->root, v, d, "root", str_is_abs_path, "an absolute path");
}

static void set_base_file(void *obj, const struct ynode *v, struct diag *d)
{
	struct policy *p = obj;

	set_str(p->base_file, sizeof p->base_file, v, d, "base_file", str_is_abs_path,
		"an absolute path");
}

static void set_known_hosts(void *obj, const struct ynode *v, struct diag *d)
{
	struct policy *p = obj;

	set_str(p->known_hosts, sizeof p->known_hosts, v, d, "known_hosts", str_is_abs_path,
		"an absolute path");
}

/* The limits against pack bombs (a remote is not trusted to be small)
 * have no "unlimited": at most 1 TiB, or about a billion objects. */
const struct policy_number policy_numbers[] = {
	{ "keep_generations", offsetof(struct policy, keep_generations), 2, 1000, 10 },
	{ "keep_trees", offsetof(struct policy, keep_trees), 1, 1000, 2 },
	{ "lock_timeout", offsetof(struct policy, lock_timeout), 0, 3600, 30 },
	{ "connect_timeout", offsetof(struct policy, connect_timeout), 1, 3600, 10 },
	{ "stall_timeout", offsetof(struct policy, stall_timeout), 1, 86400, 60 },
	{ "max_fetch_mib", offsetof(struct policy, max_fetch_mib), 1, 1U << 20, 2048 },
	{ "max_objects", offsetof(struct policy, max_objects), 1, 999999999, 5000000 },
	{ "max_file_mib", offsetof(struct policy, max_file_mib), 1, 1U << 20, 256 },
	{ "max_tree_mib", offsetof(struct policy, max_tree_mib), 1, 1U << 20, 2048 },
	{ "max_memory_mib", offsetof(struct policy, max_memory_mib), 64, 1U << 20, 4096 },
	{ "pull_stale_after", offsetof(struct policy, pull_stale_after), 60, 2592000, 3600 },
	{ "verify_interval", offsetof(struct policy, verify_interval), 0, 31622400, 86400 },
};
const size_t policy_nnumbers = sizeof policy_numbers / sizeof *policy_numbers;

static unsigned int *number_slot(struct policy *p, const struct policy_number *n)
{
	return (unsigned int *)(void *)((char *)p + n->offset);
}

/* A top-level key that is none of the fields may be one of the numbers. */
static bool set_number(void *obj, const char *key, const struct ynode *v, struct diag *d)
{
	for (size_t i = 0; i < policy_nnumbers; i++) {
		const struct policy_number *n = &policy_numbers[i];

		if (strcmp(key, n->key) != 0)
			continue;
		/* A bad value has its diagnostic, which fails the whole load. */
		if (ynode_uint(v, d, n->key, n->min, n->max, number_slot(obj, n)))
			*number_slot(obj, n) = n->dflt;
		return true;
	}
	return false;
}

/* restore-setups walks at most 16 directories (userfile.h): a deeper path
 * is refused here, where the administrator sees it, not at 3 a.m. */
static bool setups_path_ok(const char *s)
{
	size_t dirs = 0;

	for (const char *c = s; *c; c++)
		dirs += *c == '/';
	return str_is_rel_path(s) && dirs <= 16;
}

static void set_setups_path(void *obj, const struct ynode *v, struct diag *d)
{
	struct policy *p = obj;

	set_str(p->setups_path, sizeof p->setups_path, v, d, "user_setups.path", setups_path_ok,
		"a relative path inside the home directory, without '..', at most 16 directories deep");
}

static void set_setups_content(void *obj, const struct ynode *v, struct diag *d)
{
	struct policy *p = obj;
	const char *s = ynode_str(v, d, "user_setups.content");

	if (!s)
		return;
	if (strlen(s) > SETUPS_MAX_BYTES) {
		diag_add(d, v->line, v->col, "user_setups.content is longer than %d bytes",
			 SETUPS_MAX_BYTES);
		return;
	}
	free(p->setups_content);
	if (!(p->setups_content = strdup(s)))
		diag_add(d, v->line, v->col, "out of memory");
}

static const struct field setups_fields[] = {
	{ "path", true, set_setups_path },
	{ "content", true, set_setups_content },
};

static void set_setups(void *obj, const struct ynode *v, struct diag *d)
{
	WALK_MAP(v, setups_fields, NULL, obj, d, "user_setups");
}

static void set_remote(void *obj, const struct ynode *v, struct diag *d)
{
	struct package *k = obj;

	set_str(k->remote, sizeof k->remote, v, d, "remote", str_is_remote,
		"an https://, ssh://, file:// or user@host:path URL, or an absolute path");
}

static void set_branch(void *obj, const struct ynode *v, struct diag *d)
{
	struct package *k = obj;

	set_str(k->deploy_branch, sizeof k->deploy_branch, v, d, "deploy_branch", str_is_refname,
		"a plain branch name");
}

static void set_tags(void *obj, const struct ynode *v, struct diag *d)
{
	struct package *k = obj;

	set_str(k->tags, sizeof k->tags, v, d, "tags", str_is_glob,
		"a tag pattern of letters, digits, '._-/+' and the wildcards '*' and '?'");
}

static void set_key(void *obj, const struct ynode *v, struct diag *d)
{
	struct package *k = obj;

	set_str(k->deploy_key, sizeof k->deploy_key, v, d, "deploy_key", str_is_abs_path,
		"an absolute path");
}

static const struct field package_fields[] = {
	{ "remote", true, set_remote },
	{ "deploy_branch", false, set_branch },
	{ "tags", false, set_tags },
	{ "deploy_key", false, set_key },
};

static void set_packages(void *obj, const struct ynode *v, struct diag *d)
{
	struct policy *p = obj;

	if (!ynode_is(v, Y_MAP, d, "packages"))
		return;
	if (v->nkids == 0 || v->nkids / 2 > POLICY_MAX_PACKAGES) {
		diag_add(d, v->line, v->col, "packages must list 1 to %d packages",
			 POLICY_MAX_PACKAGES);
		return;
	}
	free(p->pkgs);
	if (!(p->pkgs = calloc(v->nkids / 2, sizeof *p->pkgs))) {
		diag_add(d, v->line, v->col, "out of memory");
		return;
	}
	p->npkgs = v->nkids / 2;
	for (size_t i = 0; i < p->npkgs; i++) {
		const struct ynode *name = v->kids[2 * i];
		struct package *k = &p->pkgs[i];
		char where[NAME_MAX_LEN + 32];

		if (!str_is_ident(name->str) || str_copy(k->name, sizeof k->name, name->str))
			diag_add(d, name->line, name->col,
				 "package name '%s' must be letters, digits, '_', '.' and '-' (at most %d)",
				 name->str, NAME_MAX_LEN);
		str_copy(k->deploy_branch, sizeof k->deploy_branch, "deploy");
		str_copy(k->tags, sizeof k->tags, "*");
		snprintf(where, sizeof where, "package '%s'", k->name);
		WALK_MAP(v->kids[2 * i + 1], package_fields, NULL, k, d, where);
	}
}

/* A list of names; validated one by one so that each bad entry is named. */
static size_t set_names(char (**out)[ACCOUNT_MAX_LEN + 1], const struct ynode *v, struct diag *d,
			const char *what)
{
	if (!ynode_is(v, Y_SEQ, d, what))
		return 0;
	if (v->nkids > POLICY_MAX_MEMBERS) {
		diag_add(d, v->line, v->col, "%s lists more than %d names", what, POLICY_MAX_MEMBERS);
		return 0;
	}
	free(*out);
	if (!(*out = calloc(v->nkids ? v->nkids : 1, sizeof **out))) {
		diag_add(d, v->line, v->col, "out of memory");
		return 0;
	}
	for (size_t i = 0; i < v->nkids; i++) {
		const char *s = ynode_str(v->kids[i], d, what);

		if (s && (!str_is_account(s) || str_copy((*out)[i], sizeof (*out)[i], s)))
			diag_add(d, v->kids[i]->line, v->kids[i]->col,
				 "'%s' in %s is not a valid account name", s, what);
	}
	return v->nkids;
}

static void set_users(void *obj, const struct ynode *v, struct diag *d)
{
	struct role *r = obj;

	r->nusers = set_names(&r->users, v, d, "users");
}

static void set_groups(void *obj, const struct ynode *v, struct diag *d)
{
	struct role *r = obj;

	r->ngroups = set_names(&r->groups, v, d, "groups");
}

static void set_actions(void *obj, const struct ynode *v, struct diag *d)
{
	struct role *r = obj;

	if (!ynode_is(v, Y_SEQ, d, "actions"))
		return;
	if (v->nkids == 0)
		diag_add(d, v->line, v->col, "actions must not be empty");
	for (size_t i = 0; i < v->nkids; i++) {
		const char *s = ynode_str(v->kids[i], d, "actions");
		enum action_id a;

		if (!s)
			continue;
		if (strcmp(s, "all") == 0)
			r->actions |= (1u << A_COUNT) - 1;
		else if (action_lookup(s, &a) == 0)
			r->actions |= 1u << a;
		else
			diag_add(d, v->kids[i]->line, v->kids[i]->col, "unknown action '%s'", s);
	}
}

static const struct field role_fields[] = {
	{ "users", false, set_users },
	{ "groups", false, set_groups },
	{ "actions", true, set_actions },
};

static void set_roles(void *obj, const struct ynode *v, struct diag *d)
{
	struct policy *p = obj;

	if (!ynode_is(v, Y_MAP, d, "roles"))
		return;
	if (v->nkids / 2 > POLICY_MAX_ROLES) {
		diag_add(d, v->line, v->col, "more than %d roles", POLICY_MAX_ROLES);
		return;
	}
	free(p->roles);
	if (!(p->roles = calloc(v->nkids ? v->nkids / 2 : 1, sizeof *p->roles))) {
		diag_add(d, v->line, v->col, "out of memory");
		return;
	}
	p->nroles = v->nkids / 2;
	for (size_t i = 0; i < p->nroles; i++) {
		const struct ynode *name = v->kids[2 * i];
		struct role *r = &p->roles[i];
		char where[NAME_MAX_LEN + 32];

		if (!str_is_ident(name->str) || str_copy(r->name, sizeof r->name, name->str))
			diag_add(d, name->line, name->col, "role name '%s' is not a plain identifier",
				 name->str);
		snprintf(where, sizeof where, "role '%s'", r->name);
		WALK_MAP(v->kids[2 * i + 1], role_fields, NULL, r, d, where);
		if (v->kids[2 * i + 1]->kind == Y_MAP && r->nusers + r->ngroups == 0)
			diag_add(d, name->line, name->col, "role '%s' names no users and no groups",
				 r->name);
	}
}

static const struct field top_fields[] = {
	{ "owner", true, set_owner },
	{ "root", true, set_root },
	{ "base_file", true, set_base_file },
	{ "known_hosts", false, set_known_hosts },
	{ "user_setups", false, set_setups },
	{ "packages", true, set_packages },
	{ "roles", false, set_roles },
};

int policy_parse(const char *buf, size_t len, struct diag *d, struct policy *p)
{
	struct ynode *root = NULL;
	size_t before = d->n + d->dropped;

	memset(p, 0, sizeof *p);
	for (size_t i = 0; i < policy_nnumbers; i++)
		*number_slot(p, &policy_numbers[i]) = policy_numbers[i].dflt;
	if (len > POLICY_MAX_BYTES) {
		diag_add(d, 0, 0, "larger than %zu bytes", POLICY_MAX_BYTES);
		return -1;
	}
	if (ytree_parse(buf, len, d, &root))
		return -1;
	if (!root)
		diag_add(d, 0, 0, "empty policy");
	else
		WALK_MAP(root, top_fields, set_number, p, d, "the policy");
	ytree_free(root);
	return d->n + d->dropped > before ? -1 : 0;
}

void policy_free(struct policy *p)
{
	for (size_t i = 0; i < p->nroles; i++) {
		free(p->roles[i].users);
		free(p->roles[i].groups);
	}
	free(p->roles);
	free(p->pkgs);
	free(p->setups_content);
	memset(p, 0, sizeof *p);
}

int policy_load(const char *path, bool trusted, struct diag *d, struct policy *p)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	memset(p, 0, sizeof *p);
	d->file = path;
	r = trusted ? fs_read_trusted(path, POLICY_MAX_BYTES, &buf, &len)
		    : fs_read_plain(path, 0, POLICY_MAX_BYTES, &buf, &len);
	if (r)
		return r;
	if (policy_parse(buf, len, d, p)) {
		size_t more = d->n + d->dropped - 1;

		r = err_set(E_POLICY, "%s%s", d->n ? d->msgs[0] : "invalid policy",
			    more ? " (and more problems: 'obsenv check' lists them)" : "");
	}
	free(buf);
	return r;
}
