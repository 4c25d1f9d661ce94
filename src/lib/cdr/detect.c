/*++
 * NAME
 *	detect - what a file is, by its bytes, its name and its label
 * DESCRIPTION
 *	libmagic names the type by content; a few signatures that decide a
 *	verdict on their own (PE, ELF, Mach-O, LNK, OneNote, ISO 9660, VHD,
 *	VHDX) are checked first by hand, so that a libmagic database that
 *	does not know them cannot let them through.  OOXML is a zip with a
 *	[Content_Types].xml part; libmagic reports it as the OOXML types or
 *	as plain zip, so the zip directory is looked at too.  A file that is
 *	two formats at once (a PDF with a zip inside, an image with a PDF
 *	header in its first kilobyte) is reported as a polyglot.
 *
 *	The name and the declared MIME type are mapped to the same kinds, so
 *	that the dispatcher can compare what a file claims with what it is.
 * SECURITY
 *	Runs wherever the dispatcher runs (the sandboxed worker in
 *	production).  The libmagic databases are loaded once per process by
 *	kj_cdr_global_init(), before any sandbox forks: the worker may not
 *	open files.  Every signature read is bounds-checked against len.
 * LIMITS
 *	libmagic sees at most the first MiB.
 * STANDARDS
 *	基本方針 2(12) (無害化), 6(3)② (LGWAN receives only harmless files),
 *	6(6) (malware: types that execute are refused by content and name).
 *	MS-SHLLINK 2.1, MS-ONESTORE 2.3.1, ECMA-119 8.4, MS-VHDX 2.2.1,
 *	PKWARE APPNOTE 4.3.16.
 * SEE ALSO
 *	cdr.c, libmagic(3), mime/attach.c.
 *--*/
#include "cdr/cdr_internal.h"

#include <magic.h>
#include <string.h>

#define MAGIC_SAMPLE (1024 * 1024)

static magic_t magic_mime, magic_desc;
static GMutex magic_lock;

static magic_t open_db(int flags)
{
	magic_t m =
	    magic_open(flags | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_ENCODING | MAGIC_ERROR);
	size_t bytes_max = MAGIC_SAMPLE;

	if (m == NULL)
		return NULL;
	magic_setparam(m, MAGIC_PARAM_BYTES_MAX, &bytes_max);
	if (magic_load(m, NULL) != 0) {
		magic_close(m);
		return NULL;
	}
	return m;
}

/* Set once everything is loaded.  Later calls take no lock: a batch
 * starts a worker per thread, and a thread forking while another holds
 * magic_lock would leave the lock held forever in the child (seen as
 * workers timing out at start in 'file sanitize --jobs 8'). */
static gint initialized;

void kj_cdr_global_init(void)
{
	if (g_atomic_int_get(&initialized))
		return;
	g_mutex_lock(&magic_lock);
	if (magic_mime == NULL)
		magic_mime = open_db(MAGIC_MIME_TYPE);
	if (magic_desc == NULL)
		magic_desc = open_db(MAGIC_NONE | MAGIC_NO_CHECK_TEXT | MAGIC_NO_CHECK_CSV |
				     MAGIC_NO_CHECK_JSON);
	_kj_cdr_archive_global_init();
	g_atomic_int_set(&initialized, 1);
	g_mutex_unlock(&magic_lock);
}

void _kj_cdr_type_clear(KjCdrType *t)
{
	g_free(t->mime);
	g_free(t->description);
	g_free(t->what);
	g_free(t->polyglot);
	memset(t, 0, sizeof(*t));
}

static gboolean at(const guint8 *d, gsize len, gsize off, const void *sig, gsize n)
{
	return d != NULL && off <= len && n <= len - off && memcmp(d + off, sig, n) == 0;
}

static gboolean contains(const guint8 *d, gsize len, const void *sig, gsize n)
{
	return d != NULL && len >= n && memmem(d, len, sig, n) != NULL;
}

typedef struct {
	gsize off;
	const char *sig;
	gsize n;
	KjCdrKind kind;
	const char *mime;
	const char *what;
} Signature;

/* Signatures that decide alone.  Mach-O's fat header 0xCAFEBABE is also
 * a Java class file: both execute, both are refused. */
static const Signature signatures[] = {
    {0, "MZ", 2, KJ_CDR_KIND_EXECUTABLE, "application/vnd.microsoft.portable-executable",
     "Windows executable (MZ/PE)"},
    {0,
     "\x7f"
     "ELF",
     4, KJ_CDR_KIND_EXECUTABLE, "application/x-executable", "ELF executable"},
    {0, "\xfe\xed\xfa\xce", 4, KJ_CDR_KIND_EXECUTABLE, "application/x-mach-binary", "Mach-O"},
    {0, "\xfe\xed\xfa\xcf", 4, KJ_CDR_KIND_EXECUTABLE, "application/x-mach-binary", "Mach-O"},
    {0, "\xce\xfa\xed\xfe", 4, KJ_CDR_KIND_EXECUTABLE, "application/x-mach-binary", "Mach-O"},
    {0, "\xcf\xfa\xed\xfe", 4, KJ_CDR_KIND_EXECUTABLE, "application/x-mach-binary", "Mach-O"},
    {0, "\xca\xfe\xba\xbe", 4, KJ_CDR_KIND_EXECUTABLE, "application/x-mach-binary",
     "Mach-O universal binary or Java class"},
    {0, "\x4c\x00\x00\x00\x01\x14\x02\x00", 8, KJ_CDR_KIND_LNK, "application/x-ms-shortcut",
     "Windows shortcut (LNK)"},
    {0, "\xe4\x52\x5c\x7b\x8c\xd8\xa7\x4d\xae\xb1\x53\x78\xd0\x29\x96\xd3", 16, KJ_CDR_KIND_ONENOTE,
     "application/onenote", "OneNote section"},
    {0, "vhdxfile", 8, KJ_CDR_KIND_DISK_IMAGE, "application/x-vhdx", "VHDX disk image"},
    {0, "conectix", 8, KJ_CDR_KIND_DISK_IMAGE, "application/x-vhd", "VHD disk image"},
    {0, "KDMV", 4, KJ_CDR_KIND_DISK_IMAGE, "application/x-vmdk", "VMDK disk image"},
    {32769, "CD001", 5, KJ_CDR_KIND_DISK_IMAGE, "application/x-iso9660-image",
     "ISO 9660 disk image"},
    {34817, "CD001", 5, KJ_CDR_KIND_DISK_IMAGE, "application/x-iso9660-image",
     "ISO 9660 disk image"},
    {32769, "BEA01", 5, KJ_CDR_KIND_DISK_IMAGE, "application/x-iso9660-image", "UDF disk image"},
};

static gboolean by_signature(const guint8 *d, gsize len, KjCdrType *t)
{
	for (gsize i = 0; i < G_N_ELEMENTS(signatures); i++) {
		const Signature *s = &signatures[i];
		if (!at(d, len, s->off, s->sig, s->n))
			continue;
		t->kind = s->kind;
		t->mime = g_strdup(s->mime);
		t->what = g_strdup(s->what);
		return TRUE;
	}
	/* Footers: fixed VHD and Apple disk images keep theirs in the last
	 * 512 bytes. */
	if (len >= 512 && at(d, len, len - 512, "conectix", 8)) {
		t->kind = KJ_CDR_KIND_DISK_IMAGE;
		t->mime = g_strdup("application/x-vhd");
		t->what = g_strdup("VHD disk image");
		return TRUE;
	}
	if (len >= 512 && at(d, len, len - 512, "koly", 4)) {
		t->kind = KJ_CDR_KIND_DISK_IMAGE;
		t->mime = g_strdup("application/x-apple-diskimage");
		t->what = g_strdup("Apple disk image (DMG)");
		return TRUE;
	}
	return FALSE;
}

typedef struct {
	const char *prefix; /* MIME type, or prefix ending in '*' */
	KjCdrKind kind;
} MimeKind;

static const MimeKind mime_kinds[] = {
    {"application/pdf", KJ_CDR_KIND_PDF},
    {"image/svg*", KJ_CDR_KIND_SVG},
    {"image/png", KJ_CDR_KIND_IMAGE},
    {"image/jpeg", KJ_CDR_KIND_IMAGE},
    {"image/gif", KJ_CDR_KIND_IMAGE},
    {"image/bmp", KJ_CDR_KIND_IMAGE},
    {"image/x-ms-bmp", KJ_CDR_KIND_IMAGE},
    {"image/tiff", KJ_CDR_KIND_IMAGE},
    {"image/webp", KJ_CDR_KIND_IMAGE},
    {"image/jp2", KJ_CDR_KIND_IMAGE},
    {"image/jxr", KJ_CDR_KIND_IMAGE},
    {"image/vnd.ms-photo", KJ_CDR_KIND_IMAGE},
    {"image/x-portable-*", KJ_CDR_KIND_IMAGE},
    {"application/vnd.openxmlformats-officedocument.*", KJ_CDR_KIND_OOXML},
    {"application/vnd.ms-word.*macroenabled*", KJ_CDR_KIND_OOXML},
    {"application/vnd.ms-excel.*macroenabled*", KJ_CDR_KIND_OOXML},
    {"application/vnd.ms-powerpoint.*macroenabled*", KJ_CDR_KIND_OOXML},
    {"text/csv", KJ_CDR_KIND_CSV},
    {"text/rtf", KJ_CDR_KIND_RTF},
    {"application/rtf", KJ_CDR_KIND_RTF},
    {"text/html", KJ_CDR_KIND_HTML},
    {"application/xhtml+xml", KJ_CDR_KIND_HTML},
    {"text/x-shellscript", KJ_CDR_KIND_SCRIPT},
    {"text/x-msdos-batch", KJ_CDR_KIND_SCRIPT},
    {"text/javascript", KJ_CDR_KIND_SCRIPT},
    {"application/javascript", KJ_CDR_KIND_SCRIPT},
    {"application/x-javascript", KJ_CDR_KIND_SCRIPT},
    {"text/x-python*", KJ_CDR_KIND_SCRIPT},
    {"text/x-perl", KJ_CDR_KIND_SCRIPT},
    {"text/x-ruby", KJ_CDR_KIND_SCRIPT},
    {"text/x-php", KJ_CDR_KIND_SCRIPT},
    {"text/x-awk", KJ_CDR_KIND_SCRIPT},
    {"text/x-tcl", KJ_CDR_KIND_SCRIPT},
    {"text/x-lua", KJ_CDR_KIND_SCRIPT},
    {"text/*", KJ_CDR_KIND_TEXT},
    {"application/xml", KJ_CDR_KIND_TEXT},
    {"application/json", KJ_CDR_KIND_TEXT},
    {"application/zip", KJ_CDR_KIND_ARCHIVE},
    {"application/x-7z-compressed", KJ_CDR_KIND_ARCHIVE},
    {"application/x-tar", KJ_CDR_KIND_ARCHIVE},
    {"application/gzip", KJ_CDR_KIND_ARCHIVE},
    {"application/x-gzip", KJ_CDR_KIND_ARCHIVE},
    {"application/x-bzip2", KJ_CDR_KIND_ARCHIVE},
    {"application/x-xz", KJ_CDR_KIND_ARCHIVE},
    {"application/x-lzh-compressed", KJ_CDR_KIND_ARCHIVE},
    {"application/x-lha", KJ_CDR_KIND_ARCHIVE},
    {"application/x-rar*", KJ_CDR_KIND_ARCHIVE},
    {"application/vnd.rar", KJ_CDR_KIND_ARCHIVE},
    {"application/vnd.ms-cab-compressed", KJ_CDR_KIND_ARCHIVE},
    {"application/x-cpio", KJ_CDR_KIND_ARCHIVE},
    {"application/x-compress", KJ_CDR_KIND_ARCHIVE},
    {"application/x-msi", KJ_CDR_KIND_EXECUTABLE},
    {"application/x-ole-storage", KJ_CDR_KIND_OLE2},
    {"application/CDFV2*", KJ_CDR_KIND_OLE2},
    {"application/msword", KJ_CDR_KIND_OLE2},
    {"application/vnd.ms-excel", KJ_CDR_KIND_OLE2},
    {"application/vnd.ms-powerpoint", KJ_CDR_KIND_OLE2},
    {"application/vnd.ms-office", KJ_CDR_KIND_OLE2},
    {"application/vnd.ms-outlook", KJ_CDR_KIND_OLE2},
    {"application/x-dosexec", KJ_CDR_KIND_EXECUTABLE},
    {"application/x-msdownload", KJ_CDR_KIND_EXECUTABLE},
    {"application/vnd.microsoft.portable-executable", KJ_CDR_KIND_EXECUTABLE},
    {"application/x-executable", KJ_CDR_KIND_EXECUTABLE},
    {"application/x-sharedlib", KJ_CDR_KIND_EXECUTABLE},
    {"application/x-pie-executable", KJ_CDR_KIND_EXECUTABLE},
    {"application/x-mach-binary", KJ_CDR_KIND_EXECUTABLE},
    {"application/java-archive", KJ_CDR_KIND_EXECUTABLE},
    {"application/x-java-applet", KJ_CDR_KIND_EXECUTABLE},
    {"application/x-ms-shortcut", KJ_CDR_KIND_LNK},
    {"application/x-iso9660-image", KJ_CDR_KIND_DISK_IMAGE},
    {"application/x-apple-diskimage", KJ_CDR_KIND_DISK_IMAGE},
    {"application/x-qemu-disk", KJ_CDR_KIND_DISK_IMAGE},
    {"application/x-vhd*", KJ_CDR_KIND_DISK_IMAGE},
    {"application/x-vmdk", KJ_CDR_KIND_DISK_IMAGE},
    {"application/x-virtualbox-*", KJ_CDR_KIND_DISK_IMAGE},
    {"application/onenote", KJ_CDR_KIND_ONENOTE},
    {"application/x-empty", KJ_CDR_KIND_EMPTY},
};

KjCdrKind _kj_cdr_kind_of_mime(const char *mime)
{
	if (mime == NULL)
		return KJ_CDR_KIND_UNKNOWN;
	g_autofree char *low = g_ascii_strdown(mime, -1);
	char *semi = strchr(low, ';');
	if (semi)
		*semi = '\0';
	g_strstrip(low);
	for (gsize i = 0; i < G_N_ELEMENTS(mime_kinds); i++) {
		g_autofree char *pat = g_ascii_strdown(mime_kinds[i].prefix, -1);
		if (g_pattern_match_simple(pat, low))
			return mime_kinds[i].kind;
	}
	return KJ_CDR_KIND_UNKNOWN;
}

/* Descriptions that libmagic gives without a telling MIME type. */
static KjCdrKind kind_of_description(const char *desc)
{
	static const struct {
		const char *needle;
		KjCdrKind kind;
	} table[] = {
	    {"MSI Installer", KJ_CDR_KIND_EXECUTABLE},
	    {"boot sector", KJ_CDR_KIND_DISK_IMAGE},
	    {"filesystem data", KJ_CDR_KIND_DISK_IMAGE},
	    {"ISO 9660", KJ_CDR_KIND_DISK_IMAGE},
	    {"Microsoft Disk Image", KJ_CDR_KIND_DISK_IMAGE},
	    {"MS Windows shortcut", KJ_CDR_KIND_LNK},
	    {"PE32", KJ_CDR_KIND_EXECUTABLE},
	    {"script text executable", KJ_CDR_KIND_SCRIPT},
	};
	if (desc == NULL)
		return KJ_CDR_KIND_UNKNOWN;
	for (gsize i = 0; i < G_N_ELEMENTS(table); i++)
		if (strstr(desc, table[i].needle))
			return table[i].kind;
	return KJ_CDR_KIND_UNKNOWN;
}

/* A zip is OOXML when one of its names is [Content_Types].xml: the
 * central directory and local headers both carry names in clear. */
static gboolean zip_is_ooxml(const guint8 *d, gsize len)
{
	static const char ct[] = "[Content_Types].xml";
	return contains(d, len, ct, sizeof(ct) - 1);
}

static void find_polyglot(const guint8 *d, gsize len, KjCdrType *t)
{
	/* A zip reader opens any file whose last 64 KiB hold an end-of-
	 * central-directory record; a zip embedded in the middle is not
	 * one.  OLE2 documents are left out: they carry .docx objects as
	 * plain streams (11 of the oletools samples), and are held anyway. */
	gsize tail = len > 65557 ? len - 65557 : 0;
	gboolean zip_inside = d && contains(d + tail, len - tail, "PK\x05\x06", 4);
	gboolean pdf_head = contains(d, MIN(len, 1024), "%PDF-", 5);

	switch (t->kind) {
	case KJ_CDR_KIND_PDF:
	case KJ_CDR_KIND_IMAGE:
	case KJ_CDR_KIND_RTF:
		if (zip_inside)
			t->polyglot = g_strdup("a ZIP archive");
		else if (t->kind != KJ_CDR_KIND_PDF && pdf_head)
			t->polyglot = g_strdup("a PDF header");
		break;
	case KJ_CDR_KIND_ARCHIVE:
	case KJ_CDR_KIND_OOXML:
	case KJ_CDR_KIND_OLE2:
		/* PDF readers look for %PDF- anywhere in the first KB. */
		if (pdf_head)
			t->polyglot = g_strdup("a PDF header");
		break;
	default:
		break;
	}
}

/* Binary content whose MIME type leaves the danger open (an MSI is
 * "application/x-ole-storage", a disk image "application/octet-stream"). */
static gboolean wants_description(KjCdrKind k)
{
	return k == KJ_CDR_KIND_UNKNOWN || k == KJ_CDR_KIND_OLE2 || k == KJ_CDR_KIND_EXECUTABLE ||
	       k == KJ_CDR_KIND_DISK_IMAGE || k == KJ_CDR_KIND_LNK;
}

static void by_magic(const guint8 *d, gsize len, KjCdrType *t)
{
	const char *m = NULL, *s = NULL;
	gsize n = MIN(len, MAGIC_SAMPLE);
	/* libmagic 5.44's soft-magic text tests read past their own buffer
	 * (ASan: heap-buffer-overflow in strndup under magic_buffer, found
	 * by fuzz-cdr on "u;.\xfbl%PDF-zh\xff\n" with MAGIC_NONE).  The
	 * description database therefore runs without text tests and only
	 * on binary content, and libmagic gets a NUL-terminated copy. */
	g_autofree char *copy = g_malloc(n + 1);

	memcpy(copy, d, n);
	copy[n] = '\0';
	g_mutex_lock(&magic_lock);
	if (magic_mime && len)
		m = magic_buffer(magic_mime, copy, n);
	t->mime = g_strdup(m ? m : (len ? "application/octet-stream" : "application/x-empty"));
	t->kind = _kj_cdr_kind_of_mime(t->mime);
	if (magic_desc && len && wants_description(t->kind))
		s = magic_buffer(magic_desc, copy, n);
	t->description = g_strdup(s ? s : t->mime);
	g_mutex_unlock(&magic_lock);

	/* The description wins when it names something dangerous that the
	 * MIME type hides (an MSI is "application/x-ole-storage" too). */
	KjCdrKind by_desc = kind_of_description(t->description);
	if (by_desc != KJ_CDR_KIND_UNKNOWN &&
	    (t->kind == KJ_CDR_KIND_UNKNOWN || by_desc == KJ_CDR_KIND_EXECUTABLE ||
	     by_desc == KJ_CDR_KIND_LNK || by_desc == KJ_CDR_KIND_SCRIPT ||
	     by_desc == KJ_CDR_KIND_DISK_IMAGE))
		t->kind = by_desc;
}

void _kj_cdr_detect(const guint8 *data, gsize len, KjCdrType *t)
{
	memset(t, 0, sizeof(*t));
	if (!magic_mime)
		kj_cdr_global_init();
	if (len == 0) {
		t->kind = KJ_CDR_KIND_EMPTY;
		t->mime = g_strdup("application/x-empty");
		t->description = g_strdup("empty");
	} else if (by_signature(data, len, t)) {
		t->description = g_strdup(t->what);
	} else {
		by_magic(data, len, t);
		/* "#!" makes any text an executable script on Unix. */
		if ((t->kind == KJ_CDR_KIND_TEXT || t->kind == KJ_CDR_KIND_UNKNOWN) &&
		    at(data, len, 0, "#!", 2))
			t->kind = KJ_CDR_KIND_SCRIPT;
		/* libmagic says "application/octet-stream" ("Microsoft
		 * OOXML") for a package whose first entry is a directory
		 * (docProps/), as Word's own external-link sample has. */
		if ((t->kind == KJ_CDR_KIND_ARCHIVE || t->kind == KJ_CDR_KIND_UNKNOWN) &&
		    at(data, len, 0, "PK\x03\x04", 4) && zip_is_ooxml(data, len)) {
			t->kind = KJ_CDR_KIND_OOXML;
		}
		/* RTF is text to libmagic when its header is odd. */
		if (t->kind == KJ_CDR_KIND_TEXT && at(data, len, 0, "{\\rtf", 5))
			t->kind = KJ_CDR_KIND_RTF;
	}
	if (t->what == NULL)
		t->what = g_strdup(t->description ? t->description : _kj_cdr_kind_name(t->kind));
	find_polyglot(data, len, t);
}

typedef struct {
	const char *ext;
	KjCdrKind kind;
} ExtKind;

/* Extensions, lower case.  Those of kinds that execute or mount are
 * refused whatever the content says (基本方針 6(6)). */
static const ExtKind ext_kinds[] = {
    {"pdf", KJ_CDR_KIND_PDF},         {"png", KJ_CDR_KIND_IMAGE},
    {"jpg", KJ_CDR_KIND_IMAGE},       {"jpeg", KJ_CDR_KIND_IMAGE},
    {"jpe", KJ_CDR_KIND_IMAGE},       {"jfif", KJ_CDR_KIND_IMAGE},
    {"gif", KJ_CDR_KIND_IMAGE},       {"bmp", KJ_CDR_KIND_IMAGE},
    {"tif", KJ_CDR_KIND_IMAGE},       {"tiff", KJ_CDR_KIND_IMAGE},
    {"webp", KJ_CDR_KIND_IMAGE},      {"jp2", KJ_CDR_KIND_IMAGE},
    {"docx", KJ_CDR_KIND_OOXML},      {"xlsx", KJ_CDR_KIND_OOXML},
    {"pptx", KJ_CDR_KIND_OOXML},      {"docm", KJ_CDR_KIND_OOXML},
    {"xlsm", KJ_CDR_KIND_OOXML},      {"pptm", KJ_CDR_KIND_OOXML},
    {"dotx", KJ_CDR_KIND_OOXML},      {"dotm", KJ_CDR_KIND_OOXML},
    {"xltx", KJ_CDR_KIND_OOXML},      {"xltm", KJ_CDR_KIND_OOXML},
    {"potx", KJ_CDR_KIND_OOXML},      {"potm", KJ_CDR_KIND_OOXML},
    {"ppsx", KJ_CDR_KIND_OOXML},      {"ppsm", KJ_CDR_KIND_OOXML},
    {"txt", KJ_CDR_KIND_TEXT},        {"text", KJ_CDR_KIND_TEXT},
    {"log", KJ_CDR_KIND_TEXT},        {"md", KJ_CDR_KIND_TEXT},
    {"xml", KJ_CDR_KIND_TEXT},        {"json", KJ_CDR_KIND_TEXT},
    {"csv", KJ_CDR_KIND_CSV},         {"tsv", KJ_CDR_KIND_CSV},
    {"rtf", KJ_CDR_KIND_RTF},         {"zip", KJ_CDR_KIND_ARCHIVE},
    {"7z", KJ_CDR_KIND_ARCHIVE},      {"tar", KJ_CDR_KIND_ARCHIVE},
    {"tgz", KJ_CDR_KIND_ARCHIVE},     {"gz", KJ_CDR_KIND_ARCHIVE},
    {"bz2", KJ_CDR_KIND_ARCHIVE},     {"tbz", KJ_CDR_KIND_ARCHIVE},
    {"tbz2", KJ_CDR_KIND_ARCHIVE},    {"xz", KJ_CDR_KIND_ARCHIVE},
    {"txz", KJ_CDR_KIND_ARCHIVE},     {"lzh", KJ_CDR_KIND_ARCHIVE},
    {"lha", KJ_CDR_KIND_ARCHIVE},     {"rar", KJ_CDR_KIND_ARCHIVE},
    {"cab", KJ_CDR_KIND_ARCHIVE},     {"cpio", KJ_CDR_KIND_ARCHIVE},
    {"z", KJ_CDR_KIND_ARCHIVE},       {"doc", KJ_CDR_KIND_OLE2},
    {"xls", KJ_CDR_KIND_OLE2},        {"ppt", KJ_CDR_KIND_OLE2},
    {"dot", KJ_CDR_KIND_OLE2},        {"xlt", KJ_CDR_KIND_OLE2},
    {"pps", KJ_CDR_KIND_OLE2},        {"html", KJ_CDR_KIND_HTML},
    {"htm", KJ_CDR_KIND_HTML},        {"xhtml", KJ_CDR_KIND_HTML},
    {"mht", KJ_CDR_KIND_HTML},        {"mhtml", KJ_CDR_KIND_HTML},
    {"svg", KJ_CDR_KIND_SVG},         {"svgz", KJ_CDR_KIND_SVG},
    {"one", KJ_CDR_KIND_ONENOTE},     {"onepkg", KJ_CDR_KIND_ONENOTE},
    {"iso", KJ_CDR_KIND_DISK_IMAGE},  {"img", KJ_CDR_KIND_DISK_IMAGE},
    {"vhd", KJ_CDR_KIND_DISK_IMAGE},  {"vhdx", KJ_CDR_KIND_DISK_IMAGE},
    {"dmg", KJ_CDR_KIND_DISK_IMAGE},  {"vmdk", KJ_CDR_KIND_DISK_IMAGE},
    {"lnk", KJ_CDR_KIND_LNK},         {"url", KJ_CDR_KIND_LNK},
    {"scf", KJ_CDR_KIND_LNK},         {"exe", KJ_CDR_KIND_EXECUTABLE},
    {"dll", KJ_CDR_KIND_EXECUTABLE},  {"scr", KJ_CDR_KIND_EXECUTABLE},
    {"com", KJ_CDR_KIND_EXECUTABLE},  {"pif", KJ_CDR_KIND_EXECUTABLE},
    {"cpl", KJ_CDR_KIND_EXECUTABLE},  {"sys", KJ_CDR_KIND_EXECUTABLE},
    {"msi", KJ_CDR_KIND_EXECUTABLE},  {"msp", KJ_CDR_KIND_EXECUTABLE},
    {"msc", KJ_CDR_KIND_EXECUTABLE},  {"jar", KJ_CDR_KIND_EXECUTABLE},
    {"chm", KJ_CDR_KIND_EXECUTABLE},  {"appx", KJ_CDR_KIND_EXECUTABLE},
    {"msix", KJ_CDR_KIND_EXECUTABLE}, {"xll", KJ_CDR_KIND_EXECUTABLE},
    {"ocx", KJ_CDR_KIND_EXECUTABLE},  {"js", KJ_CDR_KIND_SCRIPT},
    {"jse", KJ_CDR_KIND_SCRIPT},      {"mjs", KJ_CDR_KIND_SCRIPT},
    {"vbs", KJ_CDR_KIND_SCRIPT},      {"vbe", KJ_CDR_KIND_SCRIPT},
    {"vb", KJ_CDR_KIND_SCRIPT},       {"wsf", KJ_CDR_KIND_SCRIPT},
    {"wsh", KJ_CDR_KIND_SCRIPT},      {"wsc", KJ_CDR_KIND_SCRIPT},
    {"ps1", KJ_CDR_KIND_SCRIPT},      {"psm1", KJ_CDR_KIND_SCRIPT},
    {"psd1", KJ_CDR_KIND_SCRIPT},     {"bat", KJ_CDR_KIND_SCRIPT},
    {"cmd", KJ_CDR_KIND_SCRIPT},      {"hta", KJ_CDR_KIND_SCRIPT},
    {"sct", KJ_CDR_KIND_SCRIPT},      {"reg", KJ_CDR_KIND_SCRIPT},
    {"inf", KJ_CDR_KIND_SCRIPT},      {"sh", KJ_CDR_KIND_SCRIPT},
    {"ps2", KJ_CDR_KIND_SCRIPT},
};

static gboolean kind_always_blocked(KjCdrKind k)
{
	return k == KJ_CDR_KIND_EXECUTABLE || k == KJ_CDR_KIND_SCRIPT || k == KJ_CDR_KIND_LNK ||
	       k == KJ_CDR_KIND_DISK_IMAGE || k == KJ_CDR_KIND_ONENOTE;
}

KjCdrKind _kj_cdr_kind_of_name(const char *name, gboolean *always_blocked)
{
	*always_blocked = FALSE;
	if (name == NULL)
		return KJ_CDR_KIND_UNKNOWN;
	const char *dot = strrchr(name, '.');
	const char *slash = strrchr(name, '/');
	if (dot == NULL || (slash && dot < slash))
		return KJ_CDR_KIND_UNKNOWN;
	/* Trailing dots and spaces vanish on Windows: "a.exe. " runs. */
	g_autofree char *ext = g_ascii_strdown(dot + 1, -1);
	g_strchomp(ext);
	for (gsize i = 0; i < G_N_ELEMENTS(ext_kinds); i++)
		if (strcmp(ext, ext_kinds[i].ext) == 0) {
			*always_blocked = kind_always_blocked(ext_kinds[i].kind);
			return ext_kinds[i].kind;
		}
	return KJ_CDR_KIND_UNKNOWN;
}

const char *_kj_cdr_kind_name(KjCdrKind kind)
{
	static const char *const names[] = {
	    [KJ_CDR_KIND_UNKNOWN] = "unknown",
	    [KJ_CDR_KIND_EMPTY] = "empty",
	    [KJ_CDR_KIND_PDF] = "PDF",
	    [KJ_CDR_KIND_IMAGE] = "image",
	    [KJ_CDR_KIND_OOXML] = "Office Open XML",
	    [KJ_CDR_KIND_TEXT] = "text",
	    [KJ_CDR_KIND_CSV] = "CSV",
	    [KJ_CDR_KIND_RTF] = "RTF",
	    [KJ_CDR_KIND_ARCHIVE] = "archive",
	    [KJ_CDR_KIND_OLE2] = "legacy Office (OLE2)",
	    [KJ_CDR_KIND_HTML] = "HTML",
	    [KJ_CDR_KIND_SVG] = "SVG",
	    [KJ_CDR_KIND_EXECUTABLE] = "executable",
	    [KJ_CDR_KIND_SCRIPT] = "script",
	    [KJ_CDR_KIND_LNK] = "shortcut (LNK)",
	    [KJ_CDR_KIND_DISK_IMAGE] = "disk image",
	    [KJ_CDR_KIND_ONENOTE] = "OneNote",
	};
	return (gsize)kind < G_N_ELEMENTS(names) && names[kind] ? names[kind] : "unknown";
}
