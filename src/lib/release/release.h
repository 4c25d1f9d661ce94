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

G_DEFINE_AUTOPTR_CLEANUP_FUNC(json_t, json_decref)

/* A WHERE clause built from the conditions that apply, so that SQLite can
 * use an index for each (a "($1 IS NULL OR key > $1)" would defeat it).
 * Strings of the values are borrowed. */
#define KJ_WHERE_MAX 8
typedef struct {
	GString *sql;
	KjDbValue params[KJ_WHERE_MAX];
	gsize n;
} KjWhere;

void _kj_where_init(KjWhere *w);
/* Appends "AND cond", where each "?" in cond becomes the next $N bound to
 * the next value given (n of them). */
void _kj_where_add(KjWhere *w, const char *cond, gsize n, ...);
/* " WHERE ..." or "", valid until _kj_where_clear. */
const char *_kj_where_sql(KjWhere *w);
void _kj_where_clear(KjWhere *w);

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
/* The text the recipients received for the mail qid: the plain-text body
 * of the sanitized message the gateway delivered, which opens with the
 * notice of what was removed and why.  Newly allocated UTF-8, at most
 * MAIL_TEXT_MAX bytes; KJ_RELEASE_ERROR_NOT_FOUND when no sanitized copy
 * was stored (mail sanitized outside the gateway, or held). */
char *kj_mail_sanitized_text(KjStore *store, const char *qid, GError **error);
/* TRUE if the account may do action on the mail qid (any of its departments). */
gboolean kj_mail_allows(KjDb *db, const KjAccount *a, const char *action, const char *qid,
			GError **error);

/*
 * Release requests (release.c): a staff member asks for a quarantined
 * attachment with a reason; the department's approver approves or
 * refuses.  "sanitized" requests go through the CDR engine on approval;
 * "original" requests need a second approval by the security team and
 * are flagged in the audit log; "ppap" requests carry an archive opened
 * with the recipient's password and sanitized when requested (ppap.c).
 */
typedef struct _KjSandbox KjSandbox;
typedef struct KjCdrWorker KjCdrWorker;

/* Workers shared by threads (pool.c): made before threads start, taken
 * for one job and given back; take waits while every worker is busy. */
typedef struct KjReleasePool KjReleasePool;
KjReleasePool *kj_release_pool_new(GDestroyNotify free_item);
void kj_release_pool_add(KjReleasePool *p, gpointer item);
guint kj_release_pool_size(const KjReleasePool *p);
gpointer kj_release_pool_take(KjReleasePool *p);
void kj_release_pool_give(KjReleasePool *p, gpointer item);
void kj_release_pool_free(KjReleasePool *p);

/* What the front end provides.  Every field may be NULL/0: then any
 * approver of the department approves, the CDR options are the defaults,
 * and each file gets a fresh sandboxed worker. */
typedef struct {
	GHashTable *approvers;   /* department -> login (console.approvers) */
	const void *cdr_options; /* const KjCdrOptions * */
	/* Long-lived workers made before the front end started threads
	 * (sandbox.h: a worker spawner is a copy of its process), a pool of
	 * each: KjCdrWorker, KjSandbox (PPAP), KjSandbox (personal numbers,
	 * exchange.c). */
	KjReleasePool *cdr_pool;
	KjReleasePool *ppap_pool;
	KjReleasePool *dlp_pool;
	gint64 exchange_max_bytes;
	gint64 exchange_expiry_days;
} KjReleasePolicy;

/* Parses console.approvers ("総務課=sato, 税務課=suzuki") into out
 * (department -> login, both newly allocated). */
gboolean kj_release_approvers_parse(const char *text, GHashTable *out, GError **error);
/* A sandbox for the outbound personal-number scan of exchange.c. */
KjSandbox *kj_exchange_dlp_sandbox_new(void);
/* A sandbox for kj_release_ppap_open(): make it at start-up, before threads. */
KjSandbox *kj_release_ppap_sandbox_new(void);

/* Creates a request by the account for attachment idx of mail qid; the
 * caller has checked that the account may request it.  *id newly allocated. */
gboolean kj_release_request(KjStore *store, KjAudit *audit, const KjAccount *who, const char *qid,
			    gint64 idx, const char *kind, const char *reason, char **id,
			    GError **error);
/* Opens the password-protected archive attachment idx of qid with password
 * inside the sandbox, sanitizes what it holds and creates a "ppap"
 * request whose result is that sanitized archive.  The password is used
 * once and never stored or logged. */
gboolean kj_release_ppap_open(KjStore *store, KjAudit *audit, const KjAccount *who, const char *qid,
			      gint64 idx, const char *password, const char *reason,
			      const KjReleasePolicy *policy, char **id, GError **error);
/* Requests, newest first: department NULL = all; state NULL = any. */
gboolean kj_release_list(KjDb *db, const char *department, const char *state,
			 const char *quarantine_id, const char *cursor, gint64 limit, KjPage *page,
			 GError **error);
json_t *kj_release_get(KjDb *db, const char *id, GError **error);
/* Approves (approve TRUE) or refuses a request, as the account.  For an
 * original, the first approval by the department's approver leaves it
 * "approved"; the second by a security administrator releases it.  Nobody
 * decides on their own request.  Returns the request after the decision. */
json_t *kj_release_decide(KjStore *store, KjAudit *audit, const KjAccount *who, const char *id,
			  gboolean approve, const char *comment, const KjReleasePolicy *policy,
			  GError **error);
/* The released file of a request in state "released": bytes verified
 * against their id, *name the download name (newly allocated). */
GBytes *kj_release_fetch(KjStore *store, KjAudit *audit, const KjAccount *who, const char *id,
			 char **name, GError **error);
/*
 * File exchange between segments (exchange.c): upload on one side,
 * approval by the uploader's department approver, then inbound files
 * (internet -> LGWAN) are CDR'd and outbound files (LGWAN -> internet)
 * are scanned for personal numbers: a hit blocks the transfer, records a
 * notification for the security team and an audit record.  The
 * recipient downloads until the file expires.
 */
gboolean kj_exchange_upload(KjStore *store, KjAudit *audit, const KjAccount *who,
			    const char *direction, const char *recipient, const char *filename,
			    const char *note, GBytes *data, const KjReleasePolicy *policy,
			    char **id, GError **error);
/* Files of department, or addressed to recipient (either may be NULL;
 * both NULL = all), newest first; state NULL = any. */
gboolean kj_exchange_list(KjDb *db, const char *department, const char *recipient,
			  const char *state, const char *cursor, gint64 limit, KjPage *page,
			  GError **error);
json_t *kj_exchange_get(KjDb *db, const char *id, GError **error);
json_t *kj_exchange_decide(KjStore *store, KjAudit *audit, const KjAccount *who, const char *id,
			   gboolean approve, const char *comment, const KjReleasePolicy *policy,
			   GError **error);
/* The file for its recipient (or department), while available and not expired. */
GBytes *kj_exchange_fetch(KjStore *store, KjAudit *audit, const KjAccount *who, const char *id,
			  gint64 now, char **name, GError **error);
/* Marks files past their expiry as expired; *n (may be NULL) counts them. */
gboolean kj_exchange_expire(KjStore *store, KjAudit *audit, gint64 now, gint64 *n, GError **error);
/* Notifications for an audience ("security"), newest first. */
gboolean kj_notification_list(KjDb *db, const char *audience, const char *cursor, gint64 limit,
			      KjPage *page, GError **error);
/* TRUE if who may approve for department (approver role of the department,
 * the one console.approvers names, or the security team). */
gboolean _kj_release_may_approve(const KjAccount *who, const char *department,
				 const KjReleasePolicy *policy, GError **error);

/* Opens a password-protected archive in a sandboxed worker and returns its
 * members re-packed as a plain zip (ppap.c). */
GBytes *_kj_ppap_decrypt(GBytes *archive, const char *password, KjSandbox *sb, GError **error);
char *_kj_release_new_id(const char *prefix);

#endif
