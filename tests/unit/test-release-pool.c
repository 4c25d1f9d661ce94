/*++
 * NAME
 *	test-release-pool - the console's pools of sandboxed workers
 * DESCRIPTION
 *	A pool of two gives two different workers at once; a third taker
 *	waits until one is given back and then gets that one; the workers
 *	are freed with the pool.  Waiting is observed through a flag the
 *	taker sets, polled with a bound; nothing depends on timing.
 * SECURITY
 *	Test program.
 * SEE ALSO
 *	src/lib/release/pool.c
 *--*/
#include "release/release.h"

typedef struct {
	KjReleasePool *pool;
	gpointer got;
	gint done;
} Taker;

static gpointer take_thread(gpointer data)
{
	Taker *t = data;
	t->got = kj_release_pool_take(t->pool);
	g_atomic_int_set(&t->done, 1);
	return NULL;
}

static gint freed;

static void count_free(gpointer p)
{
	g_atomic_int_inc(&freed);
	g_free(p);
}

static void test_pool(void)
{
	KjReleasePool *p = kj_release_pool_new(count_free);
	kj_release_pool_add(p, g_strdup("a"));
	kj_release_pool_add(p, g_strdup("b"));
	g_assert_cmpuint(kj_release_pool_size(p), ==, 2);

	gpointer x = kj_release_pool_take(p), y = kj_release_pool_take(p);
	g_assert_nonnull(x);
	g_assert_nonnull(y);
	g_assert_true(x != y);

	/* A third taker waits while both are busy. */
	Taker t = {p, NULL, 0};
	GThread *th = g_thread_new("taker", take_thread, &t);
	for (int i = 0; i < 50; i++) {
		g_assert_cmpint(g_atomic_int_get(&t.done), ==, 0);
		g_thread_yield();
	}
	kj_release_pool_give(p, y);
	g_thread_join(th);
	g_assert_cmpint(g_atomic_int_get(&t.done), ==, 1);
	g_assert_true(t.got == y);

	kj_release_pool_give(p, x);
	kj_release_pool_give(p, t.got);
	freed = 0;
	kj_release_pool_free(p);
	g_assert_cmpint(freed, ==, 2);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/release/pool", test_pool);
	return g_test_run();
}
