/*++
 * NAME
 *	ledger - the console's governance ledger: registers, records, heat
 *	map, due duties, findings and self-inspection
 * DESCRIPTION
 *	Every register of ledger/register.c is browsed, searched and edited
 *	through the same four routes; writes go through ledger/ (validation
 *	of every value, derived columns, optimistic versions, audit under the
 *	console login).  Self-inspection answers are given per department by
 *	its approver (or the security team).
 * SECURITY
 *	Request threads.  Register nouns and column names are looked up in
 *	the register table; nothing from a request is put into SQL text.
 * STANDARDS
 *	基本方針 6(2), 6(7), 6(9), 7, 8.
 * SEE ALSO
 *	view/ledger.c, ledger/ledger.h.
 *--*/
#include "console/console.h"

#include "view/view.h"

#include "util/limits.h"

#include <string.h>

static KjLedger *open_ledger(KjReq *r)
{
	KjLedgerOptions o = {
	    .ppc_preliminary_days = r->console->cfg->ledger_ppc_preliminary_days,
	    .ppc_final_days = r->console->cfg->ledger_ppc_final_days,
	    .due_horizon_days = r->console->cfg->ledger_due_horizon_days,
	};
	return kj_ledger_new(kj_store_get_db(r->store), r->audit, kj_req_actor(r), &o);
}

static const KjLedgerRegister *find_register(KjReq *r)
{
	const KjLedgerRegister *reg = kj_ledger_register_find(r->params[0]);
	if (!reg)
		kj_req_error(r, 404, "not_found", "no register '%s'", r->params[0]);
	return reg;
}

static void registers(KjReq *r)
{
	if (kj_req_allow_any(r, "ledger.read"))
		kj_req_json(r, 200, json_pack("{s:o}", "registers", kj_view_ledger_registers()));
}

static void page(KjReq *r)
{
	KjPage p = {0};
	GError *error = NULL;
	gint64 limit;
	const char *cursor;
	const KjLedgerRegister *reg;

	if (!kj_req_allow_any(r, "ledger.read") || !(reg = find_register(r)) ||
	    !kj_req_page_args(r, &limit, &cursor))
		return;
	g_autoptr(KjLedger) l = open_ledger(r);
	const char *q = kj_req_query(r, "q");
	gboolean eff = g_strcmp0(kj_req_query(r, "effective"), "1") == 0;
	if (!kj_view_ledger_page(l, reg, q && *q ? q : NULL, kj_req_query(r, "where"),
				 kj_req_query(r, "value"), eff, cursor, limit, &p, &error)) {
		kj_req_fail(r, error);
		return;
	}
	kj_req_page(r, &p);
}

static void get(KjReq *r)
{
	GError *error = NULL;
	const KjLedgerRegister *reg;
	if (!kj_req_allow_any(r, "ledger.read") || !(reg = find_register(r)))
		return;
	g_autoptr(KjLedger) l = open_ledger(r);
	json_t *o = kj_view_ledger_get(l, reg, r->params[1], &error);
	if (!o) {
		kj_req_fail(r, error);
		return;
	}
	kj_req_json(r, 200, o);
}

static void add(KjReq *r)
{
	GError *error = NULL;
	const char *key = NULL;
	g_auto(GStrv) assign = NULL;
	const KjLedgerRegister *reg;

	if (!kj_req_allow_any(r, "ledger.write") || !(reg = find_register(r)))
		return;
	g_autoptr(json_t) body = kj_req_body_object(r);
	if (!body || !kj_req_string(r, body, "key", TRUE, 200, FALSE, &key))
		return;
	if (!kj_view_ledger_assignments(reg, json_object_get(body, "values"), &assign, &error)) {
		kj_req_fail(r, error);
		return;
	}
	g_autoptr(KjLedger) l = open_ledger(r);
	if (!kj_ledger_add(l, reg, key, (const char *const *)assign, &error)) {
		kj_req_fail(r, error);
		return;
	}
	kj_req_json(r, 201, kj_view_ledger_get(l, reg, key, NULL));
}

static void set(KjReq *r)
{
	GError *error = NULL;
	g_auto(GStrv) assign = NULL;
	gint64 version = 0;
	const KjLedgerRegister *reg;

	if (!kj_req_allow_any(r, "ledger.write") || !(reg = find_register(r)))
		return;
	g_autoptr(json_t) body = kj_req_body_object(r);
	if (!body)
		return;
	if (json_object_get(body, "version") && !kj_req_int(r, body, "version", &version))
		return;
	if (!kj_view_ledger_assignments(reg, json_object_get(body, "values"), &assign, &error)) {
		kj_req_fail(r, error);
		return;
	}
	g_autoptr(KjLedger) l = open_ledger(r);
	if (!kj_ledger_set(l, reg, r->params[1], version, (const char *const *)assign, NULL,
			   &error)) {
		kj_req_fail(r, error);
		return;
	}
	kj_req_json(r, 200, kj_view_ledger_get(l, reg, r->params[1], NULL));
}

static void del(KjReq *r)
{
	GError *error = NULL;
	gint64 version = 0;
	const KjLedgerRegister *reg;

	if (!kj_req_allow_any(r, "ledger.write") || !(reg = find_register(r)))
		return;
	g_autoptr(json_t) body = kj_req_body_object(r);
	if (!body)
		return;
	if (json_object_get(body, "version") && !kj_req_int(r, body, "version", &version))
		return;
	g_autoptr(KjLedger) l = open_ledger(r);
	if (!kj_ledger_delete(l, reg, r->params[1], version, &error)) {
		kj_req_fail(r, error);
		return;
	}
	kj_req_json(r, 200,
		    json_pack("{s:s, s:s}", "deleted", r->params[1], "register", reg->noun));
}

static void heatmap(KjReq *r)
{
	GError *error = NULL;
	if (!kj_req_allow_any(r, "ledger.read"))
		return;
	g_autoptr(KjLedger) l = open_ledger(r);
	json_t *o = kj_view_risk_heatmap(l, kj_req_query(r, "which"), &error);
	if (!o) {
		kj_req_fail(r, error);
		return;
	}
	kj_req_json(r, 200, o);
}

static void due(KjReq *r)
{
	GError *error = NULL;
	gint64 horizon = r->console->cfg->ledger_due_horizon_days;
	const char *h = kj_req_query(r, "horizon_days");
	if (!kj_req_allow_any(r, "ledger.read"))
		return;
	if (h) {
		char *end = NULL;
		horizon = g_ascii_strtoll(h, &end, 10);
		if (end == h || *end || horizon < 0 || horizon > KJ_LEDGER_DAYS_CEILING) {
			kj_req_error(r, 400, "invalid", "horizon_days: 0 to %d",
				     KJ_LEDGER_DAYS_CEILING);
			return;
		}
	}
	g_autoptr(KjLedger) l = open_ledger(r);
	json_t *a = kj_view_due(l, NULL, horizon, &error);
	if (!a) {
		kj_req_fail(r, error);
		return;
	}
	gint64 overdue = 0;
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) if (json_is_true(json_object_get(v, "overdue"))) overdue++;
	kj_req_json(r, 200,
		    json_pack("{s:I, s:I, s:o}", "horizon_days", (json_int_t)horizon, "overdue",
			      (json_int_t)overdue, "items", a));
}

static void findings(KjReq *r)
{
	GError *error = NULL;
	if (!kj_req_allow_any(r, "ledger.read"))
		return;
	g_autoptr(KjLedger) l = open_ledger(r);
	json_t *a = kj_view_findings(l, &error);
	if (!a) {
		kj_req_fail(r, error);
		return;
	}
	kj_req_json(r, 200, json_pack("{s:o}", "items", a));
}

static gboolean campaign_exists(KjReq *r, KjLedger *l)
{
	const KjLedgerRegister *reg = kj_ledger_register_find("campaign");
	g_autoptr(KjLedgerRecord) rec = kj_ledger_get(l, reg, r->params[0], NULL);
	if (!rec)
		kj_req_error(r, 404, "not_found", "no self-inspection '%s'", r->params[0]);
	return rec != NULL;
}

static void inspection(KjReq *r)
{
	GError *error = NULL;
	if (!kj_req_allow_any(r, "ledger.read"))
		return;
	g_autoptr(KjLedger) l = open_ledger(r);
	if (!campaign_exists(r, l))
		return;
	json_t *a = kj_view_inspection_report(l, r->params[0], &error);
	if (!a) {
		kj_req_fail(r, error);
		return;
	}
	kj_req_json(r, 200, json_pack("{s:s, s:o}", "campaign", r->params[0], "departments", a));
}

static void inspection_form(KjReq *r)
{
	GError *error = NULL;
	if (!kj_req_allow_any(r, "ledger.read"))
		return;
	g_autoptr(KjLedger) l = open_ledger(r);
	if (!campaign_exists(r, l))
		return;
	json_t *o = kj_view_inspection_form(l, r->params[0], r->params[1], &error);
	if (!o) {
		kj_req_fail(r, error);
		return;
	}
	const KjAccount *a = r->session->account;
	json_object_set_new(
	    o, "may_answer",
	    json_boolean(kj_authz_scope(a->role, "inspect.answer") == KJ_SCOPE_ALL ||
			 (kj_authz_scope(a->role, "inspect.answer") == KJ_SCOPE_OWN &&
			  kj_view_department_matches(l, a->department, r->params[1]))));
	kj_req_json(r, 200, o);
}

static void inspection_answer(KjReq *r)
{
	GError *error = NULL;
	const char *dept = NULL, *item = NULL, *result = NULL, *evidence = NULL;

	if (!kj_req_allow_any(r, "inspect.answer"))
		return;
	g_autoptr(json_t) body = kj_req_body_object(r);
	if (!body || !kj_req_string(r, body, "department", TRUE, 200, FALSE, &dept) ||
	    !kj_req_string(r, body, "item", TRUE, 200, FALSE, &item) ||
	    !kj_req_string(r, body, "result", TRUE, 40, FALSE, &result) ||
	    !kj_req_string(r, body, "evidence", FALSE, KJ_CONSOLE_MAX_TEXT, TRUE, &evidence))
		return;
	g_autoptr(KjLedger) l = open_ledger(r);
	const KjAccount *a = r->session->account;
	if (kj_authz_scope(a->role, "inspect.answer") != KJ_SCOPE_ALL &&
	    !kj_view_department_matches(l, a->department, dept)) {
		kj_req_not_found(r);
		return;
	}
	if (!campaign_exists(r, l))
		return;
	if (!kj_ledger_inspect_answer(l, r->params[0], dept, item, result, evidence, NULL,
				      &error)) {
		kj_req_fail(r, error);
		return;
	}
	json_t *o = kj_view_inspection_form(l, r->params[0], dept, &error);
	if (!o) {
		kj_req_fail(r, error);
		return;
	}
	kj_req_json(r, 200, o);
}

const KjRoute kj_console_ledger_routes[] = {
    {"GET", "/api/ledger/registers", registers, 0},
    {"GET", "/api/ledger/*", page, 0},
    {"POST", "/api/ledger/*", add, 0},
    {"GET", "/api/ledger/*/*", get, 0},
    {"POST", "/api/ledger/*/*", set, 0},
    {"POST", "/api/ledger/*/*/delete", del, 0},
    {"GET", "/api/risk/heatmap", heatmap, 0},
    {"GET", "/api/due", due, 0},
    {"GET", "/api/findings", findings, 0},
    {"GET", "/api/inspections/*", inspection, 0},
    {"GET", "/api/inspections/*/departments/*", inspection_form, 0},
    {"POST", "/api/inspections/*/answer", inspection_answer, 0},
    {NULL, NULL, NULL, 0},
};
