/* test-config - unit tests of the kyojin.yaml parser: every error names
 * file, line, column and key. */
#include "config/config.h"
#include "util/limits.h"

#include <string.h>

static void test_defaults(void)
{
	g_autoptr(KjConfig) c = kj_config_new();

	g_assert_cmpint(c->audit_max_record_bytes, ==, KJ_AUDIT_MAX_RECORD_DEFAULT);
	g_assert_cmpint(c->store_max_blob_bytes, ==, KJ_STORE_MAX_BLOB_DEFAULT);
	g_assert_null(c->data_dir);
	/* Every key in the table can be read back. */
	for (const KjConfigKeyInfo *k = kj_config_keys(); k->key; k++) {
		g_autofree char *v = kj_config_get_string(c, k->key);
		if (strcmp(k->type, "integer") == 0) /* strings may be unset */
			g_assert_nonnull(v);
	}
}

static void test_valid(void)
{
	g_autoptr(KjConfig) c = kj_config_new();
	g_autoptr(GError) error = NULL;
	const char *y = "# comment\n"
			"data_dir: /srv/kyojin\n"
			"audit:\n"
			"  lock_timeout_s: 5\n"
			"  max_record_bytes: 128k\n"
			"store: {max_blob_bytes: 64M}\n";

	g_assert_true(kj_config_load_data(c, "t.yaml", y, strlen(y), &error));
	g_assert_no_error(error);
	g_assert_cmpstr(c->data_dir, ==, "/srv/kyojin");
	g_assert_cmpint(c->audit_lock_timeout_s, ==, 5);
	g_assert_cmpint(c->audit_max_record_bytes, ==, 128 * 1024);
	g_assert_cmpint(c->store_max_blob_bytes, ==, 64 * 1024 * 1024);
}

static void test_empty(void)
{
	g_autoptr(KjConfig) c = kj_config_new();
	g_assert_true(kj_config_load_data(c, "e.yaml", "", 0, NULL));
	g_assert_true(kj_config_load_data(c, "e.yaml", "# only a comment\n", 17, NULL));
}

typedef struct {
	const char *name;
	const char *yaml;
	int code;
	const char *must_contain; /* in the message */
} BadCase;

static const BadCase bad_cases[] = {
    {"unknown-key", "audit:\n  lock_timeout: 5\n", KJ_CONFIG_ERROR_KEY,
     "bad.yaml:2:3: unknown key 'audit.lock_timeout'"},
    {"not-integer", "audit:\n  lock_timeout_s: soon\n", KJ_CONFIG_ERROR_VALUE,
     "bad.yaml:2:19: key 'audit.lock_timeout_s': value 'soon'"},
    {"out-of-range", "store:\n  max_blob_bytes: 10\n", KJ_CONFIG_ERROR_VALUE,
     "key 'store.max_blob_bytes'"},
    {"overflow", "store:\n  max_blob_bytes: 99999999999999999999G\n", KJ_CONFIG_ERROR_VALUE,
     "store.max_blob_bytes"},
    {"negative", "audit:\n  lock_timeout_s: -1\n", KJ_CONFIG_ERROR_VALUE, "audit.lock_timeout_s"},
    {"syntax", "data_dir: a: b\n", KJ_CONFIG_ERROR_SYNTAX, "bad.yaml:1:12: not valid YAML"},
    {"unclosed", "audit: {lock_timeout_s: 5\n", KJ_CONFIG_ERROR_SYNTAX, "not valid YAML"},
    {"tab-indent", "audit:\n\tlock_timeout_s: 5\n", KJ_CONFIG_ERROR_SYNTAX, "bad.yaml:2"},
    {"not-mapping", "- a\n- b\n", KJ_CONFIG_ERROR_SYNTAX, "must be a mapping"},
    {"scalar-doc", "hello\n", KJ_CONFIG_ERROR_SYNTAX, "must be a mapping"},
    {"list-value", "data_dir: [a, b]\n", KJ_CONFIG_ERROR_VALUE, "key 'data_dir'"},
    {"duplicate", "data_dir: a\ndata_dir: b\n", KJ_CONFIG_ERROR_KEY, "given twice"},
    {"alias", "x: &a 5\naudit:\n  lock_timeout_s: *a\n", KJ_CONFIG_ERROR_KEY, "unknown key 'x'"},
    {"alias-known", "data_dir: &a /x\naudit: {lock_timeout_s: *a}\n", KJ_CONFIG_ERROR_SYNTAX,
     "aliases are not allowed"},
    {"empty-string", "data_dir: ''\n", KJ_CONFIG_ERROR_VALUE, "must not be empty"},
    {"binary", "\x01\x02\xff\xfe", KJ_CONFIG_ERROR_SYNTAX, "bad.yaml"},
};

static void test_bad(gconstpointer data)
{
	const BadCase *b = data;
	g_autoptr(KjConfig) c = kj_config_new();
	g_autoptr(GError) error = NULL;

	g_assert_false(kj_config_load_data(c, "bad.yaml", b->yaml, strlen(b->yaml), &error));
	g_assert_error(error, KJ_CONFIG_ERROR, b->code);
	if (strstr(error->message, b->must_contain) == NULL)
		g_error("message '%s' lacks '%s'", error->message, b->must_contain);
}

static void test_deep(void)
{
	GString *y = g_string_new(NULL);
	for (int i = 0; i < 100; i++)
		g_string_append_printf(y, "%*sk%d:\n", i * 2, "", i);
	g_autoptr(KjConfig) c = kj_config_new();
	g_autoptr(GError) error = NULL;
	g_assert_false(kj_config_load_data(c, "deep.yaml", y->str, y->len, &error));
	g_assert_nonnull(error);
	g_string_free(y, TRUE);
}

static void test_missing_file(void)
{
	g_autoptr(KjConfig) c = kj_config_new();
	g_autoptr(GError) error = NULL;

	g_assert_false(kj_config_load_file(c, "/nonexistent/kyojin.yaml", &error));
	g_assert_error(error, KJ_CONFIG_ERROR, KJ_CONFIG_ERROR_IO);
	g_assert_nonnull(strstr(error->message, "/nonexistent/kyojin.yaml"));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/config/defaults", test_defaults);
	g_test_add_func("/config/valid", test_valid);
	g_test_add_func("/config/empty", test_empty);
	g_test_add_func("/config/deep", test_deep);
	g_test_add_func("/config/missing-file", test_missing_file);
	for (gsize i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
		g_autofree char *p = g_strdup_printf("/config/bad/%s", bad_cases[i].name);
		g_test_add_data_func(p, &bad_cases[i], test_bad);
	}
	return g_test_run();
}
