/*++
 * NAME
 *	profile - what a site decides about the files it sanitizes
 * DESCRIPTION
 *	A file profile turns the options (defaults of util/limits.h, then
 *	the cdr.* configuration keys, which the front end applies first)
 *	into a site's choices: which kinds of file are accepted, blocked or
 *	converted, the PDF mode, and limits.  Built-in profiles cover the
 *	common choices; a YAML profile file, read by the front end and
 *	handed over as a buffer, names one of them as its base and changes
 *	what it lists:
 *
 *	    name: city-hall
 *	    base: default             # default | office | strict | text
 *	    types:
 *	      pdf: sanitize           # sanitize | block
 *	      image: sanitize         # sanitize | block
 *	      office: sanitize        # docx/xlsx/pptx: sanitize | block
 *	      legacy_office: convert  # doc/xls/ppt: hold | convert | block
 *	      text: sanitize          # sanitize | block   (also csv, rtf)
 *	      archive: sanitize       # sanitize | block
 *	      html: block             # HTML and SVG: block | text
 *	    converter: libreoffice    # or an absolute path
 *	    pdf: {mode: pixel, dpi: 150, max_pages: 500, max_pixels: 40000000}
 *	    image: {format: keep, max_dim: 30000, max_pixels: 100000000}
 *	    archive: {max_entries: 10000, max_total_bytes: 268435456,
 *	              max_ratio: 250, max_depth: 4}
 *	    limits: {max_input_bytes: ..., max_output_bytes: ...,
 *	             convert_timeout_s: 120, convert_memory_bytes: ...}
 *
 *	Numbers have the ranges of the matching configuration keys.  Unknown
 *	keys and values are errors naming file, line and column: a misspelt
 *	"legacy_office: block" that fell back to a default would let through
 *	what the site meant to refuse.
 * SECURITY
 *	Runs in the front end before any file is read.  The file comes from
 *	the operator but is parsed defensively: size bound, no aliases,
 *	nesting of at most two mappings, every number range-checked.
 * LIMITS
 *	KJ_CDR_PROFILE_MAX_BYTES.
 * STANDARDS
 *	YAML 1.1 via libyaml.  基本方針 2(12), 6(3)②.
 * SEE ALSO
 *	cdr.h, mime/profile.c (mail profiles, the same shape),
 *	examples/file/profile-*.yaml, docs/en/file.md.
 *--*/
#include "cdr/cdr_internal.h"

#include "util/limits.h"

#include "util/yaml.h"

#include <string.h>
#include <yaml.h>

static const char *const builtins[] = {"default", "office", "strict", "text", NULL};

const char *const *kj_cdr_profile_builtins(void)
{
	return builtins;
}

void kj_cdr_profile_free(KjCdrProfile *p)
{
	if (p == NULL)
		return;
	g_free(p->name);
	g_free(p->converter);
	g_free(p);
}

static void set_converter(KjCdrProfile *p, const char *conv)
{
	g_free(p->converter);
	p->converter = g_strdup(conv);
	p->opts.ole2_converter = p->converter;
}

/* Applies built-in profile name to p's options. */
static gboolean apply_builtin(KjCdrProfile *p, const char *name, GError **error)
{
	KjCdrOptions *o = &p->opts;

	if (strcmp(name, "default") == 0)
		return TRUE;
	if (strcmp(name, "office") == 0) {
		/* Legacy Office through LibreOffice, its PDF in pixel mode. */
		set_converter(p, "libreoffice");
		return TRUE;
	}
	if (strcmp(name, "strict") == 0) {
		o->archive_max_depth = MIN(o->archive_max_depth, 2);
		o->archive_max_entries = MIN(o->archive_max_entries, 1000);
		o->archive_max_ratio = MIN(o->archive_max_ratio, 100);
		return TRUE;
	}
	if (strcmp(name, "text") == 0) {
		/* Everything that can become text does: HTML, SVG, PDF. */
		o->html_to_text = TRUE;
		o->pdf_mode = KJ_CDR_PDF_TEXT;
		return TRUE;
	}
	GString *list = g_string_new(NULL);
	for (const char *const *b = builtins; *b; b++)
		g_string_append_printf(list, "%s%s", list->len ? ", " : "", *b);
	g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_PROFILE,
		    "unknown profile '%s' (built-in profiles: %s; or give a YAML file)", name,
		    list->str);
	g_string_free(list, TRUE);
	return FALSE;
}

KjCdrProfile *kj_cdr_profile_new(const char *builtin, const KjCdrOptions *base, GError **error)
{
	KjCdrProfile *p = g_new0(KjCdrProfile, 1);
	const char *name = builtin ? builtin : "default";

	if (base)
		p->opts = *base;
	else
		kj_cdr_options_init(&p->opts);
	p->name = g_strdup(name);
	/* A converter named in the base options is not owned here. */
	if (p->opts.ole2_converter)
		set_converter(p, p->opts.ole2_converter);
	if (!apply_builtin(p, name, error)) {
		kj_cdr_profile_free(p);
		return NULL;
	}
	return p;
}

typedef struct {
	KjYamlReader y;
	KjCdrProfile *p;
	KjCdrOptions base; /* what "base:" starts from */
} Ctx;

static gboolean fail(Ctx *c, const yaml_mark_t *m, GError **error, const char *what,
		     const char *value)
{
	return kj_yaml_fail(&c->y, m, error, what, value);
}

static gboolean next(Ctx *c, yaml_event_t *ev, GError **error)
{
	return kj_yaml_next(&c->y, ev, error);
}

/* A number in [lo, hi]; the message names the key and the range. */
static gboolean number(Ctx *c, const char *key, const char *v, const yaml_mark_t *m, guint64 lo,
		       guint64 hi, guint64 *out, GError **error)
{
	guint64 n = 0;

	if (!g_ascii_string_to_unsigned(v, 10, lo, hi, &n, NULL)) {
		g_autofree char *what =
		    g_strdup_printf("%s must be a whole number from %" G_GUINT64_FORMAT
				    " to %" G_GUINT64_FORMAT ", not",
				    key, lo, hi);
		return fail(c, m, error, what, v);
	}
	*out = n;
	return TRUE;
}

typedef struct {
	const char *key;
	guint64 lo, hi;
	gsize offset; /* in KjCdrOptions */
	gsize size;   /* sizeof the field: guint or guint64 or gsize */
} NumKey;

#define NUM(k, lo, hi, field)                                                                      \
	{                                                                                          \
		k, lo, hi, offsetof(KjCdrOptions, field), sizeof(((KjCdrOptions *)0)->field)       \
	}

/* The same ranges as the cdr.* configuration keys (config/config.c). */
static const NumKey num_keys[] = {
    NUM("pdf.dpi", KJ_CDR_PDF_DPI_MIN, KJ_CDR_PDF_DPI_CEILING, pdf_dpi),
    NUM("pdf.max_pages", 1, KJ_CDR_PDF_MAX_PAGES_CEILING, pdf_max_pages),
    NUM("pdf.max_pixels", 1000 * 1000, KJ_CDR_PDF_MAX_PIXELS_CEILING, pdf_max_pixels),
    NUM("image.max_dim", 16, KJ_CDR_IMAGE_MAX_DIM_CEILING, image_max_dim),
    NUM("image.max_pixels", 256, KJ_CDR_IMAGE_MAX_PIXELS_CEILING, image_max_pixels),
    NUM("archive.max_entries", 1, KJ_CDR_ARCHIVE_MAX_ENTRIES_CEILING, archive_max_entries),
    NUM("archive.max_total_bytes", 1024 * 1024, KJ_CDR_ARCHIVE_MAX_TOTAL_CEILING,
	archive_max_total),
    NUM("archive.max_ratio", 10, KJ_CDR_ARCHIVE_MAX_RATIO_CEILING, archive_max_ratio),
    NUM("archive.max_depth", 1, KJ_CDR_ARCHIVE_MAX_DEPTH_CEILING, archive_max_depth),
    NUM("limits.max_input_bytes", 1024 * 1024, KJ_CDR_MAX_INPUT_CEILING, max_input),
    NUM("limits.max_output_bytes", 1024 * 1024, KJ_CDR_MAX_OUTPUT_CEILING, max_output),
    NUM("limits.convert_timeout_s", 1, KJ_CDR_CONVERT_TIMEOUT_S_CEILING, convert_timeout_s),
    NUM("limits.convert_memory_bytes", KJ_CDR_CONVERT_MEMORY_MIN, KJ_CDR_CONVERT_MEMORY_CEILING,
	convert_memory),
};

static void store_num(KjCdrOptions *o, const NumKey *k, guint64 v)
{
	char *f = (char *)o + k->offset;

	if (k->size == sizeof(guint64)) {
		guint64 x = v;
		memcpy(f, &x, sizeof x);
	} else {
		guint x = (guint)v;
		memcpy(f, &x, sizeof x);
	}
}

/* types.KIND: sanitize | block (| text for html, | hold, convert for
 * legacy Office). */
static gboolean set_type(Ctx *c, const char *kind, const char *v, const yaml_mark_t *m,
			 GError **error)
{
	static const struct {
		const char *name;
		guint classes;
	} kinds[] = {
	    {"pdf", KJ_CDR_CLASS_PDF},         {"image", KJ_CDR_CLASS_IMAGE},
	    {"office", KJ_CDR_CLASS_OFFICE},   {"text", KJ_CDR_CLASS_TEXT},
	    {"archive", KJ_CDR_CLASS_ARCHIVE},
	};
	static const char *const plain[] = {"sanitize", "block", NULL};
	static const char *const html[] = {"block", "text", NULL};
	static const char *const legacy[] = {"hold", "convert", "block", NULL};
	KjCdrOptions *o = &c->p->opts;
	int i = 0;

	if (strcmp(kind, "html") == 0) {
		if (!kj_yaml_pick(v, html, &i))
			return fail(c, m, error, "types.html is block or text, not", v);
		o->html_to_text = i == 1;
		return TRUE;
	}
	if (strcmp(kind, "legacy_office") == 0) {
		if (!kj_yaml_pick(v, legacy, &i))
			return fail(c, m, error,
				    "types.legacy_office is hold, convert or block, not", v);
		o->blocked_classes &= ~(guint)KJ_CDR_CLASS_LEGACY_OFFICE;
		if (i == 0)
			set_converter(c->p, NULL);
		else if (i == 1 && c->p->converter == NULL)
			set_converter(c->p, "libreoffice");
		else if (i == 2)
			o->blocked_classes |= KJ_CDR_CLASS_LEGACY_OFFICE;
		return TRUE;
	}
	for (gsize k = 0; k < G_N_ELEMENTS(kinds); k++) {
		if (strcmp(kind, kinds[k].name) != 0)
			continue;
		if (!kj_yaml_pick(v, plain, &i)) {
			g_autofree char *what =
			    g_strdup_printf("types.%s is sanitize or block, not", kind);
			return fail(c, m, error, what, v);
		}
		if (i == 1)
			o->blocked_classes |= kinds[k].classes;
		else
			o->blocked_classes &= ~kinds[k].classes;
		return TRUE;
	}
	return fail(c, m, error,
		    "unknown type (pdf, image, office, legacy_office, text, archive, html):", kind);
}

static gboolean set_key(Ctx *c, const char *key, const char *v, const yaml_mark_t *m,
			GError **error)
{
	static const char *const modes[] = {"pixel", "structural", "text", NULL};
	static const char *const formats[] = {"png", "jpeg", "keep", NULL};
	KjCdrOptions *o = &c->p->opts;
	int i = 0;

	if (g_str_has_prefix(key, "types."))
		return set_type(c, key + 6, v, m, error);
	if (strcmp(key, "name") == 0) {
		if (*v == '\0' || strlen(v) > 64 ||
		    strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") !=
			strlen(v))
			return fail(c, m, error, "name must be letters, digits, '-' and '_':", v);
		g_free(c->p->name);
		c->p->name = g_strdup(v);
		return TRUE;
	}
	if (strcmp(key, "converter") == 0) {
		if (strcmp(v, "none") == 0) {
			set_converter(c->p, NULL);
			return TRUE;
		}
		if (g_ascii_strcasecmp(v, "libreoffice") != 0 && strcmp(v, "soffice") != 0 &&
		    !g_path_is_absolute(v))
			return fail(c, m, error,
				    "converter is libreoffice, none or an absolute path, not", v);
		set_converter(c->p, v);
		return TRUE;
	}
	if (strcmp(key, "pdf.mode") == 0) {
		if (!kj_yaml_pick(v, modes, &i))
			return fail(c, m, error, "pdf.mode is pixel, structural or text, not", v);
		o->pdf_mode = (KjCdrPdfMode)i;
		return TRUE;
	}
	if (strcmp(key, "image.format") == 0) {
		if (!kj_yaml_pick(v, formats, &i))
			return fail(c, m, error, "image.format is png, jpeg or keep, not", v);
		o->image_format = (KjCdrImageFormat)i;
		return TRUE;
	}
	if (strcmp(key, "base") == 0)
		return fail(c, m, error, "'base' must come before every key but 'name'", NULL);
	for (gsize k = 0; k < G_N_ELEMENTS(num_keys); k++) {
		if (strcmp(key, num_keys[k].key) != 0)
			continue;
		guint64 n = 0;
		if (!number(c, key, v, m, num_keys[k].lo, num_keys[k].hi, &n, error))
			return FALSE;
		store_num(o, &num_keys[k], n);
		return TRUE;
	}
	return fail(c, m, error, "unknown key", key);
}

/* "base: NAME" starts over from the configured options with a built-in. */
static gboolean set_base(Ctx *c, const char *v, const yaml_mark_t *m, GError **error)
{
	g_autoptr(GError) e = NULL;
	g_autoptr(KjCdrProfile) b = kj_cdr_profile_new(v, &c->base, &e);

	if (b == NULL)
		return fail(c, m, error, e->message, NULL);
	c->p->opts = b->opts;
	set_converter(c->p, b->converter);
	return TRUE;
}

static gboolean parse_map(Ctx *c, const char *section, GError **error)
{
	for (gboolean first = section == NULL;;) {
		yaml_event_t k, v;
		if (!next(c, &k, error))
			return FALSE;
		if (k.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&k);
			return TRUE;
		}
		g_autofree char *key = k.type == YAML_SCALAR_EVENT
					   ? g_strdup((const char *)k.data.scalar.value)
					   : NULL;
		yaml_mark_t km = k.start_mark;
		yaml_event_delete(&k);
		if (key == NULL)
			return fail(c, &km, error, "a key must be a plain name", NULL);
		g_autofree char *full =
		    section ? g_strconcat(section, ".", key, NULL) : g_strdup(key);
		if (!next(c, &v, error))
			return FALSE;
		gboolean ok;
		static const char *const sections[] = {"types",   "pdf",    "image",
						       "archive", "limits", NULL};
		if (v.type == YAML_MAPPING_START_EVENT) {
			ok =
			    section == NULL && g_strv_contains(sections, key)
				? parse_map(c, key, error)
				: fail(c, &km, error,
				       "not a section (types, pdf, image, archive, limits):", full);
		} else if (v.type != YAML_SCALAR_EVENT) {
			ok = fail(c, &v.start_mark, error, "expected a single value for", full);
		} else if (strcmp(full, "base") == 0 && first) {
			ok = set_base(c, (const char *)v.data.scalar.value, &v.start_mark, error);
		} else {
			ok = set_key(c, full, (const char *)v.data.scalar.value, &v.start_mark,
				     error);
		}
		/* "base" may follow "name" only: it would undo other keys. */
		if (strcmp(full, "name") != 0)
			first = FALSE;
		yaml_event_delete(&v);
		if (!ok)
			return FALSE;
	}
}

static gboolean parse_doc(Ctx *c, GError **error)
{
	gboolean seen = FALSE;

	for (;;) {
		yaml_event_t ev;
		if (!next(c, &ev, error))
			return FALSE;
		yaml_event_type_t t = ev.type;
		yaml_mark_t m = ev.start_mark;
		yaml_event_delete(&ev);
		if (t == YAML_STREAM_END_EVENT)
			return TRUE;
		if (t == YAML_MAPPING_START_EVENT && !seen) {
			seen = TRUE;
			if (!parse_map(c, NULL, error))
				return FALSE;
		} else if (t != YAML_STREAM_START_EVENT && t != YAML_DOCUMENT_START_EVENT &&
			   t != YAML_DOCUMENT_END_EVENT) {
			return fail(c, &m, error, "a profile is one mapping of keys to values",
				    NULL);
		}
	}
}

KjCdrProfile *kj_cdr_profile_new_from_data(const char *file, const char *data, gsize len,
					   const KjCdrOptions *base, GError **error)
{
	Ctx c = {.y = {.name = file, .domain = KJ_CDR_ERROR, .code = KJ_CDR_ERROR_PROFILE}};

	if (len > KJ_CDR_PROFILE_MAX_BYTES) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_PROFILE, "%s: larger than %d bytes",
			    file, KJ_CDR_PROFILE_MAX_BYTES);
		return NULL;
	}
	if (base)
		c.base = *base;
	else
		kj_cdr_options_init(&c.base);
	c.p = kj_cdr_profile_new("default", &c.base, NULL);
	g_free(c.p->name);
	c.p->name = g_path_get_basename(file);
	char *dot = strrchr(c.p->name, '.');
	if (dot && dot != c.p->name)
		*dot = '\0';
	if (!yaml_parser_initialize(&c.y.parser))
		g_error("libyaml cannot initialise a parser");
	yaml_parser_set_input_string(&c.y.parser, (const unsigned char *)data, len);
	gboolean ok = parse_doc(&c, error);
	yaml_parser_delete(&c.y.parser);
	if (!ok) {
		kj_cdr_profile_free(c.p);
		return NULL;
	}
	return c.p;
}
