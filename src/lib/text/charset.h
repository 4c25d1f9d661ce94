/* charset.h - bytes in any charset seen in mail to UTF-8 and back
 * (see charset.c and iso2022jp.c). */
#ifndef KJ_TEXT_CHARSET_H
#define KJ_TEXT_CHARSET_H

#include <glib.h>

typedef struct {
	char charset[64];     /* name actually used, e.g. "CP932" */
	gboolean guessed;     /* declared missing or unusable; detected */
	gboolean mislabelled; /* declared charset failed, another fitted */
	guint replacements;   /* U+FFFD inserted for undecodable bytes and NULs */
} KjCharsetInfo;

/* Decodes len bytes to newly allocated, NUL-terminated, valid UTF-8.
 * declared (nullable) is the charset the mail claims, in any spelling seen
 * in the wild.  Never returns NULL and never fails: every undecodable byte
 * and every NUL becomes U+FFFD and is counted in info->replacements.
 * ISO-2022-JP is decoded with the Microsoft extensions (CP50221), Shift_JIS
 * as CP932, EUC-KR as CP949, GB2312/GBK as GB18030.  A missing or lying
 * label falls back to uchardet and then to the best of CP932, EUC-JP and
 * UTF-8.  info is nullable. */
char *kj_charset_to_utf8(const char *bytes, gsize len, const char *declared, KjCharsetInfo *info);

/* Encodes UTF-8 (repaired first if invalid) into target, "UTF-8" or
 * "ISO-2022-JP" (RFC 1468 with the CP932 extension rows, so ① and ㈱ round
 * trip; halfwidth katakana become fullwidth), or any other charset iconv
 * knows.  Characters the target cannot hold become GETA MARK "〓" (for
 * Japanese targets) or "?" and are counted in *unmappable (nullable).
 * *out_len (nullable) gets the length; the result is also NUL-terminated.
 * Returns NULL only when target is unknown. */
char *kj_charset_from_utf8(const char *utf8, gsize len, const char *target, gsize *out_len,
			   guint *unmappable);

/* Writes the canonical name of a charset label into out (for example
 * "shift-jis" -> "CP932", "ks_c_5601-1987" -> "CP949").  Returns FALSE when
 * the label is empty or unknown to both the alias table and iconv. */
gboolean kj_charset_normalize(const char *label, char out[64]);

#endif
