/*++
 * NAME
 *	group - group commit: several threads' changes in one transaction
 * DESCRIPTION
 *	A gateway makes a few small changes per message (a queue row, the
 *	rows of its blobs, a state transition) for many messages at once,
 *	each in a thread of its own.  Committed one by one, every change
 *	costs a sync of the database's log and a turn at its write lock, for
 *	which the other threads wait.  Here the threads that want a change
 *	made at the same moment share one transaction: the first to arrive
 *	leads, runs every change waiting then (its own and the others', in
 *	arrival order, at most KJ_STORE_GROUP_MAX_OPS) on its own connection
 *	inside one BEGIN ... COMMIT, and wakes the others; those arriving
 *	meanwhile wait for the next group, which one of them leads.
 *
 *	Each change runs under a savepoint of its own, so a change that
 *	fails is undone alone and reported to its thread, the others go on.
 *	Every thread learns its result only after the COMMIT returned: a
 *	change reported done is durable (synchronous=FULL), which is what
 *	lets the gateway answer 250 then.  If the transaction itself fails
 *	(no write lock in time, a full disk, a failed COMMIT), every change
 *	of the group fails with that error and none is kept.
 * SECURITY
 *	Runs in kyojind's pool threads.  The changes are the callers' own
 *	functions on bound parameters; nothing here sees message content.
 * LIMITS
 *	KJ_STORE_GROUP_MAX_OPS changes a transaction.
 * STANDARDS
 *	SQL savepoints (SQLite, PostgreSQL).  基本方針 2(6) 完全性: a change
 *	is reported done only once it is durable.
 * SEE ALSO
 *	store.h, db.h, daemon/work.c.
 *--*/
#include "store/store-private.h"

#include "util/limits.h"

typedef struct {
	KjStoreTxFunc func;
	gpointer data;
	gboolean done, ok;
	GError *error;
} Op;

struct KjStoreGroup {
	GMutex lock;
	GCond cond;
	GQueue waiting; /* Op * not yet taken by a leader */
	gboolean leading;
	guint64 groups, ops; /* for tests and the curious */
};

KjStoreGroup *kj_store_group_new(void)
{
	KjStoreGroup *g = g_new0(KjStoreGroup, 1);
	g_mutex_init(&g->lock);
	g_cond_init(&g->cond);
	g_queue_init(&g->waiting);
	return g;
}

void kj_store_group_free(KjStoreGroup *g)
{
	if (g == NULL)
		return;
	g_return_if_fail(g_queue_is_empty(&g->waiting) && !g->leading);
	g_mutex_clear(&g->lock);
	g_cond_clear(&g->cond);
	g_free(g);
}

void kj_store_group_get_stats(KjStoreGroup *g, guint64 *groups, guint64 *ops)
{
	g_mutex_lock(&g->lock);
	*groups = g->groups;
	*ops = g->ops;
	g_mutex_unlock(&g->lock);
}

static void fail_op(Op *op, const GError *why)
{
	op->ok = FALSE;
	if (op->error == NULL)
		op->error = g_error_copy(why);
}

/* One change under its savepoint; FALSE when the transaction is gone
 * (the database rolled it back on its own after an I/O or full error):
 * nothing more may run in it. */
static gboolean run_one(KjStore *store, KjDb *db, Op *op)
{
	g_autoptr(GError) e = NULL;

	if (!kj_db_exec(db, "SAVEPOINT kj_group", KJ_DB_NO_ARGS, &op->error)) {
		op->ok = FALSE;
		return FALSE;
	}
	op->ok = op->func(store, op->data, &op->error);
	if (op->ok)
		return kj_db_exec(db, "RELEASE SAVEPOINT kj_group", KJ_DB_NO_ARGS, &e);
	if (op->error == NULL)
		g_set_error(&op->error, KJ_STORE_ERROR, KJ_STORE_ERROR_DB,
			    "a change of a group commit failed without saying why");
	return kj_db_exec(db, "ROLLBACK TO SAVEPOINT kj_group", KJ_DB_NO_ARGS, &e) &&
	       kj_db_exec(db, "RELEASE SAVEPOINT kj_group", KJ_DB_NO_ARGS, &e);
}

static void run_group(KjStore *store, GPtrArray *ops)
{
	KjDb *db = kj_store_get_db(store);
	g_autoptr(GError) e = NULL;
	guint i;

	if (!kj_db_begin(db, &e)) {
		for (i = 0; i < ops->len; i++)
			fail_op(ops->pdata[i], e);
		return;
	}
	for (i = 0; i < ops->len; i++)
		if (!run_one(store, db, ops->pdata[i]))
			break;
	if (i < ops->len) {
		/* The transaction is lost: nothing of the group was kept. */
		kj_db_rollback(db, NULL);
		g_set_error(&e, KJ_STORE_ERROR, KJ_STORE_ERROR_DB,
			    "database %s: the group's transaction was rolled back",
			    kj_db_get_location(db));
		for (guint k = 0; k < ops->len; k++)
			fail_op(ops->pdata[k], e);
		return;
	}
	if (!kj_db_commit(db, &e))
		for (i = 0; i < ops->len; i++)
			fail_op(ops->pdata[i], e);
}

/* Called and returns with g->lock held: takes what waits, runs it
 * unlocked on store, marks it done. */
static void lead(KjStoreGroup *g, KjStore *store)
{
	g_autoptr(GPtrArray) ops = g_ptr_array_new();

	g->leading = TRUE;
	while (ops->len < KJ_STORE_GROUP_MAX_OPS && !g_queue_is_empty(&g->waiting))
		g_ptr_array_add(ops, g_queue_pop_head(&g->waiting));
	g->groups++;
	g->ops += ops->len;
	g_mutex_unlock(&g->lock);
	run_group(store, ops);
	g_mutex_lock(&g->lock);
	for (guint i = 0; i < ops->len; i++)
		((Op *)ops->pdata[i])->done = TRUE;
	g->leading = FALSE;
	g_cond_broadcast(&g->cond);
}

gboolean kj_store_group_run(KjStoreGroup *g, KjStore *store, KjStoreTxFunc func, gpointer data,
			    GError **error)
{
	Op op = {.func = func, .data = data};

	g_return_val_if_fail(g != NULL && store != NULL && func != NULL, FALSE);
	g_return_val_if_fail(!kj_db_in_transaction(kj_store_get_db(store)), FALSE);
	g_mutex_lock(&g->lock);
	g_queue_push_tail(&g->waiting, &op);
	while (!op.done) {
		if (g->leading)
			g_cond_wait(&g->cond, &g->lock);
		else
			lead(g, store);
	}
	g_mutex_unlock(&g->lock);
	if (!op.ok) {
		g_propagate_error(error, op.error);
		return FALSE;
	}
	return TRUE;
}
