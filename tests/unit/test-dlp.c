/* test-dlp.c - personal-number detection (dlp/): check digits of the two
 * ordinances, full-width digits, separators, boundaries, keywords and
 * confidence, CSV columns, Shift_JIS, docx and zip, masking, garbage. */
#include "dlp/dlp.h"

#include "text/charset.h"

#include <archive.h>
#include <gio/gio.h>
#include <archive_entry.h>
#include <string.h>

/* Valid numbers, computed by hand from the formulas of the ordinances
 * (see dlp.c) and, for 法人番号, published examples: 7000012050002 is the
 * National Tax Agency's own number, 4011001098993 and 2120901007402 are
 * worked examples of public descriptions of the formula. */
static const char *const my_valid[] = {"123456789018", "000000000000", "111111111118",
				       "999999999996", "987654321093", NULL};
static const char *const corp_valid[] = {"7000012050002", "7123456789012", "4011001098993",
					 "2120901007402", NULL};

static void test_check_digits(void)
{
	for (guint i = 0; my_valid[i]; i++) {
		g_assert_true(kj_dlp_my_number_valid(my_valid[i]));
		/* Every other last digit is wrong; so is any one-digit change
		 * of the base (weights 2..7 are units mod 11). */
		for (char d = '0'; d <= '9'; d++) {
			char x[12];
			memcpy(x, my_valid[i], 12);
			if (d == x[11])
				continue;
			x[11] = d;
			g_assert_false(kj_dlp_my_number_valid(x));
		}
		for (guint pos = 0; pos < 11; pos++) {
			char x[12];
			memcpy(x, my_valid[i], 12);
			x[pos] = x[pos] == '9' ? '0' : (char)(x[pos] + 1);
			g_assert_false(kj_dlp_my_number_valid(x));
		}
	}
	for (guint i = 0; corp_valid[i]; i++) {
		g_assert_true(kj_dlp_corporate_number_valid(corp_valid[i]));
		char x[13];
		memcpy(x, corp_valid[i], 13);
		x[0] = x[0] == '9' ? '1' : (char)(x[0] + 1);
		g_assert_false(kj_dlp_corporate_number_valid(x));
		memcpy(x, corp_valid[i], 13);
		x[12] = x[12] == '9' ? '0' : (char)(x[12] + 1);
		g_assert_false(kj_dlp_corporate_number_valid(x));
	}
	g_assert_false(kj_dlp_my_number_valid("12345678901a"));
}

typedef struct {
	const char *text;
	guint count;    /* findings expected */
	int kind;       /* of the first, -1 for any */
	int confidence; /* of the first, -1 for any */
} Case;

static const Case cases[] = {
    {"123456789018", 1, KJ_DLP_MY_NUMBER, KJ_DLP_LOW},
    {"123456789017", 0, -1, -1},
    {"１２３４５６７８９０１８", 1, KJ_DLP_MY_NUMBER, KJ_DLP_LOW},
    {"1234-5678-9018", 1, KJ_DLP_MY_NUMBER, KJ_DLP_MEDIUM},
    {"1234 5678 9018", 1, KJ_DLP_MY_NUMBER, KJ_DLP_MEDIUM},
    {"１２３４－５６７８－９０１８", 1, KJ_DLP_MY_NUMBER, KJ_DLP_MEDIUM},
    {"1234\xe3\x80\x80"
     "5678\xe3\x80\x80"
     "9018",
     1, KJ_DLP_MY_NUMBER, KJ_DLP_MEDIUM},
    {"1234ー5678ー9018", 1, KJ_DLP_MY_NUMBER, KJ_DLP_MEDIUM},
    {"1234-5678 9018", 0, -1, -1},   /* mixed separators */
    {"1234--5678--9018", 0, -1, -1}, /* one separator only */
    {"12345-678-9018", 0, -1, -1},   /* not 4-4-4 */
    {"個人番号: 123456789018", 1, KJ_DLP_MY_NUMBER, KJ_DLP_HIGH},
    {"マイナンバーは 1234-5678-9018 です", 1, KJ_DLP_MY_NUMBER, KJ_DLP_HIGH},
    {"My Number 123456789018", 1, KJ_DLP_MY_NUMBER, KJ_DLP_HIGH},
    {"法人番号 123456789018", 1, KJ_DLP_MY_NUMBER, KJ_DLP_LOW},
    {"法人番号：7000012050002", 1, KJ_DLP_CORPORATE_NUMBER, KJ_DLP_HIGH},
    {"7-0000-1205-0002", 1, KJ_DLP_CORPORATE_NUMBER, KJ_DLP_MEDIUM},
    {"4111 1111 1111 1111", 0, -1, -1}, /* card number */
    {"1234-5678-9018-1234", 0, -1, -1}, /* a longer grouped number */
    {"9123456789018", 0, -1, -1},       /* 12 digits inside 13, no valid corp */
    {"01234567890180", 0, -1, -1},      /* inside 14 */
    {"sha a123456789018f", 0, -1, -1},  /* hex digest */
    {"id_123456789018", 0, -1, -1},
    {"pi 3.123456789018", 0, -1, -1}, /* decimal fraction */
    {"123456789018.5", 0, -1, -1},
    {"番号123456789018です", 1, KJ_DLP_MY_NUMBER, -1},
    {"a,123456789018,b", 1, KJ_DLP_MY_NUMBER, KJ_DLP_LOW},
    {"123456789018 2024", 1, KJ_DLP_MY_NUMBER, KJ_DLP_LOW}, /* table columns */
    {"123456789018 111111111118", 2, KJ_DLP_MY_NUMBER, -1},
    {"", 0, -1, -1},
};

static void test_cases(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		const Case *c = &cases[i];
		g_autoptr(GPtrArray) f =
		    g_ptr_array_new_with_free_func((GDestroyNotify)kj_dlp_finding_free);
		guint n = kj_dlp_scan_text(c->text, strlen(c->text), NULL, NULL, f);
		if (n != c->count || f->len != c->count)
			g_error("case %u \"%s\": %u findings, expected %u", i, c->text, n,
				c->count);
		if (c->count == 0)
			continue;
		const KjDlpFinding *x = f->pdata[0];
		if (c->kind >= 0)
			g_assert_cmpint(x->kind, ==, c->kind);
		if (c->confidence >= 0 && (int)x->confidence != c->confidence)
			g_error("case %u \"%s\": confidence %s", i, c->text,
				kj_dlp_confidence_name(x->confidence));
		g_assert_cmpuint(strlen(x->masked), ==, x->kind == KJ_DLP_MY_NUMBER ? 12 : 13);
		g_assert_true(g_str_has_prefix(x->masked, "********"));
	}
}

static void test_location_and_options(void)
{
	const char *t = "first line\nname, 個人番号\nx 1234-5678-9018\n";
	g_autoptr(GPtrArray) f =
	    g_ptr_array_new_with_free_func((GDestroyNotify)kj_dlp_finding_free);
	KjDlpOptions o;

	kj_dlp_options_init(&o);
	kj_dlp_scan_text(t, strlen(t), &o, "member.txt", f);
	g_assert_cmpuint(f->len, ==, 1);
	const KjDlpFinding *x = f->pdata[0];
	g_assert_cmpuint(x->line, ==, 3);
	g_assert_cmpuint(x->column, ==, 3);
	g_assert_cmpstr(x->location, ==, "member.txt");
	g_assert_cmpstr(x->masked, ==, "********9018");
	g_assert_cmpint(x->confidence, ==, KJ_DLP_HIGH); /* keyword on the line above */

	g_ptr_array_set_size(f, 0);
	o.min_confidence = KJ_DLP_HIGH;
	kj_dlp_scan_text("123456789018", 12, &o, NULL, f);
	g_assert_cmpuint(f->len, ==, 0);
	o.min_confidence = KJ_DLP_LOW;
	o.corporate = FALSE;
	kj_dlp_scan_text("7000012050002", 13, &o, NULL, f);
	g_assert_cmpuint(f->len, ==, 0);
	o.max_findings = 2;
	GString *many = g_string_new(NULL);
	for (guint i = 0; i < 10; i++)
		g_string_append(many, "123456789018\n");
	kj_dlp_scan_text(many->str, many->len, &o, NULL, f);
	g_assert_cmpuint(f->len, ==, 2);
	g_string_free(many, TRUE);
}

static guint scan_file(const void *data, gsize len, const char *name, GPtrArray *f, gboolean *ok)
{
	g_autoptr(GBytes) b = g_bytes_new(data, len);
	g_autoptr(GError) error = NULL;
	*ok = kj_dlp_scan_file(b, name, NULL, f, &error);
	return f->len;
}

static void test_csv(void)
{
	GString *csv = g_string_new("氏名,個人番号,住所\n");
	for (guint i = 0; i < 20; i++)
		g_string_append_printf(csv, "職員%u,%s,市内\n", i,
				       i % 2 ? "111111111118" : "123456789018");
	g_autoptr(GPtrArray) f =
	    g_ptr_array_new_with_free_func((GDestroyNotify)kj_dlp_finding_free);
	gboolean ok;
	g_assert_cmpuint(scan_file(csv->str, csv->len, "a.csv", f, &ok), ==, 20);
	g_assert_true(ok);
	for (guint i = 0; i < f->len; i++) {
		const KjDlpFinding *x = f->pdata[i];
		g_assert_cmpint(x->confidence, ==, KJ_DLP_HIGH); /* the column header */
		g_assert_cmpuint(x->line, ==, i + 2);
	}
	g_string_free(csv, TRUE);
}

static void test_sjis(void)
{
	const char *u = "住民の個人番号は１２３４ ５６７８ ９０１８です。\r\n";
	gsize len = 0;
	g_autofree char *sjis = kj_charset_from_utf8(u, strlen(u), "CP932", &len, NULL);
	g_autoptr(GPtrArray) f =
	    g_ptr_array_new_with_free_func((GDestroyNotify)kj_dlp_finding_free);
	gboolean ok;
	g_assert_cmpuint(scan_file(sjis, len, "sjis.txt", f, &ok), ==, 1);
	g_assert_cmpint(((KjDlpFinding *)f->pdata[0])->confidence, ==, KJ_DLP_HIGH);
}

static GBytes *zip_of(const char *const *pairs)
{
	struct archive *a = archive_write_new();
	gsize cap = 1 << 16;
	guint8 *buf = g_malloc(cap);
	size_t used = 0;

	archive_write_set_format_zip(a);
	archive_write_open_memory(a, buf, cap, &used);
	for (guint i = 0; pairs[i]; i += 2) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, pairs[i]);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)strlen(pairs[i + 1]));
		archive_write_header(a, e);
		archive_write_data(a, pairs[i + 1], strlen(pairs[i + 1]));
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	return g_bytes_new_take(buf, used);
}

static void test_zip_and_docx(void)
{
	static const char *const zip[] = {"dir/list.csv", "no,マイナンバー\n1,123456789018\n",
					  "readme.txt", "nothing here 2024-01-01", NULL};
	g_autoptr(GBytes) z = zip_of(zip);
	g_autoptr(GPtrArray) f =
	    g_ptr_array_new_with_free_func((GDestroyNotify)kj_dlp_finding_free);
	g_autoptr(GError) error = NULL;
	g_assert_true(kj_dlp_scan_file(z, "a.zip", NULL, f, &error));
	g_assert_cmpuint(f->len, ==, 1);
	g_assert_cmpstr(((KjDlpFinding *)f->pdata[0])->location, ==, "dir/list.csv");

	/* The zip inside a zip. */
	gsize zl;
	const char *zd = g_bytes_get_data(z, &zl);
	struct archive *a = archive_write_new();
	guint8 *buf = g_malloc(1 << 16);
	size_t used = 0;
	archive_write_set_format_zip(a);
	archive_write_open_memory(a, buf, 1 << 16, &used);
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, "inner.zip");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_size(e, (la_int64_t)zl);
	archive_write_header(a, e);
	archive_write_data(a, zd, zl);
	archive_entry_free(e);
	archive_write_close(a);
	archive_write_free(a);
	g_autoptr(GBytes) outer = g_bytes_new_take(buf, used);
	g_ptr_array_set_size(f, 0);
	g_assert_true(kj_dlp_scan_file(outer, "b.zip", NULL, f, &error));
	g_assert_cmpuint(f->len, ==, 1);
	g_assert_cmpstr(((KjDlpFinding *)f->pdata[0])->location, ==, "inner.zip/dir/list.csv");

#ifdef KJ_CDR_HAVE_OOXML
	static const char *const docx[] = {
	    "[Content_Types].xml",
	    "<Types xmlns=\"http://schemas.openxmlformats.org/package/"
	    "2006/content-types\"/>",
	    "word/document.xml",
	    "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/"
	    "main\"><w:body><w:p><w:r><w:t>表題</w:t></w:r></w:p><w:p><w:r><w:t>個人番号 "
	    "1234</w:t></w:r><w:r><w:t>5678</w:t></w:r><w:r><w:t>9018</w:t></w:r></w:p>"
	    "</w:body></w:document>",
	    NULL};
	g_autoptr(GBytes) d = zip_of(docx);
	g_ptr_array_set_size(f, 0);
	g_assert_true(kj_dlp_scan_file(d, "a.docx", NULL, f, &error));
	g_assert_cmpuint(f->len, ==, 1);
	const KjDlpFinding *x = f->pdata[0];
	g_assert_cmpstr(x->location, ==, "word/document.xml");
	g_assert_cmpuint(x->line, ==, 2);
	g_assert_cmpint(x->confidence, ==, KJ_DLP_HIGH);
#endif
}

static void test_garbage(void)
{
	g_autoptr(GPtrArray) f =
	    g_ptr_array_new_with_free_func((GDestroyNotify)kj_dlp_finding_free);
	guint32 seed = 12345;
	guint8 buf[4096];
	gboolean ok;

	for (guint round = 0; round < 200; round++) {
		for (guint i = 0; i < sizeof(buf); i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (guint8)(seed >> 16);
		}
		if (round % 4 == 1)
			memcpy(buf, "PK\x03\x04", 4);
		if (round % 4 == 2)
			memcpy(buf, "%PDF-1.4", 8);
		if (round % 4 == 3)
			memcpy(buf, "\x1f\x8b", 2);
		scan_file(buf, sizeof(buf), "junk", f, &ok);
		kj_dlp_scan_text((const char *)buf, sizeof(buf), NULL, NULL, f);
	}
	/* Binary with an embedded number in UTF-16LE, as legacy Office keeps it. */
	static const guint8 utf16[] = {0,   0, 0,   1, '1', 0, '2', 0, '3', 0,
				       '4', 0, '5', 0, '6', 0, '7', 0, '8', 0,
				       '9', 0, '0', 0, '1', 0, '8', 0, 0,   0};
	g_ptr_array_set_size(f, 0);
	scan_file(utf16, sizeof(utf16), "x.doc", f, &ok);
	g_assert_cmpuint(f->len, ==, 1);
	g_assert_cmpstr(((KjDlpFinding *)f->pdata[0])->location, ==, "(strings)");
}

/* A gzip stream that starts with two zero tar blocks was read by
 * libarchive's tar reader as an empty archive, hiding what followed. */
static void test_hidden_after_zero_blocks(void)
{
	GString *plain = g_string_new(NULL);
	g_string_set_size(plain, 1024);
	memset(plain->str, 0, 1024);
	g_string_append(plain, "個人番号,123456789018\n");
	g_autoptr(GZlibCompressor) z = g_zlib_compressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
	guint8 out[8192];
	gsize r = 0, w = 0;
	g_assert_cmpint(g_converter_convert(G_CONVERTER(z), plain->str, plain->len, out,
					    sizeof(out), G_CONVERTER_INPUT_AT_END, &r, &w, NULL),
			==, G_CONVERTER_FINISHED);
	g_autoptr(GPtrArray) f =
	    g_ptr_array_new_with_free_func((GDestroyNotify)kj_dlp_finding_free);
	gboolean ok;
	g_assert_cmpuint(scan_file(out, w, "x.gz", f, &ok), ==, 1);
	g_string_free(plain, TRUE);
}

#ifdef KJ_CDR_HAVE_PDF
/* A two-page PDF written by hand; the number is on page 2. */
static GBytes *two_page_pdf(void)
{
	static const char *const objs[] = {
	    "<< /Type /Catalog /Pages 2 0 R >>",
	    "<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
	    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 5 0 R "
	    "/Resources << /Font << /F1 7 0 R >> >> >>",
	    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 6 0 R "
	    "/Resources << /Font << /F1 7 0 R >> >> >>",
	    "<< /Length 40 >>\nstream\nBT /F1 12 Tf 20 100 Td (cover page) Tj ET\nendstream",
	    "<< /Length 55 >>\nstream\nBT /F1 12 Tf 20 100 Td (My Number 123456789018) Tj ET\n"
	    "endstream",
	    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	};
	GString *pdf = g_string_new("%PDF-1.4\n");
	gsize offs[G_N_ELEMENTS(objs)];
	for (guint i = 0; i < G_N_ELEMENTS(objs); i++) {
		offs[i] = pdf->len;
		g_string_append_printf(pdf, "%u 0 obj\n%s\nendobj\n", i + 1, objs[i]);
	}
	gsize xref = pdf->len;
	g_string_append_printf(pdf, "xref\n0 %u\n0000000000 65535 f \n",
			       (guint)G_N_ELEMENTS(objs) + 1);
	for (guint i = 0; i < G_N_ELEMENTS(objs); i++)
		g_string_append_printf(pdf, "%010" G_GSIZE_FORMAT " 00000 n \n", offs[i]);
	g_string_append_printf(
	    pdf, "trailer\n<< /Size %u /Root 1 0 R >>\nstartxref\n%" G_GSIZE_FORMAT "\n%%%%EOF\n",
	    (guint)G_N_ELEMENTS(objs) + 1, xref);
	return g_string_free_to_bytes(pdf);
}

static void test_pdf(void)
{
	g_autoptr(GBytes) pdf = two_page_pdf();
	g_autoptr(GPtrArray) f =
	    g_ptr_array_new_with_free_func((GDestroyNotify)kj_dlp_finding_free);
	g_autoptr(GError) error = NULL;

	g_assert_true(kj_dlp_scan_file(pdf, "a.pdf", NULL, f, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(f->len, ==, 1);
	const KjDlpFinding *x = f->pdata[0];
	g_assert_cmpuint(x->page, ==, 2);
	g_assert_cmpint(x->confidence, ==, KJ_DLP_HIGH);
}
#endif

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dlp/check-digits", test_check_digits);
	g_test_add_func("/dlp/cases", test_cases);
	g_test_add_func("/dlp/location-options", test_location_and_options);
	g_test_add_func("/dlp/csv", test_csv);
	g_test_add_func("/dlp/shift-jis", test_sjis);
	g_test_add_func("/dlp/zip-docx", test_zip_and_docx);
	g_test_add_func("/dlp/garbage", test_garbage);
#ifdef KJ_CDR_HAVE_PDF
	g_test_add_func("/dlp/pdf", test_pdf);
#endif
	g_test_add_func("/dlp/hidden-after-zero-blocks", test_hidden_after_zero_blocks);
	return g_test_run();
}
