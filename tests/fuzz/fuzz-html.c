/* fuzz-html.c - libFuzzer target for kj_html_to_text(): any bytes, any
 * link mode, small limits so that the limit paths are exercised too.
 * The first byte picks the options; the rest is the HTML. */
#include "text/html.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const charsets[] = {NULL, "utf-8", "iso-2022-jp", "shift_jis"};
	KjHtmlOptions o;
	KjHtmlResult res = {0};
	GError *error = NULL;

	if (size < 1)
		return 0;
	kj_html_options_init(&o);
	o.link_mode = (KjLinkMode)(data[0] % 3);
	o.wrap_column = (data[0] & 0x08) ? 20 : 0;
	if (data[0] & 0x10) {
		o.max_depth = 16;
		o.max_nodes = 500;
		o.max_output = 4096;
	}
	char *t = kj_html_to_text((const char *)data + 1, size - 1, charsets[(data[0] >> 5) & 3],
				  &o, &res, &error);
	if (t != NULL && !g_utf8_validate(t, -1, NULL))
		__builtin_trap();
	if ((t == NULL) == (error == NULL))
		__builtin_trap();
	g_free(t);
	g_clear_error(&error);
	kj_html_result_clear(&res);
	return 0;
}
