/*++
 * NAME
 *	pdf - the PDF engine of CDR: pixel, structural and text modes
 * DESCRIPTION
 *	_kj_cdr_pdf() sanitizes one PDF in the mode the options name:
 *
 *	pixel (default)	every page is rendered with MuPDF at pdf_dpi
 *		into RGB pixels, JPEG-encoded with libjpeg, and a new PDF is
 *		built that holds one image per page and nothing else: no
 *		text, fonts, scripts, links, forms, attachments or metadata
 *		of the original survive, whatever their form.  Page sizes are
 *		kept.  What the original carried is listed in the report
 *		(pdf_struct.c's inventory).  JPEG rather than deflate: it
 *		encodes a 150 dpi page 3-8 times faster; on dense text it
 *		is about a third larger than PNG (bench/README.md).
 *	structural	the document is rebuilt without active content and
 *		with its text (pdf_struct.c).
 *	text		UTF-8 text of every page, pages separated by form feeds.
 *
 *	_kj_cdr_pdf_text() gives the same text to the personal-number
 *	scanner (dlp/).
 * SECURITY
 *	Runs in the sanitizer worker under seccomp (see mupdf.c for what
 *	MuPDF is kept from doing).  The input is hostile; MuPDF's parser,
 *	repair code and renderer see it, bounded by the memory cap, the
 *	page and pixel limits and a deadline checked between pages.
 *	Encrypted PDFs are held, never opened with a guessed password.
 * LIMITS
 *	pdf_max_pages, pdf_max_pixels per page (larger pages are rendered
 *	at a lower resolution, down to KJ_CDR_PDF_DPI_MIN), max_output,
 *	KJ_CDR_PDF_TIME_MS_DEFAULT, KJ_CDR_MUPDF_MEMORY_DEFAULT.
 * STANDARDS
 *	基本方針 2(12) 無害化通信: files from the internet segment are
 *	rebuilt before they reach LGWAN; 6(3)② (segment separation with
 *	sanitization); 6(6) (malicious programs).  ISO 32000-1.
 * SEE ALSO
 *	pdf_struct.c, mupdf.c, image.c, cdr.c, util/limits.h
 *--*/
#include "cdr/cdr_private.h"
#include "cdr/mupdf.h"
#include "util/limits.h"

#include <math.h>

/* JPEG quality of rendered pages: at 85, 10-point text at 150 dpi shows
 * no visible ringing (bench/README.md has the sizes and times of the
 * alternatives). */
#define PAGE_JPEG_QUALITY 85

static guint opt_or(guint v, guint dflt, guint ceiling)
{
	return v == 0 ? dflt : MIN(v, ceiling);
}

static gsize max_output(const KjCdrOptions *o)
{
	return o && o->max_output ? o->max_output : (gsize)KJ_CDR_MAX_OUTPUT_DEFAULT;
}

/* ---- pixel mode ---- */

/* Everything pixel mode holds, on the heap so that it survives a
 * longjmp out of fz_try unchanged (see mupdf.c). */
typedef struct {
	KjMupdf *m;
	KjCdrJob *job;
	pdf_document *in, *out;
	fz_page *page;
	fz_pixmap *pix;
	fz_buffer *buf;
	fz_image *img;
	pdf_obj *res, *ref, *pageobj;
	GByteArray *enc;
	GError *err; /* set by our own checks before they throw */
	int pageno;
	guint dpi;
	guint64 max_pixels;
	guint reduced; /* pages rendered below dpi for the pixel limit */
	gsize images;  /* bytes of JPEG so far: the output's size, nearly */
	gsize max_output;
} Pixel;

static void pixel_drop_page(Pixel *p)
{
	fz_context *ctx = p->m->ctx;

	fz_drop_page(ctx, p->page);
	fz_drop_pixmap(ctx, p->pix);
	fz_drop_buffer(ctx, p->buf);
	fz_drop_image(ctx, p->img);
	pdf_drop_obj(ctx, p->res);
	pdf_drop_obj(ctx, p->ref);
	pdf_drop_obj(ctx, p->pageobj);
	p->page = NULL;
	p->pix = NULL;
	p->buf = NULL;
	p->img = NULL;
	p->res = p->ref = p->pageobj = NULL;
}

/* Scale from points to pixels for a w x h point page: pdf_dpi, or less
 * when that would pass the pixel limit.  0 when the page cannot be
 * rendered within the limit at all. */
static float pixel_scale(Pixel *p, float w, float h)
{
	double s = p->dpi / 72.0, px = (double)w * s * (double)h * s;

	if (!isfinite(px) || w < 1 || h < 1)
		return 0;
	if (px <= (double)p->max_pixels)
		return (float)s;
	s = sqrt((double)p->max_pixels / ((double)w * (double)h));
	if (s * 72.0 < KJ_CDR_PDF_DPI_MIN)
		return 0;
	p->reduced++;
	return (float)s;
}

static void pixel_page(Pixel *p)
{
	fz_context *ctx = p->m->ctx;
	fz_rect box;
	float w, h, s;
	pdf_obj *xobj;

	p->page = fz_load_page(ctx, &p->in->super, p->pageno);
	box = fz_bound_page(ctx, p->page);
	w = box.x1 - box.x0;
	h = box.y1 - box.y0;
	s = pixel_scale(p, w, h);
	if (s == 0) {
		g_set_error(
		    &p->err, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT,
		    "page %d: page size %.0fx%.0f pt is over the pixel limit (%" G_GUINT64_FORMAT
		    ")",
		    p->pageno + 1, (double)w, (double)h, p->max_pixels);
		fz_throw(ctx, FZ_ERROR_GENERIC, "pixel limit");
	}
	p->pix = fz_new_pixmap_from_page(ctx, p->page, fz_scale(s, s), fz_device_rgb(ctx), 0);
	fz_drop_page(ctx, p->page);
	p->page = NULL;

	g_byte_array_set_size(p->enc, 0);
	if (!_kj_jpeg_encode(ctx, p->pix, PAGE_JPEG_QUALITY, p->enc, &p->err))
		fz_throw(ctx, FZ_ERROR_GENERIC, "JPEG");
	fz_drop_pixmap(ctx, p->pix);
	p->pix = NULL;
	p->images += p->enc->len;
	p->buf = fz_new_buffer_from_copied_data(ctx, p->enc->data, p->enc->len);
	p->img = fz_new_image_from_buffer(ctx, p->buf);
	p->ref = pdf_add_image(ctx, p->out, p->img);

	p->res = pdf_new_dict(ctx, p->out, 1);
	xobj = pdf_dict_put_dict(ctx, p->res, PDF_NAME(XObject), 1);
	pdf_dict_puts(ctx, xobj, "P", p->ref);
	fz_drop_buffer(ctx, p->buf);
	p->buf = fz_new_buffer(ctx, 64);
	fz_append_printf(ctx, p->buf, "q %g 0 0 %g 0 0 cm /P Do Q\n", (double)w, (double)h);
	p->pageobj = pdf_add_page(ctx, p->out, fz_make_rect(0, 0, w, h), 0, p->res, p->buf);
	pdf_insert_page(ctx, p->out, -1, p->pageobj);
	pixel_drop_page(p);
}

/* MuPDF writes the new file straight into the job's output: no second
 * copy of a file that can be hundreds of megabytes, and the output limit
 * stops the writer as soon as it is passed. */
typedef struct {
	GByteArray *out;
	gsize max;
	GError **err;
} Sink;

static void sink_write(fz_context *ctx, void *state, const void *data, size_t n)
{
	Sink *k = state;

	if (n > k->max || k->out->len > k->max - n) {
		if (k->err && !*k->err)
			g_set_error(k->err, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT,
				    "sanitized PDF is larger than the output limit (%zu bytes)",
				    k->max);
		fz_throw(ctx, FZ_ERROR_GENERIC, "output limit");
	}
	g_byte_array_append(k->out, data, (guint)n);
}

static int64_t sink_tell(fz_context *ctx, void *state)
{
	Sink *k = state;

	return (int64_t)k->out->len;
}

void _kj_cdr_pdf_write(fz_context *ctx, pdf_document *doc, const pdf_write_options *wo,
		       GByteArray *out, gsize hint, gsize max, GError **err)
{
	Sink *k = g_new0(Sink, 1);
	fz_output *volatile o = NULL;

	k->out = out;
	k->max = MIN(max, (gsize)G_MAXUINT - 1);
	k->err = err;
	g_byte_array_set_size(out, (guint)MIN(hint, k->max));
	g_byte_array_set_size(out, 0); /* keeps the allocation */
	fz_try(ctx)
	{
		o = fz_new_output(ctx, 64 * 1024, k, sink_write, NULL, NULL);
		o->tell = sink_tell;
		pdf_write_document(ctx, doc, o, wo);
		fz_close_output(ctx, o);
	}
	fz_always(ctx)
	{
		fz_drop_output(ctx, o);
		g_free(k);
	}
	fz_catch(ctx) fz_rethrow(ctx);
}

static void pixel_run(Pixel *p)
{
	fz_context *ctx = p->m->ctx;
	int n = pdf_count_pages(ctx, p->in);
	pdf_write_options wo = pdf_default_write_options;

	p->out = pdf_create_document(ctx);
	for (p->pageno = 0; p->pageno < n; p->pageno++) {
		_kj_mupdf_check_time(p->m);
		pixel_page(p);
	}
	p->pageno = -1;
	wo.do_compress = 1;
	wo.do_garbage = 1;
	_kj_cdr_pdf_write(ctx, p->out, &wo, p->job->out, p->images + 64 * 1024, p->max_output,
			  &p->err);
}

static gboolean pdf_pixel(KjMupdf *m, pdf_document *doc, KjCdrJob *job, GError **error)
{
	fz_context *ctx = m->ctx;
	const KjCdrOptions *o = job->opts;
	Pixel *p = g_new0(Pixel, 1);
	gboolean ok = TRUE;

	p->m = m;
	p->job = job;
	p->in = doc;
	p->enc = g_byte_array_new();
	p->dpi = CLAMP(opt_or(o->pdf_dpi, KJ_CDR_PDF_DPI_DEFAULT, KJ_CDR_PDF_DPI_CEILING),
		       KJ_CDR_PDF_DPI_MIN, KJ_CDR_PDF_DPI_CEILING);
	p->max_output = max_output(o);
	p->max_pixels = o->pdf_max_pixels ? MIN(o->pdf_max_pixels, KJ_CDR_PDF_MAX_PIXELS_CEILING)
					  : KJ_CDR_PDF_MAX_PIXELS_DEFAULT;
	fz_try(ctx) pixel_run(p);
	fz_always(ctx)
	{
		pixel_drop_page(p);
		pdf_drop_document(ctx, p->out);
	}
	fz_catch(ctx)
	{
		ok = FALSE;
		if (p->err) {
			g_propagate_error(error, p->err);
			p->err = NULL;
		} else {
			char what[32];

			g_snprintf(what, sizeof what, p->pageno >= 0 ? "page %d" : "PDF output",
				   p->pageno + 1);
			_kj_mupdf_error(m, error, what);
		}
	}
	if (ok) {
		char what[128];

		g_snprintf(what, sizeof what,
			   "every page rendered at %u dpi into a new PDF of images only", p->dpi);
		_kj_cdr_note(job, "document", what);
		if (p->reduced) {
			g_snprintf(what, sizeof what,
				   "%u page(s) rendered below %u dpi (pixel limit)", p->reduced,
				   p->dpi);
			_kj_cdr_note(job, "document", what);
		}
	}
	g_byte_array_unref(p->enc);
	g_free(p);
	return ok;
}

/* ---- text ---- */

typedef struct {
	int pageno;    /* page being read, -1 when done */
	gboolean over; /* stopped at the output limit */
	gboolean failed;
} TextRun;

/* Appends the UTF-8 text of every page to out, pages separated by form
 * feeds; stops at max bytes with t->over set.  Throws. */
static void text_run(KjMupdf *m, pdf_document *doc, gsize max, GString *out, TextRun *t)
{
	fz_context *ctx = m->ctx;
	int n = pdf_count_pages(ctx, doc);
	fz_page *volatile page = NULL;
	fz_stext_page *volatile st = NULL;
	fz_buffer *volatile buf = NULL;

	fz_try(ctx)
	{
		for (t->pageno = 0; t->pageno < n; t->pageno++) {
			unsigned char *data;
			size_t len;

			_kj_mupdf_check_time(m);
			page = fz_load_page(ctx, &doc->super, t->pageno);
			st = fz_new_stext_page_from_page(ctx, page, NULL);
			buf = fz_new_buffer_from_stext_page(ctx, st);
			len = fz_buffer_storage(ctx, buf, &data);
			if (t->pageno > 0)
				g_string_append_c(out, '\f');
			if (len > max || out->len > max - len) {
				t->over = TRUE;
				fz_throw(ctx, FZ_ERROR_GENERIC, "output limit");
			}
			g_string_append_len(out, (const char *)data, (gssize)len);
			fz_drop_buffer(ctx, buf);
			buf = NULL;
			fz_drop_stext_page(ctx, st);
			st = NULL;
			fz_drop_page(ctx, page);
			page = NULL;
		}
		t->pageno = -1;
	}
	fz_always(ctx)
	{
		fz_drop_buffer(ctx, buf);
		fz_drop_stext_page(ctx, st);
		fz_drop_page(ctx, page);
	}
	fz_catch(ctx) fz_rethrow(ctx);
}

/* MuPDF emits what the fonts map to, which may include U+0000, other
 * controls and, from broken ToUnicode maps, invalid sequences. */
static char *text_clean(const GString *s)
{
	g_autofree char *valid = g_utf8_make_valid(s->str, (gssize)s->len);
	GString *o = g_string_sized_new(s->len);

	for (const char *p = valid; *p; p++) {
		guchar c = (guchar)*p;

		if (c >= 0x20 || c == '\n' || c == '\t' || c == '\f')
			g_string_append_c(o, *p);
	}
	return g_string_free(o, FALSE);
}

static char *pdf_text(KjMupdf *m, pdf_document *doc, gsize max, GError **error)
{
	GString *s = g_string_new(NULL);
	TextRun *t = g_new0(TextRun, 1);
	char *text = NULL;

	fz_try(m->ctx) text_run(m, doc, max, s, t);
	fz_catch(m->ctx)
	{
		t->failed = TRUE;
		if (t->over) {
			g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT,
				    "page %d: text longer than the output limit (%zu bytes)",
				    t->pageno + 1, max);
		} else {
			char what[32];

			g_snprintf(what, sizeof what, "page %d", t->pageno + 1);
			_kj_mupdf_error(m, error, what);
		}
	}
	if (!t->failed)
		text = text_clean(s);
	g_string_free(s, TRUE);
	g_free(t);
	return text;
}

/* ---- entry points ---- */

static void close_pdf(KjMupdf *m, pdf_document *doc)
{
	fz_try(m->ctx) pdf_drop_document(m->ctx, doc);
	fz_catch(m->ctx)
	{
	}
}

static gboolean pdf_text_mode(KjMupdf *m, pdf_document *doc, KjCdrJob *job, GError **error)
{
	g_autofree char *text = pdf_text(m, doc, max_output(job->opts), error);

	if (!text)
		return FALSE;
	g_byte_array_append(job->out, (const guint8 *)text, (guint)strlen(text));
	job->out_type = "text/plain";
	job->out_ext = "txt";
	_kj_cdr_note(job, "document",
		     *text
			 ? "reduced to its text (PDF mode text)"
			 : "reduced to its text (PDF mode text): it has none, pages may be scans");
	return TRUE;
}

gboolean _kj_cdr_pdf(KjCdrJob *job, GError **error)
{
	const KjCdrOptions *o = job->opts;
	guint max_pages =
	    opt_or(o->pdf_max_pages, KJ_CDR_PDF_MAX_PAGES_DEFAULT, KJ_CDR_PDF_MAX_PAGES_CEILING);
	KjMupdf *m = _kj_mupdf_new(0, KJ_CDR_PDF_TIME_MS_DEFAULT, error);
	pdf_document *doc;
	gboolean ok = FALSE;

	if (!m)
		return FALSE;
	/* out is the engine's (cdr_private.h); the dispatcher may have made it. */
	if (!job->out)
		job->out = g_byte_array_new();
	doc = _kj_mupdf_open_pdf(m, job->data, job->len, max_pages, error);
	if (doc) {
		if (pdf_was_repaired(m->ctx, doc))
			_kj_cdr_note(job, "document", "damaged PDF structure repaired");
		switch (o->pdf_mode) {
		case KJ_CDR_PDF_TEXT:
			ok = pdf_text_mode(m, doc, job, error);
			break;
		case KJ_CDR_PDF_STRUCTURAL:
			ok = _kj_cdr_pdf_structural(m, doc, job, TRUE, error);
			break;
		case KJ_CDR_PDF_PIXEL:
		default:
			/* The inventory lists what the rendering leaves behind. */
			ok = _kj_cdr_pdf_structural(m, doc, job, FALSE, error) &&
			     pdf_pixel(m, doc, job, error);
			break;
		}
		close_pdf(m, doc);
	}
	_kj_mupdf_free(m);
	if (ok && job->out->len > max_output(o)) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT,
			    "sanitized PDF of %u bytes is larger than the output limit (%zu)",
			    job->out->len, max_output(o));
		ok = FALSE;
	}
	if (!ok) {
		/* Never leave half a file behind. */
		g_byte_array_set_size(job->out, 0);
		return FALSE;
	}
	if (ok && o->pdf_mode != KJ_CDR_PDF_TEXT) {
		job->out_type = "application/pdf";
		job->out_ext = "pdf";
	}
	return ok;
}

char *_kj_cdr_pdf_text(const guint8 *data, gsize len, const KjCdrOptions *opts, GError **error)
{
	guint max_pages = opt_or(opts ? opts->pdf_max_pages : 0, KJ_CDR_PDF_MAX_PAGES_DEFAULT,
				 KJ_CDR_PDF_MAX_PAGES_CEILING);
	KjMupdf *m = _kj_mupdf_new(0, KJ_CDR_PDF_TIME_MS_DEFAULT, error);
	pdf_document *doc;
	char *text = NULL;

	if (!m)
		return NULL;
	doc = _kj_mupdf_open_pdf(m, data, len, max_pages, error);
	if (doc) {
		text = pdf_text(m, doc, max_output(opts), error);
		close_pdf(m, doc);
	}
	_kj_mupdf_free(m);
	return text;
}
