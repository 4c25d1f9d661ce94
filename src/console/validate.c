/*++
 * NAME
 *	validate - checks of untrusted request bytes, kept pure for fuzzing
 * DESCRIPTION
 *	Everything the console reads from a request before a handler sees
 *	it: the JSON body (size, depth, UTF-8, object shape), string fields
 *	(length, control characters), the host of an Origin header, the
 *	path of a static file, the media type of Content-Type, and the
 *	Content-Disposition of a download.  No I/O here, so that
 *	tests/fuzz/fuzz-console.c can drive every function with any bytes.
 * SECURITY
 *	Sees raw request bytes.  Static paths are refused outright when a
 *	segment is empty, ".", "..", hidden, or holds a backslash, NUL or
 *	control character; the caller then also resolves the path and
 *	checks it is still under the www directory (symbolic links).
 * LIMITS
 *	KJ_CONSOLE_MAX_JSON_BODY, KJ_CONSOLE_MAX_JSON_DEPTH.
 * STANDARDS
 *	RFC 8259 (JSON), RFC 6454 (Origin), RFC 6266 and RFC 8187
 *	(Content-Disposition filename*), RFC 9110 (media types).
 * SEE ALSO
 *	server.c, http.c.
 *--*/
#include "console/console.h"

#include "util/limits.h"

#include <string.h>

static gboolean depth_ok(json_t *v, int depth)
{
	if (depth > KJ_CONSOLE_MAX_JSON_DEPTH)
		return FALSE;
	if (json_is_object(v)) {
		const char *k;
		json_t *x;
		json_object_foreach(v, k, x) if (!depth_ok(x, depth + 1)) return FALSE;
	} else if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) if (!depth_ok(x, depth + 1)) return FALSE;
	}
	return TRUE;
}

/* Counts nesting before jansson sees the text: jansson's own parser
 * recurses up to a depth of 2048, and a body of nested brackets is
 * refused here without being parsed at all. */
static gboolean raw_depth_ok(const char *data, gsize len)
{
	int depth = 0;
	gboolean in_string = FALSE, escaped = FALSE;
	for (gsize i = 0; i < len; i++) {
		char ch = data[i];
		if (in_string) {
			if (escaped)
				escaped = FALSE;
			else if (ch == '\\')
				escaped = TRUE;
			else if (ch == '"')
				in_string = FALSE;
			continue;
		}
		if (ch == '"')
			in_string = TRUE;
		else if (ch == '{' || ch == '[') {
			if (++depth > KJ_CONSOLE_MAX_JSON_DEPTH)
				return FALSE;
		} else if (ch == '}' || ch == ']')
			depth--;
	}
	return TRUE;
}

json_t *kj_console_parse_json_object(const char *data, gsize len, gsize max, char **why)
{
	json_error_t jerr;

	*why = NULL;
	if (len == 0) {
		*why = g_strdup("empty body: a JSON object is expected");
		return NULL;
	}
	if (len > max) {
		*why = g_strdup_printf("body larger than %" G_GSIZE_FORMAT " bytes", max);
		return NULL;
	}
	if (memchr(data, 0, len) || !g_utf8_validate(data, (gssize)len, NULL)) {
		*why = g_strdup("body is not UTF-8 text");
		return NULL;
	}
	if (!raw_depth_ok(data, len)) {
		*why = g_strdup_printf("JSON nested deeper than %d", KJ_CONSOLE_MAX_JSON_DEPTH);
		return NULL;
	}
	json_t *v = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!v) {
		*why = g_strdup_printf("bad JSON at line %d column %d: %s", jerr.line, jerr.column,
				       jerr.text);
		return NULL;
	}
	if (!json_is_object(v) || !depth_ok(v, 1)) {
		json_decref(v);
		*why = g_strdup("a JSON object is expected");
		return NULL;
	}
	return v;
}

gboolean kj_console_get_string(json_t *obj, const char *key, gboolean required, gsize max_len,
			       gboolean multiline, const char **out, char **why)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required) {
			*why = g_strdup_printf("'%s' is required", key);
			return FALSE;
		}
		return TRUE;
	}
	if (!json_is_string(v)) {
		*why = g_strdup_printf("'%s' must be a string", key);
		return FALSE;
	}
	const char *s = json_string_value(v);
	gsize n = json_string_length(v);
	if (n != strlen(s)) {
		*why = g_strdup_printf("'%s' contains NUL", key);
		return FALSE;
	}
	if (n > max_len) {
		*why =
		    g_strdup_printf("'%s' is longer than %" G_GSIZE_FORMAT " bytes", key, max_len);
		return FALSE;
	}
	for (const char *p = s; *p; p += g_utf8_skip[*(const guchar *)p]) {
		gunichar ch = g_utf8_get_char(p);
		if ((ch < 0x20 && !(multiline && (ch == '\n' || ch == '\t'))) || ch == 0x7f ||
		    (ch >= 0x80 && ch < 0xa0) || ch == 0x2028 || ch == 0x2029 ||
		    (ch >= 0x202a && ch <= 0x202e) || (ch >= 0x2066 && ch <= 0x2069)) {
			*why = g_strdup_printf("'%s' contains a control character", key);
			return FALSE;
		}
	}
	if (required && n == 0) {
		*why = g_strdup_printf("'%s' must not be empty", key);
		return FALSE;
	}
	*out = s;
	return TRUE;
}

char *kj_console_origin_host(const char *origin)
{
	const char *p;
	if (!origin)
		return NULL;
	if (g_str_has_prefix(origin, "https://"))
		p = origin + 8;
	else if (g_str_has_prefix(origin, "http://"))
		p = origin + 7;
	else
		return NULL;
	gsize n = strcspn(p, "/?#");
	/* An Origin is scheme://host[:port] and nothing after. */
	if (n == 0 || n > 255 || (p[n] && !(p[n] == '/' && !p[n + 1])))
		return NULL;
	for (gsize i = 0; i < n; i++)
		if (!(g_ascii_isalnum(p[i]) || strchr(".-:[]", p[i])))
			return NULL;
	return g_strndup(p, n);
}

char *kj_console_static_path(const char *url_path)
{
	if (!url_path || url_path[0] != '/' || strlen(url_path) > 1024)
		return NULL;
	if (strcmp(url_path, "/") == 0)
		return g_strdup("index.html");
	g_auto(GStrv) segs = g_strsplit(url_path + 1, "/", -1);
	guint n = g_strv_length(segs);
	for (guint i = 0; i < n; i++) {
		const char *s = segs[i];
		/* A trailing slash names a directory's index. */
		if (!*s && i == n - 1 && i > 0)
			continue;
		if (!*s || s[0] == '.')
			return NULL;
		for (const char *q = s; *q; q++)
			if ((unsigned char)*q < 0x20 || *q == '\\' || *q == 0x7f || *q == ':')
				return NULL;
	}
	if (g_str_has_suffix(url_path, "/"))
		return g_strconcat(url_path + 1, "index.html", NULL);
	return g_strdup(url_path + 1);
}

const char *kj_console_mime_type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
	    {".html", "text/html; charset=utf-8"},
	    {".css", "text/css; charset=utf-8"},
	    {".js", "text/javascript; charset=utf-8"},
	    {".mjs", "text/javascript; charset=utf-8"},
	    {".json", "application/json; charset=utf-8"},
	    {".svg", "image/svg+xml"},
	    {".png", "image/png"},
	    {".jpg", "image/jpeg"},
	    {".ico", "image/x-icon"},
	    {".woff2", "font/woff2"},
	    {".txt", "text/plain; charset=utf-8"},
	    {".map", "application/json; charset=utf-8"},
	};
	for (gsize i = 0; path && i < G_N_ELEMENTS(types); i++)
		if (g_str_has_suffix(path, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

char *kj_console_content_disposition(const char *filename)
{
	GString *ascii = g_string_new(NULL);
	const char *name = filename && *filename ? filename : "download";
	for (const char *p = name; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		g_string_append_c(ascii, (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\' &&
					  ch != '/' && ch != ';')
					     ? (char)ch
					     : '_');
	}
	g_autofree char *enc =
	    g_utf8_validate(name, -1, NULL) ? g_uri_escape_string(name, NULL, FALSE) : NULL;
	char *out = enc ? g_strdup_printf("attachment; filename=\"%s\"; filename*=UTF-8''%s",
					  ascii->str, enc)
			: g_strdup_printf("attachment; filename=\"%s\"", ascii->str);
	g_string_free(ascii, TRUE);
	return out;
}

char *kj_console_media_type(const char *content_type)
{
	if (!content_type)
		return NULL;
	gsize n = strcspn(content_type, ";");
	g_autofree char *t = g_strndup(content_type, n);
	g_strstrip(t);
	if (!*t || strlen(t) > 127)
		return NULL;
	return g_ascii_strdown(t, -1);
}
