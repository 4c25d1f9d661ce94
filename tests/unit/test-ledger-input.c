/*++
 * NAME
 *	test-ledger-input - hostile input to the ledger, one case per class
 * DESCRIPTION
 *	CSV imports that are malformed (text after a closing quote, an
 *	unclosed quote, too many fields, an over-long value, an empty key,
 *	NUL bytes), in encodings that are not UTF-8 or CP932 (UTF-16,
 *	EUC-JP, which CP932 would read as half-width katakana, GB18030),
 *	with dates in every accepted form and dates that are not dates,
 *	with references to missing records (also inside lists), and with
 *	levels outside the scheme; each refused file leaves the ledger as
 *	it was.  CR-only line ends (old Excel for Mac) and blank lines are
 *	taken.
 *--*/
#include "ledger-fixture.h"
#include "text/charset.h"

static const KjLedgerRegister *R(const char *noun)
{
	const KjLedgerRegister *reg = kj_ledger_register_find(noun);

	g_assert_nonnull(reg);
	return reg;
}

static void org(Fixture *f)
{
	add_ok(f, "department", "D-01", "name=総務課", "kind=課", NULL);
	add_ok(f, "person", "P-01", "name=山田", "department=D-01", NULL);
}

/* Imports len bytes into noun; returns the error code, -1 for success. */
static int import(Fixture *f, const char *noun, const char *data, gsize len, const char *needle)
{
	g_autoptr(GError) error = NULL;
	KjLedgerImportStats st = {0};

	if (kj_ledger_import_csv(f->l, R(noun), data, len, FALSE, &st, &error))
		return -1;
	if (needle && strstr(error->message, needle) == NULL)
		g_error("'%s' lacks '%s'", error->message, needle);
	return error->code;
}

static int import_s(Fixture *f, const char *noun, const char *text, const char *needle)
{
	return import(f, noun, text, strlen(text), needle);
}

/* text encoded in charset (through the project's encoder). */
static GBytes *encode(const char *text, const char *charset)
{
	gsize n = 0;
	char *b = kj_charset_from_utf8(text, strlen(text), charset, &n, NULL);

	g_assert_nonnull(b);
	return g_bytes_new_take(b, n);
}

static guint records(Fixture *f, const char *noun)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) all = kj_ledger_list(f->l, R(noun), NULL, NULL, &error);

	g_assert_no_error(error);
	return all->len;
}

static void test_malformed(Fixture *f, gconstpointer data)
{
	static const struct {
		const char *text, *needle;
	} bad[] = {
	    {"key,name\nD-02,\"ab\"cd\n", "line 2: text after the closing quote"},
	    {"key,name\nD-02,\"ab\" \n", "text after the closing quote"},
	    {"key,name\nD-02,\"open\n", "not closed"},
	    {"key,name\nD-02,x,y\n", "line 2 has 3 fields"},
	    {"key,name\n,税務課\n", "key '' is not usable"},
	    {"key,name\nD-02,ab\0cd\n", "NUL bytes"},
	    {"", "empty"},
	    {"\xEF\xBB\xBF", "empty"},
	    {"key,name,名称\nD-02,a,b\n", "repeated column"},
	};
	org(f);
	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		/* The NUL case carries its NUL: measure up to the last newline. */
		gsize len = strlen(bad[i].text);
		if (strstr(bad[i].needle, "NUL"))
			len = sizeof("key,name\nD-02,ab\0cd\n") - 1;
		g_assert_cmpint(import(f, "department", bad[i].text, len, bad[i].needle), !=, -1);
	}
	/* Too many fields in one row; a value past KJ_LEDGER_MAX_VALUE. */
	g_autoptr(GString) wide = g_string_new("key,name");
	for (int i = 0; i < 300; i++)
		g_string_append(wide, ",x");
	g_string_append(wide, "\nD-02,a\n");
	g_assert_cmpint(import_s(f, "department", wide->str, "too many fields"), ==,
			KJ_LEDGER_ERROR_CSV);
	g_autoptr(GString) longv = g_string_new("key,name\nD-02,");
	for (int i = 0; i < 2000; i++)
		g_string_append(longv, "あ");
	g_string_append(longv, "\n");
	g_assert_cmpint(import_s(f, "department", longv->str, "at most 4096 bytes"), ==,
			KJ_LEDGER_ERROR_INVALID);
	g_assert_cmpuint(records(f, "department"), ==, 1);

	/* Taken: CR-only line ends, blank lines, a quote inside a bare field
	 * (as Excel reads it), a doubled quote inside a quoted one. */
	g_assert_cmpint(import_s(f, "department",
				 "key,name\rD-02,税務課\r\rD-03,\"市民\"\"課\"\"\"\rD-04,a\"b\r",
				 NULL),
			==, -1);
	g_autoptr(KjLedgerRecord) d3 = kj_ledger_get(f->l, R("department"), "D-03", NULL);
	g_assert_cmpstr(kj_ledger_record_get(d3, "name"), ==, "市民\"課\"");
	g_autoptr(KjLedgerRecord) d4 = kj_ledger_get(f->l, R("department"), "D-04", NULL);
	g_assert_cmpstr(kj_ledger_record_get(d4, "name"), ==, "a\"b");
}

static void test_encodings(Fixture *f, gconstpointer data)
{
	const char *csv = "key,name\nD-02,税務課\n";
	gsize n;

	org(f);
	/* UTF-16 (Excel's "Unicode text") has NULs in every ASCII character. */
	g_autoptr(GBytes) u16 = encode(csv, "UTF-16LE");
	const char *b = g_bytes_get_data(u16, &n);
	g_assert_cmpint(import(f, "department", b, n, "UTF-16"), ==, KJ_LEDGER_ERROR_CSV);
	/* EUC-JP would read as CP932 half-width katakana (ﾀﾇﾌｳｲﾝ). */
	g_autoptr(GBytes) euc = encode(csv, "EUC-JP");
	b = g_bytes_get_data(euc, &n);
	g_assert_cmpint(import(f, "department", b, n, "also reads as EUC-JP"), ==,
			KJ_LEDGER_ERROR_CSV);
	/* GB18030 (Chinese Windows): not taken either. */
	g_autoptr(GBytes) gb = encode("key,name\nD-02,税务科\n", "GB18030");
	b = g_bytes_get_data(gb, &n);
	g_assert_cmpint(import(f, "department", b, n, NULL), ==, KJ_LEDGER_ERROR_CSV);
	/* Bytes that are no encoding at all. */
	g_assert_cmpint(import_s(f, "department", "key,name\nD-02,\x80\xFF\xFE\n", NULL), ==,
			KJ_LEDGER_ERROR_CSV);
	g_assert_cmpuint(records(f, "department"), ==, 1);
	/* CP932 with kanji and full-width forms is taken, and 髙 (an IBM
	 * extension) survives. */
	g_autoptr(GBytes) sj = encode("key,name\nD-02,髙橋課（１）\n", "CP932");
	b = g_bytes_get_data(sj, &n);
	g_assert_cmpint(import(f, "department", b, n, NULL), ==, -1);
	g_autoptr(KjLedgerRecord) d = kj_ledger_get(f->l, R("department"), "D-02", NULL);
	g_assert_cmpstr(kj_ledger_record_get(d, "name"), ==, "髙橋課（１）");
}

static void test_dates(Fixture *f, gconstpointer data)
{
	static const char *const good[] = {
	    "令和8年3月1日", "2026-03-01", "2026/3/1", "R8.3.1", "令和８年３月１日", "2026年3月1日",
	};
	static const char *const bad[] = {"令和8年2月30日", "平成32年1月1日",  "8年3月1日",
					  "2026-3",         "昭和100年1月1日", "令和8年3月1日頃"};
	char out[11];

	org(f);
	for (gsize i = 0; i < G_N_ELEMENTS(good); i++) {
		g_autoptr(GError) error = NULL;
		g_assert_true(kj_ledger_date_parse(good[i], out, &error));
		g_assert_cmpstr(out, ==, "2026-03-01");
		g_autofree char *csv =
		    g_strdup_printf("key,person,signed_on\nPL-%zu,P-01,%s\n", i, good[i]);
		g_assert_cmpint(import_s(f, "pledge", csv, NULL), ==, -1);
	}
	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autofree char *csv =
		    g_strdup_printf("key,person,signed_on\nPX-%zu,P-01,%s\n", i, bad[i]);
		g_assert_cmpint(import_s(f, "pledge", csv, "signed_on"), ==,
				KJ_LEDGER_ERROR_INVALID);
	}
	g_assert_cmpuint(records(f, "pledge"), ==, G_N_ELEMENTS(good));
}

static void test_references_levels(Fixture *f, gconstpointer data)
{
	org(f);
	g_assert_cmpint(
	    import_s(f, "person", "key,name,department\nP-02,x,D-01\nP-03,y,D-77\n", "line 3"), ==,
	    KJ_LEDGER_ERROR_REFERENCE);
	/* Inside lists: an incident naming a missing asset, a handling
	 * restriction outside the vocabulary. */
	add_ok(f, "asset", "A", "name=a", "kind=system", "department=D-01", NULL);
	g_assert_cmpint(import_s(f, "incident",
				 "key,title,category,severity,status,discovered,assets\n"
				 "I-1,t,1,低,報告,2026-05-01,\"A,GONE\"\n",
				 "'GONE' refers to a missing asset"),
			==, KJ_LEDGER_ERROR_REFERENCE);
	g_assert_cmpint(import_s(f, "asset",
				 "キー,名称,種別,所管課,取扱制限\nB,b,medium,D-01,持ち出し禁止\n",
				 "missing restriction"),
			==, KJ_LEDGER_ERROR_REFERENCE);
	/* Levels outside the scheme: 機密性 has no 3A, 自治体機密性 no 3 or 3D,
	 * 完全性 no 3; a level column given a level of another scheme. */
	static const char *const levels[] = {"confidentiality,3A", "lg_confidentiality,3",
					     "lg_confidentiality,3D", "integrity,3",
					     "availability,0"};
	for (gsize i = 0; i < G_N_ELEMENTS(levels); i++) {
		g_auto(GStrv) cv = g_strsplit(levels[i], ",", 2);
		g_autofree char *csv = g_strdup_printf("key,name,kind,department,%s\nC,c,system,"
						       "D-01,%s\n",
						       cv[0], cv[1]);
		g_assert_cmpint(import_s(f, "asset", csv, "not a level of scheme"), ==,
				KJ_LEDGER_ERROR_INVALID);
	}
	g_assert_cmpuint(records(f, "person"), ==, 1);
	g_assert_cmpuint(records(f, "incident"), ==, 0);
	g_assert_cmpuint(records(f, "asset"), ==, 1);
	/* A level a city adds is then accepted. */
	add_ok(f, "level", "lg-c:3D", "scheme=lg-c", "code=3D", "rank=6", "definition=市独自",
	       NULL);
	g_assert_cmpint(
	    import_s(f, "asset",
		     "key,name,kind,department,lg_confidentiality\nC,c,system,D-01,3D\n", NULL),
	    ==, -1);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
	ADD("/ledger-input/malformed", test_malformed);
	ADD("/ledger-input/encodings", test_encodings);
	ADD("/ledger-input/dates", test_dates);
	ADD("/ledger-input/references-levels", test_references_levels);
	return g_test_run();
}
