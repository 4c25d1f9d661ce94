/*++
 * NAME
 *	audit - pages of the audit trail, newest first, filtered
 * DESCRIPTION
 *	The trail is an append-only JSON-lines file (audit/audit.c).  A page
 *	is read from the end of the file backwards (kj_audit_read_reverse),
 *	stopping once the page is full, so the newest pages cost the same
 *	whatever the size of the log.  Filters: actor (exact), action
 *	(prefix: "release." is every release step), object (exact), and a
 *	time range (the walk stops at the first record older than "since").
 * SECURITY
 *	Reads the log only.  Record fields are the writers' data and are
 *	returned as JSON values, never interpreted.
 * LIMITS
 *	KJ_CONSOLE_PAGE_MAX records per page.  Time is linear in the records
 *	walked back: a deep cursor, or a filter that matches little, reads
 *	far; an index of the trail is future work for very large logs.
 * STANDARDS
 *	基本方針 6(7), 7 (監査).
 * SEE ALSO
 *	audit/audit.h.
 *--*/
#include "view/view.h"

#include "util/limits.h"

#include <string.h>

typedef struct {
	const KjViewAuditFilter *f;
	gint64 before; /* 0 = no cursor */
	gint64 limit;
	json_t *items;
} Ctx;

static gboolean match(const KjViewAuditFilter *f, const KjAuditRecord *rec)
{
	if (f->actor && g_strcmp0(f->actor, rec->actor) != 0)
		return FALSE;
	if (f->action && !g_str_has_prefix(rec->action ? rec->action : "", f->action))
		return FALSE;
	if (f->object && g_strcmp0(f->object, rec->object) != 0)
		return FALSE;
	/* RFC 3339 UTC strings of one format compare as text. */
	if (f->since && g_strcmp0(rec->time, f->since) < 0)
		return FALSE;
	if (f->until && g_strcmp0(rec->time, f->until) >= 0)
		return FALSE;
	return TRUE;
}

/* Newest first: stops once limit + 1 records matched (the one more says
 * there is a next page), or, with a since filter, at the first record
 * older than it. */
static gboolean on_record(const KjAuditRecord *rec, gpointer user_data)
{
	Ctx *c = user_data;
	if (c->before && rec->seq >= c->before)
		return TRUE;
	if (c->f->since && g_strcmp0(rec->time, c->f->since) < 0)
		return FALSE;
	if (!match(c->f, rec))
		return TRUE;
	json_array_append_new(c->items,
			      json_pack("{s:I, s:s, s:s, s:s, s:s, s:O, s:s, s:s}", "seq",
					(json_int_t)rec->seq, "time", rec->time, "actor",
					rec->actor, "action", rec->action, "object", rec->object,
					"details", rec->details ? rec->details : json_null(),
					"prev", rec->prev, "hash", rec->hash));
	return (gint64)json_array_size(c->items) <= c->limit;
}

gboolean kj_view_audit_page(const char *log_path, const KjViewAuditFilter *filter,
			    const char *cursor, gint64 limit, KjPage *page, GError **error)
{
	g_autofree char *ckey = NULL, *cid = NULL;
	KjViewAuditFilter none = {0};
	Ctx c = {.f = filter ? filter : &none};

	if (limit <= 0 || limit > KJ_CONSOLE_PAGE_MAX)
		limit = KJ_CONSOLE_PAGE_DEFAULT;
	c.limit = limit;
	if (cursor) {
		char *end = NULL;
		if (!_kj_cursor_parse(cursor, &ckey, &cid) ||
		    (c.before = g_ascii_strtoll(cid, &end, 10)) <= 0 || *end) {
			g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID,
				    "bad cursor");
			return FALSE;
		}
	}
	c.items = json_array();
	if (!kj_audit_read_reverse(log_path, on_record, &c, error)) {
		json_decref(c.items);
		return FALSE;
	}
	page->items = c.items;
	page->next_cursor = NULL;
	if ((gint64)json_array_size(c.items) > limit) {
		json_array_remove(c.items, json_array_size(c.items) - 1);
		json_t *last = json_array_get(c.items, json_array_size(c.items) - 1);
		g_autofree char *seq = g_strdup_printf(
		    "%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(last, "seq")));
		page->next_cursor = _kj_cursor_make("", seq);
	}
	return TRUE;
}
