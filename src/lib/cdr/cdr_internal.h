/* cdr_internal.h - what the dispatcher's own files (cdr.c, detect.c,
 * text.c, archive.c, isolate.c, report.c) share beyond the engine
 * contract of cdr_private.h.  Engines written against cdr_private.h do
 * not need it. */
#ifndef KJ_CDR_CDR_INTERNAL_H
#define KJ_CDR_CDR_INTERNAL_H

#include "cdr/cdr_private.h"

/* What the content is, as far as routing is concerned. */
typedef enum {
	KJ_CDR_KIND_UNKNOWN,
	KJ_CDR_KIND_EMPTY,
	KJ_CDR_KIND_PDF,
	KJ_CDR_KIND_IMAGE,
	KJ_CDR_KIND_OOXML,
	KJ_CDR_KIND_TEXT,
	KJ_CDR_KIND_CSV,
	KJ_CDR_KIND_RTF,
	KJ_CDR_KIND_ARCHIVE,
	KJ_CDR_KIND_OLE2,
	KJ_CDR_KIND_HTML,
	KJ_CDR_KIND_SVG,
	KJ_CDR_KIND_EXECUTABLE, /* PE, ELF, Mach-O, MSI */
	KJ_CDR_KIND_SCRIPT,     /* JS, VBS, PowerShell, HTA, shell, batch */
	KJ_CDR_KIND_LNK,
	KJ_CDR_KIND_DISK_IMAGE, /* ISO, IMG, VHD, VHDX, DMG, VMDK */
	KJ_CDR_KIND_ONENOTE,
} KjCdrKind;

typedef struct {
	KjCdrKind kind;
	char *mime;        /* MIME type by content (libmagic, refined) */
	char *description; /* libmagic's description, for reasons */
	char *what;        /* short human name: "Windows executable (PE)" */
	char *polyglot;    /* non-NULL: a second format found inside, named */
} KjCdrType;

void _kj_cdr_type_clear(KjCdrType *t);

/* Types data by content.  Never fails. */
void _kj_cdr_detect(const guint8 *data, gsize len, KjCdrType *t);

/* The kind a file name's extension promises, or UNKNOWN when the
 * extension says nothing (none, ".dat", ".bin").  *always_blocked is
 * set for extensions that are refused whatever the content (.exe, .js). */
KjCdrKind _kj_cdr_kind_of_name(const char *name, gboolean *always_blocked);
/* The kind a declared MIME type promises, UNKNOWN when it says nothing. */
KjCdrKind _kj_cdr_kind_of_mime(const char *mime);
const char *_kj_cdr_kind_name(KjCdrKind kind);

/* "doc", "xls" or "ppt" for a legacy Office document the converter
 * takes (by MIME type, else by name), NULL for other OLE2 files. */
const char *_kj_cdr_ole2_ext(const char *mime, const char *name);

/* HTML and SVG to text (text.c), only when opts->html_to_text. */
gboolean _kj_cdr_html(KjCdrJob *job, gboolean svg, GError **error);

/* Expansion shared by an archive and the archives nested in it. */
typedef struct KjCdrBudget {
	guint64 total; /* expanded bytes so far, all levels */
	gsize top_len; /* compressed size of the outermost archive */
} KjCdrBudget;

/* Sanitizes with a budget inherited from an enclosing archive (NULL at
 * the top).  The result is never NULL unless error is set. */
KjCdrResult *_kj_cdr_sanitize_depth(GBytes *input, const char *name, const char *declared_type,
				    const KjCdrOptions *opts, guint depth, KjCdrBudget *budget,
				    GError **error);

KjCdrResult *_kj_cdr_result_new(void);

/* Loads what archive.c needs before a sandbox fork (a UTF-8 locale). */
void _kj_cdr_archive_global_init(void);

#endif
