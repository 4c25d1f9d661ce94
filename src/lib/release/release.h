/* release.h - what the console shows and does with quarantined mail,
 * release requests and file exchange (see mail.c, release.c, exchange.c). */
#ifndef KJ_RELEASE_RELEASE_H
#define KJ_RELEASE_RELEASE_H

#include "account/account.h"
#include "audit/audit.h"
#include "store/store.h"

#include <glib.h>
#include <jansson.h>

#define KJ_RELEASE_ERROR (kj_release_error_quark())
GQuark kj_release_error_quark(void);

typedef enum {
	KJ_RELEASE_ERROR_NOT_FOUND, /* no such object (or outside the caller's scope) */
	KJ_RELEASE_ERROR_INVALID,   /* an argument is not acceptable */
	KJ_RELEASE_ERROR_STATE,     /* the object is not in a state that allows this */
	KJ_RELEASE_ERROR_FORBIDDEN, /* separation of duties: e.g. approving one's own request */
	KJ_RELEASE_ERROR_TOO_LARGE, /* over a size limit of the policy */
	KJ_RELEASE_ERROR_BLOCKED,   /* a personal number found: the transfer is blocked */
	KJ_RELEASE_ERROR_SANITIZE,  /* the CDR engine held the file */
	KJ_RELEASE_ERROR_PASSWORD,  /* the archive's password is wrong */
} KjReleaseError;

/* One page of a list: items is a JSON array (owned), next_cursor an
 * opaque string for the following page, or NULL at the end. */
typedef struct {
	json_t *items;
	char *next_cursor;
} KjPage;

void kj_page_clear(KjPage *p);

/* Keyset cursors: "key|id" with both parts made of printable ASCII. */
char *_kj_cursor_make(const char *key, const char *id);
gboolean _kj_cursor_parse(const char *cursor, char **key, char **id);

/*
 * Quarantined mail, by department (mail.c).  A mail belongs to the
 * departments of its recipients' mailboxes (the mailbox directory,
 * account.h); the recipient index is brought up to date by
 * kj_mail_index_sync(), which the list and get calls run first.
 */
gboolean kj_mail_index_sync(KjDb *db, gint64 *indexed, GError **error);
/* Held and sanitized mail, newest first.  department NULL = every mail;
 * verdict NULL or "held" or "sanitized"; q searches subject and sender. */
gboolean kj_mail_list(KjDb *db, const char *department, const char *verdict, const char *q,
		      const char *cursor, gint64 limit, KjPage *page, GError **error);
/* The departments a quarantined mail belongs to (array of strings, owned). */
json_t *kj_mail_departments(KjDb *db, const char *qid, GError **error);
/* One mail: fields of the list plus recipients, reasons, the report and
 * the attachment list.  KJ_RELEASE_ERROR_NOT_FOUND if none. */
json_t *kj_mail_get(KjDb *db, const char *qid, GError **error);
/* TRUE if the account may do action on the mail qid (any of its departments). */
gboolean kj_mail_allows(KjDb *db, const KjAccount *a, const char *action, const char *qid,
			GError **error);

#endif
