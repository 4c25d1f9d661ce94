/* cdr.h - file sanitization (ファイル無害化): content disarm and reconstruction. */
#ifndef KJ_CDR_CDR_H
#define KJ_CDR_CDR_H

#include <glib.h>
#include <jansson.h>

#define KJ_CDR_ERROR (kj_cdr_error_quark())
GQuark kj_cdr_error_quark(void);

/* Engines fail with one of these; the dispatcher turns them into a
 * verdict (BLOCKED or HELD) with error->message as the reason. */
typedef enum {
	KJ_CDR_ERROR_BLOCKED,     /* a type that is never let through, or a lying type */
	KJ_CDR_ERROR_UNSUPPORTED, /* no sanitizer for this type: default deny (blocked) */
	KJ_CDR_ERROR_ENCRYPTED,   /* encrypted content (PPAP, encrypted PDF/Office): held */
	KJ_CDR_ERROR_LIMIT,       /* a limit was hit; the message names it: held */
	KJ_CDR_ERROR_CORRUPT,     /* cannot be parsed: held */
	KJ_CDR_ERROR_IO,          /* cannot read input or write output */
	KJ_CDR_ERROR_CONVERT,     /* legacy Office for the converter, outside the worker: held */
	KJ_CDR_ERROR_PROFILE,     /* a profile file or name is not acceptable (front ends) */
} KjCdrError;

typedef enum {
	KJ_CDR_SANITIZED,
	KJ_CDR_BLOCKED,
	KJ_CDR_HELD,
} KjCdrVerdict;

typedef enum {
	KJ_CDR_PDF_PIXEL,      /* every page rendered, a new PDF of images only (default) */
	KJ_CDR_PDF_STRUCTURAL, /* rebuilt PDF without active content, text kept */
	KJ_CDR_PDF_TEXT,       /* UTF-8 text only */
} KjCdrPdfMode;

typedef enum {
	KJ_CDR_IMAGE_PNG,
	KJ_CDR_IMAGE_JPEG,
	KJ_CDR_IMAGE_KEEP_KIND, /* JPEG stays JPEG, everything else becomes PNG (default) */
} KjCdrImageFormat;

/* Kinds of file a profile may refuse (KjCdrOptions.blocked_classes). */
typedef enum {
	KJ_CDR_CLASS_PDF = 1 << 0,
	KJ_CDR_CLASS_IMAGE = 1 << 1,
	KJ_CDR_CLASS_OFFICE = 1 << 2,        /* OOXML: docx, xlsx, pptx and macro forms */
	KJ_CDR_CLASS_LEGACY_OFFICE = 1 << 3, /* OLE2: doc, xls, ppt */
	KJ_CDR_CLASS_TEXT = 1 << 4,          /* text, CSV, RTF */
	KJ_CDR_CLASS_ARCHIVE = 1 << 5,
} KjCdrClass;

/* Options of one run; kj_cdr_options_init() gives the named defaults of
 * util/limits.h.  Engines read only what concerns them. */
typedef struct {
	KjCdrPdfMode pdf_mode;
	guint pdf_dpi;
	guint pdf_max_pages;
	guint64 pdf_max_pixels; /* per page */
	KjCdrImageFormat image_format;
	guint image_max_dim; /* width or height */
	guint64 image_max_pixels;
	guint archive_max_entries;
	guint64 archive_max_total; /* expanded bytes over all members */
	guint archive_max_ratio;   /* expanded / compressed */
	guint archive_max_depth;
	gsize max_input;            /* bytes */
	gsize max_output;           /* bytes */
	gboolean html_to_text;      /* profile: convert HTML/SVG to text instead of blocking */
	const char *ole2_converter; /* NULL: OLE2 held as unsupported; else "libreoffice",
				     * a program name in PATH or an absolute path */
	guint convert_timeout_s;    /* wall clock of one conversion */
	guint64 convert_memory;     /* address space of the converter */
	guint blocked_classes;      /* KjCdrClass bits the profile refuses (blocked) */
} KjCdrOptions;

void kj_cdr_options_init(KjCdrOptions *opts);

/* One removal or change, for the report: where and what. */
typedef struct {
	char *location; /* part name, page, member path, ... */
	char *what;     /* "VBA project removed", "JavaScript action removed", ... */
} KjCdrAction;

typedef struct {
	KjCdrVerdict verdict;
	char *reason;        /* NULL when sanitized */
	char *detected_type; /* MIME type by content */
	char *declared_type; /* from the caller, may be NULL */
	char *input_sha256;
	char *output_sha256;   /* NULL unless sanitized */
	GBytes *output;        /* NULL unless sanitized */
	char *output_name;     /* safe name, extension matching the output */
	char *output_type;     /* MIME type of the output */
	GPtrArray *actions;    /* KjCdrAction* */
	GPtrArray *limits_hit; /* char* */
	/* Additions: */
	gboolean needs_converter; /* HELD: legacy Office that the profile's converter may turn
				   * into a PDF (kj_cdr_worker_sanitize() does) */
	char *converter;          /* non-NULL: the output was made from the converter's PDF;
				   * says what ran and how it was isolated */
} KjCdrResult;

void kj_cdr_result_free(KjCdrResult *r);
json_t *kj_cdr_result_to_json(const KjCdrResult *r); /* the report */

/* Sanitizes one file, in-process (callers isolate it with the sandbox;
 * see kj_cdr_sanitize_isolated()).  Returns NULL only for programmer
 * errors or I/O; bad input is a result with verdict BLOCKED or HELD. */
KjCdrResult *kj_cdr_sanitize(GBytes *input, const char *name, const char *declared_type,
			     const KjCdrOptions *opts, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KjCdrResult, kj_cdr_result_free)

/* Additions to the contract (the dispatcher's engineer; nothing above
 * changed). */

/* "sanitized", "blocked" or "held" (static). */
const char *kj_cdr_verdict_name(KjCdrVerdict v);

/* Loads the libmagic databases once per process.  Call before the first
 * sandbox fork (kj_cdr_worker_new() does): a worker may not open files. */
void kj_cdr_global_init(void);

typedef enum {
	KJ_CDR_ISOLATE_REUSE,     /* default: a sandboxed worker serves many files */
	KJ_CDR_ISOLATE_FORK_EACH, /* a fresh sandboxed worker per file */
	KJ_CDR_ISOLATE_NONE,      /* in-process, NO isolation: debugging and fuzzing only */
} KjCdrIsolation;

/* A sanitizer worker: kj_cdr_sanitize() inside the sandbox (sandbox/).
 * opts is copied; its strings must outlive the worker.  One thread at a
 * time per worker. */
typedef struct KjCdrWorker KjCdrWorker;
KjCdrWorker *kj_cdr_worker_new(const KjCdrOptions *opts, KjCdrIsolation mode);
void kj_cdr_worker_free(KjCdrWorker *w);
/* Like kj_cdr_sanitize(); a worker that crashes, times out or sends a
 * damaged result gives a HELD result naming what happened. */
KjCdrResult *kj_cdr_worker_sanitize(KjCdrWorker *w, GBytes *input, const char *name,
				    const char *declared_type, GError **error);
/* One file in a fresh sandboxed worker. */
KjCdrResult *kj_cdr_sanitize_isolated(GBytes *input, const char *name, const char *declared_type,
				      const KjCdrOptions *opts, GError **error);

/* The result across the sandbox socket (isolate.c); for tests and fuzzing. */
GBytes *kj_cdr_result_serialize(const KjCdrResult *r);
KjCdrResult *kj_cdr_result_deserialize(GBytes *bytes, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KjCdrWorker, kj_cdr_worker_free)

/* A file profile (profile.c): options after a site's choices.  Built-in
 * profiles: "default", "office" (legacy Office converted), "strict",
 * "text".  base (may be NULL: defaults) is what the configuration made of
 * the defaults; the profile starts from it. */
typedef struct {
	char *name;
	KjCdrOptions opts; /* opts.ole2_converter points into converter */
	char *converter;
} KjCdrProfile;

KjCdrProfile *kj_cdr_profile_new(const char *builtin, const KjCdrOptions *base, GError **error);
/* A YAML profile given as a buffer; file names it in errors
 * ("FILE:LINE:COL: ..."). */
KjCdrProfile *kj_cdr_profile_new_from_data(const char *file, const char *data, gsize len,
					   const KjCdrOptions *base, GError **error);
void kj_cdr_profile_free(KjCdrProfile *p);
/* Names of the built-in profiles, NULL-terminated, static. */
const char *const *kj_cdr_profile_builtins(void);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(KjCdrProfile, kj_cdr_profile_free)

/* Runs opts->ole2_converter (LibreOffice headless) on one legacy Office
 * document in a separate, isolated process (convert.c) and returns the
 * PDF it wrote, not yet sanitized.  ext ("doc", "xls", "ppt") names the
 * input file.  *how (may be NULL) says what ran and how it was isolated.
 * Fails with KJ_CDR_ERROR_LIMIT (time), _CORRUPT (crash, no or bad
 * output) or _UNSUPPORTED (no converter installed). */
GBytes *kj_cdr_convert_to_pdf(const guint8 *data, gsize len, const char *ext,
			      const KjCdrOptions *opts, char **how, GError **error);

#endif
