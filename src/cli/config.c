/*++
 * NAME
 *	config - "kyojin config show | keys | check"
 * DESCRIPTION
 *	show prints the effective configuration (defaults and the file's
 *	values); keys lists every key with its type and range, the one
 *	documented place of each key; check reads a file and reports the
 *	first error with file, line, column and key.
 * SECURITY
 *	Reads only the named configuration file.
 * SEE ALSO
 *	config/config.c, util/limits.h
 *--*/
#include "cli/cli.h"

int kj_cli_config_show(KjCli *cli, int argc, char **argv)
{
	int rc;

	if (!kj_cli_parse(cli, &argc, &argv, NULL, "", "Print the effective configuration.", &rc))
		return rc;
	if (argc != 1)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "config show takes no arguments");
	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, "file");
	kj_out_string(cli->out, cli->cfg->path);
	kj_out_key(cli->out, "data_dir");
	kj_out_string(cli->out, cli->data_dir);
	kj_out_key(cli->out, "settings");
	kj_out_begin_map(cli->out);
	for (const KjConfigKeyInfo *k = kj_config_keys(); k->key; k++) {
		g_autofree char *v = kj_config_get_string(cli->cfg, k->key);
		kj_out_key(cli->out, k->key);
		if (v && k->type[0] == 'i')
			kj_out_int(cli->out, g_ascii_strtoll(v, NULL, 10));
		else
			kj_out_string(cli->out, v);
	}
	kj_out_end(cli->out);
	kj_out_end(cli->out);
	return KJ_EXIT_OK;
}

int kj_cli_config_keys(KjCli *cli, int argc, char **argv)
{
	int rc;

	if (!kj_cli_parse(cli, &argc, &argv, NULL, "", "List every configuration key.", &rc))
		return rc;
	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, "keys");
	kj_out_begin_list(cli->out);
	for (const KjConfigKeyInfo *k = kj_config_keys(); k->key; k++) {
		kj_out_begin_map(cli->out);
		kj_out_key(cli->out, "key");
		kj_out_string(cli->out, k->key);
		kj_out_key(cli->out, "type");
		kj_out_string(cli->out, k->type);
		if (k->type[0] == 'i') {
			kj_out_key(cli->out, "min");
			kj_out_int(cli->out, k->min);
			kj_out_key(cli->out, "max");
			kj_out_int(cli->out, k->max);
		}
		kj_out_key(cli->out, "summary");
		kj_out_string(cli->out, k->summary);
		kj_out_end(cli->out);
	}
	kj_out_end(cli->out);
	kj_out_end(cli->out);
	return KJ_EXIT_OK;
}

int kj_cli_config_check(KjCli *cli, int argc, char **argv)
{
	int rc;
	g_autoptr(GError) error = NULL;

	if (!kj_cli_parse(cli, &argc, &argv, NULL, "FILE",
			  "Check a configuration file; exit 3 with file:line:column on error.",
			  &rc))
		return rc;
	if (argc != 2)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "config check needs one FILE");
	g_autoptr(KjConfig) cfg = kj_config_new();
	if (!kj_config_load_file(cfg, argv[1], &error))
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	kj_out_begin_map(cli->out);
	kj_out_key(cli->out, "file");
	kj_out_string(cli->out, argv[1]);
	kj_out_key(cli->out, "valid");
	kj_out_bool(cli->out, TRUE);
	kj_out_end(cli->out);
	return KJ_EXIT_OK;
}
