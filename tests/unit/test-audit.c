/*++
 * NAME
 *	test-audit - unit tests of the audit trail
 * DESCRIPTION
 *	Appending and reading; every kind of tampering, one test each
 *	(altered, altered and re-hashed, removed, reordered, inserted,
 *	duplicated, tail truncated by whole records and mid-record, head
 *	file edited, published head not extended); concurrent appends from
 *	several processes, and from several threads sharing one handle
 *	(group commit); batches appended after a commit; bounded reading of
 *	hostile files.
 *--*/
#include "audit/audit.h"
#include "util/fs.h"

#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
	char *dir;
	char *log;
	char *head;
	KjAudit *audit;
} Fixture;

static void setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	f->dir = g_dir_make_tmp("kj-audit-XXXXXX", &error);
	g_assert_no_error(error);
	f->log = g_build_filename(f->dir, KJ_AUDIT_LOG_NAME, NULL);
	f->head = g_build_filename(f->dir, KJ_AUDIT_HEAD_NAME, NULL);
	f->audit = kj_audit_open(f->dir, NULL, &error);
	g_assert_no_error(error);
}

static void teardown(Fixture *f, gconstpointer data)
{
	kj_audit_free(f->audit);
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);
	g_assert_cmpint(system(cmd), ==, 0);
	g_free(f->dir);
	g_free(f->log);
	g_free(f->head);
}

static void append_n(Fixture *f, int n)
{
	for (int i = 0; i < n; i++) {
		g_autoptr(GError) error = NULL;
		g_autofree char *obj = g_strdup_printf("msg-%d", i);
		json_t *d = json_pack("{s:i, s:s}", "n", i, "note", "送信者 ① ㈱");
		g_assert_true(
		    kj_audit_append(f->audit, "tester", "test.event", obj, d, NULL, &error));
		g_assert_no_error(error);
		json_decref(d);
	}
}

static char **read_lines(Fixture *f)
{
	g_autofree char *text = NULL;
	g_assert_true(g_file_get_contents(f->log, &text, NULL, NULL));
	return g_strsplit(text, "\n", -1); /* last element is "" */
}

static void write_lines(Fixture *f, char **lines)
{
	g_autofree char *text = g_strjoinv("\n", lines);
	g_assert_true(g_file_set_contents(f->log, text, -1, NULL));
}

/* Verifies and returns the verdict's first bad sequence number (0 when
 * intact). */
static gint64 verify(Fixture *f, const char *witness, char **reason)
{
	KjAuditVerdict v;
	g_autoptr(GError) error = NULL;

	g_assert_true(kj_audit_verify(f->log, f->head, witness, &v, &error));
	g_assert_no_error(error);
	gint64 bad = v.ok ? 0 : v.bad_seq;
	if (reason)
		*reason = g_strdup(v.reason);
	if (!v.ok && g_test_verbose())
		g_test_message("verdict: %s", v.reason);
	kj_audit_verdict_clear(&v);
	return bad;
}

static void test_append_verify(Fixture *f, gconstpointer data)
{
	KjAuditHead h;
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(verify(f, NULL, NULL), ==, 0); /* empty log is intact */
	append_n(f, 10);
	g_assert_cmpint(verify(f, NULL, NULL), ==, 0);
	g_assert_true(kj_audit_get_head(f->log, &h, &error));
	g_assert_cmpint(h.seq, ==, 10);
	g_autofree char *w = g_strdup_printf("%" G_GINT64_FORMAT ":%s", h.seq, h.hash);
	g_assert_cmpint(verify(f, w, NULL), ==, 0);
	g_assert_cmpint(verify(f, h.hash, NULL), ==, 0);

	/* Every line is a standalone JSON object with the documented keys. */
	g_auto(GStrv) lines = read_lines(f);
	g_assert_cmpuint(g_strv_length(lines), ==, 11);
	json_t *j = json_loads(lines[0], 0, NULL);
	g_assert_nonnull(j);
	g_assert_cmpint(json_integer_value(json_object_get(j, "seq")), ==, 1);
	g_assert_cmpstr(json_string_value(json_object_get(j, "prev")), ==, KJ_AUDIT_GENESIS);
	g_assert_cmpstr(json_string_value(json_object_get(j, "actor")), ==, "tester");
	g_assert_true(g_str_has_suffix(json_string_value(json_object_get(j, "time")), "Z"));
	json_decref(j);
}

static void test_reopen_continues(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	append_n(f, 3);
	kj_audit_free(f->audit);
	f->audit = kj_audit_open(f->dir, NULL, &error);
	g_assert_no_error(error);
	append_n(f, 3);
	KjAuditHead h;
	g_assert_true(kj_audit_get_head(f->log, &h, NULL));
	g_assert_cmpint(h.seq, ==, 6);
	g_assert_cmpint(verify(f, NULL, NULL), ==, 0);
}

/* One edit of the log per case, and the sequence number verify must name. */
typedef void (*Tamper)(char **lines);

static void alter_content(char **l)
{
	char *p = strstr(l[3], "test.event");
	g_assert_nonnull(p);
	p[0] = 'T';
}

static void alter_rehash(char **l)
{
	/* Change record 4 and recompute its own hash correctly: only the
	 * chain link in record 5 gives it away. */
	char *line = l[3];
	char *p = strstr(line, "\"msg-3\"");
	p[1] = 'X';
	char *hpos = strstr(line, ",\"hash\":\"");
	gsize body_len = (gsize)(hpos - line);
	g_autofree char *body = g_strdup_printf("%.*s}", (int)body_len, line);
	char hex[KJ_SHA256_HEX_LEN + 1];
	kj_sha256_hex(body, strlen(body), hex);
	memcpy(hpos + 9, hex, KJ_SHA256_HEX_LEN);
}

static void remove_record(char **l)
{
	g_free(l[4]);
	memmove(&l[4], &l[5], sizeof(char *) * (g_strv_length(&l[5]) + 1));
}

static void swap_records(char **l)
{
	char *t = l[2];
	l[2] = l[3];
	l[3] = t;
}

static void duplicate_record(char **l)
{
	g_free(l[5]);
	l[5] = g_strdup(l[4]);
}

static void insert_garbage(char **l)
{
	g_autofree char *joined = g_strdup_printf("{\"seq\":7}\n%s", l[6]);
	g_free(l[6]);
	l[6] = g_steal_pointer(&joined);
}

typedef struct {
	const char *name;
	Tamper tamper;
	gint64 want_bad;
} TamperCase;

static const TamperCase tamper_cases[] = {
    {"altered", alter_content, 4},       {"altered-rehashed", alter_rehash, 5},
    {"removed", remove_record, 5},       {"reordered", swap_records, 3},
    {"duplicated", duplicate_record, 6}, {"inserted", insert_garbage, 7},
};

static void test_tamper(Fixture *f, gconstpointer data)
{
	const TamperCase *c = data;

	append_n(f, 10);
	g_auto(GStrv) lines = read_lines(f);
	c->tamper(lines);
	write_lines(f, lines);
	g_autofree char *reason = NULL;
	g_assert_cmpint(verify(f, NULL, &reason), ==, c->want_bad);
	g_assert_nonnull(reason);
	/* A damaged log refuses appends rather than burying the damage. */
}

static void truncate_log(Fixture *f, gsize keep)
{
	g_autofree char *text = NULL;
	gsize len;
	g_assert_true(g_file_get_contents(f->log, &text, &len, NULL));
	g_assert_cmpuint(keep, <, len);
	g_assert_true(g_file_set_contents(f->log, text, (gssize)keep, NULL));
}

static void test_truncate_whole_records(Fixture *f, gconstpointer data)
{
	append_n(f, 10);
	g_auto(GStrv) lines = read_lines(f);
	gsize keep = 0;
	for (int i = 0; i < 7; i++)
		keep += strlen(lines[i]) + 1;
	truncate_log(f, keep);
	g_autofree char *reason = NULL;
	g_assert_cmpint(verify(f, NULL, &reason), ==, 8);
	g_assert_nonnull(strstr(reason, "cut off the end"));
}

static void test_truncate_mid_record(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	append_n(f, 5);
	struct stat st;
	g_assert_cmpint(stat(f->log, &st), ==, 0);
	truncate_log(f, (gsize)st.st_size - 10);
	g_assert_cmpint(verify(f, NULL, NULL), ==, 5);
	/* Appending after a torn tail is refused and changes nothing. */
	g_assert_false(kj_audit_append(f->audit, "a", "b", "c", NULL, NULL, &error));
	g_assert_error(error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_DAMAGED);
	struct stat st2;
	g_assert_cmpint(stat(f->log, &st2), ==, 0);
	g_assert_cmpint(st2.st_size, ==, st.st_size - 10);
}

/* Someone who can write both files cuts the log and the head file back:
 * only a head published elsewhere proves it. */
static void test_witness(Fixture *f, gconstpointer data)
{
	KjAuditHead h;

	append_n(f, 8);
	g_assert_true(kj_audit_get_head(f->log, &h, NULL));
	g_autofree char *w = g_strdup_printf("%" G_GINT64_FORMAT ":%s", h.seq, h.hash);
	append_n(f, 2);
	g_assert_cmpint(verify(f, w, NULL), ==, 0); /* the log extends the witness */

	g_auto(GStrv) lines = read_lines(f);
	gsize keep = 0;
	for (int i = 0; i < 6; i++)
		keep += strlen(lines[i]) + 1;
	truncate_log(f, keep);
	g_assert_cmpint(unlink(f->head), ==, 0);
	g_assert_cmpint(verify(f, NULL, NULL), ==, 0); /* chain alone looks fine */
	g_autofree char *reason = NULL;
	g_assert_cmpint(verify(f, w, &reason), ==, 7);
	g_assert_nonnull(strstr(reason, "published head"));
}

static void test_head_file_edited(Fixture *f, gconstpointer data)
{
	append_n(f, 4);
	g_assert_true(
	    g_file_set_contents(f->head, "00000000000000000003 " KJ_AUDIT_GENESIS "\n", -1, NULL));
	g_assert_cmpint(verify(f, NULL, NULL), ==, 3);
}

static void test_invalid_append(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	json_t *arr = json_array();

	g_assert_false(kj_audit_append(f->audit, "", "x", "y", NULL, NULL, &error));
	g_assert_error(error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(kj_audit_append(f->audit, "a", "x\xff", "y", NULL, NULL, &error));
	g_assert_error(error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(kj_audit_append(f->audit, "a", "x", "y", arr, NULL, &error));
	g_assert_error(error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_INVALID);
	g_clear_error(&error);
	json_decref(arr);

	/* A record over the size limit is refused whole. */
	GString *big = g_string_new(NULL);
	for (int i = 0; i < 70000; i++)
		g_string_append_c(big, 'x');
	json_t *d = json_pack("{s:s}", "big", big->str);
	g_assert_false(kj_audit_append(f->audit, "a", "x", "y", d, NULL, &error));
	g_assert_error(error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_INVALID);
	json_decref(d);
	g_string_free(big, TRUE);
	g_assert_cmpint(verify(f, NULL, NULL), ==, 0);
}

/* Records with newlines and control characters in their fields stay one
 * line each. */
static void test_hostile_strings(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	json_t *d = json_pack("{s:s}", "subject", "line1\nline2\r\n\"quoted\"\t\u202e");

	g_assert_true(kj_audit_append(f->audit, "a\nb", "x", "y\"z", d, NULL, &error));
	json_decref(d);
	g_auto(GStrv) lines = read_lines(f);
	g_assert_cmpuint(g_strv_length(lines), ==, 2);
	g_assert_cmpint(verify(f, NULL, NULL), ==, 0);
}

static void test_long_garbage_line(Fixture *f, gconstpointer data)
{
	/* A 20 MB line without a newline: verify reads it in bounded memory
	 * and reports it. */
	GString *s = g_string_sized_new(20 * 1024 * 1024);
	for (int i = 0; i < 20 * 1024 * 1024; i++)
		g_string_append_c(s, 'A');
	g_assert_true(g_file_set_contents(f->log, s->str, (gssize)s->len, NULL));
	g_string_free(s, TRUE);
	g_assert_cmpint(verify(f, NULL, NULL), ==, 1);
}

static void test_concurrent_processes(Fixture *f, gconstpointer data)
{
	enum { PROCS = 8, EACH = 40 };
	pid_t pids[PROCS];

	for (int p = 0; p < PROCS; p++) {
		pids[p] = fork();
		g_assert_cmpint(pids[p], >=, 0);
		if (pids[p] == 0) {
			/* Each child opens the log on its own, as separate
			 * kyojin processes do. */
			KjAudit *a = kj_audit_open(f->dir, NULL, NULL);
			int ok = a != NULL;
			for (int i = 0; ok && i < EACH; i++) {
				char obj[32];
				g_snprintf(obj, sizeof obj, "p%d-%d", p, i);
				ok = kj_audit_append(a, "child", "test.concurrent", obj, NULL, NULL,
						     NULL);
			}
			kj_audit_free(a);
			_exit(ok ? 0 : 1);
		}
	}
	for (int p = 0; p < PROCS; p++) {
		int status;
		g_assert_cmpint(waitpid(pids[p], &status, 0), ==, pids[p]);
		g_assert_true(WIFEXITED(status));
		g_assert_cmpint(WEXITSTATUS(status), ==, 0);
	}
	KjAuditVerdict v;
	g_assert_true(kj_audit_verify(f->log, f->head, NULL, &v, NULL));
	g_assert_true(v.ok);
	g_assert_cmpint(v.records, ==, PROCS * EACH);
	kj_audit_verdict_clear(&v);
	/* The parent's handle still appends correctly after the others. */
	append_n(f, 1);
	g_assert_cmpint(verify(f, NULL, NULL), ==, 0);
}

#define THREADS 6
#define PER_THREAD 40

static gpointer append_thread(gpointer data)
{
	KjAudit *a = data;
	for (int i = 0; i < PER_THREAD; i++) {
		char obj[32];
		g_snprintf(obj, sizeof obj, "t%p-%d", (void *)g_thread_self(), i);
		if (!kj_audit_append(a, "thread", "test.threads", obj, NULL, NULL, NULL))
			return GINT_TO_POINTER(1);
	}
	return NULL;
}

/* Threads of one process share the syncs (group commit): every record
 * is in the chain, in one unbroken order, and the head file names the
 * last one. */
static void test_concurrent_threads(Fixture *f, gconstpointer data)
{
	GThread *t[THREADS];
	KjAuditHead last;

	for (int i = 0; i < THREADS; i++)
		t[i] = g_thread_new("append", append_thread, f->audit);
	for (int i = 0; i < THREADS; i++)
		g_assert_null(g_thread_join(t[i]));
	KjAuditVerdict v;
	g_assert_true(kj_audit_verify(f->log, f->head, NULL, &v, NULL));
	g_assert_true(v.ok);
	g_assert_cmpint(v.records, ==, THREADS * PER_THREAD);
	kj_audit_verdict_clear(&v);
	g_assert_true(kj_audit_get_head(f->log, &last, NULL));
	g_autofree char *head = NULL;
	g_assert_true(g_file_get_contents(f->head, &head, NULL, NULL));
	g_autofree char *want =
	    g_strdup_printf("%020" G_GINT64_FORMAT " %s\n", last.seq, last.hash);
	g_assert_cmpstr(head, ==, want);
}

static gboolean count_cb(const KjAuditRecord *r, gpointer ud)
{
	(*(int *)ud)++;
	return TRUE;
}

static void test_read(Fixture *f, gconstpointer data)
{
	int n = 0;
	g_autoptr(GError) error = NULL;

	append_n(f, 5);
	g_assert_true(kj_audit_read(f->log, count_cb, &n, &error));
	g_assert_cmpint(n, ==, 5);
}

static gboolean collect_seq(const KjAuditRecord *rec, gpointer user_data)
{
	g_array_append_val((GArray *)user_data, rec->seq);
	return TRUE;
}

static gboolean stop_after_3(const KjAuditRecord *rec, gpointer user_data)
{
	GArray *a = user_data;
	g_array_append_val(a, rec->seq);
	return a->len < 3;
}

/* Records of about 3 KiB, so that 100 of them cross the 64 KiB blocks the
 * reverse reader uses: every record once, newest first, whole. */
static void test_read_reverse(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *pad = g_strnfill(3000, 'x');
	for (int i = 0; i < 100; i++) {
		json_t *d = json_pack("{s:i, s:s}", "n", i, "pad", pad + (i * 37) % 1000);
		g_assert_true(
		    kj_audit_append(f->audit, "tester", "test.event", "o", d, NULL, &error));
		json_decref(d);
	}
	g_autoptr(GArray) back = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_assert_true(kj_audit_read_reverse(f->log, collect_seq, back, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(back->len, ==, 100);
	for (guint i = 0; i < back->len; i++)
		g_assert_cmpint(g_array_index(back, gint64, i), ==, 100 - (gint64)i);
	g_autoptr(GArray) some = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_assert_true(kj_audit_read_reverse(f->log, stop_after_3, some, &error));
	g_assert_cmpuint(some->len, ==, 3);
	g_assert_cmpint(g_array_index(some, gint64, 2), ==, 98);
	/* No log yet is an empty walk; a damaged line is an error. */
	g_autofree char *none = g_build_filename(f->dir, "missing.jsonl", NULL);
	g_assert_true(kj_audit_read_reverse(none, collect_seq, back, &error));
	FILE *fp = fopen(f->log, "a");
	g_assert_nonnull(fp);
	fputs("{\"not\": \"a record\"}\n", fp);
	fclose(fp);
	g_assert_false(kj_audit_read_reverse(f->log, collect_seq, back, &error));
	g_assert_error(error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_TAMPERED);
}

/* A batch: appended in order, one chain, emptied; nothing of it before
 * the append; a refused record stops the batch there. */
static void test_batch(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(KjAuditBatch) b = kj_audit_batch_new();

	g_assert_true(kj_audit_batch_append(f->audit, b, &error)); /* empty: nothing */
	append_n(f, 2);
	for (int i = 0; i < 3; i++) {
		g_autofree char *obj = g_strdup_printf("batch-%d", i);
		json_t *d = json_pack("{s:i}", "i", i);
		kj_audit_batch_add(b, "tester", "test.batch", obj, d);
		json_decref(d); /* the batch keeps its own reference */
	}
	kj_audit_batch_add(b, "tester", "test.batch", "batch-3", NULL);
	g_assert_cmpuint(kj_audit_batch_len(b), ==, 4);
	g_auto(GStrv) before = read_lines(f);
	g_assert_cmpuint(g_strv_length(before), ==, 3);
	g_assert_true(kj_audit_batch_append(f->audit, b, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(kj_audit_batch_len(b), ==, 0);
	g_auto(GStrv) lines = read_lines(f);
	g_assert_cmpuint(g_strv_length(lines), ==, 7);
	for (int i = 0; i < 4; i++) {
		json_t *j = json_loads(lines[2 + i], 0, NULL);
		g_autofree char *obj = g_strdup_printf("batch-%d", i);
		g_assert_cmpint(json_integer_value(json_object_get(j, "seq")), ==, 3 + i);
		g_assert_cmpstr(json_string_value(json_object_get(j, "object")), ==, obj);
		json_decref(j);
	}
	g_assert_cmpint(verify(f, NULL, NULL), ==, 0);

	/* An empty action is refused before anything is written. */
	kj_audit_batch_add(b, "tester", "test.batch", "ok", NULL);
	kj_audit_batch_add(b, "tester", "", "bad", NULL);
	g_assert_false(kj_audit_batch_append(f->audit, b, &error));
	g_assert_error(error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_INVALID);
	g_assert_cmpuint(kj_audit_batch_len(b), ==, 0);
	g_auto(GStrv) after = read_lines(f);
	g_assert_cmpuint(g_strv_length(after), ==, 7);
	g_assert_cmpint(verify(f, NULL, NULL), ==, 0);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn, data) g_test_add(path, Fixture, data, setup, fn, teardown)
	ADD("/audit/read-reverse", test_read_reverse, NULL);
	ADD("/audit/append-verify", test_append_verify, NULL);
	ADD("/audit/reopen", test_reopen_continues, NULL);
	ADD("/audit/read", test_read, NULL);
	for (gsize i = 0; i < G_N_ELEMENTS(tamper_cases); i++) {
		g_autofree char *path = g_strdup_printf("/audit/tamper/%s", tamper_cases[i].name);
		ADD(path, test_tamper, &tamper_cases[i]);
	}
	ADD("/audit/tamper/truncated-records", test_truncate_whole_records, NULL);
	ADD("/audit/tamper/truncated-mid-record", test_truncate_mid_record, NULL);
	ADD("/audit/tamper/head-file-edited", test_head_file_edited, NULL);
	ADD("/audit/witness", test_witness, NULL);
	ADD("/audit/invalid-append", test_invalid_append, NULL);
	ADD("/audit/hostile-strings", test_hostile_strings, NULL);
	ADD("/audit/long-garbage-line", test_long_garbage_line, NULL);
	ADD("/audit/concurrent-processes", test_concurrent_processes, NULL);
	ADD("/audit/concurrent-threads", test_concurrent_threads, NULL);
	ADD("/audit/batch", test_batch, NULL);
	return g_test_run();
}
