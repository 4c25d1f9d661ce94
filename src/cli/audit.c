/*++
 * NAME
 *	audit - "kyojin audit append | show | verify | head"
 * DESCRIPTION
 *	Front end of the audit trail.  append is for scripts (an operator's
 *	own procedures can be recorded in the same chain); show prints
 *	records; verify proves the chain intact and names the first bad
 *	record; head prints the chain head for publication elsewhere, and
 *	verify --head proves the log still extends a head published before.
 * SECURITY
 *	Runs as the invoking user; show and verify only read.
 * STANDARDS
 *	基本方針 6(7), 7.  Exit codes: verify exits 1 when the chain is
 *	broken, 3 when the log cannot be read.
 * SEE ALSO
 *	audit/audit.c, audit/audit_read.c
 *--*/
#include "audit/audit.h"
#include "cli/cli.h"

#include <errno.h>
#include <string.h>

static char *log_path(KjCli *cli)
{
	return g_build_filename(cli->data_dir, KJ_AUDIT_LOG_NAME, NULL);
}

static void out_head(KjCli *cli, const KjAuditHead *h)
{
	g_autofree char *witness = g_strdup_printf("%" G_GINT64_FORMAT ":%s", h->seq, h->hash);

	kj_out_key(cli->out, "seq");
	kj_out_int(cli->out, h->seq);
	kj_out_key(cli->out, "hash");
	kj_out_string(cli->out, h->hash);
	kj_out_key(cli->out, "witness");
	kj_out_string(cli->out, witness);
}

int kj_cli_audit_append(KjCli *cli, int argc, char **argv)
{
	g_autofree char *action = NULL, *object = NULL, *details = NULL;
	const GOptionEntry entries[] = {
	    {"action", 0, 0, G_OPTION_ARG_STRING, &action, "What was done (required)", "ACTION"},
	    {"object", 0, 0, G_OPTION_ARG_STRING, &object, "What it was done to (required)",
	     "OBJECT"},
	    {"details", 0, 0, G_OPTION_ARG_STRING, &details, "A JSON object with details", "JSON"},
	    G_OPTION_ENTRY_NULL};
	int rc;
	g_autoptr(GError) error = NULL;

	if (!kj_cli_parse(cli, &argc, &argv, entries, "",
			  "Append one record to the audit log; the actor is --actor.", &rc))
		return rc;
	if (argc != 1 || action == NULL || object == NULL)
		return kj_cli_error(cli, KJ_EXIT_USAGE,
				    "audit append needs --action and --object and no arguments");
	json_t *d = NULL;
	if (details) {
		json_error_t jerr;
		d = json_loads(details, JSON_REJECT_DUPLICATES, &jerr);
		if (!json_is_object(d)) {
			json_decref(d);
			return kj_cli_error(cli, KJ_EXIT_USAGE,
					    "--details must be a JSON object (%s)",
					    d ? "not an object" : jerr.text);
		}
	}
	KjAuditHead head;
	gboolean ok = kj_audit_append(cli->audit, cli->actor, action, object, d, &head, &error);
	json_decref(d);
	if (!ok)
		return kj_cli_gerror(
		    cli, error->code == KJ_AUDIT_ERROR_INVALID ? KJ_EXIT_USAGE : KJ_EXIT_INPUT,
		    error);
	kj_out_begin_map(cli->out);
	out_head(cli, &head);
	kj_out_end(cli->out);
	return KJ_EXIT_OK;
}

typedef struct {
	KjCli *cli;
	gint64 since_seq;
	GDateTime *since_time;
	gint64 count;
} ShowCtx;

static gboolean show_one(const KjAuditRecord *r, gpointer ud)
{
	ShowCtx *c = ud;
	KjOut *out = c->cli->out;

	if (r->seq < c->since_seq)
		return TRUE;
	if (c->since_time) {
		g_autoptr(GDateTime) t = g_date_time_new_from_iso8601(r->time, NULL);
		if (t && g_date_time_compare(t, c->since_time) < 0)
			return TRUE;
	}
	c->count++;
	g_autofree char *details = r->details ? json_dumps(r->details, JSON_COMPACT) : NULL;
	kj_out_line(out, "%" G_GINT64_FORMAT "  %s  %s  %s  %s%s%s", r->seq, r->time, r->actor,
		    r->action, r->object, details ? "  " : "", details ? details : "");
	kj_out_begin_map(out);
	kj_out_key(out, "seq");
	kj_out_int(out, r->seq);
	kj_out_key(out, "time");
	kj_out_string(out, r->time);
	kj_out_key(out, "actor");
	kj_out_string(out, r->actor);
	kj_out_key(out, "action");
	kj_out_string(out, r->action);
	kj_out_key(out, "object");
	kj_out_string(out, r->object);
	kj_out_key(out, "details");
	if (details)
		kj_out_json_text(out, details);
	else
		kj_out_null(out);
	kj_out_key(out, "hash");
	kj_out_string(out, r->hash);
	kj_out_end(out);
	return TRUE;
}

/* --since takes a sequence number, an RFC 3339 time or a date. */
static gboolean parse_since(const char *s, ShowCtx *c)
{
	char *end = NULL;

	errno = 0;
	gint64 v = g_ascii_strtoll(s, &end, 10);
	if (errno == 0 && end != s && *end == '\0' && v >= 0) {
		c->since_seq = v;
		return TRUE;
	}
	g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
	c->since_time = g_date_time_new_from_iso8601(s, utc);
	if (c->since_time == NULL) {
		g_autofree char *midnight = g_strdup_printf("%sT00:00:00", s);
		c->since_time = g_date_time_new_from_iso8601(midnight, utc);
	}
	return c->since_time != NULL;
}

int kj_cli_audit_show(KjCli *cli, int argc, char **argv)
{
	g_autofree char *since = NULL;
	const GOptionEntry entries[] = {
	    {"since", 0, 0, G_OPTION_ARG_STRING, &since,
	     "Only records from this sequence number, time (RFC 3339) or date (YYYY-MM-DD)",
	     "WHEN"},
	    G_OPTION_ENTRY_NULL};
	ShowCtx c = {.cli = cli};
	int rc;
	g_autoptr(GError) error = NULL;

	if (!kj_cli_parse(cli, &argc, &argv, entries, "", "Print audit records.", &rc))
		return rc;
	if (argc != 1)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "audit show takes no arguments");
	if (since && !parse_since(since, &c))
		return kj_cli_error(cli, KJ_EXIT_USAGE,
				    "--since '%s' is not a sequence number, RFC 3339 time or date",
				    since);
	g_autofree char *path = log_path(cli);
	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, "records");
	kj_out_begin_list(cli->out);
	kj_out_text_quiet(cli->out, TRUE);
	gboolean ok = kj_audit_read(path, show_one, &c, &error);
	kj_out_text_quiet(cli->out, FALSE);
	kj_out_end(cli->out);
	kj_out_end(cli->out);
	if (c.since_time)
		g_date_time_unref(c.since_time);
	if (!ok)
		return kj_cli_error(
		    cli, error->code == KJ_AUDIT_ERROR_TAMPERED ? KJ_EXIT_FINDING : KJ_EXIT_INPUT,
		    "%s: %s (run 'kyojin audit verify')", path, error->message);
	return KJ_EXIT_OK;
}

int kj_cli_audit_verify(KjCli *cli, int argc, char **argv)
{
	g_autofree char *witness = NULL;
	const GOptionEntry entries[] = {
	    {"head", 0, 0, G_OPTION_ARG_STRING, &witness,
	     "A head published earlier (SEQ:HASH from 'kyojin audit head') that the log "
	     "must still contain",
	     "SEQ:HASH"},
	    G_OPTION_ENTRY_NULL};
	int rc;
	g_autoptr(GError) error = NULL;
	KjAuditVerdict v;

	if (!kj_cli_parse(cli, &argc, &argv, entries, "",
			  "Verify the whole audit chain; exit 1 naming the first bad record.", &rc))
		return rc;
	if (argc != 1)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "audit verify takes no arguments");
	g_autofree char *path = log_path(cli);
	g_autofree char *head_path = g_build_filename(cli->data_dir, KJ_AUDIT_HEAD_NAME, NULL);
	if (!kj_audit_verify(path, head_path, witness, &v, &error))
		return kj_cli_gerror(
		    cli, error->code == KJ_AUDIT_ERROR_INVALID ? KJ_EXIT_USAGE : KJ_EXIT_INPUT,
		    error);
	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, "intact");
	kj_out_bool(cli->out, v.ok);
	kj_out_key(cli->out, "records");
	kj_out_int(cli->out, v.records);
	if (!v.ok) {
		kj_out_key(cli->out, "first_bad_seq");
		kj_out_int(cli->out, v.bad_seq);
		kj_out_key(cli->out, "first_bad_line");
		kj_out_int(cli->out, v.bad_line);
		kj_out_key(cli->out, "reason");
		kj_out_string(cli->out, v.reason);
	} else {
		out_head(cli, &v.head);
		kj_out_key(cli->out, "witness_checked");
		kj_out_bool(cli->out, witness != NULL);
	}
	kj_out_end(cli->out);
	rc = v.ok ? KJ_EXIT_OK : KJ_EXIT_FINDING;
	if (!v.ok)
		fprintf(stderr, "kyojin: audit log %s is NOT intact: %s\n", path, v.reason);
	kj_audit_verdict_clear(&v);
	return rc;
}

int kj_cli_audit_head(KjCli *cli, int argc, char **argv)
{
	int rc;
	g_autoptr(GError) error = NULL;
	KjAuditHead h;

	if (!kj_cli_parse(cli, &argc, &argv, NULL, "",
			  "Print the chain head (SEQ:HASH) to publish as an external witness.",
			  &rc))
		return rc;
	if (argc != 1)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "audit head takes no arguments");
	g_autofree char *path = log_path(cli);
	if (!kj_audit_get_head(path, &h, &error))
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	kj_out_begin_map(cli->out);
	out_head(cli, &h);
	kj_out_end(cli->out);
	return KJ_EXIT_OK;
}
