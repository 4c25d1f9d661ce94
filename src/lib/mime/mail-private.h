/* mail-private.h - what the files of the mail engine share (not public). */
#ifndef KJ_MIME_MAIL_PRIVATE_H
#define KJ_MIME_MAIL_PRIVATE_H

#include "mime/mail.h"
#include "mime/textapi.h"

#include <gmime/gmime.h>

/* Everything about one message hangs off this context, freed with it. */
typedef struct {
	const KjMailProfile *profile;
	const char *quarantine_id; /* borrowed; NULL = no quarantine */
	KjMailResult *res;
	GMimeParserOptions *popts;

	GString *body;            /* UTF-8 text of the output body */
	GPtrArray *urls;          /* char *: every URL found, as sent */
	GPtrArray *phishing;      /* char *: "shown -> target" */
	GPtrArray *charset_notes; /* char *: one line each */

	gint64 parts;
	gint64 decoded_bytes;
	gint64 depth_seen;
	guint replacements;     /* U+FFFD inserted by charset decoding */
	guint controls_removed; /* control and bidi characters neutralised */
	guint links_neutralized;
	guint html_parts, text_parts, nested_messages;
	guint html_dropped, tracking_images, hidden_elements;
	guint gmime_warnings;
	gboolean signature_removed;
	gboolean held;
} KjMailCtx;

/* sanitize.c: kj_mail_sanitize() with the digest of raw given (NULL:
 * computed here). */
gboolean _kj_mail_sanitize_hashed(GBytes *raw, const KjMailProfile *profile,
				  const char *quarantine_id, const char *sha256, KjMailResult **out,
				  GError **error);

void _kj_mail_hold(KjMailCtx *ctx, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void _kj_mail_action(KjMailCtx *ctx, const char *action);
void _kj_mail_charset_note(KjMailCtx *ctx, const char *where, const KjCharsetInfo *info);
KjMailAttachment *_kj_mail_attachment_new(void);
void _kj_mail_attachment_free(KjMailAttachment *a);

/* header.c */
char *_kj_mail_header_decode(KjMailCtx *ctx, const char *raw, gboolean phrase);
char *_kj_mail_header_get(KjMailCtx *ctx, GMimeObject *obj, const char *name);
gboolean _kj_mail_check_headers(KjMailCtx *ctx, GMimeObject *obj);
void _kj_mail_header_write(GString *out, const char *name, const char *value);
char *_kj_mail_encode_text(const char *utf8, KjMailCharset cs);
char *_kj_mail_encode_phrase(const char *utf8, KjMailCharset cs);

/* walk.c */
void _kj_mail_walk(KjMailCtx *ctx, GMimeObject *obj, gint64 depth);

/* body.c */
void _kj_mail_body_text(KjMailCtx *ctx, GMimePart *part, const char *type);
void _kj_mail_body_html(KjMailCtx *ctx, GMimePart *part);
void _kj_mail_append_text(KjMailCtx *ctx, const char *utf8);
GBytes *_kj_mail_part_decode(KjMailCtx *ctx, GMimePart *part);
char *_kj_mail_part_charset(GMimePart *part);

/* attach.c */
void _kj_mail_attachment(KjMailCtx *ctx, GMimePart *part);
char *_kj_mail_detect_type(const void *data, gsize len);

/* output.c */
void _kj_mail_output(KjMailCtx *ctx, GMimeMessage *msg);
char *_kj_mail_format_size(gint64 n);

/* report.c */
char *_kj_mail_report(KjMailCtx *ctx);

#endif
