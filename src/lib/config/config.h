/* config.h - kyojin.yaml: the one configuration of every front end (see config.c). */
#ifndef KJ_CONFIG_CONFIG_H
#define KJ_CONFIG_CONFIG_H

#include <glib.h>

#define KJ_CONFIG_ERROR (kj_config_error_quark())
GQuark kj_config_error_quark(void);

typedef enum {
	KJ_CONFIG_ERROR_IO,     /* the file cannot be read */
	KJ_CONFIG_ERROR_SYNTAX, /* not YAML, or not the shape of a config */
	KJ_CONFIG_ERROR_KEY,    /* a key kyojin does not know */
	KJ_CONFIG_ERROR_VALUE,  /* a known key with a value out of type or range */
} KjConfigError;

/*
 * Every tunable setting.  Values start at their defaults
 * (kj_config_new()); a file overrides the keys it names.  The key of each
 * field is in the table in config.c, which is also what `kyojin config
 * show` prints.
 */
typedef struct {
	char *path;     /* file read, or NULL when only defaults */
	char *data_dir; /* data_dir: NULL = front end's default */

	gint64 audit_max_record_bytes; /* audit.max_record_bytes */
	gint64 audit_lock_timeout_s;   /* audit.lock_timeout_s */

	gint64 store_max_blob_bytes;  /* store.max_blob_bytes */
	gint64 store_busy_timeout_ms; /* store.busy_timeout_ms */
	gint64 store_temp_stale_s;    /* store.temp_stale_s */

	gint64 mail_max_message_bytes; /* mail.max_message_bytes */
	gint64 mail_max_header_count;  /* mail.max_header_count */
	gint64 mail_max_header_bytes;  /* mail.max_header_bytes */
	gint64 mail_max_mime_depth;    /* mail.max_mime_depth */
	gint64 mail_max_parts;         /* mail.max_parts */
	gint64 mail_max_decoded_bytes; /* mail.max_decoded_bytes */
	gint64 mail_html_max_depth;    /* mail.html_max_depth */
	gint64 mail_html_max_nodes;    /* mail.html_max_nodes */

	gint64 dlp_keyword_window;      /* dlp.keyword_window */
	gint64 dlp_max_text_bytes;      /* dlp.max_text_bytes */
	gint64 dlp_archive_max_total;   /* dlp.archive_max_total_bytes */
	gint64 dlp_archive_max_entries; /* dlp.archive_max_entries */
	gint64 dlp_archive_max_depth;   /* dlp.archive_max_depth */

	gint64 cdr_max_input_bytes;         /* cdr.max_input_bytes */
	gint64 cdr_max_output_bytes;        /* cdr.max_output_bytes */
	gint64 cdr_archive_max_entries;     /* cdr.archive_max_entries */
	gint64 cdr_archive_max_total_bytes; /* cdr.archive_max_total_bytes */
	gint64 cdr_archive_max_ratio;       /* cdr.archive_max_ratio */
	gint64 cdr_archive_max_depth;       /* cdr.archive_max_depth */
	gint64 cdr_pdf_dpi;                 /* cdr.pdf_dpi */
	gint64 cdr_pdf_max_pages;           /* cdr.pdf_max_pages */
	gint64 cdr_pdf_max_pixels;          /* cdr.pdf_max_pixels */
	gint64 cdr_image_max_dim;           /* cdr.image_max_dim */
	gint64 cdr_image_max_pixels;        /* cdr.image_max_pixels */
	gint64 cdr_convert_timeout_s;       /* cdr.convert_timeout_s */
	gint64 cdr_convert_memory_bytes;    /* cdr.convert_memory_bytes */

	/* Gateway, kyojind (daemon/kyojind.c).  Strings NULL = the daemon's default. */
	char *smtp_listen;                   /* smtp.listen: "127.0.0.1:2525" */
	char *smtp_hostname;                 /* smtp.hostname */
	char *smtp_allowed_networks;         /* smtp.allowed_networks: "127.0.0.0/8, ::1/128" */
	char *smtp_tls_cert;                 /* smtp.tls_cert: PEM certificate chain for STARTTLS */
	char *smtp_tls_key;                  /* smtp.tls_key: PEM private key */
	gint64 smtp_max_line_bytes;          /* smtp.max_line_bytes */
	gint64 smtp_max_recipients;          /* smtp.max_recipients */
	gint64 smtp_max_message_bytes;       /* smtp.max_message_bytes */
	gint64 smtp_max_errors;              /* smtp.max_errors */
	gint64 smtp_max_connections;         /* smtp.max_connections */
	gint64 smtp_command_timeout_s;       /* smtp.command_timeout_s */
	gint64 smtp_data_timeout_s;          /* smtp.data_timeout_s */
	gint64 smtp_min_data_rate;           /* smtp.min_data_rate */
	gint64 gateway_workers;              /* gateway.workers */
	gint64 gateway_io_threads;           /* gateway.io_threads */
	char *gateway_delivery;              /* gateway.delivery: "maildir" or "smtp" */
	char *gateway_maildir;               /* gateway.maildir */
	char *gateway_relay;                 /* gateway.relay: "host:port" */
	char *gateway_profile;               /* gateway.profile: built-in mail profile */
	char *gateway_user;                  /* gateway.user: run as after binding */
	char *gateway_notify_held;           /* gateway.notify_held: "none" or "sender" */
	char *gateway_metrics_listen;        /* gateway.metrics_listen */
	gint64 gateway_retry_initial_s;      /* gateway.retry_initial_s */
	gint64 gateway_retry_max_s;          /* gateway.retry_max_s */
	gint64 gateway_max_queue_lifetime_s; /* gateway.max_queue_lifetime_s */
	gint64 gateway_max_queue_messages;   /* gateway.max_queue_messages */
	gint64 gateway_min_free_bytes;       /* gateway.min_free_bytes */

	gint64 ledger_ppc_preliminary_days; /* ledger.ppc_preliminary_days */
	gint64 ledger_ppc_final_days;       /* ledger.ppc_final_days */
	gint64 ledger_due_horizon_days;     /* ledger.due_horizon_days */

	/* Web console, kyojin-console (console/).  Strings NULL = its default. */
	char *console_listen;                /* console.listen: "127.0.0.1:8443" */
	char *console_tls_cert;              /* console.tls_cert: PEM chain for HTTPS */
	char *console_tls_key;               /* console.tls_key: PEM private key */
	char *console_www_dir;               /* console.www_dir: static front end */
	char *console_approvers;             /* console.approvers: "dept=login, ..." */
	char *console_gateway_metrics;       /* console.gateway_metrics: kyojind's counters */
	gint64 console_session_idle_s;       /* console.session_idle_s */
	gint64 console_session_max_s;        /* console.session_max_s */
	gint64 console_lockout_failures;     /* console.lockout_failures */
	gint64 console_lockout_s;            /* console.lockout_s */
	gint64 console_login_rate_per_min;   /* console.login_rate_per_min */
	gint64 console_exchange_max_bytes;   /* console.exchange_max_bytes */
	gint64 console_exchange_expiry_days; /* console.exchange_expiry_days */
	gint64 console_workers;              /* console.workers */
	gint64 console_max_connections;      /* console.max_connections */
	gint64 console_threads;              /* console.threads */
} KjConfig;

KjConfig *kj_config_new(void);
void kj_config_free(KjConfig *cfg);
gboolean kj_config_load_file(KjConfig *cfg, const char *path, GError **error);
gboolean kj_config_load_data(KjConfig *cfg, const char *name, const char *data, gsize len,
			     GError **error);

/* One row of the config table, for listing and documentation. */
typedef struct {
	const char *key;
	const char *type;    /* "integer", "string", ... */
	const char *summary; /* one line, English */
	gint64 min, max;     /* integers only */
} KjConfigKeyInfo;

/* Returns the table, terminated by a row with key == NULL. */
const KjConfigKeyInfo *kj_config_keys(void);
/* The current value of @key as text, newly allocated; NULL if unknown. */
char *kj_config_get_string(const KjConfig *cfg, const char *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KjConfig, kj_config_free)

#endif
