/*++
 * NAME
 *	db_pg - the PostgreSQL backend of the metadata database
 * DESCRIPTION
 *	The same interface as db_sqlite.c (db_backend.h) over libpq, for a
 *	city that keeps its rows in a PostgreSQL server.  The location is a
 *	libpq connection string ("host=/run/kyojin dbname=kyojin").
 *
 *	Parameters are PostgreSQL's own $1, $2, ...; every value is sent as
 *	text with its type left to the server (unknown), so that "$1" is a
 *	BIGINT next to a BIGINT column and TEXT next to a TEXT one, as the
 *	portable subset of db.h expects.  Results come back as text; integers
 *	are parsed from it.
 *
 *	kj_db_begin() promises the write lock at once (SQLite's BEGIN
 *	IMMEDIATE: one writer at a time, no lost update between a read and
 *	the write it decides).  Here it is BEGIN plus one transaction-scoped
 *	advisory lock that every kyojin writer takes, released at COMMIT or
 *	ROLLBACK; the wait is bounded by lock_timeout (busy_timeout_ms).
 * SECURITY
 *	Values are bound, never spliced into SQL.  A read-only connection
 *	sets default_transaction_read_only, so a write fails on the server.
 *	libpq's notices (server chatter) are dropped, not printed.
 * LIMITS
 *	busy_timeout_ms as lock_timeout and statement waits for the lock.
 * STANDARDS
 *	PostgreSQL 13 or later; SQLSTATE classes 23 (integrity), 25006
 *	(read-only transaction), 55P03 (lock not available).
 * SEE ALSO
 *	db.c (the interface), db_backend.h, db_sqlite.c
 *--*/
#include "kj_build_config.h"

#include "store/db_backend.h"
#include "store/store.h"

#if KJ_HAVE_LIBPQ
#include <libpq-fe.h>
#include <string.h>

/* The advisory lock every writer takes in kj_db_begin(): "kyoj". */
#define WRITER_LOCK "1802137450"

typedef struct {
	PGconn *pg;
	char *where; /* for messages: the server's host or socket and database */
	gint64 changes;
} Conn;

typedef struct {
	PGresult *res;
	int row;
} Cursor;

static int code_of(const char *state)
{
	if (state == NULL)
		return KJ_STORE_ERROR_DB;
	if (strncmp(state, "23", 2) == 0)
		return KJ_STORE_ERROR_CONSTRAINT;
	if (strcmp(state, "25006") == 0)
		return KJ_STORE_ERROR_READ_ONLY;
	if (strcmp(state, "55P03") == 0 || strcmp(state, "40P01") == 0 ||
	    strcmp(state, "40001") == 0)
		return KJ_STORE_ERROR_BUSY;
	return KJ_STORE_ERROR_DB;
}

/* Sets error from res (nullable: then from the connection) and clears res. */
static gboolean set_error(Conn *c, PGresult *res, GError **error, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(c->pg);
	g_autofree char *m = g_strstrip(g_strdup(msg && *msg ? msg : "unknown error"));

	g_set_error(error, KJ_STORE_ERROR, code_of(state), "database %s: %s: %s", c->where, what,
		    m);
	PQclear(res);
	return FALSE;
}

static void no_notices(void *arg, const char *message)
{
}

static void pg_close(gpointer conn)
{
	Conn *c = conn;

	if (c == NULL)
		return;
	PQfinish(c->pg);
	g_free(c->where);
	g_free(c);
}

static gboolean exec_simple(Conn *c, const char *sql, GError **error)
{
	PGresult *res = PQexec(c->pg, sql);
	ExecStatusType st = PQresultStatus(res);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		return set_error(c, res, error, "cannot execute SQL");
	PQclear(res);
	return TRUE;
}

static gpointer pg_open(const KjDbOptions *opts, GError **error)
{
	Conn *c = g_new0(Conn, 1);

	c->pg = PQconnectdb(opts->location ? opts->location : "");
	if (c->pg == NULL || PQstatus(c->pg) != CONNECTION_OK) {
		g_autofree char *why =
		    g_strstrip(g_strdup(c->pg ? PQerrorMessage(c->pg) : "out of memory"));
		c->where = g_strdup(opts->location ? opts->location : "(default)");
		g_set_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_DB,
			    "database %s: cannot connect: %s", c->where, why);
		pg_close(c);
		return NULL;
	}
	c->where = g_strdup_printf("pgsql:%s/%s", PQhost(c->pg), PQdb(c->pg));
	PQsetNoticeProcessor(c->pg, no_notices, NULL);
	g_autofree char *settings =
	    g_strdup_printf("SET client_encoding = 'UTF8'; SET lock_timeout = %" G_GINT64_FORMAT ";"
			    " SET client_min_messages = warning;%s",
			    CLAMP(opts->busy_timeout_ms, 1, G_MAXINT),
			    opts->read_only ? " SET default_transaction_read_only = on;" : "");
	if (!exec_simple(c, settings, error)) {
		pg_close(c);
		return NULL;
	}
	return c;
}

static gboolean pg_query(gpointer conn, const char *sql, const KjDbValue *params, gsize n_params,
			 KjDbRowFunc func, gpointer user_data, GError **error)
{
	Conn *c = conn;
	g_autofree const char **values = g_new0(const char *, n_params + 1);
	g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func(g_free);

	if (n_params > G_MAXINT) {
		g_set_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_DB,
			    "database %s: too many parameters", c->where);
		return FALSE;
	}
	for (gsize i = 0; i < n_params; i++) {
		switch (params[i].type) {
		case KJ_DB_TYPE_INT: {
			char *s = g_strdup_printf("%" G_GINT64_FORMAT, params[i].i);
			g_ptr_array_add(owned, s);
			values[i] = s;
			break;
		}
		case KJ_DB_TYPE_TEXT:
			values[i] = params[i].s;
			break;
		case KJ_DB_TYPE_NULL:
		default:
			values[i] = NULL;
			break;
		}
	}
	/* PQexecParams runs exactly one statement: a second one is refused by
	 * the server, as db.h asks. */
	PGresult *res = PQexecParams(c->pg, sql, (int)n_params, NULL, values, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		return set_error(c, res, error, "statement failed");
	/* Like sqlite3_changes(): rows of the last INSERT, UPDATE or DELETE
	 * (also with RETURNING); a SELECT leaves the count as it was. */
	const char *tag = PQcmdStatus(res);
	gint64 n = 0;
	if (tag && (g_str_has_prefix(tag, "INSERT ") || g_str_has_prefix(tag, "UPDATE ") ||
		    g_str_has_prefix(tag, "DELETE ")))
		c->changes =
		    g_ascii_string_to_signed(PQcmdTuples(res), 10, 0, G_MAXINT64, &n, NULL) ? n : 0;
	Cursor cur = {res, 0};
	KjDbRow row = {&_kj_db_pgsql_backend, &cur};
	for (cur.row = 0; func && cur.row < PQntuples(res); cur.row++)
		if (!func(&row, user_data))
			break;
	PQclear(res);
	return TRUE;
}

static gboolean pg_exec_script(gpointer conn, const char *sql, GError **error)
{
	return exec_simple(conn, sql, error);
}

static gboolean pg_begin(gpointer conn, GError **error)
{
	Conn *c = conn;

	if (!exec_simple(c, "BEGIN", error))
		return FALSE;
	if (!exec_simple(c, "SELECT pg_advisory_xact_lock(" WRITER_LOCK ")", error)) {
		exec_simple(c, "ROLLBACK", NULL);
		return FALSE;
	}
	return TRUE;
}

static gboolean pg_commit(gpointer conn, GError **error)
{
	return exec_simple(conn, "COMMIT", error);
}

static gboolean pg_rollback(gpointer conn, GError **error)
{
	Conn *c = conn;

	if (PQtransactionStatus(c->pg) == PQTRANS_IDLE)
		return TRUE;
	return exec_simple(conn, "ROLLBACK", error);
}

/* SQLite's rowid has no equivalent: callers use INSERT ... RETURNING
 * (db.h), and this says so with -1. */
static gint64 pg_last_insert_id(gpointer conn)
{
	return -1;
}

static gint64 pg_changes(gpointer conn)
{
	return ((Conn *)conn)->changes;
}

static gboolean row_seen(const KjDbRow *row, gpointer user_data)
{
	*(gboolean *)user_data = TRUE;
	return FALSE;
}

static gboolean pg_table_exists(gpointer conn, const char *table, gboolean *exists, GError **error)
{
	const KjDbValue p[] = {KJ_DB_TEXT(table)};

	*exists = FALSE;
	return pg_query(conn,
			"SELECT 1 FROM information_schema.tables WHERE table_schema ="
			" current_schema() AND table_name = $1",
			p, 1, row_seen, exists, error);
}

static guint pg_row_n_columns(gpointer row)
{
	return (guint)PQnfields(((Cursor *)row)->res);
}

static gboolean pg_row_is_null(gpointer row, guint col)
{
	Cursor *cur = row;

	return PQgetisnull(cur->res, cur->row, (int)col);
}

static gint64 pg_row_int(gpointer row, guint col)
{
	Cursor *cur = row;
	gint64 v = 0;

	if (PQgetisnull(cur->res, cur->row, (int)col))
		return 0;
	/* As SQLite's column_int64 does with text that is not a number. */
	if (!g_ascii_string_to_signed(PQgetvalue(cur->res, cur->row, (int)col), 10, G_MININT64,
				      G_MAXINT64, &v, NULL))
		return 0;
	return v;
}

static const char *pg_row_text(gpointer row, guint col)
{
	Cursor *cur = row;

	if (PQgetisnull(cur->res, cur->row, (int)col))
		return NULL;
	return PQgetvalue(cur->res, cur->row, (int)col);
}

const KjDbBackend _kj_db_pgsql_backend = {
    .name = "pgsql",
    .open = pg_open,
    .close = pg_close,
    .query = pg_query,
    .exec_script = pg_exec_script,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .last_insert_id = pg_last_insert_id,
    .changes = pg_changes,
    .table_exists = pg_table_exists,
    .row_n_columns = pg_row_n_columns,
    .row_is_null = pg_row_is_null,
    .row_int = pg_row_int,
    .row_text = pg_row_text,
};
#else
/* Built without libpq: db.c does not list the backend.  (ISO C wants a
 * declaration in every translation unit.) */
typedef int kj_db_pg_not_built;
#endif
