/*++
 * NAME
 *	compile - an nftables ruleset per firewall from the segment model
 * DESCRIPTION
 *	Each host with role firewall gets one "table inet kyojin": a
 *	forward chain and an input chain with policy drop, established and
 *	related traffic accepted, one accept rule per allowed leg of a flow
 *	(a flow with `via` is two legs, through the gateway), and every
 *	drop counted and logged with the prefix KJ_POLICY_LOG_PREFIX, which
 *	`policy flows` recognises.  The table is created, deleted and
 *	created again in one transaction, so loading the file replaces the
 *	previous ruleset atomically and never leaves the host open.
 *
 *	An external network such as "the internet" (0.0.0.0/0) contains the
 *	city's own networks; the rule for it excludes every model network
 *	inside it, so that "proxy to the internet" does not also mean
 *	"proxy to LGWAN" (the router has no longest-prefix notion of names).
 * SECURITY
 *	The output is loaded as root into the kernel.  Every name in it was
 *	restricted by the loader to letters, digits and "-_." and addresses
 *	are printed from parsed binary form, so a model cannot inject nft
 *	syntax.  compile is refused for a model that fails check (policy.c).
 * LIMITS
 *	Comments are cut to 30 characters, at most 120 bytes (nft allows 128).
 * STANDARDS
 *	nftables (nft(8)); 基本方針 2(11) 通信経路の分割, 6(3)①②③.
 * SEE ALSO
 *	check.c, flows.c, tests/cli/policy-netns.sh.
 *--*/
#include "policy/policy_private.h"

#include <netinet/in.h>
#include <string.h>

GArray *kj_policy_enforcers(const KjPolicy *p)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(guint));

	for (guint i = 0; i < p->hosts->len; i++)
		if (((const KjPolicyHost *)g_ptr_array_index(p->hosts, i))->role ==
		    KJ_ROLE_FIREWALL)
			g_array_append_val(out, i);
	return out;
}

/* One side of a rule: addresses of one family, and those to exclude. */
typedef struct {
	GString *inc[2], *exc[2]; /* [0] IPv4, [1] IPv6 */
} Side;

static void side_init(Side *s)
{
	for (int f = 0; f < 2; f++) {
		s->inc[f] = g_string_new(NULL);
		s->exc[f] = g_string_new(NULL);
	}
}

static void side_clear(Side *s)
{
	for (int f = 0; f < 2; f++) {
		g_string_free(s->inc[f], TRUE);
		g_string_free(s->exc[f], TRUE);
	}
}

static void put(GString *s, const KjCidr *c)
{
	char buf[64];

	kj_cidr_format(c, buf, sizeof buf);
	g_string_append_printf(s, "%s%s", s->len ? ", " : "", buf);
}

static void add_nets(GString **to, GArray *nets)
{
	for (guint k = 0; k < nets->len; k++) {
		const KjCidr *c = &g_array_index(nets, KjCidr, k);
		put(to[c->v4 ? 0 : 1], c);
	}
}

/* Model networks strictly inside the external network ext. */
static void add_exclusions(const KjPolicy *p, Side *s, const KjPolicyExternal *ext)
{
	for (guint k = 0; k < ext->networks->len; k++) {
		const KjCidr *outer = &g_array_index(ext->networks, KjCidr, k);
		for (int seg = 0; seg < KJ_SEG_COUNT; seg++) {
			GArray *n = p->segments[seg].networks;
			for (guint j = 0; j < n->len; j++) {
				const KjCidr *c = &g_array_index(n, KjCidr, j);
				if (c->v4 == outer->v4 && c->plen > outer->plen &&
				    kj_cidr_contains(outer, c))
					put(s->exc[c->v4 ? 0 : 1], c);
			}
		}
		for (guint e = 0; e < p->externals->len; e++) {
			const KjPolicyExternal *o = g_ptr_array_index(p->externals, e);
			for (guint j = 0; o != ext && j < o->networks->len; j++) {
				const KjCidr *c = &g_array_index(o->networks, KjCidr, j);
				if (c->v4 == outer->v4 && c->plen > outer->plen &&
				    kj_cidr_contains(outer, c))
					put(s->exc[c->v4 ? 0 : 1], c);
			}
		}
	}
}

/* Fills one side from a reference, or (ref NULL) from all the internal
 * references (hosts and segments) of a list. */
static void side_from_ref(const KjPolicy *p, Side *s, const KjPolicyRef *r)
{
	if (r->kind == KJ_REF_HOST) {
		const KjPolicyHost *h = g_ptr_array_index(p->hosts, r->index);
		add_nets(s->inc, h->addresses);
	} else if (r->kind == KJ_REF_SEGMENT) {
		add_nets(s->inc, p->segments[r->index].networks);
	} else {
		const KjPolicyExternal *e = g_ptr_array_index(p->externals, r->index);
		add_nets(s->inc, e->networks);
		add_exclusions(p, s, e);
	}
}

static void ports_text(GString *out, const KjPolicyService *svc)
{
	for (guint i = 0; i < svc->ports->len; i++) {
		guint32 r = g_array_index(svc->ports, guint32, i);
		if ((r >> 16) == (r & 0xffff))
			g_string_append_printf(out, "%s%u", i ? ", " : "", r >> 16);
		else
			g_string_append_printf(out, "%s%u-%u", i ? ", " : "", r >> 16, r & 0xffff);
	}
}

static void emit_rule(GString *out, const Side *from, const Side *to, const KjPolicyService *svc,
		      const char *comment)
{
	static const char *const fam[2] = {"ip", "ip6"};

	for (int f = 0; f < 2; f++) {
		if (from->inc[f]->len == 0 || to->inc[f]->len == 0)
			continue;
		g_string_append_printf(out, "\t\t%s saddr { %s } ", fam[f], from->inc[f]->str);
		if (from->exc[f]->len)
			g_string_append_printf(out, "%s saddr != { %s } ", fam[f],
					       from->exc[f]->str);
		g_string_append_printf(out, "%s daddr { %s } ", fam[f], to->inc[f]->str);
		if (to->exc[f]->len)
			g_string_append_printf(out, "%s daddr != { %s } ", fam[f], to->exc[f]->str);
		if (svc->proto == IPPROTO_ICMP)
			g_string_append(out,
					f == 0 ? "meta l4proto icmp " : "meta l4proto icmpv6 ");
		else {
			g_autoptr(GString) ports = g_string_new(NULL);
			ports_text(ports, svc);
			g_string_append_printf(out, "%s dport { %s } ",
					       kj_policy_proto_name(svc->proto), ports->str);
		}
		g_string_append_printf(out, "counter accept comment \"%s\"\n", comment);
	}
}

/* Internal refs (hosts and segments) together form one side; each
 * external forms its own, because its exclusions apply only to it. */
static GPtrArray *sides_of(const KjPolicy *p, const KjPolicyRef *refs, guint n)
{
	GPtrArray *sides = g_ptr_array_new();
	Side *internal = NULL;

	for (guint i = 0; i < n; i++) {
		Side *s;
		if (refs[i].kind != KJ_REF_EXTERNAL) {
			if (internal == NULL) {
				internal = g_new0(Side, 1);
				side_init(internal);
				g_ptr_array_add(sides, internal);
			}
			s = internal;
		} else {
			s = g_new0(Side, 1);
			side_init(s);
			g_ptr_array_add(sides, s);
		}
		side_from_ref(p, s, &refs[i]);
	}
	return sides;
}

static void free_sides(GPtrArray *sides)
{
	for (guint i = 0; i < sides->len; i++) {
		side_clear(g_ptr_array_index(sides, i));
		g_free(g_ptr_array_index(sides, i));
	}
	g_ptr_array_unref(sides);
}

static void emit_leg(GString *out, const KjPolicy *p, const KjPolicyFlow *f,
		     const KjPolicyRef *from, guint nfrom, const KjPolicyRef *to, guint nto)
{
	const KjPolicyService *svc = g_ptr_array_index(p->services, f->service);
	GPtrArray *a = sides_of(p, from, nfrom), *b = sides_of(p, to, nto);
	char comment[512];

	/* nft comments hold 128 bytes; 30 characters are at most 120. */
	g_utf8_strncpy(comment, f->name, 30);
	for (guint i = 0; i < a->len; i++)
		for (guint j = 0; j < b->len; j++)
			emit_rule(out, g_ptr_array_index(a, i), g_ptr_array_index(b, j), svc,
				  comment);
	free_sides(a);
	free_sides(b);
}

static gboolean refs_touch(const KjPolicy *p, GArray *refs, guint32 mask)
{
	for (guint i = 0; i < refs->len; i++) {
		KjSegment s = kj_policy_ref_segment(p, &g_array_index(refs, KjPolicyRef, i));
		if (s == KJ_SEG_NONE || (mask & (1u << s)))
			return TRUE;
	}
	return FALSE;
}

static gboolean refs_have_host(GArray *refs, guint host)
{
	for (guint i = 0; i < refs->len; i++) {
		const KjPolicyRef *r = &g_array_index(refs, KjPolicyRef, i);
		if (r->kind == KJ_REF_HOST && r->index == host)
			return TRUE;
	}
	return FALSE;
}

/* The forward chain gets every leg of the flows the firewall enforces;
 * the input chain only the legs that end at the firewall itself (its
 * management and monitoring), since only those reach its input hook. */
static void emit_flows(GString *out, const KjPolicy *p, guint host, gboolean input)
{
	const KjPolicyHost *fw = g_ptr_array_index(p->hosts, host);
	KjPolicyRef self = {KJ_REF_HOST, host};
	guint32 mask = 0;

	for (guint i = 0; i < fw->enforces->len; i++)
		mask |= 1u << g_array_index(fw->enforces, guint, i);
	for (guint i = 0; i < p->flows->len; i++) {
		const KjPolicyFlow *f = g_ptr_array_index(p->flows, i);
		const KjPolicyRef *from = (const KjPolicyRef *)(void *)f->from->data;
		const KjPolicyRef *to = (const KjPolicyRef *)(void *)f->to->data;
		if (input) {
			if (f->has_via && f->via.kind == KJ_REF_HOST && f->via.index == host)
				emit_leg(out, p, f, from, f->from->len, &self, 1);
			else if (!f->has_via && refs_have_host(f->to, host))
				emit_leg(out, p, f, from, f->from->len, &self, 1);
			continue;
		}
		if (mask && !refs_touch(p, f->from, mask) && !refs_touch(p, f->to, mask))
			continue;
		if (f->has_via) {
			emit_leg(out, p, f, from, f->from->len, &f->via, 1);
			emit_leg(out, p, f, &f->via, 1, to, f->to->len);
		} else {
			emit_leg(out, p, f, from, f->from->len, to, f->to->len);
		}
	}
}

static void emit_drop(GString *out, int log_group)
{
	if (log_group >= 0)
		g_string_append_printf(out, "\t\tcounter log prefix \"%s \" group %d\n",
				       KJ_POLICY_LOG_PREFIX, log_group);
	else
		g_string_append_printf(out, "\t\tcounter log prefix \"%s \" level warn\n",
				       KJ_POLICY_LOG_PREFIX);
	g_string_append(out, "\t\tcounter drop\n");
}

char *kj_policy_compile_nft(const KjPolicy *p, guint host, int log_group)
{
	const KjPolicyHost *fw = g_ptr_array_index(p->hosts, host);
	GString *out = g_string_new(NULL);

	g_string_append_printf(out,
			       "#!/usr/sbin/nft -f\n"
			       "# kyojin policy compile: firewall %s of %s (model %s, variant %s)\n"
			       "# Generated; do not edit.  Change the model, run 'kyojin policy "
			       "check', compile again.\n"
			       "# 基本方針 2(11) 通信経路の分割, 6(3): everything not listed is "
			       "dropped and logged.\n\n"
			       "table inet kyojin\ndelete table inet kyojin\n\n"
			       "table inet kyojin {\n",
			       fw->name, p->organization ? p->organization : "(organization)",
			       p->path ? p->path : "-", kj_policy_variant_name(p->variant));
	g_string_append(out, "\tchain forward {\n"
			     "\t\ttype filter hook forward priority filter; policy drop;\n"
			     "\t\tct state established,related accept\n"
			     "\t\tct state invalid counter drop\n");
	emit_flows(out, p, host, FALSE);
	emit_drop(out, log_group);
	g_string_append(out, "\t}\n\n\tchain input {\n"
			     "\t\ttype filter hook input priority filter; policy drop;\n"
			     "\t\tiif \"lo\" accept\n"
			     "\t\tct state established,related accept\n"
			     "\t\ticmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, "
			     "nd-router-solicit, nd-router-advert } accept\n");
	emit_flows(out, p, host, TRUE);
	emit_drop(out, log_group);
	g_string_append(out, "\t}\n}\n");
	return g_string_free(out, FALSE);
}
