/* fuzz-charset.c - libFuzzer target for the charset and text functions:
 * kj_charset_to_utf8() under every kind of label, then the result through
 * the ISO-2022-JP encoder (round trip must decode cleanly), the
 * neutraliser, the file-name filter and the URL scanner.  The first byte
 * picks the declared charset. */
#include "text/charset.h"
#include "text/text.h"
#include "text/url.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_utf8(const char *s)
{
	if (s == NULL || !g_utf8_validate(s, -1, NULL))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const labels[] = {
	    NULL,     "iso-2022-jp",   "shift_jis", "euc-jp",   "utf-8",          "utf-16",
	    "utf-7",  "gb2312",        "big5",      "us-ascii", "ks_c_5601-1987", "iso-8859-1",
	    "koi8-r", "iso-2022-jp-2", "x-unknown", "utf-16le",
	};
	KjCharsetInfo info;
	gsize len;
	guint unm;

	if (size < 1)
		return 0;
	char *u = kj_charset_to_utf8((const char *)data + 1, size - 1, labels[data[0] & 15], &info);
	check_utf8(u);
	char *jis = kj_charset_from_utf8(u, strlen(u), "ISO-2022-JP", &len, &unm);
	for (gsize i = 0; i < len; i++)
		if ((guchar)jis[i] >= 0x80)
			__builtin_trap();
	char *back = kj_charset_to_utf8(jis, len, "ISO-2022-JP", &info);
	check_utf8(back);
	if (info.replacements != 0)
		__builtin_trap(); /* the encoder must write what the decoder reads */
	char *n =
	    kj_text_neutralize(u, (data[0] & 16) ? KJ_NEUTRALIZE_LINE : KJ_NEUTRALIZE_BODY, NULL);
	check_utf8(n);
	char *f = kj_text_safe_filename(u);
	check_utf8(f);
	if (f[0] == '\0' || strchr(f, '/') != NULL || strchr(f, '\\') != NULL ||
	    strstr(f, "..") != NULL)
		__builtin_trap();
	GPtrArray *found = g_ptr_array_new_with_free_func(g_free);
	char *d = kj_url_neutralize_text(u, (KjLinkMode)((data[0] >> 5) % 3), found, NULL);
	check_utf8(d);
	for (guint i = 0; i < found->len; i++) {
		char *h = kj_url_get_host(found->pdata[i]);
		char *df = kj_url_defang(found->pdata[i]);
		check_utf8(df);
		g_free(h);
		g_free(df);
	}
	g_ptr_array_free(found, TRUE);
	g_free(d);
	g_free(f);
	g_free(n);
	g_free(back);
	g_free(jis);
	g_free(u);
	return 0;
}
