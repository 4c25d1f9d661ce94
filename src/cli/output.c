/*++
 * NAME
 *	output - the CLI's printer for text and JSON
 * DESCRIPTION
 *	Commands describe their results as maps, lists and scalars; this
 *	printer renders them either as JSON (one document, built with
 *	jansson, with "format_version") or as indented "key: value" text.
 *	This keeps every command's JSON shape complete and its text shape
 *	consistent, in the manner of notmuch's sprinter.
 * SECURITY
 *	Strings may come from mail (subjects, file names).  JSON escaping is
 *	jansson's; in text mode control characters are shown as \xHH so a
 *	hostile string cannot move the cursor or rewrite the terminal.
 *--*/
#include "cli/output.h"

#include <jansson.h>
#include <stdarg.h>
#include <string.h>

struct KjOut {
	gboolean json;
	gboolean quiet;
	FILE *fp;
	GPtrArray *stack; /* json_t* containers, JSON mode */
	json_t *root;
	char *pending_key; /* JSON mode: key waiting for its value */
	int depth;         /* text mode: nesting for indentation */
	gboolean in_list;  /* text mode: current container is a list */
	GArray *list_flags;
	gboolean key_open; /* text mode: "key:" printed, value expected */
};

KjOut *kj_out_new(gboolean json, FILE *fp)
{
	KjOut *out = g_new0(KjOut, 1);

	out->json = json;
	out->fp = fp;
	out->stack = g_ptr_array_new();
	out->list_flags = g_array_new(FALSE, FALSE, sizeof(gboolean));
	return out;
}

void kj_out_free(KjOut *out)
{
	if (out == NULL)
		return;
	g_ptr_array_free(out->stack, TRUE);
	g_array_free(out->list_flags, TRUE);
	if (out->root)
		json_decref(out->root);
	g_free(out->pending_key);
	g_free(out);
}

gboolean kj_out_is_json(const KjOut *out)
{
	return out->json;
}

void kj_out_text_quiet(KjOut *out, gboolean quiet)
{
	out->quiet = quiet;
}

/* Text mode: print s with control characters made visible. */
static void put_safe(FILE *fp, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			if (*p == '\t')
				fputc(' ', fp);
			else
				fprintf(fp, "\\x%02x", *p);
		} else {
			fputc(*p, fp);
		}
	}
}

static void json_add(KjOut *out, json_t *v)
{
	if (out->stack->len == 0) {
		g_return_if_fail(out->root == NULL);
		out->root = v;
		return;
	}
	json_t *top = g_ptr_array_index(out->stack, out->stack->len - 1);
	if (json_is_array(top)) {
		json_array_append_new(top, v);
	} else {
		g_return_if_fail(out->pending_key != NULL);
		json_object_set_new(top, out->pending_key, v);
		g_clear_pointer(&out->pending_key, g_free);
	}
}

static void text_indent(KjOut *out)
{
	for (int i = 1; i < out->depth; i++)
		fputs("  ", out->fp);
}

/* Text mode: called before a scalar value. */
static void text_scalar_prefix(KjOut *out)
{
	if (out->key_open) {
		fputc(' ', out->fp);
		out->key_open = FALSE;
	} else if (out->in_list) {
		text_indent(out);
		fputs("- ", out->fp);
	}
}

static void begin(KjOut *out, gboolean list)
{
	if (out->json) {
		json_t *v = list ? json_array() : json_object();
		if (out->stack->len == 0 && !list)
			json_object_set_new(v, "format_version",
					    json_integer(KJ_OUT_FORMAT_VERSION));
		json_add(out, json_incref(v));
		json_decref(v);
		g_ptr_array_add(out->stack, v);
		return;
	}
	if (!out->quiet) {
		if (out->key_open) {
			fputc('\n', out->fp);
			out->key_open = FALSE;
		} else if (out->in_list && out->depth > 0) {
			text_indent(out);
			fputs("-\n", out->fp);
		}
	}
	g_array_append_val(out->list_flags, out->in_list);
	out->in_list = list;
	out->depth++;
}

void kj_out_begin_map(KjOut *out)
{
	begin(out, FALSE);
}

void kj_out_begin_list(KjOut *out)
{
	begin(out, TRUE);
}

void kj_out_end(KjOut *out)
{
	if (out->json) {
		g_return_if_fail(out->stack->len > 0);
		g_ptr_array_remove_index(out->stack, out->stack->len - 1);
		return;
	}
	g_return_if_fail(out->list_flags->len > 0);
	out->in_list = g_array_index(out->list_flags, gboolean, out->list_flags->len - 1);
	g_array_set_size(out->list_flags, out->list_flags->len - 1);
	out->depth--;
}

void kj_out_key(KjOut *out, const char *key)
{
	if (out->json) {
		g_free(out->pending_key);
		out->pending_key = g_strdup(key);
		return;
	}
	if (out->quiet)
		return;
	text_indent(out);
	put_safe(out->fp, key);
	fputc(':', out->fp);
	out->key_open = TRUE;
}

void kj_out_string(KjOut *out, const char *s)
{
	if (out->json) {
		/* Strings that are not UTF-8 (raw bytes from hostile mail) are
		 * made valid rather than dropped: jansson refuses them. */
		json_t *v = json_string(s ? s : "");
		if (v == NULL) {
			g_autofree char *valid = g_utf8_make_valid(s, -1);
			v = json_string(valid);
		}
		json_add(out, s ? v : (json_decref(v), json_null()));
		return;
	}
	if (out->quiet)
		return;
	text_scalar_prefix(out);
	put_safe(out->fp, s ? s : "-");
	fputc('\n', out->fp);
}

void kj_out_int(KjOut *out, gint64 v)
{
	if (out->json) {
		json_add(out, json_integer(v));
		return;
	}
	if (out->quiet)
		return;
	text_scalar_prefix(out);
	fprintf(out->fp, "%" G_GINT64_FORMAT "\n", v);
}

void kj_out_bool(KjOut *out, gboolean v)
{
	if (out->json) {
		json_add(out, json_boolean(v));
		return;
	}
	if (out->quiet)
		return;
	text_scalar_prefix(out);
	fputs(v ? "yes\n" : "no\n", out->fp);
}

void kj_out_null(KjOut *out)
{
	if (out->json) {
		json_add(out, json_null());
		return;
	}
	if (out->quiet)
		return;
	text_scalar_prefix(out);
	fputs("-\n", out->fp);
}

void kj_out_json_text(KjOut *out, const char *text)
{
	if (out->json) {
		json_error_t jerr;
		json_t *v = json_loads(text, JSON_DECODE_ANY, &jerr);
		json_add(out, v ? v : json_string(text));
		return;
	}
	if (out->quiet)
		return;
	text_scalar_prefix(out);
	put_safe(out->fp, text);
	fputc('\n', out->fp);
}

void kj_out_line(KjOut *out, const char *fmt, ...)
{
	va_list ap;

	if (out->json)
		return;
	va_start(ap, fmt);
	g_autofree char *s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	put_safe(out->fp, s);
	fputc('\n', out->fp);
}

void kj_out_finish(KjOut *out)
{
	if (out->json && out->root) {
		json_dumpf(out->root, out->fp, JSON_INDENT(2));
		fputc('\n', out->fp);
		json_decref(out->root);
		out->root = NULL;
	}
	fflush(out->fp);
}
