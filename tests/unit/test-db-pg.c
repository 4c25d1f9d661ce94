/*++
 * NAME
 *	test-db-pg - the PostgreSQL backend behind the same interface
 * DESCRIPTION
 *	Needs a server: KJ_PG_CONNINFO names it (tests/cli/store-pg.sh
 *	starts a private one as a non-root user on its own socket directory
 *	and runs this with it); without it every case is skipped.
 *
 *	The backend: bound parameters of each type, NULL, integers and text
 *	read back, changed-row counts, one statement per query, constraint,
 *	read-only and lock-wait errors mapped to the store's codes,
 *	transactions committed and rolled back.  Then every migration of
 *	schema.c applied to the empty database, and the governance ledger
 *	on it: add, set with a stale version refused, references, levels
 *	outside the scheme, inheritance and findings, a CSV import, the
 *	CISO's report.
 *--*/
#include "kj_build_config.h"

#include "audit/audit.h"
#include "ledger/ledger.h"
#include "store/db.h"
#include "store/schema.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

static const char *conninfo;

static KjDb *open_db(gboolean read_only, gint64 busy_ms)
{
	g_autoptr(GError) error = NULL;
	KjDbOptions o = {.backend = "pgsql",
			 .location = conninfo,
			 .busy_timeout_ms = busy_ms,
			 .read_only = read_only};
	KjDb *db = kj_db_open(&o, &error);

	g_assert_no_error(error);
	g_assert_cmpstr(kj_db_get_backend_name(db), ==, "pgsql");
	return db;
}

static gboolean collect(const KjDbRow *row, gpointer user_data)
{
	GString *s = user_data;

	for (guint i = 0; i < kj_db_row_get_n_columns(row); i++) {
		if (kj_db_row_is_null(row, i))
			g_string_append(s, "NULL");
		else
			g_string_append_printf(s, "%" G_GINT64_FORMAT ":%s",
					       kj_db_row_get_int(row, i),
					       kj_db_row_get_text(row, i));
		g_string_append_c(s, i + 1 < kj_db_row_get_n_columns(row) ? ',' : ';');
	}
	return TRUE;
}

static void test_backend(void)
{
	g_autoptr(GError) error = NULL;
	gboolean exists = TRUE, found = FALSE;
	gint64 n = 0;

	if (conninfo == NULL) {
		g_test_skip("KJ_PG_CONNINFO not set (tests/cli/store-pg.sh sets it)");
		return;
	}
	g_autoptr(KjDb) db = open_db(FALSE, 2000);
	g_assert_true(kj_db_table_exists(db, "t_basic", &exists, &error));
	g_assert_false(exists);
	g_assert_true(kj_db_exec_script(
	    db, "CREATE TABLE t_basic (id BIGINT PRIMARY KEY, name TEXT, n BIGINT);", &error));
	g_assert_true(kj_db_table_exists(db, "t_basic", &exists, &error));
	g_assert_true(exists);
	g_assert_true(kj_db_exec(db, "INSERT INTO t_basic VALUES ($1, $2, $3)",
				 KJ_DB_ARGS(KJ_DB_INT(1), KJ_DB_TEXT("住民記録 'x'"), KJ_DB_NULL),
				 &error));
	g_assert_cmpint(kj_db_changes(db), ==, 1);
	/* $2 twice, and out of order, as on SQLite. */
	g_assert_true(kj_db_exec(db, "INSERT INTO t_basic (name, id, n) VALUES ($2, $1, $1)",
				 KJ_DB_ARGS(KJ_DB_INT(G_MAXINT64), KJ_DB_TEXT("max")), &error));
	g_assert_no_error(error);
	g_autoptr(GString) s = g_string_new(NULL);
	g_assert_true(kj_db_query(db, "SELECT id, name, n FROM t_basic ORDER BY id", KJ_DB_NO_ARGS,
				  collect, s, &error));
	g_assert_cmpstr(s->str, ==,
			"1:1,0:住民記録 'x',NULL;9223372036854775807:9223372036854775807,0:max,"
			"9223372036854775807:9223372036854775807;");
	g_assert_cmpint(kj_db_changes(db), ==, 1); /* a SELECT leaves it */
	g_assert_true(
	    kj_db_exec(db, "UPDATE t_basic SET n = $1", KJ_DB_ARGS(KJ_DB_INT(5)), &error));
	g_assert_cmpint(kj_db_changes(db), ==, 2);
	g_assert_true(kj_db_query_int(db, "SELECT count(*) FROM t_basic WHERE n = $1",
				      KJ_DB_ARGS(KJ_DB_INT(5)), &n, &found, &error));
	g_assert_true(found);
	g_assert_cmpint(n, ==, 2);

	/* Errors: a duplicate key, two statements in one query, bad SQL. */
	g_assert_false(kj_db_exec(db, "INSERT INTO t_basic VALUES ($1, 'a', 0)",
				  KJ_DB_ARGS(KJ_DB_INT(1)), &error));
	g_assert_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_CONSTRAINT);
	g_clear_error(&error);
	g_assert_false(
	    kj_db_exec(db, "DELETE FROM t_basic; DELETE FROM t_basic", KJ_DB_NO_ARGS, &error));
	g_assert_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_DB);
	g_clear_error(&error);

	/* Transactions. */
	g_assert_true(kj_db_begin(db, &error));
	g_assert_true(kj_db_exec(db, "DELETE FROM t_basic", KJ_DB_NO_ARGS, &error));
	g_assert_true(kj_db_rollback(db, &error));
	g_assert_true(
	    kj_db_query_int(db, "SELECT count(*) FROM t_basic", KJ_DB_NO_ARGS, &n, &found, &error));
	g_assert_cmpint(n, ==, 2);
	/* A failed statement inside a transaction, then a rollback: clean. */
	g_assert_true(kj_db_begin(db, &error));
	g_assert_false(
	    kj_db_exec(db, "INSERT INTO t_basic VALUES (1, 'a', 0)", KJ_DB_NO_ARGS, &error));
	g_clear_error(&error);
	g_assert_true(kj_db_rollback(db, &error));
	g_assert_true(kj_db_begin(db, &error));
	g_assert_true(
	    kj_db_exec(db, "DELETE FROM t_basic WHERE id = $1", KJ_DB_ARGS(KJ_DB_INT(1)), &error));
	g_assert_true(kj_db_commit(db, &error));
	g_assert_true(
	    kj_db_query_int(db, "SELECT count(*) FROM t_basic", KJ_DB_NO_ARGS, &n, &found, &error));
	g_assert_cmpint(n, ==, 1);

	/* One writer at a time: a second connection's begin waits for the
	 * lock (lock_timeout) and is told the database is busy. */
	g_autoptr(KjDb) other = open_db(FALSE, 100);
	g_assert_true(kj_db_begin(db, &error));
	g_assert_false(kj_db_begin(other, &error));
	g_assert_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_BUSY);
	g_clear_error(&error);
	g_assert_true(kj_db_commit(db, &error));
	g_assert_true(kj_db_begin(other, &error));
	g_assert_true(kj_db_commit(other, &error));

	/* A read-only connection reads and cannot write. */
	g_autoptr(KjDb) ro = open_db(TRUE, 100);
	g_assert_true(
	    kj_db_query_int(ro, "SELECT count(*) FROM t_basic", KJ_DB_NO_ARGS, &n, &found, &error));
	g_assert_false(kj_db_exec(ro, "DELETE FROM t_basic", KJ_DB_NO_ARGS, &error));
	g_assert_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_READ_ONLY);
	g_clear_error(&error);
	g_assert_true(kj_db_exec_script(db, "DROP TABLE t_basic", &error));
}

static void test_unreachable(void)
{
	g_autoptr(GError) error = NULL;
	KjDbOptions o = {.backend = "pgsql", .location = "host=/nonexistent-kyojin dbname=x"};

	if (!KJ_HAVE_LIBPQ) {
		g_test_skip("built without libpq");
		return;
	}

	g_assert_null(kj_db_open(&o, &error));
	g_assert_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_DB);
	g_assert_nonnull(strstr(error->message, "cannot connect"));
}

static const KjLedgerRegister *R(const char *noun)
{
	const KjLedgerRegister *reg = kj_ledger_register_find(noun);

	g_assert_nonnull(reg);
	return reg;
}

static int change(KjLedger *l, const char *noun, const char *key, gint64 version, ...)
{
	g_autoptr(GPtrArray) a = g_ptr_array_new();
	g_autoptr(GError) error = NULL;
	va_list ap;
	char *s;

	va_start(ap, version);
	while ((s = va_arg(ap, char *)) != NULL)
		g_ptr_array_add(a, s);
	va_end(ap);
	g_ptr_array_add(a, NULL);
	gboolean ok = version < 0
			  ? kj_ledger_add(l, R(noun), key, (const char *const *)a->pdata, &error)
			  : kj_ledger_set(l, R(noun), key, version, (const char *const *)a->pdata,
					  NULL, &error);
	if (!ok)
		g_test_message("%s %s: %s", noun, key, error->message);
	return ok ? -1 : error->code;
}

static void test_schema_ledger(void)
{
	g_autoptr(GError) error = NULL;
	gint64 version = 0;

	if (conninfo == NULL) {
		g_test_skip("KJ_PG_CONNINFO not set (tests/cli/store-pg.sh sets it)");
		return;
	}
	g_autoptr(KjDb) db = open_db(FALSE, 5000);
	g_assert_true(_kj_schema_migrate(db, _kj_schema_latest(), &error));
	g_assert_no_error(error);
	g_assert_true(_kj_schema_read_version(db, &version, &error));
	g_assert_cmpint(version, ==, _kj_schema_latest());
	/* Again: nothing to do. */
	g_assert_true(_kj_schema_migrate(db, _kj_schema_latest(), &error));

	g_autofree char *dir = g_dir_make_tmp("kj-pg-audit-XXXXXX", &error);
	g_autoptr(KjAudit) audit = kj_audit_open(dir, NULL, &error);
	g_assert_no_error(error);
	g_autoptr(KjLedger) l = kj_ledger_new(db, audit, "tester", NULL);

	g_assert_cmpint(change(l, "department", "D-01", -1, "name=総務課", "kind=課", NULL), ==,
			-1);
	g_assert_cmpint(change(l, "person", "P-01", -1, "name=山田", "department=D-01", NULL), ==,
			-1);
	g_assert_cmpint(change(l, "person", "P-02", -1, "name=x", "department=D-99", NULL), ==,
			KJ_LEDGER_ERROR_REFERENCE);
	g_assert_cmpint(change(l, "asset", "SYS", -1, "name=住民記録システム", "kind=system",
			       "department=D-01", "segment=lgwan", "confidentiality=2", NULL),
			==, -1);
	g_assert_cmpint(change(l, "asset", "INF", -1, "name=住民票", "kind=information",
			       "department=D-01", "held_in=SYS", "my_number=はい",
			       "confidentiality=3", "lg_confidentiality=3A", NULL),
			==, -1);
	g_assert_cmpint(change(l, "asset", "BAD", -1, "name=x", "kind=information",
			       "department=D-01", "confidentiality=3A", NULL),
			==, KJ_LEDGER_ERROR_INVALID);
	/* Optimistic concurrency: version 1 is gone after one set. */
	g_assert_cmpint(change(l, "asset", "SYS", 1, "location=サーバ室", NULL), ==, -1);
	g_assert_cmpint(change(l, "asset", "SYS", 1, "location=倉庫", NULL), ==,
			KJ_LEDGER_ERROR_CONFLICT);
	g_autoptr(KjLedgerRecord) sys = kj_ledger_get(l, R("asset"), "SYS", &error);
	g_assert_cmpint(sys->version, ==, 2);
	g_assert_cmpstr(kj_ledger_record_get(sys, "location"), ==, "サーバ室");
	g_assert_false(kj_ledger_delete(l, R("department"), "D-01", 0, &error));
	g_assert_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_REFERENCE);
	g_clear_error(&error);

	/* Inheritance and findings, as on SQLite. */
	g_autoptr(GPtrArray) fs = kj_ledger_check(l, &error);
	g_assert_no_error(error);
	gboolean below = FALSE, segment = FALSE;
	for (guint i = 0; i < fs->len; i++) {
		const KjLedgerFinding *f = fs->pdata[i];
		below |= strcmp(f->rule, "asset-level-below-content") == 0 &&
			 g_strcmp0(f->key, "SYS") == 0;
		segment |= strcmp(f->rule, "asset-my-number-segment") == 0 &&
			   g_strcmp0(f->key, "INF") == 0;
	}
	g_assert_true(below);
	g_assert_true(segment);

	/* A CSV import, all rows in one transaction. */
	const char *csv = "key,person,signed_on\nPL-1,P-01,令和8年3月1日\n";
	KjLedgerImportStats st = {0};
	g_assert_true(kj_ledger_import_csv(l, R("pledge"), csv, strlen(csv), FALSE, &st, &error));
	g_assert_no_error(error);
	g_assert_cmpint(st.added, ==, 1);
	const char *bad = "key,person,signed_on\nPL-2,P-01,2026-03-01\nPL-3,P-77,2026-03-01\n";
	g_assert_false(kj_ledger_import_csv(l, R("pledge"), bad, strlen(bad), FALSE, &st, &error));
	g_clear_error(&error);
	g_assert_null(kj_ledger_get(l, R("pledge"), "PL-2", NULL));

	g_autoptr(GString) html = kj_ledger_report_html(l, NULL, "2026-06-01", &error);
	g_assert_no_error(error);
	g_assert_nonnull(strstr(html->str, "情報セキュリティ定期報告"));

	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", dir);
	g_assert_cmpint(system(cmd), ==, 0);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	conninfo = g_getenv("KJ_PG_CONNINFO");
	g_test_add_func("/db-pg/backend", test_backend);
	g_test_add_func("/db-pg/unreachable", test_unreachable);
	g_test_add_func("/db-pg/schema-ledger", test_schema_ledger);
	return g_test_run();
}
