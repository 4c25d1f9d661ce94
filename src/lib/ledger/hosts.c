/*++
 * NAME
 *	hosts - assets against the hosts of the segment model
 * DESCRIPTION
 *	An asset of the ledger names the hosts of the segment model
 *	(kyojin policy) it runs on.  Given the model, every named host must
 *	exist, and lie in the segment the ledger gives the asset: a system
 *	the ledger places in the My Number segment but the network model
 *	places in LGWAN is a contradiction one of the two must resolve.
 *	Findings:
 *	  asset-host-unknown   a host the model does not have (6(2))
 *	  asset-host-segment   a host in another segment than the asset (6(3))
 * SECURITY
 *	Read-only; the model was parsed and bounded by policy/load.c.
 * LIMITS
 *	Linear in assets x hosts named.
 * STANDARDS
 *	基本方針 6(2), 6(3)①②③.
 * SEE ALSO
 *	check.c, policy/policy.h
 *--*/
#include "ledger/hosts.h"
#include "ledger/ledger-private.h"

#include <string.h>

static void add(GPtrArray *out, const char *rule, const char *clause, const char *key, char *msg)
{
	KjLedgerFinding *f = g_new0(KjLedgerFinding, 1);

	f->rule = g_strdup(rule);
	f->clause = g_strdup(clause);
	f->noun = g_strdup("asset");
	f->key = g_strdup(key);
	f->message = msg;
	g_ptr_array_add(out, f);
}

static void check_asset(const KjPolicy *model, const KjLedgerRecord *a, GPtrArray *out)
{
	g_autoptr(GPtrArray) hosts = _kj_ledger_list_split(kj_ledger_record_get(a, "hosts"));
	const char *segment = kj_ledger_record_get(a, "segment");

	for (guint i = 0; i < hosts->len; i++) {
		const char *name = hosts->pdata[i];
		guint idx = GPOINTER_TO_UINT(g_hash_table_lookup(model->host_index, name));
		if (idx == 0) {
			add(out, "asset-host-unknown", "基本方針 6(2)", a->key,
			    g_strdup_printf("資産 %s のホスト %s がセグメントモデル %s にない",
					    a->key, name, model->path ? model->path : ""));
			continue;
		}
		const KjPolicyHost *h = g_ptr_array_index(model->hosts, idx - 1);
		const char *hseg = kj_policy_segment_name(h->segment);
		if (segment && strcmp(segment, hseg) != 0)
			add(out, "asset-host-segment", "基本方針 6(3)", a->key,
			    g_strdup_printf(
				"資産 %s は %s 系だが、ホスト %s はセグメントモデルで %s 系",
				a->key, segment, name, hseg));
	}
}

gboolean kj_ledger_check_hosts(KjLedger *l, const KjPolicy *model, GPtrArray *findings,
			       GError **error)
{
	g_autoptr(GPtrArray) assets =
	    kj_ledger_list(l, kj_ledger_register_find("asset"), NULL, NULL, error);

	if (assets == NULL)
		return FALSE;
	for (guint i = 0; i < assets->len; i++)
		check_asset(model, assets->pdata[i], findings);
	return TRUE;
}
