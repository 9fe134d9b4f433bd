/* floor ROOT N: the cheapest whole-process generation switch, the floor that
 * obsenv's rollback is measured against. A process linked with the libraries
 * obsenv links (libyaml, libcap: the Makefile's PKG_LIBS), that makes
 * ROOT/generations/<new> with N package symlinks and a record, makes both
 * durable, and swaps ROOT/current with one rename, fsyncing ROOT. Nothing
 * obsenv does in a switch can cost less than this on the same machine.
 *
 *   cc -O2 -o floor bench/floor.c $(pkg-config --cflags --libs yaml-0.1 libcap) -ldl
 *   ./floor /tmp/floor 16
 *
 * With -DWITH_GIT (and libgit2 linked) it also initializes and shuts down
 * libgit2, to show what that start-up alone costs; obsenv never loads
 * libgit2 for a rollback. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>
#ifdef WITH_GIT
#include <git2.h>
#endif

static void die(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	fputs("floor: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(e));
	exit(1);
}

static void fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(buf, size, f, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		die("%s", f);
	}
}

int main(int argc, char **argv)
{
	char gen[128], name[64], target[128], *end;
	int rootfd, genfd, fd, len;
	struct timespec ts;
	yaml_parser_t parser;
	cap_t caps;
	long n;

	if (argc != 3) {
		fprintf(stderr, "usage: floor ROOT N\n");
		return 2;
	}
	errno = 0;
	n = strtol(argv[2], &end, 10);
	if (errno || *end || end == argv[2] || n < 0 || n > 10000) {
		fprintf(stderr, "floor: N must be a number from 0 to 10000\n");
		return 2;
	}
#ifdef WITH_GIT
	if (git_libgit2_init() < 0) {
		fprintf(stderr, "floor: git_libgit2_init failed\n");
		return 1;
	}
#endif
	/* Touch each library, as obsenv does, so that the linker keeps it and
	 * the run pays for loading and relocating it. */
	if (!yaml_parser_initialize(&parser)) {
		fprintf(stderr, "floor: yaml_parser_initialize failed\n");
		return 1;
	}
	yaml_parser_delete(&parser);
	if (!(caps = cap_get_proc()))
		die("cap_get_proc");
	cap_free(caps);

	if ((rootfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		die("%s", argv[1]);
	if (mkdirat(rootfd, "generations", 0755) && errno != EEXIST)
		die("%s/generations", argv[1]);
	/* A new name every run: the pid alone repeats across many runs. */
	if (clock_gettime(CLOCK_REALTIME, &ts))
		die("clock_gettime");
	fmt(gen, sizeof gen, "generations/%lld.%09ld-%ld", (long long)ts.tv_sec, ts.tv_nsec,
	    (long)getpid());
	if (mkdirat(rootfd, gen, 0755))
		die("%s/%s", argv[1], gen);
	if ((genfd = openat(rootfd, gen, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		die("%s/%s", argv[1], gen);
	for (long i = 0; i < n; i++) {
		fmt(name, sizeof name, "pkg%02ld", i);
		fmt(target, sizeof target, "../../trees/pkg%02ld/base", i);
		if (symlinkat(target, genfd, name))
			die("%s/%s/%s", argv[1], gen, name);
	}
	if ((fd = openat(genfd, "record", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
		die("%s/%s/record", argv[1], gen);
	len = dprintf(fd, "action=rollback packages=%ld\n", n);
	if (len < 0 || fsync(fd) || close(fd))
		die("%s/%s/record", argv[1], gen);
	if (fsync(genfd) || close(genfd))
		die("%s/%s", argv[1], gen);

	if (unlinkat(rootfd, "current.new", 0) && errno != ENOENT)
		die("%s/current.new", argv[1]);
	if (symlinkat(gen, rootfd, "current.new"))
		die("%s/current.new", argv[1]);
	if (renameat(rootfd, "current.new", rootfd, "current"))
		die("%s/current", argv[1]);
	if (fsync(rootfd) || close(rootfd))
		die("%s", argv[1]);
#ifdef WITH_GIT
	git_libgit2_shutdown();
#endif
	return 0;
}
