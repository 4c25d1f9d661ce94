/*++
 * NAME
 *	mail - the "kyojin mail" commands: sanitize
 * DESCRIPTION
 *	kyojin mail sanitize [IN] [-o OUT] [--report R] [--profile P]
 *	kyojin mail sanitize --out-dir D [--jobs N] FILE...
 *
 *	Reads a message (stdin by default), sanitizes it in a sandboxed
 *	worker and writes the text-only message (stdout by default).  The
 *	batch form handles many files in one process, N workers in parallel
 *	threads, writing D/NAME and D/NAME.report.json.  When the data
 *	directory exists (--data-dir, $KYOJIN_DATA_DIR, data_dir, ./var),
 *	the original and its attachments are quarantined there and each
 *	message gets an audit record; without one, nothing is kept and the
 *	output names the original by its SHA-256.
 *	Exit 0 all sanitized, 1 some held, 3 unreadable input or I/O error.
 * SECURITY
 *	Runs as the invoking user.  The message bytes are parsed only in the
 *	sandboxed worker (--no-sandbox parses them in this process and is for
 *	debugging only); this file reads files, writes files and talks to the
 *	store and the audit log (基本方針 2(12), 6(3)②).
 * LIMITS
 *	mail.* config keys (util/limits.h); --jobs at most 64.
 * STANDARDS
 *	Exit codes of DESIGN.md.
 * SEE ALSO
 *	mime/mail.h, mime/quarantine.h, docs.
 *--*/
#include "cli/cli.h"

#include "mime/mail.h"
#include "mime/quarantine.h"
#include "util/fs.h"
#include "util/limits.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A short queue between two stages of the batch (see batch_reader). */
typedef struct {
	GMutex lock;
	GCond cond;
	GQueue items;
	gboolean closed;
} BQueue;

typedef struct {
	KjCli *cli;
	KjMailProfile *profile;
	KjMailIsolation mode;
	const char *out_dir;
	char **files;
	guint n_files;
	gint running;           /* atomic: sanitizer threads still running */
	gint taken;             /* atomic: workers handed to threads */
	KjMailWorker **workers; /* one per thread, made before any thread */
	GError *worker_error;   /* why they could not be made */
	GMutex lock;            /* store, audit and the results array */
	int *codes;             /* exit code per file */
	char **lines;           /* summary line per file */
	char **names;           /* output name per file, unique in out_dir */
	BQueue in, out;         /* read -> sanitize -> write (see batch_reader) */
} Batch;

/* Reads at most max + 1 bytes: one more than allowed tells the engine the
 * message is too large without reading a hostile gigabyte.  A regular
 * file is read into one buffer of its size (plus the one byte that shows
 * it grew): the 64 KB steps with a growing array copied every message
 * about three times (perf: 4 % of the benchmark in memmove and realloc). */
static GBytes *read_input(int fd, gint64 max, GError **error)
{
	struct stat st;
	gsize cap = 65536, len = 0;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0)
		cap = (gsize)MIN((gint64)st.st_size, max) + 1;
	guint8 *buf = g_malloc(cap);
	for (;;) {
		if (len == cap) {
			if ((gint64)cap > max)
				break;
			cap = (gsize)MIN((gint64)cap * 2, max + 1);
			buf = g_realloc(buf, cap);
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			g_free(buf);
			g_set_error(error, KJ_FS_ERROR, KJ_FS_ERROR_IO, "read: %s", g_strerror(e));
			return NULL;
		}
		if (n == 0)
			break;
		len += (gsize)n;
	}
	return g_bytes_new_take(buf, len);
}

static GBytes *read_path(const char *path, gint64 max, GError **error)
{
	if (path == NULL || strcmp(path, "-") == 0)
		return read_input(0, max, error);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int e = errno;
		g_set_error(error, KJ_FS_ERROR, KJ_FS_ERROR_IO, "%s: %s", path, g_strerror(e));
		return NULL;
	}
	GBytes *b = read_input(fd, max, error);
	if (b == NULL)
		g_prefix_error(error, "%s: ", path);
	close(fd);
	return b;
}

static KjMailProfile *load_profile(KjCli *cli, const char *arg, GError **error)
{
	KjMailProfile *p;

	if (arg &&
	    (strchr(arg, '/') || g_str_has_suffix(arg, ".yaml") || g_str_has_suffix(arg, ".yml"))) {
		g_autofree char *data = NULL;
		gsize len = 0;
		if (!kj_fs_read_file(arg, KJ_MAIL_PROFILE_MAX_BYTES, &data, &len, error))
			return NULL;
		p = kj_mail_profile_new_from_data(arg, data, len, error);
	} else {
		p = kj_mail_profile_new(arg, error);
	}
	if (p == NULL)
		return NULL;
	const KjConfig *c = cli->cfg;
	p->limits = (KjMailLimits){
	    .max_message_bytes = c->mail_max_message_bytes,
	    .max_header_count = c->mail_max_header_count,
	    .max_header_bytes = c->mail_max_header_bytes,
	    .max_mime_depth = c->mail_max_mime_depth,
	    .max_parts = c->mail_max_parts,
	    .max_decoded_bytes = c->mail_max_decoded_bytes,
	    .html_max_depth = c->mail_html_max_depth,
	    .html_max_nodes = c->mail_html_max_nodes,
	};
	return p;
}

/* The quarantine id of a message with digest sha, NULL without a store. */
static char *quarantine_id(KjCli *cli, const char *sha)
{
	return cli->store ? kj_mail_quarantine_id(sha) : NULL;
}

/* Sanitizes one message and quarantines it when there is a store.
 * sha is the digest of raw (computed here when NULL): the quarantine id
 * is made from it and the worker is given it, so the message is hashed
 * once.  next (raw and digest, or NULL) is handed to the worker to start
 * on while this one is stored (kj_mail_worker_run()).  Returns the exit
 * code for it; *res gets the result. */
static int process(KjCli *cli, KjMailWorker *w, GMutex *lock, GBytes *raw, const char *sha,
		   GBytes *next_raw, const char *next_sha, KjMailResult **res, char **qid_out,
		   GError **error)
{
	g_autofree char *qid = NULL;
	g_autofree char *next_qid = NULL;
	char own[KJ_SHA256_HEX_LEN + 1];

	if (sha == NULL) {
		kj_sha256_hex(g_bytes_get_data(raw, NULL), g_bytes_get_size(raw), own);
		sha = own;
	}
	qid = quarantine_id(cli, sha);
	if (next_raw != NULL)
		next_qid = quarantine_id(cli, next_sha);
	KjMailInput in = {raw, sha, qid}, next = {next_raw, next_sha, next_qid};
	if (!kj_mail_worker_run(w, &in, next_raw ? &next : NULL, res, error))
		return KJ_EXIT_INPUT;
	if (cli->store) {
		g_mutex_lock(lock);
		gboolean ok = kj_mail_quarantine_put(cli->store, cli->audit, cli->actor, raw, *res,
						     qid, error);
		g_mutex_unlock(lock);
		/* No quarantine, no delivery: the original must be kept. */
		if (!ok)
			return KJ_EXIT_INPUT;
	}
	*qid_out = g_steal_pointer(&qid);
	return (*res)->verdict == KJ_MAIL_SANITIZED ? KJ_EXIT_OK : KJ_EXIT_FINDING;
}

static gboolean write_file(const char *path, const void *data, gsize len, gboolean durable,
			   GError **error)
{
	if (durable)
		return kj_fs_write_atomic(path, data, len, 0640, error);
	/* Batch outputs are derived from a quarantined original and can be
	 * made again: no fsync per file. */
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0) {
		int e = errno;
		g_set_error(error, KJ_FS_ERROR, KJ_FS_ERROR_IO, "%s: %s", path, g_strerror(e));
		return FALSE;
	}
	gboolean ok = kj_fs_write_all(fd, data, len, path, error);
	close(fd);
	return ok;
}

static const char *first_reason(const KjMailResult *r)
{
	return r->reasons->len ? r->reasons->pdata[0] : "";
}

static void print_single(KjCli *cli, const KjMailResult *r, const char *qid)
{
	KjOut *out = cli->out;

	kj_out_text_quiet(out, TRUE);
	kj_out_begin_map(out);
	kj_out_key(out, "verdict");
	kj_out_string(out, r->verdict == KJ_MAIL_HELD ? "held" : "sanitized");
	kj_out_key(out, "quarantine_id");
	if (qid)
		kj_out_string(out, qid);
	else
		kj_out_null(out);
	kj_out_key(out, "original_sha256");
	kj_out_string(out, r->original_sha256);
	kj_out_key(out, "report");
	kj_out_json_text(out, r->report_json);
	kj_out_end(out);
	if (r->verdict == KJ_MAIL_HELD)
		fprintf(stderr, "kyojin: held: %s (%s)\n", first_reason(r),
			qid ? qid : r->original_sha256);
}

static int sanitize_one(KjCli *cli, KjMailProfile *profile, KjMailIsolation mode, const char *in,
			const char *out_path, const char *report)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(KjMailResult) r = NULL;
	g_autofree char *qid = NULL;
	GMutex lock;

	g_autoptr(GBytes) raw = read_path(in, profile->limits.max_message_bytes, &error);
	if (raw == NULL)
		return kj_cli_error(cli, KJ_EXIT_INPUT, "cannot read the message: %s",
				    error->message);
	g_autoptr(KjMailWorker) w = kj_mail_worker_new(profile, mode, &error);
	if (w == NULL)
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	g_mutex_init(&lock);
	int rc = process(cli, w, &lock, raw, NULL, NULL, NULL, &r, &qid, &error);
	g_mutex_clear(&lock);
	if (r == NULL || rc == KJ_EXIT_INPUT)
		return kj_cli_error(cli, KJ_EXIT_INPUT, "%s (the message was not delivered)",
				    error ? error->message : "sanitizer failed");
	if (report && !write_file(report, r->report_json, strlen(r->report_json), TRUE, &error))
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	if (r->output) {
		gsize len = 0;
		const void *d = g_bytes_get_data(r->output, &len);
		if (out_path && strcmp(out_path, "-") != 0) {
			if (!write_file(out_path, d, len, TRUE, &error))
				return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
		} else if (!kj_fs_write_all(1, d, len, "stdout", &error)) {
			return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
		}
	}
	if (out_path && strcmp(out_path, "-") != 0)
		print_single(cli, r, qid);
	else if (r->verdict == KJ_MAIL_HELD)
		fprintf(stderr, "kyojin: held: %s (%s)\n", first_reason(r),
			qid ? qid : r->original_sha256);
	return rc;
}

/* The batch is a pipeline of three stages joined by short bounded
 * queues: one thread reads the files, the --jobs threads each drive a
 * sandboxed worker, and the calling thread writes the outputs.  Reading
 * message N+1 and writing message N-1 while a worker sanitizes message N
 * took the parent's file I/O (16 % of the samples with one reused worker,
 * perf) off the critical path.  Memory stays bounded: at most
 * BATCH_QUEUE_DEPTH messages wait in each queue, whatever the count. */
#define BATCH_QUEUE_DEPTH 4

static void bqueue_init(BQueue *q)
{
	g_mutex_init(&q->lock);
	g_cond_init(&q->cond);
	g_queue_init(&q->items);
	q->closed = FALSE;
}

static void bqueue_clear(BQueue *q)
{
	g_assert(g_queue_is_empty(&q->items));
	g_mutex_clear(&q->lock);
	g_cond_clear(&q->cond);
}

static void bqueue_push(BQueue *q, gpointer item)
{
	g_mutex_lock(&q->lock);
	while (q->items.length >= BATCH_QUEUE_DEPTH)
		g_cond_wait(&q->cond, &q->lock);
	g_queue_push_tail(&q->items, item);
	g_cond_broadcast(&q->cond);
	g_mutex_unlock(&q->lock);
}

/* NULL once the queue is closed and empty; with wait FALSE, also when it
 * is empty now. */
static gpointer bqueue_take(BQueue *q, gboolean wait)
{
	g_mutex_lock(&q->lock);
	while (wait && g_queue_is_empty(&q->items) && !q->closed)
		g_cond_wait(&q->cond, &q->lock);
	gpointer item = g_queue_pop_head(&q->items);
	if (item != NULL)
		g_cond_broadcast(&q->cond);
	g_mutex_unlock(&q->lock);
	return item;
}

static gpointer bqueue_pop(BQueue *q)
{
	return bqueue_take(q, TRUE);
}

static void bqueue_close(BQueue *q)
{
	g_mutex_lock(&q->lock);
	q->closed = TRUE;
	g_cond_broadcast(&q->cond);
	g_mutex_unlock(&q->lock);
}

/* One message on its way through the pipeline. */
typedef struct {
	guint i;
	GBytes *raw; /* NULL: unreadable, see error */
	char sha[KJ_SHA256_HEX_LEN + 1];
	KjMailResult *r;
	char *qid;
	int rc;
	GError *error;
} Item;

static void item_free(Item *it)
{
	if (it->raw)
		g_bytes_unref(it->raw);
	kj_mail_result_free(it->r);
	g_free(it->qid);
	g_clear_error(&it->error);
	g_free(it);
}

static gpointer batch_reader(gpointer data)
{
	Batch *b = data;

	for (guint i = 0; i < b->n_files; i++) {
		Item *it = g_new0(Item, 1);
		it->i = i;
		it->raw = read_path(b->files[i], b->profile->limits.max_message_bytes, &it->error);
		/* Hashed here, while the worker has the previous message: the
		 * worker is then not made to (a tenth of its time with
		 * SHA-NI on the benchmark, perf). */
		if (it->raw)
			kj_sha256_hex(g_bytes_get_data(it->raw, NULL), g_bytes_get_size(it->raw),
				      it->sha);
		bqueue_push(&b->in, it);
	}
	bqueue_close(&b->in);
	return NULL;
}

/* Each thread keeps its worker busy: with the message it sends, it hands
 * over the next one already read (if any), which the worker starts on
 * while this thread stores the result and fetches another.  With one
 * reused worker the worker otherwise waited for this thread a fifth of
 * the time on the mail benchmark (perf). */
static gpointer batch_thread(gpointer data)
{
	Batch *b = data;
	KjMailWorker *w = b->workers[g_atomic_int_add(&b->taken, 1)];
	const GError *error = b->worker_error;
	Item *it = bqueue_pop(&b->in);

	while (it != NULL) {
		Item *next = bqueue_take(&b->in, FALSE);
		if (it->raw == NULL) {
			it->rc = -1; /* unreadable */
		} else if (w == NULL) {
			it->rc = KJ_EXIT_INPUT;
			it->error = g_error_copy(error);
		} else {
			gboolean ahead = next != NULL && next->raw != NULL;
			it->rc =
			    process(b->cli, w, &b->lock, it->raw, it->sha, ahead ? next->raw : NULL,
				    ahead ? next->sha : NULL, &it->r, &it->qid, &it->error);
			/* The input is done with: free it before the output waits
			 * in the queue, so that each queue holds one kind. */
			g_clear_pointer(&it->raw, g_bytes_unref);
		}
		bqueue_push(&b->out, it);
		it = next != NULL ? next : bqueue_pop(&b->in);
	}
	if (g_atomic_int_dec_and_test(&b->running))
		bqueue_close(&b->out);
	return NULL;
}

static void batch_write(Batch *b, Item *it)
{
	const char *path = b->files[it->i];
	const KjMailResult *r = it->r;
	int rc = it->rc;
	GError *error = NULL;

	if (rc == -1) {
		b->codes[it->i] = KJ_EXIT_INPUT;
		b->lines[it->i] = g_strdup_printf("%s: unreadable: %s", path, it->error->message);
		return;
	}
	if (rc == KJ_EXIT_INPUT) {
		b->codes[it->i] = rc;
		b->lines[it->i] = g_strdup_printf(
		    "%s: error: %s", path, it->error ? it->error->message : "sanitizer failed");
		return;
	}
	g_autofree char *out = g_build_filename(b->out_dir, b->names[it->i], NULL);
	g_autofree char *rep = g_strconcat(out, ".report.json", NULL);
	if (r->output && !write_file(out, g_bytes_get_data(r->output, NULL),
				     g_bytes_get_size(r->output), FALSE, &error))
		rc = KJ_EXIT_INPUT;
	if (rc != KJ_EXIT_INPUT &&
	    !write_file(rep, r->report_json, strlen(r->report_json), FALSE, &error))
		rc = KJ_EXIT_INPUT;
	b->codes[it->i] = rc;
	if (rc == KJ_EXIT_INPUT)
		b->lines[it->i] = g_strdup_printf("%s: error: %s", path, error->message);
	else
		b->lines[it->i] = g_strdup_printf("%s: %s%s%s [%s]", path,
						  rc == KJ_EXIT_OK ? "sanitized" : "held",
						  rc == KJ_EXIT_OK ? "" : ": ", first_reason(r),
						  it->qid ? it->qid : r->original_sha256);
	g_clear_error(&error);
}

static int batch_report(Batch *b)
{
	int rc = KJ_EXIT_OK;
	guint held = 0, bad = 0;

	kj_out_begin_map(b->cli->out);
	kj_out_key(b->cli->out, "files");
	kj_out_begin_list(b->cli->out);
	for (guint i = 0; i < b->n_files; i++) {
		kj_out_line(b->cli->out, "%s", b->lines[i]);
		kj_out_string(b->cli->out, b->lines[i]);
		rc = MAX(rc, b->codes[i]);
		held += b->codes[i] == KJ_EXIT_FINDING;
		bad += b->codes[i] == KJ_EXIT_INPUT;
	}
	kj_out_end(b->cli->out);
	kj_out_key(b->cli->out, "sanitized");
	kj_out_int(b->cli->out, b->n_files - held - bad);
	kj_out_key(b->cli->out, "held");
	kj_out_int(b->cli->out, held);
	kj_out_key(b->cli->out, "errors");
	kj_out_int(b->cli->out, bad);
	kj_out_end(b->cli->out);
	kj_out_line(b->cli->out, "%u sanitized, %u held, %u unreadable", b->n_files - held - bad,
		    held, bad);
	return rc;
}

/* Output names: the input's base name, with "-2", "-3"... when two
 * inputs share one (corpora have many README.md and 1.eml). */
static char **unique_names(char **files, guint n)
{
	char **names = g_new0(char *, n + 1);
	g_autoptr(GHashTable) used = g_hash_table_new(g_str_hash, g_str_equal);

	for (guint i = 0; i < n; i++) {
		char *name = g_path_get_basename(files[i]);
		for (guint k = 2; g_hash_table_contains(used, name); k++) {
			g_free(name);
			g_autofree char *base = g_path_get_basename(files[i]);
			name = g_strdup_printf("%s-%u", base, k);
		}
		g_hash_table_add(used, name);
		names[i] = name;
	}
	return names;
}

static int sanitize_batch(KjCli *cli, KjMailProfile *profile, KjMailIsolation mode,
			  const char *out_dir, char **files, guint n, int jobs)
{
	g_autoptr(GError) error = NULL;
	Batch b = {.cli = cli,
		   .profile = profile,
		   .mode = mode,
		   .out_dir = out_dir,
		   .files = files,
		   .n_files = n};

	if (!kj_fs_mkdir_p(out_dir, 0750, &error))
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	g_mutex_init(&b.lock);
	b.codes = g_new0(int, n);
	b.lines = g_new0(char *, n + 1);
	b.names = unique_names(files, n);
	kj_out_text_quiet(cli->out, TRUE);
	bqueue_init(&b.in);
	bqueue_init(&b.out);
	b.running = jobs;
	/* Workers (their spawners, see sandbox.c) are made while this is the
	 * only thread: a copy of a process taken while another thread holds
	 * a library's lock keeps it taken. */
	b.workers = g_new0(KjMailWorker *, jobs);
	for (int t = 0; t < jobs && b.worker_error == NULL; t++)
		b.workers[t] = kj_mail_worker_new(profile, mode, &b.worker_error);
	GThread *reader = g_thread_new("mail-read", batch_reader, &b);
	GPtrArray *threads = g_ptr_array_new();
	for (int t = 0; t < jobs; t++)
		g_ptr_array_add(threads, g_thread_new("mail-sanitize", batch_thread, &b));
	Item *it;
	while ((it = bqueue_pop(&b.out)) != NULL) {
		batch_write(&b, it);
		item_free(it);
	}
	g_thread_join(reader);
	for (guint t = 0; t < threads->len; t++)
		g_thread_join(threads->pdata[t]);
	g_ptr_array_free(threads, TRUE);
	for (int t = 0; t < jobs; t++)
		kj_mail_worker_free(b.workers[t]);
	g_free(b.workers);
	g_clear_error(&b.worker_error);
	bqueue_clear(&b.in);
	bqueue_clear(&b.out);
	int rc = batch_report(&b);
	g_strfreev(b.lines);
	g_strfreev(b.names);
	g_free(b.codes);
	g_mutex_clear(&b.lock);
	return rc;
}

int kj_cli_mail_sanitize(KjCli *cli, int argc, char **argv)
{
	g_autofree char *out = NULL, *report = NULL, *profile_arg = NULL, *out_dir = NULL;
	gboolean no_sandbox = FALSE, fork_each = FALSE;
	gint jobs = 1;
	int rc = KJ_EXIT_OK;
	g_autoptr(GError) error = NULL;
	const GOptionEntry entries[] = {
	    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &out,
	     "Write the sanitized message to FILE (default: stdout)", "FILE"},
	    {"report", 0, 0, G_OPTION_ARG_FILENAME, &report, "Write the JSON report to FILE",
	     "FILE"},
	    {"profile", 'p', 0, G_OPTION_ARG_STRING, &profile_arg,
	     "Built-in profile (default, ja-iso2022jp, en, strict) or a YAML profile file", "P"},
	    {"out-dir", 0, 0, G_OPTION_ARG_FILENAME, &out_dir,
	     "Batch: sanitize every FILE into DIR (NAME and NAME.report.json)", "DIR"},
	    {"jobs", 'j', 0, G_OPTION_ARG_INT, &jobs,
	     "Batch: sandboxed workers in parallel (1-64, default 1)", "N"},
	    {"fork-each", 0, 0, G_OPTION_ARG_NONE, &fork_each,
	     "A fresh sandboxed worker for every message (slower, strictest)", NULL},
	    {"no-sandbox", 0, 0, G_OPTION_ARG_NONE, &no_sandbox,
	     "DEBUGGING ONLY: parse hostile mail in this process, without isolation", NULL},
	    G_OPTION_ENTRY_NULL};

	if (!kj_cli_parse(
		cli, &argc, &argv, entries, "[IN | --out-dir DIR FILE...]",
		"Make mail from the internet harmless (メール無害化, 基本方針 2(12)): "
		"text only, links defanged,\nattachments removed and listed, the original "
		"quarantined when the data directory exists.\n"
		"Exit 0 sanitized, 1 held, 3 unreadable input.",
		&rc))
		return rc;
	if (jobs < 1 || jobs > 64)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "--jobs must be from 1 to 64");
	if (out_dir == NULL && argc > 2)
		return kj_cli_error(cli, KJ_EXIT_USAGE,
				    "one input at a time, or --out-dir DIR with several files");
	if (out_dir && (out || report || argc < 2))
		return kj_cli_error(cli, KJ_EXIT_USAGE,
				    "--out-dir takes input FILEs and no -o or --report");
	g_autoptr(KjMailProfile) profile = load_profile(cli, profile_arg, &error);
	if (profile == NULL)
		return kj_cli_gerror(cli, KJ_EXIT_USAGE, error);
	KjMailIsolation mode = no_sandbox  ? KJ_MAIL_ISOLATE_NONE
			       : fork_each ? KJ_MAIL_ISOLATE_FORK_EACH
					   : KJ_MAIL_ISOLATE_REUSE;
	if (no_sandbox)
		fprintf(stderr, "kyojin: warning: --no-sandbox: hostile mail is parsed without "
				"isolation (debugging only)\n");
	kj_mail_global_init();
	/* Messages come and go at a few hundred KB each: keep freed memory
	 * in the heap instead of returning it to the kernel and faulting it
	 * in again for the next message (set before the workers fork, so
	 * they inherit it).  Peak memory stays one message's worth. */
	mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
	if (cli->store == NULL)
		fprintf(stderr,
			"kyojin: note: data directory %s does not exist: originals are not "
			"quarantined (create it to keep them)\n",
			cli->data_dir);
	if (out_dir)
		return sanitize_batch(cli, profile, mode, out_dir, argv + 1, (guint)(argc - 1),
				      jobs);
	return sanitize_one(cli, profile, mode, argc > 1 ? argv[1] : NULL, out, report);
}
