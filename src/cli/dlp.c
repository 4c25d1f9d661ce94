/*++
 * NAME
 *	dlp - the "kyojin dlp" commands: scan
 * DESCRIPTION
 *	kyojin dlp scan [--min-confidence LEVEL] [--no-corporate]
 *	                [--window N] FILE...
 *
 *	Looks for 個人番号 (My Number) and 法人番号 (Corporate Number) in
 *	each file ("-" is stdin): text and CSV in any charset, OOXML, PDF,
 *	archives, recursively.  Prints one line per finding with the file,
 *	the location, the kind, the confidence and the masked number
 *	("********9018"): the whole number is never printed.
 *	Exit 1 when anything is found, else 3 when a file could not be
 *	read or scanned whole (encrypted, corrupt, over a limit), else 0.
 * SECURITY
 *	Runs as the invoking user on files that user can read; the parsing
 *	is in libkyojin (dlp/).  Output carries only masked numbers, so that
 *	a terminal log or a CI artifact does not leak them (基本方針 6(3)①).
 * LIMITS
 *	dlp.* (util/limits.h): keyword window, findings, text and archive
 *	limits.
 * STANDARDS
 *	Exit codes of DESIGN.md.  基本方針 6(3)①.
 * SEE ALSO
 *	dlp/dlp.h, docs/ja/dlp.md, docs/en/dlp.md.
 *--*/
#include "cli/cli.h"

#include "dlp/dlp.h"
#include "util/fs.h"
#include "util/limits.h"

#include <stdio.h>
#include <string.h>

static char *opt_min;
static gboolean opt_no_corporate;
static gint opt_window = -1;

static const GOptionEntry scan_entries[] = {
    {"min-confidence", 0, 0, G_OPTION_ARG_STRING, &opt_min,
     "Report only findings at or above LEVEL: low (default), medium, high", "LEVEL"},
    {"no-corporate", 0, 0, G_OPTION_ARG_NONE, &opt_no_corporate,
     "Do not report 法人番号 (Corporate Numbers, which are public)", NULL},
    {"window", 0, 0, G_OPTION_ARG_INT, &opt_window,
     "Characters searched on each side of a number for a keyword (default: dlp.keyword_window, 40)",
     "N"},
    G_OPTION_ENTRY_NULL};

static gboolean parse_level(const char *s, guint *out)
{
	static const char *const names[] = {"low", "medium", "high"};

	for (guint i = 0; i < G_N_ELEMENTS(names); i++)
		if (g_ascii_strcasecmp(s, names[i]) == 0) {
			*out = i;
			return TRUE;
		}
	return FALSE;
}

static GBytes *read_arg(const char *path, GError **error)
{
	char *data = NULL;
	gsize len = 0;

	if (strcmp(path, "-") == 0) {
		GByteArray *b = g_byte_array_new();
		guint8 buf[65536];
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0) {
			if (b->len + n > (gsize)KJ_DLP_ARCHIVE_MAX_TOTAL_DEFAULT) {
				g_byte_array_unref(b);
				g_set_error(error, KJ_FS_ERROR, KJ_FS_ERROR_TOO_LARGE,
					    "stdin: larger than %lld bytes",
					    (long long)KJ_DLP_ARCHIVE_MAX_TOTAL_DEFAULT);
				return NULL;
			}
			g_byte_array_append(b, buf, (guint)n);
		}
		return g_byte_array_free_to_bytes(b);
	}
	if (!kj_fs_read_file(path, KJ_DLP_ARCHIVE_MAX_TOTAL_DEFAULT, &data, &len, error))
		return NULL;
	return g_bytes_new_take(data, len);
}

static void print_finding(KjOut *out, const char *file, const KjDlpFinding *f)
{
	kj_out_begin_map(out);
	kj_out_key(out, "kind");
	kj_out_string(out, kj_dlp_kind_name(f->kind));
	kj_out_key(out, "confidence");
	kj_out_string(out, kj_dlp_confidence_name(f->confidence));
	kj_out_key(out, "masked");
	kj_out_string(out, f->masked);
	kj_out_key(out, "location");
	if (f->location)
		kj_out_string(out, f->location);
	else
		kj_out_null(out);
	kj_out_key(out, "page");
	kj_out_int(out, f->page);
	kj_out_key(out, "line");
	kj_out_int(out, f->line);
	kj_out_key(out, "column");
	kj_out_int(out, f->column);
	kj_out_end(out);
	g_autofree char *page = f->page ? g_strdup_printf("page %u, ", f->page) : g_strdup("");
	kj_out_line(out, "%s%s%s: %sline %u, column %u: %s %s (%s)", file, f->location ? ": " : "",
		    f->location ? f->location : "", page, f->line, f->column,
		    f->kind == KJ_DLP_MY_NUMBER ? "個人番号 my_number"
						: "法人番号 corporate_number",
		    f->masked, kj_dlp_confidence_name(f->confidence));
}

/* Scans one file and describes it; returns its exit code. */
static int scan_one(KjCli *cli, const char *path, const KjDlpOptions *opts)
{
	KjOut *out = cli->out;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) findings =
	    g_ptr_array_new_with_free_func((GDestroyNotify)kj_dlp_finding_free);

	GBytes *data = read_arg(path, &error);
	gboolean ok = data && kj_dlp_scan_file(data, path, opts, findings, &error);
	if (data)
		g_bytes_unref(data);
	int rc = findings->len ? KJ_EXIT_FINDING : ok ? KJ_EXIT_OK : KJ_EXIT_INPUT;

	kj_out_begin_map(out);
	kj_out_key(out, "file");
	kj_out_string(out, path);
	kj_out_key(out, "status");
	kj_out_string(out, findings->len ? "found" : ok ? "clean" : "unreadable");
	kj_out_key(out, "error");
	if (error)
		kj_out_string(out, error->message);
	else
		kj_out_null(out);
	kj_out_key(out, "findings");
	kj_out_begin_list(out);
	for (guint i = 0; i < findings->len; i++)
		print_finding(out, path, findings->pdata[i]);
	kj_out_end(out);
	kj_out_end(out);
	if (error)
		fprintf(stderr, "kyojin: %s: %s%s\n", path, error->message,
			findings->len ? "" : " (not scanned whole; treat as not clean)");
	else if (findings->len == 0)
		kj_out_line(out, "%s: clean", path);
	return rc;
}

int kj_cli_dlp_scan(KjCli *cli, int argc, char **argv)
{
	KjDlpOptions opts;
	int rc = KJ_EXIT_OK, found = 0, unreadable = 0;

	opt_window = -1;
	if (!kj_cli_parse(
		cli, &argc, &argv, scan_entries, "FILE...",
		"Find 個人番号 and 法人番号 in files (基本方針 6(3)①); exit 1 when found.", &rc))
		goto out;
	kj_dlp_options_init(&opts);
	opts.keyword_window = (guint)cli->cfg->dlp_keyword_window;
	opts.max_text = (gsize)cli->cfg->dlp_max_text_bytes;
	opts.archive_max_total = (guint64)cli->cfg->dlp_archive_max_total;
	opts.archive_max_entries = (guint)cli->cfg->dlp_archive_max_entries;
	opts.archive_max_depth = (guint)cli->cfg->dlp_archive_max_depth;
	if (opt_min && !parse_level(opt_min, &opts.min_confidence)) {
		rc = kj_cli_error(cli, KJ_EXIT_USAGE, "--min-confidence: low, medium or high");
		goto out;
	}
	if (opt_window > KJ_DLP_KEYWORD_WINDOW_CEILING) {
		rc = kj_cli_error(cli, KJ_EXIT_USAGE, "--window: at most %d",
				  KJ_DLP_KEYWORD_WINDOW_CEILING);
		goto out;
	}
	if (opt_window >= 0)
		opts.keyword_window = (guint)opt_window;
	opts.corporate = !opt_no_corporate;
	if (argc < 2) {
		rc = kj_cli_error(cli, KJ_EXIT_USAGE,
				  "name at least one FILE (see 'kyojin %s --help')", cli->command);
		goto out;
	}
	kj_out_text_quiet(cli->out, TRUE);
	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, "files");
	kj_out_begin_list(cli->out);
	for (int i = 1; i < argc; i++) {
		int r = scan_one(cli, argv[i], &opts);
		found += r == KJ_EXIT_FINDING;
		unreadable += r == KJ_EXIT_INPUT;
	}
	kj_out_end(cli->out);
	kj_out_key(cli->out, "found");
	kj_out_int(cli->out, found);
	kj_out_key(cli->out, "unreadable");
	kj_out_int(cli->out, unreadable);
	kj_out_end(cli->out);
	rc = found ? KJ_EXIT_FINDING : unreadable ? KJ_EXIT_INPUT : KJ_EXIT_OK;
out:
	g_clear_pointer(&opt_min, g_free);
	opt_no_corporate = FALSE;
	return rc;
}
