/*++
 * NAME
 *	fsck - consistency check of blob files against the blobs table
 * DESCRIPTION
 *	Walks blobs/ and the blobs table and reports, through a callback,
 *	each row whose file is missing, each file whose bytes do not hash
 *	to its name, each good file without a row, each row whose size is
 *	wrong, each temporary file older than the stale age, and anything
 *	else found under blobs/.
 *
 *	Repair never deletes (基本方針 2(6): information is not destroyed):
 *	orphans are registered, wrong sizes corrected, and corrupt, stale
 *	and stray files moved to data_dir/lost+found/ for a person to look
 *	at.  A missing blob cannot be repaired; a later put of the same
 *	bytes restores it.
 *
 *	The walk runs while other processes put blobs.  A put renames its
 *	file before it inserts the row, so a file seen without a row is
 *	re-checked before it is called an orphan, and a row without a file
 *	is re-checked before it is called missing.
 * SECURITY
 *	Runs in the CLI (store fsck) with the operator's privileges; reads
 *	hostile bytes only to hash them.  File names found under blobs/ are
 *	reported escaped by the front end, never used as formats.
 * LIMITS
 *	Memory grows with the number of blobs (one hash table entry each).
 * STANDARDS
 *	基本方針 2(6) 完全性, 6(8) 点検: integrity is checked, not assumed.
 * SEE ALSO
 *	blob.c, cli/store.c
 *--*/
#include "store/store-private.h"

#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
	KjStore *store;
	KjStoreFsckFlags flags;
	gint64 stale_s;
	gint64 now;
	KjStoreProblemFunc func;
	gpointer user_data;
	KjStoreFsckStats *stats;
	GHashTable *files; /* id -> gint64* size of good files, or NULL if corrupt */
	GHashTable *rows;  /* id -> gint64* size */
} Fsck;

static const char *const kind_names[] = {
    [KJ_STORE_PROBLEM_MISSING] = "missing", [KJ_STORE_PROBLEM_CORRUPT] = "corrupt",
    [KJ_STORE_PROBLEM_ORPHAN] = "orphan",   [KJ_STORE_PROBLEM_BAD_ROW] = "bad-row",
    [KJ_STORE_PROBLEM_TEMP] = "temp",       [KJ_STORE_PROBLEM_STRAY] = "stray",
};

const char *kj_store_problem_kind_name(KjStoreProblemKind kind)
{
	g_return_val_if_fail((guint)kind < G_N_ELEMENTS(kind_names), "unknown");
	return kind_names[kind];
}

static void report(Fsck *f, KjStoreProblemKind kind, const char *id, const char *path,
		   const char *detail, const char *action)
{
	KjStoreProblem p = {kind, id, path, detail, action};

	f->stats->problems++;
	f->stats->by_kind[kind]++;
	if (action)
		f->stats->repaired++;
	if (f->func)
		f->func(&p, f->user_data);
}

/* Moves path into lost+found under a name that says what it was; returns
 * the action text, or NULL (with why in *detail) if it could not. */
static char *move_to_lost(Fsck *f, const char *path, KjStoreProblemKind kind, char **why)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *base = g_path_get_basename(path);
	g_autofree char *dir = g_path_get_dirname(path);

	if (!kj_fs_mkdir_p(f->store->lost_dir, 0750, &error)) {
		*why = g_strdup(error->message);
		return NULL;
	}
	for (int n = 0; n < 1000; n++) {
		g_autofree char *dest =
		    g_strdup_printf("%s/%s.%s.%" G_GINT64_FORMAT ".%d", f->store->lost_dir, base,
				    kj_store_problem_kind_name(kind), f->now, n);
		/* Never replace anything already in lost+found. */
		if (renameat2(AT_FDCWD, path, AT_FDCWD, dest, RENAME_NOREPLACE) == 0) {
			if (!kj_fs_fsync_dir(f->store->lost_dir, &error) ||
			    !kj_fs_fsync_dir(dir, &error)) {
				*why = g_strdup(error->message);
				return NULL;
			}
			return g_strdup_printf("moved to %s", dest);
		}
		if (errno != EEXIST) {
			*why = g_strdup_printf("cannot move to %s: %s", dest, g_strerror(errno));
			return NULL;
		}
	}
	*why = g_strdup("cannot find a free name in lost+found");
	return NULL;
}

/* Reports a file that does not belong, moving it away under REPAIR. */
static void report_moved(Fsck *f, KjStoreProblemKind kind, const char *id, const char *path,
			 const char *detail)
{
	g_autofree char *why = NULL;
	g_autofree char *action = NULL;
	g_autofree char *full = NULL;

	if (f->flags & KJ_STORE_FSCK_REPAIR)
		action = move_to_lost(f, path, kind, &why);
	if (why)
		full = g_strdup_printf("%s; repair failed: %s", detail, why);
	report(f, kind, id, path, full ? full : detail, action);
}

static void check_temp(Fsck *f, const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0 || f->now - (gint64)st.st_mtime < f->stale_s)
		return; /* gone already, or a put still in progress */
	g_autofree char *detail =
	    g_strdup_printf("temporary file left for %" G_GINT64_FORMAT " s by an interrupted put",
			    f->now - (gint64)st.st_mtime);
	report_moved(f, KJ_STORE_PROBLEM_TEMP, NULL, path, detail);
}

static void check_blob_file(Fsck *f, const char *id, const char *path)
{
	char hex[KJ_SHA256_HEX_LEN + 1];
	g_autoptr(GError) error = NULL;
	struct stat st;
	gint64 size = 0;

	f->stats->files++;
	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		report_moved(f, KJ_STORE_PROBLEM_STRAY, NULL, path, "not a regular file");
		return;
	}
	if (f->flags & KJ_STORE_FSCK_QUICK) {
		g_hash_table_insert(f->files, g_strdup(id), g_memdup2(&(gint64){st.st_size}, 8));
		return;
	}
	if (!_kj_store_hash_file(path, hex, &size, &error)) {
		g_hash_table_insert(f->files, g_strdup(id), NULL);
		report(f, KJ_STORE_PROBLEM_CORRUPT, id, path, error->message, NULL);
		return;
	}
	f->stats->bytes_hashed += size;
	if (strcmp(hex, id) != 0) {
		g_hash_table_insert(f->files, g_strdup(id), NULL);
		g_autofree char *detail = g_strdup_printf("content hashes to %s", hex);
		report_moved(f, KJ_STORE_PROBLEM_CORRUPT, id, path, detail);
		return;
	}
	g_hash_table_insert(f->files, g_strdup(id), g_memdup2(&size, sizeof size));
}

typedef gboolean (*EntryFunc)(Fsck *f, const char *path, const char *name, const char *parent,
			      GError **error);

static gboolean walk_dir(Fsck *f, const char *dir, EntryFunc func, GError **error)
{
	g_autoptr(GError) err = NULL;
	GDir *d = g_dir_open(dir, 0, &err);

	if (d == NULL) {
		g_set_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_IO, "%s", err->message);
		return FALSE;
	}
	/* Collect first: repair renames entries out of the directory. */
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const char *name;
	while ((name = g_dir_read_name(d)) != NULL)
		g_ptr_array_add(names, g_strdup(name));
	g_dir_close(d);
	g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
	for (guint i = 0; i < names->len; i++) {
		const char *n = g_ptr_array_index(names, i);
		g_autofree char *path = g_build_filename(dir, n, NULL);
		if (!func(f, path, n, dir, error))
			return FALSE;
	}
	return TRUE;
}

static gboolean is_shard(const char *name)
{
	return strlen(name) == 2 && g_ascii_isxdigit(name[0]) && g_ascii_isxdigit(name[1]) &&
	       !g_ascii_isupper(name[0]) && !g_ascii_isupper(name[1]);
}

static gboolean on_tmp(Fsck *f, const char *path, const char *name, const char *parent,
		       GError **error)
{
	check_temp(f, path);
	return TRUE;
}

static gboolean on_file(Fsck *f, const char *path, const char *name, const char *parent,
			GError **error)
{
	g_autofree char *pbase = g_path_get_basename(parent);
	g_autofree char *pdir = g_path_get_dirname(parent);
	g_autofree char *gbase = g_path_get_basename(pdir);

	if (kj_sha256_hex_valid(name) && strncmp(name, gbase, 2) == 0 &&
	    strncmp(name + 2, pbase, 2) == 0)
		check_blob_file(f, name, path);
	else if (name[0] == '.')
		check_temp(f, path);
	else
		report_moved(f, KJ_STORE_PROBLEM_STRAY, NULL, path, "not a blob: unexpected name");
	return TRUE;
}

static gboolean on_shard2(Fsck *f, const char *path, const char *name, const char *parent,
			  GError **error)
{
	if (is_shard(name) && g_file_test(path, G_FILE_TEST_IS_DIR))
		return walk_dir(f, path, on_file, error);
	report_moved(f, KJ_STORE_PROBLEM_STRAY, NULL, path, "not part of the store layout");
	return TRUE;
}

static gboolean on_shard1(Fsck *f, const char *path, const char *name, const char *parent,
			  GError **error)
{
	if (strcmp(name, "tmp") == 0 && g_file_test(path, G_FILE_TEST_IS_DIR))
		return walk_dir(f, path, on_tmp, error);
	if (is_shard(name) && g_file_test(path, G_FILE_TEST_IS_DIR))
		return walk_dir(f, path, on_shard2, error);
	report_moved(f, KJ_STORE_PROBLEM_STRAY, NULL, path, "not part of the store layout");
	return TRUE;
}

static gboolean load_row(const KjDbRow *row, gpointer user_data)
{
	Fsck *f = user_data;
	gint64 size = kj_db_row_get_int(row, 1);

	g_hash_table_insert(f->rows, g_strdup(kj_db_row_get_text(row, 0)),
			    g_memdup2(&size, sizeof size));
	return TRUE;
}

static gboolean row_size(Fsck *f, const char *id, gint64 *size, gboolean *found, GError **error)
{
	return kj_db_query_int(kj_store_get_db(f->store), "SELECT size FROM blobs WHERE id = $1",
			       KJ_DB_ARGS(KJ_DB_TEXT(id)), size, found, error);
}

static gboolean check_file_row(Fsck *f, const char *id, gint64 fsize, GError **error)
{
	g_autofree char *path = _kj_store_blob_path(f->store, id);
	gboolean repair = (f->flags & KJ_STORE_FSCK_REPAIR) != 0;
	gboolean found = FALSE;
	gint64 rsize = 0;

	/* Not in the table read after the walk: look again, a put may have
	 * registered it since. */
	if (!row_size(f, id, &rsize, &found, error))
		return FALSE;
	if (!found) {
		if (repair && !_kj_store_register(f->store, id, fsize, error))
			return FALSE;
		report(f, KJ_STORE_PROBLEM_ORPHAN, id, path, "blob file without a row",
		       repair ? "registered" : NULL);
	} else if (rsize != fsize) {
		g_autofree char *detail = g_strdup_printf("row says %" G_GINT64_FORMAT
							  " bytes, file has %" G_GINT64_FORMAT,
							  rsize, fsize);
		if (repair && !kj_db_exec(kj_store_get_db(f->store),
					  "UPDATE blobs SET size = $2 WHERE id = $1",
					  KJ_DB_ARGS(KJ_DB_TEXT(id), KJ_DB_INT(fsize)), error))
			return FALSE;
		report(f, KJ_STORE_PROBLEM_BAD_ROW, id, path, detail,
		       repair ? "row size corrected" : NULL);
	}
	return TRUE;
}

static gboolean compare(Fsck *f, GError **error)
{
	if (!kj_db_query(kj_store_get_db(f->store), "SELECT id, size FROM blobs ORDER BY id",
			 KJ_DB_NO_ARGS, load_row, f, error))
		return FALSE;
	f->stats->rows = g_hash_table_size(f->rows);
	g_autoptr(GList) ids = g_hash_table_get_keys(f->files);
	ids = g_list_sort(ids, (GCompareFunc)strcmp);
	for (GList *l = ids; l; l = l->next) {
		const gint64 *fsize = g_hash_table_lookup(f->files, l->data);
		const gint64 *rsize = g_hash_table_lookup(f->rows, l->data);
		if (fsize == NULL || (rsize && *rsize == *fsize))
			continue;
		if (!check_file_row(f, l->data, *fsize, error))
			return FALSE;
	}
	g_autoptr(GList) rows = g_hash_table_get_keys(f->rows);
	rows = g_list_sort(rows, (GCompareFunc)strcmp);
	for (GList *l = rows; l; l = l->next) {
		const char *id = l->data;
		if (g_hash_table_contains(f->files, id))
			continue;
		if (!kj_sha256_hex_valid(id)) {
			report(f, KJ_STORE_PROBLEM_BAD_ROW, id, NULL, "row id is not a blob id",
			       NULL);
			continue;
		}
		g_autofree char *path = _kj_store_blob_path(f->store, id);
		if (g_file_test(path, G_FILE_TEST_EXISTS))
			continue; /* put after the walk passed its directory */
		report(f, KJ_STORE_PROBLEM_MISSING, id, path, "row without a blob file", NULL);
	}
	return TRUE;
}

gboolean kj_store_fsck(KjStore *store, KjStoreFsckFlags flags, gint64 temp_stale_s,
		       KjStoreProblemFunc func, gpointer user_data, KjStoreFsckStats *stats,
		       GError **error)
{
	KjStoreFsckStats local = {0};

	g_return_val_if_fail(store != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if ((flags & KJ_STORE_FSCK_REPAIR) && _kj_store_refuse_read_only(store, "repair", error))
		return FALSE;
	Fsck f = {
	    .store = store,
	    .flags = flags,
	    .stale_s = temp_stale_s > 0 ? temp_stale_s : KJ_STORE_TEMP_STALE_DEFAULT,
	    .now = g_get_real_time() / G_USEC_PER_SEC,
	    .func = func,
	    .user_data = user_data,
	    .stats = stats ? stats : &local,
	    .files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
	    .rows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
	};
	*f.stats = (KjStoreFsckStats){0};
	gboolean ok = TRUE;
	if (g_file_test(store->blobs_dir, G_FILE_TEST_IS_DIR))
		ok = walk_dir(&f, store->blobs_dir, on_shard1, error);
	ok = ok && compare(&f, error);
	g_hash_table_destroy(f.files);
	g_hash_table_destroy(f.rows);
	return ok;
}
