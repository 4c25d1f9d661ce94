/*++
 * NAME
 *	release - requests to release quarantined attachments, and their approval
 * DESCRIPTION
 *	Nothing the sanitizer removed is lost, and nothing comes back without
 *	an audited request and approval (基本方針 2(12)):
 *
 *	requested --approve--> released   (kind sanitized: CDR on approval;
 *	    |                              kind ppap: sanitized when asked)
 *	    +------approve--> approved --approve (security team)--> released
 *	    |                 (kind original: two approvals)
 *	    +--refuse--> refused; a file the CDR engine holds --> failed
 *
 *	The approver is the department's 情報セキュリティ管理者 (an account
 *	with the approver role in the request's department, or the one login
 *	console.approvers names) or the security team; nobody decides on
 *	their own request, and the two approvals of an original come from two
 *	different people.  Releasing an unsanitized original is recorded as
 *	"release.original" with "unsanitized": true so that audits find it.
 *
 *	Schema: store migration 12, release_request.
 * SECURITY
 *	Runs in the console and CLI, in the parent; the CDR engine runs in a
 *	fresh sandboxed worker per file (cdr/isolate.c).  Attachment bytes
 *	are verified against their SHA-256 when read from the store.
 * STANDARDS
 *	基本方針 2(12) (無害化, 例外の承認), 6(3)②, 6(7) (記録).
 * SEE ALSO
 *	ppap.c, mail.c, cdr/cdr.h.
 *--*/
#include "release/release.h"
#include "release/release-private.h"

#include "cdr/cdr.h"
#include "util/limits.h"

#include <string.h>

char *_kj_release_new_id(const char *prefix)
{
	return g_strdup_printf("%s-%013" G_GINT64_MODIFIER "x%07x", prefix, g_get_real_time(),
			       g_random_int() & 0xfffffff);
}

KjCdrResult *_kj_release_sanitize(GBytes *data, const char *name, const char *declared,
				  const KjReleasePolicy *policy, GError **error);
KjCdrResult *_kj_release_sanitize(GBytes *data, const char *name, const char *declared,
				  const KjReleasePolicy *policy, GError **error)
{
	KjCdrOptions defaults;
	const KjCdrOptions *opts = policy ? policy->cdr_options : NULL;
	if (!opts) {
		kj_cdr_options_init(&defaults);
		opts = &defaults;
	}
	if (policy && policy->cdr_pool) {
		KjCdrWorker *w = kj_release_pool_take(policy->cdr_pool);
		KjCdrResult *r = kj_cdr_worker_sanitize(w, data, name, declared, error);
		kj_release_pool_give(policy->cdr_pool, w);
		return r;
	}
	return kj_cdr_sanitize_isolated(data, name, declared, opts, error);
}

json_t *_kj_release_nullable(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *_kj_release_row_json(const KjDbRow *row, const char *const *names, const char *kinds)
{
	json_t *o = json_object();
	guint i;

	for (i = 0; names[i] != NULL; i++) {
		const char *t = kj_db_row_get_text(row, i);
		json_t *v = NULL;

		g_assert(kinds[i] != '\0');
		if (kj_db_row_is_null(row, i))
			v = json_null();
		else if (kinds[i] == 'i')
			v = json_integer(kj_db_row_get_int(row, i));
		else if (kinds[i] == 'j')
			v = t ? json_loads(t, 0, NULL) : NULL;
		else
			v = _kj_release_nullable(t);
		json_object_set_new(o, names[i], v ? v : json_null());
	}
	g_assert(kinds[i] == '\0'); /* one kind per name */
	return o;
}

/* The last two columns are what the approver approves: the mail's subject
 * and sender, by the quarantine's primary key (the inner "id" is the
 * quarantine's). */
#define REQ_COLUMNS                                                                                \
	"id, kind, quarantine_id, attachment_idx, filename, department, requester, reason, state," \
	" approver, approved_at, second_approver, second_approved_at, decision_comment,"           \
	" result_sha256, result_name, result_size, report, failure, created_at, updated_at,"       \
	" (SELECT subject FROM quarantine WHERE id = release_request.quarantine_id),"              \
	" (SELECT sender FROM quarantine WHERE id = release_request.quarantine_id)"

static json_t *row_to_json(const KjDbRow *row)
{
	static const char *const names[] = {"id",
					    "kind",
					    "quarantine_id",
					    "attachment_index",
					    "filename",
					    "department",
					    "requester",
					    "reason",
					    "state",
					    "approver",
					    "approved_at",
					    "second_approver",
					    "second_approved_at",
					    "decision_comment",
					    "result_sha256",
					    "result_name",
					    "result_size",
					    "report",
					    "failure",
					    "created_at",
					    "updated_at",
					    "subject",
					    "sender",
					    NULL};
	return _kj_release_row_json(row, names, "tttittttttttttttijttttt");
}

static gboolean row_one(const KjDbRow *row, gpointer user_data)
{
	*(json_t **)user_data = row_to_json(row);
	return FALSE;
}

json_t *kj_release_get(KjDb *db, const char *id, GError **error)
{
	json_t *o = NULL;
	if (!kj_db_query(db, "SELECT " REQ_COLUMNS " FROM release_request WHERE id = $1",
			 KJ_DB_ARGS(KJ_DB_TEXT(id ? id : "")), row_one, &o, error))
		return NULL;
	if (!o)
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_NOT_FOUND,
			    "no release request '%s'", id ? id : "");
	return o;
}

typedef struct {
	json_t *items;
	gint64 limit, n;
	char *last_id;
} ListCtx;

static gboolean row_list(const KjDbRow *row, gpointer user_data)
{
	ListCtx *c = user_data;
	if (c->n++ >= c->limit)
		return FALSE;
	json_array_append_new(c->items, row_to_json(row));
	g_free(c->last_id);
	c->last_id = g_strdup(kj_db_row_get_text(row, 0));
	return TRUE;
}

gboolean kj_release_list(KjDb *db, const char *department, const char *state,
			 const char *quarantine_id, const char *cursor, gint64 limit, KjPage *page,
			 GError **error)
{
	ListCtx c = {.limit = limit};
	g_autofree char *ckey = NULL, *cid = NULL;

	if (limit <= 0 || limit > KJ_CONSOLE_PAGE_MAX)
		c.limit = limit = KJ_CONSOLE_PAGE_DEFAULT;
	if (cursor && !_kj_cursor_parse(cursor, &ckey, &cid)) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID, "bad cursor");
		return FALSE;
	}
	c.items = json_array();
	/* Ids are time-ordered: the id alone is the keyset. */
	KjWhere w;
	_kj_where_init(&w);
	if (department)
		_kj_where_add(&w, "department = ?", 1, KJ_DB_TEXT(department));
	if (state)
		_kj_where_add(&w, "state = ?", 1, KJ_DB_TEXT(state));
	/* release_request_item: the requests of one mail by index. */
	if (quarantine_id)
		_kj_where_add(&w, "quarantine_id = ?", 1, KJ_DB_TEXT(quarantine_id));
	if (cid)
		_kj_where_add(&w, "id < ?", 1, KJ_DB_TEXT(cid));
	w.params[w.n++] = KJ_DB_INT(limit + 1);
	g_autofree char *sql =
	    g_strdup_printf("SELECT " REQ_COLUMNS
			    " FROM release_request%s ORDER BY id DESC LIMIT $%" G_GSIZE_FORMAT,
			    _kj_where_sql(&w), w.n);
	gboolean ok = kj_db_query(db, sql, w.params, w.n, row_list, &c, error);
	_kj_where_clear(&w);
	if (!ok) {
		json_decref(c.items);
		g_free(c.last_id);
		return FALSE;
	}
	page->items = c.items;
	page->next_cursor = c.n > limit ? _kj_cursor_make("", c.last_id) : NULL;
	g_free(c.last_id);
	return TRUE;
}

typedef struct {
	char *sha256;
	char *filename;
	char *declared;
	gboolean found;
} Attachment;

static gboolean row_attachment(const KjDbRow *row, gpointer user_data)
{
	Attachment *a = user_data;
	a->sha256 = g_strdup(kj_db_row_get_text(row, 0));
	a->filename = g_strdup(kj_db_row_get_text(row, 1));
	a->declared = g_strdup(kj_db_row_get_text(row, 2));
	a->found = TRUE;
	return FALSE;
}

static void attachment_clear(Attachment *a)
{
	g_free(a->sha256);
	g_free(a->filename);
	g_free(a->declared);
}

static gboolean load_attachment(KjDb *db, const char *qid, gint64 idx, Attachment *a,
				GError **error)
{
	if (!kj_db_query(db,
			 "SELECT sha256, filename, declared_type FROM quarantine_attachment"
			 " WHERE quarantine_id = $1 AND idx = $2",
			 KJ_DB_ARGS(KJ_DB_TEXT(qid ? qid : ""), KJ_DB_INT(idx)), row_attachment, a,
			 error))
		return FALSE;
	if (!a->found) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_NOT_FOUND,
			    "mail '%s' has no attachment %" G_GINT64_FORMAT, qid ? qid : "", idx);
		return FALSE;
	}
	return TRUE;
}

static gboolean text_ok(const char *s, gsize max, gboolean required)
{
	if (!s)
		return !required;
	gsize n = strlen(s);
	return (!required || n > 0) && n <= max && g_utf8_validate(s, (gssize)n, NULL);
}

static gboolean insert_request(KjDb *db, const char *id, const char *kind, const char *qid,
			       gint64 idx, const char *filename, const KjAccount *who,
			       const char *reason, const char *result_sha, const char *result_name,
			       gint64 result_size, const char *report, GError **error)
{
	g_autofree char *now = kj_db_now_utc();
	return kj_db_exec(
	    db,
	    "INSERT INTO release_request (id, kind, quarantine_id, attachment_idx, filename,"
	    " department, requester, reason, state, result_sha256, result_name, result_size,"
	    " report, created_at, updated_at)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'requested', $9, $10, $11, $12, $13, $13)",
	    KJ_DB_ARGS(KJ_DB_TEXT(id), KJ_DB_TEXT(kind), KJ_DB_TEXT(qid), KJ_DB_INT(idx),
		       filename ? KJ_DB_TEXT(filename) : KJ_DB_NULL, KJ_DB_TEXT(who->department),
		       KJ_DB_TEXT(who->login), KJ_DB_TEXT(reason),
		       result_sha ? KJ_DB_TEXT(result_sha) : KJ_DB_NULL,
		       result_name ? KJ_DB_TEXT(result_name) : KJ_DB_NULL,
		       result_sha ? KJ_DB_INT(result_size) : KJ_DB_NULL,
		       report ? KJ_DB_TEXT(report) : KJ_DB_NULL, KJ_DB_TEXT(now)),
	    error);
}

gboolean kj_release_request(KjStore *store, KjAudit *audit, const KjAccount *who, const char *qid,
			    gint64 idx, const char *kind, const char *reason, char **id,
			    GError **error)
{
	Attachment a = {0};
	KjDb *db = kj_store_get_db(store);

	*id = NULL;
	if (!kind || (strcmp(kind, "sanitized") != 0 && strcmp(kind, "original") != 0)) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID,
			    "kind: 'sanitized' or 'original' (PPAP archives: ppap open)");
		return FALSE;
	}
	if (!text_ok(reason, KJ_CONSOLE_MAX_TEXT, TRUE)) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID,
			    "a reason is required (at most %d bytes; 基本方針 2(12))",
			    KJ_CONSOLE_MAX_TEXT);
		return FALSE;
	}
	if (!load_attachment(db, qid, idx, &a, error))
		return FALSE;
	g_autofree char *rid = _kj_release_new_id("R");
	gboolean ok = insert_request(db, rid, kind, qid, idx, a.filename, who, reason, NULL, NULL,
				     0, NULL, error);
	if (ok) {
		json_t *d = json_pack("{s:s, s:s, s:I, s:o, s:s, s:s}", "kind", kind,
				      "quarantine_id", qid, "attachment_index", (json_int_t)idx,
				      "filename", _kj_release_nullable(a.filename), "department",
				      who->department, "reason", reason);
		ok = kj_audit_append(audit, who->login, "release.request", rid, d, NULL, error);
		json_decref(d);
	}
	attachment_clear(&a);
	if (ok)
		*id = g_steal_pointer(&rid);
	return ok;
}

gboolean kj_release_ppap_open(KjStore *store, KjAudit *audit, const KjAccount *who, const char *qid,
			      gint64 idx, const char *password, const char *reason,
			      const KjReleasePolicy *policy, char **id, GError **error)
{
	Attachment a = {0};
	KjDb *db = kj_store_get_db(store);

	*id = NULL;
	if (!text_ok(reason, KJ_CONSOLE_MAX_TEXT, TRUE) || !password || !*password ||
	    strlen(password) > KJ_CONSOLE_MAX_PASSWORD) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID,
			    "a password and a reason are required");
		return FALSE;
	}
	if (!load_attachment(db, qid, idx, &a, error))
		return FALSE;
	g_autoptr(GBytes) archive = kj_store_get(store, a.sha256, error);
	if (!archive) {
		attachment_clear(&a);
		return FALSE;
	}
	KjSandbox *sb =
	    policy && policy->ppap_pool ? kj_release_pool_take(policy->ppap_pool) : NULL;
	g_autoptr(GBytes) plain = _kj_ppap_decrypt(archive, password, sb, error);
	if (sb)
		kj_release_pool_give(policy->ppap_pool, sb);
	if (!plain) {
		/* The attempt is audited, the password is not. */
		json_t *d = json_pack("{s:s, s:I, s:s}", "quarantine_id", qid, "attachment_index",
				      (json_int_t)idx, "error", (*error)->message);
		kj_audit_append(audit, who->login, "release.ppap_failed", qid, d, NULL, NULL);
		json_decref(d);
		attachment_clear(&a);
		return FALSE;
	}
	g_autoptr(KjCdrResult) r = _kj_release_sanitize(
	    plain, a.filename ? a.filename : "archive.zip", "application/zip", policy, error);
	if (!r) {
		attachment_clear(&a);
		return FALSE;
	}
	json_t *rep = kj_cdr_result_to_json(r);
	g_autofree char *report = json_dumps(rep, JSON_COMPACT);
	json_decref(rep);
	if (r->verdict != KJ_CDR_SANITIZED) {
		json_t *d = json_pack("{s:s, s:I, s:s}", "quarantine_id", qid, "attachment_index",
				      (json_int_t)idx, "verdict", kj_cdr_verdict_name(r->verdict));
		kj_audit_append(audit, who->login, "release.ppap_held", qid, d, NULL, NULL);
		json_decref(d);
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_SANITIZE,
			    "the archive opened, but its content was %s: %s",
			    kj_cdr_verdict_name(r->verdict), r->reason ? r->reason : "");
		attachment_clear(&a);
		return FALSE;
	}
	char sha[KJ_SHA256_HEX_LEN + 1];
	g_autofree char *rid = _kj_release_new_id("R");
	gboolean ok =
	    kj_store_put(store, g_bytes_get_data(r->output, NULL), g_bytes_get_size(r->output), sha,
			 error) &&
	    insert_request(db, rid, "ppap", qid, idx, a.filename, who, reason, sha, r->output_name,
			   (gint64)g_bytes_get_size(r->output), report, error);
	if (ok) {
		json_t *d = json_pack("{s:s, s:s, s:I, s:o, s:s, s:s, s:s}", "kind", "ppap",
				      "quarantine_id", qid, "attachment_index", (json_int_t)idx,
				      "filename", _kj_release_nullable(a.filename), "department",
				      who->department, "reason", reason, "sanitized_sha256", sha);
		ok = kj_audit_append(audit, who->login, "release.request", rid, d, NULL, error);
		json_decref(d);
	}
	attachment_clear(&a);
	if (ok)
		*id = g_steal_pointer(&rid);
	return ok;
}

/* console.approvers: "総務課=sato, 情報政策課=suzuki". */
gboolean kj_release_approvers_parse(const char *text, GHashTable *out, GError **error)
{
	if (!text)
		return TRUE;
	g_auto(GStrv) parts = g_strsplit(text, ",", -1);
	for (guint i = 0; parts[i]; i++) {
		g_strstrip(parts[i]);
		if (!*parts[i])
			continue;
		char *eq = strchr(parts[i], '=');
		if (!eq) {
			g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID,
				    "console.approvers: '%s' is not department=login", parts[i]);
			return FALSE;
		}
		*eq = '\0';
		g_autofree char *dept = g_strstrip(g_strdup(parts[i]));
		g_autofree char *login = g_strstrip(g_strdup(eq + 1));
		if (!kj_account_department_valid(dept) || !kj_account_login_valid(login)) {
			g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID,
				    "console.approvers: '%s=%s' is not department=login", dept,
				    login);
			return FALSE;
		}
		g_hash_table_insert(out, g_steal_pointer(&dept), g_steal_pointer(&login));
	}
	return TRUE;
}

gboolean _kj_release_may_approve(const KjAccount *who, const char *department,
				 const KjReleasePolicy *policy, GError **error)
{
	if (who->role == KJ_ROLE_SECADMIN)
		return TRUE;
	if (who->role != KJ_ROLE_APPROVER || g_strcmp0(who->department, department) != 0) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_NOT_FOUND, "not found");
		return FALSE;
	}
	const char *named =
	    policy && policy->approvers ? g_hash_table_lookup(policy->approvers, department) : NULL;
	if (named && strcmp(named, who->login) != 0) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_FORBIDDEN,
			    "the approver of %s is %s (console.approvers)", department, named);
		return FALSE;
	}
	return TRUE;
}

/* Runs one conditional UPDATE (its WHERE names the state it leaves) and
 * fails with KJ_RELEASE_ERROR_STATE when another decision came first. */
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

static json_t *sanitize_now(KjStore *store, json_t *req, const KjReleasePolicy *policy,
			    char sha[KJ_SHA256_HEX_LEN + 1], char **name, gint64 *size,
			    char **failure, GError **error)
{
	Attachment a = {0};
	if (!load_attachment(
		kj_store_get_db(store), json_string_value(json_object_get(req, "quarantine_id")),
		json_integer_value(json_object_get(req, "attachment_index")), &a, error))
		return NULL;
	g_autoptr(GBytes) data = kj_store_get(store, a.sha256, error);
	if (!data) {
		attachment_clear(&a);
		return NULL;
	}
	g_autoptr(KjCdrResult) r = _kj_release_sanitize(
	    data, a.filename ? a.filename : "attachment", a.declared, policy, error);
	attachment_clear(&a);
	if (!r)
		return NULL;
	json_t *rep = kj_cdr_result_to_json(r);
	if (r->verdict == KJ_CDR_SANITIZED) {
		if (!kj_store_put(store, g_bytes_get_data(r->output, NULL),
				  g_bytes_get_size(r->output), sha, error)) {
			json_decref(rep);
			return NULL;
		}
		*name = g_strdup(r->output_name);
		*size = (gint64)g_bytes_get_size(r->output);
	} else {
		*failure = g_strdup_printf("%s: %s", kj_cdr_verdict_name(r->verdict),
					   r->reason ? r->reason : "");
	}
	return rep;
}

static json_t *audited(KjStore *store, KjAudit *audit, const KjAccount *who, const char *action,
		       const char *id, json_t *details, GError **error)
{
	gboolean ok = kj_audit_append(audit, who->login, action, id, details, NULL, error);
	json_decref(details);
	return ok ? kj_release_get(kj_store_get_db(store), id, error) : NULL;
}

static json_t *approve_first(KjStore *store, KjAudit *audit, const KjAccount *who, json_t *req,
			     const char *comment, const KjReleasePolicy *policy, GError **error)
{
	KjDb *db = kj_store_get_db(store);
	const char *id = json_string_value(json_object_get(req, "id"));
	const char *kind = json_string_value(json_object_get(req, "kind"));
	g_autofree char *now = kj_db_now_utc();
	KjDbValue vc = comment ? KJ_DB_TEXT(comment) : KJ_DB_NULL;

	if (strcmp(kind, "sanitized") != 0) {
		/* An original waits for the security team; a PPAP request
		 * was sanitized when its archive was opened. */
		const char *to = strcmp(kind, "original") == 0 ? "approved" : "released";
		if (!update_checked(db, id,
				    "UPDATE release_request SET state = $2, approver = $3,"
				    " approved_at = $4, decision_comment = $5, updated_at = $4"
				    " WHERE id = $1 AND state = 'requested'",
				    KJ_DB_ARGS(KJ_DB_TEXT(id), KJ_DB_TEXT(to),
					       KJ_DB_TEXT(who->login), KJ_DB_TEXT(now), vc),
				    error))
			return NULL;
		return audited(
		    store, audit, who,
		    strcmp(to, "approved") == 0 ? "release.approve" : "release.released", id,
		    json_pack("{s:s, s:o}", "kind", kind, "comment", _kj_release_nullable(comment)),
		    error);
	}
	char sha[KJ_SHA256_HEX_LEN + 1] = {0};
	g_autofree char *name = NULL, *failure = NULL;
	gint64 size = 0;
	json_t *rep = sanitize_now(store, req, policy, sha, &name, &size, &failure, error);
	if (!rep)
		return NULL;
	g_autofree char *report = json_dumps(rep, JSON_COMPACT);
	json_decref(rep);
	gboolean ok = update_checked(
	    db, id,
	    "UPDATE release_request SET state = $2, approver = $3, approved_at = $4,"
	    " decision_comment = $5, updated_at = $4, report = $6, failure = $7,"
	    " result_sha256 = $8, result_name = $9, result_size = $10"
	    " WHERE id = $1 AND state = 'requested'",
	    KJ_DB_ARGS(
		KJ_DB_TEXT(id), KJ_DB_TEXT(failure ? "failed" : "released"), KJ_DB_TEXT(who->login),
		KJ_DB_TEXT(now), vc, report ? KJ_DB_TEXT(report) : KJ_DB_NULL,
		failure ? KJ_DB_TEXT(failure) : KJ_DB_NULL, failure ? KJ_DB_NULL : KJ_DB_TEXT(sha),
		name ? KJ_DB_TEXT(name) : KJ_DB_NULL, failure ? KJ_DB_NULL : KJ_DB_INT(size)),
	    error);
	if (!ok)
		return NULL;
	return audited(store, audit, who, failure ? "release.failed" : "release.released", id,
		       json_pack("{s:s, s:o, s:o, s:o}", "kind", kind, "comment",
				 _kj_release_nullable(comment), "failure",
				 _kj_release_nullable(failure), "sanitized_sha256",
				 failure ? json_null() : json_string(sha)),
		       error);
}

/* The second approval of an unsanitized original (基本方針 2(12): an
 * exception to 無害化, decided above the department). */
static json_t *approve_second(KjStore *store, KjAudit *audit, const KjAccount *who, json_t *req,
			      const char *comment, GError **error)
{
	KjDb *db = kj_store_get_db(store);
	const char *id = json_string_value(json_object_get(req, "id"));
	Attachment a = {0};
	g_autofree char *now = kj_db_now_utc();

	if (g_strcmp0(json_string_value(json_object_get(req, "approver")), who->login) == 0) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_FORBIDDEN,
			    "the second approval of an original needs a second person");
		return NULL;
	}
	if (!load_attachment(db, json_string_value(json_object_get(req, "quarantine_id")),
			     json_integer_value(json_object_get(req, "attachment_index")), &a,
			     error))
		return NULL;
	gint64 size = 0;
	gboolean ok =
	    kj_store_verify(store, a.sha256, &size, error) &&
	    update_checked(
		db, id,
		"UPDATE release_request SET state = 'released',"
		" second_approver = $2, second_approved_at = $3, updated_at = $3,"
		" decision_comment = coalesce($4, decision_comment),"
		" result_sha256 = $5, result_name = $6, result_size = $7"
		" WHERE id = $1 AND state = 'approved'",
		KJ_DB_ARGS(KJ_DB_TEXT(id), KJ_DB_TEXT(who->login), KJ_DB_TEXT(now),
			   comment ? KJ_DB_TEXT(comment) : KJ_DB_NULL, KJ_DB_TEXT(a.sha256),
			   a.filename ? KJ_DB_TEXT(a.filename) : KJ_DB_NULL, KJ_DB_INT(size)),
		error);
	json_t *d = ok ? json_pack("{s:b, s:s, s:s, s:o, s:s, s:o}", "unsanitized", TRUE, "sha256",
				   a.sha256, "first_approver",
				   json_string_value(json_object_get(req, "approver")), "filename",
				   _kj_release_nullable(a.filename), "requester",
				   json_string_value(json_object_get(req, "requester")), "comment",
				   _kj_release_nullable(comment))
		       : NULL;
	attachment_clear(&a);
	if (!ok)
		return NULL;
	return audited(store, audit, who, "release.original", id, d, error);
}

json_t *kj_release_decide(KjStore *store, KjAudit *audit, const KjAccount *who, const char *id,
			  gboolean approve, const char *comment, const KjReleasePolicy *policy,
			  GError **error)
{
	KjDb *db = kj_store_get_db(store);
	if (!text_ok(comment, KJ_CONSOLE_MAX_TEXT, FALSE)) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID,
			    "comment: at most %d bytes of text", KJ_CONSOLE_MAX_TEXT);
		return NULL;
	}
	g_autoptr(json_t) req = kj_release_get(db, id, error);
	if (!req)
		return NULL;
	const char *state = json_string_value(json_object_get(req, "state"));
	const char *dept = json_string_value(json_object_get(req, "department"));
	if (g_strcmp0(json_string_value(json_object_get(req, "requester")), who->login) == 0) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_FORBIDDEN,
			    "nobody decides on their own request (separation of duties)");
		return NULL;
	}
	if (strcmp(state, "requested") == 0) {
		if (!_kj_release_may_approve(who, dept, policy, error))
			return NULL;
	} else if (strcmp(state, "approved") == 0) {
		if (who->role != KJ_ROLE_SECADMIN) {
			g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_STATE,
				    "%s waits for the security team's approval of the original",
				    id);
			return NULL;
		}
	} else {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_STATE, "%s is %s already", id,
			    state);
		return NULL;
	}
	if (!approve) {
		g_autofree char *now = kj_db_now_utc();
		if (!update_checked(
			db, id,
			"UPDATE release_request SET state = 'refused',"
			" decision_comment = $2, updated_at = $3,"
			" approver = coalesce(approver, $4)"
			" WHERE id = $1 AND state = $5",
			KJ_DB_ARGS(KJ_DB_TEXT(id), comment ? KJ_DB_TEXT(comment) : KJ_DB_NULL,
				   KJ_DB_TEXT(now), KJ_DB_TEXT(who->login), KJ_DB_TEXT(state)),
			error))
			return NULL;
		return audited(store, audit, who, "release.refuse", id,
			       json_pack("{s:s, s:o}", "from", state, "comment",
					 _kj_release_nullable(comment)),
			       error);
	}
	if (strcmp(state, "approved") == 0)
		return approve_second(store, audit, who, req, comment, error);
	return approve_first(store, audit, who, req, comment, policy, error);
}

GBytes *kj_release_fetch(KjStore *store, KjAudit *audit, const KjAccount *who, const char *id,
			 char **name, GError **error)
{
	*name = NULL;
	g_autoptr(json_t) req = kj_release_get(kj_store_get_db(store), id, error);
	if (!req)
		return NULL;
	if (g_strcmp0(json_string_value(json_object_get(req, "state")), "released") != 0) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_STATE, "%s is not released",
			    id);
		return NULL;
	}
	const char *sha = json_string_value(json_object_get(req, "result_sha256"));
	GBytes *data = kj_store_get(store, sha, error);
	if (!data)
		return NULL;
	json_t *d = json_pack("{s:s, s:s}", "sha256", sha, "kind",
			      json_string_value(json_object_get(req, "kind")));
	gboolean ok = kj_audit_append(audit, who->login, "release.download", id, d, NULL, error);
	json_decref(d);
	if (!ok) {
		g_bytes_unref(data);
		return NULL;
	}
	const char *n = json_string_value(json_object_get(req, "result_name"));
	*name = g_strdup(n ? n : json_string_value(json_object_get(req, "filename")));
	return data;
}
