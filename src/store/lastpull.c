#include "store/lastpull.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "core/str.h"
#include "store/gen.h"

static const char *const results[] = { [PULL_OK] = "ok", [PULL_PARTIAL] = "partial",
				       [PULL_FAILED] = "failed" };

const char *lastpull_result_name(enum pull_result r)
{
	return (unsigned int)r < sizeof results / sizeof *results ? results[r] : "?";
}

/* "a,b,c": package names, none empty; "" only when ok. */
static bool failed_ok(const char *list, enum pull_result r)
{
	char buf[LASTPULL_FAILED_MAX], *name, *save = NULL;

	if (!list[0])
		return r == PULL_OK;
	if (r == PULL_OK || str_copy(buf, sizeof buf, list) || list[0] == ',' ||
	    list[strlen(list) - 1] == ',' || strstr(list, ",,"))
		return false;
	for (name = strtok_r(buf, ",", &save); name; name = strtok_r(NULL, ",", &save))
		if (!str_is_ident(name))
			return false;
	return true;
}

int lastpull_format(const struct last_pull *lp, char *buf, size_t size)
{
	int n;

	if (lp->time < 0 || lp->time > GEN_TIME_MAX || (unsigned int)lp->result > PULL_FAILED ||
	    !failed_ok(lp->failed, lp->result))
		return err_set(E_FAIL, "%s: not a valid record", LASTPULL_FILE);
	n = snprintf(buf, size, "time=%lld\nresult=%s\nfailed=%s\n", lp->time,
		     lastpull_result_name(lp->result), lp->failed);
	if (n < 0 || (size_t)n >= size)
		return err_set(E_FAIL, "%s: record too long", LASTPULL_FILE);
	return n;
}

static int field(struct last_pull *lp, const char *key, const char *v, unsigned int *seen)
{
	unsigned long long t;

	if (!strcmp(key, "time") && !(*seen & 1u) && !str_to_bounded(v, GEN_TIME_MAX, &t)) {
		lp->time = (long long)t;
		*seen |= 1u;
		return 0;
	}
	for (unsigned int r = 0; !strcmp(key, "result") && !(*seen & 2u) && r <= PULL_FAILED; r++)
		if (!strcmp(v, results[r])) {
			lp->result = (enum pull_result)r;
			*seen |= 2u;
			return 0;
		}
	if (!strcmp(key, "failed") && !(*seen & 4u) && !str_copy(lp->failed, sizeof lp->failed, v)) {
		*seen |= 4u;
		return 0;
	}
	return -1;
}

int lastpull_parse(const char *buf, size_t len, struct last_pull *lp)
{
	char text[LASTPULL_MAX + 1], *line, *save = NULL;
	unsigned int seen = 0, n = 0;

	memset(lp, 0, sizeof *lp);
	if (len > LASTPULL_MAX || memchr(buf, '\0', len))
		return err_set(E_FAIL, "%s: not a record (too long or binary)", LASTPULL_FILE);
	memcpy(text, buf, len);
	text[len] = '\0';
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		n++;
		if (!eq) {
			/* A name is shown only once it is known to be printable. */
			return err_set(E_FAIL, "%s: line %u is not key=value", LASTPULL_FILE, n);
		}
		*eq = '\0';
		if (field(lp, line, eq + 1, &seen))
			return err_set(E_FAIL, "%s: line %u: bad or repeated field '%.16s'", LASTPULL_FILE, n,
				       str_is_ident(line) ? line : "?");
	}
	if (seen != 7u || !failed_ok(lp->failed, lp->result))
		return err_set(E_FAIL, "%s: %s", LASTPULL_FILE,
			       seen != 7u ? "a field is missing" : "the failed packages do not match the result");
	return 0;
}

int lastpull_write(struct store *s, size_t tried, size_t nfailed, const char *failed)
{
	struct last_pull lp = { .time = (long long)time(NULL) };
	char buf[LASTPULL_MAX];
	size_t j = 0;
	int n;

	lp.result = !nfailed ? PULL_OK : nfailed < tried ? PULL_PARTIAL : PULL_FAILED;
	for (size_t i = 0; failed[i] && j + 1 < sizeof lp.failed; i++)
		if (failed[i] != ' ')
			lp.failed[j++] = failed[i];
	while (j && lp.failed[j - 1] == ',') /* a list pull had to cut */
		j--;
	lp.failed[j] = '\0';
	if ((n = lastpull_format(&lp, buf, sizeof buf)) < 0)
		return n;
	return store_write_file(s->root, LASTPULL_FILE, buf, (size_t)n, 0644);
}

int lastpull_read(struct store *s, struct last_pull *lp)
{
	char buf[LASTPULL_MAX + 1];
	int fd = openat(s->root, LASTPULL_FILE, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	ssize_t n;

	memset(lp, 0, sizeof *lp);
	if (fd < 0)
		return errno == ENOENT ? R_ABSENT : err_sys(E_FAIL, errno, "%s/%s", s->pol->root, LASTPULL_FILE);
	n = read(fd, buf, sizeof buf);
	close(fd);
	if (n < 0)
		return err_sys(E_FAIL, errno, "%s/%s", s->pol->root, LASTPULL_FILE);
	return lastpull_parse(buf, (size_t)n, lp);
}
