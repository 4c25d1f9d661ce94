/*++
 * NAME
 *	test-ledger-rules - classification across schemes, cloud data
 *	location, checked lists
 * DESCRIPTION
 *	The rules whose parameters are data of ledger_level: the equivalent
 *	level of 自治体機密性 in 機密性 (asset-level-mismatch), the lowest level
 *	for what an asset holds (asset-level-minimum: 個人番号 -> 3A and
 *	機密性3, 個人情報 -> 3B, also through what a system holds), and the
 *	countries where a cloud service may keep data of a level
 *	(cloud-data-location, -unknown, cloud-terms-unknown), including a city
 *	changing that data.  Lists that name records or choices: handling
 *	restrictions outside the vocabulary, incidents naming missing assets
 *	and minimum_for outside its choices are refused; a restriction or an
 *	asset still named in a list cannot be deleted.  Audit follow-up: a
 *	nonconformity closed without a verified corrective action, or found
 *	again at its latest follow-up, is a finding; observations are not.
 *--*/
#include "ledger-fixture.h"
#include "store/schema.h"

static void org(Fixture *f)
{
	add_ok(f, "department", "D-01", "name=総務課", "kind=課", NULL);
	add_ok(f, "person", "P-01", "name=山田", "department=D-01", NULL);
}

static void test_equivalent(Fixture *f, gconstpointer data)
{
	org(f);
	add_ok(f, "asset", "A", "name=a", "kind=information", "department=D-01",
	       "lg_confidentiality=3B", "confidentiality=2", NULL);
	add_ok(f, "asset", "B", "name=b", "kind=information", "department=D-01",
	       "lg_confidentiality=3C", "confidentiality=3", NULL);
	add_ok(f, "asset", "C", "name=c", "kind=information", "department=D-01",
	       "lg_confidentiality=2", NULL); /* one scheme only: nothing to compare */
	add_ok(f, "asset", "D", "name=d", "kind=information", "department=D-01",
	       "lg_confidentiality=1", "confidentiality=2", NULL);
	g_autoptr(GPtrArray) fs = check(f);
	g_assert_cmpuint(count_findings(fs, "asset-level-mismatch", "A"), ==, 1);
	g_assert_cmpuint(count_findings(fs, "asset-level-mismatch", "B"), ==, 0);
	g_assert_cmpuint(count_findings(fs, "asset-level-mismatch", "C"), ==, 0);
	g_assert_cmpuint(count_findings(fs, "asset-level-mismatch", "D"), ==, 1);
	set_ok(f, "asset", "A", "confidentiality=3", NULL);
	g_autoptr(GPtrArray) fs2 = check(f);
	g_assert_cmpuint(count_findings(fs2, "asset-level-mismatch", "A"), ==, 0);
}

static void test_minimum(Fixture *f, gconstpointer data)
{
	org(f);
	/* 個人番号 at 3B and 機密性 2: below 3A and below 機密性3. */
	add_ok(f, "asset", "MN", "name=a", "kind=information", "department=D-01",
	       "segment=mynumber", "my_number=はい", "lg_confidentiality=3B", "confidentiality=2",
	       NULL);
	/* 個人情報 at 自治体機密性 2: below 3B; 3C too. */
	add_ok(f, "asset", "PI", "name=b", "kind=information", "department=D-01",
	       "personal_info=yes", "lg_confidentiality=2", NULL);
	add_ok(f, "asset", "PI3C", "name=b", "kind=information", "department=D-01",
	       "personal_info=yes", "lg_confidentiality=3C", NULL);
	/* 3A satisfies the personal-information minimum 3B as well. */
	add_ok(f, "asset", "OK", "name=c", "kind=information", "department=D-01",
	       "segment=mynumber", "my_number=1", "personal_info=1", "lg_confidentiality=3A",
	       "confidentiality=3", NULL);
	/* A system inherits what it holds: its effective level is 3A. */
	add_ok(f, "asset", "SYS", "name=s", "kind=system", "department=D-01", "segment=mynumber",
	       "lg_confidentiality=2", NULL);
	add_ok(f, "asset", "IN", "name=i", "kind=information", "department=D-01",
	       "segment=mynumber", "held_in=SYS", "my_number=1", "lg_confidentiality=3A", NULL);
	g_autoptr(GPtrArray) fs = check(f);
	g_assert_cmpuint(count_findings(fs, "asset-level-minimum", "MN"), ==, 2);
	g_assert_cmpuint(count_findings(fs, "asset-level-minimum", "PI"), ==, 1);
	g_assert_cmpuint(count_findings(fs, "asset-level-minimum", "PI3C"), ==, 1);
	g_assert_cmpuint(count_findings(fs, "asset-level-minimum", "OK"), ==, 0);
	g_assert_cmpuint(count_findings(fs, "asset-level-minimum", "SYS"), ==, 0);
	g_assert_cmpuint(count_findings(fs, "asset-level-below-content", "SYS"), ==, 1);
	g_assert_cmpuint(count_findings(fs, "asset-level-minimum", "IN"), ==, 0);

	/* The minimum is data: a city that wants 個人情報 at 機密性3 says so. */
	set_ok(f, "level", "mic-c:3", "minimum_for=my_number,personal_info", NULL);
	add_ok(f, "asset", "PI2", "name=d", "kind=information", "department=D-01",
	       "personal_info=はい", "confidentiality=2", NULL);
	g_autoptr(GPtrArray) fs2 = check(f);
	g_assert_cmpuint(count_findings(fs2, "asset-level-minimum", "PI2"), ==, 1);
	/* minimum_for takes only the flags it knows. */
	g_assert_cmpint(set(f, "level", "mic-c:3", "minimum_for=my_number,salary", NULL), ==,
			KJ_LEDGER_ERROR_INVALID);
}

static void test_cloud_location(Fixture *f, gconstpointer data)
{
	org(f);
	add_ok(f, "cloud", "CL", "name=フォーム", "data_location=未確認", "responsible=P-01", NULL);
	add_ok(f, "asset", "FORM", "name=f", "kind=information", "department=D-01",
	       "personal_info=1", "lg_confidentiality=3B", "cloud=CL", NULL);
	add_ok(f, "asset", "PUB", "name=p", "kind=information", "department=D-01",
	       "confidentiality=1", "cloud=CL", NULL);
	g_autoptr(GPtrArray) fs = check(f);
	g_assert_cmpuint(count_findings(fs, "cloud-data-location-unknown", "CL"), ==, 1);
	g_assert_cmpuint(count_findings(fs, "cloud-data-location", "CL"), ==, 0);
	g_assert_cmpuint(count_findings(fs, "cloud-terms-unknown", "CL"), ==, 1);

	set_ok(f, "cloud", "CL", "data_countries=JP, US", "governing_law=米国法",
	       "jurisdiction=米国の裁判所", NULL);
	g_autoptr(GPtrArray) fs2 = check(f);
	g_assert_cmpuint(count_findings(fs2, "cloud-data-location", "CL"), ==, 1);
	g_assert_cmpuint(count_findings(fs2, "cloud-data-location-unknown", "CL"), ==, 0);
	g_assert_cmpuint(count_findings(fs2, "cloud-terms-unknown", "CL"), ==, 0);

	set_ok(f, "cloud", "CL", "data_countries=jp", NULL); /* codes in any case */
	g_autoptr(GPtrArray) fs3 = check(f);
	g_assert_cmpuint(count_findings(fs3, "cloud-data-location", "CL"), ==, 0);

	/* Level 1 data abroad is allowed ... */
	set_ok(f, "cloud", "CL", "data_countries=US", NULL);
	set_ok(f, "asset", "FORM", "cloud=", NULL);
	g_autoptr(GPtrArray) fs4 = check(f);
	g_assert_cmpuint(count_findings(fs4, "cloud-data-location", "CL"), ==, 0);
	/* ... until the city's own rule says otherwise (data, not code). */
	set_ok(f, "level", "mic-c:1", "cloud_locations=JP", NULL);
	g_autoptr(GPtrArray) fs5 = check(f);
	g_assert_cmpuint(count_findings(fs5, "cloud-data-location", "CL"), ==, 1);

	/* A system on the cloud carries the level of what it holds. */
	set_ok(f, "level", "mic-c:1", "cloud_locations=", NULL);
	add_ok(f, "asset", "SYS", "name=s", "kind=system", "department=D-01", "cloud=CL", NULL);
	set_ok(f, "asset", "FORM", "held_in=SYS", NULL);
	g_autoptr(GPtrArray) fs6 = check(f);
	g_assert_cmpuint(count_findings(fs6, "cloud-data-location", "CL"), ==, 1);
	/* A cloud reference must name a cloud service. */
	g_assert_cmpint(set(f, "asset", "PUB", "cloud=NOPE", NULL), ==, KJ_LEDGER_ERROR_REFERENCE);
}

static void test_checked_lists(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	org(f);
	/* Handling restrictions come from the vocabulary (a typo would make
	 * the asset-handling rule miss a restriction). */
	g_assert_cmpint(add(f, "asset", "A", "name=a", "kind=medium", "department=D-01",
			    "handling=持ち出し禁止", NULL),
			==, KJ_LEDGER_ERROR_REFERENCE);
	add_ok(f, "asset", "A", "name=a", "kind=medium", "department=D-01",
	       "handling=持出禁止、暗号化必須", NULL);
	g_autoptr(KjLedgerRecord) a =
	    kj_ledger_get(f->l, kj_ledger_register_find("asset"), "A", &error);
	g_assert_cmpstr(kj_ledger_record_get(a, "handling"), ==, "持出禁止,暗号化必須");
	/* A city adds its own restriction, then uses it. */
	add_ok(f, "restriction", "FAX送信禁止", "definition=ファクシミリで送信しない", NULL);
	set_ok(f, "asset", "A", "handling=持出禁止,FAX送信禁止", NULL);
	g_assert_false(kj_ledger_delete(f->l, kj_ledger_register_find("restriction"), "FAX送信禁止",
					0, &error));
	g_assert_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_REFERENCE);
	g_clear_error(&error);

	/* An incident names existing assets only, and keeps them. */
	g_assert_cmpint(add(f, "incident", "I-1", "title=t", "category=1", "severity=低",
			    "status=報告", "discovered=2026-05-01", "assets=A,NOPE", NULL),
			==, KJ_LEDGER_ERROR_REFERENCE);
	add_ok(f, "incident", "I-1", "title=t", "category=1", "severity=低", "status=報告",
	       "discovered=2026-05-01", "assets=A", NULL);
	g_assert_false(kj_ledger_delete(f->l, kj_ledger_register_find("asset"), "A", 0, &error));
	g_assert_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_REFERENCE);
	g_clear_error(&error);
	/* A level's equivalent is an existing level. */
	g_assert_cmpint(set(f, "level", "lg-c:2", "equivalent=mic-c:9", NULL), ==,
			KJ_LEDGER_ERROR_REFERENCE);
}

/* A database of the schema before these rules (version 9) with an asset
 * whose handling was typed freely: the upgrade keeps the row, gives the
 * seeded levels their new data, and the check names the restriction
 * that is not in the vocabulary; other columns of that asset can still
 * be changed. */
static void test_upgrade(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp("kj-ledger-up-XXXXXX", &error);
	g_autofree char *path = g_build_filename(dir, "kyojin.db", NULL);
	KjDbOptions o = {.location = path, .busy_timeout_ms = 1000, .create = TRUE};
	g_autoptr(KjDb) db = kj_db_open(&o, &error);

	g_assert_no_error(error);
	g_assert_true(_kj_schema_migrate(db, 9, &error));
	g_assert_true(kj_db_exec_script(
	    db,
	    "INSERT INTO ledger_department (key, version, created_at, updated_at, name)"
	    " VALUES ('D-01', 1, '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z', '総務課');"
	    "INSERT INTO ledger_asset (key, version, created_at, updated_at, name, kind,"
	    " department, handling, lg_confidentiality, confidentiality)"
	    " VALUES ('USB', 1, '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z', 'USBメモリ',"
	    " 'medium', 'D-01', '持ち出し禁止,暗号化必須', '3B', '2')",
	    &error));
	g_assert_no_error(error);
	g_assert_true(_kj_schema_migrate(db, _kj_schema_latest(), &error));
	g_assert_no_error(error);

	g_autoptr(KjAudit) audit = kj_audit_open(dir, NULL, &error);
	g_assert_no_error(error);
	g_autoptr(KjLedger) l = kj_ledger_new(db, audit, "tester", NULL);
	g_autoptr(KjLedgerRecord) lv =
	    kj_ledger_get(l, kj_ledger_register_find("level"), "lg-c:3B", &error);
	g_assert_cmpstr(kj_ledger_record_get(lv, "equivalent"), ==, "mic-c:3");
	g_assert_cmpstr(kj_ledger_record_get(lv, "cloud_locations"), ==, "JP");
	g_autoptr(GPtrArray) fs = kj_ledger_check(l, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(count_findings(fs, "asset-handling-unknown", "USB"), ==, 1);
	g_assert_cmpuint(count_findings(fs, "asset-level-mismatch", "USB"), ==, 1);
	const char *loc[] = {"location=施錠キャビネット", NULL};
	g_assert_true(
	    kj_ledger_set(l, kj_ledger_register_find("asset"), "USB", 1, loc, NULL, &error));
	g_assert_no_error(error);
	const char *fix[] = {"handling=持出禁止,暗号化必須", NULL};
	g_assert_true(
	    kj_ledger_set(l, kj_ledger_register_find("asset"), "USB", 2, fix, NULL, &error));
	g_autoptr(GPtrArray) fs2 = kj_ledger_check(l, &error);
	g_assert_cmpuint(count_findings(fs2, "asset-handling-unknown", "USB"), ==, 0);

	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", dir);
	g_assert_cmpint(system(cmd), ==, 0);
}

static void test_audit_followup(Fixture *f, gconstpointer data)
{
	org(f);
	add_ok(f, "audit-plan", "AP-1", "kind=年次", "fiscal_year=2026", NULL);
	add_ok(f, "audit-finding", "F-1", "plan=AP-1", "grade=重大な不適合", "description=x",
	       "owner=P-01", "due=2026-12-01", "status=open", NULL);
	add_ok(f, "audit-finding", "F-2", "plan=AP-1", "grade=軽微な不適合", "description=y",
	       "status=open", NULL);
	add_ok(f, "audit-finding", "F-3", "plan=AP-1", "grade=観察事項", "description=z",
	       "status=closed", NULL);
	/* A follow-up must name an existing finding and a known result. */
	g_assert_cmpint(add(f, "audit-followup", "FU-0", "finding=F-9", "at=2026-11-01", "entry=e",
			    "result=確認済み", NULL),
			==, KJ_LEDGER_ERROR_REFERENCE);
	g_assert_cmpint(add(f, "audit-followup", "FU-0", "finding=F-1", "at=2026-11-01", "entry=e",
			    "result=done", NULL),
			==, KJ_LEDGER_ERROR_INVALID);
	/* F-1 closed after a check that only saw the work done: unverified. */
	add_ok(f, "audit-followup", "FU-1", "finding=F-1", "at=令和8年11月1日",
	       "entry=手順書を改訂", "result=是正済み", "verified_by=P-01", NULL);
	set_ok(f, "audit-finding", "F-1", "status=closed", NULL);
	/* F-2 found again at its latest check, still open. */
	add_ok(f, "audit-followup", "FU-2", "finding=F-2", "at=2026-10-01", "entry=a",
	       "result=対応中", NULL);
	add_ok(f, "audit-followup", "FU-3", "finding=F-2", "at=2026-11-01", "entry=b",
	       "result=再指摘", "next_check=2027-01-15", NULL);
	g_autoptr(GPtrArray) fs = check(f);
	g_assert_cmpuint(count_findings(fs, "audit-finding-unverified", "F-1"), ==, 1);
	g_assert_cmpuint(count_findings(fs, "audit-finding-recurring", "F-2"), ==, 1);
	g_assert_cmpuint(count_findings(fs, "audit-finding-unverified", "F-3"), ==, 0);
	/* Verified: no longer a finding; a finding still followed up cannot go. */
	add_ok(f, "audit-followup", "FU-4", "finding=F-1", "at=2026-11-20", "entry=運用を確認",
	       "result=確認済み", "verified_by=P-01", NULL);
	add_ok(f, "audit-followup", "FU-5", "finding=F-2", "at=2026-12-01", "entry=c",
	       "result=是正済み", NULL);
	g_autoptr(GPtrArray) fs2 = check(f);
	g_assert_cmpuint(count_findings(fs2, "audit-finding-unverified", "F-1"), ==, 0);
	g_assert_cmpuint(count_findings(fs2, "audit-finding-recurring", "F-2"), ==, 0);
	/* A finding still followed up cannot be deleted. */
	g_autoptr(GError) error = NULL;
	g_assert_false(
	    kj_ledger_delete(f->l, kj_ledger_register_find("audit-finding"), "F-1", 0, &error));
	g_assert_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_REFERENCE);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
	ADD("/ledger-rules/equivalent", test_equivalent);
	ADD("/ledger-rules/minimum", test_minimum);
	ADD("/ledger-rules/cloud-location", test_cloud_location);
	ADD("/ledger-rules/checked-lists", test_checked_lists);
	ADD("/ledger-rules/audit-followup", test_audit_followup);
	g_test_add_func("/ledger-rules/upgrade-from-9", test_upgrade);
	return g_test_run();
}
