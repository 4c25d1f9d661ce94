/* fuzz-dlp.c - libFuzzer target for personal-number detection: the input
 * as text (kj_dlp_scan_text) and as a file of any kind (kj_dlp_scan_file:
 * archives, OOXML, strings).  Findings must be masked: no finding may
 * carry more than four digits. */
#include "dlp/dlp.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(GPtrArray *f)
{
	for (guint i = 0; i < f->len; i++) {
		const KjDlpFinding *x = f->pdata[i];
		guint digits = 0;
		for (const char *p = x->masked; *p; p++)
			digits += g_ascii_isdigit(*p) ? 1 : 0;
		if (digits > 4 || x->line == 0 || x->column == 0)
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GPtrArray *f = g_ptr_array_new_with_free_func((GDestroyNotify)kj_dlp_finding_free);
	KjDlpOptions o;

	/* The scan is linear; big inputs only slow libFuzzer down (8 runs
	 * a second at 1 MB, all of it in coverage callbacks). */
	if (size > 65536)
		size = 65536;
	kj_dlp_options_init(&o);
	/* Small limits: libFuzzer time goes to parsing, not to inflating bombs. */
	o.archive_max_total = 4u << 20;
	o.max_text = 4u << 20;
	kj_dlp_scan_text((const char *)data, size, &o, NULL, f);
	check(f);
	g_ptr_array_set_size(f, 0);
	GBytes *b = g_bytes_new_static(data, size);
	GError *error = NULL;
	kj_dlp_scan_file(b, "fuzz", &o, f, &error);
	check(f);
	g_clear_error(&error);
	g_bytes_unref(b);
	g_ptr_array_free(f, TRUE);
	return 0;
}
