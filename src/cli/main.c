/*++
 * NAME
 *	kyojin - command-line front end of libkyojin
 * DESCRIPTION
 *	"kyojin NOUN VERB [options]".  One dispatch table names every command
 *	with what it needs opened (data directory, write access, store,
 *	audit log); main() resolves the configuration and the data
 *	directory and opens those once, so that commands only describe
 *	their work and their results.
 *
 *	Global options (--data-dir, --config, --json, --actor) are accepted
 *	anywhere before "--", so that "kyojin audit show --json" and
 *	"kyojin --json audit show" mean the same.
 * SECURITY
 *	Runs with the invoking user's privileges.  Reads the configuration
 *	and the data directory; the commands decide what else.
 * STANDARDS
 *	Exit codes of DESIGN.md: 0 ok, 1 finding, 2 usage, 3 input or I/O.
 * SEE ALSO
 *	cli/output.c (text and JSON printer), one file per noun.
 *--*/
#include "kj_build_config.h"

#include "audit/audit.h"
#include "cli/cli.h"
#include "store/store.h"
#include "util/fs.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The one dispatch table.  Keep nouns together and in help order. */
static const KjCliCommand commands[] = {
    {"audit", "append", kj_cli_audit_append, KJ_CLI_NEED_WRITE | KJ_CLI_NEED_AUDIT,
     "append a record to the audit log (for scripts)"},
    {"audit", "show", kj_cli_audit_show, KJ_CLI_NEED_DATA_DIR,
     "print audit records, optionally since a sequence number or time"},
    {"audit", "verify", kj_cli_audit_verify, KJ_CLI_NEED_DATA_DIR,
     "prove the audit log is intact (and extends a published head)"},
    {"audit", "head", kj_cli_audit_head, KJ_CLI_NEED_DATA_DIR,
     "print the current chain head, to publish as an external witness"},
    {"store", "fsck", kj_cli_store_fsck, KJ_CLI_NEED_DATA_DIR | KJ_CLI_NEED_STORE,
     "find missing, corrupt and orphaned blobs"},
    {"store", "put", kj_cli_store_put, KJ_CLI_NEED_WRITE | KJ_CLI_NEED_STORE | KJ_CLI_NEED_AUDIT,
     "add a file to the store and print its id"},
    {"store", "get", kj_cli_store_get, KJ_CLI_NEED_DATA_DIR | KJ_CLI_NEED_STORE,
     "write a blob, verified against its id, to a file or stdout"},
    {"store", "info", kj_cli_store_info, KJ_CLI_NEED_DATA_DIR | KJ_CLI_NEED_STORE,
     "show the store's location, schema version and counts"},
    {"mail", "sanitize", kj_cli_mail_sanitize,
     KJ_CLI_DATA_DIR_OPTIONAL | KJ_CLI_NEED_WRITE | KJ_CLI_NEED_STORE | KJ_CLI_NEED_AUDIT,
     "make mail harmless: text only, links defanged, attachments quarantined"},
    {"file", "sanitize", kj_cli_file_sanitize,
     KJ_CLI_DATA_DIR_OPTIONAL | KJ_CLI_NEED_WRITE | KJ_CLI_NEED_STORE | KJ_CLI_NEED_AUDIT,
     "disarm and rebuild files (CDR): PDF, images, Office, text, archives"},
    {"config", "show", kj_cli_config_show, 0, "print the effective configuration"},
    {"config", "keys", kj_cli_config_keys, 0, "list every configuration key with its range"},
    {"config", "check", kj_cli_config_check, 0, "check a configuration file and report errors"},
    {"policy", "check", kj_cli_policy_check, 0,
     "prove a segment model keeps 基本方針 6(3)①②③ (exit 1 on violations)"},
    {"policy", "compile", kj_cli_policy_compile, 0,
     "compile a checked model to one nftables ruleset per firewall"},
    {"policy", "flows", kj_cli_policy_flows, 0,
     "report observed flows (nft log, conntrack, CSV) the model does not allow"},
    {"policy", "graph", kj_cli_policy_graph, 0, "print the model as Graphviz DOT"},
    {"dlp", "scan", kj_cli_dlp_scan, 0,
     "find 個人番号 and 法人番号 in files, archives and documents (基本方針 6(3)①)"},
    {"queue", "list", kj_cli_queue_list, KJ_CLI_NEED_DATA_DIR | KJ_CLI_NEED_STORE,
     "list kyojind's queue (received, sanitized, held, delivered)"},
    {"queue", "show", kj_cli_queue_show, KJ_CLI_NEED_DATA_DIR | KJ_CLI_NEED_STORE,
     "show one queue entry in full"},
    {"queue", "retry", kj_cli_queue_retry,
     KJ_CLI_NEED_DATA_DIR | KJ_CLI_NEED_WRITE | KJ_CLI_NEED_STORE | KJ_CLI_NEED_AUDIT,
     "deliver a sanitized entry now, or sanitize a held one again (audited)"},
    {"queue", "release", kj_cli_queue_release,
     KJ_CLI_NEED_DATA_DIR | KJ_CLI_NEED_WRITE | KJ_CLI_NEED_STORE | KJ_CLI_NEED_AUDIT,
     "deliver a held entry as it is, with --reason (audited, 基本方針 2(12))"},
    {"queue", "delete", kj_cli_queue_delete,
     KJ_CLI_NEED_DATA_DIR | KJ_CLI_NEED_WRITE | KJ_CLI_NEED_STORE | KJ_CLI_NEED_AUDIT,
     "remove entries from the queue; originals stay in quarantine (audited)"},
    {"ledger", "check", kj_cli_ledger_check, KJ_CLI_NEED_DATA_DIR | KJ_CLI_NEED_STORE,
     "classification and consistency findings (exit 1 when any)"},
    {"ledger", "due", kj_cli_ledger_due, KJ_CLI_NEED_DATA_DIR | KJ_CLI_NEED_STORE,
     "periodic duties due or overdue (基本方針 6(9), 7, 8)"},
    {"ledger", "import", kj_cli_ledger_import,
     KJ_CLI_NEED_WRITE | KJ_CLI_NEED_STORE | KJ_CLI_NEED_AUDIT,
     "import a register from CSV (UTF-8 or CP932; all rows or none)"},
    {"ledger", "export", kj_cli_ledger_export, KJ_CLI_NEED_DATA_DIR | KJ_CLI_NEED_STORE,
     "export a register as CSV (UTF-8 with BOM, for Excel)"},
    {"ledger", "columns", kj_cli_ledger_columns, 0, "list the registers and their columns"},
    {"ledger", "staff", kj_cli_ledger_staff, KJ_CLI_NEED_DATA_DIR | KJ_CLI_NEED_STORE,
     "pledge and training completion rates per department (基本方針 5, 6(5))"},
    /* "*": any register noun; the handler sets what it needs per action. */
    {"ledger", "*", kj_cli_ledger_register, 0,
     "NOUN add|list|show|set|delete: any register ('kyojin ledger columns')"},
    {"report", "ciso", kj_cli_report_ciso, KJ_CLI_NEED_DATA_DIR | KJ_CLI_NEED_STORE,
     "the CISO's periodic report as HTML or PDF (基本方針 6(9), 7, 8)"},
    {"inspect", "start", kj_cli_inspect_start,
     KJ_CLI_NEED_WRITE | KJ_CLI_NEED_STORE | KJ_CLI_NEED_AUDIT,
     "start a self-inspection: the checklist to every department (基本方針 7)"},
    {"inspect", "answer", kj_cli_inspect_answer,
     KJ_CLI_NEED_WRITE | KJ_CLI_NEED_STORE | KJ_CLI_NEED_AUDIT,
     "answer one item for one department: 適合, 一部適合, 不適合, 該当なし"},
    {"inspect", "report", kj_cli_inspect_report, KJ_CLI_NEED_DATA_DIR | KJ_CLI_NEED_STORE,
     "progress, scores and items not met per department (exit 1 on 不適合)"},
    {"account", "add", kj_cli_account_add,
     KJ_CLI_NEED_WRITE | KJ_CLI_NEED_STORE | KJ_CLI_NEED_AUDIT,
     "add a web console account (password on stdin; TOTP for approvers and admins)"},
    {"account", "list", kj_cli_account_list, KJ_CLI_NEED_DATA_DIR | KJ_CLI_NEED_STORE,
     "list console accounts with role, department and lock state"},
    {"account", "passwd", kj_cli_account_passwd,
     KJ_CLI_NEED_WRITE | KJ_CLI_NEED_STORE | KJ_CLI_NEED_AUDIT,
     "set an account's password (stdin); its sessions end"},
    {"account", "totp", kj_cli_account_totp,
     KJ_CLI_NEED_WRITE | KJ_CLI_NEED_STORE | KJ_CLI_NEED_AUDIT,
     "start, confirm or reset an account's TOTP second factor"},
    {"account", "totp-code", kj_cli_account_totp_code, KJ_CLI_NEED_DATA_DIR | KJ_CLI_NEED_STORE,
     "print an account's current one-time code (demonstrations and tests only)"},
    {"account", "lock", kj_cli_account_lock,
     KJ_CLI_NEED_WRITE | KJ_CLI_NEED_STORE | KJ_CLI_NEED_AUDIT,
     "lock an account and end its sessions"},
    {"account", "unlock", kj_cli_account_unlock,
     KJ_CLI_NEED_WRITE | KJ_CLI_NEED_STORE | KJ_CLI_NEED_AUDIT,
     "unlock an account (also after too many failed logins)"},
    {"account", "mailbox", kj_cli_account_mailbox,
     KJ_CLI_NEED_WRITE | KJ_CLI_NEED_STORE | KJ_CLI_NEED_AUDIT,
     "map a mail address to a department (whose staff then see its quarantined mail)"},
    {"release", "list", kj_cli_release_list, KJ_CLI_NEED_DATA_DIR | KJ_CLI_NEED_STORE,
     "release requests for quarantined attachments, newest first"},
    {"release", "show", kj_cli_release_show, KJ_CLI_NEED_DATA_DIR | KJ_CLI_NEED_STORE,
     "one release request"},
    {"release", "request", kj_cli_release_request,
     KJ_CLI_NEED_WRITE | KJ_CLI_NEED_STORE | KJ_CLI_NEED_AUDIT,
     "ask for a quarantined attachment as a console account (--as, --reason)"},
    {"release", "approve", kj_cli_release_approve,
     KJ_CLI_NEED_WRITE | KJ_CLI_NEED_STORE | KJ_CLI_NEED_AUDIT,
     "approve a release request as a console account (--as; audited, 基本方針 2(12))"},
    {"release", "refuse", kj_cli_release_refuse,
     KJ_CLI_NEED_WRITE | KJ_CLI_NEED_STORE | KJ_CLI_NEED_AUDIT,
     "refuse a release request as a console account (--as; audited)"},
    {"risk", "matrix", kj_cli_risk_matrix, KJ_CLI_NEED_DATA_DIR | KJ_CLI_NEED_STORE,
     "risk heat map: likelihood x impact with the grid's levels (基本方針 8)"},
};

static const struct {
	const char *noun;
	const char *summary;
} nouns[] = {
    {"audit", "tamper-evident audit trail (基本方針 6(7), 7)"},
    {"store", "content-addressed quarantine store and metadata database"},
    {"mail", "mail sanitization (メール無害化, 基本方針 2(12))"},
    {"file", "file sanitization, CDR (ファイル無害化, 基本方針 2(12))"},
    {"policy", "three-layer segment model, 通信経路の分割 (基本方針 6(3))"},
    {"dlp", "personal-number detection, 個人番号・法人番号 (基本方針 6(3)①)"},
    {"queue", "kyojind's mail queue (無害化 gateway, 基本方針 6(3)②)"},
    {"ledger", "governance ledger: assets, risks, incidents ... (基本方針 6(2), 7, 8)"},
    {"risk", "risk register views (基本方針 8)"},
    {"inspect", "self-inspection campaigns, 自己点検 (基本方針 7)"},
    {"report", "periodic reports from the ledger (基本方針 6(9))"},
    {"account", "web console accounts, roles and second factor (基本方針 6(6))"},
    {"release", "release requests for quarantined attachments (基本方針 2(12))"},
    {"config", "configuration file kyojin.yaml"},
};

/* Global options, extracted from argv before dispatch. */
static char *opt_data_dir;
static char *opt_config;
static char *opt_actor;
static gboolean opt_json;

static const char global_help[] =
    "Global options (accepted anywhere before --):\n"
    "  --data-dir DIR   data directory: store, database, audit log (default:\n"
    "                   $KYOJIN_DATA_DIR, then data_dir in the configuration, then ./var)\n"
    "  --config FILE    configuration file (default: $KYOJIN_CONFIG, then ./kyojin.yaml)\n"
    "  --actor NAME     who is acting, recorded in the audit log (default:\n"
    "                   $KYOJIN_ACTOR, then the login name)\n"
    "  --json           machine-readable JSON output\n\n"
    "Exit codes: 0 ok, 1 finding or violation, 2 usage error, 3 bad input or I/O error.\n";

static void print_top_help(FILE *fp)
{
	fprintf(fp,
		"Usage: kyojin [--data-dir DIR] [--config FILE] [--json] NOUN VERB [options]\n\n"
		"kyojin (強靱) carries out a city's information security policy:\n"
		"segment separation, sanitization (無害化) and governance.\n\n"
		"Nouns:\n");
	for (gsize i = 0; i < G_N_ELEMENTS(nouns); i++)
		fprintf(fp, "  %-8s %s\n", nouns[i].noun, nouns[i].summary);
	fprintf(fp,
		"\n  --version        print the version\n"
		"  -h, --help       this help; 'kyojin NOUN --help' lists a noun's verbs\n\n%s",
		global_help);
}

static void print_noun_help(FILE *fp, const char *noun)
{
	fprintf(fp, "Usage: kyojin %s VERB [options]\n\nVerbs:\n", noun);
	for (gsize i = 0; i < G_N_ELEMENTS(commands); i++)
		if (strcmp(commands[i].noun, noun) == 0)
			fprintf(fp, "  %-8s %s\n",
				strcmp(commands[i].verb, "*") == 0 ? "NOUN" : commands[i].verb,
				commands[i].summary);
	fprintf(fp, "\n'kyojin %s VERB --help' describes a verb's options.\n", noun);
}

static gboolean known_noun(const char *noun)
{
	for (gsize i = 0; i < G_N_ELEMENTS(nouns); i++)
		if (strcmp(nouns[i].noun, noun) == 0)
			return TRUE;
	return FALSE;
}

static int prepare(KjCli *cli, unsigned flags);

gboolean kj_cli_parse(KjCli *cli, int *argc, char ***argv, const GOptionEntry *entries,
		      const char *params, const char *description, int *exit_code)
{
	g_autoptr(GOptionContext) ctx = g_option_context_new(params);
	g_autoptr(GError) error = NULL;

	g_option_context_set_summary(ctx, description);
	if (entries)
		g_option_context_add_main_entries(ctx, entries, NULL);
	/* The global options were already taken out of argv; every verb's
	 * help lists them all the same. */
	g_option_context_set_description(ctx, global_help);
	g_option_context_set_help_enabled(ctx, TRUE);

	if (!g_option_context_parse(ctx, argc, argv, &error)) {
		*exit_code = kj_cli_error(cli, KJ_EXIT_USAGE, "%s (see 'kyojin %s --help')",
					  error->message, cli->command);
		return FALSE;
	}
	*exit_code = prepare(cli, cli->need);
	return *exit_code == KJ_EXIT_OK;
}

static void json_error(KjCli *cli, int code, const char *msg)
{
	g_autoptr(KjOut) out = kj_out_new(TRUE, stdout);

	kj_out_begin_map(out);
	kj_out_key(out, "error");
	kj_out_begin_map(out);
	kj_out_key(out, "message");
	kj_out_string(out, msg);
	kj_out_key(out, "exit_code");
	kj_out_int(out, code);
	kj_out_end(out);
	kj_out_end(out);
	kj_out_finish(out);
}

int kj_cli_error(KjCli *cli, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "kyojin: %s\n", msg);
	if (cli && cli->json)
		json_error(cli, code, msg);
	return code;
}

int kj_cli_gerror(KjCli *cli, int code, const GError *error)
{
	return kj_cli_error(cli, code, "%s", error->message);
}

/* Takes the global options out of argv (before a "--"), wherever they
 * stand.  Returns FALSE on a global option missing its value. */
static gboolean extract_globals(int *argc, char **argv, gboolean *version, gboolean *help)
{
	int out = 1;
	gboolean seen_dashdash = FALSE;
	int nonopt = 0;

	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];
		char **target = NULL;
		const char *name = NULL;

		if (seen_dashdash || a[0] != '-') {
			nonopt++;
			argv[out++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			seen_dashdash = TRUE;
			argv[out++] = argv[i];
			continue;
		}
		if (strcmp(a, "--json") == 0) {
			opt_json = TRUE;
			continue;
		}
		/* --version and --help are global only before the noun and verb. */
		if (nonopt == 0 && strcmp(a, "--version") == 0) {
			*version = TRUE;
			continue;
		}
		if (nonopt < 2 && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
			*help = TRUE;
			continue;
		}
		if (g_str_has_prefix(a, "--data-dir"))
			target = &opt_data_dir, name = "--data-dir";
		else if (g_str_has_prefix(a, "--config"))
			target = &opt_config, name = "--config";
		else if (g_str_has_prefix(a, "--actor"))
			target = &opt_actor, name = "--actor";
		if (target == NULL || (a[strlen(name)] != '\0' && a[strlen(name)] != '=')) {
			argv[out++] = argv[i];
			continue;
		}
		if (a[strlen(name)] == '=') {
			g_free(*target);
			*target = g_strdup(a + strlen(name) + 1);
		} else if (i + 1 < *argc) {
			g_free(*target);
			*target = g_strdup(argv[++i]);
		} else {
			fprintf(stderr, "kyojin: option %s needs a value\n", name);
			return FALSE;
		}
	}
	argv[out] = NULL;
	*argc = out;
	return TRUE;
}

/* True when this binary runs from the installation prefix, where the
 * installed defaults (/var/lib/kyojin, /etc/kyojin) apply instead of the
 * embedded defaults of a source tree (./var). */
static gboolean running_installed(void)
{
	g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
	if (exe == NULL)
		return FALSE;
	g_autofree char *dir = g_path_get_dirname(exe);
	return strcmp(dir, KJ_BINDIR) == 0;
}

static gboolean load_config(KjCli *cli, GError **error)
{
	const char *path = opt_config ? opt_config : g_getenv("KYOJIN_CONFIG");

	cli->cfg = kj_config_new();
	if (path == NULL || *path == '\0') {
		/* No file named: an optional default file, if present. */
		path = running_installed() ? KJ_INSTALLED_CONFIG : "kyojin.yaml";
		if (!g_file_test(path, G_FILE_TEST_EXISTS))
			return TRUE;
	}
	return kj_config_load_file(cli->cfg, path, error);
}

static void resolve_data_dir(KjCli *cli)
{
	const char *env = g_getenv("KYOJIN_DATA_DIR");

	if (opt_data_dir)
		cli->data_dir = g_strdup(opt_data_dir);
	else if (env && *env)
		cli->data_dir = g_strdup(env);
	else if (cli->cfg->data_dir)
		cli->data_dir = g_strdup(cli->cfg->data_dir);
	else
		cli->data_dir = g_strdup(running_installed() ? KJ_INSTALLED_DATA_DIR : "./var");
}

static void resolve_actor(KjCli *cli)
{
	const char *env = g_getenv("KYOJIN_ACTOR");

	if (opt_actor && *opt_actor)
		cli->actor = g_strdup(opt_actor);
	else if (env && *env)
		cli->actor = g_strdup(env);
	else
		cli->actor = g_strdup(g_get_user_name());
}

static int prepare(KjCli *cli, unsigned flags)
{
	g_autoptr(GError) error = NULL;

	if ((flags & KJ_CLI_DATA_DIR_OPTIONAL) && !g_file_test(cli->data_dir, G_FILE_TEST_IS_DIR))
		return KJ_EXIT_OK;
	if (flags & KJ_CLI_NEED_WRITE) {
		if (!kj_fs_mkdir_p(cli->data_dir, 0750, &error) ||
		    !kj_fs_check_writable_dir(cli->data_dir, &error))
			return kj_cli_error(cli, KJ_EXIT_INPUT, "%s (check its owner and mode)",
					    error->message);
	} else if (flags & KJ_CLI_NEED_DATA_DIR) {
		if (!g_file_test(cli->data_dir, G_FILE_TEST_IS_DIR))
			return kj_cli_error(cli, KJ_EXIT_INPUT,
					    "data directory %s does not exist (give --data-dir, or "
					    "set KYOJIN_DATA_DIR)",
					    cli->data_dir);
	}
	if (flags & KJ_CLI_NEED_STORE) {
		KjStoreOptions so = {
		    .max_blob_bytes = cli->cfg->store_max_blob_bytes,
		    .busy_timeout_ms = cli->cfg->store_busy_timeout_ms,
		    .read_only = !(flags & KJ_CLI_NEED_WRITE),
		};
		cli->store = kj_store_open(cli->data_dir, &so, &error);
		if (cli->store == NULL)
			return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	}
	if (flags & KJ_CLI_NEED_AUDIT) {
		KjAuditOptions ao = {
		    .max_record_bytes = cli->cfg->audit_max_record_bytes,
		    .lock_timeout_s = cli->cfg->audit_lock_timeout_s,
		};
		cli->audit = kj_audit_open(cli->data_dir, &ao, &error);
		if (cli->audit == NULL)
			return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	}
	return KJ_EXIT_OK;
}

static int dispatch(KjCli *cli, int argc, char **argv, gboolean help)
{
	static char help_arg[] = "--help";
	const char *noun = argc > 1 ? argv[1] : NULL;
	const char *verb = argc > 2 ? argv[2] : NULL;

	if (noun == NULL) {
		print_top_help(help ? stdout : stderr);
		return help ? KJ_EXIT_OK : KJ_EXIT_USAGE;
	}
	if (!known_noun(noun))
		return kj_cli_error(cli, KJ_EXIT_USAGE,
				    "unknown command '%s' (see 'kyojin --help')", noun);
	if (verb == NULL || verb[0] == '-') {
		if (help) {
			print_noun_help(stdout, noun);
			return KJ_EXIT_OK;
		}
		print_noun_help(stderr, noun);
		return verb ? kj_cli_error(cli, KJ_EXIT_USAGE, "unknown option '%s'", verb)
			    : KJ_EXIT_USAGE;
	}
	for (gsize i = 0; i < G_N_ELEMENTS(commands); i++) {
		const KjCliCommand *c = &commands[i];
		if (strcmp(c->noun, noun) != 0 ||
		    (strcmp(c->verb, verb) != 0 && strcmp(c->verb, "*") != 0))
			continue;
		g_autofree char *name = g_strdup_printf("%s %s", noun, verb);
		g_autofree char *prog = g_strdup_printf("kyojin %s", name);
		cli->command = name;
		/* The handler sees "kyojin NOUN VERB" as argv[0]; --help goes
		 * back in so that GOption prints the verb's help. */
		GPtrArray *args = g_ptr_array_new();
		g_ptr_array_add(args, prog);
		if (help)
			g_ptr_array_add(args, help_arg);
		for (int k = 3; k < argc; k++)
			g_ptr_array_add(args, argv[k]);
		g_ptr_array_add(args, NULL);
		int n = (int)args->len - 1;
		char **v = (char **)args->pdata;
		/* kj_cli_parse() opens what the command needs once its
		 * options parse, so that a usage error is reported as such
		 * even where the data directory is missing. */
		cli->need = c->flags;
		int rc = c->handler(cli, n, v);
		g_ptr_array_free(args, TRUE);
		cli->command = NULL;
		return rc;
	}
	return kj_cli_error(cli, KJ_EXIT_USAGE, "unknown command '%s %s' (see 'kyojin %s --help')",
			    noun, verb, noun);
}

int main(int argc, char **argv)
{
	KjCli cli = {0};
	gboolean version = FALSE, help = FALSE;
	g_autoptr(GError) error = NULL;
	int rc;

	setlocale(LC_ALL, "");
	if (!extract_globals(&argc, argv, &version, &help))
		return KJ_EXIT_USAGE;
	cli.json = opt_json;
	if (version && argc == 1) {
		printf("kyojin %s\n", KJ_VERSION);
		return KJ_EXIT_OK;
	}
	if (!load_config(&cli, &error)) {
		rc = kj_cli_gerror(&cli, KJ_EXIT_INPUT, error);
		goto out;
	}
	resolve_data_dir(&cli);
	resolve_actor(&cli);
	cli.out = kj_out_new(cli.json, stdout);
	rc = dispatch(&cli, argc, argv, help);
	kj_out_finish(cli.out);
out:
	kj_audit_free(cli.audit);
	kj_store_free(cli.store);
	kj_out_free(cli.out);
	kj_config_free(cli.cfg);
	g_free(cli.data_dir);
	g_free(cli.actor);
	g_free(opt_data_dir);
	g_free(opt_config);
	g_free(opt_actor);
	return rc;
}
