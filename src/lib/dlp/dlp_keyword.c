/*++
 * NAME
 *	dlp_keyword - keywords near a number, and CSV column headers
 * DESCRIPTION
 *	A valid check digit alone is weak evidence: one 12-digit run in
 *	eleven passes by chance.  A keyword beside the number (個人番号,
 *	マイナンバー, My Number; 法人番号, Corporate Number), or a CSV column
 *	headed by one, makes it strong.  The window is counted in
 *	characters on each side of the number; ASCII keywords match without
 *	regard to case, half-width katakana spellings are listed too.
 * SECURITY
 *	Sees the same untrusted text as dlp.c, already valid UTF-8.  Reads
 *	stay inside [text, end); the CSV header is copied with a bound.
 * LIMITS
 *	KJ_DLP_KEYWORD_WINDOW_DEFAULT, KJ_DLP_CSV_MAX_HEADER (util/limits.h).
 * STANDARDS
 *	基本方針 6(3)①; RFC 4180 (CSV quoting).
 * SEE ALSO
 *	dlp.c
 *--*/
#include "dlp/dlp_private.h"

#include "util/limits.h"

#include <string.h>

static const char *const my_number_words[] = {
    "個人番号",  "マイナンバー", "ﾏｲﾅﾝﾊﾞｰ", "my number", "mynumber",
    "my_number", "my-number",    "my no.",  NULL,
};

static const char *const corporate_words[] = {
    "法人番号", "corporate number", "corporate_number", "corporate no.", "houjin", NULL,
};

static gboolean has_keyword(const char *lower, KjDlpKind kind)
{
	const char *const *words = kind == KJ_DLP_MY_NUMBER ? my_number_words : corporate_words;

	for (guint i = 0; words[i]; i++)
		if (strstr(lower, words[i]))
			return TRUE;
	return FALSE;
}

/* Lowercases ASCII only: the Japanese keywords have no case, and
 * g_utf8_strdown() would change lengths of other scripts. */
static char *ascii_lower_dup(const char *p, gsize len)
{
	char *s = g_strndup(p, len);
	for (char *c = s; *c; c++)
		*c = g_ascii_tolower(*c);
	return s;
}

static gboolean csv_column_keyword(DlpScan *s, KjDlpKind kind, const char *start)
{
	if (s->csv_head == NULL || s->line == 1 || start < s->line_start)
		return FALSE;
	if (s->csv_pos == NULL || s->csv_pos < s->line_start || s->csv_pos > start) {
		s->csv_pos = s->line_start;
		s->csv_col = 0;
		s->csv_quoted = FALSE;
	}
	for (; s->csv_pos < start; s->csv_pos++) {
		if (*s->csv_pos == '"')
			s->csv_quoted = !s->csv_quoted;
		else if (!s->csv_quoted && (gunichar)*s->csv_pos == s->csv_delim)
			s->csv_col++;
	}
	return s->csv_col < s->csv_head->len && has_keyword(s->csv_head->pdata[s->csv_col], kind);
}

gboolean _kj_dlp_keyword_near(DlpScan *s, KjDlpKind kind, const char *start, const char *end)
{
	const char *a = start, *b = end;

	for (guint i = 0; i < s->opts->keyword_window && a > s->text; i++)
		a = g_utf8_find_prev_char(s->text, a);
	for (guint i = 0; i < s->opts->keyword_window && b < s->end; i++)
		b = dlp_next_char(b);
	if (b > s->end)
		b = s->end;
	g_autofree char *win = ascii_lower_dup(a, (gsize)(b - a));
	if (has_keyword(win, kind))
		return TRUE;
	return csv_column_keyword(s, kind, start);
}

void _kj_dlp_csv_header(DlpScan *s)
{
	const char *nl = memchr(s->text, '\n', (gsize)(s->end - s->text));

	if (nl == NULL || nl - s->text > KJ_DLP_CSV_MAX_HEADER)
		return;
	gsize len = (gsize)(nl - s->text);
	if (memchr(s->text, '\t', len))
		s->csv_delim = '\t';
	else if (memchr(s->text, ',', len))
		s->csv_delim = ',';
	else
		return;
	s->csv_head = g_ptr_array_new_with_free_func(g_free);
	const char *cell = s->text;
	gboolean quoted = FALSE;
	for (const char *p = s->text; p <= nl; p++) {
		if (p < nl && *p == '"') {
			quoted = !quoted;
			continue;
		}
		if (p < nl && (quoted || (gunichar)*p != s->csv_delim))
			continue;
		g_ptr_array_add(s->csv_head, ascii_lower_dup(cell, (gsize)(p - cell)));
		cell = p + 1;
	}
}

void _kj_dlp_csv_header_free(DlpScan *s)
{
	if (s->csv_head)
		g_ptr_array_free(s->csv_head, TRUE);
	s->csv_head = NULL;
}
