#include "door/journal.h"

#include <string.h>
#include <sys/stat.h>

#ifdef HAVE_SYSTEMD
#define SD_JOURNAL_SUPPRESS_LOCATION /* our source paths are no audit fact */
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#endif

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

static bool name_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

void jfields_add(struct jfields *j, const char *name, const char *value)
{
	size_t nlen = strnlen(name, JOURNAL_NAME_MAX), vlen = strlen(value), start = j->len;

	if (j->n == JOURNAL_MAX_FIELDS || j->len + nlen + vlen + 3 > sizeof j->buf) {
		j->cut = true;
		return;
	}
	for (size_t i = 0; i < nlen; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 'a' + 'A');
		j->buf[j->len++] = (char)(name_char(c) ? c : '_');
	}
	/* A name starting with '_' is the journal's own (trusted) field, one
	 * starting with a digit or empty is invalid. */
	if (nlen == 0)
		j->buf[j->len++] = 'X';
	else if (!(j->buf[start] >= 'A' && j->buf[start] <= 'Z'))
		j->buf[start] = 'X';
	j->buf[j->len++] = '=';
	memcpy(j->buf + j->len, value, vlen);
	j->len += vlen;
	j->buf[j->len++] = '\0';
	j->off[j->n++] = start;
}

const char *jfields_get(const struct jfields *j, size_t i)
{
	return i < j->n ? j->buf + j->off[i] : NULL;
}

#ifdef HAVE_SYSTEMD
static bool use_journal;

bool journal_open(void)
{
	struct stat st;

	use_journal = lstat(JOURNAL_SOCKET, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_uid == 0;
	return use_journal;
}

int journal_send(struct jfields *j)
{
	struct iovec iov[JOURNAL_MAX_FIELDS];

	if (!use_journal || j->n == 0)
		return -1;
	for (size_t i = 0; i < j->n; i++) {
		iov[i].iov_base = j->buf + j->off[i];
		iov[i].iov_len = strlen(j->buf + j->off[i]);
	}
	/* A journal that went away (its socket file gone) is not noticed by
	 * libsystemd, which drops the record silently: look again. */
	if (!journal_open())
		return -1;
	return sd_journal_sendv(iov, (int)j->n) < 0 ? -1 : 0;
}
#else
bool journal_open(void)
{
	return false;
}

int journal_send(struct jfields *j)
{
	(void)j;
	return -1;
}
#endif
