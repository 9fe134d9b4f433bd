/* A list of "file:line:column: message" lines, so that `obsenv check`
 * can show every problem in a file at once, as visudo -c does. */
#ifndef OBSENV_DIAG_H
#define OBSENV_DIAG_H

#include <stddef.h>

#define DIAG_MAX 64

struct diag {
	const char *file;
	char *msgs[DIAG_MAX];
	size_t n;
	size_t dropped; /* messages past DIAG_MAX, counted only */
};

/* line and col are 1-based; 0 means "the file as a whole". */
void diag_add(struct diag *d, size_t line, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void diag_free(struct diag *d);

#endif
