/* test-text.c - unit tests of src/lib/text: charsets, ISO-2022-JP,
 * control neutralisation, file names, URLs, HTML rendering and limits. */
#include "text/charset.h"
#include "text/html.h"
#include "text/text.h"
#include "text/text-private.h"
#include "text/url.h"
#include "util/limits.h"

#include <string.h>

/*
 * Charsets.
 */

typedef struct {
	const char *name;
	const char *bytes;
	gsize len;
	const char *declared;
	const char *expect;
	const char *charset; /* expected info.charset, or NULL to skip */
	guint replacements;
	gboolean mislabelled;
} DecodeCase;

#define B(s) s, sizeof(s) - 1

static const DecodeCase decode_cases[] = {
    {"ascii", B("Hello"), "us-ascii", "Hello", "US-ASCII", 0, FALSE},
    {"sjis", B("\x93\xfa\x96\x7b\x8c\xea"), "Shift_JIS", "日本語", "CP932", 0, FALSE},
    {"sjis-alias-x", B("\x93\xfa\x96\x7b\x8c\xea"), "x-sjis", "日本語", "CP932", 0, FALSE},
    {"sjis-alias-quoted", B("\x93\xfa\x96\x7b"), "\"shift-jis\"", "日本", "CP932", 0, FALSE},
    {"cp932-nec", B("\x87\x40\x87\x8a\x87\x56\xfb\xfc\x81\x60"), "windows-31j", "①㈱Ⅲ髙～", "CP932",
     0, FALSE},
    {"cp-932", B("\x87\x40"), "cp-932", "①", "CP932", 0, FALSE},
    {"ms932", B("\x87\x40"), "MS932", "①", "CP932", 0, FALSE},
    {"eucjp", B("\xc6\xfc\xcb\xdc\xb8\xec"), "EUC-JP", "日本語", "EUC-JP", 0, FALSE},
    {"eucjp-nec", B("\xad\xa1\xc6\xfc"), "euc-jp", "①日", "EUC-JP", 0, FALSE},
    {"eucjp-0212", B("\x8f\xb0\xa1"), "EUC-JP", "丂", "EUC-JP", 0, FALSE},
    {"iso2022jp-outlook", B("\x1b$B\x2d\x21\x2d\x6a\x2d\x37\x7c\x62\x21\x41\x1b(B"), "iso-2022-jp",
     "①㈱Ⅲ髙～", "ISO-2022-JP", 0, FALSE},
    {"iso2022jp-plain", B("abc \x1b$BF|K\\8l\x1b(B def"), "ISO-2022-JP", "abc 日本語 def",
     "ISO-2022-JP", 0, FALSE},
    {"iso2022jp-roman", B("\x1b(Jabc\x1b(B"), "iso-2022-jp", "abc", "ISO-2022-JP", 0, FALSE},
    {"iso2022jp-kana", B("\x1b(I\x31\x32\x1b(B"), "iso-2022-jp", "ｱｲ", "ISO-2022-JP", 0, FALSE},
    {"iso2022jp-so-si", B("\x0e\x31\x0fx"), "csISO2022JP", "ｱx", "ISO-2022-JP", 0, FALSE},
    {"iso2022jp-0212", B("\x1b$(D\x30\x21\x1b(B"), "iso-2022-jp-1", "丂", "ISO-2022-JP", 0, FALSE},
    {"iso2022jp2-gb", B("\x1b$A\x56\x50\x1b(B"), "ISO-2022-JP-2", "中", "ISO-2022-JP-2", 0, FALSE},
    {"iso2022jp2-ksc", B("\x1b$(C\x47\x51\x1b(B"), "ISO-2022-JP-2", "한", "ISO-2022-JP-2", 0,
     FALSE},
    {"iso2022jp2-latin1", B("caf\x1b.A\x1bNi"), "ISO-2022-JP-2", "café", "ISO-2022-JP-2", 0, FALSE},
    {"iso2022jp-odd-run", B("\x1b$BF\x1b(Bx"), "iso-2022-jp", "\xEF\xBF\xBDx", "ISO-2022-JP", 1,
     FALSE},
    {"iso2022jp-odd-at-end", B("\x1b$BF|K"), "iso-2022-jp", "日\xEF\xBF\xBD", "ISO-2022-JP", 1,
     FALSE},
    {"iso2022jp-unknown-escape", B("a\x1b$Zb"), "iso-2022-jp", "a\xEF\xBF\xBD$Zb", "ISO-2022-JP", 1,
     FALSE},
    {"iso2022jp-row93", B("\x1b$B\x7d\x21\x1b(B"), "iso-2022-jp", "\xEF\xBF\xBD", NULL, 1, FALSE},
    {"iso2022jp-newline-resets", B("\x1b$BF|\nab"), "iso-2022-jp", "日\nab", NULL, 0, FALSE},
    {"iso2022jp-unlabelled", B("\x1b$BF|K\\\x1b(B"), NULL, "日本", "ISO-2022-JP", 0, FALSE},
    {"utf8", B("\xe6\x97\xa5\xe6\x9c\xac"), "UTF-8", "日本", "UTF-8", 0, FALSE},
    {"utf8-bom", B("\xef\xbb\xbfok"), "utf-8", "ok", "UTF-8", 0, FALSE},
    {"utf16le-bom", B("\xff\xfe\xe5\x65\x2c\x67"), "utf-16", "日本", "UTF-16LE", 0, FALSE},
    {"utf16be-bom", B("\xfe\xff\x65\xe5\x67\x2c"), NULL, "日本", "UTF-16BE", 0, FALSE},
    {"utf16le-nobom-label", B("\xe5\x65\x2c\x67"), "UTF-16LE", "日本", "UTF-16LE", 0, FALSE},
    {"utf16be-nobom-rfc2781", B("\x65\xe5\x67\x2c"), "UTF-16", "日本", "UTF-16BE", 0, FALSE},
    {"utf16le-nobom-guess", B("H\0e\0l\0l\0o\0 \0\xe5\x65"), NULL, "Hello 日", "UTF-16LE", 0,
     FALSE},
    {"utf16be-nobom-guess", B("\0H\0e\0l\0l\0o\0!"), NULL, "Hello!", "UTF-16BE", 0, FALSE},
    {"utf7", B("+ZeVnLIqe-"), "unicode-1-1-utf-7", "日本語", "UTF-7", 0, FALSE},
    {"latin1-is-1252", B("caf\xe9 \x80"), "ISO-8859-1", "café €", "WINDOWS-1252", 0, FALSE},
    {"latin2", B("\xb1"), "iso-8859-2", "ą", NULL, 0, FALSE},
    {"cp1251", B("\xcf\xf0\xe8"), "windows-1251", "При", NULL, 0, FALSE},
    {"koi8r", B("\xf0\xd2\xc9\xd7\xc5\xd4"), "KOI8-R", "Привет", "KOI8-R", 0, FALSE},
    {"gb2312-as-gb18030", B("\xd6\xd0\xce\xc4"), "gb2312", "中文", "GB18030", 0, FALSE},
    {"big5", B("\xa4\xa4\xa4\xe5"), "big5", "中文", "BIG5", 0, FALSE},
    {"ks_c_5601-1987", B("\xc7\xd1\xb1\xb9"), "ks_c_5601-1987", "한국", "CP949", 0, FALSE},
    {"tis620", B("\xa1"), "TIS-620", "ก", "TIS-620", 0, FALSE},
    {"lying-latin1-utf8", B("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"), "iso-8859-1", "日本語",
     "UTF-8", 0, TRUE},
    {"lying-utf8-sjis", B("\x93\xfa\x96\x7b\x8c\xea\x82\xc5\x82\xb7"), "utf-8", "日本語です",
     "CP932", 0, TRUE},
    {"lying-ascii-8bit", B("\x93\xfa\x96\x7b\x8c\xea\x82\xc5\x82\xb7"), "us-ascii", "日本語です",
     "CP932", 0, TRUE},
    {"unknown-label", B("\xe6\x97\xa5"), "x-no-such-charset", "日", "UTF-8", 0, FALSE},
    {"sjis-truncated", B("\x93\xfa\x96"), "shift_jis", "日\xEF\xBF\xBD", "CP932", 1, FALSE},
    {"utf8-truncated", B("\xe6\x97\xa5\xe6\x9c"), "utf-8", NULL, NULL, 2, FALSE},
    {"utf8-bad-byte", B("a\xffz"), "utf-8", "a\xEF\xBF\xBDz", NULL, 1, FALSE},
    {"nul-ascii", B("a\0b"), "us-ascii",
     "a\xEF\xBF\xBD"
     "b",
     NULL, 1, FALSE},
    {"nul-sjis", B("\x93\xfa\0"), "Shift_JIS", "日\xEF\xBF\xBD", NULL, 1, FALSE},
    {"empty", "", 0, "utf-8", "", NULL, 0, FALSE},
};

static void test_decode(gconstpointer data)
{
	const DecodeCase *c = data;
	KjCharsetInfo info;
	g_autofree char *out = kj_charset_to_utf8(c->bytes, c->len, c->declared, &info);

	g_assert_nonnull(out);
	g_assert_true(g_utf8_validate(out, -1, NULL));
	if (c->expect != NULL)
		g_assert_cmpstr(out, ==, c->expect);
	if (c->charset != NULL)
		g_assert_cmpstr(info.charset, ==, c->charset);
	g_assert_cmpuint(info.replacements, ==, c->replacements);
	if (c->mislabelled)
		g_assert_true(info.mislabelled);
}

static void test_decode_guessed(void)
{
	/* Longer unlabelled Shift_JIS and EUC-JP prose, as uchardet sees it. */
	static const char sjis[] = "\x8e\x73\x96\xf0\x8f\x8a\x82\xa9\x82\xe7\x82\xcc\x82\xa8"
				   "\x92\x6d\x82\xe7\x82\xb9\x82\xc5\x82\xb7\x81\x42";
	static const char euc[] = "\xbb\xd4\xcc\xf2\xbd\xea\xa4\xab\xa4\xe9\xa4\xce\xa4\xaa"
				  "\xc3\xce\xa4\xe9\xa4\xbb\xa4\xc7\xa4\xb9\xa1\xa3";
	KjCharsetInfo info;
	g_autofree char *a = kj_charset_to_utf8(sjis, sizeof sjis - 1, NULL, &info);
	g_assert_cmpstr(a, ==, "市役所からのお知らせです。");
	g_assert_true(info.guessed);
	g_assert_cmpuint(info.replacements, ==, 0);
	g_autofree char *b = kj_charset_to_utf8(euc, sizeof euc - 1, NULL, &info);
	g_assert_cmpstr(b, ==, "市役所からのお知らせです。");
	g_assert_cmpstr(info.charset, ==, "EUC-JP");
	g_assert_true(info.guessed);
}

static void test_normalize(void)
{
	static const char *const cases[][2] = {
	    {"Shift_JIS", "CP932"},
	    {"SJIS", "CP932"},
	    {" x-sjis ", "CP932"},
	    {"Windows-31J", "CP932"},
	    {"ks_c_5601-1987", "CP949"},
	    {"EUC-KR", "CP949"},
	    {"ISO-2022-JP", "ISO-2022-JP"},
	    {"CP50221", "ISO-2022-JP"},
	    {"utf8", "UTF-8"},
	    {"'UTF-8'", "UTF-8"},
	    {"unicode-1-1-utf-7", "UTF-7"},
	    {"GBK", "GB18030"},
	    {"latin1", "WINDOWS-1252"},
	    {"x-euc-jp", "EUC-JP"},
	};
	char out[64];

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_assert_true(kj_charset_normalize(cases[i][0], out));
		g_assert_cmpstr(out, ==, cases[i][1]);
	}
	g_assert_false(kj_charset_normalize("no-such-charset-xyz", out));
	g_assert_false(kj_charset_normalize("", out));
}

static void test_encode_iso2022jp(void)
{
	static const char *const texts[] = {"①㈱Ⅲ髙～ ｶﾞ", "abc 日本語\r\ndef", "﨑 ⅰ ￢ ∵ №"};
	guint unm = 99;
	gsize len = 0;

	for (gsize i = 0; i < G_N_ELEMENTS(texts); i++) {
		g_autofree char *jis =
		    kj_charset_from_utf8(texts[i], strlen(texts[i]), "iso-2022-jp", &len, &unm);
		g_assert_nonnull(jis);
		g_assert_cmpuint(unm, ==, 0);
		for (gsize k = 0; k < len; k++)
			g_assert_cmpuint((guchar)jis[k], <, 0x80);
		KjCharsetInfo info;
		g_autofree char *back = kj_charset_to_utf8(jis, len, "ISO-2022-JP", &info);
		if (i == 0)
			g_assert_cmpstr(back, ==, "①㈱Ⅲ髙～ ガ");
		else
			g_assert_cmpstr(back, ==, texts[i]);
		g_assert_cmpuint(info.replacements, ==, 0);
	}
	/* Outside CP932: GETA, counted. */
	g_autofree char *g = kj_charset_from_utf8("a😀b", strlen("a😀b"), "ISO-2022-JP", &len, &unm);
	g_assert_cmpstr(g, ==, "a\x1b$B\x22\x2e\x1b(Bb");
	g_assert_cmpuint(unm, ==, 1);
	g_autofree char *u = kj_charset_from_utf8("a\xffz", 3, "UTF-8", &len, &unm);
	g_assert_cmpstr(u, ==, "a\xEF\xBF\xBDz");
	g_autofree char *s = kj_charset_from_utf8("日本", strlen("日本"), "Shift_JIS", &len, &unm);
	g_assert_cmpstr(s, ==, "\x93\xfa\x96\x7b");
	g_assert_null(kj_charset_from_utf8("x", 1, "no-such-charset-xyz", NULL, NULL));
}

static void test_decode_corpus(void)
{
	const char *corpus = g_getenv("KJ_CORPUS");
	g_autofree char *dir =
	    corpus != NULL ? g_build_filename(corpus, "text", "aozora-sjis", NULL) : NULL;
	g_autoptr(GDir) d = dir != NULL ? g_dir_open(dir, 0, NULL) : NULL;
	const char *name;
	guint files = 0;

	if (d == NULL) {
		g_test_skip("KJ_CORPUS/text/aozora-sjis not available");
		return;
	}
	while ((name = g_dir_read_name(d)) != NULL) {
		g_autofree char *path = g_build_filename(dir, name, NULL);
		g_autofree char *bytes = NULL;
		gsize len;
		KjCharsetInfo info;
		g_assert_true(g_file_get_contents(path, &bytes, &len, NULL));
		g_autofree char *a = kj_charset_to_utf8(bytes, len, "Shift_JIS", &info);
		g_assert_cmpuint(info.replacements, ==, 0);
		g_autofree char *b = kj_charset_to_utf8(bytes, len, NULL, &info);
		g_assert_cmpuint(info.replacements, ==, 0);
		g_assert_cmpstr(a, ==, b);
		files++;
	}
	g_assert_cmpuint(files, >, 0);
}

static void test_decode_random(void)
{
	/* Random bytes under every label: valid UTF-8 out, never a crash. */
	static const char *const labels[] = {NULL,    "iso-2022-jp", "shift_jis", "euc-jp",
					     "utf-8", "utf-16",      "utf-7",     "gb2312",
					     "big5",  "us-ascii"};
	GRand *r = g_rand_new_with_seed(42);
	char buf[512];

	for (int i = 0; i < 400; i++) {
		gsize len = (gsize)g_rand_int_range(r, 0, sizeof buf);
		for (gsize k = 0; k < len; k++)
			buf[k] = (char)g_rand_int_range(r, 0, 256);
		g_autofree char *out =
		    kj_charset_to_utf8(buf, len, labels[i % G_N_ELEMENTS(labels)], NULL);
		g_assert_true(g_utf8_validate(out, -1, NULL));
	}
	g_rand_free(r);
}

/*
 * Neutralisation and file names.
 */

typedef struct {
	const char *in;
	KjNeutralizeMode mode;
	const char *out;
	guint removed;
} NeutCase;

static const NeutCase neut_cases[] = {
    {"a\r\nb\rc\n", KJ_NEUTRALIZE_BODY, "a\nb\nc\n", 0},
    {"tab\there", KJ_NEUTRALIZE_BODY, "tab\there", 0},
    {"a\x1b[31mb\x07", KJ_NEUTRALIZE_BODY, "a[31mb", 2},
    {"x\xc2\x85y\x7f", KJ_NEUTRALIZE_BODY, "xy", 2},
    {"x\u202Ey\u2066z\u2069", KJ_NEUTRALIZE_BODY, "xyz", 3},
    {"a\u200Bb\u200Dc\uFEFF\u2060d\u00AD", KJ_NEUTRALIZE_BODY, "abcd", 5},
    {"\u200E\u200F\u061C", KJ_NEUTRALIZE_BODY, "", 3},
    {"e\xcc\x81", KJ_NEUTRALIZE_BODY, "e\xcc\x81", 0},
    {"a\u2028b", KJ_NEUTRALIZE_BODY, "a\nb", 0},
    {"日本語\f", KJ_NEUTRALIZE_BODY, "日本語", 1},
    {"bad\xff", KJ_NEUTRALIZE_BODY, "bad\xEF\xBF\xBD", 0},
    {"  a \t\n b  ", KJ_NEUTRALIZE_LINE, "a b", 0},
    {"件名\u3000です", KJ_NEUTRALIZE_LINE, "件名\u3000です", 0},
    {"a\r\n\r\nb", KJ_NEUTRALIZE_LINE, "a b", 0},
    {"x\u202Ey", KJ_NEUTRALIZE_LINE, "xy", 1},
    /* Around and inside the CJK fast path: marks, fillers and the
	 * ideographic space must still take the careful path. */
    {"か\u3099き\u302Aく", KJ_NEUTRALIZE_BODY, "か\u3099き\u302Aく", 0},
    {"漢\u3164字\uFFA0！", KJ_NEUTRALIZE_BODY, "漢字！", 2},
    {"全角\uFF21\uFF9F\u3000末", KJ_NEUTRALIZE_BODY, "全角\uFF21\uFF9F\u3000末", 0},
    {"件名 \t\u3000です", KJ_NEUTRALIZE_LINE, "件名 です", 0},
    {"\u3000\u3000先頭", KJ_NEUTRALIZE_LINE, "先頭", 0},
};

static void test_neutralize(gconstpointer data)
{
	const NeutCase *c = data;
	guint removed = 99;
	g_autofree char *out = kj_text_neutralize(c->in, c->mode, &removed);

	g_assert_cmpstr(out, ==, c->out);
	g_assert_cmpuint(removed, ==, c->removed);
}

static void test_zalgo(void)
{
	GString *s = g_string_new("a");
	guint removed;

	for (int i = 0; i < 100; i++)
		g_string_append(s, "\xcc\x81");
	g_autofree char *out = kj_text_neutralize(s->str, KJ_NEUTRALIZE_BODY, &removed);
	g_assert_nonnull(out);
	g_assert_cmpuint(removed, ==, 100 - KJ_TEXT_MAX_COMBINING);
	g_string_free(s, TRUE);
}

/* The fast path of kj_text_neutralize() copies these code points without
 * looking at them: none may be invisible, whitespace or a mark. */
static void test_plain_cjk(void)
{
	guint plain = 0;

	for (gunichar c = 0x800; c <= 0xffff; c++) {
		if (c >= 0xd800 && c <= 0xdfff)
			continue;
		if (!_kj_text_plain_cjk(c))
			continue;
		plain++;
		g_assert_false(_kj_text_invisible(c));
		g_assert_false(g_unichar_isspace(c));
		g_assert_false(g_unichar_ismark(c));
	}
	g_assert_cmpuint(plain, >, 20000);
}

static void test_filename(void)
{
	static const char *const cases[][2] = {
	    {"invoice\u202Efdp.exe", "invoicefdp.exe"},
	    {"../../etc/passwd", "_._etc_passwd"},
	    {"..\\..\\boot.ini", "_._boot.ini"},
	    {".htaccess", "htaccess"},
	    {"", "unnamed"},
	    {"...", "unnamed"},
	    {"\u200B\u202E", "unnamed"},
	    {"CON.txt", "_CON.txt"},
	    {"lpt1", "_lpt1"},
	    {"a:b*c?.txt", "a_b_c_.txt"},
	    {"見積書\n(最終).pdf ", "見積書 (最終).pdf"},
	    {"report.pdf.", "report.pdf"},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *out = kj_text_safe_filename(cases[i][0]);
		g_assert_cmpstr(out, ==, cases[i][1]);
	}
	GString *lng = g_string_new(NULL);
	for (int i = 0; i < 300; i++)
		g_string_append(lng, "あ");
	g_string_append(lng, ".pdf");
	g_autofree char *out = kj_text_safe_filename(lng->str);
	g_assert_cmpuint(strlen(out), <=, KJ_TEXT_FILENAME_MAX);
	g_assert_true(g_str_has_suffix(out, "あ.pdf"));
	g_assert_true(g_utf8_validate(out, -1, NULL));
	g_string_free(lng, TRUE);
}

/*
 * URLs.
 */

static void test_defang(void)
{
	static const char *const cases[][2] = {
	    {"https://www.example.com/a?b", "hxxps://www[.]example[.]com/a?b"},
	    {"http://1.2.3.4:8080/x.y", "hxxp://1[.]2[.]3[.]4:8080/x.y"},
	    {"HTTP://user@evil.jp/", "hxxp://user[@]evil[.]jp/"},
	    {"ftp://ftp.example.org/f", "fxp://ftp[.]example[.]org/f"},
	    {"mailto:taro@city.example.lg.jp", "mailto:taro[@]city[.]example[.]lg[.]jp"},
	    {"javascript:alert(1)", "javascript[:]alert(1)"},
	    {"www.example.jp/path.html", "www[.]example[.]jp/path.html"},
	    {"http://[::1]/", "hxxp://[::1]/"},
	    {"hxxps://www[.]example[.]com/", "hxxps://www[.]example[.]com/"},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *out = kj_url_defang(cases[i][0]);
		g_assert_cmpstr(out, ==, cases[i][1]);
	}
}

static void test_url_text(void)
{
	static const struct {
		const char *in;
		KjLinkMode mode;
		const char *out;
		guint count;
	} cases[] = {
	    {"見て https://www.example.com/a?b=1。次", KJ_LINK_DEFANG,
	     "見て hxxps://www[.]example[.]com/a?b=1。次", 1},
	    {"(https://a.jp/x) and www.b.jp.", KJ_LINK_DEFANG,
	     "(hxxps://a[.]jp/x) and www[.]b[.]jp.", 2},
	    {"ｈｔｔｐｓ：／／ｅｘａｍｐｌｅ．ｃｏｍ／ｘ です", KJ_LINK_DEFANG,
	     "hxxps://example[.]com/x です", 1},
	    {"go http://x.jp/ now", KJ_LINK_STRIP, "go [URL削除] now", 1},
	    {"go http://x.jp/ now", KJ_LINK_KEEP, "go http://x.jp/ now", 1},
	    {"version 1.2.3 and example.com and xhttp://no", KJ_LINK_DEFANG,
	     "version 1.2.3 and example.com and xhttp://no", 0},
	    {"http:// alone", KJ_LINK_DEFANG, "http:// alone", 0},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func(g_free);
		guint count = 99;
		g_autofree char *out =
		    kj_url_neutralize_text(cases[i].in, cases[i].mode, found, &count);
		g_assert_cmpstr(out, ==, cases[i].out);
		g_assert_cmpuint(count, ==, cases[i].count);
		g_assert_cmpuint(found->len, ==, cases[i].count);
	}
}

static void test_url_host(void)
{
	static const char *const hosts[][2] = {
	    {"https://user:pw@WWW.Example.COM:8080/x", "www.example.com"},
	    {"http://example.jp./", "example.jp"},
	    {"//cdn.example.net/a", "cdn.example.net"},
	    {"www.example.org/x", "www.example.org"},
	    {"mailto:a@Example.JP?subject=x", "example.jp"},
	    {"http://日本.example/", "xn--wgv71a.example"},
	    {"http://%65vil.com/", "evil.com"},
	    {"http://[2001:db8::1]:80/", "2001:db8::1"},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(hosts); i++) {
		g_autofree char *h = kj_url_get_host(hosts[i][0]);
		g_assert_cmpstr(h, ==, hosts[i][1]);
	}
	g_assert_null(kj_url_get_host("javascript:alert(1)"));
	g_assert_null(kj_url_get_host("/relative/path"));
	g_assert_true(
	    kj_url_domains_differ("https://www.city.example.lg.jp/", "https://evil.example.com/"));
	g_assert_false(kj_url_domains_differ("www.example.co.jp", "https://login.example.co.jp/x"));
	g_assert_true(kj_url_domains_differ("www.a.co.jp", "https://b.co.jp/"));
	g_assert_false(kj_url_domains_differ("お問い合わせ", "https://b.co.jp/"));
	g_assert_false(
	    kj_url_domains_differ("https://mail.google.com/", "https://accounts.google.com/"));
	g_assert_true(kj_url_domains_differ("paypal.com", "https://paypal.com.evil.net/"));
	g_autofree char *r = kj_url_registrable_domain("www.city.chiyoda.lg.jp");
	g_assert_cmpstr(r, ==, "chiyoda.lg.jp");
}

/*
 * HTML.
 */

static char *html(const char *h, KjLinkMode mode, KjHtmlResult *res)
{
	KjHtmlOptions o;
	GError *error = NULL;

	kj_html_options_init(&o);
	o.link_mode = mode;
	char *t = kj_html_to_text(h, strlen(h), "utf-8", &o, res, &error);
	g_assert_no_error(error);
	g_assert_nonnull(t);
	return t;
}

static void test_html_blocks(void)
{
	KjHtmlResult res = {0};
	g_autofree char *t =
	    html("<html><head><title>T</title><style>p{}</style>"
		 "<script>alert(1)</script></head><body>"
		 "<h1>見出し</h1><p>一段落   目。<br>改行</p><p>second&nbsp;para &amp; "
		 "<b>bold</b></p><ul><li>a</li><li>b<ol><li>x</li><li>y</li></ol>"
		 "</li></ul><pre>  keep\n    this</pre><blockquote>quoted</blockquote>"
		 "<!-- comment --><noscript>ns</noscript></body></html>",
		 KJ_LINK_DEFANG, &res);
	g_assert_cmpstr(t, ==,
			"■ 見出し\n\n一段落 目。\n改行\n\nsecond para & bold\n\n・a\n・b\n  1. x\n"
			"  2. y\n\n  keep\n    this\n\n> quoted\n");
	g_assert_cmpuint(res.dropped_elements, ==, 2); /* head, noscript */
	g_assert_null(strstr(t, "alert"));
	kj_html_result_clear(&res);
}

static void test_html_table(void)
{
	g_autofree char *t = html("<table><tr><th>名前</th><th>Age</th><td></td></tr>"
				  "<tr><td>Bob</td><td>30</td><td></td></tr>"
				  "<tr><td>山田太郎</td><td>4</td></tr></table>",
				  KJ_LINK_DEFANG, NULL);
	g_assert_cmpstr(t, ==, "名前     | Age\nBob      | 30\n山田太郎 | 4\n");
	g_autofree char *l = html("<table><tr><td><p>only</p><p>column</p></td></tr></table>after",
				  KJ_LINK_DEFANG, NULL);
	g_assert_cmpstr(l, ==, "only\n\ncolumn\n\nafter\n");
}

static void test_html_links(void)
{
	static const char *doc =
	    "<p><a href=\"https://www.example.com/a\">ここ</a> "
	    "<a href=\"https://www.example.com/\">https://www.example.com/</a> "
	    "<a href=\"javascript:x()\">js</a></p>";
	KjHtmlResult res = {0};
	g_autofree char *d = html(doc, KJ_LINK_DEFANG, &res);
	g_assert_cmpstr(d, ==,
			"ここ <hxxps://www[.]example[.]com/a> hxxps://www[.]example[.]com/ js\n");
	g_assert_cmpuint(res.links->len, ==, 3);
	KjLink *l0 = res.links->pdata[0];
	g_assert_cmpstr(l0->url, ==, "https://www.example.com/a");
	g_assert_cmpstr(l0->text, ==, "ここ");
	g_assert_false(l0->phishing);
	kj_html_result_clear(&res);
	g_autofree char *s = html(doc, KJ_LINK_STRIP, NULL);
	g_assert_cmpstr(s, ==, "ここ [URL削除] js\n");
	g_autofree char *k = html(doc, KJ_LINK_KEEP, NULL);
	g_assert_cmpstr(k, ==, "ここ <https://www.example.com/a> https://www.example.com/ js\n");
}

static void test_html_phishing(void)
{
	KjHtmlResult res = {0};
	g_autofree char *t =
	    html("<a href=\"https://evil.example.net/login\">"
		 "https://www.city.example.lg.jp/</a>"
		 "<a href=\"https://www.city.example.lg.jp/x\">www.city.example.lg.jp</a>",
		 KJ_LINK_DEFANG, &res);
	g_assert_cmpuint(res.links->len, ==, 2);
	KjLink *p = res.links->pdata[0], *ok = res.links->pdata[1];
	g_assert_true(p->phishing);
	g_assert_cmpstr(p->shown_domain, ==, "www.city.example.lg.jp");
	g_assert_cmpstr(p->target_domain, ==, "evil.example.net");
	g_assert_false(ok->phishing);
	g_assert_nonnull(strstr(t, "注意"));
	g_assert_null(strstr(t, "https://"));
	/* The warning names both domains defanged, never linkable. */
	g_assert_nonnull(strstr(t, "(www[.]city[.]example[.]lg[.]jp)"));
	g_assert_nonnull(strstr(t, "(evil[.]example[.]net)"));
	g_assert_null(strstr(t, "evil.example.net"));
	g_autofree char *k = html("<a href=\"https://evil.example.net/login\">"
				  "https://www.city.example.lg.jp/</a>",
				  KJ_LINK_KEEP, NULL);
	g_assert_nonnull(strstr(k, "(evil[.]example[.]net)"));
	kj_html_result_clear(&res);
}

static void test_defang_host(void)
{
	static const char *const cases[][2] = {
	    {"login.evil.example.net", "login[.]evil[.]example[.]net"},
	    {"a.jp -> b.example.com", "a[.]jp -> b[.]example[.]com"},
	    {"already[.]done.jp", "already[.]done[.]jp"},
	    {"全角．ドット。jp", "全角[.]ドット[.]jp"},
	    {"", ""},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *d = kj_url_defang_host(cases[i][0]);
		g_assert_cmpstr(d, ==, cases[i][1]);
	}
}

static void test_html_hidden(void)
{
	KjHtmlResult res = {0};
	g_autofree char *t = html("<div style=\"DISPLAY: none\">secret1</div><p hidden>secret2</p>"
				  "<span style=\"visibility:hidden\">secret3</span>visible"
				  "<img src=\"https://t.example/o.gif\" width=\"1\" height=\"1\">"
				  "<img src=\"https://list.example/track/open.php?u=1\">"
				  "<img src=\"logo.png\" alt=\" ロゴ \"><img src=\"x.png\">"
				  "<iframe src=\"https://x\"></iframe><object>o</object>",
				  KJ_LINK_DEFANG, &res);
	g_assert_cmpstr(t, ==, "visible[画像: ロゴ]\n");
	g_assert_cmpuint(res.hidden_elements, ==, 3);
	g_assert_cmpuint(res.tracking_images, ==, 2);
	g_assert_cmpuint(res.dropped_elements, ==, 2);
	kj_html_result_clear(&res);
}

static void test_html_charset(void)
{
	static const char sjis[] = "<html><head><meta http-equiv=\"Content-Type\" "
				   "content=\"text/html; charset=Shift_JIS\"></head>"
				   "<body><p>\x93\xfa\x96\x7b\x87\x40</p></body></html>";
	static const char jis[] = "<p>\x1b$BF|K\\\x1b(B</p>";
	g_autofree char *a = kj_html_to_text(sjis, sizeof sjis - 1, NULL, NULL, NULL, NULL);
	g_assert_cmpstr(a, ==, "日本①\n");
	g_autofree char *b = kj_html_to_text(jis, sizeof jis - 1, "iso-2022-jp", NULL, NULL, NULL);
	g_assert_cmpstr(b, ==, "日本\n");
	/* MIME label wins over a lying <meta>; a wrong MIME label is
	 * caught by the decoder. */
	static const char utf8[] = "<meta charset=\"euc-jp\"><p>日本語</p>";
	g_autofree char *c = kj_html_to_text(utf8, sizeof utf8 - 1, "utf-8", NULL, NULL, NULL);
	g_assert_cmpstr(c, ==, "日本語\n");
	g_autofree char *d = kj_html_to_text("", 0, NULL, NULL, NULL, NULL);
	g_assert_cmpstr(d, ==, "");
	g_autofree char *e = kj_html_to_text("just text\0x", 11, NULL, NULL, NULL, NULL);
	g_assert_true(g_str_has_prefix(e, "just text"));
}

static void test_html_wrap(void)
{
	KjHtmlOptions o;
	kj_html_options_init(&o);
	o.wrap_column = 10;
	static const char *h = "<p>aaa bbb ccc ddd</p><p>日本語日本語日本語</p>";
	g_autofree char *t = kj_html_to_text(h, strlen(h), NULL, &o, NULL, NULL);
	g_assert_cmpstr(t, ==, "aaa bbb\nccc ddd\n\n日本語日本\n語日本語\n");
}

static void expect_limit(const char *h, gsize len, const KjHtmlOptions *o, const char *limit)
{
	GError *error = NULL;
	char *t = kj_html_to_text(h, len, "utf-8", o, NULL, &error);
	g_assert_null(t);
	g_assert_error(error, KJ_TEXT_ERROR, KJ_TEXT_ERROR_LIMIT);
	g_assert_nonnull(strstr(error->message, limit));
	g_error_free(error);
}

static void test_html_limits(void)
{
	KjHtmlOptions o;
	GString *s = g_string_new(NULL);

	kj_html_options_init(&o);
	/* 100000-deep nesting: libxml2 gives up at 256, which is reported. */
	for (int i = 0; i < 100000; i++)
		g_string_append(s, "<div>");
	expect_limit(s->str, s->len, &o, "max_depth");
	/* 200 deep: libxml2 parses it, the walk refuses it. */
	g_string_truncate(s, 0);
	for (int i = 0; i < 200; i++)
		g_string_append(s, "<span>");
	g_string_append(s, "x");
	expect_limit(s->str, s->len, &o, "max_depth");
	o.max_depth = 256;
	g_autofree char *ok = kj_html_to_text(s->str, s->len, NULL, &o, NULL, NULL);
	g_assert_cmpstr(ok, ==, "x\n");
	kj_html_options_init(&o);
	o.max_nodes = 100;
	g_string_truncate(s, 0);
	for (int i = 0; i < 60; i++)
		g_string_append(s, "<b>x</b>");
	expect_limit(s->str, s->len, &o, "max_nodes");
	kj_html_options_init(&o);
	o.max_output = 1000;
	g_string_truncate(s, 0);
	for (int i = 0; i < 2000; i++)
		g_string_append(s, "x");
	expect_limit(s->str, s->len, &o, "max_output");
	/* A table whose padding would multiply the output. */
	g_string_assign(s, "<table>");
	for (int i = 0; i < 100; i++)
		g_string_append(s, "<tr><td>a</td><td>b</td><td>c</td><td>d</td></tr>");
	g_string_append(s, "<tr><td>"
			   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			   "</td></tr></table>");
	o.max_output = 3000;
	expect_limit(s->str, s->len, &o, "max_output");
	g_string_free(s, TRUE);
}

static void test_html_bombs(void)
{
	GString *s = g_string_new("<p>");
	KjHtmlResult res = {0};

	for (int i = 0; i < 100000; i++)
		g_string_append(s, "&amp;");
	g_string_append(s, "</p><a title=\"");
	for (int i = 0; i < 1024 * 1024; i++)
		g_string_append_c(s, 'x');
	g_string_append(s, "\" href=\"http://x.jp/\">t</a>");
	g_autofree char *t = kj_html_to_text(s->str, s->len, NULL, NULL, &res, NULL);
	g_assert_nonnull(t);
	g_assert_cmpuint(strlen(t), >=, 100000);
	g_assert_cmpuint(res.links->len, ==, 1);
	kj_html_result_clear(&res);
	/* Unclosed everything, stray end tags, attributes without values. */
	static const char *junk = "<table><td><tr><li></table></td><a href><img alt>"
				  "<ol><li><table><tr><td>a<td>b</ol></a><<>>&#0;&#xD800;&bogus;";
	g_autofree char *j = kj_html_to_text(junk, strlen(junk), NULL, NULL, NULL, NULL);
	g_assert_nonnull(j);
	g_assert_true(g_utf8_validate(j, -1, NULL));
	g_string_free(s, TRUE);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (gsize i = 0; i < G_N_ELEMENTS(decode_cases); i++) {
		g_autofree char *p =
		    g_strconcat("/text/charset/decode/", decode_cases[i].name, NULL);
		g_test_add_data_func(p, &decode_cases[i], test_decode);
	}
	g_test_add_func("/text/charset/guessed", test_decode_guessed);
	g_test_add_func("/text/charset/normalize", test_normalize);
	g_test_add_func("/text/charset/encode-iso2022jp", test_encode_iso2022jp);
	g_test_add_func("/text/charset/corpus-aozora-sjis", test_decode_corpus);
	g_test_add_func("/text/charset/random", test_decode_random);
	for (gsize i = 0; i < G_N_ELEMENTS(neut_cases); i++) {
		g_autofree char *p = g_strdup_printf("/text/neutralize/%" G_GSIZE_FORMAT, i);
		g_test_add_data_func(p, &neut_cases[i], test_neutralize);
	}
	g_test_add_func("/text/neutralize/zalgo", test_zalgo);
	g_test_add_func("/text/neutralize/plain-cjk", test_plain_cjk);
	g_test_add_func("/text/filename", test_filename);
	g_test_add_func("/text/url/defang", test_defang);
	g_test_add_func("/text/url/text", test_url_text);
	g_test_add_func("/text/url/host", test_url_host);
	g_test_add_func("/text/url/defang-host", test_defang_host);
	g_test_add_func("/text/html/blocks", test_html_blocks);
	g_test_add_func("/text/html/table", test_html_table);
	g_test_add_func("/text/html/links", test_html_links);
	g_test_add_func("/text/html/phishing", test_html_phishing);
	g_test_add_func("/text/html/hidden", test_html_hidden);
	g_test_add_func("/text/html/charset", test_html_charset);
	g_test_add_func("/text/html/wrap", test_html_wrap);
	g_test_add_func("/text/html/limits", test_html_limits);
	g_test_add_func("/text/html/bombs", test_html_bombs);
	return g_test_run();
}
