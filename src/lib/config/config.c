/*++
 * NAME
 *	config - kyojin.yaml parser and the table of tunable settings
 * DESCRIPTION
 *	A configuration is a YAML mapping whose nested keys name settings
 *	("audit: {lock_timeout_s: 5}" sets audit.lock_timeout_s).  Every
 *	setting has a row in the table below with its type, range and
 *	default; a key not in the table is an error rather than silently
 *	ignored, because a misspelt limit is a limit not applied.
 *
 *	The library parses a file the front end names; it never decides on
 *	its own which file to read (STYLE: the library reads no config
 *	files of its own accord).
 * SECURITY
 *	Runs in the CLI, daemon and console at start-up, before privileges
 *	are dropped.  The file is written by the operator, but it is still
 *	parsed defensively: size and depth limits, no YAML aliases (which
 *	could make a walk exponential), every value range-checked.
 * LIMITS
 *	KJ_CONFIG_MAX_BYTES, KJ_CONFIG_MAX_DEPTH.
 * STANDARDS
 *	YAML 1.1 via libyaml.  Errors name file, line, column and key.
 * SEE ALSO
 *	util/limits.h for the meaning of each limit.
 *--*/
#include "config/config.h"

#include "util/fs.h"
#include "util/limits.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

G_DEFINE_QUARK(kj - config - error - quark, kj_config_error)

typedef enum { KT_INT, KT_STRING } KeyType;

typedef struct {
	const char *key;
	KeyType type;
	size_t offset;
	gint64 min, max, def;
	const char *summary;
} KeyDef;

#define INT_KEY(k, field, lo, hi, d, s)                                                            \
	{                                                                                          \
		k, KT_INT, offsetof(KjConfig, field), lo, hi, d, s                                 \
	}
#define STR_KEY(k, field, s)                                                                       \
	{                                                                                          \
		k, KT_STRING, offsetof(KjConfig, field), 0, 0, 0, s                                \
	}

static const KeyDef key_table[] = {
    STR_KEY("data_dir", data_dir, "directory of the store, database and audit log"),
    INT_KEY("audit.max_record_bytes", audit_max_record_bytes, KJ_AUDIT_MAX_RECORD_MIN,
	    KJ_AUDIT_MAX_RECORD_CEILING, KJ_AUDIT_MAX_RECORD_DEFAULT,
	    "longest audit record line in bytes"),
    INT_KEY("audit.lock_timeout_s", audit_lock_timeout_s, 1, KJ_AUDIT_LOCK_TIMEOUT_CEILING,
	    KJ_AUDIT_LOCK_TIMEOUT_DEFAULT, "seconds to wait for the audit log lock"),
    INT_KEY("store.max_blob_bytes", store_max_blob_bytes, KJ_STORE_MAX_BLOB_MIN,
	    KJ_STORE_MAX_BLOB_CEILING, KJ_STORE_MAX_BLOB_DEFAULT,
	    "largest blob the store accepts in bytes"),
    INT_KEY("store.busy_timeout_ms", store_busy_timeout_ms, 1, KJ_STORE_BUSY_TIMEOUT_CEILING,
	    KJ_STORE_BUSY_TIMEOUT_DEFAULT, "milliseconds to wait on a locked database"),
    INT_KEY("store.temp_stale_s", store_temp_stale_s, 60, KJ_STORE_TEMP_STALE_CEILING,
	    KJ_STORE_TEMP_STALE_DEFAULT,
	    "seconds after which fsck reports a temporary file as left over"),
    INT_KEY("mail.max_message_bytes", mail_max_message_bytes, KJ_MAIL_MAX_MESSAGE_MIN,
	    KJ_MAIL_MAX_MESSAGE_CEILING, KJ_MAIL_MAX_MESSAGE_DEFAULT,
	    "largest message the sanitizer accepts in bytes; larger is held"),
    INT_KEY("mail.max_header_count", mail_max_header_count, 10, KJ_MAIL_MAX_HEADER_COUNT_CEILING,
	    KJ_MAIL_MAX_HEADER_COUNT_DEFAULT,
	    "most header fields in one header block; more is held"),
    INT_KEY("mail.max_header_bytes", mail_max_header_bytes, KJ_MAIL_MAX_HEADER_BYTES_MIN,
	    KJ_MAIL_MAX_HEADER_BYTES_CEILING, KJ_MAIL_MAX_HEADER_BYTES_DEFAULT,
	    "longest header field in bytes; longer is held"),
    INT_KEY("mail.max_mime_depth", mail_max_mime_depth, 2, KJ_MAIL_MAX_DEPTH_CEILING,
	    KJ_MAIL_MAX_DEPTH_DEFAULT,
	    "deepest MIME nesting (incl. message/rfc822); deeper is held"),
    INT_KEY("mail.max_parts", mail_max_parts, 1, KJ_MAIL_MAX_PARTS_CEILING,
	    KJ_MAIL_MAX_PARTS_DEFAULT, "most MIME parts in one message; more is held"),
    INT_KEY("mail.max_decoded_bytes", mail_max_decoded_bytes, KJ_MAIL_MAX_DECODED_MIN,
	    KJ_MAIL_MAX_DECODED_CEILING, KJ_MAIL_MAX_DECODED_DEFAULT,
	    "most decoded bytes over all parts of a message; more is held"),
    INT_KEY("mail.html_max_depth", mail_html_max_depth, 8, KJ_MAIL_HTML_MAX_DEPTH_CEILING,
	    KJ_MAIL_HTML_MAX_DEPTH_DEFAULT,
	    "deepest HTML nesting converted to text; deeper is held"),
    INT_KEY("mail.html_max_nodes", mail_html_max_nodes, 100, KJ_MAIL_HTML_MAX_NODES_CEILING,
	    KJ_MAIL_HTML_MAX_NODES_DEFAULT, "most HTML nodes converted to text; more is held"),
    INT_KEY("dlp.keyword_window", dlp_keyword_window, 0, KJ_DLP_KEYWORD_WINDOW_CEILING,
	    KJ_DLP_KEYWORD_WINDOW_DEFAULT,
	    "characters searched beside a personal number for a keyword (個人番号 ...)"),
    INT_KEY("dlp.max_text_bytes", dlp_max_text_bytes, 64 * 1024, KJ_DLP_MAX_TEXT_CEILING,
	    KJ_DLP_MAX_TEXT_DEFAULT, "most text scanned per file or member; more is unreadable"),
    INT_KEY("dlp.archive_max_total_bytes", dlp_archive_max_total, 1024 * 1024,
	    KJ_DLP_ARCHIVE_MAX_TOTAL_CEILING, KJ_DLP_ARCHIVE_MAX_TOTAL_DEFAULT,
	    "most expanded archive bytes scanned per file; more is unreadable"),
    INT_KEY("dlp.archive_max_entries", dlp_archive_max_entries, 1,
	    KJ_DLP_ARCHIVE_MAX_ENTRIES_CEILING, KJ_DLP_ARCHIVE_MAX_ENTRIES_DEFAULT,
	    "most archive members scanned per file; more is unreadable"),
    INT_KEY("dlp.archive_max_depth", dlp_archive_max_depth, 0, KJ_DLP_ARCHIVE_MAX_DEPTH_CEILING,
	    KJ_DLP_ARCHIVE_MAX_DEPTH_DEFAULT, "deepest archive nesting scanned"),
    INT_KEY("cdr.max_input_bytes", cdr_max_input_bytes, 1024 * 1024, KJ_CDR_MAX_INPUT_CEILING,
	    KJ_CDR_MAX_INPUT_DEFAULT, "largest file 'file sanitize' accepts; larger is held"),
    INT_KEY("cdr.max_output_bytes", cdr_max_output_bytes, 1024 * 1024, KJ_CDR_MAX_OUTPUT_CEILING,
	    KJ_CDR_MAX_OUTPUT_DEFAULT, "largest sanitized file; larger is held"),
    INT_KEY("cdr.archive_max_entries", cdr_archive_max_entries, 1,
	    KJ_CDR_ARCHIVE_MAX_ENTRIES_CEILING, KJ_CDR_ARCHIVE_MAX_ENTRIES_DEFAULT,
	    "most entries in one archive; more is held"),
    INT_KEY("cdr.archive_max_total_bytes", cdr_archive_max_total_bytes, 1024 * 1024,
	    KJ_CDR_ARCHIVE_MAX_TOTAL_CEILING, KJ_CDR_ARCHIVE_MAX_TOTAL_DEFAULT,
	    "most expanded bytes of an archive and its nested archives; more is held"),
    INT_KEY("cdr.archive_max_ratio", cdr_archive_max_ratio, 10, KJ_CDR_ARCHIVE_MAX_RATIO_CEILING,
	    KJ_CDR_ARCHIVE_MAX_RATIO_DEFAULT,
	    "largest expansion ratio of an archive (zip bomb); more is held"),
    INT_KEY("cdr.archive_max_depth", cdr_archive_max_depth, 1, KJ_CDR_ARCHIVE_MAX_DEPTH_CEILING,
	    KJ_CDR_ARCHIVE_MAX_DEPTH_DEFAULT, "deepest archive nesting; deeper is held"),
    INT_KEY("cdr.pdf_dpi", cdr_pdf_dpi, KJ_CDR_PDF_DPI_MIN, KJ_CDR_PDF_DPI_CEILING,
	    KJ_CDR_PDF_DPI_DEFAULT, "PDF pixel mode: resolution pages are rendered at"),
    INT_KEY("cdr.pdf_max_pages", cdr_pdf_max_pages, 1, KJ_CDR_PDF_MAX_PAGES_CEILING,
	    KJ_CDR_PDF_MAX_PAGES_DEFAULT, "most pages of one PDF; more is held"),
    INT_KEY("cdr.pdf_max_pixels", cdr_pdf_max_pixels, 1000 * 1000, KJ_CDR_PDF_MAX_PIXELS_CEILING,
	    KJ_CDR_PDF_MAX_PIXELS_DEFAULT,
	    "most pixels of one rendered page; larger pages are rendered coarser, then held"),
    INT_KEY("cdr.image_max_dim", cdr_image_max_dim, 16, KJ_CDR_IMAGE_MAX_DIM_CEILING,
	    KJ_CDR_IMAGE_MAX_DIM_DEFAULT, "widest or tallest image in pixels; larger is held"),
    INT_KEY("cdr.image_max_pixels", cdr_image_max_pixels, 256, KJ_CDR_IMAGE_MAX_PIXELS_CEILING,
	    KJ_CDR_IMAGE_MAX_PIXELS_DEFAULT, "most pixels of one image; larger is held"),
    INT_KEY("cdr.convert_timeout_s", cdr_convert_timeout_s, 1, KJ_CDR_CONVERT_TIMEOUT_S_CEILING,
	    KJ_CDR_CONVERT_TIMEOUT_S_DEFAULT,
	    "seconds the legacy Office converter may run; then it is killed and the file held"),
    INT_KEY("cdr.convert_memory_bytes", cdr_convert_memory_bytes, KJ_CDR_CONVERT_MEMORY_MIN,
	    KJ_CDR_CONVERT_MEMORY_CEILING, KJ_CDR_CONVERT_MEMORY_DEFAULT,
	    "address space of the legacy Office converter process"),
    STR_KEY("smtp.listen", smtp_listen, "kyojind: address:port to listen on (127.0.0.1:2525)"),
    STR_KEY("smtp.hostname", smtp_hostname, "kyojind: name in the greeting and Received:"),
    STR_KEY("smtp.allowed_networks", smtp_allowed_networks,
	    "kyojind: client networks allowed to connect, comma-separated CIDRs"),
    STR_KEY("smtp.tls_cert", smtp_tls_cert,
	    "kyojind: PEM certificate chain for STARTTLS (with smtp.tls_key)"),
    STR_KEY("smtp.tls_key", smtp_tls_key, "kyojind: PEM private key for STARTTLS"),
    INT_KEY("smtp.max_line_bytes", smtp_max_line_bytes, KJ_SMTP_MAX_LINE_MIN,
	    KJ_SMTP_MAX_LINE_CEILING, KJ_SMTP_MAX_LINE_DEFAULT,
	    "longest SMTP command line; longer is 500 5.5.6"),
    INT_KEY("smtp.max_recipients", smtp_max_recipients, 1, KJ_SMTP_MAX_RCPT_CEILING,
	    KJ_SMTP_MAX_RCPT_DEFAULT, "most recipients per message; more is 452 4.5.3"),
    INT_KEY("smtp.max_message_bytes", smtp_max_message_bytes, KJ_SMTP_MAX_MESSAGE_MIN,
	    KJ_SMTP_MAX_MESSAGE_CEILING, KJ_SMTP_MAX_MESSAGE_DEFAULT,
	    "largest message accepted over SMTP (SIZE); larger is 552 5.3.4"),
    INT_KEY("smtp.max_errors", smtp_max_errors, 1, KJ_SMTP_MAX_ERRORS_CEILING,
	    KJ_SMTP_MAX_ERRORS_DEFAULT, "refused commands before 421 and close"),
    INT_KEY("smtp.max_connections", smtp_max_connections, 1, KJ_SMTP_MAX_CONNECTIONS_CEILING,
	    KJ_SMTP_MAX_CONNECTIONS_DEFAULT, "concurrent SMTP connections; more get 421"),
    INT_KEY("smtp.command_timeout_s", smtp_command_timeout_s, 1, KJ_SMTP_TIMEOUT_CEILING,
	    KJ_SMTP_COMMAND_TIMEOUT_DEFAULT, "seconds to wait for an SMTP command"),
    INT_KEY("smtp.data_timeout_s", smtp_data_timeout_s, 1, KJ_SMTP_TIMEOUT_CEILING,
	    KJ_SMTP_DATA_TIMEOUT_DEFAULT, "seconds to wait for more bytes inside DATA"),
    INT_KEY("smtp.min_data_rate", smtp_min_data_rate, 1, KJ_SMTP_MIN_DATA_RATE_CEILING,
	    KJ_SMTP_MIN_DATA_RATE_DEFAULT,
	    "bytes a second a client must keep up inside DATA (slow-drip bound)"),
    INT_KEY("gateway.workers", gateway_workers, 1, KJ_GATEWAY_WORKERS_CEILING,
	    KJ_GATEWAY_WORKERS_DEFAULT, "kyojind: sandboxed sanitizer workers"),
    INT_KEY("gateway.io_threads", gateway_io_threads, 1, KJ_GATEWAY_IO_THREADS_CEILING,
	    KJ_GATEWAY_IO_THREADS_DEFAULT,
	    "kyojind: threads in each disk pool (spool, record, deliver)"),
    STR_KEY("gateway.delivery", gateway_delivery,
	    "kyojind: 'maildir' (default) or 'smtp' (to gateway.relay)"),
    STR_KEY("gateway.maildir", gateway_maildir, "kyojind: Maildir (default DATA_DIR/maildir)"),
    STR_KEY("gateway.relay", gateway_relay, "kyojind: LGWAN relay host:port for smtp delivery"),
    STR_KEY("gateway.profile", gateway_profile, "kyojind: built-in mail profile (default)"),
    STR_KEY("gateway.notify_held", gateway_notify_held,
	    "kyojind: 'sender' sends a delivery-status notice to the sender of a held message;"
	    " 'none' (default) sends none"),
    STR_KEY("gateway.user", gateway_user,
	    "kyojind: user to run as after binding when started as root (kyojin)"),
    STR_KEY("gateway.metrics_listen", gateway_metrics_listen,
	    "kyojind: address:port for Prometheus counters (off when not set)"),
    INT_KEY("gateway.retry_initial_s", gateway_retry_initial_s, 1, KJ_GATEWAY_TIME_CEILING,
	    KJ_GATEWAY_RETRY_INITIAL_DEFAULT, "first delivery retry delay, doubling after"),
    INT_KEY("gateway.retry_max_s", gateway_retry_max_s, 1, KJ_GATEWAY_TIME_CEILING,
	    KJ_GATEWAY_RETRY_MAX_DEFAULT, "longest delivery retry delay"),
    INT_KEY("gateway.max_queue_lifetime_s", gateway_max_queue_lifetime_s, 1,
	    KJ_GATEWAY_TIME_CEILING, KJ_GATEWAY_LIFETIME_DEFAULT,
	    "seconds a message may stay undelivered before it is held"),
    INT_KEY("gateway.max_queue_messages", gateway_max_queue_messages, 1,
	    KJ_GATEWAY_MAX_QUEUE_CEILING, KJ_GATEWAY_MAX_QUEUE_DEFAULT,
	    "undelivered messages before MAIL gets 452 4.3.1"),
    INT_KEY("gateway.min_free_bytes", gateway_min_free_bytes, 0, KJ_GATEWAY_MIN_FREE_CEILING,
	    KJ_GATEWAY_MIN_FREE_DEFAULT, "free disk bytes kept; below it MAIL gets 452 4.3.1"),
    INT_KEY("ledger.ppc_preliminary_days", ledger_ppc_preliminary_days, 1, KJ_LEDGER_DAYS_CEILING,
	    KJ_LEDGER_PPC_PRELIMINARY_DAYS_DEFAULT,
	    "days from discovery to the preliminary report to the PPC (速報)"),
    INT_KEY("ledger.ppc_final_days", ledger_ppc_final_days, 1, KJ_LEDGER_DAYS_CEILING,
	    KJ_LEDGER_PPC_FINAL_DAYS_DEFAULT,
	    "days from discovery to the final report to the PPC (確報)"),
    INT_KEY("ledger.due_horizon_days", ledger_due_horizon_days, 1, KJ_LEDGER_DAYS_CEILING,
	    KJ_LEDGER_DUE_HORIZON_DEFAULT, "days ahead that 'kyojin ledger due' looks"),
    STR_KEY("console.listen", console_listen,
	    "kyojin-console: address:port (127.0.0.1:8443); plain HTTP only on loopback"),
    STR_KEY("console.tls_cert", console_tls_cert,
	    "kyojin-console: PEM certificate chain for HTTPS (with console.tls_key)"),
    STR_KEY("console.tls_key", console_tls_key, "kyojin-console: PEM private key for HTTPS"),
    STR_KEY("console.www_dir", console_www_dir,
	    "kyojin-console: directory of the static front end (default: the installed one)"),
    STR_KEY("console.approvers", console_approvers,
	    "kyojin-console: 'department=login, ...': who approves for a department "
	    "(default: any approver of the department)"),
    STR_KEY("console.gateway_metrics", console_gateway_metrics,
	    "kyojin-console: kyojind's gateway.metrics_listen, read for worker health"),
    INT_KEY("console.session_idle_s", console_session_idle_s, 60, KJ_CONSOLE_SESSION_CEILING,
	    KJ_CONSOLE_SESSION_IDLE_DEFAULT, "seconds without a request before a session ends"),
    INT_KEY("console.session_max_s", console_session_max_s, 60, KJ_CONSOLE_SESSION_CEILING,
	    KJ_CONSOLE_SESSION_MAX_DEFAULT, "seconds after login when a session ends regardless"),
    INT_KEY("console.lockout_failures", console_lockout_failures, 1,
	    KJ_CONSOLE_LOCKOUT_FAILURES_CEILING, KJ_CONSOLE_LOCKOUT_FAILURES_DEFAULT,
	    "failed logins in a row that lock an account"),
    INT_KEY("console.lockout_s", console_lockout_s, 1, KJ_CONSOLE_LOCKOUT_CEILING,
	    KJ_CONSOLE_LOCKOUT_DEFAULT, "seconds an account stays locked after too many failures"),
    INT_KEY("console.login_rate_per_min", console_login_rate_per_min, 1,
	    KJ_CONSOLE_LOGIN_RATE_CEILING, KJ_CONSOLE_LOGIN_RATE_DEFAULT,
	    "login attempts per client address per minute; more get 429"),
    INT_KEY("console.exchange_max_bytes", console_exchange_max_bytes, 1024,
	    KJ_CONSOLE_EXCHANGE_MAX_CEILING, KJ_CONSOLE_EXCHANGE_MAX_DEFAULT,
	    "largest file uploaded for exchange between segments; larger is 413"),
    INT_KEY("console.workers", console_workers, 1, KJ_CONSOLE_WORKERS_CEILING,
	    KJ_CONSOLE_WORKERS_DEFAULT,
	    "sandboxed CDR, PPAP and personal-number workers of each kind: jobs at once"),
    INT_KEY("console.exchange_expiry_days", console_exchange_expiry_days, 1,
	    KJ_CONSOLE_EXCHANGE_EXPIRY_CEILING, KJ_CONSOLE_EXCHANGE_EXPIRY_DEFAULT,
	    "days an exchanged file stays downloadable after approval"),
    INT_KEY("console.max_connections", console_max_connections, 1,
	    KJ_CONSOLE_MAX_CONNECTIONS_CEILING, KJ_CONSOLE_MAX_CONNECTIONS_DEFAULT,
	    "concurrent HTTP connections to the console"),
    INT_KEY("console.threads", console_threads, 1, KJ_CONSOLE_THREADS_CEILING,
	    KJ_CONSOLE_THREADS_DEFAULT, "request handler threads of the console"),
};

static KjConfigKeyInfo *key_infos;

const KjConfigKeyInfo *kj_config_keys(void)
{
	static gsize once;

	if (g_once_init_enter(&once)) {
		KjConfigKeyInfo *k = g_new0(KjConfigKeyInfo, G_N_ELEMENTS(key_table) + 1);
		for (gsize i = 0; i < G_N_ELEMENTS(key_table); i++) {
			k[i].key = key_table[i].key;
			k[i].type = key_table[i].type == KT_INT ? "integer" : "string";
			k[i].summary = key_table[i].summary;
			k[i].min = key_table[i].min;
			k[i].max = key_table[i].max;
		}
		key_infos = k;
		g_once_init_leave(&once, 1);
	}
	return key_infos;
}

static gint64 *int_field(KjConfig *cfg, const KeyDef *d)
{
	return (gint64 *)(void *)((char *)cfg + d->offset);
}

static char **str_field(KjConfig *cfg, const KeyDef *d)
{
	return (char **)(void *)((char *)cfg + d->offset);
}

KjConfig *kj_config_new(void)
{
	KjConfig *cfg = g_new0(KjConfig, 1);

	for (gsize i = 0; i < G_N_ELEMENTS(key_table); i++)
		if (key_table[i].type == KT_INT)
			*int_field(cfg, &key_table[i]) = key_table[i].def;
	return cfg;
}

void kj_config_free(KjConfig *cfg)
{
	if (cfg == NULL)
		return;
	for (gsize i = 0; i < G_N_ELEMENTS(key_table); i++)
		if (key_table[i].type == KT_STRING)
			g_free(*str_field(cfg, &key_table[i]));
	g_free(cfg->path);
	g_free(cfg);
}

char *kj_config_get_string(const KjConfig *cfg, const char *key)
{
	for (gsize i = 0; i < G_N_ELEMENTS(key_table); i++) {
		const KeyDef *d = &key_table[i];
		if (strcmp(d->key, key) != 0)
			continue;
		const char *field = (const char *)cfg + d->offset;
		if (d->type == KT_INT)
			return g_strdup_printf("%" G_GINT64_FORMAT,
					       *(const gint64 *)(const void *)field);
		return g_strdup(*(char *const *)(const void *)field);
	}
	return NULL;
}

/* Parsing state: one libyaml parser, the name for messages, and the keys
 * seen so far (a duplicate key is an error, not "last one wins"). */
typedef struct {
	yaml_parser_t parser;
	const char *name;
	KjConfig *cfg;
	GHashTable *seen;
} Ctx;

static gboolean fail_at(Ctx *c, yaml_mark_t m, GError **error, int code, const char *fmt, ...)
    G_GNUC_PRINTF(5, 6);

static gboolean fail_at(Ctx *c, yaml_mark_t m, GError **error, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, KJ_CONFIG_ERROR, code, "%s:%zu:%zu: %s", c->name, m.line + 1,
		    m.column + 1, msg);
	return FALSE;
}

static gboolean next_event(Ctx *c, yaml_event_t *ev, GError **error)
{
	if (!yaml_parser_parse(&c->parser, ev)) {
		g_set_error(error, KJ_CONFIG_ERROR, KJ_CONFIG_ERROR_SYNTAX,
			    "%s:%zu:%zu: not valid YAML: %s", c->name,
			    c->parser.problem_mark.line + 1, c->parser.problem_mark.column + 1,
			    c->parser.problem ? c->parser.problem : "parse error");
		return FALSE;
	}
	return TRUE;
}

static gboolean parse_int(const char *s, gint64 *out)
{
	char *end = NULL;
	gint64 mult = 1;

	if (*s == '\0')
		return FALSE;
	errno = 0;
	gint64 v = g_ascii_strtoll(s, &end, 10);
	if (errno != 0 || end == s)
		return FALSE;
	/* Sizes may carry a binary suffix: 64k, 256M, 2G. */
	if (*end == 'k' || *end == 'K')
		mult = 1024, end++;
	else if (*end == 'm' || *end == 'M')
		mult = 1024 * 1024, end++;
	else if (*end == 'g' || *end == 'G')
		mult = 1024LL * 1024 * 1024, end++;
	if (*end != '\0')
		return FALSE;
	if (v > G_MAXINT64 / mult || v < G_MININT64 / mult)
		return FALSE;
	*out = v * mult;
	return TRUE;
}

static gboolean set_value(Ctx *c, const char *key, const char *value, yaml_mark_t m,
			  yaml_mark_t key_mark, GError **error)
{
	for (gsize i = 0; i < G_N_ELEMENTS(key_table); i++) {
		const KeyDef *d = &key_table[i];
		if (strcmp(d->key, key) != 0)
			continue;
		if (d->type == KT_STRING) {
			if (*value == '\0')
				return fail_at(c, m, error, KJ_CONFIG_ERROR_VALUE,
					       "key '%s': value must not be empty", key);
			g_free(*str_field(c->cfg, d));
			*str_field(c->cfg, d) = g_strdup(value);
			return TRUE;
		}
		gint64 v;
		if (!parse_int(value, &v) || v < d->min || v > d->max)
			return fail_at(
			    c, m, error, KJ_CONFIG_ERROR_VALUE,
			    "key '%s': value '%s' is not an integer from %" G_GINT64_FORMAT
			    " to %" G_GINT64_FORMAT,
			    key, value, d->min, d->max);
		*int_field(c->cfg, d) = v;
		return TRUE;
	}
	return fail_at(c, key_mark, error, KJ_CONFIG_ERROR_KEY,
		       "unknown key '%s' (see 'kyojin config keys')", key);
}

static gboolean parse_mapping(Ctx *c, const char *prefix, int depth, GError **error);

static gboolean parse_value(Ctx *c, const char *key, yaml_mark_t key_mark, int depth,
			    GError **error)
{
	yaml_event_t ev;
	gboolean ok;

	if (!next_event(c, &ev, error))
		return FALSE;
	switch (ev.type) {
	case YAML_SCALAR_EVENT:
		ok = set_value(c, key, (const char *)ev.data.scalar.value, ev.start_mark, key_mark,
			       error);
		break;
	case YAML_MAPPING_START_EVENT:
		ok = parse_mapping(c, key, depth + 1, error);
		break;
	case YAML_ALIAS_EVENT:
		ok = fail_at(c, ev.start_mark, error, KJ_CONFIG_ERROR_SYNTAX,
			     "key '%s': YAML aliases are not allowed in a configuration", key);
		break;
	default:
		ok = fail_at(c, ev.start_mark, error, KJ_CONFIG_ERROR_VALUE,
			     "key '%s': expected a single value or a mapping", key);
		break;
	}
	yaml_event_delete(&ev);
	return ok;
}

static gboolean parse_mapping(Ctx *c, const char *prefix, int depth, GError **error)
{
	if (depth > KJ_CONFIG_MAX_DEPTH) {
		g_set_error(error, KJ_CONFIG_ERROR, KJ_CONFIG_ERROR_SYNTAX,
			    "%s: nested deeper than %d levels", c->name, KJ_CONFIG_MAX_DEPTH);
		return FALSE;
	}
	for (;;) {
		yaml_event_t ev;
		if (!next_event(c, &ev, error))
			return FALSE;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return TRUE;
		}
		if (ev.type != YAML_SCALAR_EVENT) {
			gboolean r = fail_at(c, ev.start_mark, error, KJ_CONFIG_ERROR_SYNTAX,
					     "a key must be a plain name");
			yaml_event_delete(&ev);
			return r;
		}
		g_autofree char *key =
		    prefix ? g_strdup_printf("%s.%s", prefix, (const char *)ev.data.scalar.value)
			   : g_strdup((const char *)ev.data.scalar.value);
		yaml_mark_t m = ev.start_mark;
		yaml_event_delete(&ev);
		if (g_hash_table_contains(c->seen, key))
			return fail_at(c, m, error, KJ_CONFIG_ERROR_KEY, "key '%s' given twice",
				       key);
		g_hash_table_add(c->seen, g_strdup(key));
		if (!parse_value(c, key, m, depth, error))
			return FALSE;
	}
}

static gboolean parse_stream(Ctx *c, GError **error)
{
	yaml_event_t ev;
	gboolean ok = TRUE;
	gboolean done = FALSE;

	while (ok && !done) {
		if (!next_event(c, &ev, error))
			return FALSE;
		switch (ev.type) {
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			break;
		case YAML_STREAM_END_EVENT:
			done = TRUE;
			break;
		case YAML_MAPPING_START_EVENT:
			ok = parse_mapping(c, NULL, 1, error);
			break;
		case YAML_SCALAR_EVENT:
			/* An empty document ("" or "~") is an empty config. */
			if (ev.data.scalar.length == 0 ||
			    strcmp((const char *)ev.data.scalar.value, "~") == 0)
				break;
			G_GNUC_FALLTHROUGH;
		default:
			ok = fail_at(c, ev.start_mark, error, KJ_CONFIG_ERROR_SYNTAX,
				     "a configuration must be a mapping of keys to values");
			break;
		}
		yaml_event_delete(&ev);
	}
	return ok;
}

gboolean kj_config_load_data(KjConfig *cfg, const char *name, const char *data, gsize len,
			     GError **error)
{
	Ctx c = {.name = name, .cfg = cfg};

	if (len > KJ_CONFIG_MAX_BYTES) {
		g_set_error(error, KJ_CONFIG_ERROR, KJ_CONFIG_ERROR_IO, "%s: larger than %d bytes",
			    name, KJ_CONFIG_MAX_BYTES);
		return FALSE;
	}
	if (!yaml_parser_initialize(&c.parser))
		g_error("libyaml cannot initialise a parser");
	yaml_parser_set_input_string(&c.parser, (const unsigned char *)data, len);
	c.seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	gboolean ok = parse_stream(&c, error);
	g_hash_table_unref(c.seen);
	yaml_parser_delete(&c.parser);
	if (ok) {
		g_free(cfg->path);
		cfg->path = g_strdup(name);
	}
	return ok;
}

gboolean kj_config_load_file(KjConfig *cfg, const char *path, GError **error)
{
	g_autofree char *data = NULL;
	gsize len = 0;
	g_autoptr(GError) local = NULL;

	if (!kj_fs_read_file(path, KJ_CONFIG_MAX_BYTES, &data, &len, &local)) {
		g_set_error(error, KJ_CONFIG_ERROR, KJ_CONFIG_ERROR_IO,
			    "cannot read configuration: %s", local->message);
		return FALSE;
	}
	return kj_config_load_data(cfg, path, data, len, error);
}
