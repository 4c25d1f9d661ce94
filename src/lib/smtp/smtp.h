/* smtp.h - the SMTP server protocol as a pure state machine (see smtp.c). */
#ifndef KJ_SMTP_SMTP_H
#define KJ_SMTP_SMTP_H

#include <glib.h>

/*
 * A KjSmtpSession is one SMTP server conversation without a socket: the
 * caller feeds the bytes a client sent and sends back what the session
 * puts in its output.  It never blocks and never does I/O, so the same
 * code runs under the daemon's event loop, the unit tests' dialogue
 * cases and the fuzzer.
 *
 * kj_smtp_session_feed() consumes bytes until it has used them all or an
 * event needs the caller:
 *  - KJ_SMTP_EVENT_MESSAGE: a message was received whole.  The caller
 *    spools it (envelope and bytes from the accessors below), then calls
 *    kj_smtp_session_message_done() with the outcome, which writes the
 *    final reply (250 only after the spool is on disk, 基本方針 2(12)).
 *  - KJ_SMTP_EVENT_STARTTLS: the 220 for STARTTLS is in the output; the
 *    caller sends it, discards every byte it has not fed yet (plaintext
 *    injected before the handshake, CVE-2011-0411), starts TLS and calls
 *    kj_smtp_session_tls_started().
 *  - KJ_SMTP_EVENT_CLOSE: send the output, then close (QUIT, too many
 *    errors).
 */

typedef struct KjSmtpSession KjSmtpSession;

typedef struct {
	const char *hostname;     /* in the greeting and EHLO reply */
	gint64 max_line_bytes;    /* longest command line, CRLF included */
	gint64 max_recipients;    /* RCPT TO per message */
	gint64 max_message_bytes; /* DATA size, as received; also SIZE= */
	gint64 max_errors;        /* bad commands before 421 and close */
	gboolean tls_available;   /* advertise and accept STARTTLS */
} KjSmtpOptions;

typedef enum {
	KJ_SMTP_EVENT_NONE,
	KJ_SMTP_EVENT_MESSAGE,
	KJ_SMTP_EVENT_STARTTLS,
	KJ_SMTP_EVENT_CLOSE,
} KjSmtpEvent;

/* Where the conversation stands; the daemon picks its timeout from it. */
typedef enum {
	KJ_SMTP_STATE_COMMAND, /* waiting for a command */
	KJ_SMTP_STATE_DATA,    /* inside DATA, before the final dot */
	KJ_SMTP_STATE_MESSAGE, /* a message waits for kj_smtp_session_message_done() */
	KJ_SMTP_STATE_CLOSED,
} KjSmtpState;

void kj_smtp_options_init(KjSmtpOptions *opts);

/* opts is copied (hostname too). */
KjSmtpSession *kj_smtp_session_new(const KjSmtpOptions *opts);
void kj_smtp_session_free(KjSmtpSession *s);

/* Puts the 220 greeting in the output. */
void kj_smtp_session_greet(KjSmtpSession *s);

/* Consumes up to len bytes; *consumed receives how many were used.
 * Bytes not consumed must be fed again after the event is handled
 * (except after STARTTLS, see above). */
KjSmtpEvent kj_smtp_session_feed(KjSmtpSession *s, const guint8 *data, gsize len, gsize *consumed);

/* The reply text waiting to be sent; the caller empties it after
 * sending.  Valid until the next call on the session. */
GString *kj_smtp_session_get_output(KjSmtpSession *s);

KjSmtpState kj_smtp_session_get_state(const KjSmtpSession *s);

/* While busy, MAIL is answered 452 4.3.1 (backpressure: the spool disk
 * or the queue is past its limit). */
void kj_smtp_session_set_busy(KjSmtpSession *s, gboolean busy);

/* Envelope of the message of the last KJ_SMTP_EVENT_MESSAGE; valid until
 * kj_smtp_session_message_done(). */
const char *kj_smtp_session_get_helo(const KjSmtpSession *s);
const char *kj_smtp_session_get_sender(const KjSmtpSession *s);
const GPtrArray *kj_smtp_session_get_recipients(const KjSmtpSession *s);
/* The message as received, dot-unstuffed, CRLF line ends; the caller
 * owns it.  Once per message. */
GBytes *kj_smtp_session_steal_message(KjSmtpSession *s);

/* The final reply to DATA.  queue_id != NULL: accepted ("250 2.0.0 Ok:
 * queued as <id>"); NULL: refused with temp_failure text ("451 4.3.0"
 * or, with busy set, "452 4.3.1"). */
void kj_smtp_session_message_done(KjSmtpSession *s, const char *queue_id, const char *temp_failure);

/* After a TLS handshake: back to the start, no HELO yet (RFC 3207 4.2). */
void kj_smtp_session_tls_started(KjSmtpSession *s);
gboolean kj_smtp_session_is_tls(const KjSmtpSession *s);

/* Counters for logs and tests. */
guint kj_smtp_session_get_messages(const KjSmtpSession *s);

/* Writes a one-line reply for situations outside a conversation (421
 * timeout, 554 refused network); text is copied as data, never used as
 * a format. */
void kj_smtp_session_reply(KjSmtpSession *s, const char *code_and_text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KjSmtpSession, kj_smtp_session_free)

#endif
