/* One error idiom for all of obsenv: functions return 0 or a negative code,
 * and the one message that explains the failure is kept here so that main()
 * can print it and put the very same text into the audit record. */
#ifndef OBSENV_ERR_H
#define OBSENV_ERR_H

#include <stdbool.h>

/* On every int-returning interface but a few string helpers: an ignored
 * return code is how a half-done change would go unnoticed. */
#define MUST_USE __attribute__((warn_unused_result))

enum {
	E_OK = 0,
	E_FAIL = -1,   /* the action failed; exit 1 */
	E_USAGE = -2,  /* bad command line; exit 2 */
	E_DENIED = -3, /* the policy does not allow it; exit 3 */
	E_POLICY = -4, /* policy missing, unsafe or invalid; exit 4 */
	E_PRIV = -5,   /* identity, privilege drop or sandbox failed; exit 5 */
	E_FROZEN = -6, /* the environment is frozen; exit 6 */
	E_PARTIAL = -7, /* rollback switched, but some packages could not move; exit 7 */
	E_NOT_READY = -8, /* status --check or --verify found a problem; exit 8 */
};

/* Not an error: what was looked up is not there (a ref, a pin record, the
 * freeze file). Look-ups return it so that callers branch on a name, not
 * on a bare 1; an action never returns it. */
#define R_ABSENT 1

/* Records the message (printf-style) and returns code, so callers write
 * `return err_set(E_FAIL, "...")` or `r = err_set(...); goto out;`. */
int err_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Like err_set, with ": strerror(errnum)" appended. */
int err_sys(int code, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The one out-of-memory path: every failed allocation that ends an
 * operation says so in the same words, so no caller returns success, or
 * a failure without a message, when malloc failed. */
int err_oom(void);
const char *err_msg(void);
/* The current error goes to the audit record but not to stderr (a frozen
 * environment, to the unattended timer, is news, not an error). */
void err_quiet(void);
bool err_is_quiet(void);
int err_exit_status(int code);

#endif
