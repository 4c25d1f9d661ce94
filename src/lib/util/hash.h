/* hash.h - SHA-256 helpers on OpenSSL (see hash.c). */
#ifndef KJ_UTIL_HASH_H
#define KJ_UTIL_HASH_H

#include <glib.h>

/* Length of a hex SHA-256 digest, without the NUL. */
#define KJ_SHA256_HEX_LEN 64

typedef struct KjSha256 KjSha256;

KjSha256 *kj_sha256_new(void);
void kj_sha256_update(KjSha256 *h, const void *data, gsize len);
/* Finishes and frees h; hex must hold KJ_SHA256_HEX_LEN + 1 bytes. */
void kj_sha256_finish(KjSha256 *h, char hex[KJ_SHA256_HEX_LEN + 1]);
void kj_sha256_free(KjSha256 *h);
void kj_sha256_hex(const void *data, gsize len, char hex[KJ_SHA256_HEX_LEN + 1]);
gboolean kj_sha256_hex_valid(const char *s);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KjSha256, kj_sha256_free)

#endif
