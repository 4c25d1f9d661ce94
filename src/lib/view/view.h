/* view.h - paged, JSON-shaped read views of the ledger, the gateway's
 * queue and the audit trail, for front ends (see ledger.c, gateway.c,
 * audit.c). */
#ifndef KJ_VIEW_VIEW_H
#define KJ_VIEW_VIEW_H

#include "ledger/ledger.h"
#include "release/release.h"

#include <glib.h>
#include <jansson.h>

/*
 * Ledger (ledger.c).
 */
/* Every register with its columns: [{noun, table, summary, columns: [...]}]. */
json_t *kj_view_ledger_registers(void);
/* One record as {key, version, created_at, updated_at, values: {col: text}}. */
json_t *kj_view_ledger_record_json(const KjLedgerRecord *rec);
/* A page of a register in key order; q (nullable) keeps records whose key
 * or first text column contains it; where_column/where_value (nullable)
 * keep those whose column has that stored value.  With with_effective,
 * asset pages carry the effective (inherited) classification of each
 * record, which reads the whole asset register per record: meant for
 * small ledgers and pages. */
gboolean kj_view_ledger_page(KjLedger *l, const KjLedgerRegister *reg, const char *q,
			     const char *where_column, const char *where_value,
			     gboolean with_effective, const char *cursor, gint64 limit,
			     KjPage *page, GError **error);
/* One record, with the effective levels of an asset and the timeline of
 * an incident. */
json_t *kj_view_ledger_get(KjLedger *l, const KjLedgerRegister *reg, const char *key,
			   GError **error);
/* Turns {"col": "text", ...} into "col=text" assignments (NULL-terminated,
 * owned); FALSE for a value that is not a string or null, or an unknown
 * column. */
gboolean kj_view_ledger_assignments(const KjLedgerRegister *reg, json_t *values, GStrv *out,
				    GError **error);
/* The risk heat map: {which, cells: [[{likelihood, impact, risks, level, rank}]]}. */
json_t *kj_view_risk_heatmap(KjLedger *l, const char *which, GError **error);
/* What is due or overdue within horizon days: [{noun, key, what, due, overdue, clause}]. */
json_t *kj_view_due(KjLedger *l, const char *today, gint64 horizon, GError **error);
/* Consistency findings: [{rule, clause, noun, key, message}]. */
json_t *kj_view_findings(KjLedger *l, GError **error);
/* Self-inspection progress per department. */
json_t *kj_view_inspection_report(KjLedger *l, const char *campaign, GError **error);
/* The form of one department: every checklist item with its answer. */
json_t *kj_view_inspection_form(KjLedger *l, const char *campaign, const char *department,
				GError **error);
/* TRUE if an account's department (free text) names the ledger department
 * key (by key or by its name). */
gboolean kj_view_department_matches(KjLedger *l, const char *account_department,
				    const char *ledger_department);

/*
 * Gateway (gateway.c).
 */
/* Counts by state, held reasons, throughput of the last hour and day,
 * pending work and its age. */
json_t *kj_view_gateway_summary(KjDb *db, gint64 now, GError **error);
/* A page of the queue, newest first (ids are time-ordered); state nullable. */
gboolean kj_view_queue_page(KjDb *db, const char *state, const char *cursor, gint64 limit,
			    KjPage *page, GError **error);
/* Parses Prometheus text exposition into {name: number}; lines that are
 * not "name value" are skipped.  At most 256 samples. */
json_t *kj_view_metrics_parse(const char *text, gsize len);
/* Reads http://host:port/metrics (kyojind's gateway.metrics_listen) with a
 * short timeout; NULL with error when unreachable. */
json_t *kj_view_metrics_fetch(const char *host_port, GError **error);

/*
 * Audit trail (audit.c).
 */
typedef struct {
	const char *actor;  /* exact, nullable */
	const char *action; /* prefix ("release." matches release.*), nullable */
	const char *object; /* exact, nullable */
	const char *since;  /* RFC 3339, inclusive, nullable */
	const char *until;  /* RFC 3339, exclusive, nullable */
} KjViewAuditFilter;

/* Records of the log at log_path, newest first, matching filter, before
 * the cursor's sequence number. */
gboolean kj_view_audit_page(const char *log_path, const KjViewAuditFilter *filter,
			    const char *cursor, gint64 limit, KjPage *page, GError **error);

#endif
