/*++
 * NAME
 *	mail - the console's view of quarantined mail
 * DESCRIPTION
 *	GET /api/mail lists the held and sanitized mail of the caller's
 *	department (the security team may name any department, or none for
 *	all); GET /api/mail/ID shows one, with its reasons, the sanitizer's
 *	report and its attachments.  A mail outside the caller's departments
 *	is not found, whatever its id.
 * SECURITY
 *	Request threads; subject and sender came from the internet and go
 *	out only as JSON strings.
 * STANDARDS
 *	基本方針 2(12), 6(6).
 * SEE ALSO
 *	release/mail.c.
 *--*/
#include "console/console.h"

static void list(KjReq *r)
{
	KjPage page = {0};
	GError *error = NULL;
	gint64 limit;
	const char *cursor;

	if (!kj_req_allow_any(r, "mail.read") || !kj_req_page_args(r, &limit, &cursor))
		return;
	const KjAccount *a = r->session->account;
	const char *dept = kj_req_query(r, "department");
	if (dept && !*dept)
		dept = NULL;
	if (kj_authz_scope(a->role, "mail.read") != KJ_SCOPE_ALL) {
		/* Another department asked for is simply not visible: an empty
		 * view of one's own would mislead, so it is refused the same
		 * way as an object out of scope. */
		if (dept && g_strcmp0(dept, a->department) != 0) {
			kj_req_not_found(r);
			return;
		}
		dept = a->department;
	}
	if (!kj_mail_list(kj_store_get_db(r->store), dept, kj_req_query(r, "verdict"),
			  kj_req_query(r, "q"), cursor, limit, &page, &error)) {
		kj_req_gerror(r, error);
		g_error_free(error);
		return;
	}
	kj_req_page(r, &page);
}

static void show(KjReq *r)
{
	GError *error = NULL;
	KjDb *db = kj_store_get_db(r->store);

	if (!kj_req_allow_any(r, "mail.read"))
		return;
	if (!kj_mail_allows(db, r->session->account, "mail.read", r->params[0], &error)) {
		if (error) {
			kj_req_gerror(r, error);
			g_error_free(error);
		} else {
			kj_req_not_found(r);
		}
		return;
	}
	json_t *m = kj_mail_get(db, r->params[0], &error);
	if (!m) {
		kj_req_gerror(r, error);
		g_error_free(error);
		return;
	}
	kj_req_json(r, 200, m);
}

static void text(KjReq *r)
{
	GError *error = NULL;
	if (!kj_req_allow_any(r, "mail.read"))
		return;
	if (!kj_mail_allows(kj_store_get_db(r->store), r->session->account, "mail.read",
			    r->params[0], &error)) {
		if (error)
			kj_req_fail(r, error);
		else
			kj_req_not_found(r);
		return;
	}
	g_autofree char *t = kj_mail_sanitized_text(r->store, r->params[0], &error);
	if (!t) {
		kj_req_fail(r, error);
		return;
	}
	kj_req_json(r, 200, json_pack("{s:s, s:s}", "id", r->params[0], "text", t));
}

const KjRoute kj_console_mail_routes[] = {
    {"GET", "/api/mail", list, 0},
    {"GET", "/api/mail/*", show, 0},
    {"GET", "/api/mail/*/text", text, 0},
    {NULL, NULL, NULL, 0},
};
