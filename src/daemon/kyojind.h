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
	char *data_dir;
	KjStoreOptions store_opts; /* for the pool threads' own connections */
	KjStore *store;            /* the main thread's: queue scans only */
	KjAudit *audit;            /* shared: appends are thread-safe */
	KjStoreGroup *group;       /* the pool threads' group commit */
	KjMailProfile *profile;
	GMainLoop *loop;
	GSocketService *smtp, *metrics;
	GThreadPool *spool_pool, *sanitize_pool, *record_pool, *deliver_pool;
	GAsyncQueue *workers; /* KjMailWorker *, one per sanitizer thread */
	GHashTable *inflight; /* queue id -> GINT_TO_POINTER(1); main thread only */
	GPtrArray *allowed;   /* GInetAddressMask * */
	/* Read by the pool threads: fixed at start-up (relay, maildir,
	 * helo_name) or plain numbers a reload overwrites. */
	char *maildir;
	char *relay; /* NULL: Maildir delivery */
	char *helo_name;
	gint64 cfg_retry_initial_s, cfg_retry_max_s, cfg_lifetime_s;
	gint notify_held; /* gateway.notify_held is "sender" (atomic) */
	gboolean busy, stopping;
	gboolean backlog; /* the last scan left due work for want of room */
	guint rescan;     /* source of a pending early scan, or 0 */
	guint scans;      /* queue scans so far */
	gint stop_flag;   /* stopping, for the threads (atomic) */
	GMutex ctr_lock;
	KjdCounters ctr;        /* under ctr_lock */
	KjdTlsContext *tls_ctx; /* NULL: no STARTTLS */
} Gw;

/* syslog (LOG_MAIL) and stderr; text from the network only through %s. */
void kjd_log(int prio, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* "WHAT ID: message" at LOG_ERR. */
void kjd_log_gerror(const char *what, const char *id, GError *e);

/* The calling pool thread's own store connection, opened on first use
 * and closed when the thread ends; borrowed. */
KjStore *kjd_thread_store(Gw *gw, GError **error);
/* Whether another job may start now, to sanitize (then record and
 * deliver) or only to deliver: the jobs waiting in the pools stay below
 * KJ_GATEWAY_QUEUED_PER_THREAD a thread; what does not fit waits in the
 * queue's database, not in memory. */
gboolean kjd_pool_has_room(Gw *gw, gboolean sanitize);
/* Main thread: a job ended; scan again soon if work is waiting. */
void kjd_job_ended(Gw *gw);
/* Adds n to a counter of gw->ctr (any thread). */
void kjd_count(Gw *gw, guint64 *counter, guint64 n);

/* Sanitizing and delivery (work.c): the pool functions, and starting a
 * job for a queue entry, which is in flight (main thread's set) until
 * the job ends.  raw may be NULL to read the blob in the thread; blob is
 * the original's id (its SHA-256), or NULL with raw if not known. */
void kjd_sanitize_thread(gpointer data, gpointer user_data);
void kjd_record_thread(gpointer data, gpointer user_data);
void kjd_deliver_thread(gpointer data, gpointer user_data);
void kjd_start_sanitize(Gw *gw, const char *id, GBytes *raw, const char *blob, const char *sender,
			GPtrArray *rcpts, gint64 received_unix, gint64 attempts);
void kjd_start_delivery(Gw *gw, const KjQueueEntry *e);
/* After id was held: the delivery-status notice to its sender, queued
 * for delivery, when gateway.notify_held says so (pool threads). */
void kjd_notify_held(Gw *gw, KjStore *store, const char *id, const char *reason);

#endif
