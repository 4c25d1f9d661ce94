/*++
 * NAME
 *	matrix - the risk heat map: risks per likelihood and impact
 * DESCRIPTION
 *	Counts the risks in each cell of the 5 x 5 grid, placed by their
 *	inherent, current or residual scores (a risk without current or
 *	residual scores stays at its inherent place), with the grid's level
 *	in each cell; and draws it as SVG, each cell coloured by the rank of
 *	its level in risk-level (so a city's own levels colour correctly).
 * SECURITY
 *	Read-only queries; level names are escaped in the SVG.
 * LIMITS
 *	Likelihood and impact are 1..5 (register.c).
 * STANDARDS
 *	基本方針 8 (risks weighed before the policy is reviewed).  SVG 1.1.
 * SEE ALSO
 *	derive.c (the grid), cli/ledger_ops.c
 *--*/
#include "ledger/ledger-private.h"

#include <string.h>

static gint64 at(const KjLedgerRecord *r, const char *which, const char *what)
{
	g_autofree char *col = g_strdup_printf("%s_%s", which, what);
	const char *v = strcmp(which, "inherent") == 0 ? NULL : kj_ledger_record_get(r, col);
	gint64 n = 0;

	if (v == NULL)
		v = kj_ledger_record_get(r, what);
	if (v == NULL || !g_ascii_string_to_signed(v, 10, 1, 5, &n, NULL))
		return 0;
	return n;
}

gboolean kj_ledger_risk_matrix(KjLedger *l, const char *which, KjLedgerCell cells[5][5],
			       GError **error)
{
	g_autoptr(GPtrArray) risks =
	    kj_ledger_list(l, kj_ledger_register_find("risk"), NULL, NULL, error);

	memset(cells, 0, sizeof(KjLedgerCell) * 25);
	if (risks == NULL)
		return FALSE;
	for (int li = 0; li < 5; li++)
		for (int im = 0; im < 5; im++) {
			cells[li][im].level = kj_ledger_risk_level(l, li + 1, im + 1, NULL);
			if (cells[li][im].level)
				kj_db_query_int(l->db,
						"SELECT rank FROM ledger_risk_level WHERE key = $1",
						KJ_DB_ARGS(KJ_DB_TEXT(cells[li][im].level)),
						&cells[li][im].rank, NULL, NULL);
		}
	for (guint i = 0; i < risks->len; i++) {
		gint64 li = at(risks->pdata[i], which, "likelihood");
		gint64 im = at(risks->pdata[i], which, "impact");
		if (li && im)
			cells[li - 1][im - 1].risks++;
	}
	return TRUE;
}

void kj_ledger_risk_matrix_clear(KjLedgerCell cells[5][5])
{
	for (int li = 0; li < 5; li++)
		for (int im = 0; im < 5; im++)
			g_clear_pointer(&cells[li][im].level, g_free);
}

GString *kj_ledger_risk_matrix_svg(KjLedgerCell cells[5][5], const char *title)
{
	static const char *const colours[] = {"#e0e0e0", "#a5d6a7", "#fff59d",
					      "#ffcc80", "#ef9a9a", "#e57373"};
	GString *s = g_string_new(NULL);
	g_autofree char *t = g_markup_escape_text(title ? title : "", -1);
	const int cell = 80, left = 70, top = 50;

	g_string_append_printf(
	    s,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	    "font-family=\"sans-serif\" font-size=\"13\">\n"
	    "<text x=\"%d\" y=\"24\" font-size=\"16\">%s</text>\n",
	    left + 5 * cell + 20, top + 5 * cell + 60, left, t);
	for (int li = 5; li >= 1; li--) {
		int y = top + (5 - li) * cell;
		g_string_append_printf(s, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%d</text>\n",
				       left - 10, y + cell / 2 + 5, li);
		for (int im = 1; im <= 5; im++) {
			const KjLedgerCell *c = &cells[li - 1][im - 1];
			int x = left + (im - 1) * cell;
			gint64 rank = CLAMP(c->rank, 0, (gint64)G_N_ELEMENTS(colours) - 1);
			g_autofree char *lv = g_markup_escape_text(c->level ? c->level : "?", -1);
			g_string_append_printf(
			    s,
			    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" "
			    "stroke=\"#555\"/>\n"
			    "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n"
			    "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
			    "font-size=\"22\">%" G_GINT64_FORMAT "</text>\n",
			    x, y, cell, cell, colours[rank], x + cell / 2, y + 22, lv, x + cell / 2,
			    y + 56, c->risks);
		}
	}
	for (int im = 1; im <= 5; im++)
		g_string_append_printf(s,
				       "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d</text>\n",
				       left + (im - 1) * cell + cell / 2, top + 5 * cell + 20, im);
	g_string_append_printf(
	    s,
	    "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">影響度 (impact)</text>\n"
	    "<text x=\"16\" y=\"%d\" transform=\"rotate(-90 16 %d)\" "
	    "text-anchor=\"middle\">発生可能性 (likelihood)</text>\n</svg>\n",
	    left + 5 * cell / 2, top + 5 * cell + 45, top + 5 * cell / 2, top + 5 * cell / 2);
	return s;
}
