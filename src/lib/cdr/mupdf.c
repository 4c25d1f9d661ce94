/*++
 * NAME
 *	mupdf - the MuPDF context of the PDF and image engines
 * DESCRIPTION
 *	_kj_mupdf_new() makes one fz_context per file with kyojin's own
 *	allocator, which counts every byte MuPDF holds and refuses what
 *	would pass the cap: MuPDF first evicts its resource store, then
 *	throws FZ_ERROR_MEMORY, and _kj_mupdf_error() reports the memory
 *	limit by name.  Errors and warnings are silenced (MuPDF would print
 *	them on stderr, with bytes of the file in them); errors reach the
 *	caller through fz_catch and are made printable here.
 *
 *	Also here: opening a PDF from memory with the encryption and page
 *	checks both PDF modes share, and a libjpeg encoder (MuPDF 1.21 can
 *	decode JPEG but not write it).
 * SECURITY
 *	Runs in the sanitizer worker (sandbox/), under seccomp: no file is
 *	opened (fonts are compiled into libmupdf, no document handler but
 *	PDF is registered, images are opened from buffers), no memory is
 *	mapped executable.  MuPDF's JavaScript engine (mujs) stays off:
 *	pdf_enable_js() is never called.  fz_try is setjmp(): state that
 *	changes inside a try lives on the heap, behind pointers set before
 *	it (C17 7.13.2.1).
 * LIMITS
 *	KJ_CDR_MUPDF_MEMORY_DEFAULT bytes per file, KJ_CDR_MUPDF_STORE of it
 *	for MuPDF's cache; a wall-clock deadline checked between pages.
 * STANDARDS
 *	基本方針 2(12) 無害化通信, 6(3)② (files from the internet segment are
 *	made harmless before they reach LGWAN), 6(6) (malicious programs).
 * SEE ALSO
 *	pdf.c, pdf_struct.c, image.c, util/limits.h, MuPDF's fitz/context.h
 *--*/
#include "cdr/mupdf.h"
#include "cdr/cdr.h"
#include "util/limits.h"

#include <jpeglib.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* glibc's qsort() asks sysconf(_SC_PHYS_PAGES), that is sysinfo(2), the
 * first time it sorts more than 1 KB, and keeps the answer.  FreeType
 * sorts font tables with it inside the sanitizer worker, whose seccomp
 * filter kills sysinfo: so one sort runs at program start, before any
 * worker is forked (found when every PDF using a built-in font killed
 * the worker with SIGSYS). */
static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

__attribute__((constructor)) static void prime_libc_qsort(void)
{
	int v[1024];

	for (int i = 0; i < 1024; i++)
		v[i] = 1024 - i;
	qsort(v, G_N_ELEMENTS(v), sizeof v[0], cmp_int);
}

/* Every block carries its size in front; 16 bytes keep malloc's
 * alignment for MuPDF's doubles and SIMD rows. */
#define HDR 16

static void *kj_malloc(void *user, size_t size)
{
	KjMupdf *m = user;
	guint8 *p;

	if (size > SIZE_MAX - HDR || (m->cap && size > m->cap - m->used)) {
		m->refused++;
		return NULL;
	}
	p = malloc(size + HDR);
	if (!p)
		return NULL;
	*(size_t *)p = size;
	m->used += size;
	if (m->used > m->peak)
		m->peak = m->used;
	return p + HDR;
}

static void kj_free(void *user, void *ptr)
{
	KjMupdf *m = user;
	guint8 *p;

	if (!ptr)
		return;
	p = (guint8 *)ptr - HDR;
	m->used -= *(size_t *)p;
	free(p);
}

static void *kj_realloc(void *user, void *ptr, size_t size)
{
	KjMupdf *m = user;
	guint8 *p, *q;
	size_t old;

	if (!ptr)
		return kj_malloc(user, size);
	if (size == 0) {
		kj_free(user, ptr);
		return NULL;
	}
	p = (guint8 *)ptr - HDR;
	old = *(size_t *)p;
	if (size > SIZE_MAX - HDR || (m->cap && size > old && size - old > m->cap - m->used)) {
		m->refused++;
		return NULL;
	}
	q = realloc(p, size + HDR);
	if (!q)
		return NULL;
	*(size_t *)q = size;
	m->used = m->used - old + size;
	if (m->used > m->peak)
		m->peak = m->used;
	return q + HDR;
}

static void kj_warning(void *user, const char *message)
{
	KjMupdf *m = user;

	m->warnings++;
}

static void kj_silent(void *user, const char *message)
{
}

KjMupdf *_kj_mupdf_new(size_t cap, guint time_ms, GError **error)
{
	KjMupdf *m = g_new0(KjMupdf, 1);
	fz_alloc_context alloc = {m, kj_malloc, kj_realloc, kj_free};

	m->cap = cap ? cap : (size_t)KJ_CDR_MUPDF_MEMORY_DEFAULT;
	m->ctx = fz_new_context(&alloc, NULL, MIN((size_t)KJ_CDR_MUPDF_STORE, m->cap / 4));
	if (!m->ctx) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT,
			    "memory limit (%zu bytes) too small for the PDF renderer", m->cap);
		g_free(m);
		return NULL;
	}
	fz_set_error_callback(m->ctx, kj_silent, m);
	fz_set_warning_callback(m->ctx, kj_warning, m);
	if (time_ms)
		m->deadline = g_get_monotonic_time() + (gint64)time_ms * 1000;
	return m;
}

void _kj_mupdf_free(KjMupdf *m)
{
	if (!m)
		return;
	fz_drop_context(m->ctx);
	g_free(m);
}

/* MuPDF's messages quote names and strings from the file: keep them
 * printable ASCII and short, they end up in reports and logs. */
static char *printable(const char *msg)
{
	GString *s = g_string_new(NULL);

	for (const char *p = msg ? msg : ""; *p && s->len < 160; p++)
		g_string_append_c(s, (*p >= 0x20 && *p < 0x7f) ? *p : '?');
	return g_string_free(s, FALSE);
}

void _kj_mupdf_error(KjMupdf *m, GError **error, const char *what)
{
	int code = fz_caught(m->ctx);
	g_autofree char *msg = printable(fz_caught_message(m->ctx));

	if (code == FZ_ERROR_MEMORY || m->refused)
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT,
			    "%s: memory limit (%zu MB) reached", what, m->cap >> 20);
	else if (code == FZ_ERROR_ABORT && m->deadline && g_get_monotonic_time() >= m->deadline)
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT, "%s: time limit reached",
			    what);
	else
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_CORRUPT, "%s: cannot be parsed (%s)",
			    what, msg);
}

void _kj_mupdf_check_time(KjMupdf *m)
{
	if (m->deadline && g_get_monotonic_time() >= m->deadline)
		fz_throw(m->ctx, FZ_ERROR_ABORT, "time limit");
}

static pdf_document *open_pdf(fz_context *ctx, const guint8 *data, gsize len)
{
	fz_stream *stm = fz_open_memory(ctx, data, len);
	pdf_document *doc = NULL;

	fz_try(ctx) doc = pdf_open_document_with_stream(ctx, stm);
	fz_always(ctx) fz_drop_stream(ctx, stm);
	fz_catch(ctx) fz_rethrow(ctx);
	return doc;
}

pdf_document *_kj_mupdf_open_pdf(KjMupdf *m, const guint8 *data, gsize len, guint max_pages,
				 GError **error)
{
	fz_context *ctx = m->ctx;
	pdf_document *volatile doc = NULL;
	volatile int encrypted = 0, pages = 0;

	fz_try(ctx)
	{
		doc = open_pdf(ctx, data, len);
		if (pdf_needs_password(ctx, doc))
			encrypted = 2;
		else if (pdf_dict_get(ctx, pdf_trailer(ctx, doc), PDF_NAME(Encrypt)))
			encrypted = 1;
		else
			pages = pdf_count_pages(ctx, doc);
	}
	fz_catch(ctx)
	{
		_kj_mupdf_error(m, error, "PDF");
		pdf_drop_document(ctx, doc);
		return NULL;
	}
	if (encrypted) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_ENCRYPTED,
			    encrypted == 2
				? "encrypted PDF (password to open): passwords are "
				  "never guessed"
				: "encrypted PDF (owner password, restricted permissions)");
	} else if (pages <= 0) {
		g_set_error_literal(error, KJ_CDR_ERROR, KJ_CDR_ERROR_CORRUPT, "PDF has no pages");
	} else if ((guint)pages > max_pages) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT,
			    "PDF has %d pages, more than the limit of %u", pages, max_pages);
	} else {
		return doc;
	}
	fz_try(ctx) pdf_drop_document(ctx, doc);
	fz_catch(ctx)
	{
	}
	return NULL;
}

/* ---- JPEG encoding (libjpeg) ---- */

typedef struct {
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr err;
	jmp_buf jb;
	char msg[JMSG_LENGTH_MAX];
	unsigned char *buf; /* jpeg_mem_dest's, malloc()ed by libjpeg */
	unsigned long size;
	guint8 *row;
} JpegState;

static void jpeg_fail(j_common_ptr c)
{
	JpegState *st = c->client_data;

	c->err->format_message(c, st->msg);
	longjmp(st->jb, 1);
}

static void jpeg_quiet(j_common_ptr c)
{
}

static void jpeg_state_free(JpegState *st)
{
	jpeg_destroy_compress(&st->c);
	free(st->buf);
	g_free(st->row);
	g_free(st);
}

/* One row into st->row as libjpeg wants it: premultiplied alpha over
 * white is c + (255 - a). */
static void jpeg_row(JpegState *st, const guint8 *src, int w, int n, int alpha)
{
	int cn = n - alpha;

	for (int x = 0; x < w; x++) {
		int bg = alpha ? 255 - src[x * n + cn] : 0;

		for (int k = 0; k < cn; k++)
			st->row[x * cn + k] = (guint8)MIN(255, src[x * n + k] + bg);
	}
}

gboolean _kj_jpeg_encode(fz_context *ctx, fz_pixmap *pix, int quality, GByteArray *out,
			 GError **error)
{
	int w = fz_pixmap_width(ctx, pix), h = fz_pixmap_height(ctx, pix);
	int n = fz_pixmap_components(ctx, pix), alpha = fz_pixmap_alpha(ctx, pix);
	ptrdiff_t stride = fz_pixmap_stride(ctx, pix);
	guint8 *samples = fz_pixmap_samples(ctx, pix);
	JpegState *st;

	if ((n - alpha != 1 && n - alpha != 3) || w <= 0 || h <= 0 || w > 65500 || h > 65500) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT,
			    "image of %dx%d pixels cannot be written as JPEG", w, h);
		return FALSE;
	}
	st = g_new0(JpegState, 1);
	st->row = g_malloc((gsize)w * (gsize)(n - alpha));
	st->c.err = jpeg_std_error(&st->err);
	st->err.error_exit = jpeg_fail;
	st->err.output_message = jpeg_quiet;
	st->c.client_data = st;
	if (setjmp(st->jb)) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_CORRUPT, "JPEG encoding failed: %s",
			    st->msg);
		jpeg_state_free(st);
		return FALSE;
	}
	jpeg_create_compress(&st->c);
	jpeg_mem_dest(&st->c, &st->buf, &st->size);
	st->c.image_width = (JDIMENSION)w;
	st->c.image_height = (JDIMENSION)h;
	st->c.input_components = n - alpha;
	st->c.in_color_space = n - alpha == 1 ? JCS_GRAYSCALE : JCS_RGB;
	jpeg_set_defaults(&st->c);
	jpeg_set_quality(&st->c, quality, TRUE);
	st->c.dct_method = JDCT_ISLOW;
	jpeg_start_compress(&st->c, TRUE);
	for (int y = 0; y < h; y++) {
		JSAMPROW rows[1];

		if (alpha) {
			jpeg_row(st, samples + y * stride, w, n, alpha);
			rows[0] = st->row;
		} else {
			rows[0] = samples + y * stride; /* libjpeg only reads it */
		}
		jpeg_write_scanlines(&st->c, rows, 1);
	}
	jpeg_finish_compress(&st->c);
	g_byte_array_append(out, st->buf, (guint)st->size);
	jpeg_state_free(st);
	return TRUE;
}
