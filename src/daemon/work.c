/*++
 * NAME
 *	work - kyojind's spool, sanitizer and delivery jobs
 * DESCRIPTION
 *	Everything that waits for a disk or a peer runs here, in thread
 *	pools, never in the main loop: spooling a received message (blob
 *	write, fsync, queue row), sanitizing it in a sandboxed worker (one
 *	KjMailWorker per pool thread, made at start-up before any thread) and
 *	recording the verdict (quarantine, queue transition, audit), and
 *	delivering it to the Maildir or the LGWAN relay and recording that.
 *	Each pool thread has its own connection to the store (SQLite in WAL
 *	mode lets them work side by side; the audit log shares the syncs
 *	of appends made at the same time).  A message's rows of one step go
 *	in one change of the gateway's group commit, shared with the other
 *	threads' changes of the moment (store/group.c); blobs are written
 *	before and registered inside it, and its audit records follow the
 *	commit.  The sanitized version is a blob, and the Maildir file a
 *	hard link to it (queue/deliver.c).  A job that ends hands its queue
 *	id back to the main thread, which alone keeps the in-flight set.
 *
 *	A delivery that fails is retried with exponential backoff
 *	(retry_initial_s doubling up to retry_max_s) until
 *	max_queue_lifetime_s, then held; a 5xx from the relay holds it at
 *	once.  A held message gets a delivery-status notice to its sender
 *	when gateway.notify_sender says so (notify.c).
 * SECURITY
 *	Runs in kyojind, unprivileged.  Message bytes are parsed only inside
 *	the sandboxed worker; a worker that crashes or times out gives a
 *	held verdict naming what happened (mime/isolate.c), never a raw
 *	delivery (基本方針 2(12)).
 * LIMITS
 *	gateway.workers threads in the sanitizer and in the delivery pool,
 *	gateway.io_threads in the spool pool; mail.* limits in the worker.
 * STANDARDS
 *	基本方針 2(12), 6(3)②; DESIGN.md "Processes".
 * SEE ALSO
 *	kyojind.c, mime/isolate.c, queue/deliver.c.
 *--*/
#include "daemon/kyojind.h"

#include "mime/quarantine.h"
#include "queue/deliver.h"
#include "queue/notice.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>

#define ACTOR "kyojind"

void kjd_log(int prio, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	syslog(prio, "%s", msg);
	fprintf(stderr, "kyojind: %s\n", msg);
}

void kjd_log_gerror(const char *what, const char *id, GError *e)
{
	kjd_log(LOG_ERR, "%s %s: %s", what, id, e ? e->message : "unknown error");
}

/* --- per-thread store connections ------------------------------------- */

static GPrivate store_key = G_PRIVATE_INIT((GDestroyNotify)kj_store_free);

KjStore *kjd_thread_store(Gw *gw, GError **error)
{
	KjStore *s = g_private_get(&store_key);

	if (s == NULL) {
		s = kj_store_open(gw->data_dir, &gw->store_opts, error);
		g_private_set(&store_key, s);
	}
	return s;
}

gboolean kjd_pool_has_room(Gw *gw, gboolean sanitize)
{
	/* A message to sanitize goes on to the record and delivery pools
	 * with its bytes and result in hand: count the whole way, or a fast
	 * sanitizer fills the slower record pool's queue (1 GB over 20,000
	 * messages). */
	if (sanitize)
		return (gint64)(g_thread_pool_unprocessed(gw->sanitize_pool) +
				g_thread_pool_unprocessed(gw->record_pool) +
				g_thread_pool_unprocessed(gw->deliver_pool)) <
		       gw->cfg->gateway_workers * KJ_GATEWAY_QUEUED_PER_THREAD;
	return (gint64)g_thread_pool_unprocessed(gw->deliver_pool) <
	       gw->cfg->gateway_io_threads * KJ_GATEWAY_QUEUED_PER_THREAD;
}

void kjd_count(Gw *gw, guint64 *counter, guint64 n)
{
	g_mutex_lock(&gw->ctr_lock);
	*counter += n;
	g_mutex_unlock(&gw->ctr_lock);
}

/* --- jobs ------------------------------------------------------------- */

typedef struct {
	Gw *gw;
	char *id;
	GBytes *raw; /* original (sanitize) or sanitized (deliver); NULL: read blob */
	char *blob;
	char *sender;
	GPtrArray *rcpts;
	gint64 attempts, received_unix;
	KjMailResult *result; /* sanitize -> record */
	char *qid;
} Job;

static void job_free(Job *j)
{
	g_free(j->id);
	if (j->raw)
		g_bytes_unref(j->raw);
	g_free(j->blob);
	g_free(j->sender);
	if (j->rcpts)
		g_ptr_array_unref(j->rcpts);
	kj_mail_result_free(j->result);
	g_free(j->qid);
	g_free(j);
}

static gboolean done_in_main(gpointer data)
{
	Job *j = data;
	g_hash_table_remove(j->gw->inflight, j->id);
	kjd_job_ended(j->gw);
	job_free(j);
	return G_SOURCE_REMOVE;
}

/* The job is over (whatever happened): its id leaves the in-flight set. */
static void job_done(Job *j)
{
	g_main_context_invoke(NULL, done_in_main, j);
}

static gboolean job_bytes(Job *j, KjStore *store, GError **error)
{
	if (j->raw == NULL)
		j->raw = kj_store_get(store, j->blob, error);
	return j->raw != NULL;
}

/* The verdict of one message, recorded in one group commit. */
typedef struct {
	Job *j;
	KjMailResult *r;
	const char *why; /* held: the reasons; NULL: sanitized */
	char blob[KJ_SHA256_HEX_LEN + 1];
	KjAuditBatch *batch;
} Verdict;

static gboolean verdict_tx(KjStore *store, gpointer data, GError **error)
{
	Verdict *v = data;
	Job *j = v->j;

	/* The original's row came with its queue row (spool). */
	if (!kj_mail_quarantine_tx(store, v->batch, ACTOR, (gint64)g_bytes_get_size(j->raw), FALSE,
				   v->r, j->qid, error))
		return FALSE;
	if (v->why)
		return kj_queue_set_held_tx(store, v->batch, ACTOR, j->id, j->qid, v->why, error);
	return kj_store_register(store, v->blob, (gint64)g_bytes_get_size(v->r->output), error) &&
	       kj_queue_set_sanitized_tx(store, v->batch, ACTOR, j->id, v->blob, j->qid, error);
}

/* Records a verdict: blobs written, then quarantine rows, the sanitized
 * version's blob row and the queue transition in one group commit, then
 * their audit records.  TRUE when the sanitized message is now to be
 * delivered (j->raw and j->blob become it). */
static gboolean record_verdict(Gw *gw, KjStore *store, Job *j, KjMailResult *r, GError **error)
{
	g_autoptr(KjAuditBatch) batch = kj_audit_batch_new();
	g_autofree char *why = NULL;
	Verdict v = {.j = j, .r = r, .batch = batch};
	gsize len = 0;

	if (!kj_mail_quarantine_write_blobs(store, NULL, r, error))
		return FALSE;
	if (r->verdict == KJ_MAIL_HELD) {
		g_ptr_array_add(r->reasons, NULL);
		why = g_strjoinv("; ", (char **)r->reasons->pdata);
		g_ptr_array_remove_index(r->reasons, r->reasons->len - 1);
		v.why = why;
	} else {
		const void *p = g_bytes_get_data(r->output, &len);
		if (!kj_store_write(store, p, len, v.blob, error))
			return FALSE;
	}
	if (!kj_store_group_run(gw->group, store, verdict_tx, &v, error) ||
	    !kj_audit_batch_append(gw->audit, batch, error))
		return FALSE;
	if (why) {
		kjd_log(LOG_NOTICE, "%s: held (%s), quarantine %s", j->id, why, j->qid);
		kjd_count(gw, &gw->ctr.held, 1);
		kjd_notify_held(gw, store, j->id, why);
		return FALSE;
	}
	kjd_count(gw, &gw->ctr.sanitized, 1);
	kjd_log(LOG_INFO, "%s: sanitized, quarantine %s", j->id, j->qid);
	g_bytes_unref(j->raw);
	j->raw = g_bytes_ref(r->output);
	g_free(j->blob);
	j->blob = g_strdup(v.blob);
	return TRUE;
}

static void held(Gw *gw, KjStore *store, const char *id, const char *qid, const char *why,
		 GError **error)
{
	if (!kj_queue_set_held(store, gw->audit, ACTOR, id, qid, why, error))
		return;
	kjd_count(gw, &gw->ctr.held, 1);
	kjd_notify_held(gw, store, id, why);
}

/* Sanitizer pool: the engine in this thread's sandboxed worker; the
 * verdict goes on to the record pool, so that this thread (and its
 * worker) is free for the next message while the disk records it. */
void kjd_sanitize_thread(gpointer data, gpointer user_data)
{
	Job *j = data;
	Gw *gw = j->gw;
	g_autoptr(GError) error = NULL;
	KjStore *store = kjd_thread_store(gw, &error);
	char sha[KJ_SHA256_HEX_LEN + 1];

	if (store == NULL || !job_bytes(j, store, &error)) {
		kjd_log_gerror("cannot read spool of", j->id, error);
		job_done(j);
		return;
	}
	/* The original's blob id is its SHA-256, computed when it was
	 * spooled (and verified if it was read back just now). */
	if (kj_sha256_hex_valid(j->blob)) {
		memcpy(sha, j->blob, sizeof sha);
	} else {
		gsize len = 0;
		const void *p = g_bytes_get_data(j->raw, &len);
		kj_sha256_hex(p, len, sha);
	}
	j->qid = kj_mail_quarantine_id(sha);
	/* As many workers as pool threads: one is always free here. */
	KjMailWorker *w = g_async_queue_pop(gw->workers);
	gboolean ok = kj_mail_worker_sanitize_hashed(w, j->raw, sha, j->qid, &j->result, &error);
	g_async_queue_push(gw->workers, w);
	if (!ok) {
		/* An internal failure, not a verdict: the entry stays received
		 * and is tried again by the scan. */
		kjd_log_gerror("sanitizer failed for", j->id, error);
		job_done(j);
		return;
	}
	g_thread_pool_push(gw->record_pool, j, NULL);
}

/* Record pool: quarantine, queue transition, audit; then delivery. */
void kjd_record_thread(gpointer data, gpointer user_data)
{
	Job *j = data;
	Gw *gw = j->gw;
	g_autoptr(GError) error = NULL;
	KjStore *store = kjd_thread_store(gw, &error);

	if (store == NULL || !record_verdict(gw, store, j, j->result, &error) ||
	    g_atomic_int_get(&gw->stop_flag)) {
		if (error)
			kjd_log_gerror("cannot record sanitizing of", j->id, error);
		job_done(j);
		return;
	}
	g_clear_pointer(&j->result, kj_mail_result_free);
	/* Straight on to delivery: the id stays in flight. */
	g_thread_pool_push(gw->deliver_pool, j, NULL);
}

static void delivery_failed(Gw *gw, KjStore *store, Job *j, gboolean permanent, const char *why,
			    GError **error)
{
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;

	if (permanent || now - j->received_unix >= gw->cfg_lifetime_s) {
		g_autofree char *reason = g_strdup_printf(
		    "%s: %s", permanent ? "delivery refused" : "queue lifetime exceeded", why);
		kjd_log(LOG_WARNING, "%s: held: %s", j->id, reason);
		held(gw, store, j->id, NULL, reason, error);
		return;
	}
	gint64 delay = gw->cfg_retry_initial_s;
	for (gint64 i = 0; i < j->attempts && delay < gw->cfg_retry_max_s; i++)
		delay *= 2;
	delay = MIN(delay, gw->cfg_retry_max_s);
	if (kj_queue_defer(store, gw->audit, ACTOR, j->id, why, now + delay, error))
		kjd_count(gw, &gw->ctr.deferred, 1);
	kjd_log(LOG_WARNING, "%s: deferred %" G_GINT64_FORMAT " s: %s", j->id, delay, why);
}

typedef struct {
	Job *j;
	const char *detail;
	KjAuditBatch *batch;
} Delivered;

static gboolean delivered_tx(KjStore *store, gpointer data, GError **error)
{
	Delivered *d = data;
	return kj_queue_set_delivered_tx(store, d->batch, ACTOR, d->j->id, d->detail, error);
}

static gboolean record_delivered(Gw *gw, KjStore *store, Job *j, GError **error)
{
	g_autoptr(KjAuditBatch) batch = kj_audit_batch_new();
	Delivered d = {j, gw->relay ? gw->relay : gw->maildir, batch};

	return kj_store_group_run(gw->group, store, delivered_tx, &d, error) &&
	       kj_audit_batch_append(gw->audit, batch, error);
}

void kjd_deliver_thread(gpointer data, gpointer user_data)
{
	Job *j = data;
	Gw *gw = j->gw;
	g_autoptr(GError) error = NULL;
	g_autoptr(GError) derr = NULL;
	KjStore *store = kjd_thread_store(gw, &error);
	gboolean permanent = FALSE, ok;

	if (store == NULL || !job_bytes(j, store, &error)) {
		kjd_log_gerror("cannot read spool of", j->id, error);
		job_done(j);
		return;
	}
	if (gw->relay)
		ok = kj_deliver_smtp(gw->relay, gw->helo_name, j->sender, j->rcpts, j->raw,
				     KJ_GATEWAY_RELAY_TIMEOUT_S, &permanent, &derr);
	else {
		/* A hard link to the sanitized blob (deliver.c). */
		g_autofree char *path = kj_store_dup_blob_path(store, j->blob);
		ok = path ? kj_deliver_maildir_link(gw->maildir, j->id, path, j->raw, &derr)
			  : kj_deliver_maildir(gw->maildir, j->id, j->raw, &derr);
	}
	if (ok) {
		if (record_delivered(gw, store, j, &error)) {
			gint64 now = g_get_real_time() / G_USEC_PER_SEC;
			g_mutex_lock(&gw->ctr_lock);
			gw->ctr.delivered++;
			gw->ctr.latency_sum += (double)(now - j->received_unix);
			gw->ctr.latency_count++;
			g_mutex_unlock(&gw->ctr_lock);
			kjd_log(LOG_INFO, "%s: delivered", j->id);
		}
	} else {
		delivery_failed(gw, store, j, permanent, derr ? derr->message : "unknown error",
				&error);
	}
	if (error)
		kjd_log_gerror("cannot record delivery of", j->id, error);
	job_done(j);
}

void kjd_notify_held(Gw *gw, KjStore *store, const char *id, const char *reason)
{
	g_autoptr(GError) error = NULL;

	if (!g_atomic_int_get(&gw->notify_held))
		return;
	g_autoptr(KjQueueEntry) e = kj_queue_get(store, id, &error);
	if (e == NULL) {
		kjd_log_gerror("no notice for", id, error);
		return;
	}
	if (e->sender[0] == '\0' || g_strcmp0(e->client, "kyojind") == 0)
		return; /* the null sender, or one of our own notices: never a notice */
	g_autoptr(GBytes) orig = kj_store_get(store, e->original, NULL);
	g_autoptr(GBytes) notice = kj_queue_notice_build(e, reason, gw->helo_name, orig, &error);
	g_autofree char *nid = kj_queue_new_id();
	if (notice == NULL ||
	    !kj_queue_add_notice(store, gw->audit, ACTOR, nid, id, e->sender, notice, &error)) {
		kjd_log_gerror("cannot queue the notice for", id, error);
		return;
	}
	/* The scan finds it due and delivers it like any message. */
	kjd_log(LOG_INFO, "%s: notice %s to <%s>", id, nid, e->sender);
}

void kjd_start_sanitize(Gw *gw, const char *id, GBytes *raw, const char *blob, const char *sender,
			GPtrArray *rcpts, gint64 received_unix, gint64 attempts)
{
	Job *j = g_new0(Job, 1);
	j->gw = gw;
	j->id = g_strdup(id);
	j->raw = raw ? g_bytes_ref(raw) : NULL;
	j->blob = g_strdup(blob);
	j->sender = g_strdup(sender);
	j->rcpts = g_ptr_array_ref(rcpts);
	j->received_unix = received_unix;
	j->attempts = attempts;
	g_hash_table_add(gw->inflight, g_strdup(id));
	g_thread_pool_push(gw->sanitize_pool, j, NULL);
}

void kjd_start_delivery(Gw *gw, const KjQueueEntry *e)
{
	Job *j = g_new0(Job, 1);
	j->gw = gw;
	j->id = g_strdup(e->id);
	j->blob = g_strdup(e->sanitized);
	j->sender = g_strdup(e->sender);
	j->rcpts = g_ptr_array_ref(e->recipients);
	j->attempts = e->attempts;
	j->received_unix = e->received_unix;
	g_hash_table_add(gw->inflight, g_strdup(e->id));
	g_thread_pool_push(gw->deliver_pool, j, NULL);
}
