#include "store/freeze.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "door/audit.h"
#include "store/gen.h"

#define FREEZE_FILE "frozen"
#define FREEZE_MAX 1024

void freeze_time(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, size, "?");
}

/* "since N\nwho TEXT\nreason TEXT\n", written only by obsenv. */
int freeze_read(struct store *s, struct freeze *f)
{
	char buf[FREEZE_MAX + 1], *line, *save = NULL;
	const char *bad = NULL;
	ssize_t n;
	int fd = openat(s->root, FREEZE_FILE, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	memset(f, 0, sizeof *f);
	if (fd < 0)
		return errno == ENOENT ? R_ABSENT : err_sys(E_FAIL, errno, "%s/%s", s->pol->root, FREEZE_FILE);
	n = read(fd, buf, FREEZE_MAX);
	close(fd);
	if (n < 0)
		return err_sys(E_FAIL, errno, "%s/%s", s->pol->root, FREEZE_FILE);
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long t;

		if (!strncmp(line, "since ", 6))
			bad = str_to_bounded(line + 6, GEN_TIME_MAX, &t) ? "since"
									 : (f->since = (long long)t, bad);
		else if (!strncmp(line, "until ", 6))
			bad = str_to_bounded(line + 6, GEN_TIME_MAX, &t) || t == 0 ? "until"
										   : (f->until = (long long)t, bad);
		else if (!strncmp(line, "who ", 4))
			bad = !str_is_text(line + 4, sizeof f->who - 1) ||
					      str_copy(f->who, sizeof f->who, line + 4) ? "who" : bad;
		else if (!strncmp(line, "reason ", 7))
			bad = !str_is_text(line + 7, FREEZE_REASON_MAX) ||
					      str_copy(f->reason, sizeof f->reason, line + 7) ? "reason" : bad;
	}
	/* Unreadable content still means frozen: fail safe, but show none of
	 * what is not valid, and say which field it was. */
	if (bad) {
		fprintf(stderr, "obsenv: warning: %s/%s: bad field '%s'\n", s->pol->root, FREEZE_FILE,
			bad);
		f->since = 0;
		f->until = 0;
		str_copy(f->who, sizeof f->who, "?");
		snprintf(f->reason, sizeof f->reason, "(the freeze file is damaged: bad %s)", bad);
	}
	if (!f->reason[0])
		str_copy(f->reason, sizeof f->reason, "(no reason recorded)");
	if (f->until && (long long)time(NULL) >= f->until) {
		f->expired = true;
		return R_ABSENT;
	}
	return 0;
}

void freeze_expire(struct store *s)
{
	struct freeze f;
	char note[FREEZE_REASON_MAX + 300], until[40];

	if (freeze_read(s, &f) != R_ABSENT || !f.expired)
		return;
	freeze_time(f.until, until, sizeof until);
	snprintf(note, sizeof note, "the freeze by %s until %s (\"%s\") ended by itself", f.who, until,
		 f.reason);
	if (freeze_clear(s)) {
		fprintf(stderr, "obsenv: warning: %s, but its file stays: %s\n", note, err_msg());
		audit_note("warning.freeze", err_msg());
	}
	audit_note("freeze_ended", note);
}

int freeze_check(struct store *s)
{
	struct freeze f;
	char when[40];
	int r = freeze_read(s, &f);

	if (r)
		return r == R_ABSENT ? 0 : r;
	freeze_time(f.since, when, sizeof when);
	if (f.until) {
		char until[40];

		freeze_time(f.until, until, sizeof until);
		return err_set(E_FROZEN, "the environment is frozen since %s by %s until %s: \"%s\"; only "
					 "rollback is allowed until then or 'obsenv thaw'", when,
			       f.who[0] ? f.who : "?", until, f.reason);
	}
	return err_set(E_FROZEN, "the environment is frozen since %s by %s: \"%s\"; only rollback is "
				 "allowed until 'obsenv thaw'", when, f.who[0] ? f.who : "?", f.reason);
}

int freeze_write(struct store *s, const struct freeze *f)
{
	char buf[FREEZE_MAX];
	int n = f->until ? snprintf(buf, sizeof buf, "since %lld\nuntil %lld\nwho %s\nreason %s\n", f->since,
				    f->until, f->who, f->reason)
			 : snprintf(buf, sizeof buf, "since %lld\nwho %s\nreason %s\n", f->since, f->who,
				    f->reason);

	if (n < 0 || (size_t)n >= sizeof buf)
		return err_set(E_FAIL, "freeze record too long");
	return store_write_file(s->root, FREEZE_FILE, buf, (size_t)n, 0644);
}

int freeze_clear(struct store *s)
{
	if (unlinkat(s->root, FREEZE_FILE, 0) && errno != ENOENT)
		return err_sys(E_FAIL, errno, "%s/%s", s->pol->root, FREEZE_FILE);
	if (fsync(s->root))
		return err_sys(E_FAIL, errno, "%s", s->pol->root);
	return 0;
}
