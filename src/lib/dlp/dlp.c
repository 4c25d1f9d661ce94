/*++
 * NAME
 *	dlp - find 個人番号 (My Number) and 法人番号 (Corporate Number) in text
 * DESCRIPTION
 *	kj_dlp_scan_text() walks UTF-8 text once, collecting "chains" of
 *	digit runs (ASCII or full-width digits) joined by single separator
 *	characters, and reports a chain that is a number of the right
 *	length with a valid check digit:
 *
 *	  123456789018, １２３４５６７８９０１８     12 digits, contiguous
 *	  1234-5678-9018, 1234 5678 9018, 1234－5678－9018   4-4-4 grouping
 *	  7000012050002, 7-0000-1205-0002                   13 digits (法人番号)
 *
 *	Separators are the space, the ideographic space U+3000, the hyphen
 *	and its look-alikes (U+2010-2015, U+2212, U+FF0D) and the prolonged
 *	sound mark "ー" U+30FC, which Japanese input methods produce when
 *	a hyphen is typed in full-width mode; one separator character, the
 *	same throughout a chain.  Boundaries: a chain that is longer than
 *	the number (a 16-digit card number, a phone number, 1234-5678-9012-3456)
 *	is not a match, nor is a number glued to ASCII letters (hex digests,
 *	identifiers) or part of a decimal fraction.  A 12- or 13-digit run
 *	inside a space-separated chain is still a match: tables and lists
 *	separate columns with spaces.
 *
 *	Confidence: LOW for a valid check digit alone (one random 12-digit
 *	run in 11 passes), MEDIUM for the 4-4-4 grouping printed on the
 *	個人番号カード, HIGH when a keyword (個人番号, マイナンバー, My Number;
 *	法人番号, Corporate Number) stands within keyword_window characters,
 *	or heads the CSV column the number is in.
 *
 *	A finding keeps only the masked number (all but the last four
 *	digits replaced by '*'): the last four are what staff need to find
 *	the row again, and too few to identify a person.
 * SECURITY
 *	Runs in front ends and in the gateway on text taken from files that
 *	are leaving LGWAN; the text is untrusted.  Invalid UTF-8 is repaired
 *	before the walk, every read is bounded by the text's length.
 * LIMITS
 *	KJ_DLP_KEYWORD_WINDOW_DEFAULT, KJ_DLP_MAX_FINDINGS_DEFAULT,
 *	KJ_DLP_MAX_TEXT_DEFAULT (util/limits.h).
 * STANDARDS
 *	基本方針 6(3)① (住民情報の流出を防ぐ: files leaving the マイナンバー
 *	利用事務系 and LGWAN are checked), 2(12), 6(6).
 *	個人番号: 行政手続における特定の個人を識別するための番号の利用等に関する
 *	法律の規定による通知カード及び個人番号カード並びに情報提供ネットワーク
 *	システムによる特定個人情報の提供等に関する省令 (平成26年総務省令第85号)
 *	第5条: check = 11 - (Σ_{n=1..11} Pn×Qn mod 11), 0 when the remainder
 *	is at most 1; Pn the n-th digit counted from the right of the first
 *	eleven, Qn = n+1 (n ≤ 6), n-5 (n ≥ 7).
 *	法人番号: 法人番号の指定等に関する省令 (平成26年財務省令第70号) 第2条:
 *	check (the first digit) = 9 - (Σ_{n=1..12} Pn×Qn mod 9), Pn counted
 *	from the right of the twelve base digits, Qn = 1 (n odd), 2 (n even).
 * SEE ALSO
 *	dlp_file.c (files, documents, archives), cli/dlp.c, docs/ja/dlp.md.
 *--*/
#include "dlp/dlp.h"

#include "dlp/dlp_private.h"
#include "util/limits.h"

#include <string.h>

G_DEFINE_QUARK(kj - dlp - error - quark, kj_dlp_error)

void kj_dlp_options_init(KjDlpOptions *opts)
{
	*opts = (KjDlpOptions){
	    .keyword_window = KJ_DLP_KEYWORD_WINDOW_DEFAULT,
	    .corporate = TRUE,
	    .min_confidence = KJ_DLP_LOW,
	    .max_findings = KJ_DLP_MAX_FINDINGS_DEFAULT,
	    .max_text = KJ_DLP_MAX_TEXT_DEFAULT,
	    .archive_max_depth = KJ_DLP_ARCHIVE_MAX_DEPTH_DEFAULT,
	    .archive_max_entries = KJ_DLP_ARCHIVE_MAX_ENTRIES_DEFAULT,
	    .archive_max_total = KJ_DLP_ARCHIVE_MAX_TOTAL_DEFAULT,
	    .archive_max_ratio = KJ_DLP_ARCHIVE_MAX_RATIO_DEFAULT,
	};
}

void kj_dlp_finding_free(KjDlpFinding *f)
{
	if (f == NULL)
		return;
	g_free(f->masked);
	g_free(f->location);
	g_free(f);
}

const char *kj_dlp_kind_name(KjDlpKind kind)
{
	return kind == KJ_DLP_MY_NUMBER ? "my_number" : "corporate_number";
}

const char *kj_dlp_confidence_name(KjDlpConfidence conf)
{
	switch (conf) {
	case KJ_DLP_HIGH:
		return "high";
	case KJ_DLP_MEDIUM:
		return "medium";
	default:
		return "low";
	}
}

gboolean kj_dlp_my_number_valid(const char digits[12])
{
	guint sum = 0;

	for (guint i = 0; i < 12; i++)
		if (digits[i] < '0' || digits[i] > '9')
			return FALSE;
	/* n counts from the right of the first eleven digits: digits[10]
	 * is P1, digits[0] is P11. */
	for (guint n = 1; n <= 11; n++) {
		guint p = (guint)(digits[11 - n] - '0');
		guint q = n <= 6 ? n + 1 : n - 5;
		sum += p * q;
	}
	guint r = sum % 11;
	guint check = r <= 1 ? 0 : 11 - r;
	return (guint)(digits[11] - '0') == check;
}

gboolean kj_dlp_corporate_number_valid(const char digits[13])
{
	guint sum = 0;

	for (guint i = 0; i < 13; i++)
		if (digits[i] < '0' || digits[i] > '9')
			return FALSE;
	/* The base number is digits[1..12]; P1 is digits[12]. */
	for (guint n = 1; n <= 12; n++) {
		guint p = (guint)(digits[13 - n] - '0');
		sum += p * (n % 2 ? 1 : 2);
	}
	return (guint)(digits[0] - '0') == 9 - sum % 9;
}

/* ASCII or full-width digit: its value, else -1. */
static int digit_value(gunichar c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 0xff10 && c <= 0xff19)
		return (int)(c - 0xff10);
	return -1;
}

static gboolean is_space_sep(gunichar c)
{
	return c == ' ' || c == 0x3000 || c == 0x00a0;
}

static gboolean is_separator(gunichar c)
{
	return is_space_sep(c) || c == '-' || (c >= 0x2010 && c <= 0x2015) || c == 0x2212 ||
	       c == 0xff0d || c == 0x30fc || c == 0xff70;
}

/* Characters that glue a digit run into something else: identifiers,
 * hex digests, decimal numbers. */
static gboolean is_glue(gunichar c)
{
	return (c < 0x80 && g_ascii_isalpha((char)c)) || c == '_' || (c >= 0xff21 && c <= 0xff3a) ||
	       (c >= 0xff41 && c <= 0xff5a);
}

static gunichar char_at(const char *p, const char *end)
{
	return p < end ? g_utf8_get_char(p) : 0;
}

/* Walks one chain starting at the digit at *pp; fills ch and advances
 * *pp to the first character after it. */
static void read_chain(DlpScan *s, const char **pp, DlpChain *ch)
{
	const char *p = *pp;

	memset(ch, 0, sizeof(*ch));
	ch->start = p;
	ch->line = s->line;
	ch->column = s->column;
	for (;;) {
		DlpRun *r = ch->n_runs < DLP_CHAIN_RUNS ? &ch->runs[ch->n_runs] : NULL;
		if (r) {
			r->start = p;
			r->column = s->column;
		}
		guint len = 0;
		gunichar c;
		while ((c = char_at(p, s->end)) != 0 && digit_value(c) >= 0) {
			if (r && len < sizeof(r->digits))
				r->digits[len] = (char)('0' + digit_value(c));
			len++;
			p = dlp_next_char(p);
			s->column++;
		}
		if (r) {
			r->len = len;
			r->end = p;
		}
		ch->n_runs++;
		ch->end = p;
		/* Continue when one separator, the chain's own, leads to a digit. */
		gunichar sep = char_at(p, s->end);
		if (!is_separator(sep) || (ch->sep != 0 && sep != ch->sep))
			break;
		const char *q = dlp_next_char(p);
		if (digit_value(char_at(q, s->end)) < 0)
			break;
		ch->sep = sep;
		p = q;
		s->column++;
	}
	*pp = p;
}

/* Decimal fractions and identifiers are not numbers of a person. */
static gboolean chain_glued(const DlpScan *s, const DlpChain *ch)
{
	gunichar before = 0, before2 = 0;

	if (ch->start > s->text) {
		const char *b = g_utf8_find_prev_char(s->text, ch->start);
		before = g_utf8_get_char(b);
		if (b > s->text)
			before2 = g_utf8_get_char(g_utf8_find_prev_char(s->text, b));
	}
	gunichar after = char_at(ch->end, s->end);
	gunichar after2 = after ? char_at(dlp_next_char(ch->end), s->end) : 0;
	if (is_glue(before) || is_glue(after))
		return TRUE;
	/* Not ',': in CSV a comma ends the previous cell. */
	if (before == '.' && digit_value(before2) >= 0)
		return TRUE;
	return after == '.' && digit_value(after2) >= 0;
}

static void emit(DlpScan *s, KjDlpKind kind, const char *digits, guint len, gboolean grouped,
		 const char *start, const char *end, guint line, guint column)
{
	if (kind == KJ_DLP_CORPORATE_NUMBER && !s->opts->corporate)
		return;
	if (s->added >= s->opts->max_findings)
		return;
	KjDlpConfidence conf = grouped ? KJ_DLP_MEDIUM : KJ_DLP_LOW;
	if (_kj_dlp_keyword_near(s, kind, start, end))
		conf = KJ_DLP_HIGH;
	if ((guint)conf < s->opts->min_confidence)
		return;
	KjDlpFinding *f = g_new0(KjDlpFinding, 1);
	f->kind = kind;
	f->confidence = conf;
	GString *m = g_string_sized_new(len + 1);
	for (guint i = 0; i < len; i++)
		g_string_append_c(m, i + 4 < len ? '*' : digits[i]);
	f->masked = g_string_free(m, FALSE);
	f->location = g_strdup(s->location);
	f->line = line;
	f->column = column;
	g_ptr_array_add(s->findings, f);
	s->added++;
}

static void check_run(DlpScan *s, const DlpRun *r, guint line)
{
	if (r->len == 12 && kj_dlp_my_number_valid(r->digits))
		emit(s, KJ_DLP_MY_NUMBER, r->digits, 12, FALSE, r->start, r->end, line, r->column);
	else if (r->len == 13 && kj_dlp_corporate_number_valid(r->digits))
		emit(s, KJ_DLP_CORPORATE_NUMBER, r->digits, 13, FALSE, r->start, r->end, line,
		     r->column);
}

static void check_chain(DlpScan *s, const DlpChain *ch)
{
	char d[13];
	const DlpRun *r = ch->runs;

	if (chain_glued(s, ch))
		return;
	if (ch->n_runs == 1) {
		check_run(s, &r[0], ch->line);
		return;
	}
	if (ch->n_runs == 3 && r[0].len == 4 && r[1].len == 4 && r[2].len == 4) {
		memcpy(d, r[0].digits, 4);
		memcpy(d + 4, r[1].digits, 4);
		memcpy(d + 8, r[2].digits, 4);
		if (kj_dlp_my_number_valid(d))
			emit(s, KJ_DLP_MY_NUMBER, d, 12, TRUE, ch->start, ch->end, ch->line,
			     ch->column);
		return;
	}
	if (ch->n_runs == 4 && r[0].len == 1 && r[1].len == 4 && r[2].len == 4 && r[3].len == 4) {
		d[0] = r[0].digits[0];
		memcpy(d + 1, r[1].digits, 4);
		memcpy(d + 5, r[2].digits, 4);
		memcpy(d + 9, r[3].digits, 4);
		if (kj_dlp_corporate_number_valid(d))
			emit(s, KJ_DLP_CORPORATE_NUMBER, d, 13, TRUE, ch->start, ch->end, ch->line,
			     ch->column);
		return;
	}
	/* Columns of a table: each run stands alone.  Hyphenated chains
	 * (account numbers with branch codes) do not. */
	if (!is_space_sep(ch->sep))
		return;
	for (guint i = 0; i < MIN(ch->n_runs, (guint)DLP_CHAIN_RUNS); i++)
		check_run(s, &r[i], ch->line);
}

guint kj_dlp_scan_text(const char *utf8, gsize len, const KjDlpOptions *opts, const char *location,
		       GPtrArray *findings)
{
	KjDlpOptions defaults;
	g_autofree char *repaired = NULL;
	const char *end = NULL;

	g_return_val_if_fail(findings != NULL, 0);
	if (utf8 == NULL || len == 0)
		return 0;
	if (opts == NULL) {
		kj_dlp_options_init(&defaults);
		opts = &defaults;
	}
	len = MIN(len, opts->max_text);
	if (!g_utf8_validate_len(utf8, len, &end)) {
		repaired = g_utf8_make_valid(utf8, (gssize)len);
		utf8 = repaired;
		len = strlen(repaired);
	}
	DlpScan s = {
	    .text = utf8,
	    .end = utf8 + len,
	    .opts = opts,
	    .location = location,
	    .findings = findings,
	    .line = 1,
	    .column = 1,
	    .line_start = utf8,
	};
	_kj_dlp_csv_header(&s);
	const char *p = utf8;
	while (p < s.end && s.added < opts->max_findings) {
		gunichar c = g_utf8_get_char(p);
		if (digit_value(c) >= 0) {
			DlpChain ch;
			read_chain(&s, &p, &ch);
			check_chain(&s, &ch);
			continue;
		}
		p = dlp_next_char(p);
		if (c == '\n' || c == '\f' || c == '\v') {
			s.line++;
			s.column = 1;
			s.line_start = p;
		} else if (c != '\r') {
			s.column++;
		}
	}
	_kj_dlp_csv_header_free(&s);
	return s.added;
}
