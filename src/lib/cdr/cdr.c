/*++
 * NAME
 *	cdr - the file sanitization dispatcher (ファイル無害化)
 * DESCRIPTION
 *	kj_cdr_sanitize() decides what a file is by its bytes (detect.c),
 *	compares that with what its name and declared type claim, refuses
 *	what is never let through, and hands the rest to the engine for its
 *	type: PDF and images (pdf.c, image.c), Office Open XML (ooxml.c),
 *	text, CSV and RTF (text.c), archives (archive.c).  Default deny: a
 *	type without an engine in this build is blocked, never passed.
 *
 *	Verdicts: SANITIZED (a rebuilt file), BLOCKED (a type that is never
 *	delivered, a lying name, no sanitizer), HELD (could not be judged:
 *	encrypted, corrupt, over a limit, legacy Office; kept for review and
 *	release through the audited route).
 * SECURITY
 *	Runs inside the sandboxed worker (isolate.c) in production; sees the
 *	hostile bytes.  File names come from the sender: they are made safe
 *	(controls, bidi overrides, separators, reserved device names, length)
 *	before they are compared, shown or used.
 * LIMITS
 *	KjCdrOptions.max_input and max_output (cdr.* in util/limits.h).
 * STANDARDS
 *	基本方針 2(12) (無害化通信), 6(3)② (what enters LGWAN is made harmless),
 *	6(6) (malware countermeasures: executables, scripts, disk images).
 * SEE ALSO
 *	detect.c, cdr_private.h (the engine contract), report.c, isolate.c.
 *--*/
#include "kj_build_config.h"

#include "cdr/cdr_internal.h"

#include "text/text.h"
#include "util/hash.h"
#include "util/limits.h"

#include <string.h>

G_DEFINE_QUARK(kj - cdr - error - quark, kj_cdr_error)

void kj_cdr_options_init(KjCdrOptions *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->pdf_mode = KJ_CDR_PDF_PIXEL;
	opts->pdf_dpi = KJ_CDR_PDF_DPI_DEFAULT;
	opts->pdf_max_pages = KJ_CDR_PDF_MAX_PAGES_DEFAULT;
	opts->pdf_max_pixels = KJ_CDR_PDF_MAX_PIXELS_DEFAULT;
	opts->image_format = KJ_CDR_IMAGE_KEEP_KIND;
	opts->image_max_dim = KJ_CDR_IMAGE_MAX_DIM_DEFAULT;
	opts->image_max_pixels = KJ_CDR_IMAGE_MAX_PIXELS_DEFAULT;
	opts->archive_max_entries = KJ_CDR_ARCHIVE_MAX_ENTRIES_DEFAULT;
	opts->archive_max_total = KJ_CDR_ARCHIVE_MAX_TOTAL_DEFAULT;
	opts->archive_max_ratio = KJ_CDR_ARCHIVE_MAX_RATIO_DEFAULT;
	opts->archive_max_depth = KJ_CDR_ARCHIVE_MAX_DEPTH_DEFAULT;
	opts->max_input = KJ_CDR_MAX_INPUT_DEFAULT;
	opts->max_output = KJ_CDR_MAX_OUTPUT_DEFAULT;
	opts->html_to_text = FALSE;
	opts->ole2_converter = NULL;
	opts->convert_timeout_s = KJ_CDR_CONVERT_TIMEOUT_S_DEFAULT;
	opts->convert_memory = KJ_CDR_CONVERT_MEMORY_DEFAULT;
}

/* The extension a legacy Office document is converted under, by its
 * content type, or by its name when libmagic names only the container;
 * NULL for other OLE2 files (Outlook .msg, Visio, ...), which no office
 * suite turns into pages. */
const char *_kj_cdr_ole2_ext(const char *mime, const char *name)
{
	static const char *const by_name[] = {"doc", "dot", "xls", "xlt", "ppt", "pps", "pot"};
	const char *dot = name ? strrchr(name, '.') : NULL;

	if (mime && strcmp(mime, "application/msword") == 0)
		return "doc";
	if (mime && strcmp(mime, "application/vnd.ms-excel") == 0)
		return "xls";
	if (mime && strcmp(mime, "application/vnd.ms-powerpoint") == 0)
		return "ppt";
	if (mime && strcmp(mime, "application/vnd.ms-outlook") == 0)
		return NULL;
	for (gsize i = 0; dot && i < G_N_ELEMENTS(by_name); i++)
		if (g_ascii_strcasecmp(dot + 1, by_name[i]) == 0)
			return by_name[i];
	return NULL;
}

/* Reasons carry names from the file (member paths, part names) that may
 * be any bytes: they become one line of valid UTF-8 without controls,
 * or the report and the sandbox wire format would refuse them (found by
 * fuzz-cdr: an OOXML member name with invalid UTF-8 in the reason). */
static void set_verdict(KjCdrResult *r, KjCdrVerdict v, const char *reason)
{
	r->verdict = v;
	g_free(r->reason);
	r->reason = reason ? kj_text_neutralize(reason, KJ_NEUTRALIZE_LINE, NULL) : NULL;
}

static void clean_limits(KjCdrResult *r)
{
	for (guint i = 0; i < r->limits_hit->len; i++) {
		char *old = r->limits_hit->pdata[i];
		r->limits_hit->pdata[i] = kj_text_neutralize(old, KJ_NEUTRALIZE_LINE, NULL);
		g_free(old);
	}
}

/* Engine errors to verdicts: types that are refused are blocked, files
 * that could not be judged are held for review. */
static void verdict_from_error(KjCdrResult *r, const GError *err)
{
	gboolean blocked = g_error_matches(err, KJ_CDR_ERROR, KJ_CDR_ERROR_BLOCKED) ||
			   g_error_matches(err, KJ_CDR_ERROR, KJ_CDR_ERROR_UNSUPPORTED);

	if (g_error_matches(err, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT)) {
		gboolean seen = FALSE;
		for (guint i = 0; i < r->limits_hit->len; i++)
			seen |= strcmp(r->limits_hit->pdata[i], err->message) == 0;
		if (!seen)
			g_ptr_array_add(r->limits_hit, g_strdup(err->message));
	}
	r->needs_converter = g_error_matches(err, KJ_CDR_ERROR, KJ_CDR_ERROR_CONVERT);
	set_verdict(r, blocked ? KJ_CDR_BLOCKED : KJ_CDR_HELD, err->message);
}

static gboolean text_family(KjCdrKind k)
{
	return k == KJ_CDR_KIND_TEXT || k == KJ_CDR_KIND_CSV || k == KJ_CDR_KIND_HTML ||
	       k == KJ_CDR_KIND_SVG || k == KJ_CDR_KIND_RTF;
}

/* May a file that claims to be `claim` have content `content`? */
static gboolean compatible(KjCdrKind claim, KjCdrKind content)
{
	if (claim == KJ_CDR_KIND_UNKNOWN || claim == content || content == KJ_CDR_KIND_EMPTY)
		return TRUE;
	if (text_family(claim) && text_family(content))
		return TRUE;
	/* A package named as the zip it is: sanitized as an archive. */
	return claim == KJ_CDR_KIND_ARCHIVE && content == KJ_CDR_KIND_OOXML;
}

/* At most one control byte in 16, with a little slack for short files
 * (tab, newlines and form feed do not count), in the first 64 KiB.
 * Random binary data has one in eight. */
static gboolean mostly_text(const guint8 *d, gsize len)
{
	gsize n = MIN(len, 64 * 1024), bad = 0;

	for (gsize i = 0; i < n; i++)
		if ((d[i] < 0x20 && d[i] != '\t' && d[i] != '\n' && d[i] != '\r' && d[i] != '\f') ||
		    d[i] == 0x7f)
			bad++;
	return n > 0 && bad * 16 <= n + 64;
}

/* An Office file encrypted with a password (ECMA-376 agile or standard
 * encryption) is an OLE2 compound file holding an "EncryptedPackage"
 * stream, whatever its name says (.docx, .xlsx).  The directory entries
 * name streams in UTF-16LE.  Such a file cannot be inspected: the PPAP
 * pattern, held for review rather than blocked as a type mismatch. */
static gboolean ole2_encrypted_package(const guint8 *d, gsize len)
{
	static const char name[] = "E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0";

	static const guint8 ole2[] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1};

	return d != NULL && len > sizeof ole2 && memcmp(d, ole2, sizeof ole2) == 0 &&
	       memmem(d, len, name, sizeof name - 1) != NULL;
}

/* Compares claims with content.  Returns the kind to route to, or
 * UNKNOWN with the result's verdict set to BLOCKED. */
static KjCdrKind check_claims(KjCdrResult *r, const KjCdrType *t, const guint8 *d, gsize len,
			      const char *safe_name, const char *declared)
{
	gboolean name_blocked = FALSE;
	KjCdrKind nk = _kj_cdr_kind_of_name(safe_name, &name_blocked);
	KjCdrKind dk = _kj_cdr_kind_of_mime(declared);
	g_autofree char *why = NULL;
	KjCdrKind ck = t->kind;

	/* libmagic calls text with a stray NUL or escape "data"; a file
	 * named as text that is text but for a few such bytes is text. */
	if (ck == KJ_CDR_KIND_UNKNOWN && (nk == KJ_CDR_KIND_TEXT || nk == KJ_CDR_KIND_CSV) &&
	    mostly_text(d, len))
		ck = KJ_CDR_KIND_TEXT;
	if (ole2_encrypted_package(d, len)) {
		set_verdict(r, KJ_CDR_HELD,
			    "encrypted Office document (password-protected EncryptedPackage): "
			    "its content cannot be inspected (PPAP); held for review");
		return KJ_CDR_KIND_UNKNOWN;
	}
	if (t->kind == KJ_CDR_KIND_EXECUTABLE || t->kind == KJ_CDR_KIND_SCRIPT ||
	    t->kind == KJ_CDR_KIND_LNK || t->kind == KJ_CDR_KIND_DISK_IMAGE ||
	    t->kind == KJ_CDR_KIND_ONENOTE)
		why = g_strdup_printf("%s (%s) is always blocked (基本方針 6(6))",
				      _kj_cdr_kind_name(t->kind), t->what);
	else if (name_blocked)
		why = g_strdup_printf("the name \"%s\" is of a type that is always blocked: %s "
				      "(基本方針 6(6))",
				      safe_name, _kj_cdr_kind_name(nk));
	else if (t->polyglot)
		why = g_strdup_printf("polyglot: %s that also contains %s",
				      _kj_cdr_kind_name(t->kind), t->polyglot);
	else if (!compatible(nk, ck))
		why =
		    g_strdup_printf("type mismatch: the name \"%s\" says %s but the content is %s",
				    safe_name, _kj_cdr_kind_name(nk), t->what);
	else if (dk != KJ_CDR_KIND_EXECUTABLE && !compatible(dk, ck))
		why = g_strdup_printf("type mismatch: declared %s but the content is %s", declared,
				      t->what);
	else if (dk == KJ_CDR_KIND_EXECUTABLE || dk == KJ_CDR_KIND_SCRIPT)
		why =
		    g_strdup_printf("declared type %s is always blocked (基本方針 6(6))", declared);
	if (why) {
		set_verdict(r, KJ_CDR_BLOCKED, why);
		return KJ_CDR_KIND_UNKNOWN;
	}
	if (t->kind == KJ_CDR_KIND_OOXML && nk == KJ_CDR_KIND_ARCHIVE)
		return KJ_CDR_KIND_ARCHIVE;
	if (ck == KJ_CDR_KIND_TEXT || ck == KJ_CDR_KIND_EMPTY) {
		if (text_family(nk))
			return nk;
		if (text_family(dk))
			return dk;
		return KJ_CDR_KIND_TEXT;
	}
	return t->kind;
}

G_GNUC_UNUSED static gboolean unsupported(GError **error, const char *what)
{
	g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_UNSUPPORTED,
		    "no %s sanitizer in this build: blocked (default deny, 基本方針 2(12))", what);
	return FALSE;
}

/* The profile class a kind belongs to, 0 for kinds a profile does not
 * name (they have their own rules). */
static guint kind_class(KjCdrKind kind)
{
	switch (kind) {
	case KJ_CDR_KIND_PDF:
		return KJ_CDR_CLASS_PDF;
	case KJ_CDR_KIND_IMAGE:
		return KJ_CDR_CLASS_IMAGE;
	case KJ_CDR_KIND_OOXML:
		return KJ_CDR_CLASS_OFFICE;
	case KJ_CDR_KIND_OLE2:
		return KJ_CDR_CLASS_LEGACY_OFFICE;
	case KJ_CDR_KIND_TEXT:
	case KJ_CDR_KIND_CSV:
	case KJ_CDR_KIND_RTF:
		return KJ_CDR_CLASS_TEXT;
	case KJ_CDR_KIND_ARCHIVE:
		return KJ_CDR_CLASS_ARCHIVE;
	default:
		return 0;
	}
}

static gboolean route(KjCdrJob *job, KjCdrKind kind, GError **error)
{
	if (kind_class(kind) & job->opts->blocked_classes) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_BLOCKED,
			    "%s files are blocked by the profile (基本方針 2(12))",
			    _kj_cdr_kind_name(kind));
		return FALSE;
	}
	switch (kind) {
	case KJ_CDR_KIND_PDF:
#ifdef KJ_CDR_HAVE_PDF
		return _kj_cdr_pdf(job, error);
#else
		return unsupported(error, "PDF");
#endif
	case KJ_CDR_KIND_IMAGE:
#ifdef KJ_CDR_HAVE_IMAGE
		return _kj_cdr_image(job, error);
#else
		return unsupported(error, "image");
#endif
	case KJ_CDR_KIND_OOXML:
#ifdef KJ_CDR_HAVE_OOXML
		return _kj_cdr_ooxml(job, error);
#else
		return unsupported(error, "Office Open XML");
#endif
	case KJ_CDR_KIND_TEXT:
	case KJ_CDR_KIND_CSV:
	case KJ_CDR_KIND_RTF:
	case KJ_CDR_KIND_EMPTY:
		return _kj_cdr_text(job, error);
	case KJ_CDR_KIND_ARCHIVE:
		return _kj_cdr_archive(job, error);
	case KJ_CDR_KIND_HTML:
	case KJ_CDR_KIND_SVG:
		if (job->opts->html_to_text)
			return _kj_cdr_html(job, kind == KJ_CDR_KIND_SVG, error);
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_BLOCKED,
			    "%s can carry scripts and is blocked unless the profile converts it "
			    "to text (html_to_text)",
			    _kj_cdr_kind_name(kind));
		return FALSE;
	case KJ_CDR_KIND_OLE2:
		/* The worker cannot run the converter (its seccomp filter
		 * forbids exec): it says so, and the parent converts
		 * (isolate.c, convert.c) and sends the PDF back here. */
		if (job->opts->ole2_converter == NULL)
			g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_CORRUPT,
				    "legacy Office (OLE2: doc/xls/ppt) is not supported unless the "
				    "profile names a converter (converter: libreoffice): held for "
				    "review");
		else if (_kj_cdr_ole2_ext(job->detected, job->name) == NULL)
			g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_CORRUPT,
				    "OLE2 file that is not a Word, Excel or PowerPoint document "
				    "(%s): no converter for it, held for review",
				    job->detected);
		else if (job->depth > 0)
			g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_CORRUPT,
				    "legacy Office (OLE2) inside an archive is not converted: held "
				    "for review (sanitize it on its own)");
		else
			g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_CONVERT,
				    "legacy Office (OLE2) needs the converter (%s), which runs "
				    "outside the sanitizer worker: held",
				    job->opts->ole2_converter);
		return FALSE;
	default:
		g_set_error(
		    error, KJ_CDR_ERROR, KJ_CDR_ERROR_UNSUPPORTED,
		    "no sanitizer for this type (%s): blocked (default deny, 基本方針 2(12))",
		    job->detected);
		return FALSE;
	}
}

/* The MIME type the engine is told: CSV and RTF by name when the
 * content is plain text, so that text.c knows which reader to use. */
static const char *engine_type(KjCdrKind kind, const char *detected)
{
	if (kind == KJ_CDR_KIND_CSV)
		return "text/csv";
	if (kind == KJ_CDR_KIND_RTF)
		return "text/rtf";
	return detected;
}

/* NAME.EXT with EXT the output's; the name stays safe and bounded. */
static char *output_name(const char *safe_name, const char *ext)
{
	g_autofree char *base = g_strdup(safe_name ? safe_name : "file");
	char *dot = strrchr(base, '.');

	if (dot && dot != base && strlen(dot + 1) <= 10)
		*dot = '\0';
	if (ext == NULL || *ext == '\0')
		return kj_text_safe_filename(base);
	g_autofree char *full = g_strconcat(base, ".", ext, NULL);
	return kj_text_safe_filename(full);
}

/* The last component of a name that may carry a path, made safe:
 * "..\\..\\a.rtf" and "../../a.rtf" are "a.rtf". */
static char *safe_base_name(const char *name)
{
	const char *base = name;
	for (const char *p = name; *p; p++)
		if ((*p == '/' || *p == '\\') && p[1] != '\0')
			base = p + 1;
	return kj_text_safe_filename(base);
}

static void run_engine(KjCdrResult *r, const guint8 *d, gsize len, const char *safe_name,
		       const KjCdrType *t, KjCdrKind kind, const KjCdrOptions *opts, guint depth,
		       KjCdrBudget *budget)
{
	g_autoptr(GError) err = NULL;
	KjCdrJob job = {
	    .data = d,
	    .len = len,
	    .name = safe_name,
	    .detected = engine_type(kind, t->mime),
	    .opts = opts,
	    .depth = depth,
	    .actions = r->actions,
	    .limits_hit = r->limits_hit,
	    .budget = budget,
	};

	/* job.out starts as an empty array: engines append to it or replace
	 * it with their own (cdr_private.h). */
	GByteArray *pre = job.out = g_byte_array_new();
	gboolean ok = route(&job, kind, &err);
	if (job.out != pre)
		g_byte_array_unref(pre);
	if (!ok) {
		if (job.out)
			g_byte_array_unref(job.out);
		if (err == NULL)
			g_set_error(&err, KJ_CDR_ERROR, KJ_CDR_ERROR_CORRUPT,
				    "the %s sanitizer failed without a reason",
				    _kj_cdr_kind_name(kind));
		verdict_from_error(r, err);
		return;
	}
	g_return_if_fail(job.out != NULL && job.out_type != NULL);
	if (job.out->len > opts->max_output) {
		g_autofree char *m =
		    g_strdup_printf("limit: sanitized output larger than %" G_GSIZE_FORMAT
				    " bytes (cdr.max_output)",
				    opts->max_output);
		g_ptr_array_add(r->limits_hit, g_strdup(m));
		set_verdict(r, KJ_CDR_HELD, m);
		g_byte_array_unref(job.out);
		return;
	}
	char hex[KJ_SHA256_HEX_LEN + 1];
	kj_sha256_hex(job.out->data, job.out->len, hex);
	r->output_sha256 = g_strdup(hex);
	r->output = g_byte_array_free_to_bytes(job.out);
	r->output_type = g_strdup(job.out_type);
	r->output_name = output_name(safe_name, job.out_ext);
	set_verdict(r, KJ_CDR_SANITIZED, NULL);
}

KjCdrResult *_kj_cdr_sanitize_depth(GBytes *input, const char *name, const char *declared_type,
				    const KjCdrOptions *opts, guint depth, KjCdrBudget *budget,
				    GError **error)
{
	gsize len = 0;
	const guint8 *d = g_bytes_get_data(input, &len);
	KjCdrResult *r = _kj_cdr_result_new();
	char hex[KJ_SHA256_HEX_LEN + 1];
	KjCdrType t;

	kj_sha256_hex(d ? (const void *)d : "", len, hex);
	r->input_sha256 = g_strdup(hex);
	r->declared_type = g_strdup(declared_type);
	g_autofree char *safe_name = name ? safe_base_name(name) : NULL;
	if (len > opts->max_input) {
		g_autofree char *m = g_strdup_printf("limit: file larger than %" G_GSIZE_FORMAT
						     " bytes (cdr.max_input)",
						     opts->max_input);
		g_ptr_array_add(r->limits_hit, g_strdup(m));
		set_verdict(r, KJ_CDR_HELD, m);
		r->detected_type = g_strdup("application/octet-stream");
		return r;
	}
	_kj_cdr_detect(d, len, &t);
	r->detected_type = g_strdup(t.mime);
	KjCdrKind kind = check_claims(r, &t, d, len, safe_name, declared_type);
	if (kind != KJ_CDR_KIND_UNKNOWN || r->verdict == KJ_CDR_SANITIZED)
		run_engine(r, d, len, safe_name, &t, kind, opts, depth, budget);
	clean_limits(r);
	_kj_cdr_type_clear(&t);
	return r;
}

KjCdrResult *kj_cdr_sanitize(GBytes *input, const char *name, const char *declared_type,
			     const KjCdrOptions *opts, GError **error)
{
	KjCdrOptions defaults;

	g_return_val_if_fail(input != NULL, NULL);
	if (opts == NULL) {
		kj_cdr_options_init(&defaults);
		opts = &defaults;
	}
	return _kj_cdr_sanitize_depth(input, name, declared_type, opts, 0, NULL, error);
}

KjCdrResult *_kj_cdr_sanitize_member(const KjCdrJob *parent, GBytes *data, const char *name,
				     GError **error)
{
	return _kj_cdr_sanitize_depth(data, name, NULL, parent->opts, parent->depth + 1,
				      parent->budget, error);
}
