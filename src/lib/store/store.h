/* store.h - content-addressed blobs and the metadata database (see store.c). */
#ifndef KJ_STORE_STORE_H
#define KJ_STORE_STORE_H

#include "util/hash.h"

#include <glib.h>

#define KJ_STORE_ERROR (kj_store_error_quark())
GQuark kj_store_error_quark(void);

typedef enum {
	KJ_STORE_ERROR_IO,           /* a file or directory operation failed */
	KJ_STORE_ERROR_NOT_FOUND,    /* no blob with that id */
	KJ_STORE_ERROR_CORRUPT,      /* a blob's bytes no longer match its id */
	KJ_STORE_ERROR_TOO_LARGE,    /* larger than store.max_blob_bytes */
	KJ_STORE_ERROR_INVALID_ID,   /* not 64 lower-case hex digits */
	KJ_STORE_ERROR_DB,           /* the database reported an error */
	KJ_STORE_ERROR_SCHEMA_NEWER, /* the database was made by a newer kyojin */
	KJ_STORE_ERROR_READ_ONLY,    /* a write on a store opened read-only */
} KjStoreError;

typedef struct KjStore KjStore;

typedef struct {
	gint64 max_blob_bytes;  /* 0 = KJ_STORE_MAX_BLOB_DEFAULT */
	gint64 busy_timeout_ms; /* database busy wait */
	gboolean read_only;     /* no directory creation, no migration, no writes */
} KjStoreOptions;

/* Opens (creating if missing, unless read_only) the store in data_dir:
 * blobs under data_dir/blobs/, the database data_dir/kyojin.db, with
 * every pending schema migration applied.  A database whose schema is
 * newer than this build knows is refused (KJ_STORE_ERROR_SCHEMA_NEWER)
 * and left untouched. */
KjStore *kj_store_open(const char *data_dir, const KjStoreOptions *opts, GError **error);
void kj_store_free(KjStore *store);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KjStore, kj_store_free)

#endif
