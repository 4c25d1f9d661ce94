/*++
 * NAME
 *	graph - the segment model as a Graphviz DOT digraph
 * DESCRIPTION
 *	So that the security team can look at the architecture rather than
 *	read it: each segment is a cluster (coloured by segment), hosts are
 *	boxes labelled with role and addresses, external networks sit
 *	outside the clusters, and each allowed flow is an edge labelled with
 *	its service.  Flows through or to a sanitizing host (mail-gateway,
 *	file-gateway, screen-transfer: 無害化通信, 基本方針 2(12)) are drawn
 *	bold, green and double-lined, so the crossings of 6(3)② stand out;
 *	flows that leave マイナンバー利用事務系 by exception are red dashed.
 * SECURITY
 *	Pure function of the model.  Free text (organization, department)
 *	is escaped for DOT strings; names were restricted by the loader.
 * LIMITS
 *	At most MAX_EDGES_PER_FLOW edges per flow: beyond that, one edge
 *	from the first source to the first destination stands for all.
 * STANDARDS
 *	Graphviz DOT language.  基本方針 2(8)-(12), 6(3).
 * SEE ALSO
 *	check.c.
 *--*/
#include "policy/policy_private.h"

#include <string.h>

#define MAX_EDGES_PER_FLOW 256

static const char *const seg_colour[KJ_SEG_COUNT] = {"#fde2e2", "#e2ecfd", "#fdf6e2"};
static const char *const seg_label[KJ_SEG_COUNT] = {
    "マイナンバー利用事務系 (mynumber)", "LGWAN接続系 (lgwan)", "インターネット接続系 (internet)"};

static void esc(GString *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			g_string_append_c(out, '\\');
		if ((unsigned char)*s < 0x20)
			g_string_append_c(out, ' ');
		else
			g_string_append_c(out, *s);
	}
}

static void node_id(GString *out, const KjPolicy *p, const KjPolicyRef *r)
{
	static const char *const pre[] = {"h_", "s_", "x_"};

	g_string_append_printf(out, "\"%s%s\"", pre[r->kind], kj_policy_ref_name(p, r));
}

static gboolean sanitizes(const KjPolicy *p, const KjPolicyRef *r)
{
	if (r->kind != KJ_REF_HOST)
		return FALSE;
	KjPolicyRole role = ((const KjPolicyHost *)g_ptr_array_index(p->hosts, r->index))->role;
	return role == KJ_ROLE_MAIL_GATEWAY || role == KJ_ROLE_FILE_GATEWAY ||
	       role == KJ_ROLE_SCREEN_TRANSFER;
}

static void host_node(GString *out, const KjPolicyHost *h)
{
	char a[64];
	gboolean san = h->role == KJ_ROLE_MAIL_GATEWAY || h->role == KJ_ROLE_FILE_GATEWAY ||
		       h->role == KJ_ROLE_SCREEN_TRANSFER;

	g_string_append_printf(out, "\t\t\"h_%s\" [label=\"%s\\n%s", h->name, h->name,
			       kj_policy_role_name(h->role));
	for (guint k = 0; k < h->addresses->len && k < 4; k++) {
		kj_cidr_format(&g_array_index(h->addresses, KjCidr, k), a, sizeof a);
		g_string_append_printf(out, "\\n%s", a);
	}
	if (h->department) {
		g_string_append(out, "\\n");
		esc(out, h->department);
	}
	g_string_append(out, "\"");
	if (san)
		g_string_append(out,
				", shape=octagon, style=\"filled,bold\", fillcolor=\"#c8f0c8\"");
	else if (h->role == KJ_ROLE_FIREWALL)
		g_string_append(out, ", shape=hexagon");
	else if (h->role == KJ_ROLE_TERMINAL)
		g_string_append(out, ", shape=component");
	g_string_append(out, "];\n");
}

static void clusters(GString *out, const KjPolicy *p)
{
	for (int s = 0; s < KJ_SEG_COUNT; s++) {
		g_string_append_printf(out,
				       "\tsubgraph \"cluster_%s\" {\n\t\tlabel=\"%s\";\n"
				       "\t\tstyle=filled; fillcolor=\"%s\";\n"
				       "\t\t\"s_%s\" [label=\"(whole segment)\", shape=folder];\n",
				       kj_policy_segment_name((KjSegment)s), seg_label[s],
				       seg_colour[s], kj_policy_segment_name((KjSegment)s));
		for (guint i = 0; i < p->hosts->len; i++) {
			const KjPolicyHost *h = g_ptr_array_index(p->hosts, i);
			if ((int)h->segment == s)
				host_node(out, h);
		}
		g_string_append(out, "\t}\n");
	}
	for (guint e = 0; e < p->externals->len; e++) {
		const KjPolicyExternal *x = g_ptr_array_index(p->externals, e);
		g_string_append_printf(out,
				       "\t\"x_%s\" [label=\"%s\\n(%s)\", shape=ellipse, "
				       "style=dashed];\n",
				       x->name, x->name, kj_policy_external_kind_name(x->kind));
	}
}

static void edge(GString *out, const KjPolicy *p, const KjPolicyRef *a, const KjPolicyRef *b,
		 const char *label, const char *attrs)
{
	g_string_append_c(out, '\t');
	node_id(out, p, a);
	g_string_append(out, " -> ");
	node_id(out, p, b);
	g_string_append_printf(out, " [label=\"%s\"%s];\n", label, attrs);
}

static void edges(GString *out, const KjPolicy *p, const KjPolicyFlow *f, GArray *from, GArray *to,
		  const char *attrs)
{
	const KjPolicyService *svc = g_ptr_array_index(p->services, f->service);
	guint n = 0;

	for (guint i = 0; i < from->len; i++)
		for (guint j = 0; j < to->len; j++) {
			if (++n > MAX_EDGES_PER_FLOW) {
				edge(out, p, &g_array_index(from, KjPolicyRef, 0),
				     &g_array_index(to, KjPolicyRef, 0), "(and more)", attrs);
				return;
			}
			edge(out, p, &g_array_index(from, KjPolicyRef, i),
			     &g_array_index(to, KjPolicyRef, j), svc->name, attrs);
		}
}

static void flow_edges(GString *out, const KjPolicy *p, const KjPolicyFlow *f)
{
	static const char *const sanitized =
	    ", color=\"#008800\", fontcolor=\"#008800\", penwidth=2.5, style=bold, "
	    "arrowhead=normalnormal";
	static const char *const exception = ", color=\"#cc0000\", style=dashed";
	gboolean san = f->has_via && sanitizes(p, &f->via);
	gboolean mn = FALSE;

	for (guint i = 0; i < f->to->len; i++)
		san |= sanitizes(p, &g_array_index(f->to, KjPolicyRef, i));
	for (guint i = 0; i < f->from->len; i++)
		san |= sanitizes(p, &g_array_index(f->from, KjPolicyRef, i));
	for (guint i = 0; i < f->from->len + f->to->len; i++) {
		const KjPolicyRef *r = i < f->from->len
					   ? &g_array_index(f->from, KjPolicyRef, i)
					   : &g_array_index(f->to, KjPolicyRef, i - f->from->len);
		mn |= kj_policy_ref_segment(p, r) == KJ_SEG_MYNUMBER;
	}
	const char *attrs = san ? sanitized : (mn && f->justification) ? exception : "";
	if (f->has_via) {
		g_autoptr(GArray) via = g_array_new(FALSE, FALSE, sizeof(KjPolicyRef));
		g_array_append_val(via, f->via);
		edges(out, p, f, f->from, via, attrs);
		edges(out, p, f, via, f->to, attrs);
	} else {
		edges(out, p, f, f->from, f->to, attrs);
	}
}

char *kj_policy_graph_dot(const KjPolicy *p)
{
	GString *out = g_string_new("digraph kyojin {\n");

	g_string_append(out, "\tlabel=\"");
	esc(out, p->organization ? p->organization : "segment model");
	g_string_append_printf(out,
			       " (%s)\";\n\tlabelloc=t; rankdir=LR; compound=true;\n"
			       "\tnode [shape=box, style=filled, fillcolor=white, "
			       "fontname=\"sans-serif\"];\n"
			       "\tedge [fontname=\"sans-serif\", fontsize=10];\n",
			       kj_policy_variant_name(p->variant));
	clusters(out, p);
	for (guint i = 0; i < p->flows->len; i++)
		flow_edges(out, p, g_ptr_array_index(p->flows, i));
	g_string_append(out, "}\n");
	return g_string_free(out, FALSE);
}
