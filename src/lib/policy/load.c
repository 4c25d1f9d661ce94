/*++
 * NAME
 *	load - read a segment model (YAML) into a KjPolicy
 * DESCRIPTION
 *	Walks the node tree of ynode.c with the model's schema.  Every
 *	error names file:line:column and what to do; an unknown key, role,
 *	segment or name gets a "did you mean" from the edit distance,
 *	because a misspelt "export_disabled" silently ignored would be a
 *	control of 基本方針 6(3)① not applied.
 *
 *	Names of hosts, groups and external networks share one namespace
 *	(flows refer to any of them, and to the three segment names); a
 *	duplicate is an error naming both places.  Groups may contain
 *	groups; a cycle is an error that spells out the cycle.
 *
 *	What is refused here makes the model meaningless (exit 3); what
 *	makes it meaningful but wrong is for check.c (exit 1).
 * SECURITY
 *	Runs in the CLI with the invoking user's privileges, on a file the
 *	operator names.  Bounded by size, depth and node count (ynode.c) and
 *	by KJ_POLICY_MAX_GROUP_DEPTH for group expansion.
 * LIMITS
 *	KJ_POLICY_MAX_BYTES_DEFAULT, KJ_POLICY_MAX_GROUP_DEPTH.
 * STANDARDS
 *	基本方針 2(8)-(11), 6(3).  The MIC guideline's α/β/β' variants.
 * SEE ALSO
 *	load_flows.c (services, groups, flows), check.c, examples/policy/.
 *--*/
#include "policy/load_private.h"

#include "util/fs.h"
#include "util/limits.h"

#include <stdarg.h>
#include <string.h>

gboolean _kj_load_fail(LCtx *c, const KjYNode *n, int code, const char *fmt, ...)
{
	va_list ap;

	if (c->error == NULL || *c->error != NULL)
		return FALSE;
	va_start(ap, fmt);
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(c->error, KJ_POLICY_ERROR, code, "%s:%u:%u: %s", c->name, n ? n->line : 1,
		    n ? n->column : 1, msg);
	return FALSE;
}

static const char *node_kind(const KjYNode *n)
{
	return n->type == KJ_YN_MAP ? "a mapping" : n->type == KJ_YN_SEQ ? "a list" : "a value";
}

gboolean _kj_load_keys(LCtx *c, const KjYNode *map, const char *what, const char *const *allowed)
{
	if (map->type != KJ_YN_MAP)
		return _kj_load_fail(c, map, KJ_POLICY_ERROR_VALUE, "%s must be a mapping, not %s",
				     what, node_kind(map));
	for (guint i = 0; i + 1 < map->items->len; i += 2) {
		const KjYNode *k = g_ptr_array_index(map->items, i);
		if (k->type != KJ_YN_SCALAR)
			return _kj_load_fail(c, k, KJ_POLICY_ERROR_SYNTAX,
					     "a key in %s must be a plain name", what);
		gboolean known = FALSE;
		for (const char *const *a = allowed; *a && !known; a++)
			known = strcmp(*a, k->value) == 0;
		if (!known) {
			const char *s = kj_policy_suggest(k->value, allowed);
			return _kj_load_fail(
			    c, k, KJ_POLICY_ERROR_KEY, "unknown key '%s' in %s%s%s%s", k->value,
			    what, s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
		}
		for (guint j = 0; j < i; j += 2) {
			const KjYNode *o = g_ptr_array_index(map->items, j);
			if (strcmp(o->value, k->value) == 0)
				return _kj_load_fail(
				    c, k, KJ_POLICY_ERROR_KEY,
				    "key '%s' given twice in %s (first at line %u)", k->value, what,
				    o->line);
		}
	}
	return TRUE;
}

const KjYNode *_kj_load_get(const KjYNode *map, const char *key)
{
	for (guint i = 0; i + 1 < map->items->len; i += 2) {
		const KjYNode *k = g_ptr_array_index(map->items, i);
		if (k->type == KJ_YN_SCALAR && strcmp(k->value, key) == 0)
			return g_ptr_array_index(map->items, i + 1);
	}
	return NULL;
}

gboolean _kj_load_str(LCtx *c, const KjYNode *n, const char *what, const char **out)
{
	if (n->type != KJ_YN_SCALAR)
		return _kj_load_fail(c, n, KJ_POLICY_ERROR_VALUE, "%s must be a value, not %s",
				     what, node_kind(n));
	if (n->value[0] == '\0' || (!n->quoted && strcmp(n->value, "~") == 0))
		return _kj_load_fail(c, n, KJ_POLICY_ERROR_VALUE, "%s must not be empty", what);
	*out = n->value;
	return TRUE;
}

/* Names appear in nftables comments, DOT and reports: letters (any
 * script), digits and "-_." only, so no output needs an escape that a
 * reader could get wrong. */
gboolean _kj_load_name(LCtx *c, const KjYNode *n, const char *what, const char **out)
{
	if (!_kj_load_str(c, n, what, out))
		return FALSE;
	if (strlen(*out) > 128)
		return _kj_load_fail(c, n, KJ_POLICY_ERROR_VALUE, "%s is longer than 128 bytes",
				     what);
	for (const unsigned char *p = (const unsigned char *)*out; *p; p++)
		if (!(g_ascii_isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p >= 0x80))
			return _kj_load_fail(c, n, KJ_POLICY_ERROR_VALUE,
					     "%s '%s': use letters, digits, '-', '_' and '.' only",
					     what, *out);
	if (!g_utf8_validate(*out, -1, NULL))
		return _kj_load_fail(c, n, KJ_POLICY_ERROR_VALUE, "%s is not valid UTF-8", what);
	return TRUE;
}

gboolean _kj_load_bool(LCtx *c, const KjYNode *n, const char *what, gboolean *out)
{
	static const char *const t[] = {"true", "yes", "on", NULL};
	static const char *const f[] = {"false", "no", "off", NULL};

	if (n->type == KJ_YN_SCALAR && !n->quoted) {
		for (int i = 0; t[i]; i++)
			if (g_ascii_strcasecmp(n->value, t[i]) == 0)
				return *out = TRUE, TRUE;
		for (int i = 0; f[i]; i++)
			if (g_ascii_strcasecmp(n->value, f[i]) == 0)
				return *out = FALSE, TRUE;
	}
	return _kj_load_fail(c, n, KJ_POLICY_ERROR_VALUE, "%s must be true or false", what);
}

gboolean _kj_load_enum(LCtx *c, const KjYNode *n, const char *what, const char *const *names,
		       guint count, guint *out)
{
	const char *v;

	if (!_kj_load_str(c, n, what, &v))
		return FALSE;
	for (guint i = 0; i < count; i++)
		if (strcmp(names[i], v) == 0)
			return *out = i, TRUE;
	g_autoptr(GPtrArray) cand = g_ptr_array_new();
	GString *all = g_string_new(NULL);
	for (guint i = 0; i < count; i++) {
		g_ptr_array_add(cand, KJ_UNCONST(names[i]));
		g_string_append_printf(all, "%s%s", i ? ", " : "", names[i]);
	}
	g_ptr_array_add(cand, NULL);
	const char *s = kj_policy_suggest(v, (const char *const *)cand->pdata);
	g_autofree char *list = g_string_free(all, FALSE);
	return _kj_load_fail(c, n, KJ_POLICY_ERROR_VALUE, "unknown %s '%s'%s%s%s (one of: %s)",
			     what, v, s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "",
			     list);
}

/* A value or a list of values, as nodes. */
gboolean _kj_load_list(LCtx *c, const KjYNode *n, const char *what, GPtrArray *out)
{
	if (n->type == KJ_YN_SCALAR) {
		g_ptr_array_add(out, KJ_UNCONST(n));
		return TRUE;
	}
	if (n->type != KJ_YN_SEQ)
		return _kj_load_fail(c, n, KJ_POLICY_ERROR_VALUE,
				     "%s must be a value or a list of values", what);
	for (guint i = 0; i < n->items->len; i++) {
		const KjYNode *it = g_ptr_array_index(n->items, i);
		if (it->type != KJ_YN_SCALAR)
			return _kj_load_fail(c, it, KJ_POLICY_ERROR_VALUE,
					     "each of %s must be a value, not %s", what,
					     node_kind(it));
		g_ptr_array_add(out, KJ_UNCONST(it));
	}
	return TRUE;
}

gboolean _kj_load_cidrs(LCtx *c, const KjYNode *n, const char *what, gboolean prefix, GArray *out)
{
	g_autoptr(GPtrArray) items = g_ptr_array_new();

	if (!_kj_load_list(c, n, what, items))
		return FALSE;
	if (items->len == 0)
		return _kj_load_fail(c, n, KJ_POLICY_ERROR_VALUE, "%s must not be empty", what);
	for (guint i = 0; i < items->len; i++) {
		const KjYNode *it = g_ptr_array_index(items, i);
		g_autoptr(GError) e = NULL;
		KjCidr cidr;
		if (!kj_cidr_parse(it->value, prefix, &cidr, &e))
			return _kj_load_fail(c, it, KJ_POLICY_ERROR_VALUE, "%s: %s", what,
					     e->message);
		g_array_append_val(out, cidr);
	}
	return TRUE;
}

/* Registers a name in the shared namespace of hosts, groups and
 * external networks. */
gboolean _kj_load_define(LCtx *c, const KjYNode *n, const char *name, int kind, guint index)
{
	for (int s = 0; s < KJ_SEG_COUNT; s++)
		if (strcmp(name, kj_policy_segment_name((KjSegment)s)) == 0)
			return _kj_load_fail(c, n, KJ_POLICY_ERROR_REFERENCE,
					     "'%s' is the name of a segment; choose another name",
					     name);
	LName *old = g_hash_table_lookup(c->names, name);
	if (old)
		return _kj_load_fail(c, n, KJ_POLICY_ERROR_REFERENCE,
				     "duplicate name '%s' (first defined at line %u, column %u)",
				     name, old->line, old->column);
	LName *d = g_new0(LName, 1);
	d->kind = kind;
	d->index = index;
	d->line = n->line;
	d->column = n->column;
	g_hash_table_insert(c->names, KJ_UNCONST(name), d);
	return TRUE;
}

static gboolean load_segments(LCtx *c, const KjYNode *n)
{
	static const char *const seg_keys[] = {"mynumber", "lgwan", "internet", NULL};
	static const char *const keys[] = {"networks", "monitoring", "description", NULL};

	if (!_kj_load_keys(c, n, "segments", seg_keys))
		return FALSE;
	for (guint i = 0; i + 1 < n->items->len; i += 2) {
		const KjYNode *k = g_ptr_array_index(n->items, i);
		const KjYNode *v = g_ptr_array_index(n->items, i + 1);
		guint s = 0;
		while (strcmp(seg_keys[s], k->value) != 0)
			s++;
		KjPolicySegmentDef *def = &c->p->segments[s];
		g_autofree char *what = g_strdup_printf("segment '%s'", k->value);
		if (!_kj_load_keys(c, v, what, keys))
			return FALSE;
		def->declared = TRUE;
		def->mark = (KjPolicyMark){k->line, k->column};
		const KjYNode *x = _kj_load_get(v, "networks");
		if (x == NULL)
			return _kj_load_fail(c, v, KJ_POLICY_ERROR_VALUE, "%s needs 'networks'",
					     what);
		if (!_kj_load_cidrs(c, x, "networks", TRUE, def->networks))
			return FALSE;
		if ((x = _kj_load_get(v, "monitoring")) &&
		    !_kj_load_bool(c, x, "monitoring", &def->monitoring))
			return FALSE;
	}
	return TRUE;
}

static gboolean load_externals(LCtx *c, const KjYNode *n)
{
	static const char *const keys[] = {"name", "kind", "networks", "description", NULL};
	const char *names[KJ_EXT_COUNT];

	for (guint k = 0; k < KJ_EXT_COUNT; k++)
		names[k] = kj_policy_external_kind_name((KjExternalKind)k);
	if (n->type != KJ_YN_SEQ)
		return _kj_load_fail(c, n, KJ_POLICY_ERROR_VALUE, "externals must be a list");
	for (guint i = 0; i < n->items->len; i++) {
		const KjYNode *e = g_ptr_array_index(n->items, i);
		const KjYNode *x;
		const char *name;
		guint kind;
		if (!_kj_load_keys(c, e, "an external network", keys))
			return FALSE;
		if (!(x = _kj_load_get(e, "name")))
			return _kj_load_fail(c, e, KJ_POLICY_ERROR_VALUE,
					     "an external network needs a 'name'");
		if (!_kj_load_name(c, x, "name", &name))
			return FALSE;
		KjPolicyExternal *ext = g_new0(KjPolicyExternal, 1);
		ext->name = g_strdup(name);
		ext->networks = g_array_new(FALSE, TRUE, sizeof(KjCidr));
		ext->mark = (KjPolicyMark){e->line, e->column};
		g_ptr_array_add(c->p->externals, ext);
		if (!_kj_load_define(c, x, ext->name, LN_EXTERNAL, c->p->externals->len - 1))
			return FALSE;
		if (!(x = _kj_load_get(e, "kind")))
			return _kj_load_fail(c, e, KJ_POLICY_ERROR_VALUE,
					     "external '%s' needs a 'kind'", name);
		if (!_kj_load_enum(c, x, "kind", names, KJ_EXT_COUNT, &kind))
			return FALSE;
		ext->kind = (KjExternalKind)kind;
		if (!(x = _kj_load_get(e, "networks")))
			return _kj_load_fail(c, e, KJ_POLICY_ERROR_VALUE,
					     "external '%s' needs 'networks'", name);
		if (!_kj_load_cidrs(c, x, "networks", TRUE, ext->networks))
			return FALSE;
	}
	return TRUE;
}

static gboolean host_flags(LCtx *c, const KjYNode *e, KjPolicyHost *h)
{
	static const struct {
		const char *key;
		size_t off;
	} flags[] = {
	    {"export_disabled", G_STRUCT_OFFSET(KjPolicyHost, export_disabled)},
	    {"mfa", G_STRUCT_OFFSET(KjPolicyHost, mfa)},
	    {"edr", G_STRUCT_OFFSET(KjPolicyHost, edr)},
	    {"monitoring", G_STRUCT_OFFSET(KjPolicyHost, monitoring)},
	};
	const KjYNode *x;

	for (guint i = 0; i < G_N_ELEMENTS(flags); i++)
		if ((x = _kj_load_get(e, flags[i].key)) &&
		    !_kj_load_bool(c, x, flags[i].key,
				   (gboolean *)(void *)((char *)h + flags[i].off)))
			return FALSE;
	if ((x = _kj_load_get(e, "department"))) {
		const char *d;
		if (!_kj_load_str(c, x, "department", &d))
			return FALSE;
		h->department = g_strdup(d);
	}
	if ((x = _kj_load_get(e, "enforces"))) {
		g_autoptr(GPtrArray) segs = g_ptr_array_new();
		static const char *const sn[] = {"mynumber", "lgwan", "internet"};
		if (h->role != KJ_ROLE_FIREWALL)
			return _kj_load_fail(c, x, KJ_POLICY_ERROR_VALUE,
					     "'enforces' is for hosts with role firewall");
		if (!_kj_load_list(c, x, "enforces", segs))
			return FALSE;
		for (guint i = 0; i < segs->len; i++) {
			guint s;
			if (!_kj_load_enum(c, g_ptr_array_index(segs, i), "segment", sn, 3, &s))
				return FALSE;
			g_array_append_val(h->enforces, s);
		}
	}
	return TRUE;
}

static gboolean load_host(LCtx *c, const KjYNode *e)
{
	static const char *const keys[] = {
	    "name", "segment", "role",       "addresses", "department",  "export_disabled",
	    "mfa",  "edr",     "monitoring", "enforces",  "description", NULL};
	static const char *const sn[] = {"mynumber", "lgwan", "internet"};
	const char *roles[KJ_ROLE_COUNT];
	const KjYNode *x;
	const char *name;
	guint v;

	for (guint r = 0; r < KJ_ROLE_COUNT; r++)
		roles[r] = kj_policy_role_name((KjPolicyRole)r);
	if (!_kj_load_keys(c, e, "a host", keys))
		return FALSE;
	if (!(x = _kj_load_get(e, "name")))
		return _kj_load_fail(c, e, KJ_POLICY_ERROR_VALUE, "a host needs a 'name'");
	if (!_kj_load_name(c, x, "name", &name))
		return FALSE;
	KjPolicyHost *h = g_new0(KjPolicyHost, 1);
	h->name = g_strdup(name);
	h->addresses = g_array_new(FALSE, TRUE, sizeof(KjCidr));
	h->enforces = g_array_new(FALSE, TRUE, sizeof(guint));
	h->mark = (KjPolicyMark){e->line, e->column};
	g_ptr_array_add(c->p->hosts, h);
	if (!_kj_load_define(c, x, h->name, LN_HOST, c->p->hosts->len - 1))
		return FALSE;
	g_hash_table_insert(c->p->host_index, h->name, GUINT_TO_POINTER(c->p->hosts->len));
	if (!(x = _kj_load_get(e, "segment")))
		return _kj_load_fail(c, e, KJ_POLICY_ERROR_VALUE, "host '%s' needs a 'segment'",
				     name);
	if (!_kj_load_enum(c, x, "segment", sn, 3, &v))
		return FALSE;
	h->segment = (KjSegment)v;
	if (!(x = _kj_load_get(e, "role")))
		return _kj_load_fail(c, e, KJ_POLICY_ERROR_VALUE, "host '%s' needs a 'role'", name);
	if (!_kj_load_enum(c, x, "role", roles, KJ_ROLE_COUNT, &v))
		return FALSE;
	h->role = (KjPolicyRole)v;
	if (!(x = _kj_load_get(e, "addresses")))
		return _kj_load_fail(c, e, KJ_POLICY_ERROR_VALUE, "host '%s' needs 'addresses'",
				     name);
	if (!_kj_load_cidrs(c, x, "addresses", FALSE, h->addresses))
		return FALSE;
	return host_flags(c, e, h);
}

static gboolean load_hosts(LCtx *c, const KjYNode *n)
{
	if (n->type != KJ_YN_SEQ)
		return _kj_load_fail(c, n, KJ_POLICY_ERROR_VALUE, "hosts must be a list");
	for (guint i = 0; i < n->items->len; i++)
		if (!load_host(c, g_ptr_array_index(n->items, i)))
			return FALSE;
	return TRUE;
}

static gboolean load_top(LCtx *c, const KjYNode *root)
{
	static const char *const keys[] = {"organization", "variant",     "departments", "segments",
					   "externals",    "services",    "hosts",       "groups",
					   "flows",        "description", NULL};
	static const char *const variants[] = {"alpha", "beta", "beta-prime"};
	const KjYNode *x;
	const char *s;
	guint v;

	if (!_kj_load_keys(c, root, "the model", keys))
		return FALSE;
	if ((x = _kj_load_get(root, "organization"))) {
		if (!_kj_load_str(c, x, "organization", &s))
			return FALSE;
		c->p->organization = g_strdup(s);
	}
	if ((x = _kj_load_get(root, "variant"))) {
		if (!_kj_load_enum(c, x, "variant", variants, 3, &v))
			return FALSE;
		c->p->variant = (KjPolicyVariant)v;
	}
	if ((x = _kj_load_get(root, "departments"))) {
		g_autoptr(GPtrArray) d = g_ptr_array_new();
		if (!_kj_load_list(c, x, "departments", d))
			return FALSE;
		for (guint i = 0; i < d->len; i++)
			g_ptr_array_add(
			    c->p->departments,
			    g_strdup(((const KjYNode *)g_ptr_array_index(d, i))->value));
	}
	if ((x = _kj_load_get(root, "segments")) && !load_segments(c, x))
		return FALSE;
	if ((x = _kj_load_get(root, "externals")) && !load_externals(c, x))
		return FALSE;
	if ((x = _kj_load_get(root, "hosts")) && !load_hosts(c, x))
		return FALSE;
	if (c->p->hosts->len == 0)
		return _kj_load_fail(c, x ? x : root, KJ_POLICY_ERROR_EMPTY,
				     "the model declares no hosts: nothing to separate (see "
				     "examples/policy/city.yaml)");
	return _kj_load_flows_part(c, root);
}

KjPolicy *kj_policy_load_data(const char *name, const char *data, gsize len, GError **error)
{
	KjYNode *root = NULL;

	if ((gint64)len > KJ_POLICY_MAX_BYTES_DEFAULT) {
		g_set_error(error, KJ_POLICY_ERROR, KJ_POLICY_ERROR_LIMIT,
			    "%s: larger than %lld bytes", name,
			    (long long)KJ_POLICY_MAX_BYTES_DEFAULT);
		return NULL;
	}
	if (!_kj_ynode_parse(name, data, len, &root, error))
		return NULL;
	if (root == NULL || (root->type == KJ_YN_MAP && root->items->len == 0)) {
		_kj_ynode_free(root);
		g_set_error(error, KJ_POLICY_ERROR, KJ_POLICY_ERROR_EMPTY,
			    "%s: the model is empty (see examples/policy/city.yaml)", name);
		return NULL;
	}
	LCtx c = {.name = name, .error = error};
	c.p = _kj_policy_new();
	c.p->path = g_strdup(name);
	c.names = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	gboolean ok = load_top(&c, root);
	_kj_load_ctx_clear(&c);
	g_hash_table_unref(c.names);
	_kj_ynode_free(root);
	if (!ok) {
		kj_policy_free(c.p);
		return NULL;
	}
	return c.p;
}

KjPolicy *kj_policy_load_file(const char *path, GError **error)
{
	g_autofree char *data = NULL;
	gsize len = 0;
	g_autoptr(GError) local = NULL;

	if (!kj_fs_read_file(path, (gsize)KJ_POLICY_MAX_BYTES_DEFAULT, &data, &len, &local)) {
		g_set_error(error, KJ_POLICY_ERROR, KJ_POLICY_ERROR_IO, "cannot read the model: %s",
			    local->message);
		return NULL;
	}
	return kj_policy_load_data(path, data, len, error);
}
