/*++
 * NAME
 *	url - defang URLs, find them in text, compare their domains
 * DESCRIPTION
 *	Sanitized mail keeps the address a link pointed to, so staff can
 *	read it and report it, but in a form no mail client turns back into
 *	a link: "hxxps://www[.]example[.]com/".  The same module finds URLs
 *	in plain text, including fullwidth spellings that slip past naive
 *	filters, and tells when the domain a link shows differs from the
 *	one it goes to (phishing).
 *
 *	Domain comparison uses the last two labels, or three under a known
 *	second level such as lg.jp or co.uk: good enough to compare a shown
 *	domain with its target without shipping the Public Suffix List.
 * SECURITY
 *	Runs in the sanitizer worker on attacker-supplied text.  No output
 *	of this module is ever parsed as a URL again by kyojin.
 * LIMITS
 *	None: linear in the input.
 * STANDARDS
 *	RFC 3986 (URI syntax), RFC 5890 (IDNA, via g_hostname_to_ascii()).
 *	基本方針 2(12): links in mail are neutralised before LGWAN.
 * SEE ALSO
 *	html.c
 *--*/
#include "text/url.h"

#include "text/text-private.h"

#include <string.h>

/* Length of a URI scheme at s ending in ':', or 0. */
static gsize scheme_len(const char *s)
{
	gsize i = 0;

	if (!g_ascii_isalpha(s[0]))
		return 0;
	while (g_ascii_isalnum(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')
		i++;
	return s[i] == ':' && i <= 32 ? i : 0;
}

static gboolean is_dot(const char *p, gsize *n)
{
	if (*p == '.') {
		*n = 1;
		return TRUE;
	}
	/* FULLWIDTH FULL STOP, IDEOGRAPHIC FULL STOP, HALFWIDTH IDEOGRAPHIC
	 * FULL STOP: IDNA maps them to ".". */
	if (strncmp(p, "\xEF\xBC\x8E", 3) == 0 || strncmp(p, "\xE3\x80\x82", 3) == 0 ||
	    strncmp(p, "\xEF\xBD\xA1", 3) == 0) {
		*n = 3;
		return TRUE;
	}
	return FALSE;
}

/* Copies an authority (or mailto address) with dots and "@" bracketed;
 * returns the position after it. */
static const char *defang_authority(GString *out, const char *p)
{
	while (*p != '\0' && strchr("/\\?#", *p) == NULL && !g_ascii_isspace(*p)) {
		gsize n;
		if (strncmp(p, "[.]", 3) == 0 || strncmp(p, "[@]", 3) == 0) {
			g_string_append_len(out, p, 3);
			p += 3;
		} else if (is_dot(p, &n)) {
			g_string_append(out, "[.]");
			p += n;
		} else if (*p == '@') {
			g_string_append(out, "[@]");
			p++;
		} else {
			g_string_append_c(out, *p++);
		}
	}
	return p;
}

char *kj_url_defang(const char *url)
{
	g_return_val_if_fail(url != NULL, NULL);
	GString *out = g_string_sized_new(strlen(url) + strlen(url) / 4 + 16);
	const char *p = url;
	gsize sl = scheme_len(p);

	if (sl > 0) {
		g_autofree char *scheme = g_ascii_strdown(p, (gssize)sl);
		static const char *const map[][2] = {
		    {"http", "hxxp"}, {"https", "hxxps"}, {"ftp", "fxp"}, {"ftps", "fxps"},
		    {"hxxp", "hxxp"}, {"hxxps", "hxxps"}, {"fxp", "fxp"}, {"fxps", "fxps"},
		};
		const char *to = NULL;
		for (gsize i = 0; i < G_N_ELEMENTS(map) && to == NULL; i++)
			if (strcmp(scheme, map[i][0]) == 0)
				to = map[i][1];
		p += sl + 1;
		if (strcmp(scheme, "mailto") == 0) {
			g_string_append(out, "mailto:");
			p = defang_authority(out, p);
			g_string_append(out, p);
			return g_string_free(out, FALSE);
		}
		if (to == NULL) {
			g_string_append_len(out, url, (gssize)sl);
			g_string_append(out, "[:]");
			g_string_append(out, p);
			return g_string_free(out, FALSE);
		}
		g_string_append(out, to);
		g_string_append_c(out, ':');
		while (*p == '/' || *p == '\\')
			g_string_append_c(out, *p++);
	} else if (p[0] == '/' && p[1] == '/') {
		g_string_append(out, "//");
		p += 2;
	}
	p = defang_authority(out, p);
	g_string_append(out, p);
	return g_string_free(out, FALSE);
}

char *kj_url_defang_host(const char *text)
{
	g_return_val_if_fail(text != NULL, NULL);
	GString *out = g_string_sized_new(strlen(text) + 16);

	for (const char *p = text; *p != '\0';) {
		gsize n;
		if (strncmp(p, "[.]", 3) == 0) {
			g_string_append_len(out, p, 3);
			p += 3;
		} else if (is_dot(p, &n)) {
			g_string_append(out, "[.]");
			p += n;
		} else {
			g_string_append_c(out, *p++);
		}
	}
	return g_string_free(out, FALSE);
}

/* Matches ASCII word w at p, each character also as its fullwidth form
 * (U+FF01..U+FF5E); returns bytes matched or 0.  *wide is set when any
 * fullwidth character was used. */
static gsize match_word(const char *p, const char *w, gboolean *wide)
{
	const char *s = p;

	for (; *w != '\0'; w++) {
		if (g_ascii_tolower(*s) == *w) {
			s++;
			continue;
		}
		if ((guchar)s[0] != 0xef)
			return 0;
		gunichar c = g_utf8_get_char_validated(s, 3);
		if (c < 0xff01 || c > 0xff5e || g_ascii_tolower((char)(c - 0xfee0)) != *w)
			return 0;
		*wide = TRUE;
		s += 3;
	}
	return (gsize)(s - p);
}

static gsize match_start(const char *text, const char *p, gboolean *wide)
{
	static const char *const starts[] = {"https://", "http://", "ftps://",
					     "ftp://",   "file://", "www."};
	guchar c = (guchar)*p;

	if (c != 'h' && c != 'H' && c != 'f' && c != 'F' && c != 'w' && c != 'W' && c != 0xef)
		return 0;
	if (p > text && (g_ascii_isalnum(p[-1]) || p[-1] == '.' || p[-1] == '-' || p[-1] == '_' ||
			 p[-1] == '/' || p[-1] == '@'))
		return 0;
	for (gsize i = 0; i < G_N_ELEMENTS(starts); i++) {
		*wide = FALSE;
		gsize n = match_word(p, starts[i], wide);
		if (n > 0)
			return n;
	}
	return 0;
}

/* Where a URL starting at p ends: at whitespace, quotes, angle brackets,
 * non-ASCII (Japanese prose follows URLs without a space), then without
 * trailing punctuation and unbalanced closing brackets. */
static const char *url_end(const char *p, gboolean wide)
{
	const char *e = p;
	int parens = 0, brackets = 0;

	for (;;) {
		guchar c = (guchar)*e;
		if (c > 0x20 && c < 0x7f && strchr("<>\"'`{}|^", c) == NULL) {
			parens += c == '(' ? 1 : c == ')' ? -1 : 0;
			brackets += c == '[' ? 1 : c == ']' ? -1 : 0;
			e++;
			continue;
		}
		if (wide && c == 0xef) {
			gunichar u = g_utf8_get_char_validated(e, 3);
			if (u >= 0xff01 && u <= 0xff5e) {
				e += 3;
				continue;
			}
		}
		break;
	}
	while (e > p) {
		char c = e[-1];
		if (strchr(".,;:!?", c) != NULL || (c == ')' && parens < 0) ||
		    (c == ']' && brackets < 0)) {
			parens += c == ')' ? 1 : 0;
			brackets += c == ']' ? 1 : 0;
			e--;
			continue;
		}
		break;
	}
	return e;
}

/* Fullwidth ASCII to ASCII, so a defanged fullwidth URL reads plainly. */
static char *narrow(const char *s, gsize len)
{
	GString *o = g_string_sized_new(len);
	for (const char *p = s; p < s + len;) {
		gunichar c = g_utf8_get_char(p);
		p = KJ_UTF8_NEXT(p);
		if (c >= 0xff01 && c <= 0xff5e)
			c -= 0xfee0;
		g_string_append_unichar(o, c);
	}
	return g_string_free(o, FALSE);
}

char *kj_url_neutralize_text(const char *utf8, KjLinkMode mode, GPtrArray *found, guint *count)
{
	g_return_val_if_fail(utf8 != NULL, NULL);
	gsize len = strlen(utf8);
	GString *out = g_string_sized_new(len + len / 8 + 16);
	const char *p = utf8, *copied = utf8;
	guint n = 0;

	while (*p != '\0') {
		gboolean wide = FALSE;
		gsize m = match_start(utf8, p, &wide);
		const char *e = m > 0 ? url_end(p + m, wide) : p;
		if (m == 0 || e == p + m) {
			p++;
			continue;
		}
		g_string_append_len(out, copied, p - copied);
		if (found != NULL)
			g_ptr_array_add(found, g_strndup(p, (gsize)(e - p)));
		n++;
		if (mode == KJ_LINK_STRIP) {
			g_string_append(out, "[URL削除]");
		} else if (mode == KJ_LINK_DEFANG) {
			g_autofree char *ascii = narrow(p, (gsize)(e - p));
			g_autofree char *d = kj_url_defang(ascii);
			g_string_append(out, d);
		} else {
			g_string_append_len(out, p, e - p);
		}
		p = copied = e;
	}
	g_string_append_len(out, copied, p - copied);
	if (count != NULL)
		*count = n;
	return g_string_free(out, FALSE);
}

static char *normalize_host(const char *h, gsize len)
{
	g_autofree char *raw = g_strndup(h, len);
	if (strchr(raw, '%') != NULL) {
		char *un = g_uri_unescape_string(raw, NULL);
		if (un != NULL) {
			g_free(raw);
			raw = un;
		}
	}
	if (!g_utf8_validate(raw, -1, NULL) || raw[0] == '\0')
		return NULL;
	char *ascii = g_hostname_to_ascii(raw);
	if (ascii == NULL)
		ascii = g_utf8_strdown(raw, -1);
	char *lower = g_ascii_strdown(ascii, -1);
	g_free(ascii);
	gsize l = strlen(lower);
	while (l > 0 && lower[l - 1] == '.')
		lower[--l] = '\0';
	if (l == 0) {
		g_free(lower);
		return NULL;
	}
	return lower;
}

char *kj_url_get_host(const char *url)
{
	g_return_val_if_fail(url != NULL, NULL);
	const char *p = url;
	while (g_ascii_isspace(*p))
		p++;
	gsize sl = scheme_len(p);
	if (sl > 0) {
		gboolean mailto = g_ascii_strncasecmp(p, "mailto", sl) == 0 && sl == 6;
		p += sl + 1;
		if (mailto) {
			const char *at = strchr(p, '@');
			return at != NULL ? normalize_host(at + 1, strcspn(at + 1, "?#>, ")) : NULL;
		}
		if (!((p[0] == '/' || p[0] == '\\') && (p[1] == '/' || p[1] == '\\')))
			return NULL;
		p += 2;
	} else if (p[0] == '/' && p[1] == '/') {
		p += 2;
	} else if (g_ascii_strncasecmp(p, "www.", 4) != 0) {
		return NULL;
	}
	gsize alen = strcspn(p, "/\\?# \t\r\n");
	const char *at = g_strrstr_len(p, (gssize)alen, "@");
	if (at != NULL) {
		alen -= (gsize)(at + 1 - p);
		p = at + 1;
	}
	if (*p == '[') {
		const char *close = memchr(p, ']', alen);
		return close != NULL ? normalize_host(p + 1, (gsize)(close - p - 1)) : NULL;
	}
	const char *colon = memchr(p, ':', alen);
	return normalize_host(p, colon != NULL ? (gsize)(colon - p) : alen);
}

char *kj_url_shown_host(const char *text)
{
	g_return_val_if_fail(text != NULL, NULL);
	g_autofree char *t = g_strstrip(g_strdup(text));
	if (strstr(t, "://") != NULL || g_ascii_strncasecmp(t, "www.", 4) == 0)
		return kj_url_get_host(t);
	/* A bare domain: letters, digits, '-' and dots up to an optional
	 * path, the last label alphabetic (a TLD, not a version number). */
	gsize hl = strcspn(t, "/?#");
	gsize dots = 0, last = 0;
	for (gsize i = 0; i < hl; i++) {
		if (t[i] == '.') {
			dots++;
			last = i + 1;
		} else if (!g_ascii_isalnum(t[i]) && t[i] != '-') {
			return NULL;
		}
	}
	if (dots == 0 || hl - last < 2)
		return NULL;
	for (gsize i = last; i < hl; i++)
		if (!g_ascii_isalpha(t[i]))
			return NULL;
	return normalize_host(t, hl);
}

char *kj_url_registrable_domain(const char *host)
{
	static const char *const second[] = {"co", "ac",  "go",  "ne",  "or",  "ed",  "lg",  "gr",
					     "ad", "com", "net", "org", "gov", "edu", "ltd", "plc"};
	g_return_val_if_fail(host != NULL, NULL);
	gsize len = strlen(host);

	if (strchr(host, ':') != NULL || strspn(host, "0123456789.") == len)
		return g_strdup(host); /* IP literal */
	const char *last = g_strrstr(host, ".");
	if (last == NULL)
		return g_strdup(host);
	const char *prev = g_strrstr_len(host, last - host, ".");
	if (prev == NULL)
		return g_strdup(host);
	gsize sll = (gsize)(last - prev - 1);
	gboolean cc = strlen(last + 1) == 2;
	for (gsize i = 0; cc && i < G_N_ELEMENTS(second); i++) {
		if (strlen(second[i]) == sll && strncmp(prev + 1, second[i], sll) == 0) {
			const char *third = g_strrstr_len(host, prev - host, ".");
			return g_strdup(third != NULL ? third + 1 : host);
		}
	}
	return g_strdup(prev + 1);
}

gboolean kj_url_domains_differ(const char *shown, const char *href)
{
	g_return_val_if_fail(shown != NULL && href != NULL, FALSE);
	g_autofree char *sh = kj_url_shown_host(shown);
	g_autofree char *hh = kj_url_get_host(href);
	if (sh == NULL || hh == NULL)
		return FALSE;
	g_autofree char *sd = kj_url_registrable_domain(sh);
	g_autofree char *hd = kj_url_registrable_domain(hh);
	return g_ascii_strcasecmp(sd, hd) != 0;
}
