/*++
 * NAME
 *	test-policy - unit tests of the segment model (src/lib/policy)
 * DESCRIPTION
 *	Every invariant has a model that breaks it, and the test names the
 *	clause it expects; loader errors carry line:column; CIDR parsing,
 *	overlap, longest-prefix match, the three log formats (with garbage,
 *	truncated and over-long lines) and a generated 100,000-host model.
 *	No test asserts on time.
 * SECURITY
 *	Runs unprivileged; writes only into a temporary directory.
 * LIMITS
 *	The large-model test builds about 20 MB of YAML in memory.
 * STANDARDS
 *	基本方針 2(8)-(11), 6(3)①②③.
 * SEE ALSO
 *	tests/cli/policy-*.sh, tests/fuzz/fuzz-policy-*.c.
 *--*/
#include "policy/policy.h"

#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

/* A small, clean α city; the %s are: variant, internet monitoring, extra
 * externals, extra hosts, extra groups, extra flows. */
static const char base_fmt[] =
    "organization: test city\n"
    "variant: %s\n"
    "segments:\n"
    "  mynumber: {networks: [10.10.0.0/16]}\n"
    "  lgwan: {networks: [10.20.0.0/16]}\n"
    "  internet: {networks: [10.30.0.0/16, '2001:db8:30::/48'], monitoring: %s}\n"
    "externals:\n"
    "  - {name: lgwan-backbone, kind: lgwan, networks: [198.18.0.0/16]}\n"
    "  - {name: chukan, kind: intermediate, networks: [198.19.10.0/24]}\n"
    "  - {name: cloud, kind: security-cloud, networks: [192.0.2.0/24]}\n"
    "  - {name: world, kind: internet, networks: [0.0.0.0/0]}\n"
    "%s"
    "services:\n"
    "  - {name: https, protocol: tcp, ports: [443]}\n"
    "  - {name: smtp, protocol: tcp, ports: [25]}\n"
    "  - {name: rdp, protocol: tcp, ports: [3389, 5000-5010]}\n"
    "  - {name: ping, protocol: icmp}\n"
    "hosts:\n"
    "  - {name: fw, segment: lgwan, role: firewall, addresses: [10.10.0.1, 10.20.0.1, "
    "10.30.0.1]}\n"
    "  - {name: mn-term, segment: mynumber, role: terminal, addresses: [10.10.2.1], "
    "export_disabled: true, mfa: true}\n"
    "  - {name: mn-sys, segment: mynumber, role: business-system, addresses: [10.10.1.1]}\n"
    "  - {name: mn-link, segment: mynumber, role: intermediate-server, addresses: "
    "[10.10.1.2]}\n"
    "  - {name: lg-term, segment: lgwan, role: terminal, addresses: [10.20.2.1]}\n"
    "  - {name: lg-mail, segment: lgwan, role: mail-server, addresses: [10.20.1.1]}\n"
    "  - {name: gw, segment: internet, role: mail-gateway, addresses: [10.30.1.1]}\n"
    "  - {name: vdi, segment: internet, role: screen-transfer, addresses: [10.30.1.2, "
    "'2001:db8:30::2']}\n"
    "  - {name: mta, segment: internet, role: mail-server, addresses: [10.30.1.3]}\n"
    "%s"
    "groups:\n"
    "  - {name: terms, members: [lg-term]}\n"
    "%s"
    "flows:\n"
    "  - {name: mn-work, from: mn-term, to: mn-sys, service: https}\n"
    "  - {name: mn-chukan, from: mn-link, to: chukan, service: https, justification: "
    "番号法}\n"
    "  - {name: mail-in, from: mta, to: lg-mail, via: gw, service: smtp}\n"
    "  - {name: web, from: terms, to: vdi, service: rdp}\n"
    "  - {name: browse, from: vdi, to: world, via: cloud, service: https}\n"
    "  - {name: lan, from: lg-term, to: lgwan, service: ping}\n"
    "%s";

static char *model_text(const char *variant, const char *monitoring, const char *ext,
			const char *hosts, const char *groups, const char *flows)
{
	return g_strdup_printf(base_fmt, variant, monitoring, ext, hosts, groups, flows);
}

static KjPolicy *load_ok(const char *text)
{
	g_autoptr(GError) error = NULL;
	KjPolicy *p = kj_policy_load_data("t.yaml", text, strlen(text), &error);

	g_assert_no_error(error);
	g_assert_nonnull(p);
	return p;
}

static void test_clean(void)
{
	g_autofree char *t = model_text("alpha", "true", "", "", "", "");
	g_autoptr(KjPolicy) p = load_ok(t);
	g_autoptr(GPtrArray) v = kj_policy_check(p);

	for (guint i = 0; i < v->len; i++)
		g_test_message("unexpected: %s", ((KjPolicyViolation *)v->pdata[i])->message);
	g_assert_cmpuint(v->len, ==, 0);
	g_assert_cmpuint(p->hosts->len, ==, 9);
	g_assert_cmpuint(p->flows->len, ==, 6);
}

typedef struct {
	const char *rule, *clause, *host; /* host: one name expected in the list */
	const char *variant, *monitoring, *ext, *hosts, *groups, *flows;
} RuleCase;

static const RuleCase rule_cases[] = {
    {"mynumber-internet", "6(3)①", "mn-term", "alpha", "true", "", "", "",
     "  - {name: bad, from: mn-term, to: world, via: cloud, service: https, "
     "justification: x}\n"},
    {"mynumber-isolation", "6(3)①", "lg-mail", "alpha", "true", "", "", "",
     "  - {name: bad, from: mn-sys, to: lg-mail, service: smtp}\n"},
    {"mynumber-terminal-controls", "6(3)①", "mn-term2", "alpha", "true", "",
     "  - {name: mn-term2, segment: mynumber, role: terminal, addresses: [10.10.2.2], "
     "export_disabled: true}\n",
     "", ""},
    {"lgwan-internet-direct", "6(3)②", "mta", "alpha", "true", "", "", "",
     "  - {name: bad, from: lg-term, to: mta, service: smtp}\n"},
    {"via-not-sanitizing", "6(3)②", "lg-mail", "alpha", "true", "", "", "",
     "  - {name: bad, from: lg-term, to: mta, via: lg-mail, service: smtp}\n"},
    {"internet-via-security-cloud", "6(3)③", "world", "alpha", "true", "", "", "",
     "  - {name: bad, from: vdi, to: world, service: https}\n"},
    {"internet-monitoring", "6(3)③", NULL, "alpha", "false", "", "", "", ""},
    {"network-overlap", "2(8)-(10)", "bad-ext", "alpha", "true",
     "  - {name: bad-ext, kind: lgwan, networks: [10.20.5.0/24]}\n", "", "", ""},
    {"host-outside-segment", "2(8)-(10)", "lg-x", "alpha", "true", "",
     "  - {name: lg-x, segment: lgwan, role: server, addresses: [10.30.9.9]}\n", "", ""},
    {"address-duplicate", "2(8)-(10)", "lg-y", "alpha", "true", "",
     "  - {name: lg-y, segment: lgwan, role: server, addresses: [10.20.2.1]}\n", "", ""},
    {"flow-to-nowhere", "2(11)", NULL, "alpha", "true", "", "", "  - {name: nobody, members: []}\n",
     "  - {name: bad, from: nobody, to: lg-mail, service: smtp}\n"},
    {"variant-placement", "6(3)②", "inet-term", "alpha", "true", "",
     "  - {name: inet-term, segment: internet, role: terminal, addresses: [10.30.2.1], "
     "edr: true, mfa: true}\n",
     "", ""},
    {"variant-placement", "6(3)②", "inet-sys", "beta", "true", "",
     "  - {name: inet-sys, segment: internet, role: business-system, addresses: "
     "[10.30.2.2], edr: true}\n",
     "", ""},
    {"variant-terminal-controls", "6(3)③", "inet-term", "beta", "true", "",
     "  - {name: inet-term, segment: internet, role: terminal, addresses: [10.30.2.1], "
     "mfa: true}\n",
     "", ""},
    {"variant-system-controls", "6(3)③", "inet-sys", "beta-prime", "true", "",
     "  - {name: inet-sys, segment: internet, role: business-system, addresses: "
     "[10.30.2.2]}\n",
     "", ""},
};

static void test_rule(gconstpointer data)
{
	const RuleCase *c = data;
	g_autofree char *t =
	    model_text(c->variant, c->monitoring, c->ext, c->hosts, c->groups, c->flows);
	g_autoptr(KjPolicy) p = load_ok(t);
	g_autoptr(GPtrArray) v = kj_policy_check(p);
	gboolean found = FALSE;

	for (guint i = 0; i < v->len; i++) {
		const KjPolicyViolation *x = g_ptr_array_index(v, i);
		g_test_message("%s [%s] %s", x->rule, x->clause, x->message);
		if (strcmp(x->rule, c->rule) != 0)
			continue;
		found = TRUE;
		g_assert_true(g_str_has_prefix(x->clause, "基本方針 "));
		g_assert_nonnull(strstr(x->clause, c->clause));
		g_assert_nonnull(x->fix);
		g_assert_cmpuint(x->mark.line, >, 0);
		if (c->host) {
			gboolean h = FALSE;
			for (guint k = 0; k < x->hosts->len; k++)
				h |= strcmp(g_ptr_array_index(x->hosts, k), c->host) == 0;
			g_assert_true(h);
		}
	}
	g_assert_true(found);
}

/* The same variant-specific hosts, with their conditions met, are clean. */
static void test_variants_clean(void)
{
	static const char *const variants[] = {"beta", "beta-prime"};
	static const char *const hosts[] = {
	    "  - {name: inet-term, segment: internet, role: terminal, addresses: [10.30.2.1], "
	    "edr: true, mfa: true}\n",
	    "  - {name: inet-term, segment: internet, role: terminal, addresses: [10.30.2.1], "
	    "edr: true, mfa: true}\n"
	    "  - {name: inet-sys, segment: internet, role: business-system, addresses: "
	    "[10.30.2.2], edr: true}\n",
	};
	for (guint i = 0; i < 2; i++) {
		g_autofree char *t = model_text(variants[i], "true", "", hosts[i], "", "");
		g_autoptr(KjPolicy) p = load_ok(t);
		g_autoptr(GPtrArray) v = kj_policy_check(p);
		g_assert_cmpuint(v->len, ==, 0);
	}
}

static void test_missing_parts(void)
{
	const char *t =
	    "segments:\n  lgwan: {networks: [10.20.0.0/16]}\n"
	    "hosts:\n  - {name: a, segment: lgwan, role: server, addresses: [10.20.0.5]}\n";
	g_autoptr(KjPolicy) p = load_ok(t);
	g_autoptr(GPtrArray) v = kj_policy_check(p);
	guint seg = 0, fw = 0;

	for (guint i = 0; i < v->len; i++) {
		const KjPolicyViolation *x = g_ptr_array_index(v, i);
		seg += strcmp(x->rule, "segment-missing") == 0;
		fw += strcmp(x->rule, "firewall-missing") == 0;
	}
	g_assert_cmpuint(seg, ==, 2);
	g_assert_cmpuint(fw, ==, 1);
}

typedef struct {
	const char *yaml;
	int code;
	const char *expect; /* substring of the message, with line:column */
} LoadCase;

static const LoadCase load_cases[] = {
    {"", KJ_POLICY_ERROR_EMPTY, "empty"},
    {"{}\n", KJ_POLICY_ERROR_EMPTY, "empty"},
    {"~\n", KJ_POLICY_ERROR_EMPTY, "empty"},
    {"organization: x\n", KJ_POLICY_ERROR_EMPTY, "no hosts"},
    {"hosts: [\n", KJ_POLICY_ERROR_SYNTAX, "not valid YAML"},
    {"- a\n- b\n", KJ_POLICY_ERROR_VALUE, "t.yaml:1:1: the model must be a mapping"},
    {"hosts: {a: b}\n", KJ_POLICY_ERROR_VALUE, "t.yaml:1:8: hosts must be a list"},
    {"hostz: []\n", KJ_POLICY_ERROR_KEY,
     "t.yaml:1:1: unknown key 'hostz' in the model "
     "(did you mean 'hosts'?)"},
    {"hosts:\n  - name: a\n    segment: lgwan\n    role: server\n    adresses: [10.0.0.1]\n",
     KJ_POLICY_ERROR_KEY,
     "t.yaml:5:5: unknown key 'adresses' in a host (did you mean "
     "'addresses'?)"},
    {"hosts:\n  - {name: a, segment: lgwan, role: termnal, addresses: [10.0.0.1]}\n",
     KJ_POLICY_ERROR_VALUE, "t.yaml:2:37: unknown role 'termnal' (did you mean 'terminal'?)"},
    {"hosts:\n  - {name: a, segment: lgwn, role: server, addresses: [10.0.0.1]}\n",
     KJ_POLICY_ERROR_VALUE, "(did you mean 'lgwan'?)"},
    {"hosts:\n  - {name: a, segment: lgwan, role: server, addresses: [10.0.0.300]}\n",
     KJ_POLICY_ERROR_VALUE, "t.yaml:2:57: addresses: '10.0.0.300' is not an IPv4 or IPv6"},
    {"segments:\n  lgwan: {networks: ['2001:db8:::/48']}\n", KJ_POLICY_ERROR_VALUE,
     "t.yaml:2:22: networks: '2001:db8:::/48' is not"},
    {"segments:\n  lgwan: {networks: [10.1.1.1/8]}\n", KJ_POLICY_ERROR_VALUE, "host bits set"},
    {"segments:\n  lgwan: {networks: [10.0.0.0/33]}\n", KJ_POLICY_ERROR_VALUE,
     "prefix length above 32"},
    {"segments:\n  lgwan: {networks: ['2001:db8::/129']}\n", KJ_POLICY_ERROR_VALUE,
     "prefix length above 128"},
    {"hosts:\n  - {name: a, segment: lgwan, role: server, addresses: [10.0.0.1/32]}\n",
     KJ_POLICY_ERROR_VALUE, "takes no prefix"},
    {"hosts:\n  - {name: a, segment: lgwan, role: server, addresses: [10.0.0.1], mfa: "
     "maybe}\n",
     KJ_POLICY_ERROR_VALUE, "mfa must be true or false"},
    {"hosts:\n  - {name: a, segment: lgwan, role: server, addresses: [10.0.0.1]}\n"
     "  - {name: a, segment: lgwan, role: server, addresses: [10.0.0.2]}\n",
     KJ_POLICY_ERROR_REFERENCE, "t.yaml:3:12: duplicate name 'a' (first defined at line 2"},
    {"hosts:\n  - {name: lgwan, segment: lgwan, role: server, addresses: [10.0.0.1]}\n",
     KJ_POLICY_ERROR_REFERENCE, "name of a segment"},
    {"hosts:\n  - {name: 'a b', segment: lgwan, role: server, addresses: [10.0.0.1]}\n",
     KJ_POLICY_ERROR_VALUE, "letters, digits"},
    {"hosts: [{name: h, segment: lgwan, role: server, addresses: [10.0.0.1]}]\n"
     "services: [{name: s, protocol: tcp, ports: [0]}]\n",
     KJ_POLICY_ERROR_VALUE, "not a number from 1 to 65535"},
    {"hosts: [{name: h, segment: lgwan, role: server, addresses: [10.0.0.1]}]\n"
     "services: [{name: s, protocol: tcp, ports: [90-80]}]\n",
     KJ_POLICY_ERROR_VALUE, "port '90-80'"},
    {"hosts:\n  - {name: lg-term, segment: lgwan, role: server, addresses: [10.0.0.1]}\n"
     "services: [{name: s, protocol: tcp, ports: [1]}]\n"
     "flows:\n  - {from: lg-term, to: lg-trem, service: s}\n",
     KJ_POLICY_ERROR_REFERENCE, "t.yaml:5:25: unknown name 'lg-trem'"},
    {"hosts:\n  - {name: h, segment: lgwan, role: server, addresses: [10.0.0.1]}\n"
     "services: [{name: https, protocol: tcp, ports: [1]}]\n"
     "flows:\n  - {from: h, to: h, service: htps}\n",
     KJ_POLICY_ERROR_REFERENCE, "unknown service 'htps' (did you mean 'https'?)"},
    {"hosts:\n  - {name: h, segment: lgwan, role: server, addresses: [10.0.0.1]}\n"
     "groups:\n  - {name: a, members: [h, b]}\n  - {name: b, members: [c]}\n"
     "  - {name: c, members: [a]}\n",
     KJ_POLICY_ERROR_REFERENCE, "circular group reference: a -> b -> c -> a"},
    {"hosts:\n  - {name: h, segment: lgwan, role: server, addresses: [10.0.0.1]}\n"
     "groups:\n  - {name: a, members: [a]}\n",
     KJ_POLICY_ERROR_REFERENCE, "circular group reference: a -> a"},
    {"x: &a [1]\ny: *a\n", KJ_POLICY_ERROR_SYNTAX, "t.yaml:2:4: YAML aliases"},
    {"hosts: []\nhosts: []\n", KJ_POLICY_ERROR_KEY, "t.yaml:2:1: key 'hosts' given twice"},
    {"---\na: 1\n---\nb: 2\n", KJ_POLICY_ERROR_SYNTAX, "one YAML document"},
    {"hosts:\n  - {name: h, segment: lgwan, role: server, addresses: [10.0.0.1]}\n"
     "services: [{name: s, protocol: icmp, ports: [1]}]\n",
     KJ_POLICY_ERROR_VALUE, "icmp has no ports"},
    {"hosts:\n  - {name: h, segment: lgwan, role: server, addresses: [10.0.0.1]}\n"
     "services: [{name: s, protocol: tcp, ports: [1]}]\n"
     "flows:\n  - {from: h, to: h, service: s, via: lgwan}\n",
     KJ_POLICY_ERROR_VALUE, "'via' must name one host"},
};

static void test_load_error(gconstpointer data)
{
	const LoadCase *c = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(KjPolicy) p = kj_policy_load_data("t.yaml", c->yaml, strlen(c->yaml), &error);

	g_assert_null(p);
	g_assert_nonnull(error);
	g_test_message("%s", error->message);
	g_assert_error(error, KJ_POLICY_ERROR, c->code);
	g_assert_nonnull(strstr(error->message, c->expect));
}

static void test_load_deep(void)
{
	GString *s = g_string_new("a: ");
	g_autoptr(GError) error = NULL;

	for (int i = 0; i < 100; i++)
		g_string_append(s, "[");
	g_autoptr(KjPolicy) p = kj_policy_load_data("t.yaml", s->str, s->len, &error);
	g_assert_null(p);
	g_assert_error(error, KJ_POLICY_ERROR, KJ_POLICY_ERROR_LIMIT);
	g_string_free(s, TRUE);
}

/* A small file whose groups name a big group many times, level upon
 * level, would expand to billions of endpoints: refused as a limit. */
static void test_load_group_bomb(void)
{
	GString *s = g_string_new("hosts:\n");
	g_autoptr(GError) error = NULL;

	for (guint i = 0; i < 2000; i++)
		g_string_append_printf(s,
				       "  - {name: h%u, segment: lgwan, role: server, addresses: "
				       "[10.20.%u.%u]}\n",
				       i, i / 250, i % 250 + 1);
	g_string_append(s, "groups:\n  - name: g0\n    members: [h0");
	for (guint i = 1; i < 2000; i++)
		g_string_append_printf(s, ", h%u", i);
	g_string_append(s, "]\n");
	for (guint k = 1; k <= 3; k++) {
		g_string_append_printf(s, "  - name: g%u\n    members: [g%u", k, k - 1);
		for (guint i = 1; i < 100; i++)
			g_string_append_printf(s, ", g%u", k - 1);
		g_string_append(s, "]\n");
	}
	g_autoptr(KjPolicy) p = kj_policy_load_data("t.yaml", s->str, s->len, &error);
	g_assert_null(p);
	g_assert_error(error, KJ_POLICY_ERROR, KJ_POLICY_ERROR_LIMIT);
	g_string_free(s, TRUE);
}

static void test_cidr(void)
{
	KjCidr a, b;
	char buf[64];

	g_assert_true(kj_cidr_parse("192.0.2.0/24", TRUE, &a, NULL));
	g_assert_true(a.v4);
	g_assert_cmpuint(a.plen, ==, 120);
	kj_cidr_format(&a, buf, sizeof buf);
	g_assert_cmpstr(buf, ==, "192.0.2.0/24");
	g_assert_true(kj_cidr_parse("192.0.2.77", FALSE, &b, NULL));
	g_assert_true(kj_cidr_contains(&a, &b));
	g_assert_false(kj_cidr_contains(&b, &a));
	kj_cidr_format(&b, buf, sizeof buf);
	g_assert_cmpstr(buf, ==, "192.0.2.77");
	g_assert_true(kj_cidr_parse("2001:db8::/32", TRUE, &a, NULL));
	g_assert_true(kj_cidr_parse("2001:db8:1::5", FALSE, &b, NULL));
	g_assert_true(kj_cidr_contains(&a, &b));
	g_assert_true(kj_cidr_parse("0.0.0.0/0", TRUE, &a, NULL));
	g_assert_true(kj_cidr_parse("::/0", TRUE, &b, NULL));
	g_assert_true(kj_cidr_contains(&b, &a)); /* mapped space */
	g_assert_true(kj_cidr_parse("10.0.0.0/9", TRUE, &a, NULL));
	g_assert_true(kj_cidr_parse("10.128.0.0/9", TRUE, &b, NULL));
	g_assert_false(kj_cidr_contains(&a, &b));
	static const char *const bad[] = {"",
					  "1.2.3",
					  "1.2.3.4.5",
					  "256.1.1.1",
					  "01.2.3.4",
					  "1.2.3.4/",
					  "1.2.3.4/x",
					  "1.2.3.4/-1",
					  "::g",
					  "1::2::3",
					  "1.2.3.0/24/1",
					  " 1.2.3.4",
					  "1.2.3.4/0124"};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) e = NULL;
		g_assert_false(kj_cidr_parse(bad[i], TRUE, &a, &e));
		g_assert_error(e, KJ_POLICY_ERROR, KJ_POLICY_ERROR_VALUE);
	}
}

static void ip(const char *s, guint8 out[16])
{
	g_assert_true(kj_ip_parse(s, strlen(s), out));
}

static void test_lpm(void)
{
	g_autofree char *t = model_text("alpha", "true", "", "", "", "");
	g_autoptr(KjPolicy) p = load_ok(t);
	g_autoptr(KjPolicyLpm) l = kj_policy_lpm_new(p);
	static const struct {
		const char *addr, *name;
	} cases[] = {
	    {"10.20.2.1", "lg-term"},
	    {"10.20.2.2", "lgwan"},
	    {"10.20.0.0", "lgwan"},
	    {"10.20.255.255", "lgwan"},
	    {"10.21.0.0", "world"},
	    {"10.19.255.255", "world"},
	    {"10.10.2.1", "mn-term"},
	    {"10.30.1.2", "vdi"},
	    {"2001:db8:30::2", "vdi"},
	    {"2001:db8:30::3", "internet"},
	    {"2001:db8:31::1", "(unknown)"},
	    {"192.0.2.200", "cloud"},
	    {"203.0.113.9", "world"},
	    {"0.0.0.0", "world"},
	    {"255.255.255.255", "world"},
	    {"::", "(unknown)"},
	    {"10.10.0.1", "fw"},
	};
	guint8 a[16];

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		ip(cases[i].addr, a);
		g_assert_cmpstr(kj_policy_endpoint_name(p, kj_policy_lpm_lookup(l, a)), ==,
				cases[i].name);
	}
	ip("10.20.2.1", a);
	g_assert_cmpint(kj_policy_endpoint_segment(p, kj_policy_lpm_lookup(l, a)), ==,
			KJ_SEG_LGWAN);
}

typedef struct {
	const char *line;
	KjFlowLogResult r;
	const char *src, *dst;
	int proto;
	guint dport;
	const char *time;
} LogCase;

static const LogCase log_cases[] = {
    {"Nov 25 19:07:24 fw kernel: [ 12.3] kyojin-drop: IN=veth0 OUT=veth1 "
     "MAC=00:11:22:33:44:55:66:77:88:99:aa:bb:08:00 SRC=10.1.1.5 DST=203.0.113.9 LEN=60 "
     "TOS=0x00 PREC=0x00 TTL=63 ID=1 DF PROTO=TCP SPT=40000 DPT=443 WINDOW=64240 RES=0x00 "
     "SYN URGP=0",
     KJ_FLOWLOG_FLOW, "10.1.1.5", "203.0.113.9", IPPROTO_TCP, 443, "Nov 25 19:07:24"},
    {"2026-11-25T19:07:24.123456+09:00 fw kernel: kyojin-drop: IN=v0 OUT= SRC=2001:0db8:0000:"
     "0000:0000:0000:0000:0001 DST=2001:db8::2 LEN=80 PROTO=UDP SPT=5353 DPT=53 LEN=40",
     KJ_FLOWLOG_FLOW, "2001:db8::1", "2001:db8::2", IPPROTO_UDP, 53,
     "2026-11-25T19:07:24.123456+09:00"},
    {"[  100.500000] kyojin-drop: IN=v0 OUT=v1 SRC=10.0.0.1 DST=10.0.0.2 LEN=84 PROTO=ICMP "
     "TYPE=8 CODE=0 ID=1 SEQ=1",
     KJ_FLOWLOG_FLOW, "10.0.0.1", "10.0.0.2", IPPROTO_ICMP, 0, "[  100.500000]"},
    {"tcp      6 431999 ESTABLISHED src=10.1.1.5 dst=203.0.113.9 sport=40000 dport=443 "
     "src=203.0.113.9 dst=10.1.1.5 sport=443 dport=40000 [ASSURED] mark=0 use=1",
     KJ_FLOWLOG_FLOW, "10.1.1.5", "203.0.113.9", IPPROTO_TCP, 443, ""},
    {"ipv4     2 udp      17 29 src=10.0.0.1 dst=10.0.0.2 sport=1 dport=53 [UNREPLIED] "
     "src=10.0.0.2 dst=10.0.0.1 sport=53 dport=1 mark=0 use=1",
     KJ_FLOWLOG_FLOW, "10.0.0.1", "10.0.0.2", IPPROTO_UDP, 53, ""},
    {"[1700000000.123456]\t    [NEW] tcp      6 120 SYN_SENT src=10.0.0.1 dst=10.0.0.2 "
     "sport=1 dport=22 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 sport=22 dport=1",
     KJ_FLOWLOG_FLOW, "10.0.0.1", "10.0.0.2", IPPROTO_TCP, 22, "[1700000000.123456]"},
    {"10.1.1.5,203.0.113.9,tcp,443,2026-11-25T10:00:00Z", KJ_FLOWLOG_FLOW, "10.1.1.5",
     "203.0.113.9", IPPROTO_TCP, 443, "2026-11-25T10:00:00Z"},
    {"10.1.1.5,203.0.113.9,6,443", KJ_FLOWLOG_FLOW, "10.1.1.5", "203.0.113.9", IPPROTO_TCP, 443,
     ""},
    {"2001:db8::1,2001:db8::2,icmpv6,,t", KJ_FLOWLOG_FLOW, "2001:db8::1", "2001:db8::2",
     IPPROTO_ICMPV6, 0, "t"},
    {"src,dst,proto,dport,time", KJ_FLOWLOG_NONE, NULL, NULL, 0, 0, NULL},
    {"", KJ_FLOWLOG_NONE, NULL, NULL, 0, 0, NULL},
    {"# comment", KJ_FLOWLOG_NONE, NULL, NULL, 0, 0, NULL},
    {"Nov 25 19:07:24 host sshd[1]: Accepted publickey for root", KJ_FLOWLOG_NONE, NULL, NULL, 0, 0,
     NULL},
    {"2026-11-25T19:07:24+09:00 host app: a, b, c", KJ_FLOWLOG_NONE, NULL, NULL, 0, 0, NULL},
    {"hello world", KJ_FLOWLOG_GARBAGE, NULL, NULL, 0, 0, NULL},
    {"\x01\x02\x03\xff\xfe", KJ_FLOWLOG_GARBAGE, NULL, NULL, 0, 0, NULL},
    {"Nov 25 19:07:24 fw kernel: kyojin-drop: IN=veth0 OUT=veth1 SRC=10.1.1.5 DST=",
     KJ_FLOWLOG_TRUNCATED, NULL, NULL, 0, 0, NULL},
    {"Nov 25 19:07:24 fw kernel: kyojin-drop: IN=veth0 OUT=veth1 SRC=10.1.1.5 "
     "DST=203.0.113.9 LEN=60 PROTO=TCP SPT=4",
     KJ_FLOWLOG_TRUNCATED, NULL, NULL, 0, 0, NULL},
    {"Nov 25 19:07:24 fw kernel: kyojin-drop: IN=veth0 OUT=", KJ_FLOWLOG_TRUNCATED, NULL, NULL, 0,
     0, NULL},
    {"kyojin-drop: SRC=10.1.1.5 DST=10.1.1.6 PROTO=TCP DPT=99999 X", KJ_FLOWLOG_GARBAGE, NULL, NULL,
     0, 0, NULL},
    {"kyojin-drop: SRC=10.1.1.999 DST=10.1.1.6 PROTO=TCP DPT=1", KJ_FLOWLOG_GARBAGE, NULL, NULL, 0,
     0, NULL},
    {"10.1.1.5,203.0.113.9", KJ_FLOWLOG_TRUNCATED, NULL, NULL, 0, 0, NULL},
    {"10.1.1.5,203.0.113.9,tcp", KJ_FLOWLOG_TRUNCATED, NULL, NULL, 0, 0, NULL},
    {"10.1.1.5,203.0.113.9,tcp,44x3", KJ_FLOWLOG_TRUNCATED, NULL, NULL, 0, 0, NULL},
    {"10.1.1.5,nonsense,tcp,443", KJ_FLOWLOG_GARBAGE, NULL, NULL, 0, 0, NULL},
    {"tcp 6 1 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1", KJ_FLOWLOG_TRUNCATED, NULL, NULL, 0,
     0, NULL},
    {"zzz src=10.0.0.1 dst=10.0.0.2", KJ_FLOWLOG_GARBAGE, NULL, NULL, 0, 0, NULL},
};

static void test_log_line(gconstpointer data)
{
	const LogCase *c = data;
	KjObservedFlow f;
	guint8 a[16];

	g_assert_cmpint(kj_flowlog_parse_line(c->line, strlen(c->line), &f), ==, c->r);
	if (c->r != KJ_FLOWLOG_FLOW)
		return;
	ip(c->src, a);
	g_assert_cmpmem(f.src, 16, a, 16);
	ip(c->dst, a);
	g_assert_cmpmem(f.dst, 16, a, 16);
	g_assert_cmpint(f.proto, ==, c->proto);
	g_assert_cmpuint(f.dport, ==, c->dport);
	g_assert_cmpmem(f.time, f.time_len, c->time, strlen(c->time));
}

/* Reproducer: fuzz-policy-log handed an empty input as (NULL, 0), and the
 * parser computed NULL + 0 (undefined behaviour) before its check. */
static void test_log_empty_null(void)
{
	KjObservedFlow f;

	g_assert_cmpint(kj_flowlog_parse_line(NULL, 0, &f), ==, KJ_FLOWLOG_NONE);
}

static void feed(KjFlowAnalysis *a, const char *line)
{
	kj_flow_analysis_line(a, line, strlen(line));
}

static void test_analysis(void)
{
	g_autofree char *t = model_text("alpha", "true", "", "", "", "");
	g_autoptr(KjPolicy) p = load_ok(t);
	g_autoptr(KjFlowAnalysis) a = kj_flow_analysis_new(p);

	feed(a, "10.20.2.1,10.30.1.2,tcp,3389,t1");  /* allowed: web by screen transfer */
	feed(a, "10.20.2.1,10.30.1.2,tcp,5005,t1");  /* allowed: port range */
	feed(a, "10.30.1.3,10.30.1.1,tcp,25,t1");    /* allowed: mail-in, first leg */
	feed(a, "10.30.1.1,10.20.1.1,tcp,25,t1");    /* allowed: mail-in, second leg */
	feed(a, "10.30.1.3,10.20.1.1,tcp,25,t1");    /* not: around the gateway */
	feed(a, "10.20.2.1,10.20.1.1,icmp,,t");      /* allowed: ping in lgwan */
	feed(a, "10.10.2.1,203.0.113.9,tcp,443,t2"); /* not: My Number to internet */
	feed(a, "10.10.2.1,203.0.113.9,tcp,443,t3");
	feed(a, "10.10.2.1,203.0.113.9,tcp,443,t4");
	feed(a, "203.0.113.9,10.20.2.1,tcp,443,t5"); /* not: internet to LGWAN */
	feed(a, "garbage");
	feed(a, "10.1.1.1,10.2.2.2");
	const KjFlowStats *st = kj_flow_analysis_stats(a);
	g_assert_cmpuint(st->lines, ==, 12);
	g_assert_cmpuint(st->flows, ==, 10);
	g_assert_cmpuint(st->allowed, ==, 5);
	g_assert_cmpuint(st->violations, ==, 5);
	g_assert_cmpuint(st->garbage, ==, 1);
	g_assert_cmpuint(st->truncated, ==, 1);
	g_autoptr(GPtrArray) g = kj_flow_analysis_groups(a);
	g_assert_cmpuint(g->len, ==, 3);
	const KjFlowGroup *top = g_ptr_array_index(g, 0);
	g_assert_cmpuint(top->count, ==, 3);
	g_assert_cmpstr(kj_policy_endpoint_name(p, top->src), ==, "mn-term");
	g_assert_cmpstr(kj_policy_endpoint_name(p, top->dst), ==, "world");
	g_assert_cmpstr(top->first_seen, ==, "t2");
	g_assert_cmpstr(top->last_seen, ==, "t4");
	g_assert_cmpstr(top->dst_example, ==, "203.0.113.9");
}

static void test_analysis_file(void)
{
	g_autofree char *t = model_text("alpha", "true", "", "", "", "");
	g_autoptr(KjPolicy) p = load_ok(t);
	g_autoptr(KjFlowAnalysis) a = kj_flow_analysis_new(p);
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp("kj-policy-XXXXXX", &error);
	g_autofree char *path = g_build_filename(dir, "log", NULL);
	GString *s = g_string_new("10.10.2.1,203.0.113.9,tcp,443,a\n");

	g_string_append_c(s, '1');
	for (int i = 0; i < 20000; i++) /* one over-long line */
		g_string_append_c(s, 'x');
	g_string_append(s, "\n10.10.2.1,203.0.113.9,tcp,443,b\n10.10.2.1,203.0.113.9,tc");
	g_assert_true(g_file_set_contents(path, s->str, (gssize)s->len, &error));
	g_assert_true(kj_flow_analysis_file(a, path, &error));
	g_assert_no_error(error);
	const KjFlowStats *st = kj_flow_analysis_stats(a);
	g_assert_cmpuint(st->lines, ==, 4);
	g_assert_cmpuint(st->overlong, ==, 1);
	g_assert_cmpuint(st->violations, ==, 2);
	g_assert_cmpuint(st->truncated, ==, 1);
	g_assert_false(kj_flow_analysis_file(a, "/nonexistent/log", &error) && FALSE);
	unlink(path);
	rmdir(dir);
	g_string_free(s, TRUE);
}

static void test_compile(void)
{
	g_autofree char *t = model_text("alpha", "true", "", "", "",
					"  - {from: vdi, to: internet, service: https}\n");
	g_autoptr(KjPolicy) p = load_ok(t);
	g_autoptr(GArray) fws = kj_policy_enforcers(p);

	g_assert_cmpuint(fws->len, ==, 1);
	g_autofree char *r = kj_policy_compile_nft(p, g_array_index(fws, guint, 0), -1);
	g_assert_nonnull(strstr(r, "policy drop;"));
	g_assert_nonnull(strstr(r, "ct state established,related accept"));
	g_assert_nonnull(strstr(r, "log prefix \"kyojin-drop: \""));
	g_assert_nonnull(
	    strstr(r, "ip saddr { 10.30.1.3 } ip daddr { 10.30.1.1 } tcp dport { 25 }"));
	g_assert_nonnull(strstr(r, "tcp dport { 3389, 5000-5010 }"));
	g_assert_nonnull(strstr(r, "ip6 saddr"));
	g_assert_null(strstr(r, "ip saddr { 10.20.2.1 } ip daddr { 10.30.1.3 }"));
	g_autofree char *r2 = kj_policy_compile_nft(p, g_array_index(fws, guint, 0), 5);
	g_assert_nonnull(strstr(r2, "group 5"));
	g_autofree char *dot = kj_policy_graph_dot(p);
	g_assert_nonnull(strstr(dot, "subgraph \"cluster_lgwan\""));
	g_assert_nonnull(strstr(dot, "penwidth=2.5"));
}

static void test_edit_distance(void)
{
	static const char *const c[] = {"addresses", "segment", "role", NULL};

	g_assert_cmpuint(kj_policy_edit_distance("kitten", "sitting", 5), ==, 3);
	g_assert_cmpuint(kj_policy_edit_distance("", "abc", 5), ==, 3);
	g_assert_cmpuint(kj_policy_edit_distance("abcdefgh", "z", 2), ==, 3);
	g_assert_cmpstr(kj_policy_suggest("adresses", c), ==, "addresses");
	g_assert_null(kj_policy_suggest("xyzzy", c));
}

/* 100,000 hosts: the checks sort and sweep, so this stays fast; no
 * assertion on time, only that it completes and is clean. */
static void test_large_model(void)
{
	GString *s = g_string_sized_new(12 * 1024 * 1024);
	const guint n = 100000;

	g_string_append(s, "segments:\n  mynumber: {networks: [10.128.0.0/10]}\n"
			   "  lgwan: {networks: [10.0.0.0/9]}\n"
			   "  internet: {networks: [10.192.0.0/10], monitoring: true}\n"
			   "services: [{name: https, protocol: tcp, ports: [443]}]\n"
			   "hosts:\n  - {name: fw, segment: lgwan, role: firewall, addresses: "
			   "[10.0.0.1]}\n  - {name: srv, segment: lgwan, role: server, addresses: "
			   "[10.0.0.2]}\n");
	for (guint i = 0; i < n; i++) {
		guint a = i + 16;
		g_string_append_printf(s,
				       "  - {name: t%u, segment: lgwan, role: terminal, addresses: "
				       "[10.%u.%u.%u]}\n",
				       i, a >> 16, (a >> 8) & 255, a & 255);
	}
	g_string_append(s, "groups:\n  - name: all\n    members:\n");
	for (guint i = 0; i < n; i++)
		g_string_append_printf(s, "      - t%u\n", i);
	g_string_append(s, "flows:\n  - {from: all, to: srv, service: https}\n");
	g_autoptr(KjPolicy) p = load_ok(s->str);
	g_autoptr(GPtrArray) v = kj_policy_check(p);
	g_assert_cmpuint(v->len, ==, 0);
	g_assert_cmpuint(p->hosts->len, ==, n + 2);
	g_autoptr(KjFlowAnalysis) a = kj_flow_analysis_new(p);
	feed(a, "10.0.0.16,10.0.0.2,tcp,443,x");
	feed(a, "10.1.134.175,10.0.0.2,tcp,443,x");
	feed(a, "10.0.0.2,10.0.0.16,tcp,443,x");
	g_assert_cmpuint(kj_flow_analysis_stats(a)->allowed, ==, 2);
	g_assert_cmpuint(kj_flow_analysis_stats(a)->violations, ==, 1);
	g_string_free(s, TRUE);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/policy/check/clean", test_clean);
	for (guint i = 0; i < G_N_ELEMENTS(rule_cases); i++) {
		g_autofree char *name =
		    g_strdup_printf("/policy/check/%s/%u", rule_cases[i].rule, i);
		g_test_add_data_func(name, &rule_cases[i], test_rule);
	}
	g_test_add_func("/policy/check/variants-clean", test_variants_clean);
	g_test_add_func("/policy/check/missing-parts", test_missing_parts);
	for (guint i = 0; i < G_N_ELEMENTS(load_cases); i++) {
		g_autofree char *name = g_strdup_printf("/policy/load/error/%u", i);
		g_test_add_data_func(name, &load_cases[i], test_load_error);
	}
	g_test_add_func("/policy/load/deep", test_load_deep);
	g_test_add_func("/policy/load/group-bomb", test_load_group_bomb);
	g_test_add_func("/policy/cidr", test_cidr);
	g_test_add_func("/policy/lpm", test_lpm);
	for (guint i = 0; i < G_N_ELEMENTS(log_cases); i++) {
		g_autofree char *name = g_strdup_printf("/policy/log/line/%u", i);
		g_test_add_data_func(name, &log_cases[i], test_log_line);
	}
	g_test_add_func("/policy/log/empty-null", test_log_empty_null);
	g_test_add_func("/policy/flows/analysis", test_analysis);
	g_test_add_func("/policy/flows/file", test_analysis_file);
	g_test_add_func("/policy/compile", test_compile);
	g_test_add_func("/policy/edit-distance", test_edit_distance);
	g_test_add_func("/policy/check/large-model", test_large_model);
	return g_test_run();
}
