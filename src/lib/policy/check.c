/*++
 * NAME
 *	check - prove a segment model keeps the basic policy's invariants
 * DESCRIPTION
 *	Every violation names the rule, the clause it breaks, the hosts and
 *	flow at fault, the place in the file, and a fix.  The rules:
 *
 *	6(3)① マイナンバー利用事務系
 *	  mynumber-internet: no flow between mynumber and the internet side,
 *	    ever, whatever the justification or gateway.
 *	  mynumber-isolation: any other flow crossing the mynumber boundary
 *	    needs a justification (the listed exception, e.g. 中間サーバー).
 *	  mynumber-terminal-controls: every mynumber terminal has
 *	    export_disabled and mfa.
 *	6(3)② LGWAN接続系
 *	  lgwan-internet-direct: a flow between the LGWAN side (segment,
 *	    backbone, 中間サーバー) and the internet side must go through, or
 *	    end at, a host that sanitizes (mail-gateway, file-gateway) or
 *	    transfers screens (screen-transfer): 無害化通信, 2(12).
 *	  via-not-sanitizing: `via` names a host that does neither.
 *	6(3)③ インターネット接続系
 *	  internet-via-security-cloud: traffic to or from the internet goes
 *	    through the 自治体情報セキュリティクラウド (a security-cloud
 *	    external or a security-cloud-proxy host).
 *	  internet-monitoring: the internet segment has monitoring.
 *	2(8)-(11) well-formedness: segment-missing, network-overlap,
 *	  host-outside-segment, address-duplicate (check_net.c),
 *	  flow-to-nowhere, firewall-missing.
 *
 *	Variant rules (the MIC guideline's α, β and β' models differ in
 *	where staff terminals and business systems live):
 *	  α  (alpha): terminals and business systems sit in LGWAN; the web
 *	     is reached by screen transfer or a virtual browser.  A terminal
 *	     or business system in the internet segment means the model is
 *	     not α (variant-placement).
 *	  β  (beta): staff terminals (and groupware) move to the internet
 *	     segment; business systems stay in LGWAN, reached by screen
 *	     transfer, and files cross by sanitizing.  Because staff now
 *	     work on the internet side, the guideline sets extra conditions
 *	     there: those terminals need EDR and multi-factor authentication
 *	     (variant-terminal-controls).  A business system in the internet
 *	     segment is β' (variant-placement).
 *	  β' (beta-prime): as β, and business systems move to the internet
 *	     segment too; they also need EDR (variant-system-controls).
 *	  In every variant LGWAN is reached from the internet side only
 *	  through screen transfer or sanitizing, which is 6(3)② above.
 *
 *	A flow's endpoints are grouped into classes (zone and whether the
 *	host sanitizes or is the security cloud) before the pairwise rules
 *	run, so a flow from 10,000 terminals to one proxy costs 10,000
 *	steps, not 10,000 squared.
 * SECURITY
 *	Pure function of the loaded model; no I/O.
 * LIMITS
 *	Names listed per violation: at most MAX_NAMES, then "(N more)".
 * STANDARDS
 *	基本方針 2(8)-(12), 6(3)①②③; 総務省「地方公共団体における情報セキュリ
 *	ティポリシーに関するガイドライン」 (α/β/β' models).
 * SEE ALSO
 *	check_net.c, compile.c (refuses models that fail check).
 *--*/
#include "policy/check_private.h"

#include <stdarg.h>
#include <string.h>

#define MAX_NAMES 8

KjPolicyViolation *_kj_check_add(GPtrArray *out, const char *rule, const char *clause,
				 KjPolicyMark mark, const char *flow, const char *fix,
				 const char *fmt, ...)
{
	va_list ap;
	KjPolicyViolation *v = g_new0(KjPolicyViolation, 1);

	va_start(ap, fmt);
	v->message = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	v->rule = rule;
	v->clause = clause;
	v->mark = mark;
	v->flow = g_strdup(flow);
	v->fix = g_strdup(fix);
	v->hosts = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(out, v);
	return v;
}

void _kj_check_host(KjPolicyViolation *v, const char *name)
{
	for (guint i = 0; i < v->hosts->len; i++)
		if (strcmp(g_ptr_array_index(v->hosts, i), name) == 0)
			return;
	g_ptr_array_add(v->hosts, g_strdup(name));
}

/* Zones: the three segments and the kinds of external network. */
enum { Z_MN, Z_LG, Z_IN, Z_X_INET, Z_X_LGWAN, Z_X_SC, Z_X_IM, Z_COUNT };
enum { F_SANITIZE = 1, F_CLOUD = 2 };
#define CLASSES (Z_COUNT * 4)

static gboolean lgwan_side(int z)
{
	return z == Z_LG || z == Z_X_LGWAN || z == Z_X_IM;
}

static gboolean internet_side(int z)
{
	return z == Z_IN || z == Z_X_INET || z == Z_X_SC;
}

static int ref_class(const KjPolicy *p, const KjPolicyRef *r)
{
	if (r->kind == KJ_REF_SEGMENT)
		return (int)r->index * 4;
	if (r->kind == KJ_REF_EXTERNAL) {
		const KjPolicyExternal *e = g_ptr_array_index(p->externals, r->index);
		static const int z[KJ_EXT_COUNT] = {Z_X_INET, Z_X_LGWAN, Z_X_SC, Z_X_IM};
		return z[e->kind] * 4 + (e->kind == KJ_EXT_SECURITY_CLOUD ? F_CLOUD : 0);
	}
	const KjPolicyHost *h = g_ptr_array_index(p->hosts, r->index);
	int f = 0;
	if (h->role == KJ_ROLE_MAIL_GATEWAY || h->role == KJ_ROLE_FILE_GATEWAY ||
	    h->role == KJ_ROLE_SCREEN_TRANSFER)
		f |= F_SANITIZE;
	if (h->role == KJ_ROLE_SECURITY_CLOUD_PROXY)
		f |= F_CLOUD;
	return (int)h->segment * 4 + f;
}

typedef struct {
	guint count[CLASSES];
	GPtrArray *names[CLASSES]; /* first MAX_NAMES names */
} Side;

static void side_fill(const KjPolicy *p, GArray *refs, Side *s)
{
	for (guint i = 0; i < refs->len; i++) {
		const KjPolicyRef *r = &g_array_index(refs, KjPolicyRef, i);
		int c = ref_class(p, r);
		if (s->names[c] == NULL)
			s->names[c] = g_ptr_array_new();
		if (s->count[c]++ < MAX_NAMES)
			g_ptr_array_add(s->names[c], KJ_UNCONST(kj_policy_ref_name(p, r)));
	}
}

static void side_clear(Side *s)
{
	for (int c = 0; c < CLASSES; c++)
		if (s->names[c])
			g_ptr_array_unref(s->names[c]);
}

static void add_names(KjPolicyViolation *v, const Side *s, int c)
{
	for (guint i = 0; i < s->names[c]->len; i++)
		_kj_check_host(v, g_ptr_array_index(s->names[c], i));
	if (s->count[c] > MAX_NAMES)
		g_ptr_array_add(v->hosts, g_strdup_printf("(%u more)", s->count[c] - MAX_NAMES));
}

typedef struct {
	const KjPolicy *p;
	const KjPolicyFlow *f;
	GPtrArray *out;
	int via_flags;
} FlowCtx;

static KjPolicyViolation *flow_violation(FlowCtx *fc, const char *rule, const char *clause,
					 const char *fix, const char *msg)
{
	return _kj_check_add(fc->out, rule, clause, fc->f->mark, fc->f->name, fix, "flow %s: %s",
			     fc->f->name, msg);
}

/* The rules for one pair of endpoint classes of a flow. */
static void check_pair(FlowCtx *fc, const Side *from, int a, const Side *to, int b)
{
	int za = a / 4, zb = b / 4, fa = a % 4, fb = b % 4;
	KjPolicyViolation *v = NULL;

	if ((za == Z_MN) != (zb == Z_MN)) {
		int other = za == Z_MN ? zb : za;
		if (internet_side(other))
			v = flow_violation(
			    fc, "mynumber-internet", KJ_CLAUSE_MYNUMBER,
			    "remove the flow: マイナンバー利用事務系 never talks to "
			    "the internet side, not even through a gateway",
			    "connects マイナンバー利用事務系 with the internet side");
		else if (fc->f->justification == NULL)
			v = flow_violation(
			    fc, "mynumber-isolation", KJ_CLAUSE_MYNUMBER,
			    "remove the flow, or make it a listed exception with a "
			    "'justification' (e.g. the 中間サーバー link)",
			    "crosses the boundary of マイナンバー利用事務系 without a "
			    "justification");
		if (v) {
			add_names(v, from, a);
			add_names(v, to, b);
			return;
		}
	}
	if ((lgwan_side(za) && internet_side(zb)) || (internet_side(za) && lgwan_side(zb))) {
		if (!((fa | fb | fc->via_flags) & F_SANITIZE)) {
			v = flow_violation(
			    fc, "lgwan-internet-direct", KJ_CLAUSE_LGWAN,
			    "route it 'via' a mail-gateway, file-gateway or "
			    "screen-transfer host (無害化通信), or remove it",
			    "connects LGWAN接続系 and インターネット接続系 directly, "
			    "without sanitizing or screen transfer");
			add_names(v, from, a);
			add_names(v, to, b);
		}
	}
	if ((za == Z_X_INET || zb == Z_X_INET) && za != zb &&
	    !((fa | fb | fc->via_flags) & F_CLOUD)) {
		v = flow_violation(fc, "internet-via-security-cloud", KJ_CLAUSE_INTERNET,
				   "send it through the 自治体情報セキュリティクラウド: 'via' a "
				   "security-cloud external or security-cloud-proxy host",
				   "reaches the internet without the security cloud");
		add_names(v, from, a);
		add_names(v, to, b);
	}
}

static gboolean refs_empty_or_self(const KjPolicyFlow *f)
{
	if (f->from->len == 0 || f->to->len == 0)
		return TRUE;
	if (f->from->len == 1 && f->to->len == 1) {
		const KjPolicyRef *x = &g_array_index(f->from, KjPolicyRef, 0);
		const KjPolicyRef *y = &g_array_index(f->to, KjPolicyRef, 0);
		return x->kind == KJ_REF_HOST && y->kind == KJ_REF_HOST && x->index == y->index;
	}
	return FALSE;
}

static void check_flow(const KjPolicy *p, const KjPolicyFlow *f, GPtrArray *out)
{
	FlowCtx fc = {p, f, out, 0};
	Side from = {0}, to = {0};

	if (refs_empty_or_self(f)) {
		flow_violation(&fc, "flow-to-nowhere", KJ_CLAUSE_SPLIT,
			       "name a real source and a different destination, or remove it",
			       "has no source or destination (an empty group?), or goes from "
			       "a host to itself");
		return;
	}
	if (f->has_via) {
		fc.via_flags = ref_class(p, &f->via) % 4;
		if (fc.via_flags == 0) {
			KjPolicyViolation *v = flow_violation(
			    &fc, "via-not-sanitizing", KJ_CLAUSE_LGWAN,
			    "name a mail-gateway, file-gateway, screen-transfer or security "
			    "cloud in 'via', or drop 'via'",
			    "'via' names a host that neither sanitizes, transfers screens, nor "
			    "is the security cloud");
			_kj_check_host(v, kj_policy_ref_name(p, &f->via));
		}
	}
	side_fill(p, f->from, &from);
	side_fill(p, f->to, &to);
	for (int a = 0; a < CLASSES; a++)
		for (int b = 0; from.count[a] && b < CLASSES; b++)
			if (to.count[b])
				check_pair(&fc, &from, a, &to, b);
	side_clear(&from);
	side_clear(&to);
}

static void check_host_controls(const KjPolicy *p, const KjPolicyHost *h, GPtrArray *out)
{
	KjPolicyViolation *v = NULL;
	gboolean inet = h->segment == KJ_SEG_INTERNET;

	if (h->segment == KJ_SEG_MYNUMBER && h->role == KJ_ROLE_TERMINAL &&
	    !(h->export_disabled && h->mfa))
		v = _kj_check_add(out, "mynumber-terminal-controls", KJ_CLAUSE_MYNUMBER, h->mark,
				  NULL,
				  "set 'export_disabled: true' and 'mfa: true' on the terminal",
				  "terminal %s in マイナンバー利用事務系 lacks %s", h->name,
				  !h->export_disabled && !h->mfa ? "export_disabled and mfa"
				  : !h->export_disabled          ? "export_disabled"
								 : "mfa");
	else if (inet && p->variant == KJ_VARIANT_ALPHA &&
		 (h->role == KJ_ROLE_TERMINAL || h->role == KJ_ROLE_BUSINESS_SYSTEM))
		v = _kj_check_add(
		    out, "variant-placement", KJ_CLAUSE_LGWAN, h->mark, NULL,
		    "move it to segment lgwan (reach the web by screen transfer), or "
		    "declare 'variant: beta' and meet its conditions",
		    "%s %s is in the internet segment, but the α model keeps terminals "
		    "and business systems in LGWAN",
		    kj_policy_role_name(h->role), h->name);
	else if (inet && p->variant == KJ_VARIANT_BETA && h->role == KJ_ROLE_BUSINESS_SYSTEM)
		v = _kj_check_add(
		    out, "variant-placement", KJ_CLAUSE_LGWAN, h->mark, NULL,
		    "keep business systems in lgwan (reached by screen transfer), or "
		    "declare 'variant: beta-prime'",
		    "business system %s is in the internet segment, which the β model "
		    "does not allow (β' does)",
		    h->name);
	else if (inet && p->variant != KJ_VARIANT_ALPHA && h->role == KJ_ROLE_TERMINAL &&
		 !(h->edr && h->mfa))
		v = _kj_check_add(out, "variant-terminal-controls", KJ_CLAUSE_INTERNET, h->mark,
				  NULL, "set 'edr: true' and 'mfa: true' on the terminal",
				  "terminal %s works in the internet segment (β/β' model) without "
				  "%s",
				  h->name,
				  !h->edr && !h->mfa ? "EDR and MFA"
				  : !h->edr          ? "EDR"
						     : "MFA");
	else if (inet && p->variant == KJ_VARIANT_BETA_PRIME &&
		 h->role == KJ_ROLE_BUSINESS_SYSTEM && !h->edr)
		v = _kj_check_add(
		    out, "variant-system-controls", KJ_CLAUSE_INTERNET, h->mark, NULL,
		    "set 'edr: true' on the business system",
		    "business system %s in the internet segment (β' model) has no EDR", h->name);
	if (v)
		_kj_check_host(v, h->name);
}

GPtrArray *kj_policy_check(const KjPolicy *p)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)kj_policy_violation_free);
	gboolean firewall = FALSE;

	_kj_check_networks(p, out);
	if (p->segments[KJ_SEG_INTERNET].declared && !p->segments[KJ_SEG_INTERNET].monitoring)
		_kj_check_add(out, "internet-monitoring", KJ_CLAUSE_INTERNET,
			      p->segments[KJ_SEG_INTERNET].mark, NULL,
			      "set 'monitoring: true' on segment internet and run the monitoring",
			      "the internet segment has no monitoring of unauthorised traffic");
	for (guint i = 0; i < p->hosts->len; i++) {
		const KjPolicyHost *h = g_ptr_array_index(p->hosts, i);
		check_host_controls(p, h, out);
		firewall |= h->role == KJ_ROLE_FIREWALL;
	}
	if (!firewall)
		_kj_check_add(out, "firewall-missing", KJ_CLAUSE_SPLIT, (KjPolicyMark){1, 1}, NULL,
			      "add a host with 'role: firewall' between the segments",
			      "no host enforces the separation: the model has no firewall");
	for (guint i = 0; i < p->flows->len; i++)
		check_flow(p, g_ptr_array_index(p->flows, i), out);
	return out;
}
