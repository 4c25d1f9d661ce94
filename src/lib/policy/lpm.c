/*++
 * NAME
 *	lpm - longest-prefix match of addresses to hosts, segments, externals
 * DESCRIPTION
 *	`policy flows` maps two addresses per log line to the model, at a
 *	million lines a second or more, so the lookup must be a few cache
 *	misses.  The model's prefixes (host addresses, segment networks,
 *	external networks) either nest or are disjoint; sweeping them in
 *	address order with a stack flattens them into a sorted array of
 *	breakpoints, each the start of a run of addresses whose most
 *	specific prefix is the same.  A lookup is one binary search over
 *	that array: O(log n), no allocation, no pointers to chase.
 *
 *	IPv4 lives in the IPv4-mapped range (cidr.c), so the one array
 *	answers for both families.
 * SECURITY
 *	Built from the loaded model; looked up with addresses from logs
 *	that may be forged, which is harmless: any 128-bit key is valid.
 * LIMITS
 *	At most 2 * (number of prefixes) + 1 breakpoints.
 * STANDARDS
 *	RFC 4632 (longest match), RFC 4291 2.5.5.2 (IPv4-mapped).  基本方針
 *	2(8)-(10): an address belongs to the segment whose network holds it.
 * SEE ALSO
 *	flows.c, check_net.c (the same sweep, for overlaps).
 *--*/
#include "policy/policy_private.h"

#include <string.h>

__extension__ typedef unsigned __int128 u128;

struct KjPolicyLpm {
	u128 *starts;
	guint *ids;
	guint n, cap;
};

typedef struct {
	u128 lo, hi;
	guint plen;
	guint id;
} Prefix;

static u128 load_be(const guint8 a[16])
{
	u128 v = 0;

	for (int i = 0; i < 16; i++)
		v = v << 8 | a[i];
	return v;
}

static void add_prefix(GArray *out, const KjCidr *c, guint id)
{
	Prefix p;
	u128 host = c->plen == 0 ? ~(u128)0 : (((u128)1 << (128 - c->plen)) - 1);

	if (c->plen == 128)
		host = 0;
	p.lo = load_be(c->addr);
	p.hi = p.lo | host;
	p.plen = c->plen;
	p.id = id;
	g_array_append_val(out, p);
}

static int prefix_cmp(gconstpointer a, gconstpointer b)
{
	const Prefix *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return (int)x->plen - (int)y->plen;
}

static void emit(KjPolicyLpm *l, u128 start, guint id)
{
	if (l->n > 0 && l->starts[l->n - 1] == start) {
		l->ids[l->n - 1] = id;
		if (l->n > 1 && l->ids[l->n - 2] == id)
			l->n--;
		return;
	}
	if (l->n > 0 && l->ids[l->n - 1] == id)
		return;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->starts = g_renew(u128, l->starts, l->cap);
		l->ids = g_renew(guint, l->ids, l->cap);
	}
	l->starts[l->n] = start;
	l->ids[l->n] = id;
	l->n++;
}

/* Pops the top prefix: addresses after its end belong to the one below. */
static void pop(KjPolicyLpm *l, GArray *stack)
{
	const Prefix *top = &g_array_index(stack, Prefix, stack->len - 1);
	u128 end = top->hi;

	g_array_set_size(stack, stack->len - 1);
	if (end == ~(u128)0)
		return;
	emit(l, end + 1, stack->len ? g_array_index(stack, Prefix, stack->len - 1).id : 0);
}

static void collect(const KjPolicy *p, GArray *prefixes)
{
	guint h = p->hosts->len;

	for (int s = 0; s < KJ_SEG_COUNT; s++) {
		GArray *nets = p->segments[s].networks;
		for (guint k = 0; k < nets->len; k++)
			add_prefix(prefixes, &g_array_index(nets, KjCidr, k), h + 1 + (guint)s);
	}
	for (guint e = 0; e < p->externals->len; e++) {
		const KjPolicyExternal *x = g_ptr_array_index(p->externals, e);
		for (guint k = 0; k < x->networks->len; k++)
			add_prefix(prefixes, &g_array_index(x->networks, KjCidr, k),
				   h + 1 + KJ_SEG_COUNT + e);
	}
	for (guint i = 0; i < h; i++) {
		const KjPolicyHost *host = g_ptr_array_index(p->hosts, i);
		for (guint k = 0; k < host->addresses->len; k++)
			add_prefix(prefixes, &g_array_index(host->addresses, KjCidr, k), i + 1);
	}
}

KjPolicyLpm *kj_policy_lpm_new(const KjPolicy *p)
{
	KjPolicyLpm *l = g_new0(KjPolicyLpm, 1);
	g_autoptr(GArray) prefixes = g_array_new(FALSE, FALSE, sizeof(Prefix));
	g_autoptr(GArray) stack = g_array_new(FALSE, FALSE, sizeof(Prefix));

	collect(p, prefixes);
	g_array_sort(prefixes, prefix_cmp);
	emit(l, 0, 0);
	for (guint i = 0; i < prefixes->len; i++) {
		const Prefix *x = &g_array_index(prefixes, Prefix, i);
		while (stack->len && g_array_index(stack, Prefix, stack->len - 1).hi < x->lo)
			pop(l, stack);
		emit(l, x->lo, x->id);
		g_array_append_val(stack, *x);
	}
	while (stack->len)
		pop(l, stack);
	return l;
}

void kj_policy_lpm_free(KjPolicyLpm *l)
{
	if (l == NULL)
		return;
	g_free(l->starts);
	g_free(l->ids);
	g_free(l);
}

guint kj_policy_lpm_size(const KjPolicyLpm *l)
{
	return l->n;
}

guint kj_policy_lpm_lookup(const KjPolicyLpm *l, const guint8 addr[16])
{
	u128 key = load_be(addr);
	guint lo = 0, hi = l->n;

	/* Last breakpoint <= key; starts[0] == 0 so there always is one. */
	while (hi - lo > 1) {
		guint mid = lo + (hi - lo) / 2;
		if (l->starts[mid] <= key)
			lo = mid;
		else
			hi = mid;
	}
	return l->ids[lo];
}
