/*++
 * NAME
 *	record - add, read, change and delete records of any register
 * DESCRIPTION
 *	One implementation for every register, driven by the descriptor
 *	table of register.c.  Each change runs in one transaction that
 *	reads the record, checks the values (types, required columns,
 *	references, scheme levels), computes derived columns, writes the
 *	row and appends an audit record whose details carry every changed
 *	column with its old and new value ({"changes":{"col":{"old":..,
 *	"new":..}}}), so that an auditor can replay the ledger's history.
 *
 *	Concurrent edits never lose an update: every row has a version,
 *	raised by one on each change, and the UPDATE is guarded by
 *	"WHERE key = $1 AND version = $2".  A caller that read version N
 *	and passes it as expected_version gets KJ_LEDGER_ERROR_CONFLICT if
 *	anybody changed the record since.  (On SQLite the write lock taken
 *	by kj_db_begin() already serialises writers; the guard is what keeps
 *	the same promise on PostgreSQL at READ COMMITTED.)
 *
 *	The audit record is appended inside the transaction, before the
 *	commit: if it cannot be written the change is rolled back, so there
 *	is never a change without its record.  A crash between the two
 *	leaves a record of a change that was not committed, which the
 *	row's version (absent from the database) shows.
 * SECURITY
 *	Runs in the CLI (and later the console) as the invoking user.
 *	Keys and values are untrusted text; SQL is assembled only from the
 *	constant identifiers of register.c and values are always bound.
 * LIMITS
 *	KJ_LEDGER_MAX_VALUE per value; keys at most 128 bytes.
 * STANDARDS
 *	基本方針 6(2) 情報資産の分類と管理, 6(9) and 7 (an auditable record of
 *	what was changed, when and by whom), 2(6) 完全性.
 * SEE ALSO
 *	ledger.h, register.c, value.c, audit/audit.h
 *--*/
#include "audit/audit.h"
#include "ledger/ledger-private.h"
#include "store/store.h"
#include "util/limits.h"

#include <jansson.h>
#include <string.h>

#define KEY_MAX 128

KjLedger *kj_ledger_new(KjDb *db, KjAudit *audit, const char *actor, const KjLedgerOptions *opts)
{
	KjLedger *l = g_new0(KjLedger, 1);

	l->db = db;
	l->audit = audit;
	l->actor = g_strdup(actor ? actor : "kyojin");
	if (opts)
		l->opts = *opts;
	if (l->opts.ppc_preliminary_days <= 0)
		l->opts.ppc_preliminary_days = KJ_LEDGER_PPC_PRELIMINARY_DAYS_DEFAULT;
	if (l->opts.ppc_final_days <= 0)
		l->opts.ppc_final_days = KJ_LEDGER_PPC_FINAL_DAYS_DEFAULT;
	if (l->opts.due_horizon_days <= 0)
		l->opts.due_horizon_days = KJ_LEDGER_DUE_HORIZON_DEFAULT;
	return l;
}

void kj_ledger_free(KjLedger *l)
{
	if (l == NULL)
		return;
	g_free(l->actor);
	g_free(l);
}

KjDb *kj_ledger_get_db(KjLedger *l)
{
	return l->db;
}

const KjLedgerOptions *kj_ledger_get_options(const KjLedger *l)
{
	return &l->opts;
}

KjLedgerRecord *kj_ledger_record_new(const KjLedgerRegister *reg, const char *key)
{
	KjLedgerRecord *rec = g_new0(KjLedgerRecord, 1);

	rec->reg = reg;
	rec->key = g_strdup(key);
	rec->values = g_new0(char *, reg->n_columns + 1);
	return rec;
}

void kj_ledger_record_free(KjLedgerRecord *rec)
{
	if (rec == NULL)
		return;
	for (gsize i = 0; i < rec->reg->n_columns; i++)
		g_free(rec->values[i]);
	g_free(rec->values);
	g_free(rec->key);
	g_free(rec->created_at);
	g_free(rec->updated_at);
	g_free(rec);
}

static KjLedgerRecord *record_dup(const KjLedgerRecord *rec)
{
	KjLedgerRecord *c = kj_ledger_record_new(rec->reg, rec->key);

	c->version = rec->version;
	c->created_at = g_strdup(rec->created_at);
	c->updated_at = g_strdup(rec->updated_at);
	for (gsize i = 0; i < rec->reg->n_columns; i++)
		c->values[i] = g_strdup(rec->values[i]);
	return c;
}

const char *kj_ledger_record_get(const KjLedgerRecord *rec, const char *column)
{
	int i = kj_ledger_column_index(rec->reg, column);

	g_return_val_if_fail(i >= 0, NULL);
	return rec->values[i];
}

void kj_ledger_record_put(KjLedgerRecord *rec, const char *column, const char *value)
{
	int i = kj_ledger_column_index(rec->reg, column);

	g_return_if_fail(i >= 0);
	g_free(rec->values[i]);
	rec->values[i] = g_strdup(value);
}

/*
 * Reading.
 */

static char *select_sql(const KjLedgerRegister *reg, const char *where)
{
	GString *sql = g_string_new("SELECT key, version, created_at, updated_at");

	for (gsize i = 0; i < reg->n_columns; i++)
		g_string_append_printf(sql, ", %s", reg->columns[i].name);
	g_string_append_printf(sql, " FROM %s", reg->table);
	if (where)
		g_string_append_printf(sql, " WHERE %s = $1", where);
	g_string_append(sql, " ORDER BY key");
	return g_string_free(sql, FALSE);
}

typedef struct {
	const KjLedgerRegister *reg;
	GPtrArray *records;
} Collect;

static gboolean collect_row(const KjDbRow *row, gpointer user_data)
{
	Collect *c = user_data;
	KjLedgerRecord *rec = kj_ledger_record_new(c->reg, kj_db_row_get_text(row, 0));

	rec->version = kj_db_row_get_int(row, 1);
	rec->created_at = g_strdup(kj_db_row_get_text(row, 2));
	rec->updated_at = g_strdup(kj_db_row_get_text(row, 3));
	for (gsize i = 0; i < c->reg->n_columns; i++)
		if (!kj_db_row_is_null(row, (guint)i + 4))
			rec->values[i] = g_strdup(kj_db_row_get_text(row, (guint)i + 4));
	g_ptr_array_add(c->records, rec);
	return TRUE;
}

GPtrArray *kj_ledger_list(KjLedger *l, const KjLedgerRegister *reg, const char *where_column,
			  const char *where_value, GError **error)
{
	const char *where = NULL;
	Collect c = {reg, g_ptr_array_new_with_free_func((GDestroyNotify)kj_ledger_record_free)};

	if (where_column) {
		int i = kj_ledger_column_index(reg, where_column);
		if (i < 0 && strcmp(where_column, "key") != 0) {
			g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_UNKNOWN,
				    "register %s has no column '%s'", reg->noun, where_column);
			g_ptr_array_unref(c.records);
			return NULL;
		}
		where = i < 0 ? "key" : reg->columns[i].name;
	}
	g_autofree char *sql = select_sql(reg, where);
	gboolean ok = where ? kj_db_query(l->db, sql, KJ_DB_ARGS(KJ_DB_TEXT(where_value)),
					  collect_row, &c, error)
			    : kj_db_query(l->db, sql, KJ_DB_NO_ARGS, collect_row, &c, error);
	if (!ok) {
		g_ptr_array_unref(c.records);
		return NULL;
	}
	return c.records;
}

KjLedgerRecord *kj_ledger_get(KjLedger *l, const KjLedgerRegister *reg, const char *key,
			      GError **error)
{
	g_autoptr(GPtrArray) all = kj_ledger_list(l, reg, "key", key, error);

	if (all == NULL)
		return NULL;
	if (all->len == 0) {
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_UNKNOWN,
			    "no %s '%s' in the ledger", reg->noun, key);
		return NULL;
	}
	return g_ptr_array_steal_index(all, 0);
}

gboolean _kj_ledger_exists(KjLedger *l, const KjLedgerRegister *reg, const char *key,
			   gboolean *exists, GError **error)
{
	g_autofree char *sql = g_strdup_printf("SELECT 1 FROM %s WHERE key = $1", reg->table);
	gint64 one = 0;

	return kj_db_query_int(l->db, sql, KJ_DB_ARGS(KJ_DB_TEXT(key)), &one, exists, error);
}

/*
 * Changing.
 */

static gboolean check_key(const KjLedgerRegister *reg, const char *key, GError **error)
{
	gboolean ok = key && *key && strlen(key) <= KEY_MAX && g_utf8_validate(key, -1, NULL) &&
		      !g_ascii_isspace(key[0]) && !g_ascii_isspace(key[strlen(key) - 1]);

	for (const char *p = key; ok && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == ',' || *p == '=' || *p == 0x7f)
			ok = FALSE;
	if (!ok)
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_INVALID,
			    "%s key '%s' is not usable: 1 to %d bytes of UTF-8 without spaces at "
			    "the ends, control characters, ',' or '='",
			    reg->noun, key ? key : "", KEY_MAX);
	return ok;
}

static gboolean apply_one(KjLedger *l, KjLedgerRecord *rec, const char *assignment, GError **error)
{
	const char *eq = strchr(assignment, '=');
	g_autofree char *name = eq ? g_strndup(assignment, (gsize)(eq - assignment)) : NULL;
	const KjLedgerRegister *reg = rec->reg;
	int i = name ? kj_ledger_column_index(reg, g_strstrip(name)) : -1;

	if (eq == NULL) {
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_INVALID,
			    "'%s' is not COLUMN=VALUE", assignment);
		return FALSE;
	}
	if (i < 0) {
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_UNKNOWN,
			    "register %s has no column '%s' (see 'kyojin ledger columns %s')",
			    reg->noun, name, reg->noun);
		return FALSE;
	}
	const KjLedgerColumn *col = &reg->columns[i];
	if (col->flags & KJ_LEDGER_COL_DERIVED) {
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_INVALID,
			    "%s is computed by kyojin and cannot be set", col->name);
		return FALSE;
	}
	g_autofree char *value = g_strstrip(g_strdup(eq + 1));
	char *stored = NULL;
	if (*value && (stored = kj_ledger_value_parse(l, col, value, error)) == NULL)
		return FALSE;
	g_free(rec->values[i]);
	rec->values[i] = stored;
	return TRUE;
}

static gboolean apply_all(KjLedger *l, const KjLedgerRecord *old, KjLedgerRecord *rec,
			  const char *const *assignments, GError **error)
{
	const KjLedgerRegister *reg = rec->reg;

	for (gsize i = 0; assignments && assignments[i]; i++)
		if (!apply_one(l, rec, assignments[i], error)) {
			g_prefix_error(error, "%s %s: ", reg->noun, rec->key);
			return FALSE;
		}
	for (gsize i = 0; i < reg->n_columns; i++) {
		const KjLedgerColumn *col = &reg->columns[i];
		if ((col->flags & KJ_LEDGER_COL_REQUIRED) && rec->values[i] == NULL) {
			g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_INVALID,
				    "%s %s: %s (%s) is required", reg->noun, rec->key, col->name,
				    col->label);
			return FALSE;
		}
	}
	if (reg->derive && !reg->derive(l, old, rec, error)) {
		g_prefix_error(error, "%s %s: ", reg->noun, rec->key);
		return FALSE;
	}
	return TRUE;
}

static json_t *json_value(const char *v)
{
	return v ? json_string(v) : json_null();
}

/* {"col":{"old":..,"new":..}} for the columns that differ; old or new
 * may be NULL for an add or a delete. */
static json_t *diff_changes(const KjLedgerRegister *reg, const KjLedgerRecord *old,
			    const KjLedgerRecord *rec)
{
	json_t *changes = json_object();

	for (gsize i = 0; i < reg->n_columns; i++) {
		const char *a = old ? old->values[i] : NULL;
		const char *b = rec ? rec->values[i] : NULL;
		if (g_strcmp0(a, b) == 0)
			continue;
		json_object_set_new(
		    changes, reg->columns[i].name,
		    json_pack("{s:o, s:o}", "old", json_value(a), "new", json_value(b)));
	}
	return changes;
}

static gboolean audit_change(KjLedger *l, const char *verb, const KjLedgerRegister *reg,
			     const char *key, gint64 version, json_t *changes, GError **error)
{
	g_autofree char *action = g_strdup_printf("ledger.%s.%s", reg->noun, verb);
	g_autofree char *object = g_strdup_printf("%s:%s", reg->noun, key);
	json_t *details = json_pack("{s:s, s:s, s:I, s:O}", "register", reg->noun, "key", key,
				    "version", (json_int_t)version, "changes", changes);
	gboolean ok = kj_audit_append(l->audit, l->actor, action, object, details, NULL, error);

	json_decref(details);
	if (!ok)
		g_prefix_error(error, "change not made, as it could not be audited: ");
	return ok;
}

static KjDbValue bind_value(const KjLedgerColumn *col, const char *v)
{
	gint64 n = 0;

	if (v == NULL)
		return KJ_DB_NULL;
	if ((col->type == KJ_LEDGER_INT || col->type == KJ_LEDGER_BOOL) &&
	    g_ascii_string_to_signed(v, 10, G_MININT64, G_MAXINT64, &n, NULL))
		return KJ_DB_INT(n);
	return KJ_DB_TEXT(v);
}

/* INSERT (add) or guarded UPDATE (set) of rec; params $1 key, $2 version,
 * $3 time, then the columns. */
static gboolean write_row(KjLedger *l, const KjLedgerRecord *rec, gboolean insert, gint64 version,
			  GError **error)
{
	const KjLedgerRegister *reg = rec->reg;
	g_autofree KjDbValue *params = g_new0(KjDbValue, reg->n_columns + 3);
	g_autoptr(GString) sql = g_string_new(NULL);
	g_autofree char *now = kj_db_now_utc();

	params[0] = KJ_DB_TEXT(rec->key);
	params[1] = KJ_DB_INT(version);
	params[2] = KJ_DB_TEXT(now);
	for (gsize i = 0; i < reg->n_columns; i++)
		params[i + 3] = bind_value(&reg->columns[i], rec->values[i]);
	if (insert) {
		g_string_append_printf(sql, "INSERT INTO %s (key, version, created_at, updated_at",
				       reg->table);
		for (gsize i = 0; i < reg->n_columns; i++)
			g_string_append_printf(sql, ", %s", reg->columns[i].name);
		g_string_append(sql, ") VALUES ($1, $2, $3, $3");
		for (gsize i = 0; i < reg->n_columns; i++)
			g_string_append_printf(sql, ", $%zu", i + 4);
		g_string_append(sql, ")");
	} else {
		g_string_append_printf(sql, "UPDATE %s SET version = version + 1, updated_at = $3",
				       reg->table);
		for (gsize i = 0; i < reg->n_columns; i++)
			g_string_append_printf(sql, ", %s = $%zu", reg->columns[i].name, i + 4);
		g_string_append(sql, " WHERE key = $1 AND version = $2");
	}
	if (!kj_db_exec(l->db, sql->str, params, reg->n_columns + 3, error))
		return FALSE;
	if (!insert && kj_db_changes(l->db) != 1) {
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_CONFLICT,
			    "%s %s was changed by someone else meanwhile; show it again and retry",
			    reg->noun, rec->key);
		return FALSE;
	}
	return TRUE;
}

gboolean _kj_ledger_add_locked(KjLedger *l, const KjLedgerRegister *reg, const char *key,
			       const char *const *assignments, GError **error)
{
	gboolean exists = FALSE;

	if (!check_key(reg, key, error) || !_kj_ledger_exists(l, reg, key, &exists, error))
		return FALSE;
	if (exists) {
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_DUPLICATE,
			    "%s '%s' already exists (use 'kyojin ledger %s set' to change it)",
			    reg->noun, key, reg->noun);
		return FALSE;
	}
	g_autoptr(KjLedgerRecord) rec = kj_ledger_record_new(reg, key);
	if (!apply_all(l, NULL, rec, assignments, error) || !write_row(l, rec, TRUE, 1, error))
		return FALSE;
	json_t *changes = diff_changes(reg, NULL, rec);
	gboolean ok = audit_change(l, "add", reg, key, 1, changes, error);
	json_decref(changes);
	return ok;
}

gboolean _kj_ledger_set_locked(KjLedger *l, const KjLedgerRegister *reg, const char *key,
			       gint64 expected_version, const char *const *assignments,
			       gint64 *new_version, GError **error)
{
	g_autoptr(KjLedgerRecord) old = kj_ledger_get(l, reg, key, error);

	if (old == NULL)
		return FALSE;
	if (expected_version > 0 && old->version != expected_version) {
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_CONFLICT,
			    "%s %s is at version %" G_GINT64_FORMAT ", not %" G_GINT64_FORMAT
			    ": changed by someone else since you read it (updated %s); show it "
			    "again and retry",
			    reg->noun, key, old->version, expected_version, old->updated_at);
		return FALSE;
	}
	g_autoptr(KjLedgerRecord) rec = record_dup(old);
	if (!apply_all(l, old, rec, assignments, error))
		return FALSE;
	json_t *changes = diff_changes(reg, old, rec);
	gboolean ok = TRUE;
	if (new_version)
		*new_version = old->version;
	if (json_object_size(changes) > 0) {
		ok = write_row(l, rec, FALSE, old->version, error) &&
		     audit_change(l, "set", reg, key, old->version + 1, changes, error);
		if (ok && new_version)
			*new_version = old->version + 1;
	}
	json_decref(changes);
	return ok;
}

static gboolean finish(KjLedger *l, gboolean ok, GError **error)
{
	if (ok)
		ok = kj_db_commit(l->db, error);
	if (!ok)
		kj_db_rollback(l->db, NULL);
	return ok;
}

gboolean kj_ledger_add(KjLedger *l, const KjLedgerRegister *reg, const char *key,
		       const char *const *assignments, GError **error)
{
	g_return_val_if_fail(l->audit != NULL, FALSE);
	if (!kj_db_begin(l->db, error))
		return FALSE;
	return finish(l, _kj_ledger_add_locked(l, reg, key, assignments, error), error);
}

gboolean kj_ledger_set(KjLedger *l, const KjLedgerRegister *reg, const char *key,
		       gint64 expected_version, const char *const *assignments, gint64 *new_version,
		       GError **error)
{
	g_return_val_if_fail(l->audit != NULL, FALSE);
	if (!kj_db_begin(l->db, error))
		return FALSE;
	return finish(
	    l,
	    _kj_ledger_set_locked(l, reg, key, expected_version, assignments, new_version, error),
	    error);
}

/* How many records of reg hold key as an item of their LIST column col. */
static gboolean count_in_lists(KjLedger *l, const KjLedgerRegister *reg, const char *col,
			       const char *key, gint64 *count, GError **error)
{
	g_autoptr(GPtrArray) recs = kj_ledger_list(l, reg, NULL, NULL, error);

	*count = 0;
	if (recs == NULL)
		return FALSE;
	for (guint i = 0; i < recs->len; i++) {
		g_autoptr(GPtrArray) items =
		    _kj_ledger_list_split(kj_ledger_record_get(recs->pdata[i], col));
		for (guint j = 0; j < items->len; j++)
			if (strcmp(items->pdata[j], key) == 0) {
				(*count)++;
				break;
			}
	}
	return TRUE;
}

/* Whether any record still refers to rec (REF columns and LIST columns
 * naming its register, LEVEL columns naming its scheme and code). */
static gboolean check_unreferenced(KjLedger *l, const KjLedgerRecord *rec, GError **error)
{
	gsize n = 0;
	const KjLedgerRegister *regs = kj_ledger_registers(&n);
	gboolean is_level = strcmp(rec->reg->noun, "level") == 0;

	for (gsize r = 0; r < n; r++) {
		for (gsize c = 0; c < regs[r].n_columns; c++) {
			const KjLedgerColumn *col = &regs[r].columns[c];
			const char *value = NULL;
			if (col->type == KJ_LEDGER_REF && strcmp(col->ref, rec->reg->noun) == 0)
				value = rec->key;
			else if (is_level && col->type == KJ_LEDGER_LEVEL &&
				 g_strcmp0(col->ref, kj_ledger_record_get(rec, "scheme")) == 0)
				value = kj_ledger_record_get(rec, "code");
			gint64 count = 0;
			if (col->type == KJ_LEDGER_LIST &&
			    g_strcmp0(col->ref, rec->reg->noun) == 0) {
				if (!count_in_lists(l, &regs[r], col->name, rec->key, &count,
						    error))
					return FALSE;
			} else if (value == NULL) {
				continue;
			} else {
				g_autofree char *csql =
				    g_strdup_printf("SELECT count(*) FROM %s WHERE %s = $1",
						    regs[r].table, col->name);
				if (!kj_db_query_int(l->db, csql, KJ_DB_ARGS(KJ_DB_TEXT(value)),
						     &count, NULL, error))
					return FALSE;
			}
			if (count > 0) {
				g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_REFERENCE,
					    "%s %s is still referenced by %" G_GINT64_FORMAT
					    " %s record(s) (column %s); change those first",
					    rec->reg->noun, rec->key, count, regs[r].noun,
					    col->name);
				return FALSE;
			}
		}
	}
	return TRUE;
}

static gboolean delete_locked(KjLedger *l, const KjLedgerRegister *reg, const char *key,
			      gint64 expected_version, GError **error)
{
	g_autoptr(KjLedgerRecord) old = kj_ledger_get(l, reg, key, error);

	if (old == NULL)
		return FALSE;
	if (expected_version > 0 && old->version != expected_version) {
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_CONFLICT,
			    "%s %s is at version %" G_GINT64_FORMAT ", not %" G_GINT64_FORMAT
			    ": changed by someone else since you read it; show it again and retry",
			    reg->noun, key, old->version, expected_version);
		return FALSE;
	}
	if (!check_unreferenced(l, old, error))
		return FALSE;
	g_autofree char *sql =
	    g_strdup_printf("DELETE FROM %s WHERE key = $1 AND version = $2", reg->table);
	if (!kj_db_exec(l->db, sql, KJ_DB_ARGS(KJ_DB_TEXT(key), KJ_DB_INT(old->version)), error))
		return FALSE;
	json_t *changes = diff_changes(reg, old, NULL);
	gboolean ok = audit_change(l, "delete", reg, key, old->version, changes, error);
	json_decref(changes);
	return ok;
}

gboolean kj_ledger_delete(KjLedger *l, const KjLedgerRegister *reg, const char *key,
			  gint64 expected_version, GError **error)
{
	g_return_val_if_fail(l->audit != NULL, FALSE);
	if (!kj_db_begin(l->db, error))
		return FALSE;
	return finish(l, delete_locked(l, reg, key, expected_version, error), error);
}
