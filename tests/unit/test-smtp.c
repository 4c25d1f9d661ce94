/*++
 * NAME
 *	test-smtp - the SMTP state machine against dialogue cases
 * DESCRIPTION
 *	Runs every tests/smtp/cases/NAME.case (curl's tests/data style, one
 *	dialogue per file) twice: bytes fed a line at a time, then one byte
 *	at a time (a slow-drip client must get the same replies).  Lines:
 *	  # comment            O: key=value (session option)
 *	  C: text              client line, CRLF added
 *	  B: bytes             raw bytes, escapes \r \n \0 \t \\ \xHH, nothing added
 *	  R: n text            the text, CRLF added, repeated n times (floods)
 *	  S: codes...          the next expected reply codes, in order
 *	  M: n                 messages accepted in all
 *	  E: text              the last accepted message contains text
 *	  X: closed            the session ended (QUIT, 421)
 *	Options: max_line_bytes, max_recipients, max_message_bytes,
 *	max_errors, tls (1: STARTTLS offered), busy (1: backpressure on),
 *	spool_fail (1: the spool refuses each message).
 * SECURITY
 *	Test program; the case files are trusted.
 * STANDARDS
 *	RFC 5321, 1870, 2920, 3207, 6152, 2034.
 * SEE ALSO
 *	src/lib/smtp/smtp.c
 *--*/
#include "smtp/smtp.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
	char *path;
	gboolean bytewise;
} Case;

static GByteArray *unescape(const char *s)
{
	GByteArray *b = g_byte_array_new();
	for (; *s; s++) {
		guint8 c = (guint8)*s;
		if (c == '\\' && s[1]) {
			s++;
			switch (*s) {
			case 'r':
				c = '\r';
				break;
			case 'n':
				c = '\n';
				break;
			case '0':
				c = '\0';
				break;
			case 't':
				c = '\t';
				break;
			case 'x':
				if (g_ascii_isxdigit(s[1]) && g_ascii_isxdigit(s[2])) {
					c = (guint8)(g_ascii_xdigit_value(s[1]) * 16 +
						     g_ascii_xdigit_value(s[2]));
					s += 2;
				}
				break;
			default:
				c = (guint8)*s;
				break;
			}
		}
		g_byte_array_append(b, &c, 1);
	}
	return b;
}

typedef struct {
	KjSmtpSession *s;
	GPtrArray *codes; /* char * */
	gboolean closed, spool_fail;
	guint accepted;
	GBytes *last;
} Run;

static void collect(Run *r)
{
	GString *out = kj_smtp_session_get_output(r->s);
	g_auto(GStrv) lines = g_strsplit(out->str, "\r\n", -1);
	for (char **l = lines; *l; l++)
		if (strlen(*l) >= 4 && (*l)[3] == ' ')
			g_ptr_array_add(r->codes, g_strndup(*l, 3));
	g_string_truncate(out, 0);
}

static void feed(Run *r, const guint8 *data, gsize len, gboolean bytewise)
{
	gsize off = 0;
	while (off < len && !r->closed) {
		gsize n = bytewise ? 1 : len - off, used = 0;
		KjSmtpEvent ev = kj_smtp_session_feed(r->s, data + off, n, &used);
		off += used;
		if (ev == KJ_SMTP_EVENT_MESSAGE) {
			g_clear_pointer(&r->last, g_bytes_unref);
			r->last = kj_smtp_session_steal_message(r->s);
			if (r->spool_fail) {
				kj_smtp_session_message_done(r->s, NULL, NULL);
			} else {
				kj_smtp_session_message_done(r->s, "TESTQUEUEID", NULL);
				r->accepted++;
			}
		} else if (ev == KJ_SMTP_EVENT_STARTTLS) {
			kj_smtp_session_tls_started(r->s);
			off = len; /* plaintext after STARTTLS is dropped */
		} else if (ev == KJ_SMTP_EVENT_CLOSE) {
			r->closed = TRUE;
		}
		collect(r);
	}
}

static void set_option(KjSmtpOptions *o, Run *r, gboolean *busy, const char *kv)
{
	g_auto(GStrv) p = g_strsplit(kv, "=", 2);
	g_assert_nonnull(p[1]);
	gint64 v = g_ascii_strtoll(p[1], NULL, 10);
	if (strcmp(p[0], "max_line_bytes") == 0)
		o->max_line_bytes = v;
	else if (strcmp(p[0], "max_recipients") == 0)
		o->max_recipients = v;
	else if (strcmp(p[0], "max_message_bytes") == 0)
		o->max_message_bytes = v;
	else if (strcmp(p[0], "max_errors") == 0)
		o->max_errors = v;
	else if (strcmp(p[0], "tls") == 0)
		o->tls_available = v != 0;
	else if (strcmp(p[0], "busy") == 0)
		*busy = v != 0;
	else if (strcmp(p[0], "spool_fail") == 0)
		r->spool_fail = v != 0;
	else
		g_error("unknown option %s", p[0]);
}

static void run_case(gconstpointer data)
{
	const Case *c = data;
	g_autofree char *text = NULL;
	g_autoptr(GError) error = NULL;
	KjSmtpOptions o;
	Run r = {.codes = g_ptr_array_new_with_free_func(g_free)};
	g_autoptr(GPtrArray) want = g_ptr_array_new_with_free_func(g_free);
	gint64 want_msgs = -1;
	gboolean want_closed = FALSE, busy = FALSE;
	g_autoptr(GPtrArray) want_text = g_ptr_array_new_with_free_func(g_free);

	g_assert_true(g_file_get_contents(c->path, &text, NULL, &error));
	kj_smtp_options_init(&o);
	o.hostname = "gw.test";
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l; l++)
		if (g_str_has_prefix(*l, "O: "))
			set_option(&o, &r, &busy, *l + 3);
	r.s = kj_smtp_session_new(&o);
	kj_smtp_session_set_busy(r.s, busy);
	kj_smtp_session_greet(r.s);
	collect(&r);
	for (char **l = lines; *l; l++) {
		const char *v = *l + 3;
		if (strcmp(*l, "C:") == 0) {
			feed(&r, (const guint8 *)"\r\n", 2, c->bytewise);
		} else if (g_str_has_prefix(*l, "C: ")) {
			g_autofree char *t = g_strconcat(v, "\r\n", NULL);
			feed(&r, (const guint8 *)t, strlen(t), c->bytewise);
		} else if (g_str_has_prefix(*l, "B: ")) {
			g_autoptr(GByteArray) b = unescape(v);
			feed(&r, b->data, b->len, c->bytewise);
		} else if (g_str_has_prefix(*l, "R: ")) {
			char *end = NULL;
			gint64 n = g_ascii_strtoll(v, &end, 10);
			g_autoptr(GString) t = g_string_new(NULL);
			for (gint64 i = 0; i < n; i++)
				g_string_append_printf(t, "%s\r\n", end + 1);
			feed(&r, (const guint8 *)t->str, t->len, c->bytewise);
		} else if (g_str_has_prefix(*l, "S: ")) {
			g_auto(GStrv) codes = g_strsplit(v, " ", -1);
			for (char **k = codes; *k; k++)
				if (**k)
					g_ptr_array_add(want, g_strdup(*k));
		} else if (g_str_has_prefix(*l, "M: ")) {
			want_msgs = g_ascii_strtoll(v, NULL, 10);
		} else if (g_str_has_prefix(*l, "E: ")) {
			g_ptr_array_add(want_text, g_strdup(v));
		} else if (g_str_has_prefix(*l, "X: ")) {
			want_closed = TRUE;
		}
	}
	g_autofree char *got_s = NULL, *want_s = NULL;
	g_ptr_array_add(r.codes, NULL);
	g_ptr_array_add(want, NULL);
	got_s = g_strjoinv(" ", (char **)r.codes->pdata);
	want_s = g_strjoinv(" ", (char **)want->pdata);
	if (strcmp(got_s, want_s) != 0)
		g_test_message("%s: replies %s, expected %s", c->path, got_s, want_s);
	g_assert_cmpstr(got_s, ==, want_s);
	if (want_msgs >= 0)
		g_assert_cmpint(r.accepted, ==, want_msgs);
	g_assert_cmpint(r.closed, ==, want_closed);
	for (guint i = 0; i < want_text->len; i++) {
		g_autoptr(GByteArray) t = unescape(want_text->pdata[i]);
		g_assert_nonnull(r.last);
		gsize n = 0;
		const char *m = g_bytes_get_data(r.last, &n);
		g_byte_array_append(t, (const guint8 *)"", 1);
		g_assert_nonnull(g_strstr_len(m, (gssize)n, (const char *)t->data));
	}
	g_clear_pointer(&r.last, g_bytes_unref);
	g_ptr_array_unref(r.codes);
	kj_smtp_session_free(r.s);
}

static gint cmp_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	const char *root = g_getenv("KJ_SOURCE_ROOT");
	g_autofree char *dir = g_build_filename(root ? root : ".", "tests", "smtp", "cases", NULL);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	g_assert_nonnull(d);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const char *n;
	while ((n = g_dir_read_name(d)) != NULL)
		if (g_str_has_suffix(n, ".case"))
			g_ptr_array_add(names, g_strdup(n));
	g_ptr_array_sort(names, cmp_names);
	GPtrArray *cases = g_ptr_array_new();
	for (guint i = 0; i < names->len; i++) {
		for (int bw = 0; bw < 2; bw++) {
			Case *c = g_new0(Case, 1);
			c->path = g_build_filename(dir, names->pdata[i], NULL);
			c->bytewise = bw;
			g_ptr_array_add(cases, c);
			g_autofree char *base =
			    g_strndup(names->pdata[i], strlen(names->pdata[i]) - 5);
			g_autofree char *tp =
			    g_strdup_printf("/smtp/%s/%s", base, bw ? "bytewise" : "lines");
			g_test_add_data_func(tp, c, run_case);
		}
	}
	int rc = g_test_run();
	for (guint i = 0; i < cases->len; i++) {
		Case *c = cases->pdata[i];
		g_free(c->path);
		g_free(c);
	}
	g_ptr_array_unref(cases);
	return rc;
}
