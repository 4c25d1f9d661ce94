/*++
 * NAME
 *	body - the text of the sanitized message
 * DESCRIPTION
 *	Decodes text parts (transfer encoding by GMime, charset by the text
 *	module's kj_charset_to_utf8(), which handles ISO-2022-JP with the
 *	Windows rows and guesses mislabelled text), converts HTML to text
 *	(kj_html_to_text(): scripts, styles, hidden elements and tracking
 *	images dropped, link text followed by the neutralised URL),
 *	neutralises every URL per profile, and removes control and bidi
 *	characters.  Inline PGP messages are held: their text is ciphertext.
 * SECURITY
 *	Sandboxed worker.  All text is hostile; it only ever becomes data in
 *	a GString, never a format string.  Links are defanged by default so
 *	that a click in the LGWAN segment reaches nothing (基本方針 2(12)).
 * LIMITS
 *	mail.max_decoded_bytes (all parts together), mail.html_max_depth and
 *	mail.html_max_nodes (a limit hit in HTML holds the message).
 * STANDARDS
 *	RFC 2045 (transfer encodings), RFC 2046 (text), RFC 4880 (armour).
 * SEE ALSO
 *	text/charset.h, text/html.h, text/url.h.
 *--*/
#include "mime/mail-private.h"

#include <string.h>

GBytes *_kj_mail_part_decode(KjMailCtx *ctx, GMimePart *part)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(part);

	if (dw == NULL)
		return g_bytes_new(NULL, 0);
	/* Sized from the encoded length (bounded by the message, which is in
	 * memory already): a 300 KB attachment grown by doubling from
	 * GMime's default was copied a dozen times. */
	gint64 enc = g_mime_stream_length(g_mime_data_wrapper_get_stream(dw));
	if (enc < 0 || enc > ctx->profile->limits.max_message_bytes || enc > G_MAXINT32)
		enc = 0;
	if (g_mime_data_wrapper_get_encoding(dw) == GMIME_CONTENT_ENCODING_BASE64)
		enc = enc / 4 * 3 + 3;
	GByteArray *ba = g_byte_array_sized_new((guint)enc);
	GMimeStream *mem = g_mime_stream_mem_new_with_byte_array(ba);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	g_mime_data_wrapper_write_to_stream(dw, mem);
	g_object_unref(mem);
	ctx->decoded_bytes += ba->len;
	if (ctx->decoded_bytes > ctx->profile->limits.max_decoded_bytes)
		_kj_mail_hold(
		    ctx,
		    "limit: more decoded bytes than mail.max_decoded_bytes (%" G_GINT64_FORMAT ")",
		    ctx->profile->limits.max_decoded_bytes);
	return g_byte_array_free_to_bytes(ba);
}

char *_kj_mail_part_charset(GMimePart *part)
{
	const char *cs = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
	return cs && *cs ? g_strdup(cs) : NULL;
}

static KjLinkMode link_mode(const KjMailCtx *ctx)
{
	switch (ctx->profile->links) {
	case KJ_MAIL_LINKS_STRIP:
		return KJ_LINK_STRIP;
	case KJ_MAIL_LINKS_KEEP:
		return KJ_LINK_KEEP;
	default:
		return KJ_LINK_DEFANG;
	}
}

void _kj_mail_append_text(KjMailCtx *ctx, const char *utf8)
{
	if (ctx->body->len > 0 && ctx->body->str[ctx->body->len - 1] != '\n')
		g_string_append_c(ctx->body, '\n');
	if (ctx->body->len > 0 && !g_str_has_suffix(ctx->body->str, "\n\n"))
		g_string_append_c(ctx->body, '\n');
	g_string_append(ctx->body, utf8);
}

/* Whatever scheme prefix is left after the text module's URL finder
 * (it does not split "spam.https://x" or URLs nested in a query) is
 * broken here too, so that no clickable http(s)/ftp URL reaches LGWAN.
 * Only the places where "://" occurs are looked at, and the text between
 * them is copied whole: the defanged "hxxps://" the finder leaves in
 * every body with a link made a per-character loop of the whole body. */
static char *defang_leftovers(const char *s, KjMailLinkMode mode)
{
	static const char *const from[] = {"https", "http", "ftps", "ftp"};
	static const char *const to[] = {"hxxps", "hxxp", "fxps", "fxp"};
	const char *q = mode == KJ_MAIL_LINKS_KEEP ? NULL : strstr(s, "://");

	if (q == NULL)
		return g_strdup(s);
	GString *out = g_string_sized_new(strlen(s) + 16);
	const char *copied = s;
	for (; q != NULL; q = strstr(q + 3, "://")) {
		for (gsize i = 0; i < G_N_ELEMENTS(from); i++) {
			gsize n = strlen(from[i]);
			if ((gsize)(q - copied) < n || g_ascii_strncasecmp(q - n, from[i], n) != 0)
				continue;
			g_string_append_len(out, copied, q - n - copied);
			g_string_append(out, to[i]);
			copied = q;
			break;
		}
	}
	g_string_append(out, copied);
	return g_string_free(out, FALSE);
}

/* Neutralises URLs (plain text) and control characters, then appends. */
static void append_clean(KjMailCtx *ctx, const char *utf8, gboolean urls)
{
	g_autofree char *linked = NULL;

	if (urls) {
		g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func(g_free);
		guint count = 0;
		linked = kj_url_neutralize_text(utf8, link_mode(ctx), found, &count);
		ctx->links_neutralized += count;
		for (guint i = 0; i < found->len && ctx->urls->len < 1000; i++)
			g_ptr_array_add(ctx->urls, g_strdup(found->pdata[i]));
		utf8 = linked;
	}
	g_autofree char *rest = defang_leftovers(utf8, ctx->profile->links);
	guint removed = 0;
	g_autofree char *clean = kj_text_neutralize(rest, KJ_NEUTRALIZE_BODY, &removed);
	ctx->controls_removed += removed;
	_kj_mail_append_text(ctx, clean);
}

static gboolean pgp_armoured(const char *s)
{
	return strstr(s, "-----BEGIN PGP MESSAGE-----") != NULL;
}

void _kj_mail_body_text(KjMailCtx *ctx, GMimePart *part, const char *type)
{
	g_autoptr(GBytes) data = _kj_mail_part_decode(ctx, part);
	g_autofree char *cs = _kj_mail_part_charset(part);
	KjCharsetInfo info = {0};
	gsize len = 0;
	const char *bytes = g_bytes_get_data(data, &len);

	if (ctx->held)
		return;
	g_autofree char *u = kj_charset_to_utf8(bytes ? bytes : "", len, cs, &info);
	_kj_mail_charset_note(ctx, "body", &info);
	if (pgp_armoured(u)) {
		_kj_mail_hold(ctx, "encrypted: inline PGP message cannot be inspected");
		return;
	}
	ctx->text_parts++;
	if (g_ascii_strcasecmp(type, "text/plain") != 0) {
		g_autofree char *label = g_strdup_printf("[%s]\n", type);
		_kj_mail_append_text(ctx, label);
		_kj_mail_action(ctx, "text-part-rendered");
	}
	append_clean(ctx, u, TRUE);
}

static void html_links(KjMailCtx *ctx, const KjHtmlResult *hr)
{
	for (guint i = 0; hr->links && i < hr->links->len; i++) {
		const KjLink *l = hr->links->pdata[i];
		if (l->url && ctx->urls->len < 1000)
			g_ptr_array_add(ctx->urls, g_strdup(l->url));
		if (l->phishing && ctx->phishing->len < 32) {
			guint removed = 0;
			g_autofree char *shown = kj_text_neutralize(
			    l->shown_domain ? l->shown_domain : "", KJ_NEUTRALIZE_LINE, &removed);
			g_autofree char *target = kj_text_neutralize(
			    l->target_domain ? l->target_domain : "", KJ_NEUTRALIZE_LINE, &removed);
			g_ptr_array_add(ctx->phishing, g_strdup_printf("%s -> %s", shown, target));
		}
	}
	if (hr->links)
		ctx->links_neutralized += hr->links->len;
}

void _kj_mail_body_html(KjMailCtx *ctx, GMimePart *part)
{
	g_autoptr(GBytes) data = _kj_mail_part_decode(ctx, part);
	g_autofree char *cs = _kj_mail_part_charset(part);
	g_autoptr(GError) err = NULL;
	KjHtmlOptions opts;
	KjHtmlResult hr;
	gsize len = 0;
	const char *bytes = g_bytes_get_data(data, &len);

	if (ctx->held)
		return;
	kj_html_options_init(&opts);
	opts.link_mode = link_mode(ctx);
	opts.max_depth = (guint)ctx->profile->limits.html_max_depth;
	opts.max_nodes = (guint)ctx->profile->limits.html_max_nodes;
	opts.max_output = (gsize)ctx->profile->limits.max_decoded_bytes;
	memset(&hr, 0, sizeof(hr));
	g_autofree char *text = kj_html_to_text(bytes ? bytes : "", len, cs, &opts, &hr, &err);
	if (text == NULL) {
		if (err && g_error_matches(err, KJ_TEXT_ERROR, KJ_TEXT_ERROR_LIMIT))
			_kj_mail_hold(ctx,
				      "limit: HTML %s (mail.html_max_depth, mail.html_max_nodes)",
				      err->message);
		else
			_kj_mail_hold(ctx, "unreadable: HTML part: %s",
				      err ? err->message : "conversion failed");
		kj_html_result_clear(&hr);
		return;
	}
	if (pgp_armoured(text)) {
		kj_html_result_clear(&hr);
		_kj_mail_hold(ctx, "encrypted: inline PGP message cannot be inspected");
		return;
	}
	ctx->html_parts++;
	ctx->html_dropped += hr.dropped_elements;
	ctx->tracking_images += hr.tracking_images;
	ctx->hidden_elements += hr.hidden_elements;
	html_links(ctx, &hr);
	kj_html_result_clear(&hr);
	_kj_mail_action(ctx, "html-to-text");
	append_clean(ctx, text, FALSE);
}
