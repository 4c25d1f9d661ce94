/*++
 * NAME
 *	gateway - the console's view of the sanitizing gateway
 * DESCRIPTION
 *	Queue counts, held reasons, throughput and pending work from the
 *	queue table, kyojind's own counters when console.gateway_metrics
 *	names its metrics endpoint, and pages of the queue.
 *
 *	The summary counts the whole queue (100,000 messages take tens of
 *	milliseconds); it is computed at most once per SUMMARY_TTL_S and
 *	shared by every request in between, which a dashboard polling every
 *	few seconds cannot tell apart.
 * SECURITY
 *	Request threads; read-only.  The metrics endpoint is contacted with a
 *	two-second timeout, so an unreachable kyojind delays the summary by
 *	at most that.
 * STANDARDS
 *	基本方針 6(3)②, 6(9).
 * SEE ALSO
 *	view/gateway.c.
 *--*/
#include "console/console.h"

#include "view/view.h"

#define SUMMARY_TTL_S 5

static GMutex summary_lock;
static json_t *summary_cache;
static gint64 summary_at;

/* The queue part of the summary, from the cache when fresh; a new reference. */
static json_t *queue_summary(KjReq *r, GError **error)
{
	json_t *o = NULL;
	g_mutex_lock(&summary_lock);
	if (summary_cache && r->now - summary_at < SUMMARY_TTL_S && r->now >= summary_at) {
		o = json_deep_copy(summary_cache);
	} else {
		o = kj_view_gateway_summary(kj_store_get_db(r->store), r->now, error);
		if (o) {
			if (summary_cache)
				json_decref(summary_cache);
			summary_cache = json_deep_copy(o);
			summary_at = r->now;
		}
	}
	if (o)
		json_object_set_new(o, "as_of_unix", json_integer(summary_at));
	g_mutex_unlock(&summary_lock);
	return o;
}

static void summary(KjReq *r)
{
	GError *error = NULL;
	if (!kj_req_allow_any(r, "gateway.read"))
		return;
	json_t *o = queue_summary(r, &error);
	if (!o) {
		kj_req_fail(r, error);
		return;
	}
	const char *where = r->console->cfg->console_gateway_metrics;
	json_t *m = json_object();
	json_object_set_new(m, "configured", json_boolean(where != NULL));
	if (where) {
		json_t *counters = kj_view_metrics_fetch(where, &error);
		json_object_set_new(m, "reachable", json_boolean(counters != NULL));
		json_object_set_new(m, "counters", counters ? counters : json_null());
		json_object_set_new(m, "error", error ? json_string(error->message) : json_null());
		g_clear_error(&error);
	}
	json_object_set_new(o, "kyojind", m);
	kj_req_json(r, 200, o);
}

static void queue(KjReq *r)
{
	KjPage page = {0};
	GError *error = NULL;
	gint64 limit;
	const char *cursor, *state = kj_req_query(r, "state");
	if (!kj_req_allow_any(r, "gateway.read") || !kj_req_page_args(r, &limit, &cursor))
		return;
	if (!kj_view_queue_page(kj_store_get_db(r->store), state && *state ? state : NULL, cursor,
				limit, &page, &error)) {
		kj_req_fail(r, error);
		return;
	}
	kj_req_page(r, &page);
}

const KjRoute kj_console_gateway_routes[] = {
    {"GET", "/api/gateway/summary", summary, 0},
    {"GET", "/api/gateway/queue", queue, 0},
    {NULL, NULL, NULL, 0},
};
