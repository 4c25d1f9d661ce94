/* test-util - unit tests of util/: atomic writes, bounded reads, SHA-256. */
#include "util/fs.h"
#include "util/hash.h"
#include "util/tlv.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *tmpdir(void)
{
	g_autoptr(GError) error = NULL;
	char *d = g_dir_make_tmp("kj-util-XXXXXX", &error);
	g_assert_no_error(error);
	return d;
}

static void rmrf(const char *d)
{
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", d);
	g_assert_cmpint(system(cmd), ==, 0);
}

static void test_sha256_vectors(void)
{
	/* FIPS 180-4 examples. */
	static const struct {
		const char *in, *hex;
	} v[] = {
	    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(v); i++) {
		char hex[KJ_SHA256_HEX_LEN + 1];
		kj_sha256_hex(v[i].in, strlen(v[i].in), hex);
		g_assert_cmpstr(hex, ==, v[i].hex);
		g_assert_true(kj_sha256_hex_valid(hex));
	}
	/* Streaming in pieces gives the same digest. */
	KjSha256 *h = kj_sha256_new();
	char hex[KJ_SHA256_HEX_LEN + 1];
	kj_sha256_update(h, "ab", 2);
	kj_sha256_update(h, "c", 1);
	kj_sha256_finish(h, hex);
	g_assert_cmpstr(hex, ==, v[1].hex);
}

static void test_hex_valid(void)
{
	g_assert_false(kj_sha256_hex_valid(NULL));
	g_assert_false(kj_sha256_hex_valid(""));
	g_assert_false(kj_sha256_hex_valid("../../etc/passwd"));
	g_assert_false(kj_sha256_hex_valid(
	    "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"));
	g_assert_false(
	    kj_sha256_hex_valid("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85"));
	g_assert_false(kj_sha256_hex_valid(
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555"));
}

static void test_write_atomic(void)
{
	g_autofree char *d = tmpdir();
	g_autofree char *p = g_build_filename(d, "f", NULL);
	g_autoptr(GError) error = NULL;
	g_autofree char *back = NULL;
	gsize len;

	g_assert_true(kj_fs_write_atomic(p, "one", 3, 0640, &error));
	g_assert_true(kj_fs_write_atomic(p, "second", 6, 0640, &error));
	g_assert_no_error(error);
	g_assert_true(kj_fs_read_file(p, 0, &back, &len, &error));
	g_assert_cmpstr(back, ==, "second");
	struct stat st;
	g_assert_cmpint(stat(p, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0640);
	/* No temporary file is left behind. */
	GDir *dir = g_dir_open(d, 0, NULL);
	int n = 0;
	while (g_dir_read_name(dir))
		n++;
	g_dir_close(dir);
	g_assert_cmpint(n, ==, 1);
	/* A directory that does not exist is an error, not a crash. */
	g_autofree char *bad = g_build_filename(d, "no", "such", "f", NULL);
	g_assert_false(kj_fs_write_atomic(bad, "x", 1, 0600, &error));
	g_assert_error(error, KJ_FS_ERROR, KJ_FS_ERROR_IO);
	rmrf(d);
}

static void test_read_limit(void)
{
	g_autofree char *d = tmpdir();
	g_autofree char *p = g_build_filename(d, "f", NULL);
	g_autoptr(GError) error = NULL;
	char *out = NULL;

	g_assert_true(g_file_set_contents(p, "0123456789", 10, NULL));
	g_assert_false(kj_fs_read_file(p, 5, &out, NULL, &error));
	g_assert_error(error, KJ_FS_ERROR, KJ_FS_ERROR_TOO_LARGE);
	g_clear_error(&error);
	g_assert_false(kj_fs_read_file(d, 0, &out, NULL, &error)); /* a directory */
	g_assert_error(error, KJ_FS_ERROR, KJ_FS_ERROR_IO);
	rmrf(d);
}

static void test_writable(void)
{
	g_autofree char *d = tmpdir();
	g_autofree char *f = g_build_filename(d, "file", NULL);
	g_autofree char *under = g_build_filename(f, "sub", NULL);
	g_autoptr(GError) error = NULL;

	g_assert_true(kj_fs_check_writable_dir(d, &error));
	g_assert_true(g_file_set_contents(f, "", 0, NULL));
	/* A path under a regular file is unwritable even for root. */
	g_assert_false(kj_fs_mkdir_p(under, 0700, &error));
	g_assert_nonnull(error);
	g_clear_error(&error);
	g_assert_false(kj_fs_check_writable_dir(under, &error));
	g_assert_error(error, KJ_FS_ERROR, KJ_FS_ERROR_NOT_WRITABLE);
	rmrf(d);
}

static gboolean collect(char tag, gsize off, gsize len, gpointer ud)
{
	GString *s = ud;
	g_string_append_printf(s, "%c@%zu+%zu;", tag, off, len);
	return tag != 'X';
}

static void test_tlv(void)
{
	GByteArray *b = g_byte_array_new();
	g_byte_array_append(b, (const guint8 *)"MAG", 3);
	kj_tlv_put_str(b, 'A', "hello");
	kj_tlv_put(b, 'B', "", 0);
	kj_tlv_put_str(b, 'C', NULL); /* nothing */
	GString *s = g_string_new(NULL);

	g_assert_true(kj_tlv_walk(b->data, b->len, "MAG", 3, collect, s));
	g_assert_cmpstr(s->str, ==, "A@8+5;B@18+0;");
	/* Every truncation is refused, never read past the end. */
	for (guint cut = 0; cut < b->len; cut++) {
		g_string_truncate(s, 0);
		gboolean ok = kj_tlv_walk(b->data, cut, "MAG", 3, collect, s);
		g_assert_true(ok == (cut == 3 || cut == 13));
	}
	g_assert_false(kj_tlv_walk(b->data, b->len, "GAM", 3, collect, s));
	g_assert_false(kj_tlv_walk(NULL, 0, "MAG", 3, collect, s));
	/* A length larger than what is left. */
	guint8 bad[] = {'M', 'A', 'G', 'A', 0xff, 0xff, 0xff, 0xff, 'x'};
	g_assert_false(kj_tlv_walk(bad, sizeof bad, "MAG", 3, collect, s));
	/* The callback can reject a record. */
	kj_tlv_put_str(b, 'X', "no");
	g_assert_false(kj_tlv_walk(b->data, b->len, "MAG", 3, collect, s));
	g_string_free(s, TRUE);
	g_byte_array_free(b, TRUE);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/util/sha256/vectors", test_sha256_vectors);
	g_test_add_func("/util/sha256/hex-valid", test_hex_valid);
	g_test_add_func("/util/fs/write-atomic", test_write_atomic);
	g_test_add_func("/util/fs/read-limit", test_read_limit);
	g_test_add_func("/util/fs/writable", test_writable);
	g_test_add_func("/util/tlv", test_tlv);
	return g_test_run();
}
