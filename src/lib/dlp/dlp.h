/* dlp.h - personal-number detection (個人番号 and 法人番号) in text,
 * documents and archives (see dlp.c, dlp_file.c). */
#ifndef KJ_DLP_DLP_H
#define KJ_DLP_DLP_H

#include <glib.h>

#define KJ_DLP_ERROR (kj_dlp_error_quark())
GQuark kj_dlp_error_quark(void);

typedef enum {
	KJ_DLP_ERROR_LIMIT,     /* a named limit was hit; the message names it */
	KJ_DLP_ERROR_ENCRYPTED, /* encrypted content cannot be scanned */
	KJ_DLP_ERROR_CORRUPT,   /* the container cannot be read */
} KjDlpError;

typedef enum {
	KJ_DLP_MY_NUMBER,        /* 個人番号: 12 digits, the last a check digit */
	KJ_DLP_CORPORATE_NUMBER, /* 法人番号: 13 digits, the first a check digit */
} KjDlpKind;

typedef enum {
	KJ_DLP_LOW,    /* valid check digit, nothing else points to a number */
	KJ_DLP_MEDIUM, /* ... and written in the 4-4-4 grouping of the card */
	KJ_DLP_HIGH,   /* ... and a keyword (個人番号, マイナンバー, ...) nearby */
} KjDlpConfidence;

/* Options; kj_dlp_options_init() gives the defaults of util/limits.h. */
typedef struct {
	guint keyword_window; /* characters searched on each side for a keyword */
	gboolean corporate;   /* also report 法人番号 (default TRUE) */
	guint min_confidence; /* KjDlpConfidence: findings below are dropped */
	guint max_findings;   /* per scan; scanning stops when reached */
	gsize max_text;       /* bytes of text scanned per file or member */
	guint archive_max_depth;
	guint archive_max_entries;
	guint64 archive_max_total; /* expanded bytes over all members */
	guint archive_max_ratio;
} KjDlpOptions;

void kj_dlp_options_init(KjDlpOptions *opts);

/* One number found.  The number itself is never kept: only its masked
 * form, so that a report or a log line cannot leak what it reports. */
typedef struct {
	KjDlpKind kind;
	KjDlpConfidence confidence;
	char *masked;   /* "********9012": all but the last four digits hidden */
	char *location; /* archive member path and/or document part, may be NULL */
	guint page;     /* PDF page (1-based), 0 when not paged */
	guint line;     /* 1-based line (paragraph for documents) */
	guint column;   /* 1-based column in characters */
} KjDlpFinding;

void kj_dlp_finding_free(KjDlpFinding *f);
const char *kj_dlp_kind_name(KjDlpKind kind);             /* "my_number", ... */
const char *kj_dlp_confidence_name(KjDlpConfidence conf); /* "high", ... */

/* Check digits of the ordinances.  digits are ASCII '0'..'9'. */
gboolean kj_dlp_my_number_valid(const char digits[12]);
gboolean kj_dlp_corporate_number_valid(const char digits[13]);

/* Scans UTF-8 text (invalid sequences are skipped) and appends
 * KjDlpFinding* to findings (which must free with kj_dlp_finding_free),
 * each with location set to a copy of location (nullable).  Returns the
 * number of findings appended.  opts is nullable (defaults). */
guint kj_dlp_scan_text(const char *utf8, gsize len, const KjDlpOptions *opts, const char *location,
		       GPtrArray *findings);

/* Scans a file of any supported kind: text and CSV in any charset,
 * OOXML (docx, xlsx, pptx), PDF (when built with MuPDF), archives (zip,
 * 7z, tar and compressions, lzh; recursively), and the printable strings
 * of other binaries.  name (nullable) is only shown.  Findings are
 * appended even when FALSE is returned: a member that cannot be read
 * does not hide what the others contain. */
gboolean kj_dlp_scan_file(GBytes *data, const char *name, const KjDlpOptions *opts,
			  GPtrArray *findings, GError **error);

#endif
