/*++
 * NAME
 *	ledger - paged JSON views of the governance ledger for front ends
 * DESCRIPTION
 *	The ledger module (ledger/) reads and writes whole registers; a
 *	browser needs pages of a register that may hold a hundred thousand
 *	assets, each page in a few milliseconds.  This file reads one page
 *	by the primary key (keyset pagination: "key > cursor ORDER BY key
 *	LIMIT n", one index range scan whatever the page number), and shapes
 *	records, the heat map, due duties, findings and self-inspection
 *	forms as JSON.  Writes still go through ledger/ (validation, derived
 *	columns, audit).
 * SECURITY
 *	Table and column names come only from the register table
 *	(ledger/register.c); every value from a request is a bound parameter.
 * LIMITS
 *	KJ_CONSOLE_PAGE_MAX rows per page.
 * STANDARDS
 *	基本方針 6(2) (分類と継承), 7 (自己点検), 8 (リスク評価), 6(7) (インシデント).
 * SEE ALSO
 *	ledger/ledger.h.
 *--*/
#include "view/view.h"

#include "util/limits.h"

#include <string.h>

json_t *kj_view_ledger_registers(void)
{
	gsize n = 0;
	const KjLedgerRegister *regs = kj_ledger_registers(&n);
	json_t *a = json_array();
	for (gsize i = 0; i < n; i++) {
		const KjLedgerRegister *r = &regs[i];
		json_t *cols = json_array();
		for (gsize c = 0; c < r->n_columns; c++) {
			const KjLedgerColumn *col = &r->columns[c];
			json_t *o =
			    json_pack("{s:s, s:s, s:s, s:b, s:b, s:b}", "name", col->name, "label",
				      col->label, "type", kj_ledger_type_name(col->type),
				      "required", (col->flags & KJ_LEDGER_COL_REQUIRED) != 0,
				      "derived", (col->flags & KJ_LEDGER_COL_DERIVED) != 0, "due",
				      (col->flags & KJ_LEDGER_COL_DUE) != 0);
			if (col->type == KJ_LEDGER_ENUM && col->ref) {
				g_auto(GStrv) ch = g_strsplit(col->ref, "|", -1);
				json_t *choices = json_array();
				for (guint k = 0; ch[k]; k++)
					json_array_append_new(choices, json_string(ch[k]));
				json_object_set_new(o, "choices", choices);
			} else if (col->ref) {
				json_object_set_new(o, "ref", json_string(col->ref));
			}
			if (col->type == KJ_LEDGER_INT) {
				json_object_set_new(o, "min", json_integer(col->min));
				json_object_set_new(o, "max", json_integer(col->max));
			}
			json_array_append_new(cols, o);
		}
		json_array_append_new(a, json_pack("{s:s, s:s, s:o}", "noun", r->noun, "summary",
						   r->summary, "columns", cols));
	}
	return a;
}

json_t *kj_view_ledger_record_json(const KjLedgerRecord *rec)
{
	json_t *values = json_object();
	for (gsize c = 0; c < rec->reg->n_columns; c++)
		json_object_set_new(values, rec->reg->columns[c].name,
				    rec->values[c] ? json_string(rec->values[c]) : json_null());
	return json_pack("{s:s, s:I, s:s, s:s, s:o}", "key", rec->key, "version",
			 (json_int_t)rec->version, "created_at", rec->created_at, "updated_at",
			 rec->updated_at, "values", values);
}

static char *select_sql(const KjLedgerRegister *reg, const char *where)
{
	GString *s = g_string_new("SELECT key, version, created_at, updated_at");
	for (gsize c = 0; c < reg->n_columns; c++)
		g_string_append_printf(s, ", %s", reg->columns[c].name);
	g_string_append_printf(s, " FROM %s %s", reg->table, where);
	return g_string_free(s, FALSE);
}

typedef struct {
	KjLedger *l;
	const KjLedgerRegister *reg;
	json_t *items;
	gint64 limit, n;
	char *last;
} PageCtx;

static KjLedgerRecord *row_record(const KjLedgerRegister *reg, const KjDbRow *row)
{
	KjLedgerRecord *rec = kj_ledger_record_new(reg, kj_db_row_get_text(row, 0));
	rec->version = kj_db_row_get_int(row, 1);
	g_free(rec->created_at);
	g_free(rec->updated_at);
	rec->created_at = g_strdup(kj_db_row_get_text(row, 2));
	rec->updated_at = g_strdup(kj_db_row_get_text(row, 3));
	for (gsize c = 0; c < reg->n_columns; c++) {
		g_free(rec->values[c]);
		rec->values[c] = g_strdup(kj_db_row_get_text(row, (guint)(4 + c)));
	}
	return rec;
}

static json_t *effective_json(KjLedger *l, const char *key)
{
	g_autoptr(GPtrArray) levels = kj_ledger_effective_levels(l, key, NULL);
	json_t *o = json_object();
	for (guint i = 0; levels && i < levels->len; i++) {
		const KjLedgerLevel *v = levels->pdata[i];
		json_object_set_new(
		    o, v->scheme,
		    json_pack("{s:o, s:o, s:o}", "own", v->own ? json_string(v->own) : json_null(),
			      "effective", v->effective ? json_string(v->effective) : json_null(),
			      "from", v->from ? json_string(v->from) : json_null()));
	}
	return o;
}

static gboolean row_page(const KjDbRow *row, gpointer user_data)
{
	PageCtx *c = user_data;
	if (c->n++ >= c->limit)
		return FALSE;
	KjLedgerRecord *rec = row_record(c->reg, row);
	json_t *o = kj_view_ledger_record_json(rec);
	json_array_append_new(c->items, o);
	g_free(c->last);
	c->last = g_strdup(rec->key);
	kj_ledger_record_free(rec);
	return TRUE;
}

static const char *first_text_column(const KjLedgerRegister *reg)
{
	for (gsize c = 0; c < reg->n_columns; c++)
		if (reg->columns[c].type == KJ_LEDGER_TEXT)
			return reg->columns[c].name;
	return NULL;
}

gboolean kj_view_ledger_page(KjLedger *l, const KjLedgerRegister *reg, const char *q,
			     const char *where_column, const char *where_value,
			     gboolean with_effective, const char *cursor, gint64 limit,
			     KjPage *page, GError **error)
{
	g_autofree char *ckey = NULL, *cid = NULL;
	if (limit <= 0 || limit > KJ_CONSOLE_PAGE_MAX)
		limit = KJ_CONSOLE_PAGE_DEFAULT;
	if (cursor && !_kj_cursor_parse(cursor, &ckey, &cid)) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID, "bad cursor");
		return FALSE;
	}
	int wc = where_column ? kj_ledger_column_index(reg, where_column) : -1;
	if (where_column && wc < 0) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID,
			    "%s has no column '%s'", reg->noun, where_column);
		return FALSE;
	}
	const char *text = first_text_column(reg);
	g_autofree char *like = q && *q ? g_strdup_printf("%%%s%%", q) : NULL;
	g_autofree char *text_cond =
	    text ? g_strdup_printf("key LIKE ? OR %s LIKE ?", text) : g_strdup("key LIKE ?");
	g_autofree char *eq = wc >= 0 ? g_strdup_printf("%s = ?", reg->columns[wc].name) : NULL;
	KjWhere w;
	_kj_where_init(&w);
	if (cid && *cid)
		_kj_where_add(&w, "key > ?", 1, KJ_DB_TEXT(cid));
	if (like)
		_kj_where_add(&w, text_cond, text ? 2 : 1, KJ_DB_TEXT(like), KJ_DB_TEXT(like));
	if (eq && where_value)
		_kj_where_add(&w, eq, 1, KJ_DB_TEXT(where_value));
	w.params[w.n++] = KJ_DB_INT(limit + 1);
	g_autofree char *tail =
	    g_strdup_printf("%s ORDER BY key LIMIT $%" G_GSIZE_FORMAT, _kj_where_sql(&w), w.n);
	g_autofree char *sql = select_sql(reg, tail);
	PageCtx c = {.l = l, .reg = reg, .items = json_array(), .limit = limit};
	gboolean ok = kj_db_query(kj_ledger_get_db(l), sql, w.params, w.n, row_page, &c, error);
	_kj_where_clear(&w);
	if (!ok) {
		json_decref(c.items);
		g_free(c.last);
		return FALSE;
	}
	if (with_effective && strcmp(reg->noun, "asset") == 0) {
		size_t i;
		json_t *o;
		json_array_foreach(c.items, i, o) json_object_set_new(
		    o, "effective",
		    effective_json(l, json_string_value(json_object_get(o, "key"))));
	}
	page->items = c.items;
	page->next_cursor = c.n > limit ? _kj_cursor_make("", c.last) : NULL;
	g_free(c.last);
	return TRUE;
}

json_t *kj_view_ledger_get(KjLedger *l, const KjLedgerRegister *reg, const char *key,
			   GError **error)
{
	g_autoptr(KjLedgerRecord) rec = kj_ledger_get(l, reg, key, error);
	if (!rec)
		return NULL;
	json_t *o = kj_view_ledger_record_json(rec);
	if (strcmp(reg->noun, "asset") == 0)
		json_object_set_new(o, "effective", effective_json(l, key));
	if (strcmp(reg->noun, "incident") == 0) {
		const KjLedgerRegister *tl = kj_ledger_register_find("timeline");
		g_autoptr(GPtrArray) entries =
		    tl ? kj_ledger_list(l, tl, "incident", key, NULL) : NULL;
		json_t *a = json_array();
		for (guint i = 0; entries && i < entries->len; i++)
			json_array_append_new(a, kj_view_ledger_record_json(entries->pdata[i]));
		json_object_set_new(o, "timeline", a);
	}
	return o;
}

gboolean kj_view_ledger_assignments(const KjLedgerRegister *reg, json_t *values, GStrv *out,
				    GError **error)
{
	const char *k;
	json_t *v;
	g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func(g_free);

	*out = NULL;
	if (!json_is_object(values)) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID,
			    "'values' must be an object of column: text");
		return FALSE;
	}
	json_object_foreach(values, k, v)
	{
		if (kj_ledger_column_index(reg, k) < 0) {
			g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID,
				    "%s has no column '%s'", reg->noun, k);
			return FALSE;
		}
		if (json_is_null(v)) {
			g_ptr_array_add(a, g_strdup_printf("%s=", k));
		} else if (json_is_string(v) &&
			   strlen(json_string_value(v)) == json_string_length(v)) {
			g_ptr_array_add(a, g_strdup_printf("%s=%s", k, json_string_value(v)));
		} else if (json_is_integer(v)) {
			g_ptr_array_add(a, g_strdup_printf("%s=%" JSON_INTEGER_FORMAT, k,
							   json_integer_value(v)));
		} else {
			g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID,
				    "'%s' must be a string, an integer or null", k);
			return FALSE;
		}
	}
	g_ptr_array_add(a, NULL);
	*out = (GStrv)g_ptr_array_free(g_steal_pointer(&a), FALSE);
	return TRUE;
}

json_t *kj_view_risk_heatmap(KjLedger *l, const char *which, GError **error)
{
	KjLedgerCell cells[5][5];
	memset(cells, 0, sizeof cells);
	if (!which)
		which = "current";
	if (strcmp(which, "inherent") != 0 && strcmp(which, "current") != 0 &&
	    strcmp(which, "residual") != 0) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID,
			    "which: inherent, current or residual");
		return NULL;
	}
	if (!kj_ledger_risk_matrix(l, which, cells, error))
		return NULL;
	json_t *rows = json_array();
	for (int li = 0; li < 5; li++) {
		json_t *row = json_array();
		for (int im = 0; im < 5; im++)
			json_array_append_new(
			    row,
			    json_pack("{s:i, s:i, s:I, s:o, s:I}", "likelihood", li + 1, "impact",
				      im + 1, "risks", (json_int_t)cells[li][im].risks, "level",
				      cells[li][im].level ? json_string(cells[li][im].level)
							  : json_null(),
				      "rank", (json_int_t)cells[li][im].rank));
		json_array_append_new(rows, row);
	}
	kj_ledger_risk_matrix_clear(cells);
	return json_pack("{s:s, s:o}", "which", which, "cells", rows);
}

json_t *kj_view_due(KjLedger *l, const char *today, gint64 horizon, GError **error)
{
	g_autoptr(GPtrArray) due = kj_ledger_due(l, today, horizon, error);
	if (!due)
		return NULL;
	json_t *a = json_array();
	for (guint i = 0; i < due->len; i++) {
		const KjLedgerDue *d = due->pdata[i];
		json_array_append_new(
		    a, json_pack("{s:s, s:o, s:s, s:s, s:b, s:o}", "noun", d->noun, "key",
				 d->key ? json_string(d->key) : json_null(), "what", d->what, "due",
				 d->due, "overdue", d->overdue, "clause",
				 d->clause ? json_string(d->clause) : json_null()));
	}
	return a;
}

json_t *kj_view_findings(KjLedger *l, GError **error)
{
	g_autoptr(GPtrArray) f = kj_ledger_check(l, error);
	if (!f)
		return NULL;
	json_t *a = json_array();
	for (guint i = 0; i < f->len; i++) {
		const KjLedgerFinding *x = f->pdata[i];
		json_array_append_new(
		    a,
		    json_pack("{s:s, s:o, s:o, s:o, s:s}", "rule", x->rule, "clause",
			      x->clause ? json_string(x->clause) : json_null(), "noun",
			      x->noun ? json_string(x->noun) : json_null(), "key",
			      x->key ? json_string(x->key) : json_null(), "message", x->message));
	}
	return a;
}

json_t *kj_view_inspection_report(KjLedger *l, const char *campaign, GError **error)
{
	g_autoptr(GPtrArray) rows = kj_ledger_inspect_report(l, campaign, error);
	if (!rows)
		return NULL;
	json_t *a = json_array();
	for (guint i = 0; i < rows->len; i++) {
		const KjLedgerInspectRow *r = rows->pdata[i];
		json_t *gaps = json_array();
		for (guint g = 0; r->gaps && g < r->gaps->len; g++)
			json_array_append_new(gaps, json_string(r->gaps->pdata[g]));
		json_array_append_new(
		    a, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "department",
				 r->department, "items", (json_int_t)r->items, "answered",
				 (json_int_t)r->answered, "compliant", (json_int_t)r->compliant,
				 "partly", (json_int_t)r->partly, "not_compliant",
				 (json_int_t)r->not_compliant, "not_applicable",
				 (json_int_t)r->not_applicable, "score", (json_int_t)r->score,
				 "gaps", gaps));
	}
	return a;
}

static gboolean row_form(const KjDbRow *row, gpointer user_data)
{
	json_array_append_new(
	    user_data,
	    json_pack(
		"{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "item", kj_db_row_get_text(row, 0),
		"parent",
		kj_db_row_get_text(row, 1) ? json_string(kj_db_row_get_text(row, 1)) : json_null(),
		"clause",
		kj_db_row_get_text(row, 2) ? json_string(kj_db_row_get_text(row, 2)) : json_null(),
		"question",
		kj_db_row_get_text(row, 3) ? json_string(kj_db_row_get_text(row, 3)) : json_null(),
		"result",
		kj_db_row_get_text(row, 4) ? json_string(kj_db_row_get_text(row, 4)) : json_null(),
		"evidence",
		kj_db_row_get_text(row, 5) ? json_string(kj_db_row_get_text(row, 5)) : json_null(),
		"answered_at",
		kj_db_row_get_text(row, 6) ? json_string(kj_db_row_get_text(row, 6)) : json_null(),
		"version",
		kj_db_row_is_null(row, 7) ? json_null() : json_integer(kj_db_row_get_int(row, 7))));
	return TRUE;
}

json_t *kj_view_inspection_form(KjLedger *l, const char *campaign, const char *department,
				GError **error)
{
	json_t *items = json_array();
	/* The items issued to the department: its rows of ledger_answer
	 * (inspect start issues every leaf to every department). */
	if (!kj_db_query(kj_ledger_get_db(l),
			 "SELECT c.key, c.parent, c.clause, c.question, a.result, a.evidence,"
			 " CASE WHEN a.result IS NULL THEN NULL ELSE a.updated_at END, a.version"
			 " FROM ledger_answer a JOIN ledger_checklist c ON c.key = a.item"
			 " WHERE a.campaign = $1 AND a.department = $2 ORDER BY c.key",
			 KJ_DB_ARGS(KJ_DB_TEXT(campaign), KJ_DB_TEXT(department)), row_form, items,
			 error)) {
		json_decref(items);
		return NULL;
	}
	gint64 answered = 0;
	size_t i;
	json_t *v;
	json_array_foreach(items, i, v) if (!json_is_null(json_object_get(v, "result"))) answered++;
	return json_pack("{s:s, s:s, s:I, s:I, s:o}", "campaign", campaign, "department",
			 department, "items_total", (json_int_t)json_array_size(items), "answered",
			 (json_int_t)answered, "items", items);
}

gboolean kj_view_department_matches(KjLedger *l, const char *account_department,
				    const char *ledger_department)
{
	if (!account_department || !ledger_department)
		return FALSE;
	if (strcmp(account_department, ledger_department) == 0)
		return TRUE;
	gint64 n = 0;
	return kj_db_query_int(
		   kj_ledger_get_db(l),
		   "SELECT count(*) FROM ledger_department WHERE key = $1 AND name = $2",
		   KJ_DB_ARGS(KJ_DB_TEXT(ledger_department), KJ_DB_TEXT(account_department)), &n,
		   NULL, NULL) &&
	       n > 0;
}
