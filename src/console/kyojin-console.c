/*++
 * NAME
 *	kyojin-console - the web console: JSON API and static front end
 * DESCRIPTION
 *	Where city staff and the security team meet kyojin in a browser:
 *	quarantined mail and release requests, PPAP archives, file exchange
 *	between segments, the governance ledger, the gateway's state and the
 *	audit trail.  One process: kyojin_console_main() reads the
 *	configuration, checks it (HTTPS unless bound to loopback), opens
 *	the store once to apply migrations, starts the HTTP server's thread
 *	pool and runs a GLib main loop that sweeps expired sessions and
 *	stops on SIGTERM or SIGINT.
 * SECURITY
 *	Talks to browsers (untrusted) over HTTPS, or HTTP on loopback only.
 *	Reads and writes the data directory (store, audit log); runs the CDR
 *	engine and archive opening in sandboxed workers.  Run it as the
 *	same unprivileged user as kyojind.
 * LIMITS
 *	console.* keys of kyojin.yaml (util/limits.h for defaults).
 * STANDARDS
 *	基本方針 2(12), 6(6), 6(7), 7, 8.
 * SEE ALSO
 *	server.c, docs/en/console.md.
 *--*/
#include "kj_build_config.h"

#include "console/console.h"

#include "cdr/cdr.h"
#include "sandbox/sandbox.h"

#include "util/limits.h"

#include <glib-unix.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_LISTEN "127.0.0.1:8443"

static KjConfig *load_config(const char *path, GError **error)
{
	g_autoptr(KjConfig) cfg = kj_config_new();
	if (!path)
		path = g_getenv("KYOJIN_CONFIG");
	if (path && !kj_config_load_file(cfg, path, error))
		return NULL;
	return g_steal_pointer(&cfg);
}

static char *default_www_dir(void)
{
	g_autofree char *src = g_build_filename(KJ_SOURCE_ROOT, "www", NULL);
	if (g_file_test(src, G_FILE_TEST_IS_DIR))
		return g_steal_pointer(&src);
	return g_strdup(KJ_INSTALLED_WWW_DIR);
}

static gboolean check_config(KjConsole *c, const char *listen, char **cert, char **key,
			     GError **error)
{
	const KjConfig *cfg = c->cfg;
	if (!!cfg->console_tls_cert != !!cfg->console_tls_key) {
		g_set_error(error, KJ_CONFIG_ERROR, KJ_CONFIG_ERROR_VALUE,
			    "console.tls_cert and console.tls_key go together");
		return FALSE;
	}
	if (cfg->console_session_idle_s > cfg->console_session_max_s) {
		g_set_error(error, KJ_CONFIG_ERROR, KJ_CONFIG_ERROR_VALUE,
			    "console.session_idle_s is longer than console.session_max_s");
		return FALSE;
	}
	if (cfg->console_tls_cert) {
		if (!g_file_get_contents(cfg->console_tls_cert, cert, NULL, error) ||
		    !g_file_get_contents(cfg->console_tls_key, key, NULL, error)) {
			g_prefix_error(error, "console TLS: ");
			return FALSE;
		}
		if (!strstr(*cert, "-----BEGIN CERTIFICATE-----") ||
		    !strstr(*key, "PRIVATE KEY-----")) {
			g_set_error(error, KJ_CONFIG_ERROR, KJ_CONFIG_ERROR_VALUE,
				    "console.tls_cert / console.tls_key: PEM certificate and key "
				    "expected");
			return FALSE;
		}
	}
	if (!kj_console_listen_check(listen, cfg->console_tls_cert != NULL, error))
		return FALSE;
	return kj_release_approvers_parse(cfg->console_approvers, c->approvers, error);
}

static gboolean on_term(gpointer loop)
{
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

static gboolean on_sweep(gpointer user_data)
{
	KjConsole *c = user_data;
	KjStoreOptions so = {.busy_timeout_ms = c->cfg->store_busy_timeout_ms};
	g_autoptr(GError) error = NULL;
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	g_autoptr(KjStore) store = kj_store_open(c->data_dir, &so, &error);
	g_autoptr(KjAudit) audit = store ? kj_audit_open(c->data_dir, NULL, &error) : NULL;
	/* Expired sessions go, and exchange files past their expiry are
	 * marked so even if nobody asks for them again. */
	if (store && audit &&
	    kj_session_sweep(kj_store_get_db(store), &c->policy, now, NULL, &error))
		kj_exchange_expire(store, audit, now, NULL, &error);
	if (error)
		g_warning("periodic sweep: %s", error->message);
	return G_SOURCE_CONTINUE;
}

static gboolean write_ready(const char *path, guint16 port, GError **error)
{
	g_autofree char *s = g_strdup_printf("%u\n", port);
	g_autofree char *tmp = g_strconcat(path, ".tmp", NULL);
	if (!g_file_set_contents(tmp, s, -1, error))
		return FALSE;
	if (rename(tmp, path) != 0) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot rename %s", tmp);
		return FALSE;
	}
	return TRUE;
}

static void console_clear(KjConsole *c)
{
	g_clear_pointer(&c->release.cdr_pool, kj_release_pool_free);
	g_clear_pointer(&c->release.ppap_pool, kj_release_pool_free);
	g_clear_pointer(&c->release.dlp_pool, kj_release_pool_free);
	if (c->approvers)
		g_hash_table_unref(c->approvers);
	if (c->rate) {
		g_hash_table_unref(c->rate);
		g_mutex_clear(&c->rate_lock);
	}
	g_free(c->cookie_name);
	g_free(c->www_dir);
	g_free(c->data_dir);
	kj_config_free(c->cfg);
	memset(c, 0, sizeof *c);
}

int main(int argc, char **argv)
{
	g_autofree char *opt_config = NULL, *opt_data_dir = NULL, *opt_ready = NULL;
	g_autofree char *opt_listen = NULL, *opt_www = NULL, *cert = NULL, *key = NULL;
	gboolean opt_check = FALSE, opt_version = FALSE;
	const GOptionEntry entries[] = {
	    {"config", 'c', 0, G_OPTION_ARG_FILENAME, &opt_config,
	     "configuration (default: $KYOJIN_CONFIG)", "FILE"},
	    {"data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &opt_data_dir,
	     "data directory (default: $KYOJIN_DATA_DIR, data_dir of the configuration, ./var)",
	     "DIR"},
	    {"listen", 'l', 0, G_OPTION_ARG_STRING, &opt_listen,
	     "override console.listen (port 0: any free port)", "ADDR:PORT"},
	    {"www-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_www, "override console.www_dir", "DIR"},
	    {"check-config", 0, 0, G_OPTION_ARG_NONE, &opt_check,
	     "check the configuration and exit (0 good, 3 bad)", NULL},
	    {"ready-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_ready,
	     "write the bound port here once listening", "FILE"},
	    {"version", 0, 0, G_OPTION_ARG_NONE, &opt_version, "print the version", NULL},
	    G_OPTION_ENTRY_NULL};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- kyojin's web console");
	g_autoptr(GError) error = NULL;
	KjConsole c = {0};

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "kyojin-console: %s\n", error->message);
		return 2;
	}
	if (opt_version) {
		printf("kyojin-console %s\n", KJ_VERSION);
		return 0;
	}
	c.cfg = load_config(opt_config, &error);
	if (!c.cfg) {
		fprintf(stderr, "kyojin-console: %s\n", error->message);
		return 3;
	}
	c.approvers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	const char *listen = opt_listen              ? opt_listen
			     : c.cfg->console_listen ? c.cfg->console_listen
						     : DEFAULT_LISTEN;
	if (!check_config(&c, listen, &cert, &key, &error)) {
		fprintf(stderr, "kyojin-console: %s\n", error->message);
		console_clear(&c);
		return 3;
	}
	if (opt_check) {
		printf("kyojin-console: configuration %s is good (%s on %s)\n",
		       opt_config ? opt_config : "(defaults)", cert ? "HTTPS" : "HTTP", listen);
		console_clear(&c);
		return 0;
	}
	c.data_dir = g_strdup(opt_data_dir                  ? opt_data_dir
			      : g_getenv("KYOJIN_DATA_DIR") ? g_getenv("KYOJIN_DATA_DIR")
			      : c.cfg->data_dir             ? c.cfg->data_dir
							    : "var");
	g_autofree char *www = g_strdup(opt_www                  ? opt_www
					: c.cfg->console_www_dir ? c.cfg->console_www_dir
								 : NULL);
	if (!www)
		www = default_www_dir();
	c.www_dir = realpath(www, NULL);
	if (!c.www_dir)
		g_message("no front end at %s: serving the API only", www);
	c.https = cert != NULL;
	c.cookie_name = g_strdup(c.https ? "__Host-kj_session" : "kj_session");
	c.policy.session_idle_s = c.cfg->console_session_idle_s;
	c.policy.session_max_s = c.cfg->console_session_max_s;
	c.policy.lockout_failures = c.cfg->console_lockout_failures;
	c.policy.lockout_s = c.cfg->console_lockout_s;
	kj_console_rate_init(&c);
	signal(SIGPIPE, SIG_IGN);

	/* Open once here: creates the data directory's store and applies
	 * migrations before any request thread opens its own connection. */
	if (g_mkdir_with_parents(c.data_dir, 0750) != 0) {
		fprintf(stderr, "kyojin-console: cannot create %s\n", c.data_dir);
		console_clear(&c);
		return 3;
	}
	{
		g_autoptr(KjStore) store = kj_store_open(c.data_dir, NULL, &error);
		g_autoptr(KjAudit) audit = store ? kj_audit_open(c.data_dir, NULL, &error) : NULL;
		gint64 sealed = 0;
		/* TOTP secrets of older versions, plain in the database, are
		 * sealed with the data directory's key (account/seal.c). */
		if (!store || !audit ||
		    !kj_account_seal_secrets(kj_store_get_db(store), audit, &sealed, &error)) {
			fprintf(stderr, "kyojin-console: %s\n", error->message);
			console_clear(&c);
			return 3;
		}
		if (sealed > 0)
			g_message("TOTP secrets of %" G_GINT64_FORMAT " accounts sealed", sealed);
	}
	/* Sandboxed workers are copies of this process: made now, before the
	 * HTTP threads exist (sandbox.h). */
	kj_cdr_global_init();
	c.release.approvers = c.approvers;
	c.release.cdr_pool = kj_release_pool_new((GDestroyNotify)kj_cdr_worker_free);
	c.release.ppap_pool = kj_release_pool_new((GDestroyNotify)kj_sandbox_free);
	c.release.dlp_pool = kj_release_pool_new((GDestroyNotify)kj_sandbox_free);
	/* console.workers of each kind: that many jobs of a kind at once. */
	for (gint64 i = 0; i < c.cfg->console_workers; i++) {
		kj_release_pool_add(c.release.cdr_pool,
				    kj_cdr_worker_new(NULL, KJ_CDR_ISOLATE_REUSE));
		kj_release_pool_add(c.release.ppap_pool, kj_release_ppap_sandbox_new());
		kj_release_pool_add(c.release.dlp_pool, kj_exchange_dlp_sandbox_new());
	}
	c.release.exchange_max_bytes = c.cfg->console_exchange_max_bytes;
	c.release.exchange_expiry_days = c.cfg->console_exchange_expiry_days;
	guint16 port = 0;
	struct MHD_Daemon *d = kj_console_start(&c, listen, cert, key, &port, &error);
	if (!d) {
		fprintf(stderr, "kyojin-console: %s\n", error->message);
		console_clear(&c);
		return 3;
	}
	g_message("listening on %s (port %u, %s)", listen, port, c.https ? "HTTPS" : "HTTP");
	if (opt_ready && !write_ready(opt_ready, port, &error)) {
		fprintf(stderr, "kyojin-console: %s\n", error->message);
		MHD_stop_daemon(d);
		console_clear(&c);
		return 3;
	}
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	g_unix_signal_add(SIGTERM, on_term, loop);
	g_unix_signal_add(SIGINT, on_term, loop);
	g_timeout_add_seconds(300, on_sweep, &c);
	g_main_loop_run(loop);
	MHD_stop_daemon(d);
	g_message("stopped");
	console_clear(&c);
	return 0;
}
