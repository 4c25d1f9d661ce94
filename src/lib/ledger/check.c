/*++
 * NAME
 *	check - classification inheritance and the ledger's consistency rules
 * DESCRIPTION
 *	A system or medium inherits the highest level of the information it
 *	holds (assets whose held_in names it, at any depth): levels are
 *	compared by their rank in ledger_level, so the rule holds for any
 *	scheme, including the MIC guideline's 3A/3B/3C.
 *
 *	kj_ledger_check() runs every rule and returns findings:
 *	  asset-level-below-content  a container classified lower than what it holds (6(2))
 *	  asset-unclassified         information without a confidentiality level (6(2))
 *	  asset-my-number-segment    個人番号 outside the My Number segment (6(3)①)
 *	  asset-handling             handling restrictions its level requires are missing (6(2))
 *	  asset-contract-clauses     a contractor's contract lacks clauses its level requires (6(8))
 *	  asset-held-in-cycle        held_in chain loops or is too deep
 *	  asset-handling-unknown     a handling restriction not in the restriction register (6(2))
 *	  asset-level-mismatch       its level in one scheme is not the equivalent of its level
 *	                             in another (自治体機密性 3B but 機密性 2) (6(2))
 *	  asset-level-minimum        below the lowest level for what it holds (個人番号: 3A and
 *	                             機密性3; 個人情報: 3B) (6(2))
 *	  cloud-data-location        a cloud service keeps an asset's data in a country its
 *	                             level does not allow (機密性3: Japan only) (6(8))
 *	  cloud-data-location-unknown  the same, the service's countries not recorded (6(8))
 *	  cloud-terms-unknown        such a service without governing law or jurisdiction (6(8))
 *	  org-no-ciso                no CISO (6(1))
 *	  org-no-manager             a department without 情報セキュリティ管理者 (6(1))
 *	  person-no-pledge           staff without a pledge (5)
 *	  risk-acceptance-expired    an accepted risk past its expiry (8)
 *	  incident-ppc-not-reported  PPC preliminary report overdue, not in reported_to (6(7))
 *	What each level requires (handling, contract clauses, its equivalent
 *	in another scheme, the flags it is the minimum for, the countries a
 *	cloud service may keep it in) is data of ledger_level, not code.
 * SECURITY
 *	Read-only queries.
 * LIMITS
 *	KJ_LEDGER_MAX_DEPTH for held_in chains.
 * STANDARDS
 *	基本方針 5, 6(1), 6(2), 6(3)①, 6(8), 8.
 * SEE ALSO
 *	register.c, ledger-schema.h (seeded levels)
 *--*/
#include "ledger/ledger-private.h"
#include "util/limits.h"

#include <stdarg.h>
#include <string.h>

typedef struct {
	GPtrArray *assets;    /* KjLedgerRecord */
	GHashTable *by_key;   /* key -> record (borrowed) */
	GHashTable *children; /* key -> GPtrArray of records (borrowed) */
	GPtrArray *levels;
	GHashTable *level;        /* "scheme:code" -> level record (borrowed) */
	GHashTable *restrictions; /* keys of the restriction register */
} Ctx;

static void ctx_clear(Ctx *c)
{
	g_clear_pointer(&c->children, g_hash_table_unref);
	g_clear_pointer(&c->by_key, g_hash_table_unref);
	g_clear_pointer(&c->level, g_hash_table_unref);
	g_clear_pointer(&c->restrictions, g_hash_table_unref);
	g_clear_pointer(&c->assets, g_ptr_array_unref);
	g_clear_pointer(&c->levels, g_ptr_array_unref);
}

static gboolean ctx_load(KjLedger *l, Ctx *c, GError **error)
{
	memset(c, 0, sizeof(*c));
	c->assets = kj_ledger_list(l, kj_ledger_register_find("asset"), NULL, NULL, error);
	c->levels = c->assets
			? kj_ledger_list(l, kj_ledger_register_find("level"), NULL, NULL, error)
			: NULL;
	if (c->levels == NULL)
		return FALSE;
	g_autoptr(GPtrArray) rs =
	    kj_ledger_list(l, kj_ledger_register_find("restriction"), NULL, NULL, error);
	if (rs == NULL)
		return FALSE;
	c->restrictions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (guint i = 0; i < rs->len; i++)
		g_hash_table_add(c->restrictions, g_strdup(((KjLedgerRecord *)rs->pdata[i])->key));
	c->by_key = g_hash_table_new(g_str_hash, g_str_equal);
	c->children = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					    (GDestroyNotify)g_ptr_array_unref);
	c->level = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (guint i = 0; i < c->assets->len; i++) {
		KjLedgerRecord *a = c->assets->pdata[i];
		const char *parent = kj_ledger_record_get(a, "held_in");
		g_hash_table_insert(c->by_key, a->key, a);
		if (parent == NULL)
			continue;
		GPtrArray *kids = g_hash_table_lookup(c->children, parent);
		if (kids == NULL) {
			kids = g_ptr_array_new();
			g_hash_table_insert(c->children, g_strdup(parent), kids);
		}
		g_ptr_array_add(kids, a);
	}
	for (guint i = 0; i < c->levels->len; i++) {
		KjLedgerRecord *v = c->levels->pdata[i];
		g_hash_table_insert(c->level,
				    g_strdup_printf("%s:%s", kj_ledger_record_get(v, "scheme"),
						    kj_ledger_record_get(v, "code")),
				    v);
	}
	return TRUE;
}

static const KjLedgerRecord *level_of(Ctx *c, const char *scheme, const char *code)
{
	if (code == NULL)
		return NULL;
	g_autofree char *k = g_strdup_printf("%s:%s", scheme, code);
	return g_hash_table_lookup(c->level, k);
}

static gint64 rank_of(Ctx *c, const char *scheme, const char *code)
{
	const KjLedgerRecord *v = level_of(c, scheme, code);
	gint64 n = 0;

	if (v)
		g_ascii_string_to_signed(kj_ledger_record_get(v, "rank"), 10, 0, 999, &n, NULL);
	return n;
}

/* The highest level in column col of asset a and everything it holds;
 * *from is the asset it came from.  Returns FALSE past the depth limit
 * (a held_in cycle). */
static gboolean effective(Ctx *c, const KjLedgerRecord *a, int col, int depth, const char **code,
			  const KjLedgerRecord **from)
{
	const char *scheme = a->reg->columns[col].ref;
	GPtrArray *kids = g_hash_table_lookup(c->children, a->key);

	if (depth > KJ_LEDGER_MAX_DEPTH)
		return FALSE;
	*code = a->values[col];
	*from = a;
	for (guint i = 0; kids && i < kids->len; i++) {
		const char *kc = NULL;
		const KjLedgerRecord *kf = NULL;
		if (!effective(c, kids->pdata[i], col, depth + 1, &kc, &kf))
			return FALSE;
		if (rank_of(c, scheme, kc) > rank_of(c, scheme, *code)) {
			*code = kc;
			*from = kf;
		}
	}
	return TRUE;
}

/* Whether a or anything it holds has the BOOL column flag set
 * (my_number: personal numbers; personal_info: personal information). */
static gboolean holds_flag(Ctx *c, const KjLedgerRecord *a, const char *flag, int depth)
{
	GPtrArray *kids = g_hash_table_lookup(c->children, a->key);

	if (depth > KJ_LEDGER_MAX_DEPTH)
		return FALSE;
	if (g_strcmp0(kj_ledger_record_get(a, flag), "1") == 0)
		return TRUE;
	for (guint i = 0; kids && i < kids->len; i++)
		if (holds_flag(c, kids->pdata[i], flag, depth + 1))
			return TRUE;
	return FALSE;
}

static gboolean holds_my_number(Ctx *c, const KjLedgerRecord *a, int depth)
{
	return holds_flag(c, a, "my_number", depth);
}

/* Whether the LIST value list has item (trimmed, case as given). */
static gboolean list_has(const char *list, const char *item)
{
	g_autoptr(GPtrArray) items = _kj_ledger_list_split(list);

	for (guint i = 0; i < items->len; i++)
		if (strcmp(items->pdata[i], item) == 0)
			return TRUE;
	return FALSE;
}

void kj_ledger_finding_free(gpointer p)
{
	KjLedgerFinding *f = p;

	g_free(f->rule);
	g_free(f->clause);
	g_free(f->noun);
	g_free(f->key);
	g_free(f->message);
	g_free(f);
}

static void G_GNUC_PRINTF(6, 7) add_finding(GPtrArray *out, const char *rule, const char *clause,
					    const char *noun, const char *key, const char *fmt, ...)
{
	KjLedgerFinding *f = g_new0(KjLedgerFinding, 1);
	va_list ap;

	va_start(ap, fmt);
	f->message = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	f->rule = g_strdup(rule);
	f->clause = g_strdup(clause);
	f->noun = g_strdup(noun);
	f->key = g_strdup(key);
	g_ptr_array_add(out, f);
}

void kj_ledger_level_free(gpointer p)
{
	KjLedgerLevel *v = p;

	if (v == NULL)
		return;
	g_free(v->scheme);
	g_free(v->own);
	g_free(v->effective);
	g_free(v->from);
	g_free(v);
}

/* Loads the asset named and what it holds, at any depth, by the indexed
 * held_in column (not the whole register), and the levels.  A record met
 * twice (a held_in cycle) is linked again but not read again: effective()
 * then stops at the depth limit as with the whole register. */
static gboolean ctx_load_one(KjLedger *l, Ctx *c, const char *asset_key, GError **error)
{
	const KjLedgerRegister *reg = kj_ledger_register_find("asset");

	memset(c, 0, sizeof(*c));
	c->assets = g_ptr_array_new_with_free_func((GDestroyNotify)kj_ledger_record_free);
	c->by_key = g_hash_table_new(g_str_hash, g_str_equal);
	c->children = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					    (GDestroyNotify)g_ptr_array_unref);
	c->level = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	KjLedgerRecord *top = kj_ledger_get(l, reg, asset_key, NULL);
	if (top == NULL) {
		g_set_error(error, KJ_LEDGER_ERROR, KJ_LEDGER_ERROR_UNKNOWN, "no asset '%s'",
			    asset_key);
		return FALSE;
	}
	g_ptr_array_add(c->assets, top);
	g_hash_table_insert(c->by_key, top->key, top);
	/* c->assets grows as it is walked: breadth first, one query per
	 * container, each container read once. */
	for (guint i = 0; i < c->assets->len; i++) {
		const KjLedgerRecord *parent = c->assets->pdata[i];
		g_autoptr(GPtrArray) kids = kj_ledger_list(l, reg, "held_in", parent->key, error);
		if (kids == NULL)
			return FALSE;
		GPtrArray *links = g_ptr_array_new();
		g_hash_table_insert(c->children, g_strdup(parent->key), links);
		while (kids->len > 0) {
			KjLedgerRecord *k = g_ptr_array_steal_index(kids, 0);
			KjLedgerRecord *seen = g_hash_table_lookup(c->by_key, k->key);
			if (seen) {
				kj_ledger_record_free(k);
				g_ptr_array_add(links, seen);
				continue;
			}
			g_ptr_array_add(c->assets, k);
			g_hash_table_insert(c->by_key, k->key, k);
			g_ptr_array_add(links, k);
		}
	}
	c->levels = kj_ledger_list(l, kj_ledger_register_find("level"), NULL, NULL, error);
	if (c->levels == NULL)
		return FALSE;
	for (guint i = 0; i < c->levels->len; i++) {
		KjLedgerRecord *v = c->levels->pdata[i];
		g_hash_table_insert(c->level,
				    g_strdup_printf("%s:%s", kj_ledger_record_get(v, "scheme"),
						    kj_ledger_record_get(v, "code")),
				    v);
	}
	return TRUE;
}

GPtrArray *kj_ledger_effective_levels(KjLedger *l, const char *asset_key, GError **error)
{
	Ctx c;
	GPtrArray *out = NULL;

	if (!ctx_load_one(l, &c, asset_key, error))
		goto done;
	const KjLedgerRecord *a = g_hash_table_lookup(c.by_key, asset_key);
	out = g_ptr_array_new_with_free_func(kj_ledger_level_free);
	for (gsize i = 0; i < a->reg->n_columns; i++) {
		const char *code = NULL;
		const KjLedgerRecord *from = NULL;
		if (a->reg->columns[i].type != KJ_LEDGER_LEVEL)
			continue;
		KjLedgerLevel *lv = g_new0(KjLedgerLevel, 1);
		lv->scheme = g_strdup(a->reg->columns[i].ref);
		lv->own = g_strdup(a->values[i]);
		if (effective(&c, a, (int)i, 0, &code, &from)) {
			lv->effective = g_strdup(code);
			lv->from = from && from != a ? g_strdup(from->key) : NULL;
		}
		g_ptr_array_add(out, lv);
	}
done:
	ctx_clear(&c);
	return out;
}

GHashTable *kj_ledger_effective_by_asset(KjLedger *l, const char *column, GError **error)
{
	Ctx c;
	GHashTable *out = NULL;
	int col = kj_ledger_column_index(kj_ledger_register_find("asset"), column);

	g_return_val_if_fail(col >= 0, NULL);
	if (ctx_load(l, &c, error)) {
		out = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
		for (guint i = 0; i < c.assets->len; i++) {
			const KjLedgerRecord *a = c.assets->pdata[i];
			const char *code = NULL;
			const KjLedgerRecord *from = NULL;
			if (!effective(&c, a, col, 0, &code, &from))
				code = a->values[col];
			g_hash_table_insert(out, g_strdup(a->key), g_strdup(code));
		}
	}
	ctx_clear(&c);
	return out;
}

/* Items of need missing from have, joined with ","; NULL if none. */
static char *missing_items(const char *need, const char *have)
{
	g_autoptr(GPtrArray) n = _kj_ledger_list_split(need);
	g_autoptr(GPtrArray) h = _kj_ledger_list_split(have);
	g_autoptr(GString) miss = g_string_new(NULL);

	for (guint i = 0; i < n->len; i++) {
		gboolean found = FALSE;
		for (guint j = 0; j < h->len && !found; j++)
			found = strcmp(n->pdata[i], h->pdata[j]) == 0;
		if (!found)
			g_string_append_printf(miss, "%s%s", miss->len ? "," : "",
					       (char *)n->pdata[i]);
	}
	return miss->len ? g_strdup(miss->str) : NULL;
}

/* The asset's own level in a scheme whose level names an equivalent
 * level of another scheme (自治体機密性 3B -> 機密性 3) must agree with the
 * asset's own level in that scheme, when it has one. */
static void check_equivalent(Ctx *c, const KjLedgerRecord *a, const KjLedgerColumn *col,
			     const char *own, GPtrArray *out)
{
	const KjLedgerRecord *lv = level_of(c, col->ref, own);
	const char *eq = lv ? kj_ledger_record_get(lv, "equivalent") : NULL;
	const KjLedgerRecord *eqlv = eq ? g_hash_table_lookup(c->level, eq) : NULL;

	if (eqlv == NULL)
		return;
	const char *scheme = kj_ledger_record_get(eqlv, "scheme");
	for (gsize j = 0; j < a->reg->n_columns; j++) {
		const KjLedgerColumn *other = &a->reg->columns[j];
		if (other->type != KJ_LEDGER_LEVEL || g_strcmp0(other->ref, scheme) != 0 ||
		    a->values[j] == NULL)
			continue;
		if (strcmp(a->values[j], kj_ledger_record_get(eqlv, "code")) != 0)
			add_finding(out, "asset-level-mismatch", "基本方針 6(2)", "asset", a->key,
				    "資産 %s の%s %s は%s %s に当たるが、%sが %s になっている",
				    a->key, col->label, own, other->label,
				    kj_ledger_record_get(eqlv, "code"), other->label, a->values[j]);
	}
}

/* Levels whose minimum_for names a flag the asset (or what it holds)
 * carries are the lowest it may have in their scheme: personal numbers at
 * 3A and 機密性3, personal information at 3B. */
static void check_minimum(Ctx *c, const KjLedgerRecord *a, const KjLedgerColumn *col,
			  const char *effective_code, GPtrArray *out)
{
	static const struct {
		const char *flag, *label;
	} flags[] = {{"my_number", "個人番号"}, {"personal_info", "個人情報"}};

	if (effective_code == NULL)
		return;
	gint64 have = rank_of(c, col->ref, effective_code);
	for (gsize f = 0; f < G_N_ELEMENTS(flags); f++) {
		if (!holds_flag(c, a, flags[f].flag, 0))
			continue;
		for (guint i = 0; i < c->levels->len; i++) {
			const KjLedgerRecord *v = c->levels->pdata[i];
			if (g_strcmp0(kj_ledger_record_get(v, "scheme"), col->ref) != 0 ||
			    !list_has(kj_ledger_record_get(v, "minimum_for"), flags[f].flag))
				continue;
			const char *need = kj_ledger_record_get(v, "code");
			if (have < rank_of(c, col->ref, need))
				add_finding(
				    out, "asset-level-minimum", "基本方針 6(2)", "asset", a->key,
				    "資産 %s は%sを含むため%sは %s 以上とすること (現在 %s)",
				    a->key, flags[f].label, col->label, need, effective_code);
		}
	}
}

static void check_levels(KjLedger *l, Ctx *c, const KjLedgerRecord *a, GPtrArray *out)
{
	const KjLedgerRegister *creg = kj_ledger_register_find("contractor");
	const char *contractor = kj_ledger_record_get(a, "contractor");
	g_autoptr(KjLedgerRecord) con =
	    contractor ? kj_ledger_get(l, creg, contractor, NULL) : NULL;

	for (gsize i = 0; i < a->reg->n_columns; i++) {
		const KjLedgerColumn *col = &a->reg->columns[i];
		const char *code = NULL;
		const KjLedgerRecord *from = NULL;
		if (col->type != KJ_LEDGER_LEVEL)
			continue;
		if (!effective(c, a, (int)i, 0, &code, &from)) {
			add_finding(
			    out, "asset-held-in-cycle", "基本方針 6(2)", "asset", a->key,
			    "資産 %s の格納先 (held_in) が循環しているか %d 段を超えています",
			    a->key, KJ_LEDGER_MAX_DEPTH);
			return;
		}
		if (a->values[i] && from != a)
			add_finding(
			    out, "asset-level-below-content", "基本方針 6(2)", "asset", a->key,
			    "資産 %s の%s %s は、格納する情報資産 %s の %s より低い (格納する"
			    "情報の最も高い区分を継承すること)",
			    a->key, col->label, a->values[i], from->key, code);
		check_equivalent(c, a, col, a->values[i], out);
		check_minimum(c, a, col, code, out);
		const KjLedgerRecord *lv = level_of(c, col->ref, code);
		if (lv == NULL)
			continue;
		g_autofree char *mh = missing_items(kj_ledger_record_get(lv, "required_handling"),
						    kj_ledger_record_get(a, "handling"));
		if (mh)
			add_finding(out, "asset-handling", "基本方針 6(2)", "asset", a->key,
				    "資産 %s (%s %s) に必要な取扱制限がない: %s", a->key,
				    col->label, code, mh);
		g_autofree char *mc =
		    con ? missing_items(kj_ledger_record_get(lv, "contract_clauses"),
					kj_ledger_record_get(con, "clauses"))
			: NULL;
		if (mc)
			add_finding(
			    out, "asset-contract-clauses", "基本方針 6(8)", "asset", a->key,
			    "資産 %s (%s %s) を取り扱う委託先 %s の契約に必要な条項がない: %s",
			    a->key, col->label, code, con->key, mc);
	}
}

/* Handling restrictions are checked against the restriction register on
 * every write; a value written before that register existed (or a
 * restriction since deleted by hand) is reported, since the
 * asset-handling rule cannot see a restriction spelled otherwise. */
static void check_vocabulary(Ctx *c, const KjLedgerRecord *a, GPtrArray *out)
{
	g_autoptr(GPtrArray) items = _kj_ledger_list_split(kj_ledger_record_get(a, "handling"));

	for (guint i = 0; i < items->len; i++)
		if (!g_hash_table_contains(c->restrictions, items->pdata[i]))
			add_finding(out, "asset-handling-unknown", "基本方針 6(2)", "asset", a->key,
				    "資産 %s の取扱制限 %s は取扱制限の一覧 (restriction) にない",
				    a->key, (char *)items->pdata[i]);
}

static void check_assets(KjLedger *l, Ctx *c, GPtrArray *out)
{
	for (guint i = 0; i < c->assets->len; i++) {
		const KjLedgerRecord *a = c->assets->pdata[i];
		const char *kind = kj_ledger_record_get(a, "kind");
		if ((g_strcmp0(kind, "information") == 0 || g_strcmp0(kind, "document") == 0) &&
		    kj_ledger_record_get(a, "confidentiality") == NULL &&
		    kj_ledger_record_get(a, "lg_confidentiality") == NULL)
			add_finding(out, "asset-unclassified", "基本方針 6(2)", "asset", a->key,
				    "情報資産 %s に機密性の分類がない", a->key);
		if (holds_my_number(c, a, 0) &&
		    g_strcmp0(kj_ledger_record_get(a, "segment"), "mynumber") != 0)
			add_finding(
			    out, "asset-my-number-segment", "基本方針 6(3)①", "asset", a->key,
			    "資産 %s は個人番号を保有するが、マイナンバー利用事務系にない "
			    "(segment=%s)",
			    a->key,
			    kj_ledger_record_get(a, "segment") ? kj_ledger_record_get(a, "segment")
							       : "未設定");
		check_levels(l, c, a, out);
		check_vocabulary(c, a, out);
	}
}

/* Items of have that are not in allowed (case-insensitive: country
 * codes), joined with ","; NULL if none. */
static char *outside(const char *have, const char *allowed)
{
	g_autoptr(GPtrArray) h = _kj_ledger_list_split(have);
	g_autoptr(GPtrArray) a = _kj_ledger_list_split(allowed);
	g_autoptr(GString) out = g_string_new(NULL);

	for (guint i = 0; i < h->len; i++) {
		gboolean ok = FALSE;
		for (guint j = 0; j < a->len && !ok; j++)
			ok = g_ascii_strcasecmp(h->pdata[i], a->pdata[j]) == 0;
		if (!ok)
			g_string_append_printf(out, "%s%s", out->len ? "," : "",
					       (char *)h->pdata[i]);
	}
	return out->len ? g_strdup(out->str) : NULL;
}

/* 基本方針 6(8): an external (cloud) service keeps an asset's data only in
 * the countries the asset's level allows (cloud_locations of the level,
 * Japan for 機密性3), and for such data its governing law and court of
 * jurisdiction are on record. */
static void check_cloud_asset(Ctx *c, const KjLedgerRecord *cl, const KjLedgerRecord *a,
			      gboolean *restricted, GPtrArray *out)
{
	const char *countries = kj_ledger_record_get(cl, "data_countries");

	for (gsize i = 0; i < a->reg->n_columns; i++) {
		const KjLedgerColumn *col = &a->reg->columns[i];
		const char *code = NULL;
		const KjLedgerRecord *from = NULL;
		if (col->type != KJ_LEDGER_LEVEL || !effective(c, a, (int)i, 0, &code, &from))
			continue;
		const KjLedgerRecord *lv = level_of(c, col->ref, code);
		const char *allowed = lv ? kj_ledger_record_get(lv, "cloud_locations") : NULL;
		if (allowed == NULL)
			continue;
		*restricted = TRUE;
		g_autofree char *bad = outside(countries, allowed);
		if (countries == NULL)
			add_finding(out, "cloud-data-location-unknown", "基本方針 6(8)", "cloud",
				    cl->key,
				    "外部サービス %s のデータ保管国 (data_countries) が未登録だが、"
				    "資産 %s (%s %s) は %s でのみ保管できる",
				    cl->key, a->key, col->label, code, allowed);
		else if (bad)
			add_finding(
			    out, "cloud-data-location", "基本方針 6(8)", "cloud", cl->key,
			    "外部サービス %s はデータを %s に保管するが、資産 %s (%s %s) は "
			    "%s でのみ保管できる",
			    cl->key, bad, a->key, col->label, code, allowed);
	}
}

static void check_clouds(KjLedger *l, Ctx *c, GPtrArray *out, GError **error)
{
	g_autoptr(GPtrArray) clouds =
	    kj_ledger_list(l, kj_ledger_register_find("cloud"), NULL, NULL, error);

	for (guint k = 0; clouds && k < clouds->len; k++) {
		const KjLedgerRecord *cl = clouds->pdata[k];
		gboolean restricted = FALSE;
		for (guint i = 0; i < c->assets->len; i++) {
			const KjLedgerRecord *a = c->assets->pdata[i];
			if (g_strcmp0(kj_ledger_record_get(a, "cloud"), cl->key) == 0)
				check_cloud_asset(c, cl, a, &restricted, out);
		}
		if (restricted && (kj_ledger_record_get(cl, "governing_law") == NULL ||
				   kj_ledger_record_get(cl, "jurisdiction") == NULL))
			add_finding(out, "cloud-terms-unknown", "基本方針 6(8)", "cloud", cl->key,
				    "保管場所が制限される情報資産を扱う外部サービス %s の準拠法・"
				    "裁判管轄が未登録",
				    cl->key);
	}
}

static void check_organisation(KjLedger *l, GPtrArray *out, GError **error)
{
	g_autoptr(GPtrArray) roles =
	    kj_ledger_list(l, kj_ledger_register_find("role"), NULL, NULL, error);
	g_autoptr(GPtrArray) deps =
	    roles ? kj_ledger_list(l, kj_ledger_register_find("department"), NULL, NULL, error)
		  : NULL;
	gboolean ciso = FALSE;

	if (deps == NULL)
		return;
	for (guint i = 0; i < roles->len; i++)
		ciso =
		    ciso || g_strcmp0(kj_ledger_record_get(roles->pdata[i], "role"), "CISO") == 0;
	if (!ciso && deps->len > 0)
		add_finding(out, "org-no-ciso", "基本方針 6(1)", "role", NULL,
			    "最高情報セキュリティ責任者 (CISO) が定められていない");
	for (guint d = 0; d < deps->len; d++) {
		const KjLedgerRecord *dep = deps->pdata[d];
		gboolean has = FALSE;
		for (guint i = 0; i < roles->len && !has; i++) {
			const KjLedgerRecord *r = roles->pdata[i];
			has = g_strcmp0(kj_ledger_record_get(r, "role"),
					"情報セキュリティ管理者") == 0 &&
			      g_strcmp0(kj_ledger_record_get(r, "department"), dep->key) == 0;
		}
		if (!has)
			add_finding(out, "org-no-manager", "基本方針 6(1)", "department", dep->key,
				    "%s (%s) に情報セキュリティ管理者が定められていない", dep->key,
				    kj_ledger_record_get(dep, "name"));
	}
}

static void check_people(KjLedger *l, GPtrArray *out, GError **error)
{
	g_autoptr(GPtrArray) people =
	    kj_ledger_list(l, kj_ledger_register_find("person"), NULL, NULL, error);
	const KjLedgerRegister *pledge = kj_ledger_register_find("pledge");

	for (guint i = 0; people && i < people->len; i++) {
		const KjLedgerRecord *p = people->pdata[i];
		if (g_strcmp0(kj_ledger_record_get(p, "employment"), "委託事業者") == 0)
			continue;
		g_autoptr(GPtrArray) pl = kj_ledger_list(l, pledge, "person", p->key, NULL);
		if (pl && pl->len == 0)
			add_finding(out, "person-no-pledge", "基本方針 5", "person", p->key,
				    "%s (%s) の遵守誓約がない", p->key,
				    kj_ledger_record_get(p, "name"));
	}
}

static void check_risks(KjLedger *l, GPtrArray *out, GError **error)
{
	g_autoptr(GPtrArray) risks =
	    kj_ledger_list(l, kj_ledger_register_find("risk"), NULL, NULL, error);
	g_autofree char *today = _kj_ledger_today();

	for (guint i = 0; risks && i < risks->len; i++) {
		const KjLedgerRecord *r = risks->pdata[i];
		const char *exp = kj_ledger_record_get(r, "acceptance_expiry");
		if (g_strcmp0(kj_ledger_record_get(r, "treatment"), "受容") == 0 && exp &&
		    strcmp(exp, today) < 0)
			add_finding(out, "risk-acceptance-expired", "基本方針 8", "risk", r->key,
				    "リスク %s の受容期限 %s が過ぎている", r->key, exp);
	}
}

/* 基本方針 6(7): an incident involving personal information whose
 * preliminary report deadline passed without 個人情報保護委員会 in its
 * reporting chain. */
static void check_incidents(KjLedger *l, GPtrArray *out, GError **error)
{
	g_autoptr(GPtrArray) incs =
	    kj_ledger_list(l, kj_ledger_register_find("incident"), NULL, NULL, error);
	g_autofree char *today = _kj_ledger_today();

	for (guint i = 0; incs && i < incs->len; i++) {
		const KjLedgerRecord *r = incs->pdata[i];
		const char *due = kj_ledger_record_get(r, "ppc_preliminary_due");
		g_autofree char *missing =
		    missing_items("個人情報保護委員会", kj_ledger_record_get(r, "reported_to"));
		if (due && strcmp(due, today) < 0 && missing)
			add_finding(
			    out, "incident-ppc-not-reported", "基本方針 6(7)", "incident", r->key,
			    "インシデント %s の個人情報保護委員会への速報期限 %s が過ぎたが、報告先"
			    "に個人情報保護委員会がない",
			    r->key, due);
	}
}

/* 基本方針 7: a nonconformity closed without a follow-up entry whose
 * result is 確認済み (the corrective action verified), or whose latest
 * follow-up found it again (再指摘). */
static void check_audit_findings(KjLedger *l, GPtrArray *out, GError **error)
{
	g_autoptr(GPtrArray) fs =
	    kj_ledger_list(l, kj_ledger_register_find("audit-finding"), NULL, NULL, error);
	const KjLedgerRegister *fu = kj_ledger_register_find("audit-followup");

	for (guint i = 0; fs && i < fs->len; i++) {
		const KjLedgerRecord *f = fs->pdata[i];
		const char *grade = kj_ledger_record_get(f, "grade");
		gboolean verified = FALSE;
		const char *latest_at = NULL, *latest = NULL;

		if (!g_str_has_suffix(grade ? grade : "", "不適合"))
			continue;
		g_autoptr(GPtrArray) es = kj_ledger_list(l, fu, "finding", f->key, NULL);
		for (guint j = 0; es && j < es->len; j++) {
			const KjLedgerRecord *e = es->pdata[j];
			const char *at = kj_ledger_record_get(e, "at");
			const char *result = kj_ledger_record_get(e, "result");
			if (g_strcmp0(result, "確認済み") == 0)
				verified = TRUE;
			if (at && (latest_at == NULL || strcmp(at, latest_at) >= 0)) {
				latest_at = at;
				latest = result;
			}
		}
		if (g_strcmp0(kj_ledger_record_get(f, "status"), "closed") == 0 && !verified)
			add_finding(
			    out, "audit-finding-unverified", "基本方針 7", "audit-finding", f->key,
			    "%s の指摘 %s は完了とされたが、是正措置の確認 (フォローアップの"
			    "結果「確認済み」) がない",
			    grade, f->key);
		else if (g_strcmp0(latest, "再指摘") == 0 &&
			 g_strcmp0(kj_ledger_record_get(f, "status"), "closed") != 0)
			add_finding(out, "audit-finding-recurring", "基本方針 7", "audit-finding",
				    f->key, "指摘 %s は %s のフォローアップで再指摘された", f->key,
				    latest_at);
	}
}

GPtrArray *kj_ledger_check(KjLedger *l, GError **error)
{
	Ctx c;
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(kj_ledger_finding_free);
	GError *e = NULL;

	if (!ctx_load(l, &c, error)) {
		ctx_clear(&c);
		return NULL;
	}
	check_assets(l, &c, out);
	check_clouds(l, &c, out, &e);
	ctx_clear(&c);
	if (e == NULL)
		check_organisation(l, out, &e);
	if (e == NULL)
		check_people(l, out, &e);
	if (e == NULL)
		check_risks(l, out, &e);
	if (e == NULL)
		check_incidents(l, out, &e);
	if (e == NULL)
		check_audit_findings(l, out, &e);
	if (e) {
		g_propagate_error(error, e);
		return NULL;
	}
	return g_steal_pointer(&out);
}
