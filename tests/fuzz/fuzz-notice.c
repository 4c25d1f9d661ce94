/*++
 * NAME
 *	fuzz-notice - the delivery-status notice built around hostile text
 * DESCRIPTION
 *	A notice to the sender of a held message copies the header section
 *	of that message, which came from the internet, into its
 *	text/rfc822-headers part, and quotes the sender, the recipients and
 *	the reason.  The first byte chooses the recipient count, the next
 *	two the lengths of the reason and of the sender taken from the
 *	input; the rest is the held message.  Checks that the notice is
 *	built (or refused, for the null sender), that every line ends in
 *	CRLF with no bare CR or LF anywhere, that its boundary delimits
 *	exactly its three parts and closes last, and that no more of the
 *	message is copied than the limit allows.
 * SECURITY
 *	Test program.
 * STANDARDS
 *	RFC 3464, RFC 6522, RFC 5322 2.2.
 * SEE ALSO
 *	src/lib/queue/notice.c, tests/unit/test-queue.c.
 *--*/
#include "queue/notice.h"
#include "util/limits.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gsize count(const char *hay, gsize len, const char *needle)
{
	gsize n = 0, nl = strlen(needle);

	for (const char *p = hay; (p = g_strstr_len(p, (gssize)(hay + len - p), needle)) != NULL;
	     p += nl)
		n++;
	return n;
}

static void check(GBytes *notice)
{
	gsize len = 0;
	const char *t = g_bytes_get_data(notice, &len);

	g_assert(len > 0 && memchr(t, '\0', len) == NULL);
	for (gsize i = 0; i < len; i++) {
		if (t[i] == '\n')
			g_assert(i > 0 && t[i - 1] == '\r');
		if (t[i] == '\r')
			g_assert(i + 1 < len && t[i + 1] == '\n');
	}
	g_autofree char *s = g_strndup(t, len);
	/* The boundary of the Content-Type field (the sender's address may
	 * hold the same words). */
	const char *ct = "\r\nContent-Type: multipart/report; report-type=delivery-status;\r\n"
			 "\tboundary=\"";
	const char *b = strstr(s, ct);
	g_assert(b != NULL);
	b += strlen(ct);
	const char *e = strchr(b, '"');
	g_assert(e != NULL && e > b);
	g_autofree char *boundary = g_strndup(b, (gsize)(e - b));
	g_autofree char *delim = g_strconcat("\r\n--", boundary, NULL);
	g_autofree char *close = g_strconcat("\r\n--", boundary, "--\r\n", NULL);
	/* Three parts and the close: nothing copied from the message makes
	 * a fifth delimiter. */
	g_assert(count(s, len, delim) == 4);
	g_assert(g_str_has_suffix(s, close));
	const char *hdr = strstr(s, "Content-Type: text/rfc822-headers\r\n\r\n");
	g_assert(hdr != NULL);
	hdr += strlen("Content-Type: text/rfc822-headers\r\n\r\n");
	/* Each byte copied is at most one byte out, and a line end two. */
	g_assert((gsize)(s + len - strlen(close) - hdr) <=
		 2 * (gsize)KJ_QUEUE_NOTICE_MAX_HEADERS + 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	gsize nrcpt = 1 + data[0] % 3, rlen = data[1], slen = data[2] % 64;
	gsize off = 3;
	rlen = MIN(rlen, size - off);
	g_autofree char *reason = g_strndup((const char *)data + off, rlen);
	off += rlen;
	slen = MIN(slen, size - off);
	g_autofree char *sender = g_strndup((const char *)data + off, slen);
	off += slen;
	g_autoptr(GBytes) orig = g_bytes_new(data + off, size - off);
	char id[] = "0123456789abcdef0123";
	KjQueueEntry e = {.id = id, .sender = sender, .received_at = NULL};
	e.recipients = g_ptr_array_new_with_free_func(g_free);
	for (gsize i = 0; i < nrcpt; i++)
		g_ptr_array_add(e.recipients, i == 0 ? g_strdup(sender) : g_strdup(reason));
	GError *error = NULL;
	GBytes *n = kj_queue_notice_build(&e, reason, "gw.example", orig, &error);
	if (sender[0] == '\0') {
		/* The null sender gets no notice (RFC 5321 4.5.5). */
		g_assert(n == NULL && error != NULL);
		g_error_free(error);
	} else {
		g_assert(n != NULL && error == NULL);
		check(n);
		g_bytes_unref(n);
	}
	g_ptr_array_unref(e.recipients);
	return 0;
}
