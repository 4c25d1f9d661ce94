/* store.h - content-addressed blobs and the metadata database (see store.c). */
#ifndef KJ_STORE_STORE_H
#define KJ_STORE_STORE_H

#include "store/db.h"
#include "util/hash.h"
#include "util/limits.h"

#include <glib.h>

#define KJ_STORE_ERROR (kj_store_error_quark())
GQuark kj_store_error_quark(void);

typedef enum {
	KJ_STORE_ERROR_IO,           /* a file or directory operation failed */
	KJ_STORE_ERROR_NOT_FOUND,    /* no blob with that id (or no store at all) */
	KJ_STORE_ERROR_CORRUPT,      /* a blob's bytes no longer match its id */
	KJ_STORE_ERROR_TOO_LARGE,    /* larger than store.max_blob_bytes */
	KJ_STORE_ERROR_INVALID_ID,   /* not 64 lower-case hex digits */
	KJ_STORE_ERROR_DB,           /* the database reported an error */
	KJ_STORE_ERROR_SCHEMA_NEWER, /* the database was made by a newer kyojin */
	KJ_STORE_ERROR_READ_ONLY,    /* a write on a store opened read-only */
	KJ_STORE_ERROR_SCHEMA_OLDER, /* read-only open of a database not yet migrated */
	KJ_STORE_ERROR_BUSY,         /* the database stayed locked past busy_timeout_ms */
	KJ_STORE_ERROR_CONSTRAINT,   /* a row violates a constraint of the schema */
} KjStoreError;

/* Names inside the data directory. */
#define KJ_STORE_DB_NAME "kyojin.db"
#define KJ_STORE_BLOBS_DIR "blobs"     /* blobs/ab/cd/<id>, blobs/tmp/ */
#define KJ_STORE_LOST_DIR "lost+found" /* where fsck --repair moves what it cannot keep */

typedef struct KjStore KjStore;

typedef struct {
	gint64 max_blob_bytes;  /* 0 = KJ_STORE_MAX_BLOB_DEFAULT */
	gint64 busy_timeout_ms; /* database busy wait; 0 = KJ_STORE_BUSY_TIMEOUT_DEFAULT */
	gboolean read_only;     /* no directory creation, no migration, no writes */
} KjStoreOptions;

/* Opens (creating if missing, unless read_only) the store in data_dir:
 * blobs under data_dir/blobs/, the database data_dir/kyojin.db, with
 * every pending schema migration applied.  A database whose schema is
 * newer than this build knows is refused (KJ_STORE_ERROR_SCHEMA_NEWER)
 * and left untouched.  opts may be NULL for the defaults.
 *
 * read_only opens create nothing and migrate nothing: a missing database
 * is KJ_STORE_ERROR_NOT_FOUND, and a database at an older schema version
 * is KJ_STORE_ERROR_SCHEMA_OLDER, whose message says to run a write
 * command once (readers would otherwise query tables not made yet). */
KjStore *kj_store_open(const char *data_dir, const KjStoreOptions *opts, GError **error);
void kj_store_free(KjStore *store);

/* Valid until kj_store_free. */
const char *kj_store_get_data_dir(const KjStore *store);
/* The database connection, borrowed: valid until kj_store_free.  Other
 * modules keep their rows here, through db.h only. */
KjDb *kj_store_get_db(KjStore *store);
gboolean kj_store_is_read_only(const KjStore *store);
gint64 kj_store_get_max_blob_bytes(const KjStore *store);
/* The schema version of the open database, and the newest this build knows. */
gint64 kj_store_schema_version(const KjStore *store);
gint64 kj_store_schema_version_supported(void);

/*
 * Blobs.  An id is the SHA-256 of the bytes, 64 lower-case hex digits.
 * A blob is complete and fsync'd under its final name before it is
 * registered in the blobs table and before a put returns; putting the
 * same bytes again returns the same id and changes nothing (a damaged
 * copy on disk is replaced by the good bytes).
 */

/* Stores len bytes; id receives the blob's id. */
gboolean kj_store_put(KjStore *store, const void *data, gsize len, char id[KJ_SHA256_HEX_LEN + 1],
		      GError **error);
/* kj_store_put() without the row: the blob is complete and fsync'd under
 * its final name when this returns, and the caller registers it with
 * kj_store_register(), typically in the transaction that inserts the
 * rows naming it.  Until then it is an orphan to fsck (which can
 * register it), never a row without its bytes. */
gboolean kj_store_write(KjStore *store, const void *data, gsize len, char id[KJ_SHA256_HEX_LEN + 1],
			GError **error);
/* The row of a blob written by kj_store_write() (nothing if it has one). */
gboolean kj_store_register(KjStore *store, const char *id, gint64 size, GError **error);
/* Stores everything read from fd until end of file, hashing while copying
 * to a temporary file, so a blob need not fit in memory.  *size (may be
 * NULL) receives its length.  fd is not closed. */
gboolean kj_store_put_fd(KjStore *store, int fd, char id[KJ_SHA256_HEX_LEN + 1], gint64 *size,
			 GError **error);
/* kj_store_put_fd() on the file at path. */
gboolean kj_store_put_file(KjStore *store, const char *path, char id[KJ_SHA256_HEX_LEN + 1],
			   gint64 *size, GError **error);

/* The blob's bytes, verified against id: a blob that no longer hashes to
 * its id is KJ_STORE_ERROR_CORRUPT, never returned. */
GBytes *kj_store_get(KjStore *store, const char *id, GError **error);
/* Checks the blob on disk against id without holding it in memory. */
gboolean kj_store_verify(KjStore *store, const char *id, gint64 *size, GError **error);
/* TRUE if a blob file with this id exists (not verified); FALSE also for
 * a string that is not an id. */
gboolean kj_store_has(KjStore *store, const char *id);
/* Where the blob with this id is or would be, newly allocated; NULL if id
 * is not an id.  Whoever reads the file directly must verify it. */
char *kj_store_dup_blob_path(const KjStore *store, const char *id);

/*
 * Group commit (group.c).  Threads that each want a few rows changed at
 * the same moment share one transaction: kj_store_group_run() runs func
 * (store, data) under a savepoint inside a transaction that may hold
 * other threads' changes too, run on the connection of whichever
 * thread leads that group (func must use the store it is given, and
 * must not begin or commit).  It returns once that transaction has
 * committed (the change is durable) or failed; a func that fails is
 * undone alone.  func must not append audit records: the caller does
 * that after this returns TRUE (KjAuditBatch).
 */
typedef gboolean (*KjStoreTxFunc)(KjStore *store, gpointer data, GError **error);
typedef struct KjStoreGroup KjStoreGroup;

KjStoreGroup *kj_store_group_new(void);
void kj_store_group_free(KjStoreGroup *group);
/* store: the calling thread's own connection, not in a transaction. */
gboolean kj_store_group_run(KjStoreGroup *group, KjStore *store, KjStoreTxFunc func, gpointer data,
			    GError **error);
/* Transactions run and changes made in them so far. */
void kj_store_group_get_stats(KjStoreGroup *group, guint64 *groups, guint64 *ops);

typedef struct {
	gint64 blobs; /* rows in the blobs table */
	gint64 bytes; /* their total size */
} KjStoreStats;

gboolean kj_store_get_stats(KjStore *store, KjStoreStats *stats, GError **error);

/*
 * Consistency check.
 */
typedef enum {
	KJ_STORE_PROBLEM_MISSING, /* a row whose blob file is gone */
	KJ_STORE_PROBLEM_CORRUPT, /* a file whose bytes do not hash to its name */
	KJ_STORE_PROBLEM_ORPHAN,  /* a good blob file without a row */
	KJ_STORE_PROBLEM_BAD_ROW, /* a row whose size differs from its good file */
	KJ_STORE_PROBLEM_TEMP,    /* a temporary file older than the stale age */
	KJ_STORE_PROBLEM_STRAY,   /* anything else under blobs/ */
} KjStoreProblemKind;

/* Valid during the callback only. */
typedef struct {
	KjStoreProblemKind kind;
	const char *id;     /* the blob id, or NULL (temp and stray files) */
	const char *path;   /* the file concerned (expected path if missing) */
	const char *detail; /* what is wrong, for people */
	const char *action; /* what --repair did, or NULL if nothing */
} KjStoreProblem;

typedef void (*KjStoreProblemFunc)(const KjStoreProblem *problem, gpointer user_data);

typedef enum {
	KJ_STORE_FSCK_REPAIR = 1 << 0, /* register orphans, correct sizes, move
					* corrupt, temp and stray files to
					* lost+found; never delete */
	KJ_STORE_FSCK_QUICK = 1 << 1,  /* do not hash file contents */
} KjStoreFsckFlags;

typedef struct {
	gint64 rows;         /* rows in the blobs table */
	gint64 files;        /* blob files examined */
	gint64 bytes_hashed; /* bytes read to verify them */
	gint64 problems;     /* problems reported */
	gint64 repaired;     /* problems with an action taken */
	gint64 by_kind[KJ_STORE_PROBLEM_STRAY + 1];
} KjStoreFsckStats;

/* Checks every row and every file under blobs/, calling func once per
 * problem.  temp_stale_s is the age that makes a temporary file a problem
 * (0 = KJ_STORE_TEMP_STALE_DEFAULT).  Returns FALSE only if the check
 * could not run; problems found are in *stats.  REPAIR needs a store
 * opened read-write. */
gboolean kj_store_fsck(KjStore *store, KjStoreFsckFlags flags, gint64 temp_stale_s,
		       KjStoreProblemFunc func, gpointer user_data, KjStoreFsckStats *stats,
		       GError **error);
/* "missing", "corrupt", ... for messages and JSON. */
const char *kj_store_problem_kind_name(KjStoreProblemKind kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KjStore, kj_store_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(KjStoreGroup, kj_store_group_free)

#endif
