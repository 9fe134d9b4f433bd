/* The one writer of JSON strings: every string obsenv prints as JSON goes
 * through here, so that no value can end a string early or carry a
 * terminal control to whoever reads the output. */
#ifndef OBSENV_JSON_H
#define OBSENV_JSON_H

#include <stdio.h>

/* Writes s as a quoted JSON string. '"' and '\\' are escaped; C0, DEL and
 * the C1 controls (U+0080..U+009F, UTF-8 encoded) become \u00XX; a byte
 * that is not part of valid UTF-8 becomes \u00XX with its own value (so
 * a raw C1 byte 0x9b reads back as U+009B, never as a terminal escape);
 * every other valid UTF-8 sequence is copied as it is. */
void json_str(FILE *f, const char *s);
/* json_str, or null when s is NULL or empty. */
void json_str_or_null(FILE *f, const char *s);

#endif
