/*++
 * NAME
 *	release - kyojin release list | show | request | approve | refuse
 * DESCRIPTION
 *	Release requests for quarantined attachments (release/release.c)
 *	from the command line, for scripts and for the security team's
 *	operators: the same list and decisions as the web console.  A
 *	decision is made with the authority of a named console account
 *	(--as LOGIN), with every rule of the console: the account's role and
 *	department, console.approvers, separation of duties, two people for
 *	an original.  The audit record names that account.
 * SECURITY
 *	Runs as the invoking user with write access to the data directory,
 *	who can act as any account there (as with every write command); the
 *	CDR engine runs in a fresh sandboxed worker per file.
 * STANDARDS
 *	基本方針 2(12), 6(7).
 * SEE ALSO
 *	release/release.h, docs/en/console.md.
 *--*/
#include "account/account.h"
#include "cli/cli.h"
#include "release/release.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

static void print_json(KjCli *cli, const char *key, json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT);
	kj_out_key(cli->out, key);
	kj_out_json_text(cli->out, s);
	free(s);
}

int kj_cli_release_list(KjCli *cli, int argc, char **argv)
{
	g_autofree char *state = NULL, *dept = NULL, *cursor = NULL, *qid = NULL;
	gint64 limit = 50;
	KjPage page = {0};
	g_autoptr(GError) error = NULL;
	int rc;
	const GOptionEntry entries[] = {
	    {"state", 0, 0, G_OPTION_ARG_STRING, &state,
	     "requested, approved, released, refused or failed", "STATE"},
	    {"department", 0, 0, G_OPTION_ARG_STRING, &dept, "only this department", "NAME"},
	    {"quarantine-id", 0, 0, G_OPTION_ARG_STRING, &qid, "only the requests of this mail",
	     "ID"},
	    {"limit", 0, 0, G_OPTION_ARG_INT64, &limit, "at most N (1-500, default 50)", "N"},
	    {"cursor", 0, 0, G_OPTION_ARG_STRING, &cursor, "next_cursor of the previous page", "C"},
	    G_OPTION_ENTRY_NULL};

	if (!kj_cli_parse(cli, &argc, &argv, entries, "", "List release requests, newest first.",
			  &rc))
		return rc;
	if (argc != 1)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "release list takes no arguments");
	if (!kj_release_list(kj_store_get_db(cli->store), dept, state, qid, cursor, limit, &page,
			     &error))
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	kj_out_begin_map(cli->out);
	print_json(cli, "requests", page.items);
	kj_out_key(cli->out, "next_cursor");
	if (page.next_cursor)
		kj_out_string(cli->out, page.next_cursor);
	else
		kj_out_null(cli->out);
	kj_out_end(cli->out);
	kj_page_clear(&page);
	return KJ_EXIT_OK;
}

int kj_cli_release_show(KjCli *cli, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	int rc;
	if (!kj_cli_parse(cli, &argc, &argv, NULL, "ID", "Show one release request.", &rc))
		return rc;
	if (argc != 2)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "release show takes one request id");
	g_autoptr(json_t) r = kj_release_get(kj_store_get_db(cli->store), argv[1], &error);
	if (!r)
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	kj_out_begin_map(cli->out);
	print_json(cli, "request", r);
	kj_out_end(cli->out);
	return KJ_EXIT_OK;
}

static int decide(KjCli *cli, int argc, char **argv, gboolean approve)
{
	g_autofree char *as = NULL, *comment = NULL;
	g_autoptr(GError) error = NULL;
	int rc;
	const GOptionEntry entries[] = {{"as", 0, 0, G_OPTION_ARG_STRING, &as,
					 "the console account deciding (required)", "LOGIN"},
					{"comment", 0, 0, G_OPTION_ARG_STRING, &comment,
					 "a comment kept with the decision", "TEXT"},
					G_OPTION_ENTRY_NULL};

	if (!kj_cli_parse(cli, &argc, &argv, entries, "ID",
			  approve ? "Approve a release request as a console account (an original "
				    "needs a second approval by a security administrator)."
				  : "Refuse a release request as a console account.",
			  &rc))
		return rc;
	if (argc != 2 || !as)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "release %s ID --as LOGIN",
				    approve ? "approve" : "refuse");
	KjDb *db = kj_store_get_db(cli->store);
	g_autoptr(KjAccount) who = kj_account_get(db, as, &error);
	if (!who)
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	if (who->disabled)
		return kj_cli_error(cli, KJ_EXIT_INPUT, "account %s is locked", as);
	g_autoptr(GHashTable) approvers =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	if (!kj_release_approvers_parse(cli->cfg->console_approvers, approvers, &error))
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	KjReleasePolicy policy = {.approvers = approvers};
	g_autoptr(json_t) r = kj_release_decide(cli->store, cli->audit, who, argv[1], approve,
						comment, &policy, &error);
	if (!r)
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	kj_out_begin_map(cli->out);
	print_json(cli, "request", r);
	kj_out_end(cli->out);
	return strcmp(json_string_value(json_object_get(r, "state")), "failed") == 0
		   ? KJ_EXIT_FINDING
		   : KJ_EXIT_OK;
}

int kj_cli_release_request(KjCli *cli, int argc, char **argv)
{
	g_autofree char *as = NULL, *kind = NULL, *reason = NULL, *id = NULL;
	g_autoptr(GError) error = NULL;
	int rc;
	const GOptionEntry entries[] = {
	    {"as", 0, 0, G_OPTION_ARG_STRING, &as, "the console account asking (required)",
	     "LOGIN"},
	    {"kind", 0, 0, G_OPTION_ARG_STRING, &kind, "sanitized (default) or original", "KIND"},
	    {"reason", 0, 0, G_OPTION_ARG_STRING, &reason, "why it is needed (required)", "TEXT"},
	    G_OPTION_ENTRY_NULL};

	if (!kj_cli_parse(cli, &argc, &argv, entries, "QUARANTINE_ID INDEX",
			  "Ask for a quarantined attachment as a console account.", &rc))
		return rc;
	char *end = NULL;
	gint64 idx = argc == 3 ? g_ascii_strtoll(argv[2], &end, 10) : 0;
	if (argc != 3 || !end || *end || !as || !reason)
		return kj_cli_error(cli, KJ_EXIT_USAGE,
				    "release request QUARANTINE_ID INDEX --as LOGIN --reason TEXT");
	KjDb *db = kj_store_get_db(cli->store);
	g_autoptr(KjAccount) who = kj_account_get(db, as, &error);
	if (!who)
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	if (!kj_mail_allows(db, who, "release.request", argv[1], &error)) {
		if (error)
			return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
		return kj_cli_error(cli, KJ_EXIT_INPUT, "%s may not ask for mail %s", as, argv[1]);
	}
	if (!kj_release_request(cli->store, cli->audit, who, argv[1], idx,
				kind ? kind : "sanitized", reason, &id, &error))
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	g_autoptr(json_t) r = kj_release_get(db, id, &error);
	if (!r)
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	kj_out_begin_map(cli->out);
	print_json(cli, "request", r);
	kj_out_end(cli->out);
	return KJ_EXIT_OK;
}

int kj_cli_release_approve(KjCli *cli, int argc, char **argv)
{
	return decide(cli, argc, argv, TRUE);
}

int kj_cli_release_refuse(KjCli *cli, int argc, char **argv)
{
	return decide(cli, argc, argv, FALSE);
}
