#include "store/unchanged.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/str.h"
#include "store/refs.h"
#include "store/refset.h"

/* Every tag the remote has, the store has with the same id. The store
 * keeps tags the remote deleted (a fetch never prunes): not a change. */
static bool tags_fetched(int src, int dest)
{
	struct refset theirs, ours;
	bool same = false;

	if (refset_read(src, "refs/tags/", &theirs))
		return false;
	if (refset_read(dest, "refs/tags/", &ours) == 0) {
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
