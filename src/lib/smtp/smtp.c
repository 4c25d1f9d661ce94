/*++
 * NAME
 *	smtp - the SMTP server protocol as a pure state machine
 * DESCRIPTION
 *	Commands are read line by line from the bytes fed; each gets its
 *	reply in the output, so that pipelined groups are answered in order
 *	(RFC 2920) with no I/O of its own.  DATA is read by a byte state
 *	machine (beginning of line, dot, CR) that removes dot-stuffing and
 *	finds only <CRLF>.<CRLF> as the end: a bare LF or bare CR never ends
 *	a message, and a message that contains either is refused whole, so
 *	that no second message can be smuggled past a peer that reads line
 *	ends differently (the 2023 "SMTP smuggling" attacks).
 *
 *	Reply codes for refusals (RFC 5321 4.2, RFC 3463 enhanced codes):
 *	500 5.5.2 unknown command, bare LF or NUL in a command; 500 5.5.6
 *	line too long; 501 5.5.4 bad arguments; 503 5.5.1 out of order;
 *	552 5.3.4 too large; 452 4.5.3 too many recipients; 452 4.3.1 busy
 *	(backpressure); 550 5.6.0 NUL or bare line end in the message;
 *	252 2.5.2 VRFY (never confirms an address); 502 5.5.1 EXPN, HELP,
 *	AUTH, BDAT, TURN; 421 4.7.0 too many errors.
 * SECURITY
 *	Runs in kyojind's listener, after privileges are dropped, on bytes
 *	straight from the network (the internet-side MTA or anyone who
 *	reaches the port).  Every buffer is bounded: a command line by
 *	max_line_bytes, a message by max_message_bytes (the rest is read and
 *	dropped, then 552).  Client text appears in replies only through
 *	"%s"-free appends and never as a format.
 * LIMITS
 *	smtp.max_line_bytes, smtp.max_recipients, smtp.max_message_bytes,
 *	smtp.max_errors (util/limits.h).  Addresses at most 256 bytes
 *	(RFC 5321 4.5.3.1.3).
 * STANDARDS
 *	RFC 5321 (SMTP), RFC 1870 (SIZE), RFC 2920 (PIPELINING), RFC 6152
 *	(8BITMIME), RFC 2034 and 3463 (enhanced status codes), RFC 3207
 *	(STARTTLS).  基本方針 6(3)②, 2(12): the gateway between the internet
 *	segment and LGWAN accepts only well-formed mail.
 * SEE ALSO
 *	smtp.h, daemon/kyojind.c, tests/smtp/cases/.
 *--*/
#include "smtp/smtp.h"

#include "util/limits.h"

#include <string.h>

#define MAX_PATH 256

typedef enum { D_BOL, D_DOT, D_DOTCR, D_IN, D_CR } DataState;

struct KjSmtpSession {
	KjSmtpOptions opts;
	char *hostname;
	KjSmtpState state;
	GString *out;
	GByteArray *line; /* command line being read */
	gboolean line_too_long;
	char *helo; /* NULL until HELO/EHLO */
	gboolean esmtp;
	char *sender; /* NULL outside a transaction; "" for <> */
	GPtrArray *rcpts;
	GByteArray *msg;
	DataState dstate;
	gboolean msg_too_big, msg_bare_lf, msg_nul;
	gboolean busy, tls;
	gint64 errors;
	guint messages;
};

void kj_smtp_options_init(KjSmtpOptions *o)
{
	*o = (KjSmtpOptions){
	    .hostname = "localhost",
	    .max_line_bytes = KJ_SMTP_MAX_LINE_DEFAULT,
	    .max_recipients = KJ_SMTP_MAX_RCPT_DEFAULT,
	    .max_message_bytes = KJ_SMTP_MAX_MESSAGE_DEFAULT,
	    .max_errors = KJ_SMTP_MAX_ERRORS_DEFAULT,
	};
}

KjSmtpSession *kj_smtp_session_new(const KjSmtpOptions *opts)
{
	KjSmtpSession *s = g_new0(KjSmtpSession, 1);

	s->opts = *opts;
	s->hostname = g_strdup(opts->hostname ? opts->hostname : "localhost");
	s->opts.hostname = s->hostname;
	s->out = g_string_sized_new(512);
	s->line = g_byte_array_sized_new(256);
	s->rcpts = g_ptr_array_new_with_free_func(g_free);
	s->state = KJ_SMTP_STATE_COMMAND;
	return s;
}

void kj_smtp_session_free(KjSmtpSession *s)
{
	if (s == NULL)
		return;
	g_free(s->hostname);
	g_string_free(s->out, TRUE);
	g_byte_array_unref(s->line);
	g_free(s->helo);
	g_free(s->sender);
	g_ptr_array_unref(s->rcpts);
	if (s->msg)
		g_byte_array_unref(s->msg);
	g_free(s);
}

/* Appends one reply line; text is data, never a format. */
static void reply(KjSmtpSession *s, const char *code, const char *text)
{
	g_string_append(s->out, code);
	g_string_append_c(s->out, ' ');
	g_string_append(s->out, text);
	g_string_append(s->out, "\r\n");
}

void kj_smtp_session_reply(KjSmtpSession *s, const char *code_and_text)
{
	g_string_append(s->out, code_and_text);
	g_string_append(s->out, "\r\n");
}

void kj_smtp_session_greet(KjSmtpSession *s)
{
	g_string_append_printf(s->out, "220 %s ESMTP kyojind\r\n", s->hostname);
}

GString *kj_smtp_session_get_output(KjSmtpSession *s)
{
	return s->out;
}

KjSmtpState kj_smtp_session_get_state(const KjSmtpSession *s)
{
	return s->state;
}

void kj_smtp_session_set_busy(KjSmtpSession *s, gboolean busy)
{
	s->busy = busy;
}

const char *kj_smtp_session_get_helo(const KjSmtpSession *s)
{
	return s->helo;
}

const char *kj_smtp_session_get_sender(const KjSmtpSession *s)
{
	return s->sender;
}

const GPtrArray *kj_smtp_session_get_recipients(const KjSmtpSession *s)
{
	return s->rcpts;
}

gboolean kj_smtp_session_is_tls(const KjSmtpSession *s)
{
	return s->tls;
}

guint kj_smtp_session_get_messages(const KjSmtpSession *s)
{
	return s->messages;
}

static void reset_transaction(KjSmtpSession *s)
{
	g_clear_pointer(&s->sender, g_free);
	g_ptr_array_set_size(s->rcpts, 0);
	if (s->msg)
		g_clear_pointer(&s->msg, g_byte_array_unref);
}

/* Counts a refused command; past max_errors the client is dropped
 * (a flood of garbage is not a conversation). */
static KjSmtpEvent error_reply(KjSmtpSession *s, const char *code, const char *text)
{
	reply(s, code, text);
	if (++s->errors >= s->opts.max_errors) {
		reply(s, "421", "4.7.0 Too many errors, closing connection");
		s->state = KJ_SMTP_STATE_CLOSED;
		return KJ_SMTP_EVENT_CLOSE;
	}
	return KJ_SMTP_EVENT_NONE;
}

/* Parses "<path>" at p (after "FROM:" or "TO:"), returning the address
 * (source route removed) and setting *rest after the '>'.  NULL on bad
 * syntax. */
static char *parse_path(const char *p, const char **rest)
{
	while (*p == ' ')
		p++;
	if (*p != '<')
		return NULL;
	p++;
	const char *end = strchr(p, '>');
	if (end == NULL || end - p > MAX_PATH)
		return NULL;
	for (const char *q = p; q < end; q++)
		if ((guchar)*q <= ' ' || *q == '<' || *q == 0x7f)
			return NULL;
	/* A source route (<@a,@b:user@d>) is accepted and ignored
	 * (RFC 5321 4.1.2, 3.3). */
	if (*p == '@') {
		const char *colon = memchr(p, ':', (gsize)(end - p));
		if (colon == NULL)
			return NULL;
		p = colon + 1;
	}
	gsize n = (gsize)(end - p);
	/* <Postmaster> without a domain must be accepted (RFC 5321 4.5.1). */
	gboolean postmaster = n == 10 && g_ascii_strncasecmp(p, "postmaster", 10) == 0;
	if (n > 0 && !postmaster && (memchr(p, '@', n) == NULL || p[0] == '@' || p[n - 1] == '@'))
		return NULL;
	*rest = end + 1;
	return g_strndup(p, n);
}

/* MAIL parameters: SIZE=n (RFC 1870) and BODY=7BIT|8BITMIME (RFC 6152).
 * Returns NULL if acceptable, else the reply to give. */
static const char *check_mail_params(KjSmtpSession *s, const char *p, const char **code)
{
	g_auto(GStrv) words = g_strsplit(p, " ", -1);

	for (char **w = words; *w; w++) {
		if (**w == '\0')
			continue;
		if (g_ascii_strncasecmp(*w, "SIZE=", 5) == 0) {
			const char *v = *w + 5;
			guint64 size = 0;
			if (*v == '\0' || strspn(v, "0123456789") != strlen(v) || strlen(v) > 18) {
				*code = "501";
				return "5.5.4 Bad SIZE parameter";
			}
			size = g_ascii_strtoull(v, NULL, 10);
			if (size > (guint64)s->opts.max_message_bytes) {
				*code = "552";
				return "5.3.4 Message size exceeds fixed limit";
			}
		} else if (g_ascii_strcasecmp(*w, "BODY=7BIT") == 0 ||
			   g_ascii_strcasecmp(*w, "BODY=8BITMIME") == 0) {
			continue;
		} else {
			*code = "555";
			return "5.5.4 Unsupported MAIL parameter";
		}
	}
	return NULL;
}

static KjSmtpEvent cmd_ehlo(KjSmtpSession *s, const char *arg, gboolean esmtp)
{
	if (*arg == '\0' || strchr(arg, ' ') != NULL || strlen(arg) > 255)
		return error_reply(s, "501", "5.5.4 Syntax: EHLO hostname");
	reset_transaction(s);
	g_free(s->helo);
	s->helo = g_strdup(arg);
	s->esmtp = esmtp;
	if (!esmtp) {
		g_string_append_printf(s->out, "250 %s\r\n", s->hostname);
		return KJ_SMTP_EVENT_NONE;
	}
	g_string_append_printf(s->out, "250-%s\r\n", s->hostname);
	g_string_append(s->out, "250-PIPELINING\r\n");
	g_string_append_printf(s->out, "250-SIZE %" G_GINT64_FORMAT "\r\n",
			       s->opts.max_message_bytes);
	if (s->opts.tls_available && !s->tls)
		g_string_append(s->out, "250-STARTTLS\r\n");
	g_string_append(s->out, "250-ENHANCEDSTATUSCODES\r\n");
	g_string_append(s->out, "250 8BITMIME\r\n");
	return KJ_SMTP_EVENT_NONE;
}

static KjSmtpEvent cmd_mail(KjSmtpSession *s, const char *arg)
{
	const char *rest = NULL, *code = NULL;

	if (s->helo == NULL)
		return error_reply(s, "503", "5.5.1 Send HELO/EHLO first");
	if (s->sender != NULL)
		return error_reply(s, "503", "5.5.1 Nested MAIL command");
	if (g_ascii_strncasecmp(arg, "FROM:", 5) != 0)
		return error_reply(s, "501", "5.5.4 Syntax: MAIL FROM:<address>");
	g_autofree char *addr = parse_path(arg + 5, &rest);
	if (addr == NULL)
		return error_reply(s, "501", "5.1.7 Bad sender address syntax");
	if (*rest != '\0' && *rest != ' ')
		return error_reply(s, "501", "5.5.4 Syntax: MAIL FROM:<address>");
	const char *why = check_mail_params(s, rest, &code);
	if (why)
		return error_reply(s, code, why);
	if (s->busy) {
		reply(s, "452", "4.3.1 Insufficient system storage, try again later");
		return KJ_SMTP_EVENT_NONE;
	}
	s->sender = g_steal_pointer(&addr);
	reply(s, "250", "2.1.0 Ok");
	return KJ_SMTP_EVENT_NONE;
}

static KjSmtpEvent cmd_rcpt(KjSmtpSession *s, const char *arg)
{
	const char *rest = NULL;

	if (s->sender == NULL)
		return error_reply(s, "503", "5.5.1 Need MAIL before RCPT");
	if (g_ascii_strncasecmp(arg, "TO:", 3) != 0)
		return error_reply(s, "501", "5.5.4 Syntax: RCPT TO:<address>");
	g_autofree char *addr = parse_path(arg + 3, &rest);
	if (addr == NULL || *addr == '\0')
		return error_reply(s, "501", "5.1.3 Bad recipient address syntax");
	while (*rest == ' ')
		rest++;
	if (*rest != '\0')
		return error_reply(s, "555", "5.5.4 Unsupported RCPT parameter");
	if ((gint64)s->rcpts->len >= s->opts.max_recipients) {
		/* RFC 5321 4.5.3.1.10: 452, the client sends the rest later. */
		reply(s, "452", "4.5.3 Too many recipients");
		return KJ_SMTP_EVENT_NONE;
	}
	g_ptr_array_add(s->rcpts, g_steal_pointer(&addr));
	reply(s, "250", "2.1.5 Ok");
	return KJ_SMTP_EVENT_NONE;
}

static KjSmtpEvent cmd_data(KjSmtpSession *s, const char *arg)
{
	if (*arg != '\0')
		return error_reply(s, "501", "5.5.4 Syntax: DATA");
	if (s->sender == NULL)
		return error_reply(s, "503", "5.5.1 Need MAIL command");
	if (s->rcpts->len == 0)
		return error_reply(s, "554", "5.5.1 No valid recipients");
	s->msg = g_byte_array_sized_new(16 * 1024);
	s->dstate = D_BOL;
	s->msg_too_big = s->msg_bare_lf = s->msg_nul = FALSE;
	s->state = KJ_SMTP_STATE_DATA;
	reply(s, "354", "End data with <CR><LF>.<CR><LF>");
	return KJ_SMTP_EVENT_NONE;
}

static KjSmtpEvent cmd_starttls(KjSmtpSession *s, const char *arg)
{
	if (*arg != '\0')
		return error_reply(s, "501", "5.5.4 Syntax: STARTTLS");
	if (s->tls)
		return error_reply(s, "503", "5.5.1 TLS already active");
	if (!s->opts.tls_available)
		return error_reply(s, "454", "4.7.0 TLS not available");
	reply(s, "220", "2.0.0 Ready to start TLS");
	return KJ_SMTP_EVENT_STARTTLS;
}

static KjSmtpEvent cmd_simple(KjSmtpSession *s, const char *verb, const char *arg)
{
	if (g_ascii_strcasecmp(verb, "RSET") == 0) {
		if (*arg != '\0')
			return error_reply(s, "501", "5.5.4 Syntax: RSET");
		reset_transaction(s);
		reply(s, "250", "2.0.0 Ok");
	} else if (g_ascii_strcasecmp(verb, "NOOP") == 0) {
		reply(s, "250", "2.0.0 Ok");
	} else if (g_ascii_strcasecmp(verb, "QUIT") == 0) {
		reply(s, "221", "2.0.0 Bye");
		s->state = KJ_SMTP_STATE_CLOSED;
		return KJ_SMTP_EVENT_CLOSE;
	} else if (g_ascii_strcasecmp(verb, "VRFY") == 0) {
		/* Never confirm an address: that would map the city's staff
		 * for anyone on the internet side. */
		reply(s, "252", "2.5.2 Cannot VRFY user, but will accept message");
	} else {
		/* EXPN, HELP, AUTH, BDAT, TURN, ETRN and anything unknown. */
		static const char *const known[] = {"EXPN", "HELP", "AUTH", "BDAT", "TURN", "ETRN"};
		for (gsize i = 0; i < G_N_ELEMENTS(known); i++)
			if (g_ascii_strcasecmp(verb, known[i]) == 0)
				return error_reply(s, "502", "5.5.1 Command not implemented");
		return error_reply(s, "500", "5.5.2 Command not recognized");
	}
	return KJ_SMTP_EVENT_NONE;
}

/* One complete command line, CRLF removed. */
static KjSmtpEvent command(KjSmtpSession *s, const char *line)
{
	const char *sp = strchr(line, ' ');
	gsize vlen = sp ? (gsize)(sp - line) : strlen(line);
	char verb[16];

	if (vlen == 0 || vlen >= sizeof(verb))
		return error_reply(s, "500", "5.5.2 Command not recognized");
	memcpy(verb, line, vlen);
	verb[vlen] = '\0';
	const char *arg = sp ? sp + 1 : "";
	/* Trailing spaces are common in the wild and harmless. */
	g_autofree char *targ = g_strdup(arg);
	g_strchomp(targ);

	if (g_ascii_strcasecmp(verb, "EHLO") == 0)
		return cmd_ehlo(s, targ, TRUE);
	if (g_ascii_strcasecmp(verb, "HELO") == 0)
		return cmd_ehlo(s, targ, FALSE);
	if (g_ascii_strcasecmp(verb, "MAIL") == 0)
		return cmd_mail(s, targ);
	if (g_ascii_strcasecmp(verb, "RCPT") == 0)
		return cmd_rcpt(s, targ);
	if (g_ascii_strcasecmp(verb, "DATA") == 0)
		return cmd_data(s, targ);
	if (g_ascii_strcasecmp(verb, "STARTTLS") == 0)
		return cmd_starttls(s, targ);
	return cmd_simple(s, verb, targ);
}

/* A line ended (at LF).  Checks its shape before it is a command. */
static KjSmtpEvent end_of_line(KjSmtpSession *s)
{
	GByteArray *l = s->line;
	gboolean crlf = l->len > 0 && l->data[l->len - 1] == '\r';
	gboolean too_long = s->line_too_long;

	s->line_too_long = FALSE;
	if (too_long) {
		g_byte_array_set_size(l, 0);
		return error_reply(s, "500", "5.5.6 Line too long");
	}
	if (!crlf) {
		g_byte_array_set_size(l, 0);
		return error_reply(s, "500", "5.5.2 Bare <LF> received, lines end in <CR><LF>");
	}
	g_byte_array_set_size(l, l->len - 1);
	if (memchr(l->data, '\0', l->len) || memchr(l->data, '\r', l->len)) {
		g_byte_array_set_size(l, 0);
		return error_reply(s, "500", "5.5.2 NUL or bare <CR> in command");
	}
	g_byte_array_append(l, (const guint8 *)"", 1);
	g_autofree char *text = g_strdup((const char *)l->data);
	g_byte_array_set_size(l, 0);
	return command(s, text);
}

static void data_put(KjSmtpSession *s, const void *p, gsize n)
{
	if (s->msg_too_big)
		return;
	if ((gint64)(s->msg->len + n) > s->opts.max_message_bytes) {
		s->msg_too_big = TRUE;
		g_byte_array_set_size(s->msg, 0);
		return;
	}
	g_byte_array_append(s->msg, p, (guint)n);
}

/* Ordinary message byte (not at a line start). */
static void data_char(KjSmtpSession *s, guint8 c)
{
	if (c == '\r') {
		s->dstate = D_CR;
		return;
	}
	if (c == '\n') {
		/* A bare LF does not start a line: only <CRLF>.<CRLF> ends
		 * DATA, whatever a peer makes of <LF>.<CRLF>. */
		s->msg_bare_lf = TRUE;
		data_put(s, "\n", 1);
		s->dstate = D_IN;
		return;
	}
	if (c == '\0')
		s->msg_nul = TRUE;
	data_put(s, &c, 1);
	s->dstate = D_IN;
}

/* The end of DATA: refuse what cannot be passed on whole, else hand the
 * message to the caller. */
static KjSmtpEvent data_end(KjSmtpSession *s)
{
	s->state = KJ_SMTP_STATE_COMMAND;
	if (s->msg_too_big)
		reply(s, "552", "5.3.4 Message size exceeds fixed limit");
	else if (s->msg_nul)
		reply(s, "550", "5.6.0 NUL character in message refused");
	else if (s->msg_bare_lf)
		reply(s, "550", "5.6.0 Bare <CR> or <LF> in message refused (RFC 5321 2.3.8)");
	else {
		s->state = KJ_SMTP_STATE_MESSAGE;
		return KJ_SMTP_EVENT_MESSAGE;
	}
	reset_transaction(s);
	return KJ_SMTP_EVENT_NONE;
}

/* One byte of DATA.  Returns TRUE at the final dot. */
static gboolean data_byte(KjSmtpSession *s, guint8 c)
{
	switch (s->dstate) {
	case D_BOL:
		if (c == '.')
			s->dstate = D_DOT;
		else
			data_char(s, c);
		return FALSE;
	case D_DOT:
		if (c == '\r')
			s->dstate = D_DOTCR;
		else
			data_char(s, c); /* a stuffed dot: drop it (RFC 5321 4.5.2) */
		return FALSE;
	case D_DOTCR:
		if (c == '\n')
			return TRUE;
		s->msg_bare_lf = TRUE; /* ".\r" then not LF: a bare CR */
		data_char(s, c);
		return FALSE;
	case D_CR:
		if (c == '\n') {
			data_put(s, "\r\n", 2);
			s->dstate = D_BOL;
			return FALSE;
		}
		s->msg_bare_lf = TRUE;
		data_put(s, "\r", 1);
		data_char(s, c);
		return FALSE;
	case D_IN:
	default:
		data_char(s, c);
		return FALSE;
	}
}

static KjSmtpEvent feed_command_bytes(KjSmtpSession *s, const guint8 *data, gsize len, gsize *i)
{
	while (*i < len) {
		guint8 c = data[(*i)++];
		if (c == '\n') {
			KjSmtpEvent ev = end_of_line(s);
			if (ev != KJ_SMTP_EVENT_NONE || s->state != KJ_SMTP_STATE_COMMAND)
				return ev;
			continue;
		}
		if ((gint64)s->line->len + 1 >= s->opts.max_line_bytes) {
			/* Keep reading to the LF, but not the bytes. */
			s->line_too_long = TRUE;
			continue;
		}
		g_byte_array_append(s->line, &c, 1);
	}
	return KJ_SMTP_EVENT_NONE;
}

KjSmtpEvent kj_smtp_session_feed(KjSmtpSession *s, const guint8 *data, gsize len, gsize *consumed)
{
	gsize i = 0;
	KjSmtpEvent ev = KJ_SMTP_EVENT_NONE;

	while (i < len && ev == KJ_SMTP_EVENT_NONE) {
		if (s->state == KJ_SMTP_STATE_COMMAND) {
			ev = feed_command_bytes(s, data, len, &i);
		} else if (s->state == KJ_SMTP_STATE_DATA) {
			while (i < len && s->state == KJ_SMTP_STATE_DATA) {
				/* A run of ordinary bytes inside a line goes in
				 * whole (the byte machine below gives the same
				 * result one call per byte). */
				if (s->dstate == D_IN || (s->dstate == D_BOL && data[i] != '.')) {
					gsize j = i;
					while (j < len && data[j] != '\r' && data[j] != '\n' &&
					       data[j] != '\0')
						j++;
					if (j > i) {
						data_put(s, data + i, j - i);
						s->dstate = D_IN;
						i = j;
						continue;
					}
				}
				if (data_byte(s, data[i++]))
					ev = data_end(s);
			}
		} else {
			break; /* MESSAGE waits for message_done; CLOSED reads nothing */
		}
	}
	*consumed = i;
	return ev;
}

GBytes *kj_smtp_session_steal_message(KjSmtpSession *s)
{
	g_return_val_if_fail(s->msg != NULL, NULL);
	GByteArray *m = g_steal_pointer(&s->msg);
	return g_byte_array_free_to_bytes(m);
}

void kj_smtp_session_message_done(KjSmtpSession *s, const char *queue_id, const char *temp_failure)
{
	g_return_if_fail(s->state == KJ_SMTP_STATE_MESSAGE);
	if (queue_id) {
		g_string_append(s->out, "250 2.0.0 Ok: queued as ");
		g_string_append(s->out, queue_id);
		g_string_append(s->out, "\r\n");
		s->messages++;
	} else if (s->busy) {
		reply(s, "452", temp_failure ? temp_failure : "4.3.1 Insufficient system storage");
	} else {
		reply(s, "451", temp_failure ? temp_failure : "4.3.0 Local error in processing");
	}
	reset_transaction(s);
	s->state = KJ_SMTP_STATE_COMMAND;
}

void kj_smtp_session_tls_started(KjSmtpSession *s)
{
	s->tls = TRUE;
	reset_transaction(s);
	g_clear_pointer(&s->helo, g_free);
	g_byte_array_set_size(s->line, 0);
	s->state = KJ_SMTP_STATE_COMMAND;
}
