/* fuzz-cdr-pdf.c - libFuzzer target for the PDF engine of CDR
 * (_kj_cdr_pdf in all three modes, and _kj_cdr_pdf_text).  The last
 * byte picks the mode; resolution and page limits are small so that
 * each run is quick.  Seeds: ../shared/corpus/pdf
 * (tests/fuzz/fuzz-cdr-pdf.seeds). */
#include "cdr/cdr_private.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void action_free(gpointer p)
{
	KjCdrAction *a = p;

	g_free(a->location);
	g_free(a->what);
	g_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	KjCdrOptions opts;
	KjCdrJob job = {0};
	GError *err = NULL;
	char *text;

	if (size < 1)
		return 0;
	kj_cdr_options_init(&opts);
	opts.pdf_mode = (KjCdrPdfMode)(data[size - 1] % 3);
	opts.pdf_dpi = 36;
	opts.pdf_max_pages = 8;
	opts.pdf_max_pixels = 2 * 1000 * 1000;
	opts.max_output = 16 * 1024 * 1024;
	job.data = data;
	job.len = size - 1;
	job.opts = &opts;
	job.out = g_byte_array_new();
	job.actions = g_ptr_array_new_with_free_func(action_free);
	job.limits_hit = g_ptr_array_new_with_free_func(g_free);
	if (!_kj_cdr_pdf(&job, &err)) {
		/* Failures are reported, never half-written. */
		if (err == NULL || err->domain != KJ_CDR_ERROR || job.out->len != 0)
			__builtin_trap();
		g_clear_error(&err);
	} else if ((job.out->len == 0 && opts.pdf_mode != KJ_CDR_PDF_TEXT) ||
		   job.out_type == NULL) {
		__builtin_trap();
	}
	text = _kj_cdr_pdf_text(data, size - 1, &opts, NULL);
	if (text && !g_utf8_validate(text, -1, NULL))
		__builtin_trap();
	g_free(text);
	g_byte_array_unref(job.out);
	g_ptr_array_unref(job.actions);
	g_ptr_array_unref(job.limits_hit);
	return 0;
}
