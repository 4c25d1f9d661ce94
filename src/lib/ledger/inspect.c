/*++
 * NAME
 *	inspect - self-inspection campaigns (自己点検)
 * DESCRIPTION
 *	A campaign issues the checklist to every department for a period:
 *	one answer record per department and leaf item of the checklist
 *	tree (an item with sub-items is a heading).  The checklist shipped
 *	with kyojin is derived from the basic policy's clauses 5 to 7, each
 *	item citing its clause; a city extends it with "kyojin ledger
 *	checklist add".  Answers go through the generic record code, so
 *	each is audited with its old and new value and concurrent answers
 *	never overwrite each other.  The report counts progress and a score
 *	per department (適合 2 points, 一部適合 1, 不適合 0, 該当なし left out)
 *	and lists the items not met, which feed the policy review of
 *	clause 8.
 * SECURITY
 *	Library code; input checked by record.c and value.c.
 * LIMITS
 *	One campaign writes departments x items answers in one transaction.
 * STANDARDS
 *	基本方針 6(9), 7, 8.
 * SEE ALSO
 *	register.c (checklist, campaign, answer), cli/ledger_inspect.c
 *--*/
#include "ledger/ledger-private.h"

#include <string.h>

static gboolean is_leaf(GPtrArray *items, const KjLedgerRecord *item)
{
	for (guint i = 0; i < items->len; i++) {
		const KjLedgerRecord *other = items->pdata[i];
		if (g_strcmp0(kj_ledger_record_get(other, "parent"), item->key) == 0)
			return FALSE;
	}
	return TRUE;
}

static gboolean issue(KjLedger *l, const char *campaign, GPtrArray *deps, GPtrArray *items,
		      gint64 *answers, GError **error)
{
	const KjLedgerRegister *answer = kj_ledger_register_find("answer");

	for (guint d = 0; d < deps->len; d++) {
		const KjLedgerRecord *dep = deps->pdata[d];
		for (guint i = 0; i < items->len; i++) {
			const KjLedgerRecord *item = items->pdata[i];
			if (!is_leaf(items, item))
				continue;
			g_autofree char *key =
			    g_strdup_printf("%s/%s/%s", campaign, dep->key, item->key);
			g_autofree char *a1 = g_strdup_printf("campaign=%s", campaign);
			g_autofree char *a2 = g_strdup_printf("department=%s", dep->key);
			g_autofree char *a3 = g_strdup_printf("item=%s", item->key);
			const char *assign[] = {a1, a2, a3, NULL};
			if (!_kj_ledger_add_locked(l, answer, key, assign, error))
				return FALSE;
			(*answers)++;
		}
	}
	return TRUE;
}

gboolean kj_ledger_inspect_start(KjLedger *l, const char *campaign, const char *name,
				 const char *from, const char *to, gint64 *answers, GError **error)
{
	g_autofree char *a1 = g_strdup_printf("name=%s", name);
	g_autofree char *a2 = g_strdup_printf("period_start=%s", from);
	g_autofree char *a3 = g_strdup_printf("period_end=%s", to);
	const char *assign[] = {a1, a2, a3, "status=open", NULL};
	gint64 n = 0;

	g_autoptr(GPtrArray) deps =
	    kj_ledger_list(l, kj_ledger_register_find("department"), NULL, NULL, error);
	g_autoptr(GPtrArray) items =
	    deps ? kj_ledger_list(l, kj_ledger_register_find("checklist"), NULL, NULL, error)
		 : NULL;
	if (items == NULL)
		return FALSE;
	if (deps->len == 0 || items->len == 0) {
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_INVALID,
			    "a self-inspection needs departments and checklist items (kyojin "
			    "ledger department add ...)");
		return FALSE;
	}
	if (!kj_db_begin(l->db, error))
		return FALSE;
	if (!_kj_ledger_add_locked(l, kj_ledger_register_find("campaign"), campaign, assign,
				   error) ||
	    !issue(l, campaign, deps, items, &n, error) || !kj_db_commit(l->db, error)) {
		kj_db_rollback(l->db, NULL);
		return FALSE;
	}
	if (answers)
		*answers = n;
	return TRUE;
}

gboolean kj_ledger_inspect_answer(KjLedger *l, const char *campaign, const char *department,
				  const char *item, const char *result, const char *evidence,
				  const char *answered_by, GError **error)
{
	g_autoptr(KjLedgerRecord) c =
	    kj_ledger_get(l, kj_ledger_register_find("campaign"), campaign, error);
	g_autofree char *key = g_strdup_printf("%s/%s/%s", campaign, department, item);
	g_autofree char *a1 = g_strdup_printf("result=%s", result);
	g_autofree char *a2 = evidence ? g_strdup_printf("evidence=%s", evidence) : NULL;
	g_autofree char *a3 = answered_by ? g_strdup_printf("answered_by=%s", answered_by) : NULL;
	const char *assign[4] = {a1, NULL, NULL, NULL};
	int n = 1;

	if (c == NULL)
		return FALSE;
	if (g_strcmp0(kj_ledger_record_get(c, "status"), "open") != 0) {
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_INVALID,
			    "self-inspection %s is closed; answers can no longer change", campaign);
		return FALSE;
	}
	if (a2)
		assign[n++] = a2;
	if (a3)
		assign[n++] = a3;
	if (!kj_ledger_set(l, kj_ledger_register_find("answer"), key, 0, assign, NULL, error)) {
		g_prefix_error(error, "self-inspection %s, department %s, item %s: ", campaign,
			       department, item);
		return FALSE;
	}
	return TRUE;
}

void kj_ledger_inspect_row_free(gpointer p)
{
	KjLedgerInspectRow *r = p;

	g_free(r->department);
	g_ptr_array_unref(r->gaps);
	g_free(r);
}

static void count(KjLedgerInspectRow *row, const KjLedgerRecord *a)
{
	const char *res = kj_ledger_record_get(a, "result");

	row->items++;
	if (res == NULL)
		return;
	row->answered++;
	if (strcmp(res, "適合") == 0)
		row->compliant++;
	else if (strcmp(res, "一部適合") == 0)
		row->partly++;
	else if (strcmp(res, "不適合") == 0)
		row->not_compliant++;
	else
		row->not_applicable++;
	if (strcmp(res, "不適合") == 0 || strcmp(res, "一部適合") == 0)
		g_ptr_array_add(row->gaps, g_strdup(kj_ledger_record_get(a, "item")));
}

GPtrArray *kj_ledger_inspect_report(KjLedger *l, const char *campaign, GError **error)
{
	g_autoptr(KjLedgerRecord) c =
	    kj_ledger_get(l, kj_ledger_register_find("campaign"), campaign, error);
	g_autoptr(GPtrArray) answers =
	    c ? kj_ledger_list(l, kj_ledger_register_find("answer"), "campaign", campaign, error)
	      : NULL;
	GPtrArray *rows;
	KjLedgerInspectRow *row = NULL;

	if (answers == NULL)
		return NULL;
	rows = g_ptr_array_new_with_free_func(kj_ledger_inspect_row_free);
	/* Keys are campaign/department/item: answers arrive grouped. */
	for (guint i = 0; i < answers->len; i++) {
		const KjLedgerRecord *a = answers->pdata[i];
		const char *dep = kj_ledger_record_get(a, "department");
		if (row == NULL || strcmp(row->department, dep) != 0) {
			row = g_new0(KjLedgerInspectRow, 1);
			row->department = g_strdup(dep);
			row->gaps = g_ptr_array_new_with_free_func(g_free);
			g_ptr_array_add(rows, row);
		}
		count(row, a);
	}
	for (guint i = 0; i < rows->len; i++) {
		KjLedgerInspectRow *r = rows->pdata[i];
		gint64 applicable = r->compliant + r->partly + r->not_compliant;
		r->score =
		    applicable ? (100 * (2 * r->compliant + r->partly)) / (2 * applicable) : -1;
	}
	return rows;
}
