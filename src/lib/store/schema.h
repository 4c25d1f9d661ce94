/* schema.h - versioned schema migrations of the metadata database (see schema.c). */
#ifndef KJ_STORE_SCHEMA_H
#define KJ_STORE_SCHEMA_H

#include "store/db.h"

/* Private to src/lib/store (and its unit test). */

typedef struct {
	gint64 version;          /* strictly increasing along the table */
	const char *description; /* recorded in schema_version */
	const char *sql;         /* portable SQL (db.h); NULL if per-backend only */
	const char *sql_sqlite;  /* if not NULL, used instead of sql on SQLite */
	const char *sql_pgsql;   /* if not NULL, used instead of sql on PostgreSQL */
} KjMigration;

/* The table, and its length in *n. */
const KjMigration *_kj_schema_migrations(gsize *n);
/* The highest version this build knows. */
gint64 _kj_schema_latest(void);
/* The version of db: 0 for an empty database. */
gboolean _kj_schema_read_version(KjDb *db, gint64 *version, GError **error);
/* Fails with KJ_STORE_ERROR_SCHEMA_NEWER if db is newer than this build. */
gboolean _kj_schema_check_not_newer(KjDb *db, gint64 *version, GError **error);
/* Applies every migration up to and including target, each in its own
 * transaction; safe against other processes migrating at the same time. */
gboolean _kj_schema_migrate(KjDb *db, gint64 target, GError **error);

#endif
