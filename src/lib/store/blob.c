/*++
 * NAME
 *	blob - content-addressed blob files
 * DESCRIPTION
 *	A blob is stored under its SHA-256, data_dir/blobs/ab/cd/<id>, so
 *	the same bytes are kept once and any change to them is detectable.
 *	Every put, from memory or from a file descriptor, streams through
 *	one path: copy into a temporary file in blobs/tmp/ while hashing,
 *	fsync it, rename it to its id, fsync the directory, and only then
 *	register the row.  A crash at any point leaves either no file under
 *	the final name or the complete one; at worst a temporary file or an
 *	unregistered good blob, both of which fsck reports.  kj_store_write()
 *	stops before the row, for a caller that registers the blob in its
 *	own transaction with the rows that name it (the gateway commits a
 *	message's rows, blobs included, once).
 *
 *	Every read verifies: kj_store_get() hashes what it read and refuses
 *	bytes that no longer match the id (KJ_STORE_ERROR_CORRUPT).
 *
 *	kj_fs_write_atomic() is not used for puts because the id is known
 *	only after the last byte, and because the fault-injection sites must
 *	sit on the very calls a put makes.
 * SECURITY
 *	Runs in whichever process stores or reads quarantined content; the
 *	bytes are hostile but only hashed and copied, never parsed.  Ids
 *	from users are checked to be 64 lower-case hex digits before they
 *	are used in a path, so "../" cannot reach outside blobs/.  Blob
 *	files are mode 0440 and opened with O_NOFOLLOW.
 * LIMITS
 *	store.max_blob_bytes: a put larger than it fails with
 *	KJ_STORE_ERROR_TOO_LARGE and leaves nothing behind; a get never
 *	allocates more than it.
 * STANDARDS
 *	FIPS 180-4 (SHA-256).  基本方針 2(6) 完全性, 2(12): the original of
 *	every sanitized message is kept, whole and verifiable.
 * SEE ALSO
 *	store.c, fsck.c, util/fs.c, util/hash.c
 *--*/
#include "store/store-private.h"

#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (64 * 1024)
#define BLOB_MODE 0440

static gboolean set_io(GError **error, int err, const char *what, const char *path)
{
	g_set_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_IO, "cannot %s %s: %s", what, path,
		    g_strerror(err));
	return FALSE;
}

static gboolean check_id(const char *id, GError **error)
{
	if (kj_sha256_hex_valid(id))
		return TRUE;
	/* The string came from a user: escape it, and keep it short. */
	g_autofree char *cut = g_strndup(id ? id : "", 80);
	g_autofree char *shown = g_strescape(cut, NULL);
	g_set_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_INVALID_ID,
		    "'%s' is not a blob id (64 lower-case hex digits)", shown);
	return FALSE;
}

char *_kj_store_blob_path(const KjStore *store, const char *id)
{
	return g_strdup_printf("%s/%.2s/%.2s/%s", store->blobs_dir, id, id + 2, id);
}

char *kj_store_dup_blob_path(const KjStore *store, const char *id)
{
	g_return_val_if_fail(store != NULL, NULL);
	if (!kj_sha256_hex_valid(id))
		return NULL;
	return _kj_store_blob_path(store, id);
}

static int open_blob(const char *path, const char *id, GError **error)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0 && errno == ENOENT)
		g_set_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_NOT_FOUND,
			    "no blob %s in the store", id ? id : path);
	else if (fd < 0)
		set_io(error, errno, "open", path);
	return fd;
}

/* Reads fd to its end, hashing; appends to buf if not NULL, refusing to
 * grow it past max. */
static gboolean hash_fd(int fd, const char *path, GByteArray *buf, gint64 max,
			char hex[KJ_SHA256_HEX_LEN + 1], gint64 *size, GError **error)
{
	g_autoptr(KjSha256) h = kj_sha256_new();
	g_autofree guint8 *chunk = g_malloc(CHUNK);
	gint64 total = 0;

	for (;;) {
		ssize_t n = read(fd, chunk, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return set_io(error, errno, "read", path);
		if (n == 0)
			break;
		total += n;
		if (buf && total > max) {
			g_set_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_TOO_LARGE,
				    "%s is larger than the store's limit of %" G_GINT64_FORMAT
				    " bytes (store.max_blob_bytes)",
				    path, max);
			return FALSE;
		}
		kj_sha256_update(h, chunk, (gsize)n);
		if (buf)
			g_byte_array_append(buf, chunk, (guint)n);
	}
	kj_sha256_finish(g_steal_pointer(&h), hex);
	if (size)
		*size = total;
	return TRUE;
}

gboolean _kj_store_hash_file(const char *path, char hex[KJ_SHA256_HEX_LEN + 1], gint64 *size,
			     GError **error)
{
	int fd = open_blob(path, NULL, error);

	if (fd < 0)
		return FALSE;
	gboolean ok = hash_fd(fd, path, NULL, 0, hex, size, error);
	close(fd);
	return ok;
}

static gboolean set_corrupt(GError **error, const char *id, const char *actual)
{
	g_set_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_CORRUPT,
		    "blob %s is corrupt: its content now hashes to %s (基本方針 2(6) 完全性); "
		    "run 'kyojin store fsck'",
		    id, actual);
	return FALSE;
}

/*
 * Writing.
 */

typedef struct {
	KjStore *store;
	char *tmp; /* temporary file to remove on failure, or NULL */
	int fd;
	KjSha256 *hash;
	gint64 size;
} Writer;

static gboolean writer_begin(KjStore *store, Writer *w, GError **error)
{
	*w = (Writer){.store = store, .fd = -1};
	w->tmp = g_build_filename(store->tmp_dir, "put-XXXXXX", NULL);
	w->fd = g_mkstemp_full(w->tmp, O_WRONLY | O_CLOEXEC, BLOB_MODE);
	if (w->fd < 0) {
		set_io(error, errno, "create a temporary file in", store->tmp_dir);
		g_clear_pointer(&w->tmp, g_free);
		return FALSE;
	}
	w->hash = kj_sha256_new();
	return TRUE;
}

static void writer_end(Writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	if (w->tmp)
		unlink(w->tmp);
	g_free(w->tmp);
	kj_sha256_free(w->hash);
	*w = (Writer){.fd = -1};
}

static gboolean writer_add(Writer *w, const void *data, gsize len, GError **error)
{
	g_autoptr(GError) fs = NULL;

	if (len > (guint64)(w->store->max_blob_bytes - w->size)) {
		g_set_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_TOO_LARGE,
			    "blob is larger than the store's limit of %" G_GINT64_FORMAT
			    " bytes (store.max_blob_bytes)",
			    w->store->max_blob_bytes);
		return FALSE;
	}
	kj_sha256_update(w->hash, data, len);
	if (_kj_store_fault_hit(w->store, KJ_STORE_FAULT_WRITE)) {
		/* A disk that fills up mid-write leaves part of a chunk. */
		ssize_t partial = write(w->fd, data, len / 2);
		(void)partial; /* the failure below is the one reported */
		return set_io(error, EIO, "write", w->tmp);
	}
	if (!kj_fs_write_all(w->fd, data, len, w->tmp, &fs)) {
		g_set_error_literal(error, KJ_STORE_ERROR, KJ_STORE_ERROR_IO, fs->message);
		return FALSE;
	}
	w->size += (gint64)len;
	return TRUE;
}

/* Makes parent/name if missing; a new directory entry is made durable by
 * an fsync of its parent. */
static gboolean ensure_dir(const char *parent, const char *name, char **out, GError **error)
{
	g_autoptr(GError) fs = NULL;

	*out = g_build_filename(parent, name, NULL);
	if (mkdir(*out, 0750) == 0) {
		if (!kj_fs_fsync_dir(parent, &fs)) {
			g_set_error_literal(error, KJ_STORE_ERROR, KJ_STORE_ERROR_IO, fs->message);
			return FALSE;
		}
		return TRUE;
	}
	if (errno != EEXIST)
		return set_io(error, errno, "create directory", *out);
	return TRUE;
}

static gboolean existing_is_good(const char *path, const char *id)
{
	char hex[KJ_SHA256_HEX_LEN + 1];

	if (!g_file_test(path, G_FILE_TEST_IS_REGULAR) ||
	    !_kj_store_hash_file(path, hex, NULL, NULL))
		return FALSE;
	return strcmp(hex, id) == 0;
}

static gboolean place(Writer *w, const char *id, GError **error)
{
	KjStore *store = w->store;
	char shard1[3] = {id[0], id[1], '\0'};
	char shard2[3] = {id[2], id[3], '\0'};
	g_autofree char *dir1 = NULL;
	g_autofree char *dir2 = NULL;
	g_autofree char *final = _kj_store_blob_path(store, id);
	g_autoptr(GError) fs = NULL;

	if (!ensure_dir(store->blobs_dir, shard1, &dir1, error) ||
	    !ensure_dir(dir1, shard2, &dir2, error))
		return FALSE;
	/* The same bytes again: keep the good copy.  A damaged copy is
	 * replaced, since we now hold the bytes its name promises. */
	if (existing_is_good(final, id))
		return TRUE;
	if (_kj_store_fault_hit(store, KJ_STORE_FAULT_RENAME) || rename(w->tmp, final) < 0)
		return set_io(error, errno, "rename a temporary file to", final);
	g_clear_pointer(&w->tmp, g_free);
	if (_kj_store_fault_hit(store, KJ_STORE_FAULT_DIR_FSYNC))
		return set_io(error, EIO, "fsync directory", dir2);
	if (!kj_fs_fsync_dir(dir2, &fs)) {
		g_set_error_literal(error, KJ_STORE_ERROR, KJ_STORE_ERROR_IO, fs->message);
		return FALSE;
	}
	return TRUE;
}

static gboolean writer_commit(Writer *w, char id[KJ_SHA256_HEX_LEN + 1], gint64 *size, gboolean reg,
			      GError **error)
{
	if (_kj_store_fault_hit(w->store, KJ_STORE_FAULT_FSYNC) || fsync(w->fd) < 0)
		return set_io(error, errno, "fsync", w->tmp);
	int fd = w->fd;
	w->fd = -1;
	if (close(fd) < 0)
		return set_io(error, errno, "close", w->tmp);
	kj_sha256_finish(g_steal_pointer(&w->hash), id);
	if (!place(w, id, error) || (reg && !_kj_store_register(w->store, id, w->size, error)))
		return FALSE;
	if (size)
		*size = w->size;
	return TRUE;
}

gboolean _kj_store_register(KjStore *store, const char *id, gint64 size, GError **error)
{
	g_autofree char *now = kj_db_now_utc();

	if (_kj_store_fault_hit(store, KJ_STORE_FAULT_REGISTER)) {
		g_set_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_DB,
			    "cannot register blob %s: injected fault", id);
		return FALSE;
	}
	return kj_db_exec(store->db,
			  "INSERT INTO blobs (id, size, created_at) VALUES ($1, $2, $3)"
			  " ON CONFLICT (id) DO NOTHING",
			  KJ_DB_ARGS(KJ_DB_TEXT(id), KJ_DB_INT(size), KJ_DB_TEXT(now)), error);
}

static gboolean put_bytes(KjStore *store, const void *data, gsize len,
			  char id[KJ_SHA256_HEX_LEN + 1], gboolean reg, GError **error)
{
	Writer w;

	g_return_val_if_fail(store != NULL && id != NULL, FALSE);
	g_return_val_if_fail(data != NULL || len == 0, FALSE);
	if (_kj_store_refuse_read_only(store, "store a blob", error))
		return FALSE;
	/* Bytes already stored whole (the same attachment again): hashing
	 * the memory and reading the file back costs far less than a
	 * temporary file written, fsync'd and unlinked for nothing. */
	if ((gint64)len <= store->max_blob_bytes) {
		char hex[KJ_SHA256_HEX_LEN + 1];
		kj_sha256_hex(data, len, hex);
		g_autofree char *final = _kj_store_blob_path(store, hex);
		if (existing_is_good(final, hex)) {
			if (reg && !_kj_store_register(store, hex, (gint64)len, error))
				return FALSE;
			memcpy(id, hex, sizeof hex);
			return TRUE;
		}
	}
	if (!writer_begin(store, &w, error))
		return FALSE;
	/* In chunks, like a stream: one code path, one set of fault sites. */
	const guint8 *p = data;
	gboolean ok = TRUE;
	for (gsize off = 0; ok && off < len; off += CHUNK)
		ok = writer_add(&w, p + off, MIN(CHUNK, len - off), error);
	ok = ok && writer_commit(&w, id, NULL, reg, error);
	writer_end(&w);
	return ok;
}

gboolean kj_store_put(KjStore *store, const void *data, gsize len, char id[KJ_SHA256_HEX_LEN + 1],
		      GError **error)
{
	return put_bytes(store, data, len, id, TRUE, error);
}

gboolean kj_store_write(KjStore *store, const void *data, gsize len, char id[KJ_SHA256_HEX_LEN + 1],
			GError **error)
{
	return put_bytes(store, data, len, id, FALSE, error);
}

gboolean kj_store_register(KjStore *store, const char *id, gint64 size, GError **error)
{
	g_return_val_if_fail(store != NULL, FALSE);
	if (_kj_store_refuse_read_only(store, "register a blob", error) || !check_id(id, error))
		return FALSE;
	return _kj_store_register(store, id, size, error);
}

gboolean kj_store_put_fd(KjStore *store, int fd, char id[KJ_SHA256_HEX_LEN + 1], gint64 *size,
			 GError **error)
{
	Writer w;

	g_return_val_if_fail(store != NULL && id != NULL && fd >= 0, FALSE);
	if (_kj_store_refuse_read_only(store, "store a blob", error) ||
	    !writer_begin(store, &w, error))
		return FALSE;
	g_autofree guint8 *chunk = g_malloc(CHUNK);
	gboolean ok = TRUE;
	for (;;) {
		ssize_t n = read(fd, chunk, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ok = set_io(error, errno, "read", "the input");
			break;
		}
		if (n == 0 || !(ok = writer_add(&w, chunk, (gsize)n, error)))
			break;
	}
	ok = ok && writer_commit(&w, id, size, TRUE, error);
	writer_end(&w);
	return ok;
}

gboolean kj_store_put_file(KjStore *store, const char *path, char id[KJ_SHA256_HEX_LEN + 1],
			   gint64 *size, GError **error)
{
	struct stat st;

	g_return_val_if_fail(store != NULL && path != NULL && id != NULL, FALSE);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return set_io(error, errno, "open", path);
	/* Refuse an oversized file before copying any of it. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > store->max_blob_bytes) {
		close(fd);
		g_set_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_TOO_LARGE,
			    "%s is %lld bytes, larger than the store's limit of %" G_GINT64_FORMAT
			    " bytes (store.max_blob_bytes)",
			    path, (long long)st.st_size, store->max_blob_bytes);
		return FALSE;
	}
	gboolean ok = kj_store_put_fd(store, fd, id, size, error);
	close(fd);
	if (!ok)
		g_prefix_error(error, "%s: ", path);
	return ok;
}

/*
 * Reading.
 */

GBytes *kj_store_get(KjStore *store, const char *id, GError **error)
{
	char hex[KJ_SHA256_HEX_LEN + 1];

	g_return_val_if_fail(store != NULL, NULL);
	if (!check_id(id, error))
		return NULL;
	g_autofree char *path = _kj_store_blob_path(store, id);
	int fd = open_blob(path, id, error);
	if (fd < 0)
		return NULL;
	g_autoptr(GByteArray) buf = g_byte_array_new();
	gboolean ok = hash_fd(fd, path, buf, store->max_blob_bytes, hex, NULL, error);
	close(fd);
	if (!ok)
		return NULL;
	if (strcmp(hex, id) != 0) {
		set_corrupt(error, id, hex);
		return NULL;
	}
	return g_byte_array_free_to_bytes(g_steal_pointer(&buf));
}

gboolean kj_store_verify(KjStore *store, const char *id, gint64 *size, GError **error)
{
	char hex[KJ_SHA256_HEX_LEN + 1];

	g_return_val_if_fail(store != NULL, FALSE);
	if (!check_id(id, error))
		return FALSE;
	g_autofree char *path = _kj_store_blob_path(store, id);
	int fd = open_blob(path, id, error);
	if (fd < 0)
		return FALSE;
	gboolean ok = hash_fd(fd, path, NULL, 0, hex, size, error);
	close(fd);
	if (ok && strcmp(hex, id) != 0)
		return set_corrupt(error, id, hex);
	return ok;
}

gboolean kj_store_has(KjStore *store, const char *id)
{
	g_return_val_if_fail(store != NULL, FALSE);
	if (!kj_sha256_hex_valid(id))
		return FALSE;
	g_autofree char *path = _kj_store_blob_path(store, id);
	return g_file_test(path, G_FILE_TEST_IS_REGULAR);
}
