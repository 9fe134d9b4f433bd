#include "git/knownhosts.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *base64(const unsigned char *in, size_t n)
{
	/* The 65th character is the padding. */
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
	char *out = malloc(4 * ((n + 2) / 3) + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
			     (i + 2 < n ? in[i + 2] : 0);

		*o++ = abc[v >> 18 & 63];
		*o++ = abc[v >> 12 & 63];
		*o++ = abc[i + 1 < n ? (v >> 6 & 63) : 64];
		*o++ = abc[i + 2 < n ? (v & 63) : 64];
	}
	*o = '\0';
	return out;
}

/* One comma-separated pattern list against the host as written in
 * known_hosts: "host" for port 22, "[host]:port" otherwise. */
static bool host_listed(const char *list, size_t len, const char *want)
{
	size_t w = strlen(want);

	while (len) {
		size_t n = 0;

		while (n < len && list[n] != ',')
			n++;
		if (n == w && memcmp(list, want, w) == 0)
			return true;
		list += n + (n < len);
		len -= n + (n < len);
	}
	return false;
}

int knownhosts_match(const char *text, const char *host, int port, const unsigned char *key,
		     size_t keylen)
{
	char want[300], *b64;
	int found = 0, n;

	if (port == 22)
		n = snprintf(want, sizeof want, "%s", host);
	else
		n = snprintf(want, sizeof want, "[%s]:%d", host, port);
	/* A name cut short could equal another host's entry: no match. */
	if (n < 0 || (size_t)n >= sizeof want || !(b64 = base64(key, keylen)))
		return 0;
	while (*text) {
		const char *eol = strchr(text, '\n'), *f[4] = { NULL };
		size_t len = eol ? (size_t)(eol - text) : strlen(text), fl[4] = { 0 };
		int nf = 0;
		bool revoked = false;

		/* Split the line into at most four fields. */
		for (size_t i = 0; i < len && nf < 4;) {
			while (i < len && (text[i] == ' ' || text[i] == '\t'))
				i++;
			if (i == len)
				break;
			f[nf] = text + i;
			while (i < len && text[i] != ' ' && text[i] != '\t')
				i++;
			fl[nf] = (size_t)(text + i - f[nf]);
			nf++;
		}
		if (nf && f[0][0] == '@') {
			revoked = fl[0] == 8 && !memcmp(f[0], "@revoked", 8);
			for (int i = 0; i + 1 < nf; i++) { /* drop the marker */
				f[i] = f[i + 1];
				fl[i] = fl[i + 1];
			}
			nf--;
			if (!revoked)
				nf = 0; /* @cert-authority: not supported */
		}
		if (nf >= 3 && f[0][0] != '#' && host_listed(f[0], fl[0], want) &&
		    fl[2] == strlen(b64) && !memcmp(f[2], b64, fl[2])) {
			if (revoked) {
				found = -1;
				break;
			}
			found = 1;
		}
		text += len + (eol != NULL);
	}
	free(b64);
	return found;
}

int knownhosts_port(const char *remote)
{
	const char *h, *colon, *slash;
	char *end;
	long port;

	if (strncmp(remote, "ssh://", 6) != 0)
		return 22;
	h = remote + 6;
	if ((slash = strchr(h, '@')) && (!strchr(h, '/') || slash < strchr(h, '/')))
		h = slash + 1;
	slash = strchr(h, '/');
	colon = strchr(h, ':');
	if (!colon || (slash && colon > slash))
		return 22;
	port = strtol(colon + 1, &end, 10);
	return end != colon + 1 && (*end == '/' || *end == '\0') && port > 0 && port < 65536 ? (int)port
												: 22;
}
