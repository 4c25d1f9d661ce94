/*++
 * NAME
 *	archive - archives unpacked, each member sanitized, repacked as zip
 * DESCRIPTION
 *	zip, 7z, tar (plain, gz, bz2, xz, Z), lzh, rar, cab and cpio are
 *	read with libarchive from memory, one member at a time.  Every
 *	regular member goes back through the dispatcher (depth + 1), so a
 *	document inside a zip inside a 7z is sanitized like a document sent
 *	alone.  What comes out is always a zip with UTF-8 names, whatever
 *	came in.
 *
 *	Members: a sanitized member is written under its safe path with the
 *	extension of its sanitized form; a BLOCKED member (an executable,
 *	a script, a lying name) is left out and listed in the report — the
 *	rest of the archive is still delivered, as staff would otherwise
 *	lose a whole folder for one stray .exe; a HELD member (encrypted,
 *	corrupt, over a limit) holds the whole archive, since half a folder
 *	delivered silently is worse than a folder held for review.  Links,
 *	hard links, devices, FIFOs and sockets are dropped with a note.
 *	Paths lose "..", ".", empty and absolute components and drive
 *	letters; each component is made a safe file name.
 *
 *	Names: zip without the UTF-8 flag, lzh, rar 4 and cab carry names in
 *	the creator's code page, which in Japan is CP932; tar and cpio from
 *	old Unix systems carry EUC-JP.  Raw name bytes that are not UTF-8
 *	are decoded as CP932 first and otherwise detected.
 * SECURITY
 *	Sandboxed worker.  Limits are enforced while streaming: member data
 *	is read in 64 KiB blocks and counted against the entry count, the
 *	total expanded bytes (shared with nested archives through
 *	KjCdrBudget), the expansion ratio against the outermost archive's
 *	size, and the nesting depth; the first limit reached stops reading
 *	and holds the file.  A zip bomb (overlapping entries, nesting) thus
 *	costs at most max(grace, ratio x size) bytes of work and memory.
 *	Bytes that libarchive decompresses internally (skipping members) are
 *	bounded by the same total through archive_filter_bytes().  Encrypted
 *	members hold the archive: the PPAP pattern (基本方針 6(3)②) — no
 *	password is ever tried.
 * LIMITS
 *	cdr.archive_max_entries, cdr.archive_max_total, cdr.archive_max_ratio
 *	(past KJ_CDR_ARCHIVE_RATIO_GRACE), cdr.archive_max_depth,
 *	KJ_CDR_ARCHIVE_MAX_PATH.
 * STANDARDS
 *	基本方針 2(12), 6(3)②, 6(6).  PKWARE APPNOTE 6.3.x (zip, general
 *	purpose flag bit 11 for UTF-8 names).
 * SEE ALSO
 *	libarchive(3), archive_read(3), archive_write(3), cdr.c.
 *--*/
#include "cdr/cdr_internal.h"

#include "text/charset.h"
#include "text/text.h"
#include "util/limits.h"

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>
#include <stdarg.h>
#include <string.h>

#define BLOCK (64 * 1024)

typedef struct {
	KjCdrJob *job;
	struct archive *in, *out;
	GByteArray *zip;
	GHashTable *names; /* output paths used */
	KjCdrBudget *budget;
	guint entries;
	const char *raw_name;     /* member name for a bare compressed stream */
	const char *name_charset; /* legacy charset of names, once one needed it */
} Ar;

/* libarchive converts names between the archive's charset and the
 * locale's; in the C locale every non-ASCII UTF-8 name fails and comes
 * back NULL.  Archives are therefore read and written under a UTF-8
 * locale for this thread only.  It is loaded before any sandbox fork
 * (the worker cannot open locale files). */
static locale_t utf8_locale;

void _kj_cdr_archive_global_init(void)
{
	static const char *const names[] = {"C.UTF-8", "C.utf8", "en_US.UTF-8", NULL};
	static gsize once;

	if (g_once_init_enter(&once)) {
		for (const char *const *n = names; *n && utf8_locale == (locale_t)0; n++)
			utf8_locale = newlocale(LC_ALL_MASK, *n, (locale_t)0);
		g_once_init_leave(&once, 1);
	}
}

static la_ssize_t write_cb(struct archive *a, void *user, const void *buf, size_t n)
{
	Ar *ar = user;
	if (ar->zip->len + n > ar->job->opts->max_output) {
		archive_set_error(a, ENOSPC, "output over cdr.max_output");
		return -1;
	}
	g_byte_array_append(ar->zip, buf, (guint)n);
	return (la_ssize_t)n;
}

static gboolean fail(GError **error, int code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static gboolean fail(GError **error, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_autofree char *m = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error_literal(error, KJ_CDR_ERROR, code, m);
	return FALSE;
}

static gboolean is_encryption_error(const char *msg)
{
	return msg &&
	       (strstr(msg, "ncrypt") || strstr(msg, "assphrase") || strstr(msg, "password"));
}

static gboolean archive_failed(Ar *ar, const char *what, GError **error)
{
	const char *msg = archive_error_string(ar->in);
	const guint8 *d = ar->job->data;
	/* A zip with an encrypted central directory fails without a word;
	 * its first local header still carries the encryption flag. */
	gboolean zip_enc = ar->job->len >= 8 && memcmp(d, "PK\3\4", 4) == 0 && (d[6] & 0x41);
	/* has_encrypted_entries() dereferences the format: only after one
	 * was chosen (it crashed on "Unrecognized archive format"). */
	gboolean entries_enc =
	    archive_format(ar->in) != 0 && archive_read_has_encrypted_entries(ar->in) > 0;
	if (zip_enc || entries_enc || is_encryption_error(msg))
		return fail(error, KJ_CDR_ERROR_ENCRYPTED,
			    "password-protected archive (PPAP): cannot be inspected, held (%s)",
			    msg ? msg : "encrypted");
	g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_CORRUPT,
		    "cannot read the archive (corrupt or unsupported): %s: %s", what,
		    msg ? msg : "unreadable");
	return FALSE;
}

/* iconv without fallbacks: NULL unless every byte decodes.  (The text
 * module's decoder prefers UTF-8 when the bytes happen to be UTF-8.) */
static char *decode_strict(const char *raw, gsize len, const char *cs)
{
	gsize written = 0;
	char *u = g_convert(raw, (gssize)len, "UTF-8", cs, NULL, &written, NULL);
	if (u && g_utf8_validate_len(u, written, NULL) && strlen(u) == written)
		return u;
	g_free(u);
	return NULL;
}

/* The member's name as UTF-8.  Once one name of an archive needed a
 * legacy charset, the others are read in it first: a two-byte EUC-JP
 * name such as "表" (C9 BD) is also valid UTF-8 ("ɽ").  Otherwise raw
 * bytes that are UTF-8 are taken as such, then the charset the format's
 * creators used in Japan (EUC-JP on Unix tar and cpio, CP932 elsewhere),
 * then the other, then detection. */
static char *member_name(Ar *ar, struct archive_entry *e)
{
	const char *raw = archive_entry_pathname(e);
	char *u;

	if (ar->raw_name && archive_format(ar->in) == ARCHIVE_FORMAT_RAW)
		return g_strdup(ar->raw_name);
	if (raw == NULL)
		raw = archive_entry_pathname_utf8(e);
	if (raw == NULL)
		return g_strdup("unnamed");
	gsize len = strnlen(raw, KJ_CDR_ARCHIVE_MAX_PATH);
	if (ar->name_charset && (u = decode_strict(raw, len, ar->name_charset)))
		return u;
	if (g_utf8_validate_len(raw, len, NULL))
		return g_strndup(raw, len);
	int base = archive_format(ar->in) & ARCHIVE_FORMAT_BASE_MASK;
	gboolean unix_first = base == ARCHIVE_FORMAT_TAR || base == ARCHIVE_FORMAT_CPIO;
	const char *order[2] = {unix_first ? "EUC-JP" : "CP932", unix_first ? "CP932" : "EUC-JP"};
	for (guint i = 0; i < 2; i++)
		if ((u = decode_strict(raw, len, order[i]))) {
			ar->name_charset = order[i];
			return u;
		}
	return kj_charset_to_utf8(raw, len, NULL, NULL);
}

/* "../../etc/passwd", "/abs", "C:\\x", "a/./b" -> "etc/passwd", "abs",
 * "x", "a/b"; every component a safe file name. */
static char *safe_path(const char *name, gboolean *changed)
{
	g_auto(GStrv) parts = g_regex_split_simple("[/\\\\]", name, 0, 0);
	GString *out = g_string_new(NULL);

	for (guint i = 0; parts[i]; i++) {
		const char *p = parts[i];
		if (*p == '\0' || strcmp(p, ".") == 0 || strcmp(p, "..") == 0)
			continue;
		if (i == 0 && g_ascii_isalpha(p[0]) && p[1] == ':' && p[2] == '\0')
			continue; /* drive letter */
		g_autofree char *safe = kj_text_safe_filename(p);
		if (out->len)
			g_string_append_c(out, '/');
		g_string_append(out, safe);
	}
	if (out->len == 0)
		g_string_append(out, "unnamed");
	*changed = strcmp(out->str, name) != 0;
	return g_string_free(out, FALSE);
}

static gboolean over_limits(Ar *ar, guint64 member, GError **error)
{
	const KjCdrOptions *o = ar->job->opts;
	KjCdrBudget *b = ar->budget;
	char m[200];

	if (b->total > o->archive_max_total) {
		g_snprintf(m, sizeof(m),
			   "limit: archive expands to more than %" G_GUINT64_FORMAT
			   " bytes (cdr.archive_max_total)",
			   o->archive_max_total);
	} else if (b->total > KJ_CDR_ARCHIVE_RATIO_GRACE &&
		   b->total / MAX(b->top_len, 1) > o->archive_max_ratio) {
		g_snprintf(m, sizeof(m),
			   "limit: archive expands more than %u times its size "
			   "(cdr.archive_max_ratio): a zip bomb",
			   o->archive_max_ratio);
	} else if (member > o->max_input) {
		g_snprintf(m, sizeof(m),
			   "limit: archive member larger than %" G_GSIZE_FORMAT
			   " bytes (cdr.max_input)",
			   o->max_input);
	} else if ((guint64)archive_filter_bytes(ar->in, 0) >
		   o->archive_max_total + (guint64)ar->job->len) {
		g_snprintf(m, sizeof(m),
			   "limit: archive stream decompresses to more than %" G_GUINT64_FORMAT
			   " bytes (cdr.archive_max_total)",
			   o->archive_max_total);
	} else {
		return FALSE;
	}
	g_ptr_array_add(ar->job->limits_hit, g_strdup(m));
	g_set_error_literal(error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT, m);
	return TRUE;
}

/* Streams one member's data into memory, counting every block. */
static GBytes *read_member(Ar *ar, const char *path, GError **error)
{
	GByteArray *b = g_byte_array_new();
	guint8 *buf = g_malloc(BLOCK);

	for (;;) {
		la_ssize_t n = archive_read_data(ar->in, buf, BLOCK);
		if (n == 0)
			break;
		if (n < 0) {
			g_byte_array_unref(b);
			g_free(buf);
			archive_failed(ar, path, error);
			return NULL;
		}
		g_byte_array_append(b, buf, (guint)n);
		ar->budget->total += (guint64)n;
		if (over_limits(ar, b->len, error)) {
			g_byte_array_unref(b);
			g_free(buf);
			return NULL;
		}
	}
	g_free(buf);
	return g_byte_array_free_to_bytes(b);
}

/* The output path: the member's safe directory and sanitized name,
 * unique in the archive. */
static char *output_path(Ar *ar, const char *safe, const KjCdrResult *r)
{
	g_autofree char *dir = g_path_get_dirname(safe);
	g_autofree char *p = strcmp(dir, ".") == 0 ? g_strdup(r->output_name)
						   : g_strconcat(dir, "/", r->output_name, NULL);
	char *u = g_strdup(p);
	for (guint k = 2; g_hash_table_contains(ar->names, u); k++) {
		g_free(u);
		u = g_strdup_printf("%u-%s", k, p);
	}
	g_hash_table_add(ar->names, u);
	return g_strdup(u);
}

static gboolean write_member(Ar *ar, struct archive_entry *src, const char *path,
			     const KjCdrResult *r, GError **error)
{
	struct archive_entry *e = archive_entry_new();
	gsize len = 0;
	const void *d = g_bytes_get_data(r->output, &len);
	gboolean ok = TRUE;

	archive_entry_set_pathname_utf8(e, path);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	if (archive_entry_mtime_is_set(src))
		archive_entry_set_mtime(e, archive_entry_mtime(src), 0);
	if (archive_write_header(ar->out, e) != ARCHIVE_OK ||
	    (len && archive_write_data(ar->out, d, len) != (la_ssize_t)len))
		ok = fail(error, KJ_CDR_ERROR_LIMIT, "cannot repack the archive: %s",
			  archive_error_string(ar->out));
	archive_entry_free(e);
	return ok;
}

static void merge_member(Ar *ar, const char *path, const KjCdrResult *r)
{
	for (guint i = 0; i < r->actions->len; i++) {
		const KjCdrAction *a = r->actions->pdata[i];
		g_autofree char *loc =
		    *a->location ? g_strconcat(path, ": ", a->location, NULL) : g_strdup(path);
		_kj_cdr_note(ar->job, loc, a->what);
	}
	for (guint i = 0; i < r->limits_hit->len; i++)
		g_ptr_array_add(ar->job->limits_hit,
				g_strdup_printf("%s: %s", path, (char *)r->limits_hit->pdata[i]));
}

/* One regular member.  FALSE stops the archive (error set). */
static gboolean do_member(Ar *ar, struct archive_entry *e, const char *safe, GError **error)
{
	g_autoptr(GBytes) data = read_member(ar, safe, error);
	if (data == NULL)
		return FALSE;
	KjCdrJob *job = ar->job;
	KjCdrBudget *saved = job->budget;
	job->budget = ar->budget;
	g_autofree char *base = g_path_get_basename(safe);
	g_autoptr(KjCdrResult) r = _kj_cdr_sanitize_member(job, data, base, error);
	job->budget = saved;
	if (r == NULL)
		return FALSE;
	merge_member(ar, safe, r);
	switch (r->verdict) {
	case KJ_CDR_SANITIZED: {
		g_autofree char *out = output_path(ar, safe, r);
		return write_member(ar, e, out, r, error);
	}
	case KJ_CDR_BLOCKED: {
		g_autofree char *m = g_strdup_printf("member removed: %s", r->reason);
		_kj_cdr_note(job, safe, m);
		return TRUE;
	}
	case KJ_CDR_HELD:
	default:
		/* Keep the member's own kind of reason: a nested PPAP is PPAP. */
		g_set_error(error, KJ_CDR_ERROR,
			    strstr(r->reason, "PPAP") ? KJ_CDR_ERROR_ENCRYPTED
			    : r->limits_hit->len      ? KJ_CDR_ERROR_LIMIT
						      : KJ_CDR_ERROR_CORRUPT,
			    "archive member %s: %s", safe, r->reason);
		return FALSE;
	}
}

static gboolean do_entry(Ar *ar, struct archive_entry *e, GError **error)
{
	g_autofree char *name = member_name(ar, e);
	gboolean changed = FALSE;
	g_autofree char *safe = safe_path(name, &changed);
	mode_t type = archive_entry_filetype(e);

	if (archive_entry_is_encrypted(e))
		return fail(
		    error, KJ_CDR_ERROR_ENCRYPTED,
		    "password-protected archive (PPAP): member %s is encrypted and cannot be "
		    "inspected, held (基本方針 6(3)②)",
		    safe);
	if (archive_entry_hardlink(e) || type == AE_IFLNK) {
		_kj_cdr_note(ar->job, safe, "link removed (symbolic or hard link)");
		return TRUE;
	}
	if (type == AE_IFDIR)
		return TRUE;
	if (type != AE_IFREG && type != 0) {
		_kj_cdr_note(ar->job, safe, "device, FIFO or socket entry removed");
		return TRUE;
	}
	if (changed) {
		g_autofree char *m = g_strdup_printf("unsafe path made safe (was \"%s\")", name);
		g_autofree char *shown = kj_text_neutralize(m, KJ_NEUTRALIZE_LINE, NULL);
		_kj_cdr_note(ar->job, safe, shown);
	}
	return do_member(ar, e, safe, error);
}

static gboolean read_all(Ar *ar, GError **error)
{
	struct archive_entry *e;
	const KjCdrOptions *o = ar->job->opts;

	for (;;) {
		int rc = archive_read_next_header(ar->in, &e);
		if (rc == ARCHIVE_EOF)
			return TRUE;
		if (rc < ARCHIVE_WARN)
			return archive_failed(ar, ar->entries ? "member header" : "header", error);
		/* The raw reader bids on anything: without a decompressor in
		 * front it would hand back the input itself, and the member
		 * would recurse until the depth limit. */
		if (archive_format(ar->in) == ARCHIVE_FORMAT_RAW &&
		    archive_filter_code(ar->in, 0) == ARCHIVE_FILTER_NONE)
			return fail(error, KJ_CDR_ERROR_CORRUPT,
				    "cannot read the archive: not a compressed stream libarchive "
				    "knows");
		if (++ar->entries > o->archive_max_entries) {
			char m[160];
			g_snprintf(
			    m, sizeof(m),
			    "limit: archive has more than %u entries (cdr.archive_max_entries)",
			    o->archive_max_entries);
			g_ptr_array_add(ar->job->limits_hit, g_strdup(m));
			g_set_error_literal(error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT, m);
			return FALSE;
		}
		if (over_limits(ar, 0, error) || !do_entry(ar, e, error))
			return FALSE;
	}
}

/* RAR 5 variable-length integer (7 bits a byte, little-endian). */
static gboolean vint(const guint8 *d, gsize len, gsize *pos, guint64 *v)
{
	*v = 0;
	for (guint shift = 0; shift < 64 && *pos < len; shift += 7) {
		guint8 b = d[(*pos)++];
		*v |= (guint64)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return TRUE;
	}
	return FALSE;
}

/* libarchive reports an encrypted RAR 5 file as a checksum error; the
 * headers say it plainly: an archive encryption header (type 4) or a
 * file header (type 2) with an encryption extra record (type 1).
 * RAR 5.0 archive format, "Archive encryption header", "Extra area". */
static gboolean rar5_encrypted(const guint8 *d, gsize len)
{
	gsize pos = 8;

	if (len < 8 || memcmp(d, "Rar!\x1a\x07\x01\x00", 8) != 0)
		return FALSE;
	for (guint k = 0; k < 100000 && pos + 4 < len; k++) {
		guint64 hsize, type, flags, extra = 0, data = 0;
		pos += 4; /* CRC32 */
		if (!vint(d, len, &pos, &hsize) || hsize > len - pos)
			return FALSE;
		gsize end = pos + (gsize)hsize;
		if (!vint(d, end, &pos, &type) || !vint(d, end, &pos, &flags))
			return FALSE;
		if ((flags & 1) && !vint(d, end, &pos, &extra))
			return FALSE;
		if ((flags & 2) && !vint(d, end, &pos, &data))
			return FALSE;
		if (type == 4)
			return TRUE;
		if ((type == 2 || type == 3) && extra > 0 && extra <= hsize) {
			gsize e = end - (gsize)extra;
			while (e < end) {
				guint64 rsize, rtype;
				gsize rstart;
				if (!vint(d, end, &e, &rsize))
					break;
				rstart = e;
				if (!vint(d, end, &e, &rtype))
					break;
				if (rtype == 1)
					return TRUE;
				if (rsize > end - rstart)
					break;
				e = rstart + (gsize)rsize;
			}
		}
		if (type == 5 || data > len - end)
			return FALSE;
		pos = end + (gsize)data;
	}
	return FALSE;
}

static gboolean bare_stream(const char *type)
{
	static const char *const types[] = {"application/gzip",       "application/x-gzip",
					    "application/x-bzip2",    "application/x-xz",
					    "application/x-compress", NULL};
	for (const char *const *t = types; *t; t++)
		if (type && strcmp(type, *t) == 0)
			return TRUE;
	return FALSE;
}

/* "report.csv.gz" -> "report.csv": the name of a bare stream's content. */
static char *stream_member_name(const char *name)
{
	g_autofree char *base = g_strdup(name ? name : "data");
	char *dot = strrchr(base, '.');
	if (dot && dot != base)
		*dot = '\0';
	return g_strdup(base);
}

static gboolean open_streams(Ar *ar, GError **error)
{
	ar->in = archive_read_new();
	archive_read_support_filter_all(ar->in);
	archive_read_support_format_all(ar->in);
	if (bare_stream(ar->job->detected))
		archive_read_support_format_raw(ar->in);
	if (archive_read_open_memory(ar->in, ar->job->data, ar->job->len) != ARCHIVE_OK)
		return archive_failed(ar, "open", error);
	ar->out = archive_write_new();
	if (archive_write_set_format_zip(ar->out) != ARCHIVE_OK ||
	    archive_write_set_options(ar->out, "hdrcharset=UTF-8") < ARCHIVE_WARN ||
	    archive_write_set_bytes_in_last_block(ar->out, 1) != ARCHIVE_OK ||
	    archive_write_open2(ar->out, ar, NULL, write_cb, NULL, NULL) != ARCHIVE_OK)
		return fail(error, KJ_CDR_ERROR_IO, "cannot start the zip writer: %s",
			    archive_error_string(ar->out));
	return TRUE;
}

gboolean _kj_cdr_archive(KjCdrJob *job, GError **error)
{
	KjCdrBudget own = {0, job->len};
	g_autofree char *raw_name = NULL;
	Ar ar = {.job = job, .budget = job->budget ? job->budget : &own};
	gboolean ok = FALSE;

	if (job->depth >= job->opts->archive_max_depth) {
		g_autofree char *m = g_strdup_printf("limit: archives nested deeper than %u levels "
						     "(cdr.archive_max_depth)",
						     job->opts->archive_max_depth);
		g_ptr_array_add(job->limits_hit, g_strdup(m));
		return fail(error, KJ_CDR_ERROR_LIMIT, "%s", m);
	}
	if (rar5_encrypted(job->data, job->len))
		return fail(error, KJ_CDR_ERROR_ENCRYPTED,
			    "password-protected archive (PPAP): encrypted RAR 5 members cannot be "
			    "inspected, held (基本方針 6(3)②)");
	if (bare_stream(job->detected))
		ar.raw_name = raw_name = stream_member_name(job->name);
	ar.zip = g_byte_array_new();
	ar.names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	_kj_cdr_archive_global_init();
	locale_t saved = utf8_locale ? uselocale(utf8_locale) : (locale_t)0;
	if (open_streams(&ar, error) && read_all(&ar, error)) {
		/* A compressed stream of zeros reads as an empty tar: a
		 * bomb's favourite filling, never a file anyone sent. */
		if (ar.raw_name && ar.entries == 0)
			fail(error, KJ_CDR_ERROR_CORRUPT,
			     "compressed stream holds no file (only end-of-archive blocks)");
		else if (archive_write_close(ar.out) != ARCHIVE_OK)
			fail(error, KJ_CDR_ERROR_LIMIT, "cannot finish the zip: %s",
			     archive_error_string(ar.out));
		else
			ok = TRUE;
	}
	if (ar.out)
		archive_write_free(ar.out);
	archive_read_free(ar.in);
	if (saved)
		uselocale(saved);
	g_hash_table_unref(ar.names);
	if (!ok) {
		g_byte_array_unref(ar.zip);
		return FALSE;
	}
	g_autofree char *m =
	    g_strdup_printf("repacked as zip with UTF-8 names (%u entries read)", ar.entries);
	_kj_cdr_note(job, "archive", m);
	job->out = ar.zip;
	job->out_type = "application/zip";
	job->out_ext = "zip";
	return TRUE;
}
