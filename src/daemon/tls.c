/*++
 * NAME
 *	tls - STARTTLS for kyojind: OpenSSL on memory BIOs
 * DESCRIPTION
 *	The event loop (GIO) reads and writes the socket; this file only
 *	moves bytes between it and an OpenSSL server session through two
 *	memory BIOs, so that TLS needs no thread and no blocking call.
 *	Ciphertext in -> plaintext out for the SMTP state machine, and the
 *	state machine's replies -> ciphertext to send.
 * SECURITY
 *	Runs in kyojind after privileges are dropped; the certificate and
 *	key are loaded at start-up (before the drop).  The handshake bytes
 *	are untrusted: any failure closes the connection (an aborted
 *	handshake is one log line, never a crash).  TLS 1.2 or newer only.
 * LIMITS
 *	Plaintext read per input call is bounded by what was fed.
 * STANDARDS
 *	RFC 3207 (STARTTLS), RFC 8446 / 5246 (TLS 1.3 / 1.2).
 * SEE ALSO
 *	kyojind.c, smtp/smtp.h (kj_smtp_session_tls_started).
 *--*/
#include "daemon/kyojind.h"

#include <gio/gio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

struct KjdTlsContext {
	SSL_CTX *ctx;
};

struct KjdTls {
	SSL *ssl;
	BIO *in, *out; /* owned by ssl */
};

static void ssl_error(GError **error, const char *what)
{
	char buf[256];
	unsigned long e = ERR_get_error();

	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", what, e ? buf : "failed");
}

KjdTlsContext *kjd_tls_context_new(const char *cert_file, const char *key_file, GError **error)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL) {
		ssl_error(error, "TLS context");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		ssl_error(error, "smtp.tls_cert / smtp.tls_key");
		SSL_CTX_free(ctx);
		return NULL;
	}
	KjdTlsContext *c = g_new0(KjdTlsContext, 1);
	c->ctx = ctx;
	return c;
}

void kjd_tls_context_free(KjdTlsContext *c)
{
	if (c == NULL)
		return;
	SSL_CTX_free(c->ctx);
	g_free(c);
}

KjdTls *kjd_tls_new(KjdTlsContext *c)
{
	KjdTls *t = g_new0(KjdTls, 1);

	t->ssl = SSL_new(c->ctx);
	t->in = BIO_new(BIO_s_mem());
	t->out = BIO_new(BIO_s_mem());
	BIO_set_mem_eof_return(t->in, -1);
	SSL_set_bio(t->ssl, t->in, t->out);
	SSL_set_accept_state(t->ssl);
	return t;
}

void kjd_tls_free(KjdTls *t)
{
	if (t == NULL)
		return;
	SSL_free(t->ssl);
	g_free(t);
}

void kjd_tls_drain(KjdTls *t, GByteArray *cipher)
{
	char buf[16384];
	int n;

	while ((n = BIO_read(t->out, buf, sizeof(buf))) > 0)
		g_byte_array_append(cipher, (const guint8 *)buf, (guint)n);
}

gboolean kjd_tls_is_established(const KjdTls *t)
{
	return SSL_is_init_finished(t->ssl);
}

gboolean kjd_tls_input(KjdTls *t, const guint8 *data, gsize len, GByteArray *plain, GError **error)
{
	char buf[16384];

	if (len > 0 && BIO_write(t->in, data, (int)len) != (int)len) {
		ssl_error(error, "TLS input");
		return FALSE;
	}
	if (!SSL_is_init_finished(t->ssl)) {
		int r = SSL_do_handshake(t->ssl);
		if (r != 1) {
			int e = SSL_get_error(t->ssl, r);
			if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
				return TRUE;
			ssl_error(error, "TLS handshake");
			return FALSE;
		}
	}
	for (;;) {
		int n = SSL_read(t->ssl, buf, sizeof(buf));
		if (n > 0) {
			g_byte_array_append(plain, (const guint8 *)buf, (guint)n);
			continue;
		}
		int e = SSL_get_error(t->ssl, n);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
			return TRUE;
		if (e == SSL_ERROR_ZERO_RETURN)
			return TRUE; /* close_notify: the socket's EOF follows */
		ssl_error(error, "TLS record");
		return FALSE;
	}
}

gboolean kjd_tls_output(KjdTls *t, const char *data, gsize len, GByteArray *cipher, GError **error)
{
	if (len > 0 && SSL_write(t->ssl, data, (int)len) != (int)len) {
		ssl_error(error, "TLS output");
		return FALSE;
	}
	kjd_tls_drain(t, cipher);
	return TRUE;
}
