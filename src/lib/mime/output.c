/*++
 * NAME
 *	output - the sanitized message: kept headers, notice, text, list
 * DESCRIPTION
 *	Builds the one message that crosses into LGWAN: the kept header
 *	fields (profile) decoded and re-encoded, X-Kyojin-* fields naming the
 *	quarantine id and the actions, and a single text/plain body: a short
 *	notice on top (Japanese, or English by profile) saying what was done,
 *	the text, and at the bottom the list of removed attachments with
 *	name, declared and detected type, size, SHA-256 and the id under
 *	which the original can be requested.  Lines end in LF, as in local
 *	mailboxes; delivery converts to CRLF.
 * SECURITY
 *	Sandboxed worker.  Every value written comes from decoded, neutralised
 *	text; structured fields (Message-ID, Date, References) are copied only
 *	when they are printable ASCII.  Address lists are re-parsed by GMime
 *	and written anew, so no raw header bytes pass through (基本方針 2(12)).
 * LIMITS
 *	None of its own: the inputs are bounded by the walk.
 * STANDARDS
 *	RFC 5322, RFC 2045 (base64, 7bit), RFC 2047, RFC 1468 (ISO-2022-JP).
 * SEE ALSO
 *	header.c, notice texts below.
 *--*/
#include "mime/mail-private.h"

#include <string.h>

static const char *const address_headers[] = {
    "From", "To", "Cc", "Bcc", "Reply-To", "Sender", "Resent-From", "Resent-To", NULL};
static const char *const ascii_headers[] = {"Message-ID", "In-Reply-To", "References", "Date",
					    NULL};

static gboolean in_list(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (g_ascii_strcasecmp(*list, name) == 0)
			return TRUE;
	return FALSE;
}

static gboolean printable_ascii(const char *s)
{
	for (; *s; s++)
		if ((guint8)*s < 0x20 || (guint8)*s > 0x7e)
			return FALSE;
	return TRUE;
}

static void encode_address(GString *out, InternetAddress *ia, KjMailCharset cs);

static void encode_list(GString *out, InternetAddressList *list, KjMailCharset cs)
{
	int n = list ? internet_address_list_length(list) : 0;
	for (int i = 0; i < n; i++) {
		if (i > 0)
			g_string_append(out, ", ");
		encode_address(out, internet_address_list_get_address(list, i), cs);
	}
}

static void encode_address(GString *out, InternetAddress *ia, KjMailCharset cs)
{
	const char *name = internet_address_get_name(ia);

	if (INTERNET_ADDRESS_IS_GROUP(ia)) {
		g_autofree char *n = _kj_mail_encode_phrase(name ? name : "", cs);
		g_string_append_printf(out, "%s: ", n);
		encode_list(out, internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)),
			    cs);
		g_string_append_c(out, ';');
		return;
	}
	const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
	g_autofree char *safe = kj_text_neutralize(addr ? addr : "", KJ_NEUTRALIZE_LINE, NULL);
	g_strdelimit(safe, "<>\" ", '_');
	if (name && *name) {
		g_autofree char *n = _kj_mail_encode_phrase(name, cs);
		g_string_append_printf(out, "%s <%s>", n, safe);
	} else {
		g_string_append(out, safe);
	}
}

static void keep_header(KjMailCtx *ctx, GString *out, GMimeMessage *msg, const char *name)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(msg));
	GMimeHeader *h = hl ? g_mime_header_list_get_header(hl, name) : NULL;
	const char *raw = h ? g_mime_header_get_raw_value(h) : NULL;
	KjMailCharset cs = ctx->profile->charset;

	if (raw == NULL)
		return;
	if (in_list(ascii_headers, name)) {
		g_autofree char *v = g_mime_utils_header_unfold(raw);
		g_strstrip(v);
		if (*v && printable_ascii(v))
			_kj_mail_header_write(out, name, v);
		else
			_kj_mail_action(ctx, "header-dropped");
		return;
	}
	if (in_list(address_headers, name)) {
		g_autofree char *dec = _kj_mail_header_decode(ctx, raw, TRUE);
		InternetAddressList *list = internet_address_list_parse(ctx->popts, dec);
		if (list && internet_address_list_length(list) > 0) {
			GString *v = g_string_new(NULL);
			encode_list(v, list, cs);
			_kj_mail_header_write(out, name, v->str);
			g_string_free(v, TRUE);
			g_object_unref(list);
			return;
		}
		if (list)
			g_object_unref(list);
		/* Not an address list: keep the words, not the field. */
		g_autofree char *enc = _kj_mail_encode_text(dec, cs);
		g_autofree char *xname = g_strconcat("X-Kyojin-Original-", name, NULL);
		_kj_mail_header_write(out, xname, enc);
		return;
	}
	g_autofree char *dec = _kj_mail_header_decode(ctx, raw, FALSE);
	g_autofree char *enc = _kj_mail_encode_text(dec, cs);
	_kj_mail_header_write(out, name, enc);
}

char *_kj_mail_format_size(gint64 n)
{
	GString *s = g_string_new(NULL);
	g_autofree char *digits = g_strdup_printf("%" G_GINT64_FORMAT, n);
	gsize len = strlen(digits);

	for (gsize i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			g_string_append_c(s, ',');
		g_string_append_c(s, digits[i]);
	}
	return g_string_free(s, FALSE);
}

static const char *id_or_hash(const KjMailCtx *ctx)
{
	return ctx->quarantine_id ? ctx->quarantine_id : ctx->res->original_sha256;
}

static void notice(KjMailCtx *ctx, GString *b)
{
	const gboolean ja = ctx->profile->lang == KJ_MAIL_LANG_JA;
	const KjMailResult *r = ctx->res;

	g_string_append(b, ja ? "【無害化通知】このメールはインターネットから届いたため、安全のため"
				"テキストのみに変換しました（情報セキュリティ基本方針 2(12)）。\n"
			      : "[Sanitized] This message came from the internet and was converted "
				"to plain text for safety (security policy 2(12)).\n");
	if (ctx->html_parts)
		g_string_append(b, ja ? "・HTML をテキストに変換しました。\n"
				      : "- HTML was converted to text.\n");
	if (ctx->links_neutralized && ctx->profile->links != KJ_MAIL_LINKS_KEEP)
		g_string_append(
		    b,
		    ja ? "・リンクは無効化しています（hxxp, [.]）。そのまま開かないでください。\n"
		       : "- Links are disabled (hxxp, [.]); do not open them as they are.\n");
	if (r->attachments->len)
		g_string_append_printf(
		    b,
		    ja ? "・添付ファイル %u 件を削除しました（一覧は本文末尾）。\n"
		       : "- %u attachment(s) removed (listed at the end).\n",
		    r->attachments->len);
	if (ctx->signature_removed)
		g_string_append(
		    b, ja ? "・電子署名は無害化で失われました。署名の検証はできません。\n"
			  : "- The digital signature was removed; it cannot be verified.\n");
	for (guint i = 0; i < ctx->phishing->len; i++) {
		/* Defanged here (the report keeps the plain names for
		 * machines): some mail clients link a bare domain. */
		g_autofree char *d = kj_url_defang_host(ctx->phishing->pdata[i]);
		g_string_append_printf(
		    b,
		    ja ? "・【注意】表示と異なるリンク先があります（フィッシングの疑い）: %s\n"
		       : "- WARNING: a link shows a different site than it opens "
			 "(possible phishing): %s\n",
		    d);
	}
	if (ctx->quarantine_id)
		g_string_append_printf(
		    b,
		    ja ? "原本は隔離されています。取り出しは情報セキュリティ担当へ ID %s "
			 "を添えて申請してください。\n"
		       : "The original is quarantined; to request it, quote ID %s to "
			 "the security team.\n",
		    ctx->quarantine_id);
	else
		g_string_append_printf(b, ja ? "原本の SHA-256: %s\n" : "Original SHA-256: %s\n",
				       ctx->res->original_sha256);
	g_string_append(b, "------------------------------------------------------------\n\n");
}

static void attachment_list(KjMailCtx *ctx, GString *b)
{
	const gboolean ja = ctx->profile->lang == KJ_MAIL_LANG_JA;
	GPtrArray *as = ctx->res->attachments;

	if (as->len == 0)
		return;
	g_string_append(b, ja ? "\n\n---- 削除された添付ファイル ----\n"
			      : "\n\n---- Removed attachments ----\n");
	for (guint i = 0; i < as->len; i++) {
		const KjMailAttachment *a = as->pdata[i];
		g_autofree char *size = _kj_mail_format_size(a->size);
		g_string_append_printf(
		    b, "%u. %s%s%s%s\n", a->index,
		    a->filename ? a->filename : (ja ? "(名前なし)" : "(unnamed)"),
		    a->container ? (ja ? "（" : " (in ") : "", a->container ? a->container : "",
		    a->container ? (ja ? " の中）" : ")") : "");
		g_string_append_printf(b,
				       ja ? "   形式: %s（宣言） / %s（内容から判定）\n"
					  : "   type: %s (declared) / %s (detected)\n",
				       a->declared_type, a->detected_type);
		g_string_append_printf(b,
				       ja ? "   サイズ: %s バイト  SHA-256: %s\n"
					  : "   size: %s bytes  SHA-256: %s\n",
				       size, a->sha256);
		if (a->note)
			g_string_append_printf(b, ja ? "   備考: %s\n" : "   note: %s\n", a->note);
		g_string_append_printf(b,
				       ja ? "   原本の申請ID: %s#%u\n" : "   request ID: %s#%u\n",
				       id_or_hash(ctx), a->index);
	}
}

static void x_headers(KjMailCtx *ctx, GString *out)
{
	_kj_mail_header_write(out, "X-Kyojin-Sanitized", ctx->profile->name);
	if (ctx->quarantine_id)
		_kj_mail_header_write(out, "X-Kyojin-Quarantine-Id", ctx->quarantine_id);
	_kj_mail_header_write(out, "X-Kyojin-Original-SHA256", ctx->res->original_sha256);
	GString *actions = g_string_new(ctx->res->actions->len ? NULL : "text-only");
	for (guint i = 0; i < ctx->res->actions->len; i++)
		g_string_append_printf(actions, "%s%s", i ? ", " : "",
				       (const char *)ctx->res->actions->pdata[i]);
	_kj_mail_header_write(out, "X-Kyojin-Actions", actions->str);
	g_string_free(actions, TRUE);
}

/* Appends data in base64, 76 characters a line (RFC 2045 6.8).  One
 * g_string_append_printf() per line was 1.6 % of all instructions of
 * the mail benchmark (callgrind); the output is the same. */
static void append_base64(GString *out, const char *data, gsize len)
{
	g_autofree char *b64 = g_base64_encode((const guchar *)data, len);
	gsize n = strlen(b64);

	for (gsize i = 0; i < n; i += 76) {
		g_string_append_len(out, b64 + i, (gssize)MIN(76, n - i));
		g_string_append_c(out, '\n');
	}
}

/* Body bytes and their transfer encoding: base64 for UTF-8 (no 8-bit
 * transport assumed), 7bit for ISO-2022-JP unless a line is too long. */
static void body_bytes(KjMailCtx *ctx, const char *text, GString *out)
{
	if (ctx->profile->charset == KJ_MAIL_CHARSET_ISO2022JP) {
		GString *jis = g_string_new(NULL);
		g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
		gsize longest = 0;
		for (char **l = lines; *l; l++) {
			gsize n = 0;
			g_autofree char *j =
			    kj_charset_from_utf8(*l, strlen(*l), "ISO-2022-JP", &n, NULL);
			g_string_append_len(jis, j, (gssize)n);
			if (l[1])
				g_string_append_c(jis, '\n');
			longest = MAX(longest, n);
		}
		g_string_append(out, "Content-Type: text/plain; charset=ISO-2022-JP\n");
		if (longest <= 998) {
			g_string_append(out, "Content-Transfer-Encoding: 7bit\n\n");
			g_string_append_len(out, jis->str, (gssize)jis->len);
			g_string_free(jis, TRUE);
			return;
		}
		text = NULL;
		g_string_append(out, "Content-Transfer-Encoding: base64\n\n");
		append_base64(out, jis->str, jis->len);
		g_string_free(jis, TRUE);
		return;
	}
	g_string_append(out, "Content-Type: text/plain; charset=UTF-8\n"
			     "Content-Transfer-Encoding: base64\n\n");
	append_base64(out, text, strlen(text));
}

void _kj_mail_output(KjMailCtx *ctx, GMimeMessage *msg)
{
	GString *out = g_string_sized_new(ctx->body->len * 2 + 2048);
	GString *text = g_string_sized_new(ctx->body->len + 2048);
	GPtrArray *keep = ctx->profile->keep_headers;
	GMimeObject *obj = GMIME_OBJECT(msg);

	for (guint i = 0; i < keep->len; i++)
		keep_header(ctx, out, msg, keep->pdata[i]);
	if (g_mime_object_get_header(obj, "From") == NULL)
		_kj_mail_header_write(out, "From", "undisclosed-sender:;");
	/* A missing Date stays missing: the engine has no clock (its output
	 * is a function of the input), and the delivering MTA adds one. */
	x_headers(ctx, out);
	g_string_append(out, "MIME-Version: 1.0\n");
	notice(ctx, text);
	g_string_append_len(text, ctx->body->str, (gssize)ctx->body->len);
	if (text->len && text->str[text->len - 1] != '\n')
		g_string_append_c(text, '\n');
	attachment_list(ctx, text);
	body_bytes(ctx, text->str, out);
	g_string_free(text, TRUE);
	gsize len = out->len;
	ctx->res->output = g_bytes_new_take(g_string_free(out, FALSE), len);
}
