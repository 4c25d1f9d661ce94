/* text-private.h - helpers shared between the files of src/lib/text only. */
#ifndef KJ_TEXT_PRIVATE_H
#define KJ_TEXT_PRIVATE_H

#include <glib.h>
#include <iconv.h>

/* g_utf8_next_char() without its cast that drops const. */
#define KJ_UTF8_NEXT(p) ((p) + g_utf8_skip[*(const guchar *)(p)])

/* UTF-8 of U+FFFD REPLACEMENT CHARACTER. */
#define KJ_UTF8_REPLACEMENT "\xEF\xBF\xBD"

/* Converts len bytes with cd, appending UTF-8 to out.  Each byte cd refuses
 * is retried as one character with fallback (nullable, e.g. EUC-JP-MS
 * behind EUC-JP) and otherwise becomes U+FFFD counted in *repl.  An
 * incomplete sequence at the end counts one replacement per byte. */
void _kj_iconv_append(iconv_t cd, iconv_t fallback, const char *in, gsize len, GString *out,
		      guint *repl);
/* The same for charsets whose code unit is unit bytes (2 for UTF-16), so
 * that a bad unit is skipped whole. */
void _kj_iconv_append_unit(iconv_t cd, iconv_t fallback, gsize unit, const char *in, gsize len,
			   GString *out, guint *repl);

/* Decodes ISO-2022-JP and its -1, -2, -3 and Microsoft (CP5022x)
 * variants; see iso2022jp.c. */
void _kj_iso2022jp_decode(const char *in, gsize len, GString *out, guint *repl);

/* Encodes valid UTF-8 as ISO-2022-JP with the CP932 extension rows. */
void _kj_iso2022jp_encode(const char *utf8, gsize len, GString *out, guint *unmappable);

/* Encodes valid UTF-8 with cd (UTF-8 to something), appending subst and
 * counting in *unmappable for each character the target cannot hold. */
void _kj_iconv_encode(iconv_t cd, const char *in, gsize len, const char *subst, GString *out,
		      guint *unmappable);

/* Replaces each NUL in out, from byte offset from on, with U+FFFD;
 * returns how many. */
guint _kj_replace_nuls(GString *out, gsize from);

/* Appends utf8 with invalid bytes as U+FFFD each; returns how many. */
guint _kj_utf8_append_repaired(GString *out, const char *in, gsize len);

/* text.c: kj_text_neutralize()'s fast-path test for one code point, and
 * the slow path's invisible-character test, for test-text to compare. */
gboolean _kj_text_plain_cjk(gunichar c);
gboolean _kj_text_invisible(gunichar c);

#endif
