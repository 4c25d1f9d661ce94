/*++
 * NAME
 *	html_render - text flow and table layout for the HTML renderer
 * DESCRIPTION
 *	A KjhBuf is one flow of text as a browser would lay it out in a
 *	terminal: whitespace collapsed, block boundaries as at most one
 *	blank line, a line prefix for list indents and quotes, optional
 *	wrapping at a display column (between words, or between any two wide
 *	characters, since Japanese has no spaces).
 *
 *	Tables become aligned rows, "cell | cell", padded by display width
 *	so that Japanese columns line up in a fixed-width font.  Columns that
 *	are empty in every row are dropped and one-column tables (layout
 *	tables, the bulk of HTML mail) are rendered as plain blocks.
 * SECURITY
 *	Runs in the sanitizer worker; sees text from attacker HTML.  No
 *	allocation per character; padding is capped per column and the
 *	caller's output budget is checked per line, so a table cannot
 *	multiply the output without bound.
 * LIMITS
 *	KJ_HTML_TABLE_MAX_COLUMN; the caller's max_output.
 * STANDARDS
 *	Unicode UAX #11 (East Asian width, via g_unichar_iswide()).
 * SEE ALSO
 *	html.c
 *--*/
#include "text/html-private.h"

#include "text/text.h"
#include "text/text-private.h"
#include "util/limits.h"

#include <string.h>

KjhBuf *_kj_hbuf_new(gsize size, guint wrap)
{
	KjhBuf *b = g_new0(KjhBuf, 1);

	b->s = g_string_sized_new(size);
	b->prefix = g_string_new(NULL);
	b->wrap = wrap;
	return b;
}

char *_kj_hbuf_free(KjhBuf *b, gboolean steal)
{
	char *res = g_string_free(b->s, !steal);

	g_string_free(b->prefix, TRUE);
	g_free(b);
	return res;
}

static guint trailing_nl(const KjhBuf *b)
{
	guint n = 0;

	while (n < b->s->len && n < 3 && b->s->str[b->s->len - 1 - n] == '\n')
		n++;
	return n;
}

static void new_line(KjhBuf *b)
{
	g_string_append_c(b->s, '\n');
	b->col = 0;
	b->brk = 0;
	b->space = FALSE;
}

static void flush_nl(KjhBuf *b)
{
	if (b->want_nl == 0)
		return;
	if (b->s->len > 0) {
		guint have = trailing_nl(b);
		if (have == 0 && b->col == 0)
			have = 1; /* only a prefix so far: drop it instead */
		while (have < b->want_nl) {
			new_line(b);
			have++;
		}
		if (b->s->str[b->s->len - 1] != '\n')
			new_line(b);
	}
	b->want_nl = 0;
	b->space = FALSE;
}

void _kj_hbuf_block(KjhBuf *b, guint n)
{
	b->want_nl = MAX(b->want_nl, MIN(n, 2u));
}

void _kj_hbuf_br(KjhBuf *b)
{
	flush_nl(b);
	if (trailing_nl(b) < 3)
		new_line(b);
}

/* Breaks the current line before the last space, or before now. */
static void wrap_line(KjhBuf *b, gboolean wide)
{
	gsize pw = b->prefix->len;

	if (!wide && b->brk > 0) {
		b->s->str[b->brk] = '\n';
		g_string_insert_len(b->s, (gssize)b->brk + 1, b->prefix->str, (gssize)pw);
		b->col = pw + kj_text_display_width(b->s->str + b->brk + 1 + pw, -1);
		b->brk = 0;
		return;
	}
	if (wide) {
		new_line(b);
		g_string_append_len(b->s, b->prefix->str, (gssize)pw);
		b->col = pw;
	}
}

/* One character of display width w. */
static void put(KjhBuf *b, const char *c, gsize n, gsize w)
{
	flush_nl(b);
	if (b->s->len == 0 || b->s->str[b->s->len - 1] == '\n') {
		g_string_append_len(b->s, b->prefix->str, (gssize)b->prefix->len);
		b->col = b->prefix->len;
		b->space = FALSE;
	}
	if (b->space) {
		b->space = FALSE;
		b->brk = b->s->len;
		g_string_append_c(b->s, ' ');
		b->col++;
	}
	if (b->wrap > 0 && b->col + w > b->wrap && b->col > b->prefix->len)
		wrap_line(b, w == 2);
	g_string_append_len(b->s, c, (gssize)n);
	b->col += w;
}

static gsize char_width(gunichar u)
{
	if (g_unichar_iszerowidth(u))
		return 0;
	return g_unichar_iswide(u) ? 2 : 1;
}

/* Length in bytes of the run at p of characters put() would take one by
 * one without wrapping: visible ASCII and non-ASCII other than NO-BREAK
 * SPACE, each of width 1 when not wrapping.  *chars gets their number. */
static gsize plain_run(const char *p, const char *end, gsize *chars)
{
	const char *q = p;
	gsize n = 0;

	while (q < end) {
		guchar d = (guchar)*q;
		if (d >= 0x21 && d < 0x7f) {
			q++;
		} else if (d >= 0x80 && !(d == 0xc2 && q + 1 < end && (guchar)q[1] == 0xa0)) {
			const char *next = KJ_UTF8_NEXT(q);
			if (next > end)
				break;
			q = next;
		} else {
			break;
		}
		n++;
	}
	*chars = n;
	return (gsize)(q - p);
}

void _kj_hbuf_text(KjhBuf *b, const char *t, gsize len, gboolean pre)
{
	const char *p = t, *end = t + len;

	while (p < end) {
		guchar c = (guchar)*p;
		gsize chars = 0, run = b->wrap == 0 ? plain_run(p, end, &chars) : 0;
		if (chars > 1) {
			/* Without wrapping, a run of ordinary characters is
			 * put() once for its first and appended whole: one
			 * put() per character was 1.3 % of the mail benchmark
			 * (callgrind). */
			gsize first = (gsize)(KJ_UTF8_NEXT(p) - p);
			put(b, p, first, 1);
			g_string_append_len(b->s, p + first, (gssize)(run - first));
			b->col += chars - 1;
			p += run;
			continue;
		}
		if (c < 0x80) {
			if (c == '\n' && pre)
				_kj_hbuf_br(b);
			else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
				if (pre && c != '\r')
					put(b, " ", 1, 1);
				else if (b->s->len > 0 && b->s->str[b->s->len - 1] != '\n')
					b->space = TRUE;
			} else if (c >= 0x20 && c != 0x7f) {
				put(b, p, 1, 1);
			}
			p++;
			continue;
		}
		const char *next = KJ_UTF8_NEXT(p);
		gunichar u = g_utf8_get_char(p);
		if (u == 0xa0) /* NO-BREAK SPACE: a space that never collapses */
			put(b, " ", 1, 1);
		else /* widths matter only to wrapping; skip the lookups otherwise */
			put(b, p, (gsize)(next - p), b->wrap > 0 ? char_width(u) : 1);
		p = next;
	}
}

void _kj_hbuf_add(KjhBuf *b, const char *t)
{
	for (const char *p = t; *p != '\0'; p = KJ_UTF8_NEXT(p)) {
		if (*p == '\n') {
			_kj_hbuf_br(b);
			continue;
		}
		const char *next = KJ_UTF8_NEXT(p);
		put(b, p, (gsize)(next - p), char_width(g_utf8_get_char(p)));
	}
}

/* One finished line of a table, prefixed but never wrapped. */
static void add_line(KjhBuf *b, const GString *line)
{
	_kj_hbuf_block(b, 1);
	flush_nl(b);
	g_string_append_len(b->s, b->prefix->str, (gssize)b->prefix->len);
	g_string_append_len(b->s, line->str, (gssize)line->len);
	b->col = b->prefix->len + kj_text_display_width(line->str, (gssize)line->len);
	b->brk = 0;
	_kj_hbuf_block(b, 1);
}

static void render_blocks(KjhBuf *b, GPtrArray *rows)
{
	for (guint r = 0; r < rows->len; r++) {
		GPtrArray *row = rows->pdata[r];
		for (guint c = 0; c < row->len; c++) {
			const char *cell = row->pdata[c];
			if (cell[0] == '\0')
				continue;
			_kj_hbuf_block(b, 1);
			_kj_hbuf_add(b, cell);
			_kj_hbuf_block(b, 1);
		}
	}
}

static void render_row(KjhBuf *b, GPtrArray *row, const gboolean *used, const gsize *width,
		       guint ncols, gsize *budget)
{
	GPtrArray *split = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	guint height = 1, last = 0;

	for (guint c = 0; c < ncols; c++) {
		char **lines =
		    g_strsplit(c < row->len ? (const char *)row->pdata[c] : "", "\n", -1);
		height = MAX(height, g_strv_length(lines));
		g_ptr_array_add(split, lines);
		if (used[c])
			last = c;
	}
	GString *line = g_string_sized_new(128);
	for (guint l = 0; l < height; l++) {
		g_string_truncate(line, 0);
		gboolean first = TRUE;
		for (guint c = 0; c < ncols; c++) {
			if (!used[c])
				continue;
			char **lines = split->pdata[c];
			const char *t = l < g_strv_length(lines) ? lines[l] : "";
			if (!first)
				g_string_append(line, " | ");
			first = FALSE;
			g_string_append(line, t);
			gsize w = kj_text_display_width(t, -1);
			for (; c != last && w < width[c]; w++)
				g_string_append_c(line, ' ');
		}
		while (line->len > 0 && line->str[line->len - 1] == ' ')
			g_string_truncate(line, line->len - 1);
		add_line(b, line);
		*budget += line->len + 1;
	}
	g_string_free(line, TRUE);
	g_ptr_array_free(split, TRUE);
}

void _kj_table_render(KjhBuf *b, GPtrArray *rows, gsize *budget, gsize max)
{
	guint ncols = 0, nused = 0;

	for (guint r = 0; r < rows->len; r++)
		ncols = MAX(ncols, ((GPtrArray *)rows->pdata[r])->len);
	if (ncols == 0)
		return;
	gboolean *used = g_new0(gboolean, ncols);
	gsize *width = g_new0(gsize, ncols);
	for (guint r = 0; r < rows->len; r++) {
		GPtrArray *row = rows->pdata[r];
		for (guint c = 0; c < row->len; c++) {
			const char *cell = row->pdata[c];
			if (cell[0] == '\0')
				continue;
			nused += !used[c];
			used[c] = TRUE;
			for (const char *l = cell;
			     l != NULL && width[c] < KJ_HTML_TABLE_MAX_COLUMN;) {
				const char *nl = strchr(l, '\n');
				gsize w = kj_text_display_width(l, nl != NULL ? nl - l : -1);
				width[c] = MIN(MAX(width[c], w), (gsize)KJ_HTML_TABLE_MAX_COLUMN);
				l = nl != NULL ? nl + 1 : NULL;
			}
		}
	}
	/* A table with one column in use is layout, not data. */
	if (nused <= 1) {
		render_blocks(b, rows);
	} else {
		_kj_hbuf_block(b, 2);
		for (guint r = 0; r < rows->len && *budget <= max; r++)
			render_row(b, rows->pdata[r], used, width, ncols, budget);
		_kj_hbuf_block(b, 2);
	}
	g_free(used);
	g_free(width);
}
