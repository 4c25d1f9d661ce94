/*++
 * NAME
 *	test-queue - queue state transitions, operator actions, audit records
 * DESCRIPTION
 *	Table-driven: every transition function from every state, legal
 *	ones change the state and add one audit record, illegal ones are
 *	KJ_QUEUE_ERROR_STATE and change nothing.  Also the spool (the
 *	original is a verified blob), due-work selection, pending count,
 *	release needing a reason, delete keeping the blob, and Maildir
 *	delivery being idempotent (a crash before "delivered" makes no
 *	second copy), by a hard link to the blob or by a copy.
 * SECURITY
 *	Test program.
 * STANDARDS
 *	基本方針 2(12), 6(7).
 * SEE ALSO
 *	src/lib/queue/queue.c, src/lib/queue/deliver.c
 *--*/
#include "audit/audit.h"
#include "queue/deliver.h"
#include "queue/notice.h"
#include "queue/queue.h"
#include "store/store.h"
#include "util/limits.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	char *dir;
	KjStore *store;
	KjAudit *audit;
} Fx;

static void fx_setup(Fx *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	f->dir = g_dir_make_tmp("kj-queue-XXXXXX", &error);
	g_assert_no_error(error);
	f->store = kj_store_open(f->dir, NULL, &error);
	g_assert_no_error(error);
	f->audit = kj_audit_open(f->dir, NULL, &error);
	g_assert_no_error(error);
}

static void fx_teardown(Fx *f, gconstpointer data)
{
	kj_audit_free(f->audit);
	kj_store_free(f->store);
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);
	g_assert_cmpint(system(cmd), ==, 0);
	g_free(f->dir);
}

/* Records in the audit log: its lines. */
static gint64 audit_count(Fx *f)
{
	g_autofree char *text = NULL;
	gsize len = 0;
	gint64 n = 0;

	if (!g_file_get_contents(kj_audit_get_path(f->audit), &text, &len, NULL))
		return 0;
	for (gsize i = 0; i < len; i++)
		n += text[i] == '\n';
	return n;
}

static char rcpt[] = "staff@city.lg.jp";

static char *receive(Fx *f, const char *body)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rcpts = g_ptr_array_new();
	g_autoptr(GBytes) raw = g_bytes_new(body, strlen(body));
	char *id = kj_queue_new_id();

	g_ptr_array_add(rcpts, rcpt);
	g_assert_true(kj_queue_receive(f->store, f->audit, "test", id, raw, "a@example.net", rcpts,
				       "127.0.0.1", "client.example", &error));
	g_assert_no_error(error);
	return id;
}

static KjQueueState state_of(Fx *f, const char *id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(KjQueueEntry) e = kj_queue_get(f->store, id, &error);
	g_assert_no_error(error);
	return e->state;
}

/* Brings a new entry to state st. */
static char *entry_in(Fx *f, KjQueueState st)
{
	char *id = receive(f, "Subject: x\r\n\r\nbody\r\n");
	const char *blob = "0000000000000000000000000000000000000000000000000000000000000000";
	if (st == KJ_QUEUE_RECEIVED)
		return id;
	if (st == KJ_QUEUE_HELD) {
		g_assert_true(kj_queue_set_held(f->store, f->audit, "t", id, "Q-1", "why", NULL));
		return id;
	}
	g_assert_true(kj_queue_set_sanitized(f->store, f->audit, "t", id, blob, "Q-1", NULL));
	if (st == KJ_QUEUE_DELIVERED)
		g_assert_true(kj_queue_set_delivered(f->store, f->audit, "t", id, "maildir", NULL));
	return id;
}

typedef enum { T_SANITIZED, T_HELD, T_DELIVERED, T_DEFER, T_RETRY, T_RELEASE } Trans;

static gboolean apply(Fx *f, Trans t, const char *id, GError **error)
{
	const char *blob = "1111111111111111111111111111111111111111111111111111111111111111";
	switch (t) {
	case T_SANITIZED:
		return kj_queue_set_sanitized(f->store, f->audit, "t", id, blob, "Q-2", error);
	case T_HELD:
		return kj_queue_set_held(f->store, f->audit, "t", id, NULL, "reason", error);
	case T_DELIVERED:
		return kj_queue_set_delivered(f->store, f->audit, "t", id, "d", error);
	case T_DEFER:
		return kj_queue_defer(f->store, f->audit, "t", id, "451 later", 42, error);
	case T_RETRY:
		return kj_queue_retry(f->store, f->audit, "t", id, "r", error);
	case T_RELEASE:
	default:
		return kj_queue_release(f->store, f->audit, "t", id, "approved", error);
	}
}

/* from state, transition -> resulting state, or -1 if refused. */
static const struct {
	KjQueueState from;
	Trans t;
	int to;
} table[] = {
    {KJ_QUEUE_RECEIVED, T_SANITIZED, KJ_QUEUE_SANITIZED},
    {KJ_QUEUE_RECEIVED, T_HELD, KJ_QUEUE_HELD},
    {KJ_QUEUE_RECEIVED, T_DELIVERED, -1},
    {KJ_QUEUE_RECEIVED, T_DEFER, -1},
    {KJ_QUEUE_RECEIVED, T_RETRY, -1},
    {KJ_QUEUE_RECEIVED, T_RELEASE, -1},
    {KJ_QUEUE_SANITIZED, T_SANITIZED, -1},
    {KJ_QUEUE_SANITIZED, T_HELD, KJ_QUEUE_HELD},
    {KJ_QUEUE_SANITIZED, T_DELIVERED, KJ_QUEUE_DELIVERED},
    {KJ_QUEUE_SANITIZED, T_DEFER, KJ_QUEUE_SANITIZED},
    {KJ_QUEUE_SANITIZED, T_RETRY, KJ_QUEUE_SANITIZED},
    {KJ_QUEUE_SANITIZED, T_RELEASE, -1},
    {KJ_QUEUE_HELD, T_SANITIZED, -1},
    {KJ_QUEUE_HELD, T_HELD, -1},
    {KJ_QUEUE_HELD, T_DELIVERED, -1},
    {KJ_QUEUE_HELD, T_DEFER, -1},
    {KJ_QUEUE_HELD, T_RETRY, KJ_QUEUE_RECEIVED},
    {KJ_QUEUE_HELD, T_RELEASE, KJ_QUEUE_SANITIZED},
    {KJ_QUEUE_DELIVERED, T_SANITIZED, -1},
    {KJ_QUEUE_DELIVERED, T_HELD, -1},
    {KJ_QUEUE_DELIVERED, T_DELIVERED, -1},
    {KJ_QUEUE_DELIVERED, T_DEFER, -1},
    {KJ_QUEUE_DELIVERED, T_RETRY, -1},
    {KJ_QUEUE_DELIVERED, T_RELEASE, -1},
};

static void test_transitions(Fx *f, gconstpointer data)
{
	for (gsize i = 0; i < G_N_ELEMENTS(table); i++) {
		g_autofree char *id = entry_in(f, table[i].from);
		g_autoptr(GError) error = NULL;
		gint64 before = audit_count(f);
		gboolean ok = apply(f, table[i].t, id, &error);
		if (table[i].to < 0) {
			g_assert_false(ok);
			g_assert_error(error, KJ_QUEUE_ERROR, KJ_QUEUE_ERROR_STATE);
			g_assert_cmpint(state_of(f, id), ==, table[i].from);
			g_assert_cmpint(audit_count(f), ==, before);
		} else {
			g_assert_no_error(error);
			g_assert_true(ok);
			g_assert_cmpint(state_of(f, id), ==, table[i].to);
			g_assert_cmpint(audit_count(f), ==, before + 1);
		}
	}
}

static void test_spool_and_due(Fx *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *a = receive(f, "Subject: a\r\n\r\na\r\n");
	g_autofree char *b = entry_in(f, KJ_QUEUE_SANITIZED);
	g_autoptr(KjQueueEntry) e = kj_queue_get(f->store, a, &error);
	g_assert_no_error(error);
	/* The original is a verified blob in the store. */
	g_autoptr(GBytes) raw = kj_store_get(f->store, e->original, &error);
	g_assert_no_error(error);
	g_assert_cmpmem(g_bytes_get_data(raw, NULL), g_bytes_get_size(raw),
			"Subject: a\r\n\r\na\r\n", 17);
	g_assert_cmpstr(e->recipients->pdata[0], ==, "staff@city.lg.jp");
	g_assert_cmpstr(e->helo, ==, "client.example");
	gint64 pending = 0;
	g_assert_true(kj_queue_count_pending(f->store, &pending, &error));
	g_assert_cmpint(pending, ==, 2);
	g_assert_true(kj_queue_defer(f->store, f->audit, "t", b, "later", 1000, &error));
	g_autoptr(GPtrArray) due = NULL;
	g_assert_true(kj_queue_list_due(f->store, 999, 0, &due, &error));
	g_assert_cmpint(due->len, ==, 1); /* b waits until 1000 */
	g_autoptr(GPtrArray) due2 = NULL;
	g_assert_true(kj_queue_list_due(f->store, 1000, 0, &due2, &error));
	g_assert_cmpint(due2->len, ==, 2);
	g_autoptr(KjQueueEntry) eb = kj_queue_get(f->store, b, &error);
	g_assert_cmpint(eb->attempts, ==, 1);
	g_assert_cmpstr(eb->last_error, ==, "later");
}

static void test_operator(Fx *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *h = entry_in(f, KJ_QUEUE_HELD);

	/* A release needs a reason for the audit log. */
	g_assert_false(kj_queue_release(f->store, f->audit, "t", h, "", &error));
	g_assert_error(error, KJ_QUEUE_ERROR, KJ_QUEUE_ERROR_INVALID);
	g_clear_error(&error);
	/* Held by the sanitizer: the release delivers the original. */
	g_assert_true(kj_queue_release(f->store, f->audit, "t", h, "approved", &error));
	g_autoptr(KjQueueEntry) e = kj_queue_get(f->store, h, &error);
	g_assert_cmpstr(e->sanitized, ==, e->original);
	/* Delete removes the entry but not the blob. */
	g_assert_true(kj_queue_delete(f->store, f->audit, "t", h, "gone", &error));
	g_assert_null(kj_queue_get(f->store, h, &error));
	g_assert_error(error, KJ_QUEUE_ERROR, KJ_QUEUE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_true(kj_store_has(f->store, e->original));
	g_assert_false(kj_queue_delete(f->store, f->audit, "t", h, "again", &error));
	g_assert_error(error, KJ_QUEUE_ERROR, KJ_QUEUE_ERROR_NOT_FOUND);
}

/* The notice: refused for the null sender; the quoted header section
 * stops at the first empty line (bare LF or CRLF), gets CRLF line ends,
 * and no part of it can close the report's parts. */
static void test_notice(void)
{
	g_autoptr(GError) error = NULL;
	char id[] = "0123456789abcdef0123", null_sender[] = "", sender[] = "s@example.net";
	KjQueueEntry e = {.id = id, .sender = null_sender, .received_at = NULL};
	e.recipients = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(e.recipients, g_strdup("a@city.lg.jp"));
	g_ptr_array_add(e.recipients, g_strdup("b\r\nInjected: x@city.lg.jp"));

	g_assert_null(kj_queue_notice_build(&e, "why", "gw.test", NULL, &error));
	g_assert_error(error, KJ_QUEUE_ERROR, KJ_QUEUE_ERROR_INVALID);
	g_clear_error(&error);

	e.sender = sender;
	const char hostile[] = "Subject: hi\nX-A: 1\r\n--kyojin-\n\nBODY LINE\r\n";
	g_autoptr(GBytes) orig = g_bytes_new(hostile, sizeof hostile - 1);
	g_autoptr(GBytes) n =
	    kj_queue_notice_build(&e, "held:\r\nBcc: evil@example.net", "gw.test", orig, &error);
	g_assert_no_error(error);
	g_autofree char *t = g_strndup(g_bytes_get_data(n, NULL), g_bytes_get_size(n));
	g_assert_nonnull(strstr(t, "Subject: hi\r\nX-A: 1\r\n--kyojin-\r\n\r\n--kyojin-"));
	g_assert_null(strstr(t, "BODY LINE"));
	g_assert_null(strstr(t, "\r\nBcc:"));
	g_assert_null(strstr(t, "\r\nInjected:"));
	g_assert_nonnull(strstr(t, "Final-Recipient: rfc822; a@city.lg.jp\r\n"));
	for (const char *p = t; (p = strchr(p, '\n')) != NULL; p++)
		g_assert_true(p > t && p[-1] == '\r');

	/* A header section past the limit: only the limit is copied. */
	GString *big = g_string_new(NULL);
	while (big->len < 2 * KJ_QUEUE_NOTICE_MAX_HEADERS)
		g_string_append(big, "X-Filler: 0123456789012345678901234567890123456789\n");
	g_string_append(big, "\nBODY LINE\n");
	g_autoptr(GBytes) bigb = g_string_free_to_bytes(big);
	g_autoptr(GBytes) n2 = kj_queue_notice_build(&e, "why", "gw.test", bigb, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_bytes_get_size(n2), <,
			 g_bytes_get_size(n) + KJ_QUEUE_NOTICE_MAX_HEADERS * 2);
	g_assert_cmpuint(g_bytes_get_size(n2), >, KJ_QUEUE_NOTICE_MAX_HEADERS);
	g_autofree char *t2 = g_strndup(g_bytes_get_data(n2, NULL), g_bytes_get_size(n2));
	g_assert_null(strstr(t2, "BODY LINE"));
	g_assert_true(g_str_has_suffix(t2, "--\r\n"));
	g_ptr_array_unref(e.recipients);
}

static void test_maildir_idempotent(Fx *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *md = g_build_filename(f->dir, "maildir", NULL);
	g_autoptr(GBytes) one = g_bytes_new_static("first\r\n", 7);
	g_autoptr(GBytes) two = g_bytes_new_static("second\r\n", 8);
	g_autofree char *path = g_build_filename(md, "new", "Q1", NULL);
	g_autofree char *data_read = NULL;

	g_assert_true(kj_deliver_maildir(md, "Q1", one, &error));
	g_assert_true(kj_deliver_maildir(md, "Q1", two, &error));
	g_assert_true(g_file_get_contents(path, &data_read, NULL, NULL));
	g_assert_cmpstr(data_read, ==, "first\r\n");
	g_autofree char *tmp = g_build_filename(md, "tmp", "Q1", NULL);
	g_assert_false(g_file_test(tmp, G_FILE_TEST_EXISTS));
}

/* Delivery by a hard link to the blob: one inode, no copy; again after
 * a crash: no second file; a blob path that cannot be linked: a copy. */
static void test_maildir_link(Fx *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *md = g_build_filename(f->dir, "maildir", NULL);
	char id[KJ_SHA256_HEX_LEN + 1];
	const char text[] = "Subject: sanitized\r\n\r\nbody\r\n";
	g_autoptr(GBytes) msg = g_bytes_new_static(text, sizeof text - 1);
	GStatBuf bs, ms;

	g_assert_true(kj_store_put(f->store, text, sizeof text - 1, id, &error));
	g_autofree char *blob = kj_store_dup_blob_path(f->store, id);
	g_autofree char *dst = g_build_filename(md, "new", "Q1", NULL);
	g_assert_true(kj_deliver_maildir_link(md, "Q1", blob, msg, &error));
	g_assert_no_error(error);
	g_assert_cmpint(g_stat(blob, &bs), ==, 0);
	g_assert_cmpint(g_stat(dst, &ms), ==, 0);
	g_assert_true(bs.st_ino == ms.st_ino && bs.st_dev == ms.st_dev);
	g_assert_cmpuint(ms.st_nlink, ==, 2);
	g_assert_true(kj_deliver_maildir_link(md, "Q1", blob, msg, &error));
	g_assert_cmpint(g_stat(blob, &bs), ==, 0);
	g_assert_cmpuint(bs.st_nlink, ==, 2);
	g_autoptr(GBytes) back = kj_store_get(f->store, id, &error);
	g_assert_no_error(error);
	g_assert_true(g_bytes_equal(back, msg));

	g_autofree char *gone = g_build_filename(f->dir, "no-such-blob", NULL);
	g_autofree char *dst2 = g_build_filename(md, "new", "Q2", NULL);
	g_autofree char *copy = NULL;
	g_assert_true(kj_deliver_maildir_link(md, "Q2", gone, msg, &error));
	g_assert_no_error(error);
	g_assert_true(g_file_get_contents(dst2, &copy, NULL, NULL));
	g_assert_cmpstr(copy, ==, text);
	g_assert_cmpint(g_stat(dst2, &ms), ==, 0);
	g_assert_cmpuint(ms.st_nlink, ==, 1);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/queue/transitions", Fx, NULL, fx_setup, test_transitions, fx_teardown);
	g_test_add("/queue/spool-and-due", Fx, NULL, fx_setup, test_spool_and_due, fx_teardown);
	g_test_add("/queue/operator", Fx, NULL, fx_setup, test_operator, fx_teardown);
	g_test_add_func("/queue/notice", test_notice);
	g_test_add("/queue/maildir-idempotent", Fx, NULL, fx_setup, test_maildir_idempotent,
		   fx_teardown);
	g_test_add("/queue/maildir-link", Fx, NULL, fx_setup, test_maildir_link, fx_teardown);
	return g_test_run();
}
