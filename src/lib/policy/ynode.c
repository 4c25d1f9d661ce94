/*++
 * NAME
 *	ynode - a YAML document as a tree of nodes with line and column
 * DESCRIPTION
 *	Builds a small tree from libyaml's event stream so that the model
 *	loader can walk it with its schema and say where every error is
 *	(file:line:column), rather than where the parser happened to be.
 * SECURITY
 *	Parses the model file, written by the operator but not trusted: a
 *	bounded size (checked by the caller), a bounded depth and node
 *	count, and no aliases (an alias bomb makes a tree walk exponential;
 *	a model never needs one).  Tags are ignored; values stay strings.
 * LIMITS
 *	KJ_POLICY_MAX_DEPTH, KJ_POLICY_MAX_NODES_DEFAULT.
 * STANDARDS
 *	YAML 1.1 via libyaml.  The model it reads is that of 基本方針 2(8)-(11)
 *	and 6(3)①②③.
 * SEE ALSO
 *	load.c, config/config.c (the same approach, flat).
 *--*/
#include "policy/policy_private.h"

#include "util/limits.h"

#include <string.h>
#include <yaml.h>

typedef struct {
	yaml_parser_t parser;
	const char *name;
	guint nodes;
} YCtx;

void _kj_ynode_free(KjYNode *n)
{
	if (n == NULL)
		return;
	if (n->items) {
		for (guint i = 0; i < n->items->len; i++)
			_kj_ynode_free(g_ptr_array_index(n->items, i));
		g_ptr_array_unref(n->items);
	}
	g_free(n->value);
	g_free(n);
}

static gboolean yfail(YCtx *c, yaml_mark_t m, GError **error, int code, const char *msg)
{
	g_set_error(error, KJ_POLICY_ERROR, code, "%s:%zu:%zu: %s", c->name, m.line + 1,
		    m.column + 1, msg);
	return FALSE;
}

static gboolean next_event(YCtx *c, yaml_event_t *ev, GError **error)
{
	if (!yaml_parser_parse(&c->parser, ev)) {
		g_set_error(error, KJ_POLICY_ERROR, KJ_POLICY_ERROR_SYNTAX,
			    "%s:%zu:%zu: not valid YAML: %s", c->name,
			    c->parser.problem_mark.line + 1, c->parser.problem_mark.column + 1,
			    c->parser.problem ? c->parser.problem : "parse error");
		return FALSE;
	}
	return TRUE;
}

static KjYNode *node_new(YCtx *c, KjYNodeType t, yaml_mark_t m)
{
	KjYNode *n = g_new0(KjYNode, 1);

	n->type = t;
	n->line = (guint)m.line + 1;
	n->column = (guint)m.column + 1;
	if (t != KJ_YN_SCALAR)
		n->items = g_ptr_array_new();
	c->nodes++;
	return n;
}

static gboolean build(YCtx *c, yaml_event_t *ev, int depth, KjYNode **out, GError **error);

/* Reads the children of a mapping or sequence until its end event. */
static gboolean build_children(YCtx *c, KjYNode *parent, int depth, GError **error)
{
	for (;;) {
		yaml_event_t ev;
		if (!next_event(c, &ev, error))
			return FALSE;
		if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return TRUE;
		}
		KjYNode *child = NULL;
		gboolean ok = build(c, &ev, depth + 1, &child, error);
		yaml_event_delete(&ev);
		if (!ok) {
			_kj_ynode_free(child);
			return FALSE;
		}
		g_ptr_array_add(parent->items, child);
	}
}

static gboolean build(YCtx *c, yaml_event_t *ev, int depth, KjYNode **out, GError **error)
{
	if (depth > KJ_POLICY_MAX_DEPTH)
		return yfail(c, ev->start_mark, error, KJ_POLICY_ERROR_LIMIT,
			     "nested too deeply for a segment model");
	if (c->nodes >= KJ_POLICY_MAX_NODES_DEFAULT)
		return yfail(c, ev->start_mark, error, KJ_POLICY_ERROR_LIMIT,
			     "too many YAML nodes (see KJ_POLICY_MAX_NODES in util/limits.h)");
	switch (ev->type) {
	case YAML_SCALAR_EVENT: {
		KjYNode *n = node_new(c, KJ_YN_SCALAR, ev->start_mark);
		n->value = g_strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
		n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		*out = n;
		return TRUE;
	}
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT: {
		KjYNode *n =
		    node_new(c, ev->type == YAML_MAPPING_START_EVENT ? KJ_YN_MAP : KJ_YN_SEQ,
			     ev->start_mark);
		*out = n;
		return build_children(c, n, depth, error);
	}
	case YAML_ALIAS_EVENT:
		return yfail(c, ev->start_mark, error, KJ_POLICY_ERROR_SYNTAX,
			     "YAML aliases are not allowed in a segment model (write the value "
			     "out)");
	default:
		return yfail(c, ev->start_mark, error, KJ_POLICY_ERROR_SYNTAX,
			     "unexpected YAML structure");
	}
}

static gboolean parse_stream(YCtx *c, KjYNode **root, GError **error)
{
	gboolean done = FALSE;
	int documents = 0;

	while (!done) {
		yaml_event_t ev;
		gboolean ok = TRUE;
		if (!next_event(c, &ev, error))
			return FALSE;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = TRUE;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++documents > 1)
				ok = yfail(c, ev.start_mark, error, KJ_POLICY_ERROR_SYNTAX,
					   "a model file holds one YAML document");
			break;
		case YAML_SCALAR_EVENT:
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_ALIAS_EVENT:
			ok = build(c, &ev, 1, root, error);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (!ok)
			return FALSE;
	}
	return TRUE;
}

gboolean _kj_ynode_parse(const char *name, const char *data, gsize len, KjYNode **out,
			 GError **error)
{
	YCtx c = {.name = name};
	KjYNode *root = NULL;

	*out = NULL;
	if (!yaml_parser_initialize(&c.parser)) {
		g_set_error(error, KJ_POLICY_ERROR, KJ_POLICY_ERROR_IO,
			    "%s: cannot initialise the YAML parser", name);
		return FALSE;
	}
	yaml_parser_set_input_string(&c.parser, (const unsigned char *)data, len);
	gboolean ok = parse_stream(&c, &root, error);
	yaml_parser_delete(&c.parser);
	if (!ok) {
		_kj_ynode_free(root);
		return FALSE;
	}
	/* An empty document ("" or "~") is no model at all. */
	if (root && root->type == KJ_YN_SCALAR && !root->quoted &&
	    (root->value[0] == '\0' || strcmp(root->value, "~") == 0 ||
	     strcmp(root->value, "null") == 0)) {
		_kj_ynode_free(root);
		root = NULL;
	}
	*out = root;
	return TRUE;
}
