#include "core/json.h"

#include "core/str.h"

void json_str(FILE *f, const char *s)
{
	unsigned long cp;
	size_t len;

	putc('"', f);
	for (; *s; s += len) {
		if (!(len = str_utf8_next(s, &cp))) {
			/* Not UTF-8: the byte itself, as a code point, visibly. */
			fprintf(f, "\\u%04x", (unsigned char)*s);
			len = 1;
		} else if (cp == '"' || cp == '\\') {
			fprintf(f, "\\%c", (int)cp);
		} else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
			fprintf(f, "\\u%04lx", cp);
		} else {
			fwrite(s, 1, len, f);
		}
	}
	putc('"', f);
}

void json_str_or_null(FILE *f, const char *s)
{
	if (s && *s)
		json_str(f, s);
	else
		fputs("null", f);
}
