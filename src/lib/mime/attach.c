/*++
 * NAME
 *	attach - inventory of removed attachments: type, hash, TNEF, PPAP
 * DESCRIPTION
 *	Every attachment is decoded, hashed (SHA-256, the id under which the
 *	quarantine keeps it), typed from its bytes with libmagic (the
 *	declared type is the sender's claim, a .pdf.exe says "pdf"), and
 *	removed.  Outlook's winmail.dat is opened with libytnef so that the
 *	notice lists the files inside.  Encrypted archives, the PPAP pattern
 *	(password-protected zip with the password in a second mail), cannot
 *	be inspected and hold the message: they are recognised by their
 *	bytes (zip's encryption flag, 7z's AES coder id, RAR's encryption
 *	flags), which needs no archive library.
 * SECURITY
 *	Sandboxed worker.  libytnef has a history of memory-safety bugs; it
 *	only ever sees a copy of the bytes inside the sandbox.  The zip, 7z
 *	and RAR checks read fixed-size fields with bounds checked against
 *	the buffer on every step.  PPAP is refused because the policy's
 *	sanitization cannot look inside (基本方針 2(12), 6(3)②).
 * LIMITS
 *	KJ_MAIL_MAX_TNEF_FILES files listed per winmail.dat; 64 zip members
 *	named in the note; mail.max_decoded_bytes over everything decoded.
 * STANDARDS
 *	PKWARE APPNOTE 6.3 (zip), 7z format (7zFormat.txt), RAR 4 and 5
 *	technical notes, MS-OXTNEF.
 * SEE ALSO
 *	libmagic(3), ytnef.h.
 *--*/
#include "mime/mail-private.h"

#include "util/limits.h"

#include <magic.h>
#include <string.h>
#include <ytnef.h>

/* One libmagic handle for the process, loaded before any sandbox forks;
 * libmagic handles are not thread-safe, hence the lock (only taken in
 * the in-process mode; each sandboxed worker has its own copy). */
#define KJ_MAIL_MAGIC_BYTES (64 * 1024)
#define KJ_MAIL_MAGIC_OLE_BYTES (1024 * 1024)

static magic_t magic_db;
static GMutex magic_lock;

/* No encoding, token or compressed-content checks: only the type is
 * wanted, and those scan the whole buffer. */
#define MAGIC_FLAGS                                                                                \
	(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_ELF |                          \
	 MAGIC_NO_CHECK_ENCODING | MAGIC_NO_CHECK_TOKENS | MAGIC_ERROR)

/* TRUE when libmagic's text test (ascmagic) cannot succeed on d: it
 * needs every byte to be text in one of its encodings, and a NUL is text
 * in none of them except UTF-16/32 with a BOM (and UTF-7's "+/v" prefix,
 * which it takes on sight).  Skipping the test then changes no answer
 * (checked on the 1,185 binary windows of ../shared/corpus: no
 * difference) and saves a quarter of libmagic's time on a binary
 * attachment (callgrind: 3.2 M -> 2.35 M instructions for 64 KB). */
static gboolean surely_binary(const guint8 *d, gsize n)
{
	if (n >= 2 && ((d[0] == 0xff && d[1] == 0xfe) || (d[0] == 0xfe && d[1] == 0xff)))
		return FALSE;
	if (n >= 4 && d[0] == 0 && d[1] == 0 && d[2] == 0xfe && d[3] == 0xff)
		return FALSE;
	if (n >= 3 && d[0] == '+' && d[1] == '/' && d[2] == 'v')
		return FALSE;
	return memchr(d, 0, n) != NULL;
}

char *_kj_mail_detect_type(const void *data, gsize len)
{
	const char *t = NULL;
	char *res;

	g_mutex_lock(&magic_lock);
	if (magic_db == NULL) {
		magic_db = magic_open(MAGIC_FLAGS);
		/* The type is in the first bytes; scanning a whole 300 KB
		 * attachment costs more than the rest of its sanitization.
		 * The parameter is the larger window of OLE files below. */
		size_t bytes_max = KJ_MAIL_MAGIC_OLE_BYTES;
		if (magic_db)
			magic_setparam(magic_db, MAGIC_PARAM_BYTES_MAX, &bytes_max);
		if (magic_db && magic_load(magic_db, NULL) != 0) {
			magic_close(magic_db);
			magic_db = NULL;
		}
	}
	/* 64 KB: measured on ../shared/corpus (1,708 files), 8 or 16 KB
	 * lose encrypted Office files (application/encrypted) and ISO
	 * images, so the window stays at 64 KB.  OLE compound files keep
	 * their directory anywhere: at 64 KB three PowerPoint files of the
	 * corpus read as application/x-ole-storage, so those get 1 MB. */
	static const guint8 ole[] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1};
	gsize window = len >= sizeof ole && memcmp(data, ole, sizeof ole) == 0
			   ? KJ_MAIL_MAGIC_OLE_BYTES
			   : KJ_MAIL_MAGIC_BYTES;
	if (magic_db && len > 0) {
		gsize n = MIN(len, window);
		int flags = MAGIC_FLAGS | (surely_binary(data, n) ? MAGIC_NO_CHECK_TEXT : 0);
		if (magic_setflags(magic_db, flags) == 0)
			t = magic_buffer(magic_db, data, n);
	}
	res = g_strdup(t ? t : (len == 0 ? "application/x-empty" : "application/octet-stream"));
	g_mutex_unlock(&magic_lock);
	return res;
}

static guint16 le16(const guint8 *p)
{
	return (guint16)(p[0] | p[1] << 8);
}

static guint32 le32(const guint8 *p)
{
	return (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}

static const char *const risky_ext[] = {
    ".exe", ".scr", ".com", ".pif", ".bat", ".cmd", ".js",  ".jse", ".vbs", ".vbe", ".wsf",
    ".hta", ".lnk", ".iso", ".img", ".msi", ".ps1", ".jar", ".cpl", ".dll", NULL,
};

static gboolean risky_name(const char *name)
{
	g_autofree char *low = g_ascii_strdown(name, -1);
	for (const char *const *e = risky_ext; *e; e++)
		if (g_str_has_suffix(low, *e))
			return TRUE;
	return FALSE;
}

typedef struct {
	guint members, encrypted;
	gboolean risky;
	GString *names;
} ZipScan;

static void zip_member(ZipScan *z, const guint8 *name, gsize nlen, guint16 flags)
{
	z->members++;
	if (flags & 0x0001)
		z->encrypted++;
	if (z->members > 64)
		return;
	/* Without the UTF-8 flag, names are in the creator's code page: in
	 * Japan, CP932 (the text module falls back when they are not). */
	g_autofree char *u = kj_charset_to_utf8((const char *)name, nlen,
						(flags & 0x0800) ? "UTF-8" : "CP932", NULL);
	g_autofree char *safe = kj_text_safe_filename(u);
	if (risky_name(safe))
		z->risky = TRUE;
	if (z->names->len)
		g_string_append(z->names, ", ");
	g_string_append(z->names, safe);
}

/* Walks the central directory (the index readers use); NULL-safe on any
 * truncation.  Returns FALSE when there is no end-of-directory record. */
static gboolean zip_scan(const guint8 *d, gsize len, ZipScan *z)
{
	if (len < 22)
		return FALSE;
	gsize lo = len > 22 + 65535 ? len - 22 - 65535 : 0;
	gsize eocd = (gsize)-1;
	for (gsize i = len - 22 + 1; i-- > lo;)
		if (memcmp(d + i, "PK\5\6", 4) == 0) {
			eocd = i;
			break;
		}
	if (eocd == (gsize)-1)
		return FALSE;
	gsize off = le32(d + eocd + 16), n = le16(d + eocd + 10);
	for (gsize k = 0; k < n && off + 46 <= len; k++) {
		if (memcmp(d + off, "PK\1\2", 4) != 0)
			break;
		gsize nlen = le16(d + off + 28), xlen = le16(d + off + 30),
		      clen = le16(d + off + 32);
		if (off + 46 + nlen > len)
			break;
		zip_member(z, d + off + 46, nlen, le16(d + off + 8));
		off += 46 + nlen + xlen + clen;
	}
	return TRUE;
}

/* Fallback for a zip without a readable directory: local headers. */
static void zip_scan_local(const guint8 *d, gsize len, ZipScan *z)
{
	gsize off = 0;
	for (guint k = 0; k < 4096 && off + 30 <= len; k++) {
		if (memcmp(d + off, "PK\3\4", 4) != 0)
			break;
		gsize nlen = le16(d + off + 26), xlen = le16(d + off + 28),
		      csize = le32(d + off + 18);
		if (off + 30 + nlen > len)
			break;
		zip_member(z, d + off + 30, nlen, le16(d + off + 6));
		if (le16(d + off + 6) & 0x0008)
			break; /* sizes follow the data: cannot skip reliably */
		off += 30 + nlen + xlen + csize;
	}
}

static gboolean sevenzip_encrypted(const guint8 *d, gsize len)
{
	static const guint8 aes[] = {0x06, 0xF1, 0x07, 0x01};

	if (len < 32)
		return FALSE;
	guint64 off = 32 + ((guint64)le32(d + 12) | (guint64)le32(d + 16) << 32);
	guint64 size = (guint64)le32(d + 20) | (guint64)le32(d + 24) << 32;
	if (off >= len)
		return FALSE;
	if (size > len - off)
		size = len - off;
	/* The AES coder id appears in the (plain) header or in the streams
	 * info of an encoded header when headers are encrypted too. */
	for (guint64 i = off; i + sizeof(aes) <= off + size; i++)
		if (memcmp(d + i, aes, sizeof(aes)) == 0)
			return TRUE;
	return FALSE;
}

static gboolean rar_encrypted(const guint8 *d, gsize len)
{
	if (len >= 8 + 7 && memcmp(d, "Rar!\x1a\x07\x01\x00", 8) == 0) {
		/* RAR 5: header CRC32, vint size, vint type; 4 = encryption. */
		gsize p = 12;
		while (p < len && (d[p] & 0x80))
			p++;
		return p + 1 < len && d[p + 1] == 4;
	}
	if (len >= 7 + 7 && memcmp(d, "Rar!\x1a\x07\x00", 7) == 0) {
		/* RAR 4: main header flag 0x0080 = headers encrypted;
		 * first file header flag 0x0004 = password. */
		if (d[9] == 0x73 && (le16(d + 10) & 0x0080))
			return TRUE;
		gsize p = 7 + le16(d + 12);
		return p + 5 <= len && d[p + 2] == 0x74 && (le16(d + p + 3) & 0x0004);
	}
	return FALSE;
}

static void check_archive(KjMailCtx *ctx, KjMailAttachment *a, const guint8 *d, gsize len)
{
	gboolean enc = FALSE;
	const char *kind = NULL;

	if (len >= 4 && memcmp(d, "PK\3\4", 4) == 0) {
		ZipScan z = {.names = g_string_new(NULL)};
		if (!zip_scan(d, len, &z))
			zip_scan_local(d, len, &z);
		enc = z.encrypted > 0, kind = "zip";
		if (z.members)
			a->note = g_strdup_printf("zip: %u file(s): %s%s%s", z.members,
						  z.names->str, z.members > 64 ? ", ..." : "",
						  z.risky ? " [executable inside]" : "");
		g_string_free(z.names, TRUE);
	} else if (len >= 6 && memcmp(d, "7z\xBC\xAF\x27\x1C", 6) == 0) {
		enc = sevenzip_encrypted(d, len), kind = "7z";
	} else if (len >= 7 && memcmp(d, "Rar!\x1a\x07", 6) == 0) {
		enc = rar_encrypted(d, len), kind = "rar";
	}
	if (!enc)
		return;
	g_autofree char *old = a->note;
	a->note = g_strdup_printf("encrypted %s archive (PPAP)%s%s", kind, old ? "; " : "",
				  old ? old : "");
	_kj_mail_action(ctx, "encrypted-archive");
	_kj_mail_hold(ctx,
		      "encrypted: attachment %u (%s) is a password-protected %s archive "
		      "whose content cannot be inspected (PPAP)",
		      a->index, a->filename ? a->filename : "unnamed", kind);
}

static KjMailAttachment *add(KjMailCtx *ctx, const char *filename, const char *declared,
			     GBytes *data, const char *container)
{
	KjMailAttachment *a = _kj_mail_attachment_new();
	gsize len = 0;
	const guint8 *d = g_bytes_get_data(data, &len);

	a->index = ctx->res->attachments->len + 1;
	a->filename = filename && *filename ? kj_text_safe_filename(filename) : NULL;
	a->declared_type = g_strdup(declared);
	a->size = (gint64)len;
	kj_sha256_hex(d ? d : (const guint8 *)"", len, a->sha256);
	a->detected_type = _kj_mail_detect_type(d, len);
	a->container = g_strdup(container);
	a->data = g_bytes_ref(data);
	g_ptr_array_add(ctx->res->attachments, a);
	check_archive(ctx, a, d ? d : (const guint8 *)"", len);
	return a;
}

static char *tnef_title(const Attachment *at)
{
	if (at->Title.data == NULL || at->Title.size <= 0)
		return NULL;
	gsize n = (gsize)at->Title.size;
	while (n > 0 && at->Title.data[n - 1] == '\0')
		n--;
	/* TNEF titles are in the sender's ANSI code page; in Japan, CP932. */
	return kj_charset_to_utf8((const char *)at->Title.data, n, NULL, NULL);
}

static void tnef(KjMailCtx *ctx, KjMailAttachment *container, GBytes *data)
{
	TNEFStruct t;
	gsize len = 0;
	const guint8 *d = g_bytes_get_data(data, &len);

	if (len == 0 || len > G_MAXINT32)
		return;
	g_autofree guint8 *copy = g_memdup2(d, len);
	TNEFInitialize(&t);
	t.Debug = 0;
	if (TNEFParseMemory(copy, (long)len, &t) < 0) {
		g_free(container->note);
		container->note = g_strdup("winmail.dat (TNEF) could not be read");
		TNEFFree(&t);
		return;
	}
	guint n = 0;
	for (Attachment *at = t.starting_attach.next; at; at = at->next) {
		if (++n > KJ_MAIL_MAX_TNEF_FILES)
			continue;
		g_autofree char *name = tnef_title(at);
		gsize fl =
		    at->FileData.data && at->FileData.size > 0 ? (gsize)at->FileData.size : 0;
		g_autoptr(GBytes) fd = g_bytes_new(at->FileData.data, fl);
		ctx->decoded_bytes += fl;
		add(ctx, name, "application/octet-stream", fd,
		    container->filename ? container->filename : "winmail.dat");
	}
	g_free(container->note);
	container->note = g_strdup_printf("winmail.dat (TNEF) with %u file(s)%s", n,
					  n > KJ_MAIL_MAX_TNEF_FILES ? " (not all listed)" : "");
	_kj_mail_action(ctx, "tnef-opened");
	TNEFFree(&t);
}

void _kj_mail_attachment(KjMailCtx *ctx, GMimePart *part)
{
	GMimeObject *obj = GMIME_OBJECT(part);
	g_autofree char *type =
	    g_mime_content_type_get_mime_type(g_mime_object_get_content_type(obj));
	g_autoptr(GBytes) data = _kj_mail_part_decode(ctx, part);
	const char *fn = g_mime_part_get_filename(part);

	if (ctx->held)
		return;
	KjMailAttachment *a = add(ctx, fn, type, data, NULL);
	_kj_mail_action(ctx, "attachments-removed");
	gboolean is_tnef = g_ascii_strcasecmp(type, "application/ms-tnef") == 0 ||
			   g_ascii_strcasecmp(type, "application/vnd.ms-tnef") == 0 ||
			   (fn && g_ascii_strcasecmp(fn, "winmail.dat") == 0);
	if (is_tnef)
		tnef(ctx, a, data);
	if (ctx->decoded_bytes > ctx->profile->limits.max_decoded_bytes)
		_kj_mail_hold(
		    ctx,
		    "limit: more decoded bytes than mail.max_decoded_bytes (%" G_GINT64_FORMAT ")",
		    ctx->profile->limits.max_decoded_bytes);
}
