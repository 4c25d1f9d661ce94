/* quarantine.h - keeping the original of every sanitized or held message
 * (see quarantine.c). */
#ifndef KJ_MIME_QUARANTINE_H
#define KJ_MIME_QUARANTINE_H

#include "audit/audit.h"
#include "mime/mail.h"
#include "store/store.h"

/* Puts the original message and each removed attachment in the store,
 * records them under qid in the quarantine tables, and appends one audit
 * record ("mail.sanitize" or "mail.hold", object qid).  Runs in the
 * parent, never in the sandboxed worker.  Putting the same message again
 * updates the verdict and adds a second audit record. */
gboolean kj_mail_quarantine_put(KjStore *store, KjAudit *audit, const char *actor, GBytes *raw,
				KjMailResult *result, const char *qid, GError **error);

/* kj_mail_quarantine_put() in two steps, for a caller that commits the
 * rows together with others (kyojind: with the queue transition).
 * write_blobs stores the attachments and, unless raw is NULL (the
 * gateway spooled it already), the original, without their rows; the
 * ids written replace the worker's in result.  tx, inside the caller's
 * transaction, registers those blobs (the original only if
 * register_original), inserts the quarantine rows and adds the audit
 * record to batch, to be appended after the commit. */
gboolean kj_mail_quarantine_write_blobs(KjStore *store, GBytes *raw, KjMailResult *result,
					GError **error);
gboolean kj_mail_quarantine_tx(KjStore *store, KjAuditBatch *batch, const char *actor,
			       gint64 raw_size, gboolean register_original,
			       const KjMailResult *result, const char *qid, GError **error);

#endif
