/*++
 * NAME
 *	audit - the console's audit trail: filter, read, verify, export
 * DESCRIPTION
 *	Auditors and the security team read the trail newest first with
 *	filters, check the hash chain (and the head file beside the log, which
 *	shows a cut-off tail), see the head to publish as a witness, and
 *	download the log itself to verify elsewhere with "kyojin audit
 *	verify".  An export is itself recorded.
 * SECURITY
 *	Request threads; the log is only read.
 * STANDARDS
 *	基本方針 6(7), 7.
 * SEE ALSO
 *	audit/audit.h, view/audit.c.
 *--*/
#include "console/console.h"

#include "view/view.h"

static char *log_path(KjReq *r)
{
	return g_build_filename(r->console->data_dir, KJ_AUDIT_LOG_NAME, NULL);
}

static const char *q(KjReq *r, const char *name)
{
	const char *v = kj_req_query(r, name);
	return v && *v ? v : NULL;
}

static void list(KjReq *r)
{
	KjPage page = {0};
	GError *error = NULL;
	gint64 limit;
	const char *cursor;
	if (!kj_req_allow_any(r, "audit.read") || !kj_req_page_args(r, &limit, &cursor))
		return;
	KjViewAuditFilter f = {q(r, "actor"), q(r, "action"), q(r, "object"), q(r, "since"),
			       q(r, "until")};
	g_autofree char *path = log_path(r);
	if (!kj_view_audit_page(path, &f, cursor, limit, &page, &error)) {
		kj_req_fail(r, error);
		return;
	}
	kj_req_page(r, &page);
}

static void verify(KjReq *r)
{
	GError *error = NULL;
	KjAuditVerdict v = {0};
	if (!kj_req_allow_any(r, "audit.read"))
		return;
	g_autofree char *path = log_path(r);
	g_autofree char *head = g_build_filename(r->console->data_dir, KJ_AUDIT_HEAD_NAME, NULL);
	if (!kj_audit_verify(path, head, q(r, "witness"), &v, &error)) {
		kj_req_fail(r, error);
		return;
	}
	json_t *o =
	    json_pack("{s:b, s:I, s:{s:I, s:s}}", "ok", v.ok, "records", (json_int_t)v.records,
		      "head", "seq", (json_int_t)v.head.seq, "hash", v.head.hash);
	if (!v.ok) {
		json_object_set_new(o, "bad_seq", json_integer(v.bad_seq));
		json_object_set_new(o, "bad_line", json_integer(v.bad_line));
		json_object_set_new(o, "reason", json_string(v.reason ? v.reason : ""));
	}
	if (q(r, "witness"))
		json_object_set_new(o, "witness_found", json_boolean(v.witness_found));
	kj_audit_verdict_clear(&v);
	kj_req_json(r, 200, o);
}

static void head(KjReq *r)
{
	GError *error = NULL;
	KjAuditHead h = {0};
	if (!kj_req_allow_any(r, "audit.read"))
		return;
	g_autofree char *path = log_path(r);
	if (!kj_audit_get_head(path, &h, &error)) {
		kj_req_fail(r, error);
		return;
	}
	g_autofree char *w = g_strdup_printf("%" G_GINT64_FORMAT ":%s", h.seq, h.hash);
	kj_req_json(
	    r, 200,
	    json_pack("{s:I, s:s, s:s}", "seq", (json_int_t)h.seq, "hash", h.hash, "witness", w));
}

static void export_log(KjReq *r)
{
	GError *error = NULL;
	char *data = NULL;
	gsize len = 0;
	KjAuditHead h = {0};
	if (!kj_req_allow_any(r, "audit.read"))
		return;
	g_autofree char *path = log_path(r);
	/* The export is recorded first, so the file handed over ends with it. */
	json_t *d = json_pack("{s:s}", "client", r->client);
	gboolean ok =
	    kj_audit_append(r->audit, kj_req_actor(r), "audit.export", "audit", d, &h, &error);
	json_decref(d);
	if (!ok || !g_file_get_contents(path, &data, &len, &error)) {
		kj_req_fail(r, error);
		return;
	}
	g_autofree char *name =
	    g_strdup_printf("kyojin-audit-%" G_GINT64_FORMAT "-%.12s.jsonl", h.seq, h.hash);
	kj_req_download(r, g_bytes_new_take(data, len), name, "application/x-ndjson");
}

const KjRoute kj_console_audit_routes[] = {
    {"GET", "/api/audit", list, 0},
    {"GET", "/api/audit/verify", verify, 0},
    {"GET", "/api/audit/head", head, 0},
    {"GET", "/api/audit/export", export_log, 0},
    {NULL, NULL, NULL, 0},
};
