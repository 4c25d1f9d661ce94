/* notice.h - delivery-status notices for held messages (see notice.c). */
#ifndef KJ_QUEUE_NOTICE_H
#define KJ_QUEUE_NOTICE_H

#include "queue/queue.h"

#include <glib.h>

/* Builds the RFC 3464 notice (multipart/report; report-type=
 * delivery-status) telling e->sender that e was held for reason:
 * a text part (Japanese, then English), the message/delivery-status part
 * (one per-recipient block per recipient, Action: delayed, Status 4.7.0,
 * the reason as Diagnostic-Code) and the original's header section as
 * text/rfc822-headers (original_headers, at most KJ_QUEUE_NOTICE_MAX_HEADERS
 * bytes of it, may be NULL).  reporting_mta names this gateway.  NULL
 * with an error for an entry that must get no notice: a null sender
 * (<>: notices are never answered with notices, RFC 3464 2, RFC 5321
 * 4.5.5). */
GBytes *kj_queue_notice_build(const KjQueueEntry *e, const char *reason, const char *reporting_mta,
			      GBytes *original_headers, GError **error);

#endif
