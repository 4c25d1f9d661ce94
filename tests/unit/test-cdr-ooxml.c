/* test-cdr-ooxml.c - the OOXML engine (cdr/ooxml*.c): generated packages
 * with every dangerous construct, the oletools corpus read in place, and
 * proof after each run that the construct is gone and the output opens. */
#include "cdr/ooxml_private.h"

#include <archive.h>
#include <archive_entry.h>
#include <libxml/parser.h>
#include <string.h>

#define CT_NS "http://schemas.openxmlformats.org/package/2006/content-types"
#define PR_NS "http://schemas.openxmlformats.org/package/2006/relationships"
#define W_NS "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

/* Builds a zip from NULL-terminated name, content pairs (content may be
 * binary when given with an explicit length through build_zip_n). */
static GBytes *build_zip(const char *const *pairs)
{
	struct archive *a = archive_write_new();
	size_t used = 0;
	gsize cap = 1 << 20;
	guint8 *buf = g_malloc(cap);

	archive_write_set_format_zip(a);
	g_assert_cmpint(archive_write_open_memory(a, buf, cap, &used), ==, ARCHIVE_OK);
	for (guint i = 0; pairs[i]; i += 2) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, pairs[i]);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)strlen(pairs[i + 1]));
		g_assert_cmpint(archive_write_header(a, e), ==, ARCHIVE_OK);
		archive_write_data(a, pairs[i + 1], strlen(pairs[i + 1]));
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	return g_bytes_new_take(buf, used);
}

typedef struct {
	KjCdrJob job;
	KjCdrOptions opts;
	GError *error;
	gboolean ok;
} Run;

static void action_free(KjCdrAction *a)
{
	g_free(a->location);
	g_free(a->what);
	g_free(a);
}

static Run *run_engine(GBytes *in)
{
	Run *r = g_new0(Run, 1);
	gsize len;

	kj_cdr_options_init(&r->opts);
	r->job.data = g_bytes_get_data(in, &len);
	r->job.len = len;
	r->job.name = "test";
	r->job.detected = "application/zip";
	r->job.opts = &r->opts;
	r->job.actions = g_ptr_array_new_with_free_func((GDestroyNotify)action_free);
	r->job.limits_hit = g_ptr_array_new_with_free_func(g_free);
	r->ok = _kj_cdr_ooxml(&r->job, &r->error);
	return r;
}

static void run_free(Run *r)
{
	if (r->job.out)
		g_byte_array_unref(r->job.out);
	g_ptr_array_free(r->job.actions, TRUE);
	g_ptr_array_free(r->job.limits_hit, TRUE);
	g_clear_error(&r->error);
	g_free(r);
}

static gboolean noted(const Run *r, const char *what)
{
	for (guint i = 0; i < r->job.actions->len; i++) {
		const KjCdrAction *a = r->job.actions->pdata[i];
		if (strstr(a->what, what))
			return TRUE;
	}
	return FALSE;
}

static gboolean instr_has_dde(const char *s)
{
	while (*s == ' ')
		s++;
	return g_ascii_strncasecmp(s, "DDE", 3) == 0;
}

/* Checks one XML part of the output for what must be gone. */
static void check_part(const char *name, const char *data, gsize len)
{
	xmlDoc *doc = xmlReadMemory(data, (int)len, NULL, NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL)
		g_error("output part %s does not parse", name);
	g_assert_null(doc->intSubset);
	GPtrArray *stack = g_ptr_array_new();
	g_ptr_array_add(stack, xmlDocGetRootElement(doc));
	GString *instr = g_string_new(NULL);
	while (stack->len) {
		xmlNode *n = g_ptr_array_steal_index(stack, stack->len - 1);
		for (xmlNode *c = n->children; c; c = c->next)
			if (c->type == XML_ELEMENT_NODE)
				g_ptr_array_add(stack, c);
		const char *nm = (const char *)n->name;
		xmlChar *mode = xmlGetProp(n, (const xmlChar *)"TargetMode");
		xmlChar *target = xmlGetProp(n, (const xmlChar *)"Target");
		if (mode && g_ascii_strcasecmp((char *)mode, "External") == 0)
			g_assert_cmpstr((char *)target, ==, "about:blank");
		xmlFree(mode);
		xmlFree(target);
		if (strcmp(nm, "instrText") == 0) {
			xmlChar *c = xmlNodeGetContent(n);
			g_assert_false(instr_has_dde((char *)c));
			xmlFree(c);
		}
		xmlChar *in = xmlGetProp(n, (const xmlChar *)"instr");
		if (in)
			g_assert_false(instr_has_dde((char *)in));
		xmlFree(in);
		xmlChar *ct = xmlGetProp(n, (const xmlChar *)"ContentType");
		if (ct)
			g_assert_null(strstr((char *)ct, "macroEnabled"));
		xmlFree(ct);
		g_assert_cmpstr(nm, !=, "attachedTemplate");
	}
	g_string_free(instr, TRUE);
	g_ptr_array_free(stack, TRUE);
	xmlFreeDoc(doc);
}

/* The output reopens with libarchive; every XML part parses; nothing
 * dangerous is left.  Returns the member names, newline-separated. */
static char *check_output(const GByteArray *out)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	GString *names = g_string_new(NULL);
	guint n = 0;

	archive_read_support_format_zip(a);
	g_assert_cmpint(archive_read_open_memory(a, out->data, out->len), ==, ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		if (n++ == 0)
			g_assert_cmpstr(name, ==, "[Content_Types].xml");
		g_string_append_printf(names, "%s\n", name);
		g_autofree char *lower = g_ascii_strdown(name, -1);
		g_assert_null(strstr(lower, "vbaproject"));
		g_assert_null(strstr(lower, "activex/"));
		g_assert_null(strstr(lower, "externallinks/"));
		g_assert_null(strstr(lower, "customui"));
		g_assert_false(g_str_has_suffix(lower, ".bin"));
		GByteArray *b = g_byte_array_new();
		guint8 block[65536];
		la_ssize_t r;
		while ((r = archive_read_data(a, block, sizeof(block))) > 0)
			g_byte_array_append(b, block, (guint)r);
		g_assert_cmpint(r, ==, 0);
		if (g_str_has_suffix(lower, ".xml") || g_str_has_suffix(lower, ".rels"))
			check_part(name, (const char *)b->data, b->len);
		g_byte_array_unref(b);
	}
	archive_read_free(a);
	g_assert_cmpuint(n, >, 0);
	return g_string_free(names, FALSE);
}

static char *member_text(const GByteArray *out, const char *want)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char *text = NULL;

	archive_read_support_format_zip(a);
	archive_read_open_memory(a, out->data, out->len);
	while (text == NULL && archive_read_next_header(a, &e) == ARCHIVE_OK) {
		if (strcmp(archive_entry_pathname(e), want) != 0)
			continue;
		GString *s = g_string_new(NULL);
		char block[4096];
		la_ssize_t r;
		while ((r = archive_read_data(a, block, sizeof(block))) > 0)
			g_string_append_len(s, block, r);
		text = g_string_free(s, FALSE);
	}
	archive_read_free(a);
	return text;
}

#include "test-cdr-ooxml-data.h"

static void test_docm(void)
{
	g_autoptr(GBytes) in = build_zip(docm_pairs);
	Run *r = run_engine(in);

	if (!r->ok)
		g_error("%s", r->error->message);
	g_assert_cmpstr(r->job.out_ext, ==, "docx");
	g_assert_cmpstr(r->job.out_type, ==,
			"application/vnd.openxmlformats-officedocument.wordprocessingml.document");
	g_autofree char *names = check_output(r->job.out);
	g_assert_nonnull(strstr(names, "word/media/image1.png"));
	g_assert_null(strstr(names, "word/embeddings/"));
	g_autofree char *doc = member_text(r->job.out, "word/document.xml");
	g_assert_nonnull(strstr(doc, "result text"));
	g_assert_nonnull(strstr(doc, "simple result"));
	g_assert_nonnull(strstr(doc, "click here"));
	g_assert_null(strstr(doc, "DDEAUTO"));
	g_assert_null(strstr(doc, "rIdX")); /* the ActiveX control element */
	g_autofree char *settings = member_text(r->job.out, "word/settings.xml");
	g_assert_null(strstr(settings, "attachedTemplate"));
	g_autofree char *ct = member_text(r->job.out, "[Content_Types].xml");
	g_assert_null(strstr(ct, "vbaProject"));
	g_assert_null(strstr(ct, "macroEnabled"));
	g_autofree char *rels = member_text(r->job.out, "word/_rels/document.xml.rels");
	g_assert_null(strstr(rels, "evil.example"));
	g_assert_nonnull(strstr(rels, "about:blank"));
	g_assert_true(noted(r, "VBA project removed"));
	g_assert_true(noted(r, "DDE"));
	g_assert_true(noted(r, "remote template"));
	g_assert_true(noted(r, "custom UI"));
	g_assert_true(noted(r, "external hyperlink made inert"));
	g_assert_true(noted(r, "macro-free"));
	g_assert_true(noted(r, "ActiveX"));
	g_assert_true(noted(r, "embedded OLE object"));
	run_free(r);
}

static void test_xlsm(void)
{
	g_autoptr(GBytes) in = build_zip(xlsm_pairs);
	Run *r = run_engine(in);

	if (!r->ok)
		g_error("%s", r->error->message);
	g_assert_cmpstr(r->job.out_ext, ==, "xlsx");
	g_autofree char *names = check_output(r->job.out);
	g_assert_null(strstr(names, "connections.xml"));
	g_autofree char *sheet = member_text(r->job.out, "xl/worksheets/sheet1.xml");
	g_assert_null(strstr(sheet, "cmd|"));
	g_assert_nonnull(strstr(sheet, "<v>0</v>"));
	g_autofree char *wb = member_text(r->job.out, "xl/workbook.xml");
	g_assert_null(strstr(wb, "externalReference"));
	g_assert_true(noted(r, "data connection"));
	g_assert_true(noted(r, "DDE formula"));
	g_assert_true(noted(r, "printer settings"));
	run_free(r);
}

static void test_pptx(void)
{
	g_autoptr(GBytes) in = build_zip(pptx_pairs);
	Run *r = run_engine(in);

	if (!r->ok)
		g_error("%s", r->error->message);
	g_assert_cmpstr(r->job.out_ext, ==, "pptx");
	g_autofree char *G_GNUC_UNUSED names = check_output(r->job.out);
	g_autofree char *text = _kj_cdr_ooxml_text(r->job.data, r->job.len, NULL, NULL);
	g_assert_nonnull(strstr(text, "slide words"));
	run_free(r);
}

static void test_hostile(void)
{
	static const char *const *cases[] = {doctype_pairs, no_types_pairs, traversal_pairs,
					     dup_pairs, xlsb_pairs};
	static const int codes[] = {KJ_CDR_ERROR_CORRUPT, KJ_CDR_ERROR_CORRUPT,
				    KJ_CDR_ERROR_CORRUPT, KJ_CDR_ERROR_CORRUPT,
				    KJ_CDR_ERROR_UNSUPPORTED};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GBytes) in = build_zip(cases[i]);
		Run *r = run_engine(in);
		g_assert_false(r->ok);
		g_assert_error(r->error, KJ_CDR_ERROR, codes[i]);
		run_free(r);
	}
	/* Not a zip at all, and a truncated one. */
	g_autoptr(GBytes) junk = g_bytes_new_static("PK\x03\x04garbage", 11);
	Run *r = run_engine(junk);
	g_assert_false(r->ok);
	run_free(r);
	g_autoptr(GBytes) good = build_zip(docm_pairs);
	g_autoptr(GBytes) cut = g_bytes_new_from_bytes(good, 0, g_bytes_get_size(good) / 2);
	r = run_engine(cut);
	g_assert_false(r->ok);
	run_free(r);
}

static void test_limits(void)
{
	g_autoptr(GBytes) in = build_zip(docm_pairs);
	Run *r = g_new0(Run, 1);
	gsize len;

	kj_cdr_options_init(&r->opts);
	r->opts.archive_max_entries = 3;
	r->job.data = g_bytes_get_data(in, &len);
	r->job.len = len;
	r->job.opts = &r->opts;
	r->job.actions = g_ptr_array_new_with_free_func((GDestroyNotify)action_free);
	r->job.limits_hit = g_ptr_array_new_with_free_func(g_free);
	g_assert_false(_kj_cdr_ooxml(&r->job, &r->error));
	g_assert_error(r->error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT);
	run_free(r);

	/* 64 MB of one byte: ratio far beyond the limit, refused while streaming. */
	gsize big = 64u << 20;
	char *zeros = g_malloc(big + 1);
	memset(zeros, 'a', big);
	zeros[big] = '\0';
	const char *pairs[] = {"[Content_Types].xml", "<Types xmlns=\"" CT_NS "\"/>",
			       "word/document.xml", zeros, NULL};
	struct archive *a = archive_write_new();
	GByteArray *zip = g_byte_array_sized_new(1 << 20);
	size_t used = 0;
	archive_write_set_format_zip(a);
	g_byte_array_set_size(zip, 1 << 20);
	archive_write_open_memory(a, zip->data, zip->len, &used);
	for (guint i = 0; pairs[i]; i += 2) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, pairs[i]);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_size(e, (la_int64_t)strlen(pairs[i + 1]));
		archive_write_header(a, e);
		archive_write_data(a, pairs[i + 1], strlen(pairs[i + 1]));
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	g_free(zeros);
	g_autoptr(GBytes) bomb = g_bytes_new(zip->data, used);
	g_byte_array_unref(zip);
	r = run_engine(bomb);
	g_assert_false(r->ok);
	g_assert_error(r->error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT);
	run_free(r);
}

static void test_text(void)
{
	g_autoptr(GBytes) in = build_zip(xlsm_pairs);
	g_autoptr(GError) error = NULL;
	gsize len;
	const guint8 *d = g_bytes_get_data(in, &len);
	g_autofree char *text = _kj_cdr_ooxml_text(d, len, NULL, &error);

	g_assert_no_error(error);
	g_assert_nonnull(strstr(text, "個人番号\t"));
	g_assert_nonnull(strstr(text, "123456789018"));
	g_autoptr(GBytes) doc = build_zip(docm_pairs);
	d = g_bytes_get_data(doc, &len);
	g_autofree char *t2 = _kj_cdr_ooxml_text(d, len, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(strstr(t2, "Hello world"));
	g_assert_null(strstr(t2, "DDEAUTO"));
}

#include "test-cdr-ooxml-corpus.h"

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/cdr/ooxml/docm", test_docm);
	g_test_add_func("/cdr/ooxml/xlsm", test_xlsm);
	g_test_add_func("/cdr/ooxml/pptx", test_pptx);
	g_test_add_func("/cdr/ooxml/hostile", test_hostile);
	g_test_add_func("/cdr/ooxml/limits", test_limits);
	g_test_add_func("/cdr/ooxml/text", test_text);
	g_test_add_func("/cdr/ooxml/corpus", test_corpus);
	g_test_add_func("/cdr/ooxml/corpus-encrypted", test_corpus_encrypted);
	g_test_add_func("/cdr/ooxml/corpus-msodde-zips", test_corpus_msodde_zips);
	return g_test_run();
}
