/*++
 * NAME
 *	notice - delivery-status notices for held messages
 * DESCRIPTION
 *	When the site wants it (gateway.notify_held: sender), the sender of
 *	a message the gateway held is told so in an RFC 3464 delivery
 *	status notification: multipart/report with a human-readable part
 *	(Japanese first, English after), a message/delivery-status part
 *	and the original's header section as text/rfc822-headers, never
 *	its body (the held content stays in quarantine).  The action is
 *	"delayed" with status 4.7.0, not "failed": a held message may yet
 *	be released after review.
 *
 *	The notice goes into the queue as an entry of its own, already
 *	sanitized (the text is kyojin's), from the null sender, so that it
 *	is delivered, retried and audited like any message, and so that no
 *	notice ever answers a notice.
 * SECURITY
 *	Runs in kyojind's pool threads.  The reason, addresses and header
 *	section come from the network: the reason is cut to one line of
 *	printable text, the header section is copied as data inside its own
 *	MIME part (its length bounded, bare line ends made CRLF) and the
 *	boundary is random, so nothing from the original can end a part.
 * LIMITS
 *	KJ_QUEUE_NOTICE_MAX_HEADERS bytes of the original's headers.
 * STANDARDS
 *	RFC 3464 (DSN format), RFC 3462/6522 (multipart/report), RFC 3463
 *	(status codes), RFC 5321 4.5.5 (null reverse-path), RFC 2047 (the
 *	Subject).  基本方針 2(12).
 * SEE ALSO
 *	queue.c, daemon/work.c.
 *--*/
#include "queue/notice.h"

#include "util/limits.h"

#include <string.h>

/* One line of printable ASCII (control bytes and non-ASCII become '?'),
 * at most max bytes: safe for a header field. */
static char *one_line(const char *s, gsize max)
{
	GString *o = g_string_sized_new(MIN(strlen(s), max));

	for (const guchar *p = (const guchar *)s; *p && o->len < max; p++)
		g_string_append_c(o, *p >= 0x20 && *p < 0x7f ? (char)*p : '?');
	return g_string_free(o, FALSE);
}

/* The header section of raw (up to the first empty line), bounded, with
 * every line end CRLF. */
static void append_headers(GString *out, GBytes *raw)
{
	gsize len = 0;
	const char *p = raw ? g_bytes_get_data(raw, &len) : NULL;
	gsize n = MIN(len, (gsize)KJ_QUEUE_NOTICE_MAX_HEADERS);
	gboolean bol = TRUE;

	for (gsize i = 0; i < n; i++) {
		if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
			continue;
		if (p[i] == '\n' || p[i] == '\r') {
			if (bol)
				break; /* the empty line: end of the header section */
			g_string_append(out, "\r\n");
			bol = TRUE;
			continue;
		}
		g_string_append_c(out, p[i] == '\0' ? ' ' : p[i]);
		bol = FALSE;
	}
	if (!bol)
		g_string_append(out, "\r\n");
}

GBytes *kj_queue_notice_build(const KjQueueEntry *e, const char *reason, const char *reporting_mta,
			      GBytes *original_headers, GError **error)
{
	if (e->sender == NULL || *e->sender == '\0') {
		g_set_error(error, KJ_QUEUE_ERROR, KJ_QUEUE_ERROR_INVALID,
			    "queue entry %s has the null sender: no notice (RFC 5321 4.5.5)",
			    e->id);
		return NULL;
	}
	g_autofree char *why = one_line(reason ? reason : "held", 900);
	g_autofree char *mta = one_line(reporting_mta, 255);
	g_autofree char *to = one_line(e->sender, 256);
	g_autofree char *boundary =
	    g_strdup_printf("kyojin-%08x%08x%08x", g_random_int(), g_random_int(), g_random_int());
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *date = g_date_time_format(now, "%a, %d %b %Y %H:%M:%S +0000");
	g_autofree char *id = one_line(e->id, 64);
	GString *m = g_string_sized_new(4096);

	g_string_append_printf(m,
			       "From: Mail Delivery System <MAILER-DAEMON@%s>\r\n"
			       "To: <%s>\r\n"
			       "Date: %s\r\n"
			       /* 「配信保留のお知らせ」 in RFC 2047 UTF-8 B encoding */
			       "Subject: =?UTF-8?B?6YWN5L+h5L+d55WZ44Gu44GK55+l44KJ44Gb?= "
			       "(Delivery held for review)\r\n"
			       "Message-ID: <notice.%s@%s>\r\n"
			       "Auto-Submitted: auto-replied\r\n"
			       "MIME-Version: 1.0\r\n"
			       "Content-Type: multipart/report; report-type=delivery-status;\r\n"
			       "\tboundary=\"%s\"\r\n\r\n"
			       "This is a delivery status notification in MIME format.\r\n\r\n",
			       mta, to, date, id, mta, boundary);
	g_string_append_printf(
	    m,
	    "--%s\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n"
	    "あなたが送信したメールは、受信側の情報セキュリティポリシー"
	    "（無害化）により配信が保留されました。\r\n"
	    "管理者の確認後に配信されることがあります。"
	    "保留の理由は次のとおりです。\r\n\r\n"
	    "Your message was held for review under the recipient's information security\r\n"
	    "policy and has not been delivered yet; an administrator may still release it.\r\n"
	    "Reason: %s\r\nQueue ID: %s\r\n\r\n",
	    boundary, why, id);
	g_string_append_printf(m,
			       "--%s\r\nContent-Type: message/delivery-status\r\n\r\n"
			       "Reporting-MTA: dns; %s\r\n"
			       "X-Kyojin-Queue-ID: %s\r\n"
			       "Arrival-Date: %s\r\n",
			       boundary, mta, id, e->received_at ? e->received_at : date);
	for (guint i = 0; i < e->recipients->len; i++) {
		g_autofree char *r = one_line(e->recipients->pdata[i], 256);
		g_string_append_printf(m,
				       "\r\nFinal-Recipient: rfc822; %s\r\n"
				       "Action: delayed\r\n"
				       "Status: 4.7.0\r\n"
				       "Diagnostic-Code: x-kyojin; %s\r\n",
				       r, why);
	}
	g_string_append_printf(m, "\r\n--%s\r\nContent-Type: text/rfc822-headers\r\n\r\n",
			       boundary);
	append_headers(m, original_headers);
	g_string_append_printf(m, "\r\n--%s--\r\n", boundary);
	return g_string_free_to_bytes(m);
}
