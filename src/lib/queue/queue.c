/*++
 * NAME
 *	queue - the gateway's message queue, rows in the store's database
 * DESCRIPTION
 *	One row per message kyojind accepted, with its envelope, the blob
 *	ids of the original and of the sanitized version, its state and its
 *	delivery attempts.  The message bytes live in the blob store, which
 *	writes and fsyncs them under their final name before the row is
 *	committed (SQLite synchronous=FULL): a message is in the queue only
 *	when both are durable, and only then does SMTP answer 250.
 *
 *	Each transition is one UPDATE guarded by the states it may leave
 *	("... WHERE id = $1 AND state IN (...)"), so a daemon and an operator
 *	acting at once cannot both move an entry, followed by one audit
 *	record.  The database row is the truth: a crash between the commit
 *	and the audit append loses that one record, never a message.
 * SECURITY
 *	Runs in kyojind (unprivileged, main thread only) and in the CLI of
 *	the security team.  Envelope strings come from the network; they go
 *	into bound parameters and JSON values, never into SQL or formats.
 * LIMITS
 *	None of its own: the message size was bounded by smtp.max_message_bytes.
 * STANDARDS
 *	基本方針 2(12) (nothing crosses unsanitized unless released on the
 *	record), 6(7) (transitions in the audit trail).  DESIGN.md "Processes".
 * SEE ALSO
 *	store/db.h, store/schema.c (migration "queue"), daemon/kyojind.c.
 *--*/
#include "queue/queue.h"

#include <jansson.h>
#include <string.h>

G_DEFINE_QUARK(kj - queue - error - quark, kj_queue_error)

static const char *const state_names[] = {"received", "sanitized", "held", "delivered"};

#define COLUMNS                                                                                    \
	"id, state, sender, recipients, client, helo, size, original, sanitized,"                  \
	" quarantine_id, reason, attempts, next_attempt, last_error, received_at,"                 \
	" received_unix, updated_at"

const char *kj_queue_state_name(KjQueueState state)
{
	g_return_val_if_fail((guint)state < G_N_ELEMENTS(state_names), "?");
	return state_names[state];
}

gboolean kj_queue_state_from_name(const char *name, KjQueueState *state)
{
	for (guint i = 0; i < G_N_ELEMENTS(state_names); i++)
		if (g_strcmp0(name, state_names[i]) == 0) {
			*state = (KjQueueState)i;
			return TRUE;
		}
	return FALSE;
}

void kj_queue_entry_free(KjQueueEntry *e)
{
	if (e == NULL)
		return;
	g_free(e->id);
	g_free(e->sender);
	if (e->recipients)
		g_ptr_array_unref(e->recipients);
	g_free(e->client);
	g_free(e->helo);
	g_free(e->original);
	g_free(e->sanitized);
	g_free(e->quarantine_id);
	g_free(e->reason);
	g_free(e->last_error);
	g_free(e->received_at);
	g_free(e->updated_at);
	g_free(e);
}

char *kj_queue_new_id(void)
{
	/* Microseconds then random bits: sorts by arrival, unique across
	 * restarts and across instances sharing one database. */
	guint64 us = (guint64)g_get_real_time();
	return g_strdup_printf("%013" G_GINT64_MODIFIER "x%07x", us,
			       (guint)g_random_int_range(0, 0x10000000));
}

static char *recipients_json(const GPtrArray *rcpts)
{
	json_t *a = json_array();
	for (guint i = 0; i < rcpts->len; i++)
		json_array_append_new(a, json_string((const char *)rcpts->pdata[i]));
	char *s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	char *r = g_strdup(s);
	free(s);
	return r;
}

static GPtrArray *recipients_parse(const char *s)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	json_t *a = s ? json_loads(s, 0, NULL) : NULL;
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v) if (json_is_string(v))
	    g_ptr_array_add(out, g_strdup(json_string_value(v)));
	json_decref(a);
	return out;
}

/* Appends "queue.<action>" for id with details (borrowed, may be NULL). */
static gboolean audit(KjAudit *aud, const char *actor, const char *action, const char *id,
		      json_t *details, GError **error)
{
	g_autofree char *full = g_strconcat("queue.", action, NULL);

	if (aud == NULL)
		return TRUE;
	return kj_audit_append(aud, actor ? actor : "kyojind", full, id, details, NULL, error);
}

/* Queues "queue.<action>" for id in batch; details is given up. */
static void note(KjAuditBatch *batch, const char *actor, const char *action, const char *id,
		 json_t *details)
{
	g_autofree char *full = g_strconcat("queue.", action, NULL);

	kj_audit_batch_add(batch, actor ? actor : "kyojind", full, id, details);
	json_decref(details);
}

static gboolean flush(KjAudit *aud, KjAuditBatch *batch, GError **error)
{
	return aud == NULL || kj_audit_batch_append(aud, batch, error);
}

gboolean kj_queue_receive_tx(KjStore *store, KjAuditBatch *batch, const char *actor, const char *id,
			     const char *blob, gint64 size, const char *sender,
			     const GPtrArray *recipients, const char *client, const char *helo,
			     GError **error)
{
	g_autofree char *now = kj_db_now_utc();
	g_autofree char *rj = recipients_json(recipients);

	if (!kj_db_exec(kj_store_get_db(store),
			"INSERT INTO queue (" COLUMNS ") VALUES ($1, 'received', $2, $3, $4, $5,"
			" $6, $7, NULL, NULL, NULL, 0, 0, NULL, $8, $9, $8)",
			KJ_DB_ARGS(KJ_DB_TEXT(id), KJ_DB_TEXT(sender), KJ_DB_TEXT(rj),
				   KJ_DB_TEXT(client ? client : ""), KJ_DB_TEXT(helo ? helo : ""),
				   KJ_DB_INT(size), KJ_DB_TEXT(blob), KJ_DB_TEXT(now),
				   KJ_DB_INT(g_get_real_time() / G_USEC_PER_SEC)),
			error))
		return FALSE;
	note(batch, actor, "received", id,
	     json_pack("{s:s, s:o, s:I, s:s}", "sender", sender, "recipients",
		       json_loads(rj, 0, NULL), "size", (json_int_t)size, "original", blob));
	return TRUE;
}

gboolean kj_queue_receive(KjStore *store, KjAudit *aud, const char *actor, const char *id,
			  GBytes *raw, const char *sender, const GPtrArray *recipients,
			  const char *client, const char *helo, GError **error)
{
	char blob[KJ_SHA256_HEX_LEN + 1];
	gsize len = 0;
	const void *data = g_bytes_get_data(raw, &len);
	g_autoptr(KjAuditBatch) batch = kj_audit_batch_new();

	return kj_store_put(store, data, len, blob, error) &&
	       kj_queue_receive_tx(store, batch, actor, id, blob, (gint64)len, sender, recipients,
				   client, helo, error) &&
	       flush(aud, batch, error);
}

gboolean kj_queue_add_notice(KjStore *store, KjAudit *aud, const char *actor, const char *id,
			     const char *about_id, const char *to, GBytes *notice, GError **error)
{
	char blob[KJ_SHA256_HEX_LEN + 1];
	gsize len = 0;
	const void *data = g_bytes_get_data(notice, &len);
	g_autofree char *now = kj_db_now_utc();
	g_autoptr(GPtrArray) rcpts = g_ptr_array_new_with_free_func(g_free);

	g_ptr_array_add(rcpts, g_strdup(to));
	g_autofree char *rj = recipients_json(rcpts);
	if (!kj_store_put(store, data, len, blob, error))
		return FALSE;
	/* Sanitized from the start: the notice is kyojin's own text. */
	if (!kj_db_exec(
		kj_store_get_db(store),
		"INSERT INTO queue (" COLUMNS ") VALUES ($1, 'sanitized', '', $2, 'kyojind',"
		" '', $3, $4, $4, NULL, NULL, 0, 0, NULL, $5, $6, $5)",
		KJ_DB_ARGS(KJ_DB_TEXT(id), KJ_DB_TEXT(rj), KJ_DB_INT((gint64)len), KJ_DB_TEXT(blob),
			   KJ_DB_TEXT(now), KJ_DB_INT(g_get_real_time() / G_USEC_PER_SEC)),
		error))
		return FALSE;
	json_t *d =
	    json_pack("{s:s, s:s, s:I}", "about", about_id, "to", to, "size", (json_int_t)len);
	gboolean ok = audit(aud, actor, "notice", id, d, error);
	json_decref(d);
	return ok;
}

/* UPDATE ... SET <set> WHERE id = $1 AND state IN <from>; an entry that
 * does not exist or is in another state is an error naming which. */
static gboolean transition(KjStore *store, const char *id, const char *set, const char *from,
			   const KjDbValue *params, gsize n, GError **error)
{
	KjDb *db = kj_store_get_db(store);
	g_autofree char *sql =
	    g_strdup_printf("UPDATE queue SET %s WHERE id = $1 AND state IN %s", set, from);

	if (!kj_db_exec(db, sql, params, n, error))
		return FALSE;
	if (kj_db_changes(db) == 1)
		return TRUE;
	g_autoptr(KjQueueEntry) e = kj_queue_get(store, id, error);
	if (e == NULL)
		return FALSE;
	g_set_error(error, KJ_QUEUE_ERROR, KJ_QUEUE_ERROR_STATE,
		    "queue entry %s is %s: this action needs it to be one of %s", id,
		    kj_queue_state_name(e->state), from);
	return FALSE;
}

gboolean kj_queue_set_sanitized_tx(KjStore *store, KjAuditBatch *batch, const char *actor,
				   const char *id, const char *sanitized_blob,
				   const char *quarantine_id, GError **error)
{
	g_autofree char *now = kj_db_now_utc();

	if (!transition(store, id,
			"state = 'sanitized', sanitized = $2, quarantine_id = $3, updated_at = $4",
			"('received')",
			KJ_DB_ARGS(KJ_DB_TEXT(id), KJ_DB_TEXT(sanitized_blob),
				   KJ_DB_TEXT(quarantine_id), KJ_DB_TEXT(now)),
			error))
		return FALSE;
	note(batch, actor, "sanitized", id,
	     json_pack("{s:s, s:s}", "sanitized", sanitized_blob, "quarantine_id", quarantine_id));
	return TRUE;
}

gboolean kj_queue_set_sanitized(KjStore *store, KjAudit *aud, const char *actor, const char *id,
				const char *sanitized_blob, const char *quarantine_id,
				GError **error)
{
	g_autoptr(KjAuditBatch) batch = kj_audit_batch_new();

	return kj_queue_set_sanitized_tx(store, batch, actor, id, sanitized_blob, quarantine_id,
					 error) &&
	       flush(aud, batch, error);
}

gboolean kj_queue_set_held_tx(KjStore *store, KjAuditBatch *batch, const char *actor,
			      const char *id, const char *quarantine_id, const char *reason,
			      GError **error)
{
	g_autofree char *now = kj_db_now_utc();

	if (!transition(store, id,
			"state = 'held', quarantine_id = coalesce($2, quarantine_id), reason = $3,"
			" updated_at = $4",
			"('received', 'sanitized')",
			KJ_DB_ARGS(KJ_DB_TEXT(id),
				   quarantine_id ? KJ_DB_TEXT(quarantine_id) : KJ_DB_NULL,
				   KJ_DB_TEXT(reason), KJ_DB_TEXT(now)),
			error))
		return FALSE;
	note(batch, actor, "held", id,
	     json_pack("{s:s, s:s?}", "reason", reason, "quarantine_id", quarantine_id));
	return TRUE;
}

gboolean kj_queue_set_held(KjStore *store, KjAudit *aud, const char *actor, const char *id,
			   const char *quarantine_id, const char *reason, GError **error)
{
	g_autoptr(KjAuditBatch) batch = kj_audit_batch_new();

	return kj_queue_set_held_tx(store, batch, actor, id, quarantine_id, reason, error) &&
	       flush(aud, batch, error);
}

gboolean kj_queue_set_delivered_tx(KjStore *store, KjAuditBatch *batch, const char *actor,
				   const char *id, const char *detail, GError **error)
{
	g_autofree char *now = kj_db_now_utc();

	if (!transition(store, id, "state = 'delivered', attempts = attempts + 1, updated_at = $2",
			"('sanitized')", KJ_DB_ARGS(KJ_DB_TEXT(id), KJ_DB_TEXT(now)), error))
		return FALSE;
	note(batch, actor, "delivered", id, json_pack("{s:s}", "detail", detail ? detail : ""));
	return TRUE;
}

gboolean kj_queue_set_delivered(KjStore *store, KjAudit *aud, const char *actor, const char *id,
				const char *detail, GError **error)
{
	g_autoptr(KjAuditBatch) batch = kj_audit_batch_new();

	return kj_queue_set_delivered_tx(store, batch, actor, id, detail, error) &&
	       flush(aud, batch, error);
}

gboolean kj_queue_defer(KjStore *store, KjAudit *aud, const char *actor, const char *id,
			const char *last_error, gint64 next_attempt, GError **error)
{
	g_autofree char *now = kj_db_now_utc();

	if (!transition(store, id,
			"attempts = attempts + 1, last_error = $2, next_attempt = $3,"
			" updated_at = $4",
			"('sanitized')",
			KJ_DB_ARGS(KJ_DB_TEXT(id), KJ_DB_TEXT(last_error), KJ_DB_INT(next_attempt),
				   KJ_DB_TEXT(now)),
			error))
		return FALSE;
	json_t *d =
	    json_pack("{s:s, s:I}", "error", last_error, "next_attempt", (json_int_t)next_attempt);
	gboolean ok = audit(aud, actor, "deferred", id, d, error);
	json_decref(d);
	return ok;
}

static gboolean operator_audit(KjAudit *aud, const char *actor, const char *action, const char *id,
			       const char *reason, const char *extra, GError **error)
{
	json_t *d = json_pack("{s:s, s:s?}", "reason", reason ? reason : "", "note", extra);
	gboolean ok = audit(aud, actor, action, id, d, error);
	json_decref(d);
	return ok;
}

gboolean kj_queue_retry(KjStore *store, KjAudit *aud, const char *actor, const char *id,
			const char *reason, GError **error)
{
	g_autoptr(KjQueueEntry) e = kj_queue_get(store, id, error);
	g_autofree char *now = kj_db_now_utc();
	const char *note;

	if (e == NULL)
		return FALSE;
	if (e->state == KJ_QUEUE_SANITIZED) {
		note = "delivery now";
		if (!transition(store, id, "next_attempt = 0, updated_at = $2", "('sanitized')",
				KJ_DB_ARGS(KJ_DB_TEXT(id), KJ_DB_TEXT(now)), error))
			return FALSE;
	} else if (e->state == KJ_QUEUE_HELD) {
		note = "sanitize again";
		if (!transition(store, id,
				"state = 'received', sanitized = NULL, reason = NULL,"
				" next_attempt = 0, updated_at = $2",
				"('held')", KJ_DB_ARGS(KJ_DB_TEXT(id), KJ_DB_TEXT(now)), error))
			return FALSE;
	} else {
		g_set_error(error, KJ_QUEUE_ERROR, KJ_QUEUE_ERROR_STATE,
			    "queue entry %s is %s: only sanitized or held entries can be retried",
			    id, kj_queue_state_name(e->state));
		return FALSE;
	}
	return operator_audit(aud, actor, "retry", id, reason, note, error);
}

gboolean kj_queue_release(KjStore *store, KjAudit *aud, const char *actor, const char *id,
			  const char *reason, GError **error)
{
	g_autoptr(KjQueueEntry) e = kj_queue_get(store, id, error);
	g_autofree char *now = kj_db_now_utc();

	if (e == NULL)
		return FALSE;
	if (reason == NULL || *reason == '\0') {
		g_set_error(error, KJ_QUEUE_ERROR, KJ_QUEUE_ERROR_INVALID,
			    "a release needs a reason for the audit log (基本方針 2(12))");
		return FALSE;
	}
	const char *blob = e->sanitized ? e->sanitized : e->original;
	if (!transition(
		store, id, "state = 'sanitized', sanitized = $2, next_attempt = 0, updated_at = $3",
		"('held')", KJ_DB_ARGS(KJ_DB_TEXT(id), KJ_DB_TEXT(blob), KJ_DB_TEXT(now)), error))
		return FALSE;
	return operator_audit(aud, actor, "release", id, reason,
			      e->sanitized ? "sanitized version" : "ORIGINAL, unsanitized", error);
}

gboolean kj_queue_delete(KjStore *store, KjAudit *aud, const char *actor, const char *id,
			 const char *reason, GError **error)
{
	KjDb *db = kj_store_get_db(store);

	if (!kj_db_exec(db, "DELETE FROM queue WHERE id = $1", KJ_DB_ARGS(KJ_DB_TEXT(id)), error))
		return FALSE;
	if (kj_db_changes(db) != 1) {
		g_set_error(error, KJ_QUEUE_ERROR, KJ_QUEUE_ERROR_NOT_FOUND,
			    "no queue entry %s (see 'kyojin queue list')", id);
		return FALSE;
	}
	return operator_audit(aud, actor, "delete", id, reason, NULL, error);
}

static char *dup_col(const KjDbRow *row, guint col)
{
	return g_strdup(kj_db_row_get_text(row, col));
}

static gboolean collect(const KjDbRow *row, gpointer user_data)
{
	GPtrArray *out = user_data;
	KjQueueEntry *e = g_new0(KjQueueEntry, 1);

	e->id = dup_col(row, 0);
	if (!kj_queue_state_from_name(kj_db_row_get_text(row, 1), &e->state))
		e->state = KJ_QUEUE_HELD;
	e->sender = dup_col(row, 2);
	e->recipients = recipients_parse(kj_db_row_get_text(row, 3));
	e->client = dup_col(row, 4);
	e->helo = dup_col(row, 5);
	e->size = kj_db_row_get_int(row, 6);
	e->original = dup_col(row, 7);
	e->sanitized = dup_col(row, 8);
	e->quarantine_id = dup_col(row, 9);
	e->reason = dup_col(row, 10);
	e->attempts = kj_db_row_get_int(row, 11);
	e->next_attempt = kj_db_row_get_int(row, 12);
	e->last_error = dup_col(row, 13);
	e->received_at = dup_col(row, 14);
	e->received_unix = kj_db_row_get_int(row, 15);
	e->updated_at = dup_col(row, 16);
	g_ptr_array_add(out, e);
	return TRUE;
}

KjQueueEntry *kj_queue_get(KjStore *store, const char *id, GError **error)
{
	g_autoptr(GPtrArray) rows =
	    g_ptr_array_new_with_free_func((GDestroyNotify)kj_queue_entry_free);

	if (!kj_db_query(kj_store_get_db(store), "SELECT " COLUMNS " FROM queue WHERE id = $1",
			 KJ_DB_ARGS(KJ_DB_TEXT(id)), collect, rows, error))
		return NULL;
	if (rows->len == 0) {
		g_set_error(error, KJ_QUEUE_ERROR, KJ_QUEUE_ERROR_NOT_FOUND,
			    "no queue entry %s (see 'kyojin queue list')", id);
		return NULL;
	}
	return g_ptr_array_steal_index(rows, 0);
}

gboolean kj_queue_list(KjStore *store, int state, gint64 limit, GPtrArray **out, GError **error)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)kj_queue_entry_free);
	const char *name = state >= 0 ? kj_queue_state_name((KjQueueState)state) : "";
	gboolean ok =
	    kj_db_query(kj_store_get_db(store),
			"SELECT " COLUMNS " FROM queue WHERE ($1 = '' OR state = $1)"
			" ORDER BY received_unix, id LIMIT $2",
			KJ_DB_ARGS(KJ_DB_TEXT(name), KJ_DB_INT(limit > 0 ? limit : G_MAXINT64)),
			collect, rows, error);
	if (!ok) {
		g_ptr_array_unref(rows);
		return FALSE;
	}
	*out = rows;
	return TRUE;
}

gboolean kj_queue_list_due(KjStore *store, gint64 now, gint64 limit, GPtrArray **out,
			   GError **error)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)kj_queue_entry_free);
	gboolean ok =
	    kj_db_query(kj_store_get_db(store),
			"SELECT " COLUMNS " FROM queue WHERE state = 'received'"
			" OR (state = 'sanitized' AND next_attempt <= $1)"
			" ORDER BY next_attempt, received_unix, id LIMIT $2",
			KJ_DB_ARGS(KJ_DB_INT(now), KJ_DB_INT(limit > 0 ? limit : G_MAXINT64)),
			collect, rows, error);
	if (!ok) {
		g_ptr_array_unref(rows);
		return FALSE;
	}
	*out = rows;
	return TRUE;
}

gboolean kj_queue_count_pending(KjStore *store, gint64 *count, GError **error)
{
	return kj_db_query_int(
	    kj_store_get_db(store),
	    "SELECT count(*) FROM queue WHERE state IN ('received', 'sanitized')", KJ_DB_NO_ARGS,
	    count, NULL, error);
}
