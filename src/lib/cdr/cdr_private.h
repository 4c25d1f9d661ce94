/* cdr_private.h - the contract between the CDR dispatcher (cdr.c) and the
 * format engines (pdf.c, image.c, ooxml.c, text.c, archive.c, ...). */
#ifndef KJ_CDR_CDR_PRIVATE_H
#define KJ_CDR_CDR_PRIVATE_H

#include "cdr/cdr.h"

/* One file being sanitized.  The dispatcher fills the input half; an
 * engine fills the output half or fails with a KJ_CDR_ERROR code. */
typedef struct KjCdrJob {
	/* input */
	const guint8 *data;
	gsize len;
	const char *name;     /* display-safe name, may be NULL */
	const char *detected; /* MIME type by content (libmagic) */
	const KjCdrOptions *opts;
	guint depth; /* archive nesting: 0 for the top file */
	/* output */
	GByteArray *out;       /* the rebuilt file: the dispatcher passes an empty
			       * array; append to it or replace it (the
			       * dispatcher frees the one it gave) */
	const char *out_type;  /* MIME type of out (static string) */
	const char *out_ext;   /* extension of out without the dot (static string) */
	GPtrArray *actions;    /* KjCdrAction*, owned by the dispatcher: use _kj_cdr_note() */
	GPtrArray *limits_hit; /* char*, owned by the dispatcher */
	/* Added for archive.c (engines ignore it): the expansion budget
	 * shared with enclosing archives, NULL outside an archive. */
	struct KjCdrBudget *budget;
} KjCdrJob;

/* Records a removal or change for the report.  location and what are copied. */
void _kj_cdr_note(KjCdrJob *job, const char *location, const char *what);

/* Engines.  TRUE: job->out, out_type and out_ext are set.  FALSE: error
 * set with a KJ_CDR_ERROR code and a message naming what and where. */
gboolean _kj_cdr_pdf(KjCdrJob *job, GError **error);     /* pdf.c (MuPDF) */
gboolean _kj_cdr_image(KjCdrJob *job, GError **error);   /* image.c (MuPDF) */
gboolean _kj_cdr_ooxml(KjCdrJob *job, GError **error);   /* ooxml.c (libarchive + libxml2) */
gboolean _kj_cdr_text(KjCdrJob *job, GError **error);    /* text.c: text, CSV, RTF */
gboolean _kj_cdr_archive(KjCdrJob *job, GError **error); /* archive.c (libarchive) */

/* Sanitizes one member of an archive through the dispatcher (recursion
 * with job->depth + 1); used by archive.c. */
KjCdrResult *_kj_cdr_sanitize_member(const KjCdrJob *parent, GBytes *data, const char *name,
				     GError **error);

/* Text extraction for personal-number scanning (dlp/).  Each returns
 * UTF-8 text or NULL with error (encrypted, corrupt, limit). */
char *_kj_cdr_pdf_text(const guint8 *data, gsize len, const KjCdrOptions *opts,
		       GError **error); /* pdf.c */
char *_kj_cdr_ooxml_text(const guint8 *data, gsize len, const KjCdrOptions *opts,
			 GError **error); /* ooxml.c */

#endif
