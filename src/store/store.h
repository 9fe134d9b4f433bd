/* The environment on disk. Switching it is one rename(2) of a symlink:
 *
 *   <root>/<pkg>                  -> current/<pkg>    (stable; what users configure)
 *   <root>/current                -> generations/<N>  (replaced atomically)
 *   <root>/generations/<N>/<pkg>  -> ../../trees/<pkg>/<commit>
 *   <root>/generations/<N>/record    who, when, what (gen.h)
 *   <root>/generations/<N>/auto_env_setup.sh   what notebooks source (setupsh.h)
 *   <root>/auto_env_setup.sh      -> current/auto_env_setup.sh
 *   <root>/trees/<pkg>/<commit>/     a read-only checkout, never changed in place
 *   <root>/trees/<pkg>/<commit>.meta  its describe name and on-disk identity
 *   <root>/repos/<pkg>.git           the package's object store
 *   <root>/pins/<pkg>                the base pin as last verified against git
 *   <root>/last-pull                 how the last pull ended (lastpull.h)
 *   <root>/last-verify               when the base trees were last checked (lastverify.h)
 *   <root>/.lock                     flock(2)ed to switch generations (store/lock.h)
 *   <root>/.work.lock                flock(2)ed for a change's long work
 *
 * Everything is written under a ".tmp-" name and renamed into place, so a
 * run killed at any moment leaves the old generation or the new one, and
 * leftovers that the next run removes. */
#ifndef OBSENV_STORE_H
#define OBSENV_STORE_H

#include <stdbool.h>

#include "store/gen.h"
#include "store/lock.h"
#include "policy/policy.h"
#include "core/err.h"

struct store {
	int root;  /* the environment root, opened O_DIRECTORY */
	int lock;  /* the switch lock; -1 unless held */
	int work;  /* the work lock; -1 unless held */
	const struct policy *pol;
	size_t set_aside; /* trees store_gc_trees set aside in this run */
};
#define STORE_INIT { .root = -1, .lock = -1, .work = -1, .pol = NULL }

/* create: make the directories of the layout (init). */
MUST_USE int store_open(struct store *s, const struct policy *p, bool create);
void store_close(struct store *s);
/* earlier: see lock_take. */
MUST_USE int store_lock(struct store *s, enum lock_kind kind, const char *who, char *earlier,
			size_t earlier_size);
void store_unlock(struct store *s, enum lock_kind kind);
/* Removes what killed runs left behind. trees: also the repositories'
 * temporaries (only actions that materialize trees leave any): call it
 * so only under the work lock. A leftover whose maker is still running
 * is not one: every .tmp- name ends in its maker's pid, and a live pid's
 * names stay, whichever lock the sweeper holds. Tries every leftover; an
 * error means some are still there, which is safe to report and go on
 * from. */
MUST_USE int store_cleanup(struct store *s, bool trees);
/* The .tmp- leftovers of killed runs directly in the directory dfd (a
 * package's file store), as store_cleanup removes them elsewhere; one
 * that cannot go is clutter, never in the way. */
int store_sweep_leftovers(int dfd);
/* Which trees set aside store_empty_trash removes: those of this run, of
 * earlier runs, or both. */
enum trash_which { TRASH_NONE, TRASH_OWN, TRASH_EARLIER, TRASH_ALL };
/* Removes the trees store_gc_trees set aside, then the file store's
 * copies no tree has any more. The slow part of a change's clean-up, so a
 * change that switched removes only what earlier runs set aside
 * (TRASH_EARLIER) and leaves its own to the next run. Under the work lock. */
MUST_USE int store_empty_trash(struct store *s, enum trash_which which);
/* Whether a tree some run set aside is there to remove (one read of
 * each package's trees directory). */
bool store_has_trash(struct store *s);
/* Its first half for one package: the set-aside trees only, counted in
 * *gone; the file store is not touched (store/sweeper.h). */
MUST_USE int store_remove_trash(struct store *s, const char *pkg, enum trash_which which, size_t *gone);
/* Whether a killed run or a restart may have left git lock files in the
 * store's repositories since they were last swept. */
bool store_locks_suspect(struct store *s);
/* Removes them (gitlocks.h) and marks the store swept. Under both locks:
 * a rollback rebuilding a base tree writes refs under the switch lock. */
MUST_USE int store_sweep_locks(struct store *s);
/* *have is false when no generation exists yet (before init). */
MUST_USE int store_current(struct store *s, struct generation *g, bool *have);
/* The same, for actions that need an initialized environment. */
MUST_USE int store_current_required(struct store *s, struct generation *g);
MUST_USE int store_read(struct store *s, unsigned long number, struct generation *g);
/* The numbers of the generations on disk, highest first (to be freed). */
MUST_USE int store_generations(struct store *s, unsigned long **out, size_t *count);
bool store_has_tree(struct store *s, const char *pkg, const char *commit);
/* Writes g as a new generation (its number is assigned here) and makes
 * it current. Removes nothing old: see store_trim. */
MUST_USE int store_switch(struct store *s, struct generation *g);
/* Removes the generations beyond the newest keep_generations up to the
 * current one. Every action that changes the environment runs it, except
 * rollback, which must be as quick as it can be: the next action, or the
 * timer's next pull, trims what a rollback added. */
MUST_USE int store_trim(struct store *s);
/* Gives a current generation made before auto_env_setup.sh existed its
 * copy, and makes the root's stable links (init, with nothing to add). */
MUST_USE int store_ensure_setupsh(struct store *s);
/* Sets aside trees that no kept generation and no pin refers to: neither
 * the base file's (pins) nor the last verified ones (verified, which a
 * rollback falls back to). Either array may hold "" commits. Each is one
 * rename to a .tmp- name; store_empty_trash removes it. */
MUST_USE int store_gc_trees(struct store *s, const struct pin *pins, const struct pin *verified);
/* The describe name recorded when the tree was made ("" if unknown). */
void store_tree_name(struct store *s, const char *pkg, const char *commit, char *out, size_t size);
/* Writes data to dir/name atomically (temp, fsync, rename, fsync dir). */
MUST_USE int store_write_file(int dirfd, const char *name, const char *data, size_t len, int mode);
/* Removes name below dirfd and everything under it, never following links. */
MUST_USE int store_remove(int dirfd, const char *name);
/* The same as clean-up after a failure: the failure's message stays. */
void store_discard(int dirfd, const char *name);

#endif
