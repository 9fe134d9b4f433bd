/* A pull with nothing new is the timer's every minute. For a remote on a
 * local path (a mirror on the same host or on NFS) its refs are read as
 * files and compared with what the store fetched last: when its deploy
 * branch and every tag are what the store has, the fetch is skipped, and
 * libgit2 never opens either repository. */
#ifndef OBSENV_STORE_UNCHANGED_H
#define OBSENV_STORE_UNCHANGED_H

#include <stdbool.h>

#include "store/store.h"

/* True when the remote of k is a local path whose deploy branch equals
 * the store's fetched one and its deploy branch (now receives it), and
 * whose every tag the store has with the same id. False when anything
 * differs or cannot be read for certain: the caller fetches as usual,
 * and libgit2 reports what is wrong. */
bool store_remote_unchanged(struct store *s, const struct package *k, char now[41]);
/* Before a fetch may change a tag of the repository at repofd (a
 * package's store repository), its record of them is removed; after the
 * fetch, store_note_tags writes it again from the tags themselves. */
void store_forget_tags(int repofd);
int store_note_tags(int repofd);

#endif
