/* audit.h - the tamper-evident audit trail (see audit.c). */
#ifndef KJ_AUDIT_AUDIT_H
#define KJ_AUDIT_AUDIT_H

#include "util/hash.h"

#include <glib.h>
#include <jansson.h>

#define KJ_AUDIT_ERROR (kj_audit_error_quark())
GQuark kj_audit_error_quark(void);

typedef enum {
	KJ_AUDIT_ERROR_IO,       /* the log or its lock cannot be read or written */
	KJ_AUDIT_ERROR_LOCKED,   /* another writer held the lock past the timeout */
	KJ_AUDIT_ERROR_INVALID,  /* a record given to append is not acceptable */
	KJ_AUDIT_ERROR_DAMAGED,  /* the log's tail is not a valid record: no append */
	KJ_AUDIT_ERROR_TAMPERED, /* verification found a bad record */
} KjAuditError;

/* The chain link of the first record. */
#define KJ_AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* File names inside the data directory. */
#define KJ_AUDIT_LOG_NAME "audit.jsonl"
#define KJ_AUDIT_HEAD_NAME "audit.head"

typedef struct KjAudit KjAudit;

typedef struct {
	gint64 max_record_bytes; /* 0 = KJ_AUDIT_MAX_RECORD_DEFAULT */
	gint64 lock_timeout_s;   /* 0 = KJ_AUDIT_LOCK_TIMEOUT_DEFAULT */
} KjAuditOptions;

/* Where the chain stands: the sequence number of the last record (0 for
 * an empty log) and the SHA-256 of its line (KJ_AUDIT_GENESIS if none). */
typedef struct {
	gint64 seq;
	char hash[KJ_SHA256_HEX_LEN + 1];
} KjAuditHead;

KjAudit *kj_audit_open(const char *data_dir, const KjAuditOptions *opts, GError **error);
void kj_audit_free(KjAudit *audit);
const char *kj_audit_get_path(const KjAudit *audit); /* valid until kj_audit_free */

/* Appends one record: actor, action and object are required identifiers;
 * details may be NULL or a JSON object (borrowed).  On success *head (if
 * not NULL) is the new head.  Safe against concurrent appenders in other
 * processes; the record is on disk (fsync) when this returns TRUE. */
gboolean kj_audit_append(KjAudit *audit, const char *actor, const char *action, const char *object,
			 json_t *details, KjAuditHead *head, GError **error);

/* Records to append together once the change they describe is durable:
 * a caller that changes rows inside a transaction adds the records here
 * and appends them after the commit, so that the log never tells of a
 * change that was rolled back. */
typedef struct KjAuditBatch KjAuditBatch;

KjAuditBatch *kj_audit_batch_new(void);
void kj_audit_batch_free(KjAuditBatch *batch);
/* Queues one record; details (may be NULL) gains a reference. */
void kj_audit_batch_add(KjAuditBatch *batch, const char *actor, const char *action,
			const char *object, json_t *details);
guint kj_audit_batch_len(const KjAuditBatch *batch);
/* Appends the queued records in order under one lock, on disk together
 * (one sync) when this returns TRUE, and empties the batch.  A record
 * that is refused (kj_audit_append's rules) stops the append there. */
gboolean kj_audit_batch_append(KjAudit *audit, KjAuditBatch *batch, GError **error);

/* Reading and verification work on a path, without opening for writing,
 * so that an auditor can check a copy of the log. */

/* One parsed record, valid during the callback only. */
typedef struct {
	gint64 seq;
	const char *time; /* RFC 3339 UTC, microseconds */
	const char *actor;
	const char *action;
	const char *object;
	json_t *details;  /* JSON object, or NULL */
	const char *prev; /* hex SHA-256 of the previous record line */
	const char *line; /* the record as stored, without newline */
	const char *hash; /* hex SHA-256 of line */
} KjAuditRecord;

/* Return FALSE to stop early. */
typedef gboolean (*KjAuditRecordFunc)(const KjAuditRecord *rec, gpointer user_data);

/* Calls func for each record, in order, without checking the chain.
 * Stops with KJ_AUDIT_ERROR_TAMPERED at a line that is not a record. */
gboolean kj_audit_read(const char *log_path, KjAuditRecordFunc func, gpointer user_data,
		       GError **error);

/* The same, newest record first: the log is read from its end, so a
 * reader that stops early (return FALSE) reads only the records it saw. */
gboolean kj_audit_read_reverse(const char *log_path, KjAuditRecordFunc func, gpointer user_data,
			       GError **error);

typedef struct {
	gboolean ok;
	gint64 records;         /* records checked and found good */
	gint64 bad_seq;         /* sequence expected where the chain broke, if !ok */
	gint64 bad_line;        /* 1-based line number where it broke, if !ok */
	char *reason;           /* why it broke, if !ok */
	KjAuditHead head;       /* head of the good prefix */
	gboolean witness_found; /* the --head witness was found in the chain */
} KjAuditVerdict;

void kj_audit_verdict_clear(KjAuditVerdict *v);

/* Verifies the whole chain of the log at log_path.  head_path, if not
 * NULL, names the head file kept beside the log (detects a truncated
 * tail); witness, if not NULL, is a head published earlier ("SEQ:HASH"
 * or just HASH) that the log must still contain.  Returns FALSE only when
 * the log cannot be read at all; a broken chain is verdict->ok == FALSE. */
gboolean kj_audit_verify(const char *log_path, const char *head_path, const char *witness,
			 KjAuditVerdict *verdict, GError **error);

/* The current head, read from the log's last record. */
gboolean kj_audit_get_head(const char *log_path, KjAuditHead *head, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KjAudit, kj_audit_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(KjAuditBatch, kj_audit_batch_free)

#endif
