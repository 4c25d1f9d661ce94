/* output.h - one printer for text and JSON results (see output.c). */
#ifndef KJ_CLI_OUTPUT_H
#define KJ_CLI_OUTPUT_H

#include <glib.h>
#include <stdio.h>

/* Version of the JSON shape; every top-level JSON object carries it as
 * "format_version".  Raise it when a field changes meaning or goes away;
 * adding a field does not need a new version. */
#define KJ_OUT_FORMAT_VERSION 1

typedef struct KjOut KjOut;

KjOut *kj_out_new(gboolean json, FILE *fp);
void kj_out_free(KjOut *out);
gboolean kj_out_is_json(const KjOut *out);

/* Structure: maps and lists nest; inside a map, every value is preceded
 * by kj_out_key().  The outermost value must be a map. */
void kj_out_begin_map(KjOut *out);
void kj_out_begin_list(KjOut *out);
void kj_out_end(KjOut *out);
void kj_out_key(KjOut *out, const char *key);
void kj_out_string(KjOut *out, const char *s);
void kj_out_int(KjOut *out, gint64 v);
void kj_out_bool(KjOut *out, gboolean v);
void kj_out_null(KjOut *out);
/* A JSON value given as text (already validated JSON), printed compactly
 * in text mode. */
void kj_out_json_text(KjOut *out, const char *json);

/* A line for people only: printed as is in text mode, ignored in JSON
 * mode, where the structured values carry the same facts. */
void kj_out_line(KjOut *out, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* In text mode, suppress the generic rendering of structured values
 * (commands that print their own lines for people call this). */
void kj_out_text_quiet(KjOut *out, gboolean quiet);

/* Writes the JSON document (JSON mode) and flushes. */
void kj_out_finish(KjOut *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KjOut, kj_out_free)

#endif
