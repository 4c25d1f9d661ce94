/*++
 * NAME
 *	report - the CISO's periodic report as one HTML page
 * DESCRIPTION
 *	What the CISO reviews before the policy review of clause 8, in
 *	Japanese, from the ledger as it stands: information assets by
 *	effective confidentiality level, the risk heat map (SVG inline),
 *	self-inspection progress and scores, the findings of
 *	"kyojin ledger check" and the open audit findings, the incidents
 *	not closed with their PPC report deadlines, and the duties overdue
 *	or due soon.  One self-contained file (no scripts, no external
 *	resources) that can be mailed, printed or archived.  The PDF
 *	(report_pdf.c) lays out the same page, the heat map as a table.
 * SECURITY
 *	Every value from the ledger is escaped (g_markup_escape_text):
 *	ledger text is typed by people and imported from spreadsheets.
 * LIMITS
 *	Lists are complete; a ledger with thousands of open items makes a
 *	long page, which is itself the finding.
 * STANDARDS
 *	基本方針 6(2), 6(7), 6(9), 7, 8.  HTML5.
 * SEE ALSO
 *	check.c, due.c, inspect.c, matrix.c, report_pdf.c, cli/ledger_ops.c
 *--*/
#include "ledger/ledger-private.h"

#include <stdarg.h>
#include <string.h>

static void G_GNUC_PRINTF(2, 3) esc(GString *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_autofree char *raw = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_autofree char *e = g_markup_escape_text(raw, -1);
	g_string_append(out, e);
}

static void cell(GString *out, const char *v)
{
	g_string_append(out, "<td>");
	esc(out, "%s", v ? v : "");
	g_string_append(out, "</td>");
}

static gboolean section_assets(KjLedger *l, GString *out, GError **error)
{
	static const char *const cols[] = {"confidentiality", "lg_confidentiality"};

	g_string_append(out, "<h2>1. 情報資産（実効区分別） 基本方針 6(2)</h2>\n<table>"
			     "<tr><th>分類</th><th>区分</th><th>資産数</th></tr>\n");
	for (gsize c = 0; c < G_N_ELEMENTS(cols); c++) {
		g_autoptr(GHashTable) eff = kj_ledger_effective_by_asset(l, cols[c], error);
		g_autoptr(GHashTable) counts =
		    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		GHashTableIter it;
		gpointer k, v;
		if (eff == NULL)
			return FALSE;
		g_hash_table_iter_init(&it, eff);
		while (g_hash_table_iter_next(&it, &k, &v)) {
			const char *code = v ? v : "未分類";
			gpointer n = g_hash_table_lookup(counts, code);
			g_hash_table_replace(counts, g_strdup(code),
					     GINT_TO_POINTER(GPOINTER_TO_INT(n) + 1));
		}
		g_autoptr(GList) keys =
		    g_list_sort(g_hash_table_get_keys(counts), (GCompareFunc)strcmp);
		for (GList *i = keys; i; i = i->next) {
			g_string_append(out, "<tr>");
			cell(out, c == 0 ? "機密性" : "自治体機密性");
			cell(out, i->data);
			g_string_append_printf(
			    out, "<td>%d</td></tr>\n",
			    GPOINTER_TO_INT(g_hash_table_lookup(counts, i->data)));
		}
	}
	g_string_append(out, "</table>\n");
	return TRUE;
}

/* The heat map as a table, for the PDF: MuPDF's HTML layout draws no
 * inline SVG (it would print the SVG's text elements as one line). */
static void risk_table(GString *out, KjLedgerCell cells[5][5])
{
	g_string_append(out, "<table class=\"heat\"><tr><th>発生可能性＼影響度</th>");
	for (int im = 1; im <= 5; im++)
		g_string_append_printf(out, "<th>%d</th>", im);
	g_string_append(out, "</tr>\n");
	for (int li = 5; li >= 1; li--) {
		g_string_append_printf(out, "<tr><th>%d</th>", li);
		for (int im = 1; im <= 5; im++) {
			const KjLedgerCell *c = &cells[li - 1][im - 1];
			g_string_append(out, "<td>");
			esc(out, "%s %" G_GINT64_FORMAT, c->level ? c->level : "?", c->risks);
			g_string_append(out, "</td>");
		}
		g_string_append(out, "</tr>\n");
	}
	g_string_append(out, "</table>\n<p>各欄: リスクレベル 件数</p>\n");
}

static gboolean section_risks(KjLedger *l, gboolean for_pdf, GString *out, GError **error)
{
	KjLedgerCell cells[5][5];

	g_string_append(out, "<h2>2. リスクマップ（現状） 基本方針 8</h2>\n");
	if (!kj_ledger_risk_matrix(l, "current", cells, error))
		return FALSE;
	if (for_pdf) {
		risk_table(out, cells);
		kj_ledger_risk_matrix_clear(cells);
		return TRUE;
	}
	g_autoptr(GString) svg = kj_ledger_risk_matrix_svg(cells, "");
	kj_ledger_risk_matrix_clear(cells);
	/* Inline: drop the XML declaration. */
	const char *start = strstr(svg->str, "<svg");
	g_string_append(out, start ? start : "");
	return TRUE;
}

static gboolean section_inspection(KjLedger *l, const char *campaign, GString *out, GError **error)
{
	g_string_append(out, "<h2>3. 自己点検 基本方針 7</h2>\n");
	if (campaign == NULL) {
		g_string_append(out, "<p>対象の自己点検が指定されていません。</p>\n");
		return TRUE;
	}
	g_autoptr(GPtrArray) rows = kj_ledger_inspect_report(l, campaign, error);
	if (rows == NULL)
		return FALSE;
	g_string_append(out, "<p>");
	esc(out, "%s", campaign);
	g_string_append(out, "</p>\n<table><tr><th>所属</th><th>回答</th><th>得点</th>"
			     "<th>不適合・一部適合</th></tr>\n");
	for (guint i = 0; i < rows->len; i++) {
		const KjLedgerInspectRow *r = rows->pdata[i];
		g_ptr_array_add(r->gaps, NULL);
		g_autofree char *gaps = g_strjoinv(" ", (char **)r->gaps->pdata);
		g_ptr_array_remove_index(r->gaps, r->gaps->len - 1);
		g_autofree char *score = r->score < 0
					     ? g_strdup("-")
					     : g_strdup_printf("%" G_GINT64_FORMAT "%%", r->score);
		g_autofree char *ans = g_strdup_printf("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
						       r->answered, r->items);
		g_string_append(out, "<tr>");
		cell(out, r->department);
		cell(out, ans);
		cell(out, score);
		cell(out, gaps);
		g_string_append(out, "</tr>\n");
	}
	g_string_append(out, "</table>\n");
	return TRUE;
}

static gboolean section_findings(KjLedger *l, GString *out, GError **error)
{
	g_autoptr(GPtrArray) fs = kj_ledger_check(l, error);
	g_autoptr(GPtrArray) af = fs ? kj_ledger_list(l, kj_ledger_register_find("audit-finding"),
						      "status", "open", error)
				     : NULL;

	if (af == NULL)
		return FALSE;
	g_string_append_printf(out,
			       "<h2>4. 台帳の点検結果（%u 件）と未完了の監査指摘（%u 件）</h2>\n",
			       fs->len, af->len);
	g_string_append(out, "<table><tr><th>規則</th><th>根拠</th><th>内容</th></tr>\n");
	for (guint i = 0; i < fs->len; i++) {
		const KjLedgerFinding *f = fs->pdata[i];
		g_string_append(out, "<tr>");
		cell(out, f->rule);
		cell(out, f->clause);
		cell(out, f->message);
		g_string_append(out, "</tr>\n");
	}
	g_string_append(out, "</table>\n<table><tr><th>指摘</th><th>評価</th><th>内容</th>"
			     "<th>是正措置</th><th>期限</th></tr>\n");
	for (guint i = 0; i < af->len; i++) {
		const KjLedgerRecord *r = af->pdata[i];
		g_string_append(out, "<tr>");
		cell(out, r->key);
		cell(out, kj_ledger_record_get(r, "grade"));
		cell(out, kj_ledger_record_get(r, "description"));
		cell(out, kj_ledger_record_get(r, "corrective_action"));
		cell(out, kj_ledger_record_get(r, "due"));
		g_string_append(out, "</tr>\n");
	}
	g_string_append(out, "</table>\n");
	return TRUE;
}

static gboolean section_incidents(KjLedger *l, GString *out, GError **error)
{
	g_autoptr(GPtrArray) inc =
	    kj_ledger_list(l, kj_ledger_register_find("incident"), NULL, NULL, error);

	if (inc == NULL)
		return FALSE;
	g_string_append(out, "<h2>5. 対応中のインシデント 基本方針 6(7)</h2>\n<table><tr>"
			     "<th>番号</th><th>件名</th><th>重大度</th><th>状態</th><th>発覚日</th>"
			     "<th>速報期限</th><th>確報期限</th></tr>\n");
	for (guint i = 0; i < inc->len; i++) {
		const KjLedgerRecord *r = inc->pdata[i];
		static const char *const cols[] = {
		    "title",        "severity", "status", "discovered", "ppc_preliminary_due",
		    "ppc_final_due"};
		if (g_strcmp0(kj_ledger_record_get(r, "status"), "完了") == 0)
			continue;
		g_string_append(out, "<tr>");
		cell(out, r->key);
		for (gsize c = 0; c < G_N_ELEMENTS(cols); c++)
			cell(out, kj_ledger_record_get(r, cols[c]));
		g_string_append(out, "</tr>\n");
	}
	g_string_append(out, "</table>\n");
	return TRUE;
}

static gboolean section_due(KjLedger *l, const char *today, GString *out, GError **error)
{
	g_autoptr(GPtrArray) due = kj_ledger_due(l, today, 0, error);

	if (due == NULL)
		return FALSE;
	g_string_append(out,
			"<h2>6. 期限切れ・近日期限の業務 基本方針 6(9), 7, 8</h2>\n<table><tr>"
			"<th>期限</th><th>状況</th><th>台帳</th><th>対象</th><th>内容</th></tr>\n");
	for (guint i = 0; i < due->len; i++) {
		const KjLedgerDue *d = due->pdata[i];
		g_string_append_printf(out, "<tr%s>", d->overdue ? " class=\"overdue\"" : "");
		cell(out, d->due);
		cell(out, d->overdue ? "期限切れ" : "近日");
		cell(out, d->noun);
		cell(out, d->key);
		cell(out, d->what);
		g_string_append(out, "</tr>\n");
	}
	g_string_append(out, "</table>\n");
	return TRUE;
}

GString *kj_ledger_report_html(KjLedger *l, const char *campaign, const char *today, GError **error)
{
	return _kj_ledger_report_build(l, campaign, today, FALSE, error);
}

GString *_kj_ledger_report_build(KjLedger *l, const char *campaign, const char *today,
				 gboolean for_pdf, GError **error)
{
	g_autoptr(GString) out = g_string_new(NULL);
	g_autofree char *day = today ? g_strdup(today) : _kj_ledger_today();
	g_autofree char *wareki = kj_ledger_date_to_wareki(day);

	g_string_append(out,
			"<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">"
			"<title>情報セキュリティ定期報告</title><style>"
			"body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;"
			"margin:1em 0}td,th{border:1px solid #999;padding:2px 6px}"
			"tr.overdue td{background:#fdd}</style></head><body>\n"
			"<h1>情報セキュリティ定期報告（最高情報セキュリティ責任者宛）</h1>\n<p>");
	esc(out, "%s（%s）時点", wareki ? wareki : day, day);
	g_string_append(out, "</p>\n");
	if (!section_assets(l, out, error) || !section_risks(l, for_pdf, out, error) ||
	    !section_inspection(l, campaign, out, error) || !section_findings(l, out, error) ||
	    !section_incidents(l, out, error) || !section_due(l, day, out, error))
		return NULL;
	g_string_append(out, "</body></html>\n");
	return g_steal_pointer(&out);
}
