/* policy_private.h - what the files of policy/ share and nobody else sees. */
#ifndef KJ_POLICY_PRIVATE_H
#define KJ_POLICY_PRIVATE_H

#include "policy/policy.h"

KjPolicy *_kj_policy_new(void);

/* For GLib containers of pointers to const data: a cast through an
 * integer, which -Wcast-qual accepts, in one visible place. */
#define KJ_UNCONST(p) ((gpointer)(guintptr)(p))

/* A YAML document as a tree with source positions (ynode.c).  The model
 * is small enough to hold whole, and a tree lets the loader report
 * every error at the node that caused it. */
typedef enum { KJ_YN_SCALAR, KJ_YN_MAP, KJ_YN_SEQ } KjYNodeType;

typedef struct KjYNode KjYNode;
struct KjYNode {
	KjYNodeType type;
	guint line, column; /* 1-based */
	char *value;        /* scalars */
	gboolean quoted;    /* scalars written in quotes: never null/bool */
	GPtrArray *items;   /* maps: key, value, key, value ...; sequences: items */
};

/* Parses data; NULL document (empty or only "~") gives *out = NULL. */
gboolean _kj_ynode_parse(const char *name, const char *data, gsize len, KjYNode **out,
			 GError **error);
void _kj_ynode_free(KjYNode *n);

#endif
