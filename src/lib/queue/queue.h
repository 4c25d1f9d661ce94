/* queue.h - the gateway's message queue in the store's database (see queue.c). */
#ifndef KJ_QUEUE_QUEUE_H
#define KJ_QUEUE_QUEUE_H

#include "audit/audit.h"
#include "store/store.h"

#include <glib.h>

#define KJ_QUEUE_ERROR (kj_queue_error_quark())
GQuark kj_queue_error_quark(void);

typedef enum {
	KJ_QUEUE_ERROR_NOT_FOUND, /* no queue entry with that id */
	KJ_QUEUE_ERROR_STATE,     /* the entry is not in a state that allows this */
	KJ_QUEUE_ERROR_INVALID,   /* an argument is not acceptable */
} KjQueueError;

/*
 * received ──▶ sanitized ──▶ delivered
 *     └──────▶ held ◀──┘ (delivery refused for good, or lifetime over)
 * Every transition is one row update and one audit record
 * ("queue.<new state>", object the queue id).
 */
typedef enum {
	KJ_QUEUE_RECEIVED,
	KJ_QUEUE_SANITIZED,
	KJ_QUEUE_HELD,
	KJ_QUEUE_DELIVERED,
} KjQueueState;

typedef struct {
	char *id;
	KjQueueState state;
	char *sender;          /* "" for the null sender */
	GPtrArray *recipients; /* char * */
	char *client;          /* peer address */
	char *helo;
	gint64 size;
	char *original;      /* blob id of the message as received */
	char *sanitized;     /* blob id of what is delivered, or NULL */
	char *quarantine_id; /* or NULL before sanitizing */
	char *reason;        /* why held, or NULL */
	gint64 attempts;
	gint64 next_attempt; /* unix seconds */
	char *last_error;    /* last delivery failure, or NULL */
	char *received_at;   /* RFC 3339 UTC */
	gint64 received_unix;
	char *updated_at;
} KjQueueEntry;

void kj_queue_entry_free(KjQueueEntry *e);
const char *kj_queue_state_name(KjQueueState state);
gboolean kj_queue_state_from_name(const char *name, KjQueueState *state);

/* A new queue id: 20 lower-case hex digits, time-ordered. */
char *kj_queue_new_id(void);

/* Spools raw in the blob store (fsync'd under its final name) and inserts
 * the entry in state received, then appends "queue.received".  Only after
 * this returns TRUE may the message be acknowledged with 250. */
gboolean kj_queue_receive(KjStore *store, KjAudit *audit, const char *actor, const char *id,
			  GBytes *raw, const char *sender, const GPtrArray *recipients,
			  const char *client, const char *helo, GError **error);

/* Puts a notice in the queue as a new entry, ready for delivery (state
 * sanitized: it is kyojin's own text, not mail from outside), sender
 * <> and the one recipient to; "queue.notice" in the audit log names
 * the held entry it is about. */
gboolean kj_queue_add_notice(KjStore *store, KjAudit *audit, const char *actor, const char *id,
			     const char *about_id, const char *to, GBytes *notice, GError **error);

/* received -> sanitized (sanitized_blob is what will be delivered). */
gboolean kj_queue_set_sanitized(KjStore *store, KjAudit *audit, const char *actor, const char *id,
				const char *sanitized_blob, const char *quarantine_id,
				GError **error);
/* received|sanitized -> held. */
gboolean kj_queue_set_held(KjStore *store, KjAudit *audit, const char *actor, const char *id,
			   const char *quarantine_id, const char *reason, GError **error);
/* sanitized -> delivered. */
gboolean kj_queue_set_delivered(KjStore *store, KjAudit *audit, const char *actor, const char *id,
				const char *detail, GError **error);
/* sanitized stays sanitized: one more attempt, the error and the time of
 * the next try ("queue.deferred"). */
gboolean kj_queue_defer(KjStore *store, KjAudit *audit, const char *actor, const char *id,
			const char *last_error, gint64 next_attempt, GError **error);

/* Operator actions (kyojin queue ...), each with an audit record naming
 * the actor and reason.  retry: a sanitized entry is tried now; a held
 * entry goes back to received (sanitized again).  release: a held entry
 * is delivered as it is: its sanitized version if it has one, else the
 * original (基本方針 2(12): an exception the administrator approves and
 * the audit log records).  delete: the entry leaves the queue; the
 * original stays in the blob store and quarantine. */
gboolean kj_queue_retry(KjStore *store, KjAudit *audit, const char *actor, const char *id,
			const char *reason, GError **error);
gboolean kj_queue_release(KjStore *store, KjAudit *audit, const char *actor, const char *id,
			  const char *reason, GError **error);
gboolean kj_queue_delete(KjStore *store, KjAudit *audit, const char *actor, const char *id,
			 const char *reason, GError **error);

KjQueueEntry *kj_queue_get(KjStore *store, const char *id, GError **error);
/*
 * The same transitions for a caller that runs them inside a transaction
 * of its own (a group commit, store.h), with other rows of the message:
 * the row change only; its audit record is added to batch, for the
 * caller to append (kj_audit_batch_append) once the transaction has
 * committed.  Blob rows are the caller's too: receive_tx names blob,
 * which the caller wrote (kj_store_write) and registers in the same
 * transaction.
 */
gboolean kj_queue_receive_tx(KjStore *store, KjAuditBatch *batch, const char *actor, const char *id,
			     const char *blob, gint64 size, const char *sender,
			     const GPtrArray *recipients, const char *client, const char *helo,
			     GError **error);
gboolean kj_queue_set_sanitized_tx(KjStore *store, KjAuditBatch *batch, const char *actor,
				   const char *id, const char *sanitized_blob,
				   const char *quarantine_id, GError **error);
gboolean kj_queue_set_held_tx(KjStore *store, KjAuditBatch *batch, const char *actor,
			      const char *id, const char *quarantine_id, const char *reason,
			      GError **error);
gboolean kj_queue_set_delivered_tx(KjStore *store, KjAuditBatch *batch, const char *actor,
				   const char *id, const char *detail, GError **error);

/* Entries in received_at order; state < 0 for all states; limit <= 0 for
 * no limit.  *out receives a GPtrArray of KjQueueEntry *. */
gboolean kj_queue_list(KjStore *store, int state, gint64 limit, GPtrArray **out, GError **error);
/* Entries due for work: received, and sanitized with next_attempt <= now. */
gboolean kj_queue_list_due(KjStore *store, gint64 now, gint64 limit, GPtrArray **out,
			   GError **error);
/* Entries not yet delivered or held (for backpressure). */
gboolean kj_queue_count_pending(KjStore *store, gint64 *count, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KjQueueEntry, kj_queue_entry_free)

#endif
