/*++
 * NAME
 *	charset - decode mail text in any charset to UTF-8, and back
 * DESCRIPTION
 *	kj_charset_to_utf8() turns the bytes of a text part into valid UTF-8
 *	whatever they are: the declared charset is normalised through an
 *	alias table (mail spells "Shift_JIS" a dozen ways), decoded with
 *	iconv, and when the label is missing or lies (UTF-8 bytes labelled
 *	iso-8859-1, 8-bit bytes labelled us-ascii, Shift_JIS labelled utf-8)
 *	uchardet and a contest between CP932, EUC-JP and UTF-8 decide.  The
 *	contest is decided by the fewest undecodable bytes, because the
 *	wrong Japanese multibyte charset leaves many.
 *
 *	Japanese labels are decoded with the Microsoft supersets that real
 *	senders use: Shift_JIS as CP932, EUC-JP with EUC-JP-MS behind it per
 *	character, ISO-2022-JP by iso2022jp.c.  Nothing is dropped silently:
 *	each undecodable byte and each NUL becomes U+FFFD and is counted, so
 *	the caller can tell staff that the text was damaged.
 * SECURITY
 *	Runs in the sanitizer worker on attacker-supplied bytes.  No state is
 *	kept between calls: iconv descriptors are opened per call (glibc
 *	caches the conversion modules, an open costs about a microsecond),
 *	which keeps the code safe after fork() and across threads.
 * LIMITS
 *	KJ_CHARSET_DETECT_SAMPLE bytes are shown to uchardet.  The output is
 *	at most about three times the input.
 * STANDARDS
 *	RFC 2046 (charset parameter), RFC 1468 (ISO-2022-JP), RFC 2781
 *	(UTF-16), WHATWG Encoding (iso-8859-1 read as windows-1252).
 *	基本方針 2(12): mail crossing into LGWAN is turned into harmless text.
 * SEE ALSO
 *	iso2022jp.c, html.c
 *--*/
#include "text/charset.h"

#include "text/text-private.h"
#include "util/limits.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <uchardet/uchardet.h>

/* What the decoder may assume about a charset. */
typedef enum {
	CS_NONE,   /* unknown label */
	CS_OTHER,  /* known to iconv only */
	CS_ASCII,  /* us-ascii: 8-bit bytes prove the label wrong */
	CS_SINGLE, /* single-byte: every byte decodes, so failure never shows */
	CS_MULTI,  /* ASCII-compatible multibyte: failures show */
	CS_UTF8,
	CS_UTF16,
	CS_UTF7,
	CS_JIS, /* the ISO-2022-JP family, decoded by iso2022jp.c */
} CsClass;

typedef struct {
	const char *key;   /* lower case, letters and digits only */
	const char *canon; /* iconv name */
	CsClass cls;
} CsAlias;

static const CsAlias aliases[] = {
    {"usascii", "US-ASCII", CS_ASCII},
    {"ascii", "US-ASCII", CS_ASCII},
    {"ansix341968", "US-ASCII", CS_ASCII},
    {"iso646us", "US-ASCII", CS_ASCII},
    {"us", "US-ASCII", CS_ASCII},
    {"utf8", "UTF-8", CS_UTF8},
    {"unicode11utf8", "UTF-8", CS_UTF8},
    {"utf16", "UTF-16", CS_UTF16},
    {"utf16le", "UTF-16LE", CS_UTF16},
    {"utf16be", "UTF-16BE", CS_UTF16},
    {"unicode", "UTF-16LE", CS_UTF16},
    {"ucs2", "UTF-16", CS_UTF16},
    {"utf7", "UTF-7", CS_UTF7},
    {"unicode11utf7", "UTF-7", CS_UTF7},
    {"csunicode11utf7", "UTF-7", CS_UTF7},
    {"shiftjis", "CP932", CS_MULTI},
    {"sjis", "CP932", CS_MULTI},
    {"mskanji", "CP932", CS_MULTI},
    {"csshiftjis", "CP932", CS_MULTI},
    {"cp932", "CP932", CS_MULTI},
    {"ms932", "CP932", CS_MULTI},
    {"windows31j", "CP932", CS_MULTI},
    {"cswindows31j", "CP932", CS_MULTI},
    {"sjisopen", "CP932", CS_MULTI},
    {"sjiswin", "CP932", CS_MULTI},
    {"932", "CP932", CS_MULTI},
    {"shiftjisx0213", "SHIFT_JISX0213", CS_MULTI},
    {"shiftjis2004", "SHIFT_JISX0213", CS_MULTI},
    {"iso2022jp", "ISO-2022-JP", CS_JIS},
    {"csiso2022jp", "ISO-2022-JP", CS_JIS},
    {"iso2022jp1", "ISO-2022-JP", CS_JIS},
    {"iso2022jpms", "ISO-2022-JP", CS_JIS},
    {"cp50220", "ISO-2022-JP", CS_JIS},
    {"cp50221", "ISO-2022-JP", CS_JIS},
    {"cp50222", "ISO-2022-JP", CS_JIS},
    {"iso2022jp2", "ISO-2022-JP-2", CS_JIS},
    {"csiso2022jp2", "ISO-2022-JP-2", CS_JIS},
    {"iso2022jp3", "ISO-2022-JP-3", CS_JIS},
    {"iso2022jp2004", "ISO-2022-JP-3", CS_JIS},
    {"eucjp", "EUC-JP", CS_MULTI},
    {"cseucpkdfmtjapanese", "EUC-JP", CS_MULTI},
    {"eucjpms", "EUC-JP", CS_MULTI},
    {"eucjpwin", "EUC-JP", CS_MULTI},
    {"eucjpopen", "EUC-JP", CS_MULTI},
    {"cp51932", "EUC-JP", CS_MULTI},
    {"ujis", "EUC-JP", CS_MULTI},
    {"eucjisx0213", "EUC-JISX0213", CS_MULTI},
    {"ksc56011987", "CP949", CS_MULTI},
    {"ksc5601", "CP949", CS_MULTI},
    {"euckr", "CP949", CS_MULTI},
    {"cseuckr", "CP949", CS_MULTI},
    {"cp949", "CP949", CS_MULTI},
    {"uhc", "CP949", CS_MULTI},
    {"windows949", "CP949", CS_MULTI},
    {"gb2312", "GB18030", CS_MULTI},
    {"csgb2312", "GB18030", CS_MULTI},
    {"gbk", "GB18030", CS_MULTI},
    {"cp936", "GB18030", CS_MULTI},
    {"euccn", "GB18030", CS_MULTI},
    {"gb18030", "GB18030", CS_MULTI},
    {"big5", "BIG5", CS_MULTI},
    {"csbig5", "BIG5", CS_MULTI},
    {"cp950", "BIG5", CS_MULTI},
    {"big5hkscs", "BIG5-HKSCS", CS_MULTI},
    {"euctw", "EUC-TW", CS_MULTI},
    {"iso88591", "WINDOWS-1252", CS_SINGLE},
    {"latin1", "WINDOWS-1252", CS_SINGLE},
    {"l1", "WINDOWS-1252", CS_SINGLE},
    {"cp819", "WINDOWS-1252", CS_SINGLE},
    {"tis620", "TIS-620", CS_SINGLE},
    {"iso885911", "TIS-620", CS_SINGLE},
    {"windows874", "CP874", CS_SINGLE},
    {"cp874", "CP874", CS_SINGLE},
    {"koi8r", "KOI8-R", CS_SINGLE},
    {"koi8u", "KOI8-U", CS_SINGLE},
    {"macintosh", "MACINTOSH", CS_SINGLE},
    {"macroman", "MACINTOSH", CS_SINGLE},
};

/* Squeezes a label to lower-case letters and digits, dropping quotes,
 * spaces, "-", "_", "." and an "x-" prefix.  Returns FALSE if empty or
 * absurdly long. */
static gboolean squeeze(const char *label, char *key, gsize size, char *clean, gsize csize)
{
	gsize k = 0, c = 0;
	const char *p = label;

	while (*p == ' ' || *p == '\t' || *p == '"' || *p == '\'')
		p++;
	if ((p[0] == 'x' || p[0] == 'X') && (p[1] == '-' || p[1] == '_'))
		p += 2;
	for (; *p != '\0'; p++) {
		guchar ch = (guchar)*p;
		if (g_ascii_isalnum(ch)) {
			if (k + 1 >= size)
				return FALSE;
			key[k++] = g_ascii_tolower(ch);
		}
		if (ch > ' ' && ch < 0x7f && ch != '"' && ch != '\'') {
			if (c + 1 >= csize)
				return FALSE;
			clean[c++] = g_ascii_toupper(ch);
		}
	}
	key[k] = '\0';
	clean[c] = '\0';
	return k > 0;
}

static CsClass classify(const char *label, char out[64])
{
	char key[64], clean[64];

	out[0] = '\0';
	if (label == NULL || !squeeze(label, key, sizeof key, clean, sizeof clean))
		return CS_NONE;
	for (gsize i = 0; i < G_N_ELEMENTS(aliases); i++) {
		if (strcmp(aliases[i].key, key) == 0) {
			g_strlcpy(out, aliases[i].canon, 64);
			return aliases[i].cls;
		}
	}
	/* "windows-1252", "cp1251", "iso-8859-5": iconv knows them by the
	 * cleaned name; only their class is decided here. */
	if (g_str_has_prefix(key, "windows125") || g_str_has_prefix(key, "cp125") ||
	    g_str_has_prefix(key, "iso8859")) {
		iconv_t cd = iconv_open("UTF-8", clean);
		if (cd == (iconv_t)-1)
			return CS_NONE;
		iconv_close(cd);
		g_strlcpy(out, clean, 64);
		return CS_SINGLE;
	}
	iconv_t cd = iconv_open("UTF-8", clean);
	if (cd == (iconv_t)-1)
		return CS_NONE;
	iconv_close(cd);
	g_strlcpy(out, clean, 64);
	return CS_OTHER;
}

gboolean kj_charset_normalize(const char *label, char out[64])
{
	return classify(label, out) != CS_NONE;
}

static void append_replacement(GString *out, guint *repl)
{
	g_string_append_len(out, KJ_UTF8_REPLACEMENT, 3);
	(*repl)++;
}

/* Tries to convert exactly n bytes as one character with the fallback. */
static gboolean fallback_char(iconv_t fb, const char *in, gsize n, GString *out)
{
	char buf[16];
	char *ip = (char *)(uintptr_t)in, *op = buf;
	gsize il = n, ol = sizeof buf;

	iconv(fb, NULL, NULL, NULL, NULL);
	if (iconv(fb, &ip, &il, &op, &ol) == (size_t)-1 || il != 0)
		return FALSE;
	g_string_append_len(out, buf, (gssize)(op - buf));
	return TRUE;
}

static gsize skip_bad(iconv_t fallback, const char *ip, gsize left, gsize unit, GString *out,
		      guint *repl)
{
	if (fallback != (iconv_t)-1) {
		for (gsize n = 2; n <= 4 && n <= left; n++)
			if (fallback_char(fallback, ip, n, out))
				return n;
	}
	append_replacement(out, repl);
	return MIN(unit, left);
}

void _kj_iconv_append(iconv_t cd, iconv_t fallback, const char *in, gsize len, GString *out,
		      guint *repl)
{
	_kj_iconv_append_unit(cd, fallback, 1, in, len, out, repl);
}

void _kj_iconv_append_unit(iconv_t cd, iconv_t fallback, gsize unit, const char *in, gsize len,
			   GString *out, guint *repl)
{
	char *ip = (char *)(uintptr_t)in;
	gsize left = len;

	iconv(cd, NULL, NULL, NULL, NULL);
	while (left > 0) {
		/* Three output bytes per input byte always suffice for the
		 * charsets we meet; E2BIG is handled anyway. */
		gsize room = MIN(left * 3 + 16, (gsize)256 * 1024);
		gsize old = out->len;
		g_string_set_size(out, old + room);
		char *op = out->str + old;
		gsize oleft = room;
		size_t r = iconv(cd, &ip, &left, &op, &oleft);
		int err = errno;
		g_string_set_size(out, (gsize)(op - out->str));
		if (r != (size_t)-1 || err == E2BIG)
			continue;
		if (err == EILSEQ) {
			gsize n = skip_bad(fallback, ip, left, unit, out, repl);
			ip += n;
			left -= n;
			iconv(cd, NULL, NULL, NULL, NULL);
			continue;
		}
		/* EINVAL: a sequence cut off by the end of the input. */
		while (left > 0) {
			append_replacement(out, repl);
			left -= MIN(unit, left);
		}
	}
}

guint _kj_replace_nuls(GString *out, gsize from)
{
	char *nul = memchr(out->str + from, '\0', out->len - from);
	guint n = 0;

	if (nul == NULL)
		return 0;
	GString *fixed = g_string_sized_new(out->len + 64);
	gsize start = from;
	g_string_append_len(fixed, out->str, (gssize)from);
	while (nul != NULL) {
		gsize at = (gsize)(nul - out->str);
		g_string_append_len(fixed, out->str + start, (gssize)(at - start));
		g_string_append_len(fixed, KJ_UTF8_REPLACEMENT, 3);
		n++;
		start = at + 1;
		nul = memchr(out->str + start, '\0', out->len - start);
	}
	g_string_append_len(fixed, out->str + start, (gssize)(out->len - start));
	g_string_truncate(out, 0);
	g_string_append_len(out, fixed->str, (gssize)fixed->len);
	g_string_free(fixed, TRUE);
	return n;
}

guint _kj_utf8_append_repaired(GString *out, const char *in, gsize len)
{
	const char *p = in, *end = in + len;
	guint n = 0;

	while (p < end) {
		const char *stop;
		if (g_utf8_validate_len(p, (gsize)(end - p), &stop)) {
			g_string_append_len(out, p, end - p);
			break;
		}
		g_string_append_len(out, p, stop - p);
		g_string_append_len(out, KJ_UTF8_REPLACEMENT, 3);
		n++;
		p = stop + 1;
	}
	return n;
}

/* Decodes with one charset into a fresh string; FALSE if iconv lacks it. */
static gboolean decode_as(const char *canon, CsClass cls, const char *in, gsize len, GString **res,
			  guint *repl)
{
	GString *out = g_string_sized_new(len + len / 2 + 16);

	*repl = 0;
	if (cls == CS_JIS) {
		_kj_iso2022jp_decode(in, len, out, repl);
	} else if (cls == CS_UTF8) {
		*repl = _kj_utf8_append_repaired(out, in, len);
	} else {
		iconv_t cd = iconv_open("UTF-8", canon);
		if (cd == (iconv_t)-1) {
			g_string_free(out, TRUE);
			return FALSE;
		}
		/* EUC-JP-MS adds the NEC and IBM rows; trying it only per
		 * failed character keeps EUC-JP's own mapping of 〜 (U+301C)
		 * for the mail of Unix senders. */
		iconv_t fb =
		    strcmp(canon, "EUC-JP") == 0 ? iconv_open("UTF-8", "EUC-JP-MS") : (iconv_t)-1;
		_kj_iconv_append_unit(cd, fb, cls == CS_UTF16 ? 2 : 1, in, len, out, repl);
		if (fb != (iconv_t)-1)
			iconv_close(fb);
		iconv_close(cd);
	}
	*repl += _kj_replace_nuls(out, 0);
	*res = out;
	return TRUE;
}

/* Finds UTF-16 without a BOM by where its NUL bytes sit: ASCII-heavy
 * UTF-16 has a zero in every other byte.  Returns the iconv name or NULL. */
static const char *utf16_guess(const guchar *b, gsize len)
{
	gsize n = MIN(len, (gsize)4096) & ~(gsize)1, z_even = 0, z_odd = 0;

	if (len < 4 || (len & 1) != 0)
		return NULL;
	for (gsize i = 0; i < n; i += 2) {
		z_even += b[i] == 0;
		z_odd += b[i + 1] == 0;
	}
	if (z_odd * 10 >= n / 2 * 3 && z_even * 16 <= z_odd)
		return "UTF-16LE";
	if (z_even * 10 >= n / 2 * 3 && z_odd * 16 <= z_even)
		return "UTF-16BE";
	return NULL;
}

static CsClass detect(const char *bytes, gsize len, char out[64])
{
	uchardet_t ud = uchardet_new();
	CsClass cls = CS_NONE;

	if (ud == NULL)
		return CS_NONE;
	if (uchardet_handle_data(ud, bytes, MIN(len, (gsize)KJ_CHARSET_DETECT_SAMPLE)) == 0) {
		uchardet_data_end(ud);
		cls = classify(uchardet_get_charset(ud), out);
	}
	uchardet_delete(ud);
	return cls;
}

/* Scans for what decides the path: 8-bit bytes and ISO-2022 escapes. */
static void scan(const guchar *b, gsize len, gboolean *high, gboolean *jis)
{
	*high = *jis = FALSE;
	for (gsize i = 0; i < len; i++) {
		if (b[i] >= 0x80)
			*high = TRUE;
		else if (b[i] == 0x1b && i + 2 < len &&
			 (b[i + 1] == '$' || (b[i + 1] == '(' && b[i + 2] == 'I')))
			*jis = TRUE;
	}
}

typedef struct {
	GString *out;
	guint repl;
	char name[64];
} Best;

/* Keeps the candidate with the fewest replacements; earlier wins ties. */
static void consider(Best *best, const char *canon, CsClass cls, const char *in, gsize len)
{
	GString *out;
	guint repl;

	if (canon[0] == '\0' || (best->out != NULL && strcmp(best->name, canon) == 0))
		return;
	if (!decode_as(canon, cls, in, len, &out, &repl))
		return;
	if (best->out == NULL || repl < best->repl) {
		if (best->out != NULL)
			g_string_free(best->out, TRUE);
		best->out = out;
		best->repl = repl;
		g_strlcpy(best->name, canon, sizeof best->name);
	} else {
		g_string_free(out, TRUE);
	}
}

static char *finish(Best *best, KjCharsetInfo *info, const char *declared_canon)
{
	g_strlcpy(info->charset, best->name, sizeof info->charset);
	info->replacements = best->repl;
	if (declared_canon != NULL && declared_canon[0] != '\0' &&
	    strcmp(declared_canon, best->name) != 0)
		info->mislabelled = TRUE;
	return g_string_free(best->out, FALSE);
}

/* The declared label is missing or failed: uchardet, then the contest. */
static char *guess(const char *bytes, gsize len, Best *best, KjCharsetInfo *info,
		   const char *declared_canon)
{
	char det[64];
	CsClass dcls = detect(bytes, len, det);

	info->guessed = TRUE;
	/* A single-byte charset decodes anything, so it may only be chosen
	 * when nothing better was declared: it must not beat a multibyte
	 * label that failed on one cut-off character. */
	if (dcls != CS_NONE && dcls != CS_ASCII && (dcls != CS_SINGLE || best->out == NULL))
		consider(best, det, dcls, bytes, len);
	if (best->out == NULL || best->repl > 0) {
		consider(best, "UTF-8", CS_UTF8, bytes, len);
		consider(best, "CP932", CS_MULTI, bytes, len);
		consider(best, "EUC-JP", CS_MULTI, bytes, len);
	}
	return finish(best, info, declared_canon);
}

/* TRUE when the only failures are a character cut off by the end of the
 * input (a truncated part): the label was right, keep it. */
static gboolean cut_off(const char *canon, CsClass cls, const char *bytes, gsize len, guint repl)
{
	for (gsize k = 1; k <= 3 && k <= repl && k < len; k++) {
		GString *out;
		guint r;
		if (!decode_as(canon, cls, bytes, len - k, &out, &r))
			return FALSE;
		g_string_free(out, TRUE);
		if (r == 0)
			return TRUE;
	}
	return FALSE;
}

static char *decode_8bit(const char *bytes, gsize len, CsClass cls, const char *canon,
			 KjCharsetInfo *info)
{
	Best best = {NULL, 0, ""};
	gboolean utf8_ok = g_utf8_validate_len(bytes, len, NULL);

	/* Valid UTF-8 with 8-bit bytes is almost never an accident of a
	 * single-byte or multibyte legacy charset. */
	if (utf8_ok && cls != CS_UTF8 && cls != CS_OTHER) {
		consider(&best, "UTF-8", CS_UTF8, bytes, len);
		if (cls == CS_NONE)
			info->guessed = TRUE;
		return finish(&best, info, canon);
	}
	if (cls == CS_NONE || cls == CS_ASCII)
		return guess(bytes, len, &best, info, canon);
	consider(&best, canon, cls, bytes, len);
	if (best.out == NULL)
		return guess(bytes, len, &best, info, canon);
	if (cls == CS_SINGLE && best.repl == 0) {
		/* A single-byte label decodes anything; only a confident
		 * Japanese or other multibyte verdict that fits overrules it. */
		char det[64];
		CsClass dcls = detect(bytes, len, det);
		if (dcls == CS_MULTI || dcls == CS_JIS) {
			Best alt = {NULL, 0, ""};
			consider(&alt, det, dcls, bytes, len);
			if (alt.out != NULL && alt.repl == 0) {
				g_string_free(best.out, TRUE);
				info->guessed = TRUE;
				return finish(&alt, info, canon);
			}
			if (alt.out != NULL)
				g_string_free(alt.out, TRUE);
		}
	}
	if (best.repl == 0 || cut_off(canon, cls, bytes, len, best.repl))
		return finish(&best, info, canon);
	return guess(bytes, len, &best, info, canon);
}

static char *decode_bom(const guchar *b, gsize len, CsClass cls, const char *canon,
			KjCharsetInfo *info, gboolean *done)
{
	Best best = {NULL, 0, ""};
	const char *name = NULL;
	gsize skip = 0;

	if (len >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf)
		name = "UTF-8", skip = 3;
	else if (len >= 2 && b[0] == 0xff && b[1] == 0xfe)
		name = "UTF-16LE", skip = 2;
	else if (len >= 2 && b[0] == 0xfe && b[1] == 0xff)
		name = "UTF-16BE", skip = 2;
	else if (cls == CS_UTF16 || cls == CS_NONE) {
		name = utf16_guess(b, len);
		if (name == NULL && cls == CS_UTF16)
			name = strcmp(canon, "UTF-16") == 0 ? "UTF-16BE" : canon; /* RFC 2781 */
		if (name != NULL && cls == CS_NONE)
			info->guessed = TRUE;
	}
	*done = name != NULL;
	if (name == NULL)
		return NULL;
	consider(&best, name, name[4] == '8' ? CS_UTF8 : CS_UTF16, (const char *)b + skip,
		 len - skip);
	/* A BOM settles the question, whatever the label said; "UTF-16"
	 * labels match either byte order. */
	if (cls == CS_UTF16 && g_str_has_prefix(name, "UTF-16"))
		canon = NULL;
	return finish(&best, info, cls == CS_NONE ? NULL : canon);
}

char *kj_charset_to_utf8(const char *bytes, gsize len, const char *declared, KjCharsetInfo *info)
{
	KjCharsetInfo local;
	char canon[64];
	gboolean high, jis, done;

	if (info == NULL)
		info = &local;
	memset(info, 0, sizeof *info);
	if (bytes == NULL || len == 0) {
		g_strlcpy(info->charset, "US-ASCII", sizeof info->charset);
		return g_strdup("");
	}
	CsClass cls = classify(declared, canon);
	char *res = decode_bom((const guchar *)bytes, len, cls, canon, info, &done);
	if (done)
		return res;
	scan((const guchar *)bytes, len, &high, &jis);
	if (cls == CS_JIS || (jis && !high && cls != CS_UTF7)) {
		Best best = {NULL, 0, ""};
		consider(&best, cls == CS_JIS ? canon : "ISO-2022-JP", CS_JIS, bytes, len);
		if (cls != CS_JIS)
			info->guessed = TRUE;
		if (best.repl > 0 && high)
			return guess(bytes, len, &best, info, cls == CS_JIS ? canon : NULL);
		return finish(&best, info, cls == CS_NONE ? NULL : canon);
	}
	if (!high && cls != CS_UTF7 && cls != CS_OTHER) {
		/* 7-bit text: every ASCII-compatible label reads it the same. */
		GString *out = g_string_sized_new(len + 1);
		g_string_append_len(out, bytes, (gssize)len);
		info->replacements = _kj_replace_nuls(out, 0);
		info->guessed = cls == CS_NONE;
		g_strlcpy(info->charset, cls == CS_NONE ? "US-ASCII" : canon, sizeof info->charset);
		return g_string_free(out, FALSE);
	}
	if (!high) {
		Best best = {NULL, 0, ""};
		consider(&best, canon, cls, bytes, len);
		if (best.out != NULL)
			return finish(&best, info, canon);
		return guess(bytes, len, &best, info, NULL);
	}
	return decode_8bit(bytes, len, cls, cls == CS_NONE ? NULL : canon, info);
}

void _kj_iconv_encode(iconv_t cd, const char *in, gsize len, const char *subst, GString *out,
		      guint *unmappable)
{
	char *ip = (char *)(uintptr_t)in;
	gsize left = len;

	while (left > 0) {
		gsize room = MIN(left * 4 + 16, (gsize)256 * 1024);
		gsize old = out->len;
		g_string_set_size(out, old + room);
		char *op = out->str + old;
		gsize oleft = room;
		size_t r = iconv(cd, &ip, &left, &op, &oleft);
		int err = errno;
		g_string_set_size(out, (gsize)(op - out->str));
		if (r != (size_t)-1 || err == E2BIG)
			continue;
		/* EILSEQ or EINVAL: skip one whole UTF-8 character. */
		const char *next = KJ_UTF8_NEXT(ip);
		gsize n = MIN((gsize)(next - ip), left);
		g_string_append(out, subst);
		(*unmappable)++;
		ip += n;
		left -= n;
	}
	gsize old = out->len;
	g_string_set_size(out, old + 16);
	char *op = out->str + old;
	gsize oleft = 16;
	iconv(cd, NULL, NULL, &op, &oleft);
	g_string_set_size(out, (gsize)(op - out->str));
}

char *kj_charset_from_utf8(const char *utf8, gsize len, const char *target, gsize *out_len,
			   guint *unmappable)
{
	char canon[64];
	guint local = 0;

	g_return_val_if_fail(utf8 != NULL || len == 0, NULL);
	g_return_val_if_fail(target != NULL, NULL);
	if (unmappable == NULL)
		unmappable = &local;
	*unmappable = 0;
	CsClass cls = classify(target, canon);
	if (cls == CS_NONE)
		return NULL;
	GString *valid = g_string_sized_new(len + 1);
	_kj_utf8_append_repaired(valid, utf8 != NULL ? utf8 : "", len);
	GString *out;
	if (cls == CS_UTF8) {
		out = valid;
		valid = NULL;
	} else if (cls == CS_JIS) {
		out = g_string_sized_new(len + len / 2 + 16);
		_kj_iso2022jp_encode(valid->str, valid->len, out, unmappable);
	} else {
		iconv_t cd = iconv_open(canon, "UTF-8");
		gboolean ja = strcmp(canon, "CP932") == 0 || g_str_has_prefix(canon, "EUC-J") ||
			      g_str_has_prefix(canon, "SHIFT_JIS");
		if (cd == (iconv_t)-1) {
			g_string_free(valid, TRUE);
			return NULL;
		}
		out = g_string_sized_new(len + 16);
		/* GETA MARK in the target when it has one, as Japanese mail
		 * software has always shown an unmappable character. */
		char geta[8] = "?";
		if (ja) {
			gsize gl = 0;
			g_autofree char *g =
			    g_convert("\xE3\x80\x93", 3, canon, "UTF-8", NULL, &gl, NULL);
			if (g != NULL && gl < sizeof geta)
				memcpy(geta, g, gl + 1);
		}
		_kj_iconv_encode(cd, valid->str, valid->len, geta, out, unmappable);
		iconv_close(cd);
	}
	if (valid != NULL)
		g_string_free(valid, TRUE);
	if (out_len != NULL)
		*out_len = out->len;
	return g_string_free(out, FALSE);
}
