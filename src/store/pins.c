#include "store/pins.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "store/refs.h"

#define PIN_TEXT_MAX (REF_MAX_LEN + 2 * OID_HEX + 64)

static int open_pins(struct store *s)
{
	int fd = openat(s->root, "pins", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	return fd >= 0 ? fd : err_sys(E_FAIL, errno, "%s/pins", s->pol->root);
}

static int read_one(struct store *s, int dfd, const char *name, struct verified_pin *v)
{
	char text[PIN_TEXT_MAX], tag[REF_MAX_LEN + 1], tagref[OID_HEX + 2];
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	ssize_t n;

	memset(v, 0, sizeof *v);
	if (fd < 0)
		return errno == ENOENT ? R_ABSENT : err_sys(E_FAIL, errno, "%s/pins/%s", s->pol->root, name);
	n = read(fd, text, sizeof text - 1);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	if (sscanf(text, "tag %255s commit %40s tagref %41s", tag, v->commit, tagref) != 3 ||
	    !is_oid_hex(v->commit) || (strcmp(tagref, "-") != 0 && !is_oid_hex(tagref)) ||
	    (strcmp(tag, "-") != 0 && !str_is_refname(tag)))
		return err_set(E_FAIL, "%s/pins/%s is damaged; run 'obsenv init'", s->pol->root, name);
	str_copy(v->tag, sizeof v->tag, strcmp(tag, "-") ? tag : "");
	str_copy(v->tagref, sizeof v->tagref, strcmp(tagref, "-") ? tagref : "");
	return 0;
}

static int write_one(int fd, const char *name, const struct verified_pin *v)
{
	char text[PIN_TEXT_MAX];
	int n = snprintf(text, sizeof text, "tag %s\ncommit %s\ntagref %s\n", v->tag[0] ? v->tag : "-",
			 v->commit, v->tagref[0] ? v->tagref : "-");

	return store_write_file(fd, name, text, (size_t)n, 0644);
}

int pins_write(struct store *s, const char *pkg, const struct verified_pin *v,
	       const struct verified_pin *base)
{
	char prev[NAME_MAX_LEN + 8];
	int fd = open_pins(s), r = 0;

	if (fd < 0)
		return fd;
	snprintf(prev, sizeof prev, "%s.prev", pkg);
	if (base)
		r = write_one(fd, prev, base);
	if (!r)
		r = write_one(fd, pkg, v);
	close(fd);
	return r;
}

int pins_read(struct store *s, const char *pkg, const char *commit, struct verified_pin *v)
{
	char prev[NAME_MAX_LEN + 8];
	struct verified_pin older;
	int dfd = open_pins(s), r;

	if (dfd < 0)
		return dfd;
	r = read_one(s, dfd, pkg, v);
	if (commit && (r == R_ABSENT || (r == 0 && strcmp(v->commit, commit) != 0))) {
		snprintf(prev, sizeof prev, "%s.prev", pkg);
		if (read_one(s, dfd, prev, &older) == 0 && strcmp(older.commit, commit) == 0) {
			*v = older;
			r = 0;
		}
	}
	close(dfd);
	return r;
}

int pins_tag_now(struct store *s, const char *pkg, const struct verified_pin *v,
		 char now[OID_HEX + 1])
{
	char repo[NAME_MAX_LEN + 16], ref[REF_MAX_LEN + 16];
	int fd, r;

	snprintf(repo, sizeof repo, "repos/%s.git", pkg);
	snprintf(ref, sizeof ref, "refs/tags/%s", v->tag);
	if ((fd = openat(s->root, repo, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return err_sys(E_FAIL, errno, "%s: the repository", pkg);
	r = refs_read(fd, ref, now);
	close(fd);
	return r;
}
