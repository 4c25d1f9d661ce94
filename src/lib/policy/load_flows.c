/*++
 * NAME
 *	load_flows - services, host groups and flows of a segment model
 * DESCRIPTION
 *	The second half of the loader (load.c): services (protocol and
 *	ports), groups (named sets of hosts, externals, segments and other
 *	groups) and the allowed flows.  Flow endpoints are resolved to
 *	hosts, segments and external networks here, groups expanded, so
 *	that check.c and compile.c never see a name.
 *
 *	A group that contains itself, directly or through others, is an
 *	error that prints the cycle ("a -> b -> a"): expanding it would
 *	never end, and guessing where to cut it would change the meaning.
 * SECURITY
 *	As load.c.  Group expansion is bounded by KJ_POLICY_MAX_GROUP_DEPTH
 *	and each group is expanded once (memoised), so a wide diamond of
 *	groups cannot make the expansion exponential.
 * LIMITS
 *	KJ_POLICY_MAX_GROUP_DEPTH, KJ_POLICY_MAX_REFS_DEFAULT; ports 1-65535.
 * STANDARDS
 *	基本方針 2(11) (通信経路の分割): a flow is the unit of allowed
 *	communication; 6(3)②: `via` names the sanitizing host.
 * SEE ALSO
 *	load.c, check.c.
 *--*/
#include "policy/load_private.h"

#include "util/limits.h"

#include <netinet/in.h>
#include <string.h>

static gboolean parse_port(const char *s, guint *out)
{
	guint v = 0;

	if (*s == '\0' || strlen(s) > 5)
		return FALSE;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return FALSE;
		v = v * 10 + (guint)(*s - '0');
	}
	if (v == 0 || v > 65535)
		return FALSE;
	*out = v;
	return TRUE;
}

static gboolean load_ports(LCtx *c, const KjYNode *n, KjPolicyService *svc)
{
	g_autoptr(GPtrArray) items = g_ptr_array_new();

	if (!_kj_load_list(c, n, "ports", items))
		return FALSE;
	for (guint i = 0; i < items->len; i++) {
		const KjYNode *it = g_ptr_array_index(items, i);
		g_autofree char *lo_s = g_strdup(it->value);
		char *dash = strchr(lo_s, '-');
		guint lo, hi;
		if (dash)
			*dash = '\0';
		if (!parse_port(lo_s, &lo) || (dash ? !parse_port(dash + 1, &hi) : (hi = lo, 0)) ||
		    hi < lo)
			return _kj_load_fail(c, it, KJ_POLICY_ERROR_VALUE,
					     "port '%s' is not a number from 1 to 65535 or a range "
					     "like 8000-8080",
					     it->value);
		guint32 packed = (guint32)lo << 16 | hi;
		g_array_append_val(svc->ports, packed);
	}
	return TRUE;
}

static gboolean load_service(LCtx *c, const KjYNode *e)
{
	static const char *const keys[] = {"name", "protocol", "ports", "description", NULL};
	static const char *const protos[] = {"tcp", "udp", "icmp"};
	static const int proto_nums[] = {IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP};
	const KjYNode *x;
	const char *name;
	guint v;

	if (!_kj_load_keys(c, e, "a service", keys))
		return FALSE;
	if (!(x = _kj_load_get(e, "name")))
		return _kj_load_fail(c, e, KJ_POLICY_ERROR_VALUE, "a service needs a 'name'");
	if (!_kj_load_name(c, x, "name", &name))
		return FALSE;
	if (g_hash_table_contains(c->services, name))
		return _kj_load_fail(c, x, KJ_POLICY_ERROR_REFERENCE, "duplicate service name '%s'",
				     name);
	KjPolicyService *svc = g_new0(KjPolicyService, 1);
	svc->name = g_strdup(name);
	svc->ports = g_array_new(FALSE, TRUE, sizeof(guint32));
	svc->mark = (KjPolicyMark){e->line, e->column};
	g_ptr_array_add(c->p->services, svc);
	g_hash_table_insert(c->services, svc->name, GUINT_TO_POINTER(c->p->services->len));
	if (!(x = _kj_load_get(e, "protocol")))
		return _kj_load_fail(c, e, KJ_POLICY_ERROR_VALUE, "service '%s' needs a 'protocol'",
				     name);
	if (!_kj_load_enum(c, x, "protocol", protos, 3, &v))
		return FALSE;
	svc->proto = proto_nums[v];
	x = _kj_load_get(e, "ports");
	if (svc->proto == IPPROTO_ICMP) {
		if (x)
			return _kj_load_fail(c, x, KJ_POLICY_ERROR_VALUE,
					     "icmp has no ports; remove 'ports'");
		return TRUE;
	}
	if (x == NULL)
		return _kj_load_fail(c, e, KJ_POLICY_ERROR_VALUE, "service '%s' needs 'ports'",
				     name);
	return load_ports(c, x, svc);
}

static const char *const *all_names(LCtx *c, GPtrArray *keep)
{
	GHashTableIter it;
	gpointer k;

	g_hash_table_iter_init(&it, c->names);
	while (g_hash_table_iter_next(&it, &k, NULL))
		g_ptr_array_add(keep, k);
	for (int s = 0; s < KJ_SEG_COUNT; s++)
		g_ptr_array_add(keep, KJ_UNCONST(kj_policy_segment_name((KjSegment)s)));
	g_ptr_array_add(keep, NULL);
	return (const char *const *)keep->pdata;
}

static gboolean resolve(LCtx *c, const KjYNode *n, GArray *out, GPtrArray *path);

static gboolean expand_group(LCtx *c, const KjYNode *at, guint g, GPtrArray *path)
{
	guint8 *state = &g_array_index(c->group_state, guint8, g);

	if (*state == 2)
		return TRUE;
	g_ptr_array_add(path, g_ptr_array_index(c->group_names, g));
	if (*state == 1 || path->len > KJ_POLICY_MAX_GROUP_DEPTH) {
		GString *cyc = g_string_new(NULL);
		for (guint i = 0; i < path->len; i++)
			g_string_append_printf(cyc, "%s%s", i ? " -> " : "",
					       (const char *)g_ptr_array_index(path, i));
		g_autofree char *s = g_string_free(cyc, FALSE);
		return _kj_load_fail(c, at, KJ_POLICY_ERROR_REFERENCE,
				     *state == 1 ? "circular group reference: %s"
						 : "groups nested too deeply: %s",
				     s);
	}
	*state = 1;
	g_autoptr(GPtrArray) items = g_ptr_array_new();
	const KjYNode *members = g_ptr_array_index(c->groups, g);
	if (!_kj_load_list(c, members, "members", items))
		return FALSE;
	GArray *refs = g_ptr_array_index(c->group_refs, g);
	for (guint i = 0; i < items->len; i++)
		if (!resolve(c, g_ptr_array_index(items, i), refs, path))
			return FALSE;
	g_array_index(c->group_state, guint8, g) = 2;
	g_ptr_array_set_size(path, path->len - 1);
	return TRUE;
}

/* Resolves one name to references, expanding groups. */
static gboolean resolve(LCtx *c, const KjYNode *n, GArray *out, GPtrArray *path)
{
	const char *name = n->value;
	KjPolicyRef r = {0};

	for (int s = 0; s < KJ_SEG_COUNT; s++)
		if (strcmp(name, kj_policy_segment_name((KjSegment)s)) == 0) {
			r.kind = KJ_REF_SEGMENT;
			r.index = (guint)s;
			g_array_append_val(out, r);
			return TRUE;
		}
	LName *d = g_hash_table_lookup(c->names, name);
	if (d == NULL) {
		g_autoptr(GPtrArray) keep = g_ptr_array_new();
		const char *s = kj_policy_suggest(name, all_names(c, keep));
		return _kj_load_fail(c, n, KJ_POLICY_ERROR_REFERENCE,
				     "unknown name '%s': not a host, group, external network or "
				     "segment%s%s%s",
				     name, s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
	}
	if (d->kind == LN_GROUP) {
		if (!expand_group(c, n, d->index, path))
			return FALSE;
		GArray *refs = g_ptr_array_index(c->group_refs, d->index);
		/* Groups naming big groups many times multiply; count every
		 * copy against the same bound as the flows. */
		c->refs += refs->len;
		if (c->refs > KJ_POLICY_MAX_REFS_DEFAULT)
			return _kj_load_fail(c, n, KJ_POLICY_ERROR_LIMIT,
					     "groups expand to more than %d endpoints (see "
					     "KJ_POLICY_MAX_REFS in util/limits.h)",
					     KJ_POLICY_MAX_REFS_DEFAULT);
		g_array_append_vals(out, refs->data, refs->len);
		return TRUE;
	}
	r.kind = d->kind == LN_HOST ? KJ_REF_HOST : KJ_REF_EXTERNAL;
	r.index = d->index;
	g_array_append_val(out, r);
	return TRUE;
}

static gboolean load_groups(LCtx *c, const KjYNode *n)
{
	static const char *const keys[] = {"name", "members", "description", NULL};

	if (n->type != KJ_YN_SEQ)
		return _kj_load_fail(c, n, KJ_POLICY_ERROR_VALUE, "groups must be a list");
	for (guint i = 0; i < n->items->len; i++) {
		const KjYNode *e = g_ptr_array_index(n->items, i);
		const KjYNode *x, *m;
		const char *name;
		if (!_kj_load_keys(c, e, "a group", keys))
			return FALSE;
		if (!(x = _kj_load_get(e, "name")))
			return _kj_load_fail(c, e, KJ_POLICY_ERROR_VALUE, "a group needs a 'name'");
		if (!_kj_load_name(c, x, "name", &name))
			return FALSE;
		if (!(m = _kj_load_get(e, "members")))
			return _kj_load_fail(c, e, KJ_POLICY_ERROR_VALUE,
					     "group '%s' needs 'members'", name);
		if (!_kj_load_define(c, x, name, LN_GROUP, c->groups->len))
			return FALSE;
		guint8 zero = 0;
		g_ptr_array_add(c->groups, KJ_UNCONST(m));
		g_ptr_array_add(c->group_names, KJ_UNCONST(name));
		g_array_append_val(c->group_state, zero);
		g_ptr_array_add(c->group_refs, g_array_new(FALSE, TRUE, sizeof(KjPolicyRef)));
	}
	/* Expand every group, so a cycle is found even in an unused one. */
	g_autoptr(GPtrArray) path = g_ptr_array_new();
	for (guint g = 0; g < c->groups->len; g++)
		if (!expand_group(c, g_ptr_array_index(c->groups, g), g, path))
			return FALSE;
	return TRUE;
}

static gboolean load_endpoints(LCtx *c, const KjYNode *e, const char *key, GArray *out, char **text)
{
	const KjYNode *x = _kj_load_get(e, key);
	g_autoptr(GPtrArray) items = g_ptr_array_new();
	g_autoptr(GPtrArray) path = g_ptr_array_new();

	if (x == NULL)
		return _kj_load_fail(c, e, KJ_POLICY_ERROR_VALUE, "a flow needs '%s'", key);
	if (!_kj_load_list(c, x, key, items))
		return FALSE;
	if (items->len == 0)
		return _kj_load_fail(c, x, KJ_POLICY_ERROR_VALUE, "'%s' must not be empty", key);
	GString *t = g_string_new(NULL);
	for (guint i = 0; i < items->len; i++) {
		const KjYNode *it = g_ptr_array_index(items, i);
		g_string_append_printf(t, "%s%s", i ? "," : "", it->value);
		if (!resolve(c, it, out, path)) {
			g_string_free(t, TRUE);
			return FALSE;
		}
	}
	*text = g_string_free(t, FALSE);
	c->refs += out->len;
	if (c->refs > KJ_POLICY_MAX_REFS_DEFAULT)
		return _kj_load_fail(c, x, KJ_POLICY_ERROR_LIMIT,
				     "flows name more than %d endpoints once groups are expanded "
				     "(see KJ_POLICY_MAX_REFS in util/limits.h)",
				     KJ_POLICY_MAX_REFS_DEFAULT);
	return TRUE;
}

static gboolean load_flow(LCtx *c, const KjYNode *e)
{
	static const char *const keys[] = {
	    "name", "from", "to", "service", "via", "justification", "clause", "description", NULL};
	const KjYNode *x;
	const char *s;

	if (!_kj_load_keys(c, e, "a flow", keys))
		return FALSE;
	KjPolicyFlow *f = g_new0(KjPolicyFlow, 1);
	f->from = g_array_new(FALSE, TRUE, sizeof(KjPolicyRef));
	f->to = g_array_new(FALSE, TRUE, sizeof(KjPolicyRef));
	f->mark = (KjPolicyMark){e->line, e->column};
	g_ptr_array_add(c->p->flows, f);
	if ((x = _kj_load_get(e, "name"))) {
		if (!_kj_load_name(c, x, "name", &s))
			return FALSE;
		f->name = g_strdup(s);
	}
	if (!load_endpoints(c, e, "from", f->from, &f->from_text) ||
	    !load_endpoints(c, e, "to", f->to, &f->to_text))
		return FALSE;
	if (!(x = _kj_load_get(e, "service")))
		return _kj_load_fail(c, e, KJ_POLICY_ERROR_VALUE, "a flow needs a 'service'");
	if (!_kj_load_str(c, x, "service", &s))
		return FALSE;
	guint idx = GPOINTER_TO_UINT(g_hash_table_lookup(c->services, s));
	if (idx == 0) {
		g_autoptr(GPtrArray) cand = g_ptr_array_new();
		for (guint k = 0; k < c->p->services->len; k++)
			g_ptr_array_add(
			    cand, ((KjPolicyService *)g_ptr_array_index(c->p->services, k))->name);
		g_ptr_array_add(cand, NULL);
		const char *sug = kj_policy_suggest(s, (const char *const *)cand->pdata);
		return _kj_load_fail(c, x, KJ_POLICY_ERROR_REFERENCE, "unknown service '%s'%s%s%s",
				     s, sug ? " (did you mean '" : "", sug ? sug : "",
				     sug ? "'?)" : "");
	}
	f->service = idx - 1;
	if (f->name == NULL)
		f->name = g_strdup_printf("%s->%s:%s", f->from_text, f->to_text, s);
	if ((x = _kj_load_get(e, "via"))) {
		g_autoptr(GArray) v = g_array_new(FALSE, TRUE, sizeof(KjPolicyRef));
		g_autoptr(GPtrArray) path = g_ptr_array_new();
		if (!_kj_load_str(c, x, "via", &s) || !resolve(c, x, v, path))
			return FALSE;
		if (v->len != 1 || g_array_index(v, KjPolicyRef, 0).kind == KJ_REF_SEGMENT)
			return _kj_load_fail(c, x, KJ_POLICY_ERROR_VALUE,
					     "'via' must name one host or external network");
		f->has_via = TRUE;
		f->via = g_array_index(v, KjPolicyRef, 0);
	}
	if ((x = _kj_load_get(e, "justification"))) {
		if (!_kj_load_str(c, x, "justification", &s))
			return FALSE;
		f->justification = g_strdup(s);
	}
	if ((x = _kj_load_get(e, "clause"))) {
		if (!_kj_load_str(c, x, "clause", &s))
			return FALSE;
		f->clause = g_strdup(s);
	}
	return TRUE;
}

gboolean _kj_load_flows_part(LCtx *c, const KjYNode *root)
{
	const KjYNode *x;

	c->services = g_hash_table_new(g_str_hash, g_str_equal);
	c->groups = g_ptr_array_new();
	c->group_names = g_ptr_array_new();
	c->group_state = g_array_new(FALSE, TRUE, sizeof(guint8));
	c->group_refs = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
	if ((x = _kj_load_get(root, "services"))) {
		if (x->type != KJ_YN_SEQ)
			return _kj_load_fail(c, x, KJ_POLICY_ERROR_VALUE,
					     "services must be a list");
		for (guint i = 0; i < x->items->len; i++)
			if (!load_service(c, g_ptr_array_index(x->items, i)))
				return FALSE;
	}
	if ((x = _kj_load_get(root, "groups")) && !load_groups(c, x))
		return FALSE;
	if ((x = _kj_load_get(root, "flows"))) {
		if (x->type != KJ_YN_SEQ)
			return _kj_load_fail(c, x, KJ_POLICY_ERROR_VALUE, "flows must be a list");
		for (guint i = 0; i < x->items->len; i++)
			if (!load_flow(c, g_ptr_array_index(x->items, i)))
				return FALSE;
	}
	return TRUE;
}

void _kj_load_ctx_clear(LCtx *c)
{
	if (c->services)
		g_hash_table_unref(c->services);
	if (c->groups)
		g_ptr_array_unref(c->groups);
	if (c->group_names)
		g_ptr_array_unref(c->group_names);
	if (c->group_state)
		g_array_unref(c->group_state);
	if (c->group_refs)
		g_ptr_array_unref(c->group_refs);
}
