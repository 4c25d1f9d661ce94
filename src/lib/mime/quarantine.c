/*++
 * NAME
 *	quarantine - the original of every message, kept and indexed
 * DESCRIPTION
 *	Nothing the sanitizer removes is lost: the original message and each
 *	removed attachment go into the content-addressed store, a row in the
 *	quarantine table names them under the quarantine id shown in the
 *	sanitized mail, and the audit log records what was done.  Staff ask
 *	for an original by that id; its release is a separate, approved step.
 *
 *	Schema (store migration 3, "quarantine: items and attachments"):
 *	quarantine(id, received_at, original_sha256, size, verdict, reasons,
 *	report, sender, recipients, subject, message_id) and
 *	quarantine_attachment(quarantine_id, idx, sha256, filename,
 *	declared_type, detected_type, size, container, note).
 * SECURITY
 *	Runs in the parent process (CLI, daemon), never in the sandboxed
 *	worker, with write access to the data directory.  Everything it
 *	writes came out of the worker and is treated as data: bound
 *	parameters only.  Blobs are stored before the rows that name them,
 *	rows (the blobs' own included) in one transaction, the audit record
 *	last: a crash leaves at worst an unregistered blob, never a row
 *	without its bytes.  The gateway runs the rows in the transaction
 *	that also moves the message's queue entry (kj_mail_quarantine_tx).
 * LIMITS
 *	store.max_blob_bytes (the store refuses larger blobs: an error, so the
 *	message is not delivered without its original kept).
 * STANDARDS
 *	基本方針 2(12) (無害化: the original is kept), 6(7) and 7 (audit).
 * SEE ALSO
 *	store/store.h, store/db.h, audit/audit.h.
 *--*/
#include "mime/quarantine.h"

#include "store/db.h"

#include <jansson.h>
#include <string.h>

gboolean kj_mail_quarantine_write_blobs(KjStore *store, GBytes *raw, KjMailResult *r,
					GError **error)
{
	char id[KJ_SHA256_HEX_LEN + 1];

	if (raw) {
		if (!kj_store_write(store, g_bytes_get_data(raw, NULL), g_bytes_get_size(raw), id,
				    error))
			return FALSE;
		memcpy(r->original_sha256, id, sizeof id);
	}
	for (guint i = 0; i < r->attachments->len; i++) {
		KjMailAttachment *a = r->attachments->pdata[i];
		if (a->data == NULL)
			continue;
		if (!kj_store_write(store, g_bytes_get_data(a->data, NULL),
				    g_bytes_get_size(a->data), id, error))
			return FALSE;
		/* The id is the hash of the bytes stored, computed here: the
		 * worker's own claim is not what the rows name. */
		memcpy(a->sha256, id, sizeof id);
	}
	return TRUE;
}

static char *reasons_json(const KjMailResult *r)
{
	json_t *a = json_array();
	for (guint i = 0; i < r->reasons->len; i++)
		json_array_append_new(a, json_string(r->reasons->pdata[i]));
	char *s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

static gboolean put_rows(KjDb *db, gint64 raw_size, const KjMailResult *r, const char *qid,
			 GError **error)
{
	g_autofree char *now = kj_db_now_utc();
	char *reasons = reasons_json(r);
	const char *verdict = r->verdict == KJ_MAIL_HELD ? "held" : "sanitized";
	gboolean ok = kj_db_exec(
	    db,
	    "INSERT INTO quarantine (id, received_at, original_sha256, size, verdict, reasons,"
	    " report, sender, recipients, subject, message_id)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
	    " ON CONFLICT (id) DO UPDATE SET verdict = $5, reasons = $6, report = $7",
	    KJ_DB_ARGS(KJ_DB_TEXT(qid), KJ_DB_TEXT(now), KJ_DB_TEXT(r->original_sha256),
		       KJ_DB_INT(raw_size), KJ_DB_TEXT(verdict),
		       KJ_DB_TEXT(reasons ? reasons : "[]"), KJ_DB_TEXT(r->report_json),
		       r->from ? KJ_DB_TEXT(r->from) : KJ_DB_NULL,
		       r->to ? KJ_DB_TEXT(r->to) : KJ_DB_NULL,
		       r->subject ? KJ_DB_TEXT(r->subject) : KJ_DB_NULL,
		       r->message_id ? KJ_DB_TEXT(r->message_id) : KJ_DB_NULL),
	    error);
	free(reasons);
	for (guint i = 0; ok && i < r->attachments->len; i++) {
		const KjMailAttachment *a = r->attachments->pdata[i];
		ok = kj_db_exec(
		    db,
		    "INSERT INTO quarantine_attachment (quarantine_id, idx, sha256, filename,"
		    " declared_type, detected_type, size, container, note)"
		    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
		    " ON CONFLICT (quarantine_id, idx) DO NOTHING",
		    KJ_DB_ARGS(KJ_DB_TEXT(qid), KJ_DB_INT(a->index), KJ_DB_TEXT(a->sha256),
			       a->filename ? KJ_DB_TEXT(a->filename) : KJ_DB_NULL,
			       KJ_DB_TEXT(a->declared_type), KJ_DB_TEXT(a->detected_type),
			       KJ_DB_INT(a->size),
			       a->container ? KJ_DB_TEXT(a->container) : KJ_DB_NULL,
			       a->note ? KJ_DB_TEXT(a->note) : KJ_DB_NULL),
		    error);
	}
	return ok;
}

static json_t *audit_details(const KjMailResult *r)
{
	json_t *reasons = json_array();
	for (guint i = 0; i < r->reasons->len; i++)
		json_array_append_new(reasons, json_string(r->reasons->pdata[i]));
	return json_pack("{s:s, s:o, s:s, s:i}", "verdict",
			 r->verdict == KJ_MAIL_HELD ? "held" : "sanitized", "reasons", reasons,
			 "original_sha256", r->original_sha256, "attachments",
			 (int)r->attachments->len);
}

gboolean kj_mail_quarantine_tx(KjStore *store, KjAuditBatch *batch, const char *actor,
			       gint64 raw_size, gboolean register_original, const KjMailResult *r,
			       const char *qid, GError **error)
{
	g_return_val_if_fail(qid != NULL, FALSE);
	if (register_original && !kj_store_register(store, r->original_sha256, raw_size, error))
		return FALSE;
	for (guint i = 0; i < r->attachments->len; i++) {
		const KjMailAttachment *a = r->attachments->pdata[i];
		if (a->data &&
		    !kj_store_register(store, a->sha256, (gint64)g_bytes_get_size(a->data), error))
			return FALSE;
	}
	if (!put_rows(kj_store_get_db(store), raw_size, r, qid, error))
		return FALSE;
	json_t *d = audit_details(r);
	kj_audit_batch_add(batch, actor ? actor : "kyojin",
			   r->verdict == KJ_MAIL_HELD ? "mail.hold" : "mail.sanitize", qid, d);
	json_decref(d);
	return TRUE;
}

gboolean kj_mail_quarantine_put(KjStore *store, KjAudit *aud, const char *actor, GBytes *raw,
				KjMailResult *r, const char *qid, GError **error)
{
	KjDb *db = kj_store_get_db(store);
	g_autoptr(KjAuditBatch) batch = kj_audit_batch_new();

	g_return_val_if_fail(qid != NULL, FALSE);
	if (!kj_mail_quarantine_write_blobs(store, raw, r, error) || !kj_db_begin(db, error))
		return FALSE;
	if (!kj_mail_quarantine_tx(store, batch, actor, (gint64)g_bytes_get_size(raw), TRUE, r, qid,
				   error)) {
		kj_db_rollback(db, NULL);
		return FALSE;
	}
	if (!kj_db_commit(db, error))
		return FALSE;
	return aud == NULL || kj_audit_batch_append(aud, batch, error);
}
