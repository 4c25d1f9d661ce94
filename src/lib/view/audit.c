/*++
 * NAME
 *	audit - pages of the audit trail, newest first, filtered
 * DESCRIPTION
 *	The trail is an append-only JSON-lines file (audit/audit.c).  A page
 *	is read in one pass over the file, keeping the last limit+1 matching
 *	records before the cursor's sequence number in a ring, so memory is
 *	bounded by the page and not by the log.  Filters: actor (exact),
 *	action (prefix: "release." is every release step), object (exact),
 *	and a time range.
 * SECURITY
 *	Reads the log only.  Record fields are the writers' data and are
 *	returned as JSON values, never interpreted.
 * LIMITS
 *	KJ_CONSOLE_PAGE_MAX records per page.  Time is linear in the size of
 *	the log: an index of the trail is future work for very large logs.
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
	json_t **ring;
	gint64 count; /* matching records seen */
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

static gboolean on_record(const KjAuditRecord *rec, gpointer user_data)
{
	Ctx *c = user_data;
	if (c->before && rec->seq >= c->before)
		return FALSE;
	if (!match(c->f, rec))
		return TRUE;
	json_t *o = json_pack(
	    "{s:I, s:s, s:s, s:s, s:s, s:O, s:s, s:s}", "seq", (json_int_t)rec->seq, "time",
	    rec->time, "actor", rec->actor, "action", rec->action, "object", rec->object, "details",
	    rec->details ? rec->details : json_null(), "prev", rec->prev, "hash", rec->hash);
	gint64 slot = c->count % (c->limit + 1);
	if (c->ring[slot])
		json_decref(c->ring[slot]);
	c->ring[slot] = o;
	c->count++;
	return TRUE;
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
	c.ring = g_new0(json_t *, limit + 1);
	gboolean ok = TRUE;
	if (g_file_test(log_path, G_FILE_TEST_EXISTS))
		ok = kj_audit_read(log_path, on_record, &c, error);
	json_t *items = json_array();
	gint64 have = MIN(c.count, limit + 1);
	/* Newest first: walk the ring backwards from the last record. */
	for (gint64 k = 0; k < have; k++) {
		gint64 slot = (c.count - 1 - k) % (limit + 1);
		if (k < limit)
			json_array_append(items, c.ring[slot]);
	}
	for (gint64 k = 0; k <= limit; k++)
		if (c.ring[k])
			json_decref(c.ring[k]);
	g_free(c.ring);
	if (!ok) {
		json_decref(items);
		return FALSE;
	}
	page->items = items;
	page->next_cursor = NULL;
	if (c.count > limit) {
		json_t *last = json_array_get(items, json_array_size(items) - 1);
		g_autofree char *seq = g_strdup_printf(
		    "%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(last, "seq")));
		page->next_cursor = _kj_cursor_make("", seq);
	}
	return TRUE;
}
