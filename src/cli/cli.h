/* cli.h - what every command of the kyojin CLI shares (see main.c). */
#ifndef KJ_CLI_CLI_H
#define KJ_CLI_CLI_H

#include "cli/output.h"
#include "config/config.h"

#include <glib.h>

/* Exit codes (DESIGN.md): scripts depend on them. */
enum {
	KJ_EXIT_OK = 0,
	KJ_EXIT_FINDING = 1, /* a policy finding, violation or held verdict */
	KJ_EXIT_USAGE = 2,   /* unknown command or option, missing argument */
	KJ_EXIT_INPUT = 3,   /* bad input, I/O or environment error */
};

/* What a command needs opened before it runs; main() does it once. */
enum {
	KJ_CLI_NEED_DATA_DIR = 1 << 0, /* the data directory must exist */
	KJ_CLI_NEED_WRITE = 1 << 1,    /* ... be created if missing, and writable */
	KJ_CLI_NEED_STORE = 1 << 2,    /* the store (blobs and database) is opened */
	KJ_CLI_NEED_AUDIT = 1 << 3,    /* the audit log is opened */
	/* With this flag the others apply only when the data directory
	 * already exists; without one the command runs with store and audit
	 * NULL (mail sanitize: no quarantine, ids shown as SHA-256). */
	KJ_CLI_DATA_DIR_OPTIONAL = 1 << 4,
};

typedef struct KjStore KjStore;
typedef struct KjAudit KjAudit;

typedef struct {
	KjConfig *cfg;
	char *data_dir;
	char *actor; /* who is acting: --actor, $KYOJIN_ACTOR, or the login name */
	gboolean json;
	KjOut *out;
	KjStore *store;      /* when KJ_CLI_NEED_STORE */
	KjAudit *audit;      /* when KJ_CLI_NEED_AUDIT */
	const char *command; /* "audit verify", for messages */
	unsigned need;       /* KJ_CLI_NEED_* of the command; see kj_cli_parse() */
} KjCli;

typedef int (*KjCliHandler)(KjCli *cli, int argc, char **argv);

typedef struct {
	const char *noun;
	const char *verb;
	KjCliHandler handler;
	unsigned flags;
	const char *summary;
} KjCliCommand;

/* Parses a command's own options with GLib, adding --help and the global
 * options to its help text, then opens what the command needs (data
 * directory, store, audit log: its KJ_CLI_NEED_* flags).  Every handler
 * calls it first.  On a usage error or a failure to open, prints it and
 * returns FALSE with *exit_code set (KJ_EXIT_USAGE or KJ_EXIT_INPUT). */
gboolean kj_cli_parse(KjCli *cli, int *argc, char ***argv, const GOptionEntry *entries,
		      const char *params, const char *description, int *exit_code);

/* Reports an error and returns the exit code to use.  In JSON mode an
 * error object is also printed on stdout. */
int kj_cli_error(KjCli *cli, int code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
int kj_cli_gerror(KjCli *cli, int code, const GError *error);

/* Handlers, one file per noun. */
int kj_cli_audit_append(KjCli *cli, int argc, char **argv);
int kj_cli_audit_show(KjCli *cli, int argc, char **argv);
int kj_cli_audit_verify(KjCli *cli, int argc, char **argv);
int kj_cli_audit_head(KjCli *cli, int argc, char **argv);
int kj_cli_store_fsck(KjCli *cli, int argc, char **argv);
int kj_cli_store_put(KjCli *cli, int argc, char **argv);
int kj_cli_store_get(KjCli *cli, int argc, char **argv);
int kj_cli_store_info(KjCli *cli, int argc, char **argv);
int kj_cli_config_show(KjCli *cli, int argc, char **argv);
int kj_cli_config_keys(KjCli *cli, int argc, char **argv);
int kj_cli_config_check(KjCli *cli, int argc, char **argv);
int kj_cli_policy_check(KjCli *cli, int argc, char **argv);
int kj_cli_policy_compile(KjCli *cli, int argc, char **argv);
int kj_cli_policy_flows(KjCli *cli, int argc, char **argv);
int kj_cli_policy_graph(KjCli *cli, int argc, char **argv);
int kj_cli_mail_sanitize(KjCli *cli, int argc, char **argv);
int kj_cli_file_sanitize(KjCli *cli, int argc, char **argv);
int kj_cli_dlp_scan(KjCli *cli, int argc, char **argv);
int kj_cli_queue_list(KjCli *cli, int argc, char **argv);
int kj_cli_queue_show(KjCli *cli, int argc, char **argv);
int kj_cli_queue_retry(KjCli *cli, int argc, char **argv);
int kj_cli_queue_release(KjCli *cli, int argc, char **argv);
int kj_cli_queue_delete(KjCli *cli, int argc, char **argv);
int kj_cli_ledger_register(KjCli *cli, int argc, char **argv);
int kj_cli_ledger_check(KjCli *cli, int argc, char **argv);
int kj_cli_ledger_due(KjCli *cli, int argc, char **argv);
int kj_cli_ledger_import(KjCli *cli, int argc, char **argv);
int kj_cli_ledger_export(KjCli *cli, int argc, char **argv);
int kj_cli_ledger_columns(KjCli *cli, int argc, char **argv);
int kj_cli_ledger_staff(KjCli *cli, int argc, char **argv);
int kj_cli_report_ciso(KjCli *cli, int argc, char **argv);
int kj_cli_risk_matrix(KjCli *cli, int argc, char **argv);
int kj_cli_inspect_start(KjCli *cli, int argc, char **argv);
int kj_cli_inspect_answer(KjCli *cli, int argc, char **argv);
int kj_cli_inspect_report(KjCli *cli, int argc, char **argv);
int kj_cli_account_add(KjCli *cli, int argc, char **argv);
int kj_cli_account_list(KjCli *cli, int argc, char **argv);
int kj_cli_account_passwd(KjCli *cli, int argc, char **argv);
int kj_cli_account_totp(KjCli *cli, int argc, char **argv);
int kj_cli_account_totp_code(KjCli *cli, int argc, char **argv);
int kj_cli_account_lock(KjCli *cli, int argc, char **argv);
int kj_cli_account_unlock(KjCli *cli, int argc, char **argv);
int kj_cli_account_mailbox(KjCli *cli, int argc, char **argv);
int kj_cli_release_list(KjCli *cli, int argc, char **argv);
int kj_cli_release_show(KjCli *cli, int argc, char **argv);
int kj_cli_release_request(KjCli *cli, int argc, char **argv);
int kj_cli_release_approve(KjCli *cli, int argc, char **argv);
int kj_cli_release_refuse(KjCli *cli, int argc, char **argv);

#endif
