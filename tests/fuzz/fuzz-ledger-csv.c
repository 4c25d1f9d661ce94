/* fuzz-ledger-csv.c - libFuzzer target for the ledger's CSV importer and
 * its date parser: the input is parsed as CSV, every field as a date
 * (和暦 and Western), and the whole file imported into the pledge register
 * of a store made once in a temporary directory (encoding detection,
 * header mapping, value checks, the all-or-nothing transaction).  A date
 * accepted must come back as YYYY-MM-DD of a valid day. */
#include "audit/audit.h"
#include "ledger/ledger.h"
#include "store/store.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static KjStore *store;
static KjAudit *audit;
static KjLedger *ledger;
static char *dir;

/* The store lives for the whole run; remove it when the fuzzer exits so
 * that bounded CI runs leave no directories behind. */
static void cleanup(void)
{
	kj_ledger_free(ledger);
	kj_audit_free(audit);
	kj_store_free(store);
	if (dir) {
		g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", dir);
		if (system(cmd) != 0)
			return;
	}
	g_free(dir);
}

static void open_once(void)
{
	const char *fields[] = {"name=総務課", NULL};
	const char *person[] = {"name=x", "department=D-01", NULL};

	if (ledger)
		return;
	dir = g_dir_make_tmp("kj-fuzz-ledger-XXXXXX", NULL);
	store = kj_store_open(dir, NULL, NULL);
	audit = kj_audit_open(dir, NULL, NULL);
	if (store == NULL || audit == NULL)
		__builtin_trap();
	ledger = kj_ledger_new(kj_store_get_db(store), audit, "fuzz", NULL);
	kj_ledger_add(ledger, kj_ledger_register_find("department"), "D-01", fields, NULL);
	kj_ledger_add(ledger, kj_ledger_register_find("person"), "P-01", person, NULL);
	atexit(cleanup);
}

static void check_date(const char *s)
{
	char out[11];

	if (!kj_ledger_date_parse(s, out, NULL))
		return;
	if (strlen(out) != 10 || out[4] != '-' || out[7] != '-')
		__builtin_trap();
	char *w = kj_ledger_date_to_wareki(out);
	g_free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GPtrArray *rows;

	open_once();
	rows = kj_ledger_csv_parse((const char *)data, size, NULL);
	for (guint r = 0; rows && r < rows->len && r < 64; r++) {
		GPtrArray *row = rows->pdata[r];
		for (guint i = 0; i < row->len; i++)
			check_date(row->pdata[i]);
	}
	if (rows)
		g_ptr_array_unref(rows);
	kj_ledger_import_csv(ledger, kj_ledger_register_find("pledge"), (const char *)data, size,
			     TRUE, NULL, NULL);
	return 0;
}
