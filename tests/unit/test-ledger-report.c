/*++
 * NAME
 *	test-ledger-report - the CISO's report as PDF
 * DESCRIPTION
 *	Lays a small ledger's report out as PDF, then re-opens the bytes
 *	with MuPDF as any reader would: a valid PDF whose page count is the
 *	one reported, whose text holds the Japanese headings and the
 *	figures of the ledger (asset counts by class, the heat map's levels
 *	and counts, a finding, an incident), with ledger text that looks
 *	like markup printed as text.  A ledger long enough for several
 *	pages gives several pages with every row of its long tables.
 *--*/
#include "ledger-fixture.h"

#include <mupdf/fitz.h>

/* Re-opens pdf with MuPDF; returns the text of every page with the
 * newlines taken out (MuPDF breaks lines where the layout did). */
static guint outside; /* characters of the last pdf_text() past the page's edge */

static char *pdf_text(GBytes *pdf, int *pages)
{
	fz_context *ctx = fz_new_context(NULL, NULL, FZ_STORE_DEFAULT);
	fz_document *doc = NULL;
	fz_buffer *text = NULL;
	char *out = NULL;
	gsize len;
	const unsigned char *data = g_bytes_get_data(pdf, &len);

	g_assert_nonnull(ctx);
	outside = 0;
	fz_var(doc);
	fz_var(text);
	fz_try(ctx)
	{
		fz_register_document_handlers(ctx);
		fz_stream *stm = fz_open_memory(ctx, data, len);
		doc = fz_open_document_with_stream(ctx, "application/pdf", stm);
		fz_drop_stream(ctx, stm);
		*pages = fz_count_pages(ctx, doc);
		text = fz_new_buffer(ctx, 4096);
		for (int i = 0; i < *pages; i++) {
			fz_stext_page *st = fz_new_stext_page_from_page_number(ctx, doc, i, NULL);
			for (fz_stext_block *b = st->first_block; b; b = b->next) {
				if (b->type != FZ_STEXT_BLOCK_TEXT)
					continue;
				for (fz_stext_line *ln = b->u.t.first_line; ln; ln = ln->next)
					for (fz_stext_char *ch = ln->first_char; ch; ch = ch->next)
						outside += fz_rect_from_quad(ch->quad).x1 > 595.5f;
			}
			fz_buffer *b = fz_new_buffer_from_stext_page(ctx, st);
			fz_append_buffer(ctx, text, b);
			fz_drop_buffer(ctx, b);
			fz_drop_stext_page(ctx, st);
		}
		unsigned char *s = NULL;
		size_t n = fz_buffer_storage(ctx, text, &s);
		GString *g = g_string_new(NULL);
		for (size_t i = 0; i < n; i++)
			if (s[i] != '\n')
				g_string_append_c(g, (char)s[i]);
		/* The zero-width spaces report_pdf.c adds as break points. */
		g_string_replace(g, "\u200B", "", 0);
		out = g_string_free(g, FALSE);
	}
	fz_always(ctx)
	{
		fz_drop_buffer(ctx, text);
		fz_drop_document(ctx, doc);
	}
	fz_catch(ctx)
	{
		g_test_message("MuPDF: %s", fz_caught_message(ctx));
	}
	fz_drop_context(ctx);
	return out;
}

static void ledger_small(Fixture *f)
{
	add_ok(f, "department", "D-01", "name=総務課", "kind=課", NULL);
	add_ok(f, "person", "P-01", "name=山田", "department=D-01", "employment=職員", NULL);
	add_ok(f, "contractor", "C-1", "name=株式会社つがるシステム", "responsible=P-01",
	       "clauses=confidentiality", NULL);
	add_ok(f, "asset", "SYS", "name=住民記録システム", "kind=system", "department=D-01",
	       "segment=mynumber", "confidentiality=3", "lg_confidentiality=3A", "contractor=C-1",
	       "handling=持出禁止,暗号化必須,複製制限", NULL);
	add_ok(f, "asset", "INF", "name=住民票", "kind=information", "department=D-01",
	       "segment=mynumber", "held_in=SYS", "confidentiality=3", "lg_confidentiality=3A",
	       NULL);
	add_ok(f, "asset", "WEB", "name=ホームページ原稿", "kind=information", "department=D-01",
	       "segment=internet", "confidentiality=1", NULL);
	add_ok(f, "risk", "R1", "asset=SYS", "threat=T1", "likelihood=5", "impact=5", NULL);
	add_ok(f, "risk", "R2", "asset=WEB", "threat=T2", "likelihood=3", "impact=3", NULL);
	add_ok(f, "audit-plan", "AP-1", "kind=年次", NULL);
	add_ok(f, "audit-finding", "AF-1", "plan=AP-1", "grade=観察事項", "status=open",
	       "description=証跡 https://ledger.example.jp/evidence/2026/self-inspection?"
	       "department=SHIMIN&item=CL-6-3a&file=住民記録システム操作ログ&page=12&"
	       "sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	       NULL);
	add_ok(f, "incident", "INC-<1>", "title=<b>誤送信</b>", "category=2", "severity=高",
	       "status=調査", "discovered=令和8年5月25日", "personal_info=はい", NULL);
}

static void test_pdf(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint pages = 0, reopened = 0;

	ledger_small(f);
	g_autoptr(GBytes) pdf = kj_ledger_report_pdf(f->l, NULL, "2026-06-01", &pages, &error);
	g_assert_no_error(error);
	g_assert_nonnull(pdf);
	gsize len;
	const char *d = g_bytes_get_data(pdf, &len);
	g_assert_cmpuint(len, >, 1000);
	g_assert_true(memcmp(d, "%PDF-", 5) == 0);
	g_assert_nonnull(g_strrstr_len(d + len - 64, 64, "%%EOF"));
	g_assert_cmpint(pages, >, 0);

	g_autofree char *text = pdf_text(pdf, &reopened);
	g_assert_nonnull(text);
	g_assert_cmpint(reopened, ==, pages);
	static const char *const want[] = {
	    "情報セキュリティ定期報告（最高情報セキュリティ責任者宛）",
	    "令和8年6月1日（2026-06-01）時点",
	    "1. 情報資産（実効区分別）",
	    "2. リスクマップ（現状）",
	    "3. 自己点検",
	    "4. 台帳の点検結果",
	    "5. 対応中のインシデント",
	    "6. 期限切れ・近日期限の業務",
	    "自治体機密性",
	    "極高 1", /* R1: 5x5 */
	    "中 1",   /* R2: 3x3 */
	    "<b>誤送信</b>",
	    "INC-<1>",
	    "2026-05-30", /* its PPC preliminary deadline: 5 days */
	};
	for (gsize i = 0; i < G_N_ELEMENTS(want); i++)
		if (strstr(text, want[i]) == NULL)
			g_error("'%s' not in the PDF's text: %s", want[i], text);
	/* A long list in a narrow column wraps instead of running off the
	 * page (it was cut at "subcontract_appro"). */
	g_assert_nonnull(strstr(text, "audit_right"));
	/* So does a long URL with entities, whole (MuPDF extracts the
	 * zero-width spaces it breaks at as spaces: compare without). */
	g_autoptr(GString) nospace = g_string_new(text);
	g_string_replace(nospace, " ", "", 0);
	g_assert_nonnull(strstr(
	    nospace->str, "https://ledger.example.jp/evidence/2026/self-inspection?"
			  "department=SHIMIN&item=CL-6-3a&file=住民記録システム操作ログ&page="
			  "12&sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f"
			  "00a08"));
	g_assert_cmpuint(outside, ==, 0);
	/* Two 機密性 3 assets (SYS, INF), one 機密性 1; 3A twice. */
	g_assert_nonnull(strstr(text, "機密性32"));
	g_assert_nonnull(strstr(text, "機密性11"));
	g_assert_nonnull(strstr(text, "自治体機密性3A2"));
}

static void test_pdf_pages(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint pages = 0, reopened = 0;

	add_ok(f, "department", "D-01", "name=総務課", "kind=課", NULL);
	/* 300 unclassified information assets: 300 findings, one row each. */
	for (int i = 0; i < 300; i++) {
		g_autofree char *key = g_strdup_printf("A-%03d", i);
		add_ok(f, "asset", key, "name=文書", "kind=information", "department=D-01", NULL);
	}
	g_autoptr(GBytes) pdf = kj_ledger_report_pdf(f->l, NULL, "2026-06-01", &pages, &error);
	g_assert_no_error(error);
	g_assert_cmpint(pages, >=, 3);
	g_autofree char *text = pdf_text(pdf, &reopened);
	g_assert_cmpint(reopened, ==, pages);
	g_assert_nonnull(strstr(text, "情報資産 A-000 に機密性の分類がない"));
	g_assert_nonnull(strstr(text, "情報資産 A-299 に機密性の分類がない"));
	/* Every row, also those of tables crossing a page (MuPDF 1.21 lost
	 * them before report_pdf.c cut tables into rows). */
	guint n = 0;
	for (const char *p = text; (p = strstr(p, "に機密性の分類がない")) != NULL; p++)
		n++;
	g_assert_cmpuint(n, ==, 300);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/ledger-report/pdf", Fixture, NULL, setup, test_pdf, teardown);
	g_test_add("/ledger-report/pdf-pages", Fixture, NULL, setup, test_pdf_pages, teardown);
	return g_test_run();
}
