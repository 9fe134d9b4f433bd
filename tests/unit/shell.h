/* The unit tests that make repositories do it with the git command:
 * sh() runs a command and fails the test unless it succeeds, out() gives
 * the first line a command prints. */
#ifndef OBSENV_TEST_SHELL_H
#define OBSENV_TEST_SHELL_H

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static inline void out(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static inline void out(char *buf, size_t size, const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	cr_assert(f, "%s", cmd);
	buf[0] = 0;
	if (fgets(buf, (int)size, f))
		buf[strcspn(buf, "\n")] = 0;
	pclose(f);
}

#endif
