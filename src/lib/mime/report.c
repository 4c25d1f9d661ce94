/*++
 * NAME
 *	report - the JSON report of one sanitization
 * DESCRIPTION
 *	What the engine decided and why, for the audit trail, the console and
 *	scripts: verdict (sanitized | held), reasons, actions, attachments
 *	(name, declared and detected type, size, SHA-256, note), the URLs
 *	found, phishing suspects, charset notes and counters.  The shape is
 *	versioned by "format_version" like every JSON kyojin prints.
 * SECURITY
 *	Sandboxed worker; every string is UTF-8 that was decoded and
 *	neutralised (jansson refuses invalid UTF-8, which would be a bug).
 * LIMITS
 *	Lists are bounded where they are filled (1000 URLs, 32 phishing
 *	notes, 64 charset notes, 32 reasons).
 * STANDARDS
 *	RFC 8259 (JSON).  基本方針 6(7): what was done to each message is
 *	recorded so that it can be audited.
 * SEE ALSO
 *	isolate.c (the report crosses the sandbox inside the result).
 *--*/
#include "mime/mail-private.h"

#include <jansson.h>

#define KJ_MAIL_REPORT_VERSION 1

static json_t *strings(GPtrArray *a)
{
	json_t *arr = json_array();
	for (guint i = 0; i < a->len; i++)
		json_array_append_new(arr, json_string(a->pdata[i]));
	return arr;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *_kj_mail_attachment_json(const KjMailAttachment *a);

json_t *_kj_mail_attachment_json(const KjMailAttachment *a)
{
	return json_pack("{s:i, s:o, s:s, s:s, s:I, s:s, s:o, s:o}", "index", (int)a->index,
			 "filename", str_or_null(a->filename), "declared_type", a->declared_type,
			 "detected_type", a->detected_type, "size", (json_int_t)a->size, "sha256",
			 a->sha256, "container", str_or_null(a->container), "note",
			 str_or_null(a->note));
}

static json_t *counters(const KjMailCtx *ctx)
{
	return json_pack("{s:I, s:I, s:I, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}",
			 "parts", (json_int_t)ctx->parts, "max_depth", (json_int_t)ctx->depth_seen,
			 "decoded_bytes", (json_int_t)ctx->decoded_bytes, "text_parts",
			 (int)ctx->text_parts, "html_parts", (int)ctx->html_parts,
			 "nested_messages", (int)ctx->nested_messages, "links_neutralized",
			 (int)ctx->links_neutralized, "html_elements_dropped",
			 (int)ctx->html_dropped, "tracking_images", (int)ctx->tracking_images,
			 "hidden_elements", (int)ctx->hidden_elements, "replacement_chars",
			 (int)ctx->replacements, "controls_removed", (int)ctx->controls_removed,
			 "parser_warnings", (int)ctx->gmime_warnings);
}

char *_kj_mail_report(KjMailCtx *ctx)
{
	const KjMailResult *r = ctx->res;
	const KjMailProfile *p = ctx->profile;
	json_t *atts = json_array();

	for (guint i = 0; i < r->attachments->len; i++)
		json_array_append_new(atts, _kj_mail_attachment_json(r->attachments->pdata[i]));
	json_t *o = json_pack(
	    "{s:i, s:s, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "format_version",
	    KJ_MAIL_REPORT_VERSION, "verdict", r->verdict == KJ_MAIL_HELD ? "held" : "sanitized",
	    "reasons", strings(r->reasons), "actions", strings(r->actions), "attachments", atts,
	    "original_sha256", r->original_sha256, "quarantine_id", str_or_null(ctx->quarantine_id),
	    "urls", strings(ctx->urls), "phishing", strings(ctx->phishing), "charset_notes",
	    strings(ctx->charset_notes), "counters", counters(ctx), "message",
	    json_pack("{s:o, s:o, s:o, s:o}", "subject", str_or_null(r->subject), "from",
		      str_or_null(r->from), "to", str_or_null(r->to), "message_id",
		      str_or_null(r->message_id)));
	if (o == NULL) /* a string that was not UTF-8: a bug, but never a crash */
		return g_strdup("{\"format_version\": 1, \"verdict\": \"held\", "
				"\"reasons\": [\"internal: report could not be built\"]}");
	json_object_set_new(o, "profile", json_string(p->name));
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s ? s : g_strdup("{}");
}
