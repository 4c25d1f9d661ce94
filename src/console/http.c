/*++
 * NAME
 *	http - responses and request helpers shared by the API handlers
 * DESCRIPTION
 *	Errors are one JSON shape, {"error": {"code": ..., "message": ...}},
 *	with a stable machine code the front end branches on and a message
 *	for people.  Library errors map to statuses in one place
 *	(kj_req_gerror), so a handler never invents its own.
 *
 *	Authorization answers 403 when the role may not do the action at
 *	all (the menu item should not be there) and 404 when the object is
 *	outside the account's departments, which is indistinguishable from
 *	an object that does not exist.
 * SECURITY
 *	Runs in the request threads.  Messages of library errors may quote
 *	user input; they go out as JSON strings, escaped by jansson.
 * STANDARDS
 *	RFC 9110 status codes; RFC 8259.
 * SEE ALSO
 *	server.c, docs/en/console.md (error codes).
 *--*/
#include "console/console.h"

#include "ledger/ledger.h"
#include "util/limits.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <string.h>

void kj_req_json(KjReq *r, guint status, json_t *body)
{
	if (r->json)
		json_decref(r->json);
	r->json = body;
	r->status = status;
}

void kj_req_error(KjReq *r, guint status, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (!g_utf8_validate(msg, -1, NULL)) {
		g_free(msg);
		msg = g_strdup("invalid request");
	}
	kj_req_json(r, status, json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", msg));
}

void kj_req_not_found(KjReq *r)
{
	kj_req_error(r, 404, "not_found", "not found");
}

void kj_req_forbidden(KjReq *r)
{
	kj_req_error(r, 403, "forbidden", "your role may not do this");
}

void kj_req_gerror(KjReq *r, const GError *e)
{
	guint status = 500;
	const char *code = "internal";

	if (e->domain == KJ_ACCOUNT_ERROR) {
		switch (e->code) {
		case KJ_ACCOUNT_ERROR_NOT_FOUND:
			status = 404, code = "not_found";
			break;
		case KJ_ACCOUNT_ERROR_EXISTS:
			status = 409, code = "exists";
			break;
		case KJ_ACCOUNT_ERROR_INVALID:
			status = 400, code = "invalid";
			break;
		case KJ_ACCOUNT_ERROR_WEAK_PASSWORD:
			status = 400, code = "weak_password";
			break;
		case KJ_ACCOUNT_ERROR_AUTH:
			status = 401, code = "bad_credentials";
			break;
		case KJ_ACCOUNT_ERROR_LOCKED:
			status = 423, code = "locked";
			break;
		case KJ_ACCOUNT_ERROR_TOTP_REQUIRED:
			status = 401, code = "totp_required";
			break;
		case KJ_ACCOUNT_ERROR_TOTP_NOT_ENROLLED:
			status = 403, code = "totp_not_enrolled";
			break;
		case KJ_ACCOUNT_ERROR_TOTP_ENROL:
			status = 403, code = "totp_enrolment_required";
			break;
		case KJ_ACCOUNT_ERROR_SESSION:
			status = 401, code = "unauthenticated";
			break;
		default:
			break;
		}
	} else if (e->domain == KJ_RELEASE_ERROR) {
		switch (e->code) {
		case KJ_RELEASE_ERROR_NOT_FOUND:
			status = 404, code = "not_found";
			break;
		case KJ_RELEASE_ERROR_INVALID:
			status = 400, code = "invalid";
			break;
		case KJ_RELEASE_ERROR_STATE:
			status = 409, code = "state";
			break;
		case KJ_RELEASE_ERROR_FORBIDDEN:
			status = 403, code = "separation_of_duties";
			break;
		case KJ_RELEASE_ERROR_TOO_LARGE:
			status = 413, code = "too_large";
			break;
		case KJ_RELEASE_ERROR_BLOCKED:
			status = 422, code = "blocked";
			break;
		case KJ_RELEASE_ERROR_SANITIZE:
			status = 422, code = "sanitize_failed";
			break;
		case KJ_RELEASE_ERROR_PASSWORD:
			status = 422, code = "wrong_password";
			break;
		default:
			break;
		}
	} else if (e->domain == KJ_LEDGER_ERROR) {
		switch (e->code) {
		case KJ_LEDGER_ERROR_INVALID:
		case KJ_LEDGER_ERROR_REFERENCE:
			status = 400, code = "invalid";
			break;
		case KJ_LEDGER_ERROR_UNKNOWN:
			status = 404, code = "not_found";
			break;
		case KJ_LEDGER_ERROR_DUPLICATE:
			status = 409, code = "exists";
			break;
		case KJ_LEDGER_ERROR_CONFLICT:
			status = 409, code = "conflict";
			break;
		default:
			break;
		}
	} else if (e->domain == KJ_STORE_ERROR && e->code == KJ_STORE_ERROR_BUSY) {
		status = 503, code = "busy";
	} else if (e->domain == KJ_STORE_ERROR && e->code == KJ_STORE_ERROR_TOO_LARGE) {
		status = 413, code = "too_large";
	}
	if (status == 500) {
		g_warning("%s %s: %s", r->method, r->path, e->message);
		kj_req_error(r, 500, code, "internal error; see the console's log");
		return;
	}
	kj_req_error(r, status, code, "%s", e->message);
}

json_t *kj_req_body_object(KjReq *r)
{
	g_autofree char *mt = kj_console_media_type(r->content_type);
	g_autofree char *why = NULL;

	if (!mt || strcmp(mt, "application/json") != 0) {
		kj_req_error(r, 415, "unsupported_media_type",
			     "send Content-Type: application/json");
		return NULL;
	}
	json_t *v = kj_console_parse_json_object(r->body ? (const char *)r->body->data : "",
						 r->body ? r->body->len : 0,
						 KJ_CONSOLE_MAX_JSON_BODY, &why);
	if (!v)
		kj_req_error(r, 400, "bad_json", "%s", why);
	return v;
}

const char *kj_req_query(KjReq *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

gboolean kj_req_page_args(KjReq *r, gint64 *limit, const char **cursor)
{
	const char *l = kj_req_query(r, "limit");
	*limit = KJ_CONSOLE_PAGE_DEFAULT;
	*cursor = kj_req_query(r, "cursor");
	if (*cursor && !**cursor)
		*cursor = NULL;
	if (l) {
		char *end = NULL;
		gint64 v = g_ascii_strtoll(l, &end, 10);
		if (end == l || *end || v < 1 || v > KJ_CONSOLE_PAGE_MAX) {
			kj_req_error(r, 400, "invalid", "limit: 1 to %d", KJ_CONSOLE_PAGE_MAX);
			return FALSE;
		}
		*limit = v;
	}
	return TRUE;
}

void kj_req_page(KjReq *r, KjPage *page)
{
	json_t *o = json_object();
	json_object_set_new(o, "items", page->items ? page->items : json_array());
	json_object_set_new(o, "next_cursor",
			    page->next_cursor ? json_string(page->next_cursor) : json_null());
	page->items = NULL;
	kj_page_clear(page);
	kj_req_json(r, 200, o);
}

gboolean kj_req_allow_any(KjReq *r, const char *action)
{
	if (kj_authz_scope(r->session->account->role, action) == KJ_SCOPE_NONE) {
		kj_req_forbidden(r);
		return FALSE;
	}
	return TRUE;
}

gboolean kj_req_allow(KjReq *r, const char *action, const char *department)
{
	if (!kj_req_allow_any(r, action))
		return FALSE;
	if (!kj_authz_allows(r->session->account, action, department)) {
		kj_req_not_found(r);
		return FALSE;
	}
	return TRUE;
}

const char *kj_req_actor(const KjReq *r)
{
	return r->session ? r->session->account->login : "anonymous";
}

void kj_req_download(KjReq *r, GBytes *data, const char *filename, const char *mime)
{
	r->status = 200;
	r->bytes = data;
	g_free(r->filename);
	r->filename = g_strdup(filename ? filename : "download");
	r->mime = mime ? mime : "application/octet-stream";
}

gboolean kj_req_string(KjReq *r, json_t *body, const char *key, gboolean required, gsize max,
		       gboolean multiline, const char **out)
{
	g_autofree char *why = NULL;
	if (kj_console_get_string(body, key, required, max, multiline, out, &why))
		return TRUE;
	kj_req_error(r, 400, "invalid", "%s", why);
	return FALSE;
}

gboolean kj_req_int(KjReq *r, json_t *body, const char *key, gint64 *out)
{
	json_t *v = json_object_get(body, key);
	if (!json_is_integer(v)) {
		kj_req_error(r, 400, "invalid", "'%s' must be an integer", key);
		return FALSE;
	}
	*out = json_integer_value(v);
	return TRUE;
}

void kj_req_fail(KjReq *r, GError *error)
{
	kj_req_gerror(r, error);
	g_error_free(error);
}
