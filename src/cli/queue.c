/*++
 * NAME
 *	queue - kyojin queue list | show | retry | release | delete
 * DESCRIPTION
 *	The security team's view of kyojind's queue: what was received,
 *	sanitized, held or delivered, and the operator actions on an entry.
 *	Every action is one queue transition and one audit record naming the
 *	actor and the reason (queue/queue.c does both).
 * SECURITY
 *	Runs as the invoking user with write access to the data directory.
 *	Envelope fields came from the network and are printed as data.
 * STANDARDS
 *	基本方針 2(12): a release of a held message is an approved exception,
 *	recorded with its reason; 6(7): every action audited.
 * SEE ALSO
 *	queue/queue.h, daemon/kyojind.c.
 *--*/
#include "audit/audit.h"
#include "cli/cli.h"
#include "queue/queue.h"
#include "store/store.h"

#include <string.h>

static void print_entry(KjOut *out, const KjQueueEntry *e, gboolean full)
{
	kj_out_begin_map(out);
	kj_out_key(out, "id");
	kj_out_string(out, e->id);
	kj_out_key(out, "state");
	kj_out_string(out, kj_queue_state_name(e->state));
	kj_out_key(out, "received_at");
	kj_out_string(out, e->received_at);
	kj_out_key(out, "sender");
	kj_out_string(out, e->sender);
	kj_out_key(out, "recipients");
	kj_out_begin_list(out);
	for (guint i = 0; i < e->recipients->len; i++)
		kj_out_string(out, e->recipients->pdata[i]);
	kj_out_end(out);
	kj_out_key(out, "size");
	kj_out_int(out, e->size);
	kj_out_key(out, "reason");
	if (e->reason)
		kj_out_string(out, e->reason);
	else
		kj_out_null(out);
	if (full) {
		const char *const keys[] = {"client",        "helo",       "original",  "sanitized",
					    "quarantine_id", "last_error", "updated_at"};
		const char *const vals[] = {e->client,    e->helo,          e->original,
					    e->sanitized, e->quarantine_id, e->last_error,
					    e->updated_at};
		for (gsize i = 0; i < G_N_ELEMENTS(keys); i++) {
			kj_out_key(out, keys[i]);
			if (vals[i])
				kj_out_string(out, vals[i]);
			else
				kj_out_null(out);
		}
		kj_out_key(out, "attempts");
		kj_out_int(out, e->attempts);
		kj_out_key(out, "next_attempt");
		kj_out_int(out, e->next_attempt);
	}
	kj_out_end(out);
}

int kj_cli_queue_list(KjCli *cli, int argc, char **argv)
{
	g_autofree char *state = NULL;
	gint64 limit = 0;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	KjQueueState st = KJ_QUEUE_RECEIVED;
	int rc;
	const GOptionEntry entries[] = {
	    {"state", 0, 0, G_OPTION_ARG_STRING, &state,
	     "only entries in this state (received, sanitized, held, delivered)", "STATE"},
	    {"limit", 0, 0, G_OPTION_ARG_INT64, &limit, "at most N entries", "N"},
	    G_OPTION_ENTRY_NULL};

	if (!kj_cli_parse(cli, &argc, &argv, entries, "", "List kyojind's queue, oldest first.",
			  &rc))
		return rc;
	if (argc != 1)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "queue list takes no arguments");
	if (state && !kj_queue_state_from_name(state, &st))
		return kj_cli_error(cli, KJ_EXIT_USAGE,
				    "unknown state '%s' (received, sanitized, held, delivered)",
				    state);
	if (!kj_queue_list(cli->store, state ? (int)st : -1, limit, &rows, &error))
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	kj_out_begin_list(cli->out);
	for (guint i = 0; i < rows->len; i++)
		print_entry(cli->out, rows->pdata[i], FALSE);
	kj_out_end(cli->out);
	return KJ_EXIT_OK;
}

int kj_cli_queue_show(KjCli *cli, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	int rc;

	if (!kj_cli_parse(cli, &argc, &argv, NULL, "ID", "Show one queue entry in full.", &rc))
		return rc;
	if (argc != 2)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "queue show takes one queue id");
	g_autoptr(KjQueueEntry) e = kj_queue_get(cli->store, argv[1], &error);
	if (e == NULL)
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	print_entry(cli->out, e, TRUE);
	return KJ_EXIT_OK;
}

typedef gboolean (*Action)(KjStore *, KjAudit *, const char *, const char *, const char *,
			   GError **);

static int act(KjCli *cli, int argc, char **argv, Action fn, const char *verb,
	       const char *description)
{
	g_autofree char *reason = NULL;
	g_autoptr(GError) error = NULL;
	int rc;
	const GOptionEntry entries[] = {
	    {"reason", 0, 0, G_OPTION_ARG_STRING, &reason, "why, for the audit log", "TEXT"},
	    G_OPTION_ENTRY_NULL};

	if (!kj_cli_parse(cli, &argc, &argv, entries, "ID...", description, &rc))
		return rc;
	if (argc < 2)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "queue %s needs at least one queue id",
				    verb);
	kj_out_begin_list(cli->out);
	for (int i = 1; i < argc; i++) {
		if (!fn(cli->store, cli->audit, cli->actor, argv[i], reason, &error)) {
			kj_out_end(cli->out);
			return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
		}
		kj_out_begin_map(cli->out);
		kj_out_key(cli->out, "id");
		kj_out_string(cli->out, argv[i]);
		kj_out_key(cli->out, "action");
		kj_out_string(cli->out, verb);
		kj_out_end(cli->out);
	}
	kj_out_end(cli->out);
	return KJ_EXIT_OK;
}

int kj_cli_queue_retry(KjCli *cli, int argc, char **argv)
{
	return act(cli, argc, argv, kj_queue_retry, "retry",
		   "Deliver a sanitized entry now, or sanitize a held entry again.");
}

int kj_cli_queue_release(KjCli *cli, int argc, char **argv)
{
	return act(cli, argc, argv, kj_queue_release, "release",
		   "Deliver a held entry as it is (needs --reason; audited, 基本方針 2(12)).");
}

int kj_cli_queue_delete(KjCli *cli, int argc, char **argv)
{
	return act(cli, argc, argv, kj_queue_delete, "delete",
		   "Remove entries from the queue; originals stay in the quarantine.");
}
