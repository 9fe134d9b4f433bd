/* Replacing one file in a user's home, as that user, without being led
 * anywhere else by what the user (or anyone) put on the way. */
#ifndef OBSENV_USERFILE_H
#define OBSENV_USERFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>
#include "core/err.h"

#define USERFILE_NAME_MAX 255
#define USERFILE_DEPTH_MAX 16 /* directories between the home and the file */

struct userfile_result {
	char backup[USERFILE_NAME_MAX + 1]; /* "" when there was nothing to save */
	unsigned int made_dirs;             /* directories created on the way */
	bool unchanged;                     /* the file held data already: nothing written */
};

/* Opens home (the path from the password database) and checks that it is
 * a directory owned by uid. Returns a descriptor or a negative code. */
MUST_USE int userfile_open_home(const char *home, uid_t uid);
/* Replaces rel below the directory home (home_path names it in messages): every component is opened with
 * O_NOFOLLOW and must be owned by uid; missing directories are made 0755;
 * an existing file must be a regular file owned by uid with one link, and
 * is kept under "<name>.bak-<UTC time>[-N]", never overwriting anything.
 * The new file is written under a temporary name, synced and renamed over
 * the old one, so the name always holds the old content or the new. A
 * file that holds data already is left alone (res->unchanged): a backup
 * of what would be written again would only be clutter. */
MUST_USE int userfile_replace(int home, const char *home_path, const char *rel, uid_t uid, const char *data,
		     size_t len, time_t now, struct userfile_result *res);

#endif
