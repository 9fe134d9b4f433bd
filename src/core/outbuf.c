#include "core/outbuf.h"

#include <stdio.h>
#include <stdlib.h>

/* glibc's stdout and stderr are variables that may be assigned: every
 * printf and fprintf(stderr) in obsenv then lands in a memory stream,
 * with no change to the code that writes. */
static struct held {
	FILE *real;
	FILE *mem;
	char *buf;
	size_t len;
} out, err;
static unsigned int depth;

static int hold(struct held *h, FILE **stream)
{
	if (!(h->mem = open_memstream(&h->buf, &h->len)))
		return -1;
	h->real = *stream;
	*stream = h->mem;
	return 0;
}

/* Puts the real stream back and writes what was kept. A write error
 * stays on the real stream, where main() looks for it. */
static void give_back(struct held *h, FILE **stream)
{
	if (!h->mem)
		return;
	*stream = h->real;
	if (fclose(h->mem) == 0 && h->len)
		fwrite(h->buf, 1, h->len, h->real);
	free(h->buf);
	h->mem = NULL;
	h->buf = NULL;
	h->len = 0;
}

void out_hold(void)
{
	if (depth++)
		return;
	/* Anything said before the lock goes now, while waiting is harmless. */
	fflush(stdout);
	if (hold(&out, &stdout) == 0 && hold(&err, &stderr) != 0)
		give_back(&out, &stdout);
}

void out_release(void)
{
	if (!depth || --depth)
		return;
	/* Warnings first: they explain the summary that follows. */
	give_back(&err, &stderr);
	give_back(&out, &stdout);
	fflush(stderr);
}

void out_release_all(void)
{
	if (depth) {
		depth = 1;
		out_release();
	}
}
