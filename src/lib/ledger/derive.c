/*++
 * NAME
 *	derive - columns the ledger computes: risk levels, review dates,
 *	report deadlines, the next date of a duty
 * DESCRIPTION
 *	Risk levels come from a lookup grid (ledger_risk_grid: likelihood x
 *	impact -> level), not a formula, so that a city can follow its own
 *	table with "kyojin ledger risk-grid set L3-I4 level=高".  The next
 *	review of a risk is set by its most recent level (residual, else
 *	current, else inherent) through ledger_risk_level.review_months.
 *
 *	An incident involving personal information or personal numbers gets
 *	the deadlines of the reports the law requires to the Personal
 *	Information Protection Commission (速報, 確報), counted from the day
 *	it was discovered with configurable periods.  Its status moves only
 *	forward, one step at a time: 報告 → 初動対応 → 調査 → 復旧 → 再発防止 → 完了.
 *
 *	A duty's next date is its last date plus its interval; one never
 *	done is due from the day it was recorded.
 * SECURITY
 *	Library code; values were validated by value.c before.
 * LIMITS
 *	Periods are bounded by the configuration (KJ_LEDGER_DAYS_CEILING).
 * STANDARDS
 *	基本方針 3, 6(7) (緊急時対応), 8 (risk analysis before review),
 *	6(9), 7.  個人情報の保護に関する法律 第68条 and its rules (report
 *	periods, configurable since they are set by regulation).
 * SEE ALSO
 *	register.c, due.c
 *--*/
#include "ledger/ledger-private.h"

#include <string.h>

static const char *const incident_flow[] = {"報告", "初動対応", "調査", "復旧", "再発防止", "完了"};

typedef struct {
	char *text;
} FirstText;

static gboolean first_text(const KjDbRow *row, gpointer user_data)
{
	FirstText *f = user_data;

	f->text = g_strdup(kj_db_row_get_text(row, 0));
	return FALSE;
}

char *kj_ledger_risk_level(KjLedger *l, gint64 likelihood, gint64 impact, GError **error)
{
	FirstText f = {NULL};

	if (!kj_db_query(
		l->db, "SELECT level FROM ledger_risk_grid WHERE likelihood = $1 AND impact = $2",
		KJ_DB_ARGS(KJ_DB_INT(likelihood), KJ_DB_INT(impact)), first_text, &f, error))
		return NULL;
	if (f.text == NULL)
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_UNKNOWN,
			    "the risk grid has no cell for likelihood %" G_GINT64_FORMAT
			    " and impact %" G_GINT64_FORMAT " (kyojin ledger risk-grid add)",
			    likelihood, impact);
	return f.text;
}

static gint64 int_of(const KjLedgerRecord *rec, const char *col)
{
	const char *v = kj_ledger_record_get(rec, col);
	gint64 n = 0;

	if (v == NULL || !g_ascii_string_to_signed(v, 10, 0, G_MAXINT64, &n, NULL))
		return 0;
	return n;
}

/* Sets out_col from the grid for (lcol, icol); cleared if either is empty. */
static gboolean grid_pair(KjLedger *l, KjLedgerRecord *rec, const char *lcol, const char *icol,
			  const char *out_col, GError **error)
{
	gint64 li = int_of(rec, lcol), im = int_of(rec, icol);

	if (li == 0 || im == 0) {
		kj_ledger_record_put(rec, out_col, NULL);
		return TRUE;
	}
	g_autofree char *level = kj_ledger_risk_level(l, li, im, error);
	if (level == NULL)
		return FALSE;
	kj_ledger_record_put(rec, out_col, level);
	return TRUE;
}

gboolean _kj_ledger_derive_risk(KjLedger *l, const KjLedgerRecord *old, KjLedgerRecord *rec,
				GError **error)
{
	gint64 months = 0;
	gboolean found = FALSE;

	if (!grid_pair(l, rec, "likelihood", "impact", "inherent_level", error) ||
	    !grid_pair(l, rec, "current_likelihood", "current_impact", "current_level", error) ||
	    !grid_pair(l, rec, "residual_likelihood", "residual_impact", "residual_level", error))
		return FALSE;
	if (g_strcmp0(kj_ledger_record_get(rec, "treatment"), "受容") == 0 &&
	    (kj_ledger_record_get(rec, "accepted_by") == NULL ||
	     kj_ledger_record_get(rec, "acceptance_expiry") == NULL)) {
		g_set_error(
		    error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_INVALID,
		    "a risk accepted (受容) needs accepted_by (承認者) and acceptance_expiry "
		    "(受容期限) (基本方針 8)");
		return FALSE;
	}
	const char *level = kj_ledger_record_get(rec, "residual_level");
	if (level == NULL)
		level = kj_ledger_record_get(rec, "current_level");
	if (level == NULL)
		level = kj_ledger_record_get(rec, "inherent_level");
	if (!kj_db_query_int(l->db, "SELECT review_months FROM ledger_risk_level WHERE key = $1",
			     KJ_DB_ARGS(KJ_DB_TEXT(level)), &months, &found, error))
		return FALSE;
	if (!found) {
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_REFERENCE,
			    "risk level '%s' of the grid is not in risk-level", level);
		return FALSE;
	}
	g_autofree char *today = _kj_ledger_today();
	g_autofree char *next = _kj_ledger_date_add(today, (gint)months, 0);
	kj_ledger_record_put(rec, "next_review", next);
	return TRUE;
}

static int flow_index(const char *status)
{
	for (gsize i = 0; i < G_N_ELEMENTS(incident_flow); i++)
		if (g_strcmp0(incident_flow[i], status) == 0)
			return (int)i;
	return -1;
}

gboolean _kj_ledger_derive_incident(KjLedger *l, const KjLedgerRecord *old, KjLedgerRecord *rec,
				    GError **error)
{
	if (old) {
		int from = flow_index(kj_ledger_record_get(old, "status"));
		int to = flow_index(kj_ledger_record_get(rec, "status"));
		if (to != from && to != from + 1) {
			g_set_error(
			    error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_INVALID,
			    "status cannot go from %s to %s: it moves one step forward, "
			    "報告 → 初動対応 → 調査 → 復旧 → 再発防止 → 完了 (基本方針 6(7))",
			    kj_ledger_record_get(old, "status"),
			    kj_ledger_record_get(rec, "status"));
			return FALSE;
		}
	}
	gboolean personal = g_strcmp0(kj_ledger_record_get(rec, "personal_info"), "1") == 0 ||
			    g_strcmp0(kj_ledger_record_get(rec, "my_number"), "1") == 0;
	const char *discovered = kj_ledger_record_get(rec, "discovered");
	g_autofree char *pre =
	    personal ? _kj_ledger_date_add(discovered, 0, (gint)l->opts.ppc_preliminary_days)
		     : NULL;
	g_autofree char *fin =
	    personal ? _kj_ledger_date_add(discovered, 0, (gint)l->opts.ppc_final_days) : NULL;
	kj_ledger_record_put(rec, "ppc_preliminary_due", pre);
	kj_ledger_record_put(rec, "ppc_final_due", fin);
	return TRUE;
}

gboolean _kj_ledger_derive_duty(KjLedger *l, const KjLedgerRecord *old, KjLedgerRecord *rec,
				GError **error)
{
	const char *last = kj_ledger_record_get(rec, "last_done");
	gint64 months = int_of(rec, "interval_months");

	if (last) {
		g_autofree char *next = _kj_ledger_date_add(last, (gint)months, 0);
		kj_ledger_record_put(rec, "next_due", next);
	} else if (kj_ledger_record_get(rec, "next_due") == NULL) {
		g_autofree char *today = _kj_ledger_today();
		kj_ledger_record_put(rec, "next_due", today);
	}
	return TRUE;
}
