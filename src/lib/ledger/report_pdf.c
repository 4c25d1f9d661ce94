/*++
 * NAME
 *	report_pdf - the CISO's periodic report as PDF
 * DESCRIPTION
 *	Lays out the report page of report.c (the same sections, the heat
 *	map as a table) on A4 pages with MuPDF's HTML engine (fz_story)
 *	and writes them with MuPDF's PDF writer, so that what is printed,
 *	archived or handed to the auditor is the page the CISO read.
 *
 *	Japanese text is laid out with the CJK font compiled into MuPDF
 *	(Debian's libmupdf carries Source Han Serif as its CJK fallback), so
 *	making the PDF needs no font on the machine.  MuPDF 1.21's PDF
 *	writer does not embed that fallback font: it names it as the
 *	Adobe-Japan1 font "Mincho" with the UniJIS-UTF16-H encoding, which
 *	every PDF reader maps to its own Mincho font, and the text stays
 *	searchable and extractable.  Latin text is embedded (Nimbus Sans).
 * SECURITY
 *	Runs in the CLI process.  The HTML is made by report.c with every
 *	ledger value escaped, and MuPDF is given no archive: the page can
 *	load no image, stylesheet or other file.
 * LIMITS
 *	KJ_LEDGER_REPORT_MAX_PAGES: a report that needs more pages (or a
 *	block that never fits a page) is refused, not cut short.
 * STANDARDS
 *	基本方針 6(9), 7, 8.  ISO 32000 (PDF), written by MuPDF.
 * SEE ALSO
 *	report.c, ledger.h
 *--*/
#include "ledger/ledger-private.h"
#include "util/limits.h"

#include <mupdf/fitz.h>
#include <string.h>

/* A4 in points, 15 mm margins. */
#define PAGE_W 595.0f
#define PAGE_H 842.0f
#define MARGIN 42.5f

static const char report_css[] = "body{margin:0}"
				 "h1{font-size:16pt;margin:0 0 6pt 0}"
				 "h2{font-size:12pt;margin:12pt 0 4pt 0}"
				 "p{margin:2pt 0}"
				 "table{border-collapse:collapse;margin:4pt 0}"
				 "td,th{border:0.5pt solid #777;padding:1pt 3pt;font-size:9pt}";

/*
 * MuPDF 1.21 breaks a table across pages wrongly: the rows between the
 * page break and the table's last row are lost (a ledger with 200
 * findings printed 42 of them; cut into tables of 15 rows, it still lost
 * the rows of every table that crossed a page).  A one-row table is moved
 * whole to the next page.  So each row after a table's header row becomes
 * a table of its own; MuPDF gives every column the same width, so the
 * columns still line up.  report.c writes the header row first and each
 * row as <tr>...</tr>.
 */
static GString *split_tables(const GString *html)
{
	GString *out = g_string_sized_new(html->len + html->len / 4);
	const char *p = html->str;
	const char *end = html->str + html->len;

	while (p < end) {
		const char *t = strstr(p, "<table");
		const char *te = t ? strstr(t, "</table>") : NULL;
		const char *open_end = te ? strchr(t, '>') : NULL;
		const char *head_end = open_end ? strstr(open_end, "</tr>") : NULL;
		if (head_end == NULL || head_end > te) {
			const char *stop = te ? te + strlen("</table>") : end;
			g_string_append_len(out, p, stop - p);
			p = stop;
			continue;
		}
		head_end += strlen("</tr>");
		g_autofree char *open = g_strndup(t, open_end + 1 - t);
		g_string_append_len(out, p, head_end - p);
		const char *r = head_end;
		for (;;) {
			const char *tr = strstr(r, "<tr");
			const char *tre = tr && tr < te ? strstr(tr, "</tr>") : NULL;
			if (tre == NULL || tre > te)
				break;
			tre += strlen("</tr>");
			g_string_append_printf(out, "</table>\n%s", open);
			g_string_append_len(out, r, tre - r);
			r = tre;
		}
		g_string_append_len(out, r, te - r);
		p = te;
	}
	return out;
}

/*
 * MuPDF breaks lines only at spaces, at U+200B and between CJK
 * characters: a list such as "purpose_limit,no_reuse,subcontract_approval"
 * in a narrow column ran past its cell and off the page, and so would a
 * long URL in an evidence note.  So, in the text between tags, a space
 * follows each comma and a zero-width space every BREAK_RUN characters of
 * a run without a break (an entity such as &amp; counts as one).  Only the
 * body is touched: the head holds a style sheet.
 */
#define BREAK_RUN 20

static GString *breakable(const GString *html)
{
	GString *out = g_string_sized_new(html->len + html->len / 8);
	gboolean tag = FALSE;
	int run = 0;
	/* The head (its style sheet, its title) is copied as it is. */
	const char *body = strstr(html->str, "<body");
	gsize start = body ? (gsize)(body - html->str) : 0;

	g_string_append_len(out, html->str, (gssize)start);
	for (gsize i = start; i < html->len; i++) {
		unsigned char ch = (unsigned char)html->str[i];
		if (ch == '<')
			tag = TRUE;
		if (tag || ch == ' ' || ch == '\n' || ch >= 0x80) {
			/* Bytes >= 0x80 are UTF-8: Japanese text breaks by
			 * itself; a long run of other scripts is rare. */
			run = 0;
		} else if (++run >= BREAK_RUN && ch != '&') {
			g_string_append(out, "\u200B");
			run = 1;
		}
		g_string_append_c(out, (char)ch);
		if (ch == '&') {
			/* Copy the entity whole. */
			while (i + 1 < html->len && html->str[i] != ';')
				g_string_append_c(out, html->str[++i]);
		} else if (ch == '>') {
			tag = FALSE;
		} else if (!tag && ch == ',' && i + 1 < html->len && html->str[i + 1] != ' ') {
			g_string_append_c(out, ' ');
			run = 0;
		}
	}
	return out;
}

/* Lays the page out and writes the PDF into buf; *pages counts the
 * pages begun.  Throws on any MuPDF error and past the page limit. */
static void lay_out(fz_context *ctx, const GString *html, fz_buffer *buf, int *pages)
{
	fz_buffer *src = NULL;
	fz_story *story = NULL;
	fz_document_writer *w = NULL;
	fz_rect media = {0, 0, PAGE_W, PAGE_H};
	fz_rect where = {MARGIN, MARGIN, PAGE_W - MARGIN, PAGE_H - MARGIN};

	fz_var(src);
	fz_var(story);
	fz_var(w);
	fz_try(ctx)
	{
		int more = 1;
		src = fz_new_buffer_from_copied_data(ctx, (const unsigned char *)html->str,
						     html->len);
		story = fz_new_story(ctx, src, report_css, 10.0f, NULL);
		w = fz_new_pdf_writer_with_output(ctx, fz_new_output_with_buffer(ctx, buf),
						  "compress");
		while (more) {
			fz_rect filled;
			if (*pages >= KJ_LEDGER_REPORT_MAX_PAGES)
				fz_throw(ctx, FZ_ERROR_GENERIC, "more than %d pages",
					 KJ_LEDGER_REPORT_MAX_PAGES);
			fz_device *dev = fz_begin_page(ctx, w, media);
			(*pages)++;
			more = fz_place_story(ctx, story, where, &filled);
			fz_draw_story(ctx, story, dev, fz_identity);
			fz_end_page(ctx, w);
		}
		fz_close_document_writer(ctx, w);
	}
	fz_always(ctx)
	{
		fz_drop_document_writer(ctx, w);
		fz_drop_story(ctx, story);
		fz_drop_buffer(ctx, src);
	}
	fz_catch(ctx)
	{
		fz_rethrow(ctx);
	}
}

static void silent(void *user, const char *message)
{
}

GBytes *kj_ledger_report_pdf(KjLedger *l, const char *campaign, const char *today, gint *n_pages,
			     GError **error)
{
	g_autoptr(GString) page = _kj_ledger_report_build(l, campaign, today, TRUE, error);
	g_autoptr(GString) html = page ? split_tables(page) : NULL;

	g_autoptr(GString) spaced = html ? breakable(html) : NULL;
	fz_context *ctx;
	fz_buffer *buf = NULL;
	GBytes *out = NULL;
	int pages = 0;
	gboolean ok = TRUE;

	if (spaced == NULL)
		return NULL;
	ctx = fz_new_context(NULL, NULL, FZ_STORE_DEFAULT);
	if (ctx == NULL) {
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_REPORT,
			    "cannot make a MuPDF context (out of memory)");
		return NULL;
	}
	/* MuPDF's warnings (a CSS property it ignores) are not errors here. */
	fz_set_warning_callback(ctx, silent, NULL);
	fz_var(buf);
	fz_try(ctx)
	{
		buf = fz_new_buffer(ctx, 64 * 1024);
		lay_out(ctx, spaced, buf, &pages);
	}
	fz_catch(ctx)
	{
		ok = FALSE;
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_REPORT,
			    "cannot lay out the report as PDF (page %d): %s", pages,
			    fz_caught_message(ctx));
	}
	if (ok) {
		unsigned char *data = NULL;
		size_t len = fz_buffer_storage(ctx, buf, &data);
		out = g_bytes_new(data, len);
		if (n_pages)
			*n_pages = pages;
	}
	fz_drop_buffer(ctx, buf);
	fz_drop_context(ctx);
	return out;
}
