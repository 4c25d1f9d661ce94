/*++
 * NAME
 *	session - console login sessions
 * DESCRIPTION
 *	A session is made only by a successful login, never from a token
 *	the client proposes: the token is 32 bytes from the kernel's CSPRNG,
 *	given to the client once, and the database keeps only its SHA-256,
 *	so a copy of the database opens no session.  A login ends the
 *	session the client came with (rotation), so a token planted in a
 *	browser before login (session fixation) never becomes valid.
 *
 *	Each session has its own CSRF token, which the client must echo in
 *	a header on every state-changing request; a session ends after
 *	console.session_idle_s without a request and console.session_max_s
 *	after login, whichever comes first.
 *
 *	The idle timer is written at most every TOUCH_EVERY seconds: a
 *	read-only page would otherwise be a database write per request.
 *
 *	Enrolment tokens (first login of an account whose second factor is
 *	still pending) are made the same way but kept apart, in
 *	account_enrolment (store migration 22): no session lookup ever sees
 *	them, so such a token opens nothing but the enrolment itself.
 * SECURITY
 *	Runs in the console.  Tokens are compared as hashes in SQL and CSRF
 *	tokens in constant time (sodium_memcmp).
 * STANDARDS
 *	OWASP Session Management; RFC 6265 (cookies).  基本方針 6(6).
 * SEE ALSO
 *	account.c, console/auth.c.
 *--*/
#include "account/account.h"

#include "util/hash.h"

#include <sodium.h>
#include <string.h>

#define TOKEN_BYTES 32
#define TOUCH_EVERY 15

void kj_session_free(KjSession *s)
{
	if (!s)
		return;
	kj_account_free(s->account);
	g_free(s->csrf);
	g_free(s);
}

static char *random_token(void)
{
	unsigned char raw[TOKEN_BYTES];
	char b64[sodium_base64_ENCODED_LEN(TOKEN_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];

	if (sodium_init() < 0)
		return NULL;
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(b64, sizeof b64, raw, sizeof raw,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	return g_strdup(b64);
}

static gboolean token_hash(const char *token, char hex[KJ_SHA256_HEX_LEN + 1])
{
	gsize n = token ? strlen(token) : 0;
	/* Only our own shape is looked up: anything else is no session. */
	if (n < 16 || n > 128)
		return FALSE;
	for (gsize i = 0; i < n; i++)
		if (!(g_ascii_isalnum(token[i]) || token[i] == '-' || token[i] == '_'))
			return FALSE;
	kj_sha256_hex(token, n, hex);
	return TRUE;
}

gboolean kj_session_token_equal(const char *a, const char *b)
{
	gsize na = a ? strlen(a) : 0, nb = b ? strlen(b) : 0;
	if (na == 0 || na != nb)
		return FALSE;
	return sodium_memcmp(a, b, na) == 0;
}

gboolean kj_session_end(KjDb *db, const char *token, GError **error)
{
	char hex[KJ_SHA256_HEX_LEN + 1];
	if (!token_hash(token, hex))
		return TRUE;
	return kj_db_exec(db, "DELETE FROM account_session WHERE token_hash = $1",
			  KJ_DB_ARGS(KJ_DB_TEXT(hex)), error);
}

gboolean kj_session_end_all(KjDb *db, const char *login, GError **error)
{
	/* A lock, a password change or a TOTP reset also ends an enrolment. */
	return kj_db_exec(db, "DELETE FROM account_session WHERE login = $1",
			  KJ_DB_ARGS(KJ_DB_TEXT(login)), error) &&
	       kj_db_exec(db, "DELETE FROM account_enrolment WHERE login = $1",
			  KJ_DB_ARGS(KJ_DB_TEXT(login)), error);
}

gboolean _kj_enrol_token_new(KjDb *db, const char *login, const char *client, gint64 now,
			     gint64 expires, char **token, GError **error)
{
	char hex[KJ_SHA256_HEX_LEN + 1];

	*token = NULL;
	g_autofree char *t = random_token();
	if (!t) {
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_INTERNAL,
			    "no random bytes for an enrolment token");
		return FALSE;
	}
	kj_sha256_hex(t, strlen(t), hex);
	/* One token per account: a new first login replaces the last one. */
	if (!kj_db_begin(db, error))
		return FALSE;
	if (!kj_db_exec(db, "DELETE FROM account_enrolment WHERE login = $1 OR expires_unix <= $2",
			KJ_DB_ARGS(KJ_DB_TEXT(login), KJ_DB_INT(now)), error) ||
	    !kj_db_exec(db,
			"INSERT INTO account_enrolment (token_hash, login, created_unix,"
			" expires_unix, client) VALUES ($1, $2, $3, $4, $5)",
			KJ_DB_ARGS(KJ_DB_TEXT(hex), KJ_DB_TEXT(login), KJ_DB_INT(now),
				   KJ_DB_INT(expires), client ? KJ_DB_TEXT(client) : KJ_DB_NULL),
			error) ||
	    !kj_db_commit(db, error)) {
		kj_db_rollback(db, NULL);
		return FALSE;
	}
	*token = g_steal_pointer(&t);
	return TRUE;
}

static gboolean row_text(const KjDbRow *row, gpointer user_data)
{
	char **out = user_data;
	*out = g_strdup(kj_db_row_get_text(row, 0));
	return FALSE;
}

char *_kj_enrol_token_login(KjDb *db, const char *token, gint64 now, GError **error)
{
	char hex[KJ_SHA256_HEX_LEN + 1];
	char *login = NULL;

	if (!token_hash(token, hex))
		return NULL;
	if (!kj_db_query(db,
			 "SELECT login FROM account_enrolment WHERE token_hash = $1"
			 " AND expires_unix > $2",
			 KJ_DB_ARGS(KJ_DB_TEXT(hex), KJ_DB_INT(now)), row_text, &login, error))
		return NULL;
	return login;
}

gboolean _kj_enrol_token_take(KjDb *db, const char *token, gint64 now, gboolean *taken,
			      GError **error)
{
	char hex[KJ_SHA256_HEX_LEN + 1];

	*taken = FALSE;
	if (!token_hash(token, hex))
		return TRUE;
	if (!kj_db_exec(db,
			"DELETE FROM account_enrolment WHERE token_hash = $1 AND expires_unix > $2",
			KJ_DB_ARGS(KJ_DB_TEXT(hex), KJ_DB_INT(now)), error))
		return FALSE;
	*taken = kj_db_changes(db) == 1;
	return TRUE;
}

gboolean kj_session_create(KjDb *db, const char *login, const char *old_token, const char *client,
			   gint64 now, char **token, char **csrf, GError **error)
{
	char hex[KJ_SHA256_HEX_LEN + 1];

	*token = *csrf = NULL;
	if (old_token && !kj_session_end(db, old_token, error))
		return FALSE;
	g_autofree char *t = random_token();
	g_autofree char *c = random_token();
	if (!t || !c) {
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_INTERNAL,
			    "no random bytes for a session token");
		return FALSE;
	}
	kj_sha256_hex(t, strlen(t), hex);
	if (!kj_db_exec(db,
			"INSERT INTO account_session (token_hash, login, csrf, created_unix,"
			" last_unix, client) VALUES ($1, $2, $3, $4, $4, $5)",
			KJ_DB_ARGS(KJ_DB_TEXT(hex), KJ_DB_TEXT(login), KJ_DB_TEXT(c),
				   KJ_DB_INT(now), client ? KJ_DB_TEXT(client) : KJ_DB_NULL),
			error))
		return FALSE;
	*token = g_steal_pointer(&t);
	*csrf = g_steal_pointer(&c);
	return TRUE;
}

typedef struct {
	char *login;
	char *csrf;
	gint64 created, last;
	gboolean found;
} Row;

static gboolean row_session(const KjDbRow *row, gpointer user_data)
{
	Row *r = user_data;
	r->login = g_strdup(kj_db_row_get_text(row, 0));
	r->csrf = g_strdup(kj_db_row_get_text(row, 1));
	r->created = kj_db_row_get_int(row, 2);
	r->last = kj_db_row_get_int(row, 3);
	r->found = TRUE;
	return FALSE;
}

KjSession *kj_session_check(KjDb *db, const KjAccountPolicy *policy, const char *token, gint64 now,
			    GError **error)
{
	char hex[KJ_SHA256_HEX_LEN + 1];
	Row r = {0};

	if (!token_hash(token, hex)) {
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_SESSION, "not logged in");
		return NULL;
	}
	if (!kj_db_query(db,
			 "SELECT login, csrf, created_unix, last_unix FROM account_session"
			 " WHERE token_hash = $1",
			 KJ_DB_ARGS(KJ_DB_TEXT(hex)), row_session, &r, error))
		return NULL;
	g_autofree char *login = r.login;
	g_autofree char *csrf = r.csrf;
	if (!r.found) {
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_SESSION, "not logged in");
		return NULL;
	}
	if (now - r.last >= policy->session_idle_s || now - r.created >= policy->session_max_s) {
		kj_db_exec(db, "DELETE FROM account_session WHERE token_hash = $1",
			   KJ_DB_ARGS(KJ_DB_TEXT(hex)), NULL);
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_SESSION,
			    "session expired; log in again");
		return NULL;
	}
	KjAccount *a = kj_account_get(db, login, NULL);
	if (!a || a->disabled || a->locked_until > now) {
		kj_account_free(a);
		kj_session_end_all(db, login, NULL);
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_SESSION,
			    "account locked; session ended");
		return NULL;
	}
	if (now - r.last >= TOUCH_EVERY)
		kj_db_exec(db, "UPDATE account_session SET last_unix = $2 WHERE token_hash = $1",
			   KJ_DB_ARGS(KJ_DB_TEXT(hex), KJ_DB_INT(now)), NULL);
	KjSession *s = g_new0(KjSession, 1);
	s->account = a;
	s->csrf = g_steal_pointer(&csrf);
	s->created_unix = r.created;
	s->last_unix = now - r.last >= TOUCH_EVERY ? now : r.last;
	return s;
}

gboolean kj_session_sweep(KjDb *db, const KjAccountPolicy *policy, gint64 now, gint64 *removed,
			  GError **error)
{
	if (!kj_db_exec(db,
			"DELETE FROM account_session WHERE last_unix <= $1 OR created_unix <= $2",
			KJ_DB_ARGS(KJ_DB_INT(now - policy->session_idle_s),
				   KJ_DB_INT(now - policy->session_max_s)),
			error))
		return FALSE;
	if (removed)
		*removed = kj_db_changes(db);
	return kj_db_exec(db, "DELETE FROM account_enrolment WHERE expires_unix <= $1",
			  KJ_DB_ARGS(KJ_DB_INT(now)), error);
}
