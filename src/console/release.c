/*++
 * NAME
 *	release - the console's release requests and PPAP archives
 * DESCRIPTION
 *	Routes over release/release.c: list, create, show, approve, refuse,
 *	download, and opening a PPAP archive with its password.  A request
 *	belongs to the requester's department; approvers see and decide
 *	those of their own department, the security team all of them.
 * SECURITY
 *	Request threads.  The PPAP password is read from the request body,
 *	used once and wiped from the body buffer; it is never logged.
 * STANDARDS
 *	基本方針 2(12), 6(3)②, 6(7).
 * SEE ALSO
 *	release/release.c, release/ppap.c.
 *--*/
#include "console/console.h"

#include "util/limits.h"

#include <sodium.h>
#include <string.h>

/* The request if the account may see it (release.read), else answered. */
static json_t *load_visible(KjReq *r, const char *action)
{
	GError *error = NULL;
	if (!kj_req_allow_any(r, action))
		return NULL;
	json_t *req = kj_release_get(kj_store_get_db(r->store), r->params[0], &error);
	if (!req) {
		kj_req_fail(r, error);
		return NULL;
	}
	const char *dept = json_string_value(json_object_get(req, "department"));
	if (!kj_authz_allows(r->session->account, "release.read", dept) ||
	    !kj_req_allow(r, action, dept)) {
		if (r->status == 0 || r->status == 200)
			kj_req_not_found(r);
		json_decref(req);
		return NULL;
	}
	return req;
}

static void list(KjReq *r)
{
	KjPage page = {0};
	GError *error = NULL;
	gint64 limit;
	const char *cursor, *state = kj_req_query(r, "state");

	if (!kj_req_allow_any(r, "release.read") || !kj_req_page_args(r, &limit, &cursor))
		return;
	const KjAccount *a = r->session->account;
	const char *dept = kj_req_query(r, "department");
	if (dept && !*dept)
		dept = NULL;
	if (kj_authz_scope(a->role, "release.read") != KJ_SCOPE_ALL) {
		if (dept && strcmp(dept, a->department) != 0) {
			kj_req_not_found(r);
			return;
		}
		dept = a->department;
	}
	if (state && !*state)
		state = NULL;
	const char *qid = kj_req_query(r, "quarantine_id");
	if (qid && !*qid)
		qid = NULL;
	if (!kj_release_list(kj_store_get_db(r->store), dept, state, qid, cursor, limit, &page,
			     &error)) {
		kj_req_fail(r, error);
		return;
	}
	kj_req_page(r, &page);
}

static void create(KjReq *r)
{
	GError *error = NULL;
	const char *qid = NULL, *kind = NULL, *reason = NULL;
	gint64 idx = 0;
	g_autofree char *id = NULL;

	if (!kj_req_allow_any(r, "release.request"))
		return;
	g_autoptr(json_t) body = kj_req_body_object(r);
	if (!body || !kj_req_string(r, body, "quarantine_id", TRUE, 100, FALSE, &qid) ||
	    !kj_req_int(r, body, "attachment_index", &idx) ||
	    !kj_req_string(r, body, "kind", TRUE, 20, FALSE, &kind) ||
	    !kj_req_string(r, body, "reason", TRUE, KJ_CONSOLE_MAX_TEXT, TRUE, &reason))
		return;
	KjDb *db = kj_store_get_db(r->store);
	if (!kj_mail_allows(db, r->session->account, "release.request", qid, &error)) {
		if (error)
			kj_req_fail(r, error);
		else
			kj_req_not_found(r);
		return;
	}
	if (!kj_release_request(r->store, r->audit, r->session->account, qid, idx, kind, reason,
				&id, &error)) {
		kj_req_fail(r, error);
		return;
	}
	kj_req_json(r, 201, kj_release_get(db, id, NULL));
}

static void show(KjReq *r)
{
	json_t *req = load_visible(r, "release.read");
	if (req)
		kj_req_json(r, 200, req);
}

static void decide(KjReq *r, gboolean approve)
{
	GError *error = NULL;
	const char *comment = NULL;

	/* Whoever may approve an original may approve a first step too. */
	if (!kj_req_allow_any(r, "release.approve"))
		return;
	g_autoptr(json_t) body = kj_req_body_object(r);
	if (!body || !kj_req_string(r, body, "comment", FALSE, KJ_CONSOLE_MAX_TEXT, TRUE, &comment))
		return;
	g_autoptr(json_t) req = load_visible(r, "release.read");
	if (!req)
		return;
	const char *state = json_string_value(json_object_get(req, "state"));
	const char *dept = json_string_value(json_object_get(req, "department"));
	const char *action =
	    g_strcmp0(state, "approved") == 0 ? "release.approve_original" : "release.approve";
	if (!kj_req_allow(r, action, dept))
		return;
	json_t *res = kj_release_decide(r->store, r->audit, r->session->account, r->params[0],
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
	g_autoptr(json_t) req = load_visible(r, "release.download");
	if (!req)
		return;
	GBytes *data =
	    kj_release_fetch(r->store, r->audit, r->session->account, r->params[0], &name, &error);
	if (!data) {
		kj_req_fail(r, error);
		return;
	}
	kj_req_download(r, data, name, "application/octet-stream");
}

static void wipe_body(KjReq *r)
{
	if (r->body)
		sodium_memzero(r->body->data, r->body->len);
}

static void ppap_open(KjReq *r)
{
	GError *error = NULL;
	const char *qid = NULL, *password = NULL, *reason = NULL;
	gint64 idx = 0;
	g_autofree char *id = NULL;

	if (!kj_req_allow_any(r, "release.request")) {
		wipe_body(r);
		return;
	}
	g_autoptr(json_t) body = kj_req_body_object(r);
	wipe_body(r);
	if (!body || !kj_req_string(r, body, "quarantine_id", TRUE, 100, FALSE, &qid) ||
	    !kj_req_int(r, body, "attachment_index", &idx) ||
	    !kj_req_string(r, body, "password", TRUE, KJ_CONSOLE_MAX_PASSWORD, FALSE, &password) ||
	    !kj_req_string(r, body, "reason", TRUE, KJ_CONSOLE_MAX_TEXT, TRUE, &reason))
		return;
	KjDb *db = kj_store_get_db(r->store);
	gboolean ok = kj_mail_allows(db, r->session->account, "release.request", qid, &error);
	if (ok)
		ok = kj_release_ppap_open(r->store, r->audit, r->session->account, qid, idx,
					  password, reason, &r->console->release, &id, &error);
	/* jansson's copy of the password goes with the body object. */
	sodium_memzero((char *)(uintptr_t)password, strlen(password));
	if (!ok) {
		if (error)
			kj_req_fail(r, error);
		else
			kj_req_not_found(r);
		return;
	}
	kj_req_json(r, 201, kj_release_get(db, id, NULL));
}

const KjRoute kj_console_release_routes[] = {
    {"GET", "/api/releases", list, 0},
    {"POST", "/api/releases", create, 0},
    {"GET", "/api/releases/*", show, 0},
    {"POST", "/api/releases/*/approve", approve, 0},
    {"POST", "/api/releases/*/refuse", refuse, 0},
    {"GET", "/api/releases/*/download", download, 0},
    {"POST", "/api/ppap/open", ppap_open, 0},
    {NULL, NULL, NULL, 0},
};
