/* test-cdr-profile - file profiles: built-ins, YAML files, and every
 * kind of mistake in a profile file reported with file:line:col. */
#include "cdr/cdr.h"
#include "util/limits.h"

#include <string.h>

static KjCdrProfile *parse(const char *yaml, GError **error)
{
	return kj_cdr_profile_new_from_data("site.yaml", yaml, strlen(yaml), NULL, error);
}

static void test_builtins(void)
{
	for (const char *const *b = kj_cdr_profile_builtins(); *b; b++) {
		g_autoptr(GError) e = NULL;
		g_autoptr(KjCdrProfile) p = kj_cdr_profile_new(*b, NULL, &e);
		g_assert_no_error(e);
		g_assert_cmpstr(p->name, ==, *b);
	}
	g_autoptr(KjCdrProfile) office = kj_cdr_profile_new("office", NULL, NULL);
	g_assert_cmpstr(office->opts.ole2_converter, ==, "libreoffice");
	g_autoptr(KjCdrProfile) text = kj_cdr_profile_new("text", NULL, NULL);
	g_assert_true(text->opts.html_to_text);
	g_assert_cmpint(text->opts.pdf_mode, ==, KJ_CDR_PDF_TEXT);
	g_autoptr(GError) e = NULL;
	g_assert_null(kj_cdr_profile_new("nope", NULL, &e));
	g_assert_error(e, KJ_CDR_ERROR, KJ_CDR_ERROR_PROFILE);
	g_assert_nonnull(strstr(e->message, "default, office, strict, text"));
}

/* The base options (what the configuration made) are the starting point;
 * "strict" only lowers them. */
static void test_base_options(void)
{
	KjCdrOptions base;
	kj_cdr_options_init(&base);
	base.archive_max_depth = 1;
	base.pdf_dpi = 100;
	g_autoptr(KjCdrProfile) s = kj_cdr_profile_new("strict", &base, NULL);
	g_assert_cmpuint(s->opts.archive_max_depth, ==, 1);
	g_assert_cmpuint(s->opts.archive_max_entries, ==, 1000);
	g_autoptr(KjCdrProfile) y =
	    kj_cdr_profile_new_from_data("x.yaml", "base: strict\n", 13, &base, NULL);
	g_assert_cmpuint(y->opts.pdf_dpi, ==, 100);
	g_assert_cmpuint(y->opts.archive_max_depth, ==, 1);
	g_assert_cmpstr(y->name, ==, "x");
}

static void test_full(void)
{
	const char *yaml = "name: city-hall\n"
			   "base: office\n"
			   "types:\n"
			   "  pdf: sanitize\n"
			   "  image: block\n"
			   "  office: block\n"
			   "  text: sanitize\n"
			   "  archive: block\n"
			   "  html: text\n"
			   "pdf: {mode: structural, dpi: 200, max_pages: 50, max_pixels: 2000000}\n"
			   "image:\n"
			   "  format: png\n"
			   "  max_dim: 4000\n"
			   "  max_pixels: 1000000\n"
			   "archive: {max_entries: 10, max_total_bytes: 2097152, max_ratio: 20, "
			   "max_depth: 1}\n"
			   "limits:\n"
			   "  max_input_bytes: 2097152\n"
			   "  max_output_bytes: 4194304\n"
			   "  convert_timeout_s: 30\n"
			   "  convert_memory_bytes: 1073741824\n";
	g_autoptr(GError) e = NULL;
	g_autoptr(KjCdrProfile) p = parse(yaml, &e);
	g_assert_no_error(e);
	const KjCdrOptions *o = &p->opts;
	g_assert_cmpstr(p->name, ==, "city-hall");
	g_assert_cmpstr(o->ole2_converter, ==, "libreoffice");
	g_assert_cmpuint(o->blocked_classes, ==,
			 KJ_CDR_CLASS_IMAGE | KJ_CDR_CLASS_OFFICE | KJ_CDR_CLASS_ARCHIVE);
	g_assert_true(o->html_to_text);
	g_assert_cmpint(o->pdf_mode, ==, KJ_CDR_PDF_STRUCTURAL);
	g_assert_cmpuint(o->pdf_dpi, ==, 200);
	g_assert_cmpuint(o->pdf_max_pages, ==, 50);
	g_assert_cmpuint(o->pdf_max_pixels, ==, 2000000);
	g_assert_cmpint(o->image_format, ==, KJ_CDR_IMAGE_PNG);
	g_assert_cmpuint(o->image_max_dim, ==, 4000);
	g_assert_cmpuint(o->image_max_pixels, ==, 1000000);
	g_assert_cmpuint(o->archive_max_entries, ==, 10);
	g_assert_cmpuint(o->archive_max_total, ==, 2097152);
	g_assert_cmpuint(o->archive_max_ratio, ==, 20);
	g_assert_cmpuint(o->archive_max_depth, ==, 1);
	g_assert_cmpuint(o->max_input, ==, 2097152);
	g_assert_cmpuint(o->max_output, ==, 4194304);
	g_assert_cmpuint(o->convert_timeout_s, ==, 30);
	g_assert_cmpuint(o->convert_memory, ==, 1073741824);
}

static void test_legacy_office(void)
{
	g_autoptr(KjCdrProfile) hold = parse("base: office\ntypes: {legacy_office: hold}\n", NULL);
	g_assert_null(hold->opts.ole2_converter);
	g_autoptr(KjCdrProfile) conv = parse("types: {legacy_office: convert}\n", NULL);
	g_assert_cmpstr(conv->opts.ole2_converter, ==, "libreoffice");
	g_autoptr(KjCdrProfile) path =
	    parse("converter: /opt/lo/program/soffice\ntypes: {legacy_office: convert}\n", NULL);
	g_assert_cmpstr(path->opts.ole2_converter, ==, "/opt/lo/program/soffice");
	g_autoptr(KjCdrProfile) block = parse("types: {legacy_office: block}\n", NULL);
	g_assert_cmpuint(block->opts.blocked_classes, ==, KJ_CDR_CLASS_LEGACY_OFFICE);
	g_autoptr(KjCdrProfile) none = parse("base: office\nconverter: none\n", NULL);
	g_assert_null(none->opts.ole2_converter);
}

/* Each bad profile fails with "site.yaml:LINE:COL: TEXT". */
static void test_errors(void)
{
	static const struct {
		const char *yaml, *where, *text;
	} cases[] = {
	    {"types:\n  pdf: maybe\n", "site.yaml:2:8:", "sanitize or block"},
	    {"types:\n  exe: sanitize\n", "site.yaml:2:8:", "unknown type"},
	    {"types: {html: sanitize}\n", "site.yaml:1:15:", "block or text"},
	    {"types: {legacy_office: yes}\n", "site.yaml:1:24:", "hold, convert or block"},
	    {"pdf:\n  dpi: 9000\n", "site.yaml:2:8:", "from 36 to 600"},
	    {"pdf:\n  dpi: -1\n", "site.yaml:2:8:", "whole number"},
	    {"pdf:\n  dpi: 1e3\n", "site.yaml:2:8:", "whole number"},
	    {"pdf: {mode: vector}\n", "site.yaml:1:13:", "pixel, structural or text"},
	    {"image: {format: gif}\n", "site.yaml:1:17:", "png, jpeg or keep"},
	    {"archive: {max_depth: 0}\n", "site.yaml:1:22:", "from 1 to"},
	    {"limits: {max_input_bytes: 10}\n", "site.yaml:1:27:", "whole number"},
	    {"foo: 1\n", "site.yaml:1:6:", "unknown key 'foo'"},
	    {"pdf:\n  pages: 3\n", "site.yaml:2:10:", "unknown key 'pdf.pages'"},
	    {"pdf: [1, 2]\n", "site.yaml:1:6:", "expected a single value"},
	    {"name: city\nfoo: {a: 1}\n", "site.yaml:2:1:", "not a section"},
	    {"types:\n  pdf:\n    x: 1\n", "site.yaml:2:3:", "not a section"},
	    {"types: {pdf: block}\nbase: text\n", "site.yaml:2:7:", "'base' must come before"},
	    {"base: lenient\n", "site.yaml:1:7:", "unknown profile 'lenient'"},
	    {"converter: soffice-7\n", "site.yaml:1:12:", "absolute path"},
	    {"name: 市役所\n", "site.yaml:1:7:", "name must be"},
	    {"a: &x 1\n", "site.yaml:1:4:", "unknown key 'a'"},
	    {"pdf: {dpi: &d 100}\nimage: {max_dim: *d}\n", "site.yaml:2:18:", "aliases"},
	    {"key: [unclosed\n", "site.yaml:", "single value"},
	    {"pdf: {dpi: 100\n", "site.yaml:2:1:", "not valid YAML"},
	    {"- a\n- b\n", "site.yaml:1:1:", "one mapping"},
	    {"pdf: {dpi: 100}\n---\npdf: {dpi: 200}\n", "site.yaml:3:1:", "one mapping"},
	    {"{[a]: 1}\n", "site.yaml:1:2:", "plain name"},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) e = NULL;
		g_autoptr(KjCdrProfile) p = parse(cases[i].yaml, &e);
		if (p != NULL)
			g_error("case %" G_GSIZE_FORMAT " accepted: %s", i, cases[i].yaml);
		g_assert_error(e, KJ_CDR_ERROR, KJ_CDR_ERROR_PROFILE);
		if (!g_str_has_prefix(e->message, cases[i].where) ||
		    strstr(e->message, cases[i].text) == NULL)
			g_error("case %" G_GSIZE_FORMAT ": got \"%s\", want %s ... %s", i,
				e->message, cases[i].where, cases[i].text);
	}
	/* Size bound. */
	gsize n = KJ_CDR_PROFILE_MAX_BYTES + 1;
	g_autofree char *big = g_malloc(n);
	memset(big, ' ', n);
	g_autoptr(GError) e = NULL;
	g_assert_null(kj_cdr_profile_new_from_data("big.yaml", big, n, NULL, &e));
	g_assert_error(e, KJ_CDR_ERROR, KJ_CDR_ERROR_PROFILE);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/cdr/profile/builtins", test_builtins);
	g_test_add_func("/cdr/profile/base-options", test_base_options);
	g_test_add_func("/cdr/profile/full", test_full);
	g_test_add_func("/cdr/profile/legacy-office", test_legacy_office);
	g_test_add_func("/cdr/profile/errors", test_errors);
	return g_test_run();
}
