/*++
 * NAME
 *	store - "kyojin store put | get | fsck | info"
 * DESCRIPTION
 *	Front end of the content-addressed store.  put adds files and prints
 *	their ids (recording each in the audit log); get writes a blob,
 *	verified against its id, to a file or standard output; fsck finds
 *	missing, corrupt and orphaned blobs and, with --repair, registers
 *	orphans and moves what cannot be kept to lost+found (never deletes);
 *	info shows where the store is, its schema version and its counts.
 *
 *	fsck is opened read-only by the dispatch table, as a check must not
 *	change what it checks.  --repair therefore reopens the store
 *	read-write (and the audit log, to record each repair) itself.
 * SECURITY
 *	Runs as the invoking user.  Blob bytes are hostile: get writes them
 *	only where asked, and a blob that fails verification is never
 *	written at all.  Ids typed by users are checked by the library
 *	before they touch a path.
 * STANDARDS
 *	基本方針 2(6) 完全性, 6(8).  Exit codes: fsck exits 1 when it found
 *	problems; get exits 3 for a missing, corrupt or malformed id.
 * SEE ALSO
 *	store/store.h, store/blob.c, store/fsck.c
 *--*/
#include "audit/audit.h"
#include "cli/cli.h"
#include "store/store.h"
#include "util/fs.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*
 * put
 */

typedef struct {
	char id[KJ_SHA256_HEX_LEN + 1];
	gint64 size;
	const char *file;
} PutResult;

static gboolean audit_put(KjCli *cli, const PutResult *r, GError **error)
{
	json_t *details = json_pack("{s:s, s:I}", "file", r->file, "size", (json_int_t)r->size);
	gboolean ok =
	    kj_audit_append(cli->audit, cli->actor, "store.put", r->id, details, NULL, error);

	json_decref(details);
	return ok;
}

static void print_puts(KjCli *cli, GArray *results)
{
	kj_out_text_quiet(cli->out, TRUE);
	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, "blobs");
	kj_out_begin_list(cli->out);
	for (guint i = 0; i < results->len; i++) {
		const PutResult *r = &g_array_index(results, PutResult, i);
		kj_out_line(cli->out, "%s  %s", r->id, r->file);
		kj_out_begin_map(cli->out);
		kj_out_key(cli->out, "id");
		kj_out_string(cli->out, r->id);
		kj_out_key(cli->out, "size");
		kj_out_int(cli->out, r->size);
		kj_out_key(cli->out, "file");
		kj_out_string(cli->out, r->file);
		kj_out_end(cli->out);
	}
	kj_out_end(cli->out);
	kj_out_end(cli->out);
}

int kj_cli_store_put(KjCli *cli, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) results = g_array_new(FALSE, TRUE, sizeof(PutResult));
	int rc;

	if (!kj_cli_parse(cli, &argc, &argv, NULL, "FILE...",
			  "Add files to the store and print their ids (SHA-256).  '-' reads "
			  "standard input.  Each put is recorded in the audit log.",
			  &rc))
		return rc;
	if (argc < 2)
		return kj_cli_error(cli, KJ_EXIT_USAGE,
				    "store put needs at least one FILE ('-' for standard input)");
	for (int i = 1; i < argc; i++) {
		PutResult r = {.file = argv[i]};
		gboolean ok = strcmp(argv[i], "-") == 0
				  ? kj_store_put_fd(cli->store, STDIN_FILENO, r.id, &r.size, &error)
				  : kj_store_put_file(cli->store, argv[i], r.id, &r.size, &error);
		if (!ok)
			return kj_cli_error(cli, KJ_EXIT_INPUT,
					    "%s (%u of %d files stored before it)", error->message,
					    results->len, argc - 1);
		/* The blob is safe on disk; without its audit record the
		 * operator must know, since the trail is now incomplete. */
		if (!audit_put(cli, &r, &error))
			return kj_cli_error(cli, KJ_EXIT_INPUT,
					    "blob %s (%s) was stored but not recorded in the audit "
					    "log: %s",
					    r.id, r.file, error->message);
		g_array_append_val(results, r);
	}
	print_puts(cli, results);
	return KJ_EXIT_OK;
}

/*
 * get
 */

static int print_get(KjCli *cli, const char *id, GBytes *bytes, const char *output)
{
	gsize len = 0;
	const char *data = g_bytes_get_data(bytes, &len);

	if (output == NULL && !cli->json) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
			return kj_cli_error(cli, KJ_EXIT_INPUT, "cannot write to standard output");
		return KJ_EXIT_OK;
	}
	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, "id");
	kj_out_string(cli->out, id);
	kj_out_key(cli->out, "size");
	kj_out_int(cli->out, (gint64)len);
	if (output) {
		kj_out_key(cli->out, "file");
		kj_out_string(cli->out, output);
	} else {
		g_autofree char *b64 = g_base64_encode((const guchar *)data, len);
		kj_out_key(cli->out, "content_base64");
		kj_out_string(cli->out, b64);
	}
	kj_out_end(cli->out);
	return KJ_EXIT_OK;
}

int kj_cli_store_get(KjCli *cli, int argc, char **argv)
{
	g_autofree char *output = NULL;
	const GOptionEntry entries[] = {{"output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
					 "Write to FILE (mode 0600) instead of standard output",
					 "FILE"},
					G_OPTION_ENTRY_NULL};
	g_autoptr(GError) error = NULL;
	int rc;

	if (!kj_cli_parse(cli, &argc, &argv, entries, "ID",
			  "Write the blob ID, verified against its SHA-256, to standard output or "
			  "a file.  A corrupt blob is refused, never written.  With --json and no "
			  "-o the content is given in base64.",
			  &rc))
		return rc;
	if (argc != 2)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "store get needs exactly one ID");
	g_autoptr(GBytes) bytes = kj_store_get(cli->store, argv[1], &error);
	if (bytes == NULL)
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	if (output) {
		gsize len = 0;
		const void *data = g_bytes_get_data(bytes, &len);
		if (!kj_fs_write_atomic(output, data, len, 0600, &error))
			return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	}
	return print_get(cli, argv[1], bytes, output);
}

/*
 * fsck
 */

typedef struct {
	KjStoreProblemKind kind;
	char *id;
	char *path;
	char *detail;
	char *action;
} Problem;

static void problem_free(gpointer p)
{
	Problem *pr = p;

	g_free(pr->id);
	g_free(pr->path);
	g_free(pr->detail);
	g_free(pr->action);
	g_free(pr);
}

static void collect_problem(const KjStoreProblem *p, gpointer user_data)
{
	Problem *pr = g_new0(Problem, 1);

	pr->kind = p->kind;
	pr->id = g_strdup(p->id);
	pr->path = g_strdup(p->path);
	pr->detail = g_strdup(p->detail);
	pr->action = g_strdup(p->action);
	g_ptr_array_add(user_data, pr);
}

/* --repair: a writable store and the audit log, opened here because the
 * dispatch table opens fsck read-only (see DESCRIPTION). */
static gboolean open_for_repair(KjCli *cli, KjAudit **audit, GError **error)
{
	KjStoreOptions so = {
	    .max_blob_bytes = cli->cfg->store_max_blob_bytes,
	    .busy_timeout_ms = cli->cfg->store_busy_timeout_ms,
	};
	KjAuditOptions ao = {
	    .max_record_bytes = cli->cfg->audit_max_record_bytes,
	    .lock_timeout_s = cli->cfg->audit_lock_timeout_s,
	};
	KjStore *w = kj_store_open(cli->data_dir, &so, error);

	if (w == NULL)
		return FALSE;
	kj_store_free(cli->store);
	cli->store = w;
	*audit = kj_audit_open(cli->data_dir, &ao, error);
	return *audit != NULL;
}

static gboolean audit_repairs(KjCli *cli, KjAudit *audit, GPtrArray *problems, GError **error)
{
	for (guint i = 0; i < problems->len; i++) {
		const Problem *p = g_ptr_array_index(problems, i);
		if (p->action == NULL)
			continue;
		json_t *d =
		    json_pack("{s:s, s:s, s:s}", "problem", kj_store_problem_kind_name(p->kind),
			      "detail", p->detail, "action", p->action);
		gboolean ok = kj_audit_append(audit, cli->actor, "store.repair",
					      p->id ? p->id : p->path, d, NULL, error);
		json_decref(d);
		if (!ok)
			return FALSE;
	}
	return TRUE;
}

static void print_problem(KjOut *out, const Problem *p)
{
	const char *kind = kj_store_problem_kind_name(p->kind);

	kj_out_line(out, "%-8s %s  %s%s%s", kind, p->id ? p->id : p->path, p->detail,
		    p->action ? " -> " : "", p->action ? p->action : "");
	kj_out_begin_map(out);
	kj_out_key(out, "kind");
	kj_out_string(out, kind);
	kj_out_key(out, "id");
	kj_out_string(out, p->id);
	kj_out_key(out, "path");
	kj_out_string(out, p->path);
	kj_out_key(out, "detail");
	kj_out_string(out, p->detail);
	kj_out_key(out, "action");
	kj_out_string(out, p->action);
	kj_out_end(out);
}

static void print_fsck(KjCli *cli, GPtrArray *problems, const KjStoreFsckStats *st)
{
	KjOut *out = cli->out;

	kj_out_text_quiet(out, TRUE);
	kj_out_begin_map(out);
	kj_out_key(out, "clean");
	kj_out_bool(out, st->problems == 0);
	kj_out_key(out, "problems");
	kj_out_begin_list(out);
	for (guint i = 0; i < problems->len; i++)
		print_problem(out, g_ptr_array_index(problems, i));
	kj_out_end(out);
	kj_out_key(out, "stats");
	kj_out_begin_map(out);
	kj_out_key(out, "rows");
	kj_out_int(out, st->rows);
	kj_out_key(out, "files");
	kj_out_int(out, st->files);
	kj_out_key(out, "bytes_hashed");
	kj_out_int(out, st->bytes_hashed);
	kj_out_key(out, "problems");
	kj_out_int(out, st->problems);
	kj_out_key(out, "repaired");
	kj_out_int(out, st->repaired);
	kj_out_end(out);
	kj_out_end(out);
	if (st->problems == 0)
		kj_out_line(out,
			    "checked %" G_GINT64_FORMAT " rows and %" G_GINT64_FORMAT
			    " blob files: store is consistent",
			    st->rows, st->files);
	else
		kj_out_line(out,
			    "checked %" G_GINT64_FORMAT " rows and %" G_GINT64_FORMAT
			    " blob files: %" G_GINT64_FORMAT " problem(s), %" G_GINT64_FORMAT
			    " repaired",
			    st->rows, st->files, st->problems, st->repaired);
}

int kj_cli_store_fsck(KjCli *cli, int argc, char **argv)
{
	gboolean repair = FALSE, quick = FALSE;
	const GOptionEntry entries[] = {
	    {"repair", 0, 0, G_OPTION_ARG_NONE, &repair,
	     "Register orphaned blobs, correct row sizes, move corrupt, stale and stray files "
	     "to lost+found (nothing is deleted); each repair is audited",
	     NULL},
	    {"quick", 0, 0, G_OPTION_ARG_NONE, &quick,
	     "Do not read blob contents (finds missing and orphaned blobs, not corrupt ones)",
	     NULL},
	    G_OPTION_ENTRY_NULL};
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(problem_free);
	g_autoptr(KjAudit) audit = NULL;
	KjStoreFsckStats stats;
	int rc;

	if (!kj_cli_parse(cli, &argc, &argv, entries, "",
			  "Check every blob against its id and the blobs table.  Exit 0 when the "
			  "store is consistent, 1 when problems were found (listed, one a line). "
			  "A missing blob cannot be repaired: put the same file again.",
			  &rc))
		return rc;
	if (argc != 1)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "store fsck takes no arguments");
	if (repair && !open_for_repair(cli, &audit, &error))
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	KjStoreFsckFlags flags =
	    (repair ? KJ_STORE_FSCK_REPAIR : 0) | (quick ? KJ_STORE_FSCK_QUICK : 0);
	gboolean ok = kj_store_fsck(cli->store, flags, cli->cfg->store_temp_stale_s,
				    collect_problem, problems, &stats, &error);
	if (ok && audit)
		ok = audit_repairs(cli, audit, problems, &error);
	if (!ok)
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	print_fsck(cli, problems, &stats);
	return stats.problems > 0 ? KJ_EXIT_FINDING : KJ_EXIT_OK;
}

/*
 * info
 */

int kj_cli_store_info(KjCli *cli, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	KjStoreStats st;
	int rc;

	if (!kj_cli_parse(cli, &argc, &argv, NULL, "",
			  "Show the store's location, database, schema version and counts.", &rc))
		return rc;
	if (argc != 1)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "store info takes no arguments");
	if (!kj_store_get_stats(cli->store, &st, &error))
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	KjDb *db = kj_store_get_db(cli->store);
	KjOut *out = cli->out;
	kj_out_begin_map(out);
	kj_out_key(out, "data_dir");
	kj_out_string(out, kj_store_get_data_dir(cli->store));
	kj_out_key(out, "database");
	kj_out_string(out, kj_db_get_location(db));
	kj_out_key(out, "backend");
	kj_out_string(out, kj_db_get_backend_name(db));
	kj_out_key(out, "schema_version");
	kj_out_int(out, kj_store_schema_version(cli->store));
	kj_out_key(out, "schema_version_supported");
	kj_out_int(out, kj_store_schema_version_supported());
	kj_out_key(out, "blobs");
	kj_out_int(out, st.blobs);
	kj_out_key(out, "bytes");
	kj_out_int(out, st.bytes);
	kj_out_key(out, "max_blob_bytes");
	kj_out_int(out, kj_store_get_max_blob_bytes(cli->store));
	kj_out_end(out);
	return KJ_EXIT_OK;
}
