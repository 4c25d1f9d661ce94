/* console.h - what the files of kyojin-console share (see kyojin-console.c). */
#ifndef KJ_CONSOLE_CONSOLE_H
#define KJ_CONSOLE_CONSOLE_H

#include "account/account.h"
#include "audit/audit.h"
#include "config/config.h"
#include "release/release.h"
#include "store/store.h"

#include <glib.h>
#include <jansson.h>

struct MHD_Connection;

typedef struct {
	KjConfig *cfg;
	char *data_dir;
	char *www_dir; /* realpath of the static front end, or NULL if none */
	gboolean https;
	KjAccountPolicy policy;
	GHashTable *approvers;   /* department -> login (console.approvers) */
	char *cookie_name;       /* "__Host-kj_session" over HTTPS, "kj_session" on loopback HTTP */
	KjReleasePolicy release; /* approvers, long-lived CDR and PPAP workers, exchange limits */
	GMutex rate_lock;
	GHashTable *rate; /* client address -> RateEntry (ratelimit.c) */
} KjConsole;

/* One request, from the first byte of its body to the response. */
typedef struct {
	KjConsole *console;
	struct MHD_Connection *conn;
	const char *method;
	const char *path;
	char *params[4]; /* captured "*" segments of the route, percent-decoded */
	GByteArray *body;
	const char *content_type;
	char client[64]; /* peer address, for rate limits and the audit log */
	KjStore *store;  /* this thread's store and audit log */
	KjAudit *audit;
	KjSession *session; /* when logged in */
	char *token;        /* the session cookie as sent, or NULL */
	gint64 now;

	/* The response, set by the handler. */
	guint status;
	json_t *json;     /* a JSON body, or */
	GBytes *bytes;    /* a file body with */
	char *filename;   /* a download name (Content-Disposition: attachment) */
	const char *mime; /* its type */
	char *set_cookie; /* a Set-Cookie value */
} KjReq;

typedef void (*KjRouteFunc)(KjReq *r);

/* Route flags. */
enum {
	KJ_ROUTE_PUBLIC = 1 << 0,  /* no session needed (login) */
	KJ_ROUTE_UPLOAD = 1 << 1,  /* the body is a file (application/octet-stream) */
	KJ_ROUTE_NO_CSRF = 1 << 2, /* state change allowed without CSRF (login only) */
};

typedef struct {
	const char *method;
	const char *pattern; /* "/api/mail/ * /attachments": '*' is one segment */
	KjRouteFunc func;
	unsigned flags;
} KjRoute;

/* server.c */
struct MHD_Daemon;
/* Refuses plain HTTP on an address that is not loopback. */
gboolean kj_console_listen_check(const char *listen, gboolean https, GError **error);
/* Starts the server threads; *port receives the port bound. */
struct MHD_Daemon *kj_console_start(KjConsole *c, const char *listen, const char *cert_pem,
				    const char *key_pem, guint16 *port, GError **error);

/* http.c: responses and request helpers. */
void kj_req_json(KjReq *r, guint status, json_t *body); /* steals body */
void kj_req_error(KjReq *r, guint status, const char *code, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
/* Maps a GError of the library to a status and code. */
void kj_req_gerror(KjReq *r, const GError *error);
void kj_req_not_found(KjReq *r);
void kj_req_forbidden(KjReq *r);
/* The request body as a JSON object, or NULL after answering 400/415. */
json_t *kj_req_body_object(KjReq *r);
/* A query parameter (percent-decoded by the server), or NULL. */
const char *kj_req_query(KjReq *r, const char *name);
/* limit and cursor of a list request; FALSE after answering 400. */
gboolean kj_req_page_args(KjReq *r, gint64 *limit, const char **cursor);
/* Answers {"items": [...], "next_cursor": ...}; clears page. */
void kj_req_page(KjReq *r, KjPage *page);
/* TRUE if the session's account may do action on an object of department;
 * otherwise answers 403 (no scope at all) or 404 (outside scope) and FALSE. */
gboolean kj_req_allow(KjReq *r, const char *action, const char *department);
/* TRUE if the role has the action at all; otherwise answers 403. */
gboolean kj_req_allow_any(KjReq *r, const char *action);
const char *kj_req_actor(const KjReq *r); /* the session's login, for the audit log */
/* A string member of a JSON body, answering 400 when it is not acceptable. */
gboolean kj_req_string(KjReq *r, json_t *body, const char *key, gboolean required, gsize max,
		       gboolean multiline, const char **out);
/* An integer member, answering 400 when missing or not an integer. */
gboolean kj_req_int(KjReq *r, json_t *body, const char *key, gint64 *out);
/* Answers from a GError and frees it. */
void kj_req_fail(KjReq *r, GError *error);
/* A file download response. */
void kj_req_download(KjReq *r, GBytes *data, const char *filename, const char *mime);

/* validate.c: pure checks of untrusted request bytes (fuzzed). */
/* Parses a JSON object body: at most max bytes, depth KJ_CONSOLE_MAX_JSON_DEPTH,
 * valid UTF-8, no NUL; NULL with a message otherwise. */
json_t *kj_console_parse_json_object(const char *data, gsize len, gsize max, char **why);
/* Reads a string member: required or optional, at most max_len bytes,
 * no control characters except newline and tab when multiline. */
gboolean kj_console_get_string(json_t *obj, const char *key, gboolean required, gsize max_len,
			       gboolean multiline, const char **out, char **why);
/* The host[:port] of an Origin or Referer header, or NULL if not a URL. */
char *kj_console_origin_host(const char *origin);
/* A URL path below the static root, made safe: no "..", no hidden
 * segments, no backslash or NUL; "/" -> "index.html".  NULL if refused. */
char *kj_console_static_path(const char *url_path);
/* The type of a static file by its extension. */
const char *kj_console_mime_type(const char *path);
/* Content-Disposition value for a download name (RFC 6266, RFC 5987). */
char *kj_console_content_disposition(const char *filename);
/* The value of the media type without parameters, lower-cased; NULL if none. */
char *kj_console_media_type(const char *content_type);

/* ratelimit.c */
void kj_console_rate_init(KjConsole *c);
/* TRUE if one more login attempt from client is allowed now. */
gboolean kj_console_rate_allow(KjConsole *c, const char *client, gint64 now);

/* The routes of each area. */
extern const KjRoute kj_console_auth_routes[];
extern const KjRoute kj_console_mail_routes[];
extern const KjRoute kj_console_release_routes[];
extern const KjRoute kj_console_exchange_routes[];
extern const KjRoute kj_console_ledger_routes[];
extern const KjRoute kj_console_gateway_routes[];
extern const KjRoute kj_console_audit_routes[];
extern const KjRoute kj_console_accounts_routes[];

#endif
