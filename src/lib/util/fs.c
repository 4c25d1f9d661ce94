/*++
 * NAME
 *	fs - durable file operations
 * DESCRIPTION
 *	kj_fs_write_atomic() is the only way kyojin replaces a file: write a
 *	temporary file in the same directory, fsync it, rename it over the
 *	target and fsync the directory, so that after a crash either the old
 *	or the new content is there, never a mixture or nothing.
 *
 *	kj_fs_read_file() reads a whole file with a size cap, so that no
 *	caller can be made to allocate without bound.
 * SECURITY
 *	Runs in every process.  Paths come from configuration or from the
 *	store (hex digests), never from mail.
 * LIMITS
 *	KJ_FS_READ_MAX_DEFAULT when a caller passes 0 as the cap.
 * STANDARDS
 *	基本方針 2(6) 完全性: information must not be destroyed; writes are
 *	atomic and durable.
 * SEE ALSO
 *	store/blob.c, audit/audit.c
 *--*/
#include "util/fs.h"

#include "util/limits.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_QUARK(kj - fs - error - quark, kj_fs_error)

static gboolean set_errno_error(GError **error, int err, const char *what, const char *path)
{
	g_set_error(error, KJ_FS_ERROR, KJ_FS_ERROR_IO, "%s %s: %s", what, path, g_strerror(err));
	return FALSE;
}

gboolean kj_fs_write_all(int fd, const void *data, gsize len, const char *what, GError **error)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return set_errno_error(error, errno, "cannot write", what);
		}
		p += n;
		len -= (gsize)n;
	}
	return TRUE;
}

gboolean kj_fs_fsync_dir(const char *dir, GError **error)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return set_errno_error(error, errno, "cannot open directory", dir);
	if (fsync(fd) < 0 && errno != EINVAL) {
		int err = errno;
		close(fd);
		return set_errno_error(error, err, "cannot fsync directory", dir);
	}
	close(fd);
	return TRUE;
}

gboolean kj_fs_write_atomic(const char *path, const void *data, gsize len, mode_t mode,
			    GError **error)
{
	g_autofree char *dir = g_path_get_dirname(path);
	g_autofree char *base = g_path_get_basename(path);
	g_autofree char *tmpl = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
	int fd = g_mkstemp_full(tmpl, O_WRONLY | O_CLOEXEC, mode);

	if (fd < 0)
		return set_errno_error(error, errno, "cannot create temporary file in", dir);
	if (!kj_fs_write_all(fd, data, len, tmpl, error) || fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		if (error && !*error)
			set_errno_error(error, errno, "cannot write", tmpl);
		close(fd);
		unlink(tmpl);
		return FALSE;
	}
	if (close(fd) < 0) {
		set_errno_error(error, errno, "cannot close", tmpl);
		unlink(tmpl);
		return FALSE;
	}
	if (rename(tmpl, path) < 0) {
		set_errno_error(error, errno, "cannot rename into place", path);
		unlink(tmpl);
		return FALSE;
	}
	return kj_fs_fsync_dir(dir, error);
}

gboolean kj_fs_mkdir_p(const char *dir, mode_t mode, GError **error)
{
	if (g_mkdir_with_parents(dir, (int)mode) < 0)
		return set_errno_error(error, errno, "cannot create directory", dir);
	return TRUE;
}

/* A directory is checked by creating and removing a file in it: access(2)
 * answers for the real uid and ignores read-only mounts and ACL quirks. */
gboolean kj_fs_check_writable_dir(const char *dir, GError **error)
{
	g_autofree char *probe = g_strdup_printf("%s/.kj-write-probe.XXXXXX", dir);
	int fd = g_mkstemp_full(probe, O_WRONLY | O_CLOEXEC, 0600);

	if (fd < 0) {
		int err = errno;
		g_set_error(error, KJ_FS_ERROR, KJ_FS_ERROR_NOT_WRITABLE,
			    "data directory %s is not writable: %s", dir, g_strerror(err));
		return FALSE;
	}
	close(fd);
	unlink(probe);
	return TRUE;
}

gboolean kj_fs_read_file(const char *path, gsize max, char **out, gsize *out_len, GError **error)
{
	struct stat st;
	int fd;

	if (max == 0)
		max = KJ_FS_READ_MAX_DEFAULT;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return set_errno_error(error, errno, "cannot open", path);
	if (fstat(fd, &st) < 0) {
		int err = errno;
		close(fd);
		return set_errno_error(error, err, "cannot stat", path);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		g_set_error(error, KJ_FS_ERROR, KJ_FS_ERROR_IO, "%s is not a regular file", path);
		return FALSE;
	}
	if ((guint64)st.st_size > max) {
		close(fd);
		g_set_error(error, KJ_FS_ERROR, KJ_FS_ERROR_TOO_LARGE,
			    "%s is %lld bytes, more than the limit of %" G_GSIZE_FORMAT, path,
			    (long long)st.st_size, max);
		return FALSE;
	}

	/* Read until EOF rather than trusting st_size: the file may grow or
	 * shrink under us, and the cap still holds. */
	GString *buf = g_string_sized_new((gsize)st.st_size + 1);
	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int err = errno;
			close(fd);
			g_string_free(buf, TRUE);
			return set_errno_error(error, err, "cannot read", path);
		}
		if (n == 0)
			break;
		if (buf->len + (gsize)n > max) {
			close(fd);
			g_string_free(buf, TRUE);
			g_set_error(error, KJ_FS_ERROR, KJ_FS_ERROR_TOO_LARGE,
				    "%s is larger than the limit of %" G_GSIZE_FORMAT, path, max);
			return FALSE;
		}
		g_string_append_len(buf, chunk, n);
	}
	close(fd);
	if (out_len)
		*out_len = buf->len;
	*out = g_string_free(buf, FALSE);
	return TRUE;
}
