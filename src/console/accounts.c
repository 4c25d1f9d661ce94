/*++
 * NAME
 *	accounts - the console's account administration
 * DESCRIPTION
 *	Approvers see the accounts of their department, auditors and the
 *	security team every account; the security team adds, locks and
 *	unlocks accounts and resets passwords and second factors (the same
 *	library calls as "kyojin account").  A new account of a role that
 *	needs a second factor is answered with its TOTP secret once.
 * SECURITY
 *	Request threads.  Passwords are never echoed or logged.
 * STANDARDS
 *	基本方針 4, 6(6).
 * SEE ALSO
 *	account/account.c, cli/account.c.
 *--*/
#include "console/console.h"

#include "util/limits.h"

#include <string.h>

json_t *kj_console_account_json(const KjAccount *a);

static void list(KjReq *r)
{
	GError *error = NULL;
	if (!kj_req_allow_any(r, "account.read"))
		return;
	const KjAccount *a = r->session->account;
	const char *dept = kj_req_query(r, "department");
	if (dept && !*dept)
		dept = NULL;
	if (kj_authz_scope(a->role, "account.read") != KJ_SCOPE_ALL) {
		if (dept && strcmp(dept, a->department) != 0) {
			kj_req_not_found(r);
			return;
		}
		dept = a->department;
	}
	g_autoptr(GPtrArray) list = kj_account_list(kj_store_get_db(r->store), dept, &error);
	if (!list) {
		kj_req_fail(r, error);
		return;
	}
	json_t *items = json_array();
	for (guint i = 0; i < list->len; i++)
		json_array_append_new(items, kj_console_account_json(list->pdata[i]));
	kj_req_json(r, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

static void add(KjReq *r)
{
	GError *error = NULL;
	const char *login = NULL, *name = NULL, *role = NULL, *dept = NULL, *email = NULL,
		   *password = NULL;
	g_autofree char *secret = NULL;
	KjRole rl;

	if (!kj_req_allow_any(r, "account.admin"))
		return;
	g_autoptr(json_t) body = kj_req_body_object(r);
	if (!body || !kj_req_string(r, body, "login", TRUE, 64, FALSE, &login) ||
	    !kj_req_string(r, body, "display_name", FALSE, 200, FALSE, &name) ||
	    !kj_req_string(r, body, "role", TRUE, 20, FALSE, &role) ||
	    !kj_req_string(r, body, "department", TRUE, 100, FALSE, &dept) ||
	    !kj_req_string(r, body, "email", FALSE, 254, FALSE, &email) ||
	    !kj_req_string(r, body, "password", TRUE, KJ_CONSOLE_MAX_PASSWORD, FALSE, &password))
		return;
	if (!kj_role_from_name(role, &rl)) {
		kj_req_error(r, 400, "invalid",
			     "role: staff, approver, secadmin, auditor or readonly");
		return;
	}
	KjDb *db = kj_store_get_db(r->store);
	if (!kj_account_add(db, r->audit, kj_req_actor(r), login, name, rl, dept, email, password,
			    &secret, &error)) {
		kj_req_fail(r, error);
		return;
	}
	g_autoptr(KjAccount) a = kj_account_get(db, login, NULL);
	json_t *o = json_pack("{s:o}", "account", kj_console_account_json(a));
	if (secret) {
		g_autofree char *uri = kj_account_totp_uri("kyojin", login, secret);
		json_object_set_new(o, "totp_secret", json_string(secret));
		json_object_set_new(o, "otpauth_uri", json_string(uri));
	}
	kj_req_json(r, 201, o);
}

static void set_locked(KjReq *r, gboolean lock)
{
	GError *error = NULL;
	if (!kj_req_allow_any(r, "account.admin"))
		return;
	g_autoptr(json_t) body = kj_req_body_object(r);
	if (!body)
		return;
	if (lock && g_strcmp0(r->params[0], r->session->account->login) == 0) {
		kj_req_error(r, 409, "state", "you cannot lock yourself out");
		return;
	}
	KjDb *db = kj_store_get_db(r->store);
	if (!kj_account_set_locked(db, r->audit, kj_req_actor(r), r->params[0], lock, &error)) {
		kj_req_fail(r, error);
		return;
	}
	g_autoptr(KjAccount) a = kj_account_get(db, r->params[0], NULL);
	kj_req_json(r, 200, json_pack("{s:o}", "account", kj_console_account_json(a)));
}

static void lock(KjReq *r)
{
	set_locked(r, TRUE);
}

static void unlock(KjReq *r)
{
	set_locked(r, FALSE);
}

static void reset_password(KjReq *r)
{
	GError *error = NULL;
	const char *password = NULL;
	if (!kj_req_allow_any(r, "account.admin"))
		return;
	g_autoptr(json_t) body = kj_req_body_object(r);
	if (!body ||
	    !kj_req_string(r, body, "password", TRUE, KJ_CONSOLE_MAX_PASSWORD, FALSE, &password))
		return;
	if (!kj_account_set_password(kj_store_get_db(r->store), r->audit, kj_req_actor(r),
				     r->params[0], password, &error)) {
		kj_req_fail(r, error);
		return;
	}
	kj_req_json(r, 200, json_pack("{s:s}", "password_set", r->params[0]));
}

static void reset_totp(KjReq *r)
{
	GError *error = NULL;
	g_autofree char *secret = NULL;
	if (!kj_req_allow_any(r, "account.admin"))
		return;
	g_autoptr(json_t) body = kj_req_body_object(r);
	if (!body)
		return;
	if (!kj_account_totp_reset(kj_store_get_db(r->store), r->audit, kj_req_actor(r),
				   r->params[0], &secret, &error)) {
		kj_req_fail(r, error);
		return;
	}
	g_autofree char *uri = kj_account_totp_uri("kyojin", r->params[0], secret);
	kj_req_json(r, 200, json_pack("{s:s, s:s}", "totp_secret", secret, "otpauth_uri", uri));
}

const KjRoute kj_console_accounts_routes[] = {
    {"GET", "/api/accounts", list, 0},
    {"POST", "/api/accounts", add, 0},
    {"POST", "/api/accounts/*/lock", lock, 0},
    {"POST", "/api/accounts/*/unlock", unlock, 0},
    {"POST", "/api/accounts/*/password", reset_password, 0},
    {"POST", "/api/accounts/*/totp-reset", reset_totp, 0},
    {NULL, NULL, NULL, 0},
};
