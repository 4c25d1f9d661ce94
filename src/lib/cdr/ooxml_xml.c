/*++
 * NAME
 *	ooxml_xml - XML parts of an OOXML package parsed safely and rewritten
 * DESCRIPTION
 *	_kj_ooxml_parse() is the one way kyojin reads OOXML XML: no entity
 *	substitution, no DTD loading, no network, and any DOCTYPE refused
 *	(ECMA-376 parts never have one; a DOCTYPE is an entity bomb or an
 *	external-entity probe).
 *
 *	Relationships: a relationship to a removed part, to a template
 *	(attachedTemplate, remote template injection), or any external one
 *	other than a hyperlink is removed, and the elements of its source
 *	part that name its id (r:id, r:embed, r:link ...) go too; an
 *	external hyperlink keeps its element and text and gets the inert
 *	target about:blank.
 *
 *	Fields: Word fields whose instruction is DDE, DDEAUTO, INCLUDETEXT,
 *	INCLUDEPICTURE, LINK or IMPORT (code that reaches outside the
 *	document) lose their instruction and keep their shown result, in
 *	both forms: w:fldSimple and the w:fldChar/w:instrText sequence.  The
 *	instruction is read with the text of nested fields, so a DDE built
 *	from { QUOTE 68 68 69 } is still a DDE.  Excel formulas with a DDE
 *	reference (app|topic!item) lose the formula and keep the cached value.
 * SECURITY
 *	Runs in the sandboxed CDR worker on hostile XML.  libxml2's own
 *	limits bound depth (256) and text node sizes (no XML_PARSE_HUGE).
 *	Nodes are collected first and unlinked after, never freed while a
 *	walk is on them; a removed node's descendants are not freed twice.
 * LIMITS
 *	libxml2 defaults; KJ_CDR_OOXML_MAX_PART (ooxml_private.h).
 * STANDARDS
 *	ECMA-376 Part 1 §17.16 (fields), §18.17 (formulas); Part 2 §9.3
 *	(relationships), §10.1.2 (content types).  基本方針 2(12), 6(6).
 * SEE ALSO
 *	ooxml_disarm.c, ooxml_text.c
 *--*/
#include "cdr/ooxml_private.h"

#include <libxml/parser.h>
#include <string.h>

xmlDoc *_kj_ooxml_parse(const char *part, GBytes *data, GError **error)
{
	gsize len = 0;
	const char *p = g_bytes_get_data(data, &len);

	if (len > G_MAXINT || (p && g_strstr_len(p, (gssize)MIN(len, (gsize)4096), "<!DOCTYPE"))) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_CORRUPT,
			    "%s: DOCTYPE in an OOXML part (entity attack)", part);
		return NULL;
	}
	xmlDoc *doc = xmlReadMemory(p ? p : "", (int)len, NULL, NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc && (doc->intSubset || doc->extSubset)) {
		xmlFreeDoc(doc);
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_CORRUPT,
			    "%s: DOCTYPE in an OOXML part (entity attack)", part);
		return NULL;
	}
	if (doc == NULL || xmlDocGetRootElement(doc) == NULL) {
		if (doc)
			xmlFreeDoc(doc);
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_CORRUPT, "%s: not well-formed XML",
			    part);
		return NULL;
	}
	return doc;
}

GBytes *_kj_ooxml_serialize(xmlDoc *doc)
{
	xmlChar *buf = NULL;
	int size = 0;

	xmlDocDumpMemoryEnc(doc, &buf, &size, "UTF-8");
	GBytes *b = g_bytes_new(buf, size > 0 ? (gsize)size : 0);
	xmlFree(buf);
	return b;
}

static const char *attr(xmlNode *n, const char *name)
{
	for (xmlAttr *a = n->properties; a; a = a->next)
		if (strcmp((const char *)a->name, name) == 0 && a->children && a->children->content)
			return (const char *)a->children->content;
	return "";
}

static gboolean is(xmlNode *n, const char *local)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, local) == 0;
}

/* Every element in document order. */
static void collect(xmlNode *n, GPtrArray *out)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		g_ptr_array_add(out, n);
		collect(n->children, out);
	}
}

/* Unlinks and frees the marked nodes whose ancestors are not marked. */
static void remove_marked(GHashTable *marked)
{
	GPtrArray *top = g_ptr_array_new();
	GHashTableIter it;
	gpointer key;

	g_hash_table_iter_init(&it, marked);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		gboolean inner = FALSE;
		for (xmlNode *a = ((xmlNode *)key)->parent; a && !inner; a = a->parent)
			inner = g_hash_table_contains(marked, a);
		if (!inner)
			g_ptr_array_add(top, key);
	}
	for (guint i = 0; i < top->len; i++) {
		xmlNode *n = top->pdata[i];
		xmlNode *parent = n->parent;
		xmlUnlinkNode(n);
		xmlFreeNode(n);
		/* Containers the schema wants non-empty go when emptied. */
		if (parent && parent->type == XML_ELEMENT_NODE &&
		    xmlFirstElementChild(parent) == NULL &&
		    (is(parent, "externalReferences") || is(parent, "oleObjects") ||
		     is(parent, "controls"))) {
			xmlUnlinkNode(parent);
			xmlFreeNode(parent);
		}
	}
	g_ptr_array_free(top, TRUE);
}

static char *resolve_target(const char *source, const char *target)
{
	if (target[0] == '/')
		return g_ascii_strdown(target + 1, -1);
	const char *slash = strrchr(source, '/');
	g_autofree char *dir = slash ? g_strndup(source, (gsize)(slash - source)) : g_strdup("");
	g_autofree char *path = *dir ? g_strconcat(dir, "/", target, NULL) : g_strdup(target);
	g_auto(GStrv) parts = g_strsplit(path, "/", -1);
	GPtrArray *stack = g_ptr_array_new();
	for (guint i = 0; parts[i]; i++) {
		if (strcmp(parts[i], "..") == 0) {
			if (stack->len)
				g_ptr_array_set_size(stack, (gint)stack->len - 1);
		} else if (*parts[i] && strcmp(parts[i], ".") != 0) {
			g_ptr_array_add(stack, parts[i]);
		}
	}
	g_ptr_array_add(stack, NULL);
	g_autofree char *joined = g_strjoinv("/", (char **)stack->pdata);
	g_ptr_array_free(stack, TRUE);
	return g_ascii_strdown(joined, -1);
}

/* Relationship types removed whatever their target is called: the part
 * names removal_reason() knows are only Office's defaults. */
static const char *const active_types[] = {
    "/vbaProject",    "/wordVbaData",      "/control",          "/activeXControlBinary",
    "/oleObject",     "/externalLink",     "/connections",      "/queryTable",
    "/extensibility", "/printerSettings",  "/attachedToolbars", "/keyMapCustomizations",
    "/xlMacrosheet",  "/xlIntlMacrosheet", "/dialogsheet",      NULL,
};

/* What to do with one relationship: NULL keep, else the note. */
static const char *rel_verdict(OoxmlPackage *pkg, const char *source, xmlNode *rel, gboolean *inert)
{
	const char *type = attr(rel, "Type");
	const char *target = attr(rel, "Target");

	*inert = FALSE;
	if (g_str_has_suffix(type, "/attachedTemplate"))
		return "template relationship removed (remote template injection)";
	if (g_ascii_strcasecmp(attr(rel, "TargetMode"), "External") == 0) {
		if (g_str_has_suffix(type, "/hyperlink")) {
			*inert = TRUE;
			return strcmp(target, "about:blank") ? "external hyperlink made inert"
							     : NULL;
		}
		return "external relationship removed";
	}
	for (guint i = 0; active_types[i]; i++)
		if (g_str_has_suffix(type, active_types[i]))
			return "relationship to active content removed";

	/* A malformed internal target resolves to no removed part and is
	 * kept: it names nothing in the new package either. */
	g_autofree char *abs = resolve_target(source, target);
	if (g_hash_table_contains(pkg->removed, abs))
		return "relationship to a removed part removed";
	return NULL;
}

gboolean _kj_ooxml_rewrite_rels(OoxmlPackage *pkg, KjOoxmlMember *m, const char *source,
				GHashTable *ids, GError **error)
{
	xmlDoc *doc = _kj_ooxml_parse(m->name, m->data, error);
	if (doc == NULL)
		return FALSE;
	g_autoptr(GHashTable) marked = g_hash_table_new(NULL, NULL);
	for (xmlNode *r = xmlDocGetRootElement(doc)->children; r; r = r->next) {
		gboolean inert;
		if (!is(r, "Relationship"))
			continue;
		const char *why = rel_verdict(pkg, source, r, &inert);
		if (why == NULL)
			continue;
		g_autofree char *loc = g_strdup_printf("%s#%s", m->name, attr(r, "Id"));
		_kj_cdr_note(pkg->job, loc, why);
		if (inert) {
			xmlSetProp(r, (const xmlChar *)"Target", (const xmlChar *)"about:blank");
			continue;
		}
		g_hash_table_add(ids, g_strdup(attr(r, "Id")));
		g_hash_table_add(marked, r);
	}
	remove_marked(marked);
	g_bytes_unref(m->data);
	m->data = _kj_ooxml_serialize(doc);
	xmlFreeDoc(doc);
	return TRUE;
}

static gboolean refers_to(xmlNode *n, GHashTable *ids)
{
	for (xmlAttr *a = n->properties; a; a = a->next)
		if (a->ns && a->ns->href &&
		    (strcmp((const char *)a->ns->href, OOXML_REL_NS) == 0 ||
		     strcmp((const char *)a->ns->href, OOXML_REL_NS_STRICT) == 0) &&
		    a->children && a->children->content &&
		    g_hash_table_contains(ids, a->children->content))
			return TRUE;
	return FALSE;
}

static gboolean instr_is_active(const char *instr)
{
	static const char *const bad[] = {"DDE",  "DDEAUTO", "INCLUDETEXT", "INCLUDEPICTURE",
					  "LINK", "IMPORT",  NULL};
	const char *p = instr;
	while (*p && !g_ascii_isalpha(*p))
		p++;
	gsize n = 0;
	while (g_ascii_isalpha(p[n]))
		n++;
	for (guint i = 0; bad[i]; i++)
		if (n == strlen(bad[i]) && g_ascii_strncasecmp(p, bad[i], n) == 0)
			return TRUE;
	return FALSE;
}

typedef struct {
	GPtrArray *nodes; /* fldChar and instrText elements of this field */
	GString *instr;
	gboolean in_instr;
} Field;

static void field_free(Field *f)
{
	g_ptr_array_free(f->nodes, TRUE);
	g_string_free(f->instr, TRUE);
	g_free(f);
}

static void field_end(OoxmlPackage *pkg, KjOoxmlMember *m, Field *f, GHashTable *marked)
{
	if (instr_is_active(f->instr->str)) {
		_kj_cdr_note(pkg->job, m->name,
			     "DDE or external-content field removed (result kept)");
		for (guint i = 0; i < f->nodes->len; i++)
			g_hash_table_add(marked, f->nodes->pdata[i]);
	}
	field_free(f);
}

static void append_instr(Field *f, xmlNode *n)
{
	if (!f->in_instr || f->instr->len >= 4096)
		return;
	xmlChar *c = xmlNodeGetContent(n);
	g_string_append(f->instr, c ? (const char *)c : "");
	xmlFree(c);
}

/* Word complex fields: begin, instruction, separate, result, end. */
static void word_fields(OoxmlPackage *pkg, KjOoxmlMember *m, GPtrArray *all, GHashTable *marked)
{
	GPtrArray *stack = g_ptr_array_new_with_free_func((GDestroyNotify)field_free);

	for (guint i = 0; i < all->len; i++) {
		xmlNode *n = all->pdata[i];
		Field *top = stack->len ? stack->pdata[stack->len - 1] : NULL;
		if (is(n, "fldChar")) {
			const char *t = attr(n, "fldCharType");
			if (strcmp(t, "begin") == 0) {
				Field *f = g_new0(Field, 1);
				f->nodes = g_ptr_array_new();
				f->instr = g_string_new(NULL);
				f->in_instr = TRUE;
				g_ptr_array_add(f->nodes, n);
				g_ptr_array_add(stack, f);
			} else if (top && strcmp(t, "separate") == 0) {
				g_ptr_array_add(top->nodes, n);
				top->in_instr = FALSE;
			} else if (top && strcmp(t, "end") == 0) {
				g_ptr_array_add(top->nodes, n);
				field_end(pkg, m, g_ptr_array_steal_index(stack, stack->len - 1),
					  marked);
			}
		} else if (top && is(n, "instrText")) {
			g_ptr_array_add(top->nodes, n);
			append_instr(top, n);
		} else if (is(n, "t")) {
			/* The shown result of a nested field is part of the
			 * instruction of every field still reading one. */
			for (guint k = 0; k < stack->len; k++)
				append_instr(stack->pdata[k], n);
		}
	}
	/* Unterminated fields: Word runs them to the end of the document. */
	while (stack->len)
		field_end(pkg, m, g_ptr_array_steal_index(stack, stack->len - 1), marked);
	g_ptr_array_free(stack, TRUE);
}

/* w:fldSimple: keep the result runs, drop the element. */
static void unwrap(xmlNode *n)
{
	while (n->children) {
		xmlNode *c = n->children;
		xmlUnlinkNode(c);
		xmlAddPrevSibling(n, c);
	}
}

static void simple_and_formulas(OoxmlPackage *pkg, KjOoxmlMember *m, GPtrArray *all,
				GHashTable *marked)
{
	for (guint i = 0; i < all->len; i++) {
		xmlNode *n = all->pdata[i];
		if (g_hash_table_contains(marked, n))
			continue;
		if (is(n, "fldSimple") && instr_is_active(attr(n, "instr"))) {
			_kj_cdr_note(pkg->job, m->name,
				     "DDE or external-content field removed (result kept)");
			xmlSetProp(n, (const xmlChar *)"instr", (const xmlChar *)"");
			unwrap(n);
			g_hash_table_add(marked, n);
		} else if (is(n, "f") && g_ascii_strncasecmp(m->name, "xl/", 3) == 0) {
			g_autofree char *c = (char *)xmlNodeGetContent(n);
			if (c && strchr(c, '|') && strchr(c, '!')) {
				_kj_cdr_note(pkg->job, m->name, "DDE formula removed (value kept)");
				g_hash_table_add(marked, n);
			}
		}
	}
}

gboolean _kj_ooxml_rewrite_part(OoxmlPackage *pkg, KjOoxmlMember *m, GHashTable *ids,
				GError **error)
{
	xmlDoc *doc = _kj_ooxml_parse(m->name, m->data, error);
	if (doc == NULL)
		return FALSE;
	GPtrArray *all = g_ptr_array_new();
	g_autoptr(GHashTable) marked = g_hash_table_new(NULL, NULL);
	collect(xmlDocGetRootElement(doc), all);
	if (g_hash_table_size(ids))
		for (guint i = 0; i < all->len; i++)
			if (refers_to(all->pdata[i], ids))
				g_hash_table_add(marked, all->pdata[i]);
	remove_marked(marked);
	g_hash_table_remove_all(marked);
	g_ptr_array_set_size(all, 0);
	collect(xmlDocGetRootElement(doc), all);
	word_fields(pkg, m, all, marked);
	simple_and_formulas(pkg, m, all, marked);
	remove_marked(marked);
	g_ptr_array_free(all, TRUE);
	g_bytes_unref(m->data);
	m->data = _kj_ooxml_serialize(doc);
	xmlFreeDoc(doc);
	return TRUE;
}

/* Macro-enabled main parts and their macro-free types. */
static const struct {
	const char *from, *to;
} macro_free[] = {
    {"application/vnd.ms-word.document.macroEnabled.main+xml",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"},
    {"application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"},
    {"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"},
    {"application/vnd.ms-excel.template.macroEnabled.main+xml",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml"},
    {"application/vnd.ms-excel.addin.macroEnabled.main+xml",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"},
    {"application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
     "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"},
    {"application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml",
     "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml"},
    {"application/vnd.ms-powerpoint.template.macroEnabled.main+xml",
     "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml"},
    {"application/vnd.ms-powerpoint.addin.macroEnabled.main+xml",
     "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"},
};

static const char *known_main(const char *ct)
{
	for (guint i = 0; i < G_N_ELEMENTS(macro_free); i++)
		if (g_ascii_strcasecmp(ct, macro_free[i].from) == 0 ||
		    g_ascii_strcasecmp(ct, macro_free[i].to) == 0)
			return macro_free[i].to;
	return NULL;
}

static gboolean type_override_gone(OoxmlPackage *pkg, xmlNode *n)
{
	const char *name = attr(n, "PartName");
	g_autofree char *lower = g_ascii_strdown(name[0] == '/' ? name + 1 : name, -1);
	return g_hash_table_contains(pkg->removed, lower);
}

const char *_kj_ooxml_rewrite_types(OoxmlPackage *pkg, KjOoxmlMember *m, GError **error)
{
	xmlDoc *doc = _kj_ooxml_parse(m->name, m->data, error);
	const char *main_type = NULL;
	gboolean binary = FALSE;

	if (doc == NULL)
		return NULL;
	g_autoptr(GHashTable) marked = g_hash_table_new(NULL, NULL);
	for (xmlNode *n = xmlDocGetRootElement(doc)->children; n; n = n->next) {
		const char *ct = attr(n, "ContentType");
		if (is(n, "Default") && (strstr(ct, "vbaProject") || strstr(ct, "activeX") ||
					 strstr(ct, "oleObject") || strstr(ct, "printerSettings")))
			g_hash_table_add(marked, n);
		if (!is(n, "Override"))
			continue;
		if (type_override_gone(pkg, n)) {
			g_hash_table_add(marked, n);
			continue;
		}
		binary |= strstr(ct, ".binary.") != NULL;
		const char *to = known_main(ct);
		if (to == NULL || main_type)
			continue;
		main_type = to;
		if (g_ascii_strcasecmp(ct, to) != 0) {
			_kj_cdr_note(pkg->job, attr(n, "PartName"),
				     "macro-enabled document type made macro-free");
			xmlSetProp(n, (const xmlChar *)"ContentType", (const xmlChar *)to);
		}
	}
	remove_marked(marked);
	if (main_type) {
		g_bytes_unref(m->data);
		m->data = _kj_ooxml_serialize(doc);
	} else {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_UNSUPPORTED,
			    binary ? "binary workbook (xlsb) cannot be disarmed part by part"
				   : "OOXML package without a known main document part");
	}
	xmlFreeDoc(doc);
	return main_type;
}
