/*++
 * NAME
 *	hash - SHA-256 on OpenSSL's EVP interface
 * DESCRIPTION
 *	Content addresses of the store and the links of the audit chain are
 *	SHA-256 digests written as 64 lower-case hex digits.
 * SECURITY
 *	Runs in every process; hashes untrusted bytes, parses nothing.
 * STANDARDS
 *	FIPS 180-4.  基本方針 2(6) 完全性: digests prove content unaltered.
 *--*/
#include "util/hash.h"

#include <openssl/evp.h>

struct KjSha256 {
	EVP_MD_CTX *ctx;
};

KjSha256 *kj_sha256_new(void)
{
	KjSha256 *h = g_new0(KjSha256, 1);

	h->ctx = EVP_MD_CTX_new();
	/* Allocation failure of a few bytes in OpenSSL is as fatal as
	 * g_malloc failing: there is nothing sensible to continue with. */
	if (h->ctx == NULL || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1)
		g_error("OpenSSL cannot initialise SHA-256");
	return h;
}

void kj_sha256_update(KjSha256 *h, const void *data, gsize len)
{
	if (len > 0)
		EVP_DigestUpdate(h->ctx, data, len);
}

static void to_hex(const unsigned char *md, unsigned int n, char *hex)
{
	static const char digits[] = "0123456789abcdef";

	for (unsigned int i = 0; i < n; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 0xf];
	}
	hex[2 * n] = '\0';
}

void kj_sha256_finish(KjSha256 *h, char hex[KJ_SHA256_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_DigestFinal_ex(h->ctx, md, &n);
	g_assert(n == KJ_SHA256_HEX_LEN / 2);
	to_hex(md, n, hex);
	kj_sha256_free(h);
}

void kj_sha256_free(KjSha256 *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->ctx);
	g_free(h);
}

void kj_sha256_hex(const void *data, gsize len, char hex[KJ_SHA256_HEX_LEN + 1])
{
	KjSha256 *h = kj_sha256_new();

	kj_sha256_update(h, data, len);
	kj_sha256_finish(h, hex);
}

gboolean kj_sha256_hex_valid(const char *s)
{
	if (s == NULL)
		return FALSE;
	for (int i = 0; i < KJ_SHA256_HEX_LEN; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return FALSE;
	}
	return s[KJ_SHA256_HEX_LEN] == '\0';
}
