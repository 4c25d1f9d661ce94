/*++
 * NAME
 *	walk - the walk over a parsed message: what is body, what is removed
 * DESCRIPTION
 *	Visits every MIME object GMime built, with a depth counter on every
 *	path (multipart children and message/rfc822 alike) and a part count,
 *	and decides: text for the body (body.c), an attachment to remove and
 *	list (attach.c), a signature to drop, or a reason to hold.  Of a
 *	multipart/alternative only the preferred alternative is walked:
 *	text/plain over HTML, because the plain part is what the sender
 *	wrote for people and needs no conversion.
 * SECURITY
 *	Sandboxed worker; the tree is built from hostile bytes.  Encrypted
 *	content (S/MIME, PGP) cannot be inspected and is held, never passed
 *	on (基本方針 2(12), 6(3)②).  rspamd once crashed on unbounded
 *	message/rfc822 nesting: the depth check here covers that path too.
 * LIMITS
 *	mail.max_mime_depth, mail.max_parts, mail.max_header_count and
 *	mail.max_header_bytes for every nested header block.
 * STANDARDS
 *	RFC 2046 (multipart, message/rfc822), RFC 1847 (multipart/signed and
 *	encrypted), RFC 8551 (S/MIME), RFC 3156 (PGP/MIME), RFC 3464 and
 *	RFC 8098 (delivery and disposition notifications).
 * SEE ALSO
 *	body.c, attach.c, util/limits.h.
 *--*/
#include "mime/mail-private.h"

#include <string.h>

static const char *const text_types[] = {
    "text/calendar",
    "text/enriched",
    "text/rfc822-headers",
    "text/csv",
    "text/x-vcard",
    "text/vcard",
    "text/markdown",
    "message/delivery-status",
    "message/global-delivery-status",
    "message/disposition-notification",
    "message/feedback-report",
    NULL,
};

static gboolean renders_as_text(const char *type)
{
	for (const char *const *t = text_types; *t; t++)
		if (g_ascii_strcasecmp(type, *t) == 0)
			return TRUE;
	return FALSE;
}

static gboolean has_filename(GMimeObject *obj)
{
	const char *fn = GMIME_IS_PART(obj) ? g_mime_part_get_filename(GMIME_PART(obj)) : NULL;
	return fn != NULL && *fn != '\0';
}

static gboolean is_attachment(GMimeObject *obj)
{
	GMimeContentDisposition *d = g_mime_object_get_content_disposition(obj);

	if (d && g_mime_content_disposition_is_attachment(d))
		return TRUE;
	return has_filename(obj);
}

static void leaf(KjMailCtx *ctx, GMimePart *part)
{
	GMimeObject *obj = GMIME_OBJECT(part);
	g_autofree char *type =
	    g_mime_content_type_get_mime_type(g_mime_object_get_content_type(obj));

	if (GMIME_IS_APPLICATION_PKCS7_MIME(obj) ||
	    g_ascii_strcasecmp(type, "application/x-pkcs7-mime") == 0 ||
	    g_ascii_strcasecmp(type, "application/pkcs7-mime") == 0) {
		_kj_mail_hold(ctx, "encrypted: S/MIME (%s) content cannot be inspected", type);
		return;
	}
	if (g_ascii_strcasecmp(type, "application/pgp-encrypted") == 0) {
		_kj_mail_hold(ctx, "encrypted: PGP content cannot be inspected");
		return;
	}
	if (!is_attachment(obj)) {
		if (g_ascii_strcasecmp(type, "text/plain") == 0 || renders_as_text(type)) {
			_kj_mail_body_text(ctx, part, type);
			return;
		}
		if (g_ascii_strcasecmp(type, "text/html") == 0) {
			_kj_mail_body_html(ctx, part);
			return;
		}
	}
	_kj_mail_attachment(ctx, part);
}

/* Index of the alternative to show: the last text/plain (RFC 2046 orders
 * alternatives from plainest to richest), else the last HTML, else the
 * last one that contains HTML (multipart/related), else the first. */
static int choose_alternative(GMimeMultipart *mp)
{
	int n = g_mime_multipart_get_count(mp), plain = -1, html = -1, rich = -1;

	for (int i = 0; i < n; i++) {
		GMimeObject *c = g_mime_multipart_get_part(mp, i);
		GMimeContentType *ct = g_mime_object_get_content_type(c);
		if (GMIME_IS_PART(c) && g_mime_content_type_is_type(ct, "text", "plain"))
			plain = i;
		else if (GMIME_IS_PART(c) && g_mime_content_type_is_type(ct, "text", "html"))
			html = i;
		else if (GMIME_IS_MULTIPART(c))
			rich = i;
	}
	if (plain >= 0)
		return plain;
	if (html >= 0)
		return html;
	if (rich >= 0)
		return rich;
	return n > 0 ? 0 : -1;
}

static void multipart(KjMailCtx *ctx, GMimeMultipart *mp, gint64 depth)
{
	GMimeObject *obj = GMIME_OBJECT(mp);
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	int n = g_mime_multipart_get_count(mp);

	if (GMIME_IS_MULTIPART_ENCRYPTED(mp)) {
		_kj_mail_hold(ctx, "encrypted: PGP/MIME (multipart/encrypted) content cannot be "
				   "inspected");
		return;
	}
	if (GMIME_IS_MULTIPART_SIGNED(mp)) {
		/* The signature cannot survive sanitization; the notice says
		 * it was removed so nobody trusts the text as signed. */
		ctx->signature_removed = TRUE;
		_kj_mail_action(ctx, "signature-removed");
		if (n > 0)
			_kj_mail_walk(ctx, g_mime_multipart_get_part(mp, 0), depth + 1);
		ctx->parts += n > 1 ? n - 1 : 0;
		return;
	}
	if (n == 0)
		_kj_mail_action(ctx, "empty-multipart");
	if (g_mime_content_type_is_type(ct, "multipart", "alternative")) {
		int k = choose_alternative(mp);
		if (n > 1)
			_kj_mail_action(ctx, "alternatives-dropped");
		if (k >= 0)
			_kj_mail_walk(ctx, g_mime_multipart_get_part(mp, k), depth + 1);
		return;
	}
	for (int i = 0; i < n && !ctx->held; i++)
		_kj_mail_walk(ctx, g_mime_multipart_get_part(mp, i), depth + 1);
}

static void nested_message(KjMailCtx *ctx, GMimeMessagePart *mpart, gint64 depth)
{
	GMimeMessage *m = g_mime_message_part_get_message(mpart);
	const gboolean ja = ctx->profile->lang == KJ_MAIL_LANG_JA;
	static const char *const shown[] = {"From", "Date", "To", "Cc", "Subject", NULL};

	if (m == NULL)
		return;
	if (!_kj_mail_check_headers(ctx, GMIME_OBJECT(m)))
		return;
	ctx->nested_messages++;
	_kj_mail_action(ctx, "forwarded-message-inlined");
	GString *h = g_string_new(ja ? "---------- 転送されたメッセージ ----------\n"
				     : "---------- Forwarded message ----------\n");
	for (const char *const *name = shown; *name; name++) {
		g_autofree char *v = _kj_mail_header_get(ctx, GMIME_OBJECT(m), *name);
		if (v)
			g_string_append_printf(h, "%s: %s\n", *name, v);
	}
	_kj_mail_append_text(ctx, h->str);
	g_string_free(h, TRUE);
	GMimeObject *inner = g_mime_message_get_mime_part(m);
	if (inner)
		_kj_mail_walk(ctx, inner, depth + 1);
	_kj_mail_append_text(ctx, ja ? "---------- 転送されたメッセージここまで ----------\n"
				     : "---------- End of forwarded message ----------\n");
}

void _kj_mail_walk(KjMailCtx *ctx, GMimeObject *obj, gint64 depth)
{
	const KjMailLimits *lim = &ctx->profile->limits;

	if (ctx->held)
		return;
	if (depth > lim->max_mime_depth) {
		_kj_mail_hold(
		    ctx,
		    "limit: MIME nesting deeper than mail.max_mime_depth (%" G_GINT64_FORMAT ")",
		    lim->max_mime_depth);
		return;
	}
	if (++ctx->parts > lim->max_parts) {
		_kj_mail_hold(ctx,
			      "limit: more MIME parts than mail.max_parts (%" G_GINT64_FORMAT ")",
			      lim->max_parts);
		return;
	}
	ctx->depth_seen = MAX(ctx->depth_seen, depth);
	if (depth > 1 && !_kj_mail_check_headers(ctx, obj))
		return;
	if (GMIME_IS_MULTIPART(obj))
		multipart(ctx, GMIME_MULTIPART(obj), depth);
	else if (GMIME_IS_MESSAGE_PARTIAL(obj))
		_kj_mail_hold(ctx, "unreadable: message/partial fragments cannot be inspected "
				   "until reassembled");
	else if (GMIME_IS_MESSAGE_PART(obj))
		nested_message(ctx, GMIME_MESSAGE_PART(obj), depth);
	else if (GMIME_IS_PART(obj))
		leaf(ctx, GMIME_PART(obj));
}
