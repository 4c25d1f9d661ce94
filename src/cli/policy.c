/*++
 * NAME
 *	policy - kyojin policy check | compile | flows | graph
 * DESCRIPTION
 *	The front end of the three-layer segment model (src/lib/policy):
 *	  check FILE            prove the invariants of 基本方針 6(3)①②③
 *	  compile FILE --target nftables [--host NAME] [--output-dir DIR]
 *	                        one nftables ruleset per firewall
 *	  flows FILE LOG...     observed flows the model does not allow
 *	  graph FILE            Graphviz DOT of segments, hosts and flows
 *	Each prints for people, or JSON with --json (the KjOut printer).
 *	Exit 0 clean, 1 violations, 2 usage, 3 unreadable or invalid file.
 * SECURITY
 *	Runs with the invoking user's privileges; needs no data directory.
 *	Reads the model and logs it is given, writes rulesets only where
 *	--output-dir says.  It never loads a ruleset itself: that stays a
 *	deliberate act of the operator (nft -f).
 * LIMITS
 *	Those of the library (util/limits.h, Policy section).
 * STANDARDS
 *	基本方針 2(8)-(12), 6(3)①②③.
 * SEE ALSO
 *	src/lib/policy/, examples/policy/city.yaml.
 *--*/
#include "cli/cli.h"
#include "policy/policy.h"
#include "util/fs.h"

#include <string.h>

static int load(KjCli *cli, const char *path, KjPolicy **out)
{
	g_autoptr(GError) error = NULL;

	*out = kj_policy_load_file(path, &error);
	if (*out == NULL)
		return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	return KJ_EXIT_OK;
}

static void print_violation(KjCli *cli, const KjPolicy *p, const KjPolicyViolation *v)
{
	KjOut *o = cli->out;
	g_autofree char *hosts = NULL;

	g_ptr_array_add(v->hosts, NULL);
	hosts = g_strjoinv(", ", (char **)v->hosts->pdata);
	g_ptr_array_set_size(v->hosts, v->hosts->len - 1);
	kj_out_line(o, "%s:%u:%u: [%s] %s: %s", p->path, v->mark.line, v->mark.column, v->clause,
		    v->rule, v->message);
	if (*hosts)
		kj_out_line(o, "    hosts: %s", hosts);
	kj_out_line(o, "    fix: %s", v->fix);

	kj_out_begin_map(o);
	kj_out_key(o, "rule");
	kj_out_string(o, v->rule);
	kj_out_key(o, "clause");
	kj_out_string(o, v->clause);
	kj_out_key(o, "message");
	kj_out_string(o, v->message);
	kj_out_key(o, "line");
	kj_out_int(o, v->mark.line);
	kj_out_key(o, "column");
	kj_out_int(o, v->mark.column);
	kj_out_key(o, "flow");
	if (v->flow)
		kj_out_string(o, v->flow);
	else
		kj_out_null(o);
	kj_out_key(o, "hosts");
	kj_out_begin_list(o);
	for (guint i = 0; i < v->hosts->len; i++)
		kj_out_string(o, g_ptr_array_index(v->hosts, i));
	kj_out_end(o);
	kj_out_key(o, "fix");
	kj_out_string(o, v->fix);
	kj_out_end(o);
}

static void summary(KjOut *o, const KjPolicy *p)
{
	kj_out_key(o, "model");
	kj_out_string(o, p->path);
	kj_out_key(o, "organization");
	if (p->organization)
		kj_out_string(o, p->organization);
	else
		kj_out_null(o);
	kj_out_key(o, "variant");
	kj_out_string(o, kj_policy_variant_name(p->variant));
	kj_out_key(o, "hosts");
	kj_out_int(o, p->hosts->len);
	kj_out_key(o, "flows");
	kj_out_int(o, p->flows->len);
}

int kj_cli_policy_check(KjCli *cli, int argc, char **argv)
{
	int rc;
	g_autoptr(KjPolicy) p = NULL;

	if (!kj_cli_parse(cli, &argc, &argv, NULL, "FILE",
			  "Prove that a segment model keeps the invariants of 基本方針 6(3)①②③\n"
			  "and is well formed.  Exit 0 clean, 1 violations, 3 invalid file.",
			  &rc))
		return rc;
	if (argc != 2)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "usage: kyojin policy check FILE");
	if ((rc = load(cli, argv[1], &p)) != KJ_EXIT_OK)
		return rc;
	g_autoptr(GPtrArray) v = kj_policy_check(p);
	KjOut *o = cli->out;
	kj_out_text_quiet(o, TRUE);
	kj_out_begin_map(o);
	summary(o, p);
	kj_out_key(o, "clean");
	kj_out_bool(o, v->len == 0);
	kj_out_key(o, "violations");
	kj_out_begin_list(o);
	for (guint i = 0; i < v->len; i++)
		print_violation(cli, p, g_ptr_array_index(v, i));
	kj_out_end(o);
	kj_out_end(o);
	if (v->len == 0)
		kj_out_line(o, "%s: clean: %u hosts, %u flows, variant %s", p->path, p->hosts->len,
			    p->flows->len, kj_policy_variant_name(p->variant));
	else
		kj_out_line(o, "%s: %u violation%s", p->path, v->len, v->len == 1 ? "" : "s");
	return v->len ? KJ_EXIT_FINDING : KJ_EXIT_OK;
}

static char *opt_target, *opt_host, *opt_outdir;
static int opt_log_group = -1;

static const GOptionEntry compile_entries[] = {
    {"target", 0, 0, G_OPTION_ARG_STRING, &opt_target, "Output format (only: nftables)", "TARGET"},
    {"host", 0, 0, G_OPTION_ARG_STRING, &opt_host, "Only the ruleset of this firewall host",
     "NAME"},
    {"output-dir", 'o', 0, G_OPTION_ARG_FILENAME, &opt_outdir,
     "Write DIR/NAME.nft per firewall instead of printing", "DIR"},
    {"log-group", 0, 0, G_OPTION_ARG_INT, &opt_log_group,
     "Log drops to this nflog group instead of the kernel log", "N"},
    G_OPTION_ENTRY_NULL};

static void compile_reset(void)
{
	g_clear_pointer(&opt_target, g_free);
	g_clear_pointer(&opt_host, g_free);
	g_clear_pointer(&opt_outdir, g_free);
}

/* Refuses a model that fails check: an enforced model that breaks the
 * basic policy would be worse than none, because it looks like control. */
static int compile_refuse(KjCli *cli, const KjPolicy *p, GPtrArray *v)
{
	for (guint i = 0; i < v->len; i++) {
		const KjPolicyViolation *x = g_ptr_array_index(v, i);
		fprintf(stderr, "%s:%u:%u: [%s] %s: %s\n", p->path, x->mark.line, x->mark.column,
			x->clause, x->rule, x->message);
	}
	return kj_cli_error(cli, KJ_EXIT_FINDING,
			    "%s fails check with %u violation%s: not compiled (run 'kyojin policy "
			    "check %s')",
			    p->path, v->len, v->len == 1 ? "" : "s", p->path);
}

static int compile_emit(KjCli *cli, const KjPolicy *p, GArray *fws)
{
	KjOut *o = cli->out;

	kj_out_text_quiet(o, TRUE);
	kj_out_begin_map(o);
	summary(o, p);
	kj_out_key(o, "rulesets");
	kj_out_begin_list(o);
	for (guint i = 0; i < fws->len; i++) {
		guint h = g_array_index(fws, guint, i);
		const KjPolicyHost *fw = g_ptr_array_index(p->hosts, h);
		g_autofree char *rules = kj_policy_compile_nft(p, h, opt_log_group);
		g_autofree char *path = NULL;
		if (opt_outdir) {
			g_autoptr(GError) error = NULL;
			g_autofree char *base = g_strdup_printf("%s.nft", fw->name);
			path = g_build_filename(opt_outdir, base, NULL);
			if (!kj_fs_mkdir_p(opt_outdir, 0755, &error) ||
			    !kj_fs_write_atomic(path, rules, strlen(rules), 0644, &error)) {
				kj_out_end(o);
				kj_out_end(o);
				return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
			}
			kj_out_line(o, "%s", path);
		} else if (!kj_out_is_json(o)) {
			fputs(rules, stdout);
		}
		kj_out_begin_map(o);
		kj_out_key(o, "host");
		kj_out_string(o, fw->name);
		kj_out_key(o, "path");
		if (path)
			kj_out_string(o, path);
		else
			kj_out_null(o);
		kj_out_key(o, "ruleset");
		kj_out_string(o, rules);
		kj_out_end(o);
	}
	kj_out_end(o);
	kj_out_end(o);
	return KJ_EXIT_OK;
}

static int compile_run(KjCli *cli, int argc, char **argv)
{
	int rc;
	g_autoptr(KjPolicy) p = NULL;

	if (!kj_cli_parse(cli, &argc, &argv, compile_entries, "FILE",
			  "Compile a model that passes check into one nftables ruleset per\n"
			  "firewall host: default drop, the allowed flows, established/related,\n"
			  "drops logged with the prefix \"" KJ_POLICY_LOG_PREFIX "\".",
			  &rc))
		return rc;
	if (argc != 2)
		return kj_cli_error(
		    cli, KJ_EXIT_USAGE,
		    "usage: kyojin policy compile FILE --target nftables [--host NAME]");
	if (opt_target == NULL || strcmp(opt_target, "nftables") != 0)
		return kj_cli_error(cli, KJ_EXIT_USAGE,
				    "give --target nftables (the only target so far)");
	if ((rc = load(cli, argv[1], &p)) != KJ_EXIT_OK)
		return rc;
	g_autoptr(GPtrArray) v = kj_policy_check(p);
	if (v->len)
		return compile_refuse(cli, p, v);
	g_autoptr(GArray) fws = kj_policy_enforcers(p);
	if (opt_host) {
		guint idx = GPOINTER_TO_UINT(g_hash_table_lookup(p->host_index, opt_host));
		if (idx == 0 || ((KjPolicyHost *)g_ptr_array_index(p->hosts, idx - 1))->role !=
				    KJ_ROLE_FIREWALL)
			return kj_cli_error(cli, KJ_EXIT_USAGE,
					    "--host %s: no firewall host of that name in %s",
					    opt_host, p->path);
		g_array_set_size(fws, 0);
		idx--;
		g_array_append_val(fws, idx);
	} else if (fws->len > 1 && !opt_outdir && !cli->json) {
		return kj_cli_error(
		    cli, KJ_EXIT_USAGE,
		    "%s has %u firewalls: choose one with --host NAME, or write all "
		    "with --output-dir DIR",
		    p->path, fws->len);
	}
	return compile_emit(cli, p, fws);
}

int kj_cli_policy_compile(KjCli *cli, int argc, char **argv)
{
	int rc = compile_run(cli, argc, argv);
	compile_reset();
	opt_log_group = -1;
	return rc;
}

static void print_group(KjOut *o, const KjPolicy *p, const KjFlowGroup *g)
{
	const char *proto = kj_policy_proto_name(g->proto);

	kj_out_line(o, "%8" G_GUINT64_FORMAT "  %s (%s) -> %s (%s) %s/%u  first %s  last %s",
		    g->count, kj_policy_endpoint_name(p, g->src), g->src_example,
		    kj_policy_endpoint_name(p, g->dst), g->dst_example, proto, g->dport,
		    g->first_seen[0] ? g->first_seen : "-", g->last_seen[0] ? g->last_seen : "-");
	kj_out_begin_map(o);
	kj_out_key(o, "src");
	kj_out_string(o, kj_policy_endpoint_name(p, g->src));
	kj_out_key(o, "src_segment");
	kj_out_string(o, kj_policy_segment_name(kj_policy_endpoint_segment(p, g->src)));
	kj_out_key(o, "src_example");
	kj_out_string(o, g->src_example);
	kj_out_key(o, "dst");
	kj_out_string(o, kj_policy_endpoint_name(p, g->dst));
	kj_out_key(o, "dst_segment");
	kj_out_string(o, kj_policy_segment_name(kj_policy_endpoint_segment(p, g->dst)));
	kj_out_key(o, "dst_example");
	kj_out_string(o, g->dst_example);
	kj_out_key(o, "proto");
	kj_out_string(o, proto);
	kj_out_key(o, "dport");
	kj_out_int(o, g->dport);
	kj_out_key(o, "count");
	kj_out_int(o, (gint64)g->count);
	kj_out_key(o, "first_seen");
	kj_out_string(o, g->first_seen);
	kj_out_key(o, "last_seen");
	kj_out_string(o, g->last_seen);
	kj_out_end(o);
}

static void print_stats(KjOut *o, const KjFlowStats *st)
{
	const struct {
		const char *key;
		guint64 v;
	} rows[] = {
	    {"lines", st->lines},
	    {"flows", st->flows},
	    {"allowed", st->allowed},
	    {"violations", st->violations},
	    {"ignored", st->ignored},
	    {"garbage", st->garbage},
	    {"truncated", st->truncated},
	    {"overlong", st->overlong},
	    {"groups_dropped", st->groups_dropped},
	};

	kj_out_key(o, "stats");
	kj_out_begin_map(o);
	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		kj_out_key(o, rows[i].key);
		kj_out_int(o, (gint64)rows[i].v);
	}
	kj_out_end(o);
	kj_out_line(o,
		    "lines %" G_GUINT64_FORMAT ", flows %" G_GUINT64_FORMAT
		    ", allowed %" G_GUINT64_FORMAT ", violations %" G_GUINT64_FORMAT
		    ", ignored %" G_GUINT64_FORMAT ", garbage %" G_GUINT64_FORMAT
		    ", truncated %" G_GUINT64_FORMAT ", overlong %" G_GUINT64_FORMAT,
		    st->lines, st->flows, st->allowed, st->violations, st->ignored, st->garbage,
		    st->truncated, st->overlong);
}

int kj_cli_policy_flows(KjCli *cli, int argc, char **argv)
{
	int rc;
	g_autoptr(KjPolicy) p = NULL;

	if (!kj_cli_parse(cli, &argc, &argv, NULL, "FILE LOG...",
			  "Report every observed flow the model does not allow.  LOG is a kernel\n"
			  "nftables log (syslog or journal), conntrack -L output, or CSV\n"
			  "(src,dst,proto,dport,time); '-' reads stdin.  Garbage, truncated and\n"
			  "over-long lines are counted and skipped.",
			  &rc))
		return rc;
	if (argc < 3)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "usage: kyojin policy flows FILE LOG...");
	if ((rc = load(cli, argv[1], &p)) != KJ_EXIT_OK)
		return rc;
	g_autoptr(KjFlowAnalysis) a = kj_flow_analysis_new(p);
	for (int i = 2; i < argc; i++) {
		g_autoptr(GError) error = NULL;
		if (!kj_flow_analysis_file(a, argv[i], &error))
			return kj_cli_gerror(cli, KJ_EXIT_INPUT, error);
	}
	const KjFlowStats *st = kj_flow_analysis_stats(a);
	g_autoptr(GPtrArray) groups = kj_flow_analysis_groups(a);
	KjOut *o = cli->out;
	kj_out_text_quiet(o, TRUE);
	kj_out_begin_map(o);
	summary(o, p);
	print_stats(o, st);
	kj_out_key(o, "not_allowed");
	kj_out_begin_list(o);
	if (groups->len)
		kj_out_line(o, "flows the model does not allow (基本方針 6(3)):");
	for (guint i = 0; i < groups->len; i++)
		print_group(o, p, g_ptr_array_index(groups, i));
	kj_out_end(o);
	kj_out_end(o);
	if (st->groups_dropped)
		kj_out_line(o, "%" G_GUINT64_FORMAT " further violations not grouped (group limit)",
			    st->groups_dropped);
	return st->violations ? KJ_EXIT_FINDING : KJ_EXIT_OK;
}

int kj_cli_policy_graph(KjCli *cli, int argc, char **argv)
{
	int rc;
	g_autoptr(KjPolicy) p = NULL;

	if (!kj_cli_parse(cli, &argc, &argv, NULL, "FILE",
			  "Print the model as a Graphviz DOT digraph: segments as clusters,\n"
			  "sanitizing paths bold green, My Number exceptions red dashed.\n"
			  "Render with: dot -Tsvg -o city.svg",
			  &rc))
		return rc;
	if (argc != 2)
		return kj_cli_error(cli, KJ_EXIT_USAGE, "usage: kyojin policy graph FILE");
	if ((rc = load(cli, argv[1], &p)) != KJ_EXIT_OK)
		return rc;
	g_autofree char *dot = kj_policy_graph_dot(p);
	KjOut *o = cli->out;
	kj_out_text_quiet(o, TRUE);
	if (!kj_out_is_json(o))
		fputs(dot, stdout);
	kj_out_begin_map(o);
	summary(o, p);
	kj_out_key(o, "dot");
	kj_out_string(o, dot);
	kj_out_end(o);
	return KJ_EXIT_OK;
}
