/*++
 * NAME
 *	schema - versioned migrations of the metadata database
 * DESCRIPTION
 *	The schema is the result of an ordered list of migrations.  Each is
 *	applied once, in its own transaction together with the row that
 *	records it in the schema_version table (version, description,
 *	applied_at), so a crash leaves the database at one version or the
 *	next, never in between.  The version of a database is
 *	max(schema_version.version), 0 for an empty one.
 *
 *	A table rather than SQLite's PRAGMA user_version because the same
 *	bookkeeping must work on PostgreSQL, and because auditors can see
 *	when each step was applied.
 *
 *	A database newer than this build is refused before anything is
 *	written (store.c probes it read-only first, and the check is
 *	repeated inside every migration transaction), so that an old binary
 *	started by mistake cannot damage a newer site.
 *
 *	HOW TO ADD A MIGRATION: append one row to migrations[] below, with
 *	the next version number and SQL in the portable subset of db.h (or
 *	sql_sqlite/sql_pgsql where the dialects differ).  Never edit or
 *	reorder a row once it has been committed: databases in the field
 *	already ran it.  Give the module's name in the description
 *	("quarantine: items and releases").
 * SECURITY
 *	Runs when a read-write store is opened.  SQL here is constant.
 * STANDARDS
 *	基本方針 2(6) 完全性: a half-applied schema is never left behind.
 * SEE ALSO
 *	store.c (when migrations run), db.h (portable SQL)
 *--*/
#include "store/schema.h"

#include "ledger/ledger-schema.h"
#include "store/store.h"

#include <string.h>

static const KjMigration migrations[] = {
    {1, "store: schema_version bookkeeping",
     "CREATE TABLE schema_version ("
     " version BIGINT PRIMARY KEY NOT NULL,"
     " description TEXT NOT NULL,"
     " applied_at TEXT NOT NULL)",
     NULL, NULL},
    {2, "store: blobs registry",
     "CREATE TABLE blobs ("
     " id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 64),"
     " size BIGINT NOT NULL CHECK (size >= 0),"
     " created_at TEXT NOT NULL)",
     NULL, NULL},
    {3, "quarantine: items and attachments (mime/quarantine.c)",
     "CREATE TABLE quarantine ("
     " id TEXT PRIMARY KEY NOT NULL,"
     " received_at TEXT NOT NULL,"
     " original_sha256 TEXT NOT NULL CHECK (length(original_sha256) = 64),"
     " size BIGINT NOT NULL,"
     " verdict TEXT NOT NULL CHECK (verdict IN ('sanitized', 'held')),"
     " reasons TEXT NOT NULL,"
     " report TEXT NOT NULL,"
     " sender TEXT, recipients TEXT, subject TEXT, message_id TEXT);"
     "CREATE INDEX quarantine_original ON quarantine (original_sha256);"
     "CREATE TABLE quarantine_attachment ("
     " quarantine_id TEXT NOT NULL REFERENCES quarantine (id),"
     " idx BIGINT NOT NULL,"
     " sha256 TEXT NOT NULL CHECK (length(sha256) = 64),"
     " filename TEXT, declared_type TEXT, detected_type TEXT,"
     " size BIGINT NOT NULL, container TEXT, note TEXT,"
     " PRIMARY KEY (quarantine_id, idx))",
     NULL, NULL},
    {4, "queue: the gateway's message queue (queue/queue.c)",
     "CREATE TABLE queue ("
     " id TEXT PRIMARY KEY NOT NULL,"
     " state TEXT NOT NULL"
     "  CHECK (state IN ('received', 'sanitized', 'held', 'delivered')),"
     " sender TEXT NOT NULL, recipients TEXT NOT NULL,"
     " client TEXT NOT NULL, helo TEXT NOT NULL,"
     " size BIGINT NOT NULL CHECK (size >= 0),"
     " original TEXT NOT NULL CHECK (length(original) = 64),"
     " sanitized TEXT, quarantine_id TEXT, reason TEXT,"
     " attempts BIGINT NOT NULL, next_attempt BIGINT NOT NULL,"
     " last_error TEXT, received_at TEXT NOT NULL,"
     " received_unix BIGINT NOT NULL, updated_at TEXT NOT NULL);"
     "CREATE INDEX queue_state ON queue (state, next_attempt)",
     NULL, NULL},
    {5, "ledger: registers (ledger/ledger-schema.h)", KJ_LEDGER_SCHEMA_REGISTERS, NULL, NULL},
    {6, "ledger: MIC classification schemes and levels", KJ_LEDGER_SCHEMA_SEED_SCHEMES, NULL, NULL},
    {7, "ledger: threats of 基本方針 3, risk grid, periodic duties", KJ_LEDGER_SCHEMA_SEED_RISK,
     NULL, NULL},
    {8, "ledger: self-inspection checklist, campaigns and answers", KJ_LEDGER_SCHEMA_INSPECTION,
     NULL, NULL},
    {9, "ledger: incident reporting chain", KJ_LEDGER_SCHEMA_REPORTING, NULL, NULL},
    {10, "ledger: equivalent levels, minimum levels, cloud data location, restrictions",
     KJ_LEDGER_SCHEMA_CLASSIFICATION, NULL, NULL},
    /* 11-19: the web console (account/, release/, exchange/). */
    {11, "account: console accounts and sessions (account/account.c)",
     "CREATE TABLE account ("
     " login TEXT PRIMARY KEY NOT NULL,"
     " display_name TEXT NOT NULL,"
     " role TEXT NOT NULL"
     "  CHECK (role IN ('staff', 'approver', 'secadmin', 'auditor', 'readonly')),"
     " department TEXT NOT NULL,"
     " email TEXT,"
     " password_hash TEXT NOT NULL,"
     " totp_secret TEXT, totp_pending TEXT,"
     " totp_last_step BIGINT NOT NULL,"
     " failures BIGINT NOT NULL,"
     " locked_until BIGINT NOT NULL,"
     " disabled INTEGER NOT NULL,"
     " created_at TEXT NOT NULL, password_changed_at TEXT NOT NULL, last_login_at TEXT);"
     "CREATE INDEX account_department ON account (department, role);"
     "CREATE TABLE account_session ("
     " token_hash TEXT PRIMARY KEY NOT NULL CHECK (length(token_hash) = 64),"
     " login TEXT NOT NULL REFERENCES account (login),"
     " csrf TEXT NOT NULL,"
     " created_unix BIGINT NOT NULL, last_unix BIGINT NOT NULL, client TEXT);"
     "CREATE INDEX account_session_login ON account_session (login);"
     "CREATE TABLE mailbox ("
     " address TEXT PRIMARY KEY NOT NULL,"
     " department TEXT NOT NULL);"
     "CREATE INDEX mailbox_department ON mailbox (department)",
     NULL, NULL},
    {12, "release: requests to release quarantined attachments (release/release.c)",
     "CREATE TABLE release_request ("
     " id TEXT PRIMARY KEY NOT NULL,"
     " kind TEXT NOT NULL CHECK (kind IN ('sanitized', 'original', 'ppap')),"
     " quarantine_id TEXT NOT NULL REFERENCES quarantine (id),"
     " attachment_idx BIGINT NOT NULL,"
     " filename TEXT,"
     " department TEXT NOT NULL,"
     " requester TEXT NOT NULL, reason TEXT NOT NULL,"
     " state TEXT NOT NULL CHECK (state IN"
     "  ('requested', 'approved', 'released', 'refused', 'failed')),"
     " approver TEXT, approved_at TEXT, second_approver TEXT, second_approved_at TEXT,"
     " decision_comment TEXT,"
     " result_sha256 TEXT, result_name TEXT, result_size BIGINT, report TEXT, failure TEXT,"
     " created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
     "CREATE INDEX release_request_department ON release_request (department, id);"
     "CREATE INDEX release_request_state ON release_request (state, id);"
     "CREATE INDEX release_request_item ON release_request (quarantine_id, attachment_idx)",
     NULL, NULL},
    {13, "exchange: files between segments and security notifications (release/exchange.c)",
     "CREATE TABLE exchange_file ("
     " id TEXT PRIMARY KEY NOT NULL,"
     " direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),"
     " uploader TEXT NOT NULL, department TEXT NOT NULL, recipient TEXT NOT NULL,"
     " filename TEXT NOT NULL, size BIGINT NOT NULL, sha256 TEXT NOT NULL, note TEXT,"
     " state TEXT NOT NULL CHECK (state IN"
     "  ('uploaded', 'available', 'blocked', 'refused', 'failed', 'expired')),"
     " approver TEXT, decided_at TEXT, decision_comment TEXT,"
     " result_sha256 TEXT, result_size BIGINT, report TEXT, failure TEXT,"
     " created_at TEXT NOT NULL, created_unix BIGINT NOT NULL, expires_unix BIGINT NOT NULL,"
     " downloaded_at TEXT, updated_at TEXT NOT NULL);"
     "CREATE INDEX exchange_file_department ON exchange_file (department, id);"
     "CREATE INDEX exchange_file_recipient ON exchange_file (recipient, id);"
     "CREATE INDEX exchange_file_state ON exchange_file (state, expires_unix);"
     "CREATE TABLE notification ("
     " id TEXT PRIMARY KEY NOT NULL,"
     " created_at TEXT NOT NULL, audience TEXT NOT NULL, kind TEXT NOT NULL,"
     " object TEXT NOT NULL, message TEXT NOT NULL, read_by TEXT, read_at TEXT);"
     "CREATE INDEX notification_audience ON notification (audience, id)",
     NULL, NULL},
    {14, "release: recipients of quarantined mail, indexed for department scope",
     "CREATE TABLE quarantine_rcpt ("
     " address TEXT NOT NULL, received_at TEXT NOT NULL, quarantine_id TEXT NOT NULL,"
     " PRIMARY KEY (address, received_at, quarantine_id));"
     "CREATE INDEX quarantine_rcpt_item ON quarantine_rcpt (quarantine_id);"
     "CREATE INDEX quarantine_received ON quarantine (received_at, id);"
     "CREATE INDEX queue_quarantine ON queue (quarantine_id);"
     "CREATE TABLE index_cursor ("
     " name TEXT PRIMARY KEY NOT NULL, position TEXT NOT NULL)",
     NULL, NULL},
    /* The console's queue pages filter by state and walk ids backwards;
     * its gateway summary counts arrivals of the last hour and day.  At
     * 100,000 messages, without these, each was a scan and a sort. */
    {15, "console: queue indexes for state pages and arrival counts",
     "CREATE INDEX queue_state_id ON queue (state, id);"
     "CREATE INDEX queue_received_unix ON queue (received_unix)",
     NULL, NULL},
    /* 20-: the ledger again. */
    {20, "ledger: follow-up of audit findings", KJ_LEDGER_SCHEMA_FOLLOWUP, NULL, NULL},
    /* One asset's effective levels walk what it holds by held_in instead
     * of reading the whole asset register (100,000 assets). */
    {21, "ledger: assets indexed by the container that holds them",
     "CREATE INDEX ledger_asset_held_in ON ledger_asset (held_in)", NULL, NULL},
    /* Enrolment tokens of first logins (account/session.c): apart from
     * sessions, so that no session lookup can accept one. */
    {22, "account: enrolment tokens of first logins",
     "CREATE TABLE account_enrolment ("
     " token_hash TEXT PRIMARY KEY NOT NULL CHECK (length(token_hash) = 64),"
     " login TEXT NOT NULL REFERENCES account (login),"
     " created_unix BIGINT NOT NULL, expires_unix BIGINT NOT NULL, client TEXT);"
     "CREATE INDEX account_enrolment_login ON account_enrolment (login)",
     NULL, NULL},
    /* Append new migrations here: { N, "module: what", "SQL", NULL, NULL }, */
};

const KjMigration *_kj_schema_migrations(gsize *n)
{
	*n = G_N_ELEMENTS(migrations);
	return migrations;
}

gint64 _kj_schema_latest(void)
{
	/* A table out of order is a programmer's mistake caught by every
	 * test run, not something to recover from. */
	for (gsize i = 1; i < G_N_ELEMENTS(migrations); i++)
		g_assert(migrations[i].version > migrations[i - 1].version);
	return migrations[G_N_ELEMENTS(migrations) - 1].version;
}

gboolean _kj_schema_read_version(KjDb *db, gint64 *version, GError **error)
{
	gboolean exists = FALSE;

	*version = 0;
	if (!kj_db_table_exists(db, "schema_version", &exists, error))
		return FALSE;
	if (!exists)
		return TRUE;
	return kj_db_query_int(db, "SELECT max(version) FROM schema_version", KJ_DB_NO_ARGS,
			       version, NULL, error);
}

gboolean _kj_schema_check_not_newer(KjDb *db, gint64 *version, GError **error)
{
	gint64 latest = _kj_schema_latest();

	if (!_kj_schema_read_version(db, version, error))
		return FALSE;
	if (*version > latest) {
		g_set_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_SCHEMA_NEWER,
			    "database schema version %" G_GINT64_FORMAT
			    " is newer than this kyojin supports (%" G_GINT64_FORMAT
			    "); upgrade kyojin (database %s left unchanged)",
			    *version, latest, kj_db_get_location(db));
		return FALSE;
	}
	return TRUE;
}

static const char *migration_sql(KjDb *db, const KjMigration *m)
{
	const char *backend = kj_db_get_backend_name(db);

	if (strcmp(backend, "sqlite") == 0 && m->sql_sqlite)
		return m->sql_sqlite;
	if (strcmp(backend, "pgsql") == 0 && m->sql_pgsql)
		return m->sql_pgsql;
	return m->sql;
}

static gboolean apply_one(KjDb *db, const KjMigration *m, GError **error)
{
	gint64 version = 0;
	const char *sql = migration_sql(db, m);
	g_autofree char *now = kj_db_now_utc();

	g_return_val_if_fail(sql != NULL, FALSE);
	if (!kj_db_begin(db, error))
		return FALSE;
	/* Another process may have migrated between our first look and the
	 * lock we now hold. */
	if (!_kj_schema_check_not_newer(db, &version, error))
		goto fail;
	if (version >= m->version)
		return kj_db_commit(db, error);
	if (!kj_db_exec_script(db, sql, error) ||
	    !kj_db_exec(
		db,
		"INSERT INTO schema_version (version, description, applied_at)"
		" VALUES ($1, $2, $3)",
		KJ_DB_ARGS(KJ_DB_INT(m->version), KJ_DB_TEXT(m->description), KJ_DB_TEXT(now)),
		error))
		goto fail;
	return kj_db_commit(db, error);
fail:
	kj_db_rollback(db, NULL);
	if (error && *error &&
	    !g_error_matches(*error, KJ_STORE_ERROR, KJ_STORE_ERROR_SCHEMA_NEWER))
		g_prefix_error(error, "schema migration %" G_GINT64_FORMAT " (%s): ", m->version,
			       m->description);
	return FALSE;
}

gboolean _kj_schema_migrate(KjDb *db, gint64 target, GError **error)
{
	gint64 version = 0;

	if (!_kj_schema_check_not_newer(db, &version, error))
		return FALSE;
	for (gsize i = 0; i < G_N_ELEMENTS(migrations); i++) {
		const KjMigration *m = &migrations[i];
		if (m->version <= version || m->version > target)
			continue;
		if (!apply_one(db, m, error))
			return FALSE;
	}
	return TRUE;
}
