/* kyojind.h - what kyojind.c shares with its helpers tls.c and metrics.c. */
#ifndef KJ_DAEMON_KYOJIND_H
#define KJ_DAEMON_KYOJIND_H

#include "config/config.h"
#include "mime/mail.h"
#include "queue/queue.h"
#include "store/store.h"

#include <gio/gio.h>
#include <glib.h>

/* Counters exposed in Prometheus text format (metrics.c). */
typedef struct {
	guint64 received, sanitized, held, delivered, deferred, refused, tls_failed;
	double latency_sum; /* seconds from 250 to delivery */
	guint64 latency_count;
	guint connections;
	gboolean busy;
} KjdCounters;

/* The HTTP response for a scrape, newly allocated. */
char *kjd_metrics_response(const KjdCounters *c);

/* STARTTLS (tls.c): OpenSSL on memory BIOs, so that the GIO event loop
 * keeps doing the socket I/O and the SMTP session sees plaintext only. */
typedef struct KjdTlsContext KjdTlsContext;
typedef struct KjdTls KjdTls;

KjdTlsContext *kjd_tls_context_new(const char *cert_file, const char *key_file, GError **error);
void kjd_tls_context_free(KjdTlsContext *ctx);
KjdTls *kjd_tls_new(KjdTlsContext *ctx);
void kjd_tls_free(KjdTls *tls);
/* Ciphertext from the client in; plaintext (if any) appended to plain.
 * FALSE when the handshake or a record failed (close the connection). */
gboolean kjd_tls_input(KjdTls *tls, const guint8 *data, gsize len, GByteArray *plain,
		       GError **error);
/* Plaintext to send in; ciphertext appended to cipher. */
gboolean kjd_tls_output(KjdTls *tls, const char *data, gsize len, GByteArray *cipher,
			GError **error);
/* Ciphertext the engine wants sent (handshake records), appended. */
void kjd_tls_drain(KjdTls *tls, GByteArray *cipher);
gboolean kjd_tls_is_established(const KjdTls *tls);

typedef struct {
	KjConfig *cfg;
	char *config_path;
	KjStore *store;
	KjAudit *audit;
	KjMailProfile *profile;
	GMainLoop *loop;
	GSocketService *smtp, *metrics;
	GThreadPool *sanitize_pool, *deliver_pool;
	GAsyncQueue *workers; /* KjMailWorker *, one per sanitizer thread */
	GHashTable *inflight; /* queue id -> GINT_TO_POINTER(1) */
	GPtrArray *allowed;   /* GInetAddressMask * */
	char *maildir;
	gboolean busy, stopping;
	KjdCounters ctr;
	KjdTlsContext *tls_ctx; /* NULL: no STARTTLS */
} Gw;

/* syslog (LOG_MAIL) and stderr; text from the network only through %s. */
void kjd_log(int prio, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* "WHAT ID: message" at LOG_ERR. */
void kjd_log_gerror(const char *what, const char *id, GError *e);

/* Sanitizing and delivery (work.c): the pool functions, and starting a
 * job for a queue entry (marked in flight until its result is back in
 * the main thread). */
void kjd_sanitize_thread(gpointer data, gpointer user_data);
void kjd_deliver_thread(gpointer data, gpointer user_data);
void kjd_start_sanitize(Gw *gw, const char *id, GBytes *raw);
void kjd_start_delivery(Gw *gw, const char *id, GBytes *msg, const KjQueueEntry *e);

#endif
