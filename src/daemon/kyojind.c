/*++
 * NAME
 *	kyojind - the sanitizing mail gateway
 * DESCRIPTION
 *	SMTP in (smtp/ state machine under GLib's main loop and GIO), the
 *	message spooled in the blob store and queued in the database before
 *	250, sanitized by the mail engine in sandboxed workers (a thread
 *	pool; its KjMailWorkers are made before any thread), delivered to a Maildir
 *	or an LGWAN relay with retries and exponential backoff.  The main
 *	thread alone touches the store, the queue and the audit log; worker
 *	and delivery threads only compute and hand results back through the
 *	main context.  A 1 s timer finds due work in the queue, which is also
 *	how work left by a crash or restart resumes.
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
	if (!kj_queue_list_due(gw->store, g_get_real_time() / G_USEC_PER_SEC, 200, &due, &error)) {
		kjd_log_gerror("queue scan", "", error);
		return G_SOURCE_CONTINUE;
	}
	for (guint i = 0; i < due->len; i++) {
		KjQueueEntry *e = due->pdata[i];
		if (g_hash_table_contains(gw->inflight, e->id))
			continue;
		const char *blob = e->state == KJ_QUEUE_RECEIVED ? e->original : e->sanitized;
		g_autoptr(GError) gerr = NULL;
		g_autoptr(GBytes) b = kj_store_get(gw->store, blob, &gerr);
		if (b == NULL) {
			kjd_log_gerror("cannot read spool of", e->id, gerr);
			continue;
		}
		if (e->state == KJ_QUEUE_RECEIVED)
			kjd_start_sanitize(gw, e->id, b);
		else
			kjd_start_delivery(gw, e->id, b, e);
	}
	return G_SOURCE_CONTINUE;
}

/* --- SMTP connections ------------------------------------------------- */

typedef struct {
	Gw *gw;
	GSocketConnection *conn;
	KjSmtpSession *s;
	GCancellable *cancel;
	guint timer;
	gboolean timed_out, closing, tls_pending, tls_announced;
	KjdTls *tls;
	char *peer;
	guint8 buf[16384];
} Conn;

static void conn_read(Conn *c);

static void conn_free(Conn *c)
{
	if (c->timer)
		g_source_remove(c->timer);
	g_io_stream_close(G_IO_STREAM(c->conn), NULL, NULL);
	g_object_unref(c->conn);
	g_object_unref(c->cancel);
	kj_smtp_session_free(c->s);
	kjd_tls_free(c->tls);
	c->gw->ctr.connections--;
	g_free(c->peer);
	g_free(c);
}

static void on_written(GObject *src, GAsyncResult *res, gpointer data)
{
	Conn *c = data;
	g_autoptr(GError) error = NULL;

	if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(src), res, NULL, &error) ||
	    c->closing) {
		conn_free(c);
		return;
	}
	if (c->tls_pending) {
		/* The 220 went out in plaintext; the handshake starts now. */
		c->tls_pending = FALSE;
		c->tls = kjd_tls_new(c->gw->tls_ctx);
	}
	conn_read(c);
}

/* Sends what the session has to say, then reads again (or closes). */
static void conn_flush(Conn *c)
{
	GString *out = kj_smtp_session_get_output(c->s);
	GOutputStream *os = g_io_stream_get_output_stream(G_IO_STREAM(c->conn));
	GBytes *b;

	if (c->tls) {
		g_autoptr(GError) error = NULL;
		GByteArray *cipher = g_byte_array_new();
		kjd_tls_drain(c->tls, cipher);
		if (!kjd_tls_output(c->tls, out->str, out->len, cipher, &error))
			c->closing = TRUE;
		b = g_byte_array_free_to_bytes(cipher);
	} else {
		b = g_bytes_new(out->str, out->len);
	}
	g_string_truncate(out, 0);
	g_output_stream_write_all_async(os, g_bytes_get_data(b, NULL), g_bytes_get_size(b),
					G_PRIORITY_DEFAULT, NULL, on_written, c);
	/* The bytes must live until the write completes. */
	g_object_set_data_full(G_OBJECT(c->conn), "kj-pending", b, (GDestroyNotify)g_bytes_unref);
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

/* KJ_SMTP_EVENT_MESSAGE: spool, queue, then 250 (or 451/452). */
static void conn_message(Conn *c)
{
	Gw *gw = c->gw;
	g_autoptr(GBytes) body = kj_smtp_session_steal_message(c->s);
	g_autofree char *id = kj_queue_new_id();
	g_autofree char *hdr = received_header(c, id);
	g_autoptr(GError) error = NULL;
	GByteArray *all = g_byte_array_sized_new((guint)(strlen(hdr) + g_bytes_get_size(body)));

	g_byte_array_append(all, (const guint8 *)hdr, (guint)strlen(hdr));
	g_byte_array_append(all, g_bytes_get_data(body, NULL), (guint)g_bytes_get_size(body));
	g_autoptr(GBytes) raw = g_byte_array_free_to_bytes(all);
	if (!kj_queue_receive(gw->store, gw->audit, ACTOR, id, raw,
			      kj_smtp_session_get_sender(c->s),
			      kj_smtp_session_get_recipients(c->s), c->peer,
			      kj_smtp_session_get_helo(c->s), &error)) {
		kjd_log_gerror("cannot spool message from", c->peer, error);
		gw->ctr.refused++;
		kj_smtp_session_set_busy(c->s, TRUE);
		kj_smtp_session_message_done(c->s, NULL, "4.3.1 Cannot spool message, try later");
		return;
	}
	gw->ctr.received++;
	kjd_log(LOG_INFO, "%s: from=<%s> client=%s size=%" G_GSIZE_FORMAT, id,
		kj_smtp_session_get_sender(c->s), c->peer, g_bytes_get_size(raw));
	kj_smtp_session_message_done(c->s, id, NULL);
	if (!gw->stopping)
		kjd_start_sanitize(gw, id, raw);
}

static void conn_feed(Conn *c, const guint8 *data, gsize n)
{
	gsize off = 0;

	while (off < n && !c->closing) {
		gsize used = 0;
		kj_smtp_session_set_busy(c->s, c->gw->busy || c->gw->stopping);
		KjSmtpEvent ev = kj_smtp_session_feed(c->s, data + off, n - off, &used);
		off += used;
		if (ev == KJ_SMTP_EVENT_MESSAGE) {
			conn_message(c);
		} else if (ev == KJ_SMTP_EVENT_CLOSE) {
			c->closing = TRUE;
		} else if (ev == KJ_SMTP_EVENT_STARTTLS) {
			/* Whatever followed STARTTLS in plaintext is dropped
			 * (CVE-2011-0411 command injection). */
			c->tls_pending = TRUE;
			return;
		}
	}
}

/* Bytes read under TLS: decrypt, note the end of the handshake, feed. */
static void conn_feed_tls(Conn *c, gsize n)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GByteArray) plain = g_byte_array_new();

	if (!kjd_tls_input(c->tls, c->buf, n, plain, &error)) {
		kjd_log(LOG_NOTICE, "TLS with %s failed: %s", c->peer, error->message);
		c->gw->ctr.tls_failed++;
		c->closing = TRUE;
		return;
	}
	if (!c->tls_announced && kjd_tls_is_established(c->tls)) {
		c->tls_announced = TRUE;
		kj_smtp_session_tls_started(c->s);
	}
	conn_feed(c, plain->data, plain->len);
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

	if (c->timer) {
		g_source_remove(c->timer);
		c->timer = 0;
	}
	if (c->timed_out) {
		kjd_log(LOG_NOTICE, "timeout from %s", c->peer);
		kj_smtp_session_reply(c->s, "421 4.4.2 Timeout, closing connection");
		c->closing = TRUE;
		conn_flush(c);
		return;
	}
	if (n <= 0) {
		if (kj_smtp_session_get_state(c->s) == KJ_SMTP_STATE_DATA)
			kjd_log(LOG_NOTICE, "lost connection from %s inside DATA", c->peer);
		conn_free(c);
		return;
	}
	if (c->tls)
		conn_feed_tls(c, (gsize)n);
	else
		conn_feed(c, c->buf, (gsize)n);
	if (c->closing && c->tls && !c->tls_announced) {
		conn_free(c); /* an aborted handshake: nothing to say */
		return;
	}
	conn_flush(c);
}

static void conn_read(Conn *c)
{
	GInputStream *is = g_io_stream_get_input_stream(G_IO_STREAM(c->conn));
	gint64 t = kj_smtp_session_get_state(c->s) == KJ_SMTP_STATE_DATA
		       ? c->gw->cfg->smtp_data_timeout_s
		       : c->gw->cfg->smtp_command_timeout_s;

	c->timer = g_timeout_add_seconds((guint)t, on_timeout, c);
	g_input_stream_read_async(is, c->buf, sizeof(c->buf), G_PRIORITY_DEFAULT, c->cancel,
				  on_read, c);
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
	conn_flush(c);
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
	gw->ctr.busy = gw->busy;
	g_autofree char *resp = kjd_metrics_response(&gw->ctr);
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
	if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
		kjd_log(LOG_CRIT, "cannot switch to user '%s'", user);
		exit(1);
	}
	kjd_log(LOG_NOTICE, "running as %s", user);
}

static guint16 listen_on(GSocketService *svc, const char *addr, GError **error)
{
	g_autoptr(GSocketAddress) a = parse_listen(addr, error);
	g_autoptr(GSocketAddress) eff = NULL;

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
	if (gw->cfg->smtp_tls_cert && !(gw->tls_ctx = kjd_tls_context_new(
					    gw->cfg->smtp_tls_cert, gw->cfg->smtp_tls_key, error)))
		return FALSE;
	gw->store = kj_store_open(data_dir, &so, error);
	if (gw->store == NULL)
		return FALSE;
	gw->audit = kj_audit_open(data_dir, &ao, error);
	if (gw->audit == NULL)
		return FALSE;
	gw->maildir = gw->cfg->gateway_maildir ? g_strdup(gw->cfg->gateway_maildir)
					       : g_build_filename(data_dir, "maildir", NULL);
	gw->allowed = parse_networks(gw->cfg->smtp_allowed_networks ? gw->cfg->smtp_allowed_networks
								    : "127.0.0.0/8, ::1/128",
				     error);
	return gw->allowed != NULL;
}

static gboolean start_listening(Gw *gw, const char *ready_file, GError **error)
{
	guint16 mport = 0;

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
	kjd_log(LOG_NOTICE, "listening on port %u (metrics %u), delivery %s", port, mport,
		g_strcmp0(gw->cfg->gateway_delivery, "smtp") == 0 ? gw->cfg->gateway_relay
								  : gw->maildir);
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
	if (gw->allowed)
		g_ptr_array_unref(gw->allowed);
	if (gw->loop)
		g_main_loop_unref(gw->loop);
	kjd_tls_context_free(gw->tls_ctx);
	kj_audit_free(gw->audit);
	kj_store_free(gw->store);
	kj_mail_profile_free(gw->profile);
	kj_config_free(gw->cfg);
	g_free(gw->config_path);
	g_free(gw->maildir);
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
	    {NULL}};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- the sanitizing mail gateway");
	g_autoptr(GError) error = NULL;
	Gw gw = {0};

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
	kj_mail_global_init();
	signal(SIGPIPE, SIG_IGN);
	if (!open_everything(&gw, data_dir, &error) || !start_listening(&gw, opt_ready, &error)) {
		kjd_log(LOG_CRIT, "cannot start: %s", error->message);
		gw_clear(&gw);
		return 3;
	}
	drop_privileges(gw.cfg->gateway_user ? gw.cfg->gateway_user : "kyojin");
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
	gw.sanitize_pool =
	    g_thread_pool_new(kjd_sanitize_thread, &gw, (gint)gw.cfg->gateway_workers, FALSE, NULL);
	gw.deliver_pool =
	    g_thread_pool_new(kjd_deliver_thread, &gw, (gint)gw.cfg->gateway_workers, FALSE, NULL);
	gw.loop = g_main_loop_new(NULL, FALSE);
	g_unix_signal_add(SIGHUP, on_hup, &gw);
	g_unix_signal_add(SIGTERM, on_term, &gw);
	g_unix_signal_add(SIGINT, on_term, &gw);
	g_idle_add_once((GSourceOnceFunc)(void (*)(void))scan, &gw);
	update_busy(&gw); /* before the first client, not after the first scan */
	g_timeout_add(250, scan, &gw);
	g_main_loop_run(gw.loop);

	g_thread_pool_free(gw.sanitize_pool, FALSE, TRUE);
	g_thread_pool_free(gw.deliver_pool, FALSE, TRUE);
	kjd_log(LOG_NOTICE, "stopped");
	gw_clear(&gw);
	return 0;
}
