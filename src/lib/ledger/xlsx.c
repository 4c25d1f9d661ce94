/*++
 * NAME
 *	xlsx - export a register as an Excel workbook
 * DESCRIPTION
 *	City staff live in Excel: the export is one worksheet named after
 *	the register, a header row with the column names (so that a copy
 *	saved as CSV imports back) and a second header row with the
 *	Japanese labels, frozen, with an autofilter.  Dates are written as
 *	text in YYYY-MM-DD, integers as numbers.  libxlsxwriter writes the
 *	file; it is optional at build time (KJ_HAVE_XLSXWRITER).
 * SECURITY
 *	Writes only the path the caller names; values are data, never
 *	formulas (strings are written with worksheet_write_string, so a
 *	cell that starts with '=' stays text: no formula injection).
 * LIMITS
 *	Excel's 1,048,576 rows; registers are far smaller.
 * STANDARDS
 *	ECMA-376 (through libxlsxwriter).  基本方針 6(2).
 * SEE ALSO
 *	csv.c, cli/ledger_ops.c
 *--*/
#include "kj_build_config.h"

#include "ledger/ledger-private.h"

#include <string.h>

#if KJ_HAVE_XLSXWRITER
#include <xlsxwriter.h>

static void write_value(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const KjLedgerColumn *c,
			const char *v)
{
	gint64 n = 0;

	if (v == NULL)
		return;
	if (c && c->type == KJ_LEDGER_INT &&
	    g_ascii_string_to_signed(v, 10, G_MININT64, G_MAXINT64, &n, NULL))
		worksheet_write_number(ws, row, col, (double)n, NULL);
	else
		worksheet_write_string(ws, row, col, v, NULL);
}

static gboolean write_sheet(lxw_workbook *wb, const KjLedgerRegister *reg, GPtrArray *records)
{
	char name[32];
	lxw_worksheet *ws;
	lxw_format *bold = workbook_add_format(wb);

	g_strlcpy(name, reg->noun, sizeof(name));
	ws = workbook_add_worksheet(wb, name);
	if (ws == NULL || bold == NULL)
		return FALSE;
	format_set_bold(bold);
	worksheet_write_string(ws, 0, 0, "key", bold);
	worksheet_write_string(ws, 1, 0, "キー", bold);
	for (gsize i = 0; i < reg->n_columns; i++) {
		worksheet_write_string(ws, 0, (lxw_col_t)(i + 1), reg->columns[i].name, bold);
		worksheet_write_string(ws, 1, (lxw_col_t)(i + 1), reg->columns[i].label, bold);
	}
	for (guint r = 0; r < records->len; r++) {
		const KjLedgerRecord *rec = records->pdata[r];
		write_value(ws, (lxw_row_t)(r + 2), 0, NULL, rec->key);
		for (gsize i = 0; i < reg->n_columns; i++)
			write_value(ws, (lxw_row_t)(r + 2), (lxw_col_t)(i + 1), &reg->columns[i],
				    rec->values[i]);
	}
	worksheet_freeze_panes(ws, 2, 1);
	worksheet_set_column(ws, 0, (lxw_col_t)reg->n_columns, 16, NULL);
	worksheet_autofilter(ws, 1, 0, (lxw_row_t)(records->len + 1), (lxw_col_t)reg->n_columns);
	return TRUE;
}

gboolean kj_ledger_export_xlsx(KjLedger *l, const KjLedgerRegister *reg, const char *path,
			       GError **error)
{
	g_autoptr(GPtrArray) records = kj_ledger_list(l, reg, NULL, NULL, error);
	lxw_workbook *wb;
	lxw_error err;

	if (records == NULL)
		return FALSE;
	wb = workbook_new(path);
	if (wb == NULL) {
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_INVALID,
			    "cannot create workbook %s", path);
		return FALSE;
	}
	gboolean ok = write_sheet(wb, reg, records);
	err = workbook_close(wb);
	if (!ok || err != LXW_NO_ERROR) {
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_INVALID, "cannot write %s: %s",
			    path, ok ? lxw_strerror(err) : "worksheet not created");
		return FALSE;
	}
	return TRUE;
}
#else
gboolean kj_ledger_export_xlsx(KjLedger *l, const KjLedgerRegister *reg, const char *path,
			       GError **error)
{
	g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_INVALID,
		    "this kyojin was built without libxlsxwriter; export CSV instead");
	return FALSE;
}
#endif
