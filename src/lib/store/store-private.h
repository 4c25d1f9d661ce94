/* store-private.h - shared by the files of src/lib/store and its unit test only. */
#ifndef KJ_STORE_STORE_PRIVATE_H
#define KJ_STORE_STORE_PRIVATE_H

#include "store/store.h"

/* Fault injection (SQLite's fault simulation, STYLE.md): the Nth call at
 * one site fails as if the system call had failed with EIO.  The sites
 * are compiled in always; only a test arms them, per store, so that no
 * process-wide state exists. */
typedef enum {
	KJ_STORE_FAULT_NONE,
	KJ_STORE_FAULT_WRITE,     /* write(2) of a chunk of a temporary file */
	KJ_STORE_FAULT_FSYNC,     /* fsync(2) of a temporary file */
	KJ_STORE_FAULT_RENAME,    /* rename(2) of a temporary file to its id */
	KJ_STORE_FAULT_DIR_FSYNC, /* fsync(2) of the directory after the rename */
	KJ_STORE_FAULT_REGISTER,  /* the INSERT of the blob's row */
} KjStoreFault;

struct KjStore {
	char *data_dir;
	char *blobs_dir;
	char *tmp_dir;
	char *lost_dir;
	char *db_path;
	KjDb *db;
	gint64 max_blob_bytes;
	gint64 schema_version;
	gboolean read_only;

	KjStoreFault fault_site;
	guint fault_nth;
	guint fault_count;
};

/* Arms site to fail on its nth call from now (1 = the next); one-shot.
 * KJ_STORE_FAULT_NONE disarms. */
void _kj_store_fault_arm(KjStore *store, KjStoreFault site, guint nth);
/* Counts a call at site; TRUE (with errno = EIO) if it must fail. */
gboolean _kj_store_fault_hit(KjStore *store, KjStoreFault site);

/* data_dir/blobs/ab/cd/<id>; id must be valid. */
char *_kj_store_blob_path(const KjStore *store, const char *id);
/* Records a blob's row (nothing if it is there already). */
gboolean _kj_store_register(KjStore *store, const char *id, gint64 size, GError **error);
/* Hashes the file at path; *size gets its length.  No size cap. */
gboolean _kj_store_hash_file(const char *path, char hex[KJ_SHA256_HEX_LEN + 1], gint64 *size,
			     GError **error);
/* Sets KJ_STORE_ERROR_READ_ONLY and returns TRUE if store is read-only. */
gboolean _kj_store_refuse_read_only(const KjStore *store, const char *what, GError **error);

#endif
