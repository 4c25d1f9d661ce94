/*++
 * NAME
 *	ooxml_text - the text of docx, xlsx and pptx documents, for dlp/
 * DESCRIPTION
 *	Word: w:t and w:delText (tracked deletions are still in the file)
 *	of the body, headers, footers, notes and comments, one line per
 *	paragraph.  Excel: each worksheet as tab-separated rows, shared
 *	strings resolved, inline strings and numeric values included (a
 *	個人番号 typed into a cell is stored as a number).  PowerPoint: a:t
 *	of slides and notes, one line per paragraph.  Field instructions are
 *	left out: they are code, not text.
 * SECURITY
 *	Runs wherever dlp/ runs (the gateway's sandboxed worker, the CLI)
 *	on hostile packages: the same package reader and XML parser as the
 *	sanitizer (ooxml.c, ooxml_xml.c), with the same limits.
 * LIMITS
 *	KjCdrOptions archive limits; KJ_CDR_OOXML_MAX_PART.
 * STANDARDS
 *	ECMA-376 Part 1 §17.3 (paragraphs and runs), §18.3-18.4 (cells,
 *	shared strings), §21.1.2 (DrawingML text).  基本方針 6(3)①.
 * SEE ALSO
 *	dlp/dlp_file.c, ooxml.c
 *--*/
#include "cdr/ooxml_private.h"

#include <string.h>

static void text_part_free(KjOoxmlText *t)
{
	g_free(t->part);
	g_free(t->text);
	g_free(t);
}

static gboolean is(xmlNode *n, const char *local)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, local) == 0;
}

static void append_content(GString *s, xmlNode *n)
{
	xmlChar *c = xmlNodeGetContent(n);
	if (c)
		g_string_append(s, (const char *)c);
	xmlFree(c);
}

typedef struct {
	GString *out;
	GPtrArray *shared; /* char*, xlsx shared strings */
} Walk;

static void walk(Walk *w, xmlNode *n, guint depth);

static void walk_cell(Walk *w, xmlNode *c, guint depth)
{
	xmlChar *t = xmlGetProp(c, (const xmlChar *)"t");
	gboolean shared = t && strcmp((const char *)t, "s") == 0;
	xmlFree(t);
	for (xmlNode *k = c->children; k; k = k->next) {
		if (is(k, "v") && shared && w->shared) {
			xmlChar *v = xmlNodeGetContent(k);
			guint64 idx = 0;
			if (v &&
			    g_ascii_string_to_unsigned((const char *)v, 10, 0, G_MAXUINT, &idx,
						       NULL) &&
			    idx < w->shared->len)
				g_string_append(w->out, w->shared->pdata[idx]);
			xmlFree(v);
		} else if (is(k, "v")) {
			append_content(w->out, k);
		} else if (is(k, "is")) {
			walk(w, k->children, depth + 1);
		}
	}
	g_string_append_c(w->out, '\t');
}

static void walk(Walk *w, xmlNode *n, guint depth)
{
	if (depth > 256)
		return;
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is(n, "t") || is(n, "delText")) {
			append_content(w->out, n);
			continue;
		}
		if (is(n, "instrText") || is(n, "f"))
			continue;
		if (is(n, "tab"))
			g_string_append_c(w->out, '\t');
		else if (is(n, "br") || is(n, "cr"))
			g_string_append_c(w->out, '\n');
		if (is(n, "c")) {
			walk_cell(w, n, depth);
			continue;
		}
		walk(w, n->children, depth + 1);
		if (is(n, "p") || is(n, "row") || is(n, "si"))
			g_string_append_c(w->out, '\n');
	}
}

static GPtrArray *shared_strings(KjOoxmlMember *m)
{
	xmlDoc *doc = _kj_ooxml_parse(m->name, m->data, NULL);
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);

	if (doc == NULL)
		return a;
	for (xmlNode *si = xmlDocGetRootElement(doc)->children; si; si = si->next) {
		if (!is(si, "si"))
			continue;
		Walk w = {.out = g_string_new(NULL)};
		walk(&w, si->children, 0);
		g_ptr_array_add(a, g_string_free(w.out, FALSE));
	}
	xmlFreeDoc(doc);
	return a;
}

static gboolean text_part(const char *lower)
{
	static const char *const prefixes[] = {
	    "word/document", "word/header",    "word/footer", "word/footnotes",   "word/endnotes",
	    "word/comments", "xl/worksheets/", "ppt/slides/", "ppt/notesslides/", NULL,
	};
	if (!g_str_has_suffix(lower, ".xml") || strstr(lower, "_rels/"))
		return FALSE;
	for (guint i = 0; prefixes[i]; i++)
		if (g_str_has_prefix(lower, prefixes[i]))
			return TRUE;
	return FALSE;
}

GPtrArray *_kj_cdr_ooxml_text_parts(const guint8 *data, gsize len, const KjCdrOptions *opts,
				    GError **error)
{
	KjCdrOptions defaults;

	if (opts == NULL) {
		kj_cdr_options_init(&defaults);
		opts = &defaults;
	}
	GPtrArray *members = _kj_ooxml_read_package(data, len, opts, error);
	if (members == NULL)
		return NULL;
	GPtrArray *parts = g_ptr_array_new_with_free_func((GDestroyNotify)text_part_free);
	g_autoptr(GPtrArray) shared = NULL;
	for (guint i = 0; i < members->len && shared == NULL; i++) {
		KjOoxmlMember *m = members->pdata[i];
		if (g_ascii_strcasecmp(m->name, "xl/sharedStrings.xml") == 0)
			shared = shared_strings(m);
	}
	for (guint i = 0; i < members->len; i++) {
		KjOoxmlMember *m = members->pdata[i];
		g_autofree char *lower = g_ascii_strdown(m->name, -1);
		if (!text_part(lower))
			continue;
		g_autoptr(GError) perr = NULL;
		xmlDoc *doc = _kj_ooxml_parse(m->name, m->data, &perr);
		if (doc == NULL) {
			g_propagate_error(error, g_steal_pointer(&perr));
			g_ptr_array_free(parts, TRUE);
			g_ptr_array_free(members, TRUE);
			return NULL;
		}
		Walk w = {.out = g_string_new(NULL), .shared = shared};
		walk(&w, xmlDocGetRootElement(doc), 0);
		xmlFreeDoc(doc);
		KjOoxmlText *t = g_new0(KjOoxmlText, 1);
		t->part = g_strdup(m->name);
		t->text = g_string_free(w.out, FALSE);
		g_ptr_array_add(parts, t);
	}
	g_ptr_array_free(members, TRUE);
	return parts;
}

char *_kj_cdr_ooxml_text(const guint8 *data, gsize len, const KjCdrOptions *opts, GError **error)
{
	GPtrArray *parts = _kj_cdr_ooxml_text_parts(data, len, opts, error);
	if (parts == NULL)
		return NULL;
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < parts->len; i++) {
		const KjOoxmlText *t = parts->pdata[i];
		g_string_append(s, t->text);
		g_string_append_c(s, '\n');
	}
	g_ptr_array_free(parts, TRUE);
	return g_string_free(s, FALSE);
}
