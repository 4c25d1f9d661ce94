/* fs.h - durable file operations shared by every module (see fs.c). */
#ifndef KJ_UTIL_FS_H
#define KJ_UTIL_FS_H

#include <glib.h>
#include <sys/types.h>

#define KJ_FS_ERROR (kj_fs_error_quark())
GQuark kj_fs_error_quark(void);

typedef enum {
	KJ_FS_ERROR_IO,           /* a system call failed; message names path and errno */
	KJ_FS_ERROR_TOO_LARGE,    /* a file is larger than the caller's limit */
	KJ_FS_ERROR_NOT_WRITABLE, /* a directory that must be writable is not */
} KjFsError;

gboolean kj_fs_write_atomic(const char *path, const void *data, gsize len, mode_t mode,
			    GError **error);
gboolean kj_fs_fsync_dir(const char *dir, GError **error);
gboolean kj_fs_mkdir_p(const char *dir, mode_t mode, GError **error);
gboolean kj_fs_check_writable_dir(const char *dir, GError **error);
gboolean kj_fs_read_file(const char *path, gsize max, char **out, gsize *out_len, GError **error);
gboolean kj_fs_write_all(int fd, const void *data, gsize len, const char *what, GError **error);

#endif
