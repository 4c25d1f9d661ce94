/* policy.h - the three-layer segment model (通信経路の分割, 基本方針 6(3)): load,
 * check, compile to nftables, match observed flows, draw (see the files of policy/). */
#ifndef KJ_POLICY_POLICY_H
#define KJ_POLICY_POLICY_H

#include <glib.h>
#include <stdio.h>

#define KJ_POLICY_ERROR (kj_policy_error_quark())
GQuark kj_policy_error_quark(void);

typedef enum {
	KJ_POLICY_ERROR_IO,        /* the file cannot be read */
	KJ_POLICY_ERROR_SYNTAX,    /* not YAML, or not the shape of a model */
	KJ_POLICY_ERROR_KEY,       /* a key the model does not know */
	KJ_POLICY_ERROR_VALUE,     /* wrong type, bad CIDR, port out of range */
	KJ_POLICY_ERROR_REFERENCE, /* unknown, duplicate or circular name */
	KJ_POLICY_ERROR_EMPTY,     /* no segments, hosts or flows at all */
	KJ_POLICY_ERROR_LIMIT,     /* larger than a limit of util/limits.h */
	KJ_POLICY_ERROR_REFUSED,   /* compile of a model that fails check */
} KjPolicyError;

/* The three segments of 基本方針 2(8)-(10).  Order matters: it is the
 * order of reports and of the clusters in the graph. */
typedef enum {
	KJ_SEG_MYNUMBER, /* マイナンバー利用事務系, 2(8) */
	KJ_SEG_LGWAN,    /* LGWAN接続系, 2(9) */
	KJ_SEG_INTERNET, /* インターネット接続系, 2(10) */
	KJ_SEG_COUNT,
	KJ_SEG_NONE = KJ_SEG_COUNT,
} KjSegment;

/* The MIC guideline's model variants (see check.c for what differs). */
typedef enum {
	KJ_VARIANT_ALPHA,
	KJ_VARIANT_BETA,
	KJ_VARIANT_BETA_PRIME,
} KjPolicyVariant;

typedef enum {
	KJ_ROLE_TERMINAL,
	KJ_ROLE_SERVER,
	KJ_ROLE_BUSINESS_SYSTEM,
	KJ_ROLE_MAIL_SERVER,
	KJ_ROLE_MAIL_GATEWAY,         /* sanitizes mail: text-ifies (無害化, 2(12)) */
	KJ_ROLE_FILE_GATEWAY,         /* sanitizes files: CDR (無害化, 2(12)) */
	KJ_ROLE_SCREEN_TRANSFER,      /* only pixels cross (画面転送, 2(12)) */
	KJ_ROLE_SECURITY_CLOUD_PROXY, /* 自治体情報セキュリティクラウド, 6(3)③ */
	KJ_ROLE_INTERMEDIATE_SERVER,  /* 中間サーバー connection for My Number linkage */
	KJ_ROLE_FIREWALL,             /* enforces the model: `compile` targets it */
	KJ_ROLE_COUNT,
} KjPolicyRole;

/* Kinds of external network. */
typedef enum {
	KJ_EXT_INTERNET,
	KJ_EXT_LGWAN,          /* the LGWAN backbone */
	KJ_EXT_SECURITY_CLOUD, /* the prefecture's 自治体情報セキュリティクラウド */
	KJ_EXT_INTERMEDIATE, /* the 中間サーバー・プラットフォーム, reached over LGWAN */
	KJ_EXT_COUNT,
} KjExternalKind;

/* An address or network.  IPv4 is kept IPv4-mapped (::ffff:a.b.c.d,
 * prefix + 96) so that one sorted table serves both families. */
typedef struct {
	guint8 addr[16];
	guint8 plen; /* 0..128, in the mapped space */
	guint8 v4;   /* written as IPv4 */
} KjCidr;

gboolean kj_cidr_parse(const char *s, gboolean allow_prefix, KjCidr *out, GError **error);
/* Writes "a.b.c.d/n" or "x::y/n" (no "/n" for a full-length host) into buf. */
void kj_cidr_format(const KjCidr *c, char *buf, gsize len);
gboolean kj_cidr_contains(const KjCidr *outer, const KjCidr *inner);
/* Parses an address (no prefix) from [s, s+len); fast path for IPv4. */
gboolean kj_ip_parse(const char *s, gsize len, guint8 out[16]);

typedef struct {
	guint line, column; /* 1-based position in the model file */
} KjPolicyMark;

typedef struct {
	char *name;
	int proto;     /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP (ports unused) */
	GArray *ports; /* guint32: lo << 16 | hi */
	KjPolicyMark mark;
} KjPolicyService;

typedef struct {
	char *name;
	KjSegment segment;
	KjPolicyRole role;
	GArray *addresses; /* KjCidr, full length */
	char *department;
	gboolean export_disabled, mfa, edr, monitoring;
	GArray *enforces; /* KjSegment: firewalls only; empty = all */
	KjPolicyMark mark;
} KjPolicyHost;

typedef struct {
	char *name;
	KjExternalKind kind;
	GArray *networks; /* KjCidr */
	KjPolicyMark mark;
} KjPolicyExternal;

typedef struct {
	GArray *networks; /* KjCidr */
	gboolean monitoring;
	gboolean declared;
	KjPolicyMark mark;
} KjPolicySegmentDef;

/* A flow endpoint after names are resolved. */
typedef enum {
	KJ_REF_HOST,
	KJ_REF_SEGMENT,
	KJ_REF_EXTERNAL,
} KjRefKind;

typedef struct {
	KjRefKind kind;
	guint index; /* into hosts, segments or externals */
} KjPolicyRef;

typedef struct {
	char *name;
	GArray *from, *to;         /* KjPolicyRef, groups expanded */
	char *from_text, *to_text; /* as written, for reports */
	guint service;             /* index */
	gboolean has_via;
	KjPolicyRef via;
	char *justification;
	char *clause;
	KjPolicyMark mark;
} KjPolicyFlow;

typedef struct {
	char *path;
	char *organization;
	KjPolicyVariant variant;
	GPtrArray *departments; /* char* */
	KjPolicySegmentDef segments[KJ_SEG_COUNT];
	GPtrArray *hosts;       /* KjPolicyHost* */
	GPtrArray *externals;   /* KjPolicyExternal* */
	GPtrArray *services;    /* KjPolicyService* */
	GPtrArray *flows;       /* KjPolicyFlow* */
	GHashTable *host_index; /* name -> index + 1 */
} KjPolicy;

KjPolicy *kj_policy_load_file(const char *path, GError **error);
KjPolicy *kj_policy_load_data(const char *name, const char *data, gsize len, GError **error);
void kj_policy_free(KjPolicy *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(KjPolicy, kj_policy_free)

const char *kj_policy_segment_name(KjSegment s);
const char *kj_policy_role_name(KjPolicyRole r);
const char *kj_policy_variant_name(KjPolicyVariant v);
const char *kj_policy_external_kind_name(KjExternalKind k);
const char *kj_policy_proto_name(int proto);
/* Segment a reference lives in; KJ_SEG_NONE for externals. */
KjSegment kj_policy_ref_segment(const KjPolicy *p, const KjPolicyRef *r);
const char *kj_policy_ref_name(const KjPolicy *p, const KjPolicyRef *r);
/* Levenshtein distance, capped: returns cap + 1 when larger. */
guint kj_policy_edit_distance(const char *a, const char *b, guint cap);
/* The closest of candidates (NULL-terminated) within distance 2 or a
 * third of the length, or NULL. */
const char *kj_policy_suggest(const char *word, const char *const *candidates);

/* ---- check (check.c) ---- */
typedef struct {
	const char *rule;   /* stable id, e.g. "mynumber-isolation" */
	const char *clause; /* e.g. "基本方針 6(3)①" */
	char *message;
	GPtrArray *hosts; /* char*: offending host or endpoint names */
	char *flow;       /* offending flow, or NULL */
	char *fix;        /* what would fix it */
	KjPolicyMark mark;
} KjPolicyViolation;

void kj_policy_violation_free(KjPolicyViolation *v);
/* Every violation of the invariants; an empty array when clean. */
GPtrArray *kj_policy_check(const KjPolicy *p);

/* ---- compile (compile.c) ---- */
/* The nftables ruleset enforced by firewall host @host (an index), as
 * text for `nft -f`.  Drops are logged with KJ_POLICY_LOG_PREFIX; with
 * log_group >= 0 to that nflog group instead of the kernel log. */
#define KJ_POLICY_LOG_PREFIX "kyojin-drop:"
char *kj_policy_compile_nft(const KjPolicy *p, guint host, int log_group);
/* Indexes of firewall hosts, in model order. */
GArray *kj_policy_enforcers(const KjPolicy *p);

/* ---- graph (graph.c) ---- */
char *kj_policy_graph_dot(const KjPolicy *p);

/* ---- endpoint lookup (lpm.c) ---- */
typedef struct KjPolicyLpm KjPolicyLpm;
/* Endpoint ids: 0 = unknown; 1..n hosts; then segments; then externals. */
KjPolicyLpm *kj_policy_lpm_new(const KjPolicy *p);
void kj_policy_lpm_free(KjPolicyLpm *l);
guint kj_policy_lpm_lookup(const KjPolicyLpm *l, const guint8 addr[16]);
guint kj_policy_lpm_size(const KjPolicyLpm *l);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(KjPolicyLpm, kj_policy_lpm_free)
/* Name of an endpoint id, valid while p lives. */
const char *kj_policy_endpoint_name(const KjPolicy *p, guint id);
KjSegment kj_policy_endpoint_segment(const KjPolicy *p, guint id);

/* ---- observed flows (flowlog.c, flows.c) ---- */
typedef enum {
	KJ_FLOWLOG_NONE,      /* blank or not a flow line (other syslog traffic) */
	KJ_FLOWLOG_FLOW,      /* a flow was parsed */
	KJ_FLOWLOG_GARBAGE,   /* not recognisable */
	KJ_FLOWLOG_TRUNCATED, /* recognisable but cut off or missing fields */
} KjFlowLogResult;

typedef struct {
	guint8 src[16], dst[16];
	int proto;
	guint dport;
	const char *time; /* points into the line; not NUL-terminated */
	gsize time_len;
} KjObservedFlow;

/* Parses one line (no newline) in any of the three formats. */
KjFlowLogResult kj_flowlog_parse_line(const char *line, gsize len, KjObservedFlow *out);

typedef struct KjFlowAnalysis KjFlowAnalysis;

typedef struct {
	guint64 lines, flows, allowed, violations;
	guint64 ignored, garbage, truncated, overlong;
	guint64 groups_dropped; /* violations not grouped: group limit reached */
} KjFlowStats;

typedef struct {
	guint src, dst; /* endpoint ids */
	int proto;
	guint dport;
	guint64 count;
	char first_seen[40], last_seen[40];
	char src_example[48], dst_example[48];
} KjFlowGroup;

KjFlowAnalysis *kj_flow_analysis_new(const KjPolicy *p);
void kj_flow_analysis_free(KjFlowAnalysis *a);
/* Feeds one line (without its newline). */
void kj_flow_analysis_line(KjFlowAnalysis *a, const char *line, gsize len);
/* Reads a whole file (or fd 0 for "-") line by line in bounded memory. */
gboolean kj_flow_analysis_file(KjFlowAnalysis *a, const char *path, GError **error);
const KjFlowStats *kj_flow_analysis_stats(const KjFlowAnalysis *a);
/* Groups of violations, sorted by count (desc), borrowed until free. */
GPtrArray *kj_flow_analysis_groups(KjFlowAnalysis *a);
/* Whether the model allows this flow between two endpoint ids. */
gboolean kj_flow_analysis_allows(KjFlowAnalysis *a, guint src, guint dst, int proto, guint dport);
/* Endpoint id of an address (0 when in no network of the model). */
guint kj_flow_analysis_endpoint(const KjFlowAnalysis *a, const guint8 addr[16]);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(KjFlowAnalysis, kj_flow_analysis_free)

#endif
