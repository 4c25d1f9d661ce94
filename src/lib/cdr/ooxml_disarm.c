/*++
 * NAME
 *	ooxml_disarm - which parts of an OOXML package are kept
 * DESCRIPTION
 *	Decides for every part: removed (active or outward-reaching
 *	content, and everything not known to be inert), rewritten (XML),
 *	or kept as is (images and fonts).  Then rewrites relationships,
 *	the XML parts and [Content_Types].xml in that order, because each
 *	step needs what the one before removed.
 * SECURITY
 *	Runs in the sandboxed CDR worker.  Part names are attacker-chosen:
 *	they are compared without case, as Office does, and only ever used
 *	as strings, never as file paths.
 * LIMITS
 *	See ooxml.c.
 * STANDARDS
 *	ECMA-376 Part 2 §9 (part names, relationships); [MS-OFFMACRO]
 *	(VBA storage in OOXML).  基本方針 2(12), 6(6).
 * SEE ALSO
 *	ooxml.c, ooxml_xml.c
 *--*/
#include "cdr/ooxml_private.h"

#include <string.h>

static const char *const image_exts[] = {
    ".png", ".jpg", ".jpeg", ".jpe", ".gif",   ".bmp",     ".tif", ".tiff", ".emf",
    ".wmf", ".emz", ".wmz",  ".ico", ".odttf", ".fntdata", ".ttf", ".otf",  NULL,
};

static gboolean has_ext(const char *lower, const char *const *exts)
{
	for (guint i = 0; exts[i]; i++)
		if (g_str_has_suffix(lower, exts[i]))
			return TRUE;
	return FALSE;
}

static gboolean is_xml_name(const char *lower)
{
	return g_str_has_suffix(lower, ".xml") || g_str_has_suffix(lower, ".rels") ||
	       g_str_has_suffix(lower, ".vml");
}

/* Why a part is removed, or NULL to keep it.  lower is the lowercased
 * part name. */
static const char *removal_reason(const char *lower)
{
	const char *base = strrchr(lower, '/') ? strrchr(lower, '/') + 1 : lower;

	if (g_str_has_prefix(base, "vbaproject") || g_str_has_prefix(base, "vbadata"))
		return "VBA project removed (macros)";
	if (strstr(lower, "activex/"))
		return "ActiveX control removed";
	if (strstr(lower, "embeddings/") && !has_ext(lower, image_exts))
		return "embedded OLE object removed";
	if (strstr(lower, "externallinks/"))
		return "external workbook link removed (with any DDE link)";
	if (strcmp(base, "connections.xml") == 0 || strstr(lower, "querytables/"))
		return "data connection removed";
	if (g_str_has_prefix(lower, "customui/") || g_str_has_prefix(base, "customui"))
		return "custom UI (ribbon callbacks) removed";
	if (strstr(lower, "macrosheets/") || strstr(lower, "dialogsheets/"))
		return "Excel 4.0 macro sheet removed";
	if (strstr(lower, "printersettings/"))
		return "printer settings removed";
	if (strcmp(base, "attachedtoolbars.bin") == 0 ||
	    strcmp(base, "keymapcustomizations.xml") == 0)
		return "Word toolbar and key customisations removed (macro bindings)";
	if (g_str_has_suffix(lower, ".svg"))
		return "SVG image removed (Office shows its PNG fallback)";
	if (is_xml_name(lower) || has_ext(lower, image_exts))
		return NULL;
	return "part of a kind not known to be inert removed";
}

/* "word/_rels/document.xml.rels" -> "word/document.xml";
 * "_rels/.rels" -> "" (the package). */
static char *rels_source(const char *name)
{
	const char *slash = strrchr(name, '/');
	const char *base = slash ? slash + 1 : name;
	gsize dirlen = slash ? (gsize)(slash - name) : 0;

	if (dirlen < 5 || g_ascii_strncasecmp(name + dirlen - 5, "_rels", 5) != 0 ||
	    (dirlen > 5 && name[dirlen - 6] != '/') || !g_str_has_suffix(base, ".rels"))
		return NULL;
	g_autofree char *dir = g_strndup(name, dirlen > 5 ? dirlen - 6 : 0);
	g_autofree char *file = g_strndup(base, strlen(base) - 5);
	return *dir ? g_strconcat(dir, "/", file, NULL) : g_strdup(file);
}

static GHashTable *ids_for(OoxmlPackage *pkg, const char *source)
{
	char *key = g_ascii_strdown(source, -1);
	GHashTable *ids = g_hash_table_lookup(pkg->removed_ids, key);

	if (ids == NULL) {
		ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		g_hash_table_insert(pkg->removed_ids, key, ids);
	} else {
		g_free(key);
	}
	return ids;
}

static void remove_parts(OoxmlPackage *pkg)
{
	for (guint i = 0; i < pkg->members->len; i++) {
		KjOoxmlMember *m = pkg->members->pdata[i];
		g_autofree char *lower = g_ascii_strdown(m->name, -1);
		const char *why = removal_reason(lower);
		/* The relationships of a removed part go with it. */
		g_autofree char *src = rels_source(m->name);
		if (why == NULL && src) {
			g_autofree char *sl = g_ascii_strdown(src, -1);
			if (*sl && removal_reason(sl))
				why = "relationships of a removed part removed";
		}
		if (why == NULL)
			continue;
		_kj_cdr_note(pkg->job, m->name, why);
		g_hash_table_add(pkg->removed, g_steal_pointer(&lower));
		g_bytes_unref(m->data);
		m->data = NULL;
	}
}

static KjOoxmlMember *find_member(OoxmlPackage *pkg, const char *name)
{
	for (guint i = 0; i < pkg->members->len; i++) {
		KjOoxmlMember *m = pkg->members->pdata[i];
		if (m->data && g_ascii_strcasecmp(m->name, name) == 0)
			return m;
	}
	return NULL;
}

static gboolean set_output_kind(OoxmlPackage *pkg, const char *main_type, GError **error)
{
	static const struct {
		const char *needle, *ext, *mime;
	} kinds[] = {
	    {"wordprocessingml.document.main", "docx",
	     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	    {"wordprocessingml.template.main", "dotx",
	     "application/vnd.openxmlformats-officedocument.wordprocessingml.template"},
	    {"spreadsheetml.sheet.main", "xlsx",
	     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	    {"spreadsheetml.template.main", "xltx",
	     "application/vnd.openxmlformats-officedocument.spreadsheetml.template"},
	    {"presentationml.presentation.main", "pptx",
	     "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
	    {"presentationml.slideshow.main", "ppsx",
	     "application/vnd.openxmlformats-officedocument.presentationml.slideshow"},
	    {"presentationml.template.main", "potx",
	     "application/vnd.openxmlformats-officedocument.presentationml.template"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(kinds); i++)
		if (strstr(main_type, kinds[i].needle)) {
			pkg->out_ext = kinds[i].ext;
			pkg->out_type = kinds[i].mime;
			return TRUE;
		}
	g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_UNSUPPORTED,
		    "OOXML main part of type %s has no sanitizer", main_type);
	return FALSE;
}

static gboolean rewrite_all_rels(OoxmlPackage *pkg, GError **error)
{
	for (guint i = 0; i < pkg->members->len; i++) {
		KjOoxmlMember *m = pkg->members->pdata[i];
		if (m->data == NULL)
			continue;
		g_autofree char *src = rels_source(m->name);
		if (src == NULL)
			continue;
		if (!_kj_ooxml_rewrite_rels(pkg, m, src, ids_for(pkg, src), error))
			return FALSE;
	}
	return TRUE;
}

static gboolean rewrite_all_parts(OoxmlPackage *pkg, GError **error)
{
	for (guint i = 0; i < pkg->members->len; i++) {
		KjOoxmlMember *m = pkg->members->pdata[i];
		if (m->data == NULL || g_ascii_strcasecmp(m->name, "[Content_Types].xml") == 0)
			continue;
		g_autofree char *lower = g_ascii_strdown(m->name, -1);
		if (!is_xml_name(lower) || g_str_has_suffix(lower, ".rels"))
			continue;
		if (!_kj_ooxml_rewrite_part(pkg, m, ids_for(pkg, m->name), error))
			return FALSE;
	}
	return TRUE;
}

gboolean _kj_ooxml_disarm(OoxmlPackage *pkg, GError **error)
{
	pkg->removed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	pkg->removed_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
						 (GDestroyNotify)g_hash_table_unref);
	KjOoxmlMember *ct = find_member(pkg, "[Content_Types].xml");
	if (ct == NULL) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_CORRUPT,
			    "zip without [Content_Types].xml is not an OOXML package");
		return FALSE;
	}
	remove_parts(pkg);
	if (!rewrite_all_rels(pkg, error) || !rewrite_all_parts(pkg, error))
		return FALSE;
	const char *main_type = _kj_ooxml_rewrite_types(pkg, ct, error);
	return main_type && set_output_kind(pkg, main_type, error);
}

void _kj_ooxml_package_clear(OoxmlPackage *pkg)
{
	g_clear_pointer(&pkg->removed, g_hash_table_unref);
	g_clear_pointer(&pkg->removed_ids, g_hash_table_unref);
}
