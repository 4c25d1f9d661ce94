/*++
 * NAME
 *	db - backend-neutral access to the metadata database
 * DESCRIPTION
 *	Callers hold a KjDb and use kj_db_*; this file checks their
 *	arguments and the transaction state, then hands each call to the
 *	backend chosen at open (db_backend.h).  Keeping every caller on this
 *	one interface is what lets a site outgrow SQLite for PostgreSQL
 *	without a change outside src/lib/store (DESIGN.md, "at scale").
 * SECURITY
 *	Runs in every process that keeps rows.  Values from mail reach the
 *	database only as bound parameters, never spliced into SQL text.
 * LIMITS
 *	None of its own; the backend's lock wait is busy_timeout_ms.
 * STANDARDS
 *	The portable SQL subset documented in db.h.
 * SEE ALSO
 *	db_sqlite.c, schema.c, store.c
 *--*/
#include "kj_build_config.h"

#include "store/db.h"

#include "store/db_backend.h"
#include "store/store.h"

#include <string.h>

struct KjDb {
	const KjDbBackend *backend;
	gpointer conn;
	char *location;
	char *secrets_dir;
	gboolean read_only;
	gboolean in_tx;
};

/* Every backend this build knows, by name; the first is the default. */
static const KjDbBackend *const backends[] = {
    &_kj_db_sqlite_backend,
#if KJ_HAVE_LIBPQ
    &_kj_db_pgsql_backend,
#endif
};

static const KjDbBackend *find_backend(const char *name)
{
	if (name == NULL)
		return backends[0];
	for (gsize i = 0; i < G_N_ELEMENTS(backends); i++)
		if (strcmp(backends[i]->name, name) == 0)
			return backends[i];
	return NULL;
}

KjDb *kj_db_open(const KjDbOptions *opts, GError **error)
{
	g_return_val_if_fail(opts != NULL, NULL);
	g_return_val_if_fail(opts->location != NULL, NULL);
	g_return_val_if_fail(!(opts->read_only && opts->create), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	const KjDbBackend *backend = find_backend(opts->backend);
	if (backend == NULL) {
		g_set_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_DB,
			    "unknown database backend '%s' (this build knows 'sqlite'%s)",
			    opts->backend, KJ_HAVE_LIBPQ ? ", 'pgsql'" : "");
		return NULL;
	}
	gpointer conn = backend->open(opts, error);
	if (conn == NULL)
		return NULL;

	KjDb *db = g_new0(KjDb, 1);
	db->backend = backend;
	db->conn = conn;
	db->location = g_strdup(opts->location);
	db->read_only = opts->read_only;
	return db;
}

void kj_db_free(KjDb *db)
{
	if (db == NULL)
		return;
	/* A transaction left open is a caller's bug on an error path;
	 * rolling back keeps the database as it was. */
	if (db->in_tx)
		kj_db_rollback(db, NULL);
	db->backend->close(db->conn);
	g_free(db->location);
	g_free(db->secrets_dir);
	g_free(db);
}

const char *kj_db_get_backend_name(const KjDb *db)
{
	g_return_val_if_fail(db != NULL, NULL);
	return db->backend->name;
}

const char *kj_db_get_location(const KjDb *db)
{
	g_return_val_if_fail(db != NULL, NULL);
	return db->location;
}

void kj_db_set_secrets_dir(KjDb *db, const char *dir)
{
	g_return_if_fail(db != NULL);
	g_free(db->secrets_dir);
	db->secrets_dir = g_strdup(dir);
}

const char *kj_db_get_secrets_dir(const KjDb *db)
{
	g_return_val_if_fail(db != NULL, NULL);
	return db->secrets_dir;
}

gboolean kj_db_is_read_only(const KjDb *db)
{
	g_return_val_if_fail(db != NULL, FALSE);
	return db->read_only;
}

static gboolean check_params(const KjDbValue *params, gsize n_params)
{
	if (n_params > 0 && params == NULL)
		return FALSE;
	for (gsize i = 0; i < n_params; i++)
		if (params[i].type == KJ_DB_TYPE_TEXT && params[i].s == NULL)
			return FALSE;
	return TRUE;
}

gboolean kj_db_exec(KjDb *db, const char *sql, const KjDbValue *params, gsize n_params,
		    GError **error)
{
	return kj_db_query(db, sql, params, n_params, NULL, NULL, error);
}

gboolean kj_db_exec_script(KjDb *db, const char *sql, GError **error)
{
	g_return_val_if_fail(db != NULL, FALSE);
	g_return_val_if_fail(sql != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	return db->backend->exec_script(db->conn, sql, error);
}

gboolean kj_db_query(KjDb *db, const char *sql, const KjDbValue *params, gsize n_params,
		     KjDbRowFunc func, gpointer user_data, GError **error)
{
	g_return_val_if_fail(db != NULL, FALSE);
	g_return_val_if_fail(sql != NULL, FALSE);
	g_return_val_if_fail(check_params(params, n_params), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	return db->backend->query(db->conn, sql, params, n_params, func, user_data, error);
}

typedef struct {
	gint64 value;
	gboolean found;
} FirstInt;

static gboolean first_int(const KjDbRow *row, gpointer user_data)
{
	FirstInt *fi = user_data;

	if (kj_db_row_get_n_columns(row) > 0 && !kj_db_row_is_null(row, 0)) {
		fi->value = kj_db_row_get_int(row, 0);
		fi->found = TRUE;
	}
	return FALSE;
}

gboolean kj_db_query_int(KjDb *db, const char *sql, const KjDbValue *params, gsize n_params,
			 gint64 *value, gboolean *found, GError **error)
{
	FirstInt fi = {0, FALSE};

	g_return_val_if_fail(value != NULL, FALSE);
	if (!kj_db_query(db, sql, params, n_params, first_int, &fi, error))
		return FALSE;
	*value = fi.value;
	if (found)
		*found = fi.found;
	return TRUE;
}

guint kj_db_row_get_n_columns(const KjDbRow *row)
{
	g_return_val_if_fail(row != NULL, 0);
	return row->backend->row_n_columns(row->impl);
}

gboolean kj_db_row_is_null(const KjDbRow *row, guint col)
{
	g_return_val_if_fail(row != NULL, TRUE);
	g_return_val_if_fail(col < kj_db_row_get_n_columns(row), TRUE);
	return row->backend->row_is_null(row->impl, col);
}

gint64 kj_db_row_get_int(const KjDbRow *row, guint col)
{
	g_return_val_if_fail(row != NULL, 0);
	g_return_val_if_fail(col < kj_db_row_get_n_columns(row), 0);
	return row->backend->row_int(row->impl, col);
}

const char *kj_db_row_get_text(const KjDbRow *row, guint col)
{
	g_return_val_if_fail(row != NULL, NULL);
	g_return_val_if_fail(col < kj_db_row_get_n_columns(row), NULL);
	return row->backend->row_text(row->impl, col);
}

gboolean kj_db_begin(KjDb *db, GError **error)
{
	g_return_val_if_fail(db != NULL, FALSE);
	g_return_val_if_fail(!db->in_tx, FALSE);
	if (!db->backend->begin(db->conn, error))
		return FALSE;
	db->in_tx = TRUE;
	return TRUE;
}

gboolean kj_db_commit(KjDb *db, GError **error)
{
	g_return_val_if_fail(db != NULL, FALSE);
	g_return_val_if_fail(db->in_tx, FALSE);
	if (!db->backend->commit(db->conn, error)) {
		/* A failed COMMIT leaves the transaction open in SQLite
		 * (e.g. SQLITE_BUSY); roll it back so the caller starts clean. */
		kj_db_rollback(db, NULL);
		return FALSE;
	}
	db->in_tx = FALSE;
	return TRUE;
}

gboolean kj_db_rollback(KjDb *db, GError **error)
{
	g_return_val_if_fail(db != NULL, FALSE);
	if (!db->in_tx)
		return TRUE;
	db->in_tx = FALSE;
	if (error == NULL) {
		g_autoptr(GError) ignored = NULL;
		if (!db->backend->rollback(db->conn, &ignored)) {
			g_debug("rollback on %s failed: %s", db->location, ignored->message);
			return FALSE;
		}
		return TRUE;
	}
	return db->backend->rollback(db->conn, error);
}

gboolean kj_db_in_transaction(const KjDb *db)
{
	g_return_val_if_fail(db != NULL, FALSE);
	return db->in_tx;
}

gint64 kj_db_last_insert_id(KjDb *db)
{
	g_return_val_if_fail(db != NULL, 0);
	return db->backend->last_insert_id(db->conn);
}

gint64 kj_db_changes(KjDb *db)
{
	g_return_val_if_fail(db != NULL, 0);
	return db->backend->changes(db->conn);
}

gboolean kj_db_table_exists(KjDb *db, const char *table, gboolean *exists, GError **error)
{
	g_return_val_if_fail(db != NULL, FALSE);
	g_return_val_if_fail(table != NULL && exists != NULL, FALSE);
	return db->backend->table_exists(db->conn, table, exists, error);
}

char *kj_db_now_utc(void)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();

	return g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
}
