/*++
 * NAME
 *	account - kyojin account add | list | passwd | totp | totp-code | lock | unlock | mailbox
 * DESCRIPTION
 *	The web console's accounts, from the command line: the first
 *	security administrator is made here, and scripts can manage the
 *	rest.  A password is read from standard input (one line) and never
 *	from the command line, where other users could see it in ps.
 *
 *	"totp-code" prints the current one-time code of an account from the
 *	secret in the database.  It exists for demonstrations and tests; on
 *	a real site the code comes from the user's authenticator, and
 *	whoever can run this can read the database anyway.
 * SECURITY
 *	Runs as the invoking user with write access to the data directory.
 *	Every change is audited under --actor.
 * STANDARDS
 *	基本方針 6(6) (認証, 多要素), 6(7).
 * SEE ALSO
 *	account/account.h, docs/en/console.md.
 *--*/
#include "account/account.h"
#include "cli/cli.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static char *read_password(gboolean from_stdin, GError **error)
{
	char buf[1024];
	if (!from_stdin) {
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_INVALID,
			    "give the password on standard input with --password-stdin");
		return NULL;
	}
	if (!fgets(buf, sizeof buf, stdin)) {
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_INVALID,
			    "no password on standard input");
		return NULL;
	}
	buf[strcspn(buf, "\r\n")] = '\0';
	char *p = g_strdup(buf);
	memset(buf, 0, sizeof buf);
	return p;
}

static void print_account(KjOut *o, const KjAccount *a)
{
	kj_out_begin_map(o);
	kj_out_key(o, "login");
	kj_out_string(o, a->login);
	kj_out_key(o, "display_name");
	kj_out_string(o, a->display_name);
	kj_out_key(o, "role");
	kj_out_string(o, kj_role_name(a->role));
	kj_out_key(o, "department");
	kj_out_string(o, a->department);
	kj_out_key(o, "email");
	if (a->email)
		kj_out_string(o, a->email);
	else
		kj_out_null(o);
	kj_out_key(o, "totp_enabled");
	kj_out_bool(o, a->totp_enabled);
	kj_out_key(o, "totp_pending");
	kj_out_bool(o, a->totp_pending);
	kj_out_key(o, "locked");
	kj_out_bool(o, a->disabled);
	kj_out_key(o, "locked_until");
	kj_out_int(o, a->locked_until);
	kj_out_key(o, "last_login_at");
	if (a->last_login_at)
		kj_out_string(o, a->last_login_at);
	else
		kj_out_null(o);
	kj_out_end(o);
}

static void print_secret(KjCli *cli, const char *login, const char *secret)
{
	g_autofree char *uri = kj_account_totp_uri("kyojin", login, secret);
	kj_out_key(cli->out, "totp_secret");
	kj_out_string(cli->out, secret);
	kj_out_key(cli->out, "otpauth_uri");
	kj_out_string(cli->out, uri);
}

int kj_cli_account_add(KjCli *cli, int argc, char **argv)
{
	g_autofree char *role = NULL, *dept = NULL, *email = NULL, *name = NULL, *secret = NULL;
	gboolean pw_stdin = FALSE;
	g_autoptr(GError) error = NULL;
	KjRole r;
	int rc;
	const GOptionEntry entries[] = {
	    {"role", 0, 0, G_OPTION_ARG_STRING, &role,
	     "staff, approver, secadmin, auditor or readonly", "ROLE"},
	    {"department", 0, 0, G_OPTION_ARG_STRING, &dept, "department (所属)", "NAME"},
	    {"email", 0, 0, G_OPTION_ARG_STRING, &email,
	     "mail address; mail to it belongs to the department", "ADDR"},
	    {"name", 0, 0, G_OPTION_ARG_STRING, &name, "display name", "TEXT"},
	    {"password-stdin", 0, 0, G_OPTION_ARG_NONE, &pw_stdin,
	     "read the password from standard input", NULL},
	    G_OPTION_ENTRY_NULL};

	if (!kj_cli_parse(cli, &argc, &argv, entries, "LOGIN",
			  "Add a console account.  Approvers and security administrators get a "
			  "TOTP secret to enter in an authenticator (confirm with 'account totp "
			  "--confirm CODE').",
			  &rc))
		return rc;
	if (argc != 2 || !role || !dept)
		return kj_cli_error(cli, KJ_EXIT_USAGE,
				    "account add LOGIN --role ROLE --department NAME "
				    "--password-stdin");
	if (!kj_role_from_name(role, &r))
		return kj_cli_error(
		    cli, KJ_EXIT_USAGE,
		    "unknown role '%s' (staff, approver, secadmin, auditor, readonly)", role);
	g_autofree char *pw = read_password(pw_stdin, &error);
	if (!pw)
		return kj_cli_gerror(cli, KJ_EXIT_USAGE, error);
	if (!kj_account_add(kj_store_get_db(cli->store), cli->audit, cli->actor, argv[1], name, r,
			    dept, email, pw, &secret, &error))
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, "added");
	kj_out_string(cli->out, argv[1]);
	if (secret)
		print_secret(cli, argv[1], secret);
	kj_out_end(cli->out);
	return KJ_EXIT_OK;
}

int kj_cli_account_list(KjCli *cli, int argc, char **argv)
{
	g_autofree char *dept = NULL;
	g_autoptr(GError) error = NULL;
	int rc;
	const GOptionEntry entries[] = {
	    {"department", 0, 0, G_OPTION_ARG_STRING, &dept, "only this department", "NAME"},
	    G_OPTION_ENTRY_NULL};

	if (!kj_cli_parse(cli, &argc, &argv, entries, "", "List console accounts.", &rc))
		return rc;
	g_autoptr(GPtrArray) list = kj_account_list(kj_store_get_db(cli->store), dept, &error);
	if (!list)
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, "accounts");
	kj_out_begin_list(cli->out);
	for (guint i = 0; i < list->len; i++)
		print_account(cli->out, list->pdata[i]);
	kj_out_end(cli->out);
	kj_out_end(cli->out);
	return KJ_EXIT_OK;
}

int kj_cli_account_passwd(KjCli *cli, int argc, char **argv)
{
	gboolean pw_stdin = FALSE;
	g_autoptr(GError) error = NULL;
	int rc;
	const GOptionEntry entries[] = {{"password-stdin", 0, 0, G_OPTION_ARG_NONE, &pw_stdin,
					 "read the new password from standard input", NULL},
					G_OPTION_ENTRY_NULL};

	if (!kj_cli_parse(cli, &argc, &argv, entries, "LOGIN",
			  "Set an account's password; its sessions end.", &rc))
		return rc;
	if (argc != 2)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "account passwd LOGIN --password-stdin");
	g_autofree char *pw = read_password(pw_stdin, &error);
	if (!pw)
		return kj_cli_gerror(cli, KJ_EXIT_USAGE, error);
	if (!kj_account_set_password(kj_store_get_db(cli->store), cli->audit, cli->actor, argv[1],
				     pw, &error))
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, "password_set");
	kj_out_string(cli->out, argv[1]);
	kj_out_end(cli->out);
	return KJ_EXIT_OK;
}

int kj_cli_account_totp(KjCli *cli, int argc, char **argv)
{
	g_autofree char *confirm = NULL, *secret = NULL;
	gboolean reset = FALSE;
	g_autoptr(GError) error = NULL;
	int rc;
	const GOptionEntry entries[] = {
	    {"confirm", 0, 0, G_OPTION_ARG_STRING, &confirm,
	     "confirm the pending secret with a code from it", "CODE"},
	    {"reset", 0, 0, G_OPTION_ARG_NONE, &reset,
	     "remove the active secret (lost phone) and start a new enrolment", NULL},
	    G_OPTION_ENTRY_NULL};

	if (!kj_cli_parse(cli, &argc, &argv, entries, "LOGIN",
			  "Start (default), confirm or reset an account's TOTP second factor.",
			  &rc))
		return rc;
	if (argc != 2 || (confirm && reset))
		return kj_cli_error(cli, KJ_EXIT_USAGE,
				    "account totp LOGIN [--confirm CODE|--reset]");
	KjDb *db = kj_store_get_db(cli->store);
	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, "login");
	kj_out_string(cli->out, argv[1]);
	if (confirm) {
		if (!kj_account_totp_confirm(db, cli->audit, cli->actor, argv[1], confirm,
					     g_get_real_time() / G_USEC_PER_SEC, &error))
			return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
		kj_out_key(cli->out, "totp_enabled");
		kj_out_bool(cli->out, TRUE);
	} else {
		gboolean ok = reset ? kj_account_totp_reset(db, cli->audit, cli->actor, argv[1],
							    &secret, &error)
				    : kj_account_totp_begin(db, cli->audit, cli->actor, argv[1],
							    &secret, &error);
		if (!ok)
			return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
		print_secret(cli, argv[1], secret);
	}
	kj_out_end(cli->out);
	return KJ_EXIT_OK;
}

int kj_cli_account_totp_code(KjCli *cli, int argc, char **argv)
{
	gint64 offset = 0;
	g_autoptr(GError) error = NULL;
	int rc;
	const GOptionEntry entries[] = {{"step-offset", 0, 0, G_OPTION_ARG_INT64, &offset,
					 "the code of N 30-second steps later (negative: earlier)",
					 "N"},
					G_OPTION_ENTRY_NULL};

	if (!kj_cli_parse(cli, &argc, &argv, entries, "LOGIN",
			  "Print an account's current one-time code.  For demonstrations and "
			  "tests only: real users read it from their authenticator.",
			  &rc))
		return rc;
	if (argc != 2 || offset < -2 || offset > 2)
		return kj_cli_error(cli, KJ_EXIT_USAGE,
				    "account totp-code LOGIN [--step-offset -2..2]");
	gint64 now = g_get_real_time() / G_USEC_PER_SEC + offset * 30;
	g_autofree char *code =
	    kj_account_totp_code_now(kj_store_get_db(cli->store), argv[1], now, &error);
	if (!code)
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, "code");
	kj_out_string(cli->out, code);
	kj_out_end(cli->out);
	return KJ_EXIT_OK;
}

static int set_locked(KjCli *cli, int argc, char **argv, gboolean lock)
{
	g_autoptr(GError) error = NULL;
	int rc;
	if (!kj_cli_parse(cli, &argc, &argv, NULL, "LOGIN",
			  lock ? "Lock an account and end its sessions."
			       : "Unlock an account (also after too many failed logins).",
			  &rc))
		return rc;
	if (argc != 2)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "account %s LOGIN",
				    lock ? "lock" : "unlock");
	if (!kj_account_set_locked(kj_store_get_db(cli->store), cli->audit, cli->actor, argv[1],
				   lock, &error))
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, lock ? "locked" : "unlocked");
	kj_out_string(cli->out, argv[1]);
	kj_out_end(cli->out);
	return KJ_EXIT_OK;
}

int kj_cli_account_lock(KjCli *cli, int argc, char **argv)
{
	return set_locked(cli, argc, argv, TRUE);
}

int kj_cli_account_unlock(KjCli *cli, int argc, char **argv)
{
	return set_locked(cli, argc, argv, FALSE);
}

int kj_cli_account_mailbox(KjCli *cli, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	int rc;
	if (!kj_cli_parse(cli, &argc, &argv, NULL, "ADDRESS DEPARTMENT",
			  "Enter a mail address (shared mailbox) in the directory: mail to it "
			  "belongs to the department.",
			  &rc))
		return rc;
	if (argc != 3)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "account mailbox ADDRESS DEPARTMENT");
	if (!kj_account_mailbox_set(kj_store_get_db(cli->store), cli->audit, cli->actor, argv[1],
				    argv[2], &error))
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, "address");
	kj_out_string(cli->out, argv[1]);
	kj_out_key(cli->out, "department");
	kj_out_string(cli->out, argv[2]);
	kj_out_end(cli->out);
	return KJ_EXIT_OK;
}
