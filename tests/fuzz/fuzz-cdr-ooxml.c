/* fuzz-cdr-ooxml.c - libFuzzer target for the OOXML engine: the input is
 * a zip package; it is sanitized (_kj_cdr_ooxml), the output must reopen
 * and sanitize again without change of kind, and the text extractor for
 * dlp/ runs on the same input. */
#include "cdr/ooxml_private.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void action_free(KjCdrAction *a)
{
	g_free(a->location);
	g_free(a->what);
	g_free(a);
}

static gboolean run(const guint8 *data, gsize len, const KjCdrOptions *opts, GByteArray **out,
		    const char **ext)
{
	KjCdrJob job = {
	    .data = data,
	    .len = len,
	    .name = "fuzz",
	    .detected = "application/zip",
	    .opts = opts,
	    .actions = g_ptr_array_new_with_free_func((GDestroyNotify)action_free),
	    .limits_hit = g_ptr_array_new_with_free_func(g_free),
	};
	GError *error = NULL;
	gboolean ok = _kj_cdr_ooxml(&job, &error);
	if (!ok && (error == NULL || error->domain != KJ_CDR_ERROR))
		__builtin_trap(); /* every failure carries a CDR error code */
	if (ok && (job.out == NULL || job.out_ext == NULL || job.out_type == NULL))
		__builtin_trap();
	g_clear_error(&error);
	g_ptr_array_free(job.actions, TRUE);
	g_ptr_array_free(job.limits_hit, TRUE);
	*out = job.out;
	*ext = job.out_ext;
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	KjCdrOptions opts;
	GByteArray *out = NULL, *again = NULL;
	const char *ext = NULL, *ext2 = NULL;

	kj_cdr_options_init(&opts);
	opts.archive_max_total = 8u << 20;
	if (run(data, size, &opts, &out, &ext)) {
		/* A sanitized package is a valid package of the same kind. */
		if (!run(out->data, out->len, &opts, &again, &ext2) || strcmp(ext, ext2) != 0)
			__builtin_trap();
		g_byte_array_unref(again);
		g_byte_array_unref(out);
	}
	char *text = _kj_cdr_ooxml_text(data, size, &opts, NULL);
	if (text && !g_utf8_validate(text, -1, NULL))
		__builtin_trap();
	g_free(text);
	return 0;
}
