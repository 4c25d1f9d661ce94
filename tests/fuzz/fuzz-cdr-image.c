/* fuzz-cdr-image.c - libFuzzer target for the image engine of CDR
 * (_kj_cdr_image: MuPDF's decoders, the metadata scanner, PNG and JPEG
 * output).  The input size picks the output format.  Seeds: the EXIF
 * corpus and the PNG/GIF/BMP/TIFF files of tests/fuzz/seeds/image
 * (tests/fuzz/fuzz-cdr-image.seeds). */
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
	static const KjCdrImageFormat formats[] = {KJ_CDR_IMAGE_KEEP_KIND, KJ_CDR_IMAGE_PNG,
						   KJ_CDR_IMAGE_JPEG};
	KjCdrOptions opts;
	KjCdrJob job = {0};
	GError *err = NULL;

	kj_cdr_options_init(&opts);
	opts.image_format = formats[size % 3];
	/* Small limits: the fuzzer's own memory limit is 2 GB. */
	opts.image_max_pixels = 16 * 1000 * 1000;
	job.data = data;
	job.len = size;
	job.opts = &opts;
	job.out = g_byte_array_new();
	job.actions = g_ptr_array_new_with_free_func(action_free);
	job.limits_hit = g_ptr_array_new_with_free_func(g_free);
	if (!_kj_cdr_image(&job, &err)) {
		if (err == NULL || err->domain != KJ_CDR_ERROR || job.out->len != 0)
			__builtin_trap();
		g_clear_error(&err);
	} else if (job.out->len == 0 || job.out_type == NULL) {
		__builtin_trap();
	}
	g_byte_array_unref(job.out);
	g_ptr_array_unref(job.actions);
	g_ptr_array_unref(job.limits_hit);
	return 0;
}
