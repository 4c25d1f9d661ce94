/*++
 * NAME
 *	work - kyojind's sanitizer and delivery jobs
 * DESCRIPTION
 *	A sanitizer job runs the mail engine in a sandboxed worker (one
 *	KjMailWorker per pool thread, made on first use and kept); a
 *	delivery job writes the Maildir or talks to the LGWAN relay.  Both
 *	hand their result back to the main thread, which alone records it:
 *	quarantine, queue transition, audit record, counters.  A delivery
 *	that fails is retried with exponential backoff (retry_initial_s
 *	doubling up to retry_max_s) until max_queue_lifetime_s, then held;
 *	a 5xx from the relay holds it at once.
 * SECURITY
 *	Runs in kyojind, unprivileged.  Message bytes are parsed only inside
 *	the sandboxed worker; a worker that crashes or times out gives a
 *	held verdict naming what happened (mime/isolate.c), never a raw
 *	delivery (基本方針 2(12)).
 * LIMITS
 *	gateway.workers threads in each pool; mail.* limits in the worker.
 * STANDARDS
 *	基本方針 2(12), 6(3)②; DESIGN.md "Processes".
 * SEE ALSO
 *	kyojind.c, mime/isolate.c, queue/deliver.c.
 *--*/
#include "daemon/kyojind.h"

#include "mime/quarantine.h"
#include "queue/deliver.h"

#include <stdio.h>
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

/* --- sanitizing and delivery (threads) -------------------------------- */

typedef struct {
	Gw *gw;
	char *id;
	GBytes *raw; /* original (sanitize) or sanitized (deliver) */
	char *qid;
	KjMailResult *result;
	GError *error;
	char *sender;
	GPtrArray *rcpts;
	gint64 attempts, received_unix;
	gboolean ok, permanent;
} Job;

static void job_free(Job *j)
{
	g_free(j->id);
	g_bytes_unref(j->raw);
	g_free(j->qid);
	kj_mail_result_free(j->result);
	g_clear_error(&j->error);
	g_free(j->sender);
	if (j->rcpts)
		g_ptr_array_unref(j->rcpts);
	g_free(j);
}

static gboolean sanitized_in_main(gpointer data);
static gboolean delivered_in_main(gpointer data);

void kjd_sanitize_thread(gpointer data, gpointer user_data)
{
	Job *j = data;
	/* As many workers as pool threads: one is always free here. */
	KjMailWorker *w = g_async_queue_pop(j->gw->workers);
	char sha[KJ_SHA256_HEX_LEN + 1];
	gsize len = 0;
	const void *p = g_bytes_get_data(j->raw, &len);

	kj_sha256_hex(p, len, sha);
	j->qid = kj_mail_quarantine_id(sha);
	j->ok = kj_mail_worker_sanitize(w, j->raw, j->qid, &j->result, &j->error);
	g_async_queue_push(j->gw->workers, w);
	g_main_context_invoke(NULL, sanitized_in_main, j);
}

void kjd_deliver_thread(gpointer data, gpointer user_data)
{
	Job *j = data;
	Gw *gw = j->gw;

	if (g_strcmp0(gw->cfg->gateway_delivery, "smtp") == 0)
		j->ok = kj_deliver_smtp(gw->cfg->gateway_relay,
					gw->cfg->smtp_hostname ? gw->cfg->smtp_hostname
							       : "kyojind.localdomain",
					j->sender, j->rcpts, j->raw, 60, &j->permanent, &j->error);
	else
		j->ok = kj_deliver_maildir(gw->maildir, j->id, j->raw, &j->error);
	g_main_context_invoke(NULL, delivered_in_main, j);
}

void kjd_log_gerror(const char *what, const char *id, GError *e)
{
	kjd_log(LOG_ERR, "%s %s: %s", what, id, e ? e->message : "unknown error");
}

void kjd_start_delivery(Gw *gw, const char *id, GBytes *msg, const KjQueueEntry *e)
{
	Job *j = g_new0(Job, 1);
	j->gw = gw;
	j->id = g_strdup(id);
	j->raw = g_bytes_ref(msg);
	j->sender = g_strdup(e->sender);
	j->rcpts = g_ptr_array_ref(e->recipients);
	j->attempts = e->attempts;
	j->received_unix = e->received_unix;
	g_hash_table_add(gw->inflight, g_strdup(id));
	g_thread_pool_push(gw->deliver_pool, j, NULL);
}

static void finish_sanitized(Gw *gw, Job *j, GError **error)
{
	KjMailResult *r = j->result;
	char blob[KJ_SHA256_HEX_LEN + 1];
	gsize len = 0;

	if (!kj_mail_quarantine_put(gw->store, gw->audit, ACTOR, j->raw, r, j->qid, error))
		return;
	if (r->verdict == KJ_MAIL_HELD) {
		g_autofree char *why = NULL;
		g_ptr_array_add(r->reasons, NULL);
		why = g_strjoinv("; ", (char **)r->reasons->pdata);
		g_ptr_array_remove_index(r->reasons, r->reasons->len - 1);
		if (kj_queue_set_held(gw->store, gw->audit, ACTOR, j->id, j->qid, why, error)) {
			gw->ctr.held++;
			kjd_log(LOG_NOTICE, "%s: held (%s), quarantine %s", j->id, why, j->qid);
		}
		return;
	}
	const void *p = g_bytes_get_data(r->output, &len);
	if (!kj_store_put(gw->store, p, len, blob, error) ||
	    !kj_queue_set_sanitized(gw->store, gw->audit, ACTOR, j->id, blob, j->qid, error))
		return;
	gw->ctr.sanitized++;
	kjd_log(LOG_INFO, "%s: sanitized, quarantine %s", j->id, j->qid);
	g_autoptr(KjQueueEntry) e = kj_queue_get(gw->store, j->id, error);
	if (e && !gw->stopping)
		kjd_start_delivery(gw, j->id, r->output, e);
}

static gboolean sanitized_in_main(gpointer data)
{
	Job *j = data;
	Gw *gw = j->gw;
	g_autoptr(GError) error = NULL;

	g_hash_table_remove(gw->inflight, j->id);
	if (!j->ok) {
		/* An internal failure, not a verdict: the entry stays received
		 * and is tried again by the scan. */
		kjd_log_gerror("sanitizer failed for", j->id, j->error);
	} else {
		finish_sanitized(gw, j, &error);
		if (error)
			kjd_log_gerror("cannot record sanitizing of", j->id, error);
	}
	job_free(j);
	return G_SOURCE_REMOVE;
}

static void delivery_failed(Gw *gw, Job *j, GError **error)
{
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	const char *why = j->error ? j->error->message : "unknown error";

	if (j->permanent || now - j->received_unix >= gw->cfg->gateway_max_queue_lifetime_s) {
		g_autofree char *reason = g_strdup_printf(
		    "%s: %s", j->permanent ? "delivery refused" : "queue lifetime exceeded", why);
		if (kj_queue_set_held(gw->store, gw->audit, ACTOR, j->id, NULL, reason, error))
			gw->ctr.held++;
		kjd_log(LOG_WARNING, "%s: held: %s", j->id, reason);
		return;
	}
	gint64 delay = gw->cfg->gateway_retry_initial_s;
	for (gint64 i = 0; i < j->attempts && delay < gw->cfg->gateway_retry_max_s; i++)
		delay *= 2;
	delay = MIN(delay, gw->cfg->gateway_retry_max_s);
	if (kj_queue_defer(gw->store, gw->audit, ACTOR, j->id, why, now + delay, error))
		gw->ctr.deferred++;
	kjd_log(LOG_WARNING, "%s: deferred %" G_GINT64_FORMAT " s: %s", j->id, delay, why);
}

static gboolean delivered_in_main(gpointer data)
{
	Job *j = data;
	Gw *gw = j->gw;
	g_autoptr(GError) error = NULL;

	g_hash_table_remove(gw->inflight, j->id);
	if (j->ok) {
		if (kj_queue_set_delivered(gw->store, gw->audit, ACTOR, j->id,
					   g_strcmp0(gw->cfg->gateway_delivery, "smtp") == 0
					       ? gw->cfg->gateway_relay
					       : gw->maildir,
					   &error)) {
			gw->ctr.delivered++;
			gw->ctr.latency_sum +=
			    (double)(g_get_real_time() / G_USEC_PER_SEC - j->received_unix);
			gw->ctr.latency_count++;
			kjd_log(LOG_INFO, "%s: delivered", j->id);
		}
	} else {
		delivery_failed(gw, j, &error);
	}
	if (error)
		kjd_log_gerror("cannot record delivery of", j->id, error);
	job_free(j);
	return G_SOURCE_REMOVE;
}

void kjd_start_sanitize(Gw *gw, const char *id, GBytes *raw)
{
	Job *j = g_new0(Job, 1);
	j->gw = gw;
	j->id = g_strdup(id);
	j->raw = g_bytes_ref(raw);
	g_hash_table_add(gw->inflight, g_strdup(id));
	g_thread_pool_push(gw->sanitize_pool, j, NULL);
}
