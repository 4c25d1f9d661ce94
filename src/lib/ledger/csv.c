/*++
 * NAME
 *	csv - import and export a register as CSV, as city staff keep it in Excel
 * DESCRIPTION
 *	Export writes UTF-8 with a byte-order mark and CRLF line ends, which
 *	Excel opens without asking for an encoding.  Import accepts that, plain
 *	UTF-8, and CP932 (what Excel writes as "CSV"), but refuses a file that
 *	mixes UTF-8 lines with lines in another encoding (a ledger pasted
 *	together from two machines) instead of turning half of it into
 *	mojibake, a file that reads as CP932 only as half-width katakana
 *	where it also reads as EUC-JP (an EUC-JP file would otherwise come
 *	in as ﾀﾇﾌｳｲﾝ), and a field with text after its closing quote.  The
 *	header names the columns, by name or by Japanese label, in any order; an unknown column, a missing key column, a missing
 *	required column, a row with the wrong number of fields and a key
 *	repeated inside the file are each refused with the line number.  All
 *	rows are applied in one transaction, each audited like a single add
 *	or set: a file is taken whole or not at all.
 * SECURITY
 *	The file is untrusted and may be anything; the parser is bounded and
 *	fuzzed (tests/fuzz/fuzz-ledger-csv.c).  Values reach SQL only as
 *	bound parameters through record.c.
 * LIMITS
 *	KJ_LEDGER_MAX_IMPORT_BYTES, KJ_LEDGER_MAX_IMPORT_ROWS, KJ_LEDGER_MAX_FIELDS.
 * STANDARDS
 *	RFC 4180.  基本方針 6(2) (the 情報資産管理台帳 the city keeps), 7.
 * SEE ALSO
 *	record.c, text/charset.h
 *--*/
#include "ledger/ledger-private.h"
#include "text/charset.h"
#include "util/limits.h"

#include <string.h>

#define BOM "\xEF\xBB\xBF"

static void row_free(gpointer p)
{
	g_ptr_array_unref(p);
}

static gboolean csv_fail(GError **error, guint line, const char *what)
{
	g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_CSV, "line %u: %s", line, what);
	return FALSE;
}

/* One record starting at *p; *line counts physical lines. */
static GPtrArray *parse_record(const char **p, const char *end, guint *line, GError **error)
{
	GPtrArray *row = g_ptr_array_new_with_free_func(g_free);
	GString *f = g_string_new(NULL);
	gboolean quoted = FALSE, was_quoted = FALSE, closed = FALSE;
	guint start = *line;
	const char *bad = NULL;

	while (*p < end) {
		char ch = **p;
		(*p)++;
		if (quoted) {
			if (ch == '"' && *p < end && **p == '"') {
				g_string_append_c(f, '"');
				(*p)++;
			} else if (ch == '"') {
				quoted = FALSE;
				closed = TRUE;
			} else {
				*line += ch == '\n';
				g_string_append_c(f, ch);
			}
			continue;
		}
		if (ch == '"' && f->len == 0 && !was_quoted) {
			quoted = was_quoted = TRUE;
		} else if (ch == ',' || ch == '\n' || ch == '\r') {
			g_ptr_array_add(row, g_string_free(f, FALSE));
			f = g_string_new(NULL);
			was_quoted = closed = FALSE;
			if (row->len > KJ_LEDGER_MAX_FIELDS)
				break;
			if (ch == '\r' && *p < end && **p == '\n')
				(*p)++;
			if (ch != ',') {
				(*line)++;
				g_string_free(f, TRUE);
				return row;
			}
		} else if (closed) {
			/* "ab"cd: RFC 4180 has no such field; taking it as abcd
			 * would change the value without a word. */
			bad = "text after the closing quote of a field (write a quote inside a "
			      "quoted field as \"\")";
			break;
		} else {
			g_string_append_c(f, ch);
		}
	}
	if (bad == NULL && quoted)
		bad = "a quoted field is not closed";
	if (bad == NULL && row->len > KJ_LEDGER_MAX_FIELDS)
		bad = "too many fields in one row";
	if (bad) {
		csv_fail(error, closed ? *line : start, bad);
		g_string_free(f, TRUE);
		g_ptr_array_unref(row);
		return NULL;
	}
	g_ptr_array_add(row, g_string_free(f, FALSE));
	(*line)++;
	return row;
}

static GPtrArray *csv_parse_lines(const char *text, gsize len, GArray *lines, GError **error)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func(row_free);
	const char *p = text, *end = text + len;
	guint line = 1;

	while (p < end) {
		guint at = line;
		GPtrArray *row = parse_record(&p, end, &line, error);
		if (row == NULL || rows->len >= KJ_LEDGER_MAX_IMPORT_ROWS) {
			if (row)
				csv_fail(error, at, "too many rows");
			g_clear_pointer(&row, g_ptr_array_unref);
			g_ptr_array_unref(rows);
			return NULL;
		}
		g_ptr_array_add(rows, row);
		if (lines)
			g_array_append_val(lines, at);
	}
	return rows;
}

GPtrArray *kj_ledger_csv_parse(const char *text, gsize len, GError **error)
{
	return csv_parse_lines(text, len, NULL, error);
}

/* Finds a line that is UTF-8 with non-ASCII bytes and one that is not
 * UTF-8 at all; both found means the file mixes encodings. */
static gboolean find_mixed(const char *data, gsize len, guint *utf8_line, guint *other_line)
{
	const char *p = data, *end = data + len;
	guint line = 1;

	*utf8_line = *other_line = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (gsize)(end - p));
		const char *e = nl ? nl : end;
		gboolean ascii = TRUE;
		for (const char *q = p; q < e && ascii; q++)
			ascii = (unsigned char)*q < 0x80;
		if (!ascii && g_utf8_validate(p, e - p, NULL)) {
			if (*utf8_line == 0)
				*utf8_line = line;
		} else if (!ascii && *other_line == 0) {
			*other_line = line;
		}
		p = nl ? nl + 1 : end;
		line++;
	}
	return *utf8_line && *other_line;
}

/* The first line of UTF-8 text holding half-width katakana (U+FF61 to
 * U+FF9F), 0 if none. */
static guint halfwidth_kana_line(const char *text)
{
	guint line = 1;

	for (const char *p = text; *p; p += g_utf8_skip[*(const guchar *)p]) {
		gunichar c = g_utf8_get_char(p);
		if (c == '\n')
			line++;
		else if (c >= 0xFF61 && c <= 0xFF9F)
			return line;
	}
	return 0;
}

/* Whether the bytes decode as EUC-JP without a fault.  EUC-JP kanji
 * (two bytes of 0xA1..0xFE) are also valid CP932, read as pairs of
 * half-width katakana: 税務課 in EUC-JP became ﾀﾇﾌｳｲﾝ. */
static gboolean is_euc_jp(const char *data, gsize len)
{
	KjCharsetInfo info = {0};
	char *t = kj_charset_to_utf8(data, len, "EUC-JP", &info);

	g_free(t);
	return info.replacements == 0 && !info.mislabelled && strcmp(info.charset, "EUC-JP") == 0;
}

static char *decode(const char *data, gsize len, char enc[16], GError **error)
{
	guint u = 0, o = 0;
	KjCharsetInfo info = {0};

	if (len >= 3 && memcmp(data, BOM, 3) == 0) {
		data += 3, len -= 3;
		if (!g_utf8_validate(data, (gssize)len, NULL)) {
			find_mixed(data, len, &u, &o);
			g_set_error(
			    error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_CSV,
			    "the file starts with a UTF-8 byte-order mark but line %u is not "
			    "UTF-8 (mixed encodings? save it again from one program)",
			    o ? o : 1);
			return NULL;
		}
	}
	if (memchr(data, '\0', len)) {
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_CSV,
			    "the file contains NUL bytes: not a CSV text file (UTF-16?)");
		return NULL;
	}
	if (g_utf8_validate(data, (gssize)len, NULL)) {
		g_strlcpy(enc, "UTF-8", 16);
		return g_strndup(data, len);
	}
	if (find_mixed(data, len, &u, &o)) {
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_CSV,
			    "mixed encodings: line %u is UTF-8 but line %u is not; save the whole "
			    "file in one encoding (UTF-8 or Shift_JIS/CP932)",
			    u, o);
		return NULL;
	}
	char *text = kj_charset_to_utf8(data, len, "CP932", &info);
	if (info.replacements == 0 && (info.mislabelled || strcmp(info.charset, "CP932") != 0)) {
		g_set_error(
		    error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_CSV,
		    "the file is neither UTF-8 nor CP932 (it reads as %s); save it as UTF-8 "
		    "(Excel: CSV UTF-8) and import it again",
		    info.charset);
		g_free(text);
		return NULL;
	}
	if (info.replacements > 0) {
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_CSV,
			    "the file is neither UTF-8 nor CP932 (%u bytes cannot be decoded)",
			    info.replacements);
		g_free(text);
		return NULL;
	}
	guint kana_line = halfwidth_kana_line(text);
	if (kana_line && is_euc_jp(data, len)) {
		g_free(text);
		g_set_error(
		    error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_CSV,
		    "the encoding is unclear: read as CP932, line %u is half-width katakana, "
		    "and the file also reads as EUC-JP (税務課 in EUC-JP reads as ﾀﾇﾌｳｲﾝ "
		    "in CP932); save it as UTF-8 (Excel: CSV UTF-8) and import it again",
		    kana_line);
		return NULL;
	}
	g_strlcpy(enc, "CP932", 16);
	return text;
}

/* Column index of each header field: -1 key, -2 ignored, >= 0 a column. */
static int *map_header(const KjLedgerRegister *reg, GPtrArray *header, gboolean update,
		       GError **error)
{
	g_autofree int *map = g_new0(int, header->len);
	g_autofree gboolean *seen = g_new0(gboolean, reg->n_columns);
	gboolean key = FALSE;

	for (guint i = 0; i < header->len; i++) {
		g_autofree char *h = g_strstrip(g_strdup(header->pdata[i]));
		int c = kj_ledger_column_index(reg, h);
		if (strcmp(h, "key") == 0 || strcmp(h, "キー") == 0) {
			map[i] = -1;
			key = TRUE;
		} else if (strcmp(h, "version") == 0 || strcmp(h, "created_at") == 0 ||
			   strcmp(h, "updated_at") == 0) {
			map[i] = -2;
		} else if (c < 0 || seen[c]) {
			g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_CSV,
				    "line 1: %s column '%s' in the header (see 'kyojin ledger "
				    "columns %s')",
				    c < 0 ? "unknown" : "repeated", h, reg->noun);
			return NULL;
		} else {
			seen[c] = TRUE;
			map[i] = reg->columns[c].flags & KJ_LEDGER_COL_DERIVED ? -2 : c;
		}
	}
	for (gsize c = 0; c < reg->n_columns && key && !update; c++)
		if ((reg->columns[c].flags & KJ_LEDGER_COL_REQUIRED) && !seen[c]) {
			g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_CSV,
				    "line 1: the header lacks the required column %s (%s)",
				    reg->columns[c].name, reg->columns[c].label);
			return NULL;
		}
	if (!key) {
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_CSV,
			    "line 1: the header has no key column ('key' or 'キー')");
		return NULL;
	}
	return g_steal_pointer(&map);
}

static gboolean import_row(KjLedger *l, const KjLedgerRegister *reg, const int *map, GPtrArray *row,
			   gboolean update, KjLedgerImportStats *stats, GError **error)
{
	g_autoptr(GPtrArray) assign = g_ptr_array_new_with_free_func(g_free);
	const char *key = NULL;
	gboolean exists = FALSE;

	for (guint i = 0; i < row->len; i++) {
		const char *v = row->pdata[i];
		if (map[i] == -1)
			key = v;
		else if (map[i] >= 0 && (*v || update))
			g_ptr_array_add(assign,
					g_strdup_printf("%s=%s", reg->columns[map[i]].name, v));
	}
	g_ptr_array_add(assign, NULL);
	if (!_kj_ledger_exists(l, reg, key, &exists, error))
		return FALSE;
	if (exists && update) {
		stats->updated++;
		return _kj_ledger_set_locked(l, reg, key, 0, (const char *const *)assign->pdata,
					     NULL, error);
	}
	stats->added++;
	return _kj_ledger_add_locked(l, reg, key, (const char *const *)assign->pdata, error);
}

static gboolean import_rows(KjLedger *l, const KjLedgerRegister *reg, GPtrArray *rows,
			    GArray *lines, gboolean update, KjLedgerImportStats *stats,
			    GError **error)
{
	GPtrArray *header = rows->pdata[0];
	g_autofree int *map = map_header(reg, header, update, error);
	g_autoptr(GHashTable) keys = g_hash_table_new(g_str_hash, g_str_equal);

	if (map == NULL)
		return FALSE;
	for (guint r = 1; r < rows->len; r++) {
		GPtrArray *row = rows->pdata[r];
		guint line = g_array_index(lines, guint, r);
		if (row->len == 1 && *(char *)row->pdata[0] == '\0')
			continue; /* an empty line */
		if (row->len != header->len) {
			g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_CSV,
				    "line %u has %u fields but the header has %u", line, row->len,
				    header->len);
			return FALSE;
		}
		for (guint i = 0; i < row->len; i++) {
			if (map[i] != -1)
				continue;
			char *key = g_strstrip((char *)row->pdata[i]);
			gpointer first = g_hash_table_lookup(keys, key);
			if (first) {
				g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_DUPLICATE,
					    "line %u: duplicate key '%s' (first on line %u)", line,
					    key, GPOINTER_TO_UINT(first));
				return FALSE;
			}
			g_hash_table_insert(keys, key, GUINT_TO_POINTER(line));
		}
		if (!import_row(l, reg, map, row, update, stats, error)) {
			g_prefix_error(error, "line %u: ", line);
			return FALSE;
		}
	}
	return TRUE;
}

gboolean kj_ledger_import_csv(KjLedger *l, const KjLedgerRegister *reg, const char *data, gsize len,
			      gboolean update, KjLedgerImportStats *stats, GError **error)
{
	KjLedgerImportStats st = {0};
	g_autoptr(GArray) lines = g_array_new(FALSE, FALSE, sizeof(guint));

	g_return_val_if_fail(l->audit != NULL, FALSE);
	if (len > KJ_LEDGER_MAX_IMPORT_BYTES) {
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_CSV,
			    "the file is larger than %d bytes; split it",
			    KJ_LEDGER_MAX_IMPORT_BYTES);
		return FALSE;
	}
	g_autofree char *text = decode(data, len, st.encoding, error);
	if (text == NULL)
		return FALSE;
	g_autoptr(GPtrArray) rows = csv_parse_lines(text, strlen(text), lines, error);
	if (rows == NULL)
		return FALSE;
	if (rows->len == 0) {
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_CSV, "the file is empty");
		return FALSE;
	}
	if (!kj_db_begin(l->db, error))
		return FALSE;
	if (!import_rows(l, reg, rows, lines, update, &st, error) || !kj_db_commit(l->db, error)) {
		kj_db_rollback(l->db, NULL);
		g_prefix_error(error, "nothing imported: ");
		return FALSE;
	}
	if (stats)
		*stats = st;
	return TRUE;
}

static void put_field(GString *out, const char *v)
{
	if (v == NULL)
		return;
	if (strpbrk(v, ",\"\r\n") == NULL && !g_ascii_isspace(v[0])) {
		g_string_append(out, v);
		return;
	}
	g_string_append_c(out, '"');
	for (const char *p = v; *p; p++) {
		if (*p == '"')
			g_string_append_c(out, '"');
		g_string_append_c(out, *p);
	}
	g_string_append_c(out, '"');
}

GString *kj_ledger_export_csv(KjLedger *l, const KjLedgerRegister *reg, GError **error)
{
	g_autoptr(GPtrArray) records = kj_ledger_list(l, reg, NULL, NULL, error);
	GString *out;

	if (records == NULL)
		return NULL;
	out = g_string_new(BOM "key");
	for (gsize i = 0; i < reg->n_columns; i++)
		g_string_append_printf(out, ",%s", reg->columns[i].name);
	g_string_append(out, "\r\n");
	for (guint r = 0; r < records->len; r++) {
		const KjLedgerRecord *rec = records->pdata[r];
		put_field(out, rec->key);
		for (gsize i = 0; i < reg->n_columns; i++) {
			g_string_append_c(out, ',');
			put_field(out, rec->values[i]);
		}
		g_string_append(out, "\r\n");
	}
	return out;
}
