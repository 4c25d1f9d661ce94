/*++
 * NAME
 *	ppap - opening a password-protected archive with the recipient's password
 * DESCRIPTION
 *	The PPAP pattern (an encrypted zip, the password in a second mail)
 *	defeats 無害化: the gateway cannot look inside and holds the archive.
 *	The recipient types the password in the console; this file opens the
 *	archive with it inside a sandboxed worker (libarchive, every format it
 *	reads, ZipCrypto and WinZip AES) and re-packs the members as a plain
 *	zip, which the caller then gives to the CDR engine like any archive.
 *
 *	The worker's input is framed as: 4 bytes big-endian password length,
 *	the password, the archive.  The password exists only in that buffer
 *	and in libarchive's memory inside the worker, which exits after the
 *	job; the parent wipes its copy.  It is never stored, logged or
 *	audited.
 * SECURITY
 *	The archive is hostile: it is parsed only in the sandbox (seccomp,
 *	rlimits, no network, no files).  Member counts and expanded bytes are
 *	bounded; a member that does not decrypt is reported as a wrong
 *	password, never passed on half-read.
 * LIMITS
 *	KJ_CDR_ARCHIVE_MAX_ENTRIES_DEFAULT, KJ_CDR_ARCHIVE_MAX_TOTAL_DEFAULT.
 * STANDARDS
 *	PKWARE APPNOTE (traditional encryption), WinZip AE-1/AE-2.
 *	基本方針 2(12), 6(3)②.
 * SEE ALSO
 *	release.c (the request), cdr/archive.c (which holds PPAP archives).
 *--*/
#include "release/release.h"

#include "sandbox/sandbox.h"
#include "util/limits.h"

#include <archive.h>
#include <archive_entry.h>
#include <sodium.h>
#include <string.h>

#define PASSWORD_PREFIX "password: "

static la_ssize_t write_cb(struct archive *a, void *user_data, const void *buf, size_t n)
{
	GByteArray *out = user_data;
	if (out->len + n > (gsize)KJ_CDR_ARCHIVE_MAX_TOTAL_DEFAULT + 1024 * 1024) {
		archive_set_error(a, ENOSPC, "re-packed archive too large");
		return -1;
	}
	g_byte_array_append(out, buf, (guint)n);
	return (la_ssize_t)n;
}

static int close_cb(struct archive *a, void *user_data)
{
	return ARCHIVE_OK;
}

/* Runs in the worker. */
static gboolean job(GBytes *input, GByteArray *output, gpointer user_data, GError **error)
{
	gsize len = 0;
	const guint8 *p = g_bytes_get_data(input, &len);
	guint32 plen;
	gboolean ok = FALSE;
	gint64 entries = 0, total = 0;
	char buf[65536];

	if (len < 4)
		goto bad_frame;
	plen = ((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3];
	if (plen == 0 || plen > KJ_CONSOLE_MAX_PASSWORD || len < 4 + plen)
		goto bad_frame;
	char password[KJ_CONSOLE_MAX_PASSWORD + 1];
	memcpy(password, p + 4, plen);
	password[plen] = '\0';

	struct archive *in = archive_read_new();
	struct archive *outa = archive_write_new();
	archive_read_support_filter_all(in);
	archive_read_support_format_all(in);
	archive_read_add_passphrase(in, password);
	archive_write_set_format_zip(outa);
	if (archive_read_open_memory(in, p + 4 + plen, len - 4 - plen) != ARCHIVE_OK ||
	    archive_write_open(outa, output, NULL, write_cb, close_cb) != ARCHIVE_OK) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID,
			    "not an archive libarchive can read: %s", archive_error_string(in));
		goto out;
	}
	for (;;) {
		struct archive_entry *e = NULL;
		int rc = archive_read_next_header(in, &e);
		if (rc == ARCHIVE_EOF)
			break;
		if (rc < ARCHIVE_WARN) {
			g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_PASSWORD,
				    PASSWORD_PREFIX "%s", archive_error_string(in));
			goto out;
		}
		if (++entries > KJ_CDR_ARCHIVE_MAX_ENTRIES_DEFAULT) {
			g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_SANITIZE,
				    "more than %d members", KJ_CDR_ARCHIVE_MAX_ENTRIES_DEFAULT);
			goto out;
		}
		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		GByteArray *data = g_byte_array_new();
		la_ssize_t n;
		while ((n = archive_read_data(in, buf, sizeof buf)) > 0) {
			total += n;
			if (total > KJ_CDR_ARCHIVE_MAX_TOTAL_DEFAULT) {
				g_byte_array_unref(data);
				g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_SANITIZE,
					    "members expand to more than %lld bytes",
					    (long long)KJ_CDR_ARCHIVE_MAX_TOTAL_DEFAULT);
				goto out;
			}
			g_byte_array_append(data, (const guint8 *)buf, (guint)n);
		}
		if (n < 0) {
			g_byte_array_unref(data);
			g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_PASSWORD,
				    PASSWORD_PREFIX "%s", archive_error_string(in));
			goto out;
		}
		struct archive_entry *o = archive_entry_new();
		const char *name = archive_entry_pathname_utf8(e);
		archive_entry_set_pathname_utf8(o, name ? name : archive_entry_pathname(e));
		archive_entry_set_filetype(o, AE_IFREG);
		archive_entry_set_perm(o, 0644);
		archive_entry_set_size(o, data->len);
		gboolean wok =
		    archive_write_header(outa, o) == ARCHIVE_OK &&
		    archive_write_data(outa, data->data, data->len) == (la_ssize_t)data->len;
		archive_entry_free(o);
		g_byte_array_unref(data);
		if (!wok) {
			g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID,
				    "re-packing failed: %s", archive_error_string(outa));
			goto out;
		}
	}
	if (entries == 0) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID, "empty archive");
		goto out;
	}
	ok = archive_write_close(outa) == ARCHIVE_OK;
	if (!ok)
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID, "re-packing failed");
out:
	sodium_memzero(password, sizeof password);
	archive_read_free(in);
	archive_write_free(outa);
	return ok;
bad_frame:
	g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID, "bad job frame");
	return FALSE;
}

KjSandbox *kj_release_ppap_sandbox_new(void)
{
	KjSandboxOptions o;
	kj_sandbox_options_init(&o);
	o.mode = KJ_SANDBOX_FORK_EACH;
	o.cpu_seconds = 30;
	o.timeout_ms = 30000;
	o.max_output = (gsize)KJ_CDR_ARCHIVE_MAX_TOTAL_DEFAULT + 2 * 1024 * 1024;
	o.name = "PPAP archive opener";
	return kj_sandbox_new(&o, job, NULL);
}

GBytes *_kj_ppap_decrypt(GBytes *archive, const char *password, KjSandbox *sb, GError **error)
{
	gsize plen = strlen(password);
	gsize alen = g_bytes_get_size(archive);
	g_autoptr(KjSandbox) own = NULL;
	GError *e = NULL;

	if (plen == 0 || plen > KJ_CONSOLE_MAX_PASSWORD) {
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_INVALID,
			    "password: 1 to %d bytes", KJ_CONSOLE_MAX_PASSWORD);
		return NULL;
	}
	guint8 *frame = g_malloc(4 + plen + alen);
	frame[0] = (guint8)(plen >> 24);
	frame[1] = (guint8)(plen >> 16);
	frame[2] = (guint8)(plen >> 8);
	frame[3] = (guint8)plen;
	memcpy(frame + 4, password, plen);
	memcpy(frame + 4 + plen, g_bytes_get_data(archive, NULL), alen);
	GBytes *in = g_bytes_new_take(frame, 4 + plen + alen);
	if (!sb)
		sb = own = kj_release_ppap_sandbox_new();
	GBytes *out = kj_sandbox_run(sb, in, &e);
	sodium_memzero(frame + 4, plen);
	g_bytes_unref(in);
	if (out)
		return out;
	/* The worker's message is untrusted text; only its prefix decides. */
	if (g_str_has_prefix(e->message, PASSWORD_PREFIX) || strstr(e->message, PASSWORD_PREFIX))
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_PASSWORD,
			    "the archive did not open with this password (or uses an encryption "
			    "libarchive cannot read)");
	else
		g_set_error(error, KJ_RELEASE_ERROR, KJ_RELEASE_ERROR_SANITIZE,
			    "the archive could not be opened: %s", e->message);
	g_error_free(e);
	return NULL;
}
