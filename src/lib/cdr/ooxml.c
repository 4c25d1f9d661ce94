/*++
 * NAME
 *	ooxml - Office Open XML (docx, xlsx, pptx and macro-enabled forms)
 *	disarmed and rebuilt
 * DESCRIPTION
 *	_kj_cdr_ooxml() reads the zip package into memory, decides for each
 *	part whether it is kept, and writes a new package:
 *
 *	  removed   VBA projects (vbaProject.bin, vbaData.xml, signatures),
 *	            ActiveX (activeX/), OLE embeddings (embeddings/ except
 *	            images), external workbook links (externalLinks/, with
 *	            their ddeLink), data connections (connections.xml,
 *	            queryTables/), custom UI (customUI/), Excel 4.0 macro
 *	            and dialog sheets, printer settings, Word toolbars and
 *	            key maps, SVG images (Office keeps a PNG fallback), and
 *	            every part of a kind not known to be inert (default deny)
 *	  rewritten every XML part, parsed without entities or DTDs and
 *	            serialized anew (ooxml_xml.c): relationships to removed
 *	            parts and remote templates go, with the elements that
 *	            refer to them; other external relationships get the
 *	            inert target "about:blank" (hyperlinks keep their text);
 *	            DDE and external-content fields lose their instruction
 *	            and keep their shown result; macro-enabled content types
 *	            become their macro-free types (docm -> docx)
 *	  kept      images, fonts, thumbnails, as they are
 *
 *	[Content_Types].xml is written first, as ECMA-376 Part 2 asks of
 *	streaming consumers.  Every removal is noted with its part name.
 *	Binary workbooks (xlsb) are not disarmable part by part and are
 *	refused as unsupported.
 * SECURITY
 *	Runs in the sandboxed CDR worker on hostile bytes.  The package is
 *	read from memory: entry count, expanded size and expansion ratio are
 *	checked while each member streams in, so a zip bomb is refused after
 *	at most the byte limit.  Encrypted members are held; names with "..",
 *	absolute names and duplicate names (two parts one consumer would
 *	merge) make the package corrupt.
 * LIMITS
 *	KjCdrOptions.archive_max_entries, archive_max_total,
 *	archive_max_ratio, max_output; KJ_CDR_OOXML_MAX_PART.
 * STANDARDS
 *	ECMA-376 Part 1 (WordprocessingML, SpreadsheetML, PresentationML)
 *	and Part 2 (Open Packaging Conventions); [MS-OFFMACRO].
 *	基本方針 2(12) (無害化: files entering LGWAN are disarmed), 6(3)②,
 *	6(6) (不正プログラム対策).
 * SEE ALSO
 *	ooxml_xml.c (XML parts), ooxml_text.c (text for dlp/), cdr.c.
 *--*/
#include "cdr/ooxml.h"

#include "cdr/ooxml_private.h"

#include <archive.h>
#include <archive_entry.h>
#include <string.h>

void _kj_ooxml_member_free(KjOoxmlMember *m)
{
	if (m == NULL)
		return;
	g_free(m->name);
	if (m->data)
		g_bytes_unref(m->data);
	g_free(m);
}

static gboolean bad_name(const char *n)
{
	if (*n == '\0' || *n == '/' || *n == '\\' || strstr(n, "..") || strchr(n, ':'))
		return TRUE;
	for (const char *p = n; *p; p++)
		if ((guchar)*p < 0x20 || *p == '\\')
			return TRUE;
	return FALSE;
}

/* Streams one member in, counting against the package limits. */
static GBytes *read_member(struct archive *a, const KjCdrOptions *opts, gsize pkg_len,
			   guint64 *total, const char *name, GError **error)
{
	GByteArray *b = g_byte_array_new();
	guint8 block[65536];

	for (;;) {
		la_ssize_t n = archive_read_data(a, block, sizeof(block));
		if (n == 0)
			return g_byte_array_free_to_bytes(b);
		if (n < 0) {
			g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_CORRUPT, "%s: %s", name,
				    archive_error_string(a));
			break;
		}
		*total += (guint64)n;
		if (*total > opts->archive_max_total || b->len + (gsize)n > KJ_CDR_OOXML_MAX_PART) {
			g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT,
				    "%s: package expands beyond the size limit (archive_max_total)",
				    name);
			break;
		}
		if (*total > 1024 * 1024 &&
		    *total / MAX(pkg_len, (gsize)1) > opts->archive_max_ratio) {
			g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT,
				    "%s: expansion ratio above archive_max_ratio (zip bomb)", name);
			break;
		}
		g_byte_array_append(b, block, (guint)n);
	}
	g_byte_array_unref(b);
	return NULL;
}

static gboolean check_entry(struct archive_entry *e, const char *name, GHashTable *seen,
			    GError **error)
{
	if (archive_entry_is_encrypted(e)) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_ENCRYPTED,
			    "%s: encrypted package member", name);
		return FALSE;
	}
	if (bad_name(name)) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_CORRUPT,
			    "package member with an unsafe name: %s", name);
		return FALSE;
	}
	/* OPC part names compare without case: two members that differ
	 * only in case are one part to Office and two to a scanner. */
	char *key = g_ascii_strdown(name, -1);
	if (!g_hash_table_add(seen, key)) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_CORRUPT, "duplicate part name: %s",
			    name);
		return FALSE;
	}
	return TRUE;
}

GPtrArray *_kj_ooxml_read_package(const guint8 *data, gsize len, const KjCdrOptions *opts,
				  GError **error)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	GPtrArray *members = g_ptr_array_new_with_free_func((GDestroyNotify)_kj_ooxml_member_free);
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	guint64 total = 0;
	int r;

	/* A package starts with a local file header.  libarchive's zip
	 * reader finds a central directory anywhere: an OLE2 .doc with a
	 * theme zip inside (dde-test-from-office2013-utf_16le-korean.doc)
	 * read as a package, a polyglot waiting to happen. */
	if (len < 4 || memcmp(data, "PK\x03\x04", 4) != 0) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_CORRUPT,
			    "not a zip package (no local file header at its start)");
		goto fail;
	}
	archive_read_support_format_zip(a);
	if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_CORRUPT, "not a zip package: %s",
			    archive_error_string(a));
		goto fail;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		if (members->len >= opts->archive_max_entries) {
			g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT,
				    "package has more than %u parts (archive_max_entries)",
				    opts->archive_max_entries);
			goto fail;
		}
		if (name == NULL || archive_entry_filetype(e) == AE_IFDIR)
			continue;
		if (!check_entry(e, name, seen, error))
			goto fail;
		KjOoxmlMember *m = g_new0(KjOoxmlMember, 1);
		m->name = g_strdup(name);
		g_ptr_array_add(members, m);
		m->data = read_member(a, opts, len, &total, name, error);
		if (m->data == NULL)
			goto fail;
	}
	if (r != ARCHIVE_EOF) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_CORRUPT, "zip package: %s",
			    archive_error_string(a));
		goto fail;
	}
	archive_read_free(a);
	return members;
fail:
	archive_read_free(a);
	g_ptr_array_free(members, TRUE);
	return NULL;
}

static la_ssize_t write_cb(struct archive *a, void *user, const void *buf, size_t n)
{
	OoxmlWriter *w = user;

	if (w->out->len + n > w->max) {
		archive_set_error(a, ENOSPC, "output larger than max_output");
		return -1;
	}
	g_byte_array_append(w->out, buf, (guint)n);
	return (la_ssize_t)n;
}

static gboolean write_member(struct archive *a, const char *name, GBytes *data, GError **error)
{
	struct archive_entry *e = archive_entry_new();
	gsize n = 0;
	const void *p = g_bytes_get_data(data, &n);

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)n);
	/* A fixed time: the same input gives the same output bytes. */
	archive_entry_set_mtime(e, 315532800, 0);
	gboolean ok = archive_write_header(a, e) == ARCHIVE_OK &&
		      (n == 0 || archive_write_data(a, p, n) == (la_ssize_t)n);
	if (!ok)
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_IO, "writing %s: %s", name,
			    archive_error_string(a));
	archive_entry_free(e);
	return ok;
}

/* Writes the kept members, [Content_Types].xml first, into out. */
gboolean _kj_ooxml_write_package(GPtrArray *members, GByteArray *out, gsize max, GError **error)
{
	struct archive *a = archive_write_new();
	OoxmlWriter w = {.out = out, .max = max ? max : G_MAXSIZE};
	gboolean ok = TRUE;

	archive_write_set_format_zip(a);
	archive_write_set_bytes_in_last_block(a, 1);
	if (archive_write_open(a, &w, NULL, write_cb, NULL) != ARCHIVE_OK) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_IO, "zip writer: %s",
			    archive_error_string(a));
		archive_write_free(a);
		return FALSE;
	}
	for (int pass = 0; pass < 2 && ok; pass++)
		for (guint i = 0; i < members->len && ok; i++) {
			KjOoxmlMember *m = members->pdata[i];
			gboolean ct = g_ascii_strcasecmp(m->name, "[Content_Types].xml") == 0;
			if (m->data && ct == (pass == 0))
				ok = write_member(a, m->name, m->data, error);
		}
	if (archive_write_close(a) != ARCHIVE_OK && ok) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_IO, "zip writer: %s",
			    archive_error_string(a));
		ok = FALSE;
	}
	archive_write_free(a);
	if (ok && w.out->len > w.max) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT,
			    "output larger than max_output");
		ok = FALSE;
	}
	return ok;
}

gboolean _kj_cdr_ooxml(KjCdrJob *job, GError **error)
{
	GPtrArray *members = _kj_ooxml_read_package(job->data, job->len, job->opts, error);
	if (members == NULL)
		return FALSE;
	OoxmlPackage pkg = {.job = job, .members = members};
	gboolean ok = _kj_ooxml_disarm(&pkg, error);
	if (ok) {
		GByteArray *out = g_byte_array_new();
		ok = _kj_ooxml_write_package(members, out, job->opts->max_output, error);
		if (ok) {
			job->out = out;
			job->out_type = pkg.out_type;
			job->out_ext = pkg.out_ext;
		} else {
			g_byte_array_unref(out);
		}
	}
	_kj_ooxml_package_clear(&pkg);
	g_ptr_array_free(members, TRUE);
	return ok;
}
