/*++
 * NAME
 *	auth - login, logout, the current account, password and TOTP changes
 * DESCRIPTION
 *	POST /api/auth/login takes login, password and (when the account
 *	has a second factor) the one-time code in one request, and answers
 *	with a new session cookie and the session's CSRF token.  The session
 *	the browser came with, if any, is ended first: a login always
 *	rotates the session.  Logins are throttled per client address
 *	(ratelimit.c) besides the per-account lockout (account.c).
 *
 *	An approver or security administrator whose second factor is still
 *	pending (a new account, or after a reset) cannot log in, yet has no
 *	session in which to enrol it.  Such a login, with the right password,
 *	answers 403 totp_enrolment_required with an enrolment token and the
 *	pending secret (as an otpauth URI and as text); POST
 *	/api/auth/login/enrol with that token and a code made from the
 *	secret activates it and then logs in as above.  The token is not a
 *	session: it is kept apart (account/session.c), opens nothing else,
 *	is used once and expires after KJ_ACCOUNT_ENROL_TOKEN_S.  The
 *	enrolment is throttled with the logins and a wrong code counts
 *	towards the lockout.
 *
 *	A password change or a TOTP enrolment asks for the current password
 *	again, so that a session left open does not give the account away.
 * SECURITY
 *	The cookie is HttpOnly and SameSite=Strict, Secure and __Host- over
 *	HTTPS.  Passwords and codes are never logged.
 * STANDARDS
 *	RFC 6265bis (cookie prefixes, SameSite); 基本方針 6(6).
 * SEE ALSO
 *	account/account.c, account/session.c, account/totp.c.
 *--*/
#include "console/console.h"

#include "util/limits.h"

#include <sodium.h>
#include <string.h>

json_t *kj_console_account_json(const KjAccount *a);
json_t *kj_console_account_json(const KjAccount *a)
{
	return json_pack(
	    "{s:s, s:s, s:s, s:s, s:o, s:b, s:b, s:b, s:o}", "login", a->login, "display_name",
	    a->display_name, "role", kj_role_name(a->role), "department", a->department, "email",
	    a->email ? json_string(a->email) : json_null(), "totp_enabled", a->totp_enabled,
	    "totp_required", kj_role_needs_totp(a->role), "locked", a->disabled, "last_login_at",
	    a->last_login_at ? json_string(a->last_login_at) : json_null());
}

static void set_cookie(KjReq *r, const char *token, gint64 max_age)
{
	g_free(r->set_cookie);
	r->set_cookie = g_strdup_printf(
	    "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%" G_GINT64_FORMAT "%s",
	    r->console->cookie_name, token ? token : "", max_age,
	    r->console->https ? "; Secure" : "");
}

static json_t *permissions_json(const KjAccount *a)
{
	static const char *const scope_names[] = {"none", "own", "all"};
	json_t *p = json_object();
	for (const char *const *x = kj_authz_actions(); *x; x++)
		json_object_set_new(p, *x, json_string(scope_names[kj_authz_scope(a->role, *x)]));
	return p;
}

static json_t *session_json(KjReq *r, const KjAccount *a, const char *csrf, gint64 created,
			    gint64 last)
{
	const KjAccountPolicy *p = &r->console->policy;
	return json_pack("{s:o, s:s, s:{s:I, s:I}, s:o}", "account", kj_console_account_json(a),
			 "csrf_token", csrf, "session", "idle_expires_unix",
			 (json_int_t)(last + p->session_idle_s), "expires_unix",
			 (json_int_t)(created + p->session_max_s), "permissions",
			 permissions_json(a));
}

static void enrolment_required(KjReq *r, const char *login);

/* A new session for a, ending the one the browser came with. */
static void start_session(KjReq *r, const KjAccount *a)
{
	GError *error = NULL;
	g_autofree char *token = NULL, *csrf = NULL;

	if (!kj_session_create(kj_store_get_db(r->store), a->login, r->token, r->client, r->now,
			       &token, &csrf, &error)) {
		kj_req_gerror(r, error);
		g_error_free(error);
		return;
	}
	set_cookie(r, token, r->console->policy.session_max_s);
	kj_req_json(r, 200, session_json(r, a, csrf, r->now, r->now));
}

static void login(KjReq *r)
{
	g_autofree char *why = NULL;
	const char *user = NULL, *password = NULL, *totp = NULL;
	GError *error = NULL;

	if (!kj_console_rate_allow(r->console, r->client, r->now)) {
		kj_req_error(r, 429, "rate_limited", "too many login attempts; wait a minute");
		return;
	}
	json_t *body = kj_req_body_object(r);
	if (!body)
		return;
	if (!kj_console_get_string(body, "login", TRUE, 64, FALSE, &user, &why) ||
	    !kj_console_get_string(body, "password", TRUE, KJ_CONSOLE_MAX_PASSWORD, FALSE,
				   &password, &why) ||
	    !kj_console_get_string(body, "totp", FALSE, 16, FALSE, &totp, &why)) {
		kj_req_error(r, 400, "invalid", "%s", why);
		json_decref(body);
		return;
	}
	KjDb *db = kj_store_get_db(r->store);
	g_autoptr(KjAccount) a = kj_account_authenticate(db, r->audit, &r->console->policy, user,
							 password, totp, r->client, r->now, &error);
	g_autofree char *login_name = g_strdup(user);
	json_decref(body);
	if (!a && g_error_matches(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_TOTP_ENROL)) {
		g_clear_error(&error);
		enrolment_required(r, login_name);
		return;
	}
	if (!a) {
		kj_req_gerror(r, error);
		g_error_free(error);
		return;
	}
	start_session(r, a);
}

/* The answer to a first login whose second factor is pending. */
static void enrolment_required(KjReq *r, const char *login)
{
	GError *error = NULL;
	g_autofree char *token = NULL, *secret = NULL;
	gint64 expires = 0;

	if (!kj_account_enrol_begin(kj_store_get_db(r->store), r->audit, login, r->client, r->now,
				    &token, &secret, &expires, &error)) {
		kj_req_gerror(r, error);
		g_error_free(error);
		return;
	}
	g_autofree char *uri = kj_account_totp_uri("kyojin", login, secret);
	json_t *body =
	    json_pack("{s:{s:s, s:s, s:{s:s, s:s, s:s, s:i, s:i, s:I}}}", "error", "code",
		      "totp_enrolment_required", "message",
		      "this role needs a second factor: scan the secret and confirm it with a code",
		      "enrolment", "token", token, "otpauth_uri", uri, "secret", secret, "digits",
		      KJ_ACCOUNT_TOTP_DIGITS, "period", KJ_ACCOUNT_TOTP_STEP, "expires_unix",
		      (json_int_t)expires);
	sodium_memzero(secret, strlen(secret));
	sodium_memzero(uri, strlen(uri));
	kj_req_json(r, 403, body);
}

static void enrol(KjReq *r)
{
	g_autofree char *why = NULL;
	const char *token = NULL, *code = NULL;
	GError *error = NULL;

	if (!kj_console_rate_allow(r->console, r->client, r->now)) {
		kj_req_error(r, 429, "rate_limited", "too many login attempts; wait a minute");
		return;
	}
	json_t *body = kj_req_body_object(r);
	if (!body)
		return;
	if (!kj_console_get_string(body, "enrolment_token", TRUE, 128, FALSE, &token, &why) ||
	    !kj_console_get_string(body, "code", TRUE, 16, FALSE, &code, &why)) {
		kj_req_error(r, 400, "invalid", "%s", why);
		json_decref(body);
		return;
	}
	g_autoptr(KjAccount) a =
	    kj_account_enrol_finish(kj_store_get_db(r->store), r->audit, &r->console->policy, token,
				    code, r->client, r->now, &error);
	json_decref(body);
	if (!a) {
		kj_req_gerror(r, error);
		g_error_free(error);
		return;
	}
	start_session(r, a);
}

static void logout(KjReq *r)
{
	GError *error = NULL;
	if (!kj_session_end(kj_store_get_db(r->store), r->token, &error)) {
		kj_req_gerror(r, error);
		g_error_free(error);
		return;
	}
	kj_audit_append(r->audit, kj_req_actor(r), "account.logout", kj_req_actor(r), NULL, NULL,
			NULL);
	set_cookie(r, "", 0);
	kj_req_json(r, 200, json_pack("{s:b}", "logged_out", TRUE));
}

static void me(KjReq *r)
{
	KjSession *s = r->session;
	kj_req_json(r, 200, session_json(r, s->account, s->csrf, s->created_unix, s->last_unix));
}

static void change_password(KjReq *r)
{
	g_autofree char *why = NULL;
	const char *cur = NULL, *neu = NULL;
	GError *error = NULL;
	g_autofree char *token = NULL, *csrf = NULL;
	KjDb *db = kj_store_get_db(r->store);
	const char *login = r->session->account->login;

	json_t *body = kj_req_body_object(r);
	if (!body)
		return;
	if (!kj_console_get_string(body, "current_password", TRUE, KJ_CONSOLE_MAX_PASSWORD, FALSE,
				   &cur, &why) ||
	    !kj_console_get_string(body, "new_password", TRUE, KJ_CONSOLE_MAX_PASSWORD, FALSE, &neu,
				   &why)) {
		kj_req_error(r, 400, "invalid", "%s", why);
		json_decref(body);
		return;
	}
	gboolean ok = kj_account_check_password(db, login, cur, &error) &&
		      kj_account_set_password(db, r->audit, login, login, neu, &error) &&
		      kj_session_create(db, login, NULL, r->client, r->now, &token, &csrf, &error);
	json_decref(body);
	if (!ok) {
		if (g_error_matches(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_AUTH))
			kj_req_error(r, 403, "bad_credentials", "the current password is wrong");
		else
			kj_req_gerror(r, error);
		g_error_free(error);
		return;
	}
	/* Every session ended with the old password; this browser gets a new one. */
	set_cookie(r, token, r->console->policy.session_max_s);
	kj_req_json(r, 200, session_json(r, r->session->account, csrf, r->now, r->now));
}

static void totp_enrol(KjReq *r)
{
	g_autofree char *why = NULL, *secret = NULL;
	const char *password = NULL;
	GError *error = NULL;
	KjDb *db = kj_store_get_db(r->store);
	const char *login = r->session->account->login;

	json_t *body = kj_req_body_object(r);
	if (!body)
		return;
	if (!kj_console_get_string(body, "password", TRUE, KJ_CONSOLE_MAX_PASSWORD, FALSE,
				   &password, &why)) {
		kj_req_error(r, 400, "invalid", "%s", why);
		json_decref(body);
		return;
	}
	gboolean ok = kj_account_check_password(db, login, password, &error) &&
		      kj_account_totp_begin(db, r->audit, login, login, &secret, &error);
	json_decref(body);
	if (!ok) {
		if (g_error_matches(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_AUTH))
			kj_req_error(r, 403, "bad_credentials", "the password is wrong");
		else
			kj_req_gerror(r, error);
		g_error_free(error);
		return;
	}
	g_autofree char *uri = kj_account_totp_uri("kyojin", login, secret);
	kj_req_json(r, 200,
		    json_pack("{s:s, s:s, s:i, s:i}", "secret", secret, "otpauth_uri", uri,
			      "digits", KJ_ACCOUNT_TOTP_DIGITS, "period", KJ_ACCOUNT_TOTP_STEP));
}

static void totp_confirm(KjReq *r)
{
	g_autofree char *why = NULL;
	const char *code = NULL;
	GError *error = NULL;
	KjDb *db = kj_store_get_db(r->store);
	const char *login = r->session->account->login;

	json_t *body = kj_req_body_object(r);
	if (!body)
		return;
	if (!kj_console_get_string(body, "code", TRUE, 16, FALSE, &code, &why)) {
		kj_req_error(r, 400, "invalid", "%s", why);
		json_decref(body);
		return;
	}
	gboolean ok = kj_account_totp_confirm(db, r->audit, login, login, code, r->now, &error);
	json_decref(body);
	if (!ok) {
		if (g_error_matches(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_AUTH))
			kj_req_error(r, 400, "bad_code", "%s", error->message);
		else
			kj_req_gerror(r, error);
		g_error_free(error);
		return;
	}
	kj_req_json(r, 200, json_pack("{s:b}", "totp_enabled", TRUE));
}

const KjRoute kj_console_auth_routes[] = {
    {"POST", "/api/auth/login", login, KJ_ROUTE_PUBLIC | KJ_ROUTE_NO_CSRF},
    {"POST", "/api/auth/login/enrol", enrol, KJ_ROUTE_PUBLIC | KJ_ROUTE_NO_CSRF},
    {"POST", "/api/auth/logout", logout, 0},
    {"GET", "/api/auth/me", me, 0},
    {"POST", "/api/auth/password", change_password, 0},
    {"POST", "/api/auth/totp/enrol", totp_enrol, 0},
    {"POST", "/api/auth/totp/confirm", totp_confirm, 0},
    {NULL, NULL, NULL, 0},
};
