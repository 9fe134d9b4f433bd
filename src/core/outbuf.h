/* While obsenv holds a lock, nothing it says reaches the caller's terminal
 * or pipe: a caller who suspends output (^S, tcflow(TCOOFF)) or a reader
 * that never drains the pipe would otherwise park obsenv inside the lock,
 * and every rollback behind it. stdout and stderr are kept in memory from
 * out_hold() until the matching out_release(), and written then, when no
 * lock is held any more. */
#ifndef OBSENV_OUTBUF_H
#define OBSENV_OUTBUF_H

/* Nests: output is written when the outermost hold is released. Best
 * effort: without memory for the buffers output goes out directly, which
 * can delay a run but never fails one. */
void out_hold(void);
void out_release(void);
/* At exit: whatever is still held goes out (a lock is released by the
 * process ending too). */
void out_release_all(void);

#endif
