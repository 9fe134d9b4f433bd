#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/str.h"

/* Per thread: the store's trash sweeper (store/sweeper.c) fails in its
 * own words without overwriting the message the action is about to print. */
static _Thread_local char msg[1024];
static _Thread_local bool quiet;

static void put(const char *fmt, va_list ap)
{
	char tmp[sizeof msg];

	/* Formatted aside first: a caller may pass err_msg() itself, to put
	 * context before the message it has. One line, no terminal escapes:
	 * messages quote user input and go to the caller's terminal. The
	 * audit record escapes the raw input. */
	quiet = false;
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	str_for_terminal(msg, sizeof msg, tmp);
}

int err_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put(fmt, ap);
	va_end(ap);
	return code;
}

int err_sys(int code, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	put(fmt, ap);
	va_end(ap);
	n = strlen(msg);
	snprintf(msg + n, sizeof msg - n, ": %s", strerror(errnum));
	return code;
}

const char *err_msg(void)
{
	return msg[0] ? msg : "unknown error";
}

void err_quiet(void)
{
	quiet = true;
}

bool err_is_quiet(void)
{
	return quiet;
}

int err_exit_status(int code)
{
	switch (code) {
	case E_OK: return 0;
	case E_USAGE: return 2;
	case E_DENIED: return 3;
	case E_POLICY: return 4;
	case E_PRIV: return 5;
	case E_FROZEN: return 6;
	case E_PARTIAL: return 7;
	case E_NOT_READY: return 8;
	default: return 1;
	}
}

int err_oom(void)
{
	return err_set(E_FAIL, "out of memory");
}
