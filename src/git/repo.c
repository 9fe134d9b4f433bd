#include "git/repo.h"

/* libgit2's *_OPTIONS_INIT macros name only the version field. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "git/describe.h"
#include "git/limits.h"
#include "git/localfetch.h"
#include "git/priv.h"
#include "core/fs.h"
#include "git/knownhosts.h"
#include "git/watchdog.h"
#include "store/unchanged.h"
#include "store/store.h"

#ifndef GIT_SONAME
#define GIT_SONAME "libgit2.so"
#endif

/* Packs libgit2 keeps open at once, over every store (see repo_start). */
#define PACK_FILES_OPEN_MAX 128

#define DEFINE(f) __typeof__(f) *p_##f;
GIT_FUNCS(DEFINE)

int repo_fail(const char *what)
{
	const git_error *e = p_git_error_last ? G(git_error_last)() : NULL;

	if (e && e->klass == GIT_ERROR_NOMEMORY && limit_memory_mib)
		return err_set(E_FAIL, "%s: out of memory (the policy's max_memory_mib is %u)", what,
			       limit_memory_mib);
	return err_set(E_FAIL, "%s: %s", what, e && e->message ? e->message : "libgit2 error");
}

static enum repo_mode mode_now = REPO_READ;

int repo_may_write(const char *what)
{
	if (mode_now != REPO_WRITE)
		return err_set(E_FAIL, "%s: refused, the action only reads the store", what);
	return 0;
}

int repo_start(const struct policy *p, enum repo_mode mode)
{
	static const int levels[] = { GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_XDG,
				      GIT_CONFIG_LEVEL_GLOBAL, GIT_CONFIG_LEVEL_PROGRAMDATA };
	/* Set at the end only: a start that failed halfway (a symbol missing,
	 * init refused) must fail again, not pass for a started library. */
	static bool started;
	void *h;
	int r;

	mode_now = mode;
	if (started)
		return 0;
	/* libssh2's transport in libgit2 wants a home to look for its own
	 * known_hosts in, and fails without one. /nonexistent holds none (only
	 * root could create it), so the policy's known_hosts alone decides. */
	if (setenv("HOME", "/nonexistent", 1))
		return err_sys(E_FAIL, errno, "setenv");
	/* By soname: the loader searches only the system's trusted directories
	 * (LD_LIBRARY_PATH was never honoured, and is gone). */
	if (!(h = dlopen(GIT_SONAME, RTLD_NOW | RTLD_LOCAL)))
		return err_set(E_FAIL, "cannot load libgit2 (%s): %s", GIT_SONAME, dlerror());
#define LOAD(f)                                                                      \
	if (!(p_##f = (__typeof__(f) *)dlsym(h, #f)))                                  \
		return err_set(E_FAIL, "libgit2 (%s) lacks %s", GIT_SONAME, #f);
	GIT_FUNCS(LOAD)
#undef LOAD
	if (G(git_libgit2_init)() < 0)
		return repo_fail("libgit2");
	/* "" (never NULL, which means "from the environment") for every level. */
	for (size_t i = 0; i < sizeof levels / sizeof *levels; i++)
		if (G(git_libgit2_opts)(GIT_OPT_SET_SEARCH_PATH, levels[i], "") < 0)
			return repo_fail("libgit2 search path");
#if LIBGIT2_VER_MAJOR > 1 || (LIBGIT2_VER_MAJOR == 1 && LIBGIT2_VER_MINOR >= 5)
	/* Ownership validation guards against running a repository's config
	 * (hooks, fsmonitor) for a user who did not create it. obsenv opens only
	 * repositories the policy names, by path, never by discovery, honours
	 * none of their configuration, and runs nothing; but the check would
	 * refuse a remote on a local path that root or a maintainer owns. */
	G(git_libgit2_opts)(GIT_OPT_SET_OWNER_VALIDATION, 0);
#endif
	G(git_libgit2_opts)(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 1);
	G(git_libgit2_opts)(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 1);
	/* A fetched pack, its index and the refs naming it are fsynced as
	 * libgit2 writes them: a power cut after a pull that switched nothing
	 * (a new tag, a frozen package) must not leave an empty ref or pack
	 * that fails every later open of the store. */
	G(git_libgit2_opts)(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
	/* libgit2 keeps every pack it opened open, and by default has no
	 * bound. Each pull that brings a commit adds a pack to that package's
	 * store, so after some 64 hot fixes on each of 16 packages a pull ran
	 * out of descriptors (RLIMIT_NOFILE is 1024, door/hygiene.c) and a
	 * lookup in a pack it could not open read as "object not found". With
	 * a bound it closes the least used pack and opens it again on need. */
#if LIBGIT2_VER_MAJOR > 1 || (LIBGIT2_VER_MAJOR == 1 && LIBGIT2_VER_MINOR >= 1)
	G(git_libgit2_opts)(GIT_OPT_SET_MWINDOW_FILE_LIMIT, (size_t)PACK_FILES_OPEN_MAX);
#endif
	if ((r = limit_memory(p)))
		return r;
	started = true;
	return 0;
}

static void repo_path(const struct policy *p, const struct package *k, char *buf, size_t size)
{
	snprintf(buf, size, "%s/repos/%s.git", p->root, k->name);
}

/* The config file below dfd is exactly text, the owner's regular file,
 * writable by the owner alone. */
static bool config_is(int dfd, const char *text, size_t len)
{
	char buf[512] = "";
	struct stat st;
	ssize_t n = -1;
	int fd = openat(dfd, "config", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	    (st.st_mode & 07777) == 0644 && (size_t)st.st_size == len && len < sizeof buf)
		n = read(fd, buf, sizeof buf);
	close(fd);
	return n == (ssize_t)len && memcmp(buf, text, len) == 0;
}

/* The store's repositories are obsenv's: their config file is rewritten
 * before every open, so that nothing a maintainer wrote there (include
 * paths, insteadOf, proxies, sshCommand) is even read. */
static int reset_config(const char *path)
{
	static const char config[] = "[core]\n\trepositoryformatversion = 0\n\tbare = true\n"
				     "\tfilemode = true\n\tlogallrefupdates = false\n"
				     /* Trees share files by hard links, and a link made or
				      * removed anywhere changes an inode's ctime: git status in
				      * a tree compares the rest of the stat data. */
				     "\ttrustctime = false\n";
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), r = 0;

	if (fd < 0)
		return err_sys(E_FAIL, errno, "%s", path);
	/* Written only when it differs: two fsyncs a package would be most of
	 * what a pull with nothing new costs. */
	if (!config_is(fd, config, sizeof config - 1))
		r = store_write_file(fd, "config", config, sizeof config - 1, 0644);
	close(fd);
	return r;
}

/* One handle per repository for the whole action: an action that
 * fetches, moves deploy and checks out opens (and, writing, resets the
 * config of) each repository once, and every step sees the same state.
 * Process exit frees them; nothing outlives the action. */
static git_repository **handles; /* one per policy package, in its order */

/* Opens a store repository by path, then throws its configuration away
 * in memory too: whatever a maintainer wrote there must not steer obsenv. */
int repo_open(const struct policy *p, const struct package *k, git_repository **out)
{
	char path[PATH_MAX_LEN + 128];
	git_config *empty = NULL;
	size_t i;
	int r;

	for (i = 0; i < p->npkgs && &p->pkgs[i] != k; i++)
		;
	if (i == p->npkgs)
		return err_set(E_FAIL, "%s: not a package of the policy", k->name);
	if (!handles && !(handles = calloc(p->npkgs, sizeof(git_repository *))))
		return err_oom();
	if (handles[i]) {
		*out = handles[i];
		return 0;
	}
	repo_path(p, k, path, sizeof path);
	if (mode_now == REPO_WRITE && (r = reset_config(path)))
		return r;
	if (G(git_repository_open_ext)(out, path, GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE,
				       NULL) < 0)
		return repo_fail(path);
	if (G(git_config_new)(&empty) < 0 || G(git_repository_set_config)(*out, empty) < 0) {
		r = repo_fail(path);
		G(git_config_free)(empty);
		G(git_repository_free)(*out);
		*out = NULL;
		return r;
	}
	G(git_config_free)(empty);
	handles[i] = *out;
	return 0;
}

struct fetch_ctx {
	const struct policy *p;
	const struct package *k;
	int tries;
	bool refused; /* our own message is in err.c */
};

/* https: only what libgit2 verified against the system's CAs. SSH: only a
 * host key listed for this host and port in the policy's known_hosts:
 * never disabled, never trust-on-first-use. */
static int check_certificate(git_cert *cert, int valid, const char *host, void *payload)
{
	struct fetch_ctx *c = payload;
	char *text = NULL;
	size_t len;
	int m = 0;

	if (!watchdog_alive())
		return -1;
	c->refused = true;
	if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2) {
		if (valid) {
			c->refused = false;
			return 0;
		}
		err_set(E_FAIL, "%s: the certificate of %s is not valid", c->k->name, host);
		return -1;
	}
#if LIBGIT2_VER_MAJOR > 1 || (LIBGIT2_VER_MAJOR == 1 && LIBGIT2_VER_MINOR >= 2)
	{
		const git_cert_hostkey *hk = (const git_cert_hostkey *)(const void *)cert;

		if (!(hk->type & GIT_CERT_SSH_RAW) || !c->p->known_hosts[0]) {
			err_set(E_FAIL, "%s: cannot check the host key of %s (known_hosts is not set)",
				c->k->name, host);
			return -1;
		}
		if (fs_read_plain(c->p->known_hosts, O_NOFOLLOW, FS_TEXT_MAX, &text, &len)) {
			err_set(E_FAIL, "%s: known_hosts %s", c->k->name, err_msg());
			return -1;
		}
		m = knownhosts_match(text, host, knownhosts_port(c->k->remote),
				     (const unsigned char *)hk->hostkey, hk->hostkey_len);
		free(text);
	}
#endif
	if (m == 1) {
		c->refused = false;
		return 0;
	}
	err_set(E_FAIL, "%s: the host key of %s is %s %s; refusing to connect", c->k->name, host,
		m < 0 ? "revoked in" : "not in", c->p->known_hosts[0] ? c->p->known_hosts : "known_hosts");
	return -1;
}

static int credentials(git_credential **out, const char *url, const char *user, unsigned int allowed,
		       void *payload)
{
	struct fetch_ctx *c = payload;
	struct stat st;
	int fd;

	(void)url;
	if (!watchdog_alive())
		return GIT_EUSER;
	if (!c->k->deploy_key[0] || !(allowed & GIT_CREDENTIAL_SSH_KEY) || c->tries++)
		return GIT_PASSTHROUGH;
	/* The key must be the owner's alone: we run as the owner now. */
	fd = open(c->k->deploy_key, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077)) {
		if (fd >= 0)
			close(fd);
		err_set(E_FAIL, "%s: deploy key %s must be a regular file of the owner with mode 0600",
			c->k->name, c->k->deploy_key);
		c->refused = true;
		return GIT_EUSER;
	}
	close(fd);
	return G(git_credential_ssh_key_new)(out, user ? user : "git", NULL, c->k->deploy_key, NULL);
}

static int on_transfer(const git_indexer_progress *s, void *payload)
{
	struct fetch_ctx *c = payload;

	if (!watchdog_alive())
		return GIT_EUSER;
	if (limit_transfer(c->p, c->k, s)) {
		c->refused = true;
		return GIT_EUSER;
	}
	return 0;
}

/* Signs of life that carry nothing obsenv looks at. */
static int on_sideband(const char *str, int len, void *payload)
{
	(void)str;
	(void)len;
	(void)payload;
	return watchdog_alive() ? 0 : GIT_EUSER;
}

static int on_tip(const char *ref, const git_oid *a, const git_oid *b, void *payload)
{
	(void)payload;
	(void)ref;
	(void)a;
	(void)b;
	return watchdog_alive() ? 0 : GIT_EUSER;
}

static int on_pack(int stage, uint32_t current, uint32_t total, void *payload)
{
	(void)stage;
	(void)current;
	(void)total;
	(void)payload;
	return watchdog_alive() ? 0 : GIT_EUSER;
}

/* The fetch itself, within the policy's connect and stall timeouts; one
 * that a limit ended is named by the limit, not by the interrupted call
 * libgit2 saw. */
static int bounded_fetch(git_remote *remote, git_strarray *refspecs, git_fetch_options *fo,
			 struct fetch_ctx *ctx)
{
	const struct policy *p = ctx->p;
	const struct package *k = ctx->k;
	enum watchdog_end end;
	int r, g;

	if ((r = watchdog_start(p->connect_timeout, p->stall_timeout)))
		return r;
	g = G(git_remote_fetch)(remote, refspecs, fo, "obsenv fetch");
	end = watchdog_stop();
	if (g >= 0)
		return 0;
	if (end == WD_CONNECT)
		return err_set(E_FAIL, "%s: the remote %s did not answer within %u s (connect_timeout)",
			       k->name, k->remote, p->connect_timeout);
	if (end == WD_STALL)
		return err_set(E_FAIL, "%s: the remote %s made no progress for %u s (stall_timeout)",
			       k->name, k->remote, p->stall_timeout);
	return ctx->refused ? E_FAIL : repo_fail(k->name);
}

int repo_fetch(const struct policy *p, const struct package *k)
{
	char path[PATH_MAX_LEN + 128], heads[2 * REF_MAX_LEN + 64], fetched[REF_MAX_LEN + 64];
	char tags[] = "refs/tags/*:refs/tags/*", *specs[2] = { heads, tags };
	git_repository *repo = NULL;
	git_remote *remote = NULL;
	git_remote_create_options ro = GIT_REMOTE_CREATE_OPTIONS_INIT;
	git_fetch_options fo = GIT_FETCH_OPTIONS_INIT;
	git_repository_init_options io = GIT_REPOSITORY_INIT_OPTIONS_INIT;
	git_strarray refspecs = { specs, 2 };
	struct fetch_ctx ctx = { p, k, 0, false };
	const char *local;
	git_oid id;
	struct stat st;
	int r = 0, dfd = -1;

	if ((r = repo_may_write(k->name)))
		return r;
	/* SSH without a known_hosts file would mean trusting the first key
	 * that answers: refused before any connection is made. */
	if (!p->known_hosts[0] && str_is_ssh_remote(k->remote))
		return err_set(E_FAIL, "%s: an SSH remote needs known_hosts in the policy", k->name);
	/* libgit2 calls a local path that is not there an "unsupported URL
	 * protocol": say what is wrong instead. */
	local = str_local_remote(k->remote);
	if (local && stat(local, &st) != 0 && errno == ENOENT)
		return err_set(E_FAIL, "%s: the remote %s does not exist (a local path)", k->name, local);
	repo_path(p, k, path, sizeof path);
	if (stat(path, &st) != 0) {
		io.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_NO_REINIT | GIT_REPOSITORY_INIT_MKDIR;
		if (G(git_repository_init_ext)(&repo, path, &io) < 0)
			return repo_fail(path);
		G(git_repository_free)(repo);
		repo = NULL;
	}
	if ((r = repo_open(p, k, &repo)))
		return r;
	/* The record of the store's tags (store/unchanged.c) goes before any
	 * tag can change, and comes back once the fetch has set them all. */
	if ((dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return err_sys(E_FAIL, errno, "%s", path);
	store_forget_tags(dfd);
	if (local) {
		if ((r = repo_fetch_local(p, k, repo, local)))
			goto out;
		goto fetched;
	}
	/* Fetched heads land outside refs/heads: moving the branch obsenv
	 * deploys from is a separate, fast-forward-only decision. */
	snprintf(heads, sizeof heads, "+refs/heads/%s:refs/obsenv/fetched/%s", k->deploy_branch,
		 k->deploy_branch);
	ro.repository = repo;
	ro.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
	if (G(git_remote_create_with_opts)(&remote, k->remote, &ro) < 0) {
		r = repo_fail(k->name);
		goto out;
	}
	fo.proxy_opts.type = GIT_PROXY_NONE;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	fo.prune = GIT_FETCH_NO_PRUNE;
	fo.update_fetchhead = 0;
	fo.callbacks.credentials = credentials;
	fo.callbacks.certificate_check = check_certificate;
	fo.callbacks.transfer_progress = on_transfer;
	fo.callbacks.sideband_progress = on_sideband;
	fo.callbacks.update_tips = on_tip;
	fo.callbacks.pack_progress = on_pack;
	fo.callbacks.payload = &ctx;
	if ((r = bounded_fetch(remote, &refspecs, &fo, &ctx)))
		goto out;
fetched:
	snprintf(fetched, sizeof fetched, "refs/obsenv/fetched/%s", k->deploy_branch);
	if (G(git_reference_name_to_id)(&id, repo, fetched) < 0) {
		r = err_set(E_FAIL, "%s: the remote has no branch '%s'", k->name, k->deploy_branch);
		goto out;
	}
	/* The first fetch sets the deploy branch; later ones move it only
	 * fast-forward (pull). */
	snprintf(heads, sizeof heads, "refs/heads/%s", k->deploy_branch);
	if (G(git_reference_name_to_id)(&id, repo, heads) < 0) {
		git_reference *ref = NULL;

		if (G(git_reference_name_to_id)(&id, repo, fetched) < 0 ||
		    G(git_reference_create)(&ref, repo, heads, &id, 0, "obsenv init") < 0)
			r = repo_fail(k->name);
		G(git_reference_free)(ref);
	}
	/* Only a mirror on a local path is checked without a fetch. Without
	 * the record the check reads each tag: slower, never wrong. */
	if (!r && local)
		(void)store_note_tags(dfd);
out:
	G(git_remote_free)(remote);
	close(dfd);
	return r;
}

int repo_deploy_head(const struct policy *p, const struct package *k, char out[OID_HEX + 1])
{
	char ref[REF_MAX_LEN + 16];
	git_repository *repo = NULL;
	git_oid id;
	int r;

	if ((r = repo_open(p, k, &repo)))
		return r;
	snprintf(ref, sizeof ref, "refs/heads/%s", k->deploy_branch);
	if (G(git_reference_name_to_id)(&id, repo, ref) < 0)
		r = err_set(E_FAIL, "%s: no deploy branch '%s' in the store", k->name, k->deploy_branch);
	else
		G(git_oid_tostr)(out, OID_HEX + 1, &id);
	return r;
}

int repo_verify_pin(const struct policy *p, const struct package *k, const struct pin *pin,
		   char tagref[OID_HEX + 1])
{
	char ref[REF_MAX_LEN + 16], got[OID_HEX + 1];
	git_repository *repo = NULL;
	git_object *obj = NULL, *commit = NULL;
	git_oid id;
	int r;

	tagref[0] = '\0';
	if ((r = repo_open(p, k, &repo)))
		return r;
	if (G(git_oid_fromstr)(&id, pin->commit) < 0 ||
	    G(git_object_lookup)(&commit, repo, &id, GIT_OBJECT_COMMIT) < 0) {
		r = err_set(E_FAIL, "%s: pinned commit %s is not in the repository", k->name, pin->commit);
		goto out;
	}
	if (pin->tag[0]) {
		snprintf(ref, sizeof ref, "refs/tags/%s", pin->tag);
		if (G(git_reference_name_to_id)(&id, repo, ref) < 0) {
			r = err_set(E_FAIL, "%s: pinned tag %s does not exist", k->name, pin->tag);
			goto out;
		}
		G(git_oid_tostr)(tagref, OID_HEX + 1, &id);
		if (G(git_object_lookup)(&obj, repo, &id, GIT_OBJECT_ANY) < 0) {
			r = repo_fail(k->name);
			goto out;
		}
		G(git_object_free)(commit);
		commit = NULL;
		if (G(git_object_peel)(&commit, obj, GIT_OBJECT_COMMIT) < 0) {
			r = err_set(E_FAIL, "%s: tag %s does not point to a commit", k->name, pin->tag);
			goto out;
		}
		G(git_oid_tostr)(got, sizeof got, G(git_object_id)(commit));
		if (strcmp(got, pin->commit) != 0)
			r = err_set(E_FAIL, "%s: TAG MOVED: %s now points to %s, but the base pin is %s; "
					    "refusing to use it", k->name, pin->tag, got, pin->commit);
	}
out:
	G(git_object_free)(obj);
	G(git_object_free)(commit);
	return r;
}

static int write_text(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX_LEN + 256];
	FILE *f;
	int ok;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (!(f = fopen(path, "we")))
		return err_sys(E_FAIL, errno, "%s", path);
	ok = fputs(text, f) >= 0;
	ok = fclose(f) == 0 && ok;
	return ok ? 0 : err_sys(E_FAIL, errno, "%s", path);
}

/* The store's repository and one of its commits, within the policy's
 * limits (git/limits.c); on failure nothing is left open. */
int repo_open_commit(const struct policy *p, const struct package *k, const char *commit,
		       git_repository **repo, git_object **obj)
{
	git_oid id;
	int r;

	*obj = NULL;
	if ((r = repo_open(p, k, repo)))
		return r;
	if (G(git_oid_fromstr)(&id, commit) < 0 ||
	    G(git_object_lookup)(obj, *repo, &id, GIT_OBJECT_COMMIT) < 0)
		r = err_set(E_FAIL, "%s: commit %s is not in the repository", k->name, commit);
	else
		r = limit_tree(p, k, *repo, *obj, commit);
	if (r) {
		G(git_object_free)(*obj);
		*obj = NULL;
		*repo = NULL;
	}
	return r;
}

int repo_check_limits(const struct policy *p, const struct package *k, const char *commit)
{
	git_repository *repo;
	git_object *obj;
	int r = repo_open_commit(p, k, commit, &repo, &obj);

	if (!r) {
		G(git_object_free)(obj);
	}
	return r;
}

int repo_checkout(const struct policy *p, const struct package *k, git_repository *repo,
		  git_object *obj, const char *commit, const char *tmp, const char *index, bool recheck)
{
	char dir[PATH_MAX_LEN + 128], path[PATH_MAX_LEN + 200], admin[PATH_MAX_LEN + 200];
	char text[2 * PATH_MAX_LEN + 300];
	git_index *ix = NULL;
	int r = 0, dfd = -1;

	snprintf(dir, sizeof dir, "%s/trees/%s", p->root, k->name);
	snprintf(path, sizeof path, "%s/%s", dir, tmp);
	snprintf(admin, sizeof admin, "%s/repos/%s.git/worktrees/%s", p->root, k->name, commit);
	snprintf(text, sizeof text, "%s/repos/%s.git/worktrees", p->root, k->name);
	if ((mkdir(dir, 0755) && errno != EEXIST) || (mkdir(text, 0755) && errno != EEXIST) ||
	    (mkdir(admin, 0755) && errno != EEXIST) || mkdir(path, 0755) ||
	    (dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return err_sys(E_FAIL, errno, "cannot prepare the tree of %s %s", k->name, commit);
	/* A worktree with a detached HEAD: plain git works in it. */
	snprintf(text, sizeof text, "%s\n", commit);
	if ((r = write_text(admin, "HEAD", text)) || (r = write_text(admin, "commondir", "../..\n")))
		goto out;
	snprintf(text, sizeof text, "%s/%s/.git\n", dir, commit);
	if ((r = write_text(admin, "gitdir", text)))
		goto out;
	unlink(index);
	/* Version 4 writes each path as a change from the one before: a
	 * third smaller, and every generation has an index per package. */
	if (G(git_index_open)(&ix, index) < 0 || G(git_index_set_version)(ix, 4) < 0) {
		r = repo_fail(k->name);
		goto out;
	}
	snprintf(text, sizeof text, "%s/repos/%s.git/files", p->root, k->name);
	if ((r = repo_build_tree(k, repo, obj, dfd, text, ix, recheck)))
		goto out;
	if (G(git_index_write)(ix) < 0) {
		r = repo_fail(k->name);
		goto out;
	}
	snprintf(text, sizeof text, "gitdir: %s\n", admin);
	if ((r = write_text(path, ".git", text)))
		goto out;
	/* Read-only once made; the files are already. */
	if (fchmodat(dfd, ".git", 0444, 0) || fchmod(dfd, 0555))
		r = err_sys(E_FAIL, errno, "cannot make the tree of %s read-only", k->name);
out:
	G(git_index_free)(ix);
	close(dfd);
	return r;
}

int repo_materialize(const struct policy *p, const struct package *k, const char *commit)
{
	char dir[PATH_MAX_LEN + 128], final[PATH_MAX_LEN + 200], index[PATH_MAX_LEN + 256];
	char text[2 * PATH_MAX_LEN + 300], name[300], tmp[OID_HEX + 32], ref[128];
	char ix_tmp[OID_HEX + 40];
	git_repository *repo = NULL;
	git_object *obj = NULL;
	git_reference *keep = NULL;
	struct stat st;
	int r, dfd = -1;

	snprintf(dir, sizeof dir, "%s/trees/%s", p->root, k->name);
	snprintf(final, sizeof final, "%s/%s", dir, commit);
	if (stat(final, &st) == 0)
		return 0;
	if ((r = repo_may_write(k->name)))
		return r;
	/* A commit over the limits is refused before anything is made. */
	if ((r = repo_open_commit(p, k, commit, &repo, &obj)))
		return r;
	/* The index too is written under a name of this run's own and renamed
	 * into place: a run killed while writing it leaves a leftover the next
	 * clean-up removes, never an index.lock that refuses every later try. */
	snprintf(tmp, sizeof tmp, ".tmp-%s-%d", commit, (int)getpid());
	snprintf(ix_tmp, sizeof ix_tmp, ".tmp-index-%s-%d", commit, (int)getpid());
	snprintf(index, sizeof index, "%s/%s", dir, ix_tmp);
	if ((r = repo_checkout(p, k, repo, obj, commit, tmp, index, false)))
		goto out;
	snprintf(text, sizeof text, "%s/repos/%s.git/worktrees/%s/index", p->root, k->name, commit);
	if (rename(index, text)) {
		r = err_sys(E_FAIL, errno, "cannot put the git index of %s %s in place", k->name, commit);
		goto out;
	}
	if ((r = repo_describe(repo, obj, text, sizeof text)))
		goto out;
	snprintf(name, sizeof name, "%s.meta", commit);
	{
		char meta[sizeof text + 16];

		snprintf(meta, sizeof meta, "describe %s\n", text);
		if ((r = write_text(dir, name, meta)))
			goto out;
	}
	/* Every commit that was ever deployed stays reachable, for tracing. */
	snprintf(ref, sizeof ref, "refs/obsenv/deployed/%s", commit);
	if (G(git_reference_create)(&keep, repo, ref, G(git_object_id)(obj), 1, "obsenv") < 0) {
		r = repo_fail(k->name);
		goto out;
	}
	/* The tree, its index and the objects and refs fetched before it are
	 * on disk before the tree has the name every later run trusts; the
	 * rename is before any generation names the tree. */
	snprintf(name, sizeof name, "the tree of %s %.10s", k->name, commit);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		r = err_sys(E_FAIL, errno, "%s", dir);
	else if (!(r = fs_sync_before_name(dfd, name)) && (renameat(dfd, tmp, dfd, commit) || fsync(dfd)))
		r = err_sys(E_FAIL, errno, "cannot put the tree of %s in place", k->name);
out:
	G(git_reference_free)(keep);
	G(git_object_free)(obj);
	if (r) {
		if (dfd < 0)
			dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dfd >= 0) {
			store_discard(dfd, tmp);
			store_discard(dfd, ix_tmp);
		}
	}
	if (dfd >= 0)
		close(dfd);
	return r;
}

int repo_drift(const struct policy *p, const struct package *k, const char *commit, size_t *count,
	       repo_drift_fn *each, void *arg)
{
	char path[PATH_MAX_LEN + 200];
	git_repository *repo = NULL;
	git_config *empty = NULL;
	git_status_list *list = NULL;
	git_status_options so = GIT_STATUS_OPTIONS_INIT;
	int r = 0;

	snprintf(path, sizeof path, "%s/trees/%s/%s", p->root, k->name, commit);
	if (G(git_repository_open_ext)(&repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		return repo_fail(path);
	if (G(git_config_new)(&empty) < 0 || G(git_repository_set_config)(repo, empty) < 0) {
		r = repo_fail(path);
		goto out;
	}
	so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
		   GIT_STATUS_OPT_EXCLUDE_SUBMODULES | GIT_STATUS_OPT_NO_REFRESH;
	if (G(git_status_list_new)(&list, repo, &so) < 0) {
		r = repo_fail(path);
		goto out;
	}
	*count = G(git_status_list_entrycount)(list);
	for (size_t i = 0; each && i < *count; i++) {
		const git_status_entry *e = G(git_status_byindex)(list, i);
		const git_diff_delta *d = e ? (e->index_to_workdir ? e->index_to_workdir : e->head_to_index) : NULL;
		const char *file = d ? (d->new_file.path ? d->new_file.path : d->old_file.path) : NULL;

		if (file && !each(arg, file))
			break;
	}
out:
	G(git_status_list_free)(list);
	G(git_config_free)(empty);
	G(git_repository_free)(repo);
	return r;
}
