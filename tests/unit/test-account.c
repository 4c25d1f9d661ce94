/*++
 * NAME
 *	test-account - console accounts: passwords, lockout, TOTP replay,
 *	sessions, the authorization table
 * DESCRIPTION
 *	Every time is given to the library (authenticate and session checks
 *	take "now"), and one-time codes are made by the library for a chosen
 *	time, so nothing here depends on the clock.
 * SECURITY
 *	Test program.
 * STANDARDS
 *	基本方針 6(6); RFC 6238.
 * SEE ALSO
 *	src/lib/account/
 *--*/
#include "account/account.h"
#include "store/store.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PW "correct horse battery staple"
#define T0 1800000000 /* a fixed "now", a multiple of 30 */

typedef struct {
	char *dir;
	KjStore *store;
	KjAudit *audit;
	KjDb *db;
	KjAccountPolicy policy;
} Fx;

static void fx_setup(Fx *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	f->dir = g_dir_make_tmp("kj-account-XXXXXX", &error);
	g_assert_no_error(error);
	f->store = kj_store_open(f->dir, NULL, &error);
	g_assert_no_error(error);
	f->audit = kj_audit_open(f->dir, NULL, &error);
	g_assert_no_error(error);
	f->db = kj_store_get_db(f->store);
	kj_account_policy_init(&f->policy);
	f->policy.lockout_failures = 3;
	f->policy.lockout_s = 600;
}

static void fx_teardown(Fx *f, gconstpointer data)
{
	kj_audit_free(f->audit);
	kj_store_free(f->store);
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);
	g_assert_cmpint(system(cmd), ==, 0);
	g_free(f->dir);
}

static void add(Fx *f, const char *login, KjRole role, char **secret)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(kj_account_add(f->db, f->audit, "test", login, NULL, role, "総務課", NULL, PW,
				     secret, &error));
	g_assert_no_error(error);
}

static void test_add_refusals(Fx *f, gconstpointer data)
{
	static const struct {
		const char *login, *dept, *email, *pw;
		int code;
	} bad[] = {
	    {"Alice", "総務課", NULL, PW, KJ_ACCOUNT_ERROR_INVALID},
	    {"a b", "総務課", NULL, PW, KJ_ACCOUNT_ERROR_INVALID},
	    {"", "総務課", NULL, PW, KJ_ACCOUNT_ERROR_INVALID},
	    {"alice", "", NULL, PW, KJ_ACCOUNT_ERROR_INVALID},
	    {"alice", "総務\n課", NULL, PW, KJ_ACCOUNT_ERROR_INVALID},
	    {"alice", "総務課", "not-an-address", PW, KJ_ACCOUNT_ERROR_INVALID},
	    {"alice", "総務課", NULL, "short", KJ_ACCOUNT_ERROR_WEAK_PASSWORD},
	    {"alicealicealice", "総務課", NULL, "alicealicealice", KJ_ACCOUNT_ERROR_WEAK_PASSWORD},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_assert_false(kj_account_add(f->db, f->audit, "test", bad[i].login, NULL,
					      KJ_ROLE_STAFF, bad[i].dept, bad[i].email, bad[i].pw,
					      NULL, &error));
		g_assert_error(error, KJ_ACCOUNT_ERROR, bad[i].code);
	}
	add(f, "alice", KJ_ROLE_STAFF, NULL);
	g_autoptr(GError) error = NULL;
	g_assert_false(kj_account_add(f->db, f->audit, "test", "alice", NULL, KJ_ROLE_STAFF,
				      "総務課", NULL, PW, NULL, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_EXISTS);
	/* Only the hash is stored. */
	gint64 n = -1;
	g_assert_true(
	    kj_db_query_int(f->db,
			    "SELECT count(*) FROM account WHERE password_hash LIKE '$argon2id$%'"
			    " AND password_hash NOT LIKE '%battery%'",
			    KJ_DB_NO_ARGS, &n, NULL, NULL));
	g_assert_cmpint(n, ==, 1);
}

static void test_lockout(Fx *f, gconstpointer data)
{
	add(f, "alice", KJ_ROLE_STAFF, NULL);
	for (int i = 0; i < 3; i++) {
		g_autoptr(GError) error = NULL;
		g_assert_null(kj_account_authenticate(f->db, f->audit, &f->policy, "alice",
						      "wrong password!", NULL, "t", T0, &error));
		g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_AUTH);
	}
	g_autoptr(GError) error = NULL;
	g_assert_null(kj_account_authenticate(f->db, f->audit, &f->policy, "alice", PW, NULL, "t",
					      T0 + 1, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_LOCKED);
	/* The lock ends by itself after lockout_s. */
	g_autoptr(KjAccount) a = kj_account_authenticate(f->db, f->audit, &f->policy, "alice", PW,
							 NULL, "t", T0 + 601, NULL);
	g_assert_nonnull(a);
	g_assert_cmpint(a->failures, ==, 0);
	/* An administrator's lock does not. */
	g_assert_true(kj_account_set_locked(f->db, f->audit, "test", "alice", TRUE, NULL));
	g_clear_error(&error);
	g_assert_null(kj_account_authenticate(f->db, f->audit, &f->policy, "alice", PW, NULL, "t",
					      T0 + 100000, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_LOCKED);
	/* An unknown login is a wrong password, not a different error. */
	g_clear_error(&error);
	g_assert_null(kj_account_authenticate(f->db, f->audit, &f->policy, "nobody", PW, NULL, "t",
					      T0, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_AUTH);
}

static void test_totp(Fx *f, gconstpointer data)
{
	g_autofree char *secret = NULL;
	g_autoptr(GError) error = NULL;

	add(f, "sato", KJ_ROLE_APPROVER, &secret);
	g_assert_nonnull(secret);
	g_assert_null(kj_account_authenticate(f->db, f->audit, &f->policy, "sato", PW, NULL, "t",
					      T0, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_TOTP_ENROL);
	g_clear_error(&error);
	g_autofree char *c0 = kj_account_totp_code_now(f->db, "sato", T0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(strlen(c0), ==, 6);
	g_assert_true(kj_account_totp_confirm(f->db, f->audit, "test", "sato", c0, T0, &error));
	g_assert_no_error(error);
	/* Password right, code missing. */
	g_assert_null(kj_account_authenticate(f->db, f->audit, &f->policy, "sato", PW, NULL, "t",
					      T0, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_TOTP_REQUIRED);
	g_clear_error(&error);
	/* The confirming code is spent. */
	g_assert_null(
	    kj_account_authenticate(f->db, f->audit, &f->policy, "sato", PW, c0, "t", T0, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_AUTH);
	g_clear_error(&error);
	g_autofree char *c1 = kj_account_totp_code_now(f->db, "sato", T0 + 30, NULL);
	g_autoptr(KjAccount) a = kj_account_authenticate(f->db, f->audit, &f->policy, "sato", PW,
							 c1, "t", T0 + 30, &error);
	g_assert_no_error(error);
	g_assert_nonnull(a);
	/* Replayed, even within the window. */
	g_assert_null(kj_account_authenticate(f->db, f->audit, &f->policy, "sato", PW, c1, "t",
					      T0 + 35, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_AUTH);
	g_clear_error(&error);
	/* A code from far outside the window. */
	g_autofree char *c9 = kj_account_totp_code_now(f->db, "sato", T0 + 300, NULL);
	g_assert_null(kj_account_authenticate(f->db, f->audit, &f->policy, "sato", PW, c9, "t",
					      T0 + 60, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_AUTH);
	g_autofree char *uri = kj_account_totp_uri("kyojin", "sato", secret);
	g_assert_true(g_str_has_prefix(uri, "otpauth://totp/kyojin:sato?secret="));
}

static KjAccount *enrol_finish(Fx *f, const char *token, const char *code, gint64 now,
			       GError **error)
{
	return kj_account_enrol_finish(f->db, f->audit, &f->policy, token, code, "t", now, error);
}

static void test_enrol(Fx *f, gconstpointer data)
{
	g_autofree char *secret = NULL, *tok = NULL, *shown = NULL, *tok2 = NULL, *shown2 = NULL;
	g_autoptr(GError) error = NULL;
	gint64 expires = 0;

	add(f, "kato", KJ_ROLE_SECADMIN, &secret);
	/* A wrong password gives nothing; the right one asks for enrolment. */
	g_assert_null(kj_account_authenticate(f->db, f->audit, &f->policy, "kato",
					      "wrong password!", NULL, "t", T0, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_AUTH);
	g_clear_error(&error);
	g_assert_null(kj_account_authenticate(f->db, f->audit, &f->policy, "kato", PW, NULL, "t",
					      T0, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_TOTP_ENROL);
	g_clear_error(&error);
	g_assert_true(kj_account_enrol_begin(f->db, f->audit, "kato", "t", T0, &tok, &shown,
					     &expires, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(shown, ==, secret);
	g_assert_cmpint(expires, ==, T0 + KJ_ACCOUNT_ENROL_TOKEN_S);
	/* The token is no session. */
	g_assert_null(kj_session_check(f->db, &f->policy, tok, T0, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_SESSION);
	g_clear_error(&error);

	g_autofree char *c0 = kj_account_totp_code_now(f->db, "kato", T0, NULL);
	/* Bad tokens, an expired one, a wrong code (counted). */
	g_assert_null(enrol_finish(f, "not-a-token-at-all-but-long", c0, T0, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_AUTH);
	g_clear_error(&error);
	g_assert_null(enrol_finish(f, "x", c0, T0, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_AUTH);
	g_clear_error(&error);
	g_assert_null(enrol_finish(f, tok, c0, T0 + KJ_ACCOUNT_ENROL_TOKEN_S, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_AUTH);
	g_clear_error(&error);
	g_autofree char *far = kj_account_totp_code_now(f->db, "kato", T0 + 300, NULL);
	g_assert_null(enrol_finish(f, tok, far, T0, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_AUTH);
	g_clear_error(&error);
	g_autoptr(KjAccount) k1 = kj_account_get(f->db, "kato", NULL);
	g_assert_cmpint(k1->failures, ==, 2); /* the wrong password and the code */
	g_assert_false(k1->totp_enabled);

	/* A second first login replaces the token. */
	g_assert_true(kj_account_enrol_begin(f->db, f->audit, "kato", "t", T0, &tok2, &shown2,
					     &expires, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(tok2, !=, tok);
	g_assert_null(enrol_finish(f, tok, c0, T0, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_AUTH);
	g_clear_error(&error);

	/* The right code: the secret is active and the login done. */
	g_autoptr(KjAccount) a = enrol_finish(f, tok2, c0, T0 + 1, &error);
	g_assert_no_error(error);
	g_assert_nonnull(a);
	g_assert_true(a->totp_enabled);
	g_autoptr(KjAccount) k2 = kj_account_get(f->db, "kato", NULL);
	g_assert_true(k2->totp_enabled);
	g_assert_false(k2->totp_pending);
	g_assert_cmpint(k2->failures, ==, 0);
	g_assert_nonnull(k2->last_login_at);
	/* The token is used up; the code too (replay refused at login). */
	g_assert_null(enrol_finish(f, tok2, c0, T0 + 2, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_AUTH);
	g_clear_error(&error);
	g_assert_null(kj_account_authenticate(f->db, f->audit, &f->policy, "kato", PW, c0, "t",
					      T0 + 3, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_AUTH);
	g_clear_error(&error);
	g_autofree char *c1 = kj_account_totp_code_now(f->db, "kato", T0 + 30, NULL);
	g_autoptr(KjAccount) b = kj_account_authenticate(f->db, f->audit, &f->policy, "kato", PW,
							 c1, "t", T0 + 30, &error);
	g_assert_no_error(error);
	g_assert_nonnull(b);
	/* Nothing pending any more: no enrolment to begin. */
	g_autofree char *tok3 = NULL, *shown3 = NULL;
	g_assert_false(kj_account_enrol_begin(f->db, f->audit, "kato", "t", T0 + 30, &tok3, &shown3,
					      &expires, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_TOTP_NOT_ENROLLED);
	g_clear_error(&error);

	/* Wrong codes lock the account out; a lock ends the enrolment. */
	g_autofree char *s2 = NULL, *t4 = NULL, *sh4 = NULL;
	add(f, "ito", KJ_ROLE_APPROVER, &s2);
	g_assert_true(
	    kj_account_enrol_begin(f->db, f->audit, "ito", "t", T0, &t4, &sh4, &expires, &error));
	g_autofree char *ci = kj_account_totp_code_now(f->db, "ito", T0, NULL);
	for (int i = 0; i < 3; i++) {
		g_assert_null(enrol_finish(f, t4, "000000", T0, &error));
		g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_AUTH);
		g_clear_error(&error);
	}
	g_assert_null(enrol_finish(f, t4, ci, T0, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_LOCKED);
	g_clear_error(&error);
	g_assert_true(kj_account_set_locked(f->db, f->audit, "test", "ito", TRUE, &error));
	g_assert_true(kj_account_set_locked(f->db, f->audit, "test", "ito", FALSE, &error));
	g_assert_null(enrol_finish(f, t4, ci, T0, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_AUTH);
	g_clear_error(&error);

	/* A role that needs a second factor and has none pending: refused. */
	g_assert_true(kj_db_exec(f->db,
				 "UPDATE account SET totp_pending = NULL WHERE login = 'ito'",
				 KJ_DB_NO_ARGS, &error));
	g_assert_null(
	    kj_account_authenticate(f->db, f->audit, &f->policy, "ito", PW, NULL, "t", T0, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_TOTP_NOT_ENROLLED);
}

static char *stored_pending(Fx *f, const char *login)
{
	char *v = NULL;
	g_autofree char *sql =
	    g_strdup_printf("SELECT totp_pending FROM account WHERE login = '%s'", login);
	sqlite3 *h = NULL;
	g_autofree char *path = g_build_filename(f->dir, "kyojin.db", NULL);
	g_assert_cmpint(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
	sqlite3_stmt *st = NULL;
	g_assert_cmpint(sqlite3_prepare_v2(h, sql, -1, &st, NULL), ==, SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = g_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

static void test_sealed(Fx *f, gconstpointer data)
{
	g_autofree char *secret = NULL, *plain = NULL;
	g_autoptr(GError) error = NULL;
	struct stat st;
	gint64 n = -1;

	add(f, "mori", KJ_ROLE_APPROVER, &secret);
	/* Sealed in the database; the key beside it, 0600. */
	g_autofree char *stored = stored_pending(f, "mori");
	g_assert_true(g_str_has_prefix(stored, "sb1:"));
	g_assert_null(strstr(stored, secret));
	g_autofree char *key = g_build_filename(f->dir, "totp.key", NULL);
	g_assert_cmpint(stat(key, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	g_assert_cmpint(st.st_size, ==, 32);
	g_autofree char *c0 = kj_account_totp_code_now(f->db, "mori", T0, &error);
	g_assert_no_error(error);
	g_assert_nonnull(c0);

	/* A copy of the database without the key makes no codes. */
	g_autofree char *away = g_strconcat(key, ".away", NULL);
	g_assert_cmpint(rename(key, away), ==, 0);
	g_assert_null(kj_account_totp_code_now(f->db, "mori", T0, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_INTERNAL);
	g_clear_error(&error);
	/* Nor with another key. */
	g_autofree char *other = NULL;
	add(f, "kudo", KJ_ROLE_APPROVER, &other); /* makes a new key */
	g_assert_null(kj_account_totp_code_now(f->db, "mori", T0, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_INTERNAL);
	g_clear_error(&error);
	g_assert_cmpint(rename(away, key), ==, 0);
	/* A key readable by others is refused. */
	g_assert_cmpint(chmod(key, 0644), ==, 0);
	g_assert_null(kj_account_totp_code_now(f->db, "mori", T0, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_INTERNAL);
	g_clear_error(&error);
	g_assert_cmpint(chmod(key, 0600), ==, 0);
	g_autofree char *again = kj_account_totp_code_now(f->db, "mori", T0, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(again, ==, c0);

	/* A row of an older version, plain base32: read as it is, then sealed. */
	plain = _kj_totp_new_secret();
	g_assert_true(kj_db_exec(f->db, "UPDATE account SET totp_pending = $1 WHERE login = 'kudo'",
				 KJ_DB_ARGS(KJ_DB_TEXT(plain)), &error));
	g_autofree char *legacy = kj_account_totp_code_now(f->db, "kudo", T0, &error);
	g_assert_no_error(error);
	g_assert_nonnull(legacy);
	g_assert_true(kj_account_seal_secrets(f->db, f->audit, &n, &error));
	g_assert_no_error(error);
	g_assert_cmpint(n, ==, 1);
	g_autofree char *now_sealed = stored_pending(f, "kudo");
	g_assert_true(g_str_has_prefix(now_sealed, "sb1:"));
	g_autofree char *after = kj_account_totp_code_now(f->db, "kudo", T0, &error);
	g_assert_cmpstr(after, ==, legacy);
	g_assert_true(kj_account_seal_secrets(f->db, f->audit, &n, &error));
	g_assert_cmpint(n, ==, 0);
	/* The confirmed secret stays sealed; the login works with it. */
	g_assert_true(kj_account_totp_confirm(f->db, f->audit, "test", "mori", c0, T0, &error));
	g_assert_no_error(error);
	g_autofree char *c1 = kj_account_totp_code_now(f->db, "mori", T0 + 30, NULL);
	g_autoptr(KjAccount) a = kj_account_authenticate(f->db, f->audit, &f->policy, "mori", PW,
							 c1, "t", T0 + 30, &error);
	g_assert_no_error(error);
	g_assert_nonnull(a);
	/* Neither secret nor key in the audit log. */
	g_autofree char *log = NULL;
	g_autofree char *logpath = g_build_filename(f->dir, "audit.jsonl", NULL);
	g_assert_true(g_file_get_contents(logpath, &log, NULL, NULL));
	g_assert_null(strstr(log, secret));
	g_assert_null(strstr(log, plain));
	g_assert_nonnull(strstr(log, "account.totp_sealed"));
}

static void test_sessions(Fx *f, gconstpointer data)
{
	g_autofree char *t1 = NULL, *c1 = NULL, *t2 = NULL, *c2 = NULL;
	g_autoptr(GError) error = NULL;

	add(f, "alice", KJ_ROLE_STAFF, NULL);
	g_assert_true(kj_session_create(f->db, "alice", NULL, "t", T0, &t1, &c1, &error));
	g_autoptr(KjSession) s = kj_session_check(f->db, &f->policy, t1, T0 + 10, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(s->account->login, ==, "alice");
	g_assert_true(kj_session_token_equal(s->csrf, c1));
	g_assert_false(kj_session_token_equal(s->csrf, "x"));
	/* Rotation: the old token dies with the new login. */
	g_assert_true(kj_session_create(f->db, "alice", t1, "t", T0 + 20, &t2, &c2, &error));
	g_assert_null(kj_session_check(f->db, &f->policy, t1, T0 + 21, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_SESSION);
	g_clear_error(&error);
	/* Idle expiry, then absolute expiry even when active. */
	g_assert_null(kj_session_check(f->db, &f->policy, t2,
				       T0 + 20 + f->policy.session_idle_s + 1, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_SESSION);
	g_clear_error(&error);
	g_autofree char *t3 = NULL, *c3 = NULL;
	g_assert_true(kj_session_create(f->db, "alice", NULL, "t", T0, &t3, &c3, NULL));
	gint64 now = T0;
	while (now + 60 < T0 + f->policy.session_max_s) {
		now += 60;
		g_autoptr(KjSession) live = kj_session_check(f->db, &f->policy, t3, now, NULL);
		g_assert_nonnull(live);
	}
	g_assert_null(
	    kj_session_check(f->db, &f->policy, t3, T0 + f->policy.session_max_s, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_SESSION);
	g_clear_error(&error);
	/* Tokens not of our shape are never looked up. */
	g_assert_null(kj_session_check(f->db, &f->policy, "'; DROP TABLE account; --", T0, &error));
	g_assert_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_SESSION);
	/* Only hashes are stored. */
	gint64 n = -1;
	g_assert_true(kj_db_query_int(f->db,
				      "SELECT count(*) FROM account_session WHERE token_hash = $1",
				      KJ_DB_ARGS(KJ_DB_TEXT(t3)), &n, NULL, NULL));
	g_assert_cmpint(n, ==, 0);
}

static void test_authz(void)
{
	char login[] = "x", dept[] = "総務課";
	KjAccount a = {.login = login, .department = dept};
	static const struct {
		KjRole role;
		const char *action, *dept;
		gboolean allowed;
	} cases[] = {
	    {KJ_ROLE_STAFF, "mail.read", "総務課", TRUE},
	    {KJ_ROLE_STAFF, "mail.read", "税務課", FALSE},
	    {KJ_ROLE_STAFF, "mail.read", NULL, FALSE},
	    {KJ_ROLE_STAFF, "release.approve", "総務課", FALSE},
	    {KJ_ROLE_APPROVER, "release.approve", "総務課", TRUE},
	    {KJ_ROLE_APPROVER, "release.approve", "税務課", FALSE},
	    {KJ_ROLE_APPROVER, "release.approve_original", "総務課", FALSE},
	    {KJ_ROLE_SECADMIN, "release.approve_original", "税務課", TRUE},
	    {KJ_ROLE_AUDITOR, "audit.read", NULL, TRUE},
	    {KJ_ROLE_AUDITOR, "mail.read", "総務課", FALSE},
	    {KJ_ROLE_READONLY, "ledger.read", NULL, TRUE},
	    {KJ_ROLE_READONLY, "ledger.write", NULL, FALSE},
	    {KJ_ROLE_SECADMIN, "no.such.action", NULL, FALSE},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		a.role = cases[i].role;
		g_assert_cmpint(kj_authz_allows(&a, cases[i].action, cases[i].dept), ==,
				cases[i].allowed);
	}
	g_assert_true(kj_role_needs_totp(KJ_ROLE_APPROVER));
	g_assert_true(kj_role_needs_totp(KJ_ROLE_SECADMIN));
	g_assert_false(kj_role_needs_totp(KJ_ROLE_STAFF));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/account/add-refusals", Fx, NULL, fx_setup, test_add_refusals, fx_teardown);
	g_test_add("/account/lockout", Fx, NULL, fx_setup, test_lockout, fx_teardown);
	g_test_add("/account/totp-replay", Fx, NULL, fx_setup, test_totp, fx_teardown);
	g_test_add("/account/sealed", Fx, NULL, fx_setup, test_sealed, fx_teardown);
	g_test_add("/account/enrol", Fx, NULL, fx_setup, test_enrol, fx_teardown);
	g_test_add("/account/sessions", Fx, NULL, fx_setup, test_sessions, fx_teardown);
	g_test_add_func("/account/authz", test_authz);
	return g_test_run();
}
