/*++
 * NAME
 *	store - opening the store: data directory, database, migrations
 * DESCRIPTION
 *	A store is a data directory holding content-addressed blob files
 *	(blob.c) and the metadata database kyojin.db (db.h), whose schema
 *	is brought up to date on every read-write open (schema.c).
 *
 *	A read-write open looks at an existing database read-only first:
 *	only if its schema is not newer than this build is it opened for
 *	writing, because even switching it to WAL mode writes its header.
 *	A read-only open creates nothing (no directory, no database, no
 *	migration) and refuses a database at an older version, so that
 *	readers never query tables a migration has not made yet.
 * SECURITY
 *	Runs in the daemon, CLI and console with their own privileges.  The
 *	data directory comes from configuration; it is created mode 0750.
 * LIMITS
 *	store.max_blob_bytes (KJ_STORE_MAX_BLOB_DEFAULT) and
 *	store.busy_timeout_ms (KJ_STORE_BUSY_TIMEOUT_DEFAULT).
 * STANDARDS
 *	基本方針 2(6) 完全性 and 6(2): quarantined originals are kept intact
 *	and provably unaltered.
 * SEE ALSO
 *	blob.c, fsck.c, schema.c, db.c, util/limits.h
 *--*/
#include "store/store-private.h"

#include "store/schema.h"
#include "util/fs.h"
#include "util/limits.h"

#include <errno.h>

G_DEFINE_QUARK(kj - store - error - quark, kj_store_error)

static KjDb *open_db(KjStore *store, gint64 busy_ms, gboolean read_only, GError **error)
{
	KjDbOptions o = {
	    .backend = NULL,
	    .location = store->db_path,
	    .busy_timeout_ms = busy_ms,
	    .read_only = read_only,
	    .create = !read_only,
	};
	KjDb *db = kj_db_open(&o, error);
	if (db)
		kj_db_set_secrets_dir(db, store->data_dir);
	return db;
}

static gboolean open_read_only(KjStore *store, gint64 busy_ms, GError **error)
{
	gint64 latest = _kj_schema_latest();

	if (!g_file_test(store->data_dir, G_FILE_TEST_IS_DIR)) {
		g_set_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_NOT_FOUND,
			    "data directory %s does not exist", store->data_dir);
		return FALSE;
	}
	if (!g_file_test(store->db_path, G_FILE_TEST_IS_REGULAR)) {
		g_set_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_NOT_FOUND,
			    "no store in %s (%s is missing); a write command such as "
			    "'kyojin store put' creates it",
			    store->data_dir, KJ_STORE_DB_NAME);
		return FALSE;
	}
	store->db = open_db(store, busy_ms, TRUE, error);
	if (store->db == NULL ||
	    !_kj_schema_check_not_newer(store->db, &store->schema_version, error))
		return FALSE;
	if (store->schema_version < latest) {
		g_set_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_SCHEMA_OLDER,
			    "database schema version %" G_GINT64_FORMAT
			    " is older than this kyojin's (%" G_GINT64_FORMAT
			    "); run a write command such as 'kyojin store put' once to migrate %s",
			    store->schema_version, latest, store->db_path);
		return FALSE;
	}
	return TRUE;
}

static gboolean open_read_write(KjStore *store, gint64 busy_ms, GError **error)
{
	g_autoptr(GError) fs = NULL;

	if (!kj_fs_mkdir_p(store->data_dir, 0750, &fs) ||
	    !kj_fs_mkdir_p(store->blobs_dir, 0750, &fs) ||
	    !kj_fs_mkdir_p(store->tmp_dir, 0750, &fs)) {
		/* fs errors say which path; the store's domain says what kind. */
		g_set_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_IO,
			    "%s (the data directory must be a writable directory)", fs->message);
		return FALSE;
	}
	if (g_file_test(store->db_path, G_FILE_TEST_EXISTS)) {
		gint64 version = 0;
		g_autoptr(KjDb) probe = open_db(store, busy_ms, TRUE, error);
		if (probe == NULL || !_kj_schema_check_not_newer(probe, &version, error))
			return FALSE;
	}
	store->db = open_db(store, busy_ms, FALSE, error);
	if (store->db == NULL || !_kj_schema_migrate(store->db, _kj_schema_latest(), error))
		return FALSE;
	return _kj_schema_read_version(store->db, &store->schema_version, error);
}

KjStore *kj_store_open(const char *data_dir, const KjStoreOptions *opts, GError **error)
{
	g_return_val_if_fail(data_dir != NULL && *data_dir != '\0', NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	KjStoreOptions o = {0};
	if (opts)
		o = *opts;
	g_autoptr(KjStore) store = g_new0(KjStore, 1);
	store->data_dir = g_strdup(data_dir);
	store->blobs_dir = g_build_filename(data_dir, KJ_STORE_BLOBS_DIR, NULL);
	store->tmp_dir = g_build_filename(store->blobs_dir, "tmp", NULL);
	store->lost_dir = g_build_filename(data_dir, KJ_STORE_LOST_DIR, NULL);
	store->db_path = g_build_filename(data_dir, KJ_STORE_DB_NAME, NULL);
	store->max_blob_bytes = o.max_blob_bytes > 0 ? o.max_blob_bytes : KJ_STORE_MAX_BLOB_DEFAULT;
	store->read_only = o.read_only;
	gint64 busy = o.busy_timeout_ms > 0 ? o.busy_timeout_ms : KJ_STORE_BUSY_TIMEOUT_DEFAULT;

	if (!(o.read_only ? open_read_only(store, busy, error)
			  : open_read_write(store, busy, error)))
		return NULL;
	return g_steal_pointer(&store);
}

void kj_store_free(KjStore *store)
{
	if (store == NULL)
		return;
	kj_db_free(store->db);
	g_free(store->data_dir);
	g_free(store->blobs_dir);
	g_free(store->tmp_dir);
	g_free(store->lost_dir);
	g_free(store->db_path);
	g_free(store);
}

const char *kj_store_get_data_dir(const KjStore *store)
{
	g_return_val_if_fail(store != NULL, NULL);
	return store->data_dir;
}

KjDb *kj_store_get_db(KjStore *store)
{
	g_return_val_if_fail(store != NULL, NULL);
	return store->db;
}

gboolean kj_store_is_read_only(const KjStore *store)
{
	g_return_val_if_fail(store != NULL, TRUE);
	return store->read_only;
}

gint64 kj_store_get_max_blob_bytes(const KjStore *store)
{
	g_return_val_if_fail(store != NULL, 0);
	return store->max_blob_bytes;
}

gint64 kj_store_schema_version(const KjStore *store)
{
	g_return_val_if_fail(store != NULL, 0);
	return store->schema_version;
}

gint64 kj_store_schema_version_supported(void)
{
	return _kj_schema_latest();
}

static gboolean stats_row(const KjDbRow *row, gpointer user_data)
{
	KjStoreStats *stats = user_data;

	stats->blobs = kj_db_row_get_int(row, 0);
	stats->bytes = kj_db_row_get_int(row, 1);
	return FALSE;
}

gboolean kj_store_get_stats(KjStore *store, KjStoreStats *stats, GError **error)
{
	g_return_val_if_fail(store != NULL && stats != NULL, FALSE);
	*stats = (KjStoreStats){0};
	return kj_db_query(store->db, "SELECT count(*), coalesce(sum(size), 0) FROM blobs",
			   KJ_DB_NO_ARGS, stats_row, stats, error);
}

gboolean _kj_store_refuse_read_only(const KjStore *store, const char *what, GError **error)
{
	if (!store->read_only)
		return FALSE;
	g_set_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_READ_ONLY,
		    "cannot %s: the store in %s is open read-only", what, store->data_dir);
	return TRUE;
}

void _kj_store_fault_arm(KjStore *store, KjStoreFault site, guint nth)
{
	g_return_if_fail(store != NULL);
	store->fault_site = site;
	store->fault_nth = nth;
	store->fault_count = 0;
}

gboolean _kj_store_fault_hit(KjStore *store, KjStoreFault site)
{
	if (G_LIKELY(store->fault_site == KJ_STORE_FAULT_NONE) || store->fault_site != site)
		return FALSE;
	if (++store->fault_count < store->fault_nth)
		return FALSE;
	store->fault_site = KJ_STORE_FAULT_NONE;
	errno = EIO;
	return TRUE;
}
