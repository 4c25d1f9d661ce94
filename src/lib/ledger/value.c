/*++
 * NAME
 *	value - parse and check one value of a ledger column
 * DESCRIPTION
 *	Turns what a person typed (or a spreadsheet cell) into the stored
 *	form of its column: integers within the column's range, booleans,
 *	dates in YYYY-MM-DD, choices, references to existing records and
 *	levels that exist in the column's classification scheme.
 *
 *	Dates are accepted in the Western form (2026-03-01, 2026/3/1) and
 *	in 和暦 (令和8年3月1日, 令和元年5月1日, 平成31年4月30日, R8.3.1),
 *	with full-width digits, because the city's spreadsheets hold both.
 *	A 和暦 date outside its era (平成32年) is refused rather than
 *	silently carried into the next era: it is usually a typing mistake.
 * SECURITY
 *	Input is untrusted text from the command line or an import file.
 *	Lengths are bounded; every value reaches SQL only as a parameter.
 * LIMITS
 *	KJ_LEDGER_MAX_VALUE bytes per value.
 * STANDARDS
 *	基本方針 6(2) (levels must belong to the scheme), 6(9).
 * SEE ALSO
 *	register.c (columns), record.c
 *--*/
#include "ledger/ledger-private.h"
#include "util/limits.h"

#include <string.h>

G_DEFINE_QUARK(kj - ledger - error - quark, kj_ledger_error)

/* Era start dates (the first day of each era). */
static const struct {
	const char *name;
	const char *abbrev;
	int y, m, d; /* first day */
} eras[] = {
    {"令和", "R", 2019, 5, 1},
    {"平成", "H", 1989, 1, 8},
    {"昭和", "S", 1926, 12, 25},
};

/* Copies text with full-width digits and separators folded to ASCII. */
static char *fold_width(const char *text)
{
	GString *s = g_string_new(NULL);

	for (const char *p = text; p && *p; p = g_utf8_find_next_char(p, NULL)) {
		gunichar c = g_utf8_get_char(p);
		if (c >= 0xFF10 && c <= 0xFF19)
			g_string_append_c(s, (char)('0' + (c - 0xFF10)));
		else if (c == 0xFF0F)
			g_string_append_c(s, '/');
		else if (c == 0xFF0D || c == 0x2212)
			g_string_append_c(s, '-');
		else if (c == 0xFF0E)
			g_string_append_c(s, '.');
		else if (c == 0x3000)
			g_string_append_c(s, ' ');
		else
			g_string_append_unichar(s, c);
	}
	return g_string_free(s, FALSE);
}

/* Reads up to four digits at *p (or "元" = 1); advances *p. */
static gboolean read_num(const char **p, int *out)
{
	int n = 0, digits = 0;

	if (g_str_has_prefix(*p, "元")) {
		*p += strlen("元");
		*out = 1;
		return TRUE;
	}
	while (g_ascii_isdigit(**p) && digits < 4) {
		n = n * 10 + (**p - '0');
		(*p)++;
		digits++;
	}
	*out = n;
	return digits > 0 && !g_ascii_isdigit(**p);
}

/* Skips one separator among those given; FALSE if none is there. */
static gboolean skip_sep(const char **p, const char *const *seps)
{
	for (gsize i = 0; seps[i]; i++)
		if (g_str_has_prefix(*p, seps[i])) {
			*p += strlen(seps[i]);
			return TRUE;
		}
	return FALSE;
}

static int era_index(const char **p)
{
	for (gsize i = 0; i < G_N_ELEMENTS(eras); i++) {
		if (g_str_has_prefix(*p, eras[i].name)) {
			*p += strlen(eras[i].name);
			return (int)i;
		}
		if (g_ascii_toupper(**p) == eras[i].abbrev[0] &&
		    (g_ascii_isdigit((*p)[1]) || g_str_has_prefix(*p + 1, "元"))) {
			*p += 1;
			return (int)i;
		}
	}
	return -1;
}

static gboolean date_in_era(int era, int y, int m, int d)
{
	int start = eras[era].y * 10000 + eras[era].m * 100 + eras[era].d;
	int v = y * 10000 + m * 100 + d;
	int end =
	    era == 0 ? 99999999 : eras[era - 1].y * 10000 + eras[era - 1].m * 100 + eras[era - 1].d;

	return v >= start && v < end;
}

static gboolean parse_ymd(const char *p, int *era, int *y, int *m, int *d)
{
	static const char *const ysep[] = {"年", "-", "/", ".", NULL};
	static const char *const msep[] = {"月", "-", "/", ".", NULL};

	*era = era_index(&p);
	if (!read_num(&p, y) || !skip_sep(&p, ysep) || !read_num(&p, m) || !skip_sep(&p, msep) ||
	    !read_num(&p, d))
		return FALSE;
	if (g_str_has_prefix(p, "日"))
		p += strlen("日");
	return *p == '\0';
}

/* Parses a checked, folded date; FALSE with *era_bad set when the date
 * exists but lies outside its era. */
static gboolean parse_folded(const char *text, int *y, int *m, int *d, int *era, gboolean *era_bad)
{
	g_autofree char *folded = fold_width(text);

	*era_bad = FALSE;
	g_strstrip(folded);
	if (!parse_ymd(folded, era, y, m, d))
		return FALSE;
	if (*era >= 0) {
		if (*y < 1 || *y > 99)
			return FALSE;
		*y += eras[*era].y - 1;
	} else if (*y < 1000) {
		return FALSE;
	}
	if (*m < 1 || *m > 12 || *d < 1 || *d > 31 ||
	    !g_date_valid_dmy((GDateDay)*d, (GDateMonth)*m, (GDateYear)*y))
		return FALSE;
	*era_bad = *era >= 0 && !date_in_era(*era, *y, *m, *d);
	return !*era_bad;
}

gboolean kj_ledger_date_parse(const char *text, char out[11], GError **error)
{
	int era = -1, y = 0, m = 0, d = 0;
	gboolean era_bad = FALSE;

	out[0] = '\0';
	if (text && strlen(text) <= 64 && g_utf8_validate(text, -1, NULL) &&
	    parse_folded(text, &y, &m, &d, &era, &era_bad)) {
		g_snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
		return TRUE;
	}
	if (era_bad)
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_INVALID,
			    "date '%s' is outside the era %s (it would be %04d-%02d-%02d)", text,
			    eras[era].name, y, m, d);
	else
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_INVALID,
			    "'%s' is not a date (write 2026-03-01 or 令和8年3月1日)",
			    text ? text : "");
	return FALSE;
}

static gboolean iso_split(const char *iso, int *y, int *m, int *d)
{
	gint64 v[3];
	g_auto(GStrv) parts = NULL;

	if (iso == NULL || strlen(iso) != 10)
		return FALSE;
	parts = g_strsplit(iso, "-", 3);
	if (g_strv_length(parts) != 3)
		return FALSE;
	for (int i = 0; i < 3; i++)
		if (!g_ascii_string_to_signed(parts[i], 10, 0, 9999, &v[i], NULL))
			return FALSE;
	*y = (int)v[0], *m = (int)v[1], *d = (int)v[2];
	return g_date_valid_dmy((GDateDay)*d, (GDateMonth)*m, (GDateYear)*y);
}

char *kj_ledger_date_to_wareki(const char *iso)
{
	int y, m, d;

	if (!iso_split(iso, &y, &m, &d))
		return NULL;
	for (gsize i = 0; i < G_N_ELEMENTS(eras); i++) {
		if (!date_in_era((int)i, y, m, d))
			continue;
		int ey = y - eras[i].y + 1;
		if (ey == 1)
			return g_strdup_printf("%s元年%d月%d日", eras[i].name, m, d);
		return g_strdup_printf("%s%d年%d月%d日", eras[i].name, ey, m, d);
	}
	return NULL;
}

char *_kj_ledger_date_add(const char *iso, gint months, gint days)
{
	int y, m, d;

	if (!iso_split(iso, &y, &m, &d))
		return NULL;
	g_autoptr(GDate) date = g_date_new_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y);
	if (months > 0)
		g_date_add_months(date, (guint)months);
	if (days > 0)
		g_date_add_days(date, (guint)days);
	return g_strdup_printf("%04u-%02u-%02u", g_date_get_year(date), g_date_get_month(date),
			       g_date_get_day(date));
}

char *_kj_ledger_today(void)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_local();

	return g_date_time_format(now, "%Y-%m-%d");
}

GPtrArray *_kj_ledger_list_split(const char *value)
{
	GPtrArray *items = g_ptr_array_new_with_free_func(g_free);
	g_auto(GStrv) parts = NULL;

	if (value == NULL)
		return items;
	/* Staff write lists with "、" as often as with ",". */
	g_autofree char *v = g_strdup(value);
	g_autoptr(GString) s = g_string_new(v);
	g_string_replace(s, "、", ",", 0);
	g_string_replace(s, "，", ",", 0);
	parts = g_strsplit(s->str, ",", -1);
	for (gsize i = 0; parts[i]; i++) {
		g_strstrip(parts[i]);
		if (*parts[i])
			g_ptr_array_add(items, g_strdup(parts[i]));
	}
	return items;
}

static char *parse_bool(const char *text, GError **error)
{
	static const char *const yes[] = {"1", "yes", "true", "y", "はい", "有", "あり", "○", NULL};
	static const char *const no[] = {"0",  "no",   "false", "n", "いいえ",
					 "無", "なし", "×",     NULL};

	for (gsize i = 0; yes[i]; i++)
		if (g_ascii_strcasecmp(text, yes[i]) == 0)
			return g_strdup("1");
	for (gsize i = 0; no[i]; i++)
		if (g_ascii_strcasecmp(text, no[i]) == 0)
			return g_strdup("0");
	g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_INVALID,
		    "'%s' is not yes or no (はい/いいえ)", text);
	return NULL;
}

static char *parse_enum(const KjLedgerColumn *col, const char *text, GError **error)
{
	g_auto(GStrv) choices = g_strsplit(col->ref, "|", -1);

	for (gsize i = 0; choices[i]; i++)
		if (strcmp(choices[i], text) == 0)
			return g_strdup(text);
	g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_INVALID, "%s '%s' is not one of %s",
		    col->name, text, col->ref);
	return NULL;
}

static char *parse_ref(KjLedger *l, const KjLedgerColumn *col, const char *text, GError **error)
{
	const KjLedgerRegister *target = kj_ledger_register_find(col->ref);
	gboolean exists = FALSE;

	g_return_val_if_fail(target != NULL, NULL);
	if (!_kj_ledger_exists(l, target, text, &exists, error))
		return NULL;
	if (!exists) {
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_REFERENCE,
			    "%s '%s' refers to a missing %s record (add it first: kyojin ledger %s "
			    "add %s ...)",
			    col->name, text, target->noun, target->noun, text);
		return NULL;
	}
	return g_strdup(text);
}

static char *parse_level(KjLedger *l, const KjLedgerColumn *col, const char *text, GError **error)
{
	gboolean found = FALSE;
	gint64 rank = 0;

	if (!kj_db_query_int(l->db, "SELECT rank FROM ledger_level WHERE scheme = $1 AND code = $2",
			     KJ_DB_ARGS(KJ_DB_TEXT(col->ref), KJ_DB_TEXT(text)), &rank, &found,
			     error))
		return NULL;
	if (!found) {
		g_set_error(
		    error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_INVALID,
		    "%s '%s' is not a level of scheme %s (基本方針 6(2); see 'kyojin ledger "
		    "level list')",
		    col->name, text, col->ref);
		return NULL;
	}
	return g_strdup(text);
}

/* A list is stored as its items joined with ","; with a ref, each item
 * is checked as one value of an ENUM (ref has "|") or a REF column. */
static char *parse_list(KjLedger *l, const KjLedgerColumn *col, const char *text, GError **error)
{
	g_autoptr(GPtrArray) items = _kj_ledger_list_split(text);
	KjLedgerColumn one = *col;

	one.type = col->ref && strchr(col->ref, '|') ? KJ_LEDGER_ENUM : KJ_LEDGER_REF;
	for (guint i = 0; col->ref && i < items->len; i++) {
		g_autofree char *v = one.type == KJ_LEDGER_ENUM
					 ? parse_enum(&one, items->pdata[i], error)
					 : parse_ref(l, &one, items->pdata[i], error);
		if (v == NULL)
			return NULL;
	}
	g_ptr_array_add(items, NULL);
	return g_strjoinv(",", (char **)items->pdata);
}

static char *parse_int(const KjLedgerColumn *col, const char *text, GError **error)
{
	gint64 v = 0;

	if (!g_ascii_string_to_signed(text, 10, col->min, col->max, &v, NULL)) {
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_INVALID,
			    "%s '%s' is not an integer from %" G_GINT64_FORMAT
			    " to %" G_GINT64_FORMAT,
			    col->name, text, col->min, col->max);
		return NULL;
	}
	return g_strdup_printf("%" G_GINT64_FORMAT, v);
}

char *kj_ledger_value_parse(KjLedger *l, const KjLedgerColumn *col, const char *text,
			    GError **error)
{
	char date[11];

	if (strlen(text) > KJ_LEDGER_MAX_VALUE || !g_utf8_validate(text, -1, NULL)) {
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_INVALID,
			    "%s: not UTF-8 text of at most %d bytes", col->name,
			    KJ_LEDGER_MAX_VALUE);
		return NULL;
	}
	switch (col->type) {
	case KJ_LEDGER_INT:
		return parse_int(col, text, error);
	case KJ_LEDGER_BOOL:
		return parse_bool(text, error);
	case KJ_LEDGER_DATE:
		if (!kj_ledger_date_parse(text, date, error)) {
			g_prefix_error(error, "%s: ", col->name);
			return NULL;
		}
		return g_strdup(date);
	case KJ_LEDGER_ENUM:
		return parse_enum(col, text, error);
	case KJ_LEDGER_REF:
		return parse_ref(l, col, text, error);
	case KJ_LEDGER_LEVEL:
		return parse_level(l, col, text, error);
	case KJ_LEDGER_LIST:
		return parse_list(l, col, text, error);
	case KJ_LEDGER_TEXT:
	default:
		return g_strdup(text);
	}
}
