/* hosts.h - assets against the hosts of the segment model (see hosts.c).
 * Apart from ledger.h so that users of the ledger need not see the policy
 * model's types. */
#ifndef KJ_LEDGER_HOSTS_H
#define KJ_LEDGER_HOSTS_H

#include "ledger/ledger.h"
#include "policy/policy.h"

/* Adds findings (KjLedgerFinding) for assets whose hosts are missing from
 * the model or lie in another segment (asset-host-unknown,
 * asset-host-segment). */
gboolean kj_ledger_check_hosts(KjLedger *l, const KjPolicy *model, GPtrArray *findings,
			       GError **error);

#endif
