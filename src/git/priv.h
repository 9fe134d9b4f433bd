/* Shared by the files of git/, the only files that include <git2.h>:
 * the libgit2 functions obsenv uses, resolved by repo_start() with dlsym,
 * and called as G(name)(...). */
#ifndef OBSENV_GIT_PRIV_H
#define OBSENV_GIT_PRIV_H

#include <git2.h>
#include <git2/sys/repository.h>

#include "policy/policy.h"
#include "core/err.h"

#define GIT_FUNCS(X)                                                                         \
	X(git_libgit2_init) X(git_libgit2_opts) X(git_error_last) X(git_repository_init_ext)  \
	X(git_repository_open_ext) X(git_repository_free) X(git_repository_set_config)         \
	X(git_config_new) X(git_config_free) X(git_remote_create_with_opts) X(git_remote_fetch) \
	X(git_remote_free) X(git_reference_name_to_id) X(git_reference_lookup)                 \
	X(git_reference_target) X(git_reference_free) X(git_reference_create)                 \
	X(git_oid_fromstr) X(git_oid_tostr) X(git_object_lookup) X(git_object_peel)             \
	X(git_object_free) X(git_object_id) X(git_index_open) X(git_index_write) X(git_index_free) \
	X(git_buf_dispose) X(git_credential_ssh_key_new) X(git_status_list_new)                \
	X(git_status_list_entrycount) X(git_status_list_free) X(git_object_lookup_prefix)      \
	X(git_graph_descendant_of) X(git_revwalk_new) X(git_revwalk_push) X(git_revwalk_hide)  \
	X(git_revwalk_next) X(git_revwalk_free) X(git_revwalk_sorting) X(git_commit_lookup)    \
	X(git_commit_summary) X(git_commit_free) X(git_oid_fromstrn) X(git_commit_tree)        \
	X(git_tree_walk) X(git_tree_free) X(git_tree_entry_type) X(git_tree_entry_id)         \
	X(git_tree_entry_name) X(git_repository_odb) X(git_odb_read_header) X(git_odb_free)   \
	X(git_status_byindex) X(git_object_type) X(git_tag_target) X(git_odb_exists)            \
	X(git_reference_foreach_glob) X(git_packbuilder_new)                \
	X(git_packbuilder_insert) X(git_packbuilder_insert_recur) X(git_tree_entry_byname)       \
	X(git_packbuilder_object_count) X(git_packbuilder_foreach) X(git_packbuilder_free)      \
	X(git_odb_write_pack) X(git_tree_lookup) X(git_tree_entrycount) X(git_tree_entry_byindex) \
	X(git_tree_entry_filemode) X(git_blob_lookup) X(git_blob_rawcontent) X(git_blob_rawsize) \
	X(git_blob_free) X(git_index_add) X(git_oid_equal) X(git_index_set_version) \
	X(git_packbuilder_set_threads) X(git_repository_path) X(git_odb_foreach) X(git_indexer_new)   \
	X(git_indexer_append) X(git_indexer_commit) X(git_indexer_free) X(git_oid_fromraw)         \
	X(git_packbuilder_write) X(git_commit_parentcount) X(git_commit_parent_id) X(git_commit_tree_id) \
	X(git_tag_tagger) X(git_object_short_id)

#define DECLARE(f) extern __typeof__(f) *p_##f;
GIT_FUNCS(DECLARE)
#undef DECLARE
#define G(f) (p_##f)

/* err_set with libgit2's last message after "what: ". */
MUST_USE int repo_fail(const char *what);
/* Opens <root>/repos/<pkg>.git by path, its configuration replaced. */
/* 0 when the action may write the store (repo_start's mode), else the
 * error, naming what. */
MUST_USE int repo_may_write(const char *what);
/* The package's store repository, opened on first use and kept for the
 * rest of the action: *out is borrowed, never freed by the caller. */
MUST_USE int repo_open(const struct policy *p, const struct package *k, git_repository **out);
/* The store's repository and one of its commits, within the policy's
 * limits (git/limits.c); on failure nothing is left open. */
MUST_USE int repo_open_commit(const struct policy *p, const struct package *k, const char *commit,
			      git_repository **repo, git_object **obj);
/* Builds commit into trees/<pkg>/<tmp>, read-only, as the worktree that
 * will be trees/<pkg>/<commit>: its .git file and the admin directory
 * repos/<pkg>.git/worktrees/<commit> name each other by the final path,
 * so that renaming it into place needs nothing more. The index is
 * written to index (a path). recheck: see repo_build_tree. */
MUST_USE int repo_checkout(const struct policy *p, const struct package *k, git_repository *repo,
			   git_object *obj, const char *commit, const char *tmp, const char *index,
			   bool recheck);
/* Fills the empty directory dfd with commit's files, each a hard link to
 * the package's read-only copy in the file store at files (made when
 * missing), and adds each to ix with its stat data (git/build.c).
 * recheck (a repair): every shared copy is read back and compared with
 * its blob first, and a damaged one replaced by a new file. */
MUST_USE int repo_build_tree(const struct package *k, git_repository *repo, git_object *commit,
			     int dfd, const char *files, git_index *ix, bool recheck);

#endif
