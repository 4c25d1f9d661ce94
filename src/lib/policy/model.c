/*++
 * NAME
 *	model - names, lifetimes and small helpers of the segment model
 * DESCRIPTION
 *	The vocabulary shared by the loader, the checker, the compiler and
 *	the flow matcher: segment, role, variant and external names as they
 *	are written in a model file, and the edit distance behind the
 *	loader's "did you mean" suggestions (a misspelt key or role that
 *	were silently ignored would be a control not applied).
 * SECURITY
 *	Pure functions over the loaded model; no input of their own.
 * LIMITS
 *	kj_policy_edit_distance() is capped, so it stays O(len * cap).
 * STANDARDS
 *	基本方針 2(8)-(11) for the segment names; 6(3) for the roles.
 * SEE ALSO
 *	load.c, check.c.
 *--*/
#include "policy/policy.h"

#include <netinet/in.h>
#include <string.h>

G_DEFINE_QUARK(kj - policy - error - quark, kj_policy_error)

static const char *const segment_names[KJ_SEG_COUNT] = {"mynumber", "lgwan", "internet"};

static const char *const role_names[KJ_ROLE_COUNT] = {
    "terminal",
    "server",
    "business-system",
    "mail-server",
    "mail-gateway",
    "file-gateway",
    "screen-transfer",
    "security-cloud-proxy",
    "intermediate-server",
    "firewall",
};

static const char *const variant_names[] = {"alpha", "beta", "beta-prime"};

static const char *const external_names[KJ_EXT_COUNT] = {"internet", "lgwan", "security-cloud",
							 "intermediate"};

const char *kj_policy_segment_name(KjSegment s)
{
	return s < KJ_SEG_COUNT ? segment_names[s] : "external";
}

const char *kj_policy_role_name(KjPolicyRole r)
{
	return r < KJ_ROLE_COUNT ? role_names[r] : "?";
}

const char *kj_policy_variant_name(KjPolicyVariant v)
{
	return (guint)v < G_N_ELEMENTS(variant_names) ? variant_names[v] : "?";
}

const char *kj_policy_external_kind_name(KjExternalKind k)
{
	return k < KJ_EXT_COUNT ? external_names[k] : "?";
}

const char *kj_policy_proto_name(int proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	default:
		return "any";
	}
}

KjSegment kj_policy_ref_segment(const KjPolicy *p, const KjPolicyRef *r)
{
	switch (r->kind) {
	case KJ_REF_HOST:
		return ((const KjPolicyHost *)g_ptr_array_index(p->hosts, r->index))->segment;
	case KJ_REF_SEGMENT:
		return (KjSegment)r->index;
	default:
		return KJ_SEG_NONE;
	}
}

const char *kj_policy_ref_name(const KjPolicy *p, const KjPolicyRef *r)
{
	switch (r->kind) {
	case KJ_REF_HOST:
		return ((const KjPolicyHost *)g_ptr_array_index(p->hosts, r->index))->name;
	case KJ_REF_SEGMENT:
		return kj_policy_segment_name((KjSegment)r->index);
	default:
		return ((const KjPolicyExternal *)g_ptr_array_index(p->externals, r->index))->name;
	}
}

/* Endpoint ids (lpm.c): 0 unknown, 1..H hosts, H+1..H+3 segments, then
 * externals.  One integer keeps the hot path of `flows` free of
 * pointers and lets a violation group be a small fixed-size key. */
const char *kj_policy_endpoint_name(const KjPolicy *p, guint id)
{
	guint h = p->hosts->len;

	if (id == 0)
		return "(unknown)";
	if (id <= h)
		return ((const KjPolicyHost *)g_ptr_array_index(p->hosts, id - 1))->name;
	if (id <= h + KJ_SEG_COUNT)
		return kj_policy_segment_name((KjSegment)(id - h - 1));
	id -= h + KJ_SEG_COUNT + 1;
	if (id < p->externals->len)
		return ((const KjPolicyExternal *)g_ptr_array_index(p->externals, id))->name;
	return "(unknown)";
}

KjSegment kj_policy_endpoint_segment(const KjPolicy *p, guint id)
{
	guint h = p->hosts->len;

	if (id == 0 || id > h + KJ_SEG_COUNT)
		return KJ_SEG_NONE;
	if (id <= h)
		return ((const KjPolicyHost *)g_ptr_array_index(p->hosts, id - 1))->segment;
	return (KjSegment)(id - h - 1);
}

guint kj_policy_edit_distance(const char *a, const char *b, guint cap)
{
	gsize la = strlen(a), lb = strlen(b);

	if (la > 64 || lb > 64)
		return cap + 1;
	if ((la > lb ? la - lb : lb - la) > cap)
		return cap + 1;
	guint row[65];
	for (gsize j = 0; j <= lb; j++)
		row[j] = (guint)j;
	for (gsize i = 1; i <= la; i++) {
		guint diag = row[0], best;
		row[0] = (guint)i;
		best = row[0];
		for (gsize j = 1; j <= lb; j++) {
			guint up = row[j];
			guint cost = a[i - 1] == b[j - 1] ? 0 : 1;
			guint v = MIN(MIN(row[j] + 1, row[j - 1] + 1), diag + cost);
			row[j] = v;
			diag = up;
			best = MIN(best, v);
		}
		if (best > cap)
			return cap + 1;
	}
	return row[lb];
}

const char *kj_policy_suggest(const char *word, const char *const *candidates)
{
	guint cap = MAX(2u, (guint)strlen(word) / 3);
	const char *best = NULL;
	guint best_d = cap + 1;

	for (const char *const *c = candidates; *c; c++) {
		guint d = kj_policy_edit_distance(word, *c, cap);
		if (d < best_d)
			best_d = d, best = *c;
	}
	return best;
}

static void host_free(gpointer data)
{
	KjPolicyHost *h = data;

	g_free(h->name);
	g_free(h->department);
	g_array_unref(h->addresses);
	g_array_unref(h->enforces);
	g_free(h);
}

static void external_free(gpointer data)
{
	KjPolicyExternal *e = data;

	g_free(e->name);
	g_array_unref(e->networks);
	g_free(e);
}

static void service_free(gpointer data)
{
	KjPolicyService *s = data;

	g_free(s->name);
	g_array_unref(s->ports);
	g_free(s);
}

static void flow_free(gpointer data)
{
	KjPolicyFlow *f = data;

	g_free(f->name);
	g_array_unref(f->from);
	g_array_unref(f->to);
	g_free(f->from_text);
	g_free(f->to_text);
	g_free(f->justification);
	g_free(f->clause);
	g_free(f);
}

KjPolicy *_kj_policy_new(void);
KjPolicy *_kj_policy_new(void)
{
	KjPolicy *p = g_new0(KjPolicy, 1);

	p->departments = g_ptr_array_new_with_free_func(g_free);
	p->hosts = g_ptr_array_new_with_free_func(host_free);
	p->externals = g_ptr_array_new_with_free_func(external_free);
	p->services = g_ptr_array_new_with_free_func(service_free);
	p->flows = g_ptr_array_new_with_free_func(flow_free);
	p->host_index = g_hash_table_new(g_str_hash, g_str_equal);
	for (int s = 0; s < KJ_SEG_COUNT; s++)
		p->segments[s].networks = g_array_new(FALSE, TRUE, sizeof(KjCidr));
	return p;
}

void kj_policy_free(KjPolicy *p)
{
	if (p == NULL)
		return;
	g_hash_table_unref(p->host_index);
	g_ptr_array_unref(p->flows);
	g_ptr_array_unref(p->services);
	g_ptr_array_unref(p->externals);
	g_ptr_array_unref(p->hosts);
	g_ptr_array_unref(p->departments);
	for (int s = 0; s < KJ_SEG_COUNT; s++)
		g_array_unref(p->segments[s].networks);
	g_free(p->organization);
	g_free(p->path);
	g_free(p);
}

void kj_policy_violation_free(KjPolicyViolation *v)
{
	if (v == NULL)
		return;
	g_free(v->message);
	g_free(v->flow);
	g_free(v->fix);
	if (v->hosts)
		g_ptr_array_unref(v->hosts);
	g_free(v);
}
