/*++
 * NAME
 *	totp - time-based one-time codes, the console's second factor
 * DESCRIPTION
 *	RFC 6238 codes (HMAC-SHA-1, 30-second steps, 6 digits) computed and
 *	checked by liboath, with one step of clock skew allowed either way.
 *	A code is accepted once: the account keeps the last time step used,
 *	and a code of that step or an earlier one is refused as a replay
 *	(account.c), so a code seen over a shoulder or in a proxy log is
 *	worthless after its first use.
 *
 *	Enrolment is two steps: a pending secret is made and shown once;
 *	the first code made from it turns it into the active secret.
 * SECURITY
 *	Secrets come from libsodium's randombytes (the kernel's CSPRNG).
 *	Codes are compared by liboath.  Secrets are wiped from memory after
 *	use where this module holds them.
 * STANDARDS
 *	RFC 4226 (HOTP), RFC 6238 (TOTP), RFC 4648 (base32).  基本方針 6(6).
 * SEE ALSO
 *	account.c (login), Google Authenticator's Key Uri Format (otpauth://).
 *--*/
#include "account/account.h"

#include "util/limits.h"

#include <liboath/oath.h>
#include <sodium.h>
#include <string.h>

#define SECRET_BYTES 20

static gboolean oath_ready(void)
{
	static gsize once;
	static int rc;
	if (g_once_init_enter(&once)) {
		rc = oath_init();
		g_once_init_leave(&once, 1);
	}
	return rc == OATH_OK;
}

char *_kj_totp_new_secret(void)
{
	unsigned char raw[SECRET_BYTES];
	char *b32 = NULL;
	size_t b32len = 0;

	if (sodium_init() < 0 || !oath_ready())
		return NULL;
	randombytes_buf(raw, sizeof raw);
	int rc = oath_base32_encode((const char *)raw, sizeof raw, &b32, &b32len);
	sodium_memzero(raw, sizeof raw);
	if (rc != OATH_OK)
		return NULL;
	char *out = g_strndup(b32, b32len);
	sodium_memzero(b32, b32len);
	free(b32);
	return out;
}

static gboolean decode_secret(const char *b32, char **raw, size_t *len)
{
	*raw = NULL;
	*len = 0;
	return oath_ready() && oath_base32_decode(b32, strlen(b32), raw, len) == OATH_OK;
}

static void free_secret(char *raw, size_t len)
{
	if (raw) {
		sodium_memzero(raw, len);
		free(raw);
	}
}

gboolean _kj_totp_check(const char *secret_b32, const char *code, gint64 now, gint64 *step)
{
	char *raw = NULL;
	size_t len = 0;
	uint64_t counter = 0;
	int pos = 0;

	*step = 0;
	if (!code || strlen(code) != KJ_ACCOUNT_TOTP_DIGITS)
		return FALSE;
	for (const char *p = code; *p; p++)
		if (!g_ascii_isdigit(*p))
			return FALSE;
	if (!decode_secret(secret_b32, &raw, &len))
		return FALSE;
	int rc = oath_totp_validate3(raw, len, (time_t)now, KJ_ACCOUNT_TOTP_STEP, 0,
				     KJ_ACCOUNT_TOTP_WINDOW, &pos, &counter, code);
	free_secret(raw, len);
	if (rc < 0)
		return FALSE;
	*step = (gint64)counter;
	return TRUE;
}

static char *code_at(const char *secret_b32, gint64 now)
{
	char *raw = NULL;
	size_t len = 0;
	char otp[KJ_ACCOUNT_TOTP_DIGITS + 1] = {0};

	if (!decode_secret(secret_b32, &raw, &len))
		return NULL;
	int rc = oath_totp_generate(raw, len, (time_t)now, KJ_ACCOUNT_TOTP_STEP, 0,
				    KJ_ACCOUNT_TOTP_DIGITS, otp);
	free_secret(raw, len);
	return rc == OATH_OK ? g_strdup(otp) : NULL;
}

typedef struct {
	char *active;
	char *pending;
	gboolean found;
} Totp;

static gboolean row_totp(const KjDbRow *row, gpointer user_data)
{
	Totp *t = user_data;
	t->active = g_strdup(kj_db_row_get_text(row, 0));
	t->pending = g_strdup(kj_db_row_get_text(row, 1));
	t->found = TRUE;
	return FALSE;
}

static void totp_clear(Totp *t)
{
	if (t->active)
		sodium_memzero(t->active, strlen(t->active));
	if (t->pending)
		sodium_memzero(t->pending, strlen(t->pending));
	g_free(t->active);
	g_free(t->pending);
}

/* The active and pending secrets, opened (seal.c). */
static gboolean load(KjDb *db, const char *login, Totp *t, GError **error)
{
	if (!kj_db_query(db, "SELECT totp_secret, totp_pending FROM account WHERE login = $1",
			 KJ_DB_ARGS(KJ_DB_TEXT(login ? login : "")), row_totp, t, error))
		return FALSE;
	if (!t->found) {
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_NOT_FOUND, "no account '%s'",
			    login ? login : "");
		return FALSE;
	}
	Totp stored = *t;
	t->active = stored.active ? _kj_secret_open(db, stored.active, error) : NULL;
	t->pending = NULL;
	if (!stored.active || t->active)
		t->pending = stored.pending ? _kj_secret_open(db, stored.pending, error) : NULL;
	gboolean ok = (!stored.active || t->active) && (!stored.pending || t->pending);
	totp_clear(&stored);
	if (!ok)
		totp_clear(t);
	return ok;
}

static void audit_totp(KjAudit *audit, const char *actor, const char *action, const char *login,
		       GError **error)
{
	if (audit)
		kj_audit_append(audit, actor ? actor : "kyojin", action, login, NULL, NULL, error);
}

gboolean kj_account_totp_begin(KjDb *db, KjAudit *audit, const char *actor, const char *login,
			       char **secret_b32, GError **error)
{
	Totp t = {0};
	*secret_b32 = NULL;
	if (!load(db, login, &t, error))
		return FALSE;
	totp_clear(&t);
	g_autofree char *secret = _kj_totp_new_secret();
	if (!secret) {
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_INTERNAL,
			    "cannot make a TOTP secret");
		return FALSE;
	}
	g_autofree char *sealed = _kj_secret_seal(db, secret, error);
	if (!sealed)
		return FALSE;
	if (!kj_db_exec(db, "UPDATE account SET totp_pending = $2 WHERE login = $1",
			KJ_DB_ARGS(KJ_DB_TEXT(login), KJ_DB_TEXT(sealed)), error))
		return FALSE;
	GError *aerr = NULL;
	audit_totp(audit, actor, "account.totp_begin", login, &aerr);
	if (aerr) {
		g_propagate_error(error, aerr);
		return FALSE;
	}
	*secret_b32 = g_steal_pointer(&secret);
	return TRUE;
}

gboolean kj_account_totp_confirm(KjDb *db, KjAudit *audit, const char *actor, const char *login,
				 const char *code, gint64 now, GError **error)
{
	Totp t = {0};
	gint64 step = 0;
	if (!load(db, login, &t, error))
		return FALSE;
	if (!t.pending) {
		totp_clear(&t);
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_INVALID,
			    "no TOTP enrolment pending for '%s'", login);
		return FALSE;
	}
	gboolean good = _kj_totp_check(t.pending, code, now, &step);
	totp_clear(&t);
	if (!good) {
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_AUTH,
			    "wrong one-time code for the new secret");
		return FALSE;
	}
	/* The confirming code is used up too: it cannot log in afterwards. */
	if (!kj_db_exec(db,
			"UPDATE account SET totp_secret = totp_pending, totp_pending = NULL,"
			" totp_last_step = $2 WHERE login = $1 AND totp_pending IS NOT NULL",
			KJ_DB_ARGS(KJ_DB_TEXT(login), KJ_DB_INT(step)), error))
		return FALSE;
	GError *aerr = NULL;
	audit_totp(audit, actor, "account.totp_enable", login, &aerr);
	if (aerr) {
		g_propagate_error(error, aerr);
		return FALSE;
	}
	return TRUE;
}

gboolean kj_account_totp_reset(KjDb *db, KjAudit *audit, const char *actor, const char *login,
			       char **secret_b32, GError **error)
{
	Totp t = {0};
	*secret_b32 = NULL;
	if (!load(db, login, &t, error))
		return FALSE;
	totp_clear(&t);
	if (!kj_db_exec(
		db, "UPDATE account SET totp_secret = NULL, totp_pending = NULL WHERE login = $1",
		KJ_DB_ARGS(KJ_DB_TEXT(login)), error) ||
	    !kj_session_end_all(db, login, error))
		return FALSE;
	GError *aerr = NULL;
	audit_totp(audit, actor, "account.totp_reset", login, &aerr);
	if (aerr) {
		g_propagate_error(error, aerr);
		return FALSE;
	}
	return kj_account_totp_begin(db, audit, actor, login, secret_b32, error);
}

char *_kj_totp_pending(KjDb *db, const char *login, GError **error)
{
	Totp t = {0};
	if (!load(db, login, &t, error))
		return NULL;
	char *out = g_steal_pointer(&t.pending);
	totp_clear(&t);
	return out;
}

char *kj_account_totp_uri(const char *issuer, const char *login, const char *secret_b32)
{
	g_autofree char *is = g_uri_escape_string(issuer, NULL, FALSE);
	g_autofree char *lo = g_uri_escape_string(login, NULL, FALSE);
	return g_strdup_printf("otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=%d"
			       "&period=%d",
			       is, lo, secret_b32, is, KJ_ACCOUNT_TOTP_DIGITS,
			       KJ_ACCOUNT_TOTP_STEP);
}

char *kj_account_totp_code_now(KjDb *db, const char *login, gint64 now, GError **error)
{
	Totp t = {0};
	if (!load(db, login, &t, error))
		return NULL;
	const char *secret = t.active ? t.active : t.pending;
	char *code = secret ? code_at(secret, now) : NULL;
	totp_clear(&t);
	if (!code)
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_INVALID,
			    "account '%s' has no TOTP secret", login);
	return code;
}
