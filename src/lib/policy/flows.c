/*++
 * NAME
 *	flows - find observed flows that the segment model does not allow
 * DESCRIPTION
 *	Streams flow logs line by line through a fixed buffer, maps both
 *	endpoints to hosts, segments or external networks (lpm.c), asks
 *	whether any flow of the model allows the pair on that protocol and
 *	port, and aggregates the rest into groups (source, destination,
 *	protocol, port) with a count and the first and last time seen.
 *
 *	The model is compiled once into legs (a flow with `via` is two legs:
 *	source to gateway, gateway to destination), each with a segment mask
 *	and a sorted array of endpoint ids, so a verdict is a few binary
 *	searches; a small direct-mapped cache remembers recent verdicts,
 *	since logs repeat the same pairs.
 * SECURITY
 *	Reads logs that may be hostile.  Memory does not grow with the log:
 *	one line buffer, a fixed cache, and at most
 *	KJ_POLICY_MAX_FLOW_GROUPS_DEFAULT groups (further violations are
 *	counted as groups_dropped).  Over-long lines are skipped to the next
 *	newline, never buffered.
 * LIMITS
 *	KJ_POLICY_LOG_MAX_LINE_DEFAULT, KJ_POLICY_MAX_FLOW_GROUPS_DEFAULT.
 * STANDARDS
 *	基本方針 6(3)③ (不正通信の監視), 6(7) (情報システムの監視).
 * SEE ALSO
 *	flowlog.c (line formats), compile.c (the log prefix), lpm.c.
 *--*/
#include "policy/policy_private.h"

#include "util/limits.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#define CACHE_SIZE (1u << 16)
#define READ_CHUNK (1u << 20)

typedef struct {
	guint32 segmask; /* bit per segment */
	GArray *ids;     /* sorted endpoint ids of hosts and externals */
} RefSet;

typedef struct {
	RefSet from, to;
	int proto;
	const GArray *ports;
} Leg;

typedef struct {
	guint src, dst;
	guint16 dport;
	guint8 proto;
	guint8 state; /* 0 empty, 1 denied, 2 allowed */
} CacheEntry;

struct KjFlowAnalysis {
	const KjPolicy *p;
	KjPolicyLpm *lpm;
	GArray *legs;
	KjFlowStats st;
	GHashTable *groups;
	CacheEntry *cache;
	char *buf;
	gsize max_line;
};

static int uint_cmp(gconstpointer a, gconstpointer b)
{
	guint x = *(const guint *)a, y = *(const guint *)b;
	return x < y ? -1 : x > y;
}

static void refset_init(const KjPolicy *p, RefSet *r, const KjPolicyRef *refs, guint n)
{
	r->segmask = 0;
	r->ids = g_array_new(FALSE, FALSE, sizeof(guint));
	for (guint i = 0; i < n; i++) {
		guint id;
		switch (refs[i].kind) {
		case KJ_REF_SEGMENT:
			r->segmask |= 1u << refs[i].index;
			continue;
		case KJ_REF_HOST:
			id = refs[i].index + 1;
			break;
		default:
			id = p->hosts->len + 1 + KJ_SEG_COUNT + refs[i].index;
			break;
		}
		g_array_append_val(r->ids, id);
	}
	g_array_sort(r->ids, uint_cmp);
}

static gboolean refset_has(const KjFlowAnalysis *a, const RefSet *r, guint id)
{
	KjSegment s = kj_policy_endpoint_segment(a->p, id);
	guint lo = 0, hi = r->ids->len;
	const guint *v = (const guint *)(void *)r->ids->data;

	if (s != KJ_SEG_NONE && (r->segmask & (1u << s)))
		return TRUE;
	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		if (v[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->ids->len && v[lo] == id;
}

static void add_leg(KjFlowAnalysis *a, const KjPolicyFlow *f, const KjPolicyRef *from, guint nfrom,
		    const KjPolicyRef *to, guint nto)
{
	const KjPolicyService *svc = g_ptr_array_index(a->p->services, f->service);
	Leg leg = {.proto = svc->proto, .ports = svc->ports};

	refset_init(a->p, &leg.from, from, nfrom);
	refset_init(a->p, &leg.to, to, nto);
	g_array_append_val(a->legs, leg);
}

static guint group_hash(gconstpointer k)
{
	const KjFlowGroup *g = k;
	return g->src * 2654435761u ^ g->dst * 40503u ^ g->dport << 8 ^ (guint)g->proto;
}

static gboolean group_equal(gconstpointer x, gconstpointer y)
{
	const KjFlowGroup *a = x, *b = y;
	return a->src == b->src && a->dst == b->dst && a->dport == b->dport && a->proto == b->proto;
}

KjFlowAnalysis *kj_flow_analysis_new(const KjPolicy *p)
{
	KjFlowAnalysis *a = g_new0(KjFlowAnalysis, 1);

	a->p = p;
	a->lpm = kj_policy_lpm_new(p);
	a->legs = g_array_new(FALSE, FALSE, sizeof(Leg));
	for (guint i = 0; i < p->flows->len; i++) {
		const KjPolicyFlow *f = g_ptr_array_index(p->flows, i);
		const KjPolicyRef *from = (const KjPolicyRef *)(void *)f->from->data;
		const KjPolicyRef *to = (const KjPolicyRef *)(void *)f->to->data;
		if (f->has_via) {
			add_leg(a, f, from, f->from->len, &f->via, 1);
			add_leg(a, f, &f->via, 1, to, f->to->len);
		} else {
			add_leg(a, f, from, f->from->len, to, f->to->len);
		}
	}
	a->groups = g_hash_table_new_full(group_hash, group_equal, g_free, NULL);
	a->cache = g_new0(CacheEntry, CACHE_SIZE);
	a->max_line = KJ_POLICY_LOG_MAX_LINE_DEFAULT;
	return a;
}

void kj_flow_analysis_free(KjFlowAnalysis *a)
{
	if (a == NULL)
		return;
	for (guint i = 0; i < a->legs->len; i++) {
		Leg *l = &g_array_index(a->legs, Leg, i);
		g_array_unref(l->from.ids);
		g_array_unref(l->to.ids);
	}
	g_array_unref(a->legs);
	g_hash_table_unref(a->groups);
	kj_policy_lpm_free(a->lpm);
	g_free(a->cache);
	g_free(a->buf);
	g_free(a);
}

static gboolean port_in(const GArray *ports, guint dport)
{
	for (guint i = 0; i < ports->len; i++) {
		guint32 r = g_array_index(ports, guint32, i);
		if (dport >= (r >> 16) && dport <= (r & 0xffff))
			return TRUE;
	}
	return FALSE;
}

static gboolean allows_slow(KjFlowAnalysis *a, guint src, guint dst, int proto, guint dport)
{
	/* A model's "icmp" service covers ICMPv6 too, as compile.c emits it. */
	if (proto == IPPROTO_ICMPV6)
		proto = IPPROTO_ICMP;
	for (guint i = 0; i < a->legs->len; i++) {
		const Leg *l = &g_array_index(a->legs, Leg, i);
		if (l->proto != proto)
			continue;
		if (l->ports->len && !port_in(l->ports, dport))
			continue;
		if (refset_has(a, &l->from, src) && refset_has(a, &l->to, dst))
			return TRUE;
	}
	return FALSE;
}

gboolean kj_flow_analysis_allows(KjFlowAnalysis *a, guint src, guint dst, int proto, guint dport)
{
	guint h =
	    (src * 2654435761u ^ dst * 2246822519u ^ dport * 3266489917u ^ (guint)proto) >> 16;
	CacheEntry *c = &a->cache[h & (CACHE_SIZE - 1)];

	if (c->state && c->src == src && c->dst == dst && c->dport == dport &&
	    c->proto == (guint8)proto)
		return c->state == 2;
	gboolean ok = allows_slow(a, src, dst, proto, dport);
	*c = (CacheEntry){src, dst, (guint16)dport, (guint8)proto, ok ? 2 : 1};
	return ok;
}

guint kj_flow_analysis_endpoint(const KjFlowAnalysis *a, const guint8 addr[16])
{
	return kj_policy_lpm_lookup(a->lpm, addr);
}

static void format_addr(const guint8 a[16], char *buf, gsize len)
{
	static const guint8 mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if (memcmp(a, mapped, 12) == 0)
		inet_ntop(AF_INET, a + 12, buf, (socklen_t)len);
	else
		inet_ntop(AF_INET6, a, buf, (socklen_t)len);
}

static void set_time(char dst[40], const KjObservedFlow *f)
{
	gsize n = MIN(f->time_len, (gsize)39);

	memcpy(dst, f->time, n);
	dst[n] = '\0';
}

static void record(KjFlowAnalysis *a, const KjObservedFlow *f, guint src, guint dst)
{
	KjFlowGroup key = {.src = src, .dst = dst, .proto = f->proto, .dport = f->dport};
	KjFlowGroup *g = g_hash_table_lookup(a->groups, &key);

	if (g == NULL) {
		if (g_hash_table_size(a->groups) >= KJ_POLICY_MAX_FLOW_GROUPS_DEFAULT) {
			a->st.groups_dropped++;
			return;
		}
		g = g_new0(KjFlowGroup, 1);
		*g = key;
		set_time(g->first_seen, f);
		format_addr(f->src, g->src_example, sizeof g->src_example);
		format_addr(f->dst, g->dst_example, sizeof g->dst_example);
		g_hash_table_add(a->groups, g);
	}
	g->count++;
	set_time(g->last_seen, f);
}

void kj_flow_analysis_line(KjFlowAnalysis *a, const char *line, gsize len)
{
	KjObservedFlow f;

	a->st.lines++;
	switch (kj_flowlog_parse_line(line, len, &f)) {
	case KJ_FLOWLOG_NONE:
		a->st.ignored++;
		return;
	case KJ_FLOWLOG_GARBAGE:
		a->st.garbage++;
		return;
	case KJ_FLOWLOG_TRUNCATED:
		a->st.truncated++;
		return;
	case KJ_FLOWLOG_FLOW:
		break;
	}
	a->st.flows++;
	guint src = kj_policy_lpm_lookup(a->lpm, f.src);
	guint dst = kj_policy_lpm_lookup(a->lpm, f.dst);
	if (src != 0 && dst != 0 && kj_flow_analysis_allows(a, src, dst, f.proto, f.dport)) {
		a->st.allowed++;
		return;
	}
	a->st.violations++;
	record(a, &f, src, dst);
}

/* Splits buf[0, *fill) into lines; keeps an unfinished tail.  *skipping
 * is set while the rest of an over-long line is being thrown away. */
static void feed(KjFlowAnalysis *a, gsize *fill, gboolean *skipping, gboolean eof)
{
	char *p = a->buf, *end = a->buf + *fill;

	while (p < end) {
		char *nl = memchr(p, '\n', (gsize)(end - p));
		if (nl == NULL)
			break;
		if (*skipping) {
			*skipping = FALSE;
		} else if ((gsize)(nl - p) > a->max_line) {
			a->st.lines++;
			a->st.overlong++;
		} else {
			kj_flow_analysis_line(a, p, (gsize)(nl - p));
		}
		p = nl + 1;
	}
	gsize rest = (gsize)(end - p);
	if (*skipping) {
		rest = 0;
	} else if (rest > a->max_line) {
		a->st.lines++;
		a->st.overlong++;
		*skipping = !eof;
		rest = 0;
	} else if (eof && rest > 0) {
		/* A last line without newline: a writer cut off mid-line is the
		 * usual cause; parse it, and the parser says if it is short. */
		kj_flow_analysis_line(a, p, rest);
		rest = 0;
	}
	memmove(a->buf, p, rest);
	*fill = rest;
}

gboolean kj_flow_analysis_file(KjFlowAnalysis *a, const char *path, GError **error)
{
	int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	gsize cap = READ_CHUNK + a->max_line + 1, fill = 0;
	gboolean skipping = FALSE;

	if (fd < 0) {
		int e = errno;
		g_set_error(error, KJ_POLICY_ERROR, KJ_POLICY_ERROR_IO, "%s: %s", path,
			    g_strerror(e));
		return FALSE;
	}
	if (a->buf == NULL)
		a->buf = g_malloc(cap);
	for (;;) {
		ssize_t n = read(fd, a->buf + fill, cap - fill);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			g_set_error(error, KJ_POLICY_ERROR, KJ_POLICY_ERROR_IO, "%s: %s", path,
				    g_strerror(e));
			if (fd != 0)
				close(fd);
			return FALSE;
		}
		fill += (gsize)n;
		feed(a, &fill, &skipping, n == 0);
		if (n == 0)
			break;
	}
	if (fd != 0)
		close(fd);
	return TRUE;
}

const KjFlowStats *kj_flow_analysis_stats(const KjFlowAnalysis *a)
{
	return &a->st;
}

static int group_cmp(gconstpointer x, gconstpointer y)
{
	const KjFlowGroup *a = *(const KjFlowGroup *const *)x, *b = *(const KjFlowGroup *const *)y;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	if (a->src != b->src)
		return a->src < b->src ? -1 : 1;
	if (a->dst != b->dst)
		return a->dst < b->dst ? -1 : 1;
	return (int)a->dport - (int)b->dport;
}

GPtrArray *kj_flow_analysis_groups(KjFlowAnalysis *a)
{
	GPtrArray *out = g_ptr_array_sized_new(g_hash_table_size(a->groups));
	GHashTableIter it;
	gpointer k;

	g_hash_table_iter_init(&it, a->groups);
	while (g_hash_table_iter_next(&it, &k, NULL))
		g_ptr_array_add(out, k);
	g_ptr_array_sort(out, group_cmp);
	return out;
}
