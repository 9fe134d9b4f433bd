#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/action.h"
#include "policy/policy.h"

#define B "owner: obs_user\nroot: /opt/env\nbase_file: /opt/base.yaml\npackages:\n  pkg: {remote: /srv/pkg.git}\n"

struct bad {
	char yaml[640];
	char error[200]; /* one of the reported lines, exactly */
};

/* Every entry must be refused with exactly this message among its errors. */
static struct bad cases[] = {
	{ "", "t.yaml: empty policy" },
	{ "\xef\xbb\xbfowner: x\n", "t.yaml:1:1: byte order mark is not allowed" },
	{ "owner: x\npackages:\n\tpkg: {}\n",
	  "t.yaml:3:1: found character that cannot start any token while scanning for the next token" },
	{ "owner: \"obs_user\n", "t.yaml:2:1: found unexpected end of stream while scanning a quoted scalar" },
	{ "owner: \xff\xfe\n", "t.yaml:1:1: invalid leading UTF-8 octet" },
	{ B "---\nowner: x\n", "t.yaml:6:1: only one YAML document is allowed" },
	{ B "roles:\n  r: &a {users: [x], actions: [list]}\n", "t.yaml:7:6: anchors and aliases are not allowed" },
	{ B "roles:\n  r: *a\n", "t.yaml:7:6: anchors and aliases are not allowed" },
	{ B "roles:\n  r: {<<: *a}\n", "t.yaml:7:11: anchors and aliases are not allowed" },
	{ "owner: !!str obs_user\n", "t.yaml:1:8: tags are not allowed" },
	{ "%YAML 1.1\n---\n" B, "t.yaml:1:1: YAML directives are not allowed" },
	{ "owner: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[x]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
	  "t.yaml:1:23: nested deeper than 16 levels" },
	{ B "owner: other\n", "t.yaml:6:1: duplicate key 'owner' (first at line 1)" },
	{ B "ownr: x\n", "t.yaml:6:1: unknown key 'ownr' in the policy" },
	{ B "roles:\n  r: {users: [a], actons: [list]}\n", "t.yaml:7:19: unknown key 'actons' in role 'r'" },
	{ "owner: no\n", "t.yaml:1:8: owner: 'no' is not a string in YAML (boolean, null or number); quote it" },
	{ "owner: yes\n", "t.yaml:1:8: owner: 'yes' is not a string in YAML (boolean, null or number); quote it" },
	{ "owner: 1000\n", "t.yaml:1:8: owner: '1000' is not a string in YAML (boolean, null or number); quote it" },
	{ "owner: root\n", "t.yaml:1:8: owner must not be root" },
	{ "owner: \"a b\"\n", "t.yaml:1:8: owner must be a user name" },
	{ "owner: \"-1\"\n", "t.yaml:1:8: owner must be a user name" },
	{ "root: opt/env\n", "t.yaml:1:7: root must be an absolute path" },
	{ "root: /opt/../etc\n", "t.yaml:1:7: root must be an absolute path" },
	{ "root: /opt//env\n", "t.yaml:1:7: root must be an absolute path" },
	{ "root: /\n", "t.yaml:1:7: root must be an absolute path" },
	{ "root: \"/opt/e\\tnv\"\n", "t.yaml:1:7: root must be an absolute path" },
	{ "base_file: ~\n", "t.yaml:1:12: base_file: '~' is not a string in YAML (boolean, null or number); quote it" },
	{ "base_file:\n", "t.yaml:1:11: base_file: '' is not a string in YAML (boolean, null or number); quote it" },
	{ "keep_generations: 010\n", "t.yaml:1:19: keep_generations must be a whole number from 2 to 1000" },
	{ "keep_generations: \"10\"\n", "t.yaml:1:19: keep_generations must be a whole number from 2 to 1000" },
	{ "keep_generations: 1\n", "t.yaml:1:19: keep_generations must be a whole number from 2 to 1000" },
	{ "keep_generations: 99999999999\n", "t.yaml:1:19: keep_generations must be a whole number from 2 to 1000" },
	{ "keep_generations: [10]\n", "t.yaml:1:19: keep_generations must be a whole number from 2 to 1000" },
	{ "keep_generations: 0x10\n", "t.yaml:1:19: keep_generations must be a whole number from 2 to 1000" },
	{ "max_fetch_mib: 0\n", "t.yaml:1:16: max_fetch_mib must be a whole number from 1 to 1048576" },
	{ "max_fetch_mib: 2G\n", "t.yaml:1:16: max_fetch_mib must be a whole number from 1 to 1048576" },
	{ "max_file_mib: 1048577\n", "t.yaml:1:15: max_file_mib must be a whole number from 1 to 1048576" },
	{ "max_tree_mib: unlimited\n", "t.yaml:1:15: max_tree_mib must be a whole number from 1 to 1048576" },
	{ "max_objects: -1\n", "t.yaml:1:14: max_objects must be a whole number from 1 to 999999999" },
	{ "max_objects: 1000000000\n", "t.yaml:1:14: max_objects must be a whole number from 1 to 999999999" },
	{ "max_memory_mib: 63\n", "t.yaml:1:17: max_memory_mib must be a whole number from 64 to 1048576" },
	{ "connect_timeout: 0\n", "t.yaml:1:18: connect_timeout must be a whole number from 1 to 3600" },
	{ "stall_timeout: 86401\n", "t.yaml:1:16: stall_timeout must be a whole number from 1 to 86400" },
	{ "packages: [pkg]\n", "t.yaml:1:11: packages must be a mapping" },
	{ "packages: {}\n", "t.yaml:1:11: packages must list 1 to 256 packages" },
	{ "packages:\n  ../x: {remote: /a}\n",
	  "t.yaml:2:3: package name '../x' must be letters, digits, '_', '.' and '-' (at most 64)" },
	{ "packages:\n  -rf: {remote: /a}\n",
	  "t.yaml:2:3: package name '-rf' must be letters, digits, '_', '.' and '-' (at most 64)" },
	{ "packages:\n  \"p\xd0\xb0\": {remote: /a}\n",
	  "t.yaml:2:3: package name 'p\xd0\xb0' must be letters, digits, '_', '.' and '-' (at most 64)" },
	{ "packages:\n  pkg: {deploy_branch: deploy}\n", "t.yaml:2:8: package 'pkg' is missing required key 'remote'" },
	{ "packages:\n  pkg: {remote: \"-oProxyCommand=sh\"}\n",
	  "t.yaml:2:17: remote must be an https://, ssh://, file:// or user@host:path URL, or an absolute path" },
	{ "packages:\n  pkg: {remote: \"https://a b\"}\n",
	  "t.yaml:2:17: remote must be an https://, ssh://, file:// or user@host:path URL, or an absolute path" },
	{ "packages:\n  pkg: {remote: \"ext::sh -c x\"}\n",
	  "t.yaml:2:17: remote must be an https://, ssh://, file:// or user@host:path URL, or an absolute path" },
	{ "packages:\n  pkg: {remote: /a, deploy_branch: a..b}\n", "t.yaml:2:36: deploy_branch must be a plain branch name" },
	{ "packages:\n  pkg: {remote: /a, deploy_branch: \"@{-1}\"}\n", "t.yaml:2:36: deploy_branch must be a plain branch name" },
	{ "packages:\n  pkg: {remote: /a, deploy_branch: main~1}\n", "t.yaml:2:36: deploy_branch must be a plain branch name" },
	{ "packages:\n  pkg: {remote: /a, deploy_branch: x.lock}\n", "t.yaml:2:36: deploy_branch must be a plain branch name" },
	{ "packages:\n  pkg: {remote: /a, deploy_branch: HEAD}\n", "t.yaml:2:36: deploy_branch must be a plain branch name" },
	{ "packages:\n  pkg: {remote: /a, deploy_branch: \"+refs/*:refs/*\"}\n", "t.yaml:2:36: deploy_branch must be a plain branch name" },
	{ "packages:\n  pkg: {remote: /a, tags: \"v[0-9]*\"}\n",
	  "t.yaml:2:27: tags must be a tag pattern of letters, digits, '._-/+' and the wildcards '*' and '?'" },
	{ "packages:\n  pkg: {remote: /a, deploy_key: keys/pkg}\n", "t.yaml:2:33: deploy_key must be an absolute path" },
	{ "user_setups: {path: ../x, content: \"a\"}\n",
	  "t.yaml:1:21: user_setups.path must be a relative path inside the home directory, without '..', at most 16 directories deep" },
	{ "user_setups: {path: /etc/shadow, content: \"a\"}\n",
	  "t.yaml:1:21: user_setups.path must be a relative path inside the home directory, without '..', at most 16 directories deep" },
	{ "user_setups: {path: a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/x, content: \"a\"}\n",
	  "t.yaml:1:21: user_setups.path must be a relative path inside the home directory, without '..', at most 16 directories deep" },
	{ "user_setups: {path: x}\n", "t.yaml:1:14: user_setups is missing required key 'content'" },
	{ "roles:\n  r: {actions: [list]}\n", "t.yaml:2:3: role 'r' names no users and no groups" },
	{ "roles:\n  r: {users: [a], actions: [rollbak]}\n", "t.yaml:2:29: unknown action 'rollbak'" },
	{ "roles:\n  r: {users: [a], actions: []}\n", "t.yaml:2:28: actions must not be empty" },
	{ "roles:\n  r: {users: [\"1000\"], actions: [list]}\n", "t.yaml:2:15: '1000' in users is not a valid account name" },
	{ "roles:\n  r: {users: alice, actions: [list]}\n", "t.yaml:2:14: users must be a list" },
	{ "roles:\n  \"r r\": {users: [a], actions: [list]}\n", "t.yaml:2:3: role name 'r r' is not a plain identifier" },
	{ "? [a]\n: b\n", "t.yaml:1:3: a key must be a plain string" },
	{ "- owner\n", "t.yaml:1:1: the policy must be a mapping" },
	{ "owner: \"a\\0b\"\n", "t.yaml:1:8: NUL character in a value" },
	{ "root: /opt/env\n", "t.yaml:1:1: the policy is missing required key 'owner'" },
};

ParameterizedTestParameters(policy, refused)
{
	return cr_make_param_array(struct bad, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct bad *c, policy, refused)
{
	struct diag d = { .file = "t.yaml" };
	struct policy p;
	int found = 0;

	cr_assert_eq(policy_parse(c->yaml, strlen(c->yaml), &d, &p), -1, "accepted: %s", c->yaml);
	for (size_t i = 0; i < d.n; i++)
		found |= strcmp(d.msgs[i], c->error) == 0;
	if (!found)
		for (size_t i = 0; i < d.n; i++)
			cr_log_error("got: %s", d.msgs[i]);
	cr_expect(found, "expected: %s", c->error);
	policy_free(&p);
	diag_free(&d);
}

Test(policy, nul_byte_in_file)
{
	static const char buf[] = "owner: obs_user\nroot: /opt\0/x\n";
	struct diag d = { .file = "t.yaml" };
	struct policy p;

	cr_assert_eq(policy_parse(buf, sizeof buf - 1, &d, &p), -1);
	cr_assert_str_eq(d.msgs[0], "t.yaml:2:1: NUL byte in file");
	policy_free(&p);
	diag_free(&d);
}

Test(policy, too_large)
{
	size_t n = POLICY_MAX_BYTES + 1;
	char *buf = malloc(n);
	struct diag d = { .file = "t.yaml" };
	struct policy p;

	memset(buf, '#', n);
	cr_assert_eq(policy_parse(buf, n, &d, &p), -1);
	cr_assert_str_eq(d.msgs[0], "t.yaml: larger than 1048576 bytes");
	free(buf);
	policy_free(&p);
	diag_free(&d);
}

Test(policy, hundred_thousand_brackets)
{
	size_t n = 200000 + 16;
	char *buf = malloc(n + 1);
	struct diag d = { .file = "t.yaml" };
	struct policy p;

	memcpy(buf, "owner: ", 7);
	memset(buf + 7, '[', 100000);
	memset(buf + 7 + 100000, ']', 100000);
	buf[200007] = '\0';
	cr_assert_eq(policy_parse(buf, strlen(buf), &d, &p), -1);
	cr_assert_str_eq(d.msgs[0], "t.yaml:1:23: nested deeper than 16 levels");
	free(buf);
	policy_free(&p);
	diag_free(&d);
}

Test(policy, billion_laughs)
{
	static const char buf[] = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nowner: *c\n";
	struct diag d = { .file = "t.yaml" };
	struct policy p;

	cr_assert_eq(policy_parse(buf, sizeof buf - 1, &d, &p), -1);
	cr_assert_str_eq(d.msgs[0], "t.yaml:1:4: anchors and aliases are not allowed");
	policy_free(&p);
	diag_free(&d);
}

Test(policy, many_errors_all_reported)
{
	static const char buf[] = "owner: root\nroot: x\nbase_file: y\nkeep_generations: 1\nfoo: 1\n";
	struct diag d = { .file = "t.yaml" };
	struct policy p;

	cr_assert_eq(policy_parse(buf, sizeof buf - 1, &d, &p), -1);
	/* four bad values, one unknown key, missing packages */
	cr_assert_eq(d.n, 6);
	policy_free(&p);
	diag_free(&d);
}

Test(policy, example_is_valid_and_complete)
{
	FILE *f = fopen("policy/example.yaml", "r");
	char buf[8192];
	size_t n;
	struct diag d = { .file = "example.yaml" };
	struct policy p;
	enum action_id a;

	cr_assert(f, "run from the source tree");
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	cr_assert_eq(policy_parse(buf, n, &d, &p), 0, "%s", d.n ? d.msgs[0] : "");
	cr_assert_str_eq(p.owner, "obs_user");
	cr_assert_str_eq(p.root, "/opt/obs_env");
	cr_assert_eq(p.keep_generations, 10);
	cr_assert_eq(p.max_fetch_mib, 2048, "default");
	cr_assert_eq(p.max_objects, 5000000, "default");
	cr_assert_eq(p.max_file_mib, 256, "default");
	cr_assert_eq(p.max_tree_mib, 2048, "default");
	cr_assert_eq(p.max_memory_mib, 4096, "default");
	cr_assert_eq(p.connect_timeout, 10, "default");
	cr_assert_eq(p.stall_timeout, 60, "default");
	cr_assert_str_eq(p.known_hosts, "/etc/obsenv/known_hosts");
	cr_assert_str_eq(p.setups_path, "notebooks/.user_setups");
	cr_assert_str_eq(p.setups_content, "source /opt/obs_env/auto_env_setup.sh\n");
	cr_assert_eq(p.npkgs, 3);
	/* policy order is kept: it is the order packages are set up in */
	cr_assert_str_eq(p.pkgs[0].name, "ts_observatory_control");
	cr_assert_str_eq(p.pkgs[0].tags, "v*");
	cr_assert_str_eq(p.pkgs[1].name, "summit_utils");
	cr_assert_str_eq(p.pkgs[1].tags, "*", "default tag pattern");
	cr_assert_str_eq(p.pkgs[2].deploy_branch, "deploy", "default branch");
	cr_assert_str_eq(p.pkgs[2].deploy_key, "/opt/obs_user/keys/ts_config_private");
	cr_assert_eq(p.nroles, 3);
	cr_assert_eq(p.roles[1].actions, (1u << A_COUNT) - 1, "all");
	cr_assert(action_lookup("rollback", &a) == 0 && (p.roles[0].actions & (1u << a)));
	cr_assert(action_lookup("pull", &a) == 0 && !(p.roles[0].actions & (1u << a)));
	policy_free(&p);
	diag_free(&d);
}

static char *slurp(const char *path)
{
	static char buf[1 << 16];
	FILE *f = fopen(path, "r");
	size_t n;

	cr_assert(f, "%s: cannot open (the unit tests run from the top of the tree)", path);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The manual gives every number's range and default, and the example
 * policy shows its default, in the words the parser enforces. */
Test(policy, every_number_is_documented_as_the_parser_reads_it)
{
	char *man = strdup(slurp("man/obsenv-policy.5")), *ex = strdup(slurp("policy/example.yaml"));
	char want[160], set[80], shown[80];

	cr_assert(man && ex);
	for (size_t i = 0; i < policy_nnumbers; i++) {
		const struct policy_number *n = &policy_numbers[i];

		snprintf(want, sizeof want, ".BR %s \" (number, %u to %u, default %u)\"\n", n->key, n->min,
			 n->max, n->dflt);
		cr_expect(strstr(man, want), "the manual lacks: %s", want);
		snprintf(set, sizeof set, "\n%s: %u", n->key, n->dflt);
		snprintf(shown, sizeof shown, "\n# %s: %u", n->key, n->dflt);
		cr_expect(strstr(ex, set) || strstr(ex, shown), "policy/example.yaml lacks %s: %u", n->key,
			  n->dflt);
	}
	free(man);
	free(ex);
}

/* Each number: its default when absent, its bounds taken, one past them
 * refused by name. */
Test(policy, every_number_takes_its_bounds_and_refuses_past_them)
{
	char yaml[512], msg[160];

	for (size_t i = 0; i < policy_nnumbers; i++) {
		const struct policy_number *n = &policy_numbers[i];
		unsigned int vals[] = { n->min, n->max, n->min - 1, n->max + 1 };
		struct diag d = { 0 };
		struct policy p;

		cr_assert_eq(policy_parse(B, strlen(B), &d, &p), 0);
		cr_expect_eq(*(unsigned int *)(void *)((char *)&p + n->offset), n->dflt, "%s", n->key);
		policy_free(&p);
		diag_free(&d);
		for (int k = 0; k < 4; k++) {
			bool ok = k < 2;

			if (!ok && k == 2 && n->min == 0)
				continue;
			snprintf(yaml, sizeof yaml, B "%s: %u\n", n->key, vals[k]);
			cr_expect_eq(policy_parse(yaml, strlen(yaml), &d, &p), ok ? 0 : -1, "%s: %u", n->key,
				     vals[k]);
			if (ok)
				cr_expect_eq(*(unsigned int *)(void *)((char *)&p + n->offset), vals[k]);
			snprintf(msg, sizeof msg, "%s must be a whole number from %u to %u", n->key, n->min,
				 n->max);
			if (!ok)
				cr_expect(d.n > 0 && strstr(d.msgs[0], msg), "%s: %s", n->key, d.n ? d.msgs[0] : "");
			policy_free(&p);
			diag_free(&d);
		}
	}
}
