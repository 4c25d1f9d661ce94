/* fuzz-console - every check kyojin-console applies to request bytes
 * (console/validate.c: JSON bodies and their string fields, Origin,
 * static paths, media types, download names), the list cursors of the
 * release and view modules, and the parser of kyojind's metrics text.
 * The first byte picks nothing: every function sees the whole input. */
#include "console/console.h"
#include "view/view.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *why = NULL;
	char *text = g_strndup((const char *)data, size);
	json_t *o = kj_console_parse_json_object((const char *)data, size, 64 * 1024, &why);
	g_free(why);
	if (o) {
		const char *k;
		json_t *v;
		json_object_foreach(o, k, v)
		{
			const char *out = NULL;
			why = NULL;
			kj_console_get_string(o, k, TRUE, 2000, TRUE, &out, &why);
			g_free(why);
		}
		json_decref(o);
	}
	g_free(kj_console_origin_host(text));
	g_free(kj_console_static_path(text));
	g_free(kj_console_media_type(text));
	(void)kj_console_mime_type(text);
	g_free(kj_console_content_disposition(text));
	char *key = NULL, *id = NULL;
	if (_kj_cursor_parse(text, &key, &id)) {
		g_free(key);
		g_free(id);
	}
	json_t *m = kj_view_metrics_parse((const char *)data, size);
	json_decref(m);
	g_free(text);
	return 0;
}
