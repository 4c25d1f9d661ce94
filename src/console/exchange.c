/*++
 * NAME
 *	exchange - the console's file exchange between segments and notifications
 * DESCRIPTION
 *	Routes over release/exchange.c.  An upload is the raw file as the
 *	request body (application/octet-stream) with its name, direction and
 *	recipient in the query string, so that no multipart parser is needed
 *	and the size limit is checked from Content-Length before reading.
 *	A file is visible to its uploader's department and to its recipient;
 *	the security team sees every file and the notifications of blocked
 *	transfers.
 * SECURITY
 *	Request threads; the body is untrusted bytes, stored as a blob and
 *	parsed only by the sandboxed scanner or CDR engine on approval.
 * STANDARDS
 *	基本方針 6(3)①②, 6(7).
 * SEE ALSO
 *	release/exchange.c.
 *--*/
#include "console/console.h"

#include "util/limits.h"

#include <string.h>

static gboolean visible(KjReq *r, json_t *x, const char *action)
{
	const KjAccount *a = r->session->account;
	const char *dept = json_string_value(json_object_get(x, "department"));
	gboolean recipient =
	    g_strcmp0(json_string_value(json_object_get(x, "recipient")), a->login) == 0;
	if (kj_authz_allows(a, action, dept))
		return TRUE;
	return recipient && kj_authz_scope(a->role, action) != KJ_SCOPE_NONE;
}

static json_t *load(KjReq *r, const char *action)
{
	GError *error = NULL;
	if (!kj_req_allow_any(r, action))
		return NULL;
	json_t *x = kj_exchange_get(kj_store_get_db(r->store), r->params[0], &error);
	if (!x) {
		kj_req_fail(r, error);
		return NULL;
	}
	if (!visible(r, x, "exchange.read") || !visible(r, x, action)) {
		json_decref(x);
		kj_req_not_found(r);
		return NULL;
	}
	return x;
}

static void upload(KjReq *r)
{
	GError *error = NULL;
	g_autofree char *id = NULL;

	if (!kj_req_allow_any(r, "exchange.upload"))
		return;
	const char *note = kj_req_query(r, "note");
	g_autoptr(GBytes) data =
	    g_bytes_new(r->body ? r->body->data : NULL, r->body ? r->body->len : 0);
	if (!kj_exchange_upload(r->store, r->audit, r->session->account,
				kj_req_query(r, "direction"), kj_req_query(r, "recipient"),
				kj_req_query(r, "name"), note && *note ? note : NULL, data,
				&r->console->release, &id, &error)) {
		kj_req_fail(r, error);
		return;
	}
	kj_req_json(r, 201, kj_exchange_get(kj_store_get_db(r->store), id, NULL));
}

static void list(KjReq *r)
{
	KjPage page = {0};
	GError *error = NULL;
	gint64 limit;
	const char *cursor, *state = kj_req_query(r, "state");

	if (!kj_req_allow_any(r, "exchange.read") || !kj_req_page_args(r, &limit, &cursor))
		return;
	const KjAccount *a = r->session->account;
	const char *dept = kj_req_query(r, "department"), *rcpt = NULL;
	if (dept && !*dept)
		dept = NULL;
	if (state && !*state)
		state = NULL;
	if (kj_authz_scope(a->role, "exchange.read") != KJ_SCOPE_ALL) {
		if (dept && strcmp(dept, a->department) != 0) {
			kj_req_not_found(r);
			return;
		}
		dept = a->department;
		rcpt = a->login;
	}
	if (!kj_exchange_list(kj_store_get_db(r->store), dept, rcpt, state, cursor, limit, &page,
			      &error)) {
		kj_req_fail(r, error);
		return;
	}
	kj_req_page(r, &page);
}

static void show(KjReq *r)
{
	json_t *x = load(r, "exchange.read");
	if (x)
		kj_req_json(r, 200, x);
}

static void decide(KjReq *r, gboolean approve)
{
	GError *error = NULL;
	const char *comment = NULL;

	if (!kj_req_allow_any(r, "exchange.approve"))
		return;
	g_autoptr(json_t) body = kj_req_body_object(r);
	if (!body || !kj_req_string(r, body, "comment", FALSE, KJ_CONSOLE_MAX_TEXT, TRUE, &comment))
		return;
	g_autoptr(json_t) x = load(r, "exchange.read");
	if (!x)
		return;
	if (!kj_req_allow(r, "exchange.approve",
			  json_string_value(json_object_get(x, "department"))))
		return;
	json_t *res = kj_exchange_decide(r->store, r->audit, r->session->account, r->params[0],
					 approve, comment, &r->console->release, &error);
	if (!res) {
		kj_req_fail(r, error);
		return;
	}
	kj_req_json(r, 200, res);
}

static void approve(KjReq *r)
{
	decide(r, TRUE);
}

static void refuse(KjReq *r)
{
	decide(r, FALSE);
}

static void download(KjReq *r)
{
	GError *error = NULL;
	g_autofree char *name = NULL;
	g_autoptr(json_t) x = load(r, "exchange.download");
	if (!x)
		return;
	GBytes *data = kj_exchange_fetch(r->store, r->audit, r->session->account, r->params[0],
					 r->now, &name, &error);
	if (!data) {
		kj_req_fail(r, error);
		return;
	}
	kj_req_download(r, data, name, "application/octet-stream");
}

static void notifications(KjReq *r)
{
	KjPage page = {0};
	GError *error = NULL;
	gint64 limit;
	const char *cursor;

	if (!kj_req_allow_any(r, "notification.read") || !kj_req_page_args(r, &limit, &cursor))
		return;
	if (!kj_notification_list(kj_store_get_db(r->store), "security", cursor, limit, &page,
				  &error)) {
		kj_req_fail(r, error);
		return;
	}
	kj_req_page(r, &page);
}

const KjRoute kj_console_exchange_routes[] = {
    {"POST", "/api/exchange", upload, KJ_ROUTE_UPLOAD},
    {"GET", "/api/exchange", list, 0},
    {"GET", "/api/exchange/*", show, 0},
    {"POST", "/api/exchange/*/approve", approve, 0},
    {"POST", "/api/exchange/*/refuse", refuse, 0},
    {"GET", "/api/exchange/*/download", download, 0},
    {"GET", "/api/notifications", notifications, 0},
    {NULL, NULL, NULL, 0},
};
