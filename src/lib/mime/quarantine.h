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
				const KjMailResult *result, const char *qid, GError **error);

#endif
