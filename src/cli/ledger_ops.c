/*++
 * NAME
 *	ledger_ops - "kyojin ledger check | due | import | export | columns",
 *	"kyojin risk matrix"
 * DESCRIPTION
 *	The ledger's whole-register commands.  check runs the
 *	classification and consistency rules and exits 1 when any finding
 *	is left; due lists every periodic duty due within a horizon, from
 *	the one recurrence engine; import and export move a register
 *	through CSV the way city staff keep it in Excel; columns prints the
 *	registers and their columns (the data that drives everything
 *	else); risk matrix prints the risk heat map as text.
 * SECURITY
 *	Runs as the invoking user.  Import files are untrusted and parsed
 *	by the library with bounds; export writes only where asked.
 * STANDARDS
 *	基本方針 6(2), 6(3)①, 6(8), 6(9), 7, 8.  Exit codes of DESIGN.md.
 * SEE ALSO
 *	cli/ledger.c, ledger/ledger.h
 *--*/
#include "cli/cli.h"
#include "ledger/hosts.h"
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

static void out_str(KjOut *out, const char *key, const char *v)
{
	kj_out_key(out, key);
	if (v)
		kj_out_string(out, v);
	else
		kj_out_null(out);
}

int kj_cli_ledger_check(KjCli *cli, int argc, char **argv)
{
	g_autofree char *model_path = NULL;
	const GOptionEntry entries[] = {
	    {"model", 0, 0, G_OPTION_ARG_FILENAME, &model_path,
	     "also check the assets' hosts against this segment model (kyojin policy)", "FILE"},
	    G_OPTION_ENTRY_NULL};
	g_autoptr(GError) error = NULL;
	int rc;

	if (!kj_cli_parse(
		cli, &argc, &argv, entries, "",
		"Check the ledger: classification inheritance, 個人番号 outside the My "
		"Number segment, contract clauses, handling rules, organisation, pledges, "
		"expired risk acceptances.  Exit 1 when there are findings.",
		&rc))
		return rc;
	g_autoptr(KjLedger) l = open_ledger(cli);
	g_autoptr(KjPolicy) model = model_path ? kj_policy_load_file(model_path, &error) : NULL;
	if (model_path && model == NULL)
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	g_autoptr(GPtrArray) findings = kj_ledger_check(l, &error);
	if (findings == NULL || (model && !kj_ledger_check_hosts(l, model, findings, &error)))
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	kj_out_text_quiet(cli->out, TRUE);
	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, "findings");
	kj_out_begin_list(cli->out);
	for (guint i = 0; i < findings->len; i++) {
		const KjLedgerFinding *f = findings->pdata[i];
		kj_out_begin_map(cli->out);
		out_str(cli->out, "rule", f->rule);
		out_str(cli->out, "clause", f->clause);
		out_str(cli->out, "register", f->noun);
		out_str(cli->out, "key", f->key);
		out_str(cli->out, "message", f->message);
		kj_out_end(cli->out);
		kj_out_line(cli->out, "%s [%s] %s", f->rule, f->clause, f->message);
	}
	kj_out_end(cli->out);
	kj_out_end(cli->out);
	kj_out_line(cli->out, "%u finding(s)", findings->len);
	return findings->len ? KJ_EXIT_FINDING : KJ_EXIT_OK;
}

int kj_cli_ledger_due(KjCli *cli, int argc, char **argv)
{
	gint64 days = 0;
	g_autofree char *today = NULL;
	const GOptionEntry entries[] = {
	    {"days", 0, 0, G_OPTION_ARG_INT64, &days,
	     "look this many days ahead (default: ledger.due_horizon_days)", "N"},
	    {"today", 0, 0, G_OPTION_ARG_STRING, &today, "count from this date instead of today",
	     "DATE"},
	    G_OPTION_ENTRY_NULL};
	g_autoptr(GError) error = NULL;
	char iso[11];
	int rc;

	if (!kj_cli_parse(cli, &argc, &argv, entries, "",
			  "List periodic duties due or overdue: policy review, risk review, "
			  "self-inspection, audits, training, contractor, cloud and social-media "
			  "reviews, corrective actions and reports to the PPC.",
			  &rc))
		return rc;
	if (days < 0 || days > KJ_LEDGER_DAYS_CEILING)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "--days must be 0 to %d",
				    KJ_LEDGER_DAYS_CEILING);
	if (today && !kj_ledger_date_parse(today, iso, &error))
		return kj_cli_gerror(cli, KJ_EXIT_USAGE, error);
	g_autoptr(KjLedger) l = open_ledger(cli);
	g_autoptr(GPtrArray) due = kj_ledger_due(l, today ? iso : NULL, days, &error);
	if (due == NULL)
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	kj_out_text_quiet(cli->out, TRUE);
	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, "due");
	kj_out_begin_list(cli->out);
	for (guint i = 0; i < due->len; i++) {
		const KjLedgerDue *d = due->pdata[i];
		kj_out_begin_map(cli->out);
		out_str(cli->out, "register", d->noun);
		out_str(cli->out, "key", d->key);
		out_str(cli->out, "what", d->what);
		out_str(cli->out, "due", d->due);
		kj_out_key(cli->out, "overdue");
		kj_out_bool(cli->out, d->overdue);
		out_str(cli->out, "clause", d->clause);
		kj_out_end(cli->out);
		kj_out_line(cli->out, "%s %-8s %s %s: %s", d->due, d->overdue ? "OVERDUE" : "due",
			    d->noun, d->key, d->what);
	}
	kj_out_end(cli->out);
	kj_out_end(cli->out);
	return KJ_EXIT_OK;
}

int kj_cli_ledger_import(KjCli *cli, int argc, char **argv)
{
	gboolean update = FALSE;
	const GOptionEntry entries[] = {{"update", 0, 0, G_OPTION_ARG_NONE, &update,
					 "change records whose key exists (else that is an error)",
					 NULL},
					G_OPTION_ENTRY_NULL};
	g_autoptr(GError) error = NULL;
	g_autofree char *data = NULL;
	gsize len = 0;
	KjLedgerImportStats st = {0};
	int rc;

	if (!kj_cli_parse(cli, &argc, &argv, entries, "NOUN FILE.csv",
			  "Import a register from CSV (UTF-8 with or without BOM, or CP932).  The "
			  "header names columns by name or Japanese label; all rows or none.",
			  &rc))
		return rc;
	if (argc != 3)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "import needs NOUN and FILE");
	const KjLedgerRegister *reg = kj_ledger_register_find(argv[1]);
	if (reg == NULL)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "no register '%s'", argv[1]);
	if (!kj_fs_read_file(argv[2], KJ_LEDGER_MAX_IMPORT_BYTES, &data, &len, &error))
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	g_autoptr(KjLedger) l = open_ledger(cli);
	if (!kj_ledger_import_csv(l, reg, data, len, update, &st, &error))
		return kj_cli_error(cli, KJ_EXIT_INPUT, "%s: %s", argv[2], error->message);
	kj_out_text_quiet(cli->out, TRUE);
	kj_out_begin_map(cli->out);
	out_str(cli->out, "register", reg->noun);
	out_str(cli->out, "encoding", st.encoding);
	kj_out_key(cli->out, "added");
	kj_out_int(cli->out, st.added);
	kj_out_key(cli->out, "updated");
	kj_out_int(cli->out, st.updated);
	kj_out_end(cli->out);
	kj_out_line(cli->out, "%s: %" G_GINT64_FORMAT " added, %" G_GINT64_FORMAT " updated (%s)",
		    reg->noun, st.added, st.updated, st.encoding);
	return KJ_EXIT_OK;
}

int kj_cli_ledger_export(KjCli *cli, int argc, char **argv)
{
	g_autofree char *output = NULL;
	gboolean xlsx = FALSE;
	const GOptionEntry entries[] = {
	    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
	     "write to FILE instead of standard output", "FILE"},
	    {"xlsx", 0, 0, G_OPTION_ARG_NONE, &xlsx, "write an Excel workbook (needs -o)", NULL},
	    G_OPTION_ENTRY_NULL};
	g_autoptr(GError) error = NULL;
	int rc;

	if (!kj_cli_parse(cli, &argc, &argv, entries, "NOUN",
			  "Export a register as CSV: UTF-8 with BOM and CRLF, as Excel opens it.",
			  &rc))
		return rc;
	if (argc != 2)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "export needs NOUN");
	const KjLedgerRegister *reg = kj_ledger_register_find(argv[1]);
	if (reg == NULL)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "no register '%s'", argv[1]);
	g_autoptr(KjLedger) l = open_ledger(cli);
	if (xlsx) {
		if (output == NULL)
			return kj_cli_error(cli, KJ_EXIT_USAGE, "--xlsx needs -o FILE.xlsx");
		if (!kj_ledger_export_xlsx(l, reg, output, &error))
			return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
		return KJ_EXIT_OK;
	}
	g_autoptr(GString) csv = kj_ledger_export_csv(l, reg, &error);
	if (csv == NULL)
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	if (output) {
		if (!kj_fs_write_atomic(output, csv->str, csv->len, 0640, &error))
			return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
		return KJ_EXIT_OK;
	}
	if (fwrite(csv->str, 1, csv->len, stdout) != csv->len || fflush(stdout) != 0)
		return kj_cli_error(cli, KJ_EXIT_INPUT, "cannot write to standard output");
	return KJ_EXIT_OK;
}

static void print_columns(KjCli *cli, const KjLedgerRegister *reg)
{
	kj_out_begin_map(cli->out);
	out_str(cli->out, "register", reg->noun);
	out_str(cli->out, "summary", reg->summary);
	kj_out_line(cli->out, "%s — %s", reg->noun, reg->summary);
	kj_out_key(cli->out, "columns");
	kj_out_begin_list(cli->out);
	for (gsize i = 0; i < reg->n_columns; i++) {
		const KjLedgerColumn *c = &reg->columns[i];
		unsigned f = c->flags;
		kj_out_begin_map(cli->out);
		out_str(cli->out, "name", c->name);
		out_str(cli->out, "label", c->label);
		out_str(cli->out, "type", kj_ledger_type_name(c->type));
		out_str(cli->out, "ref", c->ref);
		kj_out_key(cli->out, "required");
		kj_out_bool(cli->out, (f & KJ_LEDGER_COL_REQUIRED) != 0);
		kj_out_key(cli->out, "derived");
		kj_out_bool(cli->out, (f & KJ_LEDGER_COL_DERIVED) != 0);
		kj_out_end(cli->out);
		kj_out_line(cli->out, "  %-20s %-9s %s%s%s%s%s", c->name,
			    kj_ledger_type_name(c->type), c->label,
			    f & KJ_LEDGER_COL_REQUIRED ? " (必須)" : "",
			    f & KJ_LEDGER_COL_DERIVED ? " (自動計算)" : "", c->ref ? " → " : "",
			    c->ref ? c->ref : "");
	}
	kj_out_end(cli->out);
	kj_out_end(cli->out);
}

int kj_cli_ledger_columns(KjCli *cli, int argc, char **argv)
{
	gsize n = 0;
	const KjLedgerRegister *regs = kj_ledger_registers(&n);
	int rc;

	if (!kj_cli_parse(cli, &argc, &argv, NULL, "[NOUN]",
			  "List the registers and their columns.", &rc))
		return rc;
	kj_out_text_quiet(cli->out, TRUE);
	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, "registers");
	kj_out_begin_list(cli->out);
	for (gsize i = 0; i < n; i++)
		if (argc < 2 || strcmp(argv[1], regs[i].noun) == 0)
			print_columns(cli, &regs[i]);
	kj_out_end(cli->out);
	kj_out_end(cli->out);
	return KJ_EXIT_OK;
}

static void print_matrix(KjCli *cli, KjLedgerCell cells[5][5])
{
	kj_out_text_quiet(cli->out, TRUE);
	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, "cells");
	kj_out_begin_list(cli->out);
	kj_out_line(cli->out, "発生可能性＼影響度     1       2       3       4       5");
	for (gint64 li = 5; li >= 1; li--) {
		g_autoptr(GString) row = g_string_new(NULL);
		g_string_append_printf(row, "        %" G_GINT64_FORMAT "       ", li);
		for (gint64 im = 1; im <= 5; im++) {
			const KjLedgerCell *c = &cells[li - 1][im - 1];
			kj_out_begin_map(cli->out);
			kj_out_key(cli->out, "likelihood");
			kj_out_int(cli->out, li);
			kj_out_key(cli->out, "impact");
			kj_out_int(cli->out, im);
			out_str(cli->out, "level", c->level);
			kj_out_key(cli->out, "risks");
			kj_out_int(cli->out, c->risks);
			kj_out_end(cli->out);
			g_string_append_printf(row, " %s:%-3" G_GINT64_FORMAT,
					       c->level ? c->level : "?", c->risks);
		}
		kj_out_line(cli->out, "%s", row->str);
	}
	kj_out_end(cli->out);
	kj_out_end(cli->out);
}

int kj_cli_risk_matrix(KjCli *cli, int argc, char **argv)
{
	g_autofree char *which = NULL, *svg = NULL;
	const GOptionEntry entries[] = {
	    {"by", 0, 0, G_OPTION_ARG_STRING, &which,
	     "place risks by inherent, current (default) or residual scores", "WHICH"},
	    {"svg", 0, 0, G_OPTION_ARG_FILENAME, &svg, "also write the heat map as SVG to FILE",
	     "FILE"},
	    G_OPTION_ENTRY_NULL};
	g_autoptr(GError) error = NULL;
	KjLedgerCell cells[5][5];
	int rc;

	if (!kj_cli_parse(
		cli, &argc, &argv, entries, "",
		"Print the risk heat map: number of risks per likelihood (rows) and impact "
		"(columns), with the grid's level in each cell (基本方針 8).",
		&rc))
		return rc;
	if (which == NULL)
		which = g_strdup("current");
	if (strcmp(which, "inherent") != 0 && strcmp(which, "current") != 0 &&
	    strcmp(which, "residual") != 0)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "--by is inherent, current or residual");
	g_autoptr(KjLedger) l = open_ledger(cli);
	if (!kj_ledger_risk_matrix(l, which, cells, &error))
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	if (svg) {
		g_autofree char *title = g_strdup_printf("リスクマップ (%s)", which);
		g_autoptr(GString) doc = kj_ledger_risk_matrix_svg(cells, title);
		if (!kj_fs_write_atomic(svg, doc->str, doc->len, 0640, &error)) {
			kj_ledger_risk_matrix_clear(cells);
			return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
		}
	}
	print_matrix(cli, cells);
	kj_ledger_risk_matrix_clear(cells);
	return KJ_EXIT_OK;
}

static gint64 pct(gint64 part, gint64 whole)
{
	return whole ? part * 100 / whole : 0;
}

int kj_cli_ledger_staff(KjCli *cli, int argc, char **argv)
{
	g_autofree char *course = NULL, *since = NULL;
	const GOptionEntry entries[] = {{"course", 0, 0, G_OPTION_ARG_STRING, &course,
					 "count only courses containing TEXT", "TEXT"},
					{"since", 0, 0, G_OPTION_ARG_STRING, &since,
					 "count only training on or after DATE", "DATE"},
					G_OPTION_ENTRY_NULL};
	g_autoptr(GError) error = NULL;
	int rc;

	if (!kj_cli_parse(cli, &argc, &argv, entries, "",
			  "Pledge and training completion per department (基本方針 5, 6(5)).", &rc))
		return rc;
	g_autoptr(KjLedger) l = open_ledger(cli);
	g_autoptr(GPtrArray) rows = kj_ledger_staff_report(l, course, since, &error);
	if (rows == NULL)
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	kj_out_text_quiet(cli->out, TRUE);
	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, "departments");
	kj_out_begin_list(cli->out);
	kj_out_line(cli->out, "所属        職員数  誓約   研修受講");
	for (guint i = 0; i < rows->len; i++) {
		const KjLedgerStaffRow *r = rows->pdata[i];
		kj_out_begin_map(cli->out);
		out_str(cli->out, "department", r->department);
		kj_out_key(cli->out, "staff");
		kj_out_int(cli->out, r->staff);
		kj_out_key(cli->out, "pledged");
		kj_out_int(cli->out, r->pledged);
		kj_out_key(cli->out, "trained");
		kj_out_int(cli->out, r->trained);
		kj_out_key(cli->out, "pledge_rate");
		kj_out_int(cli->out, pct(r->pledged, r->staff));
		kj_out_key(cli->out, "training_rate");
		kj_out_int(cli->out, pct(r->trained, r->staff));
		kj_out_end(cli->out);
		kj_out_line(
		    cli->out,
		    "%-10s %6" G_GINT64_FORMAT " %5" G_GINT64_FORMAT "%% %7" G_GINT64_FORMAT "%%",
		    r->department, r->staff, pct(r->pledged, r->staff), pct(r->trained, r->staff));
	}
	kj_out_end(cli->out);
	kj_out_end(cli->out);
	return KJ_EXIT_OK;
}

int kj_cli_report_ciso(KjCli *cli, int argc, char **argv)
{
	g_autofree char *output = NULL, *campaign = NULL, *today = NULL;
	gboolean pdf = FALSE;
	const GOptionEntry entries[] = {
	    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "write to FILE (else stdout)",
	     "FILE"},
	    {"campaign", 0, 0, G_OPTION_ARG_STRING, &campaign, "self-inspection to report", "KEY"},
	    {"today", 0, 0, G_OPTION_ARG_STRING, &today, "report as of this date", "DATE"},
	    {"pdf", 0, 0, G_OPTION_ARG_NONE, &pdf,
	     "PDF (A4) instead of HTML; also when FILE ends .pdf", NULL},
	    G_OPTION_ENTRY_NULL};
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) bytes = NULL;
	char iso[11];
	int rc, pages = 0;

	if (!kj_cli_parse(
		cli, &argc, &argv, entries, "",
		"The CISO's periodic report (Japanese) as one HTML page or as PDF: assets by "
		"class, risk heat map, self-inspection scores, findings, incidents, overdue "
		"duties (基本方針 6(9), 7, 8).",
		&rc))
		return rc;
	if (today && !kj_ledger_date_parse(today, iso, &error))
		return kj_cli_gerror(cli, KJ_EXIT_USAGE, error);
	if (output && g_str_has_suffix(output, ".pdf"))
		pdf = TRUE;
	g_autoptr(KjLedger) l = open_ledger(cli);
	if (pdf) {
		bytes = kj_ledger_report_pdf(l, campaign, today ? iso : NULL, &pages, &error);
	} else {
		GString *html = kj_ledger_report_html(l, campaign, today ? iso : NULL, &error);
		bytes = html ? g_string_free_to_bytes(html) : NULL;
	}
	if (bytes == NULL)
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	gsize len;
	const char *data = g_bytes_get_data(bytes, &len);
	if (output) {
		if (!kj_fs_write_atomic(output, data, len, 0640, &error))
			return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
		if (pdf)
			g_printerr("%s: %d pages\n", output, pages);
		return KJ_EXIT_OK;
	}
	if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
		return kj_cli_error(cli, KJ_EXIT_INPUT, "cannot write to standard output");
	return KJ_EXIT_OK;
}
