/* deliver.h - delivery of a sanitized message: Maildir or SMTP relay (see deliver.c). */
#ifndef KJ_QUEUE_DELIVER_H
#define KJ_QUEUE_DELIVER_H

#include <glib.h>

/* Delivers msg into the Maildir at dir (tmp/ -> new/, fsync'd) under the
 * file name name (the queue id).  If new/name already exists the message
 * was delivered before a crash: TRUE without a second copy. */
gboolean kj_deliver_maildir(const char *dir, const char *name, GBytes *msg, GError **error);
/* The same, by a hard link to blob_path (the message's blob, whose bytes
 * are msg) made straight into new/; a copy as above when no link can be
 * made (another file system). */
gboolean kj_deliver_maildir_link(const char *dir, const char *name, const char *blob_path,
				 GBytes *msg, GError **error);

/* Relays msg to relay ("host:port") over SMTP.  On failure *permanent
 * says whether the relay refused for good (5xx) or for now (4xx, no
 * connection, timeout).  Blocking: run it in a worker thread. */
gboolean kj_deliver_smtp(const char *relay, const char *helo, const char *sender,
			 const GPtrArray *recipients, GBytes *msg, guint timeout_s,
			 gboolean *permanent, GError **error);

#endif
