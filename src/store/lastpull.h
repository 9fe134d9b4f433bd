/* <root>/last-pull: how the last pull ended, for status and whatever
 * monitors it. One key=value a line, each key once:
 *   time=<seconds since the epoch>
 *   result=ok|partial|failed
 *   failed=<pkg>,<pkg>        (empty when none failed)
 * Written by pull as it ends; everything read back is validated, for the
 * file is the owner account's and status trusts none of it. */
#ifndef OBSENV_LASTPULL_H
#define OBSENV_LASTPULL_H

#include "store/store.h"
#include "core/err.h"

#define LASTPULL_FILE "last-pull"
#define LASTPULL_FAILED_MAX 1024
#define LASTPULL_MAX (LASTPULL_FAILED_MAX + 128)

enum pull_result { PULL_OK, PULL_PARTIAL, PULL_FAILED };

struct last_pull {
	long long time;
	enum pull_result result;
	char failed[LASTPULL_FAILED_MAX]; /* "pkg00,pkg02"; "" when none */
};

const char *lastpull_result_name(enum pull_result r);
/* The file's text for lp, in buf; its length, or E_FAIL if it does not
 * fit or lp is not valid (what is written must read back). */
MUST_USE int lastpull_format(const struct last_pull *lp, char *buf, size_t size);
/* 0, or E_FAIL naming the first bad line or field. */
MUST_USE int lastpull_parse(const char *buf, size_t len, struct last_pull *lp);
/* pull's end: tried packages, nfailed of them failed, named in failed
 * (pull's ", "-separated list). Now is the time. */
MUST_USE int lastpull_write(struct store *s, size_t tried, size_t nfailed, const char *failed);
/* 0, R_ABSENT when no pull has ended yet, or E_FAIL (damaged). */
MUST_USE int lastpull_read(struct store *s, struct last_pull *lp);

#endif
