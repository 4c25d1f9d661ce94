/*++
 * NAME
 *	kyojind - the sanitizing mail gateway
 * DESCRIPTION
 *	SMTP in (smtp/ state machine under GLib's main loop and GIO), the
 *	message spooled in the blob store and queued in the database before
 *	250, sanitized by the mail engine in sandboxed workers (a thread
 *	pool; its KjMailWorkers are made before any thread), delivered to a Maildir
 *	or an LGWAN relay with retries and exponential backoff.  The main
 *	thread talks SMTP and scans the queue; spooling, sanitizing,
 *	recording and delivery run in thread pools (work.c), whose rows are
 *	committed in groups (store/group.c) and whose results come back
 *	through the main context.  A 250 ms timer finds due work in the
 *	queue, which is also how work left by a crash or restart resumes.
 *
 *	Signals: SIGHUP reloads the configuration (limits and retry times;
 *	listen addresses need a restart); SIGTERM and SIGINT stop accepting
 *	and exit once in-flight sanitizing and delivery are done.
 * SECURITY
 *	Started as root or as its own user; binds, then (as root) switches
 *	to gateway.user if that user exists (else it stays and says so).
 *	Untrusted input: everything an SMTP client sends, parsed by
 *	smtp/smtp.c; message content is parsed only in the sandboxed
 *	workers.  Clients outside smtp.allowed_networks get 554.  Client
 *	text is logged through "%s" only.
 * LIMITS
 *	smtp.* and gateway.* config keys (util/limits.h).  A message being
 *	received is held in memory: smtp.max_message_bytes times
 *	smtp.max_connections bounds that.
 * STANDARDS
 *	RFC 5321, 1870, 2920, 6152, 2034, 3207 (STARTTLS with OpenSSL when
 *	smtp.tls_cert and smtp.tls_key are set, tls.c).  基本方針 6(3)② (the one path from the
 *	internet segment into LGWAN), 2(12) (無害化: nothing unsanitized
 *	passes; what cannot be sanitized is held).
 * SEE ALSO
 *	smtp/smtp.h, queue/queue.h, queue/deliver.h, mime/mail.h.
 *--*/
#include "kj_build_config.h"

#include "audit/audit.h"
#include "config/config.h"
#include "mime/mail.h"
#include "mime/quarantine.h"
#include "queue/deliver.h"
#include "queue/queue.h"
#include "daemon/kyojind.h"
#include "smtp/smtp.h"
#include "store/store.h"

#include <gio/gio.h>
#include <glib-unix.h>
#include <malloc.h>
#include <openssl/crypto.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <syslog.h>
#include <unistd.h>

#define ACTOR "kyojind"

/* --- the queue scan: due work, backpressure, shutdown ----------------- */

static void update_busy(Gw *gw)
{
	struct statvfs sv;
	gint64 pending = 0;
	gboolean busy = FALSE;

	if (statvfs(kj_store_get_data_dir(gw->store), &sv) == 0 &&
	    (gint64)sv.f_bavail * (gint64)sv.f_frsize < gw->cfg->gateway_min_free_bytes)
		busy = TRUE;
	if (kj_queue_count_pending(gw->store, &pending, NULL) &&
	    pending >= gw->cfg->gateway_max_queue_messages)
		busy = TRUE;
	if (busy != gw->busy)
		kjd_log(LOG_WARNING, "backpressure %s", busy ? "on: MAIL gets 452" : "off");
	gw->busy = busy;
}

static gboolean scan(gpointer data)
{
	Gw *gw = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) due = NULL;

	if (gw->stopping) {
		if (g_hash_table_size(gw->inflight) == 0)
			g_main_loop_quit(gw->loop);
		return G_SOURCE_CONTINUE;
	}
	update_busy(gw);
#ifdef __GLIBC__
	/* Messages are allocated and freed by many pool threads: glibc keeps
	 * what they freed in per-thread arenas (the daemon's RSS reached
	 * 1.1 GB over 20,000 messages, 26 MB after a trim).  Give it back now
	 * and then. */
	if (++gw->scans % 40 == 0)
		malloc_trim(0);
#endif
	gw->backlog = FALSE;
	if (!kj_queue_list_due(gw->store, g_get_real_time() / G_USEC_PER_SEC, 200, &due, &error)) {
		kjd_log_gerror("queue scan", "", error);
		return G_SOURCE_CONTINUE;
	}
	for (guint i = 0; i < due->len; i++) {
		KjQueueEntry *e = due->pdata[i];
		if (g_hash_table_contains(gw->inflight, e->id))
			continue;
		if (!kjd_pool_has_room(gw, e->state == KJ_QUEUE_RECEIVED)) {
			gw->backlog = TRUE; /* jobs ending scan again (kjd_job_ended) */
			continue;
		}
		/* The pool threads read the blob: no disk wait here. */
		if (e->state == KJ_QUEUE_RECEIVED)
			kjd_start_sanitize(gw, e->id, NULL, e->original, e->sender, e->recipients,
					   e->received_unix, e->attempts);
		else
			kjd_start_delivery(gw, e);
	}
	return G_SOURCE_CONTINUE;
}

static gboolean rescan(gpointer data)
{
	Gw *gw = data;
	gw->rescan = 0;
	scan(gw);
	return G_SOURCE_REMOVE;
}

void kjd_job_ended(Gw *gw)
{
	/* Due work left in the database for want of room: look again soon
	 * rather than at the next tick (once for a burst of endings). */
	if (gw->backlog && gw->rescan == 0 && !gw->stopping)
		gw->rescan = g_timeout_add(20, rescan, gw);
}

/* --- SMTP connections ------------------------------------------------- */

/*
 * A connection does one thing at a time, decided by conn_kick(): write
 * what the session said, wait for its message to be spooled, feed bytes
 * already read, or read more.  Bytes read but not yet fed (pipelined
 * commands after a message) wait in pending while the spool thread
 * works, so the main loop never blocks on the disk and the client still
 * gets its 250 only after the fsync and the commit.
 */
typedef struct {
	Gw *gw;
	GSocketConnection *conn;
	KjSmtpSession *s;
	GCancellable *cancel;
	guint timer;
	gboolean timed_out, closing, write_failed, tls_pending, tls_announced;
	gboolean reading, writing, spooling;
	KjdTls *tls;
	char *peer;
	GByteArray *pending; /* plaintext read, not yet fed */
	gint64 phase_start;  /* monotonic µs of our last reply (slow-drip bound) */
	gint64 phase_bytes;  /* bytes read since then */
	GBytes *out;         /* being written */
	guint8 buf[16384];
} Conn;

static void conn_kick(Conn *c);

static void conn_free(Conn *c)
{
	if (c->timer)
		g_source_remove(c->timer);
	g_io_stream_close(G_IO_STREAM(c->conn), NULL, NULL);
	g_object_unref(c->conn);
	g_object_unref(c->cancel);
	kj_smtp_session_free(c->s);
	kjd_tls_free(c->tls);
	g_byte_array_unref(c->pending);
	if (c->out)
		g_bytes_unref(c->out);
	c->gw->ctr.connections--;
	g_free(c->peer);
	g_free(c);
}

static void on_written(GObject *src, GAsyncResult *res, gpointer data)
{
	Conn *c = data;
	g_autoptr(GError) error = NULL;

	c->writing = FALSE;
	g_clear_pointer(&c->out, g_bytes_unref);
	if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(src), res, NULL, &error))
		c->write_failed = TRUE;
	if (c->tls_pending && !c->write_failed) {
		/* The 220 went out in plaintext; the handshake starts now. */
		c->tls_pending = FALSE;
		c->tls = kjd_tls_new(c->gw->tls_ctx);
	}
	conn_kick(c);
}

/* What is to be sent (session replies, TLS records), or NULL. */
static GBytes *take_output(Conn *c)
{
	GString *out = kj_smtp_session_get_output(c->s);
	GBytes *b = NULL;

	if (c->tls) {
		g_autoptr(GError) error = NULL;
		GByteArray *cipher = g_byte_array_new();
		kjd_tls_drain(c->tls, cipher);
		if (out->len > 0 && !kjd_tls_output(c->tls, out->str, out->len, cipher, &error))
			c->closing = TRUE;
		b = g_byte_array_free_to_bytes(cipher);
	} else if (out->len > 0) {
		b = g_bytes_new(out->str, out->len);
	}
	g_string_truncate(out, 0);
	if (b && g_bytes_get_size(b) == 0)
		g_clear_pointer(&b, g_bytes_unref);
	return b;
}

static char *received_header(Conn *c, const char *id)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *date = g_date_time_format(now, "%a, %d %b %Y %H:%M:%S +0000");
	const char *helo = kj_smtp_session_get_helo(c->s);
	g_autofree char *safe = g_strcanon(g_strdup(helo ? helo : "unknown"),
					   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					   "0123456789.-_[]:",
					   '_');

	return g_strdup_printf("Received: from %s (%s)\r\n\tby %s (kyojind) with ESMTP id %s;\r\n"
			       "\t%s\r\n",
			       safe, c->peer,
			       c->gw->cfg->smtp_hostname ? c->gw->cfg->smtp_hostname : "kyojind",
			       id, date);
}

/* --- spooling (pool threads) ------------------------------------------ */

typedef struct {
	Conn *c;
	char *id, *sender, *peer, *helo;
	GPtrArray *rcpts;
	GBytes *raw;
	char blob[KJ_SHA256_HEX_LEN + 1]; /* the original's id, once written */
	KjAuditBatch *batch;
	gint64 received_unix;
	gboolean ok;
	GError *error;
} Spool;

static void spool_free(Spool *sp)
{
	g_free(sp->id);
	g_free(sp->sender);
	g_free(sp->peer);
	g_free(sp->helo);
	g_ptr_array_unref(sp->rcpts);
	g_bytes_unref(sp->raw);
	kj_audit_batch_free(sp->batch);
	g_clear_error(&sp->error);
	g_free(sp);
}

/* Main thread: the spool thread is done; answer and go on. */
static gboolean spooled_in_main(gpointer data)
{
	Spool *sp = data;
	Conn *c = sp->c;
	Gw *gw = c->gw;

	c->spooling = FALSE;
	g_hash_table_remove(gw->inflight, sp->id);
	if (!sp->ok) {
		kjd_log_gerror("cannot spool message from", sp->peer, sp->error);
		gw->ctr.refused++;
		kj_smtp_session_set_busy(c->s, TRUE);
		kj_smtp_session_message_done(c->s, NULL, "4.3.1 Cannot spool message, try later");
	} else {
		kjd_count(gw, &gw->ctr.received, 1);
		kjd_log(LOG_INFO, "%s: from=<%s> client=%s size=%" G_GSIZE_FORMAT, sp->id,
			sp->sender, sp->peer, g_bytes_get_size(sp->raw));
		kj_smtp_session_message_done(c->s, sp->id, NULL);
		/* Straight to a sanitizer with the bytes in hand while the
		 * pool keeps up; past that the queue in the database is the
		 * backlog and the scan starts it (memory stays bounded). */
		if (!gw->stopping && kjd_pool_has_room(gw, TRUE))
			kjd_start_sanitize(gw, sp->id, sp->raw, sp->blob, sp->sender, sp->rcpts,
					   sp->received_unix, 0);
		else if (!gw->stopping)
			gw->backlog = TRUE;
	}
	spool_free(sp);
	conn_kick(c);
	return G_SOURCE_REMOVE;
}

/* In the group commit: the original's blob row and its queue row. */
static gboolean spool_tx(KjStore *store, gpointer data, GError **error)
{
	Spool *sp = data;
	gint64 size = (gint64)g_bytes_get_size(sp->raw);

	return kj_store_register(store, sp->blob, size, error) &&
	       kj_queue_receive_tx(store, sp->batch, ACTOR, sp->id, sp->blob, size, sp->sender,
				   sp->rcpts, sp->peer, sp->helo, error);
}

/* Pool thread: blob written and fsync'd under its name, its row and the
 * queue row committed (with other threads' rows: one sync for all), the
 * audit record synced; only then may the 250 go out. */
static void spool_thread(gpointer data, gpointer user_data)
{
	Spool *sp = data;
	Gw *gw = user_data;
	KjStore *store = kjd_thread_store(gw, &sp->error);
	gsize len = 0;
	const void *p = g_bytes_get_data(sp->raw, &len);

	sp->batch = kj_audit_batch_new();
	sp->received_unix = g_get_real_time() / G_USEC_PER_SEC;
	sp->ok = store != NULL && kj_store_write(store, p, len, sp->blob, &sp->error) &&
		 kj_store_group_run(gw->group, store, spool_tx, sp, &sp->error) &&
		 kj_audit_batch_append(gw->audit, sp->batch, &sp->error);
	g_main_context_invoke(NULL, spooled_in_main, sp);
}

/* KJ_SMTP_EVENT_MESSAGE: hand the message to a spool thread; the
 * connection waits (reads nothing) until it is spooled. */
static void conn_message(Conn *c)
{
	Gw *gw = c->gw;
	g_autoptr(GBytes) body = kj_smtp_session_steal_message(c->s);
	Spool *sp = g_new0(Spool, 1);
	const GPtrArray *rcpts = kj_smtp_session_get_recipients(c->s);

	sp->c = c;
	sp->id = kj_queue_new_id();
	g_autofree char *hdr = received_header(c, sp->id);
	GByteArray *all = g_byte_array_sized_new((guint)(strlen(hdr) + g_bytes_get_size(body)));
	g_byte_array_append(all, (const guint8 *)hdr, (guint)strlen(hdr));
	g_byte_array_append(all, g_bytes_get_data(body, NULL), (guint)g_bytes_get_size(body));
	sp->raw = g_byte_array_free_to_bytes(all);
	sp->sender = g_strdup(kj_smtp_session_get_sender(c->s));
	sp->rcpts = g_ptr_array_new_full(rcpts->len, g_free);
	for (guint i = 0; i < rcpts->len; i++)
		g_ptr_array_add(sp->rcpts, g_strdup(rcpts->pdata[i]));
	sp->peer = g_strdup(c->peer);
	sp->helo = g_strdup(kj_smtp_session_get_helo(c->s));
	c->spooling = TRUE;
	g_hash_table_add(gw->inflight, g_strdup(sp->id));
	g_thread_pool_push(gw->spool_pool, sp, NULL);
}

/* Feeds pending bytes until they are used up or an event stops us. */
static void conn_feed_pending(Conn *c)
{
	while (c->pending->len > 0 && !c->closing && !c->spooling && !c->tls_pending) {
		gsize used = 0;
		kj_smtp_session_set_busy(c->s, c->gw->busy || c->gw->stopping);
		KjSmtpEvent ev =
		    kj_smtp_session_feed(c->s, c->pending->data, c->pending->len, &used);
		g_byte_array_remove_range(c->pending, 0, (guint)used);
		if (ev == KJ_SMTP_EVENT_MESSAGE) {
			conn_message(c);
		} else if (ev == KJ_SMTP_EVENT_CLOSE) {
			c->closing = TRUE;
		} else if (ev == KJ_SMTP_EVENT_STARTTLS) {
			/* Whatever followed STARTTLS in plaintext is dropped
			 * (CVE-2011-0411 command injection). */
			c->tls_pending = TRUE;
			g_byte_array_set_size(c->pending, 0);
		} else if (used == 0) {
			g_byte_array_set_size(c->pending, 0); /* a closed session reads nothing */
		}
	}
}

/* Bytes read under TLS: decrypt, note the end of the handshake. */
static void conn_input_tls(Conn *c, gsize n)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GByteArray) plain = g_byte_array_new();

	if (!kjd_tls_input(c->tls, c->buf, n, plain, &error)) {
		kjd_log(LOG_NOTICE, "TLS with %s failed: %s", c->peer, error->message);
		kjd_count(c->gw, &c->gw->ctr.tls_failed, 1);
		c->closing = TRUE;
		return;
	}
	if (!c->tls_announced && kjd_tls_is_established(c->tls)) {
		c->tls_announced = TRUE;
		kj_smtp_session_tls_started(c->s);
	}
	g_byte_array_append(c->pending, plain->data, plain->len);
}

static gboolean on_timeout(gpointer data)
{
	Conn *c = data;
	c->timer = 0;
	c->timed_out = TRUE;
	g_cancellable_cancel(c->cancel);
	return G_SOURCE_REMOVE;
}

static void on_read(GObject *src, GAsyncResult *res, gpointer data)
{
	Conn *c = data;
	g_autoptr(GError) error = NULL;
	gssize n = g_input_stream_read_finish(G_INPUT_STREAM(src), res, &error);

	c->reading = FALSE;
	if (c->timer) {
		g_source_remove(c->timer);
		c->timer = 0;
	}
	if (c->timed_out) {
		kjd_log(LOG_NOTICE, "timeout from %s", c->peer);
		if (c->tls == NULL || c->tls_announced)
			kj_smtp_session_reply(c->s, "421 4.4.2 Timeout, closing connection");
		c->closing = TRUE;
		conn_kick(c);
		return;
	}
	if (n <= 0) {
		if (kj_smtp_session_get_state(c->s) == KJ_SMTP_STATE_DATA)
			kjd_log(LOG_NOTICE, "lost connection from %s inside DATA", c->peer);
		else if (c->tls && !c->tls_announced)
			kjd_log(LOG_NOTICE, "TLS handshake with %s aborted", c->peer);
		conn_free(c);
		return;
	}
	c->phase_bytes += n;
	if (c->tls)
		conn_input_tls(c, (gsize)n);
	else
		g_byte_array_append(c->pending, c->buf, (guint)n);
	if (c->closing && c->tls && !c->tls_announced) {
		conn_free(c); /* a failed handshake: nothing to say */
		return;
	}
	conn_kick(c);
}

/*
 * Read timeouts.  Each read waits at most the command or data timeout;
 * besides, a client that drips a byte now and then (never long enough
 * silent for that timeout) must still finish: a command within the
 * command timeout of our last reply, DATA within the data timeout plus
 * one second for every smtp.min_data_rate bytes it sent (Postfix's
 * smtpd_per_record_deadline and smtpd_min_data_rate).
 */
static gint64 read_timeout_ms(Conn *c)
{
	Gw *gw = c->gw;
	gboolean data = kj_smtp_session_get_state(c->s) == KJ_SMTP_STATE_DATA;
	gint64 per_read =
	    (data ? gw->cfg->smtp_data_timeout_s : gw->cfg->smtp_command_timeout_s) * 1000;
	gint64 budget = per_read;

	if (data)
		budget += c->phase_bytes * 1000 / MAX(gw->cfg->smtp_min_data_rate, 1);
	gint64 left = budget - (g_get_monotonic_time() - c->phase_start) / 1000;
	return CLAMP(left, 0, per_read);
}

static void conn_start_read(Conn *c)
{
	GInputStream *is = g_io_stream_get_input_stream(G_IO_STREAM(c->conn));

	c->reading = TRUE;
	c->timer = g_timeout_add((guint)read_timeout_ms(c), on_timeout, c);
	g_input_stream_read_async(is, c->buf, sizeof(c->buf), G_PRIORITY_DEFAULT, c->cancel,
				  on_read, c);
}

static void conn_kick(Conn *c)
{
	for (;;) {
		if (c->writing || c->reading)
			return;
		if (c->write_failed) {
			if (!c->spooling)
				conn_free(c);
			return;
		}
		gboolean replied = kj_smtp_session_get_output(c->s)->len > 0;
		GBytes *b = take_output(c);
		if (replied) {
			c->phase_start = g_get_monotonic_time();
			c->phase_bytes = 0;
		}
		if (b) {
			GOutputStream *os = g_io_stream_get_output_stream(G_IO_STREAM(c->conn));
			c->out = b;
			c->writing = TRUE;
			g_output_stream_write_all_async(os, g_bytes_get_data(b, NULL),
							g_bytes_get_size(b), G_PRIORITY_DEFAULT,
							NULL, on_written, c);
			return;
		}
		if (c->spooling)
			return;
		if (c->closing) {
			conn_free(c);
			return;
		}
		if (c->pending->len == 0 || c->tls_pending)
			break;
		conn_feed_pending(c);
	}
	conn_start_read(c);
}

static gboolean allowed(Gw *gw, GInetAddress *a)
{
	for (guint i = 0; i < gw->allowed->len; i++)
		if (g_inet_address_mask_matches(gw->allowed->pdata[i], a))
			return TRUE;
	return FALSE;
}

static void session_options(Gw *gw, KjSmtpOptions *o)
{
	kj_smtp_options_init(o);
	o->hostname = gw->cfg->smtp_hostname ? gw->cfg->smtp_hostname : "kyojind";
	o->max_line_bytes = gw->cfg->smtp_max_line_bytes;
	o->max_recipients = gw->cfg->smtp_max_recipients;
	o->max_message_bytes = gw->cfg->smtp_max_message_bytes;
	o->max_errors = gw->cfg->smtp_max_errors;
	o->tls_available = gw->tls_ctx != NULL;
}

static gboolean on_incoming(GSocketService *svc, GSocketConnection *conn, GObject *src,
			    gpointer data)
{
	Gw *gw = data;
	KjSmtpOptions o;
	g_autoptr(GSocketAddress) ra = g_socket_connection_get_remote_address(conn, NULL);
	GInetAddress *ia = ra ? g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(ra)) : NULL;
	Conn *c = g_new0(Conn, 1);

	session_options(gw, &o);
	c->gw = gw;
	c->conn = g_object_ref(conn);
	c->cancel = g_cancellable_new();
	c->s = kj_smtp_session_new(&o);
	c->pending = g_byte_array_sized_new(sizeof(c->buf));
	c->phase_start = g_get_monotonic_time();
	c->peer = ia ? g_inet_address_to_string(ia) : g_strdup("unknown");
	gw->ctr.connections++;
	if (ia == NULL || !allowed(gw, ia)) {
		kjd_log(LOG_WARNING, "refused client %s: not in smtp.allowed_networks", c->peer);
		kj_smtp_session_reply(c->s, "554 5.7.1 Client not allowed (基本方針 6(3)②)");
		c->closing = TRUE;
	} else if (gw->ctr.connections > (guint)gw->cfg->smtp_max_connections || gw->stopping) {
		kj_smtp_session_reply(c->s, "421 4.7.0 Too many connections, try later");
		c->closing = TRUE;
	} else {
		kj_smtp_session_greet(c->s);
	}
	conn_kick(c);
	return TRUE;
}

/* --- Prometheus counters ---------------------------------------------- */

static gboolean on_metrics(GSocketService *svc, GSocketConnection *conn, GObject *src,
			   gpointer data)
{
	Gw *gw = data;
	GSocket *sock = g_socket_connection_get_socket(conn);
	char req[1024];

	/* Read (and ignore) the request so that closing does not reset the
	 * connection under the client; bounded by a short socket timeout. */
	g_socket_set_timeout(sock, 2);
	(void)g_socket_receive(sock, req, sizeof(req), NULL, NULL);
	g_mutex_lock(&gw->ctr_lock);
	KjdCounters now = gw->ctr;
	g_mutex_unlock(&gw->ctr_lock);
	now.busy = gw->busy;
	g_autofree char *resp = kjd_metrics_response(&now);
	(void)g_socket_send(sock, resp, strlen(resp), NULL, NULL);
	g_io_stream_close(G_IO_STREAM(conn), NULL, NULL);
	return TRUE;
}

/* --- set-up ----------------------------------------------------------- */

static GSocketAddress *parse_listen(const char *s, GError **error)
{
	const char *colon = strrchr(s, ':');
	g_autofree char *host = colon && colon != s ? g_strndup(s, (gsize)(colon - s)) : NULL;
	g_autoptr(GInetAddress) a = NULL;
	char *end = NULL;
	guint64 port = 0;

	if (host && host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	if (host) {
		port = g_ascii_strtoull(colon + 1, &end, 10);
		a = g_inet_address_new_from_string(host);
	}
	if (a == NULL || *end != '\0' || port > 65535 || end == colon + 1) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "'%s' is not ADDRESS:PORT (e.g. 127.0.0.1:2525)", s);
		return NULL;
	}
	return g_inet_socket_address_new(a, (guint16)port);
}

static GPtrArray *parse_networks(const char *list, GError **error)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_object_unref);
	g_auto(GStrv) parts = g_strsplit(list, ",", -1);

	for (char **p = parts; *p; p++) {
		g_strstrip(*p);
		if (**p == '\0')
			continue;
		GInetAddressMask *m = g_inet_address_mask_new_from_string(*p, error);
		if (m == NULL) {
			g_prefix_error(error, "smtp.allowed_networks: ");
			g_ptr_array_unref(out);
			return NULL;
		}
		g_ptr_array_add(out, m);
	}
	return out;
}

/* Everything the configuration must say right before we start; also
 * what --check-config checks. */
static gboolean check_config(const KjConfig *cfg, GError **error)
{
	g_autoptr(GSocketAddress) a = NULL;
	g_autoptr(GPtrArray) nets = NULL;

	if (!(a = parse_listen(cfg->smtp_listen ? cfg->smtp_listen : "127.0.0.1:2525", error)))
		return FALSE;
	if (cfg->gateway_metrics_listen) {
		g_autoptr(GSocketAddress) m = parse_listen(cfg->gateway_metrics_listen, error);
		if (m == NULL)
			return FALSE;
	}
	if (!(nets = parse_networks(cfg->smtp_allowed_networks ? cfg->smtp_allowed_networks
							       : "127.0.0.0/8, ::1/128",
				    error)))
		return FALSE;
	if (cfg->gateway_delivery && strcmp(cfg->gateway_delivery, "maildir") != 0 &&
	    strcmp(cfg->gateway_delivery, "smtp") != 0) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "gateway.delivery must be 'maildir' or 'smtp'");
		return FALSE;
	}
	if (g_strcmp0(cfg->gateway_delivery, "smtp") == 0 && cfg->gateway_relay == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "gateway.delivery is 'smtp' but gateway.relay is not set");
		return FALSE;
	}
	if (cfg->gateway_notify_held && strcmp(cfg->gateway_notify_held, "none") != 0 &&
	    strcmp(cfg->gateway_notify_held, "sender") != 0) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "gateway.notify_held must be 'none' or 'sender'");
		return FALSE;
	}
	if ((cfg->smtp_tls_cert == NULL) != (cfg->smtp_tls_key == NULL)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "smtp.tls_cert and smtp.tls_key go together");
		return FALSE;
	}
	if (cfg->smtp_tls_cert) {
		KjdTlsContext *t =
		    kjd_tls_context_new(cfg->smtp_tls_cert, cfg->smtp_tls_key, error);
		if (t == NULL)
			return FALSE;
		kjd_tls_context_free(t);
	}
	g_autoptr(KjMailProfile) p =
	    kj_mail_profile_new(cfg->gateway_profile ? cfg->gateway_profile : "default", error);
	return p != NULL;
}

static KjConfig *load_config(const char *path, GError **error)
{
	g_autoptr(KjConfig) cfg = kj_config_new();
	if (path && !kj_config_load_file(cfg, path, error))
		return NULL;
	return g_steal_pointer(&cfg);
}

static gboolean on_hup(gpointer data)
{
	Gw *gw = data;
	g_autoptr(GError) error = NULL;
	KjConfig *cfg = load_config(gw->config_path, &error);

	if (cfg == NULL || !check_config(cfg, &error)) {
		kjd_log(LOG_ERR, "reload refused, old configuration kept: %s", error->message);
		kj_config_free(cfg);
		return G_SOURCE_CONTINUE;
	}
	GPtrArray *nets = parse_networks(
	    cfg->smtp_allowed_networks ? cfg->smtp_allowed_networks : "127.0.0.0/8, ::1/128", NULL);
	g_ptr_array_unref(gw->allowed);
	gw->allowed = nets;
	/* Threads read gateway.delivery and relay: keep those from start-up. */
	g_free(cfg->gateway_delivery);
	cfg->gateway_delivery = g_strdup(gw->cfg->gateway_delivery);
	g_free(cfg->gateway_relay);
	cfg->gateway_relay = g_strdup(gw->cfg->gateway_relay);
	g_free(cfg->smtp_hostname);
	cfg->smtp_hostname = g_strdup(gw->cfg->smtp_hostname);
	KjConfig *old = gw->cfg;
	gw->cfg = cfg;
	gw->cfg_retry_initial_s = cfg->gateway_retry_initial_s;
	gw->cfg_retry_max_s = cfg->gateway_retry_max_s;
	gw->cfg_lifetime_s = cfg->gateway_max_queue_lifetime_s;
	g_atomic_int_set(&gw->notify_held, g_strcmp0(cfg->gateway_notify_held, "sender") == 0);
	/* Sessions still borrow nothing from the old config: they copied. */
	g_timeout_add_seconds(60, (GSourceFunc)(void (*)(void))kj_config_free, old);
	kjd_log(LOG_NOTICE, "configuration reloaded");
	return G_SOURCE_CONTINUE;
}

static gboolean on_term(gpointer data)
{
	Gw *gw = data;

	if (!gw->stopping) {
		kjd_log(LOG_NOTICE, "stopping: %u jobs in flight", g_hash_table_size(gw->inflight));
		gw->stopping = TRUE;
		g_atomic_int_set(&gw->stop_flag, 1);
		g_socket_service_stop(gw->smtp);
		g_socket_listener_close(G_SOCKET_LISTENER(gw->smtp));
	}
	return G_SOURCE_CONTINUE;
}

static void drop_privileges(const char *user)
{
	if (geteuid() != 0)
		return;
	struct passwd *pw = getpwnam(user);
	if (pw == NULL) {
		kjd_log(LOG_WARNING, "user '%s' does not exist: staying root (set gateway.user)",
			user);
		return;
	}
	if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0 ||
	    setuid(0) != -1 || pw->pw_uid == 0) {
		/* (setuid(0) must fail now: root is not coming back.) */
		kjd_log(LOG_CRIT, "cannot switch to user '%s'", user);
		exit(1);
	}
	kjd_log(LOG_NOTICE, "running as %s", user);
}

static guint16 listen_on(GSocketService *svc, const char *addr, GError **error)
{
	g_autoptr(GSocketAddress) a = parse_listen(addr, error);
	g_autoptr(GSocketAddress) eff = NULL;

	/* GLib's default backlog of 10 drops connections when many MTAs
	 * connect at once (the benchmark's clients then waited forever
	 * on connections the kernel had answered with SYN cookies). */
	g_socket_listener_set_backlog(G_SOCKET_LISTENER(svc), KJ_SMTP_LISTEN_BACKLOG);
	if (a == NULL ||
	    !g_socket_listener_add_address(G_SOCKET_LISTENER(svc), a, G_SOCKET_TYPE_STREAM,
					   G_SOCKET_PROTOCOL_TCP, NULL, &eff, error))
		return 0;
	return g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(eff));
}

static gboolean open_everything(Gw *gw, const char *data_dir, GError **error)
{
	KjStoreOptions so = {.max_blob_bytes = gw->cfg->store_max_blob_bytes,
			     .busy_timeout_ms = gw->cfg->store_busy_timeout_ms};
	KjAuditOptions ao = {.max_record_bytes = gw->cfg->audit_max_record_bytes,
			     .lock_timeout_s = gw->cfg->audit_lock_timeout_s};

	gw->profile = kj_mail_profile_new(
	    gw->cfg->gateway_profile ? gw->cfg->gateway_profile : "default", error);
	if (gw->profile == NULL)
		return FALSE;
	gw->profile->limits = (KjMailLimits){
	    .max_message_bytes = gw->cfg->mail_max_message_bytes,
	    .max_header_count = gw->cfg->mail_max_header_count,
	    .max_header_bytes = gw->cfg->mail_max_header_bytes,
	    .max_mime_depth = gw->cfg->mail_max_mime_depth,
	    .max_parts = gw->cfg->mail_max_parts,
	    .max_decoded_bytes = gw->cfg->mail_max_decoded_bytes,
	    .html_max_depth = gw->cfg->mail_html_max_depth,
	    .html_max_nodes = gw->cfg->mail_html_max_nodes,
	};
	gw->store = kj_store_open(data_dir, &so, error);
	if (gw->store == NULL)
		return FALSE;
	gw->audit = kj_audit_open(data_dir, &ao, error);
	if (gw->audit == NULL)
		return FALSE;
	gw->group = kj_store_group_new();
	gw->maildir = gw->cfg->gateway_maildir ? g_strdup(gw->cfg->gateway_maildir)
					       : g_build_filename(data_dir, "maildir", NULL);
	gw->data_dir = g_strdup(data_dir);
	gw->store_opts = so;
	if (g_strcmp0(gw->cfg->gateway_delivery, "smtp") == 0)
		gw->relay = g_strdup(gw->cfg->gateway_relay);
	gw->helo_name =
	    g_strdup(gw->cfg->smtp_hostname ? gw->cfg->smtp_hostname : "kyojind.localdomain");
	gw->cfg_retry_initial_s = gw->cfg->gateway_retry_initial_s;
	gw->cfg_retry_max_s = gw->cfg->gateway_retry_max_s;
	gw->cfg_lifetime_s = gw->cfg->gateway_max_queue_lifetime_s;
	gw->notify_held = g_strcmp0(gw->cfg->gateway_notify_held, "sender") == 0;
	gw->allowed = parse_networks(gw->cfg->smtp_allowed_networks ? gw->cfg->smtp_allowed_networks
								    : "127.0.0.0/8, ::1/128",
				     error);
	return gw->allowed != NULL;
}

/* As root if started so: the certificate's key (readable by root only)
 * and the listening sockets (a port below 1024). */
static gboolean start_listening(Gw *gw, guint16 *port_out, guint16 *mport_out, GError **error)
{
	guint16 mport = 0;

	if (gw->cfg->smtp_tls_cert && !(gw->tls_ctx = kjd_tls_context_new(
					    gw->cfg->smtp_tls_cert, gw->cfg->smtp_tls_key, error)))
		return FALSE;

	gw->smtp = g_socket_service_new();
	guint16 port = listen_on(
	    gw->smtp, gw->cfg->smtp_listen ? gw->cfg->smtp_listen : "127.0.0.1:2525", error);
	if (port == 0)
		return FALSE;
	g_signal_connect(gw->smtp, "incoming", G_CALLBACK(on_incoming), gw);
	if (gw->cfg->gateway_metrics_listen) {
		gw->metrics = g_socket_service_new();
		mport = listen_on(gw->metrics, gw->cfg->gateway_metrics_listen, error);
		if (mport == 0)
			return FALSE;
		g_signal_connect(gw->metrics, "incoming", G_CALLBACK(on_metrics), gw);
	}
	*port_out = port;
	*mport_out = mport;
	return TRUE;
}

static gboolean write_ready(Gw *gw, const char *ready_file, guint16 port, guint16 mport,
			    GError **error)
{
	kjd_log(LOG_NOTICE, "listening on port %u (metrics %u), delivery %s", port, mport,
		gw->relay ? gw->relay : gw->maildir);
	if (ready_file) {
		g_autofree char *s = g_strdup_printf("%u\n%u\n", port, mport);
		g_autofree char *tmp = g_strconcat(ready_file, ".tmp", NULL);
		if (!g_file_set_contents(tmp, s, -1, error) || rename(tmp, ready_file) != 0)
			return FALSE;
	}
	return TRUE;
}

static void gw_clear(Gw *gw)
{
	if (gw->smtp) {
		g_socket_service_stop(gw->smtp);
		g_socket_listener_close(G_SOCKET_LISTENER(gw->smtp));
		g_object_unref(gw->smtp);
	}
	if (gw->metrics) {
		g_socket_listener_close(G_SOCKET_LISTENER(gw->metrics));
		g_object_unref(gw->metrics);
	}
	if (gw->inflight)
		g_hash_table_unref(gw->inflight);
	if (gw->workers)
		g_async_queue_unref(gw->workers);
	if (gw->rescan)
		g_source_remove(gw->rescan);
	if (gw->allowed)
		g_ptr_array_unref(gw->allowed);
	if (gw->loop)
		g_main_loop_unref(gw->loop);
	kjd_tls_context_free(gw->tls_ctx);
	kj_audit_free(gw->audit);
	kj_store_group_free(gw->group);
	kj_store_free(gw->store);
	kj_mail_profile_free(gw->profile);
	kj_config_free(gw->cfg);
	g_free(gw->config_path);
	g_free(gw->maildir);
	g_free(gw->data_dir);
	g_free(gw->relay);
	g_free(gw->helo_name);
	g_mutex_clear(&gw->ctr_lock);
}

int main(int argc, char **argv)
{
	g_autofree char *opt_config = NULL, *opt_data_dir = NULL, *opt_ready = NULL;
	g_autofree char *opt_listen = NULL;
	gboolean opt_check = FALSE;
	const GOptionEntry entries[] = {
	    {"config", 'c', 0, G_OPTION_ARG_FILENAME, &opt_config, "configuration (kyojin.yaml)",
	     "FILE"},
	    {"data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &opt_data_dir,
	     "data directory (default: data_dir of the configuration, then ./var)", "DIR"},
	    {"listen", 'l', 0, G_OPTION_ARG_STRING, &opt_listen, "override smtp.listen",
	     "ADDR:PORT"},
	    {"check-config", 0, 0, G_OPTION_ARG_NONE, &opt_check,
	     "check the configuration and exit (0 good, 3 bad)", NULL},
	    {"ready-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_ready,
	     "write the SMTP and metrics ports here once listening", "FILE"},
	    {NULL, 0, 0, 0, NULL, NULL, NULL}};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- the sanitizing mail gateway");
	g_autoptr(GError) error = NULL;
	Gw gw = {0};

	g_mutex_init(&gw.ctr_lock);
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "kyojind: %s\n", error->message);
		return 2;
	}
	openlog("kyojind", LOG_PID, LOG_MAIL);
	gw.config_path = g_strdup(opt_config);
	gw.cfg = load_config(opt_config, &error);
	if (gw.cfg && opt_listen) {
		g_free(gw.cfg->smtp_listen);
		gw.cfg->smtp_listen = g_strdup(opt_listen);
	}
	if (gw.cfg == NULL || !check_config(gw.cfg, &error)) {
		fprintf(stderr, "kyojind: %s\n", error->message);
		gw_clear(&gw);
		return 3;
	}
	if (opt_check) {
		printf("kyojind: configuration %s is good\n",
		       opt_config ? opt_config : "(defaults)");
		gw_clear(&gw);
		return 0;
	}
	const char *data_dir = opt_data_dir       ? opt_data_dir
			       : gw.cfg->data_dir ? gw.cfg->data_dir
						  : "var";
	signal(SIGPIPE, SIG_IGN);
	guint16 port = 0, mport = 0;
	if (!start_listening(&gw, &port, &mport, &error)) {
		kjd_log(LOG_CRIT, "cannot start: %s", error->message);
		gw_clear(&gw);
		return 3;
	}
	/* Bound: from here on unprivileged, before any file of the data
	 * directory is opened or made and before any worker exists. */
	drop_privileges(gw.cfg->gateway_user ? gw.cfg->gateway_user : "kyojin");
	kj_mail_global_init();
	/* OpenSSL loads its configuration once, in the first thread that
	 * hashes; done by a pool thread, the error state it makes there
	 * outlives the thread (LeakSanitizer).  Do it here. */
	OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL);
	if (!open_everything(&gw, data_dir, &error) ||
	    !write_ready(&gw, opt_ready, port, mport, &error)) {
		kjd_log(LOG_CRIT, "cannot start: %s", error->message);
		gw_clear(&gw);
		return 3;
	}
	gw.inflight = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	/* The sanitizer workers' spawners (sandbox.c) are copies of this
	 * process made now, while it has one thread. */
	gw.workers = g_async_queue_new_full((GDestroyNotify)kj_mail_worker_free);
	for (guint i = 0; i < gw.cfg->gateway_workers; i++) {
		KjMailWorker *w = kj_mail_worker_new(gw.profile, KJ_MAIL_ISOLATE_REUSE, &error);
		if (w == NULL) {
			kjd_log(LOG_CRIT, "cannot start: %s", error->message);
			gw_clear(&gw);
			return 3;
		}
		g_async_queue_push(gw.workers, w);
	}
	/* Exclusive threads: each keeps its store connection and sandboxed
	 * worker until the pool is freed, which closes them. */
	gw.spool_pool =
	    g_thread_pool_new(spool_thread, &gw, (gint)gw.cfg->gateway_io_threads, TRUE, NULL);
	gw.sanitize_pool =
	    g_thread_pool_new(kjd_sanitize_thread, &gw, (gint)gw.cfg->gateway_workers, TRUE, NULL);
	gw.record_pool =
	    g_thread_pool_new(kjd_record_thread, &gw, (gint)gw.cfg->gateway_io_threads, TRUE, NULL);
	gw.deliver_pool = g_thread_pool_new(kjd_deliver_thread, &gw,
					    (gint)gw.cfg->gateway_io_threads, TRUE, NULL);
	gw.loop = g_main_loop_new(NULL, FALSE);
	g_unix_signal_add(SIGHUP, on_hup, &gw);
	g_unix_signal_add(SIGTERM, on_term, &gw);
	g_unix_signal_add(SIGINT, on_term, &gw);
	g_idle_add_once((GSourceOnceFunc)(void (*)(void))scan, &gw);
	update_busy(&gw); /* before the first client, not after the first scan */
	g_timeout_add(250, scan, &gw);
	g_main_loop_run(gw.loop);

	/* In flight is empty: the pools are idle (a job passes from pool to
	 * pool, sanitize -> record -> deliver, before its id leaves the set). */
	g_thread_pool_free(gw.spool_pool, FALSE, TRUE);
	g_thread_pool_free(gw.sanitize_pool, FALSE, TRUE);
	g_thread_pool_free(gw.record_pool, FALSE, TRUE);
	g_thread_pool_free(gw.deliver_pool, FALSE, TRUE);
	kjd_log(LOG_NOTICE, "stopped");
	gw_clear(&gw);
	return 0;
}
