#include "store/unchanged.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/str.h"
#include "store/refs.h"
#include "store/refset.h"

/* The store's tags as the last fetch left them, one file: reading each
 * tag of the store as a file of its own was half of each package's check
 * (63 packages with some 20 tags each: about 13 ms of a pull). */
#define TAGS_SEEN "obsenv-tags"

void store_forget_tags(int repofd)
{
	unlinkat(repofd, TAGS_SEEN, 0);
}

static int write_record(int repofd, const struct refset *tags)
{
	char *text = NULL;
	size_t len;
	int r = refset_format(tags, &text, &len);

	if (!r)
		r = store_write_file(repofd, TAGS_SEEN, text, len, 0644);
	free(text);
	return r;
}

int store_note_tags(int repofd)
{
	struct refset tags;
	int r;

	if ((r = refset_read(repofd, "refs/tags/", &tags)))
		return r;
	r = write_record(repofd, &tags);
	refset_free(&tags);
	return r;
}

/* The record when there is a whole one, else the tags themselves, which
 * then become the record (a package no fetch has been into since the
 * record came to be, which is most of them). Tags change only by a
 * fetch, which forgets the record first and writes it again last, under
 * the work lock this check is made under: a record is what the store
 * has. */
static int our_tags(int dest, struct refset *out)
{
	char *text = NULL;
	size_t len;
	int r = refs_read_file(dest, TAGS_SEEN, REFS_PACKED_MAX, &text, &len);

	if (r == 0 && text && refset_parse(text, len, out) == 0) {
		free(text);
		return 0;
	}
	free(text);
	if ((r = refset_read(dest, "refs/tags/", out)))
		return r;
	/* Not written, the next check reads the tags again: slower, not wrong. */
	(void)write_record(dest, out);
	return 0;
}

/* Every tag the remote has, the store has with the same id. The store
 * keeps tags the remote deleted (a fetch never prunes): not a change. */
static bool tags_fetched(int src, int dest)
{
	struct refset theirs, ours;
	bool same = false;

	if (refset_read(src, "refs/tags/", &theirs))
		return false;
	if (our_tags(dest, &ours) == 0) {
		same = true;
		for (size_t i = 0; same && i < theirs.n; i++) {
			const char *id = refset_find(&ours, theirs.e[i].name);

			same = id && !strcmp(id, theirs.e[i].id);
		}
		refset_free(&ours);
	}
	refset_free(&theirs);
	return same;
}

bool store_remote_unchanged(struct store *s, const struct package *k, char now[41])
{
	char path[NAME_MAX_LEN + 16], ref[REF_MAX_LEN + 32], theirs[41], fetched[41];
	const char *local = str_local_remote(k->remote);
	int src = -1, dest = -1;
	bool same = false;

	if (!local)
		return false;
	snprintf(path, sizeof path, "repos/%s.git", k->name);
	/* The remote's path is the root-owned policy's: followed as libgit2
	 * would; what lies inside it is not (refs are read with O_NOFOLLOW). */
	if ((src = open(local, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (dest = openat(s->root, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		goto out;
	snprintf(ref, sizeof ref, "refs/heads/%s", k->deploy_branch);
	if (refs_read(src, ref, theirs) || refs_read(dest, ref, now) || strcmp(theirs, now) != 0)
		goto out;
	snprintf(ref, sizeof ref, "refs/obsenv/fetched/%s", k->deploy_branch);
	if (refs_read(dest, ref, fetched) || strcmp(fetched, now) != 0)
		goto out;
	same = tags_fetched(src, dest);
out:
	if (src >= 0)
		close(src);
	if (dest >= 0)
		close(dest);
	return same;
}
