/*++
 * NAME
 *	file - the "kyojin file" commands: sanitize
 * DESCRIPTION
 *	kyojin file sanitize IN -o OUT [--report R] [--profile P]
 *	kyojin file sanitize --out-dir D [--jobs N] FILE...
 *
 *	Content disarm and reconstruction (ファイル無害化) of files that
 *	cross into LGWAN: each file is typed by content, refused when it is
 *	of a type that is never delivered or lies about its type, and
 *	otherwise rebuilt by its engine (PDF, image, Office Open XML, text,
 *	CSV, RTF, archives).  The single form writes OUT (only when
 *	sanitized) and the JSON report; the batch form writes D/NAME with the
 *	sanitized name and D/NAME.report.json for every input.  When the data
 *	directory exists the original is kept in the store and each file gets
 *	an audit record (file.sanitize, file.block, file.hold).
 *	Exit 0 all sanitized, 1 some blocked or held, 3 unreadable input.
 * SECURITY
 *	Runs as the invoking user.  File bytes are parsed only in the
 *	sandboxed worker (--no-sandbox parses them in this process and is for
 *	debugging only).  This file reads and writes files and talks to the
 *	store and the audit log (基本方針 2(12), 6(3)②, 6(6)).
 * LIMITS
 *	cdr.* limits (util/limits.h); --jobs at most 64; --dpi 36-600.
 * STANDARDS
 *	Exit codes of DESIGN.md.
 * SEE ALSO
 *	cdr/cdr.h, docs/ja/file.md, docs/en/file.md.
 *--*/
#include "cli/cli.h"

#include "audit/audit.h"
#include "cdr/cdr.h"
#include "store/store.h"
#include "util/fs.h"
#include "util/hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
	KjCli *cli;
	const KjCdrOptions *opts;
	KjCdrIsolation mode;
	const char *out_dir;
	char **files;
	guint n_files;
	gint next;             /* atomic: next file index */
	gint taken;            /* atomic: workers handed to threads */
	KjCdrWorker **workers; /* one per thread, made before any thread */
	GMutex lock;           /* store, audit, output names */
	GHashTable *used;      /* output names taken in out_dir */
	int *codes;
	char **lines;
} Batch;

static GBytes *read_path(const char *path, gsize max, GError **error)
{
	int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	GByteArray *b;
	guint8 buf[65536];

	if (fd < 0) {
		int e = errno;
		g_set_error(error, KJ_FS_ERROR, KJ_FS_ERROR_IO, "%s: %s", path, g_strerror(e));
		return NULL;
	}
	b = g_byte_array_new();
	/* One byte more than allowed tells the engine the file is too
	 * large without reading a hostile gigabyte. */
	while (b->len <= max) {
		ssize_t n = read(fd, buf, MIN(sizeof(buf), max + 1 - b->len));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			g_set_error(error, KJ_FS_ERROR, KJ_FS_ERROR_IO, "%s: %s", path,
				    g_strerror(e));
			g_byte_array_unref(b);
			b = NULL;
			break;
		}
		if (n == 0)
			break;
		g_byte_array_append(b, buf, (guint)n);
	}
	if (fd != 0)
		close(fd);
	return b ? g_byte_array_free_to_bytes(b) : NULL;
}

/* Defaults, then the cdr.* configuration keys, then the profile: a
 * built-in name, or a YAML file (a path, or a name ending in .yaml). */
static KjCdrProfile *load_profile(const KjConfig *c, const char *arg, GError **error)
{
	KjCdrOptions o;

	kj_cdr_options_init(&o);
	o.max_input = (gsize)c->cdr_max_input_bytes;
	o.max_output = (gsize)c->cdr_max_output_bytes;
	o.archive_max_entries = (guint)c->cdr_archive_max_entries;
	o.archive_max_total = (guint64)c->cdr_archive_max_total_bytes;
	o.archive_max_ratio = (guint)c->cdr_archive_max_ratio;
	o.archive_max_depth = (guint)c->cdr_archive_max_depth;
	o.pdf_dpi = (guint)c->cdr_pdf_dpi;
	o.pdf_max_pages = (guint)c->cdr_pdf_max_pages;
	o.pdf_max_pixels = (guint64)c->cdr_pdf_max_pixels;
	o.image_max_dim = (guint)c->cdr_image_max_dim;
	o.image_max_pixels = (guint64)c->cdr_image_max_pixels;
	o.convert_timeout_s = (guint)c->cdr_convert_timeout_s;
	o.convert_memory = (guint64)c->cdr_convert_memory_bytes;
	if (arg &&
	    (strchr(arg, '/') || g_str_has_suffix(arg, ".yaml") || g_str_has_suffix(arg, ".yml"))) {
		g_autofree char *data = NULL;
		gsize len = 0;
		if (!kj_fs_read_file(arg, KJ_CDR_PROFILE_MAX_BYTES, &data, &len, error))
			return NULL;
		return kj_cdr_profile_new_from_data(arg, data, len, &o, error);
	}
	return kj_cdr_profile_new(arg, &o, error);
}

/* Keeps the original and records the verdict, when there is a store. */
static gboolean keep_and_audit(KjCli *cli, GMutex *lock, GBytes *raw, const char *path,
			       const KjCdrResult *r, GError **error)
{
	char id[KJ_SHA256_HEX_LEN + 1];
	static const char *const actions[] = {"file.sanitize", "file.block", "file.hold"};
	gboolean ok = TRUE;

	if (cli->store == NULL)
		return TRUE;
	g_mutex_lock(lock);
	ok =
	    kj_store_put(cli->store, g_bytes_get_data(raw, NULL), g_bytes_get_size(raw), id, error);
	if (ok && cli->audit) {
		json_t *d = kj_cdr_result_to_json(r);
		g_autofree char *base = g_path_get_basename(path);
		json_object_set_new(d, "file",
				    json_string(g_utf8_validate(base, -1, NULL) ? base : "?"));
		ok = kj_audit_append(cli->audit, cli->actor, actions[r->verdict], id, d, NULL,
				     error);
		json_decref(d);
	}
	g_mutex_unlock(lock);
	return ok;
}

static gboolean write_file(const char *path, const void *data, gsize len, GError **error)
{
	if (strcmp(path, "-") == 0)
		return kj_fs_write_all(1, data, len, "stdout", error);
	return kj_fs_write_atomic(path, data, len, 0640, error);
}

static char *report_text(const KjCdrResult *r)
{
	json_t *j = kj_cdr_result_to_json(r);
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	char *g = g_strdup(s ? s : "{}");
	free(s);
	return g;
}

static int verdict_code(const KjCdrResult *r)
{
	return r->verdict == KJ_CDR_SANITIZED ? KJ_EXIT_OK : KJ_EXIT_FINDING;
}

static void print_single(KjCli *cli, const char *in, const char *out, const KjCdrResult *r,
			 const char *report)
{
	KjOut *o = cli->out;

	kj_out_text_quiet(o, TRUE);
	kj_out_begin_map(o);
	kj_out_key(o, "file");
	kj_out_string(o, in);
	kj_out_key(o, "verdict");
	kj_out_string(o, kj_cdr_verdict_name(r->verdict));
	kj_out_key(o, "report");
	kj_out_json_text(o, report);
	kj_out_end(o);
	if (r->verdict == KJ_CDR_SANITIZED)
		kj_out_line(o, "sanitized: %s -> %s (%s, %u changes)", in, out ? out : "-",
			    r->output_type, r->actions->len);
	else
		fprintf(stderr, "kyojin: %s: %s: %s\n", kj_cdr_verdict_name(r->verdict), in,
			r->reason);
}

static int sanitize_one(KjCli *cli, const KjCdrOptions *opts, KjCdrIsolation mode, const char *in,
			const char *out, const char *report_path, const char *name,
			const char *declared)
{
	g_autoptr(GError) error = NULL;
	GMutex lock;

	g_autoptr(GBytes) raw = read_path(in, opts->max_input, &error);
	if (raw == NULL)
		return kj_cli_error(cli, KJ_EXIT_INPUT, "cannot read the file: %s", error->message);
	g_autoptr(KjCdrWorker) w = kj_cdr_worker_new(opts, mode);
	g_autofree char *base = g_path_get_basename(in);
	g_autoptr(KjCdrResult) r =
	    kj_cdr_worker_sanitize(w, raw, name ? name : base, declared, &error);
	if (r == NULL)
		return kj_cli_error(cli, KJ_EXIT_INPUT, "%s (the file was not delivered)",
				    error ? error->message : "sanitizer failed");
	g_mutex_init(&lock);
	gboolean kept = keep_and_audit(cli, &lock, raw, in, r, &error);
	g_mutex_clear(&lock);
	if (!kept)
		return kj_cli_error(cli, KJ_EXIT_INPUT,
				    "cannot keep the original: %s "
				    "(the file was not delivered)",
				    error->message);
	g_autofree char *rep = report_text(r);
	if (report_path && !write_file(report_path, rep, strlen(rep), &error))
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	if (r->output && !write_file(out, g_bytes_get_data(r->output, NULL),
				     g_bytes_get_size(r->output), &error))
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	if (strcmp(out, "-") != 0)
		print_single(cli, in, out, r, rep);
	else if (r->verdict != KJ_CDR_SANITIZED)
		fprintf(stderr, "kyojin: %s: %s: %s\n", kj_cdr_verdict_name(r->verdict), in,
			r->reason);
	return verdict_code(r);
}

/* A name in out_dir nobody else took: NAME, 2-NAME, 3-NAME ... */
static char *claim_name(Batch *b, const char *name)
{
	char *u = g_strdup(name);
	g_mutex_lock(&b->lock);
	for (guint k = 2; g_hash_table_contains(b->used, u); k++) {
		g_free(u);
		u = g_strdup_printf("%u-%s", k, name);
	}
	g_hash_table_add(b->used, g_strdup(u));
	g_mutex_unlock(&b->lock);
	return u;
}

static void batch_file(Batch *b, KjCdrWorker *w, guint i)
{
	g_autoptr(GError) error = NULL;
	const char *path = b->files[i];
	g_autofree char *base = g_path_get_basename(path);

	g_autoptr(GBytes) raw = read_path(path, b->opts->max_input, &error);
	if (raw == NULL) {
		b->codes[i] = KJ_EXIT_INPUT;
		b->lines[i] = g_strdup_printf("%s: unreadable: %s", path, error->message);
		return;
	}
	g_autoptr(KjCdrResult) r = kj_cdr_worker_sanitize(w, raw, base, NULL, &error);
	if (r == NULL || !keep_and_audit(b->cli, &b->lock, raw, path, r, &error)) {
		b->codes[i] = KJ_EXIT_INPUT;
		b->lines[i] = g_strdup_printf("%s: error: %s", path,
					      error ? error->message : "sanitizer failed");
		return;
	}
	g_autofree char *name = claim_name(b, r->output_name ? r->output_name : base);
	g_autofree char *out = g_build_filename(b->out_dir, name, NULL);
	g_autofree char *rep_path = g_strconcat(out, ".report.json", NULL);
	g_autofree char *rep = report_text(r);
	int rc = verdict_code(r);
	if ((r->output && !write_file(out, g_bytes_get_data(r->output, NULL),
				      g_bytes_get_size(r->output), &error)) ||
	    !write_file(rep_path, rep, strlen(rep), &error)) {
		b->codes[i] = KJ_EXIT_INPUT;
		b->lines[i] = g_strdup_printf("%s: error: %s", path, error->message);
		return;
	}
	b->codes[i] = rc;
	if (rc == KJ_EXIT_OK)
		b->lines[i] = g_strdup_printf("%s: sanitized -> %s", path, name);
	else
		b->lines[i] =
		    g_strdup_printf("%s: %s: %s", path, kj_cdr_verdict_name(r->verdict), r->reason);
}

static gpointer batch_thread(gpointer data)
{
	Batch *b = data;
	KjCdrWorker *w = b->workers[g_atomic_int_add(&b->taken, 1)];

	for (;;) {
		guint i = (guint)g_atomic_int_add(&b->next, 1);
		if (i >= b->n_files)
			break;
		batch_file(b, w, i);
	}
	return NULL;
}

static int batch_report(Batch *b)
{
	KjOut *o = b->cli->out;
	int rc = KJ_EXIT_OK;
	guint refused = 0, bad = 0;

	kj_out_begin_map(o);
	kj_out_key(o, "files");
	kj_out_begin_list(o);
	for (guint i = 0; i < b->n_files; i++) {
		kj_out_line(o, "%s", b->lines[i]);
		kj_out_string(o, b->lines[i]);
		rc = MAX(rc, b->codes[i]);
		refused += b->codes[i] == KJ_EXIT_FINDING;
		bad += b->codes[i] == KJ_EXIT_INPUT;
	}
	kj_out_end(o);
	kj_out_key(o, "sanitized");
	kj_out_int(o, b->n_files - refused - bad);
	kj_out_key(o, "blocked_or_held");
	kj_out_int(o, refused);
	kj_out_key(o, "errors");
	kj_out_int(o, bad);
	kj_out_end(o);
	kj_out_line(o, "%u sanitized, %u blocked or held, %u unreadable",
		    b->n_files - refused - bad, refused, bad);
	return rc;
}

static int sanitize_batch(KjCli *cli, const KjCdrOptions *opts, KjCdrIsolation mode,
			  const char *out_dir, char **files, guint n, int jobs)
{
	g_autoptr(GError) error = NULL;
	Batch b = {.cli = cli,
		   .opts = opts,
		   .mode = mode,
		   .out_dir = out_dir,
		   .files = files,
		   .n_files = n};

	if (!kj_fs_mkdir_p(out_dir, 0750, &error))
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	g_mutex_init(&b.lock);
	b.used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	b.codes = g_new0(int, n);
	b.lines = g_new0(char *, n + 1);
	kj_out_text_quiet(cli->out, TRUE);
	GPtrArray *threads = g_ptr_array_new();
	guint nthreads = MIN((guint)jobs, n);
	/* Workers (their spawners, see sandbox.c) are made while this is the
	 * only thread: a copy of a process taken while another thread holds
	 * a library's lock keeps it taken. */
	b.workers = g_new0(KjCdrWorker *, nthreads);
	for (guint t = 0; t < nthreads; t++)
		b.workers[t] = kj_cdr_worker_new(opts, mode);
	for (guint t = 0; t < nthreads; t++)
		g_ptr_array_add(threads, g_thread_new("file-sanitize", batch_thread, &b));
	for (guint t = 0; t < threads->len; t++)
		g_thread_join(threads->pdata[t]);
	g_ptr_array_free(threads, TRUE);
	for (guint t = 0; t < nthreads; t++)
		kj_cdr_worker_free(b.workers[t]);
	g_free(b.workers);
	int rc = batch_report(&b);
	g_strfreev(b.lines);
	g_free(b.codes);
	g_hash_table_unref(b.used);
	g_mutex_clear(&b.lock);
	return rc;
}

static gboolean apply_pdf_options(const char *mode, gint dpi, KjCdrOptions *o)
{
	if (mode && strcmp(mode, "pixel") == 0)
		o->pdf_mode = KJ_CDR_PDF_PIXEL;
	else if (mode && strcmp(mode, "structural") == 0)
		o->pdf_mode = KJ_CDR_PDF_STRUCTURAL;
	else if (mode && strcmp(mode, "text") == 0)
		o->pdf_mode = KJ_CDR_PDF_TEXT;
	else if (mode)
		return FALSE;
	if (dpi != 0 && (dpi < 36 || dpi > 600))
		return FALSE;
	if (dpi)
		o->pdf_dpi = (guint)dpi;
	return TRUE;
}

int kj_cli_file_sanitize(KjCli *cli, int argc, char **argv)
{
	g_autofree char *out = NULL, *report = NULL, *profile = NULL, *out_dir = NULL;
	g_autofree char *pdf_mode = NULL, *name = NULL, *declared = NULL, *converter = NULL;
	gboolean no_sandbox = FALSE, fork_each = FALSE;
	gint jobs = 1, dpi = 0;
	int rc = KJ_EXIT_OK;
	g_autoptr(GError) error = NULL;
	KjCdrOptions opts;
	g_autoptr(KjCdrProfile) prof = NULL;
	const GOptionEntry entries[] = {
	    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &out,
	     "Write the sanitized file to FILE ('-' for stdout)", "FILE"},
	    {"report", 0, 0, G_OPTION_ARG_FILENAME, &report, "Write the JSON report to FILE",
	     "FILE"},
	    {"profile", 'p', 0, G_OPTION_ARG_STRING, &profile,
	     "Built-in profile (default, office, strict, text) or a YAML profile file", "P"},
	    {"converter", 0, 0, G_OPTION_ARG_FILENAME, &converter,
	     "Convert legacy Office (doc, xls, ppt) to PDF with PROG: libreoffice, a path to an "
	     "soffice-compatible program, or none",
	     "PROG"},
	    {"out-dir", 0, 0, G_OPTION_ARG_FILENAME, &out_dir,
	     "Batch: sanitize every FILE into DIR (NAME and NAME.report.json)", "DIR"},
	    {"jobs", 'j', 0, G_OPTION_ARG_INT, &jobs,
	     "Batch: sandboxed workers in parallel (1-64, default 1)", "N"},
	    {"pdf-mode", 0, 0, G_OPTION_ARG_STRING, &pdf_mode,
	     "PDF: pixel (default), structural or text", "MODE"},
	    {"dpi", 0, 0, G_OPTION_ARG_INT, &dpi, "PDF pixel mode resolution (36-600, default 150)",
	     "N"},
	    {"name", 0, 0, G_OPTION_ARG_STRING, &name,
	     "Judge the file under this name (default: IN's name)", "NAME"},
	    {"declared-type", 0, 0, G_OPTION_ARG_STRING, &declared,
	     "The MIME type the sender declared, compared with the content", "TYPE"},
	    {"fork-each", 0, 0, G_OPTION_ARG_NONE, &fork_each,
	     "A fresh sandboxed worker for every file (slower, strictest)", NULL},
	    {"no-sandbox", 0, 0, G_OPTION_ARG_NONE, &no_sandbox,
	     "DEBUGGING ONLY: parse hostile files in this process, without isolation", NULL},
	    G_OPTION_ENTRY_NULL};

	if (!kj_cli_parse(
		cli, &argc, &argv, entries, "[IN -o OUT | --out-dir DIR FILE...]",
		"Disarm and rebuild files entering LGWAN (ファイル無害化, 基本方針 2(12)).\n"
		"Exit 0 sanitized, 1 blocked or held, 3 unreadable input.",
		&rc))
		return rc;
	if (jobs < 1 || jobs > 64)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "--jobs must be from 1 to 64");
	if (out_dir && (out || report || name || declared || argc < 2))
		return kj_cli_error(cli, KJ_EXIT_USAGE,
				    "--out-dir takes input FILEs and no -o, --report, --name or "
				    "--declared-type");
	if (out_dir == NULL && (argc != 2 || out == NULL))
		return kj_cli_error(cli, KJ_EXIT_USAGE,
				    "give one input and -o OUT, or --out-dir DIR with files");
	prof = load_profile(cli->cfg, profile, &error);
	if (prof == NULL)
		return kj_cli_gerror(cli, KJ_EXIT_USAGE, error);
	opts = prof->opts;
	if (!apply_pdf_options(pdf_mode, dpi, &opts))
		return kj_cli_error(cli, KJ_EXIT_USAGE,
				    "--pdf-mode is pixel, structural or text; --dpi 36-600");
	if (converter)
		opts.ole2_converter =
		    *converter == '\0' || strcmp(converter, "none") == 0 ? NULL : converter;
	if (no_sandbox)
		fprintf(stderr, "kyojin: warning: --no-sandbox: hostile files are parsed without "
				"isolation (debugging only)\n");
	KjCdrIsolation mode = no_sandbox  ? KJ_CDR_ISOLATE_NONE
			      : fork_each ? KJ_CDR_ISOLATE_FORK_EACH
					  : KJ_CDR_ISOLATE_REUSE;
	kj_cdr_global_init();
	if (cli->store == NULL)
		fprintf(stderr,
			"kyojin: note: data directory %s does not exist: originals are not kept "
			"(create it to keep them)\n",
			cli->data_dir);
	if (out_dir)
		return sanitize_batch(cli, &opts, mode, out_dir, argv + 1, (guint)(argc - 1), jobs);
	return sanitize_one(cli, &opts, mode, argv[1], out, report, name, declared);
}
