/* test-cdr-pdf.c - unit tests for the PDF engine of cdr/ (pixel,
 * structural and text modes) on generated files and the corpus, and for
 * both MuPDF engines inside the sandbox. */
#include "cdr-test-run.h"
#include "cdr/mupdf.h"
#include "sandbox/sandbox.h"

/* ---- a tiny PDF writer for generated test files ---- */

static GBytes *build_pdf(GPtrArray *objs)
{
	GString *s = g_string_new("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
	g_autoptr(GArray) offs = g_array_new(FALSE, FALSE, sizeof(gsize));
	gsize xref;

	for (guint i = 0; i < objs->len; i++) {
		g_array_append_val(offs, s->len);
		g_string_append_printf(s, "%u 0 obj\n%s\nendobj\n", i + 1,
				       (const char *)objs->pdata[i]);
	}
	xref = s->len;
	g_string_append_printf(s, "xref\n0 %u\n0000000000 65535 f \n", objs->len + 1);
	for (guint i = 0; i < offs->len; i++)
		g_string_append_printf(s, "%010zu 00000 n \n", g_array_index(offs, gsize, i));
	g_string_append_printf(s, "trailer\n<< /Size %u /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n",
			       objs->len + 1, xref);
	return g_string_free_to_bytes(s);
}

static char *stream(const char *dict, const char *data)
{
	return g_strdup_printf("<< %s /Length %zu >>\nstream\n%s\nendstream", dict, strlen(data),
			       data);
}

/* Objects: 1 catalog, 2 pages, 3 font, then page and contents pairs;
 * with active set, every kind of active content the engine removes:
 * annotations and an embedded file follow the pages. */
static GBytes *make_pdf(int pages, gboolean active)
{
	g_autoptr(GPtrArray) o = g_ptr_array_new_with_free_func(g_free);
	GString *kids = g_string_new(NULL);
	int extra = 4 + 2 * pages, file = extra + 2;
	g_autofree char *cat_extra = g_strdup_printf(
	    " /OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>"
	    " /AA << /WC << /S /Launch /F (cmd.exe) >> >>"
	    " /Names << /JavaScript << /Names [(a) << /S /JavaScript /JS (x) >>] >>"
	    " /EmbeddedFiles << /Names [(f.exe) << /Type /Filespec /F (f.exe)"
	    " /EF << /F %d 0 R >> >>] >> >>"
	    " /AcroForm << /Fields [] /XFA %d 0 R >> /URI << /Base (http://x.example/) >>"
	    " /Outlines << /First %d 0 R /Last %d 0 R /Count 1 >>",
	    file, file, file + 1, file + 1);
	g_autofree char *page_extra =
	    g_strdup_printf(" /AA << /O << /S /Launch /F (calc.exe) >> >> /Annots [%d 0 R %d 0 R]",
			    extra, extra + 1);

	g_ptr_array_add(
	    o, g_strdup_printf("<< /Type /Catalog /Pages 2 0 R%s >>", active ? cat_extra : ""));
	for (int i = 0; i < pages; i++)
		g_string_append_printf(kids, "%d 0 R ", 4 + 2 * i);
	g_ptr_array_add(
	    o, g_strdup_printf("<< /Type /Pages /Kids [%s] /Count %d >>", kids->str, pages));
	g_string_free(kids, TRUE);
	g_ptr_array_add(o, g_strdup("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"));
	for (int i = 0; i < pages; i++) {
		g_autofree char *text =
		    g_strdup_printf("BT /F1 24 Tf 72 700 Td (Hello page %d) Tj ET", i + 1);

		g_ptr_array_add(o,
				g_strdup_printf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 "
						"842] /Resources << /Font << /F1 3 0 R >> >>"
						" /Contents %d 0 R%s >>",
						5 + 2 * i, active && i == 0 ? page_extra : ""));
		g_ptr_array_add(o, stream("", text));
	}
	if (active) {
		g_ptr_array_add(o, g_strdup("<< /Type /Annot /Subtype /Link /Rect [0 0 99 99]"
					    " /A << /S /URI /URI (http://evil.example/) >> >>"));
		g_ptr_array_add(o,
				g_strdup_printf("<< /Type /Annot /Subtype /FileAttachment "
						"/Rect [0 0 9 9] /FS << /Type /Filespec /F (x.exe)"
						" /EF << /F %d 0 R >> >> >>",
						file));
		g_ptr_array_add(o, stream("/Type /EmbeddedFile", "MZ not really a program"));
		g_ptr_array_add(o, g_strdup("<< /Title (x) /Parent 1 0 R /A << /S /GoToR /F "
					    "(other.pdf) /D [0 /Fit] >> >>"));
	}
	return build_pdf(o);
}

/* ---- checking outputs with MuPDF ---- */

/* Names that must not be left anywhere in a sanitized PDF, as a key or
 * as a value. */
static const char *const forbidden[] = {
    "JavaScript",     "JS",         "OpenAction", "AA",    "Launch",
    "EmbeddedFiles",  "EF",         "URI",        "GoToR", "GoToE",
    "SubmitForm",     "ImportData", "RichMedia",  "XFA",   "AcroForm",
    "FileAttachment", NULL,
};

static void check_name(fz_context *ctx, pdf_obj *n, GString *found)
{
	const char *s = pdf_to_name(ctx, n);

	for (int i = 0; forbidden[i]; i++)
		if (g_str_equal(s, forbidden[i]))
			g_string_append_printf(found, "/%s ", s);
}

static void check_obj(fz_context *ctx, pdf_obj *o, int depth, GString *found)
{
	if (pdf_is_indirect(ctx, o) || depth > 200)
		return;
	if (pdf_is_name(ctx, o)) {
		check_name(ctx, o, found);
	} else if (pdf_is_dict(ctx, o)) {
		for (int i = 0; i < pdf_dict_len(ctx, o); i++) {
			check_name(ctx, pdf_dict_get_key(ctx, o, i), found);
			check_obj(ctx, pdf_dict_get_val(ctx, o, i), depth + 1, found);
		}
	} else if (pdf_is_array(ctx, o)) {
		for (int i = 0; i < pdf_array_len(ctx, o); i++)
			check_obj(ctx, pdf_array_get(ctx, o, i), depth + 1, found);
	}
}

static void quiet(void *user, const char *msg)
{
}

/* Page count of a PDF as MuPDF sees it (-1: cannot be opened); with
 * found, every forbidden name in any of its objects. */
static int inspect_pdf(const guint8 *data, gsize len, GString *found)
{
	fz_context *ctx = fz_new_context(NULL, NULL, FZ_STORE_DEFAULT);
	pdf_document *volatile doc = NULL;
	volatile int pages = -1;

	fz_set_error_callback(ctx, quiet, NULL);
	fz_set_warning_callback(ctx, quiet, NULL);
	fz_try(ctx)
	{
		fz_stream *stm = fz_open_memory(ctx, data, len);

		fz_try(ctx) doc = pdf_open_document_with_stream(ctx, stm);
		fz_always(ctx) fz_drop_stream(ctx, stm);
		fz_catch(ctx) fz_rethrow(ctx);
		pages = pdf_count_pages(ctx, doc);
		for (int i = 1; found && i < pdf_xref_len(ctx, doc); i++) {
			pdf_obj *o = pdf_load_object(ctx, doc, i);

			check_obj(ctx, o, 0, found);
			pdf_drop_obj(ctx, o);
		}
	}
	fz_always(ctx) pdf_drop_document(ctx, doc);
	fz_catch(ctx) pages = -1;
	fz_drop_context(ctx);
	return pages;
}

/* A sanitized PDF opens, has the pages of the original and none of the
 * forbidden names. */
static void assert_clean_pdf(const Run *r, int want_pages, const char *name)
{
	g_autoptr(GString) found = g_string_new(NULL);
	int pages = inspect_pdf(r->job.out->data, r->job.out->len, found);

	if (found->len || (want_pages > 0 && pages != want_pages))
		g_error("%s: output has %d pages (want %d), names left: %s", name, pages,
			want_pages, found->str);
	g_assert_cmpint(pages, >, 0);
	g_assert_cmpstr(r->job.out_type, ==, "application/pdf");
}

static char *pdf_text_of(const guint8 *data, gsize len)
{
	return _kj_cdr_pdf_text(data, len, NULL, NULL);
}

/* ---- generated PDFs ---- */

static void test_pixel_generated(void)
{
	g_autoptr(GBytes) in = make_pdf(3, TRUE);
	g_autoptr(Run) r = run_new();
	g_autofree char *text = NULL;

	run_go(r, _kj_cdr_pdf, in);
	g_assert_no_error(r->error);
	assert_clean_pdf(r, 3, "generated");
	/* Pixels only: no text survives. */
	text = pdf_text_of(r->job.out->data, r->job.out->len);
	g_assert_nonnull(text);
	g_assert_null(strstr(text, "Hello"));
	/* The inventory names what the original carried. */
	g_assert_true(has_action(r, "JavaScript"));
	g_assert_true(has_action(r, "OpenAction removed"));
	g_assert_true(has_action(r, "Launch action removed"));
	g_assert_true(has_action(r, "embedded files removed"));
	g_assert_true(has_action(r, "file attachment annotation removed"));
	g_assert_true(has_action(r, "URI link made inert"));
	g_assert_true(has_action(r, "GoToR action removed"));
	g_assert_true(has_action(r, "XFA form removed"));
	g_assert_true(has_action(r, "rendered at 150 dpi"));
}

static void test_structural_generated(void)
{
	g_autoptr(GBytes) in = make_pdf(2, TRUE);
	g_autoptr(Run) r = run_new();
	g_autofree char *text = NULL;

	r->opts.pdf_mode = KJ_CDR_PDF_STRUCTURAL;
	run_go(r, _kj_cdr_pdf, in);
	g_assert_no_error(r->error);
	assert_clean_pdf(r, 2, "generated");
	text = pdf_text_of(r->job.out->data, r->job.out->len);
	g_assert_nonnull(strstr(text, "Hello page 1"));
	g_assert_nonnull(strstr(text, "Hello page 2"));
	g_assert_true(has_action(r, "JavaScript"));
	g_assert_true(has_action(r, "interactive form (AcroForm) removed"));
	g_assert_true(has_action(r, "page additional actions (AA) removed"));
	g_assert_true(has_action(r, "GoToR action removed"));
	/* The embedded "program" is gone from the bytes as well. */
	g_assert_null(memmem(r->job.out->data, r->job.out->len, "MZ not", 6));
}

static void test_text_mode(void)
{
	g_autoptr(GBytes) in = make_pdf(2, FALSE);
	g_autoptr(Run) r = run_new();
	g_autofree char *s = NULL;

	r->opts.pdf_mode = KJ_CDR_PDF_TEXT;
	run_go(r, _kj_cdr_pdf, in);
	g_assert_no_error(r->error);
	g_assert_cmpstr(r->job.out_type, ==, "text/plain");
	s = g_strndup((const char *)r->job.out->data, r->job.out->len);
	g_assert_nonnull(strstr(s, "Hello page 1"));
	g_assert_nonnull(strstr(s, "\fHello page 2"));
	g_assert_true(g_utf8_validate(s, -1, NULL));
}

static void test_limits(void)
{
	g_autoptr(GBytes) in = make_pdf(3, FALSE);
	g_autoptr(Run) r = run_new();

	r->opts.pdf_max_pages = 2;
	run_go(r, _kj_cdr_pdf, in);
	g_assert_error(r->error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT);
	g_assert_nonnull(strstr(r->error->message, "3 pages"));

	/* A page over the pixel limit is rendered at a lower resolution ... */
	r->opts.pdf_max_pages = 0;
	r->opts.pdf_max_pixels = 200000;
	run_go(r, _kj_cdr_pdf, in);
	g_assert_no_error(r->error);
	assert_clean_pdf(r, 3, "reduced");
	g_assert_true(has_action(r, "below 150 dpi"));
	/* ... but not below KJ_CDR_PDF_DPI_MIN. */
	r->opts.pdf_max_pixels = 1000;
	run_go(r, _kj_cdr_pdf, in);
	g_assert_error(r->error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT);
	g_assert_nonnull(strstr(r->error->message, "pixel limit"));

	/* Output limit. */
	r->opts.pdf_max_pixels = 0;
	r->opts.max_output = 1000;
	run_go(r, _kj_cdr_pdf, in);
	g_assert_error(r->error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT);
}

/* The allocator's cap: rendering a page at 600 dpi within 4 MB fails
 * with the memory limit named, and nothing leaks. */
static void test_memory_cap(void)
{
	g_autoptr(GBytes) in = make_pdf(1, FALSE);
	g_autoptr(GError) err = NULL;
	KjMupdf *m = _kj_mupdf_new(4 << 20, 0, &err);
	gsize len;
	const guint8 *data = g_bytes_get_data(in, &len);
	pdf_document *doc;
	fz_pixmap *volatile pix = NULL;

	g_assert_no_error(err);
	doc = _kj_mupdf_open_pdf(m, data, len, 10, &err);
	g_assert_no_error(err);
	fz_try(m->ctx) pix = fz_new_pixmap_from_page_number(
	    m->ctx, &doc->super, 0, fz_scale(600 / 72.0f, 600 / 72.0f), fz_device_rgb(m->ctx), 0);
	fz_catch(m->ctx) _kj_mupdf_error(m, &err, "page 1");
	g_assert_null(pix);
	g_assert_error(err, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT);
	g_assert_nonnull(strstr(err->message, "memory limit"));
	g_assert_cmpuint(m->peak, <=, 4 << 20);
	pdf_drop_document(m->ctx, doc);
	g_assert_cmpuint(m->refused, >, 0);
	_kj_mupdf_free(m);
}

/* The deadline between pages: one already past (no waiting in tests). */
static void test_deadline(void)
{
	g_autoptr(GError) err = NULL;
	KjMupdf *m = _kj_mupdf_new(0, 0, &err);

	g_assert_no_error(err);
	m->deadline = 1;
	fz_try(m->ctx) _kj_mupdf_check_time(m);
	fz_catch(m->ctx) _kj_mupdf_error(m, &err, "page 7");
	g_assert_error(err, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT);
	g_assert_cmpstr(err->message, ==, "page 7: time limit reached");
	_kj_mupdf_free(m);
}

static void test_garbage(void)
{
	static const char *const junk[] = {
	    "",
	    "%PDF-",
	    "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
	    ("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj 2 0 obj << /Type /Pages"
	     " /Kids [2 0 R] /Count 1 >> endobj trailer << /Root 1 0 R >>\n%%EOF"),
	    "GIF89a",
	    "\x89PNG\r\n\x1a\n",
	    "\xff\xd8\xff\xe0",
	};

	for (gsize i = 0; i < G_N_ELEMENTS(junk); i++) {
		g_autoptr(GBytes) in = g_bytes_new_static(junk[i], strlen(junk[i]));
		g_autoptr(Run) r = run_new();

		run_go(r, _kj_cdr_pdf, in);
		g_assert_false(r->ok);
		run_go(r, _kj_cdr_image, in);
		g_assert_false(r->ok);
	}
}

/* ---- corpus ---- */

/* Runs one PDF through a mode; returns the verdict word for counting. */
static const char *corpus_pdf(const char *path, KjCdrPdfMode mode)
{
	g_autoptr(GBytes) in = slurp(path);
	g_autoptr(Run) r = run_new();
	g_autofree char *base = g_path_get_basename(path);
	const guint8 *data = g_bytes_get_data(in, NULL);
	int pages = inspect_pdf(data, g_bytes_get_size(in), NULL);

	r->opts.pdf_mode = mode;
	run_go(r, _kj_cdr_pdf, in);
	if (!r->ok) {
		g_test_message("  %s [mode %d]: held/blocked: %s", base, mode, r->error->message);
		return r->error->code == KJ_CDR_ERROR_ENCRYPTED ? "encrypted"
		       : r->error->code == KJ_CDR_ERROR_LIMIT   ? "limit"
								: "corrupt";
	}
	if (mode == KJ_CDR_PDF_TEXT) {
		g_assert_true(
		    g_utf8_validate((const char *)r->job.out->data, (gssize)r->job.out->len, NULL));
		return "sanitized";
	}
	assert_clean_pdf(r, pages, base);
	if (mode == KJ_CDR_PDF_STRUCTURAL) {
		g_autofree char *t_in = pdf_text_of(data, g_bytes_get_size(in));
		g_autofree char *t_out = pdf_text_of(r->job.out->data, r->job.out->len);

		if (t_in && *t_in)
			g_assert_cmpstr(t_out, ==, t_in);
	}
	for (guint i = 0; i < r->job.actions->len; i++) {
		const KjCdrAction *a = r->job.actions->pdata[i];

		g_test_message("  %s [mode %d]: %s: %s", base, mode, a->location, a->what);
	}
	return "sanitized";
}

typedef struct {
	const char *file;
	const char *verdict;
} Expect;

static const char *expected(const Expect *ex, const char *base)
{
	for (; ex && ex->file; ex++)
		if (g_str_equal(ex->file, base))
			return ex->verdict;
	return NULL;
}

static void corpus_dir(const char *sub, const Expect *ex)
{
	g_autoptr(GPtrArray) files = corpus_files(sub, ".pdf");
	g_autoptr(GHashTable) counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GHashTableIter it;
	gpointer k, v;

	if (files->len == 0) {
		g_test_skip("corpus not found (KJ_CORPUS)");
		return;
	}
	for (guint i = 0; i < files->len; i++) {
		g_autofree char *base = g_path_get_basename(files->pdata[i]);

		for (int mode = KJ_CDR_PDF_PIXEL; mode <= KJ_CDR_PDF_TEXT; mode++) {
			const char *got = corpus_pdf(files->pdata[i], (KjCdrPdfMode)mode);
			const char *want = expected(ex, base);
			char *key = g_strdup_printf("mode %d %s", mode, got);

			if (want)
				g_assert_cmpstr(got, ==, want);
			g_hash_table_insert(
			    counts, key,
			    GUINT_TO_POINTER(GPOINTER_TO_UINT(g_hash_table_lookup(counts, key)) +
					     1));
		}
	}
	g_hash_table_iter_init(&it, counts);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_test_message("%s: %s: %u files", sub, (const char *)k, GPOINTER_TO_UINT(v));
}

static void test_corpus_horrors(void)
{
	static const Expect ex[] = {
	    {"encryption_openpassword.pdf", "encrypted"},
	    {"encryption_nocopy.pdf", "encrypted"},
	    {"encryption_noprinting.pdf", "encrypted"},
	    {"encryption_notextaccess.pdf", "encrypted"},
	    {"javascript.pdf", "sanitized"},
	    {"fileAttachment.pdf", "sanitized"},
	    {"externalLink.pdf", "sanitized"},
	    {"embedded_video_avi.pdf", "sanitized"},
	    {"text_only_fontsNotEmbedded.pdf", "sanitized"},
	    {NULL, NULL},
	};

	corpus_dir("pdf/cabinet-of-horrors", ex);
}

static void test_corpus_malformed(void)
{
	corpus_dir("pdf/handbuilt-malformed", NULL);
}

/* ---- inside the sandbox (seccomp: no files, no PROT_EXEC) ---- */

static gboolean sandbox_job(GBytes *input, GByteArray *output, gpointer user_data, GError **error)
{
	g_autoptr(Run) r = run_new();
	gsize len;
	const guint8 *p = g_bytes_get_data(input, &len);
	gboolean ok;

	/* The first byte picks the engine and mode. */
	g_return_val_if_fail(len > 0, FALSE);
	r->job.data = p + 1;
	r->job.len = len - 1;
	r->opts.pdf_mode = p[0] == 's' ? KJ_CDR_PDF_STRUCTURAL : KJ_CDR_PDF_PIXEL;
	ok = p[0] == 'i' ? _kj_cdr_image(&r->job, error) : _kj_cdr_pdf(&r->job, error);
	if (ok)
		g_byte_array_append(output, r->job.out->data, r->job.out->len);
	return ok;
}

/* A PNG or JPEG of a gray square: PNG from MuPDF, JPEG from our encoder. */
static GBytes *make_image(gboolean png)
{
	fz_context *ctx = fz_new_context(NULL, NULL, FZ_STORE_DEFAULT);
	fz_pixmap *pix = fz_new_pixmap(ctx, fz_device_rgb(ctx), 30, 20, NULL, 1);
	GByteArray *a = g_byte_array_new();

	fz_clear_pixmap_with_value(ctx, pix, 0x80);
	if (png) {
		fz_buffer *buf =
		    fz_new_buffer_from_pixmap_as_png(ctx, pix, fz_default_color_params);
		unsigned char *d;
		size_t len = fz_buffer_storage(ctx, buf, &d);

		g_byte_array_append(a, d, (guint)len);
		fz_drop_buffer(ctx, buf);
	} else {
		g_assert_true(_kj_jpeg_encode(ctx, pix, 90, a, NULL));
	}
	fz_drop_pixmap(ctx, pix);
	fz_drop_context(ctx);
	return g_byte_array_free_to_bytes(a);
}

static GBytes *tagged(char tag, GBytes *b)
{
	GByteArray *a = g_byte_array_new();
	gsize len;
	const guint8 *p = g_bytes_get_data(b, &len);

	g_byte_array_append(a, (const guint8 *)&tag, 1);
	g_byte_array_append(a, p, (guint)len);
	return g_byte_array_free_to_bytes(a);
}

static void test_sandbox(void)
{
	KjSandboxOptions o;
	g_autoptr(KjSandbox) sb = NULL;
	g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	const char *root = g_getenv("KJ_CORPUS");
	KjSandboxStats st;

	kj_sandbox_options_init(&o);
	o.mode = KJ_SANDBOX_FORK_EACH;
	o.timeout_ms = 60000;
	o.cpu_seconds = 60;
	o.keep_stderr = TRUE;
	o.name = "test cdr worker";
	sb = kj_sandbox_new(&o, sandbox_job, NULL);
	g_ptr_array_add(inputs, tagged('p', make_pdf(2, TRUE)));
	g_ptr_array_add(inputs, tagged('s', make_pdf(2, TRUE)));
	g_ptr_array_add(inputs, tagged('i', make_image(TRUE)));
	g_ptr_array_add(inputs, tagged('i', make_image(FALSE)));
	if (root) {
		/* Fonts not embedded: MuPDF must use its built-in ones, not open files. */
		static const char *const f[] = {
		    "pdf/cabinet-of-horrors/calistoMTNoFontsEmbedded.pdf",
		    "pdf/cabinet-of-horrors/balloon_a1b_jp2k.pdf"};

		for (gsize i = 0; i < G_N_ELEMENTS(f); i++) {
			g_autofree char *path = g_build_filename(root, f[i], NULL);

			if (g_file_test(path, G_FILE_TEST_EXISTS)) {
				g_autoptr(GBytes) b = slurp(path);

				g_ptr_array_add(inputs, tagged('p', b));
				g_ptr_array_add(inputs, tagged('s', b));
			}
		}
	}
	for (guint i = 0; i < inputs->len; i++) {
		g_autoptr(GError) err = NULL;
		g_autoptr(GBytes) out = kj_sandbox_run(sb, inputs->pdata[i], &err);

		g_assert_no_error(err);
		g_assert_cmpuint(g_bytes_get_size(out), >, 100);
	}
	kj_sandbox_get_stats(sb, &st);
	g_assert_cmpuint(st.crashes, ==, 0);
	g_assert_cmpuint(st.jobs, ==, inputs->len);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/cdr-pdf/pixel/generated", test_pixel_generated);
	g_test_add_func("/cdr-pdf/structural/generated", test_structural_generated);
	g_test_add_func("/cdr-pdf/text", test_text_mode);
	g_test_add_func("/cdr-pdf/limits", test_limits);
	g_test_add_func("/cdr-pdf/memory-cap", test_memory_cap);
	g_test_add_func("/cdr-pdf/deadline", test_deadline);
	g_test_add_func("/cdr-pdf/garbage", test_garbage);
	g_test_add_func("/cdr-pdf/corpus/horrors", test_corpus_horrors);
	g_test_add_func("/cdr-pdf/corpus/malformed", test_corpus_malformed);
	g_test_add_func("/cdr-pdf/sandbox", test_sandbox);
	return g_test_run();
}
