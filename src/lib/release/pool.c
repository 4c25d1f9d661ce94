/*++
 * NAME
 *	pool - a fixed set of sandboxed workers shared by request threads
 * DESCRIPTION
 *	The console's CDR, PPAP and personal-number workers are made at
 *	start-up, before any HTTP thread exists (sandbox.h: a worker spawner
 *	is a copy of its process), console.workers of each kind.  A request
 *	takes a free worker, uses it alone, and gives it back; when all are
 *	busy it waits for one.  So as many jobs of a kind run at once as
 *	there are workers, instead of one behind a lock.
 * SECURITY
 *	Each worker serves one job at a time, as before; the pool only holds
 *	pointers.
 * LIMITS
 *	console.workers (KJ_CONSOLE_WORKERS_DEFAULT, ..._CEILING).
 * SEE ALSO
 *	release.c, exchange.c, console/kyojin-console.c.
 *--*/
#include "release/release.h"

struct KjReleasePool {
	GPtrArray *all;    /* every worker, for the free function */
	GAsyncQueue *free; /* the workers not in use */
};

KjReleasePool *kj_release_pool_new(GDestroyNotify free_item)
{
	KjReleasePool *p = g_new0(KjReleasePool, 1);
	p->all = g_ptr_array_new_with_free_func(free_item);
	p->free = g_async_queue_new();
	return p;
}

void kj_release_pool_add(KjReleasePool *p, gpointer item)
{
	g_return_if_fail(item != NULL);
	g_ptr_array_add(p->all, item);
	g_async_queue_push(p->free, item);
}

guint kj_release_pool_size(const KjReleasePool *p)
{
	return p->all->len;
}

gpointer kj_release_pool_take(KjReleasePool *p)
{
	return g_async_queue_pop(p->free);
}

void kj_release_pool_give(KjReleasePool *p, gpointer item)
{
	g_async_queue_push(p->free, item);
}

void kj_release_pool_free(KjReleasePool *p)
{
	if (p == NULL)
		return;
	g_async_queue_unref(p->free);
	g_ptr_array_unref(p->all);
	g_free(p);
}
