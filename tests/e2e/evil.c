/* A hostile library: if a privileged obsenv ever loads it (LD_PRELOAD,
 * LD_LIBRARY_PATH, LD_AUDIT, GCONV_PATH), it leaves a marker and says so. */
#include <fcntl.h>
#include <unistd.h>

#ifndef MARKER
#define MARKER "/tmp/obsenv-e2e-pwned"
#endif

__attribute__((constructor)) static void pwn(void)
{
	int fd = open(MARKER, O_WRONLY | O_CREAT | O_APPEND, 0666);

	if (fd >= 0) {
		(void)!write(fd, "pwned\n", 6);
		close(fd);
	}
}

/* LD_AUDIT entry point, so the library is accepted as an auditor. */
unsigned int la_version(unsigned int v)
{
	return v;
}

/* gconv module entry points, so iconv would load it. */
int gconv_init(void *step);
int gconv_init(void *step)
{
	(void)step;
	return 0;
}
int gconv(void *a, void *b, const unsigned char **c, const unsigned char *d, unsigned char **e,
	  size_t *f, int g, int h);
int gconv(void *a, void *b, const unsigned char **c, const unsigned char *d, unsigned char **e,
	  size_t *f, int g, int h)
{
	(void)a, (void)b, (void)c, (void)d, (void)e, (void)f, (void)g, (void)h;
	return 0;
}
