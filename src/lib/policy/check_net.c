/*++
 * NAME
 *	check_net - well-formedness of the networks of a segment model
 * DESCRIPTION
 *	The segments are defined by their networks (基本方針 2(8)-(10)), so
 *	an address must belong to exactly one segment: segment networks may
 *	not overlap, an external network may not lie inside a segment (it
 *	would steal the segment's addresses), every host address must lie in
 *	its own segment's networks, and no two hosts share an address.  An
 *	external network may contain segment networks ("the internet" is
 *	0.0.0.0/0): the longest prefix wins, as it does in the router.
 *
 *	All checks sort and sweep, O(n log n): a 100,000-host model is
 *	checked in well under a second.  Prefixes either nest or are
 *	disjoint, so a sweep in address order with a stack of the open
 *	prefixes sees every nesting pair of parent and child.
 * SECURITY
 *	Pure function of the loaded model.
 * LIMITS
 *	None of its own; the loader bounds the model.
 * STANDARDS
 *	基本方針 2(8)-(10), 2(11); RFC 4632.
 * SEE ALSO
 *	check.c, lpm.c.
 *--*/
#include "policy/check_private.h"

#include <string.h>

typedef struct {
	KjCidr cidr;
	int owner;  /* segment 0..2, or 3 + external index */
	guint host; /* host index + 1 for host addresses, else 0 */
} Net;

static int net_cmp(gconstpointer a, gconstpointer b)
{
	const Net *x = a, *y = b;
	int c = memcmp(x->cidr.addr, y->cidr.addr, 16);

	if (c != 0)
		return c;
	return (int)x->cidr.plen - (int)y->cidr.plen;
}

static const char *owner_name(const KjPolicy *p, int owner)
{
	if (owner < KJ_SEG_COUNT)
		return kj_policy_segment_name((KjSegment)owner);
	return ((const KjPolicyExternal *)g_ptr_array_index(p->externals, (guint)owner - 3))->name;
}

static KjPolicyMark owner_mark(const KjPolicy *p, int owner)
{
	if (owner < KJ_SEG_COUNT)
		return p->segments[owner].mark;
	return ((const KjPolicyExternal *)g_ptr_array_index(p->externals, (guint)owner - 3))->mark;
}

static void overlap(const KjPolicy *p, const Net *outer, const Net *inner, GPtrArray *out)
{
	char a[64], b[64];
	gboolean outer_seg = outer->owner < KJ_SEG_COUNT, inner_seg = inner->owner < KJ_SEG_COUNT;

	/* A segment inside an external network is the normal case. */
	if (!outer_seg && inner_seg)
		return;
	if (!outer_seg && !inner_seg && outer->cidr.plen != inner->cidr.plen)
		return;
	kj_cidr_format(&outer->cidr, a, sizeof a);
	kj_cidr_format(&inner->cidr, b, sizeof b);
	KjPolicyViolation *v = _kj_check_add(
	    out, "network-overlap", KJ_CLAUSE_DEFS, owner_mark(p, inner->owner), NULL,
	    "give each segment and external network its own address range; split or "
	    "renumber one of them",
	    "network %s of %s overlaps %s of %s: an address there would belong to two "
	    "places",
	    b, owner_name(p, inner->owner), a, owner_name(p, outer->owner));
	_kj_check_host(v, owner_name(p, inner->owner));
	_kj_check_host(v, owner_name(p, outer->owner));
}

static void check_overlaps(const KjPolicy *p, GArray *nets, GPtrArray *out)
{
	g_autoptr(GPtrArray) stack = g_ptr_array_new();

	g_array_sort(nets, net_cmp);
	for (guint i = 0; i < nets->len; i++) {
		Net *n = &g_array_index(nets, Net, i);
		while (stack->len > 0) {
			Net *top = g_ptr_array_index(stack, stack->len - 1);
			if (kj_cidr_contains(&top->cidr, &n->cidr))
				break;
			g_ptr_array_set_size(stack, stack->len - 1);
		}
		if (stack->len > 0)
			overlap(p, g_ptr_array_index(stack, stack->len - 1), n, out);
		g_ptr_array_add(stack, n);
	}
}

/* The segment network containing addr, found by binary search over the
 * sorted list of segment networks (non-overlapping once check_overlaps
 * has passed; with overlaps the answer is one of the candidates, which
 * is enough since the overlap is reported anyway). */
static int segment_of(GArray *segnets, const KjCidr *addr)
{
	guint lo = 0, hi = segnets->len;

	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		const Net *n = &g_array_index(segnets, Net, mid);
		if (memcmp(n->cidr.addr, addr->addr, 16) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (guint k = lo; k > 0 && lo - k < 4; k--) {
		const Net *n = &g_array_index(segnets, Net, k - 1);
		if (kj_cidr_contains(&n->cidr, addr))
			return n->owner;
	}
	return -1;
}

static void check_hosts_inside(const KjPolicy *p, GArray *segnets, GPtrArray *out)
{
	char a[64];

	for (guint i = 0; i < p->hosts->len; i++) {
		const KjPolicyHost *h = g_ptr_array_index(p->hosts, i);
		for (guint k = 0; k < h->addresses->len; k++) {
			const KjCidr *c = &g_array_index(h->addresses, KjCidr, k);
			int seg = segment_of(segnets, c);
			/* A firewall has an interface in each segment it joins. */
			if (seg == (int)h->segment || (seg >= 0 && h->role == KJ_ROLE_FIREWALL))
				continue;
			kj_cidr_format(c, a, sizeof a);
			g_autofree char *fix = g_strdup_printf(
			    "renumber %s into the networks of segment %s, or correct its "
			    "segment",
			    h->name, kj_policy_segment_name(h->segment));
			KjPolicyViolation *v = _kj_check_add(
			    out, "host-outside-segment", KJ_CLAUSE_DEFS, h->mark, NULL, fix,
			    "host %s (segment %s) has address %s, which is %s%s", h->name,
			    kj_policy_segment_name(h->segment), a,
			    seg < 0 ? "in no segment's networks" : "in the networks of segment ",
			    seg < 0 ? "" : kj_policy_segment_name((KjSegment)seg));
			_kj_check_host(v, h->name);
		}
	}
}

static void check_duplicate_addresses(const KjPolicy *p, GPtrArray *out)
{
	g_autoptr(GArray) all = g_array_new(FALSE, FALSE, sizeof(Net));
	char a[64];

	for (guint i = 0; i < p->hosts->len; i++) {
		const KjPolicyHost *h = g_ptr_array_index(p->hosts, i);
		for (guint k = 0; k < h->addresses->len; k++) {
			Net n = {g_array_index(h->addresses, KjCidr, k), 0, i + 1};
			g_array_append_val(all, n);
		}
	}
	g_array_sort(all, net_cmp);
	for (guint i = 1; i < all->len; i++) {
		const Net *x = &g_array_index(all, Net, i - 1), *y = &g_array_index(all, Net, i);
		if (net_cmp(x, y) != 0 || x->host == y->host)
			continue;
		const KjPolicyHost *hx = g_ptr_array_index(p->hosts, x->host - 1);
		const KjPolicyHost *hy = g_ptr_array_index(p->hosts, y->host - 1);
		kj_cidr_format(&y->cidr, a, sizeof a);
		KjPolicyViolation *v =
		    _kj_check_add(out, "address-duplicate", KJ_CLAUSE_DEFS, hy->mark, NULL,
				  "give each host its own address",
				  "hosts %s and %s both have address %s", hx->name, hy->name, a);
		_kj_check_host(v, hx->name);
		_kj_check_host(v, hy->name);
	}
}

void _kj_check_networks(const KjPolicy *p, GPtrArray *out)
{
	g_autoptr(GArray) nets = g_array_new(FALSE, FALSE, sizeof(Net));
	g_autoptr(GArray) segnets = g_array_new(FALSE, FALSE, sizeof(Net));

	for (int s = 0; s < KJ_SEG_COUNT; s++) {
		const KjPolicySegmentDef *d = &p->segments[s];
		if (!d->declared) {
			g_autofree char *fix =
			    g_strdup_printf("declare it under 'segments: %s: networks: [...]'",
					    kj_policy_segment_name((KjSegment)s));
			_kj_check_add(out, "segment-missing", KJ_CLAUSE_DEFS, (KjPolicyMark){1, 1},
				      NULL, fix, "segment %s is not declared: 6(3) needs all three",
				      kj_policy_segment_name((KjSegment)s));
		}
		for (guint k = 0; k < d->networks->len; k++) {
			Net n = {g_array_index(d->networks, KjCidr, k), s, 0};
			g_array_append_val(nets, n);
			g_array_append_val(segnets, n);
		}
	}
	for (guint e = 0; e < p->externals->len; e++) {
		const KjPolicyExternal *x = g_ptr_array_index(p->externals, e);
		for (guint k = 0; k < x->networks->len; k++) {
			Net n = {g_array_index(x->networks, KjCidr, k), 3 + (int)e, 0};
			g_array_append_val(nets, n);
		}
	}
	check_overlaps(p, nets, out);
	g_array_sort(segnets, net_cmp);
	check_hosts_inside(p, segnets, out);
	check_duplicate_addresses(p, out);
}
