/*++
 * NAME
 *	text - text, CSV, RTF and (by profile) HTML/SVG to clean UTF-8
 * DESCRIPTION
 *	Text and CSV are decoded from whatever charset they are in (CP932
 *	from Excel's "CSV" export, EUC-JP from old Unix systems, UTF-16 with
 *	a BOM) to UTF-8, and NUL, control characters, bidi overrides and
 *	invisible format characters are removed.  CSV is written with a
 *	UTF-8 byte order mark: without it Japanese Excel reads UTF-8 as
 *	CP932 and shows mojibake.
 *
 *	RTF is reduced to its text by a small reader: groups marked \* and
 *	the destinations that hold no text for a reader (font, colour and
 *	style tables, document info, pictures, embedded objects and their
 *	\objdata, field instructions where DDE lives) are skipped; \'hh is
 *	decoded in the document's \ansicpg code page (CP932 for 932), \uN
 *	as Unicode with its \ucN fallback skipped.  The output is plain text.
 *
 *	HTML and SVG are converted with the text module's renderer when the
 *	profile asks for it (html_to_text); otherwise the dispatcher blocks
 *	them before they get here.
 * SECURITY
 *	Sandboxed worker.  The RTF reader is iterative with an explicit
 *	group stack bounded by KJ_CDR_RTF_MAX_DEPTH; numbers are clamped;
 *	\binN skips are bounded by what is left.  RTF is the carrier of
 *	Equation Editor and OLE exploits (CVE-2017-11882, CVE-2017-0199):
 *	nothing of \object survives.
 * LIMITS
 *	KJ_CDR_RTF_MAX_DEPTH groups; output at most cdr.max_output.
 * STANDARDS
 *	基本方針 2(12), 6(3)②, 6(6).  Microsoft RTF Specification 1.9.1.
 * SEE ALSO
 *	text/charset.h, text/text.h, text/html.h, cdr.c.
 *--*/
#include "cdr/cdr_internal.h"

#include "text/charset.h"
#include "text/html.h"
#include "text/text.h"
#include "util/limits.h"

#include <string.h>

static void set_output(KjCdrJob *job, const char *text, gboolean bom, const char *type,
		       const char *ext)
{
	job->out = g_byte_array_sized_new((guint)strlen(text) + 3);
	if (bom)
		g_byte_array_append(job->out, (const guint8 *)"\xef\xbb\xbf", 3);
	g_byte_array_append(job->out, (const guint8 *)text, (guint)strlen(text));
	job->out_type = type;
	job->out_ext = ext;
}

static void note_removed(KjCdrJob *job, guint removed)
{
	if (removed) {
		g_autofree char *m = g_strdup_printf(
		    "%u control, bidi or invisible format characters removed", removed);
		_kj_cdr_note(job, "text", m);
	}
}

static gboolean japanese_or_unicode(const char *cs)
{
	static const char *const names[] = {"UTF-8",     "US-ASCII", "ASCII",     "CP932",
					    "SHIFT_JIS", "EUC-JP",   "EUC-JP-MS", "ISO-2022-JP",
					    "UTF-16",    NULL};
	for (const char *const *n = names; *n; n++)
		if (g_ascii_strcasecmp(cs, *n) == 0)
			return TRUE;
	return FALSE;
}

static char *try_strict(const char *d, gsize len, const char *cs, KjCharsetInfo *info)
{
	KjCharsetInfo i;

	memset(&i, 0, sizeof(i));
	char *u = kj_charset_to_utf8(d, len, cs, &i);
	if (i.replacements == 0 && !i.mislabelled && !i.guessed) {
		*info = i;
		return u;
	}
	g_free(u);
	return NULL;
}

/* Unlabelled text: the detector first; when it names a charset that is
 * neither Japanese nor Unicode (short Shift_JIS CSVs look like Latin-1
 * to it), a clean EUC-JP or CP932 decoding wins, Japanese being what a
 * city's files are written in.  EUC-JP first: its byte pairs are also
 * valid CP932 (as half-width katakana), not the other way round. */
static char *decode(const char *d, gsize len, const char *declared, KjCharsetInfo *info)
{
	char *u = kj_charset_to_utf8(d, len, declared, info);
	char *ja;

	if (declared || japanese_or_unicode(info->charset))
		return u;
	if ((ja = try_strict(d, len, "EUC-JP", info)) || (ja = try_strict(d, len, "CP932", info))) {
		g_free(u);
		return ja;
	}
	return u;
}

static gboolean plain_text(KjCdrJob *job, gboolean csv, GError **error)
{
	const char *d = (const char *)job->data;
	gsize len = job->len;
	const char *declared = NULL;
	KjCharsetInfo info;
	guint removed = 0;

	memset(&info, 0, sizeof(info));

	if (len >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0) {
		d += 3, len -= 3;
		declared = "UTF-8";
	} else if (len >= 2 && (memcmp(d, "\xff\xfe", 2) == 0 || memcmp(d, "\xfe\xff", 2) == 0)) {
		declared = "UTF-16";
	}
	g_autofree char *utf8 = decode(d, len, declared, &info);
	/* iconv keeps a UTF-16 BOM as U+FEFF; neutralize removes it. */
	g_autofree char *clean = kj_text_neutralize(utf8, KJ_NEUTRALIZE_BODY, &removed);
	if (info.charset[0] && g_ascii_strcasecmp(info.charset, "UTF-8") != 0 &&
	    g_ascii_strcasecmp(info.charset, "US-ASCII") != 0 && len > 0) {
		g_autofree char *m = g_strdup_printf("converted from %s to UTF-8", info.charset);
		_kj_cdr_note(job, "text", m);
	}
	if (info.replacements) {
		g_autofree char *m = g_strdup_printf(
		    "%u undecodable bytes or NULs replaced with U+FFFD", info.replacements);
		_kj_cdr_note(job, "text", m);
	}
	note_removed(job, removed);
	if (csv) {
		_kj_cdr_note(job, "text", "written as UTF-8 with a byte order mark (for Excel)");
		set_output(job, clean, TRUE, "text/csv", "csv");
	} else {
		set_output(job, clean, FALSE, "text/plain", "txt");
	}
	return TRUE;
}

/* RTF reader state.  bytes holds text in the document's code page until
 * a \uN or the end flushes it. */
typedef struct {
	const char *p, *end;
	GString *out;
	GByteArray *bytes;
	char codepage[16];
	gsize max_output;
	guint skipped_objects;
	/* per group */
	guint depth;
	gboolean skip[KJ_CDR_RTF_MAX_DEPTH + 1];
	int uc[KJ_CDR_RTF_MAX_DEPTH + 1];
	int pending_skip; /* fallback characters after \uN still to skip */
} Rtf;

static void rtf_flush(Rtf *r)
{
	if (r->bytes->len == 0)
		return;
	g_autofree char *u =
	    kj_charset_to_utf8((const char *)r->bytes->data, r->bytes->len, r->codepage, NULL);
	g_string_append(r->out, u);
	g_byte_array_set_size(r->bytes, 0);
}

static void rtf_byte(Rtf *r, guint8 c)
{
	if (r->skip[r->depth])
		return;
	if (r->pending_skip > 0) {
		r->pending_skip--;
		return;
	}
	g_byte_array_append(r->bytes, &c, 1);
}

static void rtf_unichar(Rtf *r, long n)
{
	if (r->skip[r->depth])
		return;
	rtf_flush(r);
	if (n < 0)
		n += 65536;
	gunichar c = (gunichar)n;
	if (!g_unichar_validate(c))
		c = 0xFFFD;
	g_string_append_unichar(r->out, c);
	r->pending_skip = r->uc[r->depth];
}

static gboolean skipped_destination(const char *w)
{
	static const char *const dests[] = {
	    "fonttbl",
	    "colortbl",
	    "stylesheet",
	    "info",
	    "pict",
	    "object",
	    "objdata",
	    "objclass",
	    "objname",
	    "fldinst",
	    "themedata",
	    "datastore",
	    "xmlnstbl",
	    "listtable",
	    "listoverridetable",
	    "rsidtbl",
	    "generator",
	    "latentstyles",
	    "datafield",
	    "filetbl",
	    "revtbl",
	    "colorschememapping",
	    "mmathPr",
	    "xmlopen",
	    "header",
	    "footer",
	    "headerl",
	    "headerr",
	    "footerl",
	    "footerr",
	    "private",
	    "nonshppict",
	    "shpinst",
	    "blipuid",
	    NULL,
	};
	for (const char *const *d = dests; *d; d++)
		if (strcmp(w, *d) == 0)
			return TRUE;
	return FALSE;
}

static void rtf_word(Rtf *r, const char *w, gboolean has_n, long n)
{
	if (skipped_destination(w)) {
		if (!r->skip[r->depth] && (strcmp(w, "object") == 0 || strcmp(w, "objdata") == 0 ||
					   strcmp(w, "pict") == 0))
			r->skipped_objects++;
		r->skip[r->depth] = TRUE;
	} else if (strcmp(w, "par") == 0 || strcmp(w, "line") == 0 || strcmp(w, "row") == 0) {
		rtf_byte(r, '\n');
	} else if (strcmp(w, "tab") == 0 || strcmp(w, "cell") == 0) {
		rtf_byte(r, '\t');
	} else if (strcmp(w, "u") == 0 && has_n) {
		rtf_unichar(r, CLAMP(n, -32768, 65535));
	} else if (strcmp(w, "uc") == 0 && has_n) {
		r->uc[r->depth] = (int)CLAMP(n, 0, 8);
	} else if (strcmp(w, "ansicpg") == 0 && has_n) {
		rtf_flush(r);
		long cp = CLAMP(n, 0, 99999);
		if (cp == 932)
			g_strlcpy(r->codepage, "CP932", sizeof(r->codepage));
		else
			g_snprintf(r->codepage, sizeof(r->codepage), "CP%ld", cp);
	} else if (strcmp(w, "bin") == 0 && has_n) {
		/* Binary data follows the keyword: skip it unseen. */
		gsize skip = (gsize)CLAMP(n, 0, (long)(r->end - r->p));
		r->p += skip;
	} else if (strcmp(w, "emdash") == 0) {
		rtf_flush(r);
		g_string_append(r->out, "\u2014");
	}
}

static void rtf_control(Rtf *r)
{
	char word[33];
	gsize wl = 0;

	if (r->p >= r->end)
		return;
	char c = *r->p;
	if (!g_ascii_isalpha(c)) {
		r->p++;
		if (c == '\'' && r->end - r->p >= 2 && g_ascii_isxdigit(r->p[0]) &&
		    g_ascii_isxdigit(r->p[1])) {
			rtf_byte(r, (guint8)(g_ascii_xdigit_value(r->p[0]) * 16 +
					     g_ascii_xdigit_value(r->p[1])));
			r->p += 2;
		} else if (c == '*') {
			r->skip[r->depth] = TRUE;
		} else if (c == '\\' || c == '{' || c == '}') {
			rtf_byte(r, (guint8)c);
		} else if (c == '~') {
			rtf_byte(r, ' ');
		} else if (c == '_') {
			rtf_byte(r, '-');
		} else if (c == '\n' || c == '\r') {
			rtf_byte(r, '\n');
		}
		return;
	}
	while (r->p < r->end && g_ascii_isalpha(*r->p)) {
		if (wl < sizeof(word) - 1)
			word[wl++] = *r->p;
		r->p++;
	}
	word[wl] = '\0';
	gboolean neg = FALSE, has_n = FALSE;
	long n = 0;
	if (r->p < r->end && *r->p == '-')
		neg = TRUE, r->p++;
	while (r->p < r->end && g_ascii_isdigit(*r->p)) {
		has_n = TRUE;
		if (n < 10000000)
			n = n * 10 + (*r->p - '0');
		r->p++;
	}
	if (r->p < r->end && *r->p == ' ')
		r->p++;
	rtf_word(r, word, has_n, neg ? -n : n);
}

static gboolean rtf_run(Rtf *r, GError **error)
{
	while (r->p < r->end) {
		char c = *r->p;
		if (r->out->len + r->bytes->len > r->max_output) {
			g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT,
				    "limit: RTF text larger than %" G_GSIZE_FORMAT
				    " bytes (cdr.max_output)",
				    r->max_output);
			return FALSE;
		}
		if (c == '{') {
			r->p++;
			if (r->depth >= KJ_CDR_RTF_MAX_DEPTH) {
				g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT,
					    "limit: RTF groups nested deeper than %d",
					    KJ_CDR_RTF_MAX_DEPTH);
				return FALSE;
			}
			r->depth++;
			r->skip[r->depth] = r->skip[r->depth - 1];
			r->uc[r->depth] = r->uc[r->depth - 1];
		} else if (c == '}') {
			r->p++;
			if (r->depth > 0)
				r->depth--;
			r->pending_skip = 0;
		} else if (c == '\\') {
			r->p++;
			rtf_control(r);
		} else {
			r->p++;
			if (c != '\r' && c != '\n')
				rtf_byte(r, (guint8)c);
		}
	}
	rtf_flush(r);
	return TRUE;
}

static gboolean rtf_text(KjCdrJob *job, GError **error)
{
	g_autofree Rtf *r = g_new0(Rtf, 1);
	guint removed = 0;

	r->p = (const char *)job->data;
	r->end = r->p + job->len;
	r->out = g_string_new(NULL);
	r->bytes = g_byte_array_new();
	r->max_output = job->opts->max_output;
	r->uc[0] = 1;
	g_strlcpy(r->codepage, "CP1252", sizeof(r->codepage));
	gboolean ok = rtf_run(r, error);
	g_byte_array_unref(r->bytes);
	g_autofree char *text = g_string_free(r->out, !ok);
	if (!ok)
		return FALSE;
	_kj_cdr_note(job, "document",
		     "RTF reduced to plain text (formatting, fields and "
		     "embedded content removed)");
	if (r->skipped_objects) {
		g_autofree char *m =
		    g_strdup_printf("%u embedded objects or pictures removed", r->skipped_objects);
		_kj_cdr_note(job, "\\object", m);
	}
	g_autofree char *clean = kj_text_neutralize(text, KJ_NEUTRALIZE_BODY, &removed);
	note_removed(job, removed);
	set_output(job, clean, FALSE, "text/plain", "txt");
	return TRUE;
}

gboolean _kj_cdr_text(KjCdrJob *job, GError **error)
{
	const char *t = job->detected ? job->detected : "";

	if (strcmp(t, "text/rtf") == 0 || strcmp(t, "application/rtf") == 0 ||
	    (job->len >= 5 && memcmp(job->data, "{\\rtf", 5) == 0))
		return rtf_text(job, error);
	return plain_text(job, strcmp(t, "text/csv") == 0, error);
}

gboolean _kj_cdr_html(KjCdrJob *job, gboolean svg, GError **error)
{
	KjHtmlOptions ho;
	KjHtmlResult res = {0};
	g_autoptr(GError) err = NULL;

	kj_html_options_init(&ho);
	ho.max_output = MIN(ho.max_output, job->opts->max_output);
	char *text = kj_html_to_text((const char *)job->data, job->len, NULL, &ho, &res, &err);
	if (text == NULL) {
		kj_html_result_clear(&res);
		g_set_error(error, KJ_CDR_ERROR,
			    g_error_matches(err, KJ_TEXT_ERROR, KJ_TEXT_ERROR_LIMIT)
				? KJ_CDR_ERROR_LIMIT
				: KJ_CDR_ERROR_CORRUPT,
			    "%s to text: %s", svg ? "SVG" : "HTML", err ? err->message : "failed");
		return FALSE;
	}
	g_autofree char *m = g_strdup_printf(
	    "%s converted to text (profile html_to_text): %u scripts/styles/objects dropped, "
	    "links defanged",
	    svg ? "SVG" : "HTML", res.dropped_elements);
	_kj_cdr_note(job, "document", m);
	set_output(job, text, FALSE, "text/plain", "txt");
	g_free(text);
	kj_html_result_clear(&res);
	return TRUE;
}
