/*++
 * NAME
 *	test-store - unit tests of the blob store, database and migrations
 * DESCRIPTION
 *	Each test works in its own temporary directory, removed after.
 *	Besides round trips, they damage the store on purpose (flipped
 *	bytes, removed files and rows, stray files), race several processes
 *	against one fresh store, refuse a database from the future, and
 *	make the Nth write, fsync, rename or row insert of a put fail to
 *	show that nothing half-written ever carries a blob's name.  Group
 *	commit: threads' changes share transactions, a failing change is
 *	undone alone, a change reported done is committed.
 * SEE ALSO
 *	src/lib/store/
 *--*/
#include "store/schema.h"
#include "store/store-private.h"
#include "util/hash.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

/*
 * Helpers.
 */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void rm_rf(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh directory per test; the data dir inside it is not yet made. */
typedef struct {
	char *top;
	char *data;
} Tmp;

static Tmp tmp_new(void)
{
	g_autoptr(GError) error = NULL;
	Tmp t;

	t.top = g_dir_make_tmp("kj-store-XXXXXX", &error);
	g_assert_no_error(error);
	t.data = g_build_filename(t.top, "var", NULL);
	return t;
}

static void tmp_free(Tmp *t)
{
	rm_rf(t->top);
	g_free(t->top);
	g_free(t->data);
}

static KjStore *open_store(const char *dir, gint64 max, gboolean read_only)
{
	g_autoptr(GError) error = NULL;
	KjStoreOptions o = {.max_blob_bytes = max, .read_only = read_only};
	KjStore *s = kj_store_open(dir, &o, &error);

	g_assert_no_error(error);
	g_assert_nonnull(s);
	return s;
}

static void put_ok(KjStore *s, const char *text, char id[KJ_SHA256_HEX_LEN + 1])
{
	g_autoptr(GError) error = NULL;

	g_assert_true(kj_store_put(s, text, strlen(text), id, &error));
	g_assert_no_error(error);
}

static guint count_entries(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	guint n = 0;

	if (d == NULL)
		return 0;
	while (g_dir_read_name(d))
		n++;
	g_dir_close(d);
	return n;
}

typedef struct {
	guint n[KJ_STORE_PROBLEM_STRAY + 1];
	GPtrArray *ids;
} Seen;

static void on_problem(const KjStoreProblem *p, gpointer user_data)
{
	Seen *seen = user_data;

	seen->n[p->kind]++;
	g_ptr_array_add(seen->ids, g_strdup(p->id ? p->id : p->path));
}

static KjStoreFsckStats fsck(KjStore *s, KjStoreFsckFlags flags, Seen *seen)
{
	g_autoptr(GError) error = NULL;
	KjStoreFsckStats stats;

	memset(seen, 0, sizeof *seen);
	seen->ids = g_ptr_array_new_with_free_func(g_free);
	g_assert_true(kj_store_fsck(s, flags, 0, on_problem, seen, &stats, &error));
	g_assert_no_error(error);
	return stats;
}

static void flip_byte(const char *path, off_t at)
{
	unsigned char c;
	int fd;

	g_assert_cmpint(chmod(path, 0640), ==, 0);
	fd = open(path, O_RDWR);
	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(pread(fd, &c, 1, at), ==, 1);
	c ^= 0x01;
	g_assert_cmpint(pwrite(fd, &c, 1, at), ==, 1);
	close(fd);
}

static KjDb *open_raw_db(const char *data_dir)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = g_build_filename(data_dir, KJ_STORE_DB_NAME, NULL);
	KjDbOptions o = {.location = path, .busy_timeout_ms = 5000, .create = TRUE};
	KjDb *db = kj_db_open(&o, &error);

	g_assert_no_error(error);
	return db;
}

/*
 * Blobs.
 */

static void test_roundtrip(void)
{
	Tmp t = tmp_new();
	g_autoptr(KjStore) s = open_store(t.data, 0, FALSE);
	g_autoptr(GError) error = NULL;
	char id[KJ_SHA256_HEX_LEN + 1], want[KJ_SHA256_HEX_LEN + 1];
	KjStoreStats stats;
	struct stat st;

	put_ok(s, "hello", id);
	kj_sha256_hex("hello", 5, want);
	g_assert_cmpstr(id, ==, want);
	g_autoptr(GBytes) b = kj_store_get(s, id, &error);
	g_assert_no_error(error);
	g_assert_cmpmem(g_bytes_get_data(b, NULL), g_bytes_get_size(b), "hello", 5);
	g_assert_true(kj_store_has(s, id));
	g_assert_true(kj_store_verify(s, id, NULL, &error));

	g_autofree char *path = kj_store_dup_blob_path(s, id);
	g_autofree char *expect = g_strdup_printf("%s/blobs/%.2s/%.2s/%s", t.data, id, id + 2, id);
	g_assert_cmpstr(path, ==, expect);
	g_assert_cmpint(stat(path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0440);

	/* The empty blob is a blob too. */
	g_assert_true(kj_store_put(s, "", 0, id, &error));
	g_autoptr(GBytes) e = kj_store_get(s, id, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_bytes_get_size(e), ==, 0);

	g_assert_true(kj_store_get_stats(s, &stats, &error));
	g_assert_cmpint(stats.blobs, ==, 2);
	g_assert_cmpint(stats.bytes, ==, 5);
	g_assert_cmpint(kj_store_schema_version(s), ==, kj_store_schema_version_supported());
	g_assert_cmpstr(kj_store_get_data_dir(s), ==, t.data);
	tmp_free(&t);
}

static void test_idempotent(void)
{
	Tmp t = tmp_new();
	g_autoptr(KjStore) s = open_store(t.data, 0, FALSE);
	g_autoptr(GError) error = NULL;
	char a[KJ_SHA256_HEX_LEN + 1], b[KJ_SHA256_HEX_LEN + 1];
	KjStoreStats stats;
	Seen seen;

	put_ok(s, "same bytes", a);
	put_ok(s, "same bytes", b);
	g_assert_cmpstr(a, ==, b);
	g_assert_true(kj_store_get_stats(s, &stats, &error));
	g_assert_cmpint(stats.blobs, ==, 1);
	g_autofree char *path = kj_store_dup_blob_path(s, a);
	g_autofree char *dir = g_path_get_dirname(path);
	g_assert_cmpuint(count_entries(dir), ==, 1);
	g_autofree char *tmpdir = g_build_filename(t.data, "blobs", "tmp", NULL);
	g_assert_cmpuint(count_entries(tmpdir), ==, 0);
	g_assert_cmpint(fsck(s, 0, &seen).problems, ==, 0);
	g_ptr_array_free(seen.ids, TRUE);
	tmp_free(&t);
}

static void test_streaming_large(void)
{
	Tmp t = tmp_new();
	g_autoptr(KjStore) s = open_store(t.data, 0, FALSE);
	g_autoptr(GError) error = NULL;
	g_autoptr(KjSha256) h = kj_sha256_new();
	g_autoptr(GRand) rand = g_rand_new_with_seed(42);
	char want[KJ_SHA256_HEX_LEN + 1], id[KJ_SHA256_HEX_LEN + 1];
	guint32 chunk[16384];
	gint64 size = 0;
	const gint64 total = 20 * 1024 * 1024;

	g_assert_cmpint(g_mkdir_with_parents(t.data, 0700), ==, 0);
	g_autofree char *src = g_build_filename(t.top, "big.bin", NULL);
	int fd = open(src, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	g_assert_cmpint(fd, >=, 0);
	for (gint64 done = 0; done < total; done += sizeof chunk) {
		for (gsize i = 0; i < G_N_ELEMENTS(chunk); i++)
			chunk[i] = g_rand_int(rand);
		kj_sha256_update(h, chunk, sizeof chunk);
		g_assert_cmpint(write(fd, chunk, sizeof chunk), ==, (ssize_t)sizeof chunk);
	}
	close(fd);
	kj_sha256_finish(g_steal_pointer(&h), want);

	g_assert_true(kj_store_put_file(s, src, id, &size, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(id, ==, want);
	g_assert_cmpint(size, ==, total);
	g_assert_true(kj_store_verify(s, id, &size, &error));
	g_assert_cmpint(size, ==, total);
	g_autoptr(GBytes) b = kj_store_get(s, id, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_bytes_get_size(b), ==, (gsize)total);
	tmp_free(&t);
}

static void test_size_limit(void)
{
	Tmp t = tmp_new();
	const gsize max = 1024 * 1024;
	g_autoptr(KjStore) s = open_store(t.data, (gint64)max, FALSE);
	g_autoptr(GError) error = NULL;
	g_autofree char *buf = g_malloc0(max + 1);
	char id[KJ_SHA256_HEX_LEN + 1];
	KjStoreStats stats;

	g_assert_true(kj_store_put(s, buf, max, id, &error));
	g_assert_no_error(error);
	g_assert_false(kj_store_put(s, buf, max + 1, id, &error));
	g_assert_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_TOO_LARGE);
	g_clear_error(&error);

	/* Through a descriptor the size is not known in advance. */
	g_autofree char *src = g_build_filename(t.top, "big", NULL);
	g_assert_true(g_file_set_contents(src, buf, (gssize)max + 1, NULL));
	int fd = open(src, O_RDONLY);
	g_assert_false(kj_store_put_fd(s, fd, id, NULL, &error));
	close(fd);
	g_assert_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_TOO_LARGE);
	g_clear_error(&error);
	g_assert_false(kj_store_put_file(s, src, id, NULL, &error));
	g_assert_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_TOO_LARGE);

	g_autofree char *tmpdir = g_build_filename(t.data, "blobs", "tmp", NULL);
	g_assert_cmpuint(count_entries(tmpdir), ==, 0);
	g_clear_error(&error);
	g_assert_true(kj_store_get_stats(s, &stats, &error));
	g_assert_cmpint(stats.blobs, ==, 1);
	tmp_free(&t);
}

static void test_corrupt(void)
{
	Tmp t = tmp_new();
	g_autoptr(KjStore) s = open_store(t.data, 0, FALSE);
	g_autoptr(GError) error = NULL;
	char id[KJ_SHA256_HEX_LEN + 1];
	Seen seen;

	put_ok(s, "quarantined original", id);
	g_autofree char *path = kj_store_dup_blob_path(s, id);
	flip_byte(path, 3);

	g_autoptr(GBytes) b = kj_store_get(s, id, &error);
	g_assert_null(b);
	g_assert_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_CORRUPT);
	g_assert_nonnull(strstr(error->message, id));
	g_clear_error(&error);
	g_assert_false(kj_store_verify(s, id, NULL, &error));
	g_assert_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_CORRUPT);

	KjStoreFsckStats st = fsck(s, 0, &seen);
	g_assert_cmpint(st.problems, ==, 1);
	g_assert_cmpuint(seen.n[KJ_STORE_PROBLEM_CORRUPT], ==, 1);
	g_assert_cmpstr(g_ptr_array_index(seen.ids, 0), ==, id);
	g_ptr_array_free(seen.ids, TRUE);

	/* Repair moves the damaged file aside (never deletes it); the row
	 * then lacks its file, and putting the good bytes restores it. */
	st = fsck(s, KJ_STORE_FSCK_REPAIR, &seen);
	g_assert_cmpint(st.repaired, ==, 1);
	g_ptr_array_free(seen.ids, TRUE);
	g_autofree char *lost = g_build_filename(t.data, KJ_STORE_LOST_DIR, NULL);
	g_assert_cmpuint(count_entries(lost), ==, 1);
	st = fsck(s, 0, &seen);
	g_assert_cmpuint(seen.n[KJ_STORE_PROBLEM_MISSING], ==, 1);
	g_ptr_array_free(seen.ids, TRUE);
	put_ok(s, "quarantined original", id);
	g_assert_cmpint(fsck(s, 0, &seen).problems, ==, 0);
	g_ptr_array_free(seen.ids, TRUE);
	tmp_free(&t);
}

static void test_corrupt_healed_by_put(void)
{
	Tmp t = tmp_new();
	g_autoptr(KjStore) s = open_store(t.data, 0, FALSE);
	g_autoptr(GError) error = NULL;
	char id[KJ_SHA256_HEX_LEN + 1];

	put_ok(s, "will be damaged", id);
	g_autofree char *path = kj_store_dup_blob_path(s, id);
	flip_byte(path, 0);
	put_ok(s, "will be damaged", id);
	g_assert_true(kj_store_verify(s, id, NULL, &error));
	g_assert_no_error(error);
	tmp_free(&t);
}

static void test_missing(void)
{
	Tmp t = tmp_new();
	g_autoptr(KjStore) s = open_store(t.data, 0, FALSE);
	g_autoptr(GError) error = NULL;
	char id[KJ_SHA256_HEX_LEN + 1];
	Seen seen;

	put_ok(s, "soon gone", id);
	g_autofree char *path = kj_store_dup_blob_path(s, id);
	g_assert_cmpint(unlink(path), ==, 0);
	g_assert_false(kj_store_has(s, id));
	g_autoptr(GBytes) b = kj_store_get(s, id, &error);
	g_assert_null(b);
	g_assert_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_NOT_FOUND);

	KjStoreFsckStats st = fsck(s, KJ_STORE_FSCK_REPAIR, &seen);
	g_assert_cmpint(st.problems, ==, 1);
	g_assert_cmpint(st.repaired, ==, 0);
	g_assert_cmpuint(seen.n[KJ_STORE_PROBLEM_MISSING], ==, 1);
	g_assert_cmpstr(g_ptr_array_index(seen.ids, 0), ==, id);
	g_ptr_array_free(seen.ids, TRUE);
	tmp_free(&t);
}

static void make_old(const char *path)
{
	struct utimbuf old = {.actime = 1000000000, .modtime = 1000000000};

	g_assert_cmpint(utime(path, &old), ==, 0);
}

static void test_orphans(void)
{
	Tmp t = tmp_new();
	g_autoptr(KjStore) s = open_store(t.data, 0, FALSE);
	g_autoptr(GError) error = NULL;
	char id[KJ_SHA256_HEX_LEN + 1], id2[KJ_SHA256_HEX_LEN + 1];
	Seen seen;

	put_ok(s, "registered, then forgotten", id);
	put_ok(s, "size will be wrong", id2);
	g_assert_true(kj_db_exec(kj_store_get_db(s), "DELETE FROM blobs WHERE id = $1",
				 KJ_DB_ARGS(KJ_DB_TEXT(id)), &error));
	g_assert_true(kj_db_exec(kj_store_get_db(s), "UPDATE blobs SET size = 1 WHERE id = $1",
				 KJ_DB_ARGS(KJ_DB_TEXT(id2)), &error));
	g_autofree char *stray = g_build_filename(t.data, "blobs", "notes.txt", NULL);
	g_autofree char *stale = g_build_filename(t.data, "blobs", "tmp", "put-OLD123", NULL);
	g_autofree char *fresh = g_build_filename(t.data, "blobs", "tmp", "put-NEW123", NULL);
	g_assert_true(g_file_set_contents(stray, "x", 1, NULL));
	g_assert_true(g_file_set_contents(stale, "partial", 7, NULL));
	g_assert_true(g_file_set_contents(fresh, "in progress", 11, NULL));
	make_old(stale);

	KjStoreFsckStats st = fsck(s, 0, &seen);
	g_assert_cmpint(st.problems, ==, 4);
	g_assert_cmpuint(seen.n[KJ_STORE_PROBLEM_ORPHAN], ==, 1);
	g_assert_cmpuint(seen.n[KJ_STORE_PROBLEM_BAD_ROW], ==, 1);
	g_assert_cmpuint(seen.n[KJ_STORE_PROBLEM_TEMP], ==, 1);
	g_assert_cmpuint(seen.n[KJ_STORE_PROBLEM_STRAY], ==, 1);
	g_ptr_array_free(seen.ids, TRUE);
	/* Reporting changed nothing. */
	g_assert_true(g_file_test(stray, G_FILE_TEST_EXISTS));
	g_assert_true(g_file_test(stale, G_FILE_TEST_EXISTS));

	st = fsck(s, KJ_STORE_FSCK_REPAIR, &seen);
	g_assert_cmpint(st.repaired, ==, 4);
	g_ptr_array_free(seen.ids, TRUE);
	g_autofree char *lost = g_build_filename(t.data, KJ_STORE_LOST_DIR, NULL);
	g_assert_cmpuint(count_entries(lost), ==, 2);
	g_assert_true(g_file_test(fresh, G_FILE_TEST_EXISTS));
	g_assert_cmpint(fsck(s, 0, &seen).problems, ==, 0);
	g_ptr_array_free(seen.ids, TRUE);
	tmp_free(&t);
}

static void test_invalid_ids(void)
{
	static const char *const bad[] = {
	    "../../etc/passwd",
	    "",
	    "abc",
	    "2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824",
	    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b98245",
	    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982",
	    "../../../../../../../../../../../../../../../../../../../etc/pas",
	    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982g",
	    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982 ",
	};
	Tmp t = tmp_new();
	g_autoptr(KjStore) s = open_store(t.data, 0, FALSE);

	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GBytes) b = kj_store_get(s, bad[i], &error);
		g_assert_null(b);
		g_assert_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_INVALID_ID);
		g_clear_error(&error);
		g_assert_false(kj_store_verify(s, bad[i], NULL, &error));
		g_assert_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_INVALID_ID);
		g_assert_false(kj_store_has(s, bad[i]));
		g_assert_null(kj_store_dup_blob_path(s, bad[i]));
	}
	tmp_free(&t);
}

/*
 * Database and migrations.
 */

static gboolean collect_text(const KjDbRow *row, gpointer user_data)
{
	g_string_append_printf(user_data, "%s|%" G_GINT64_FORMAT ";", kj_db_row_get_text(row, 0),
			       kj_db_row_get_int(row, 1));
	return TRUE;
}

static void test_db_api(void)
{
	Tmp t = tmp_new();
	g_autoptr(KjStore) s = open_store(t.data, 0, FALSE);
	KjDb *db = kj_store_get_db(s);
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) out = g_string_new(NULL);
	gint64 v = 0;
	gboolean found = TRUE;

	g_assert_cmpstr(kj_db_get_backend_name(db), ==, "sqlite");
	g_assert_true(kj_db_exec_script(
	    db, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, n BIGINT)", &error));
	/* Parameters bind by number even when they appear out of order. */
	g_assert_true(kj_db_exec(db, "INSERT INTO t (n, name) VALUES ($2, $1)",
				 KJ_DB_ARGS(KJ_DB_TEXT("a'; DROP TABLE t; --"), KJ_DB_INT(7)),
				 &error));
	g_assert_no_error(error);
	g_assert_cmpint(kj_db_last_insert_id(db), ==, 1);
	g_assert_cmpint(kj_db_changes(db), ==, 1);
	g_assert_true(kj_db_query_int(db, "INSERT INTO t (name, n) VALUES ($1, $2) RETURNING id",
				      KJ_DB_ARGS(KJ_DB_TEXT("b"), KJ_DB_NULL), &v, &found, &error));
	g_assert_cmpint(v, ==, 2);
	g_assert_true(kj_db_query(db, "SELECT name, coalesce(n, -1) FROM t ORDER BY id",
				  KJ_DB_NO_ARGS, collect_text, out, &error));
	g_assert_cmpstr(out->str, ==, "a'; DROP TABLE t; --|7;b|-1;");
	g_assert_true(kj_db_query_int(db, "SELECT n FROM t WHERE id = $1",
				      KJ_DB_ARGS(KJ_DB_INT(99)), &v, &found, &error));
	g_assert_false(found);

	/* Rollback undoes; commit keeps. */
	g_assert_true(kj_db_begin(db, &error));
	g_assert_true(kj_db_in_transaction(db));
	g_assert_true(kj_db_exec(db, "DELETE FROM t", KJ_DB_NO_ARGS, &error));
	g_assert_true(kj_db_rollback(db, &error));
	g_assert_true(
	    kj_db_query_int(db, "SELECT count(*) FROM t", KJ_DB_NO_ARGS, &v, NULL, &error));
	g_assert_cmpint(v, ==, 2);

	/* Mistakes are errors, not silent partial work. */
	g_assert_false(kj_db_exec(db, "DELETE FROM t WHERE id = $1", KJ_DB_NO_ARGS, &error));
	g_assert_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_DB);
	g_clear_error(&error);
	g_assert_false(kj_db_exec(db, "DELETE FROM t; DELETE FROM blobs", KJ_DB_NO_ARGS, &error));
	g_assert_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_DB);
	g_clear_error(&error);
	g_assert_false(kj_db_exec(db,
				  "INSERT INTO blobs (id, size, created_at) VALUES ($1, 1, 'x')",
				  KJ_DB_ARGS(KJ_DB_TEXT("short")), &error));
	g_assert_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_CONSTRAINT);
	tmp_free(&t);
}

static void test_migrate_from_empty(void)
{
	Tmp t = tmp_new();
	g_autoptr(KjStore) s = open_store(t.data, 0, FALSE);
	g_autoptr(GError) error = NULL;
	gsize n = 0;
	gint64 rows = 0;
	gboolean exists = FALSE;

	_kj_schema_migrations(&n);
	g_assert_cmpint(kj_store_schema_version(s), ==, _kj_schema_latest());
	g_assert_true(kj_db_query_int(kj_store_get_db(s), "SELECT count(*) FROM schema_version",
				      KJ_DB_NO_ARGS, &rows, NULL, &error));
	g_assert_cmpint(rows, ==, (gint64)n);
	g_assert_true(kj_db_table_exists(kj_store_get_db(s), "blobs", &exists, &error));
	g_assert_true(exists);
	tmp_free(&t);
}

static void test_migrate_from_older(void)
{
	Tmp t = tmp_new();
	g_autoptr(GError) error = NULL;
	gboolean exists = TRUE;
	gint64 v = 0;

	g_assert_cmpint(g_mkdir_with_parents(t.data, 0700), ==, 0);
	{
		g_autoptr(KjDb) db = open_raw_db(t.data);
		g_assert_true(_kj_schema_migrate(db, 1, &error));
		g_assert_true(_kj_schema_read_version(db, &v, &error));
		g_assert_cmpint(v, ==, 1);
		g_assert_true(kj_db_table_exists(db, "blobs", &exists, &error));
		g_assert_false(exists);
	}
	/* A reader refuses to work on a schema it cannot rely on... */
	KjStoreOptions ro = {.read_only = TRUE};
	KjStore *s = kj_store_open(t.data, &ro, &error);
	g_assert_null(s);
	g_assert_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_SCHEMA_OLDER);
	g_assert_nonnull(strstr(error->message, "write command"));
	g_clear_error(&error);
	/* ...and a writer brings it up to date. */
	g_autoptr(KjStore) w = open_store(t.data, 0, FALSE);
	g_assert_cmpint(kj_store_schema_version(w), ==, _kj_schema_latest());
	g_assert_true(kj_db_table_exists(kj_store_get_db(w), "blobs", &exists, &error));
	g_assert_true(exists);
	tmp_free(&t);
}

static void test_schema_newer_refused(void)
{
	Tmp t = tmp_new();
	g_autoptr(GError) error = NULL;
	gint64 future = _kj_schema_latest() + 5;
	g_autofree char *before = NULL, *after = NULL;
	gsize before_len = 0, after_len = 0;

	kj_store_free(open_store(t.data, 0, FALSE));
	{
		g_autoptr(KjDb) db = open_raw_db(t.data);
		g_assert_true(
		    kj_db_exec(db,
			       "INSERT INTO schema_version (version, description, applied_at)"
			       " VALUES ($1, 'from the future', '2099-01-01T00:00:00Z')",
			       KJ_DB_ARGS(KJ_DB_INT(future)), &error));
	}
	g_autofree char *path = g_build_filename(t.data, KJ_STORE_DB_NAME, NULL);
	g_assert_true(g_file_get_contents(path, &before, &before_len, NULL));

	for (int ro = 0; ro <= 1; ro++) {
		KjStoreOptions o = {.read_only = ro};
		KjStore *s = kj_store_open(t.data, &o, &error);
		g_assert_null(s);
		g_assert_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_SCHEMA_NEWER);
		g_autofree char *want = g_strdup_printf(
		    "database schema version %" G_GINT64_FORMAT
		    " is newer than this kyojin supports (%" G_GINT64_FORMAT "); upgrade kyojin",
		    future, _kj_schema_latest());
		g_assert_nonnull(strstr(error->message, want));
		g_clear_error(&error);
	}
	g_assert_true(g_file_get_contents(path, &after, &after_len, NULL));
	g_assert_cmpmem(before, before_len, after, after_len);
	tmp_free(&t);
}

static void test_read_only(void)
{
	Tmp t = tmp_new();
	g_autoptr(GError) error = NULL;
	KjStoreOptions ro = {.read_only = TRUE};
	char id[KJ_SHA256_HEX_LEN + 1];
	Seen seen;

	/* Nothing is created by a reader. */
	g_assert_null(kj_store_open(t.data, &ro, &error));
	g_assert_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_NOT_FOUND);
	g_assert_false(g_file_test(t.data, G_FILE_TEST_EXISTS));
	g_clear_error(&error);
	g_assert_cmpint(g_mkdir_with_parents(t.data, 0700), ==, 0);
	g_assert_null(kj_store_open(t.data, &ro, &error));
	g_assert_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_NOT_FOUND);
	g_assert_cmpuint(count_entries(t.data), ==, 0);
	g_clear_error(&error);

	{
		g_autoptr(KjStore) w = open_store(t.data, 0, FALSE);
		put_ok(w, "read me", id);
	}
	g_autoptr(KjStore) s = open_store(t.data, 0, TRUE);
	g_assert_true(kj_store_is_read_only(s));
	g_autoptr(GBytes) G_GNUC_UNUSED b = kj_store_get(s, id, &error);
	g_assert_no_error(error);
	g_assert_false(kj_store_put(s, "x", 1, id, &error));
	g_assert_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_READ_ONLY);
	g_clear_error(&error);
	g_assert_false(kj_db_exec(kj_store_get_db(s), "DELETE FROM blobs", KJ_DB_NO_ARGS, &error));
	g_assert_nonnull(error);
	g_clear_error(&error);
	g_assert_false(kj_store_fsck(s, KJ_STORE_FSCK_REPAIR, 0, NULL, NULL, NULL, &error));
	g_assert_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_READ_ONLY);
	g_assert_cmpint(fsck(s, 0, &seen).problems, ==, 0);
	g_ptr_array_free(seen.ids, TRUE);
	tmp_free(&t);
}

static void test_not_writable(void)
{
	Tmp t = tmp_new();
	g_autoptr(GError) error = NULL;
	/* A parent that is a regular file stops root too, unlike chmod. */
	g_autofree char *file = g_build_filename(t.top, "file", NULL);
	g_autofree char *dir = g_build_filename(file, "var", NULL);

	g_assert_true(g_file_set_contents(file, "", 0, NULL));
	g_assert_null(kj_store_open(dir, NULL, &error));
	g_assert_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_IO);
	g_assert_nonnull(strstr(error->message, dir));
	tmp_free(&t);
}

/*
 * Concurrency and faults.
 */

#define N_CHILDREN 4
#define N_EACH 10

static int child_work(const char *dir, int who)
{
	g_autoptr(GError) error = NULL;
	char id[KJ_SHA256_HEX_LEN + 1];
	KjStore *s = kj_store_open(dir, NULL, &error);

	if (s == NULL) {
		g_printerr("child %d: %s\n", who, error->message);
		return 1;
	}
	for (int i = 0; i < N_EACH; i++) {
		g_autofree char *own = g_strdup_printf("child %d blob %d", who, i);
		g_autofree char *shared = g_strdup_printf("shared blob %d", i);
		KjDb *db = kj_store_get_db(s);
		if (!kj_store_put(s, own, strlen(own), id, &error) ||
		    !kj_store_put(s, shared, strlen(shared), id, &error) ||
		    !kj_db_begin(db, &error) ||
		    !kj_db_exec_script(db, "CREATE TABLE IF NOT EXISTS conc (who BIGINT, n BIGINT)",
				       &error) ||
		    !kj_db_exec(db, "INSERT INTO conc (who, n) VALUES ($1, $2)",
				KJ_DB_ARGS(KJ_DB_INT(who), KJ_DB_INT(i)), &error) ||
		    !kj_db_commit(db, &error)) {
			g_printerr("child %d: %s\n", who, error->message);
			return 1;
		}
	}
	kj_store_free(s);
	return 0;
}

static void test_concurrent_writers(void)
{
	Tmp t = tmp_new();
	g_autoptr(GError) error = NULL;
	pid_t pids[N_CHILDREN];
	KjStoreStats stats;
	gint64 rows = 0;
	Seen seen;

	/* All start on a store that does not exist yet: creation and
	 * migration race too. */
	for (int i = 0; i < N_CHILDREN; i++) {
		pids[i] = fork();
		g_assert_cmpint(pids[i], >=, 0);
		if (pids[i] == 0)
			_exit(child_work(t.data, i));
	}
	for (int i = 0; i < N_CHILDREN; i++) {
		int status = 0;
		g_assert_cmpint(waitpid(pids[i], &status, 0), ==, pids[i]);
		g_assert_true(WIFEXITED(status));
		g_assert_cmpint(WEXITSTATUS(status), ==, 0);
	}
	g_autoptr(KjStore) s = open_store(t.data, 0, FALSE);
	g_assert_true(kj_store_get_stats(s, &stats, &error));
	g_assert_cmpint(stats.blobs, ==, N_CHILDREN * N_EACH + N_EACH);
	g_assert_true(kj_db_query_int(kj_store_get_db(s), "SELECT count(*) FROM conc",
				      KJ_DB_NO_ARGS, &rows, NULL, &error));
	g_assert_cmpint(rows, ==, N_CHILDREN * N_EACH);
	for (int w = 0; w < N_CHILDREN; w++) {
		for (int i = 0; i < N_EACH; i++) {
			g_autofree char *own = g_strdup_printf("child %d blob %d", w, i);
			char id[KJ_SHA256_HEX_LEN + 1];
			kj_sha256_hex(own, strlen(own), id);
			g_assert_true(kj_store_verify(s, id, NULL, &error));
		}
	}
	g_assert_cmpint(fsck(s, 0, &seen).problems, ==, 0);
	g_ptr_array_free(seen.ids, TRUE);
	tmp_free(&t);
}

/* A put of 4 chunks with the Nth call at one site failing.  Whatever the
 * outcome, no file under the blob's name may be anything but the whole
 * blob, no temporary file may remain, and a retry must succeed. */
static void fault_case(KjStoreFault site, guint nth, guint *failures)
{
	Tmp t = tmp_new();
	g_autoptr(KjStore) s = open_store(t.data, 0, FALSE);
	g_autoptr(GError) error = NULL;
	const gsize len = 4 * 64 * 1024;
	g_autofree guint8 *data = g_malloc(len);
	char want[KJ_SHA256_HEX_LEN + 1], id[KJ_SHA256_HEX_LEN + 1];
	Seen seen;

	for (gsize i = 0; i < len; i++)
		data[i] = (guint8)(i * 31 + site * 7 + nth);
	kj_sha256_hex(data, len, want);
	g_autofree char *final = kj_store_dup_blob_path(s, want);
	g_autofree char *tmpdir = g_build_filename(t.data, "blobs", "tmp", NULL);

	_kj_store_fault_arm(s, site, nth);
	gboolean ok = kj_store_put(s, data, len, id, &error);
	_kj_store_fault_arm(s, KJ_STORE_FAULT_NONE, 0);
	if (!ok) {
		(*failures)++;
		g_assert_nonnull(error);
		g_clear_error(&error);
	}
	g_assert_cmpuint(count_entries(tmpdir), ==, 0);
	if (g_file_test(final, G_FILE_TEST_EXISTS)) {
		/* Only after the rename: then it is whole. */
		g_assert_true(kj_store_verify(s, want, NULL, &error));
		g_assert_no_error(error);
	} else {
		g_assert_false(ok);
	}
	g_assert_true(kj_store_put(s, data, len, id, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(id, ==, want);
	g_autoptr(GBytes) b = kj_store_get(s, id, &error);
	g_assert_no_error(error);
	g_assert_cmpmem(g_bytes_get_data(b, NULL), g_bytes_get_size(b), data, len);
	g_assert_cmpint(fsck(s, 0, &seen).problems, ==, 0);
	g_ptr_array_free(seen.ids, TRUE);
	tmp_free(&t);
}

static void test_fault_injection(void)
{
	static const struct {
		KjStoreFault site;
		guint calls; /* how many calls one put makes at this site */
	} sites[] = {
	    {KJ_STORE_FAULT_WRITE, 4},     {KJ_STORE_FAULT_FSYNC, 1},    {KJ_STORE_FAULT_RENAME, 1},
	    {KJ_STORE_FAULT_DIR_FSYNC, 1}, {KJ_STORE_FAULT_REGISTER, 1},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(sites); i++) {
		guint failures = 0;
		/* One past the last call: the fault never fires. */
		for (guint nth = 1; nth <= sites[i].calls + 1; nth++)
			fault_case(sites[i].site, nth, &failures);
		g_assert_cmpuint(failures, ==, sites[i].calls);
	}
}

/*
 * Written, then registered; group commit.
 */

static void test_write_then_register(void)
{
	Tmp t = tmp_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(KjStore) s = open_store(t.data, 0, FALSE);
	char id[KJ_SHA256_HEX_LEN + 1];
	KjStoreStats stats;
	Seen seen;

	g_assert_true(kj_store_write(s, "written first", 13, id, &error));
	g_assert_no_error(error);
	g_assert_true(kj_store_has(s, id));
	g_assert_true(kj_store_get_stats(s, &stats, &error));
	g_assert_cmpint(stats.blobs, ==, 0);
	/* Until registered it is an orphan, which fsck reports. */
	g_assert_cmpint(fsck(s, 0, &seen).by_kind[KJ_STORE_PROBLEM_ORPHAN], ==, 1);
	g_ptr_array_free(seen.ids, TRUE);
	g_assert_true(kj_store_register(s, id, 13, &error));
	g_assert_true(kj_store_register(s, id, 13, &error)); /* once is enough */
	g_assert_true(kj_store_get_stats(s, &stats, &error));
	g_assert_cmpint(stats.blobs, ==, 1);
	g_assert_cmpint(fsck(s, 0, &seen).problems, ==, 0);
	g_ptr_array_free(seen.ids, TRUE);
	g_assert_false(kj_store_register(s, "../../etc/passwd", 1, &error));
	g_assert_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_INVALID_ID);
	tmp_free(&t);
}

#define GROUP_THREADS 6
#define GROUP_EACH 30

typedef struct {
	const char *dir;
	KjStoreGroup *group;
	int who;
	int failures; /* assertions cannot run in a thread: counted here */
} GroupWorker;

typedef struct {
	int who, n;
} GroupRow;

/* Every fifth change inserts its row and then fails: it must be undone
 * alone. */
static gboolean group_change(KjStore *store, gpointer data, GError **error)
{
	const GroupRow *r = data;

	if (!kj_db_exec(kj_store_get_db(store), "INSERT INTO grp (who, n) VALUES ($1, $2)",
			KJ_DB_ARGS(KJ_DB_INT(r->who), KJ_DB_INT(r->n)), error))
		return FALSE;
	if (r->n % 5 == 4) {
		g_set_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_CONSTRAINT,
			    "change %d.%d refused", r->who, r->n);
		return FALSE;
	}
	return TRUE;
}

static gpointer group_thread(gpointer data)
{
	GroupWorker *w = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(KjStore) s = kj_store_open(w->dir, NULL, &error);

	if (s == NULL) {
		w->failures++;
		return NULL;
	}
	for (int i = 0; i < GROUP_EACH; i++) {
		GroupRow r = {w->who, i};
		gint64 seen = -1;
		gboolean ok = kj_store_group_run(w->group, s, group_change, &r, &error);
		/* Done means committed: this thread's own connection sees it. */
		if (ok != (i % 5 != 4) ||
		    (!ok && !g_error_matches(error, KJ_STORE_ERROR, KJ_STORE_ERROR_CONSTRAINT)))
			w->failures++;
		g_clear_error(&error);
		if (!kj_db_query_int(
			kj_store_get_db(s), "SELECT count(*) FROM grp WHERE who = $1 AND n = $2",
			KJ_DB_ARGS(KJ_DB_INT(w->who), KJ_DB_INT(i)), &seen, NULL, &error) ||
		    seen != (ok ? 1 : 0))
			w->failures++;
		g_clear_error(&error);
	}
	return NULL;
}

static void test_group_commit(void)
{
	Tmp t = tmp_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(KjStore) s = open_store(t.data, 0, FALSE);
	g_autoptr(KjStoreGroup) g = kj_store_group_new();
	GroupWorker w[GROUP_THREADS];
	GThread *th[GROUP_THREADS];
	guint64 groups = 0, ops = 0;
	gint64 rows = 0;

	g_assert_true(kj_db_exec_script(kj_store_get_db(s),
					"CREATE TABLE grp (who BIGINT, n BIGINT)", &error));
	for (int i = 0; i < GROUP_THREADS; i++) {
		w[i] = (GroupWorker){.dir = t.data, .group = g, .who = i};
		th[i] = g_thread_new("group", group_thread, &w[i]);
	}
	for (int i = 0; i < GROUP_THREADS; i++) {
		g_thread_join(th[i]);
		g_assert_cmpint(w[i].failures, ==, 0);
	}
	g_assert_true(kj_db_query_int(kj_store_get_db(s), "SELECT count(*) FROM grp", KJ_DB_NO_ARGS,
				      &rows, NULL, &error));
	g_assert_cmpint(rows, ==, GROUP_THREADS * GROUP_EACH * 4 / 5);
	kj_store_group_get_stats(g, &groups, &ops);
	g_assert_cmpuint(ops, ==, GROUP_THREADS * GROUP_EACH);
	g_assert_cmpuint(groups, >=, 1);
	g_assert_cmpuint(groups, <=, ops);
	g_assert_false(kj_db_in_transaction(kj_store_get_db(s)));
	tmp_free(&t);
}

static gboolean group_must_not_run(KjStore *store, gpointer data, GError **error)
{
	*(gboolean *)data = TRUE;
	return TRUE;
}

/* No transaction (another writer keeps the lock): the change fails
 * without running, and the group can be used again. */
static void test_group_no_lock(void)
{
	Tmp t = tmp_new();
	g_autoptr(GError) error = NULL;
	KjStoreOptions o = {.busy_timeout_ms = 50};
	g_autoptr(KjStore) s = kj_store_open(t.data, &o, &error);
	g_autoptr(KjStore) other = open_store(t.data, 0, FALSE);
	g_autoptr(KjStoreGroup) g = kj_store_group_new();
	gboolean ran = FALSE;

	g_assert_no_error(error);
	g_assert_true(kj_db_begin(kj_store_get_db(other), &error));
	g_assert_false(kj_store_group_run(g, s, group_must_not_run, &ran, &error));
	g_assert_error(error, KJ_STORE_ERROR, KJ_STORE_ERROR_BUSY);
	g_assert_false(ran);
	g_clear_error(&error);
	g_assert_true(kj_db_rollback(kj_store_get_db(other), &error));
	g_assert_true(kj_store_group_run(g, s, group_must_not_run, &ran, &error));
	g_assert_no_error(error);
	g_assert_true(ran);
	tmp_free(&t);
}

static gint64 wal_size(const char *data)
{
	g_autofree char *wal = g_build_filename(data, KJ_STORE_DB_NAME "-wal", NULL);
	GStatBuf st;
	return g_stat(wal, &st) == 0 ? (gint64)st.st_size : 0;
}

/* The log grows past the restart mark while a reader keeps an old
 * snapshot; once the reader is gone, later commits bring it back under
 * that size (SQLite alone reused the file at the size it grew to). */
static void test_wal_bound(void)
{
	Tmp t = tmp_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(KjStore) w = open_store(t.data, 0, FALSE);
	g_autoptr(KjStore) r = open_store(t.data, 0, FALSE);
	KjDb *db = kj_store_get_db(w);
	g_autofree char *big = g_strnfill(6000, 'x');
	gint64 n = 0;
	int i;

	g_assert_true(kj_db_exec_script(db, "CREATE TABLE walt (n BIGINT, v TEXT)", &error));
	g_assert_true(
	    kj_db_exec_script(kj_store_get_db(r), "BEGIN; SELECT count(*) FROM walt", &error));
	for (i = 0; wal_size(t.data) <= 4096LL * (KJ_STORE_WAL_RESTART_FRAMES + 500); i++) {
		g_assert_cmpint(i, <, 20 * KJ_STORE_WAL_RESTART_FRAMES);
		g_assert_true(kj_db_exec(db, "INSERT INTO walt (n, v) VALUES ($1, $2)",
					 KJ_DB_ARGS(KJ_DB_INT(i), KJ_DB_TEXT(big)), &error));
	}
	g_assert_true(kj_db_exec_script(kj_store_get_db(r), "COMMIT", &error));
	for (int k = 0; wal_size(t.data) > 4096LL * KJ_STORE_WAL_RESTART_FRAMES; k++, i++) {
		g_assert_cmpint(k, <, 2 * KJ_STORE_WAL_RESTART_FRAMES);
		g_assert_true(kj_db_exec(db, "INSERT INTO walt (n, v) VALUES ($1, $2)",
					 KJ_DB_ARGS(KJ_DB_INT(i), KJ_DB_TEXT(big)), &error));
	}
	g_assert_true(
	    kj_db_query_int(db, "SELECT count(*) FROM walt", KJ_DB_NO_ARGS, &n, NULL, &error));
	g_assert_cmpint(n, ==, i);
	tmp_free(&t);
}

static const struct {
	const char *path;
	GTestFunc func;
} tests[] = {
    {"/store/db/wal-bound", test_wal_bound},
    {"/store/blob/write-then-register", test_write_then_register},
    {"/store/group/commit", test_group_commit},
    {"/store/group/no-lock", test_group_no_lock},
    {"/store/blob/roundtrip", test_roundtrip},
    {"/store/blob/idempotent", test_idempotent},
    {"/store/blob/streaming-large", test_streaming_large},
    {"/store/blob/size-limit", test_size_limit},
    {"/store/blob/corrupt", test_corrupt},
    {"/store/blob/corrupt-healed-by-put", test_corrupt_healed_by_put},
    {"/store/blob/missing", test_missing},
    {"/store/blob/orphans", test_orphans},
    {"/store/blob/invalid-ids", test_invalid_ids},
    {"/store/db/api", test_db_api},
    {"/store/schema/from-empty", test_migrate_from_empty},
    {"/store/schema/from-older", test_migrate_from_older},
    {"/store/schema/newer-refused", test_schema_newer_refused},
    {"/store/open/read-only", test_read_only},
    {"/store/open/not-writable", test_not_writable},
    {"/store/concurrent-writers", test_concurrent_writers},
    {"/store/fault-injection", test_fault_injection},
};

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (gsize i = 0; i < G_N_ELEMENTS(tests); i++)
		g_test_add_func(tests[i].path, tests[i].func);
	return g_test_run();
}
