/* Validators for every name and path that crosses a trust boundary, and a
 * bounded copy. Pure functions: no I/O, no allocation, no locale. */
#ifndef OBSENV_STR_H
#define OBSENV_STR_H

#include <stdbool.h>
#include <stddef.h>

#define NAME_MAX_LEN 64     /* packages, roles */
#define ACCOUNT_MAX_LEN 32  /* users, groups */
#define PATH_MAX_LEN 1024
#define REF_MAX_LEN 255

bool str_is_ident(const char *s);      /* package or role name */
bool str_is_account(const char *s);    /* user or group name */
bool str_is_abs_path(const char *s);   /* normalized absolute path */
bool str_is_rel_path(const char *s);   /* normalized path below a directory */
bool str_is_refname(const char *s);    /* a branch or tag name, strictly */
bool str_is_glob(const char *s);       /* a tag pattern: ref characters, '*', '?' */
bool str_is_remote(const char *s);     /* a git remote URL or path */
bool str_is_ssh_remote(const char *s); /* ssh:// or user@host:path */
/* The path of a remote on this host (/path or file:///path), or NULL:
 * another transport, or a file:// URL with escapes, left to libgit2. */
const char *str_local_remote(const char *s);
/* Strict decimal id: digits only, no sign, no leading zero, below 2^32-1. */
int str_to_id(const char *s, unsigned int *out);
/* Strict decimal: digits only, no sign, no leading zero, at most max. */
int str_to_bounded(const char *s, unsigned long long max, unsigned long long *out);
/* The length of the valid UTF-8 sequence at s and its code point in *cp;
 * 0 at the end of s or at a byte that starts no valid sequence. */
size_t str_utf8_next(const char *s, unsigned long *cp);
/* Free text for a terminal or a record line: at most max bytes of valid
 * UTF-8 with no control character (C0, DEL, C1). */
bool str_is_text(const char *s, size_t max);
/* Copies src into dst (cut at a character boundary to fit) for a
 * terminal: every byte that starts no valid UTF-8 sequence, and every C0,
 * DEL, C1 or bidirectional control (which make a line read other than it
 * is), becomes '?'. Other non-ASCII text (names, summaries in any
 * language) passes. */
void str_for_terminal(char *dst, size_t size, const char *src);
/* Copies src into dst; returns -1 (dst then holds "") if it does not fit. */
int str_copy(char *dst, size_t size, const char *src);
bool str_glob_match(const char *pattern, const char *s);
/* The optimal string alignment distance of a and b (insertions,
 * deletions, substitutions, swaps of two neighbours); names longer than
 * NAME_MAX_LEN count as far from everything. */
size_t str_distance(const char *a, const char *b);
/* The one of n names closest to word, if it is close enough to be a slip
 * of the fingers (at most 1 edit for names up to 4 bytes, 2 beyond); NULL
 * when none is, two are equally close, or word is no name at all. */
const char *str_nearest(const char *word, const char *const *names, size_t n);

#endif
