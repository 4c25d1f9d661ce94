/*++
 * NAME
 *	account - console accounts: roles, departments, passwords, lockout
 * DESCRIPTION
 *	An account has a login, a role and a department.  Passwords are
 *	kept only as argon2id hashes (libsodium's crypto_pwhash_str, which
 *	stores salt and cost in the string), so a stolen database gives no
 *	password back.  Failed logins count towards a lockout; a login to an
 *	unknown account costs the same hashing time as a real one, so
 *	timing does not tell which logins exist.
 *
 *	Schema (store migration 11): account(login, display_name, role,
 *	department, email, password_hash, totp_secret, totp_pending,
 *	totp_last_step, failures, locked_until, disabled, created_at,
 *	password_changed_at, last_login_at), mailbox(address, department).
 * SECURITY
 *	Runs in the console and the CLI with write access to the database.
 *	Passwords pass through memory only; they are never logged or
 *	audited.  TOTP secrets are kept sealed with the data directory's
 *	key (seal.c): a copy of the database alone makes no codes.
 * LIMITS
 *	KJ_ACCOUNT_MIN_PASSWORD, console.lockout_failures, console.lockout_s.
 * STANDARDS
 *	基本方針 6(6) (アクセス制御, 認証), 6(7) (記録).  argon2id, RFC 9106.
 * SEE ALSO
 *	totp.c, session.c, authz.c.
 *--*/
#include "account/account.h"

#include "util/limits.h"

#include <sodium.h>
#include <string.h>

G_DEFINE_QUARK(kj - account - error - quark, kj_account_error)

static const char *const role_names[] = {"staff", "approver", "secadmin", "auditor", "readonly"};

const char *kj_role_name(KjRole role)
{
	g_return_val_if_fail((guint)role < G_N_ELEMENTS(role_names), "?");
	return role_names[role];
}

gboolean kj_role_from_name(const char *name, KjRole *role)
{
	for (guint i = 0; name && i < G_N_ELEMENTS(role_names); i++)
		if (strcmp(name, role_names[i]) == 0) {
			*role = (KjRole)i;
			return TRUE;
		}
	return FALSE;
}

gboolean kj_role_needs_totp(KjRole role)
{
	return role == KJ_ROLE_APPROVER || role == KJ_ROLE_SECADMIN;
}

void kj_account_policy_init(KjAccountPolicy *p)
{
	p->session_idle_s = KJ_CONSOLE_SESSION_IDLE_DEFAULT;
	p->session_max_s = KJ_CONSOLE_SESSION_MAX_DEFAULT;
	p->lockout_failures = KJ_CONSOLE_LOCKOUT_FAILURES_DEFAULT;
	p->lockout_s = KJ_CONSOLE_LOCKOUT_DEFAULT;
}

void kj_account_free(KjAccount *a)
{
	if (!a)
		return;
	g_free(a->login);
	g_free(a->display_name);
	g_free(a->department);
	g_free(a->email);
	g_free(a->created_at);
	g_free(a->password_changed_at);
	g_free(a->last_login_at);
	g_free(a);
}

KjAccount *kj_account_dup(const KjAccount *a)
{
	KjAccount *b = g_new0(KjAccount, 1);
	*b = *a;
	b->login = g_strdup(a->login);
	b->display_name = g_strdup(a->display_name);
	b->department = g_strdup(a->department);
	b->email = g_strdup(a->email);
	b->created_at = g_strdup(a->created_at);
	b->password_changed_at = g_strdup(a->password_changed_at);
	b->last_login_at = g_strdup(a->last_login_at);
	return b;
}

gboolean kj_account_login_valid(const char *login)
{
	gsize n = login ? strlen(login) : 0;
	if (n == 0 || n > 64)
		return FALSE;
	for (gsize i = 0; i < n; i++) {
		char c = login[i];
		if (!(g_ascii_islower(c) || g_ascii_isdigit(c) || c == '.' || c == '_' || c == '-'))
			return FALSE;
	}
	return TRUE;
}

gboolean kj_account_department_valid(const char *dept)
{
	gsize n = dept ? strlen(dept) : 0;
	if (n == 0 || n > 100 || !g_utf8_validate(dept, (gssize)n, NULL))
		return FALSE;
	for (const char *p = dept; *p; p += g_utf8_skip[*(const guchar *)p])
		if (g_unichar_iscntrl(g_utf8_get_char(p)))
			return FALSE;
	return TRUE;
}

static gboolean sodium_ready(GError **error)
{
	static gsize once;
	static int rc;
	if (g_once_init_enter(&once)) {
		rc = sodium_init();
		g_once_init_leave(&once, 1);
	}
	if (rc < 0) {
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_INTERNAL,
			    "libsodium failed to initialise");
		return FALSE;
	}
	return TRUE;
}

static char *hash_password(const char *password, GError **error)
{
	char out[crypto_pwhash_STRBYTES];
	if (!sodium_ready(error))
		return NULL;
	if (crypto_pwhash_str_alg(
		out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
		crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_INTERNAL,
			    "argon2id hashing failed (out of memory?)");
		return NULL;
	}
	return g_strdup(out);
}

static gboolean verify_password(const char *hash, const char *password)
{
	if (!sodium_ready(NULL))
		return FALSE;
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* The same work as a real check, for logins that do not exist. */
static void verify_dummy(const char *password)
{
	static gsize once;
	static char *dummy;
	if (g_once_init_enter(&once)) {
		dummy = hash_password("kyojin-no-such-account-password", NULL);
		g_once_init_leave(&once, 1);
	}
	if (dummy)
		(void)verify_password(dummy, password);
}

static gboolean password_acceptable(const char *login, const char *password, GError **error)
{
	if (!password || g_utf8_strlen(password, -1) < KJ_ACCOUNT_MIN_PASSWORD ||
	    !g_utf8_validate(password, -1, NULL)) {
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_WEAK_PASSWORD,
			    "a password needs at least %d characters (基本方針 6(6))",
			    KJ_ACCOUNT_MIN_PASSWORD);
		return FALSE;
	}
	if (strlen(password) > KJ_CONSOLE_MAX_PASSWORD) {
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_WEAK_PASSWORD,
			    "a password may have at most %d bytes", KJ_CONSOLE_MAX_PASSWORD);
		return FALSE;
	}
	if (login && g_ascii_strcasecmp(login, password) == 0) {
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_WEAK_PASSWORD,
			    "the password must not be the login");
		return FALSE;
	}
	return TRUE;
}

static gboolean audit_rec(KjAudit *audit, const char *actor, const char *action, const char *object,
			  json_t *details, GError **error)
{
	gboolean ok = TRUE;
	if (audit)
		ok = kj_audit_append(audit, actor ? actor : "kyojin", action, object, details, NULL,
				     error);
	if (details)
		json_decref(details);
	return ok;
}

/* A sign-in by someone who is no account (an unknown login, or a token
 * that names none): audited as anonymous, and refused with message. */
static gpointer login_unknown(KjAudit *audit, const char *reason, const char *client,
			      const char *message, GError **error)
{
	audit_rec(audit, "anonymous", "account.login_failed", "unknown",
		  json_pack("{s:s, s:s}", "reason", reason, "client", client ? client : ""), NULL);
	g_set_error_literal(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_AUTH, message);
	return NULL;
}

gboolean kj_account_add(KjDb *db, KjAudit *audit, const char *actor, const char *login,
			const char *display_name, KjRole role, const char *department,
			const char *email, const char *password, char **totp_secret, GError **error)
{
	gboolean exists = FALSE;
	gint64 n = 0;

	if (totp_secret)
		*totp_secret = NULL;
	if (!kj_account_login_valid(login)) {
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_INVALID,
			    "login '%s': use 1-64 of a-z, 0-9, '.', '_', '-'", login ? login : "");
		return FALSE;
	}
	if (!kj_account_department_valid(department)) {
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_INVALID,
			    "department: 1-100 bytes of text without control characters");
		return FALSE;
	}
	if (email && (!strchr(email, '@') || strlen(email) > 254 || strchr(email, ' '))) {
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_INVALID,
			    "email '%s' is not an address", email);
		return FALSE;
	}
	if (!password_acceptable(login, password, error))
		return FALSE;
	g_autofree char *hash = hash_password(password, error);
	if (!hash)
		return FALSE;
	g_autofree char *secret = kj_role_needs_totp(role) ? _kj_totp_new_secret() : NULL;
	g_autofree char *sealed = secret ? _kj_secret_seal(db, secret, error) : NULL;
	if (secret && !sealed)
		return FALSE;
	g_autofree char *now = kj_db_now_utc();
	g_autofree char *lower_email = email ? g_ascii_strdown(email, -1) : NULL;

	if (!kj_db_begin(db, error))
		return FALSE;
	if (!kj_db_query_int(db, "SELECT count(*) FROM account WHERE login = $1",
			     KJ_DB_ARGS(KJ_DB_TEXT(login)), &n, &exists, error))
		goto fail;
	if (n > 0) {
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_EXISTS,
			    "account '%s' exists already", login);
		goto fail;
	}
	if (!kj_db_exec(
		db,
		"INSERT INTO account (login, display_name, role, department, email,"
		" password_hash, totp_secret, totp_pending, totp_last_step, failures,"
		" locked_until, disabled, created_at, password_changed_at)"
		" VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, 0, 0, 0, 0, $8, $8)",
		KJ_DB_ARGS(KJ_DB_TEXT(login), KJ_DB_TEXT(display_name ? display_name : login),
			   KJ_DB_TEXT(kj_role_name(role)), KJ_DB_TEXT(department),
			   lower_email ? KJ_DB_TEXT(lower_email) : KJ_DB_NULL, KJ_DB_TEXT(hash),
			   sealed ? KJ_DB_TEXT(sealed) : KJ_DB_NULL, KJ_DB_TEXT(now)),
		error))
		goto fail;
	if (lower_email &&
	    !kj_db_exec(db,
			"INSERT INTO mailbox (address, department) VALUES ($1, $2)"
			" ON CONFLICT (address) DO UPDATE SET department = $2",
			KJ_DB_ARGS(KJ_DB_TEXT(lower_email), KJ_DB_TEXT(department)), error))
		goto fail;
	if (!kj_db_commit(db, error))
		goto fail;
	json_t *d = json_pack("{s:s, s:s, s:b}", "role", kj_role_name(role), "department",
			      department, "totp", secret != NULL);
	if (lower_email)
		json_object_set_new(d, "email", json_string(lower_email));
	if (!audit_rec(audit, actor, "account.add", login, d, error))
		return FALSE;
	if (totp_secret)
		*totp_secret = g_steal_pointer(&secret);
	return TRUE;
fail:
	kj_db_rollback(db, NULL);
	return FALSE;
}

static gboolean row_account(const KjDbRow *row, gpointer user_data)
{
	GPtrArray *out = user_data;
	KjAccount *a = g_new0(KjAccount, 1);
	a->login = g_strdup(kj_db_row_get_text(row, 0));
	a->display_name = g_strdup(kj_db_row_get_text(row, 1));
	if (!kj_role_from_name(kj_db_row_get_text(row, 2), &a->role))
		a->role = KJ_ROLE_READONLY;
	a->department = g_strdup(kj_db_row_get_text(row, 3));
	a->email = g_strdup(kj_db_row_get_text(row, 4));
	a->totp_enabled = !kj_db_row_is_null(row, 5);
	a->totp_pending = !kj_db_row_is_null(row, 6);
	a->failures = kj_db_row_get_int(row, 7);
	a->locked_until = kj_db_row_get_int(row, 8);
	a->disabled = kj_db_row_get_int(row, 9) != 0;
	a->created_at = g_strdup(kj_db_row_get_text(row, 10));
	a->password_changed_at = g_strdup(kj_db_row_get_text(row, 11));
	a->last_login_at = g_strdup(kj_db_row_get_text(row, 12));
	g_ptr_array_add(out, a);
	return TRUE;
}

#define ACCOUNT_COLUMNS                                                                            \
	"login, display_name, role, department, email, totp_secret, totp_pending, failures,"       \
	" locked_until, disabled, created_at, password_changed_at, last_login_at"

KjAccount *kj_account_get(KjDb *db, const char *login, GError **error)
{
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)kj_account_free);
	if (!kj_db_query(db, "SELECT " ACCOUNT_COLUMNS " FROM account WHERE login = $1",
			 KJ_DB_ARGS(KJ_DB_TEXT(login ? login : "")), row_account, out, error))
		return NULL;
	if (out->len == 0) {
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_NOT_FOUND, "no account '%s'",
			    login ? login : "");
		return NULL;
	}
	return g_ptr_array_steal_index(out, 0);
}

GPtrArray *kj_account_list(KjDb *db, const char *department, GError **error)
{
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)kj_account_free);
	gboolean ok =
	    department ? kj_db_query(db,
				     "SELECT " ACCOUNT_COLUMNS
				     " FROM account WHERE department = $1 ORDER BY login",
				     KJ_DB_ARGS(KJ_DB_TEXT(department)), row_account, out, error)
		       : kj_db_query(db, "SELECT " ACCOUNT_COLUMNS " FROM account ORDER BY login",
				     KJ_DB_NO_ARGS, row_account, out, error);
	return ok ? g_steal_pointer(&out) : NULL;
}

typedef struct {
	char *hash;
	char *secret;
} Secrets;

static gboolean row_secrets(const KjDbRow *row, gpointer user_data)
{
	Secrets *s = user_data;
	s->hash = g_strdup(kj_db_row_get_text(row, 0));
	s->secret = g_strdup(kj_db_row_get_text(row, 1));
	return FALSE;
}

static gboolean load_secrets(KjDb *db, const char *login, Secrets *s, GError **error)
{
	if (!kj_db_query(db, "SELECT password_hash, totp_secret FROM account WHERE login = $1",
			 KJ_DB_ARGS(KJ_DB_TEXT(login)), row_secrets, s, error))
		return FALSE;
	if (s->secret == NULL)
		return TRUE;
	char *stored = s->secret;
	s->secret = _kj_secret_open(db, stored, error);
	sodium_memzero(stored, strlen(stored));
	g_free(stored);
	if (s->secret == NULL)
		g_clear_pointer(&s->hash, g_free);
	return s->secret != NULL;
}

static void secrets_clear(Secrets *s)
{
	if (s->secret)
		sodium_memzero(s->secret, strlen(s->secret));
	g_free(s->hash);
	g_free(s->secret);
}

gboolean kj_account_check_password(KjDb *db, const char *login, const char *password,
				   GError **error)
{
	Secrets s = {0};
	if (!load_secrets(db, login, &s, error))
		return FALSE;
	gboolean ok = s.hash && password && verify_password(s.hash, password);
	if (!s.hash && password)
		verify_dummy(password);
	secrets_clear(&s);
	if (!ok)
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_AUTH, "wrong password");
	return ok;
}

gboolean kj_account_set_password(KjDb *db, KjAudit *audit, const char *actor, const char *login,
				 const char *password, GError **error)
{
	g_autoptr(KjAccount) a = kj_account_get(db, login, error);
	if (!a || !password_acceptable(login, password, error))
		return FALSE;
	g_autofree char *hash = hash_password(password, error);
	g_autofree char *now = kj_db_now_utc();
	if (!hash)
		return FALSE;
	if (!kj_db_exec(db,
			"UPDATE account SET password_hash = $2, password_changed_at = $3"
			" WHERE login = $1",
			KJ_DB_ARGS(KJ_DB_TEXT(login), KJ_DB_TEXT(hash), KJ_DB_TEXT(now)), error) ||
	    !kj_session_end_all(db, login, error))
		return FALSE;
	return audit_rec(audit, actor, "account.password", login, NULL, error);
}

gboolean kj_account_set_locked(KjDb *db, KjAudit *audit, const char *actor, const char *login,
			       gboolean locked, GError **error)
{
	g_autoptr(KjAccount) a = kj_account_get(db, login, error);
	if (!a)
		return FALSE;
	if (!kj_db_exec(db,
			"UPDATE account SET disabled = $2, failures = 0, locked_until = 0"
			" WHERE login = $1",
			KJ_DB_ARGS(KJ_DB_TEXT(login), KJ_DB_INT(locked ? 1 : 0)), error))
		return FALSE;
	if (locked && !kj_session_end_all(db, login, error))
		return FALSE;
	return audit_rec(audit, actor, locked ? "account.lock" : "account.unlock", login, NULL,
			 error);
}

gboolean kj_account_mailbox_set(KjDb *db, KjAudit *audit, const char *actor, const char *address,
				const char *department, GError **error)
{
	if (!address || !strchr(address, '@') || strlen(address) > 254 ||
	    !kj_account_department_valid(department)) {
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_INVALID,
			    "mailbox: an address and a department are needed");
		return FALSE;
	}
	g_autofree char *lower = g_ascii_strdown(address, -1);
	if (!kj_db_exec(db,
			"INSERT INTO mailbox (address, department) VALUES ($1, $2)"
			" ON CONFLICT (address) DO UPDATE SET department = $2",
			KJ_DB_ARGS(KJ_DB_TEXT(lower), KJ_DB_TEXT(department)), error))
		return FALSE;
	return audit_rec(audit, actor, "account.mailbox", lower,
			 json_pack("{s:s}", "department", department), error);
}

static gboolean count_failure(KjDb *db, KjAudit *audit, const KjAccountPolicy *policy,
			      const char *login, const char *why, const char *client, gint64 now)
{
	gint64 failures = 0;
	gboolean locked = FALSE;

	if (!kj_db_exec(db, "UPDATE account SET failures = failures + 1 WHERE login = $1",
			KJ_DB_ARGS(KJ_DB_TEXT(login)), NULL) ||
	    !kj_db_query_int(db, "SELECT failures FROM account WHERE login = $1",
			     KJ_DB_ARGS(KJ_DB_TEXT(login)), &failures, NULL, NULL))
		return FALSE;
	if (failures >= policy->lockout_failures) {
		locked = kj_db_exec(
		    db,
		    "UPDATE account SET failures = 0, locked_until = $2"
		    " WHERE login = $1",
		    KJ_DB_ARGS(KJ_DB_TEXT(login), KJ_DB_INT(now + policy->lockout_s)), NULL);
	}
	audit_rec(audit, login, "account.login_failed", login,
		  json_pack("{s:s, s:s, s:I}", "reason", why, "client", client ? client : "",
			    "failures", (json_int_t)failures),
		  NULL);
	if (locked)
		audit_rec(audit, "kyojin", "account.lockout", login,
			  json_pack("{s:I}", "until_unix", (json_int_t)(now + policy->lockout_s)),
			  NULL);
	return TRUE;
}

/* Clears the failures, stamps the login and audits it. */
static gboolean login_succeeded(KjDb *db, KjAudit *audit, KjAccount *a, const char *client,
				gboolean totp, gboolean enrolled, GError **error)
{
	g_autofree char *stamp = kj_db_now_utc();
	json_t *d = json_pack("{s:s, s:b}", "client", client ? client : "", "totp", totp);

	if (enrolled)
		json_object_set_new(d, "enrolled", json_true());
	if (!kj_db_exec(db,
			"UPDATE account SET failures = 0, locked_until = 0, last_login_at = $2"
			" WHERE login = $1",
			KJ_DB_ARGS(KJ_DB_TEXT(a->login), KJ_DB_TEXT(stamp)), error)) {
		json_decref(d);
		return FALSE;
	}
	if (!audit_rec(audit, a->login, "account.login", a->login, d, error))
		return FALSE;
	g_free(a->last_login_at);
	a->last_login_at = g_steal_pointer(&stamp);
	a->failures = 0;
	return TRUE;
}

KjAccount *kj_account_authenticate(KjDb *db, KjAudit *audit, const KjAccountPolicy *policy,
				   const char *login, const char *password, const char *totp,
				   const char *client, gint64 now, GError **error)
{
	g_autoptr(KjAccount) a = NULL;
	Secrets s = {0};
	gint64 step = 0, last_step = 0;

	if (!password)
		password = "";
	if (kj_account_login_valid(login))
		a = kj_account_get(db, login, NULL);
	if (!a) {
		verify_dummy(password);
		return login_unknown(audit, "unknown login", client, "wrong login or password",
				     error);
	}
	if (a->disabled || a->locked_until > now) {
		verify_dummy(password);
		audit_rec(audit, login, "account.login_refused", login,
			  json_pack("{s:s, s:s}", "reason", a->disabled ? "locked" : "lockout",
				    "client", client ? client : ""),
			  NULL);
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_LOCKED,
			    "account locked; try again later or ask the security team");
		return NULL;
	}
	if (!load_secrets(db, login, &s, error))
		return NULL;
	if (!s.hash || !verify_password(s.hash, password)) {
		secrets_clear(&s);
		count_failure(db, audit, policy, login, "password", client, now);
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_AUTH,
			    "wrong login or password");
		return NULL;
	}
	if (!s.secret && kj_role_needs_totp(a->role) && a->totp_pending) {
		/* The first login: the pending secret is confirmed in the
		 * browser (kj_account_enrol_begin/finish) before any session. */
		secrets_clear(&s);
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_TOTP_ENROL,
			    "the role %s needs a second factor (基本方針 6(6)): confirm the "
			    "pending TOTP secret with a code from it",
			    kj_role_name(a->role));
		return NULL;
	}
	if (!s.secret && kj_role_needs_totp(a->role)) {
		secrets_clear(&s);
		audit_rec(audit, login, "account.login_refused", login,
			  json_pack("{s:s}", "reason", "second factor not enrolled"), NULL);
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_TOTP_NOT_ENROLLED,
			    "the role %s needs a second factor (基本方針 6(6)): confirm the "
			    "TOTP enrolment with 'kyojin account totp'",
			    kj_role_name(a->role));
		return NULL;
	}
	if (s.secret) {
		if (!totp || !*totp) {
			secrets_clear(&s);
			g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_TOTP_REQUIRED,
				    "one-time code required");
			return NULL;
		}
		gboolean good = _kj_totp_check(s.secret, totp, now, &step);
		secrets_clear(&s);
		if (!kj_db_query_int(db, "SELECT totp_last_step FROM account WHERE login = $1",
				     KJ_DB_ARGS(KJ_DB_TEXT(login)), &last_step, NULL, error))
			return NULL;
		if (!good || step <= last_step) {
			count_failure(db, audit, policy, login,
				      good ? "one-time code replayed" : "one-time code", client,
				      now);
			g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_AUTH,
				    good ? "one-time code already used; wait for the next one"
					 : "wrong one-time code");
			return NULL;
		}
		/* The step is consumed only if nobody consumed it meanwhile:
		 * two logins racing with the same code, one wins. */
		if (!kj_db_exec(db,
				"UPDATE account SET totp_last_step = $2"
				" WHERE login = $1 AND totp_last_step < $2",
				KJ_DB_ARGS(KJ_DB_TEXT(login), KJ_DB_INT(step)), error))
			return NULL;
		if (kj_db_changes(db) != 1) {
			g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_AUTH,
				    "one-time code already used; wait for the next one");
			return NULL;
		}
	} else {
		secrets_clear(&s);
	}
	if (!login_succeeded(db, audit, a, client, step != 0, FALSE, error))
		return NULL;
	return g_steal_pointer(&a);
}

gboolean kj_account_enrol_begin(KjDb *db, KjAudit *audit, const char *login, const char *client,
				gint64 now, char **token, char **secret_b32, gint64 *expires_unix,
				GError **error)
{
	gint64 expires = now + KJ_ACCOUNT_ENROL_TOKEN_S;

	*token = *secret_b32 = NULL;
	*expires_unix = 0;
	g_autofree char *secret = _kj_totp_pending(db, login, error);
	if (secret == NULL) {
		if (error && *error == NULL)
			g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_TOTP_NOT_ENROLLED,
				    "no TOTP enrolment pending for '%s'", login);
		return FALSE;
	}
	g_autofree char *t = NULL;
	if (!_kj_enrol_token_new(db, login, client, now, expires, &t, error) ||
	    !audit_rec(audit, login, "account.totp_enrol_start", login,
		       json_pack("{s:s, s:I}", "client", client ? client : "", "expires_unix",
				 (json_int_t)expires),
		       error)) {
		sodium_memzero(secret, strlen(secret));
		return FALSE;
	}
	*token = g_steal_pointer(&t);
	*secret_b32 = g_steal_pointer(&secret);
	*expires_unix = expires;
	return TRUE;
}

KjAccount *kj_account_enrol_finish(KjDb *db, KjAudit *audit, const KjAccountPolicy *policy,
				   const char *token, const char *code, const char *client,
				   gint64 now, GError **error)
{
	gint64 step = 0;
	gboolean taken = FALSE;
	GError *local = NULL;

	g_autofree char *login = _kj_enrol_token_login(db, token, now, &local);
	if (local) {
		g_propagate_error(error, local);
		return NULL;
	}
	if (login == NULL) {
		return login_unknown(audit, "enrolment token", client,
				     "unknown or expired enrolment; log in again", error);
	}
	g_autoptr(KjAccount) a = kj_account_get(db, login, error);
	if (!a)
		return NULL;
	if (a->disabled || a->locked_until > now) {
		audit_rec(audit, login, "account.login_refused", login,
			  json_pack("{s:s, s:s}", "reason", a->disabled ? "locked" : "lockout",
				    "client", client ? client : ""),
			  NULL);
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_LOCKED,
			    "account locked; try again later or ask the security team");
		return NULL;
	}
	g_autofree char *pending = _kj_totp_pending(db, login, error);
	if (pending == NULL) {
		if (error && *error)
			return NULL;
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_AUTH,
			    "no TOTP enrolment pending; log in again");
		return NULL;
	}
	gboolean good = _kj_totp_check(pending, code, now, &step);
	sodium_memzero(pending, strlen(pending));
	if (!good) {
		count_failure(db, audit, policy, login, "enrolment code", client, now);
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_AUTH,
			    "wrong one-time code for the new secret");
		return NULL;
	}
	/* The token is used once: of two requests racing with it, one wins;
	 * the code's step is consumed by the confirmation (totp.c). */
	if (!_kj_enrol_token_take(db, token, now, &taken, error))
		return NULL;
	if (!taken) {
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_AUTH,
			    "enrolment already used; log in again");
		return NULL;
	}
	if (!kj_account_totp_confirm(db, audit, login, login, code, now, error))
		return NULL;
	a->totp_enabled = TRUE;
	a->totp_pending = FALSE;
	if (!login_succeeded(db, audit, a, client, TRUE, TRUE, error))
		return NULL;
	return g_steal_pointer(&a);
}
