/* fuzz-cdr.c - libFuzzer target for the CDR dispatcher (kj_cdr_sanitize,
 * in process): type detection, claims, the text/CSV/RTF and archive
 * engines (and whatever other engines the build has), and the round trip
 * of the result across the sandbox wire format.  The name the file is
 * judged under is picked from its size, so every route is reached.
 * Seeds: tests/fuzz/fuzz-cdr.seeds. */
#include "cdr/cdr.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {NULL,       "a.txt", "a.csv", "a.rtf",  "a.zip",
					    "a.tar.gz", "a.lzh", "a.7z",  "a.html", "a.pdf"};
	static KjCdrOptions opts;
	static gboolean init;

	if (!init) {
		kj_cdr_global_init();
		kj_cdr_options_init(&opts);
		/* Small limits find limit-path bugs faster and keep runs short. */
		opts.max_input = 1024 * 1024;
		opts.max_output = 8 * 1024 * 1024;
		opts.archive_max_total = 8 * 1024 * 1024;
		opts.archive_max_entries = 200;
		opts.pdf_max_pages = 4;
		opts.pdf_dpi = 36;
		init = TRUE;
	}
	opts.html_to_text = size % 2;
	GBytes *in = g_bytes_new_static(data, size);
	KjCdrResult *r = kj_cdr_sanitize(in, names[size % G_N_ELEMENTS(names)], NULL, &opts, NULL);
	if (r) {
		GBytes *wire = kj_cdr_result_serialize(r);
		KjCdrResult *back = kj_cdr_result_deserialize(wire, NULL);
		if (back == NULL || back->verdict != r->verdict)
			__builtin_trap();
		json_t *j = kj_cdr_result_to_json(back);
		json_decref(j);
		kj_cdr_result_free(back);
		g_bytes_unref(wire);
		kj_cdr_result_free(r);
	}
	g_bytes_unref(in);
	return 0;
}
