#include "store/refset.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/basefile.h"
#include "store/refs.h"

/* Beyond this the fetch decides (each entry is about 300 bytes). */
#define REFS_MAX 20000
#define DEPTH_MAX 8

static int add(struct refset *s, const char *name, const char *id, unsigned char loose)
{
	struct refent *e;

	if (strlen(name) > REF_MAX_LEN || !is_oid_hex(id) || s->n >= REFS_MAX)
		return E_FAIL;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		/* Not realloc: through loose()'s recursion gcc -fanalyzer
		 * takes its failure path for a leak. */
		struct refent *grown = malloc(cap * sizeof *grown);

		if (!grown)
			return E_FAIL;
		if (s->n)
			memcpy(grown, s->e, s->n * sizeof *grown);
		free(s->e);
		s->e = grown;
		s->cap = cap;
	}
	e = &s->e[s->n++];
	str_copy(e->name, sizeof e->name, name);
	str_copy(e->id, sizeof e->id, id);
	e->loose = loose;
	return 0;
}

static int packed(int repofd, const char *prefix, struct refset *s)
{
	char *buf = NULL, *line, *save = NULL;
	size_t pl = strlen(prefix), len;
	int r = refs_read_file(repofd, "packed-refs", REFS_PACKED_MAX, &buf, &len);

	if (r)
		return r == R_ABSENT ? 0 : r;
	/* "<40 hex> <refname>" lines; "^<hex>" peel lines and comments skipped. */
	for (line = strtok_r(buf, "\n", &save); line && !r; line = strtok_r(NULL, "\n", &save))
		if (strlen(line) > OID_HEX + 1 + pl && line[OID_HEX] == ' ' &&
		    !strncmp(line + OID_HEX + 1, prefix, pl)) {
			line[OID_HEX] = '\0';
			r = add(s, line + OID_HEX + 1, line, 0);
		}
	free(buf);
	return r;
}

static int loose(int dfd, char *name, size_t len, int depth, struct refset *s)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	int r = 0;

	if (!d) {
		close(dfd);
		return E_FAIL;
	}
	while (!r && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		char *text = NULL;
		size_t got;
		int sub;

		if (e->d_name[0] == '.' || (n > 5 && !strcmp(e->d_name + n - 5, ".lock")))
			continue;
		if (len + n + 1 > REF_MAX_LEN) {
			r = E_FAIL;
			break;
		}
		memcpy(name + len, e->d_name, n + 1);
		if ((r = refs_read_file(dfd, e->d_name, 64, &text, &got)) == 0 && text) {
			text[strcspn(text, "\n")] = '\0';
			r = add(s, name, text, 1);
			free(text);
		} else if (r == E_FAIL && depth < DEPTH_MAX &&
			   (sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
			name[len + n] = '/';
			name[len + n + 1] = '\0';
			r = loose(sub, name, len + n + 1, depth + 1, s);
		}
	}
	closedir(d);
	return r;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct refent *)a)->name, ((const struct refent *)b)->name);
}

/* A loose ref before a packed one of its name. */
static int by_name_loose_first(const void *a, const void *b)
{
	const struct refent *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (int)y->loose - (int)x->loose;
}

int refset_read(int repofd, const char *prefix, struct refset *out)
{
	char name[REF_MAX_LEN + 2];
	size_t kept = 0;
	int fd, r = E_FAIL;

	memset(out, 0, sizeof *out);
	if (strlen(prefix) > REF_MAX_LEN || (r = packed(repofd, prefix, out)))
		goto out;
	str_copy(name, sizeof name, prefix);
	fd = openat(repofd, prefix, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno != ENOENT) {
		r = E_FAIL;
		goto out;
	}
	if (fd >= 0 && (r = loose(fd, name, strlen(name), 0, out)))
		goto out;
	if (out->n)
		qsort(out->e, out->n, sizeof *out->e, by_name_loose_first);
	for (size_t i = 0; i < out->n; i++)
		if (!kept || strcmp(out->e[kept - 1].name, out->e[i].name) != 0)
			out->e[kept++] = out->e[i];
	out->n = kept;
out:
	if (r)
		refset_free(out);
	return r;
}

int refset_parse(const char *text, size_t len, struct refset *out)
{
	const char *p = text, *end = text + len;
	char id[OID_HEX + 1], name[REF_MAX_LEN + 1];
	int r = 0;

	memset(out, 0, sizeof *out);
	while (p < end && !r) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : 0;

		if (!nl || n < OID_HEX + 2 || n - OID_HEX - 1 > REF_MAX_LEN || p[OID_HEX] != ' ') {
			r = E_FAIL;
			break;
		}
		memcpy(id, p, OID_HEX);
		id[OID_HEX] = '\0';
		memcpy(name, p + OID_HEX + 1, n - OID_HEX - 1);
		name[n - OID_HEX - 1] = '\0';
		if (strlen(name) != n - OID_HEX - 1 || (out->n && strcmp(out->e[out->n - 1].name, name) >= 0))
			r = E_FAIL;
		else
			r = add(out, name, id, 1);
		p = nl + 1;
	}
	if (r)
		refset_free(out);
	return r;
}

int refset_format(const struct refset *s, char **text, size_t *len)
{
	size_t size = s->n * (OID_HEX + REF_MAX_LEN + 3) + 1, at = 0;

	if (!(*text = malloc(size)))
		return err_oom();
	**text = '\0';
	for (size_t i = 0; i < s->n; i++)
		at += (size_t)snprintf(*text + at, size - at, "%s %s\n", s->e[i].id, s->e[i].name);
	*len = at;
	return 0;
}

const char *refset_find(const struct refset *s, const char *name)
{
	struct refent key = { .loose = 0 };
	const struct refent *e;

	if (!s->n || strlen(name) > REF_MAX_LEN)
		return NULL;
	str_copy(key.name, sizeof key.name, name);
	e = bsearch(&key, s->e, s->n, sizeof *s->e, by_name);
	return e ? e->id : NULL;
}

void refset_free(struct refset *s)
{
	free(s->e);
	memset(s, 0, sizeof *s);
}
