/*++
 * NAME
 *	pdf_struct - structural PDF sanitizing: active content out, text kept
 * DESCRIPTION
 *	_kj_cdr_pdf_structural() removes from an opened PDF everything that
 *	acts rather than shows, then writes a new file from the objects
 *	still reachable from the catalog (garbage collected, renumbered, no
 *	earlier revisions):
 *
 *	catalog	OpenAction (an action; a plain destination is kept), AA,
 *		Names/JavaScript, Names/EmbeddedFiles, AlternatePresentations
 *		and Renditions, AcroForm with its XFA, the base URI and the
 *		portfolio Collection.
 *	pages	AA; FileAttachment, RichMedia, 3D, Movie, Sound and Screen
 *		annotations; the actions (A) and AA of the others, so links
 *		become inert rectangles.
 *	objects	then every object of the file, wherever it is referenced
 *		from (outlines, structure tree, forms, objects no page
 *		uses): action dictionaries of a kind other than GoTo are
 *		emptied, and the keys JS, AA, JavaScript, EmbeddedFiles, EF,
 *		RichMediaContent and XFA deleted.
 *
 *	Fonts, images and content streams are kept as they are: this mode
 *	removes what acts, not what a viewer's font and image parsers could
 *	be attacked through, which is why pixel mode is the default.  Content
 *	streams are copied unchanged (a content stream can draw but not act).
 *
 *	Every removal is noted for the report with where it was ("catalog",
 *	"page 3", "object 12"), repeats counted.  With rebuild FALSE nothing
 *	is changed: pixel mode uses that to list what the original carried.
 * SECURITY
 *	Runs in the sanitizer worker under seccomp; the PDF is hostile.
 *	Only names and dictionaries are inspected, never stream data; the
 *	walk follows direct objects only (each indirect object is visited
 *	once as itself), so reference cycles cannot loop it.
 * LIMITS
 *	KJ_CDR_PDF_MAX_OBJECTS objects, KJ_CDR_PDF_MAX_NESTING levels of
 *	direct arrays and dictionaries; the caller's memory cap and page
 *	limit.
 * STANDARDS
 *	基本方針 2(12) 無害化通信, 6(3)②, 6(6).  ISO 32000-1 12.6 (actions),
 *	12.5.6 (annotation types), 7.11.4 (embedded files), 12.7 (forms).
 * SEE ALSO
 *	pdf.c, mupdf.c
 *--*/
#include "cdr/cdr_private.h"
#include "cdr/mupdf.h"
#include "util/limits.h"

typedef struct {
	KjMupdf *m;
	fz_context *ctx;
	pdf_document *doc;
	KjCdrJob *job;
	gboolean modify;
	GHashTable *counts; /* "location\037what" -> count */
	GPtrArray *order;   /* the same keys, first seen first */
	GHashTable *done;   /* pdf_obj* already noted (inventory only) */
	guint8 *seen;       /* object numbers queued, [nobj] */
	int nobj;
	GArray *queue; /* object numbers still to sweep */
	GError *err;
} Strip;

/* Action types (the /S of an action dictionary) that are removed, with
 * what the report says.  GoTo, a jump inside the document, stays. */
static const struct {
	const char *s;
	const char *what;
} actions[] = {
    {"JavaScript", "JavaScript action removed"},
    {"Launch", "Launch action removed (starts a program or opens a file)"},
    {"GoToR", "GoToR action removed (opens another file)"},
    {"GoToE", "GoToE action removed (opens an embedded file)"},
    {"URI", "URI link made inert"},
    {"SubmitForm", "SubmitForm action removed (sends form data)"},
    {"ImportData", "ImportData action removed (reads a file)"},
    {"ResetForm", "ResetForm action removed"},
    {"Rendition", "Rendition action removed (plays media)"},
    {"RichMediaExecute", "RichMediaExecute action removed"},
    {"Sound", "Sound action removed"},
    {"Movie", "Movie action removed"},
    {"Hide", "Hide action removed"},
    {"Named", "Named action removed"},
    {"SetOCGState", "SetOCGState action removed"},
    {"GoTo3DView", "GoTo3DView action removed"},
    {"Trans", "Trans action removed"},
    {"Thread", "Thread action removed"},
};

/* Keys deleted wherever they appear. */
static const struct {
	const char *key;
	const char *what;
} keys[] = {
    {"JS", "JavaScript removed"},
    {"AA", "additional actions (AA) removed"},
    {"JavaScript", "document JavaScript removed"},
    {"EmbeddedFiles", "embedded files removed"},
    {"EF", "embedded file removed"},
    {"RichMediaContent", "RichMedia content removed"},
    {"XFA", "XFA form removed"},
};

/* Annotations removed whole from the pages' Annots arrays. */
static const struct {
	const char *subtype;
	const char *what;
} annots[] = {
    {"FileAttachment", "file attachment annotation removed"},
    {"RichMedia", "RichMedia annotation removed (embedded media)"},
    {"3D", "3D annotation removed"},
    {"Movie", "Movie annotation removed"},
    {"Sound", "Sound annotation removed"},
    {"Screen", "Screen annotation removed (embedded media)"},
};

static void note(Strip *s, const char *loc, const char *what)
{
	char *key = g_strconcat(loc, "\037", what, NULL);
	guint n = GPOINTER_TO_UINT(g_hash_table_lookup(s->counts, key));

	if (n == 0)
		g_ptr_array_add(s->order, key);
	/* An existing key stays; insert frees the new copy. */
	g_hash_table_insert(s->counts, key, GUINT_TO_POINTER(n + 1));
}

static void flush_notes(Strip *s)
{
	for (guint i = 0; i < s->order->len; i++) {
		const char *key = s->order->pdata[i];
		guint n = GPOINTER_TO_UINT(g_hash_table_lookup(s->counts, key));
		const char *sep = strchr(key, '\037');
		g_autofree char *loc = g_strndup(key, (gsize)(sep - key));
		g_autofree char *what =
		    n > 1 ? g_strdup_printf("%s (%u times)", sep + 1, n) : g_strdup(sep + 1);

		_kj_cdr_note(s->job, loc, what);
	}
}

/* TRUE the first time obj is seen; in inventory mode nothing is deleted,
 * so the object sweep would otherwise note a second time what the
 * catalog and page walks already noted. */
static gboolean first_time(Strip *s, pdf_obj *obj)
{
	obj = pdf_resolve_indirect(s->ctx, obj);
	if (!obj || s->modify)
		return TRUE;
	return g_hash_table_add(s->done, obj);
}

/* What the report says if dict is an action to remove, else NULL.  A
 * structure element also has /S (its type) but always has /P; actions
 * never do. */
static const char *action_what(fz_context *ctx, pdf_obj *dict)
{
	const char *s;

	if (!pdf_is_dict(ctx, dict) || pdf_dict_get(ctx, dict, PDF_NAME(P)))
		return NULL;
	s = pdf_to_name(ctx, pdf_dict_get(ctx, dict, PDF_NAME(S)));
	for (gsize i = 0; *s && i < G_N_ELEMENTS(actions); i++)
		if (g_str_equal(s, actions[i].s))
			return actions[i].what;
	return NULL;
}

static void empty_dict(fz_context *ctx, pdf_obj *dict)
{
	while (pdf_dict_len(ctx, dict) > 0)
		pdf_dict_del(ctx, dict, pdf_dict_get_key(ctx, dict, 0));
}

/* Deletes dict[key] (noting what) if present; TRUE if it was. */
static gboolean del_key(Strip *s, pdf_obj *dict, const char *key, const char *loc, const char *what)
{
	pdf_obj *v = pdf_dict_gets(s->ctx, dict, key);

	if (!v)
		return FALSE;
	if (first_time(s, v)) {
		note(s, loc, what);
		/* Name what an AA dictionary would have run. */
		if (g_str_equal(key, "AA") && pdf_is_dict(s->ctx, v))
			for (int i = 0; i < pdf_dict_len(s->ctx, v); i++) {
				pdf_obj *a = pdf_dict_get_val(s->ctx, v, i);
				const char *w = action_what(s->ctx, a);

				if (w && first_time(s, a))
					note(s, loc, w);
			}
	}
	if (s->modify)
		pdf_dict_dels(s->ctx, dict, key);
	return TRUE;
}

static void strip_catalog(Strip *s, pdf_obj *root)
{
	fz_context *ctx = s->ctx;
	pdf_obj *oa = pdf_dict_gets(ctx, root, "OpenAction");
	pdf_obj *names = pdf_dict_get(ctx, root, PDF_NAME(Names));
	pdf_obj *form = pdf_dict_get(ctx, root, PDF_NAME(AcroForm));

	if (pdf_is_dict(ctx, oa)) {
		const char *what = action_what(ctx, oa);
		g_autofree char *w = g_strdup_printf("OpenAction removed%s%s%s", what ? " (" : "",
						     what ? what : "", what ? ")" : "");

		del_key(s, root, "OpenAction", "catalog", w);
	}
	del_key(s, root, "AA", "catalog", "document additional actions (AA) removed");
	if (pdf_is_dict(ctx, names)) {
		del_key(s, names, "JavaScript", "catalog", "document JavaScript removed");
		del_key(s, names, "EmbeddedFiles", "catalog", "embedded files removed");
		del_key(s, names, "AlternatePresentations", "catalog",
			"alternate presentations (slide shows) removed");
		del_key(s, names, "Renditions", "catalog", "renditions (media) removed");
	}
	if (pdf_is_dict(ctx, form)) {
		del_key(s, form, "XFA", "catalog", "XFA form removed");
		del_key(s, root, "AcroForm", "catalog", "interactive form (AcroForm) removed");
	}
	del_key(s, root, "URI", "catalog", "base URI removed");
	del_key(s, root, "Collection", "catalog", "portfolio (Collection) removed");
}

static const char *annot_what(fz_context *ctx, pdf_obj *annot)
{
	const char *sub = pdf_to_name(ctx, pdf_dict_get(ctx, annot, PDF_NAME(Subtype)));

	for (gsize i = 0; *sub && i < G_N_ELEMENTS(annots); i++)
		if (g_str_equal(sub, annots[i].subtype))
			return annots[i].what;
	return NULL;
}

static void strip_annots(Strip *s, pdf_obj *arr, const char *loc)
{
	fz_context *ctx = s->ctx;

	for (int j = pdf_array_len(ctx, arr) - 1; j >= 0; j--) {
		pdf_obj *a = pdf_array_get(ctx, arr, j);
		const char *what = annot_what(ctx, a);
		pdf_obj *act;

		if (what) {
			if (first_time(s, a))
				note(s, loc, what);
			if (s->modify)
				pdf_array_delete(ctx, arr, j);
			continue;
		}
		if (!pdf_is_dict(ctx, a))
			continue;
		act = pdf_dict_get(ctx, a, PDF_NAME(A));
		what = action_what(ctx, act);
		if (what && first_time(s, act)) {
			note(s, loc, what);
			if (s->modify)
				pdf_dict_del(ctx, a, PDF_NAME(A));
		}
		del_key(s, a, "AA", loc, "annotation additional actions (AA) removed");
	}
}

static void strip_pages(Strip *s)
{
	fz_context *ctx = s->ctx;
	int n = pdf_count_pages(ctx, s->doc);

	for (int i = 0; i < n; i++) {
		pdf_obj *page = pdf_lookup_page_obj(ctx, s->doc, i);
		pdf_obj *arr = pdf_dict_get(ctx, page, PDF_NAME(Annots));
		char loc[32];

		g_snprintf(loc, sizeof loc, "page %d", i + 1);
		del_key(s, page, "AA", loc, "page additional actions (AA) removed");
		if (pdf_is_array(ctx, arr))
			strip_annots(s, arr, loc);
	}
}

static void sweep_obj(Strip *s, pdf_obj *obj, const char *loc, int depth);

static void sweep_dict(Strip *s, pdf_obj *dict, const char *loc, int depth)
{
	fz_context *ctx = s->ctx;
	const char *what = action_what(ctx, dict);

	if (what) {
		if (first_time(s, dict))
			note(s, loc, what);
		if (s->modify)
			empty_dict(ctx, dict);
		return;
	}
	/* An annotation the page walk already listed for removal. */
	if (!s->modify && annot_what(ctx, dict) && g_hash_table_contains(s->done, dict))
		return;
	for (int i = pdf_dict_len(ctx, dict) - 1; i >= 0; i--) {
		const char *k = pdf_to_name(ctx, pdf_dict_get_key(ctx, dict, i));
		pdf_obj *v = pdf_dict_get_val(ctx, dict, i);
		gboolean deleted = FALSE;

		for (gsize j = 0; j < G_N_ELEMENTS(keys) && !deleted; j++)
			if (g_str_equal(k, keys[j].key))
				deleted = del_key(s, dict, k, loc, keys[j].what);
		if (!deleted)
			sweep_obj(s, v, loc, depth + 1);
	}
}

/* Direct objects are walked here; indirect ones are queued, each once,
 * and walked as themselves (so cycles end and locations name them). */
static void sweep_obj(Strip *s, pdf_obj *obj, const char *loc, int depth)
{
	fz_context *ctx = s->ctx;

	if (pdf_is_indirect(ctx, obj)) {
		int num = pdf_to_num(ctx, obj);

		if (num > 0 && num < s->nobj && !s->seen[num]) {
			s->seen[num] = 1;
			g_array_append_val(s->queue, num);
		}
		return;
	}
	if (depth > KJ_CDR_PDF_MAX_NESTING) {
		if (!s->err)
			g_set_error(&s->err, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT,
				    "%s: objects nested deeper than %d levels", loc,
				    KJ_CDR_PDF_MAX_NESTING);
		fz_throw(ctx, FZ_ERROR_GENERIC, "nesting limit");
	}
	if (pdf_is_dict(ctx, obj)) {
		sweep_dict(s, obj, loc, depth);
	} else if (pdf_is_array(ctx, obj)) {
		for (int i = 0; i < pdf_array_len(ctx, obj); i++)
			sweep_obj(s, pdf_array_get(ctx, obj, i), loc, depth + 1);
	}
}

/* One object of the file; objects that cannot be read are skipped here
 * (writing the file fails on them later if they matter). */
static void sweep_one(Strip *s, int num)
{
	fz_context *ctx = s->ctx;
	pdf_obj *volatile obj = NULL;
	char loc[32];

	g_snprintf(loc, sizeof loc, "object %d", num);
	fz_try(ctx)
	{
		obj = pdf_load_object(ctx, s->doc, num);
		sweep_obj(s, obj, loc, 0);
	}
	fz_always(ctx) pdf_drop_obj(ctx, obj);
	fz_catch(ctx)
	{
		if (s->err || s->m->refused || fz_caught(ctx) == FZ_ERROR_MEMORY ||
		    fz_caught(ctx) == FZ_ERROR_ABORT)
			fz_rethrow(ctx);
	}
}

/* Every object reachable from the trailer: exactly what a garbage
 * collected save writes. */
static void sweep_all(Strip *s)
{
	fz_context *ctx = s->ctx;
	guint done = 0;

	s->nobj = pdf_xref_len(ctx, s->doc);
	if (s->nobj > KJ_CDR_PDF_MAX_OBJECTS) {
		g_set_error(&s->err, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT,
			    "PDF has %d objects, more than the limit of %d", s->nobj,
			    KJ_CDR_PDF_MAX_OBJECTS);
		fz_throw(ctx, FZ_ERROR_GENERIC, "object limit");
	}
	s->seen = g_malloc0((gsize)MAX(s->nobj, 1));
	s->queue = g_array_new(FALSE, FALSE, sizeof(int));
	sweep_obj(s, pdf_trailer(ctx, s->doc), "trailer", 0);
	while (s->queue->len > 0) {
		int num = g_array_index(s->queue, int, s->queue->len - 1);

		g_array_set_size(s->queue, s->queue->len - 1);
		if ((++done & 1023) == 0)
			_kj_mupdf_check_time(s->m);
		sweep_one(s, num);
	}
}

/* Replaces the page tree by one flat node listing the pages MuPDF
 * found, with inherited attributes copied into each page.  A malformed
 * tree (kids that are not pages, cycles, wrong counts) that MuPDF read
 * by repair would otherwise be written back as it was, and the output
 * would not open (found with T02-02_003_page-tree-different-kids.pdf). */
static void flatten_pages(Strip *s, pdf_obj *root)
{
	fz_context *ctx = s->ctx;
	int n = pdf_count_pages(ctx, s->doc);
	pdf_obj *volatile node = NULL, *volatile kids = NULL;

	fz_try(ctx)
	{
		kids = pdf_new_array(ctx, s->doc, n);
		for (int i = 0; i < n; i++) {
			pdf_obj *page = pdf_lookup_page_obj(ctx, s->doc, i);

			pdf_flatten_inheritable_page_items(ctx, page);
			if (pdf_is_indirect(ctx, page))
				pdf_array_push(ctx, kids, page);
			else
				pdf_array_push_drop(ctx, kids, pdf_add_object(ctx, s->doc, page));
		}
		node = pdf_add_new_dict(ctx, s->doc, 3);
		pdf_dict_put(ctx, node, PDF_NAME(Type), PDF_NAME(Pages));
		pdf_dict_put_int(ctx, node, PDF_NAME(Count), n);
		pdf_dict_put(ctx, node, PDF_NAME(Kids), kids);
		for (int i = 0; i < n; i++)
			pdf_dict_put(ctx, pdf_array_get(ctx, kids, i), PDF_NAME(Parent), node);
		pdf_dict_put(ctx, root, PDF_NAME(Pages), node);
	}
	fz_always(ctx)
	{
		pdf_drop_obj(ctx, kids);
		pdf_drop_obj(ctx, node);
	}
	fz_catch(ctx) fz_rethrow(ctx);
}

/* The rebuilt file must open with the same pages: MuPDF writes back
 * some damage it repaired on reading. */
static void verify_output(Strip *s)
{
	fz_context *ctx = s->ctx;
	int want = pdf_count_pages(ctx, s->doc);
	fz_stream *stm = fz_open_memory(ctx, s->job->out->data, s->job->out->len);
	pdf_document *volatile out = NULL;
	fz_page *volatile page = NULL;

	fz_try(ctx)
	{
		out = pdf_open_document_with_stream(ctx, stm);
		if (pdf_count_pages(ctx, out) != want)
			fz_throw(ctx, FZ_ERROR_GENERIC, "rebuilt file has %d pages, not %d",
				 pdf_count_pages(ctx, out), want);
		for (int i = 0; i < want; i++) {
			page = fz_load_page(ctx, &out->super, i);
			fz_drop_page(ctx, page);
			page = NULL;
		}
	}
	fz_always(ctx)
	{
		fz_drop_page(ctx, page);
		pdf_drop_document(ctx, out);
		fz_drop_stream(ctx, stm);
	}
	fz_catch(ctx) fz_rethrow(ctx);
}

static void strip_run(Strip *s)
{
	fz_context *ctx = s->ctx;
	pdf_obj *root = pdf_dict_get(ctx, pdf_trailer(ctx, s->doc), PDF_NAME(Root));

	if (s->modify)
		flatten_pages(s, root);
	strip_catalog(s, root);
	strip_pages(s);
	sweep_all(s);
	if (s->modify) {
		pdf_write_options wo = pdf_default_write_options;

		if (pdf_count_versions(ctx, s->doc) > 1)
			note(s, "document", "earlier revisions (incremental updates) dropped");
		wo.do_compress = 1;
		wo.do_compress_images = 1;
		wo.do_compress_fonts = 1;
		wo.do_garbage = 2;
		_kj_cdr_pdf_write(ctx, s->doc, &wo, s->job->out, s->job->len,
				  s->job->opts->max_output ? s->job->opts->max_output
							   : (gsize)KJ_CDR_MAX_OUTPUT_DEFAULT,
				  &s->err);
		verify_output(s);
	}
}

gboolean _kj_cdr_pdf_structural(KjMupdf *m, pdf_document *doc, KjCdrJob *job, gboolean rebuild,
				GError **error)
{
	Strip *s = g_new0(Strip, 1);
	gboolean ok = TRUE;

	s->m = m;
	s->ctx = m->ctx;
	s->doc = doc;
	s->job = job;
	s->modify = rebuild;
	s->counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	s->order = g_ptr_array_new();
	s->done = g_hash_table_new(NULL, NULL);
	fz_try(m->ctx) strip_run(s);
	fz_catch(m->ctx)
	{
		ok = FALSE;
		if (s->err)
			g_propagate_error(error, g_steal_pointer(&s->err));
		else
			_kj_mupdf_error(m, error, rebuild ? "PDF rebuild" : "PDF");
	}
	if (ok) {
		flush_notes(s);
		if (rebuild)
			_kj_cdr_note(job, "document", "rebuilt without active content (text kept)");
	}
	g_hash_table_unref(s->counts);
	g_ptr_array_unref(s->order);
	g_hash_table_unref(s->done);
	if (s->queue)
		g_array_unref(s->queue);
	g_free(s->seen);
	g_clear_error(&s->err);
	g_free(s);
	return ok;
}
