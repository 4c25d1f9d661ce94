/* db_backend.h - what a database backend implements (see db.c, db_sqlite.c). */
#ifndef KJ_STORE_DB_BACKEND_H
#define KJ_STORE_DB_BACKEND_H

#include "store/db.h"

/*
 * A backend is one table of functions, in the manner of OpenSMTPD's
 * queue_backend.c beside queue_fs.c.  db.c checks arguments and
 * transaction state, then calls these; a backend only talks to its
 * library.  To add one: write db_<name>.c defining a KjDbBackend, declare
 * it below, and add it to the backends[] table in db.c.
 *
 * "conn" is the backend's connection object; "row" its row cursor.  All
 * functions that can fail set a KJ_STORE_ERROR.
 */
typedef struct {
	const char *name;
	gpointer (*open)(const KjDbOptions *opts, GError **error);
	void (*close)(gpointer conn);
	/* Runs one statement; calls func (if not NULL) for each row with a
	 * KjDbRow whose impl is the backend's cursor. */
	gboolean (*query)(gpointer conn, const char *sql, const KjDbValue *params, gsize n_params,
			  KjDbRowFunc func, gpointer user_data, GError **error);
	gboolean (*exec_script)(gpointer conn, const char *sql, GError **error);
	gboolean (*begin)(gpointer conn, GError **error);
	gboolean (*commit)(gpointer conn, GError **error);
	gboolean (*rollback)(gpointer conn, GError **error);
	gint64 (*last_insert_id)(gpointer conn);
	gint64 (*changes)(gpointer conn);
	gboolean (*table_exists)(gpointer conn, const char *table, gboolean *exists,
				 GError **error);
	guint (*row_n_columns)(gpointer row);
	gboolean (*row_is_null)(gpointer row, guint col);
	gint64 (*row_int)(gpointer row, guint col);
	const char *(*row_text)(gpointer row, guint col);
} KjDbBackend;

/* What a KjDbRow is: the backend that made it and its cursor. */
struct KjDbRow {
	const KjDbBackend *backend;
	gpointer impl;
};

extern const KjDbBackend _kj_db_sqlite_backend;
/* db_pg.c, when built with libpq (KJ_HAVE_LIBPQ). */
extern const KjDbBackend _kj_db_pgsql_backend;

#endif
