/* cdr-test-run.h - helpers shared by the CDR engine unit tests: run one
 * engine on bytes as the dispatcher would, and read the corpus in place. */
#ifndef KJ_TESTS_CDR_TEST_RUN_H
#define KJ_TESTS_CDR_TEST_RUN_H

#include "cdr/cdr_private.h"

#include <string.h>

/* ---- jobs ---- */

static inline void action_free(gpointer p)
{
	KjCdrAction *a = p;

	g_free(a->location);
	g_free(a->what);
	g_free(a);
}

typedef struct {
	KjCdrOptions opts;
	KjCdrJob job;
	GError *error;
	gboolean ok;
} Run;

static inline Run *run_new(void)
{
	Run *r = g_new0(Run, 1);

	kj_cdr_options_init(&r->opts);
	r->job.opts = &r->opts;
	r->job.out = g_byte_array_new();
	r->job.actions = g_ptr_array_new_with_free_func(action_free);
	r->job.limits_hit = g_ptr_array_new_with_free_func(g_free);
	return r;
}

static inline void run_free(Run *r)
{
	g_byte_array_unref(r->job.out);
	g_ptr_array_unref(r->job.actions);
	g_ptr_array_unref(r->job.limits_hit);
	g_clear_error(&r->error);
	g_free(r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Run, run_free)

static inline void run_go(Run *r, gboolean (*engine)(KjCdrJob *, GError **), GBytes *in)
{
	r->job.data = g_bytes_get_data(in, &r->job.len);
	g_byte_array_set_size(r->job.out, 0);
	g_ptr_array_set_size(r->job.actions, 0);
	g_clear_error(&r->error);
	r->ok = engine(&r->job, &r->error);
	g_assert_true(r->ok == (r->error == NULL));
	if (r->error)
		g_assert_true(r->error->domain == KJ_CDR_ERROR && r->error->message[0]);
}

static inline gboolean has_action(const Run *r, const char *needle)
{
	for (guint i = 0; i < r->job.actions->len; i++) {
		const KjCdrAction *a = r->job.actions->pdata[i];

		if (strstr(a->what, needle))
			return TRUE;
	}
	return FALSE;
}

static inline GPtrArray *corpus_files(const char *sub, const char *suffix)
{
	const char *root = g_getenv("KJ_CORPUS");
	g_autofree char *dir = root ? g_build_filename(root, sub, NULL) : NULL;
	g_autoptr(GDir) d = dir ? g_dir_open(dir, 0, NULL) : NULL;
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	const char *n;

	while (d && (n = g_dir_read_name(d)))
		if (g_str_has_suffix(n, suffix))
			g_ptr_array_add(files, g_build_filename(dir, n, NULL));
	g_ptr_array_sort(files, (GCompareFunc)g_strcmp0);
	return files;
}

static inline GBytes *slurp(const char *path)
{
	char *data;
	gsize len;

	g_assert_true(g_file_get_contents(path, &data, &len, NULL));
	return g_bytes_new_take(data, len);
}

#endif
