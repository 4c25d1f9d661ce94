/*++
 * NAME
 *	dlp_file - personal numbers in files: text, CSV, OOXML, PDF, archives
 * DESCRIPTION
 *	kj_dlp_scan_file() decides what a file is by its first bytes (never
 *	by its name, which the sender chose) and turns it into text for
 *	dlp.c:
 *
 *	  zip with [Content_Types].xml  OOXML text per part (cdr/ooxml.c)
 *	  %PDF-                         page text (cdr/pdf.c, with MuPDF)
 *	  zip, 7z, tar, gzip, bzip2, xz, zstd, lzh, rar, cab
 *	                                every member, recursively (libarchive)
 *	  OLE2 (doc, xls, ppt) and other binaries
 *	                                their printable strings, ASCII and
 *	                                UTF-16LE (legacy Office keeps text so)
 *	  anything else                 text in any charset (text/charset.c)
 *
 *	Locations name the archive member path ("a.zip/b/c.csv") and the
 *	document part ("word/document.xml") or page.
 * SECURITY
 *	Parses untrusted files in the calling process: the gateway calls it
 *	inside its sandboxed worker, the CLI for files of its own user.
 *	Archives are read from memory and never written out; every member
 *	counts against entry, size, ratio and depth limits while streaming,
 *	so a zip bomb stops the scan in bounded memory.  An encrypted member
 *	cannot be scanned and is reported as such: a file that cannot be
 *	checked is not clean (基本方針 6(3)①).
 * LIMITS
 *	KJ_DLP_MAX_TEXT_DEFAULT and KJ_DLP_ARCHIVE_* (util/limits.h).
 * STANDARDS
 *	基本方針 6(3)①, 2(12), 6(6).  ECMA-376 Part 2 (OPC packages).
 * SEE ALSO
 *	dlp.c, cdr/ooxml_text.c, cdr/pdf.c
 *--*/
#include "dlp/dlp.h"

#include "cdr/cdr_private.h"
#include "cdr/ooxml.h"
#include "text/charset.h"
#include "util/limits.h"

#include <archive.h>
#include <archive_entry.h>
#include <string.h>

typedef struct {
	const KjDlpOptions *opts;
	GPtrArray *findings;
	guint entries;
	guint64 total;
	GError *error; /* the first member that could not be read */
} Scan;

static void scan_bytes(Scan *sc, const guint8 *data, gsize len, const char *location, guint depth);

static void fail(Scan *sc, int code, const char *location, const char *what)
{
	if (sc->error == NULL)
		g_set_error(&sc->error, KJ_DLP_ERROR, code, "%s%s%s", location ? location : "",
			    location ? ": " : "", what);
}

static gboolean has_at(const guint8 *d, gsize len, gsize off, const char *magic, gsize mlen)
{
	return len >= off + mlen && memcmp(d + off, magic, mlen) == 0;
}

/* Single compressed streams: decompressed first, then sniffed again.
 * Letting libarchive's tar reader see them hid data: a stream starting
 * with two zero blocks is an empty tar to it, whatever follows. */
static gboolean is_compressed(const guint8 *d, gsize len)
{
	return has_at(d, len, 0, "\x1f\x8b", 2) || has_at(d, len, 0, "BZh", 3) ||
	       has_at(d, len, 0,
		      "\xfd"
		      "7zXZ",
		      5) ||
	       has_at(d, len, 0, "\x28\xb5\x2f\xfd", 4);
}

static gboolean is_archive(const guint8 *d, gsize len)
{
	return has_at(d, len, 0, "PK\x03\x04", 4) || has_at(d, len, 0, "PK\x05\x06", 4) ||
	       has_at(d, len, 0, "7z\xbc\xaf\x27\x1c", 6) || has_at(d, len, 257, "ustar", 5) ||
	       has_at(d, len, 0, "Rar!", 4) || has_at(d, len, 0, "MSCF", 4) ||
	       (has_at(d, len, 2, "-lh", 3) && has_at(d, len, 6, "-", 1));
}

static gboolean looks_binary(const guint8 *d, gsize len)
{
	if (has_at(d, len, 0, "\xff\xfe", 2) || has_at(d, len, 0, "\xfe\xff", 2))
		return FALSE; /* UTF-16 text with a BOM */
	return memchr(d, 0, MIN(len, (gsize)8192)) != NULL;
}

static void scan_text(Scan *sc, const char *text, gsize len, const char *location)
{
	if (len > sc->opts->max_text) {
		fail(sc, KJ_DLP_ERROR_LIMIT, location,
		     "text longer than dlp.max_text_bytes; not scanned whole");
		len = sc->opts->max_text;
	}
	guint room = sc->opts->max_findings > sc->findings->len
			 ? sc->opts->max_findings - sc->findings->len
			 : 0;
	KjDlpOptions o = *sc->opts;
	o.max_findings = room;
	if (room)
		kj_dlp_scan_text(text, len, &o, location, sc->findings);
}

/* Printable ASCII runs and UTF-16LE runs of ASCII, one per line: the
 * text of legacy Office files and of formats kyojin cannot parse. */
static void scan_strings(Scan *sc, const guint8 *d, gsize len, const char *location)
{
	GString *s = g_string_sized_new(MIN(len, (gsize)65536));

	for (gsize i = 0; i < len; i++) {
		guint8 c = d[i];
		if (c >= 0x20 && c < 0x7f) {
			g_string_append_c(s, (char)c);
			if (i + 1 < len && d[i + 1] == 0 && i + 2 < len && d[i + 2] >= 0x20 &&
			    d[i + 2] < 0x7f)
				i++; /* UTF-16LE: skip the high byte */
		} else if (s->len && s->str[s->len - 1] != '\n') {
			g_string_append_c(s, '\n');
		}
	}
	g_autofree char *loc =
	    g_strdup_printf("%s%s(strings)", location ? location : "", location ? " " : "");
	scan_text(sc, s->str, s->len, loc);
	g_string_free(s, TRUE);
}

static char *join_location(const char *parent, const char *child)
{
	if (parent == NULL || *parent == '\0')
		return g_strdup(child);
	return g_strconcat(parent, "/", child, NULL);
}

static gboolean scan_ooxml(Scan *sc, const guint8 *d, gsize len, const char *location)
{
#ifdef KJ_CDR_HAVE_OOXML
	KjCdrOptions co;
	g_autoptr(GError) error = NULL;

	kj_cdr_options_init(&co);
	co.archive_max_entries = sc->opts->archive_max_entries;
	co.archive_max_total = sc->opts->archive_max_total;
	co.archive_max_ratio = sc->opts->archive_max_ratio;
	GPtrArray *parts = _kj_cdr_ooxml_text_parts(d, len, &co, &error);
	if (parts == NULL) {
		if (g_error_matches(error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT))
			fail(sc, KJ_DLP_ERROR_LIMIT, location, error->message);
		return g_error_matches(error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT);
	}
	for (guint i = 0; i < parts->len; i++) {
		const KjOoxmlText *t = parts->pdata[i];
		g_autofree char *loc = join_location(location, t->part);
		scan_text(sc, t->text, strlen(t->text), loc);
	}
	g_ptr_array_free(parts, TRUE);
	return TRUE;
#else
	return FALSE;
#endif
}

static void scan_pdf(Scan *sc, const guint8 *d, gsize len, const char *location)
{
#ifdef KJ_CDR_HAVE_PDF
	KjCdrOptions co;
	g_autoptr(GError) error = NULL;

	kj_cdr_options_init(&co);
	g_autofree char *text = _kj_cdr_pdf_text(d, len, &co, &error);
	if (text == NULL) {
		fail(sc,
		     g_error_matches(error, KJ_CDR_ERROR, KJ_CDR_ERROR_ENCRYPTED)
			 ? KJ_DLP_ERROR_ENCRYPTED
			 : KJ_DLP_ERROR_CORRUPT,
		     location, error->message);
		return;
	}
	/* Pages are separated by form feeds; each page is scanned alone so
	 * that findings carry their page. */
	guint page = 1;
	for (char *p = text;; page++) {
		char *ff = strchr(p, '\f');
		gsize n = ff ? (gsize)(ff - p) : strlen(p);
		guint before = sc->findings->len;
		scan_text(sc, p, n, location);
		for (guint i = before; i < sc->findings->len; i++)
			((KjDlpFinding *)sc->findings->pdata[i])->page = page;
		if (ff == NULL)
			break;
		p = ff + 1;
	}
#else
	scan_strings(sc, d, len, location);
#endif
}

/* The total counts over every nesting level; the ratio is per archive,
 * against that archive's own bytes (a small zip inside a large one is
 * not a bomb because the large one expanded first). */
static gboolean entry_limits(Scan *sc, guint64 add, guint64 *expanded, gsize archive_len,
			     const char *loc)
{
	sc->total += add;
	*expanded += add;
	if (sc->total > sc->opts->archive_max_total) {
		fail(sc, KJ_DLP_ERROR_LIMIT, loc, "archive expands beyond dlp.archive_max_total");
		return FALSE;
	}
	if (*expanded > 1024 * 1024 &&
	    *expanded / MAX(archive_len, (gsize)1) > sc->opts->archive_max_ratio) {
		fail(sc, KJ_DLP_ERROR_LIMIT, loc,
		     "archive expansion ratio above dlp.archive_max_ratio (zip bomb?)");
		return FALSE;
	}
	return TRUE;
}

/* Reads one member into memory, counting against the limits as it
 * streams.  NULL on a limit or a read error (recorded). */
static GByteArray *read_member(Scan *sc, struct archive *a, guint64 *expanded, gsize archive_len,
			       const char *loc)
{
	GByteArray *buf = g_byte_array_new();
	guint8 block[65536];

	for (;;) {
		la_ssize_t n = archive_read_data(a, block, sizeof(block));
		if (n == 0)
			return buf;
		if (n < 0) {
			fail(sc, KJ_DLP_ERROR_CORRUPT, loc, archive_error_string(a));
			break;
		}
		if (!entry_limits(sc, (guint64)n, expanded, archive_len, loc))
			break;
		if (buf->len + (gsize)n > sc->opts->max_text) {
			fail(sc, KJ_DLP_ERROR_LIMIT, loc, "member larger than dlp.max_text_bytes");
			break;
		}
		g_byte_array_append(buf, block, (guint)n);
	}
	g_byte_array_unref(buf);
	return NULL;
}

static void scan_archive(Scan *sc, const guint8 *d, gsize len, const char *location, guint depth,
			 gboolean raw)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;

	archive_read_support_filter_all(a);
	if (raw)
		archive_read_support_format_raw(a);
	else
		archive_read_support_format_all(a);
	if (archive_read_open_memory(a, d, len) != ARCHIVE_OK) {
		fail(sc, KJ_DLP_ERROR_CORRUPT, location, archive_error_string(a));
		archive_read_free(a);
		return;
	}
	guint64 expanded = 0;
	int r;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname_utf8(e);
		if (name == NULL)
			name = archive_entry_pathname(e);
		/* The raw format's one entry is the stream itself: no new name. */
		g_autofree char *loc =
		    raw ? g_strdup(location) : join_location(location, name ? name : "(unnamed)");
		if (++sc->entries > sc->opts->archive_max_entries) {
			fail(sc, KJ_DLP_ERROR_LIMIT, loc,
			     "more members than dlp.archive_max_entries");
			break;
		}
		/* Directories, links and devices hold no data; anything else
		 * is read, including the raw format's entry of a compressed
		 * single file, which has no file type (10GB.bz2 passed as
		 * clean when only AE_IFREG was read). */
		unsigned ft = archive_entry_filetype(e);
		if (ft == AE_IFDIR || ft == AE_IFLNK || ft == AE_IFCHR || ft == AE_IFBLK ||
		    ft == AE_IFIFO || ft == AE_IFSOCK)
			continue;
		if (archive_entry_is_encrypted(e)) {
			fail(sc, KJ_DLP_ERROR_ENCRYPTED, loc, "encrypted member cannot be scanned");
			continue;
		}
		GByteArray *m = read_member(sc, a, &expanded, len, loc);
		if (m == NULL)
			break;
		scan_bytes(sc, m->data, m->len, loc, depth + 1);
		g_byte_array_unref(m);
	}
	if (r != ARCHIVE_EOF && r != ARCHIVE_OK)
		fail(sc, KJ_DLP_ERROR_CORRUPT, location, archive_error_string(a));
	archive_read_free(a);
}

static void scan_bytes(Scan *sc, const guint8 *d, gsize len, const char *location, guint depth)
{
	if (d == NULL || len == 0 || sc->findings->len >= sc->opts->max_findings)
		return;
	if (depth > sc->opts->archive_max_depth) {
		fail(sc, KJ_DLP_ERROR_LIMIT, location, "archives nested deeper than allowed");
		return;
	}
	if (has_at(d, len, 0, "PK\x03\x04", 4) &&
	    memmem(d, MIN(len, (gsize)1 << 20), "[Content_Types].xml", 19) &&
	    scan_ooxml(sc, d, len, location))
		return;
	if (memmem(d, MIN(len, (gsize)1024), "%PDF-", 5)) {
		scan_pdf(sc, d, len, location);
		return;
	}
	if (is_compressed(d, len) || is_archive(d, len)) {
		scan_archive(sc, d, len, location, depth, is_compressed(d, len));
		return;
	}
	if (has_at(d, len, 0, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8) &&
	    memmem(d, len, "E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0", 32)) {
		fail(sc, KJ_DLP_ERROR_ENCRYPTED, location,
		     "encrypted Office document cannot be scanned");
		return;
	}
	if (looks_binary(d, len)) {
		scan_strings(sc, d, len, location);
		return;
	}
	gsize n = MIN(len, sc->opts->max_text);
	g_autofree char *text = kj_charset_to_utf8((const char *)d, n, NULL, NULL);
	scan_text(sc, text, strlen(text), location);
	if (n < len)
		fail(sc, KJ_DLP_ERROR_LIMIT, location, "file larger than dlp.max_text_bytes");
}

gboolean kj_dlp_scan_file(GBytes *data, const char *name, const KjDlpOptions *opts,
			  GPtrArray *findings, GError **error)
{
	KjDlpOptions defaults;
	gsize len = 0;

	g_return_val_if_fail(data != NULL && findings != NULL, FALSE);
	if (opts == NULL) {
		kj_dlp_options_init(&defaults);
		opts = &defaults;
	}
	Scan sc = {.opts = opts, .findings = findings};
	const guint8 *d = g_bytes_get_data(data, &len);
	(void)name;
	scan_bytes(&sc, d, len, NULL, 0);
	if (sc.error) {
		g_propagate_error(error, sc.error);
		return FALSE;
	}
	return TRUE;
}
