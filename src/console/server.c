/*++
 * NAME
 *	server - the console's HTTP server: routing, bodies, headers, static files
 * DESCRIPTION
 *	libmicrohttpd with a pool of threads; each thread has its own store
 *	connection and audit log handle (SQLite connections are not shared
 *	between threads).  A request is matched against one route table;
 *	its body is read up to the route's limit (JSON forms: 64 KiB; file
 *	uploads: console.exchange_max_bytes), refusing a larger
 *	Content-Length before reading it.  Every route but login needs a
 *	session; every state change needs the session's CSRF token in
 *	X-CSRF-Token and, if the browser says where it comes from (Origin,
 *	Sec-Fetch-Site), the same origin.
 *
 *	Every response, API or static, carries the same security headers:
 *	a Content-Security-Policy without inline script or style, nosniff,
 *	no framing, no referrer; API answers are never cached.
 * SECURITY
 *	Runs as kyojin-console's user, reading requests from the network:
 *	everything in a request is untrusted.  Paths of static files are
 *	checked segment by segment and then resolved, and must stay under
 *	the www directory.  Objects are authorized per request by the
 *	handlers (account/authz.c).
 * LIMITS
 *	KJ_CONSOLE_MAX_JSON_BODY, console.exchange_max_bytes,
 *	console.max_connections, console.threads, connection timeout.
 * STANDARDS
 *	RFC 9110 (HTTP), RFC 6265 (cookies), CSP Level 3, Fetch Metadata.
 * SEE ALSO
 *	console.h, validate.c, auth.c.
 *--*/
#include "console/console.h"

#include "util/limits.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gio/gio.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const KjRoute *const route_tables[] = {
    kj_console_auth_routes,     kj_console_mail_routes,     kj_console_release_routes,
    kj_console_exchange_routes, kj_console_ledger_routes,   kj_console_gateway_routes,
    kj_console_audit_routes,    kj_console_accounts_routes,
};

#define STATIC_MAX_BYTES (16 * 1024 * 1024)

static const char csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; "
			  "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
			  "object-src 'none'; base-uri 'none'; form-action 'self'; "
			  "frame-ancestors 'none'";

typedef struct {
	KjStore *store;
	KjAudit *audit;
} ThreadRes;

static void thread_res_free(gpointer p)
{
	ThreadRes *t = p;
	kj_audit_free(t->audit);
	kj_store_free(t->store);
	g_free(t);
}

static GPrivate thread_res = G_PRIVATE_INIT(thread_res_free);

static ThreadRes *thread_resources(KjConsole *c, GError **error)
{
	ThreadRes *t = g_private_get(&thread_res);
	if (t)
		return t;
	KjStoreOptions so = {.max_blob_bytes = c->cfg->store_max_blob_bytes,
			     .busy_timeout_ms = c->cfg->store_busy_timeout_ms};
	KjAuditOptions ao = {.max_record_bytes = c->cfg->audit_max_record_bytes,
			     .lock_timeout_s = c->cfg->audit_lock_timeout_s};
	g_autoptr(KjStore) store = kj_store_open(c->data_dir, &so, error);
	if (!store)
		return NULL;
	g_autoptr(KjAudit) audit = kj_audit_open(c->data_dir, &ao, error);
	if (!audit)
		return NULL;
	t = g_new0(ThreadRes, 1);
	t->store = g_steal_pointer(&store);
	t->audit = g_steal_pointer(&audit);
	g_private_set(&thread_res, t);
	return t;
}

typedef struct {
	KjReq req;
	const KjRoute *route;
	gboolean method_mismatch;
	gsize max_body;
	gboolean too_large;
	gboolean answered;
} ConnState;

static void req_clear(KjReq *r)
{
	for (guint i = 0; i < G_N_ELEMENTS(r->params); i++)
		g_free(r->params[i]);
	if (r->body)
		g_byte_array_unref(r->body);
	kj_session_free(r->session);
	g_free(r->token);
	if (r->json)
		json_decref(r->json);
	if (r->bytes)
		g_bytes_unref(r->bytes);
	g_free(r->filename);
	g_free(r->set_cookie);
}

static gboolean match(const char *pattern, const char *path, char *params[4])
{
	g_auto(GStrv) ps = g_strsplit(pattern, "/", -1);
	g_auto(GStrv) xs = g_strsplit(path, "/", -1);
	guint n = 0;

	if (g_strv_length(ps) != g_strv_length(xs))
		return FALSE;
	for (guint i = 0; ps[i]; i++) {
		if (strcmp(ps[i], "*") == 0) {
			if (!*xs[i] || n >= 4)
				return FALSE;
			continue;
		}
		if (strcmp(ps[i], xs[i]) != 0)
			return FALSE;
	}
	for (guint i = 0; ps[i]; i++)
		if (strcmp(ps[i], "*") == 0)
			params[n++] = g_strdup(xs[i]);
	return TRUE;
}

static const KjRoute *find_route(const char *method, const char *path, char *params[4],
				 gboolean *method_mismatch)
{
	*method_mismatch = FALSE;
	for (gsize t = 0; t < G_N_ELEMENTS(route_tables); t++)
		for (const KjRoute *r = route_tables[t]; r->pattern; r++) {
			char *tmp[4] = {0};
			if (!match(r->pattern, path, tmp))
				continue;
			/* No HEAD on the API: a HEAD of a download would run
			 * (and audit) the download without delivering it. */
			if (strcmp(r->method, method) == 0) {
				memcpy(params, tmp, sizeof tmp);
				return r;
			}
			for (guint i = 0; i < 4; i++)
				g_free(tmp[i]);
			*method_mismatch = TRUE;
		}
	return NULL;
}

static gboolean state_changing(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

static void add_security_headers(KjReq *r, struct MHD_Response *resp, gboolean api)
{
	MHD_add_response_header(resp, "Content-Security-Policy", csp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
	MHD_add_response_header(resp, "Permissions-Policy",
				"camera=(), microphone=(), geolocation=(), payment=()");
	if (r->console->https)
		MHD_add_response_header(resp, "Strict-Transport-Security",
					"max-age=31536000; includeSubDomains");
	MHD_add_response_header(resp, "Cache-Control", api ? "no-store" : "no-cache");
	if (api)
		MHD_add_response_header(resp, "Pragma", "no-cache");
}

static enum MHD_Result respond(ConnState *st, gboolean api)
{
	KjReq *r = &st->req;
	struct MHD_Response *resp;

	if (r->bytes) {
		gsize n = 0;
		gpointer d = g_bytes_unref_to_data(r->bytes, &n);
		r->bytes = NULL;
		resp = MHD_create_response_from_buffer(n, d, MHD_RESPMEM_MUST_FREE);
		MHD_add_response_header(resp, "Content-Type",
					r->mime ? r->mime : "application/octet-stream");
		if (r->filename) {
			g_autofree char *cd = kj_console_content_disposition(r->filename);
			MHD_add_response_header(resp, "Content-Disposition", cd);
		}
	} else {
		if (!r->json)
			r->json = json_object();
		char *s = json_dumps(r->json, JSON_COMPACT);
		gsize n = s ? strlen(s) : 0;
		/* jansson allocates with malloc, which MUST_FREE releases. */
		static char empty[] = "";
		resp = MHD_create_response_from_buffer(
		    n, s ? s : empty, s ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
	}
	if (!resp)
		return MHD_NO;
	add_security_headers(r, resp, api);
	if (r->set_cookie)
		MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
	if (r->status == 401)
		MHD_add_response_header(resp, "WWW-Authenticate", "kyojin-session");
	if (r->status == 405)
		MHD_add_response_header(resp, "Allow", api ? "GET, POST" : "GET, HEAD");
	enum MHD_Result rc = MHD_queue_response(r->conn, r->status ? r->status : 200, resp);
	MHD_destroy_response(resp);
	st->answered = TRUE;
	return rc;
}

static void serve_static(KjReq *r, const char *url)
{
	if (!r->console->www_dir) {
		kj_req_error(r, 404, "not_found", "no front end installed (console.www_dir)");
		return;
	}
	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
		kj_req_error(r, 405, "method_not_allowed", "static files are read with GET");
		return;
	}
	g_autofree char *rel = kj_console_static_path(url);
	if (!rel) {
		kj_req_not_found(r);
		return;
	}
	g_autofree char *full = g_build_filename(r->console->www_dir, rel, NULL);
	g_autofree char *real = realpath(full, NULL);
	g_autofree char *prefix = g_strconcat(r->console->www_dir, "/", NULL);
	if (!real || !g_str_has_prefix(real, prefix) ||
	    !g_file_test(real, G_FILE_TEST_IS_REGULAR)) {
		kj_req_not_found(r);
		return;
	}
	char *data = NULL;
	gsize len = 0;
	if (!g_file_get_contents(real, &data, &len, NULL) || len > STATIC_MAX_BYTES) {
		g_free(data);
		kj_req_not_found(r);
		return;
	}
	r->status = 200;
	r->bytes = g_bytes_new_take(data, len);
	r->mime = kj_console_mime_type(real);
}

/* Origin and Fetch Metadata: a state change must come from this site. */
static gboolean same_origin(KjReq *r)
{
	const char *site = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Sec-Fetch-Site");
	if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0)
		return FALSE;
	const char *origin = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Origin");
	if (!origin)
		return TRUE;
	const char *host = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Host");
	g_autofree char *oh = kj_console_origin_host(origin);
	return oh && host && g_ascii_strcasecmp(oh, host) == 0;
}

static void dispatch(ConnState *st)
{
	KjReq *r = &st->req;
	GError *error = NULL;

	if (!st->route) {
		if (st->method_mismatch)
			kj_req_error(r, 405, "method_not_allowed", "method not allowed here");
		else
			kj_req_error(r, 404, "not_found", "no such API endpoint");
		return;
	}
	ThreadRes *t = thread_resources(r->console, &error);
	if (!t) {
		g_warning("store: %s", error->message);
		g_clear_error(&error);
		kj_req_error(r, 503, "unavailable", "the store cannot be opened");
		return;
	}
	r->store = t->store;
	r->audit = t->audit;
	if (state_changing(r->method) && !same_origin(r)) {
		kj_req_error(r, 403, "origin", "cross-site request refused");
		return;
	}
	const char *cookie =
	    MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, r->console->cookie_name);
	r->token = cookie ? g_strdup(cookie) : NULL;
	if (!(st->route->flags & KJ_ROUTE_PUBLIC)) {
		r->session = kj_session_check(kj_store_get_db(r->store), &r->console->policy,
					      r->token, r->now, &error);
		if (!r->session) {
			if (!g_error_matches(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_SESSION))
				g_warning("session: %s", error->message);
			kj_req_error(r, 401, "unauthenticated", "%s", error->message);
			g_clear_error(&error);
			return;
		}
		if (state_changing(r->method) && !(st->route->flags & KJ_ROUTE_NO_CSRF)) {
			const char *csrf =
			    MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-CSRF-Token");
			if (!kj_session_token_equal(csrf, r->session->csrf)) {
				kj_req_error(r, 403, "csrf",
					     "missing or wrong X-CSRF-Token header");
				return;
			}
		}
	}
	if (st->route->flags & KJ_ROUTE_UPLOAD) {
		g_autofree char *mt = kj_console_media_type(r->content_type);
		if (!mt || strcmp(mt, "application/octet-stream") != 0) {
			kj_req_error(r, 415, "unsupported_media_type",
				     "upload the file as application/octet-stream");
			return;
		}
	}
	st->route->func(r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	KjConsole *c = cls;
	ConnState *st = *con_cls;
	gboolean api = g_str_has_prefix(url, "/api/") || strcmp(url, "/api") == 0;

	if (!st) {
		st = g_new0(ConnState, 1);
		*con_cls = st;
		KjReq *r = &st->req;
		r->console = c;
		r->conn = conn;
		r->method = method;
		r->path = url;
		r->now = g_get_real_time() / G_USEC_PER_SEC;
		r->content_type =
		    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		if (ci && ci->client_addr) {
			const struct sockaddr *sa = ci->client_addr;
			if (sa->sa_family == AF_INET)
				inet_ntop(AF_INET,
					  &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
					  r->client, sizeof r->client);
			else if (sa->sa_family == AF_INET6)
				inet_ntop(
				    AF_INET6,
				    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
				    r->client, sizeof r->client);
		}
		if (api)
			st->route = find_route(method, url, r->params, &st->method_mismatch);
		st->max_body = 0;
		if (st->route && state_changing(method))
			st->max_body = (st->route->flags & KJ_ROUTE_UPLOAD)
					   ? (gsize)c->cfg->console_exchange_max_bytes
					   : KJ_CONSOLE_MAX_JSON_BODY;
		const char *cl =
		    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		if (cl) {
			char *end = NULL;
			errno = 0;
			guint64 n = g_ascii_strtoull(cl, &end, 10);
			if (errno || end == cl || *end || n > st->max_body)
				st->too_large = n > 0 || errno || end == cl;
		}
		if (!api && state_changing(method)) {
			kj_req_error(r, 405, "method_not_allowed",
				     "static files are read with GET");
			return respond(st, FALSE);
		}
		if (st->too_large) {
			kj_req_error(r, 413, "too_large",
				     "request body larger than %" G_GSIZE_FORMAT " bytes",
				     st->max_body);
			return respond(st, TRUE);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		KjReq *r = &st->req;
		if (!st->too_large) {
			gsize have = r->body ? r->body->len : 0;
			if (have + *upload_data_size > st->max_body) {
				st->too_large = TRUE;
				if (r->body) {
					g_byte_array_unref(r->body);
					r->body = NULL;
				}
			} else {
				if (!r->body)
					r->body = g_byte_array_new();
				g_byte_array_append(r->body, (const guint8 *)upload_data,
						    (guint)*upload_data_size);
			}
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (st->answered)
		return MHD_YES;
	KjReq *r = &st->req;
	if (st->too_large)
		kj_req_error(r, 413, "too_large",
			     "request body larger than %" G_GSIZE_FORMAT " bytes", st->max_body);
	else if (api)
		dispatch(st);
	else
		serve_static(r, url);
	return respond(st, api);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	ConnState *st = *con_cls;
	if (!st)
		return;
	req_clear(&st->req);
	g_free(st);
	*con_cls = NULL;
}

static gboolean parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len,
			     gboolean *loopback, GError **error)
{
	g_autofree char *host = NULL;
	const char *colon = strrchr(listen, ':');
	char *end = NULL;

	if (!colon)
		goto bad;
	guint64 port = g_ascii_strtoull(colon + 1, &end, 10);
	if (end == colon + 1 || *end || port > 65535)
		goto bad;
	host = g_strndup(listen, (gsize)(colon - listen));
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		char *h = g_strndup(host + 1, strlen(host) - 2);
		g_free(host);
		host = h;
	}
	memset(ss, 0, sizeof *ss);
	struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)ss;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*len = sizeof *s4;
		*loopback = (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
		return TRUE;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof *s6;
		*loopback = IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
		return TRUE;
	}
bad:
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
		    "console.listen '%s': give a numeric ADDRESS:PORT, e.g. 127.0.0.1:8443",
		    listen);
	return FALSE;
}

gboolean kj_console_listen_check(const char *listen, gboolean https, GError **error)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	gboolean loopback = FALSE;
	if (!parse_listen(listen, &ss, &len, &loopback, error))
		return FALSE;
	if (!https && !loopback) {
		g_set_error(
		    error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
		    "console.listen %s is not loopback: plain HTTP would send passwords "
		    "and session cookies in clear (基本方針 6(6)); set console.tls_cert and "
		    "console.tls_key",
		    listen);
		return FALSE;
	}
	return TRUE;
}

static guint16 bound_port(struct MHD_Daemon *d)
{
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	return di ? di->port : 0;
}

struct MHD_Daemon *kj_console_start(KjConsole *c, const char *listen, const char *cert_pem,
				    const char *key_pem, guint16 *port, GError **error)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	gboolean loopback = FALSE;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;

	if (!parse_listen(listen, &ss, &len, &loopback, error) ||
	    !kj_console_listen_check(listen, cert_pem != NULL, error))
		return NULL;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (cert_pem)
		flags |= MHD_USE_TLS;
	struct MHD_OptionItem opts[] = {
	    {MHD_OPTION_SOCK_ADDR, 0, &ss},
	    {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL},
	    {MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)c->cfg->console_threads, NULL},
	    {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)c->cfg->console_max_connections, NULL},
	    {MHD_OPTION_CONNECTION_TIMEOUT, KJ_CONSOLE_CONNECTION_TIMEOUT_DEFAULT, NULL},
	    {MHD_OPTION_CONNECTION_MEMORY_LIMIT, 128 * 1024, NULL},
	    {cert_pem ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, (void *)(uintptr_t)cert_pem},
	    {cert_pem ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, (void *)(uintptr_t)key_pem},
	    {MHD_OPTION_END, 0, NULL},
	};
	struct MHD_Daemon *d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, c,
						MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (!d) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "cannot listen on %s%s (address in use, or TLS key and certificate "
			    "do not match?)",
			    listen, cert_pem ? " with TLS" : "");
		return NULL;
	}
	*port = bound_port(d);
	return d;
}
