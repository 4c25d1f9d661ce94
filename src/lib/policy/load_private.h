/* load_private.h - the loader's shared state, split over load.c and load_flows.c. */
#ifndef KJ_POLICY_LOAD_PRIVATE_H
#define KJ_POLICY_LOAD_PRIVATE_H

#include "policy/policy_private.h"

enum { LN_HOST, LN_GROUP, LN_EXTERNAL };

/* One entry of the shared namespace. */
typedef struct {
	int kind;
	guint index; /* hosts, externals, or groups (LCtx.groups) */
	guint line, column;
} LName;

typedef struct {
	const char *name; /* file, for messages */
	GError **error;
	KjPolicy *p;
	GHashTable *names;      /* name -> LName*, keys borrowed */
	GHashTable *services;   /* name -> index + 1 */
	GPtrArray *groups;      /* const KjYNode* of each group's members */
	GPtrArray *group_names; /* const char* */
	GArray *group_state;    /* guint8: 0 new, 1 expanding, 2 done (cycle check) */
	GPtrArray *group_refs;  /* GArray* of KjPolicyRef, filled once expanded */
	guint64 refs;           /* flow endpoints so far, against KJ_POLICY_MAX_REFS */
} LCtx;

gboolean _kj_load_fail(LCtx *c, const KjYNode *n, int code, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
gboolean _kj_load_keys(LCtx *c, const KjYNode *map, const char *what, const char *const *allowed);
const KjYNode *_kj_load_get(const KjYNode *map, const char *key);
gboolean _kj_load_str(LCtx *c, const KjYNode *n, const char *what, const char **out);
gboolean _kj_load_name(LCtx *c, const KjYNode *n, const char *what, const char **out);
gboolean _kj_load_bool(LCtx *c, const KjYNode *n, const char *what, gboolean *out);
gboolean _kj_load_enum(LCtx *c, const KjYNode *n, const char *what, const char *const *names,
		       guint count, guint *out);
gboolean _kj_load_list(LCtx *c, const KjYNode *n, const char *what, GPtrArray *out);
gboolean _kj_load_cidrs(LCtx *c, const KjYNode *n, const char *what, gboolean prefix, GArray *out);
gboolean _kj_load_define(LCtx *c, const KjYNode *n, const char *name, int kind, guint index);
/* Services, groups and flows (load_flows.c). */
gboolean _kj_load_flows_part(LCtx *c, const KjYNode *root);
void _kj_load_ctx_clear(LCtx *c);

#endif
