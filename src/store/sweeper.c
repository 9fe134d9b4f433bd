#include "store/sweeper.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/str.h"
#include "store/files.h"

static void *run(void *arg)
{
	struct sweeper *w = arg;

	for (size_t i = 0; i < w->s->pol->npkgs; i++) {
		int q = store_remove_trash(w->s, w->s->pol->pkgs[i].name, TRASH_EARLIER, &w->gone[i]);

		if (q && !w->r) {
			w->r = q;
			str_copy(w->msg, sizeof w->msg, err_msg());
		}
	}
	return NULL;
}

/* Set, not inherited: glibc sizes a thread's stack by the RLIMIT_STACK
 * the caller started obsenv with (door/hygiene.c resets the limit too
 * late for that), and remove_at recurses once a directory level. */
#define SWEEPER_STACK ((size_t)1 << 20)

void sweeper_start(struct sweeper *w, struct store *s)
{
	pthread_attr_t attr;
	sigset_t all, old;

	if (w->tried)
		return;
	memset(w, 0, sizeof *w);
	w->tried = true;
	w->s = s;
	if (!s->pol->npkgs || !(w->gone = calloc(s->pol->npkgs, sizeof *w->gone)))
		return;
	/* The watchdog's SIGALRM, and any other signal, is the main
	 * thread's to handle: the thread is made with every signal blocked. */
	sigfillset(&all);
	if (!pthread_attr_init(&attr)) {
		if (!pthread_attr_setstacksize(&attr, SWEEPER_STACK) && !pthread_sigmask(SIG_SETMASK, &all, &old)) {
			w->running = w->started = pthread_create(&w->thread, &attr, run, w) == 0;
			pthread_sigmask(SIG_SETMASK, &old, NULL);
		}
		pthread_attr_destroy(&attr);
	}
	if (!w->started) {
		free(w->gone);
		w->gone = NULL;
	}
}

enum trash_which sweeper_left(const struct sweeper *w, bool switched)
{
	if (w->tried && !w->started)
		return switched ? TRASH_EARLIER : TRASH_ALL;
	return switched ? TRASH_NONE : TRASH_OWN;
}

int sweeper_finish(struct sweeper *w)
{
	int r = 0, q;
	size_t freed;

	if (w->running) {
		pthread_join(w->thread, NULL);
		w->running = false;
		if ((r = w->r))
			err_set(r, "%s", w->msg);
		for (size_t i = 0; i < w->s->pol->npkgs; i++)
			if (w->gone[i] && (q = store_prune_files(w->s, w->s->pol->pkgs[i].name, &freed)) && !r)
				r = q;
	}
	free(w->gone);
	w->gone = NULL;
	return r;
}
