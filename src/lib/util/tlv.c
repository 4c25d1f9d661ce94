/*++
 * NAME
 *	tlv - tag-length-value records
 * DESCRIPTION
 *	The sanitizer workers (mail and file) send their results to the
 *	parent as a magic string followed by records of a one-byte tag, a
 *	32-bit little-endian length and the value.  One encoder and one
 *	bounds-checked walker serve both, so that the checks on bytes that
 *	come out of a possibly compromised worker are written once.
 * SECURITY
 *	kj_tlv_walk() runs in the parent on bytes from a sandboxed worker:
 *	every length is checked against what is left before it is used.
 * SEE ALSO
 *	mime/isolate.c, cdr/isolate.c, sandbox/sandbox.c
 *--*/
#include "util/tlv.h"

#include <string.h>

#define HEADER_LEN 5

void kj_tlv_put(GByteArray *b, char tag, const void *data, gsize len)
{
	guint8 h[HEADER_LEN] = {(guint8)tag, (guint8)len, (guint8)(len >> 8), (guint8)(len >> 16),
				(guint8)(len >> 24)};

	g_assert(len <= G_MAXUINT32);
	g_byte_array_append(b, h, sizeof h);
	if (len)
		g_byte_array_append(b, data, (guint)len);
}

void kj_tlv_put_str(GByteArray *b, char tag, const char *s)
{
	if (s)
		kj_tlv_put(b, tag, s, strlen(s));
}

gboolean kj_tlv_walk(const void *data, gsize len, const char *magic, gsize magic_len,
		     KjTlvFunc func, gpointer user_data)
{
	const guint8 *d = data;

	if (d == NULL || len < magic_len || memcmp(d, magic, magic_len) != 0)
		return FALSE;
	for (gsize off = magic_len; off < len;) {
		if (len - off < HEADER_LEN)
			return FALSE;
		const guint8 *h = d + off;
		gsize n = (gsize)h[1] | (gsize)h[2] << 8 | (gsize)h[3] << 16 | (gsize)h[4] << 24;
		off += HEADER_LEN;
		if (n > len - off || !func((char)h[0], off, n, user_data))
			return FALSE;
		off += n;
	}
	return TRUE;
}
