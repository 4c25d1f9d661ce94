/*++
 * NAME
 *	header - decoding and re-encoding of header fields
 * DESCRIPTION
 *	GMime parses header fields, but its RFC 2047 decoder converts each
 *	charset with iconv, and glibc's iconv refuses the Windows extension
 *	rows (①, ㈱, Ⅲ, 髙, ～) that Outlook puts inside ISO-2022-JP every
 *	day.  So the raw value GMime hands us is split into encoded-words and
 *	plain runs here, and every charset conversion goes through the text
 *	module's kj_charset_to_utf8() (CP932-aware, guessing unlabelled
 *	8-bit text with uchardet).  Adjacent encoded-words in the same charset
 *	are joined before conversion, because senders split words in the
 *	middle of a multi-byte character (a test in the MimeKit corpus does).
 *	Encoding for the output uses GMime for UTF-8 and kj_charset_from_utf8
 *	for ISO-2022-JP, one self-contained encoded-word per few characters.
 * SECURITY
 *	Sandboxed worker.  Values are hostile: bounded by mail.max_header_*
 *	before they get here, decoded text is neutralised (control and bidi
 *	characters) before it is shown.
 * LIMITS
 *	mail.max_header_count, mail.max_header_bytes (checked per header
 *	block in _kj_mail_check_headers()).
 * STANDARDS
 *	RFC 2047 (encoded-words), RFC 2231 (charset*language), RFC 5322
 *	(folding).  基本方針 2(12).
 * SEE ALSO
 *	text/charset.h, output.c.
 *--*/
#include "mime/mail-private.h"

#include <string.h>

/* One parsed encoded-word: charset (without RFC 2231 language), encoding
 * letter, payload, and where the word ends in the input. */
typedef struct {
	char charset[64];
	char enc;
	const char *text;
	gsize text_len;
	const char *end;
} Word;

static gboolean parse_word(const char *p, Word *w)
{
	if (p[0] != '=' || p[1] != '?')
		return FALSE;
	const char *cs = p + 2, *q = strchr(cs, '?');
	if (q == NULL || q == cs || (gsize)(q - cs) >= sizeof(w->charset))
		return FALSE;
	gsize cl = (gsize)(q - cs);
	memcpy(w->charset, cs, cl);
	w->charset[cl] = '\0';
	char *star = strchr(w->charset, '*');
	if (star)
		*star = '\0';
	w->enc = g_ascii_toupper(q[1]);
	if ((w->enc != 'B' && w->enc != 'Q') || q[2] != '?')
		return FALSE;
	w->text = q + 3;
	const char *e = strstr(w->text, "?=");
	if (e == NULL)
		return FALSE;
	for (const char *t = w->text; t < e; t++)
		if (*t == ' ' || *t == '\t' || *t == '\r' || *t == '\n')
			return FALSE;
	w->text_len = (gsize)(e - w->text);
	w->end = e + 2;
	return TRUE;
}

static void decode_payload(const Word *w, GByteArray *out)
{
	if (w->enc == 'B') {
		gint state = 0;
		guint save = 0;
		gsize old = out->len;
		g_byte_array_set_size(out, old + w->text_len * 3 / 4 + 3);
		gsize n =
		    g_base64_decode_step(w->text, w->text_len, out->data + old, &state, &save);
		g_byte_array_set_size(out, old + n);
		return;
	}
	for (gsize i = 0; i < w->text_len; i++) {
		guint8 c = (guint8)w->text[i];
		if (c == '_') {
			c = ' ';
		} else if (c == '=' && i + 2 < w->text_len && g_ascii_isxdigit(w->text[i + 1]) &&
			   g_ascii_isxdigit(w->text[i + 2])) {
			c = (guint8)(g_ascii_xdigit_value(w->text[i + 1]) * 16 +
				     g_ascii_xdigit_value(w->text[i + 2]));
			i += 2;
		}
		g_byte_array_append(out, &c, 1);
	}
}

static void append_quoted(GString *out, const char *s)
{
	g_string_append_c(out, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			g_string_append_c(out, '\\');
		g_string_append_c(out, *s);
	}
	g_string_append_c(out, '"');
}

/* Converts a run of bytes in one charset (NULL: unlabelled) to UTF-8. */
static void flush_run(KjMailCtx *ctx, GString *out, GByteArray *bytes, const char *charset,
		      gboolean quote)
{
	if (bytes->len == 0)
		return;
	KjCharsetInfo info = {0};
	g_autofree char *u =
	    kj_charset_to_utf8((const char *)bytes->data, bytes->len, charset, &info);
	if (ctx)
		_kj_mail_charset_note(ctx, "header", &info);
	if (quote)
		append_quoted(out, u);
	else
		g_string_append(out, u);
	g_byte_array_set_size(bytes, 0);
}

static gboolean needs_charset(const char *s, gsize n)
{
	for (gsize i = 0; i < n; i++)
		if ((guint8)s[i] >= 0x80 || s[i] == 0x1b || s[i] == '\0')
			return TRUE;
	return FALSE;
}

/* Plain text between encoded-words: ASCII is copied; 8-bit or raw JIS
 * (ESC sequences) goes through charset detection. */
static void plain_run(KjMailCtx *ctx, GString *out, const char *s, gsize n)
{
	if (!needs_charset(s, n)) {
		g_string_append_len(out, s, (gssize)n);
		return;
	}
	g_autoptr(GByteArray) b = g_byte_array_new();
	g_byte_array_append(b, (const guint8 *)s, (guint)n);
	flush_run(ctx, out, b, NULL, FALSE);
}

static gboolean only_space(const char *s, const char *e)
{
	for (; s < e; s++)
		if (*s != ' ' && *s != '\t')
			return FALSE;
	return TRUE;
}

static gboolean plain_ascii_line(const char *s)
{
	if (*s == ' ')
		return FALSE;
	for (const char *p = s; *p; p++)
		if ((guint8)*p < 0x20 || (guint8)*p > 0x7e ||
		    (p[0] == ' ' && (p[1] == ' ' || !p[1])))
			return FALSE;
	return TRUE;
}

char *_kj_mail_header_decode(KjMailCtx *ctx, const char *raw, gboolean phrase)
{
	g_autofree char *unfolded = g_mime_utils_header_unfold(raw);
	GString *out = g_string_sized_new(strlen(unfolded) + 16);
	g_autoptr(GByteArray) run = g_byte_array_new();
	char run_cs[64] = "";
	const char *p = unfolded, *plain = unfolded;

	while (*p) {
		Word w;
		const char *next = strstr(p, "=?");
		if (next == NULL)
			break;
		if (!parse_word(next, &w)) {
			p = next + 2;
			continue;
		}
		/* Whitespace between two encoded-words is not text (RFC 2047 6.2). */
		gboolean joined = run->len > 0 && only_space(plain, next);
		if (!joined) {
			flush_run(ctx, out, run, run_cs, phrase);
			plain_run(ctx, out, plain, (gsize)(next - plain));
		} else if (g_ascii_strcasecmp(run_cs, w.charset) != 0) {
			flush_run(ctx, out, run, run_cs, phrase);
		}
		g_strlcpy(run_cs, w.charset, sizeof(run_cs));
		decode_payload(&w, run);
		p = plain = w.end;
	}
	flush_run(ctx, out, run, run_cs, phrase);
	plain_run(ctx, out, plain, strlen(plain));
	g_autofree char *s = g_string_free(out, FALSE);
	guint removed = 0;
	/* Most header values are short printable ASCII with single spaces:
	 * nothing to neutralise (no controls, no runs, no edges to trim). */
	if (plain_ascii_line(s))
		return g_steal_pointer(&s);
	char *clean = kj_text_neutralize(s, KJ_NEUTRALIZE_LINE, &removed);
	if (ctx)
		ctx->controls_removed += removed;
	return clean;
}

char *_kj_mail_header_get(KjMailCtx *ctx, GMimeObject *obj, const char *name)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
	GMimeHeader *h = hl ? g_mime_header_list_get_header(hl, name) : NULL;
	const char *raw = h ? g_mime_header_get_raw_value(h) : NULL;

	return raw ? _kj_mail_header_decode(ctx, raw, FALSE) : NULL;
}

gboolean _kj_mail_check_headers(KjMailCtx *ctx, GMimeObject *obj)
{
	const KjMailLimits *lim = &ctx->profile->limits;
	GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
	int n = hl ? g_mime_header_list_get_count(hl) : 0;

	if (n > lim->max_header_count) {
		_kj_mail_hold(ctx,
			      "limit: %d header fields in one block, more than "
			      "mail.max_header_count (%" G_GINT64_FORMAT ")",
			      n, lim->max_header_count);
		return FALSE;
	}
	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		const char *raw = g_mime_header_get_raw_value(h);
		gsize len = raw ? strlen(raw) : 0;
		if ((gint64)len > lim->max_header_bytes) {
			_kj_mail_hold(ctx,
				      "limit: a header field of %zu bytes, longer than "
				      "mail.max_header_bytes (%" G_GINT64_FORMAT ")",
				      len, lim->max_header_bytes);
			return FALSE;
		}
	}
	return TRUE;
}

/* Writes "Name: value" folded at spaces before column 78 (RFC 5322 2.2.3).
 * value is ASCII (already encoded); a word longer than a line stays whole,
 * which is allowed up to 998 bytes and encoded-words are far shorter. */
void _kj_mail_header_write(GString *out, const char *name, const char *value)
{
	gsize col = strlen(name) + 2;

	g_string_append(out, name);
	g_string_append(out, ": ");
	g_auto(GStrv) words = g_strsplit(value, " ", -1);
	gboolean first = TRUE;
	for (char **w = words; *w; w++) {
		gsize wl = strlen(*w);
		if (wl == 0)
			continue;
		if (!first && col + 1 + wl > 78) {
			g_string_append(out, "\n ");
			col = 1;
		} else if (!first) {
			g_string_append_c(out, ' ');
			col++;
		}
		g_string_append(out, *w);
		col += wl;
		first = FALSE;
	}
	g_string_append_c(out, '\n');
}

static gboolean is_ascii(const char *s)
{
	for (; *s; s++)
		if ((guint8)*s >= 0x80 || ((guint8)*s < 0x20 && *s != '\t'))
			return FALSE;
	return TRUE;
}

/* ISO-2022-JP encoded-words, each converted on its own so that each ends
 * back in ASCII and no character is split between words. */
static char *encode_iso2022jp(const char *utf8)
{
	GString *out = g_string_new(NULL);
	const char *p = utf8;

	while (*p) {
		const char *q = p;
		for (int i = 0; i < 8 && *q; i++)
			q += g_utf8_skip[*(const guchar *)q];
		gsize n = 0;
		guint bad = 0;
		g_autofree char *jis =
		    kj_charset_from_utf8(p, (gsize)(q - p), "ISO-2022-JP", &n, &bad);
		g_autofree char *b64 = g_base64_encode((const guchar *)jis, n);
		if (out->len)
			g_string_append_c(out, ' ');
		g_string_append_printf(out, "=?ISO-2022-JP?B?%s?=", b64);
		p = q;
	}
	return g_string_free(out, FALSE);
}

char *_kj_mail_encode_text(const char *utf8, KjMailCharset cs)
{
	if (is_ascii(utf8))
		return g_strdup(utf8);
	if (cs == KJ_MAIL_CHARSET_ISO2022JP)
		return encode_iso2022jp(utf8);
	return g_mime_utils_header_encode_text(NULL, utf8, "UTF-8");
}

char *_kj_mail_encode_phrase(const char *utf8, KjMailCharset cs)
{
	if (is_ascii(utf8)) {
		GString *s = g_string_new(NULL);
		append_quoted(s, utf8);
		return g_string_free(s, FALSE);
	}
	if (cs == KJ_MAIL_CHARSET_ISO2022JP)
		return encode_iso2022jp(utf8);
	return g_mime_utils_header_encode_phrase(NULL, utf8, "UTF-8");
}
