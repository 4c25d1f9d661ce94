/*++
 * NAME
 *	ledger - "kyojin ledger NOUN add|list|show|set|delete", check, due,
 *	import, export, columns
 * DESCRIPTION
 *	Front end of the governance ledger.  One handler serves every
 *	register: it reads the register's descriptor (ledger/register.c)
 *	and so knows the columns, their types and what they reference;
 *	nothing here is particular to assets, risks or incidents.
 *
 *	  kyojin ledger asset add A-001 name=住民記録 kind=information ...
 *	  kyojin ledger asset set A-001 confidentiality=3 --if-version 2
 *	  kyojin ledger asset list [--where department=D-01]
 *	  kyojin ledger check            findings; exit 1 when any
 *	  kyojin ledger due [--days N]   duties due or overdue
 *	  kyojin ledger import asset FILE.csv [--update]
 *	  kyojin ledger export asset [-o FILE.csv]
 *
 *	--if-version makes a change conditional on the version the user
 *	saw (optimistic concurrency): a conflict exits 3 and changes
 *	nothing.
 * SECURITY
 *	Runs as the invoking user; every change is recorded in the audit
 *	log with its old and new values by the library.
 * STANDARDS
 *	基本方針 5, 6(1), 6(2), 6(5), 6(7), 6(8), 6(9), 7, 8.  Exit codes:
 *	check exits 1 when it has findings; bad input and conflicts exit 3.
 * SEE ALSO
 *	ledger/ledger.h, docs/ja/ledger.md
 *--*/
#include "audit/audit.h"
#include "cli/cli.h"
#include "ledger/ledger.h"
#include "store/store.h"
#include "util/fs.h"
#include "util/limits.h"

#include <stdio.h>
#include <string.h>

static KjLedger *open_ledger(KjCli *cli)
{
	KjLedgerOptions o = {
	    .ppc_preliminary_days = cli->cfg->ledger_ppc_preliminary_days,
	    .ppc_final_days = cli->cfg->ledger_ppc_final_days,
	    .due_horizon_days = cli->cfg->ledger_due_horizon_days,
	};

	return kj_ledger_new(kj_store_get_db(cli->store), cli->audit, cli->actor, &o);
}

static void print_record(KjCli *cli, const KjLedgerRecord *rec, gboolean people)
{
	const KjLedgerRegister *reg = rec->reg;
	g_autoptr(GString) line = g_string_new(rec->key);

	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, "key");
	kj_out_string(cli->out, rec->key);
	kj_out_key(cli->out, "version");
	kj_out_int(cli->out, rec->version);
	kj_out_key(cli->out, "updated_at");
	kj_out_string(cli->out, rec->updated_at);
	if (people)
		kj_out_line(cli->out, "%s (version %" G_GINT64_FORMAT ", updated %s)", rec->key,
			    rec->version, rec->updated_at);
	for (gsize i = 0; i < reg->n_columns; i++) {
		const KjLedgerColumn *col = &reg->columns[i];
		const char *v = rec->values[i];
		kj_out_key(cli->out, col->name);
		if (v == NULL) {
			kj_out_null(cli->out);
			continue;
		}
		kj_out_string(cli->out, v);
		g_autofree char *wareki =
		    col->type == KJ_LEDGER_DATE ? kj_ledger_date_to_wareki(v) : NULL;
		if (people)
			kj_out_line(cli->out, "  %-20s %s: %s%s%s%s", col->name, col->label, v,
				    wareki ? " (" : "", wareki ? wareki : "", wareki ? ")" : "");
		else
			g_string_append_printf(line, "  %s=%s", col->name, v);
	}
	kj_out_end(cli->out);
	if (!people)
		kj_out_line(cli->out, "%s", line->str);
}

static int do_list(KjCli *cli, KjLedger *l, const KjLedgerRegister *reg, const char *where)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *col = NULL;
	const char *value = NULL;

	if (where) {
		const char *eq = strchr(where, '=');
		if (eq == NULL)
			return kj_cli_error(cli, KJ_EXIT_USAGE, "--where needs COLUMN=VALUE");
		col = g_strndup(where, (gsize)(eq - where));
		value = eq + 1;
	}
	g_autoptr(GPtrArray) recs = kj_ledger_list(l, reg, col, value, &error);
	if (recs == NULL)
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	kj_out_text_quiet(cli->out, TRUE);
	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, "register");
	kj_out_string(cli->out, reg->noun);
	kj_out_key(cli->out, "records");
	kj_out_begin_list(cli->out);
	for (guint i = 0; i < recs->len; i++)
		print_record(cli, recs->pdata[i], FALSE);
	kj_out_end(cli->out);
	kj_out_end(cli->out);
	return KJ_EXIT_OK;
}

static void print_levels(KjCli *cli, KjLedger *l, const char *key)
{
	g_autoptr(GPtrArray) levels = kj_ledger_effective_levels(l, key, NULL);

	kj_out_key(cli->out, "effective_levels");
	kj_out_begin_list(cli->out);
	for (guint i = 0; levels && i < levels->len; i++) {
		KjLedgerLevel *lv = levels->pdata[i];
		kj_out_begin_map(cli->out);
		kj_out_key(cli->out, "scheme");
		kj_out_string(cli->out, lv->scheme);
		kj_out_key(cli->out, "own");
		lv->own ? kj_out_string(cli->out, lv->own) : kj_out_null(cli->out);
		kj_out_key(cli->out, "effective");
		lv->effective ? kj_out_string(cli->out, lv->effective) : kj_out_null(cli->out);
		kj_out_key(cli->out, "inherited_from");
		lv->from ? kj_out_string(cli->out, lv->from) : kj_out_null(cli->out);
		kj_out_end(cli->out);
		if (lv->effective)
			kj_out_line(cli->out, "  effective %-10s %s%s%s", lv->scheme, lv->effective,
				    lv->from ? " inherited from " : "", lv->from ? lv->from : "");
	}
	kj_out_end(cli->out);
}

static int do_show(KjCli *cli, KjLedger *l, const KjLedgerRegister *reg, const char *key)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(KjLedgerRecord) rec = kj_ledger_get(l, reg, key, &error);

	if (rec == NULL)
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	kj_out_text_quiet(cli->out, TRUE);
	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, "register");
	kj_out_string(cli->out, reg->noun);
	kj_out_key(cli->out, "record");
	print_record(cli, rec, TRUE);
	if (strcmp(reg->noun, "asset") == 0)
		print_levels(cli, l, key);
	kj_out_end(cli->out);
	return KJ_EXIT_OK;
}

static int print_changed(KjCli *cli, const char *verb, const KjLedgerRegister *reg, const char *key,
			 gint64 version)
{
	kj_out_text_quiet(cli->out, TRUE);
	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, "register");
	kj_out_string(cli->out, reg->noun);
	kj_out_key(cli->out, "key");
	kj_out_string(cli->out, key);
	kj_out_key(cli->out, verb);
	kj_out_bool(cli->out, TRUE);
	if (version > 0) {
		kj_out_key(cli->out, "version");
		kj_out_int(cli->out, version);
		kj_out_line(cli->out, "%s %s %s (version %" G_GINT64_FORMAT ")", reg->noun, key,
			    verb, version);
	} else {
		kj_out_line(cli->out, "%s %s %s", reg->noun, key, verb);
	}
	kj_out_end(cli->out);
	return KJ_EXIT_OK;
}

static int do_change(KjCli *cli, KjLedger *l, const KjLedgerRegister *reg, const char *action,
		     int argc, char **argv, gint64 if_version)
{
	g_autoptr(GError) error = NULL;
	const char *key = argv[2];
	const char *const *assign = (const char *const *)argv + 3;
	gint64 version = 0;
	gboolean ok;

	if (strcmp(action, "add") == 0) {
		ok = kj_ledger_add(l, reg, key, assign, &error);
		version = 1;
	} else if (strcmp(action, "set") == 0) {
		if (argc < 4)
			return kj_cli_error(cli, KJ_EXIT_USAGE, "set needs KEY COLUMN=VALUE...");
		ok = kj_ledger_set(l, reg, key, if_version, assign, &version, &error);
	} else {
		if (argc != 3)
			return kj_cli_error(cli, KJ_EXIT_USAGE, "delete takes only KEY");
		ok = kj_ledger_delete(l, reg, key, if_version, &error);
	}
	if (!ok)
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	return print_changed(cli,
			     strcmp(action, "add") == 0   ? "added"
			     : strcmp(action, "set") == 0 ? "changed"
							  : "deleted",
			     reg, key, version);
}

int kj_cli_ledger_register(KjCli *cli, int argc, char **argv)
{
	gint64 if_version = 0;
	g_autofree char *where = NULL;
	const GOptionEntry entries[] = {
	    {"if-version", 0, 0, G_OPTION_ARG_INT64, &if_version,
	     "set/delete: only if the record is still at version N (else exit 3, nothing changed)",
	     "N"},
	    {"where", 0, 0, G_OPTION_ARG_STRING, &where, "list: only records with COLUMN=VALUE",
	     "COLUMN=VALUE"},
	    G_OPTION_ENTRY_NULL};
	const char *noun = strrchr(argv[0], ' ') ? strrchr(argv[0], ' ') + 1 : argv[0];
	const char *action = argc > 1 ? argv[1] : "";
	int rc = KJ_EXIT_OK;
	const KjLedgerRegister *reg = kj_ledger_register_find(noun);

	if (reg == NULL && strcmp(action, "--help") != 0)
		rc = kj_cli_error(cli, KJ_EXIT_USAGE,
				  "no register '%s' (see 'kyojin ledger columns')", noun);

	if (reg == NULL && strcmp(action, "--help") == 0) {
		/* "kyojin ledger NOUN --help": the generic verb itself. */
		cli->need = 0;
		kj_cli_parse(cli, &argc, &argv, entries,
			     "add|list|show|set|delete [KEY] [COLUMN=VALUE...]",
			     "Add, list, show, change or delete records of any register; "
			     "'kyojin ledger columns' lists the registers and their columns.",
			     &rc);
		return rc;
	}
	if (reg == NULL)
		return rc;
	if (action[0] != '-' && strcmp(action, "list") != 0 && strcmp(action, "show") != 0 &&
	    strcmp(action, "add") != 0 && strcmp(action, "set") != 0 &&
	    strcmp(action, "delete") != 0)
		return kj_cli_error(
		    cli, KJ_EXIT_USAGE,
		    "unknown action '%s': kyojin ledger %s add|list|show|set|delete", action,
		    reg->noun);
	gboolean write = strcmp(action, "add") == 0 || strcmp(action, "set") == 0 ||
			 strcmp(action, "delete") == 0;
	cli->need = KJ_CLI_NEED_STORE |
		    (write ? KJ_CLI_NEED_WRITE | KJ_CLI_NEED_AUDIT : KJ_CLI_NEED_DATA_DIR);
	if (!kj_cli_parse(cli, &argc, &argv, entries,
			  "add|list|show|set|delete [KEY] [COLUMN=VALUE...]", reg->summary, &rc))
		return rc;
	if (strcmp(action, "list") == 0 && argc == 2) {
		g_autoptr(KjLedger) l = open_ledger(cli);
		return do_list(cli, l, reg, where);
	}
	if (strcmp(action, "show") == 0 && argc == 3) {
		g_autoptr(KjLedger) l = open_ledger(cli);
		return do_show(cli, l, reg, argv[2]);
	}
	if (write && argc >= 3) {
		g_autoptr(KjLedger) l = open_ledger(cli);
		return do_change(cli, l, reg, action, argc, argv, if_version);
	}
	return kj_cli_error(
	    cli, KJ_EXIT_USAGE,
	    "usage: kyojin ledger %s add|set KEY COLUMN=VALUE... | list | show KEY | "
	    "delete KEY",
	    reg->noun);
}
