/*++
 * NAME
 *	test-ledger - unit tests of the governance ledger
 * DESCRIPTION
 *	Dates in 和暦 and Western forms (and dates outside their era);
 *	add/set/delete with the audit record's old and new values; stale
 *	versions refused; references to missing records and deletes of
 *	referenced ones; levels outside the scheme; required, unknown and
 *	derived columns; classification inheritance; every finding rule of
 *	check.c; risk levels from the grid; incident deadlines and status
 *	flow; the duty engine; CSV import (BOM, CP932, mixed encodings,
 *	wrong columns, wrong field counts, duplicate keys, missing
 *	references, all-or-nothing) and export round trip.
 *	Each test works in its own temporary data directory.
 *--*/
#include "audit/audit.h"
#include "ledger/hosts.h"
#include "ledger/ledger.h"
#include "store/store.h"
#include "text/charset.h"

#include <string.h>

typedef struct {
	char *dir;
	KjStore *store;
	KjAudit *audit;
	KjLedger *l;
} Fixture;

static void setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	f->dir = g_dir_make_tmp("kj-ledger-XXXXXX", &error);
	g_assert_no_error(error);
	f->store = kj_store_open(f->dir, NULL, &error);
	g_assert_no_error(error);
	f->audit = kj_audit_open(f->dir, NULL, &error);
	g_assert_no_error(error);
	f->l = kj_ledger_new(kj_store_get_db(f->store), f->audit, "tester", NULL);
}

static void teardown(Fixture *f, gconstpointer data)
{
	kj_ledger_free(f->l);
	kj_audit_free(f->audit);
	kj_store_free(f->store);
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);
	g_assert_cmpint(system(cmd), ==, 0);
	g_free(f->dir);
}

static const KjLedgerRegister *R(const char *noun)
{
	const KjLedgerRegister *reg = kj_ledger_register_find(noun);

	g_assert_nonnull(reg);
	return reg;
}

/* add NOUN KEY "col=v" ... NULL, expecting success. */
static void add_ok(Fixture *f, const char *noun, const char *key, ...)
{
	g_autoptr(GPtrArray) a = g_ptr_array_new();
	g_autoptr(GError) error = NULL;
	va_list ap;
	char *s;

	va_start(ap, key);
	while ((s = va_arg(ap, char *)) != NULL)
		g_ptr_array_add(a, s);
	va_end(ap);
	g_ptr_array_add(a, NULL);
	kj_ledger_add(f->l, R(noun), key, (const char *const *)a->pdata, &error);
	g_assert_no_error(error);
}

static void org(Fixture *f)
{
	add_ok(f, "department", "D-01", "name=総務課", "kind=課", NULL);
	add_ok(f, "person", "P-01", "name=山田", "department=D-01", "employment=職員", NULL);
}

static void test_dates(void)
{
	static const struct {
		const char *in, *out;
	} good[] = {
	    {"2026-03-01", "2026-03-01"},       {"2026/3/1", "2026-03-01"},
	    {"令和8年3月1日", "2026-03-01"},    {"令和元年5月1日", "2019-05-01"},
	    {"平成31年4月30日", "2019-04-30"},  {"昭和64年1月7日", "1989-01-07"},
	    {"平成元年1月8日", "1989-01-08"},   {"R8.3.1", "2026-03-01"},
	    {"H31.4.30", "2019-04-30"},         {"２０２６－０３－０１", "2026-03-01"},
	    {"令和８年３月１日", "2026-03-01"}, {" 2024-02-29 ", "2024-02-29"},
	};
	static const char *const bad[] = {
	    "",
	    "abc",
	    "2026-02-30",
	    "2026-13-01",
	    "2023-02-29",
	    "平成32年1月1日",
	    "令和元年4月30日",
	    "昭和64年1月8日",
	    "令和0年1月1日",
	    "26-03-01",
	    "2026-03-01x",
	    "令和8年3月",
	    "2026-3-1-1",
	    "大正15年1月1日",
	};
	char out[11];

	for (gsize i = 0; i < G_N_ELEMENTS(good); i++) {
		g_autoptr(GError) error = NULL;
		g_assert_true(kj_ledger_date_parse(good[i].in, out, &error));
		g_assert_no_error(error);
		g_assert_cmpstr(out, ==, good[i].out);
	}
	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_assert_false(kj_ledger_date_parse(bad[i], out, &error));
		g_assert_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_INVALID);
	}
	g_autofree char *w1 = kj_ledger_date_to_wareki("2019-05-01");
	g_autofree char *w2 = kj_ledger_date_to_wareki("2026-03-01");
	g_autofree char *w3 = kj_ledger_date_to_wareki("2019-04-30");
	g_assert_cmpstr(w1, ==, "令和元年5月1日");
	g_assert_cmpstr(w2, ==, "令和8年3月1日");
	g_assert_cmpstr(w3, ==, "平成31年4月30日");
}

typedef struct {
	const char *action;
	json_t *last;
} LastAudit;

static gboolean last_record(const KjAuditRecord *rec, gpointer user_data)
{
	LastAudit *la = user_data;

	if (strcmp(rec->action, la->action) == 0) {
		json_decref(la->last);
		la->last = json_incref(rec->details);
	}
	return TRUE;
}

/* The changes object of the last audit record with this action. */
static json_t *audit_changes(Fixture *f, const char *action)
{
	LastAudit la = {action, NULL};
	g_autoptr(GError) error = NULL;

	g_assert_true(kj_audit_read(kj_audit_get_path(f->audit), last_record, &la, &error));
	g_assert_nonnull(la.last);
	json_t *c = json_incref(json_object_get(la.last, "changes"));
	json_decref(la.last);
	return c;
}

static void assert_change(json_t *changes, const char *col, const char *old, const char *new)
{
	json_t *c = json_object_get(changes, col);

	g_assert_nonnull(c);
	g_assert_cmpstr(json_string_value(json_object_get(c, "old")), ==, old);
	g_assert_cmpstr(json_string_value(json_object_get(c, "new")), ==, new);
}

static void test_audit_old_new(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 v = 0;
	const char *set1[] = {"name=人事課", "kind=", NULL};

	org(f);
	json_t *c = audit_changes(f, "ledger.department.add");
	assert_change(c, "name", NULL, "総務課");
	json_decref(c);
	g_assert_true(kj_ledger_set(f->l, R("department"), "D-01", 1, set1, &v, &error));
	g_assert_no_error(error);
	g_assert_cmpint(v, ==, 2);
	c = audit_changes(f, "ledger.department.set");
	assert_change(c, "name", "総務課", "人事課");
	assert_change(c, "kind", "課", NULL);
	g_assert_null(json_object_get(c, "parent")); /* unchanged: not listed */
	json_decref(c);
	g_assert_true(kj_ledger_delete(f->l, R("person"), "P-01", 0, &error));
	c = audit_changes(f, "ledger.person.delete");
	assert_change(c, "name", "山田", NULL);
	json_decref(c);
}

static void test_conflict(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	const char *a[] = {"name=A", NULL}, *b[] = {"name=B", NULL};
	gint64 v = 0;

	org(f);
	g_assert_true(kj_ledger_set(f->l, R("department"), "D-01", 1, a, &v, &error));
	/* A second writer who also read version 1 must not overwrite A. */
	g_assert_false(kj_ledger_set(f->l, R("department"), "D-01", 1, b, &v, &error));
	g_assert_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_CONFLICT);
	g_clear_error(&error);
	g_assert_false(kj_ledger_delete(f->l, R("department"), "D-01", 1, &error));
	g_assert_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_CONFLICT);
	g_clear_error(&error);
	g_autoptr(KjLedgerRecord) rec = kj_ledger_get(f->l, R("department"), "D-01", &error);
	g_assert_cmpstr(kj_ledger_record_get(rec, "name"), ==, "A");
	g_assert_cmpint(rec->version, ==, 2);
}

static void test_bad_values(Fixture *f, gconstpointer data)
{
	static const struct {
		const char *noun, *key, *assign[4];
		int code;
	} cases[] = {
	    {"person", "P-02", {"name=x", "department=D-99", NULL}, KJ_LEDGER_ERROR_REFERENCE},
	    {"asset",
	     "A-1",
	     {"name=x", "kind=information", "department=D-01", NULL},
	     -1}, /* fine: the control case */
	    {"asset",
	     "A-2",
	     {"name=x", "kind=information", "department=D-01", "confidentiality=4"},
	     KJ_LEDGER_ERROR_INVALID},
	    {"asset",
	     "A-3",
	     {"name=x", "kind=information", "department=D-01", "lg_confidentiality=3"},
	     KJ_LEDGER_ERROR_INVALID},
	    {"asset",
	     "A-4",
	     {"name=x", "kind=box", "department=D-01", NULL},
	     KJ_LEDGER_ERROR_INVALID},
	    {"asset", "A-5", {"name=x", "department=D-01", NULL}, KJ_LEDGER_ERROR_INVALID},
	    {"asset",
	     "A-6",
	     {"name=x", "kind=system", "department=D-01", "colour=red"},
	     KJ_LEDGER_ERROR_UNKNOWN},
	    {"risk",
	     "R-1",
	     {"asset=A-1", "threat=T1", "likelihood=9", NULL},
	     KJ_LEDGER_ERROR_INVALID},
	    {"risk",
	     "R-2",
	     {"asset=A-1", "threat=T1", "inherent_level=低", NULL},
	     KJ_LEDGER_ERROR_INVALID},
	    {"social",
	     "S-1",
	     {"service=X", "account=@city", "operating_rules=r", NULL},
	     KJ_LEDGER_ERROR_INVALID}, /* 基本方針 6(8): responsible person mandatory */
	    {"asset",
	     "A-1",
	     {"name=x", "kind=system", "department=D-01", NULL},
	     KJ_LEDGER_ERROR_DUPLICATE},
	    {"asset",
	     "bad,key",
	     {"name=x", "kind=system", "department=D-01", NULL},
	     KJ_LEDGER_ERROR_INVALID},
	    {"pledge",
	     "PL-1",
	     {"person=P-01", "signed_on=令和8年2月30日", NULL},
	     KJ_LEDGER_ERROR_INVALID},
	};

	org(f);
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		gboolean ok =
		    kj_ledger_add(f->l, R(cases[i].noun), cases[i].key, cases[i].assign, &error);
		if (cases[i].code < 0) {
			g_assert_no_error(error);
			continue;
		}
		g_assert_false(ok);
		g_assert_error(error, KJ_LEDGER_ERROR, cases[i].code);
	}
	/* A referenced record cannot be deleted. */
	g_autoptr(GError) error = NULL;
	g_assert_false(kj_ledger_delete(f->l, R("department"), "D-01", 0, &error));
	g_assert_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_REFERENCE);
	g_clear_error(&error);
	/* Nor a level in use by an asset. */
	const char *c3[] = {"confidentiality=3", NULL};
	g_assert_true(kj_ledger_set(f->l, R("asset"), "A-1", 0, c3, NULL, &error));
	g_assert_false(kj_ledger_delete(f->l, R("level"), "mic-c:3", 0, &error));
	g_assert_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_REFERENCE);
}

static gboolean has_finding(GPtrArray *fs, const char *rule, const char *key)
{
	for (guint i = 0; i < fs->len; i++) {
		const KjLedgerFinding *x = fs->pdata[i];
		if (strcmp(x->rule, rule) == 0 && g_strcmp0(x->key, key) == 0)
			return TRUE;
	}
	return FALSE;
}

static GPtrArray *check(Fixture *f)
{
	g_autoptr(GError) error = NULL;
	GPtrArray *fs = kj_ledger_check(f->l, &error);

	g_assert_no_error(error);
	return fs;
}

static void test_inheritance(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	org(f);
	add_ok(f, "asset", "SYS", "name=基幹系", "kind=system", "department=D-01",
	       "confidentiality=2", NULL);
	add_ok(f, "asset", "DB", "name=DB", "kind=medium", "department=D-01", "held_in=SYS", NULL);
	add_ok(f, "asset", "INFO", "name=住民票", "kind=information", "department=D-01",
	       "held_in=DB", "confidentiality=3", "lg_confidentiality=3A", NULL);
	g_autoptr(GPtrArray) lv = kj_ledger_effective_levels(f->l, "SYS", &error);
	g_assert_no_error(error);
	for (guint i = 0; i < lv->len; i++) {
		KjLedgerLevel *x = lv->pdata[i];
		if (strcmp(x->scheme, "mic-c") == 0) {
			g_assert_cmpstr(x->own, ==, "2");
			g_assert_cmpstr(x->effective, ==, "3");
			g_assert_cmpstr(x->from, ==, "INFO");
		} else if (strcmp(x->scheme, "lg-c") == 0) {
			g_assert_null(x->own);
			g_assert_cmpstr(x->effective, ==, "3A");
		}
	}
	/* The middle of the chain and its end; an unrelated asset of a higher
	 * level does not count; an unknown asset is an error. */
	add_ok(f, "asset", "OTHER", "name=別", "kind=information", "department=D-01",
	       "confidentiality=3", "lg_confidentiality=3A", NULL);
	g_autoptr(GPtrArray) mid = kj_ledger_effective_levels(f->l, "DB", &error);
	g_assert_no_error(error);
	g_autoptr(GPtrArray) leaf = kj_ledger_effective_levels(f->l, "INFO", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(mid->len, ==, lv->len);
	for (guint i = 0; i < mid->len; i++) {
		KjLedgerLevel *m = mid->pdata[i];
		KjLedgerLevel *x = leaf->pdata[i];
		if (strcmp(m->scheme, "mic-c") == 0) {
			g_assert_null(m->own);
			g_assert_cmpstr(m->effective, ==, "3");
			g_assert_cmpstr(m->from, ==, "INFO");
			g_assert_cmpstr(x->effective, ==, "3");
			g_assert_null(x->from);
		}
	}
	add_ok(f, "asset", "LONE", "name=単独", "kind=system", "department=D-01",
	       "confidentiality=1", NULL);
	g_autoptr(GPtrArray) lone = kj_ledger_effective_levels(f->l, "LONE", &error);
	g_assert_no_error(error);
	for (guint i = 0; i < lone->len; i++) {
		KjLedgerLevel *x = lone->pdata[i];
		if (strcmp(x->scheme, "mic-c") == 0)
			g_assert_cmpstr(x->effective, ==, "1");
	}
	g_autoptr(GPtrArray) none = kj_ledger_effective_levels(f->l, "NOPE", &error);
	g_assert_null(none);
	g_assert_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_UNKNOWN);
	g_clear_error(&error);

	/* A held_in cycle: no effective level, and the walk ends. */
	const char *loop[] = {"held_in=INFO", NULL};
	g_assert_true(kj_ledger_set(f->l, R("asset"), "SYS", 0, loop, NULL, &error));
	g_assert_no_error(error);
	g_autoptr(GPtrArray) cyc = kj_ledger_effective_levels(f->l, "SYS", &error);
	g_assert_no_error(error);
	for (guint i = 0; i < cyc->len; i++)
		g_assert_null(((KjLedgerLevel *)cyc->pdata[i])->effective);
	const char *unloop[] = {"held_in=", NULL};
	g_assert_true(kj_ledger_set(f->l, R("asset"), "SYS", 0, unloop, NULL, &error));

	g_autoptr(GPtrArray) fs = check(f);
	g_assert_true(has_finding(fs, "asset-level-below-content", "SYS"));
	g_assert_false(has_finding(fs, "asset-level-below-content", "DB")); /* own level unset */
}

static void test_findings(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	org(f);
	add_ok(f, "contractor", "C-1", "name=委託A", "responsible=P-01",
	       "clauses=confidentiality,incident_report", NULL);
	add_ok(f, "asset", "MN", "name=個人番号", "kind=information", "department=D-01",
	       "segment=lgwan", "my_number=はい", "confidentiality=3", "contractor=C-1",
	       "handling=複製制限、持出禁止、暗号化必須", NULL);
	add_ok(f, "asset", "UC", "name=未分類", "kind=document", "department=D-01", NULL);
	add_ok(f, "asset", "H1", "name=h1", "kind=system", "department=D-01", NULL);
	add_ok(f, "asset", "H2", "name=h2", "kind=system", "department=D-01", "held_in=H1", NULL);
	const char *cyc[] = {"held_in=H2", NULL};
	g_assert_true(kj_ledger_set(f->l, R("asset"), "H1", 0, cyc, NULL, &error));
	add_ok(f, "risk", "R-1", "asset=MN", "threat=T1", "likelihood=2", "impact=2",
	       "treatment=受容", "accepted_by=P-01", "acceptance_expiry=2020-01-01", NULL);
	add_ok(f, "incident", "I-1", "title=漏えい", "category=1", "severity=高", "status=報告",
	       "discovered=平成31年4月1日", "my_number=yes", "reported_to=所属長,CSIRT", NULL);
	g_autoptr(GPtrArray) fs = check(f);
	g_assert_true(has_finding(fs, "asset-my-number-segment", "MN"));
	g_assert_true(has_finding(fs, "asset-contract-clauses", "MN"));
	g_assert_false(has_finding(fs, "asset-handling", "MN"));
	g_assert_true(has_finding(fs, "asset-unclassified", "UC"));
	g_assert_true(has_finding(fs, "asset-held-in-cycle", "H1"));
	g_assert_true(has_finding(fs, "org-no-ciso", NULL));
	g_assert_true(has_finding(fs, "org-no-manager", "D-01"));
	g_assert_true(has_finding(fs, "person-no-pledge", "P-01"));
	g_assert_true(has_finding(fs, "risk-acceptance-expired", "R-1"));
	g_assert_true(has_finding(fs, "incident-ppc-not-reported", "I-1"));

	/* Fix each: the findings go away. */
	const char *seg[] = {"segment=mynumber", "handling=", NULL};
	const char *cl[] = {"clauses=confidentiality,purpose_limit,no_reuse,subcontract_approval,"
			    "incident_report,return_delete,audit_right",
			    NULL};
	g_assert_true(kj_ledger_set(f->l, R("asset"), "MN", 0, seg, NULL, &error));
	g_assert_true(kj_ledger_set(f->l, R("contractor"), "C-1", 0, cl, NULL, &error));
	add_ok(f, "role", "ROLE-1", "role=CISO", "person=P-01", NULL);
	add_ok(f, "role", "ROLE-2", "role=情報セキュリティ管理者", "person=P-01", "department=D-01",
	       NULL);
	add_ok(f, "pledge", "PL-1", "person=P-01", "signed_on=令和8年4月1日", NULL);
	const char *chain[] = {"reported_to=所属長、CSIRT、個人情報保護委員会", NULL};
	g_assert_true(kj_ledger_set(f->l, R("incident"), "I-1", 0, chain, NULL, &error));
	g_autoptr(GPtrArray) fs2 = check(f);
	g_assert_false(has_finding(fs2, "incident-ppc-not-reported", "I-1"));
	g_assert_false(has_finding(fs2, "asset-my-number-segment", "MN"));
	g_assert_false(has_finding(fs2, "asset-contract-clauses", "MN"));
	g_assert_true(has_finding(fs2, "asset-handling", "MN")); /* handling cleared */
	g_assert_false(has_finding(fs2, "org-no-ciso", NULL));
	g_assert_false(has_finding(fs2, "org-no-manager", "D-01"));
	g_assert_false(has_finding(fs2, "person-no-pledge", "P-01"));
}

static void test_risk_incident_duty(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	org(f);
	add_ok(f, "asset", "A", "name=a", "kind=system", "department=D-01", NULL);
	add_ok(f, "risk", "R", "asset=A", "threat=T3", "likelihood=3", "impact=5",
	       "residual_likelihood=1", "residual_impact=2", NULL);
	g_autoptr(KjLedgerRecord) r = kj_ledger_get(f->l, R("risk"), "R", &error);
	g_assert_cmpstr(kj_ledger_record_get(r, "inherent_level"), ==, "極高");
	g_assert_cmpstr(kj_ledger_record_get(r, "residual_level"), ==, "低");
	g_assert_nonnull(kj_ledger_record_get(r, "next_review"));
	/* The grid is data: change a cell and the level follows. */
	const char *cell[] = {"level=高", NULL}, *touch[] = {"impact=5", "likelihood=3", NULL};
	g_assert_true(kj_ledger_set(f->l, R("risk-grid"), "L3-I5", 0, cell, NULL, &error));
	g_assert_true(kj_ledger_set(f->l, R("risk"), "R", 0, touch, NULL, &error));
	g_autoptr(KjLedgerRecord) r2 = kj_ledger_get(f->l, R("risk"), "R", &error);
	g_assert_cmpstr(kj_ledger_record_get(r2, "inherent_level"), ==, "高");

	add_ok(f, "incident", "I-1", "title=誤送信", "category=2", "severity=中", "status=報告",
	       "discovered=令和8年3月1日", "personal_info=yes", NULL);
	g_autoptr(KjLedgerRecord) i1 = kj_ledger_get(f->l, R("incident"), "I-1", &error);
	g_assert_cmpstr(kj_ledger_record_get(i1, "ppc_preliminary_due"), ==, "2026-03-06");
	g_assert_cmpstr(kj_ledger_record_get(i1, "ppc_final_due"), ==, "2026-03-31");
	const char *jump[] = {"status=調査", NULL}, *step[] = {"status=初動対応", NULL};
	g_assert_false(kj_ledger_set(f->l, R("incident"), "I-1", 0, jump, NULL, &error));
	g_assert_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_true(kj_ledger_set(f->l, R("incident"), "I-1", 0, step, NULL, &error));

	const char *done[] = {"last_done=2025-04-01", NULL};
	g_assert_true(kj_ledger_set(f->l, R("duty"), "training", 0, done, NULL, &error));
	g_autoptr(GPtrArray) due = kj_ledger_due(f->l, "2026-03-20", 30, &error);
	g_assert_no_error(error);
	gboolean training = FALSE, policy = FALSE, ppc = FALSE;
	for (guint i = 0; i < due->len; i++) {
		const KjLedgerDue *d = due->pdata[i];
		if (strcmp(d->key, "training") == 0)
			training = strcmp(d->due, "2026-04-01") == 0 && !d->overdue;
		if (strcmp(d->key, "policy-review") == 0)
			policy = d->overdue;
		if (strcmp(d->key, "I-1") == 0 && strcmp(d->due, "2026-03-06") == 0)
			ppc = d->overdue;
	}
	g_assert_true(training && policy && ppc);
}

static GString *csv_of(const char *text)
{
	return g_string_new(text);
}

static void import_fails(Fixture *f, const char *noun, const GString *s, int code,
			 const char *needle)
{
	g_autoptr(GError) error = NULL;

	g_assert_false(kj_ledger_import_csv(f->l, R(noun), s->str, s->len, FALSE, NULL, &error));
	g_assert_error(error, KJ_LEDGER_ERROR, code);
	if (strstr(error->message, needle) == NULL)
		g_error("'%s' lacks '%s'", error->message, needle);
}

static void test_csv_import(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	KjLedgerImportStats st = {0};
	const char *utf8 = "キー,名称,種別\r\nD-01,総務課,課\r\nD-02,\"税務課, 市民税係\",課\r\n";
	g_autoptr(GString) bom = g_string_new("\xEF\xBB\xBF");

	g_string_append(bom, utf8);
	g_assert_true(
	    kj_ledger_import_csv(f->l, R("department"), bom->str, bom->len, FALSE, &st, &error));
	g_assert_no_error(error);
	g_assert_cmpint(st.added, ==, 2);
	g_assert_cmpstr(st.encoding, ==, "UTF-8");

	/* CP932, as Excel saves "CSV", with 和暦 and Western dates. */
	const char *people = "key,name,department\nP-01,山田,D-01\nP-02,髙橋,D-02\n";
	gsize n = 0;
	g_autofree char *sjis = kj_charset_from_utf8(people, strlen(people), "CP932", &n, NULL);
	g_assert_true(kj_ledger_import_csv(f->l, R("person"), sjis, n, FALSE, &st, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(st.encoding, ==, "CP932");
	const char *pl = "key,person,signed_on\nPL-1,P-01,令和8年3月1日\nPL-2,P-02,2026-03-01\n";
	g_assert_true(kj_ledger_import_csv(f->l, R("pledge"), pl, strlen(pl), FALSE, &st, &error));
	g_autoptr(KjLedgerRecord) p1 = kj_ledger_get(f->l, R("pledge"), "PL-1", &error);
	g_autoptr(KjLedgerRecord) p2 = kj_ledger_get(f->l, R("pledge"), "PL-2", &error);
	g_assert_cmpstr(kj_ledger_record_get(p1, "signed_on"), ==, "2026-03-01");
	g_assert_cmpstr(kj_ledger_record_get(p2, "signed_on"), ==, "2026-03-01");

	/* Mixed encodings: one UTF-8 line, one CP932 line. */
	g_autoptr(GString) mixed = csv_of("key,name,department\nP-03,佐藤,D-01\n");
	g_autofree char *l2 =
	    kj_charset_from_utf8("P-04,鈴木,D-01\n", strlen("P-04,鈴木,D-01\n"), "CP932", &n, NULL);
	g_string_append_len(mixed, l2, (gssize)n);
	import_fails(f, "person", mixed, KJ_LEDGER_ERROR_CSV, "mixed encodings: line 2");

	g_autoptr(GString) unknown = csv_of("key,name,colour\nD-9,x,red\n");
	import_fails(f, "department", unknown, KJ_LEDGER_ERROR_CSV, "unknown column 'colour'");
	g_autoptr(GString) nokey = csv_of("name,kind\nx,課\n");
	import_fails(f, "department", nokey, KJ_LEDGER_ERROR_CSV, "no key column");
	g_autoptr(GString) noreq = csv_of("key,kind\nD-9,課\n");
	import_fails(f, "department", noreq, KJ_LEDGER_ERROR_CSV, "required column name");
	g_autoptr(GString) fields = csv_of("key,name\nD-8,x\nD-9,y,z\n");
	import_fails(f, "department", fields, KJ_LEDGER_ERROR_CSV, "line 3 has 3 fields");
	g_autoptr(GString) dup = csv_of("key,name\nD-8,x\nD-9,y\nD-8,z\n");
	import_fails(f, "department", dup, KJ_LEDGER_ERROR_DUPLICATE, "first on line 2");
	g_autoptr(GString) exists = csv_of("key,name\nD-8,x\nD-01,y\n");
	import_fails(f, "department", exists, KJ_LEDGER_ERROR_DUPLICATE, "line 3");
	g_autoptr(GString) ref = csv_of("key,name,department\nP-8,x,D-01\nP-9,y,D-77\n");
	import_fails(f, "person", ref, KJ_LEDGER_ERROR_REFERENCE, "line 3");
	g_autoptr(GString) lvl =
	    csv_of("key,name,kind,department,confidentiality\nA-1,x,information,D-01,3A\n");
	import_fails(f, "asset", lvl, KJ_LEDGER_ERROR_INVALID, "not a level of scheme mic-c");
	g_autoptr(GString) quote = csv_of("key,name\nD-8,\"open\n");
	import_fails(f, "department", quote, KJ_LEDGER_ERROR_CSV, "not closed");
	/* All or nothing: D-8 and P-8 from the failed files are not there. */
	g_assert_null(kj_ledger_get(f->l, R("department"), "D-8", NULL));
	g_assert_null(kj_ledger_get(f->l, R("person"), "P-8", NULL));
}

static void test_csv_roundtrip(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	KjLedgerImportStats st = {0};

	org(f);
	g_autoptr(GString) out = kj_ledger_export_csv(f->l, R("department"), &error);
	g_assert_no_error(error);
	g_assert_true(
	    g_str_has_prefix(out->str, "\xEF\xBB\xBFkey,name,kind,organisation,parent\r\n"));
	g_assert_nonnull(strstr(out->str, "D-01,総務課,課,,\r\n"));
	g_assert_true(
	    kj_ledger_import_csv(f->l, R("department"), out->str, out->len, TRUE, &st, &error));
	g_assert_no_error(error);
	g_assert_cmpint(st.updated, ==, 1);
	/* Unchanged values: no new version. */
	g_autoptr(KjLedgerRecord) d = kj_ledger_get(f->l, R("department"), "D-01", &error);
	g_assert_cmpint(d->version, ==, 1);
}

static void test_csv_parse(void)
{
	g_autoptr(GError) error = NULL;
	const char *t = "a,\"b,\"\"c\"\"\",\r\n\"multi\nline\",x\n";
	g_autoptr(GPtrArray) rows = kj_ledger_csv_parse(t, strlen(t), &error);

	g_assert_no_error(error);
	g_assert_cmpuint(rows->len, ==, 2);
	GPtrArray *r0 = rows->pdata[0], *r1 = rows->pdata[1];
	g_assert_cmpuint(r0->len, ==, 3);
	g_assert_cmpstr(r0->pdata[1], ==, "b,\"c\"");
	g_assert_cmpstr(r0->pdata[2], ==, "");
	g_assert_cmpstr(r1->pdata[0], ==, "multi\nline");
}

static void test_inspect(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 n = 0;

	org(f);
	add_ok(f, "department", "D-02", "name=税務課", NULL);
	g_assert_true(
	    kj_ledger_inspect_start(f->l, "C1", "点検", "令和8年6月1日", "2026-06-30", &n, &error));
	g_assert_no_error(error);
	g_assert_cmpint(n % 2, ==, 0);
	g_assert_true(
	    kj_ledger_inspect_answer(f->l, "C1", "D-01", "CL-5-1", "適合", NULL, "P-01", &error));
	g_assert_true(kj_ledger_inspect_answer(f->l, "C1", "D-01", "CL-5-2", "不適合", "未提出",
					       NULL, &error));
	g_assert_true(
	    kj_ledger_inspect_answer(f->l, "C1", "D-01", "CL-6-1", "該当なし", NULL, NULL, &error));
	g_assert_no_error(error);
	/* A heading is not an item to answer. */
	g_assert_false(
	    kj_ledger_inspect_answer(f->l, "C1", "D-01", "CL-5", "適合", NULL, NULL, &error));
	g_clear_error(&error);
	g_autoptr(GPtrArray) rows = kj_ledger_inspect_report(f->l, "C1", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(rows->len, ==, 2);
	const KjLedgerInspectRow *r = rows->pdata[0];
	g_assert_cmpstr(r->department, ==, "D-01");
	g_assert_cmpint(r->items, ==, n / 2);
	g_assert_cmpint(r->answered, ==, 3);
	g_assert_cmpint(r->score, ==, 50);
	g_assert_cmpuint(r->gaps->len, ==, 1);
	g_assert_cmpint(((const KjLedgerInspectRow *)rows->pdata[1])->score, ==, -1);
}

static void test_staff_matrix_report(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	KjLedgerCell cells[5][5];

	org(f);
	add_ok(f, "person", "P-02", "name=<b>委託</b>", "department=D-01", "employment=委託事業者",
	       NULL);
	add_ok(f, "person", "P-03", "name=佐藤", "department=D-01", NULL);
	add_ok(f, "pledge", "PL-1", "person=P-01", "signed_on=2026-04-01", NULL);
	add_ok(f, "training", "TR-1", "person=P-01", "course=全職員研修", "completed_on=2026-06-01",
	       NULL);
	add_ok(f, "training", "TR-2", "person=P-03", "course=全職員研修", "completed_on=2025-06-01",
	       NULL);
	g_autoptr(GPtrArray) rows = kj_ledger_staff_report(f->l, "全職員", "令和8年1月1日", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(rows->len, ==, 1);
	const KjLedgerStaffRow *r = rows->pdata[0];
	g_assert_cmpint(r->staff, ==, 2); /* the contractor's employee is not staff */
	g_assert_cmpint(r->pledged, ==, 1);
	g_assert_cmpint(r->trained, ==, 1); /* TR-2 is before --since */

	add_ok(f, "asset", "A", "name=a", "kind=system", "department=D-01", NULL);
	add_ok(f, "risk", "R1", "asset=A", "threat=T1", "likelihood=5", "impact=5",
	       "current_likelihood=2", "current_impact=2", NULL);
	add_ok(f, "risk", "R2", "asset=A", "threat=T2", "likelihood=5", "impact=5", NULL);
	g_assert_true(kj_ledger_risk_matrix(f->l, "current", cells, &error));
	g_assert_cmpint(cells[1][1].risks, ==, 1);
	g_assert_cmpint(cells[4][4].risks, ==, 1); /* R2 has no current scores: inherent */
	g_assert_cmpstr(cells[4][4].level, ==, "極高");
	g_assert_cmpint(cells[4][4].rank, ==, 4);
	kj_ledger_risk_matrix_clear(cells);
	g_assert_true(kj_ledger_risk_matrix(f->l, "inherent", cells, &error));
	g_assert_cmpint(cells[4][4].risks, ==, 2);
	kj_ledger_risk_matrix_clear(cells);

	add_ok(f, "incident", "I<1>", "title=<script>x</script>", "category=1", "severity=高",
	       "status=報告", "discovered=2026-05-01", NULL);
	g_autoptr(GString) html = kj_ledger_report_html(f->l, NULL, "2026-06-01", &error);
	g_assert_no_error(error);
	g_assert_nonnull(strstr(html->str, "&lt;script&gt;x&lt;/script&gt;"));
	g_assert_null(strstr(html->str, "<script>"));
	g_assert_nonnull(strstr(html->str, "令和8年6月1日"));
}

static void test_hosts(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	const char *root = g_getenv("KJ_SOURCE_ROOT");

	if (root == NULL) {
		g_test_skip("KJ_SOURCE_ROOT not set");
		return;
	}
	g_autofree char *path = g_build_filename(root, "examples", "policy", "city.yaml", NULL);
	g_autoptr(KjPolicy) model = kj_policy_load_file(path, &error);
	g_assert_no_error(error);
	org(f);
	add_ok(f, "asset", "OK", "name=a", "kind=system", "department=D-01", "segment=mynumber",
	       "hosts=mn-juki, mn-zeimu", NULL);
	add_ok(f, "asset", "SEG", "name=b", "kind=system", "department=D-01", "segment=lgwan",
	       "hosts=mn-juki", NULL);
	add_ok(f, "asset", "UNK", "name=c", "kind=system", "department=D-01", "hosts=no-such",
	       NULL);
	g_autoptr(GPtrArray) fs = g_ptr_array_new_with_free_func(kj_ledger_finding_free);
	g_assert_true(kj_ledger_check_hosts(f->l, model, fs, &error));
	g_assert_cmpuint(fs->len, ==, 2);
	g_assert_true(has_finding(fs, "asset-host-segment", "SEG"));
	g_assert_true(has_finding(fs, "asset-host-unknown", "UNK"));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
	g_test_add_func("/ledger/dates", test_dates);
	g_test_add_func("/ledger/csv-parse", test_csv_parse);
	ADD("/ledger/audit-old-new", test_audit_old_new);
	ADD("/ledger/conflict", test_conflict);
	ADD("/ledger/bad-values", test_bad_values);
	ADD("/ledger/inheritance", test_inheritance);
	ADD("/ledger/findings", test_findings);
	ADD("/ledger/risk-incident-duty", test_risk_incident_duty);
	ADD("/ledger/csv-import", test_csv_import);
	ADD("/ledger/csv-roundtrip", test_csv_roundtrip);
	ADD("/ledger/inspect", test_inspect);
	ADD("/ledger/staff-matrix-report", test_staff_matrix_report);
	ADD("/ledger/hosts", test_hosts);
	return g_test_run();
}
