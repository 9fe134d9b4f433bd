#include "core/str.h"

#include <stdint.h>
#include <string.h>

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

bool str_is_ident(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > NAME_MAX_LEN || !(is_alnum(s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!is_alnum(s[i]) && !strchr("_.-", s[i]))
			return false;
	/* Package names become directory and ref names: keep them unambiguous. */
	return !strstr(s, "..") && s[n - 1] != '.' && !ends_with(s, ".lock");
}

bool str_is_account(const char *s)
{
	size_t n = strlen(s), digits = 0;

	if (n == 0 || n > ACCOUNT_MAX_LEN || !((s[0] >= 'a' && s[0] <= 'z') ||
	    (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!is_alnum(s[i]) && !strchr("_.-", s[i]))
			return false;
		digits += s[i] >= '0' && s[i] <= '9';
	}
	return digits < n;
}

/* Shared by absolute and relative paths: components separated by single
 * slashes, none empty, "." or "..", and no control bytes anywhere. */
static bool path_ok(const char *s, size_t max)
{
	size_t n = strlen(s);
	const char *c = s;

	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	for (;;) {
		size_t len = strcspn(c, "/");

		if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		if (c[len] == '\0')
			return true;
		c += len + 1;
	}
}

bool str_is_abs_path(const char *s)
{
	return s[0] == '/' && path_ok(s + 1, PATH_MAX_LEN - 1);
}

bool str_is_rel_path(const char *s)
{
	return s[0] != '/' && path_ok(s, 255);
}

/* Stricter than git-check-ref-format: only characters that mean nothing to
 * git's revision syntax, a shell or a terminal. */
bool str_is_refname(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > REF_MAX_LEN || s[0] == '-' || s[0] == '/' || s[0] == '.' ||
	    s[n - 1] == '/' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && !strchr("_.-/+", s[i]))
			return false;
	if (strstr(s, "..") || strstr(s, "//") || strstr(s, "/.") || ends_with(s, ".lock"))
		return false;
	return strcmp(s, "HEAD") != 0;
}

bool str_is_glob(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 128 || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && !strchr("_.-/+*?", s[i]))
			return false;
	return true;
}

bool str_is_remote(const char *s)
{
	size_t n = strlen(s);
	const char *colon, *slash;

	if (n == 0 || n > PATH_MAX_LEN || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f || s[i] == '\\')
			return false;
	if (!strncmp(s, "https://", 8))
		return is_alnum(s[8]);
	if (!strncmp(s, "ssh://", 6))
		return is_alnum(s[6]);
	if (!strncmp(s, "file:///", 8))
		return str_is_abs_path(s + 7);
	if (s[0] == '/')
		return str_is_abs_path(s);
	/* scp-like user@host:path, the form GitHub shows for SSH. */
	colon = strchr(s, ':');
	slash = strchr(s, '/');
	return colon && colon != s && (!slash || colon < slash) && colon[1] && colon[1] != ':' &&
	       strchr(s, '@') && strchr(s, '@') < colon;
}

const char *str_local_remote(const char *s)
{
	if (s[0] == '/')
		return s;
	if (!strncmp(s, "file:///", 8) && !strchr(s, '%'))
		return s + 7;
	return NULL;
}

bool str_is_ssh_remote(const char *s)
{
	return !strncmp(s, "ssh://", 6) ||
	       (s[0] != '/' && strncmp(s, "https://", 8) != 0 && strncmp(s, "file://", 7) != 0);
}

int str_to_id(const char *s, unsigned int *out)
{
	unsigned long long v = 0;
	size_t n = strlen(s);

	if (n == 0 || n > 10 || (s[0] == '0' && n > 1))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	/* (uid_t)-1 means "unchanged" to set*id calls: never a real id. */
	if (v >= 4294967295ULL)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

int str_to_bounded(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;
	size_t n = strlen(s);

	/* 19 digits never overflow 64 bits; the bound does the rest. */
	if (n == 0 || n > 19 || (s[0] == '0' && n > 1))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

size_t str_utf8_next(const char *s, unsigned long *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len;

	if (u[0] < 0x80) {
		*cp = u[0];
		return u[0] ? 1 : 0;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf)
		len = 2, *cp = u[0] & 0x1f;
	else if (u[0] >= 0xe0 && u[0] <= 0xef)
		len = 3, *cp = u[0] & 0x0f;
	else if (u[0] >= 0xf0 && u[0] <= 0xf4)
		len = 4, *cp = u[0] & 0x07;
	else
		return 0;
	/* A NUL is not a continuation byte, so this never reads past the end. */
	for (size_t k = 1; k < len; k++) {
		if ((u[k] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (u[k] & 0x3f);
	}
	/* Overlong forms, surrogates and what is beyond Unicode. */
	if ((len == 3 && *cp < 0x800) || (len == 4 && *cp < 0x10000) || *cp > 0x10ffff ||
	    (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return len;
}

bool str_is_text(const char *s, size_t max)
{
	unsigned long cp;
	size_t len;

	if (strlen(s) > max)
		return false;
	for (; *s; s += len) {
		/* C0, DEL, and the C1 controls a terminal obeys as escapes. */
		if (!(len = str_utf8_next(s, &cp)) || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return false;
	}
	return true;
}

static bool bidi_control(unsigned long cp)
{
	return cp == 0x61c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

void str_for_terminal(char *dst, size_t size, const char *src)
{
	size_t o = 0;

	if (size == 0)
		return;
	while (*src) {
		unsigned long cp = 0;
		size_t len = str_utf8_next(src, &cp);
		bool bad = len == 0 || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || bidi_control(cp);
		size_t take = bad ? 1 : len;

		if (o + take >= size)
			break;
		if (bad)
			dst[o] = '?';
		else
			memcpy(dst + o, src, len);
		o += take;
		src += len ? len : 1;
	}
	dst[o] = '\0';
}

int str_copy(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (size == 0)
		return -1;
	if (n >= size) {
		dst[0] = '\0';
		return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

bool str_glob_match(const char *p, const char *s)
{
	const char *star = NULL, *resume = NULL;

	/* Iterative '*'/'?' matcher: linear backtracking, no recursion depth. */
	while (*s) {
		if (*p == '?' || (*p && *p != '*' && *p == *s)) {
			p++;
			s++;
		} else if (*p == '*') {
			star = p++;
			resume = s;
		} else if (star) {
			p = star + 1;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

/* Three rows of the classic table: no allocation, bounded by NAME_MAX_LEN. */
size_t str_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t rows[3][NAME_MAX_LEN + 1], *prev2 = rows[0], *prev = rows[1], *cur = rows[2];

	if (la > NAME_MAX_LEN || lb > NAME_MAX_LEN)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t *t;

		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t d = prev[j - 1] + (a[i - 1] != b[j - 1]);

			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

const char *str_nearest(const char *word, const char *const *names, size_t n)
{
	size_t best = SIZE_MAX, limit = strlen(word) <= 4 ? 1 : 2;
	const char *found = NULL;
	bool tie = false;

	/* Control bytes, spaces, paths: an attempt at something, not a slip. */
	if (!str_is_ident(word))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t d = str_distance(word, names[i]);

		if (d == 0 || d > limit || d > best)
			continue;
		tie = d == best;
		if (d < best) {
			best = d;
			found = names[i];
		}
	}
	return tie ? NULL : found;
}
