/* test-mime.c - the mail sanitization engine (src/lib/mime): behaviour,
 * every bad-input class of issue 3, the sandbox round trip and the real
 * messages of $KJ_CORPUS/mail.  Inputs that the corpus lacks (deep
 * nesting, huge headers, Shift_JIS RFC 2231) are generated here. */
#include "mime/mail.h"

#include <gmime/gmime.h>
#include <string.h>

static KjMailProfile *profile(const char *name)
{
	g_autoptr(GError) error = NULL;
	KjMailProfile *p = kj_mail_profile_new(name, &error);
	g_assert_no_error(error);
	return p;
}

static KjMailResult *run_p(const char *raw, gssize len, const KjMailProfile *p)
{
	g_autoptr(GError) error = NULL;
	KjMailResult *r = NULL;
	g_autoptr(GBytes) b = g_bytes_new(raw, len < 0 ? strlen(raw) : (gsize)len);

	g_assert_true(kj_mail_sanitize(b, p, "Q-test", &r, &error));
	g_assert_no_error(error);
	g_assert_nonnull(r);
	g_assert_nonnull(r->report_json);
	return r;
}

static KjMailResult *run(const char *raw, gssize len)
{
	g_autoptr(KjMailProfile) p = profile("default");
	return run_p(raw, len, p);
}

/* Parses the output again with GMime and returns its body as UTF-8 after
 * checking it is one text/plain part.  Returns NULL when held. */
static char *check_output(const KjMailResult *r, char **subject)
{
	if (r->verdict == KJ_MAIL_HELD) {
		g_assert_null(r->output);
		g_assert_cmpuint(r->reasons->len, >, 0);
		return NULL;
	}
	g_assert_nonnull(r->output);
	gsize len = 0;
	const char *d = g_bytes_get_data(r->output, &len);
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(d, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(s);
	GMimeMessage *m = g_mime_parser_construct_message(parser, NULL);
	g_assert_nonnull(m);
	GMimeObject *top = g_mime_message_get_mime_part(m);
	g_assert_true(GMIME_IS_TEXT_PART(top));
	g_assert_true(
	    g_mime_content_type_is_type(g_mime_object_get_content_type(top), "text", "plain"));
	char *text = g_mime_text_part_get_text(GMIME_TEXT_PART(top));
	g_assert_nonnull(text);
	g_assert_true(g_utf8_validate(text, -1, NULL));
	if (subject) {
		const char *sub = g_mime_message_get_subject(m);
		*subject = g_strdup(sub ? sub : "");
	}
	g_object_unref(m);
	g_object_unref(parser);
	g_object_unref(s);
	return text;
}

static gboolean has_reason(const KjMailResult *r, const char *needle)
{
	for (guint i = 0; i < r->reasons->len; i++)
		if (strstr(r->reasons->pdata[i], needle))
			return TRUE;
	return FALSE;
}

static gboolean has_action(const KjMailResult *r, const char *a)
{
	for (guint i = 0; i < r->actions->len; i++)
		if (strcmp(r->actions->pdata[i], a) == 0)
			return TRUE;
	return FALSE;
}

#define HDR                                                                                        \
	"From: Sender <a@example.jp>\nTo: b@example.lg.jp\nSubject: t\n"                           \
	"Date: Mon, 1 Apr 2024 09:00:00 +0900\nMessage-ID: <1@example.jp>\nMIME-Version: 1.0\n"

/* ISO-2022-JP with the Windows rows ① ㈱ ～ in Subject and body. */
static void test_iso2022jp(void)
{
	/* "①㈱～テスト" in CP50221 */
	const char jis[] = "\x1b$B-!-j!A%F%9%H\x1b(B";
	g_autofree char *b64 = g_base64_encode((const guchar *)jis, strlen(jis));
	g_autofree char *raw = g_strdup_printf(
	    "From: a@example.jp\nTo: b@example.lg.jp\nSubject: =?ISO-2022-JP?B?%s?=\n"
	    "MIME-Version: 1.0\nContent-Type: text/plain; charset=ISO-2022-JP\n"
	    "Content-Transfer-Encoding: 7bit\n\n%s\n",
	    b64, jis);
	g_autoptr(KjMailResult) r = run(raw, -1);
	g_autofree char *subject = NULL;
	g_autofree char *text = check_output(r, &subject);
	g_assert_cmpint(r->verdict, ==, KJ_MAIL_SANITIZED);
	g_assert_nonnull(strstr(text, "①㈱～テスト"));
	g_assert_cmpstr(subject, ==, "①㈱～テスト");
	g_assert_nonnull(strstr(text, "無害化"));

	/* And out again as ISO-2022-JP for old clients. */
	g_autoptr(KjMailProfile) p = profile("ja-iso2022jp");
	g_autoptr(KjMailResult) r2 = run_p(raw, -1, p);
	g_assert_nonnull(r2->output);
	const char *o = g_bytes_get_data(r2->output, NULL);
	g_assert_nonnull(strstr(o, "charset=ISO-2022-JP"));
	g_assert_nonnull(strstr(o, "=?ISO-2022-JP?B?"));
	for (gsize i = 0; i < g_bytes_get_size(r2->output); i++)
		g_assert_cmpint((guint8)o[i], <, 0x80);
}

static void test_html(void)
{
	const char *raw =
	    HDR "Content-Type: text/html; charset=UTF-8\n\n"
		"<html><head><style>p{}</style><script>alert('pwn')</script></head><body>"
		"<h1>お知らせ</h1><p>詳細は <a href=\"https://evil.example.net/login\">"
		"https://www.city.example.lg.jp/</a> へ</p>"
		"<img src=\"https://track.example.net/o.gif\" width=1 height=1>"
		"<ul><li>一</li><li>二</li></ul></body></html>\n";
	g_autoptr(KjMailResult) r = run(raw, -1);
	g_autofree char *text = check_output(r, NULL);
	g_assert_cmpint(r->verdict, ==, KJ_MAIL_SANITIZED);
	g_assert_null(strstr(text, "alert"));
	g_assert_null(strstr(text, "<script"));
	g_assert_null(strstr(text, "https://"));
	g_assert_nonnull(strstr(text, "お知らせ"));
	g_assert_nonnull(strstr(text, "フィッシング"));
	/* Notice and inline warning name the domains defanged. */
	g_assert_nonnull(strstr(text, "www[.]city[.]example[.]lg[.]jp -> evil[.]example[.]net"));
	g_assert_null(strstr(text, "evil.example.net"));
	g_assert_nonnull(strstr(r->report_json, "evil.example.net"));
	g_assert_true(has_action(r, "html-to-text"));
	g_assert_nonnull(strstr(r->report_json, "\"phishing\""));
}

static void test_plain_links(void)
{
	g_autoptr(KjMailProfile) strip = profile("strict");
	const char *raw = HDR "Content-Type: text/plain; charset=UTF-8\n\n"
			      "see https://example.com/a?b=c and www.example.org\n";
	g_autoptr(KjMailResult) r = run(raw, -1);
	g_autofree char *text = check_output(r, NULL);
	g_assert_null(strstr(text, "https://example.com"));
	g_assert_nonnull(strstr(text, "hxxps://example[.]com"));
	g_autoptr(KjMailResult) r2 = run_p(raw, -1, strip);
	g_autofree char *text2 = check_output(r2, NULL);
	g_assert_null(strstr(text2, "example.com"));
}

static const char pdf_bytes[] = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

static char *attachment_mail(const char *filename_param, const char *type, const char *data,
			     gsize len)
{
	g_autofree char *b64 = g_base64_encode((const guchar *)data, len);
	return g_strdup_printf(HDR "Content-Type: multipart/mixed; boundary=\"b1\"\n\n"
				   "--b1\nContent-Type: text/plain; charset=UTF-8\n\n本文です。\n"
				   "--b1\nContent-Type: %s\nContent-Disposition: attachment; %s\n"
				   "Content-Transfer-Encoding: base64\n\n%s\n--b1--\n",
			       type, filename_param, b64);
}

static void test_attachment(void)
{
	g_autofree char *raw = attachment_mail("filename=\"mitsumori.pdf\"", "application/pdf",
					       pdf_bytes, sizeof(pdf_bytes) - 1);
	g_autoptr(KjMailResult) r = run(raw, -1);
	g_autofree char *text = check_output(r, NULL);
	g_assert_cmpuint(r->attachments->len, ==, 1);
	KjMailAttachment *a = r->attachments->pdata[0];
	g_assert_cmpstr(a->filename, ==, "mitsumori.pdf");
	g_assert_cmpstr(a->detected_type, ==, "application/pdf");
	g_assert_cmpint(a->size, ==, sizeof(pdf_bytes) - 1);
	g_assert_nonnull(a->data);
	g_assert_nonnull(strstr(text, a->sha256));
	g_assert_nonnull(strstr(text, "Q-test#1"));
	g_assert_nonnull(strstr(text, "本文です"));

	g_autoptr(KjMailProfile) hold = profile("strict");
	g_autoptr(KjMailResult) r2 = run_p(raw, -1, hold);
	g_assert_cmpint(r2->verdict, ==, KJ_MAIL_HELD);
	g_assert_true(has_reason(r2, "policy"));
}

/* A zip whose only member has the encryption flag (PPAP). */
static void test_ppap(void)
{
	static const guint8 zip[] = {
	    'P', 'K', 3,  4,  20, 0,   1,   0, 0, 0,   0,   0,   0,   0,   0,   0,   0, 0, 12, 0, 0,
	    0,   0,   0,  0,  0,  5,   0,   0, 0, 'a', '.', 'p', 'd', 'f', 1,   2,   3, 4, 5,  6, 7,
	    8,   9,   10, 11, 12, 'P', 'K', 1, 2, 20,  0,   20,  0,   1,   0,   0,   0, 0, 0,  0, 0,
	    0,   0,   0,  0,  12, 0,   0,   0, 0, 0,   0,   0,   5,   0,   0,   0,   0, 0, 0,  0, 0,
	    0,   0,   0,  0,  0,  0,   0,   0, 0, 'a', '.', 'p', 'd', 'f', 'P', 'K', 5, 6, 0,  0, 0,
	    0,   1,   0,  1,  0,  51,  0,   0, 0, 47,  0,   0,   0,   0,   0,
	};
	g_autofree char *raw = attachment_mail("filename=\"資料.zip\"", "application/zip",
					       (const char *)zip, sizeof(zip));
	g_autoptr(KjMailResult) r = run(raw, -1);
	g_assert_cmpint(r->verdict, ==, KJ_MAIL_HELD);
	g_assert_true(has_reason(r, "PPAP"));
	g_assert_cmpuint(r->attachments->len, ==, 1);

	static const guint8 sevenz[] = {'7', 'z', 0xBC, 0xAF, 0x27, 0x1C, 0,    4, 0, 0,
					0,   0,   0,    0,    0,    0,    0,    0, 0, 0,
					8,   0,   0,    0,    0,    0,    0,    0, 0, 0,
					0,   0,   0x17, 0x06, 0xF1, 0x07, 0x01, 0, 0, 0};
	g_autofree char *raw2 = attachment_mail("filename=\"a.7z\"", "application/x-7z-compressed",
						(const char *)sevenz, sizeof(sevenz));
	g_autoptr(KjMailResult) r2 = run(raw2, -1);
	g_assert_cmpint(r2->verdict, ==, KJ_MAIL_HELD);
	g_assert_true(has_reason(r2, "7z"));
}

static void test_encrypted(void)
{
	const char *smime =
	    HDR "Content-Type: application/pkcs7-mime; smime-type=enveloped-data;"
		" name=smime.p7m\nContent-Transfer-Encoding: base64\n\nMIAGCSqGSIb3\n";
	const char *xsmime = HDR "Content-Type: application/x-pkcs7-mime; name=smime.p7m\n\nAAAA\n";
	const char *pgpmime =
	    HDR "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\";"
		" boundary=x\n\n--x\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n"
		"--x\nContent-Type: application/octet-stream\n\n-----BEGIN PGP MESSAGE-----\n"
		"hQEM\n-----END PGP MESSAGE-----\n--x--\n";
	const char *inline_pgp = HDR "Content-Type: text/plain\n\n-----BEGIN PGP MESSAGE-----\n"
				     "hQEMA\n-----END PGP MESSAGE-----\n";
	const char *cases[] = {smime, xsmime, pgpmime, inline_pgp};
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(KjMailResult) r = run(cases[i], -1);
		g_assert_cmpint(r->verdict, ==, KJ_MAIL_HELD);
		g_assert_true(has_reason(r, "encrypted"));
	}
}

static void test_signed(void)
{
	const char *raw =
	    HDR "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\";"
		" micalg=sha-256; boundary=s\n\n--s\nContent-Type: text/plain; charset=UTF-8\n\n"
		"署名付きの本文\n--s\nContent-Type: application/pkcs7-signature; name=smime.p7s\n"
		"Content-Transfer-Encoding: base64\n\nMIAGCSqGSIb3DQEHAqCAMIACAQEx\n--s--\n";
	g_autoptr(KjMailResult) r = run(raw, -1);
	g_autofree char *text = check_output(r, NULL);
	g_assert_cmpint(r->verdict, ==, KJ_MAIL_SANITIZED);
	g_assert_true(has_action(r, "signature-removed"));
	g_assert_nonnull(strstr(text, "電子署名"));
	g_assert_nonnull(strstr(text, "署名付きの本文"));
	g_assert_cmpuint(r->attachments->len, ==, 0);
}

static void test_forwarded(void)
{
	const char *raw = HDR "Content-Type: multipart/mixed; boundary=f\n\n--f\n"
			      "Content-Type: text/plain; charset=UTF-8\n\n転送します\n--f\n"
			      "Content-Type: message/rfc822\n\nFrom: x@example.com\n"
			      "Subject: =?UTF-8?B?5YWD44Gu5Lu25ZCN?=\nContent-Type: text/html\n\n"
			      "<p>inner <b>html</b></p>\n--f--\n";
	g_autoptr(KjMailResult) r = run(raw, -1);
	g_autofree char *text = check_output(r, NULL);
	g_assert_nonnull(strstr(text, "転送されたメッセージ"));
	g_assert_nonnull(strstr(text, "元の件名"));
	g_assert_nonnull(strstr(text, "inner"));
	g_assert_null(strstr(text, "<b>"));
}

/* Bad input: each case must give a valid output or a held verdict with a
 * reason, never a crash (ASan/UBSan watch the rest). */
static void test_bad_boundaries(void)
{
	const char *cases[] = {
	    HDR "Content-Type: multipart/mixed\n\n--x\nContent-Type: text/plain\n\nno boundary "
		"parameter\n--x--\n",
	    HDR "Content-Type: multipart/mixed; boundary=never\n\n--other\n\ntext\n",
	    HDR "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
		"no final boundary\n",
	    HDR "Content-Type: multipart/mixed; boundary=\"\"\n\n--\n\n--\n",
	    HDR "Content-Type: multipart/alternative; boundary=b\n\n--b--\n",
	};
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(KjMailResult) r = run(cases[i], -1);
		g_free(check_output(r, NULL));
	}
}

static char *nested(guint depth, gboolean rfc822)
{
	GString *s = g_string_new(HDR);
	for (guint i = 0; i < depth; i++) {
		if (rfc822)
			g_string_append(s, "Content-Type: message/rfc822\n\nSubject: n\n");
		else
			g_string_append_printf(s,
					       "Content-Type: multipart/mixed; boundary=b%u\n\n"
					       "--b%u\n",
					       i, i);
	}
	g_string_append(s, "Content-Type: text/plain\n\ndeep\n");
	for (guint i = depth; !rfc822 && i-- > 0;)
		g_string_append_printf(s, "--b%u--\n", i);
	return g_string_free(s, FALSE);
}

static void test_deep_nesting(void)
{
	for (int rfc822 = 0; rfc822 < 2; rfc822++) {
		g_autofree char *raw = nested(1000, rfc822);
		g_autoptr(KjMailResult) r = run(raw, -1);
		g_assert_cmpint(r->verdict, ==, KJ_MAIL_HELD);
		g_assert_true(has_reason(r, "nesting"));
		g_autofree char *ok = nested(5, rfc822);
		g_autoptr(KjMailResult) r2 = run(ok, -1);
		g_free(check_output(r2, NULL));
		g_assert_cmpint(r2->verdict, ==, KJ_MAIL_SANITIZED);
	}
}

static void test_huge_header(void)
{
	GString *s = g_string_new("From: a@example.jp\nSubject: ");
	for (int i = 0; i < 10 * 1024 * 1024 / 8; i++)
		g_string_append(s, "AAAAAAAA");
	g_string_append(s, "\n\nbody\n");
	g_autoptr(KjMailResult) r = run(s->str, (gssize)s->len);
	g_string_free(s, TRUE);
	g_assert_cmpint(r->verdict, ==, KJ_MAIL_HELD);
	g_assert_true(has_reason(r, "mail.max_header_bytes"));

	/* Folded lines count, as in GMime's raw value; the limit is checked
	 * before parsing and again on parsed blocks, with the same result. */
	g_autoptr(KjMailProfile) small = profile("default");
	small->limits.max_header_bytes = 1000;
	for (int k = 0; k < 2; k++) {
		GString *f = g_string_new("From: a@example.jp\nSubject: x");
		for (int i = 0; i < (k ? 15 : 9); i++)
			g_string_append(f, "\n "
					   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
					   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
		g_string_append(f, "\r\n\r\nbody\n");
		g_autoptr(KjMailResult) rf = run_p(f->str, (gssize)f->len, small);
		g_string_free(f, TRUE);
		g_assert_cmpint(rf->verdict, ==, k ? KJ_MAIL_HELD : KJ_MAIL_SANITIZED);
		g_assert_true(!k || has_reason(rf, "mail.max_header_bytes"));
	}

	GString *many = g_string_new(NULL);
	for (int i = 0; i < 5000; i++)
		g_string_append_printf(many, "X-H%d: v\n", i);
	g_string_append(many, "\nbody\n");
	g_autoptr(KjMailResult) r2 = run(many->str, (gssize)many->len);
	g_string_free(many, TRUE);
	g_assert_true(has_reason(r2, "mail.max_header_count"));
}

static void test_nul_and_newlines(void)
{
	static const char nul[] = "From: a@example.jp\nSubject: a\0b\nContent-Type: text/plain\n\n"
				  "x\0y\0z\n";
	g_autoptr(KjMailResult) r = run(nul, sizeof(nul) - 1);
	g_autofree char *text = check_output(r, NULL);
	if (text)
		g_assert_nonnull(strstr(text, "x"));
	const char *mixed = "From: a@example.jp\r\nSubject: mixed\rTo: b@example.jp\n\r\n"
			    "line1\rline2\r\nline3\nline4\n\r\r\n";
	g_autoptr(KjMailResult) r2 = run(mixed, -1);
	g_free(check_output(r2, NULL));
}

static void test_bad_encodings(void)
{
	const char *cases[] = {
	    HDR "Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!!*@@==AB=C\n",
	    HDR "Content-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\n"
		"=ZZ=4=\n=E3=81\n",
	    HDR "Content-Type: text/plain; charset=x-unknown-charset\n\nhello \xff\xfe\n",
	    HDR "Content-Type: text/plain; charset=us-ascii\n\n"
		"\x82\xa8\x90\xa2\x98\x62\x82\xc9\x82\xc8\x82\xc1\x82\xc4\x82\xa8\x82\xe8"
		"\x82\xdc\x82\xb7\x81\x42\x8e\x91\x97\xbf\x82\xf0\x91\x97\x95\x74\x82\xa2"
		"\x82\xbd\x82\xb5\x82\xdc\x82\xb7\x81\x42\n",
	};
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(KjMailResult) r = run(cases[i], -1);
		g_autofree char *text = check_output(r, NULL);
		g_assert_nonnull(text);
		g_assert_cmpint(r->verdict, ==, KJ_MAIL_SANITIZED);
	}
	/* A lying charset (us-ascii with Shift_JIS bytes) is decoded anyway. */
	g_autoptr(KjMailResult) r = run(cases[3], -1);
	g_autofree char *text = check_output(r, NULL);
	g_assert_nonnull(strstr(text, "お世話になっております"));
	g_assert_nonnull(strstr(r->report_json, "charset_notes"));
}

static void test_split_encoded_word(void)
{
	/* "あい" in UTF-8 is E3 81 82 E3 81 84, split after the 4th byte. */
	const char *raw = "From: a@example.jp\nSubject: =?UTF-8?B?44GC4w==?= =?UTF-8?B?gYQ=?=\n"
			  "Content-Type: text/plain\n\nx\n";
	g_autoptr(KjMailResult) r = run(raw, -1);
	g_autofree char *subject = NULL;
	g_autofree char *text = check_output(r, &subject);
	g_assert_nonnull(text);
	g_assert_cmpstr(subject, ==, "あい");
	g_assert_cmpstr(r->subject, ==, "あい");
}

static void test_rfc2231_filenames(void)
{
	struct {
		const char *param;
		const char *want;
	} cases[] = {
	    {"filename*=UTF-8''%E8%A6%8B%E7%A9%8D%E6%9B%B8.pdf", "見積書.pdf"},
	    /* Shift_JIS, continued over two parameters */
	    {"filename*0*=Shift_JIS''%8C%A9%90%CF; filename*1*=%8F%91.pdf", "見積書.pdf"},
	    {"filename*=ISO-2022-JP''%1B%24B8%2B%40Q%3Dq%1B%28B.pdf", "見積書.pdf"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *raw = attachment_mail(cases[i].param, "application/pdf", pdf_bytes,
						       sizeof(pdf_bytes) - 1);
		g_autoptr(KjMailResult) r = run(raw, -1);
		g_assert_cmpuint(r->attachments->len, ==, 1);
		KjMailAttachment *a = r->attachments->pdata[0];
		g_assert_cmpstr(a->filename, ==, cases[i].want);
	}
}

static void test_spoofed_filenames(void)
{
	const char *params[] = {
	    "filename=\"../../etc/passwd\"",
	    "filename=\"C:\\\\Windows\\\\evil.exe\"",
	    "filename*=UTF-8''invoice%E2%80%AEfdp.exe",
	};
	for (gsize i = 0; i < G_N_ELEMENTS(params); i++) {
		g_autofree char *raw =
		    attachment_mail(params[i], "application/octet-stream", "MZ", 2);
		g_autoptr(KjMailResult) r = run(raw, -1);
		g_autofree char *text = check_output(r, NULL);
		KjMailAttachment *a = r->attachments->pdata[0];
		g_assert_null(strchr(a->filename, '/'));
		g_assert_null(strchr(a->filename, '\\'));
		g_assert_null(strstr(a->filename, "\u202e"));
		g_assert_null(strstr(text, "\u202e"));
	}
}

static void test_empty(void)
{
	g_autoptr(KjMailResult) r = run("", 0);
	g_assert_cmpint(r->verdict, ==, KJ_MAIL_HELD);
	g_assert_true(has_reason(r, "empty"));
	g_autoptr(KjMailResult) r2 =
	    run(HDR "Content-Type: multipart/mixed; boundary=z\n\n--z--\n", -1);
	g_free(check_output(r2, NULL));
	g_autoptr(KjMailResult) r3 = run("From: a@example.jp\n\n", -1);
	g_free(check_output(r3, NULL));
	g_autoptr(KjMailResult) r4 = run("\n\n\n", -1);
	g_free(check_output(r4, NULL));
}

static void test_html_bombs(void)
{
	GString *deep = g_string_new(HDR "Content-Type: text/html\n\n");
	for (int i = 0; i < 100000; i++)
		g_string_append(deep, "<div>");
	g_string_append(deep, "x\n");
	g_autoptr(KjMailResult) r = run(deep->str, (gssize)deep->len);
	g_string_free(deep, TRUE);
	g_assert_cmpint(r->verdict, ==, KJ_MAIL_HELD);
	g_assert_true(has_reason(r, "HTML"));

	GString *ent = g_string_new(HDR "Content-Type: text/html\n\n<p>");
	for (int i = 0; i < 1000000; i++)
		g_string_append(ent, "&amp;&#x41;");
	g_string_append(ent, "</p>\n");
	g_autoptr(KjMailResult) r2 = run(ent->str, (gssize)ent->len);
	g_string_free(ent, TRUE);
	g_free(check_output(r2, NULL));

	GString *wide = g_string_new(HDR "Content-Type: text/html\n\n");
	for (int i = 0; i < 300000; i++)
		g_string_append(wide, "<b>x</b>");
	g_autoptr(KjMailResult) r3 = run(wide->str, (gssize)wide->len);
	g_string_free(wide, TRUE);
	g_assert_cmpint(r3->verdict, ==, KJ_MAIL_HELD);
}

static void test_profile_yaml(void)
{
	g_autoptr(GError) error = NULL;
	const char *y = "name: city\nbase: en\nlinks: strip\ncharset: iso-2022-jp\n"
			"attachments: hold\nkeep_headers: [From, Subject]\n";
	g_autoptr(KjMailProfile) p = kj_mail_profile_new_from_data("p.yaml", y, strlen(y), &error);
	g_assert_no_error(error);
	g_assert_cmpint(p->lang, ==, KJ_MAIL_LANG_EN);
	g_assert_cmpint(p->links, ==, KJ_MAIL_LINKS_STRIP);
	g_assert_cmpint(p->charset, ==, KJ_MAIL_CHARSET_ISO2022JP);
	g_assert_cmpint(p->attachments, ==, KJ_MAIL_ATTACH_HOLD);
	g_assert_cmpuint(p->keep_headers->len, ==, 2);
	g_assert_cmpstr(p->name, ==, "city");
	const char *bad[] = {
	    "linx: strip\n", "links: maybe\n",   "keep_headers: [Content-Type]\n", "- a\n",
	    "links: [a]\n",  "a: &x 1\nb: *x\n", "links: strip\nbase: en\n"};
	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) e = NULL;
		g_autoptr(KjMailProfile) q =
		    kj_mail_profile_new_from_data("b.yaml", bad[i], strlen(bad[i]), &e);
		g_assert_null(q);
		g_assert_error(e, KJ_MAIL_ERROR, KJ_MAIL_ERROR_PROFILE);
	}
	/* Aliases are refused by name, at the alias (util/yaml.c). */
	const char *alias = "name: &x city\nkeep_headers: [*x]\n";
	g_autoptr(GError) ea = NULL;
	g_assert_null(kj_mail_profile_new_from_data("a.yaml", alias, strlen(alias), &ea));
	g_assert_error(ea, KJ_MAIL_ERROR, KJ_MAIL_ERROR_PROFILE);
	g_assert_nonnull(strstr(ea->message, "a.yaml:2:"));
	g_assert_nonnull(strstr(ea->message, "aliases are not allowed"));
	g_autoptr(GError) e2 = NULL;
	g_assert_null(kj_mail_profile_new("nope", &e2));
	g_assert_error(e2, KJ_MAIL_ERROR, KJ_MAIL_ERROR_PROFILE);
}

static void test_serialize(void)
{
	g_autofree char *raw = attachment_mail("filename=\"a.pdf\"", "application/pdf", pdf_bytes,
					       sizeof(pdf_bytes) - 1);
	g_autoptr(KjMailResult) r = run(raw, -1);
	g_autoptr(GBytes) s = kj_mail_result_serialize(r);
	g_autoptr(GError) error = NULL;
	g_autoptr(KjMailResult) back = kj_mail_result_deserialize(s, &error);
	g_assert_no_error(error);
	g_assert_cmpint(back->verdict, ==, r->verdict);
	g_assert_true(g_bytes_equal(back->output, r->output));
	g_assert_cmpstr(back->report_json, ==, r->report_json);
	g_assert_cmpuint(back->attachments->len, ==, 1);
	KjMailAttachment *a = back->attachments->pdata[0];
	g_assert_cmpstr(a->sha256, ==, ((KjMailAttachment *)r->attachments->pdata[0])->sha256);
	g_assert_cmpint((gint64)g_bytes_get_size(a->data), ==, a->size);
	/* Every truncation is refused or parsed, never a crash. */
	gsize len = g_bytes_get_size(s);
	for (gsize n = 0; n < len; n += 7) {
		g_autoptr(GBytes) t = g_bytes_new_from_bytes(s, 0, n);
		g_autoptr(GError) e = NULL;
		g_autoptr(KjMailResult) x = kj_mail_result_deserialize(t, &e);
		g_assert_true(x != NULL || e != NULL);
	}
}

static void test_isolated(void)
{
	g_autoptr(KjMailProfile) p = profile("default");
	g_autoptr(GError) error = NULL;
	g_autoptr(KjMailWorker) w = kj_mail_worker_new(p, KJ_MAIL_ISOLATE_REUSE, &error);
	g_assert_no_error(error);
	g_autofree char *raw = attachment_mail("filename=\"a.pdf\"", "application/pdf", pdf_bytes,
					       sizeof(pdf_bytes) - 1);
	for (int i = 0; i < 3; i++) {
		g_autoptr(GBytes) b = g_bytes_new(raw, strlen(raw));
		g_autoptr(KjMailResult) r = NULL;
		g_assert_true(kj_mail_worker_sanitize(w, b, NULL, &r, &error));
		g_assert_no_error(error);
		g_assert_cmpint(r->verdict, ==, KJ_MAIL_SANITIZED);
		g_autofree char *text = check_output(r, NULL);
		g_assert_nonnull(strstr(text, r->original_sha256));
		KjMailAttachment *a = r->attachments->pdata[0];
		g_assert_cmpstr(a->detected_type, ==, "application/pdf");
	}
	/* With the digest given by the caller (the batch hashes while the
	 * worker works): the same result, the worker and in-process alike. */
	char sha[KJ_SHA256_HEX_LEN + 1];
	kj_sha256_hex(raw, strlen(raw), sha);
	g_autoptr(KjMailWorker) none = kj_mail_worker_new(p, KJ_MAIL_ISOLATE_NONE, &error);
	KjMailWorker *ws[] = {w, none};
	for (gsize i = 0; i < G_N_ELEMENTS(ws); i++) {
		g_autoptr(GBytes) b = g_bytes_new(raw, strlen(raw));
		g_autoptr(KjMailResult) r = NULL;
		g_assert_true(kj_mail_worker_sanitize_hashed(ws[i], b, sha, "Q-x", &r, &error));
		g_assert_no_error(error);
		g_assert_cmpint(r->verdict, ==, KJ_MAIL_SANITIZED);
		g_assert_cmpstr(r->original_sha256, ==, sha);
		g_autofree char *text = check_output(r, NULL);
		g_assert_nonnull(strstr(text, "Q-x"));
	}
	/* Each message handed over with the one before (the batch keeps the
	 * worker busy so): every result is its own message's, the same as
	 * one at a time, in the worker and in-process alike. */
	const char *bodies[] = {raw, "From: a@example.jp\nSubject: two\n\nsecond\n",
				"From: b@example.jp\nSubject: three\n\nthird https://x.example/\n"};
	for (gsize i = 0; i < G_N_ELEMENTS(ws); i++) {
		GBytes *in[G_N_ELEMENTS(bodies)];
		char shas[G_N_ELEMENTS(bodies)][KJ_SHA256_HEX_LEN + 1];
		for (gsize k = 0; k < G_N_ELEMENTS(bodies); k++) {
			in[k] = g_bytes_new(bodies[k], strlen(bodies[k]));
			kj_sha256_hex(bodies[k], strlen(bodies[k]), shas[k]);
		}
		for (gsize k = 0; k < G_N_ELEMENTS(bodies); k++) {
			KjMailInput cur = {in[k], shas[k], NULL};
			KjMailInput next = {k + 1 < G_N_ELEMENTS(bodies) ? in[k + 1] : NULL,
					    k + 1 < G_N_ELEMENTS(bodies) ? shas[k + 1] : NULL,
					    NULL};
			g_autoptr(KjMailResult) r = NULL;
			g_autoptr(KjMailResult) one = NULL;
			g_assert_true(
			    kj_mail_worker_run(ws[i], &cur, next.raw ? &next : NULL, &r, &error));
			g_assert_no_error(error);
			g_assert_true(kj_mail_sanitize(in[k], p, NULL, &one, &error));
			g_assert_no_error(error);
			g_assert_cmpstr(r->original_sha256, ==, shas[k]);
			g_assert_cmpint(r->verdict, ==, one->verdict);
			g_assert_true(g_bytes_equal(r->output, one->output));
		}
		for (gsize k = 0; k < G_N_ELEMENTS(bodies); k++)
			g_bytes_unref(in[k]);
	}
}

/* Every real message of the corpus, through the sandboxed engine. */
static void collect(const char *dir, GPtrArray *out)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *n;
	while (d && (n = g_dir_read_name(d))) {
		char *p = g_build_filename(dir, n, NULL);
		if (g_file_test(p, G_FILE_TEST_IS_DIR)) {
			collect(p, out);
			g_free(p);
		} else {
			g_ptr_array_add(out, p);
		}
	}
}

static gboolean script_leak(const char *text)
{
	return strstr(text, "<script") != NULL || strstr(text, "<SCRIPT") != NULL;
}

static void test_corpus(void)
{
	const char *root = g_getenv("KJ_CORPUS");
	if (root == NULL) {
		g_test_skip("KJ_CORPUS not set");
		return;
	}
	g_autofree char *dir = g_build_filename(root, "mail", NULL);
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
	collect(dir, files);
	g_ptr_array_sort(files, (GCompareFunc)g_strcmp0);
	g_autoptr(KjMailProfile) p = profile("default");
	g_autoptr(GError) error = NULL;
	g_autoptr(KjMailWorker) w = kj_mail_worker_new(p, KJ_MAIL_ISOLATE_REUSE, &error);
	g_autoptr(GHashTable) why = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	guint held = 0;
	for (guint i = 0; i < files->len; i++) {
		g_autofree char *data = NULL;
		gsize len = 0;
		g_assert_true(g_file_get_contents(files->pdata[i], &data, &len, NULL));
		g_autoptr(GBytes) b = g_bytes_new_take(g_steal_pointer(&data), len);
		g_autoptr(KjMailResult) r = NULL;
		g_assert_true(kj_mail_worker_sanitize(w, b, NULL, &r, &error));
		g_autofree char *text = check_output(r, NULL);
		if (r->verdict == KJ_MAIL_HELD) {
			held++;
			g_autofree char *k = g_strndup(r->reasons->pdata[0], 40);
			g_hash_table_replace(why, g_steal_pointer(&k),
					     GUINT_TO_POINTER(GPOINTER_TO_UINT(g_hash_table_lookup(
								  why, r->reasons->pdata[0])) +
							      1));
			g_test_message("held %s: %s", (const char *)files->pdata[i],
				       (const char *)r->reasons->pdata[0]);
			continue;
		}
		g_assert_false(script_leak(text));
		g_assert_null(strstr(text, "http://"));
		g_assert_null(strstr(text, "https://"));
	}
	g_test_message("corpus: %u files, %u sanitized, %u held", files->len, files->len - held,
		       held);
	g_assert_cmpuint(files->len, >, 100);
}

/* Spot checks on known corpus files. */
static KjMailResult *corpus_file(const char *rel)
{
	const char *root = g_getenv("KJ_CORPUS");
	g_autofree char *path = root ? g_build_filename(root, "mail", rel, NULL) : NULL;
	g_autofree char *data = NULL;
	gsize len = 0;
	if (path == NULL || !g_file_get_contents(path, &data, &len, NULL))
		return NULL;
	return run(data, (gssize)len);
}

/* Detected types of real attachments of the corpus, each sent as a mail
 * attachment: libmagic sees only a window of the bytes, and these are
 * the files that showed how large it must be (attach.c). */
static void test_corpus_types(void)
{
	static const char *const cases[][2] = {
	    {"office/oletools/olevba/sample_with_vba.ppt", "application/vnd.ms-powerpoint"},
	    {"office/oletools/encrypted/encrypted.docx", "application/encrypted"},
	    {"archives/recursive-extractor/TestData.iso", "application/x-iso9660-image"},
	};
	const char *root = g_getenv("KJ_CORPUS");
	guint seen = 0;

	for (gsize i = 0; root && i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *path = g_build_filename(root, cases[i][0], NULL);
		g_autofree char *data = NULL;
		gsize len = 0;
		if (!g_file_get_contents(path, &data, &len, NULL))
			continue;
		g_autofree char *raw =
		    attachment_mail("filename=\"x.bin\"", "application/octet-stream", data, len);
		g_autoptr(KjMailResult) r = run(raw, -1);
		g_assert_cmpuint(r->attachments->len, ==, 1);
		KjMailAttachment *a = r->attachments->pdata[0];
		g_assert_cmpstr(a->detected_type, ==, cases[i][1]);
		seen++;
	}
	if (seen == 0)
		g_test_skip("corpus files not found");
}

static void test_corpus_spots(void)
{
	g_autoptr(KjMailResult) fake = corpus_file("general/rspamd/zip-doublebad.eml");
	if (fake == NULL) {
		g_test_skip("corpus file not found");
		return;
	}
	gboolean exe = FALSE;
	for (guint i = 0; i < fake->attachments->len; i++) {
		KjMailAttachment *a = fake->attachments->pdata[i];
		if (a->note && strstr(a->note, "executable inside"))
			exe = TRUE;
		g_assert_nonnull(a->detected_type);
	}
	g_assert_true(exe);

	/* jpmobile: ① inside an ISO-2022-JP encoded-word (iPhone). */
	g_autoptr(KjMailResult) circled =
	    corpus_file("ja/jpmobile/iphone-circled-numbers-in-jis.eml");
	g_assert_nonnull(circled);
	g_assert_cmpstr(circled->subject, ==, "テスト①");
	/* milter-manager: machine-dependent characters in a 7-bit JIS body. */
	g_autoptr(KjMailResult) md =
	    corpus_file("ja/milter-manager/machine-dependent/au-iso-2022-jp-extra-7bit.eml");
	g_assert_nonnull(md);
	g_autofree char *mdtext = check_output(md, NULL);
	g_assert_nonnull(strstr(mdtext, "①"));
	/* jpmobile: charset=cp932 body decodes without replacement. */
	g_autoptr(KjMailResult) cp = corpus_file("ja/jpmobile/iphone-cp932.eml");
	g_assert_nonnull(cp);
	g_autofree char *cptext = check_output(cp, NULL);
	g_assert_null(strstr(cptext, "\xef\xbf\xbd"));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	kj_mail_global_init();
	g_test_add_func("/mime/iso2022jp-windows-rows", test_iso2022jp);
	g_test_add_func("/mime/html", test_html);
	g_test_add_func("/mime/plain-links", test_plain_links);
	g_test_add_func("/mime/attachment", test_attachment);
	g_test_add_func("/mime/ppap", test_ppap);
	g_test_add_func("/mime/encrypted", test_encrypted);
	g_test_add_func("/mime/signed", test_signed);
	g_test_add_func("/mime/forwarded", test_forwarded);
	g_test_add_func("/mime/bad/boundaries", test_bad_boundaries);
	g_test_add_func("/mime/bad/deep-nesting", test_deep_nesting);
	g_test_add_func("/mime/bad/huge-header", test_huge_header);
	g_test_add_func("/mime/bad/nul-and-newlines", test_nul_and_newlines);
	g_test_add_func("/mime/bad/encodings-and-charsets", test_bad_encodings);
	g_test_add_func("/mime/bad/split-encoded-word", test_split_encoded_word);
	g_test_add_func("/mime/bad/rfc2231-japanese", test_rfc2231_filenames);
	g_test_add_func("/mime/bad/spoofed-filenames", test_spoofed_filenames);
	g_test_add_func("/mime/bad/empty", test_empty);
	g_test_add_func("/mime/bad/html-bombs", test_html_bombs);
	g_test_add_func("/mime/profile-yaml", test_profile_yaml);
	g_test_add_func("/mime/serialize", test_serialize);
	g_test_add_func("/mime/isolated", test_isolated);
	g_test_add_func("/mime/corpus", test_corpus);
	g_test_add_func("/mime/corpus-spots", test_corpus_spots);
	g_test_add_func("/mime/corpus-types", test_corpus_types);
	return g_test_run();
}
