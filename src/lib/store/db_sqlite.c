/*++
 * NAME
 *	db_sqlite - the SQLite backend of the metadata database
 * DESCRIPTION
 *	The embedded default (DESIGN.md): one file, WAL mode so that the
 *	daemon, the CLI and the console read while one of them writes, a
 *	busy wait so that writers queue instead of failing, foreign keys
 *	enforced, and synchronous=FULL so that a committed row survives a
 *	power cut (a row may promise a blob or a delivery).
 *
 *	Parameters are written $1, $2, ... (db.h); SQLite treats "$1" as a
 *	named parameter whose index is its order of first appearance, not
 *	its number, so every value is bound by name.
 * SECURITY
 *	Runs in every process that keeps rows.  Values are bound, never
 *	spliced into SQL.  A read-only connection is opened with
 *	SQLITE_OPEN_READONLY and query_only, so no code path can write.
 * LIMITS
 *	busy_timeout_ms from the options (store.busy_timeout_ms); the log is
 *	checkpointed and truncated past KJ_STORE_WAL_RESTART_FRAMES.
 * STANDARDS
 *	SQLite 3.35 or later (RETURNING, ON CONFLICT DO NOTHING).
 *	基本方針 2(6) 完全性: durable commits.
 * SEE ALSO
 *	db.c (the interface), db_backend.h
 *--*/
#include "store/db_backend.h"
#include "store/store.h"
#include "util/limits.h"

#include <sqlite3.h>
#include <string.h>

typedef struct {
	sqlite3 *db;
	char *path;
	gint64 busy_ms;
	gint64 busy_since;   /* monotonic µs when the current wait began */
	int restart_at;      /* WAL frames at which to try the next restart */
	gboolean restarting; /* in wal_committed's checkpoint */
} Conn;

/*
 * Waiting for the write lock.  SQLite's own busy timeout sleeps 1, 2, 5,
 * 10 ... 100 ms between tries: with many connections of one process
 * committing a millisecond each (kyojind's pool threads), a waiter slept
 * far past the moment the lock was free, and the commits of the whole
 * process fell to a fraction of what the disk does.  Here a waiter
 * sleeps on a condition that every commit or rollback of a connection
 * of this process signals, with a short timeout for writers in other
 * processes (the CLI, the console), until busy_timeout_ms has passed.
 */
static GMutex ended_lock;
static GCond ended_cond;
static guint64 ended_count; /* write transactions ended in this process */

static void signal_ended(void)
{
	g_mutex_lock(&ended_lock);
	ended_count++;
	g_cond_broadcast(&ended_cond);
	g_mutex_unlock(&ended_lock);
}

static int busy_wait(void *data, int count)
{
	Conn *c = data;
	gint64 now = g_get_monotonic_time();

	if (count == 0)
		c->busy_since = now;
	if (now - c->busy_since >= c->busy_ms * 1000)
		return 0;
	if (c->restarting) {
		/* Readers, not writers, are what the restart waits for, and
		 * nothing signals their end: look again soon. */
		g_usleep(2000);
		return 1;
	}
	g_mutex_lock(&ended_lock);
	guint64 seen = ended_count;
	gint64 until = now + MIN(250 << MIN(count, 3), 2000);
	while (ended_count == seen)
		if (!g_cond_wait_until(&ended_cond, &ended_lock, until))
			break;
	g_mutex_unlock(&ended_lock);
	return 1;
}

/* After each commit (WAL mode): wake the waiters, and checkpoint as
 * SQLite's default hook does, which this hook replaces.  That passive
 * checkpoint never waits for readers, and the log starts over only when
 * no reader holds an old snapshot: under the gateway's constant readers
 * it never did (53 MB after 2,000 messages, every read searching it).
 * Past KJ_STORE_WAL_RESTART_FRAMES the committing connection waits a
 * little for the readers (KJ_STORE_WAL_RESTART_WAIT_MS at most), copies
 * the log into the database and truncates it; if readers stay longer it
 * tries again 1,000 frames later.  A log that starts over after a passive
 * checkpoint is cut back to the same size (journal_size_limit), or it
 * would keep the size it once grew to. */
static int wal_committed(void *data, sqlite3 *db, const char *name, int frames)
{
	Conn *c = data;

	signal_ended();
	if (frames < KJ_STORE_WAL_RESTART_FRAMES)
		c->restart_at = 0; /* the log started over since */
	if (frames >= KJ_STORE_WAL_RESTART_FRAMES && frames >= c->restart_at) {
		gint64 saved = c->busy_ms;
		c->busy_ms = MIN(saved, KJ_STORE_WAL_RESTART_WAIT_MS);
		int rc =
		    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
		c->busy_ms = saved;
		c->restart_at = rc == SQLITE_OK ? 0 : frames + 1000;
	} else if (frames >= 1000) {
		(void)sqlite3_wal_checkpoint(db, name);
	}
	return SQLITE_OK;
}

static void rolled_back(void *data)
{
	signal_ended();
}

static gboolean set_error(Conn *c, GError **error, int rc, const char *what)
{
	int code = KJ_STORE_ERROR_DB;

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		code = KJ_STORE_ERROR_BUSY;
		break;
	case SQLITE_CONSTRAINT:
		code = KJ_STORE_ERROR_CONSTRAINT;
		break;
	case SQLITE_READONLY:
		code = KJ_STORE_ERROR_READ_ONLY;
		break;
	default:
		break;
	}
	g_set_error(error, KJ_STORE_ERROR, code, "database %s: %s: %s", c->path, what,
		    c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
	return FALSE;
}

static gboolean exec_simple(Conn *c, const char *sql, GError **error)
{
	char *msg = NULL;
	int rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg);

	sqlite3_free(msg); /* sqlite3_errmsg() below says the same */
	if (rc != SQLITE_OK)
		return set_error(c, error, rc, "cannot execute SQL");
	return TRUE;
}

static void sqlite_close(gpointer conn)
{
	Conn *c = conn;

	if (c == NULL)
		return;
	sqlite3_close_v2(c->db);
	g_free(c->path);
	g_free(c);
}

static int try_wal(Conn *c, gboolean *wal)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(c->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *mode = (const char *)sqlite3_column_text(st, 0);
		*wal = mode != NULL && g_ascii_strcasecmp(mode, "wal") == 0;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* WAL is a property of the file and needs a write; it is set only by
 * read-write connections, and only after the caller has looked at the
 * schema version (store.c probes read-only first), so that a database
 * from a newer kyojin is never touched.
 *
 * Switching journal modes does not always go through the busy handler:
 * several processes opening a new database at once saw "database is
 * locked" here (test-store /store/concurrent-writers).  So the switch is
 * retried until the busy timeout runs out. */
static gboolean set_wal(Conn *c, gint64 busy_ms, GError **error)
{
	gint64 deadline = g_get_monotonic_time() + busy_ms * 1000;
	gboolean wal = FALSE;
	int rc;

	while ((rc = try_wal(c, &wal)) != SQLITE_OK) {
		int primary = rc & 0xff;
		if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED) ||
		    g_get_monotonic_time() >= deadline)
			return set_error(c, error, rc, "cannot enable WAL mode");
		sqlite3_sleep(5);
	}
	if (!wal) {
		g_set_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_DB,
			    "database %s: cannot enable WAL mode (the file system may not "
			    "support shared memory; use a local disk)",
			    c->path);
		return FALSE;
	}
	return TRUE;
}

static gpointer sqlite_open(const KjDbOptions *opts, GError **error)
{
	Conn *c = g_new0(Conn, 1);
	int flags = SQLITE_OPEN_FULLMUTEX;
	int rc;

	c->path = g_strdup(opts->location);
	if (opts->read_only)
		flags |= SQLITE_OPEN_READONLY;
	else
		flags |= SQLITE_OPEN_READWRITE | (opts->create ? SQLITE_OPEN_CREATE : 0);
	rc = sqlite3_open_v2(opts->location, &c->db, flags, NULL);
	if (rc != SQLITE_OK) {
		set_error(c, error, rc, "cannot open");
		sqlite_close(c);
		return NULL;
	}
	sqlite3_extended_result_codes(c->db, 1);
	c->busy_ms = MAX(opts->busy_timeout_ms, 0);
	sqlite3_busy_handler(c->db, busy_wait, c);
	sqlite3_rollback_hook(c->db, rolled_back, c);
	if (!exec_simple(c, "PRAGMA foreign_keys = ON", error))
		goto fail;
	if (opts->read_only) {
		if (!exec_simple(c, "PRAGMA query_only = ON", error))
			goto fail;
	} else {
		g_autofree char *limit =
		    g_strdup_printf("PRAGMA journal_size_limit = %lld",
				    (long long)KJ_STORE_WAL_RESTART_FRAMES * 4096);
		if (!set_wal(c, opts->busy_timeout_ms, error) ||
		    !exec_simple(c, "PRAGMA synchronous = FULL", error) ||
		    !exec_simple(c, limit, error))
			goto fail;
		sqlite3_wal_hook(c->db, wal_committed, c);
	}
	return c;
fail:
	sqlite_close(c);
	return NULL;
}

static gboolean bind_params(Conn *c, sqlite3_stmt *st, const KjDbValue *params, gsize n_params,
			    GError **error)
{
	if ((gsize)sqlite3_bind_parameter_count(st) != n_params) {
		g_set_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_DB,
			    "database %s: statement has %d parameters, %" G_GSIZE_FORMAT
			    " given (use $1, $2, ...): %s",
			    c->path, sqlite3_bind_parameter_count(st), n_params, sqlite3_sql(st));
		return FALSE;
	}
	for (gsize i = 0; i < n_params; i++) {
		char name[32];
		int rc;

		g_snprintf(name, sizeof name, "$%" G_GSIZE_FORMAT, i + 1);
		int idx = sqlite3_bind_parameter_index(st, name);
		if (idx == 0) {
			g_set_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_DB,
				    "database %s: parameter %s does not appear in: %s", c->path,
				    name, sqlite3_sql(st));
			return FALSE;
		}
		switch (params[i].type) {
		case KJ_DB_TYPE_INT:
			rc = sqlite3_bind_int64(st, idx, params[i].i);
			break;
		case KJ_DB_TYPE_TEXT:
			rc = sqlite3_bind_text(st, idx, params[i].s, -1, SQLITE_STATIC);
			break;
		default:
			rc = sqlite3_bind_null(st, idx);
			break;
		}
		if (rc != SQLITE_OK)
			return set_error(c, error, rc, "cannot bind a parameter");
	}
	return TRUE;
}

static gboolean sqlite_query(gpointer conn, const char *sql, const KjDbValue *params,
			     gsize n_params, KjDbRowFunc func, gpointer user_data, GError **error)
{
	Conn *c = conn;
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	int rc = sqlite3_prepare_v2(c->db, sql, -1, &st, &tail);

	if (rc != SQLITE_OK)
		return set_error(c, error, rc, "cannot prepare statement");
	if (st == NULL) {
		g_set_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_DB,
			    "database %s: empty statement", c->path);
		return FALSE;
	}
	/* One statement per call: a second one would be silently ignored. */
	while (tail && g_ascii_isspace(*tail))
		tail++;
	if (tail && *tail && *tail != ';') {
		sqlite3_finalize(st);
		g_set_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_DB,
			    "database %s: more than one statement (use kj_db_exec_script): %s",
			    c->path, sql);
		return FALSE;
	}
	if (!bind_params(c, st, params, n_params, error)) {
		sqlite3_finalize(st);
		return FALSE;
	}
	KjDbRow row = {&_kj_db_sqlite_backend, st};
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (func && !func(&row, user_data)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE) {
		set_error(c, error, rc, "statement failed");
		sqlite3_finalize(st);
		return FALSE;
	}
	sqlite3_finalize(st);
	return TRUE;
}

static gboolean sqlite_exec_script(gpointer conn, const char *sql, GError **error)
{
	return exec_simple(conn, sql, error);
}

static gboolean sqlite_begin(gpointer conn, GError **error)
{
	return exec_simple(conn, "BEGIN IMMEDIATE", error);
}

static gboolean sqlite_commit(gpointer conn, GError **error)
{
	return exec_simple(conn, "COMMIT", error);
}

static gboolean sqlite_rollback(gpointer conn, GError **error)
{
	Conn *c = conn;

	/* SQLite may already have rolled back on its own (after an I/O or
	 * full error); there is then nothing to do. */
	if (sqlite3_get_autocommit(c->db))
		return TRUE;
	return exec_simple(conn, "ROLLBACK", error);
}

static gint64 sqlite_last_insert_id(gpointer conn)
{
	return sqlite3_last_insert_rowid(((Conn *)conn)->db);
}

static gint64 sqlite_changes(gpointer conn)
{
	return sqlite3_changes64(((Conn *)conn)->db);
}

static gboolean row_seen(const KjDbRow *row, gpointer user_data)
{
	*(gboolean *)user_data = TRUE;
	return FALSE;
}

static gboolean sqlite_table_exists(gpointer conn, const char *table, gboolean *exists,
				    GError **error)
{
	const KjDbValue p[] = {KJ_DB_TEXT(table)};

	*exists = FALSE;
	return sqlite_query(conn, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1",
			    p, 1, row_seen, exists, error);
}

static guint sqlite_row_n_columns(gpointer row)
{
	return (guint)sqlite3_column_count(row);
}

static gboolean sqlite_row_is_null(gpointer row, guint col)
{
	return sqlite3_column_type(row, (int)col) == SQLITE_NULL;
}

static gint64 sqlite_row_int(gpointer row, guint col)
{
	return sqlite3_column_int64(row, (int)col);
}

static const char *sqlite_row_text(gpointer row, guint col)
{
	return (const char *)sqlite3_column_text(row, (int)col);
}

const KjDbBackend _kj_db_sqlite_backend = {
    .name = "sqlite",
    .open = sqlite_open,
    .close = sqlite_close,
    .query = sqlite_query,
    .exec_script = sqlite_exec_script,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .last_insert_id = sqlite_last_insert_id,
    .changes = sqlite_changes,
    .table_exists = sqlite_table_exists,
    .row_n_columns = sqlite_row_n_columns,
    .row_is_null = sqlite_row_is_null,
    .row_int = sqlite_row_int,
    .row_text = sqlite_row_text,
};
