/* ledger-private.h - shared inside src/lib/ledger only. */
#ifndef KJ_LEDGER_PRIVATE_H
#define KJ_LEDGER_PRIVATE_H

#include "ledger/ledger.h"

struct KjLedger {
	KjDb *db;       /* borrowed */
	KjAudit *audit; /* borrowed; NULL = read-only use */
	char *actor;
	KjLedgerOptions opts;
};

/* YYYY-MM-DD plus months and days (month ends clamp: 01-31 + 1 month is
 * 02-28/29); NULL if iso is not a date. */
char *_kj_ledger_date_add(const char *iso, gint months, gint days);
/* The local date as YYYY-MM-DD. */
char *_kj_ledger_today(void);
gboolean _kj_ledger_exists(KjLedger *l, const KjLedgerRegister *reg, const char *key,
			   gboolean *exists, GError **error);
/* Splits a LIST value into trimmed, non-empty items. */
GPtrArray *_kj_ledger_list_split(const char *value);

/* add and set inside a transaction the caller holds (csv.c). */
gboolean _kj_ledger_add_locked(KjLedger *l, const KjLedgerRegister *reg, const char *key,
			       const char *const *assignments, GError **error);
gboolean _kj_ledger_set_locked(KjLedger *l, const KjLedgerRegister *reg, const char *key,
			       gint64 expected_version, const char *const *assignments,
			       gint64 *new_version, GError **error);

/* The CISO's report page; for_pdf draws the heat map as a table instead
 * of inline SVG (report.c, report_pdf.c). */
GString *_kj_ledger_report_build(KjLedger *l, const char *campaign, const char *today,
				 gboolean for_pdf, GError **error);

/* Derive functions of register.c's table. */
gboolean _kj_ledger_derive_risk(KjLedger *l, const KjLedgerRecord *old, KjLedgerRecord *rec,
				GError **error);
gboolean _kj_ledger_derive_incident(KjLedger *l, const KjLedgerRecord *old, KjLedgerRecord *rec,
				    GError **error);
gboolean _kj_ledger_derive_duty(KjLedger *l, const KjLedgerRecord *old, KjLedgerRecord *rec,
				GError **error);

#endif
