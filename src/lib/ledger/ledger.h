/* ledger.h - the governance ledger: registers, classification, findings, duties
 * (see register.c, record.c, value.c, check.c, due.c, csv.c). */
#ifndef KJ_LEDGER_LEDGER_H
#define KJ_LEDGER_LEDGER_H

#include "store/db.h"

#include <glib.h>

#define KJ_LEDGER_ERROR (kj_ledger_error_quark())
GQuark kj_ledger_error_quark(void);

typedef enum {
	KJ_LEDGER_ERROR_INVALID,   /* a value does not fit its column */
	KJ_LEDGER_ERROR_UNKNOWN,   /* no such register, column or record */
	KJ_LEDGER_ERROR_DUPLICATE, /* a key that already exists */
	KJ_LEDGER_ERROR_REFERENCE, /* a reference to a missing record, or a
				    * delete of a record still referenced */
	KJ_LEDGER_ERROR_CONFLICT,  /* the record changed since the version given */
	KJ_LEDGER_ERROR_CSV,       /* an import file that cannot be taken */
	KJ_LEDGER_ERROR_AUDIT,     /* the change could not be recorded: not made */
	KJ_LEDGER_ERROR_REPORT,    /* a report could not be laid out */
} KjLedgerError;

/*
 * Register descriptors.  Every register is one table "ledger_<noun>" with
 * the columns key (TEXT PRIMARY KEY), version, created_at, updated_at and
 * the columns named here.  The generic code (record.c, csv.c, the CLI)
 * knows nothing else about a register: adding one is a row in
 * register.c plus its migration.
 */
typedef enum {
	KJ_LEDGER_TEXT,
	KJ_LEDGER_INT,   /* min..max of the column */
	KJ_LEDGER_BOOL,  /* stored 0/1; yes/no/true/false/はい/いいえ accepted */
	KJ_LEDGER_DATE,  /* stored YYYY-MM-DD; 和暦 accepted */
	KJ_LEDGER_ENUM,  /* one of choices ("a|b|c") */
	KJ_LEDGER_REF,   /* the key of a record of register ref */
	KJ_LEDGER_LEVEL, /* a level code of classification scheme ref */
	KJ_LEDGER_LIST,  /* comma-separated identifiers (clauses, restrictions);
			  * with ref, each item is one of its choices ("a|b")
			  * or the key of a record of register ref */
} KjLedgerType;

typedef enum {
	KJ_LEDGER_COL_REQUIRED = 1 << 0,
	KJ_LEDGER_COL_DUE = 1 << 1,     /* a date that `ledger due` watches */
	KJ_LEDGER_COL_DERIVED = 1 << 2, /* computed on write, not given */
} KjLedgerColFlags;

typedef struct {
	const char *name;  /* SQL column and CSV header */
	const char *label; /* Japanese label, also accepted as CSV header */
	KjLedgerType type;
	unsigned flags;
	const char *ref; /* REF: register noun; LEVEL: scheme key; ENUM: choices;
			  * LIST: choices or register noun (nullable) */
	gint64 min, max; /* INT only */
} KjLedgerColumn;

typedef struct KjLedger KjLedger;
typedef struct KjLedgerRecord KjLedgerRecord;
typedef struct KjLedgerRegister KjLedgerRegister;

/* Called inside the write transaction after the values were validated,
 * to fill derived columns (risk level, report deadlines) or refuse. */
typedef gboolean (*KjLedgerDeriveFunc)(KjLedger *l, const KjLedgerRecord *old, KjLedgerRecord *rec,
				       GError **error);

struct KjLedgerRegister {
	const char *noun;    /* "asset" */
	const char *table;   /* "ledger_asset" */
	const char *summary; /* one line, with the clause of the seed */
	const KjLedgerColumn *columns;
	gsize n_columns;
	KjLedgerDeriveFunc derive; /* nullable; old is NULL on add */
	const char *closed_column; /* records with this column ... */
	const char *closed_value;  /* ... at this value owe no duty (due.c) */
};

/* The table of registers, in help order. */
const KjLedgerRegister *kj_ledger_registers(gsize *n);
const KjLedgerRegister *kj_ledger_register_find(const char *noun);
/* Index of a column by name or label, -1 if none. */
int kj_ledger_column_index(const KjLedgerRegister *reg, const char *name);
const char *kj_ledger_type_name(KjLedgerType type);

/* One record: values[i] belongs to reg->columns[i]; NULL means empty. */
struct KjLedgerRecord {
	const KjLedgerRegister *reg;
	char *key;
	gint64 version;
	char *created_at, *updated_at;
	char **values;
};

KjLedgerRecord *kj_ledger_record_new(const KjLedgerRegister *reg, const char *key);
void kj_ledger_record_free(KjLedgerRecord *rec);
/* Borrowed; valid until the record changes or is freed. */
const char *kj_ledger_record_get(const KjLedgerRecord *rec, const char *column);
/* Sets a column's stored form directly (derive functions). */
void kj_ledger_record_put(KjLedgerRecord *rec, const char *column, const char *value);

/*
 * The ledger handle: a database, the audit log (NULL for read-only use)
 * and who acts.  Settings come from the configuration via the front end.
 */
typedef struct {
	gint64 ppc_preliminary_days; /* 0 = KJ_LEDGER_PPC_PRELIMINARY_DAYS_DEFAULT */
	gint64 ppc_final_days;       /* 0 = KJ_LEDGER_PPC_FINAL_DAYS_DEFAULT */
	gint64 due_horizon_days;     /* 0 = KJ_LEDGER_DUE_HORIZON_DEFAULT */
} KjLedgerOptions;

typedef struct KjAudit KjAudit;

KjLedger *kj_ledger_new(KjDb *db, KjAudit *audit, const char *actor, const KjLedgerOptions *opts);
void kj_ledger_free(KjLedger *l);
KjDb *kj_ledger_get_db(KjLedger *l); /* borrowed */
const KjLedgerOptions *kj_ledger_get_options(const KjLedger *l);

/* A change: "column=value" strings; "column=" clears a column. */
gboolean kj_ledger_add(KjLedger *l, const KjLedgerRegister *reg, const char *key,
		       const char *const *assignments, GError **error);
/* expected_version 0 applies the change to whatever version is current
 * (still atomically: no concurrent change is lost); otherwise the change
 * is refused with KJ_LEDGER_ERROR_CONFLICT unless the record is still at
 * that version.  *new_version (nullable) receives the version written. */
gboolean kj_ledger_set(KjLedger *l, const KjLedgerRegister *reg, const char *key,
		       gint64 expected_version, const char *const *assignments, gint64 *new_version,
		       GError **error);
gboolean kj_ledger_delete(KjLedger *l, const KjLedgerRegister *reg, const char *key,
			  gint64 expected_version, GError **error);
/* NULL with KJ_LEDGER_ERROR_UNKNOWN when there is no such record. */
KjLedgerRecord *kj_ledger_get(KjLedger *l, const KjLedgerRegister *reg, const char *key,
			      GError **error);
/* Every record of reg in key order; where_column/where_value (nullable)
 * keep the records whose column has that stored value. */
GPtrArray *kj_ledger_list(KjLedger *l, const KjLedgerRegister *reg, const char *where_column,
			  const char *where_value, GError **error);

/* Parses one value for column col into its stored form (newly allocated),
 * checking references and levels against the database. */
char *kj_ledger_value_parse(KjLedger *l, const KjLedgerColumn *col, const char *text,
			    GError **error);

/*
 * Dates.  Accepts 2026-03-01, 2026/3/1, 令和8年3月1日, 令和元年5月1日,
 * 平成/昭和, R8.3.1, H31.4.30 and full-width digits; the result is
 * YYYY-MM-DD.  A date outside its era (平成32年) is refused.
 */
gboolean kj_ledger_date_parse(const char *text, char out[11], GError **error);
/* 令和8年3月1日 for a stored date; NULL if not a date of a known era. */
char *kj_ledger_date_to_wareki(const char *iso);

/*
 * Classification (基本方針 6(2)): a scheme's levels are rows of
 * ledger_level, ranked; a system or medium inherits the highest level of
 * the information it holds (assets whose held_in names it).
 */
typedef struct {
	char *scheme; /* "mic-c" */
	char *own;    /* the asset's own level code, or NULL */
	char *effective;
	char *from; /* the asset the effective level came from, or NULL */
} KjLedgerLevel;

void kj_ledger_level_free(gpointer level);
/* The effective levels of one asset, one per scheme column of assets;
 * the array frees its KjLedgerLevel elements (g_ptr_array_unref).  Reads
 * only the asset, what it holds (by the held_in index) and the levels. */
GPtrArray *kj_ledger_effective_levels(KjLedger *l, const char *asset_key, GError **error);

/* asset key -> effective level code (NULL if unclassified) in the LEVEL
 * column named, for every asset at once. */
GHashTable *kj_ledger_effective_by_asset(KjLedger *l, const char *column, GError **error);

/* The CISO's periodic report (基本方針 6(9), 7, 8) as one HTML page in
 * Japanese: assets by class, the risk heat map, self-inspection scores,
 * findings and open audit findings, open incidents, overdue duties.
 * campaign (nullable) picks the self-inspection; today (nullable) the date. */
GString *kj_ledger_report_html(KjLedger *l, const char *campaign, const char *today,
			       GError **error);
/* The same report laid out on A4 pages as a PDF (MuPDF; Japanese set in
 * the CJK font built into MuPDF and embedded).  *n_pages (nullable)
 * receives the page count. */
GBytes *kj_ledger_report_pdf(KjLedger *l, const char *campaign, const char *today, gint *n_pages,
			     GError **error);

typedef struct {
	char *rule;    /* "asset-my-number-segment" */
	char *clause;  /* "基本方針 6(3)①" */
	char *noun;    /* register of the record concerned */
	char *key;     /* its key, or NULL for a finding about the whole ledger */
	char *message; /* Japanese first, for people */
} KjLedgerFinding;

void kj_ledger_finding_free(gpointer f);
/* Runs every rule; findings (KjLedgerFinding, owned by the array). */
GPtrArray *kj_ledger_check(KjLedger *l, GError **error);

/*
 * The one recurrence engine: every periodic duty (rows of ledger_duty with
 * an interval) and every date column marked DUE across the registers.
 */
typedef struct {
	char *noun;
	char *key;
	char *what; /* the duty or the column label */
	char *due;  /* YYYY-MM-DD */
	gboolean overdue;
	char *clause;
} KjLedgerDue;

void kj_ledger_due_free(gpointer d);
/* Duties due on or before today + horizon_days; today is YYYY-MM-DD
 * (NULL = the local date). */
GPtrArray *kj_ledger_due(KjLedger *l, const char *today, gint64 horizon_days, GError **error);

/*
 * CSV (RFC 4180).  Import takes UTF-8 (with or without BOM) or CP932,
 * refuses a file that mixes them, requires a header naming columns of
 * the register (names or Japanese labels; "key" or "キー" first), and
 * applies all rows in one transaction or none.
 */
typedef struct {
	gint64 added;
	gint64 updated;
	char encoding[16]; /* "UTF-8" or "CP932" */
} KjLedgerImportStats;

gboolean kj_ledger_import_csv(KjLedger *l, const KjLedgerRegister *reg, const char *data, gsize len,
			      gboolean update, KjLedgerImportStats *stats, GError **error);
/* Parses CSV text (already UTF-8) into rows of fields; for the importer
 * and its fuzz target. */
GPtrArray *kj_ledger_csv_parse(const char *text, gsize len, GError **error);
/* UTF-8 with BOM and CRLF, as Excel opens it without asking. */
GString *kj_ledger_export_csv(KjLedger *l, const KjLedgerRegister *reg, GError **error);

/* Writes reg as an Excel workbook at path (libxlsxwriter; an error when
 * built without it). */
gboolean kj_ledger_export_xlsx(KjLedger *l, const KjLedgerRegister *reg, const char *path,
			       GError **error);

/* The heat map: cells[likelihood-1][impact-1], risks placed by their
 * "inherent", "current" or "residual" scores (falling back to inherent). */
typedef struct {
	gint64 risks;
	char *level; /* the grid's level, or NULL */
	gint64 rank; /* of that level in risk-level, 0 if unknown */
} KjLedgerCell;

gboolean kj_ledger_risk_matrix(KjLedger *l, const char *which, KjLedgerCell cells[5][5],
			       GError **error);
void kj_ledger_risk_matrix_clear(KjLedgerCell cells[5][5]);
GString *kj_ledger_risk_matrix_svg(KjLedgerCell cells[5][5], const char *title);

/* The risk grid: level name for likelihood x impact, from ledger_risk_grid. */
char *kj_ledger_risk_level(KjLedger *l, gint64 likelihood, gint64 impact, GError **error);

/*
 * Self-inspection (自己点検, 基本方針 7): a campaign issues every leaf of the
 * checklist tree to every department; answers are 適合 / 一部適合 / 不適合 /
 * 該当なし with evidence; the report gives progress and a score per
 * department and the items not met, for the review of clause 8.
 */
gboolean kj_ledger_inspect_start(KjLedger *l, const char *campaign, const char *name,
				 const char *from, const char *to, gint64 *answers, GError **error);
gboolean kj_ledger_inspect_answer(KjLedger *l, const char *campaign, const char *department,
				  const char *item, const char *result, const char *evidence,
				  const char *answered_by, GError **error);

typedef struct {
	char *department;
	gint64 items, answered, compliant, partly, not_compliant, not_applicable;
	gint64 score;    /* percent of the applicable items answered, -1 if none */
	GPtrArray *gaps; /* char *: items answered 不適合 or 一部適合 */
} KjLedgerInspectRow;

void kj_ledger_inspect_row_free(gpointer row);
/* One row per department, in key order. */
GPtrArray *kj_ledger_inspect_report(KjLedger *l, const char *campaign, GError **error);

/*
 * Staff (基本方針 5, 6(5)): per department, how many staff (people not
 * employed by a contractor) have pledged to observe the policy and have
 * completed training (course containing course_filter, if not NULL, on or
 * after since, if not NULL).
 */
typedef struct {
	char *department;
	gint64 staff, pledged, trained;
} KjLedgerStaffRow;

void kj_ledger_staff_row_free(gpointer row);
GPtrArray *kj_ledger_staff_report(KjLedger *l, const char *course_filter, const char *since,
				  GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KjLedger, kj_ledger_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(KjLedgerRecord, kj_ledger_record_free)

#endif
