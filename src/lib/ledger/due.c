/*++
 * NAME
 *	due - the one recurrence engine of the ledger
 * DESCRIPTION
 *	Every periodic duty is a date column marked DUE in register.c: the
 *	next date of a duty (ledger_duty: policy review, risk review,
 *	self-inspection, audits, training, contractor review, each with
 *	its interval), the review dates of contractors, cloud services and
 *	social-media accounts, a risk's next review and the expiry of its
 *	acceptance, corrective actions, audit plans and the reports owed to
 *	the Personal Information Protection Commission.  One scan over the
 *	descriptor table finds them all, so a new register with a DUE
 *	column is watched without new code.  A record whose register names
 *	a closed state (an incident at 完了, a finding closed) owes nothing.
 * SECURITY
 *	Read-only queries.
 * LIMITS
 *	The horizon is bounded by configuration (ledger.due_horizon_days).
 * STANDARDS
 *	基本方針 6(5), 6(7), 6(8), 6(9), 7, 8.
 * SEE ALSO
 *	register.c, derive.c
 *--*/
#include "ledger/ledger-private.h"

#include <string.h>

void kj_ledger_due_free(gpointer p)
{
	KjLedgerDue *d = p;

	g_free(d->noun);
	g_free(d->key);
	g_free(d->what);
	g_free(d->due);
	g_free(d->clause);
	g_free(d);
}

static int cmp_due(gconstpointer a, gconstpointer b)
{
	const KjLedgerDue *x = *(KjLedgerDue *const *)a, *y = *(KjLedgerDue *const *)b;
	int c = strcmp(x->due, y->due);

	return c ? c : strcmp(x->key, y->key);
}

static void scan_register(const KjLedgerRegister *reg, GPtrArray *records, const char *today,
			  const char *until, GPtrArray *out)
{
	for (guint r = 0; r < records->len; r++) {
		const KjLedgerRecord *rec = records->pdata[r];
		if (reg->closed_column && g_strcmp0(kj_ledger_record_get(rec, reg->closed_column),
						    reg->closed_value) == 0)
			continue;
		for (gsize i = 0; i < reg->n_columns; i++) {
			const char *v = rec->values[i];
			if (!(reg->columns[i].flags & KJ_LEDGER_COL_DUE) || v == NULL ||
			    strcmp(v, until) > 0)
				continue;
			KjLedgerDue *d = g_new0(KjLedgerDue, 1);
			d->noun = g_strdup(reg->noun);
			d->key = g_strdup(rec->key);
			if (strcmp(reg->noun, "duty") == 0) {
				d->what = g_strdup(kj_ledger_record_get(rec, "name"));
				d->clause = g_strdup(kj_ledger_record_get(rec, "clause"));
			} else {
				d->what = g_strdup(reg->columns[i].label);
				d->clause = g_strdup(reg->summary);
			}
			d->due = g_strdup(v);
			d->overdue = strcmp(v, today) < 0;
			g_ptr_array_add(out, d);
		}
	}
}

GPtrArray *kj_ledger_due(KjLedger *l, const char *today, gint64 horizon_days, GError **error)
{
	gsize n = 0;
	const KjLedgerRegister *regs = kj_ledger_registers(&n);
	g_autofree char *local_today = today ? g_strdup(today) : _kj_ledger_today();
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(kj_ledger_due_free);

	if (horizon_days <= 0)
		horizon_days = l->opts.due_horizon_days;
	g_autofree char *until = _kj_ledger_date_add(local_today, 0, (gint)horizon_days);
	if (until == NULL) {
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_INVALID,
			    "'%s' is not a YYYY-MM-DD date", local_today);
		return NULL;
	}
	for (gsize r = 0; r < n; r++) {
		gboolean watched = FALSE;
		for (gsize i = 0; i < regs[r].n_columns; i++)
			watched = watched || (regs[r].columns[i].flags & KJ_LEDGER_COL_DUE);
		if (!watched)
			continue;
		g_autoptr(GPtrArray) records = kj_ledger_list(l, &regs[r], NULL, NULL, error);
		if (records == NULL)
			return NULL;
		scan_register(&regs[r], records, local_today, until, out);
	}
	g_ptr_array_sort(out, cmp_due);
	return g_steal_pointer(&out);
}
