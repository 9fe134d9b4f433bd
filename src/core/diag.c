#include "core/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void diag_add(struct diag *d, size_t line, size_t col, const char *fmt, ...)
{
	char text[512], *m;
	int n;
	va_list ap;

	if (d->n >= DIAG_MAX) {
		d->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	n = line ? snprintf(NULL, 0, "%s:%zu:%zu: %s", d->file, line, col, text)
		 : snprintf(NULL, 0, "%s: %s", d->file, text);
	if (n < 0 || !(m = malloc((size_t)n + 1))) {
		d->dropped++;
		return;
	}
	if (line)
		snprintf(m, (size_t)n + 1, "%s:%zu:%zu: %s", d->file, line, col, text);
	else
		snprintf(m, (size_t)n + 1, "%s: %s", d->file, text);
	d->msgs[d->n++] = m;
}

void diag_free(struct diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->msgs[i]);
	d->n = 0;
	d->dropped = 0;
}
