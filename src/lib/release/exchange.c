/*++
 * NAME
 *	exchange - files between segments, with approval, CDR and DLP
 * DESCRIPTION
 *	The approved route for a file to cross between the LGWAN and the
 *	internet segments (基本方針 6(3)②):
 *
 *	uploaded --approve--> inbound:  CDR --> available | failed
 *	   |                  outbound: personal numbers? --> blocked | available
 *	   +--refuse--> refused;   available --(expiry)--> expired
 *
 *	The approver is the uploader's superior: the approver of the
 *	uploader's department (or the one console.approvers names), or the
 *	security team; never the uploader.  An outbound file with a personal
 *	number (個人番号) is blocked, and the security team is told twice:
 *	an "exchange.blocked" audit record and a row in the notification
 *	table that the console shows them.  The number itself is never
 *	stored: only its masked form.
 *
 *	Schema: store migration 13 (exchange_file, notification).
 * SECURITY
 *	The file is untrusted.  The personal-number scan parses it in a
 *	sandboxed worker (kj_exchange_dlp_sandbox_new, or a fresh one); a
 *	file that cannot be scanned is blocked, not let through.  CDR runs in
 *	the CDR engine's sandbox.  Names are reduced to a base name.
 * LIMITS
 *	console.exchange_max_bytes, console.exchange_expiry_days.
 * STANDARDS
 *	基本方針 6(3)① (個人番号利用事務系からの持ち出し), 6(3)② (無害化),
 *	6(7) (記録).
 * SEE ALSO
 *	release.c, dlp/dlp.h.
 *--*/
#include "release/release.h"
#include "release/release-private.h"

#include "cdr/cdr.h"
#include "dlp/dlp.h"
#include "sandbox/sandbox.h"
#include "util/limits.h"

#include <string.h>

KjCdrResult *_kj_release_sanitize(GBytes *data, const char *name, const char *declared,
				  const KjReleasePolicy *policy, GError **error);

#define X_COLUMNS                                                                                  \
	"id, direction, uploader, department, recipient, filename, size, sha256, note, state,"     \
	" approver, decided_at, decision_comment, result_sha256, result_size, report, failure,"    \
	" created_at, expires_unix, downloaded_at, updated_at"

static json_t *row_to_json(const KjDbRow *row)
{
	static const char *const names[] = {
	    "id",         "direction",  "uploader",         "department",    "recipient",
	    "filename",   "size",       "sha256",           "note",          "state",
	    "approver",   "decided_at", "decision_comment", "result_sha256", "result_size",
	    "report",     "failure",    "created_at",       "expires_unix",  "downloaded_at",
	    "updated_at", NULL};
	return _kj_release_row_json(row, names, "ttttttitttttttijttitt");
}

static gboolean row_one(const KjDbRow *row, gpointer user_data)
{
	*(json_t **)user_data = row_to_json(row);
	return FALSE;
}

json_t *kj_exchange_get(KjDb *db, const char *id, GError **error)
{
	json_t *o = NULL;
	if (!kj_db_query(db, "SELECT " X_COLUMNS " FROM exchange_file WHERE id = $1",
			 KJ_DB_ARGS(KJ_DB_TEXT(id ? id : "")), row_one, &o, error))
		return NULL;
	if (!o)
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_NOT_FOUND,
			    "no exchange file '%s'", id ? id : "");
	return o;
}

typedef struct {
	json_t *items;
	gint64 limit, n;
	char *last_id;
	json_t *(*conv)(const KjDbRow *row);
} ListCtx;

static gboolean row_list(const KjDbRow *row, gpointer user_data)
{
	ListCtx *c = user_data;
	if (c->n++ >= c->limit)
		return FALSE;
	json_array_append_new(c->items, c->conv(row));
	g_free(c->last_id);
	c->last_id = g_strdup(kj_db_row_get_text(row, 0));
	return TRUE;
}

static gboolean finish_page(ListCtx *c, gboolean ok, KjPage *page)
{
	if (!ok) {
		json_decref(c->items);
		g_free(c->last_id);
		return FALSE;
	}
	page->items = c->items;
	page->next_cursor = c->n > c->limit ? _kj_cursor_make("", c->last_id) : NULL;
	g_free(c->last_id);
	return TRUE;
}

gboolean kj_exchange_list(KjDb *db, const char *department, const char *recipient,
			  const char *state, const char *cursor, gint64 limit, KjPage *page,
			  GError **error)
{
	g_autofree char *ckey = NULL, *cid = NULL;
	if (limit <= 0 || limit > KJ_CONSOLE_PAGE_MAX)
		limit = KJ_CONSOLE_PAGE_DEFAULT;
	if (cursor && !_kj_cursor_parse(cursor, &ckey, &cid)) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID, "bad cursor");
		return FALSE;
	}
	ListCtx c = {.items = json_array(), .limit = limit, .conv = row_to_json};
	KjWhere w;
	_kj_where_init(&w);
	if (department && recipient)
		_kj_where_add(&w, "department = ? OR recipient = ?", 2, KJ_DB_TEXT(department),
			      KJ_DB_TEXT(recipient));
	else if (department)
		_kj_where_add(&w, "department = ?", 1, KJ_DB_TEXT(department));
	else if (recipient)
		_kj_where_add(&w, "recipient = ?", 1, KJ_DB_TEXT(recipient));
	if (state)
		_kj_where_add(&w, "state = ?", 1, KJ_DB_TEXT(state));
	if (cid)
		_kj_where_add(&w, "id < ?", 1, KJ_DB_TEXT(cid));
	w.params[w.n++] = KJ_DB_INT(limit + 1);
	g_autofree char *sql = g_strdup_printf(
	    "SELECT " X_COLUMNS " FROM exchange_file%s ORDER BY id DESC LIMIT $%" G_GSIZE_FORMAT,
	    _kj_where_sql(&w), w.n);
	gboolean ok = kj_db_query(db, sql, w.params, w.n, row_list, &c, error);
	_kj_where_clear(&w);
	return finish_page(&c, ok, page);
}

static json_t *notification_json(const KjDbRow *row)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", kj_db_row_get_text(row, 0),
			 "created_at", kj_db_row_get_text(row, 1), "audience",
			 kj_db_row_get_text(row, 2), "kind", kj_db_row_get_text(row, 3), "object",
			 kj_db_row_get_text(row, 4), "message", kj_db_row_get_text(row, 5));
}

gboolean kj_notification_list(KjDb *db, const char *audience, const char *cursor, gint64 limit,
			      KjPage *page, GError **error)
{
	g_autofree char *ckey = NULL, *cid = NULL;
	if (limit <= 0 || limit > KJ_CONSOLE_PAGE_MAX)
		limit = KJ_CONSOLE_PAGE_DEFAULT;
	if (cursor && !_kj_cursor_parse(cursor, &ckey, &cid)) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID, "bad cursor");
		return FALSE;
	}
	ListCtx c = {.items = json_array(), .limit = limit, .conv = notification_json};
	KjWhere w;
	_kj_where_init(&w);
	_kj_where_add(&w, "audience = ?", 1, KJ_DB_TEXT(audience));
	if (cid)
		_kj_where_add(&w, "id < ?", 1, KJ_DB_TEXT(cid));
	w.params[w.n++] = KJ_DB_INT(limit + 1);
	g_autofree char *sql = g_strdup_printf(
	    "SELECT id, created_at, audience, kind, object, message FROM notification%s"
	    " ORDER BY id DESC LIMIT $%" G_GSIZE_FORMAT,
	    _kj_where_sql(&w), w.n);
	gboolean ok = kj_db_query(db, sql, w.params, w.n, row_list, &c, error);
	_kj_where_clear(&w);
	return finish_page(&c, ok, page);
}

/* A base name of at most 255 bytes of text, without separators or controls. */
static char *clean_name(const char *name)
{
	if (!name || !*name || strlen(name) > 255 || !g_utf8_validate(name, -1, NULL))
		return NULL;
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	const char *bs = strrchr(base, '\\');
	base = bs ? bs + 1 : base;
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return NULL;
	for (const char *p = base; *p; p += g_utf8_skip[*(const guchar *)p])
		if (g_unichar_iscntrl(g_utf8_get_char(p)))
			return NULL;
	return g_strdup(base);
}

gboolean kj_exchange_upload(KjStore *store, KjAudit *audit, const KjAccount *who,
			    const char *direction, const char *recipient, const char *filename,
			    const char *note, GBytes *data, const KjReleasePolicy *policy,
			    char **id, GError **error)
{
	KjDb *db = kj_store_get_db(store);
	gint64 max = policy && policy->exchange_max_bytes ? policy->exchange_max_bytes
							  : KJ_CONSOLE_EXCHANGE_MAX_DEFAULT;
	char sha[KJ_SHA256_HEX_LEN + 1];

	*id = NULL;
	if (g_strcmp0(direction, "inbound") != 0 && g_strcmp0(direction, "outbound") != 0) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID,
			    "direction: 'inbound' (internet to LGWAN) or 'outbound'");
		return FALSE;
	}
	g_autofree char *name = clean_name(filename);
	if (!name) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID,
			    "name: a file name of 1-255 bytes without control characters");
		return FALSE;
	}
	if (note && (strlen(note) > KJ_CONSOLE_MAX_TEXT || !g_utf8_validate(note, -1, NULL))) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID,
			    "note: at most %d bytes of text", KJ_CONSOLE_MAX_TEXT);
		return FALSE;
	}
	if (g_bytes_get_size(data) == 0 || (gint64)g_bytes_get_size(data) > max) {
		g_set_error(
		    error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_TOO_LARGE,
		    "a file of 1 to %" G_GINT64_FORMAT " bytes (console.exchange_max_bytes)", max);
		return FALSE;
	}
	g_autoptr(KjAccount) to =
	    kj_account_login_valid(recipient) ? kj_account_get(db, recipient, NULL) : NULL;
	if (!to || to->disabled) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID,
			    "recipient: no account '%s'", recipient ? recipient : "");
		return FALSE;
	}
	if (!kj_store_put(store, g_bytes_get_data(data, NULL), g_bytes_get_size(data), sha, error))
		return FALSE;
	g_autofree char *xid = _kj_release_new_id("X");
	g_autofree char *now = kj_db_now_utc();
	gint64 unix_now = g_get_real_time() / G_USEC_PER_SEC;
	if (!kj_db_exec(
		db,
		"INSERT INTO exchange_file (id, direction, uploader, department, recipient,"
		" filename, size, sha256, note, state, created_at, created_unix,"
		" expires_unix, updated_at)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'uploaded', $10, $11, 0, $10)",
		KJ_DB_ARGS(KJ_DB_TEXT(xid), KJ_DB_TEXT(direction), KJ_DB_TEXT(who->login),
			   KJ_DB_TEXT(who->department), KJ_DB_TEXT(to->login), KJ_DB_TEXT(name),
			   KJ_DB_INT((gint64)g_bytes_get_size(data)), KJ_DB_TEXT(sha),
			   note ? KJ_DB_TEXT(note) : KJ_DB_NULL, KJ_DB_TEXT(now),
			   KJ_DB_INT(unix_now)),
		error))
		return FALSE;
	json_t *d =
	    json_pack("{s:s, s:s, s:s, s:I, s:s, s:s}", "direction", direction, "recipient",
		      to->login, "filename", name, "size", (json_int_t)g_bytes_get_size(data),
		      "sha256", sha, "department", who->department);
	gboolean ok = kj_audit_append(audit, who->login, "exchange.upload", xid, d, NULL, error);
	json_decref(d);
	if (ok)
		*id = g_steal_pointer(&xid);
	return ok;
}

/* The personal-number scan, in the worker: the output is the findings as
 * JSON ({"my_number": N, "masked": [...], "error": "..."}). */
static gboolean dlp_job(GBytes *input, GByteArray *output, gpointer user_data, GError **error)
{
	g_autoptr(GPtrArray) findings =
	    g_ptr_array_new_with_free_func((GDestroyNotify)kj_dlp_finding_free);
	GError *e = NULL;
	KjDlpOptions opts;
	kj_dlp_options_init(&opts);
	opts.corporate = FALSE;
	gboolean ok = kj_dlp_scan_file(input, NULL, &opts, findings, &e);
	json_t *o = json_object();
	json_t *masked = json_array();
	gint64 n = 0;
	for (guint i = 0; i < findings->len; i++) {
		const KjDlpFinding *f = findings->pdata[i];
		if (f->kind != KJ_DLP_MY_NUMBER)
			continue;
		n++;
		if (json_array_size(masked) < 20)
			json_array_append_new(masked, json_string(f->masked));
	}
	json_object_set_new(o, "my_number", json_integer(n));
	json_object_set_new(o, "masked", masked);
	json_object_set_new(o, "error", ok ? json_null() : json_string(e->message));
	g_clear_error(&e);
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	g_byte_array_append(output, (const guint8 *)s, (guint)strlen(s));
	free(s);
	return TRUE;
}

static gboolean dlp_prepare(gpointer user_data, GError **error)
{
	kj_cdr_global_init();
	return TRUE;
}

KjSandbox *kj_exchange_dlp_sandbox_new(void)
{
	KjSandboxOptions o;
	kj_sandbox_options_init(&o);
	o.mode = KJ_SANDBOX_FORK_EACH;
	o.cpu_seconds = 60;
	o.timeout_ms = 60000;
	o.max_output = 64 * 1024;
	o.name = "personal-number scanner";
	o.prepare = dlp_prepare;
	return kj_sandbox_new(&o, dlp_job, NULL);
}

/* Scans data; *hits receives the count of personal numbers, *why a reason
 * when the file could not be scanned (which blocks it too). */
static json_t *scan(GBytes *data, const KjReleasePolicy *policy, GError **error)
{
	g_autoptr(KjSandbox) own = NULL;
	KjSandbox *sb = policy && policy->dlp_pool ? kj_release_pool_take(policy->dlp_pool) : NULL;
	if (!sb)
		sb = own = kj_exchange_dlp_sandbox_new();
	GBytes *out = kj_sandbox_run(sb, data, error);
	if (!own)
		kj_release_pool_give(policy->dlp_pool, sb);
	if (!out)
		return NULL;
	json_t *j = json_loadb(g_bytes_get_data(out, NULL), g_bytes_get_size(out), 0, NULL);
	g_bytes_unref(out);
	if (!json_is_object(j)) {
		if (j)
			json_decref(j);
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID,
			    "the scanner's answer is not understood");
		return NULL;
	}
	return j;
}

static gboolean notify_security(KjDb *db, const char *kind, const char *object, const char *message,
				GError **error)
{
	g_autofree char *nid = _kj_release_new_id("N");
	g_autofree char *now = kj_db_now_utc();
	return kj_db_exec(
	    db,
	    "INSERT INTO notification (id, created_at, audience, kind, object, message)"
	    " VALUES ($1, $2, 'security', $3, $4, $5)",
	    KJ_DB_ARGS(KJ_DB_TEXT(nid), KJ_DB_TEXT(now), KJ_DB_TEXT(kind), KJ_DB_TEXT(object),
		       KJ_DB_TEXT(message)),
	    error);
}

static gboolean update_checked(KjDb *db, const char *id, const char *sql, const KjDbValue *params,
			       gsize n, GError **error)
{
	if (!kj_db_exec(db, sql, params, n, error))
		return FALSE;
	if (kj_db_changes(db) != 1) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_STATE,
			    "%s was decided meanwhile", id);
		return FALSE;
	}
	return TRUE;
}

typedef struct {
	const char *state;
	char *failure;
	char *report;
	char sha[KJ_SHA256_HEX_LEN + 1];
	gint64 size;
	gboolean blocked;
} Outcome;

static gboolean process_inbound(KjStore *store, json_t *x, GBytes *data,
				const KjReleasePolicy *policy, Outcome *o, GError **error)
{
	g_autoptr(KjCdrResult) r = _kj_release_sanitize(
	    data, json_string_value(json_object_get(x, "filename")), NULL, policy, error);
	if (!r)
		return FALSE;
	json_t *rep = kj_cdr_result_to_json(r);
	o->report = json_dumps(rep, JSON_COMPACT);
	json_decref(rep);
	if (r->verdict != KJ_CDR_SANITIZED) {
		o->state = "failed";
		o->failure = g_strdup_printf("%s: %s", kj_cdr_verdict_name(r->verdict),
					     r->reason ? r->reason : "");
		return TRUE;
	}
	o->state = "available";
	o->size = (gint64)g_bytes_get_size(r->output);
	return kj_store_put(store, g_bytes_get_data(r->output, NULL), g_bytes_get_size(r->output),
			    o->sha, error);
}

static gboolean process_outbound(KjStore *store, json_t *x, GBytes *data,
				 const KjReleasePolicy *policy, Outcome *o, GError **error)
{
	GError *e = NULL;
	json_t *res = scan(data, policy, &e);
	if (!res) {
		o->failure = g_strdup_printf("the file could not be scanned for personal numbers "
					     "(%s): blocked",
					     e->message);
		g_error_free(e);
		o->blocked = TRUE;
	} else {
		gint64 hits = json_integer_value(json_object_get(res, "my_number"));
		const char *err = json_string_value(json_object_get(res, "error"));
		if (hits > 0) {
			o->failure = g_strdup_printf("%" G_GINT64_FORMAT
						     " personal number(s) (個人番号) found: "
						     "blocked (基本方針 6(3)①)",
						     hits);
			o->blocked = TRUE;
		} else if (err) {
			o->failure =
			    g_strdup_printf("not every part could be scanned (%s): blocked", err);
			o->blocked = TRUE;
		}
		o->report = json_dumps(res, JSON_COMPACT);
		json_decref(res);
	}
	if (o->blocked) {
		o->state = "blocked";
		return TRUE;
	}
	o->state = "available";
	o->size = (gint64)g_bytes_get_size(data);
	g_strlcpy(o->sha, json_string_value(json_object_get(x, "sha256")), sizeof o->sha);
	return TRUE;
}

json_t *kj_exchange_decide(KjStore *store, KjAudit *audit, const KjAccount *who, const char *id,
			   gboolean approve, const char *comment, const KjReleasePolicy *policy,
			   GError **error)
{
	KjDb *db = kj_store_get_db(store);
	Outcome o = {0};
	json_t *result = NULL;

	if (comment &&
	    (strlen(comment) > KJ_CONSOLE_MAX_TEXT || !g_utf8_validate(comment, -1, NULL))) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID,
			    "comment: at most %d bytes of text", KJ_CONSOLE_MAX_TEXT);
		return NULL;
	}
	g_autoptr(json_t) x = kj_exchange_get(db, id, error);
	if (!x)
		return NULL;
	const char *state = json_string_value(json_object_get(x, "state"));
	if (g_strcmp0(json_string_value(json_object_get(x, "uploader")), who->login) == 0) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_FORBIDDEN,
			    "nobody approves their own upload (separation of duties)");
		return NULL;
	}
	if (!_kj_release_may_approve(who, json_string_value(json_object_get(x, "department")),
				     policy, error))
		return NULL;
	if (strcmp(state, "uploaded") != 0) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_STATE, "%s is %s already", id,
			    state);
		return NULL;
	}
	g_autofree char *now = kj_db_now_utc();
	gint64 days = policy && policy->exchange_expiry_days ? policy->exchange_expiry_days
							     : KJ_CONSOLE_EXCHANGE_EXPIRY_DEFAULT;
	gint64 expires = g_get_real_time() / G_USEC_PER_SEC + days * 86400;
	if (!approve) {
		o.state = "refused";
	} else {
		g_autoptr(GBytes) data =
		    kj_store_get(store, json_string_value(json_object_get(x, "sha256")), error);
		gboolean inbound =
		    strcmp(json_string_value(json_object_get(x, "direction")), "inbound") == 0;
		if (!data || !(inbound ? process_inbound(store, x, data, policy, &o, error)
				       : process_outbound(store, x, data, policy, &o, error)))
			goto out;
	}
	gboolean avail = strcmp(o.state, "available") == 0;
	if (!update_checked(
		db, id,
		"UPDATE exchange_file SET state = $2, approver = $3, decided_at = $4,"
		" decision_comment = $5, result_sha256 = $6, result_size = $7, report = $8,"
		" failure = $9, expires_unix = $10, updated_at = $4"
		" WHERE id = $1 AND state = 'uploaded'",
		KJ_DB_ARGS(
		    KJ_DB_TEXT(id), KJ_DB_TEXT(o.state), KJ_DB_TEXT(who->login), KJ_DB_TEXT(now),
		    comment ? KJ_DB_TEXT(comment) : KJ_DB_NULL,
		    avail ? KJ_DB_TEXT(o.sha) : KJ_DB_NULL, avail ? KJ_DB_INT(o.size) : KJ_DB_NULL,
		    o.report ? KJ_DB_TEXT(o.report) : KJ_DB_NULL,
		    o.failure ? KJ_DB_TEXT(o.failure) : KJ_DB_NULL, KJ_DB_INT(avail ? expires : 0)),
		error))
		goto out;
	if (o.blocked) {
		g_autofree char *msg =
		    g_strdup_printf("outbound file %s (%s) from %s (%s) to %s blocked: %s", id,
				    json_string_value(json_object_get(x, "filename")),
				    json_string_value(json_object_get(x, "uploader")),
				    json_string_value(json_object_get(x, "department")),
				    json_string_value(json_object_get(x, "recipient")), o.failure);
		if (!notify_security(db, "exchange.blocked", id, msg, error))
			goto out;
	}
	const char *action = !approve                         ? "exchange.refuse"
			     : o.blocked                      ? "exchange.blocked"
			     : strcmp(o.state, "failed") == 0 ? "exchange.failed"
							      : "exchange.approve";
	json_t *d = json_pack("{s:s, s:s, s:o, s:o, s:s}", "direction",
			      json_string_value(json_object_get(x, "direction")), "state", o.state,
			      "comment", _kj_release_nullable(comment), "failure",
			      _kj_release_nullable(o.failure), "uploader",
			      json_string_value(json_object_get(x, "uploader")));
	gboolean ok = kj_audit_append(audit, who->login, action, id, d, NULL, error);
	json_decref(d);
	if (ok)
		result = kj_exchange_get(db, id, error);
out:
	g_free(o.failure);
	g_free(o.report);
	return result;
}

gboolean kj_exchange_expire(KjStore *store, KjAudit *audit, gint64 now, gint64 *n, GError **error)
{
	KjDb *db = kj_store_get_db(store);
	g_autofree char *stamp = kj_db_now_utc();
	if (!kj_db_exec(db,
			"UPDATE exchange_file SET state = 'expired', updated_at = $2"
			" WHERE state = 'available' AND expires_unix <= $1",
			KJ_DB_ARGS(KJ_DB_INT(now), KJ_DB_TEXT(stamp)), error))
		return FALSE;
	gint64 changed = kj_db_changes(db);
	if (n)
		*n = changed;
	if (changed > 0 && audit) {
		json_t *d = json_pack("{s:I}", "files", (json_int_t)changed);
		gboolean ok = kj_audit_append(audit, "kyojin", "exchange.expire", "exchange_file",
					      d, NULL, error);
		json_decref(d);
		return ok;
	}
	return TRUE;
}

GBytes *kj_exchange_fetch(KjStore *store, KjAudit *audit, const KjAccount *who, const char *id,
			  gint64 now, char **name, GError **error)
{
	KjDb *db = kj_store_get_db(store);
	*name = NULL;
	g_autoptr(json_t) x = kj_exchange_get(db, id, error);
	if (!x)
		return NULL;
	const char *state = json_string_value(json_object_get(x, "state"));
	if (strcmp(state, "available") == 0 &&
	    json_integer_value(json_object_get(x, "expires_unix")) <= now) {
		kj_exchange_expire(store, audit, now, NULL, NULL);
		state = "expired";
	}
	if (strcmp(state, "available") != 0) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_STATE,
			    "%s is %s, not available", id, state);
		return NULL;
	}
	const char *sha = json_string_value(json_object_get(x, "result_sha256"));
	GBytes *data = kj_store_get(store, sha, error);
	if (!data)
		return NULL;
	g_autofree char *stamp = kj_db_now_utc();
	json_t *d = json_pack("{s:s}", "sha256", sha);
	gboolean ok =
	    kj_db_exec(db,
		       "UPDATE exchange_file SET downloaded_at = coalesce(downloaded_at, $2)"
		       " WHERE id = $1",
		       KJ_DB_ARGS(KJ_DB_TEXT(id), KJ_DB_TEXT(stamp)), error) &&
	    kj_audit_append(audit, who->login, "exchange.download", id, d, NULL, error);
	json_decref(d);
	if (!ok) {
		g_bytes_unref(data);
		return NULL;
	}
	*name = g_strdup(json_string_value(json_object_get(x, "filename")));
	return data;
}
