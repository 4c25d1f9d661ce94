/* ledger-fixture.h - a ledger in a temporary data directory, and the calls shared
 * by the ledger's unit tests (test-ledger-*.c). */
#ifndef KJ_TEST_LEDGER_FIXTURE_H
#define KJ_TEST_LEDGER_FIXTURE_H

#include "audit/audit.h"
#include "ledger/ledger.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
	char *dir;
	KjStore *store;
	KjAudit *audit;
	KjLedger *l;
} Fixture;

G_GNUC_UNUSED static void setup(Fixture *f, gconstpointer data)
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

G_GNUC_UNUSED static void teardown(Fixture *f, gconstpointer data)
{
	kj_ledger_free(f->l);
	kj_audit_free(f->audit);
	kj_store_free(f->store);
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);
	g_assert_cmpint(system(cmd), ==, 0);
	g_free(f->dir);
}

/* Adds (set FALSE) or changes (set TRUE) NOUN KEY with "col=v" ... NULL;
 * returns the error code, -1 for success. */
G_GNUC_UNUSED static int change_v(Fixture *f, gboolean set, const char *noun, const char *key,
				  va_list ap)
{
	g_autoptr(GPtrArray) a = g_ptr_array_new();
	g_autoptr(GError) error = NULL;
	const KjLedgerRegister *reg = kj_ledger_register_find(noun);
	char *s;

	g_assert_nonnull(reg);
	while ((s = va_arg(ap, char *)) != NULL)
		g_ptr_array_add(a, s);
	g_ptr_array_add(a, NULL);
	gboolean ok =
	    set ? kj_ledger_set(f->l, reg, key, 0, (const char *const *)a->pdata, NULL, &error)
		: kj_ledger_add(f->l, reg, key, (const char *const *)a->pdata, &error);
	if (!ok)
		g_test_message("%s %s: %s", noun, key, error->message);
	return ok ? -1 : error->code;
}

G_GNUC_UNUSED G_GNUC_NULL_TERMINATED static int add(Fixture *f, const char *noun, const char *key,
						    ...)
{
	va_list ap;

	va_start(ap, key);
	int rc = change_v(f, FALSE, noun, key, ap);
	va_end(ap);
	return rc;
}

G_GNUC_UNUSED G_GNUC_NULL_TERMINATED static int set(Fixture *f, const char *noun, const char *key,
						    ...)
{
	va_list ap;

	va_start(ap, key);
	int rc = change_v(f, TRUE, noun, key, ap);
	va_end(ap);
	return rc;
}

#define add_ok(f, ...) g_assert_cmpint(add(f, __VA_ARGS__), ==, -1)
#define set_ok(f, ...) g_assert_cmpint(set(f, __VA_ARGS__), ==, -1)

/* The findings of kj_ledger_check(); owned by the caller. */
G_GNUC_UNUSED static GPtrArray *check(Fixture *f)
{
	g_autoptr(GError) error = NULL;
	GPtrArray *fs = kj_ledger_check(f->l, &error);

	g_assert_no_error(error);
	return fs;
}

G_GNUC_UNUSED static guint count_findings(GPtrArray *fs, const char *rule, const char *key)
{
	guint n = 0;

	for (guint i = 0; i < fs->len; i++) {
		const KjLedgerFinding *x = fs->pdata[i];
		if (strcmp(x->rule, rule) == 0 && g_strcmp0(x->key, key) == 0) {
			g_test_message("%s %s: %s", x->rule, x->key ? x->key : "-", x->message);
			n++;
		}
	}
	return n;
}

#endif
