/* mupdf.h - one MuPDF context per file, with a memory cap (see mupdf.c). */
#ifndef KJ_CDR_MUPDF_H
#define KJ_CDR_MUPDF_H

#include <glib.h>
#include <mupdf/fitz.h>
#include <mupdf/pdf.h>

/* A MuPDF context for one file.  Everything MuPDF allocates is counted
 * against cap; an allocation past it fails, MuPDF throws, and
 * _kj_mupdf_error() names the memory limit. */
typedef struct {
	fz_context *ctx;
	size_t used;     /* bytes held by MuPDF now */
	size_t peak;     /* most bytes held at once */
	size_t cap;      /* 0 = none */
	guint refused;   /* allocations refused for the cap */
	gint64 deadline; /* g_get_monotonic_time() bound, 0 = none */
	guint warnings;  /* MuPDF warnings seen (silenced) */
} KjMupdf;

/* Returns NULL with a KJ_CDR_ERROR_LIMIT error if even the context does
 * not fit in cap.  cap 0 means KJ_CDR_MUPDF_MEMORY_DEFAULT; time_ms 0 means
 * no deadline. */
KjMupdf *_kj_mupdf_new(size_t cap, guint time_ms, GError **error);
void _kj_mupdf_free(KjMupdf *m);

/* Call in fz_catch: turns the caught MuPDF error into a KJ_CDR_ERROR
 * (LIMIT for memory and time, CORRUPT otherwise) whose message starts
 * with what ("page 3", "PDF") and carries MuPDF's reason made printable. */
void _kj_mupdf_error(KjMupdf *m, GError **error, const char *what);

/* Throws FZ_ERROR_ABORT once the deadline has passed; call between pages. */
void _kj_mupdf_check_time(KjMupdf *m);

/* Opens PDF bytes (not copied: data must outlive the document).  Refuses
 * encrypted documents of every kind, with or without a user password
 * (KJ_CDR_ERROR_ENCRYPTED), and documents of more than max_pages pages
 * (KJ_CDR_ERROR_LIMIT).  NULL with error set otherwise. */
pdf_document *_kj_mupdf_open_pdf(KjMupdf *m, const guint8 *data, gsize len, guint max_pages,
				 GError **error);

/* JPEG-encodes a gray or RGB pixmap (alpha, which MuPDF premultiplies,
 * is flattened onto white) with libjpeg; MuPDF 1.21 has no JPEG encoder.
 * The output holds no metadata but the JFIF header. */
gboolean _kj_jpeg_encode(fz_context *ctx, fz_pixmap *pix, int quality, GByteArray *out,
			 GError **error);

/* Shared by the PDF engine's files (pdf.c, pdf_struct.c). */
struct KjCdrJob;

/* Writes doc into out, a full rewrite (never incremental).  hint: the
 * expected size, reserved up front.  Past max bytes it sets *err to a
 * KJ_CDR_ERROR_LIMIT error (if err and *err is NULL) and throws. */
void _kj_cdr_pdf_write(fz_context *ctx, pdf_document *doc, const pdf_write_options *wo,
		       GByteArray *out, gsize hint, gsize max, GError **err);

/* Structural mode.  rebuild TRUE: strips active content from doc, notes
 * each removal and writes the rebuilt PDF to job->out.  FALSE: only notes
 * what would be removed (the inventory pixel mode reports). */
gboolean _kj_cdr_pdf_structural(KjMupdf *m, pdf_document *doc, struct KjCdrJob *job,
				gboolean rebuild, GError **error);

#endif
