/* test-cdr.c - the CDR dispatcher, text/CSV/RTF and archive engines
 * (src/lib/cdr): type by content, mismatches and polyglots, the types
 * that are always blocked, default deny, charsets, RTF, and every
 * archive bad-input class of issue 4 on the real files of
 * $KJ_CORPUS/archives (read in place) and on archives generated here
 * (100,000 entries, an executable inside, deep nesting, truncation);
 * each shows the dangerous construct gone and the output reopening. */
#include "cdr/cdr.h"

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>
#include <string.h>
#include <sys/resource.h>

static KjCdrResult *run_o(const void *data, gsize len, const char *name, const char *declared,
			  const KjCdrOptions *o)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) b = g_bytes_new(data, len);
	KjCdrResult *r = kj_cdr_sanitize(b, name, declared, o, &error);
	g_assert_no_error(error);
	g_assert_nonnull(r);
	g_assert_nonnull(r->input_sha256);
	g_assert_nonnull(r->detected_type);
	if (r->verdict == KJ_CDR_SANITIZED) {
		g_assert_nonnull(r->output);
		g_assert_nonnull(r->output_sha256);
		g_assert_nonnull(r->output_name);
		g_assert_null(r->reason);
	} else {
		g_assert_null(r->output);
		g_assert_nonnull(r->reason);
	}
	/* The report is always valid JSON with the verdict. */
	json_t *j = kj_cdr_result_to_json(r);
	g_assert_cmpstr(json_string_value(json_object_get(j, "verdict")), ==,
			kj_cdr_verdict_name(r->verdict));
	char *s = json_dumps(j, 0);
	g_assert_nonnull(s);
	free(s);
	json_decref(j);
	return r;
}

static KjCdrResult *run(const void *data, gsize len, const char *name)
{
	return run_o(data, len, name, NULL, NULL);
}

static KjCdrResult *run_str(const char *s, const char *name)
{
	return run(s, strlen(s), name);
}

static char *corpus(const char *rel)
{
	const char *c = g_getenv("KJ_CORPUS");
	return g_build_filename(c ? c : "../shared/corpus", "archives", rel, NULL);
}

static GBytes *corpus_bytes(const char *rel)
{
	g_autofree char *p = corpus(rel);
	char *d = NULL;
	gsize len = 0;
	if (!g_file_get_contents(p, &d, &len, NULL))
		return NULL;
	return g_bytes_new_take(d, len);
}

static KjCdrResult *run_corpus(const char *rel)
{
	g_autoptr(GBytes) b = corpus_bytes(rel);
	if (b == NULL)
		return NULL;
	g_autofree char *base = g_path_get_basename(rel);
	return run(g_bytes_get_data(b, NULL), g_bytes_get_size(b), base);
}

#define SKIP_IF_NULL(r)                                                                            \
	do {                                                                                       \
		if ((r) == NULL) {                                                                 \
			g_test_skip("corpus file missing");                                        \
			return;                                                                    \
		}                                                                                  \
	} while (0)

/* Entry names of a zip (the sanitized output), NULL-terminated; fails
 * the test unless libarchive reads it to the end. */
static GStrv zip_names(GBytes *zip)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	GPtrArray *names = g_ptr_array_new();
	int rc;

	/* Names are UTF-8; libarchive converts them to the locale's charset. */
	static locale_t utf8;
	if (utf8 == (locale_t)0)
		utf8 = newlocale(LC_ALL_MASK, "C.UTF-8", (locale_t)0);
	locale_t saved = utf8 ? uselocale(utf8) : (locale_t)0;
	archive_read_support_format_zip(a);
	g_assert_cmpint(
	    archive_read_open_memory(a, g_bytes_get_data(zip, NULL), g_bytes_get_size(zip)), ==,
	    ARCHIVE_OK);
	/* ARCHIVE_WARN: a UTF-8 name that the C locale cannot show. */
	while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
		const char *n = archive_entry_pathname_utf8(e);
		g_assert_nonnull(n);
		g_assert_true(g_utf8_validate(n, -1, NULL));
		g_ptr_array_add(names, g_strdup(n));
		g_assert_cmpint(archive_read_data_skip(a), ==, ARCHIVE_OK);
	}
	g_assert_cmpint(rc, ==, ARCHIVE_EOF);
	archive_read_free(a);
	if (saved)
		uselocale(saved);
	g_ptr_array_add(names, NULL);
	return (GStrv)g_ptr_array_free(names, FALSE);
}

static gboolean has_action(const KjCdrResult *r, const char *needle)
{
	for (guint i = 0; i < r->actions->len; i++) {
		const KjCdrAction *a = r->actions->pdata[i];
		if (strstr(a->what, needle) || strstr(a->location, needle))
			return TRUE;
	}
	return FALSE;
}

/* A zip made here: pairs of name, content; content NULL = directory. */
static GBytes *make_zip(const char *const *pairs, guint n)
{
	struct archive *a = archive_write_new();
	gsize cap = 64 * 1024 * 1024, used = 0;
	guint8 *buf = g_malloc(cap);

	archive_write_set_format_zip(a);
	archive_write_set_options(a, "zip:compression=store");
	g_assert_cmpint(archive_write_open_memory(a, buf, cap, &used), ==, ARCHIVE_OK);
	for (guint i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		const char *data = pairs[2 * i + 1];
		archive_entry_set_pathname(e, pairs[2 * i]);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)strlen(data));
		g_assert_cmpint(archive_write_header(a, e), ==, ARCHIVE_OK);
		archive_write_data(a, data, strlen(data));
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	return g_bytes_new_take(g_realloc(buf, MAX(used, 1)), used);
}

/* --- type by content, claims and polyglots --- */

static void test_pe_named_pdf(void)
{
	guint8 pe[512] = {'M', 'Z'};
	memcpy(pe + 128, "PE\0\0", 4);
	g_autoptr(KjCdrResult) r = run(pe, sizeof(pe), "invoice.pdf");
	g_assert_cmpint(r->verdict, ==, KJ_CDR_BLOCKED);
	g_assert_nonnull(strstr(r->reason, "always blocked"));
	g_assert_nonnull(strstr(r->reason, "MZ/PE"));
}

static void test_mismatch(void)
{
	const char *pairs[] = {"a.txt", "hello\n"};
	g_autoptr(GBytes) zip = make_zip(pairs, 1);
	g_autoptr(KjCdrResult) r =
	    run(g_bytes_get_data(zip, NULL), g_bytes_get_size(zip), "report.pdf");
	g_assert_cmpint(r->verdict, ==, KJ_CDR_BLOCKED);
	g_assert_nonnull(strstr(r->reason, "type mismatch"));
	g_assert_cmpstr(r->detected_type, ==, "application/zip");

	/* A declared type that lies is a mismatch too. */
	g_autoptr(KjCdrResult) r2 = run_o("plain words\n", 12, "a", "application/pdf", NULL);
	g_assert_cmpint(r2->verdict, ==, KJ_CDR_BLOCKED);
	g_assert_nonnull(strstr(r2->reason, "declared application/pdf"));
	g_assert_cmpstr(r2->declared_type, ==, "application/pdf");
}

static void test_polyglot(void)
{
	const char *pairs[] = {"payload.js", "WScript.Echo(1)\n"};
	g_autoptr(GBytes) zip = make_zip(pairs, 1);
	const char pdf[] = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
	GByteArray *b = g_byte_array_new();
	g_byte_array_append(b, (const guint8 *)pdf, sizeof(pdf) - 1);
	g_byte_array_append(b, g_bytes_get_data(zip, NULL), (guint)g_bytes_get_size(zip));
	g_autoptr(KjCdrResult) r = run(b->data, b->len, "doc.pdf");
	g_assert_cmpint(r->verdict, ==, KJ_CDR_BLOCKED);
	g_assert_nonnull(strstr(r->reason, "polyglot"));
	g_assert_nonnull(strstr(r->reason, "ZIP"));
	g_byte_array_unref(b);
}

typedef struct {
	const char *what;
	gsize off;
	const char *sig;
	gsize siglen;
	const char *name;
} BlockedCase;

static void test_always_blocked(void)
{
	static const BlockedCase cases[] = {
	    {"LNK", 0, "\x4c\x00\x00\x00\x01\x14\x02\x00\x00\x00\x00\x00\xc0", 13, "doc.pdf.lnk"},
	    {"LNK by content", 0, "\x4c\x00\x00\x00\x01\x14\x02\x00\x00\x00\x00\x00\xc0", 13, "a"},
	    {"ISO 9660", 32769, "CD001", 5, "photos.zip"},
	    {"OneNote", 0, "\xe4\x52\x5c\x7b\x8c\xd8\xa7\x4d\xae\xb1\x53\x78\xd0\x29\x96\xd3", 16,
	     "memo.txt"},
	    {"VHDX", 0, "vhdxfile", 8, "disk"},
	    {"Mach-O", 0, "\xcf\xfa\xed\xfe\x07\x00\x00\x01", 8, "tool"},
	    {"JavaScript by name", 0, "var a = 1;\n", 11, "invoice.js"},
	    {"VBScript by name", 0, "MsgBox 1\n", 9, "invoice.vbs"},
	    {"PowerShell by name", 0, "Write-Host 1\n", 13, "run.ps1"},
	    {"HTA by name", 0, "<html>x</html>\n", 15, "a.hta"},
	    {"exe with trailing dot", 0, "hello\n", 6, "a.exe."},
	    {"shell script", 0, "#!/bin/sh\necho hi\n", 18, "notes.txt"},
	    {"bidi-disguised exe", 0, "text\n", 5, "invoice\u202efdp.exe"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		const BlockedCase *c = &cases[i];
		gsize len = MAX(c->off + c->siglen, 64 * 1024);
		g_autofree guint8 *d = g_malloc0(len);
		memcpy(d + c->off, c->sig, c->siglen);
		if (c->off == 0 && c->sig[0] != '\x4c' && g_ascii_isprint(c->sig[0]))
			len = c->siglen; /* text cases: just the text */
		g_autoptr(KjCdrResult) r = run(d, len, c->name);
		if (r->verdict != KJ_CDR_BLOCKED)
			g_error("%s: not blocked (%s)", c->what, kj_cdr_verdict_name(r->verdict));
		g_assert_nonnull(strstr(r->reason, "blocked"));
	}
}

static void test_elf(void)
{
	char *d = NULL;
	gsize len = 0;
	if (!g_file_get_contents("/bin/true", &d, &len, NULL)) {
		g_test_skip("no /bin/true");
		return;
	}
	g_autoptr(KjCdrResult) r = run(d, len, "report.docx");
	g_assert_cmpint(r->verdict, ==, KJ_CDR_BLOCKED);
	g_assert_nonnull(strstr(r->reason, "ELF"));
	g_free(d);
}

static void test_default_deny(void)
{
	guint8 d[4096];
	guint32 x = 12345;
	for (gsize i = 0; i < sizeof(d); i++)
		d[i] = (guint8)((x = x * 1103515245u + 12345u) >> 24);
	g_autoptr(KjCdrResult) r = run(d, sizeof(d), "blob.dat");
	g_assert_cmpint(r->verdict, ==, KJ_CDR_BLOCKED);
	g_assert_nonnull(strstr(r->reason, "default deny"));

	/* OLE2 is held as unsupported without a converter. */
	guint8 ole[1536] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1};
	g_autoptr(KjCdrResult) r2 = run(ole, sizeof(ole), "old.doc");
	g_assert_cmpint(r2->verdict, !=, KJ_CDR_SANITIZED);
	g_assert_false(r2->needs_converter);
	/* fuzz-cdr: libmagic's text tests read past their buffer (detect.c). */
	kj_cdr_result_free(run("u;.\xfbl%PDF-zh\xff\n", 14, "x"));
}

static void test_html(void)
{
	const char *html = "<html><body><p>Hello</p><script>alert(1)</script>"
			   "<a href=\"https://evil.example/\">x</a></body></html>";
	g_autoptr(KjCdrResult) r = run_str(html, "page.html");
	g_assert_cmpint(r->verdict, ==, KJ_CDR_BLOCKED);

	KjCdrOptions o;
	kj_cdr_options_init(&o);
	o.html_to_text = TRUE;
	g_autoptr(KjCdrResult) r2 = run_o(html, strlen(html), "page.html", NULL, &o);
	g_assert_cmpint(r2->verdict, ==, KJ_CDR_SANITIZED);
	g_assert_cmpstr(r2->output_name, ==, "page.txt");
	g_autofree char *t =
	    g_strndup(g_bytes_get_data(r2->output, NULL), g_bytes_get_size(r2->output));
	g_assert_nonnull(strstr(t, "Hello"));
	g_assert_null(strstr(t, "alert"));

	const char *svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(2)</script>"
			  "<text x=\"0\" y=\"10\">Map</text></svg>";
	g_autoptr(KjCdrResult) r3 = run_str(svg, "map.svg");
	g_assert_cmpint(r3->verdict, ==, KJ_CDR_BLOCKED);
	g_autoptr(KjCdrResult) r4 = run_o(svg, strlen(svg), "map.svg", NULL, &o);
	g_assert_cmpint(r4->verdict, ==, KJ_CDR_SANITIZED);
	g_autofree char *t4 =
	    g_strndup(g_bytes_get_data(r4->output, NULL), g_bytes_get_size(r4->output));
	g_assert_null(strstr(t4, "alert"));
}

/* --- text, CSV, RTF --- */

static char *out_text(const KjCdrResult *r)
{
	g_assert_cmpint(r->verdict, ==, KJ_CDR_SANITIZED);
	return g_strndup(g_bytes_get_data(r->output, NULL), g_bytes_get_size(r->output));
}

static void test_csv_sjis(void)
{
	/* 氏名,住所 / 山田,東京 in Shift_JIS, as Excel writes it. */
	const char sjis[] =
	    "\x8e\x81\x96\xbc,\x8f\x5a\x8f\x8a\r\n\x8e\x52\x93\x63,\x93\x8c\x8b\x9e\r\n";
	g_autoptr(KjCdrResult) r = run(sjis, sizeof(sjis) - 1, "名簿.csv");
	g_autofree char *t = out_text(r);
	g_assert_true(g_str_has_prefix(t, "\xef\xbb\xbf"));
	g_assert_nonnull(strstr(t, "氏名,住所\n山田,東京\n"));
	g_assert_cmpstr(r->output_type, ==, "text/csv");
	g_assert_cmpstr(r->output_name, ==, "名簿.csv");
	g_assert_true(has_action(r, "CP932") || has_action(r, "SHIFT_JIS"));
}

static void test_text_controls(void)
{
	const char t[] = "abc\0def \xe2\x80\xae"
			 "fdp.exe\x1b[2J ok\r\n";
	g_autoptr(KjCdrResult) r = run(t, sizeof(t) - 1, "notes.txt");
	g_autofree char *o = out_text(r);
	g_assert_null(strstr(o, "\xe2\x80\xae"));
	g_assert_null(strchr(o, '\x1b'));
	g_assert_null(strchr(o, '\r'));
	g_assert_cmpuint(strlen(o), ==, g_bytes_get_size(r->output)); /* no NUL inside */
	g_assert_cmpstr(r->output_type, ==, "text/plain");

	/* EUC-JP text, unlabelled. */
	g_autoptr(KjCdrResult) r2 = run_str("\xa4\xb3\xa4\xf3\xa4\xcb\xa4\xc1\xa4\xcf\n", "m.txt");
	g_autofree char *o2 = out_text(r2);
	g_assert_cmpstr(o2, ==, "こんにちは\n");
}

static void test_rtf(void)
{
	const char *rtf = "{\\rtf1\\ansi\\ansicpg932\\deff0{\\fonttbl{\\f0 MS Mincho;}}"
			  "{\\info{\\author attacker}}"
			  "\\pard \\'82\\'a0\\'82\\'a2 \\u12358?end\\par "
			  "{\\object\\objemb{\\*\\objclass Equation.3}{\\*\\objdata "
			  "01050000020000000b0000004571756174696f6e2e3300}}"
			  "{\\field{\\*\\fldinst DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe}"
			  "{\\fldrslt shown}}}";
	g_autoptr(KjCdrResult) r = run_str(rtf, "letter.rtf");
	g_autofree char *t = out_text(r);
	g_assert_nonnull(strstr(t, "あい うend")); /* the space after \\'a2 is text */
	g_assert_nonnull(strstr(t, "shown"));
	g_assert_null(strstr(t, "0105000002"));
	g_assert_null(strstr(t, "Equation"));
	g_assert_null(strstr(t, "DDEAUTO"));
	g_assert_null(strstr(t, "attacker"));
	g_assert_null(strstr(t, "Mincho"));
	g_assert_cmpstr(r->output_name, ==, "letter.txt");
	g_assert_true(has_action(r, "embedded objects"));

	/* Nesting bomb: held at the depth limit, never a crash. */
	GString *deep = g_string_new("{\\rtf1 ");
	for (int i = 0; i < 100000; i++)
		g_string_append_c(deep, '{');
	g_autoptr(KjCdrResult) r2 = run(deep->str, deep->len, "deep.rtf");
	g_assert_cmpint(r2->verdict, ==, KJ_CDR_HELD);
	g_assert_nonnull(strstr(r2->reason, "nested"));
	g_string_free(deep, TRUE);
}

static void test_filenames(void)
{
	g_autoptr(KjCdrResult) r = run_str("x\n", "CON.txt");
	g_assert_cmpstr(r->output_name, !=, "CON.txt");
	g_autoptr(KjCdrResult) r2 = run_str("x\n", "\xe2\x80\xae"
						   "evil\x01"
						   ".txt");
	g_assert_cmpstr(r2->output_name, ==, "evil.txt");
	GString *lng = g_string_new(NULL);
	for (int i = 0; i < 300; i++)
		g_string_append(lng, "あ");
	g_string_append(lng, ".csv");
	g_autoptr(KjCdrResult) r3 = run_str("a,b\n", lng->str);
	g_assert_cmpuint(strlen(r3->output_name), <=, 200);
	g_assert_true(g_str_has_suffix(r3->output_name, ".csv"));
	g_assert_true(g_utf8_validate(r3->output_name, -1, NULL));
	g_string_free(lng, TRUE);
	g_autoptr(KjCdrResult) r4 = run_str("{\\rtf1 hi}", "../../a.rtf");
	g_assert_cmpstr(r4->output_name, ==, "a.txt");
}

static void test_zip_members(void)
{
	const char *pairs[] = {"docs/readme.txt",
			       "hello\n",
			       "docs/setup.exe",
			       "MZ\x90\0not really",
			       "../../../etc/cron.d/x.txt",
			       "owned\n",
			       "C:\\Windows\\win.ini",
			       "[x]\n",
			       "/abs/path.csv",
			       "a,b\n"};
	g_autoptr(GBytes) zip = make_zip(pairs, 5);
	g_autoptr(KjCdrResult) r = run(g_bytes_get_data(zip, NULL), g_bytes_get_size(zip), "f.zip");
	g_assert_cmpint(r->verdict, ==, KJ_CDR_SANITIZED);
	g_auto(GStrv) names = zip_names(r->output);
	g_assert_true(g_strv_contains((const char *const *)names, "docs/readme.txt"));
	g_assert_true(g_strv_contains((const char *const *)names, "etc/cron.d/x.txt"));
	g_assert_true(g_strv_contains((const char *const *)names, "abs/path.csv"));
	for (guint i = 0; names[i]; i++) {
		g_assert_null(strstr(names[i], ".."));
		g_assert_null(strstr(names[i], "exe"));
		g_assert_null(strchr(names[i], '\\'));
		g_assert_null(strchr(names[i], ':'));
		g_assert_false(names[i][0] == '/');
	}
	g_assert_true(has_action(r, "member removed"));
	g_assert_true(has_action(r, "unsafe path made safe"));
}

static void test_many_entries(void)
{
	/* 100,000 entries, as libarchive writes them (stored, empty). */
	struct archive *a = archive_write_new();
	gsize cap = 32 * 1024 * 1024, used = 0;
	guint8 *buf = g_malloc(cap);
	archive_write_set_format_zip(a);
	archive_write_set_options(a, "zip:compression=store");
	g_assert_cmpint(archive_write_open_memory(a, buf, cap, &used), ==, ARCHIVE_OK);
	for (guint i = 0; i < 100000; i++) {
		struct archive_entry *e = archive_entry_new();
		char n[32];
		g_snprintf(n, sizeof(n), "f%u.txt", i);
		archive_entry_set_pathname(e, n);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_size(e, 0);
		archive_write_header(a, e);
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	g_autoptr(KjCdrResult) r = run(buf, used, "many.zip");
	g_assert_cmpint(r->verdict, ==, KJ_CDR_HELD);
	g_assert_nonnull(strstr(r->reason, "archive_max_entries"));
	g_assert_cmpuint(r->limits_hit->len, >=, 1);
	g_free(buf);
}

static void test_nesting_and_truncation(void)
{
	const char *inner[] = {"a.txt", "deep\n"};
	g_autoptr(GBytes) z = make_zip(inner, 1);
	for (int level = 0; level < 6; level++) {
		/* make_zip() takes C strings: a zip has NULs, so wrap it with
		 * the writer directly. */
		struct archive *a = archive_write_new();
		gsize cap = 1024 * 1024, used = 0;
		guint8 *buf = g_malloc(cap);
		archive_write_set_format_zip(a);
		archive_write_open_memory(a, buf, cap, &used);
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, "inner.zip");
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_size(e, (la_int64_t)g_bytes_get_size(z));
		archive_write_header(a, e);
		archive_write_data(a, g_bytes_get_data(z, NULL), g_bytes_get_size(z));
		archive_entry_free(e);
		archive_write_close(a);
		archive_write_free(a);
		g_bytes_unref(z);
		z = g_bytes_new_take(buf, used);
	}
	g_autoptr(KjCdrResult) r = run(g_bytes_get_data(z, NULL), g_bytes_get_size(z), "n.zip");
	g_assert_cmpint(r->verdict, ==, KJ_CDR_HELD);
	g_assert_nonnull(strstr(r->reason, "archive_max_depth"));

	/* Truncated: the first half of a real zip is held, never delivered. */
	const char *pairs[] = {"a.txt", "first member\n", "b.txt", "second member\n"};
	g_autoptr(GBytes) full = make_zip(pairs, 2);
	g_autoptr(KjCdrResult) r2 =
	    run(g_bytes_get_data(full, NULL), g_bytes_get_size(full) / 2, "t.zip");
	g_assert_cmpint(r2->verdict, ==, KJ_CDR_HELD);
}

/* --- the corpus, read in place --- */

static long maxrss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void test_bombs(void)
{
	static const char *const bombs[] = {
	    "bombs/zbsm.zip", "bombs/10GB.zip.bz2", "bombs/10GB.7z.bz2", "bombs/10GB.rar.bz2",
	    "bombs/10GB.bz2", "bombs/10GB.gz.bz2",  "bombs/10GB.xz.bz2"};
	for (gsize i = 0; i < G_N_ELEMENTS(bombs); i++) {
		long before = maxrss_kb();
		g_autoptr(KjCdrResult) r = run_corpus(bombs[i]);
		SKIP_IF_NULL(r);
		g_test_message("%s: %s: %s (maxrss +%ld KB)", bombs[i],
			       kj_cdr_verdict_name(r->verdict), r->reason, maxrss_kb() - before);
		g_assert_cmpint(r->verdict, ==, KJ_CDR_HELD);
		/* Bounded memory: a generous bound (ASan's shadow and quarantine
		 * included); the real figures are in bench/cdr. */
		g_assert_cmpint(maxrss_kb() - before, <, 256 * 1024);
	}
	g_autoptr(KjCdrResult) z = run_corpus("bombs/zbsm.zip");
	SKIP_IF_NULL(z);
	g_assert_cmpuint(z->limits_hit->len, >=, 1);
	g_assert_nonnull(strstr(z->reason, "zip bomb"));
}

static void test_zip_slip(void)
{
	static const char *const files[] = {"bombs/zip-slip.zip", "bombs/zip-slip.tar",
					    "bombs/zip-slip-win.zip", "bombs/zip-slip-win.tar"};
	for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autoptr(KjCdrResult) r = run_corpus(files[i]);
		SKIP_IF_NULL(r);
		g_assert_cmpint(r->verdict, ==, KJ_CDR_SANITIZED);
		g_auto(GStrv) names = zip_names(r->output);
		g_assert_cmpuint(g_strv_length(names), >=, 2);
		for (guint k = 0; names[k]; k++) {
			g_assert_null(strstr(names[k], ".."));
			g_assert_null(strchr(names[k], '\\'));
			g_assert_false(names[k][0] == '/');
		}
		g_assert_true(has_action(r, "unsafe path made safe"));
	}
}

static void test_encrypted(void)
{
	static const char *const files[] = {
	    "recursive-extractor/TestDataEncryptedAES.zip",
	    "recursive-extractor/TestDataEncryptedZipCrypto.zip",
	    "recursive-extractor/TestDataEncrypted.7z",
	    "recursive-extractor/TestDataEncrypted.rar",
	    "recursive-extractor/TestDataEncrypted.rar4",
	    "recursive-extractor/EncryptedWithPlainNames.7z",
	    "recursive-extractor/EncryptedWithPlainNames.rar4",
	};
	for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autoptr(KjCdrResult) r = run_corpus(files[i]);
		SKIP_IF_NULL(r);
		if (r->verdict != KJ_CDR_HELD || !strstr(r->reason, "PPAP"))
			g_error("%s: %s: %s", files[i], kj_cdr_verdict_name(r->verdict), r->reason);
	}
}

typedef struct {
	const char *file;
	KjCdrVerdict verdict;
} CorpusCase;

static void test_recursive_extractor(void)
{
	static const CorpusCase cases[] = {
	    {"TestData.zip", KJ_CDR_SANITIZED},
	    {"TestData.7z", KJ_CDR_SANITIZED},
	    {"TestData.tar", KJ_CDR_SANITIZED},
	    {"TestData.tar.gz", KJ_CDR_SANITIZED},
	    {"TestData.tar.bz2", KJ_CDR_SANITIZED},
	    {"TestData.tar.xz", KJ_CDR_SANITIZED},
	    {"TestData.rar", KJ_CDR_SANITIZED},
	    {"TestData.rar4", KJ_CDR_SANITIZED},
	    {"100trees.7z", KJ_CDR_SANITIZED},
	    {"TestDataArchivesNested.zip", KJ_CDR_SANITIZED},
	    {"TestDataCorrupt.tar", KJ_CDR_HELD},
	    {"TestDataCorrupt.tar.zip", KJ_CDR_HELD},
	    {"TestData.iso", KJ_CDR_BLOCKED},
	    {"UdfTest.iso", KJ_CDR_BLOCKED},
	    {"Empty.vmdk", KJ_CDR_BLOCKED},
	    {"HfsSampleUDCO.dmg", KJ_CDR_BLOCKED},
	    {"TestData.wim", KJ_CDR_BLOCKED},
	    {"TestData.arj", KJ_CDR_BLOCKED},
	    {"sysvbanner_1.0-17fakesync1_amd64.deb", KJ_CDR_BLOCKED},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *rel = g_strconcat("recursive-extractor/", cases[i].file, NULL);
		g_autoptr(KjCdrResult) r = run_corpus(rel);
		SKIP_IF_NULL(r);
		if (r->verdict != cases[i].verdict)
			g_error("%s: %s: %s", rel, kj_cdr_verdict_name(r->verdict),
				r->reason ? r->reason : "");
		if (r->verdict == KJ_CDR_SANITIZED) {
			g_strfreev(zip_names(r->output)); /* reopens */
			g_assert_cmpstr(r->output_type, ==, "application/zip");
		}
	}
}

/* uudecode (POSIX uuencode format) of a corpus .uu file. */
static GBytes *uudecode(const char *rel)
{
	g_autofree char *p = corpus(rel);
	g_autofree char *text = NULL;
	if (!g_file_get_contents(p, &text, NULL, NULL))
		return NULL;
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	GByteArray *out = g_byte_array_new();
	gboolean in = FALSE;
	for (guint i = 0; lines[i]; i++) {
		const char *l = lines[i];
		if (!in) {
			in = g_str_has_prefix(l, "begin ");
			continue;
		}
		if (g_str_has_prefix(l, "end"))
			break;
		gsize n = (gsize)((l[0] - 32) & 63), have = strlen(l);
		for (gsize k = 1; n > 0 && k + 3 < have + 3; k += 4) {
			guint8 c[4];
			for (int j = 0; j < 4; j++)
				c[j] = (guint8)(k + (gsize)j < have ? (l[k + j] - 32) & 63 : 0);
			guint8 b[3] = {(guint8)(c[0] << 2 | c[1] >> 4),
				       (guint8)(c[1] << 4 | c[2] >> 2), (guint8)(c[2] << 6 | c[3])};
			g_byte_array_append(out, b, (guint)MIN(n, 3));
			n -= MIN(n, 3);
		}
	}
	return g_byte_array_free_to_bytes(out);
}

static KjCdrResult *run_uu(const char *file)
{
	g_autofree char *rel = g_strconcat("libarchive-uu/", file, ".uu", NULL);
	g_autoptr(GBytes) b = uudecode(rel);
	if (b == NULL)
		return NULL;
	return run(g_bytes_get_data(b, NULL), g_bytes_get_size(b), file);
}

static void test_japanese_names(void)
{
	static const struct {
		const char *file;
		const char *name;
	} cases[] = {
	    {"test_read_format_zip_filename_cp932.zip", "表だよ/一覧表.txt"},
	    {"test_read_format_lha_filename_cp932.lzh", "漢字.txt"},
	    {"test_read_format_cab_filename_cp932.cab", "表だよ/漢字.txt"},
	    {"test_read_format_cpio_filename_eucjp.cpio", "表.txt"},
	    {"test_read_format_gtar_filename_eucjp.tar.Z", "漢字.txt"},
	    {"test_read_format_ustar_filename_eucjp.tar.Z", "表.txt"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(KjCdrResult) r = run_uu(cases[i].file);
		SKIP_IF_NULL(r);
		g_assert_cmpint(r->verdict, ==, KJ_CDR_SANITIZED);
		g_auto(GStrv) names = zip_names(r->output);
		if (!g_strv_contains((const char *const *)names, cases[i].name)) {
			g_autofree char *all = g_strjoinv(", ", names);
			g_error("%s: %s not in [%s]", cases[i].file, cases[i].name, all);
		}
	}
}

static void test_uu_encrypted(void)
{
	static const char *const files[] = {
	    "test_read_format_7zip_encryption.7z",
	    "test_read_format_7zip_encryption_header.7z",
	    "test_read_format_7zip_encryption_partially.7z",
	    "test_read_format_rar_encryption_data.rar",
	    "test_read_format_rar_encryption_header.rar",
	    "test_read_format_zip_encryption_data.zip",
	    "test_read_format_zip_encryption_header.zip",
	    "test_read_format_zip_winzip_aes256.zip",
	    "test_read_format_zip_traditional_encryption_data.zip",
	};
	for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autoptr(KjCdrResult) r = run_uu(files[i]);
		SKIP_IF_NULL(r);
		if (r->verdict != KJ_CDR_HELD || !strstr(r->reason, "PPAP"))
			g_error("%s: %s: %s", files[i], kj_cdr_verdict_name(r->verdict), r->reason);
	}
}

static void test_lzh_corpus(void)
{
	/* Every LZH of the Lhasa corpus: a verdict, never a crash; members
	 * that come out reopen. */
	g_autofree char *dir = corpus("lzh");
	g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func(g_free);
	guint n = 0, ok = 0;
	g_ptr_array_add(stack, g_strdup(dir));
	while (stack->len) {
		g_autofree char *d = g_ptr_array_steal_index(stack, stack->len - 1);
		g_autoptr(GDir) gd = g_dir_open(d, 0, NULL);
		const char *e;
		while (gd && (e = g_dir_read_name(gd))) {
			g_autofree char *p = g_build_filename(d, e, NULL);
			if (g_file_test(p, G_FILE_TEST_IS_DIR)) {
				g_ptr_array_add(stack, g_strdup(p));
				continue;
			}
			if (!g_str_has_suffix(e, ".lzh") && !g_str_has_suffix(e, ".LZH"))
				continue;
			g_autofree char *data = NULL;
			gsize len = 0;
			g_assert_true(g_file_get_contents(p, &data, &len, NULL));
			g_autoptr(KjCdrResult) r = run(data, len, e);
			n++;
			if (r->verdict == KJ_CDR_SANITIZED) {
				g_strfreev(zip_names(r->output)); /* reopens */
				ok++;
			}
		}
	}
	if (n == 0) {
		g_test_skip("no LZH corpus");
		return;
	}
	g_test_message("lzh corpus: %u files, %u sanitized", n, ok);
	g_assert_cmpuint(ok, >, n / 2);
}

static void test_isolated(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) b = g_bytes_new_static("a,b\n1,2\n", 8);
	g_autoptr(KjCdrResult) r = kj_cdr_sanitize_isolated(b, "x.csv", NULL, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(r->verdict, ==, KJ_CDR_SANITIZED);
	g_assert_cmpstr(r->output_name, ==, "x.csv");

	g_autoptr(GBytes) bomb = corpus_bytes("bombs/zbsm.zip");
	if (bomb) {
		g_autoptr(KjCdrResult) r2 =
		    kj_cdr_sanitize_isolated(bomb, "zbsm.zip", NULL, NULL, &error);
		g_assert_no_error(error);
		g_assert_cmpint(r2->verdict, ==, KJ_CDR_HELD);
		g_assert_cmpuint(r2->limits_hit->len, >=, 1);
	}
}

static void test_wire(void)
{
	const char *pairs[] = {"a.txt", "x\n", "b.exe", "MZ"};
	g_autoptr(GBytes) zip = make_zip(pairs, 2);
	g_autoptr(KjCdrResult) r = run(g_bytes_get_data(zip, NULL), g_bytes_get_size(zip), "z.zip");
	g_autoptr(GBytes) w = kj_cdr_result_serialize(r);
	g_autoptr(KjCdrResult) back = kj_cdr_result_deserialize(w, NULL);
	g_assert_nonnull(back);
	g_assert_cmpint(back->verdict, ==, r->verdict);
	g_assert_cmpuint(back->actions->len, ==, r->actions->len);
	g_assert_cmpstr(back->output_sha256, ==, r->output_sha256);
	g_assert_true(g_bytes_equal(back->output, r->output));
	gsize len = g_bytes_get_size(w);
	for (gsize cut = 0; cut < len; cut += 1 + len / 200) {
		g_autoptr(GBytes) t = g_bytes_new_from_bytes(w, 0, cut);
		g_autoptr(GError) e = NULL;
		g_autoptr(KjCdrResult) x = kj_cdr_result_deserialize(t, &e);
		if (x)
			g_assert_cmpuint(cut, ==, len); /* never */
		g_assert_error(e, KJ_CDR_ERROR, KJ_CDR_ERROR_CORRUPT);
	}
}

/* With a converter named, the dispatcher (which runs in the worker and
 * cannot exec) holds legacy Office saying it needs the converter; the
 * flag and the converter note cross the worker's wire. */
static void test_ole2_needs_converter(void)
{
	g_autoptr(GBytes) doc = corpus_bytes("../office/oletools/msodde/harmless-clean.doc");
	KjCdrOptions o;

	if (doc == NULL) {
		g_test_skip("corpus not available");
		return;
	}
	kj_cdr_options_init(&o);
	g_autoptr(KjCdrResult) r0 = kj_cdr_sanitize(doc, "a.doc", NULL, &o, NULL);
	g_assert_cmpint(r0->verdict, ==, KJ_CDR_HELD);
	g_assert_false(r0->needs_converter);
	g_assert_nonnull(strstr(r0->reason, "names a converter"));
	o.ole2_converter = "libreoffice";
	g_autoptr(KjCdrResult) r = kj_cdr_sanitize(doc, "a.doc", NULL, &o, NULL);
	g_assert_cmpint(r->verdict, ==, KJ_CDR_HELD);
	g_assert_true(r->needs_converter);
	g_assert_cmpstr(r->detected_type, ==, "application/msword");
	r->converter = g_strdup("soffice; network: none");
	g_autoptr(GBytes) w = kj_cdr_result_serialize(r);
	g_autoptr(KjCdrResult) back = kj_cdr_result_deserialize(w, NULL);
	g_assert_nonnull(back);
	g_assert_true(back->needs_converter);
	g_assert_cmpstr(back->converter, ==, r->converter);
	/* A sanitized result cannot claim to need the converter. */
	r->verdict = KJ_CDR_BLOCKED;
	g_autoptr(GBytes) w2 = kj_cdr_result_serialize(r);
	g_assert_null(kj_cdr_result_deserialize(w2, NULL));
}

/* Word's external-link sample starts with a directory entry
 * (docProps/): libmagic calls it application/octet-stream ("Microsoft
 * OOXML") and it was blocked as a type mismatch with its .docx name.
 * It is a package and is sanitized, the external link removed. */
static void test_ooxml_directory_first(void)
{
	g_autoptr(GBytes) b = corpus_bytes(
	    "../office/oletools/oleobj/external_link/sample_with_external_link_to_doc.docx");
	if (b == NULL) {
		g_test_skip("corpus not available");
		return;
	}
	g_autoptr(KjCdrResult) r =
	    kj_cdr_sanitize(b, "sample_with_external_link_to_doc.docx", NULL, NULL, NULL);
	g_assert_cmpint(r->verdict, ==, KJ_CDR_SANITIZED);
	gboolean removed = FALSE;
	for (guint i = 0; i < r->actions->len; i++) {
		const KjCdrAction *a = r->actions->pdata[i];
		removed |= strstr(a->what, "external relationship removed") != NULL;
	}
	g_assert_true(removed);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	kj_cdr_global_init();
	g_test_add_func("/cdr/detect/pe-named-pdf", test_pe_named_pdf);
	g_test_add_func("/cdr/detect/mismatch", test_mismatch);
	g_test_add_func("/cdr/detect/polyglot", test_polyglot);
	g_test_add_func("/cdr/detect/always-blocked", test_always_blocked);
	g_test_add_func("/cdr/detect/elf", test_elf);
	g_test_add_func("/cdr/detect/default-deny", test_default_deny);
	g_test_add_func("/cdr/ole2/needs-converter", test_ole2_needs_converter);
	g_test_add_func("/cdr/ooxml/directory-first", test_ooxml_directory_first);
	g_test_add_func("/cdr/detect/html-svg", test_html);
	g_test_add_func("/cdr/text/csv-sjis", test_csv_sjis);
	g_test_add_func("/cdr/text/controls", test_text_controls);
	g_test_add_func("/cdr/text/rtf", test_rtf);
	g_test_add_func("/cdr/names", test_filenames);
	g_test_add_func("/cdr/archive/members", test_zip_members);
	g_test_add_func("/cdr/archive/100000-entries", test_many_entries);
	g_test_add_func("/cdr/archive/nesting-truncation", test_nesting_and_truncation);
	g_test_add_func("/cdr/corpus/bombs", test_bombs);
	g_test_add_func("/cdr/corpus/zip-slip", test_zip_slip);
	g_test_add_func("/cdr/corpus/encrypted", test_encrypted);
	g_test_add_func("/cdr/corpus/recursive-extractor", test_recursive_extractor);
	g_test_add_func("/cdr/corpus/japanese-names", test_japanese_names);
	g_test_add_func("/cdr/corpus/uu-encrypted", test_uu_encrypted);
	g_test_add_func("/cdr/corpus/lzh", test_lzh_corpus);
	g_test_add_func("/cdr/isolated", test_isolated);
	g_test_add_func("/cdr/wire", test_wire);
	return g_test_run();
}
