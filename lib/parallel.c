/*
 * parallel.c: one loop over a batch's items spread over the machine's
 * cores, for the steps that are CPU alone: the CSRs of an upload
 * (upload-batch.c), the keys the worker makes and the certificates it
 * signs (worker.c).  The items are independent and each call writes only
 * its own item's result, so the threads share nothing but the index of
 * the next items to take.  The caller's thread works too; a thread that
 * cannot be started leaves its share to the others.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <unistd.h>

#include "ra.h"

#define PARALLEL_THREADS_MAX	4

struct parallel {
	void		(*fn)(void *, size_t);
	void		*arg;
	size_t		 n, stride;
	atomic_size_t	 next;
};

static void *
parallel_run(void *arg)
{
	struct parallel	*p = arg;
	size_t		 i, from, to;

	for (;;) {
		from = atomic_fetch_add(&p->next, p->stride);
		if (from >= p->n)
			return NULL;
		to = p->n - from > p->stride ? from + p->stride : p->n;
		for (i = from; i < to; i++)
			p->fn(p->arg, i);
	}
}

/*
 * fn(arg, i) for every i below "n", "stride" items at a time, on one
 * thread per core when there are at least "min" items (fewer are not
 * worth a thread).  Returns when every call has returned.
 */
void
ra_parallel(size_t n, size_t min, size_t stride, void (*fn)(void *, size_t),
    void *arg)
{
	struct parallel	 p;
	pthread_t	 th[PARALLEL_THREADS_MAX - 1];
	long		 cpus;
	int		 nth = 0, k;

	p.fn = fn;
	p.arg = arg;
	p.n = n;
	p.stride = stride > 0 ? stride : 1;
	atomic_init(&p.next, 0);
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (n >= min && n > p.stride)
		for (; nth < PARALLEL_THREADS_MAX - 1 && nth < cpus - 1; nth++)
			if (pthread_create(&th[nth], NULL, parallel_run, &p) !=
			    0)
				break;
	(void)parallel_run(&p);
	for (k = 0; k < nth; k++)
		(void)pthread_join(th[k], NULL);
}
