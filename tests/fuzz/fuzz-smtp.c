/*++
 * NAME
 *	fuzz-smtp - the SMTP server state machine on arbitrary client bytes
 * DESCRIPTION
 *	The first byte chooses options (STARTTLS offered, busy, spool
 *	failure, small limits) and the chunk size; the rest is fed as a
 *	client would send it, with every event handled the way kyojind
 *	handles it.  Checks that the session never reads past what it was
 *	given and that every reply line is well formed.
 * SECURITY
 *	Test program.
 * STANDARDS
 *	RFC 5321, 1870, 2920, 3207.
 * SEE ALSO
 *	src/lib/smtp/smtp.c, tests/smtp/cases/ (the seeds in seeds/smtp/).
 *--*/
#include "smtp/smtp.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_output(KjSmtpSession *s)
{
	GString *out = kj_smtp_session_get_output(s);
	/* Every reply line starts with three digits and ends in CRLF. */
	g_assert(out->len == 0 || (out->len >= 5 && out->str[out->len - 2] == '\r' &&
				   out->str[out->len - 1] == '\n'));
	g_assert(out->len == 0 || (g_ascii_isdigit(out->str[0]) && g_ascii_isdigit(out->str[2])));
	g_string_truncate(out, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	KjSmtpOptions o;

	if (size < 1)
		return 0;
	guint8 f = data[0];
	kj_smtp_options_init(&o);
	o.tls_available = f & 1;
	if (f & 8) {
		o.max_line_bytes = 512;
		o.max_message_bytes = 64 * 1024;
		o.max_recipients = 3;
		o.max_errors = 5;
	}
	gsize chunk = (f >> 4) ? (gsize)(f >> 4) * 7 : size;
	KjSmtpSession *s = kj_smtp_session_new(&o);
	kj_smtp_session_set_busy(s, (f & 2) != 0);
	kj_smtp_session_greet(s);
	check_output(s);
	gsize off = 1;
	while (off < size && kj_smtp_session_get_state(s) != KJ_SMTP_STATE_CLOSED) {
		gsize n = MIN(chunk, size - off), used = 0;
		KjSmtpEvent ev = kj_smtp_session_feed(s, data + off, n, &used);
		g_assert(used <= n);
		off += used;
		if (ev == KJ_SMTP_EVENT_MESSAGE) {
			GBytes *m = kj_smtp_session_steal_message(s);
			g_assert(m != NULL);
			g_bytes_unref(m);
			kj_smtp_session_message_done(s, (f & 4) ? NULL : "FUZZ", NULL);
		} else if (ev == KJ_SMTP_EVENT_STARTTLS) {
			kj_smtp_session_tls_started(s);
		} else if (ev == KJ_SMTP_EVENT_NONE && used == 0) {
			break;
		}
		check_output(s);
	}
	kj_smtp_session_free(s);
	return 0;
}
