/*++
 * NAME
 *	staff - pledge and training completion per department
 * DESCRIPTION
 *	Counts, for every department, the staff (職員等: everybody in the
 *	person register not employed by a contractor), those who have
 *	pledged to observe the policy (clause 5) and those who completed
 *	training (clause 6(5)), optionally a course and a period, so that
 *	completion rates can be reported and followed up.
 * SECURITY
 *	Read-only queries.
 * LIMITS
 *	Linear in people x records; a city has a few thousand staff.
 * STANDARDS
 *	基本方針 5, 6(5).
 * SEE ALSO
 *	register.c (person, pledge, training), cli/ledger_ops.c
 *--*/
#include "ledger/ledger-private.h"

#include <string.h>

void kj_ledger_staff_row_free(gpointer p)
{
	KjLedgerStaffRow *r = p;

	g_free(r->department);
	g_free(r);
}

/* person key -> TRUE for every record of reg matching the filters. */
static GHashTable *who(KjLedger *l, const char *noun, const char *date_col, const char *course,
		       const char *since, GError **error)
{
	g_autoptr(GPtrArray) recs =
	    kj_ledger_list(l, kj_ledger_register_find(noun), NULL, NULL, error);
	GHashTable *set;

	if (recs == NULL)
		return NULL;
	set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (guint i = 0; i < recs->len; i++) {
		const KjLedgerRecord *r = recs->pdata[i];
		const char *c = course ? kj_ledger_record_get(r, "course") : NULL;
		const char *d = kj_ledger_record_get(r, date_col);
		if (course && (c == NULL || strstr(c, course) == NULL))
			continue;
		if (since && (d == NULL || strcmp(d, since) < 0))
			continue;
		g_hash_table_add(set, g_strdup(kj_ledger_record_get(r, "person")));
	}
	return set;
}

GPtrArray *kj_ledger_staff_report(KjLedger *l, const char *course_filter, const char *since,
				  GError **error)
{
	char iso[11];

	if (since && !kj_ledger_date_parse(since, iso, error))
		return NULL;
	g_autoptr(GPtrArray) people =
	    kj_ledger_list(l, kj_ledger_register_find("person"), NULL, NULL, error);
	g_autoptr(GHashTable) pledged =
	    people ? who(l, "pledge", "signed_on", NULL, NULL, error) : NULL;
	g_autoptr(GHashTable) trained =
	    pledged ? who(l, "training", "completed_on", course_filter, since ? iso : NULL, error)
		    : NULL;
	g_autoptr(GHashTable) rows = g_hash_table_new(g_str_hash, g_str_equal);
	GPtrArray *out;

	if (trained == NULL)
		return NULL;
	out = g_ptr_array_new_with_free_func(kj_ledger_staff_row_free);
	for (guint i = 0; i < people->len; i++) {
		const KjLedgerRecord *p = people->pdata[i];
		const char *dep = kj_ledger_record_get(p, "department");
		if (g_strcmp0(kj_ledger_record_get(p, "employment"), "委託事業者") == 0)
			continue;
		KjLedgerStaffRow *r = g_hash_table_lookup(rows, dep);
		if (r == NULL) {
			r = g_new0(KjLedgerStaffRow, 1);
			r->department = g_strdup(dep);
			g_hash_table_insert(rows, r->department, r);
			g_ptr_array_add(out, r);
		}
		r->staff++;
		r->pledged += g_hash_table_contains(pledged, p->key);
		r->trained += g_hash_table_contains(trained, p->key);
	}
	return out;
}
