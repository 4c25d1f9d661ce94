/*++
 * NAME
 *	gateway - the gateway's state for front ends: queue counts, held
 *	reasons, throughput, pending work, kyojind's counters
 * DESCRIPTION
 *	Everything but kyojind's own counters comes from the queue table
 *	(queue/queue.c), so the view works whether or not kyojind runs:
 *	counts by state, the reasons of held messages (grouped), messages
 *	received in the last hour and day, and the pending work with the age
 *	of its oldest message and how many are waiting to retry, which is
 *	what a stuck or crashing worker shows as.  kyojind's counters are read
 *	from its Prometheus endpoint (gateway.metrics_listen) when the console
 *	is told where it is.
 * SECURITY
 *	The metrics text comes over the network from kyojind; its parser
 *	(kj_view_metrics_parse, fuzzed) keeps only "name number" lines with
 *	names of [a-zA-Z0-9_:], at most 256 of them.
 * LIMITS
 *	METRICS_MAX_BYTES of a metrics answer, METRICS_TIMEOUT_S to get it.
 * STANDARDS
 *	Prometheus text exposition format 0.0.4.  基本方針 6(3)②, 6(9).
 * SEE ALSO
 *	queue/queue.h, daemon/metrics.c.
 *--*/
#include "view/view.h"

#include "util/limits.h"

#include <gio/gio.h>
#include <string.h>

#define METRICS_MAX_BYTES (64 * 1024)
#define METRICS_MAX_SAMPLES 256
#define METRICS_TIMEOUT_S 2

static gboolean row_count_by(const KjDbRow *row, gpointer user_data)
{
	const char *k = kj_db_row_get_text(row, 0);
	json_object_set_new(user_data, k ? k : "(none)", json_integer(kj_db_row_get_int(row, 1)));
	return TRUE;
}

static gboolean row_reason(const KjDbRow *row, gpointer user_data)
{
	const char *k = kj_db_row_get_text(row, 0);
	json_array_append_new(user_data, json_pack("{s:s, s:I}", "reason", k ? k : "", "count",
						   (json_int_t)kj_db_row_get_int(row, 1)));
	return TRUE;
}

json_t *kj_view_gateway_summary(KjDb *db, gint64 now, GError **error)
{
	json_t *states = json_pack("{s:i, s:i, s:i, s:i}", "received", 0, "sanitized", 0, "held", 0,
				   "delivered", 0);
	json_t *reasons = json_array();
	gint64 hour = 0, day = 0, pending = 0, retrying = 0, oldest = 0;
	gboolean has_oldest = FALSE;

	gboolean ok =
	    kj_db_query(db, "SELECT state, count(*) FROM queue GROUP BY state", KJ_DB_NO_ARGS,
			row_count_by, states, error) &&
	    kj_db_query(db,
			"SELECT reason, count(*) FROM queue WHERE state = 'held'"
			" GROUP BY reason ORDER BY count(*) DESC, reason LIMIT 20",
			KJ_DB_NO_ARGS, row_reason, reasons, error) &&
	    kj_db_query_int(db, "SELECT count(*) FROM queue WHERE received_unix >= $1",
			    KJ_DB_ARGS(KJ_DB_INT(now - 3600)), &hour, NULL, error) &&
	    kj_db_query_int(db, "SELECT count(*) FROM queue WHERE received_unix >= $1",
			    KJ_DB_ARGS(KJ_DB_INT(now - 86400)), &day, NULL, error) &&
	    kj_db_query_int(db,
			    "SELECT count(*) FROM queue WHERE state IN ('received', 'sanitized')",
			    KJ_DB_NO_ARGS, &pending, NULL, error) &&
	    kj_db_query_int(db,
			    "SELECT count(*) FROM queue WHERE state IN ('received', 'sanitized')"
			    " AND attempts > 0",
			    KJ_DB_NO_ARGS, &retrying, NULL, error) &&
	    kj_db_query_int(db,
			    "SELECT min(received_unix) FROM queue"
			    " WHERE state IN ('received', 'sanitized')",
			    KJ_DB_NO_ARGS, &oldest, &has_oldest, error);
	if (!ok) {
		json_decref(states);
		json_decref(reasons);
		return NULL;
	}
	return json_pack("{s:o, s:o, s:{s:I, s:I}, s:{s:I, s:I, s:o}}", "states", states,
			 "held_reasons", reasons, "received", "last_hour", (json_int_t)hour,
			 "last_day", (json_int_t)day, "pending", "messages", (json_int_t)pending,
			 "retrying", (json_int_t)retrying, "oldest_age_s",
			 has_oldest ? json_integer(now - oldest) : json_null());
}

typedef struct {
	json_t *items;
	gint64 limit, n;
	char *last;
} PageCtx;

static gboolean row_queue(const KjDbRow *row, gpointer user_data)
{
	PageCtx *c = user_data;
	if (c->n++ >= c->limit)
		return FALSE;
	const char *rc = kj_db_row_get_text(row, 3);
	json_t *rcpts = rc ? json_loads(rc, 0, NULL) : NULL;
	json_array_append_new(
	    c->items,
	    json_pack(
		"{s:s, s:s, s:s, s:o, s:I, s:o, s:o, s:I, s:o, s:s, s:s}", "id",
		kj_db_row_get_text(row, 0), "state", kj_db_row_get_text(row, 1), "sender",
		kj_db_row_get_text(row, 2), "recipients", rcpts ? rcpts : json_array(), "size",
		(json_int_t)kj_db_row_get_int(row, 4), "quarantine_id",
		kj_db_row_get_text(row, 5) ? json_string(kj_db_row_get_text(row, 5)) : json_null(),
		"reason",
		kj_db_row_get_text(row, 6) ? json_string(kj_db_row_get_text(row, 6)) : json_null(),
		"attempts", (json_int_t)kj_db_row_get_int(row, 7), "last_error",
		kj_db_row_get_text(row, 8) ? json_string(kj_db_row_get_text(row, 8)) : json_null(),
		"received_at", kj_db_row_get_text(row, 9), "updated_at",
		kj_db_row_get_text(row, 10)));
	g_free(c->last);
	c->last = g_strdup(kj_db_row_get_text(row, 0));
	return TRUE;
}

gboolean kj_view_queue_page(KjDb *db, const char *state, const char *cursor, gint64 limit,
			    KjPage *page, GError **error)
{
	g_autofree char *ckey = NULL, *cid = NULL;
	if (limit <= 0 || limit > KJ_CONSOLE_PAGE_MAX)
		limit = KJ_CONSOLE_PAGE_DEFAULT;
	if (cursor && !_kj_cursor_parse(cursor, &ckey, &cid)) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID, "bad cursor");
		return FALSE;
	}
	if (state && strcmp(state, "received") != 0 && strcmp(state, "sanitized") != 0 &&
	    strcmp(state, "held") != 0 && strcmp(state, "delivered") != 0) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID,
			    "state: received, sanitized, held or delivered");
		return FALSE;
	}
	PageCtx c = {.items = json_array(), .limit = limit};
	KjWhere w;
	_kj_where_init(&w);
	if (state)
		_kj_where_add(&w, "state = ?", 1, KJ_DB_TEXT(state));
	if (cid)
		_kj_where_add(&w, "id < ?", 1, KJ_DB_TEXT(cid));
	w.params[w.n++] = KJ_DB_INT(limit + 1);
	g_autofree char *sql = g_strdup_printf(
	    "SELECT id, state, sender, recipients, size, quarantine_id, reason, attempts,"
	    " last_error, received_at, updated_at FROM queue%s ORDER BY id DESC LIMIT "
	    "$%" G_GSIZE_FORMAT,
	    _kj_where_sql(&w), w.n);
	gboolean ok = kj_db_query(db, sql, w.params, w.n, row_queue, &c, error);
	_kj_where_clear(&w);
	if (!ok) {
		json_decref(c.items);
		g_free(c.last);
		return FALSE;
	}
	page->items = c.items;
	page->next_cursor = c.n > limit ? _kj_cursor_make("", c.last) : NULL;
	g_free(c.last);
	return TRUE;
}

json_t *kj_view_metrics_parse(const char *text, gsize len)
{
	json_t *o = json_object();
	gsize i = 0;
	guint samples = 0;

	while (i < len && samples < METRICS_MAX_SAMPLES) {
		gsize start = i;
		while (i < len && text[i] != '\n')
			i++;
		gsize n = i - start;
		i++;
		if (n == 0 || n > 512 || text[start] == '#')
			continue;
		g_autofree char *line = g_strndup(text + start, n);
		if (strlen(line) != n)
			continue; /* a NUL inside the line */
		char *sp = strchr(line, ' ');
		if (!sp || sp == line)
			continue;
		*sp = '\0';
		gboolean name_ok = TRUE;
		for (const char *p = line; *p; p++)
			if (!(g_ascii_isalnum(*p) || *p == '_' || *p == ':'))
				name_ok = FALSE;
		char *end = NULL;
		const char *num = sp + 1;
		gdouble v = g_ascii_strtod(num, &end);
		while (end && (*end == ' ' || *end == '\r'))
			end++;
		if (!name_ok || end == num || !end || *end || v != v)
			continue;
		json_object_set_new(o, line, json_real(v));
		samples++;
	}
	return o;
}

json_t *kj_view_metrics_fetch(const char *host_port, GError **error)
{
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_socket_client_set_timeout(client, METRICS_TIMEOUT_S);
	g_autoptr(GSocketConnection) conn =
	    g_socket_client_connect_to_host(client, host_port, 0, NULL, error);
	if (!conn)
		return NULL;
	GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(conn));
	GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(conn));
	static const char req[] = "GET /metrics HTTP/1.0\r\n\r\n";
	if (!g_output_stream_write_all(out, req, sizeof req - 1, NULL, NULL, error))
		return NULL;
	g_autoptr(GByteArray) buf = g_byte_array_new();
	guint8 chunk[4096];
	for (;;) {
		gssize n = g_input_stream_read(in, chunk, sizeof chunk, NULL, error);
		if (n < 0)
			return NULL;
		if (n == 0)
			break;
		if (buf->len + (gsize)n > METRICS_MAX_BYTES) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
				    "metrics answer larger than %d bytes", METRICS_MAX_BYTES);
			return NULL;
		}
		g_byte_array_append(buf, chunk, (guint)n);
	}
	const char *body = g_strstr_len((const char *)buf->data, buf->len, "\r\n\r\n");
	if (!body) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not an HTTP answer");
		return NULL;
	}
	body += 4;
	return kj_view_metrics_parse(body, buf->len - (gsize)(body - (const char *)buf->data));
}
