/* The root-owned policy: what the environment is, who owns it, and who may
 * do what. Parsing is separate from reading the file so that the parser can
 * be tested and fuzzed on bytes alone. */
#ifndef OBSENV_POLICY_H
#define OBSENV_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/diag.h"
#include "core/fs.h"
#include "core/str.h"
#include "core/err.h"

#define POLICY_MAX_BYTES FS_TEXT_MAX
#define POLICY_MAX_PACKAGES 256
#define POLICY_MAX_ROLES 64
#define POLICY_MAX_MEMBERS 256
#define SETUPS_MAX_BYTES 4096

struct package {
	char name[NAME_MAX_LEN + 1];
	char remote[PATH_MAX_LEN + 1];
	char deploy_branch[REF_MAX_LEN + 1];
	char tags[129];
	char deploy_key[PATH_MAX_LEN + 1]; /* "" when none */
};

struct role {
	char name[NAME_MAX_LEN + 1];
	char (*users)[ACCOUNT_MAX_LEN + 1];
	size_t nusers;
	char (*groups)[ACCOUNT_MAX_LEN + 1];
	size_t ngroups;
	unsigned int actions; /* bit (1u << enum action_id) */
};

struct policy {
	char owner[ACCOUNT_MAX_LEN + 1];
	char root[PATH_MAX_LEN + 1];
	char base_file[PATH_MAX_LEN + 1];
	char known_hosts[PATH_MAX_LEN + 1]; /* "" when none: SSH remotes refused */
	unsigned int keep_generations;
	/* newest generations whose trees stay whole; older ones are
	 * rebuilt from the object store when reverted to */
	unsigned int keep_trees;
	unsigned int lock_timeout; /* seconds to wait for another obsenv */
	unsigned int connect_timeout; /* seconds a remote has to answer at all */
	unsigned int stall_timeout; /* seconds a remote may send nothing */
	/* What a remote may make obsenv fetch and write (pack bombs). */
	unsigned int max_fetch_mib; /* bytes received by one fetch */
	unsigned int max_objects; /* objects in one fetch; files in one tree */
	unsigned int max_file_mib; /* one file of a tree */
	unsigned int max_tree_mib; /* all files of a tree */
	unsigned int max_memory_mib; /* data of an action that uses libgit2 */
	unsigned int pull_stale_after; /* seconds after which status --check calls a pull stale */
	unsigned int verify_interval; /* seconds between the timer's checks of base trees; 0 never */
	char setups_path[256]; /* "" when user_setups is absent */
	char *setups_content;
	struct package *pkgs;
	size_t npkgs;
	struct role *roles;
	size_t nroles;
};

/* The policy's whole numbers: one row each, so that the parser, the
 * defaults and the test that holds the manual to them cannot disagree. */
struct policy_number {
	const char *key;
	size_t offset; /* of the unsigned int in struct policy */
	unsigned int min, max, dflt;
};
extern const struct policy_number policy_numbers[];
extern const size_t policy_nnumbers;

/* Fills p from a YAML document; on error returns -1 with every problem
 * found in d. p must be freed with policy_free in both cases. */
MUST_USE int policy_parse(const char *buf, size_t len, struct diag *d, struct policy *p);
void policy_free(struct policy *p);
/* Reads and parses path: the installed policy with fs_read_trusted (as
 * root), a file named to `check` with the caller's rights. On a parse
 * error the first problem becomes the error message. Returns 0 or E_POLICY. */
MUST_USE int policy_load(const char *path, bool trusted, struct diag *d, struct policy *p);

#endif
