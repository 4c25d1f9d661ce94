/*++
 * NAME
 *	deliver - hand a sanitized message to the LGWAN side
 * DESCRIPTION
 *	Maildir (the embedded default): the sanitized message is already a
 *	blob, complete and fsync'd under its final name, so it is delivered
 *	by a hard link into new/ and an fsync of that directory: a reader
 *	never sees half a message, a crash never loses a delivered one, and
 *	the Maildir file costs no second copy of the bytes.  Where no link
 *	can be made (another file system) the message is written to tmp/,
 *	fsync'd and renamed into new/.  The Maildir file and the blob are
 *	then one inode, mode 0440: a reader of the Maildir cannot change
 *	the stored copy, and the store verifies every read anyway.
 *	The file name is the queue id, which makes a delivery repeated after
 *	a crash (before the queue row said "delivered") find its first copy
 *	instead of making a duplicate.
 *
 *	SMTP: a plain RFC 5321 client for the LGWAN relay.  The message is
 *	dot-stuffed on the way out; 4xx and connection failures are
 *	temporary (the queue retries with backoff), 5xx permanent.
 * SECURITY
 *	Runs in kyojind's delivery threads, unprivileged.  The message is
 *	the sanitized one; the relay's replies are untrusted text and are
 *	only quoted through "%s" into errors.
 * LIMITS
 *	Relay replies: 512 bytes a line, 100 lines; timeout per read/write.
 * STANDARDS
 *	RFC 5321, Maildir (D. J. Bernstein).  基本方針 6(3)②: the only path
 *	into the LGWAN segment is this gateway's.
 * SEE ALSO
 *	queue.c, daemon/kyojind.c.
 *--*/
#include "queue/deliver.h"

#include "queue/queue.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static gboolean io_fail(GError **error, const char *what, const char *path)
{
	int e = errno;
	g_set_error(error, KJ_QUEUE_ERROR, KJ_QUEUE_ERROR_INVALID, "%s %s: %s", what, path,
		    g_strerror(e));
	return FALSE;
}

/* dir/tmp, dir/new and dir/cur, made if missing. */
static gboolean maildir_dirs(const char *dir, char **tmpd, char **newd, GError **error)
{
	g_autofree char *curd = g_build_filename(dir, "cur", NULL);

	*tmpd = g_build_filename(dir, "tmp", NULL);
	*newd = g_build_filename(dir, "new", NULL);
	return kj_fs_mkdir_p(*tmpd, 0700, error) && kj_fs_mkdir_p(*newd, 0700, error) &&
	       kj_fs_mkdir_p(curd, 0700, error);
}

gboolean kj_deliver_maildir(const char *dir, const char *name, GBytes *msg, GError **error)
{
	g_autofree char *tmpd = NULL;
	g_autofree char *newd = NULL;
	gsize len = 0;
	const void *data = g_bytes_get_data(msg, &len);

	if (!maildir_dirs(dir, &tmpd, &newd, error))
		return FALSE;
	g_autofree char *tmp = g_build_filename(tmpd, name, NULL);
	g_autofree char *dst = g_build_filename(newd, name, NULL);
	if (g_file_test(dst, G_FILE_TEST_EXISTS))
		return TRUE;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return io_fail(error, "cannot create", tmp);
	if (!kj_fs_write_all(fd, data, len, tmp, error)) {
		close(fd);
		return FALSE;
	}
	if (fsync(fd) != 0) {
		close(fd);
		return io_fail(error, "cannot fsync", tmp);
	}
	close(fd);
	if (rename(tmp, dst) != 0)
		return io_fail(error, "cannot rename into", newd);
	return kj_fs_fsync_dir(newd, error);
}

gboolean kj_deliver_maildir_link(const char *dir, const char *name, const char *blob_path,
				 GBytes *msg, GError **error)
{
	g_autofree char *tmpd = NULL;
	g_autofree char *newd = NULL;

	if (!maildir_dirs(dir, &tmpd, &newd, error))
		return FALSE;
	g_autofree char *dst = g_build_filename(newd, name, NULL);
	/* The blob is complete and fsync'd under its final name: a second
	 * name for it appears whole or not at all, as a rename from tmp/
	 * would, and costs no new file, no copy and no file sync (a third
	 * of the gateway's file creations).  EEXIST: delivered before a
	 * crash, no second copy. */
	if (link(blob_path, dst) == 0 || errno == EEXIST)
		return kj_fs_fsync_dir(newd, error);
	/* Another file system (gateway.maildir elsewhere), or one without
	 * hard links: a copy. */
	return kj_deliver_maildir(dir, name, msg, error);
}

typedef struct {
	GDataInputStream *in;
	GOutputStream *out;
	GString *last; /* last reply, for errors */
} Client;

/* Reads one (possibly multi-line) reply; returns its code or -1. */
static int read_reply(Client *c, GError **error)
{
	g_string_truncate(c->last, 0);
	for (int lines = 0; lines < 100; lines++) {
		gsize n = 0;
		g_autofree char *l = g_data_input_stream_read_line(c->in, &n, NULL, error);
		if (l == NULL) {
			if (error && *error == NULL)
				g_set_error(error, KJ_QUEUE_ERROR, KJ_QUEUE_ERROR_INVALID,
					    "relay closed the connection");
			return -1;
		}
		g_strchomp(l);
		if (n > 512 || strlen(l) < 3 || !g_ascii_isdigit(l[0]) || !g_ascii_isdigit(l[1]) ||
		    !g_ascii_isdigit(l[2]))
			break;
		g_string_assign(c->last, l);
		if (l[3] != '-')
			return (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
	}
	g_set_error(error, KJ_QUEUE_ERROR, KJ_QUEUE_ERROR_INVALID, "relay sent a malformed reply");
	return -1;
}

static gboolean send_str(Client *c, const char *s, GError **error)
{
	return g_output_stream_write_all(c->out, s, strlen(s), NULL, NULL, error);
}

/* Sends cmd, expects a reply of class want (2 or 3). */
static gboolean step(Client *c, const char *cmd, int want, gboolean *permanent, GError **error)
{
	if (cmd && !send_str(c, cmd, error))
		return FALSE;
	int code = read_reply(c, error);
	if (code < 0)
		return FALSE;
	if (code / 100 == want)
		return TRUE;
	*permanent = code >= 500;
	g_set_error(error, KJ_QUEUE_ERROR, KJ_QUEUE_ERROR_INVALID, "relay answered %s",
		    c->last->str);
	return FALSE;
}

/* The DATA payload: every line end made CRLF and leading dots doubled
 * (RFC 5321 2.3.8, 4.5.2).  The sanitized message comes from the mail
 * engine with bare LF line ends; a relay that honours the RFC, such as
 * Postfix's smtp-sink, waits for <CRLF>.<CRLF> after "\n.\r\n" forever
 * (the delivery then timed out), so a bare LF or CR never goes out. */
static GString *dot_stuff(GBytes *msg)
{
	gsize len = 0;
	const char *p = g_bytes_get_data(msg, &len);
	GString *s = g_string_sized_new(len + len / 30 + 8);
	gboolean bol = TRUE;

	for (gsize i = 0; i < len; i++) {
		if (bol && p[i] == '.')
			g_string_append_c(s, '.');
		if (p[i] == '\r' || p[i] == '\n') {
			if (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n')
				i++;
			g_string_append(s, "\r\n");
			bol = TRUE;
			continue;
		}
		g_string_append_c(s, p[i]);
		bol = FALSE;
	}
	if (!bol)
		g_string_append(s, "\r\n");
	g_string_append(s, ".\r\n");
	return s;
}

static gboolean converse(Client *c, const char *helo, const char *sender, const GPtrArray *rcpts,
			 GBytes *msg, gboolean *permanent, GError **error)
{
	g_autofree char *ehlo = g_strdup_printf("EHLO %s\r\n", helo);
	g_autofree char *mail = g_strdup_printf("MAIL FROM:<%s>\r\n", sender);

	if (!step(c, NULL, 2, permanent, error) || !step(c, ehlo, 2, permanent, error) ||
	    !step(c, mail, 2, permanent, error))
		return FALSE;
	for (guint i = 0; i < rcpts->len; i++) {
		g_autofree char *r = g_strdup_printf("RCPT TO:<%s>\r\n", (char *)rcpts->pdata[i]);
		if (!step(c, r, 2, permanent, error))
			return FALSE;
	}
	if (!step(c, "DATA\r\n", 3, permanent, error))
		return FALSE;
	g_autoptr(GString) body = dot_stuff(msg);
	if (!g_output_stream_write_all(c->out, body->str, body->len, NULL, NULL, error) ||
	    !step(c, NULL, 2, permanent, error))
		return FALSE;
	send_str(c, "QUIT\r\n", NULL);
	return TRUE;
}

gboolean kj_deliver_smtp(const char *relay, const char *helo, const char *sender,
			 const GPtrArray *recipients, GBytes *msg, guint timeout_s,
			 gboolean *permanent, GError **error)
{
	g_autoptr(GSocketClient) sc = g_socket_client_new();
	g_autoptr(GError) local = NULL;

	*permanent = FALSE;
	g_socket_client_set_timeout(sc, timeout_s);
	g_autoptr(GSocketConnection) conn =
	    g_socket_client_connect_to_host(sc, relay, 25, NULL, &local);
	if (conn == NULL) {
		g_set_error(error, KJ_QUEUE_ERROR, KJ_QUEUE_ERROR_INVALID,
			    "cannot connect to relay %s: %s", relay, local->message);
		return FALSE;
	}
	Client c = {
	    .in = g_data_input_stream_new(g_io_stream_get_input_stream(G_IO_STREAM(conn))),
	    .out = g_io_stream_get_output_stream(G_IO_STREAM(conn)),
	    .last = g_string_new(NULL),
	};
	g_data_input_stream_set_newline_type(c.in, G_DATA_STREAM_NEWLINE_TYPE_ANY);
	gboolean ok = converse(&c, helo, sender, recipients, msg, permanent, error);
	g_object_unref(c.in);
	g_string_free(c.last, TRUE);
	g_io_stream_close(G_IO_STREAM(conn), NULL, NULL);
	return ok;
}
