/*++
 * NAME
 *	iso2022jp - ISO-2022-JP as Japanese mail really uses it
 * DESCRIPTION
 *	Outlook and most Japanese mail software write ISO-2022-JP with the
 *	Microsoft extensions (CP50220/CP50221): NEC row 13 (①, Ⅲ, ㈱, ㍉),
 *	the NEC-selected IBM rows 89-92 (髙, 﨑) and the CP932 reading of
 *	JIS 0x2141 as U+FF5E.  glibc's ISO-2022-JP converter refuses those
 *	rows, so the escape sequences are followed here and every run of JIS
 *	X 0208 is turned arithmetically into Shift_JIS and decoded by iconv's
 *	CP932.  The other sets of ISO-2022-JP-1/-2/-3 (JIS X 0212, GB 2312,
 *	KS C 5601, JIS X 0213, the G2 Latin-1 and Greek sets) go to iconv's
 *	matching EUC converter the same way.
 *
 *	The encoder does the reverse for the ISO-2022-JP output profile:
 *	UTF-8 to CP932 with iconv, IBM extension codes moved to their
 *	NEC-selected twins (the only form CP50220 can carry), then to JIS.
 * SECURITY
 *	Runs in the sanitizer worker on attacker-supplied bytes.  Unknown
 *	escapes, odd-length two-byte runs, 8-bit bytes and NULs each become
 *	one U+FFFD; nothing is skipped silently, no input makes the state
 *	machine read past the end.
 * LIMITS
 *	None of its own: one pass, output about twice the input.
 * STANDARDS
 *	RFC 1468 (ISO-2022-JP), RFC 2237 (-1), RFC 1554 (-2), JIS X 0213
 *	annex 2 (-3), Microsoft CP50220/CP50221.  基本方針 2(12).
 * SEE ALSO
 *	charset.c
 *--*/
#include "text/text-private.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

/* Graphic sets that can be designated to G0 (and G2 for SS2). */
typedef enum {
	G_ASCII,
	G_KANA,   /* JIS X 0201 katakana */
	G_JIS208, /* JIS X 0208, read as CP932 */
	G_JIS212,
	G_X0213_1,
	G_X0213_2,
	G_GB2312,
	G_KSC5601,
} GSet;

/* Charsets the runs of bytes are converted with. */
typedef enum { R_NONE, R_SJIS, R_EUCJP, R_X0213, R_GB, R_KR, R_GREEK, R_COUNT } RunSet;

static const char *const run_charset[R_COUNT] = {
    NULL, "CP932", "EUC-JP", "EUC-JISX0213", "GB18030", "CP949", "ISO-8859-7",
};

typedef struct {
	GString *out;
	guint *repl;
	GString *run;
	RunSet run_set;
	iconv_t cd[R_COUNT];
	GSet g0;
	int g2;           /* 0 none, 1 Latin-1, 2 Greek */
	gboolean shifted; /* SO: JIS X 0201 katakana until SI */
} Dec;

static void flush(Dec *d)
{
	if (d->run->len == 0)
		return;
	if (d->cd[d->run_set] == NULL) {
		d->cd[d->run_set] = iconv_open("UTF-8", run_charset[d->run_set]);
		if (d->cd[d->run_set] == (iconv_t)-1)
			d->cd[d->run_set] = NULL;
	}
	if (d->cd[d->run_set] != NULL) {
		_kj_iconv_append(d->cd[d->run_set], (iconv_t)-1, d->run->str, d->run->len, d->out,
				 d->repl);
	} else {
		for (gsize i = 0; i < d->run->len; i++)
			g_string_append_len(d->out, KJ_UTF8_REPLACEMENT, 3);
		*d->repl += (guint)d->run->len;
	}
	g_string_truncate(d->run, 0);
}

static void run_add(Dec *d, RunSet set, const guchar *bytes, gsize n)
{
	if (d->run_set != set || d->run->len > 65536)
		flush(d);
	d->run_set = set;
	g_string_append_len(d->run, (const char *)bytes, (gssize)n);
}

static void emit_byte(Dec *d, guchar c)
{
	flush(d);
	g_string_append_c(d->out, (char)c);
}

static void emit_repl(Dec *d)
{
	flush(d);
	g_string_append_len(d->out, KJ_UTF8_REPLACEMENT, 3);
	(*d->repl)++;
}

/* JIS X 0208 row/cell bytes to Shift_JIS; rows 89-94 land on 0xED-0xEF,
 * where CP932 keeps the NEC-selected IBM extensions. */
static void jis_to_sjis(guchar j1, guchar j2, guchar s[2])
{
	s[0] = (guchar)(((j1 + 1) >> 1) + (j1 <= 0x5e ? 0x70 : 0xb0));
	if (j1 & 1)
		s[1] = (guchar)(j2 + (j2 >= 0x60 ? 0x20 : 0x1f));
	else
		s[1] = (guchar)(j2 + 0x7e);
}

/* cp932_cell[j1 - 0x21][j2 - 0x21]: CP932 has a character for this JIS
 * X 0208 cell.  Built once from iconv, so that an unmapped pair becomes
 * one U+FFFD for both bytes (as the WHATWG decoder does) instead of a
 * U+FFFD and a stray ASCII trail byte. */
static guint8 cp932_cell[94][94];

static void build_cell_table(void)
{
	iconv_t cd = iconv_open("UTF-8", "CP932");

	if (cd == (iconv_t)-1)
		return;
	for (guint j1 = 0x21; j1 <= 0x7e; j1++) {
		for (guint j2 = 0x21; j2 <= 0x7e; j2++) {
			guchar sj[2];
			char u[8], *ip = (char *)sj, *op = u;
			gsize il = 2, ol = sizeof u;
			jis_to_sjis((guchar)j1, (guchar)j2, sj);
			iconv(cd, NULL, NULL, NULL, NULL);
			cp932_cell[j1 - 0x21][j2 - 0x21] =
			    iconv(cd, &ip, &il, &op, &ol) != (size_t)-1;
		}
	}
	iconv_close(cd);
}

static gboolean cp932_has(guchar j1, guchar j2)
{
	static gsize once = 0;

	if (g_once_init_enter(&once)) {
		build_cell_table();
		g_once_init_leave(&once, 1);
	}
	return cp932_cell[j1 - 0x21][j2 - 0x21] != 0;
}

typedef struct {
	const char *seq; /* bytes after ESC */
	int g0;          /* GSet, or -1 */
	int g2;          /* 1 Latin-1, 2 Greek, or 0 */
} Escape;

static const Escape escapes[] = {
    {"(B", G_ASCII, 0},   {"(J", G_ASCII, 0},    {"(H", G_ASCII, 0},    {"(I", G_KANA, 0},
    {"$@", G_JIS208, 0},  {"$B", G_JIS208, 0},   {"$(B", G_JIS208, 0},  {"$(@", G_JIS208, 0},
    {"$(D", G_JIS212, 0}, {"$(O", G_X0213_1, 0}, {"$(Q", G_X0213_1, 0}, {"$(P", G_X0213_2, 0},
    {"$A", G_GB2312, 0},  {"$(A", G_GB2312, 0},  {"$(C", G_KSC5601, 0}, {".A", -1, 1},
    {".F", -1, 2},        {"&@", -1, 0},
};

/* Handles the escape at b[i] (b[i] == ESC); returns bytes consumed. */
static gsize escape(Dec *d, const guchar *b, gsize i, gsize len)
{
	for (gsize k = 0; k < G_N_ELEMENTS(escapes); k++) {
		gsize n = strlen(escapes[k].seq);
		if (i + 1 + n > len || memcmp(b + i + 1, escapes[k].seq, n) != 0)
			continue;
		if (escapes[k].g0 >= 0)
			d->g0 = (GSet)escapes[k].g0;
		if (escapes[k].g2 != 0)
			d->g2 = escapes[k].g2;
		return 1 + n;
	}
	/* SS2: one character from G2. */
	if (i + 2 < len && b[i + 1] == 'N' && d->g2 != 0 && b[i + 2] >= 0x20 && b[i + 2] < 0x80) {
		guchar c = b[i + 2] | 0x80;
		if (d->g2 == 1) {
			flush(d);
			g_string_append_unichar(d->out, c);
		} else {
			run_add(d, R_GREEK, &c, 1);
		}
		return 3;
	}
	emit_repl(d);
	return 1;
}

static void pair(Dec *d, guchar c1, guchar c2)
{
	guchar s[3];

	switch (d->g0) {
	case G_JIS208:
		if (!cp932_has(c1, c2)) {
			emit_repl(d);
			break;
		}
		jis_to_sjis(c1, c2, s);
		run_add(d, R_SJIS, s, 2);
		break;
	case G_JIS212:
	case G_X0213_2:
		s[0] = 0x8f, s[1] = c1 | 0x80, s[2] = c2 | 0x80;
		run_add(d, d->g0 == G_JIS212 ? R_EUCJP : R_X0213, s, 3);
		break;
	default:
		s[0] = c1 | 0x80, s[1] = c2 | 0x80;
		run_add(d, d->g0 == G_X0213_1 ? R_X0213 : d->g0 == G_GB2312 ? R_GB : R_KR, s, 2);
		break;
	}
}

/* One byte in the current state; returns bytes consumed. */
static gsize step(Dec *d, const guchar *b, gsize i, gsize len)
{
	guchar c = b[i];

	if (c == 0x1b)
		return escape(d, b, i, len);
	if (c == 0x0e || c == 0x0f) {
		d->shifted = c == 0x0e;
		return 1;
	}
	if (c == 0) {
		emit_repl(d);
		return 1;
	}
	if (c == '\n' || c == '\r') {
		/* RFC 1468 wants ASCII before every line end; senders that
		 * forget it would otherwise garble every later line. */
		d->g0 = G_ASCII;
		d->shifted = FALSE;
		emit_byte(d, c);
		return 1;
	}
	if (c >= 0x80) {
		/* "8-bit JIS" carries katakana as raw 0xA1-0xDF. */
		if (c >= 0xa1 && c <= 0xdf)
			run_add(d, R_SJIS, &c, 1);
		else
			emit_repl(d);
		return 1;
	}
	if ((d->shifted || d->g0 == G_KANA) && c >= 0x21 && c <= 0x5f) {
		guchar k = c + 0x80;
		run_add(d, R_SJIS, &k, 1);
		return 1;
	}
	if (d->g0 == G_ASCII || d->g0 == G_KANA || c < 0x21 || c == 0x7f) {
		emit_byte(d, c);
		return 1;
	}
	if (i + 1 >= len || b[i + 1] < 0x21 || b[i + 1] > 0x7e) {
		/* Odd-length two-byte run: the lone byte is lost. */
		emit_repl(d);
		return 1;
	}
	pair(d, c, b[i + 1]);
	return 2;
}

/* Bytes from b[i] that step() would copy one by one in ASCII state:
 * everything but NUL, ESC, SO, SI and 8-bit bytes (line ends only reset
 * the state to what it already is). */
static gsize ascii_run(const guchar *b, gsize i, gsize len)
{
	gsize j = i;

	while (j < len && b[j] != 0 && b[j] < 0x80 && b[j] != 0x1b && b[j] != 0x0e && b[j] != 0x0f)
		j++;
	return j - i;
}

/* JIS X 0208 pairs from b[i] that step() would add one by one to the
 * Shift_JIS run; stops at anything else, which step() then handles. */
static gsize jis208_run(Dec *d, const guchar *b, gsize i, gsize len)
{
	guchar buf[512];
	gsize n = 0, start = i;

	while (i + 1 < len && b[i] >= 0x21 && b[i] <= 0x7e && b[i + 1] >= 0x21 &&
	       b[i + 1] <= 0x7e && cp932_has(b[i], b[i + 1])) {
		jis_to_sjis(b[i], b[i + 1], buf + n);
		n += 2;
		i += 2;
		if (n == sizeof buf) {
			run_add(d, R_SJIS, buf, n);
			n = 0;
		}
	}
	if (n > 0)
		run_add(d, R_SJIS, buf, n);
	return i - start;
}

void _kj_iso2022jp_decode(const char *in, gsize len, GString *out, guint *repl)
{
	Dec d = {out, repl, g_string_sized_new(256), R_NONE, {NULL}, G_ASCII, 0, FALSE};
	const guchar *b = (const guchar *)in;

	/* The two common states take whole runs at a time: byte by byte,
	 * this decoder was 2.6 % of all instructions of the mail benchmark
	 * (callgrind; a g_string_append_len() per byte or pair). */
	for (gsize i = 0; i < len;) {
		gsize n = 0;
		if (!d.shifted && d.g0 == G_ASCII) {
			n = ascii_run(b, i, len);
			if (n > 0) {
				flush(&d);
				g_string_append_len(d.out, (const char *)b + i, (gssize)n);
			}
		} else if (!d.shifted && d.g0 == G_JIS208) {
			n = jis208_run(&d, b, i, len);
		}
		i += n > 0 ? n : step(&d, b, i, len);
	}
	flush(&d);
	for (int k = 0; k < R_COUNT; k++)
		if (d.cd[k] != NULL)
			iconv_close(d.cd[k]);
	g_string_free(d.run, TRUE);
}

/*
 * Encoder.
 */

/* ibm_to_nec[s1 - 0xFA][s2]: the NEC-selected code (0xED/0xEE rows) of an
 * IBM extension code, or 0.  Built once from iconv's own CP932 tables:
 * decode each NEC-selected code and see which IBM code CP932 encodes
 * the character as. */
static guint16 ibm_to_nec[3][256];

static void build_ibm_table(void)
{
	iconv_t dec = iconv_open("UTF-8", "CP932"), enc = iconv_open("CP932", "UTF-8");

	if (dec == (iconv_t)-1 || enc == (iconv_t)-1)
		goto out;
	for (guint s1 = 0xed; s1 <= 0xee; s1++) {
		for (guint s2 = 0x40; s2 <= 0xfc; s2++) {
			char in[2] = {(char)s1, (char)s2}, u[8], back[8];
			char *ip = in, *op = u;
			gsize il = 2, ol = sizeof u;
			if (s2 == 0x7f || iconv(dec, &ip, &il, &op, &ol) == (size_t)-1)
				continue;
			gsize ul = sizeof u - ol;
			ip = u, il = ul, op = back, ol = sizeof back;
			iconv(enc, NULL, NULL, NULL, NULL);
			if (iconv(enc, &ip, &il, &op, &ol) == (size_t)-1 || sizeof back - ol != 2)
				continue;
			guchar r1 = (guchar)back[0], r2 = (guchar)back[1];
			if (r1 >= 0xfa && r1 <= 0xfc)
				ibm_to_nec[r1 - 0xfa][r2] = (guint16)(s1 << 8 | s2);
		}
	}
out:
	if (dec != (iconv_t)-1)
		iconv_close(dec);
	if (enc != (iconv_t)-1)
		iconv_close(enc);
}

static void ensure_ibm_table(void)
{
	static gsize once = 0;

	if (g_once_init_enter(&once)) {
		build_ibm_table();
		g_once_init_leave(&once, 1);
	}
}

/* Characters whose JIS reading differs from Microsoft's, so that text
 * decoded by a JIS-table sender still encodes to CP932. */
static gunichar ms_twin(gunichar c)
{
	switch (c) {
	case 0x301c:
		return 0xff5e; /* WAVE DASH */
	case 0x2016:
		return 0x2225; /* DOUBLE VERTICAL LINE */
	case 0x2212:
		return 0xff0d; /* MINUS SIGN */
	case 0x00a2:
		return 0xffe0;
	case 0x00a3:
		return 0xffe1;
	case 0x00ac:
		return 0xffe2;
	case 0x2014:
		return 0x2015; /* EM DASH */
	default:
		return c;
	}
}

/* ISO-2022-JP has no katakana set: halfwidth katakana become fullwidth
 * (NFKC joins ｶﾞ into ガ), as CP50220 does. */
static GString *prepare(const char *utf8, gsize len)
{
	GString *s = g_string_sized_new(len + 16);
	const char *p = utf8, *end = utf8 + len;

	while (p < end) {
		gunichar c = g_utf8_get_char(p);
		if (c >= 0xff61 && c <= 0xff9f) {
			const char *q = p;
			while (q < end && g_utf8_get_char(q) >= 0xff61 &&
			       g_utf8_get_char(q) <= 0xff9f)
				q = KJ_UTF8_NEXT(q);
			g_autofree char *n = g_utf8_normalize(p, q - p, G_NORMALIZE_NFKC);
			g_string_append(s, n != NULL ? n : "");
			p = q;
			continue;
		}
		g_string_append_unichar(s, ms_twin(c));
		p = KJ_UTF8_NEXT(p);
	}
	return s;
}

static void set_mode(GString *out, gboolean *kanji, gboolean want)
{
	if (*kanji == want)
		return;
	g_string_append(out, want ? "\x1b$B" : "\x1b(B");
	*kanji = want;
}

void _kj_iso2022jp_encode(const char *utf8, gsize len, GString *out, guint *unmappable)
{
	GString *pre = prepare(utf8, len);
	GString *sj = g_string_sized_new(pre->len + 16);
	iconv_t cd = iconv_open("CP932", "UTF-8");
	gboolean kanji = FALSE;

	ensure_ibm_table();
	if (cd != (iconv_t)-1) {
		_kj_iconv_encode(cd, pre->str, pre->len, "\x81\xac", sj, unmappable);
		iconv_close(cd);
	}
	const guchar *b = (const guchar *)sj->str;
	for (gsize i = 0; i < sj->len; i++) {
		guchar s1 = b[i], s2 = i + 1 < sj->len ? b[i + 1] : 0;
		if (s1 < 0x80) {
			set_mode(out, &kanji, FALSE);
			/* ESC, SO and SI in the text would be read as shifts. */
			if (s1 == 0x1b || s1 == 0x0e || s1 == 0x0f) {
				s1 = '?';
				(*unmappable)++;
			}
			g_string_append_c(out, (char)s1);
			continue;
		}
		gboolean lead = (s1 >= 0x81 && s1 <= 0x9f) || (s1 >= 0xe0 && s1 <= 0xfc);
		if (lead && s2 >= 0x40 && s2 != 0x7f && s2 <= 0xfc)
			i++;
		else
			s2 = 0;
		if (s1 >= 0xfa && s1 <= 0xfc && s2 != 0 && ibm_to_nec[s1 - 0xfa][s2] != 0) {
			guint16 nec = ibm_to_nec[s1 - 0xfa][s2];
			s1 = (guchar)(nec >> 8), s2 = (guchar)nec;
		}
		if (s2 == 0 || s1 > 0xee) {
			/* User-defined area, lone kana, a stray byte: GETA. */
			s1 = 0x81, s2 = 0xac;
			(*unmappable)++;
		}
		guint base = s1 <= 0x9f ? 0x70 : 0xb0;
		guchar j1, j2;
		if (s2 >= 0x9f) {
			j1 = (guchar)((s1 - base) * 2);
			j2 = (guchar)(s2 - 0x7e);
		} else {
			j1 = (guchar)((s1 - base) * 2 - 1);
			j2 = (guchar)(s2 - (s2 >= 0x80 ? 0x20 : 0x1f));
		}
		set_mode(out, &kanji, TRUE);
		g_string_append_c(out, (char)j1);
		g_string_append_c(out, (char)j2);
	}
	set_mode(out, &kanji, FALSE);
	g_string_free(sj, TRUE);
	g_string_free(pre, TRUE);
}
