/*++
 * NAME
 *	inspect - "kyojin inspect start | answer | report": self-inspection
 * DESCRIPTION
 *	Front end of the self-inspection campaigns (自己点検) of the ledger:
 *
 *	  kyojin inspect start 2026 --name 令和8年度自己点検 --from 令和8年6月1日 --to 2026-06-30
 *	  kyojin inspect answer 2026 D-01 CL-6-5 一部適合 --evidence "受講率80%"
 *	  kyojin inspect report 2026
 *
 *	start issues every leaf item of the checklist to every department;
 *	answer records one department's answer to one item (audited);
 *	report shows progress, a score and the items not met per
 *	department, and exits 1 when any item is answered 不適合.
 * SECURITY
 *	Runs as the invoking user; changes are audited by the library.
 * STANDARDS
 *	基本方針 6(9), 7, 8.  Exit codes of DESIGN.md.
 * SEE ALSO
 *	ledger/inspect.c, docs/ja/ledger.md
 *--*/
#include "audit/audit.h"
#include "cli/cli.h"
#include "ledger/ledger.h"
#include "store/store.h"

#include <string.h>

static KjLedger *open_ledger(KjCli *cli)
{
	return kj_ledger_new(kj_store_get_db(cli->store), cli->audit, cli->actor, NULL);
}

int kj_cli_inspect_start(KjCli *cli, int argc, char **argv)
{
	g_autofree char *name = NULL, *from = NULL, *to = NULL;
	const GOptionEntry entries[] = {
	    {"name", 0, 0, G_OPTION_ARG_STRING, &name, "name of the campaign (required)", "TEXT"},
	    {"from", 0, 0, G_OPTION_ARG_STRING, &from, "first day (required)", "DATE"},
	    {"to", 0, 0, G_OPTION_ARG_STRING, &to, "day answers are due (required)", "DATE"},
	    G_OPTION_ENTRY_NULL};
	g_autoptr(GError) error = NULL;
	gint64 n = 0;
	int rc;

	if (!kj_cli_parse(cli, &argc, &argv, entries, "CAMPAIGN",
			  "Start a self-inspection: issue every checklist item to every department "
			  "(基本方針 7).",
			  &rc))
		return rc;
	if (argc != 2 || !name || !from || !to)
		return kj_cli_error(cli, KJ_EXIT_USAGE,
				    "inspect start needs CAMPAIGN, --name, --from and --to");
	g_autoptr(KjLedger) l = open_ledger(cli);
	if (!kj_ledger_inspect_start(l, argv[1], name, from, to, &n, &error))
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	kj_out_text_quiet(cli->out, TRUE);
	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, "campaign");
	kj_out_string(cli->out, argv[1]);
	kj_out_key(cli->out, "answers_issued");
	kj_out_int(cli->out, n);
	kj_out_end(cli->out);
	kj_out_line(cli->out, "self-inspection %s started: %" G_GINT64_FORMAT " items issued",
		    argv[1], n);
	return KJ_EXIT_OK;
}

int kj_cli_inspect_answer(KjCli *cli, int argc, char **argv)
{
	g_autofree char *evidence = NULL, *by = NULL;
	const GOptionEntry entries[] = {
	    {"evidence", 0, 0, G_OPTION_ARG_STRING, &evidence, "evidence or remarks", "TEXT"},
	    {"by", 0, 0, G_OPTION_ARG_STRING, &by, "person answering (a person key)", "PERSON"},
	    G_OPTION_ENTRY_NULL};
	g_autoptr(GError) error = NULL;
	int rc;

	if (!kj_cli_parse(cli, &argc, &argv, entries, "CAMPAIGN DEPARTMENT ITEM RESULT",
			  "Answer one checklist item for one department: RESULT is 適合, 一部適合, "
			  "不適合 or 該当なし.",
			  &rc))
		return rc;
	if (argc != 5)
		return kj_cli_error(cli, KJ_EXIT_USAGE,
				    "inspect answer needs CAMPAIGN DEPARTMENT ITEM RESULT");
	g_autoptr(KjLedger) l = open_ledger(cli);
	if (!kj_ledger_inspect_answer(l, argv[1], argv[2], argv[3], argv[4], evidence, by, &error))
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	kj_out_text_quiet(cli->out, TRUE);
	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, "answered");
	kj_out_bool(cli->out, TRUE);
	kj_out_end(cli->out);
	kj_out_line(cli->out, "%s %s %s: %s", argv[1], argv[2], argv[3], argv[4]);
	return KJ_EXIT_OK;
}

static void print_row(KjCli *cli, const KjLedgerInspectRow *r)
{
	static const char *const keys[] = {"items",  "answered",      "compliant",
					   "partly", "not_compliant", "not_applicable"};
	const gint64 vals[] = {r->items,  r->answered,      r->compliant,
			       r->partly, r->not_compliant, r->not_applicable};
	g_autoptr(GString) gaps = g_string_new(NULL);

	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, "department");
	kj_out_string(cli->out, r->department);
	for (gsize i = 0; i < G_N_ELEMENTS(keys); i++) {
		kj_out_key(cli->out, keys[i]);
		kj_out_int(cli->out, vals[i]);
	}
	kj_out_key(cli->out, "score");
	if (r->score < 0)
		kj_out_null(cli->out);
	else
		kj_out_int(cli->out, r->score);
	kj_out_key(cli->out, "gaps");
	kj_out_begin_list(cli->out);
	for (guint i = 0; i < r->gaps->len; i++) {
		kj_out_string(cli->out, r->gaps->pdata[i]);
		g_string_append_printf(gaps, " %s", (char *)r->gaps->pdata[i]);
	}
	kj_out_end(cli->out);
	kj_out_end(cli->out);
	g_autofree char *score =
	    r->score < 0 ? g_strdup("-") : g_strdup_printf("%" G_GINT64_FORMAT "%%", r->score);
	kj_out_line(cli->out,
		    "%-10s %3" G_GINT64_FORMAT "/%-3" G_GINT64_FORMAT " answered  score %s",
		    r->department, r->answered, r->items, score);
	if (gaps->len)
		kj_out_line(cli->out, "           不適合・一部適合:%s", gaps->str);
}

int kj_cli_inspect_report(KjCli *cli, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	gboolean gap = FALSE;
	int rc;

	if (!kj_cli_parse(
		cli, &argc, &argv, NULL, "CAMPAIGN",
		"Progress, score and items not met per department; exit 1 when an item is "
		"answered 不適合 (基本方針 7, 8).",
		&rc))
		return rc;
	if (argc != 2)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "inspect report needs CAMPAIGN");
	g_autoptr(KjLedger) l = open_ledger(cli);
	g_autoptr(GPtrArray) rows = kj_ledger_inspect_report(l, argv[1], &error);
	if (rows == NULL)
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	kj_out_text_quiet(cli->out, TRUE);
	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, "campaign");
	kj_out_string(cli->out, argv[1]);
	kj_out_key(cli->out, "departments");
	kj_out_begin_list(cli->out);
	for (guint i = 0; i < rows->len; i++) {
		const KjLedgerInspectRow *r = rows->pdata[i];
		print_row(cli, r);
		gap = gap || r->not_compliant > 0;
	}
	kj_out_end(cli->out);
	kj_out_end(cli->out);
	return gap ? KJ_EXIT_FINDING : KJ_EXIT_OK;
}
