/* tlv.h - tag-length-value records: the results that cross the sandbox (see tlv.c). */
#ifndef KJ_UTIL_TLV_H
#define KJ_UTIL_TLV_H

#include <glib.h>

/* Appends one record: a one-byte tag, a 32-bit little-endian length, the bytes. */
void kj_tlv_put(GByteArray *b, char tag, const void *data, gsize len);
/* As kj_tlv_put() for a string without its NUL; nothing for NULL. */
void kj_tlv_put_str(GByteArray *b, char tag, const char *s);

/* Called for each record with its tag and the offset and length of its
 * value within the buffer; return FALSE to reject the buffer. */
typedef gboolean (*KjTlvFunc)(char tag, gsize offset, gsize len, gpointer user_data);

/* Walks the records that follow magic in data.  FALSE when the magic is
 * wrong, a record runs past the end, or func rejects a record. */
gboolean kj_tlv_walk(const void *data, gsize len, const char *magic, gsize magic_len,
		     KjTlvFunc func, gpointer user_data);

#endif
