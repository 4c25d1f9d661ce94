/* dlp_private.h - shared between dlp.c (the walk) and dlp_keyword.c
 * (keywords and CSV headers). */
#ifndef KJ_DLP_DLP_PRIVATE_H
#define KJ_DLP_DLP_PRIVATE_H

#include "dlp/dlp.h"

/* Runs of one chain kept in detail; longer chains only matter for their
 * length (they are not a number) and for space-separated tables, whose
 * first runs are checked. */
#define DLP_CHAIN_RUNS 8

typedef struct {
	const char *start, *end;
	guint column;
	guint len;       /* digits in the run, may exceed sizeof(digits) */
	char digits[13]; /* ASCII, not NUL-terminated */
} DlpRun;

typedef struct {
	const char *start, *end;
	guint line, column;
	gunichar sep; /* 0 for a single run */
	guint n_runs;
	DlpRun runs[DLP_CHAIN_RUNS];
} DlpChain;

typedef struct {
	const char *text, *end;
	const KjDlpOptions *opts;
	const char *location;
	GPtrArray *findings;
	guint added;
	guint line, column;
	const char *line_start;
	gunichar csv_delim;  /* 0 when the text does not look like CSV */
	GPtrArray *csv_head; /* header cells (char*), casefolded */
	/* Column counting resumes where the last finding of the line left
	 * it: counting from the line start for each finding was quadratic
	 * on one long line of numbers. */
	const char *csv_pos;
	guint csv_col;
	gboolean csv_quoted;
} DlpScan;

/* g_utf8_next_char() without its cast, which drops const. */
static inline const char *dlp_next_char(const char *p)
{
	return p + g_utf8_skip[*(const guchar *)p];
}

/* TRUE when a keyword of kind stands within the window around
 * [start, end), or heads the CSV column that contains start. */
gboolean _kj_dlp_keyword_near(DlpScan *s, KjDlpKind kind, const char *start, const char *end);
void _kj_dlp_csv_header(DlpScan *s);
void _kj_dlp_csv_header_free(DlpScan *s);

#endif
