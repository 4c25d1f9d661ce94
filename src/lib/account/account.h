/* account.h - console accounts, second factor, sessions and authorization
 * (see account.c, totp.c, session.c, authz.c). */
#ifndef KJ_ACCOUNT_ACCOUNT_H
#define KJ_ACCOUNT_ACCOUNT_H

#include "audit/audit.h"
#include "store/db.h"

#include <glib.h>

#define KJ_ACCOUNT_ERROR (kj_account_error_quark())
GQuark kj_account_error_quark(void);

typedef enum {
	KJ_ACCOUNT_ERROR_NOT_FOUND,         /* no such account */
	KJ_ACCOUNT_ERROR_EXISTS,            /* the login is taken */
	KJ_ACCOUNT_ERROR_INVALID,           /* an argument is not acceptable */
	KJ_ACCOUNT_ERROR_WEAK_PASSWORD,     /* shorter than KJ_ACCOUNT_MIN_PASSWORD, or the login */
	KJ_ACCOUNT_ERROR_AUTH,              /* wrong login, password or second factor */
	KJ_ACCOUNT_ERROR_LOCKED,            /* locked by an administrator or after failures */
	KJ_ACCOUNT_ERROR_TOTP_REQUIRED,     /* password right, one-time code missing */
	KJ_ACCOUNT_ERROR_TOTP_NOT_ENROLLED, /* the role needs a second factor not set up */
	KJ_ACCOUNT_ERROR_SESSION,           /* no such session, or it expired */
	KJ_ACCOUNT_ERROR_INTERNAL,          /* the password library failed */
	KJ_ACCOUNT_ERROR_TOTP_ENROL,        /* password right; the pending secret is to be
					     * confirmed first (kj_account_enrol_begin) */
} KjAccountError;

/* Roles of 基本方針 4 (組織体制): 職員等, 情報セキュリティ管理者 (approves for a
 * department), the CISO's security team, auditors and read-only viewers. */
typedef enum {
	KJ_ROLE_STAFF,
	KJ_ROLE_APPROVER,
	KJ_ROLE_SECADMIN,
	KJ_ROLE_AUDITOR,
	KJ_ROLE_READONLY,
} KjRole;

const char *kj_role_name(KjRole role); /* "staff", "approver", "secadmin", ... */
gboolean kj_role_from_name(const char *name, KjRole *role);
/* Roles that may approve or administer need a second factor (基本方針 6(6):
 * privileged access with multi-factor authentication). */
gboolean kj_role_needs_totp(KjRole role);

typedef struct {
	char *login;
	char *display_name;
	KjRole role;
	char *department;
	char *email; /* or NULL */
	gboolean totp_enabled;
	gboolean totp_pending;
	gboolean disabled;   /* locked by an administrator */
	gint64 failures;     /* failed logins since the last success */
	gint64 locked_until; /* unix seconds; 0 = not locked for failures */
	char *created_at;
	char *password_changed_at;
	char *last_login_at; /* or NULL */
} KjAccount;

void kj_account_free(KjAccount *a);
KjAccount *kj_account_dup(const KjAccount *a);

/* What the console enforces; zero fields take the limits.h defaults. */
typedef struct {
	gint64 session_idle_s;
	gint64 session_max_s;
	gint64 lockout_failures;
	gint64 lockout_s;
} KjAccountPolicy;

void kj_account_policy_init(KjAccountPolicy *p);

/* Logins are 1-64 of [a-z0-9._-]; departments 1-100 bytes of UTF-8 text
 * without control characters. */
gboolean kj_account_login_valid(const char *login);
gboolean kj_account_department_valid(const char *dept);

/* Adds an account.  actor is who does it (audit).  email, if given, is
 * also entered in the mailbox directory under the account's department.
 * Roles that need a second factor get a pending TOTP secret at once,
 * returned in *totp_secret (base32, newly allocated; NULL if none): it
 * is confirmed by the first code (kj_account_totp_confirm). */
gboolean kj_account_add(KjDb *db, KjAudit *audit, const char *actor, const char *login,
			const char *display_name, KjRole role, const char *department,
			const char *email, const char *password, char **totp_secret,
			GError **error);
KjAccount *kj_account_get(KjDb *db, const char *login, GError **error);
/* All accounts, or those of one department (NULL = all), by login. */
GPtrArray *kj_account_list(KjDb *db, const char *department, GError **error);
/* Sets a new password and ends every session of the account. */
gboolean kj_account_set_password(KjDb *db, KjAudit *audit, const char *actor, const char *login,
				 const char *password, GError **error);
/* Checks the current password (for a change of one's own password). */
gboolean kj_account_check_password(KjDb *db, const char *login, const char *password,
				   GError **error);
/* Locks (disabled, every session ended) or unlocks (also clears failures). */
gboolean kj_account_set_locked(KjDb *db, KjAudit *audit, const char *actor, const char *login,
			       gboolean locked, GError **error);
/* Enters address in the mailbox directory: mail to it belongs to department. */
gboolean kj_account_mailbox_set(KjDb *db, KjAudit *audit, const char *actor, const char *address,
				const char *department, GError **error);

/* Login: password, then the one-time code if the account has a second
 * factor (or its role needs one).  Failures count towards the lockout;
 * a code already used (same or earlier time step) is refused as a
 * replay.  Every outcome is audited.  Returns the account on success. */
KjAccount *kj_account_authenticate(KjDb *db, KjAudit *audit, const KjAccountPolicy *policy,
				   const char *login, const char *password, const char *totp,
				   const char *client, gint64 now, GError **error);

/*
 * First-login enrolment.  When kj_account_authenticate() fails with
 * KJ_ACCOUNT_ERROR_TOTP_ENROL (right password, a role that needs a
 * second factor, only a pending secret), kj_account_enrol_begin() gives
 * an enrolment token (random, KJ_ACCOUNT_ENROL_TOKEN_S long, only its
 * SHA-256 stored, one per account, not a session) and the pending secret
 * (base32) to show.  kj_account_enrol_finish() takes the token and a code
 * made from the pending secret: the secret becomes active, the token is
 * used up, the code's step is consumed, and the login succeeds (audited
 * as a login); a wrong code counts towards the lockout like a login.
 * Call kj_account_enrol_begin() only right after that error for that login.
 */
gboolean kj_account_enrol_begin(KjDb *db, KjAudit *audit, const char *login, const char *client,
				gint64 now, char **token, char **secret_b32, gint64 *expires_unix,
				GError **error);
KjAccount *kj_account_enrol_finish(KjDb *db, KjAudit *audit, const KjAccountPolicy *policy,
				   const char *token, const char *code, const char *client,
				   gint64 now, GError **error);
/* Internal to the module (session.c): enrolment tokens. */
gboolean _kj_enrol_token_new(KjDb *db, const char *login, const char *client, gint64 now,
			     gint64 expires, char **token, GError **error);
/* The login of a token not expired at now, or NULL (no error set when
 * there is none: only a database failure sets error). */
char *_kj_enrol_token_login(KjDb *db, const char *token, gint64 now, GError **error);
/* Uses the token up: TRUE in *taken if this call removed it. */
gboolean _kj_enrol_token_take(KjDb *db, const char *token, gint64 now, gboolean *taken,
			      GError **error);

/*
 * TOTP (RFC 6238, SHA-1, 30 s, 6 digits; totp.c).
 */
/* Starts enrolment: a new pending secret (base32), replacing any pending one. */
gboolean kj_account_totp_begin(KjDb *db, KjAudit *audit, const char *actor, const char *login,
			       char **secret_b32, GError **error);
/* Confirms the pending secret with a code made from it; it becomes active. */
gboolean kj_account_totp_confirm(KjDb *db, KjAudit *audit, const char *actor, const char *login,
				 const char *code, gint64 now, GError **error);
/* Removes the second factor (administrators; refused for roles that need one
 * unless a new enrolment is begun at once, which this does: *secret_b32). */
gboolean kj_account_totp_reset(KjDb *db, KjAudit *audit, const char *actor, const char *login,
			       char **secret_b32, GError **error);
/* otpauth:// URI for an authenticator app; newly allocated. */
char *kj_account_totp_uri(const char *issuer, const char *login, const char *secret_b32);
/* The code of the active (or, if none, pending) secret at now: for
 * demonstrations and tests only; the CLI says so. */
char *kj_account_totp_code_now(KjDb *db, const char *login, gint64 now, GError **error);
/* Internal to the module: checks code against secret; *step receives the
 * matched time step. */
gboolean _kj_totp_check(const char *secret_b32, const char *code, gint64 now, gint64 *step);
/*
 * TOTP secrets at rest (seal.c): sealed with the data directory's
 * totp.key; values of older versions (plain base32) are read as they are
 * and sealed by kj_account_seal_secrets() (audited; *sealed: accounts).
 */
gboolean kj_account_seal_secrets(KjDb *db, KjAudit *audit, gint64 *sealed, GError **error);
char *_kj_secret_seal(KjDb *db, const char *plain, GError **error);
/* The secret of a stored value (sealed or not); NULL with error if it
 * does not open. */
char *_kj_secret_open(KjDb *db, const char *stored, GError **error);
gboolean _kj_secret_is_sealed(const char *stored);
/* The pending secret of login (base32, newly allocated), or NULL. */
char *_kj_totp_pending(KjDb *db, const char *login, GError **error);
char *_kj_totp_new_secret(void);

/*
 * Sessions (session.c).  The token is 32 random bytes in base64url, given
 * to the client only; the database keeps its SHA-256.  A session has a
 * CSRF token, an idle and an absolute lifetime.
 */
typedef struct {
	KjAccount *account;
	char *csrf;
	gint64 created_unix;
	gint64 last_unix;
} KjSession;

void kj_session_free(KjSession *s);
/* A new session for login; *token and *csrf newly allocated.  If
 * old_token is not NULL, that session is ended first (rotation at login:
 * a token planted before login never becomes valid). */
gboolean kj_session_create(KjDb *db, const char *login, const char *old_token, const char *client,
			   gint64 now, char **token, char **csrf, GError **error);
/* The live session of token, touching its idle timer; expired sessions
 * are removed and reported as KJ_ACCOUNT_ERROR_SESSION. */
KjSession *kj_session_check(KjDb *db, const KjAccountPolicy *policy, const char *token, gint64 now,
			    GError **error);
gboolean kj_session_end(KjDb *db, const char *token, GError **error);
gboolean kj_session_end_all(KjDb *db, const char *login, GError **error);
/* Removes every expired session; *removed (may be NULL) counts them. */
gboolean kj_session_sweep(KjDb *db, const KjAccountPolicy *policy, gint64 now, gint64 *removed,
			  GError **error);
/* Constant-time comparison of two NUL-terminated tokens. */
gboolean kj_session_token_equal(const char *a, const char *b);

/*
 * Authorization (authz.c): what each role may do, and over which
 * departments.  Objects outside an account's scope are reported as not
 * found by the front ends, so that ids cannot be probed.
 */
typedef enum {
	KJ_SCOPE_NONE, /* not allowed at all */
	KJ_SCOPE_OWN,  /* objects of the account's own department */
	KJ_SCOPE_ALL,  /* every department */
} KjScope;

/* The scope of action for role; unknown actions are KJ_SCOPE_NONE. */
KjScope kj_authz_scope(KjRole role, const char *action);
/* TRUE if the account may do action on an object of department
 * (NULL = an object without a department, which needs KJ_SCOPE_ALL
 * unless the action is department-free). */
gboolean kj_authz_allows(const KjAccount *a, const char *action, const char *department);
/* The actions, for documentation and tests: NULL-terminated. */
const char *const *kj_authz_actions(void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KjAccount, kj_account_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(KjSession, kj_session_free)

#endif
