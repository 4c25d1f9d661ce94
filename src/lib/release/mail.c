/*++
 * NAME
 *	mail - quarantined mail as the console shows it, scoped by department
 * DESCRIPTION
 *	The quarantine tables (mime/quarantine.c) know recipients, not
 *	departments.  The mailbox directory (account.c) maps an address to
 *	a department; this file keeps an index of every quarantined mail's
 *	recipient addresses (quarantine_rcpt, migration 14), taken from the
 *	envelope of the gateway's queue entry and from the To: header, so
 *	that "the mail of my department" is one indexed join and a mailbox
 *	added later also sees older mail.
 *
 *	The index is extended incrementally from a cursor over
 *	(received_at, id); the common case, nothing new, costs one indexed
 *	read and no write.
 * SECURITY
 *	Runs in the console and the CLI.  Header text came from the internet
 *	and is only ever bound as a parameter; addresses are lower-cased.
 * LIMITS
 *	Pages of at most KJ_CONSOLE_PAGE_MAX rows; INDEX_BATCH mails per
 *	indexing transaction.
 * STANDARDS
 *	基本方針 2(12) (無害化, the original kept), 6(6) (need to know).
 * SEE ALSO
 *	mime/quarantine.c, account/authz.c.
 *--*/
#include "release/release.h"
#include "release/release-private.h"

#include "util/limits.h"

#include <gmime/gmime.h>
#include <stdarg.h>
#include <string.h>

G_DEFINE_QUARK(kj - release - error - quark, kj_release_error)

#define INDEX_BATCH 2000
#define CURSOR_NAME "quarantine_rcpt"

void kj_page_clear(KjPage *p)
{
	if (p->items)
		json_decref(p->items);
	g_free(p->next_cursor);
	p->items = NULL;
	p->next_cursor = NULL;
}

void _kj_where_init(KjWhere *w)
{
	w->sql = g_string_new(NULL);
	w->n = 0;
}

void _kj_where_add(KjWhere *w, const char *cond, gsize n, ...)
{
	va_list ap;
	va_start(ap, n);
	g_string_append(w->sql, w->sql->len ? " AND (" : " WHERE (");
	for (const char *p = cond; *p; p++) {
		if (*p != '?') {
			g_string_append_c(w->sql, *p);
			continue;
		}
		g_assert(w->n < KJ_WHERE_MAX && n > 0);
		w->params[w->n++] = va_arg(ap, KjDbValue);
		n--;
		g_string_append_printf(w->sql, "$%" G_GSIZE_FORMAT, w->n);
	}
	g_string_append_c(w->sql, ')');
	va_end(ap);
}

const char *_kj_where_sql(KjWhere *w)
{
	return w->sql->str;
}

void _kj_where_clear(KjWhere *w)
{
	g_string_free(w->sql, TRUE);
	w->sql = NULL;
}

char *_kj_cursor_make(const char *key, const char *id)
{
	return g_strdup_printf("%s|%s", key ? key : "", id ? id : "");
}

gboolean _kj_cursor_parse(const char *cursor, char **key, char **id)
{
	*key = *id = NULL;
	if (!cursor || strlen(cursor) > 200)
		return FALSE;
	for (const char *p = cursor; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			return FALSE;
	const char *bar = strchr(cursor, '|');
	if (!bar || strchr(bar + 1, '|'))
		return FALSE;
	*key = g_strndup(cursor, (gsize)(bar - cursor));
	*id = g_strdup(bar + 1);
	return TRUE;
}

static void add_address(GHashTable *set, const char *addr)
{
	if (!addr || !*addr || !strchr(addr, '@') || strlen(addr) > 254)
		return;
	g_hash_table_add(set, g_ascii_strdown(addr, -1));
}

static void add_header_addresses(GHashTable *set, const char *to)
{
	if (!to || !*to)
		return;
	static gsize once;
	if (g_once_init_enter(&once)) {
		g_mime_init();
		g_once_init_leave(&once, 1);
	}
	InternetAddressList *list = internet_address_list_parse(NULL, to);
	if (!list)
		return;
	for (int i = 0; i < internet_address_list_length(list); i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);
		if (INTERNET_ADDRESS_IS_MAILBOX(ia))
			add_address(
			    set, internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)));
	}
	g_object_unref(list);
}

typedef struct {
	char *id;
	char *received_at;
	char *to;
} Pending;

static void pending_free(gpointer p)
{
	Pending *x = p;
	g_free(x->id);
	g_free(x->received_at);
	g_free(x->to);
	g_free(x);
}

static gboolean row_pending(const KjDbRow *row, gpointer user_data)
{
	Pending *p = g_new0(Pending, 1);
	p->id = g_strdup(kj_db_row_get_text(row, 0));
	p->received_at = g_strdup(kj_db_row_get_text(row, 1));
	p->to = g_strdup(kj_db_row_get_text(row, 2));
	g_ptr_array_add(user_data, p);
	return TRUE;
}

static gboolean row_envelope(const KjDbRow *row, gpointer user_data)
{
	GHashTable *set = user_data;
	json_t *a =
	    json_loads(kj_db_row_get_text(row, 0) ? kj_db_row_get_text(row, 0) : "[]", 0, NULL);
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) add_address(set, json_string_value(v));
	json_decref(a);
	return TRUE;
}

static gboolean row_text(const KjDbRow *row, gpointer user_data)
{
	char **out = user_data;
	g_free(*out);
	*out = g_strdup(kj_db_row_get_text(row, 0));
	return FALSE;
}

static gboolean read_cursor(KjDb *db, char **key, char **id, GError **error)
{
	g_autofree char *pos = NULL;
	*key = *id = NULL;
	if (!kj_db_query(db, "SELECT position FROM index_cursor WHERE name = $1",
			 KJ_DB_ARGS(KJ_DB_TEXT(CURSOR_NAME)), row_text, &pos, error))
		return FALSE;
	if (!pos || !_kj_cursor_parse(pos, key, id)) {
		*key = g_strdup("");
		*id = g_strdup("");
	}
	return TRUE;
}

static gboolean index_one(KjDb *db, const Pending *p, GError **error)
{
	g_autoptr(GHashTable) set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GHashTableIter it;
	gpointer addr;

	add_header_addresses(set, p->to);
	if (!kj_db_query(db, "SELECT recipients FROM queue WHERE quarantine_id = $1",
			 KJ_DB_ARGS(KJ_DB_TEXT(p->id)), row_envelope, set, error))
		return FALSE;
	g_hash_table_iter_init(&it, set);
	while (g_hash_table_iter_next(&it, &addr, NULL))
		if (!kj_db_exec(
			db,
			"INSERT INTO quarantine_rcpt (address, received_at, quarantine_id)"
			" VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
			KJ_DB_ARGS(KJ_DB_TEXT(addr), KJ_DB_TEXT(p->received_at), KJ_DB_TEXT(p->id)),
			error))
			return FALSE;
	return TRUE;
}

/* Indexes the rows and moves the cursor past the last, inside the
 * caller's transaction. */
static gboolean index_rows(KjDb *db, GPtrArray *rows, GError **error)
{
	for (guint i = 0; i < rows->len; i++)
		if (!index_one(db, rows->pdata[i], error))
			return FALSE;
	Pending *last = rows->pdata[rows->len - 1];
	g_autofree char *pos = _kj_cursor_make(last->received_at, last->id);
	return kj_db_exec(db,
			  "INSERT INTO index_cursor (name, position) VALUES ($1, $2)"
			  " ON CONFLICT (name) DO UPDATE SET position = $2",
			  KJ_DB_ARGS(KJ_DB_TEXT(CURSOR_NAME), KJ_DB_TEXT(pos)), error) &&
	       kj_db_commit(db, error);
}

static gboolean index_batch(KjDb *db, gint64 *indexed, gboolean *more, GError **error)
{
	g_autofree char *key = NULL, *id = NULL;
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func(pending_free);

	*more = FALSE;
	if (!read_cursor(db, &key, &id, error) ||
	    !kj_db_query(db,
			 "SELECT id, received_at, recipients FROM quarantine"
			 " WHERE received_at > $1 OR (received_at = $1 AND id > $2)"
			 " ORDER BY received_at, id LIMIT $3",
			 KJ_DB_ARGS(KJ_DB_TEXT(key), KJ_DB_TEXT(id), KJ_DB_INT(INDEX_BATCH)),
			 row_pending, rows, error))
		return FALSE;
	if (rows->len == 0)
		return TRUE;
	if (!kj_db_begin(db, error))
		return FALSE;
	if (!index_rows(db, rows, error)) {
		kj_db_rollback(db, NULL);
		return FALSE;
	}
	*indexed += rows->len;
	*more = rows->len == INDEX_BATCH;
	return TRUE;
}

gboolean kj_mail_index_sync(KjDb *db, gint64 *indexed, GError **error)
{
	gint64 n = 0;
	gboolean more = TRUE;
	if (kj_db_is_read_only(db))
		return TRUE;
	while (more)
		if (!index_batch(db, &n, &more, error))
			return FALSE;
	if (indexed)
		*indexed = n;
	return TRUE;
}

static json_t *parse_json_or_null(const char *text)
{
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;
	return j ? j : json_null();
}

typedef struct {
	json_t *items;
	gint64 limit;
	char *last_key, *last_id;
	gint64 n;
} ListCtx;

#define LIST_COLUMNS                                                                               \
	"q.id, q.received_at, q.verdict, q.sender, q.subject, q.size, q.reasons,"                  \
	" (SELECT count(*) FROM quarantine_attachment a WHERE a.quarantine_id = q.id)"

static json_t *list_item(const KjDbRow *row)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:I, s:o, s:I}", "id",
			 kj_db_row_get_text(row, 0), "received_at", kj_db_row_get_text(row, 1),
			 "verdict", kj_db_row_get_text(row, 2), "sender",
			 _kj_release_nullable(kj_db_row_get_text(row, 3)), "subject",
			 _kj_release_nullable(kj_db_row_get_text(row, 4)), "size",
			 (json_int_t)kj_db_row_get_int(row, 5), "reasons",
			 parse_json_or_null(kj_db_row_get_text(row, 6)), "attachments",
			 (json_int_t)kj_db_row_get_int(row, 7));
}

static gboolean row_list(const KjDbRow *row, gpointer user_data)
{
	ListCtx *c = user_data;
	if (c->n++ >= c->limit)
		return FALSE;
	json_array_append_new(c->items, list_item(row));
	g_free(c->last_key);
	g_free(c->last_id);
	c->last_key = g_strdup(kj_db_row_get_text(row, 1));
	c->last_id = g_strdup(kj_db_row_get_text(row, 0));
	return TRUE;
}

gboolean kj_mail_list(KjDb *db, const char *department, const char *verdict, const char *q,
		      const char *cursor, gint64 limit, KjPage *page, GError **error)
{
	g_autofree char *ckey = NULL, *cid = NULL;
	ListCtx c = {0};

	page->items = NULL;
	page->next_cursor = NULL;
	if (limit <= 0 || limit > KJ_CONSOLE_PAGE_MAX)
		limit = KJ_CONSOLE_PAGE_DEFAULT;
	if (cursor && !_kj_cursor_parse(cursor, &ckey, &cid)) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID, "bad cursor");
		return FALSE;
	}
	if (verdict && strcmp(verdict, "held") != 0 && strcmp(verdict, "sanitized") != 0) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID,
			    "verdict: 'held' or 'sanitized'");
		return FALSE;
	}
	if (!kj_mail_index_sync(db, NULL, error))
		return FALSE;
	g_autofree char *like = q && *q ? g_strdup_printf("%%%s%%", q) : NULL;
	KjWhere w;
	_kj_where_init(&w);
	if (department)
		_kj_where_add(&w,
			      "q.id IN (SELECT r.quarantine_id FROM quarantine_rcpt r"
			      " JOIN mailbox m ON m.address = r.address WHERE m.department = ?)",
			      1, KJ_DB_TEXT(department));
	if (verdict)
		_kj_where_add(&w, "q.verdict = ?", 1, KJ_DB_TEXT(verdict));
	if (like)
		_kj_where_add(&w, "q.subject LIKE ? OR q.sender LIKE ?", 2, KJ_DB_TEXT(like),
			      KJ_DB_TEXT(like));
	if (ckey)
		_kj_where_add(&w, "q.received_at < ? OR (q.received_at = ? AND q.id < ?)", 3,
			      KJ_DB_TEXT(ckey), KJ_DB_TEXT(ckey), KJ_DB_TEXT(cid));
	w.params[w.n++] = KJ_DB_INT(limit + 1);
	g_autofree char *sql = g_strdup_printf("SELECT " LIST_COLUMNS " FROM quarantine q%s"
					       " ORDER BY q.received_at DESC, q.id DESC"
					       " LIMIT $%" G_GSIZE_FORMAT,
					       _kj_where_sql(&w), w.n);
	c.items = json_array();
	c.limit = limit;
	gboolean ok = kj_db_query(db, sql, w.params, w.n, row_list, &c, error);
	_kj_where_clear(&w);
	if (!ok) {
		json_decref(c.items);
		g_free(c.last_key);
		g_free(c.last_id);
		return FALSE;
	}
	page->items = c.items;
	if (c.n > limit)
		page->next_cursor = _kj_cursor_make(c.last_key, c.last_id);
	g_free(c.last_key);
	g_free(c.last_id);
	return TRUE;
}

static gboolean row_string_array(const KjDbRow *row, gpointer user_data)
{
	json_array_append_new(user_data, json_string(kj_db_row_get_text(row, 0)));
	return TRUE;
}

json_t *kj_mail_departments(KjDb *db, const char *qid, GError **error)
{
	json_t *a = json_array();
	if (!kj_mail_index_sync(db, NULL, error) ||
	    !kj_db_query(db,
			 "SELECT DISTINCT m.department FROM quarantine_rcpt r"
			 " JOIN mailbox m ON m.address = r.address WHERE r.quarantine_id = $1"
			 " ORDER BY m.department",
			 KJ_DB_ARGS(KJ_DB_TEXT(qid ? qid : "")), row_string_array, a, error)) {
		json_decref(a);
		return NULL;
	}
	return a;
}

gboolean kj_mail_allows(KjDb *db, const KjAccount *a, const char *action, const char *qid,
			GError **error)
{
	if (kj_authz_scope(a->role, action) == KJ_SCOPE_ALL)
		return TRUE;
	json_t *depts = kj_mail_departments(db, qid, error);
	if (!depts)
		return FALSE;
	gboolean ok = FALSE;
	size_t i;
	json_t *v;
	json_array_foreach(depts, i, v) if (kj_authz_allows(a, action, json_string_value(v))) ok =
	    TRUE;
	json_decref(depts);
	return ok;
}

static gboolean row_get(const KjDbRow *row, gpointer user_data)
{
	json_t **out = user_data;
	*out = list_item(row);
	json_object_set_new(*out, "recipients", _kj_release_nullable(kj_db_row_get_text(row, 8)));
	json_object_set_new(*out, "message_id", _kj_release_nullable(kj_db_row_get_text(row, 9)));
	json_object_set_new(*out, "report", parse_json_or_null(kj_db_row_get_text(row, 10)));
	json_object_set_new(*out, "original_sha256", json_string(kj_db_row_get_text(row, 11)));
	return FALSE;
}

static gboolean row_attachment(const KjDbRow *row, gpointer user_data)
{
	json_array_append_new(
	    user_data, json_pack("{s:I, s:o, s:o, s:o, s:I, s:o, s:o, s:s}", "index",
				 (json_int_t)kj_db_row_get_int(row, 0), "filename",
				 _kj_release_nullable(kj_db_row_get_text(row, 1)), "declared_type",
				 _kj_release_nullable(kj_db_row_get_text(row, 2)), "detected_type",
				 _kj_release_nullable(kj_db_row_get_text(row, 3)), "size",
				 (json_int_t)kj_db_row_get_int(row, 4), "container",
				 _kj_release_nullable(kj_db_row_get_text(row, 5)), "note",
				 _kj_release_nullable(kj_db_row_get_text(row, 6)), "sha256",
				 kj_db_row_get_text(row, 7)));
	return TRUE;
}

json_t *kj_mail_get(KjDb *db, const char *qid, GError **error)
{
	json_t *m = NULL;
	if (!kj_db_query(db,
			 "SELECT " LIST_COLUMNS ", q.recipients, q.message_id, q.report,"
			 " q.original_sha256 FROM quarantine q WHERE q.id = $1",
			 KJ_DB_ARGS(KJ_DB_TEXT(qid ? qid : "")), row_get, &m, error))
		return NULL;
	if (!m) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_NOT_FOUND,
			    "no quarantined mail '%s'", qid ? qid : "");
		return NULL;
	}
	json_t *atts = json_array();
	json_t *depts = kj_mail_departments(db, qid, error);
	if (!depts ||
	    !kj_db_query(
		db,
		"SELECT idx, filename, declared_type, detected_type, size, container, note,"
		" sha256 FROM quarantine_attachment WHERE quarantine_id = $1 ORDER BY idx",
		KJ_DB_ARGS(KJ_DB_TEXT(qid)), row_attachment, atts, error)) {
		json_decref(m);
		json_decref(atts);
		if (depts)
			json_decref(depts);
		return NULL;
	}
	json_object_set_new(m, "attachment_list", atts);
	json_object_set_new(m, "departments", depts);
	return m;
}

#define MAIL_TEXT_MAX (256 * 1024)

static GMimeTextPart *first_plain(GMimeObject *o, int depth)
{
	if (depth > 8 || !o)
		return NULL;
	if (GMIME_IS_TEXT_PART(o)) {
		GMimeContentType *ct = g_mime_object_get_content_type(o);
		return g_mime_content_type_is_type(ct, "text", "plain") ? GMIME_TEXT_PART(o) : NULL;
	}
	if (GMIME_IS_MULTIPART(o)) {
		GMimeMultipart *mp = GMIME_MULTIPART(o);
		for (int i = 0; i < g_mime_multipart_get_count(mp); i++) {
			GMimeTextPart *t = first_plain(g_mime_multipart_get_part(mp, i), depth + 1);
			if (t)
				return t;
		}
	}
	return NULL;
}

char *kj_mail_sanitized_text(KjStore *store, const char *qid, GError **error)
{
	g_autofree char *sha = NULL;
	if (!kj_db_query(
		kj_store_get_db(store),
		"SELECT sanitized FROM queue WHERE quarantine_id = $1 AND sanitized IS NOT NULL"
		" ORDER BY id DESC LIMIT 1",
		KJ_DB_ARGS(KJ_DB_TEXT(qid ? qid : "")), row_text, &sha, error))
		return NULL;
	if (!sha) {
		g_set_error(
		    error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_NOT_FOUND,
		    "no sanitized copy of %s was kept (sanitized outside the gateway, or held)",
		    qid ? qid : "");
		return NULL;
	}
	g_autoptr(GBytes) data = kj_store_get(store, sha, error);
	if (!data)
		return NULL;
	static gsize once;
	if (g_once_init_enter(&once)) {
		g_mime_init();
		g_once_init_leave(&once, 1);
	}
	/* Our own output, not mail from the internet: it was written by the
	 * sanitizer, so it is parsed here, outside the sandbox. */
	GMimeStream *st =
	    g_mime_stream_mem_new_with_buffer(g_bytes_get_data(data, NULL), g_bytes_get_size(data));
	GMimeParser *p = g_mime_parser_new_with_stream(st);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
	char *text = NULL;
	if (m) {
		GMimeTextPart *t = first_plain(g_mime_message_get_mime_part(m), 0);
		text = t ? g_mime_text_part_get_text(t) : NULL;
	}
	if (m)
		g_object_unref(m);
	g_object_unref(p);
	g_object_unref(st);
	if (!text || !g_utf8_validate(text, -1, NULL)) {
		g_free(text);
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_NOT_FOUND,
			    "the sanitized copy of %s has no readable text", qid);
		return NULL;
	}
	if (strlen(text) > MAIL_TEXT_MAX) {
		const char *end = text + MAIL_TEXT_MAX;
		const char *cut = g_utf8_find_prev_char(text, end + 1);
		text[cut ? cut - text : MAIL_TEXT_MAX] = '\0';
	}
	return text;
}
