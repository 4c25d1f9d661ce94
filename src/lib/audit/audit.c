/*++
 * NAME
 *	audit - tamper-evident, append-only audit trail
 * DESCRIPTION
 *	Every state change in kyojin is a record in data_dir/audit.jsonl: one
 *	JSON object a line, readable with standard tools, with the keys
 *	seq, time, actor, action, object, details, prev, hash in that order.
 *	"hash" is the SHA-256 of the line with its hash member removed
 *	(everything before ',"hash":' followed by '}'); "prev" is the hash
 *	of the record before (KJ_AUDIT_GENESIS for the first).  Altering a
 *	record breaks its own hash; altering it and recomputing the hash
 *	breaks the next record's prev; removing, inserting or reordering
 *	breaks seq or prev.  Cutting records off the end leaves a valid
 *	chain, so the head (last seq and hash) is also kept in audit.head
 *	beside the log, and `kyojin audit head` prints it for publication
 *	elsewhere: a head published outside the machine is what proves the
 *	log was not cut back and rewritten by someone who can write both
 *	files.
 *
 *	Appends from several processes are serialised with flock(2) on the
 *	log itself; each append reads the last record under the lock, so
 *	the chain is correct whatever the interleaving.  The record is
 *	written with one write(2) on an O_APPEND descriptor and fdatasync'd
 *	before append returns; a failed write is cut back off, so the log
 *	never keeps half a record written by us.
 *
 *	Group commit: threads of one process that append at the same time
 *	share fdatasyncs.  Each writes its record under the lock, then
 *	waits until a sync that started after its write has finished; one
 *	thread at a time runs the sync (log, then head file) for every
 *	record written before it began.  A gateway appending for many
 *	messages at once thus pays two syncs per group, not per record,
 *	and no append returns before its own record is on disk.  A batch
 *	(KjAuditBatch) writes several records of one change under one lock,
 *	after the transaction that made the change has committed.
 * SECURITY
 *	Runs in the CLI, the daemon and the console, with write access to
 *	the data directory.  Reading (show, verify) treats the file as
 *	untrusted: lines are bounded, parsed with jansson, and every field
 *	is type-checked.
 * LIMITS
 *	audit.max_record_bytes (KJ_AUDIT_MAX_RECORD_DEFAULT) per line;
 *	KJ_AUDIT_MAX_FIELD for actor, action and object; the lock wait is
 *	audit.lock_timeout_s.
 * STANDARDS
 *	JSON Lines; RFC 8259; RFC 3339 UTC times; FIPS 180-4 SHA-256.
 *	基本方針 6(7) 運用 (monitoring, incident response), 7 監査: auditors
 *	must be able to prove the trail was not altered.
 * SEE ALSO
 *	cli/audit.c, audit_read.c (reading and verification)
 *--*/
#include "audit/audit.h"

#include "audit/audit_private.h"
#include "util/fs.h"
#include "util/limits.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_QUARK(kj - audit - error - quark, kj_audit_error)

struct KjAudit {
	char *path;
	char *head_path;
	int fd;
	int head_fd;
	gint64 max_record;
	gint64 lock_timeout_s;
	GMutex lock;     /* threads of one process; flock serves processes */
	gboolean cached; /* the head below matches the log at cached_size */
	off_t cached_size;
	KjAuditHead head;
	/* Group commit (see DESCRIPTION), under lock. */
	GCond synced_cond;
	guint64 written;   /* records written by this handle */
	guint64 synced;    /* of those, how many are known on disk */
	gboolean syncing;  /* a thread is running the sync */
	guint64 sync_fail; /* the sync covering up to this many failed */
	int sync_errno;
};

static gboolean io_error(GError **error, const char *what, const char *path)
{
	int err = errno;
	g_set_error(error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_IO, "%s %s: %s", what, path,
		    g_strerror(err));
	return FALSE;
}

KjAudit *kj_audit_open(const char *data_dir, const KjAuditOptions *opts, GError **error)
{
	KjAudit *a = g_new0(KjAudit, 1);

	a->path = g_build_filename(data_dir, KJ_AUDIT_LOG_NAME, NULL);
	a->head_path = g_build_filename(data_dir, KJ_AUDIT_HEAD_NAME, NULL);
	a->max_record =
	    opts && opts->max_record_bytes ? opts->max_record_bytes : KJ_AUDIT_MAX_RECORD_DEFAULT;
	a->lock_timeout_s =
	    opts && opts->lock_timeout_s ? opts->lock_timeout_s : KJ_AUDIT_LOCK_TIMEOUT_DEFAULT;
	g_mutex_init(&a->lock);
	g_cond_init(&a->synced_cond);
	a->head_fd = -1;
	a->fd = open(a->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (a->fd < 0) {
		io_error(error, "cannot open audit log", a->path);
		kj_audit_free(a);
		return NULL;
	}
	a->head_fd = open(a->head_path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (a->head_fd < 0) {
		io_error(error, "cannot open audit head file", a->head_path);
		kj_audit_free(a);
		return NULL;
	}
	return a;
}

void kj_audit_free(KjAudit *a)
{
	if (a == NULL)
		return;
	if (a->fd >= 0)
		close(a->fd);
	if (a->head_fd >= 0)
		close(a->head_fd);
	g_mutex_clear(&a->lock);
	g_cond_clear(&a->synced_cond);
	g_free(a->path);
	g_free(a->head_path);
	g_free(a);
}

const char *kj_audit_get_path(const KjAudit *a)
{
	return a->path;
}

/* Waits for the exclusive lock with a bounded, backing-off poll: a
 * blocking flock() cannot time out without signals, and a library must
 * not take over the process's signal handling. */
static gboolean lock_log(KjAudit *a, GError **error)
{
	gint64 deadline = g_get_monotonic_time() + a->lock_timeout_s * G_USEC_PER_SEC;
	gulong pause = 100;

	while (flock(a->fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return io_error(error, "cannot lock audit log", a->path);
		if (g_get_monotonic_time() > deadline) {
			g_set_error(error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_LOCKED,
				    "audit log %s is locked by another process for more than "
				    "%" G_GINT64_FORMAT " s (audit.lock_timeout_s)",
				    a->path, a->lock_timeout_s);
			return FALSE;
		}
		g_usleep(pause);
		pause = MIN(pause * 2, 20000);
	}
	return TRUE;
}

/* If the file at our path is no longer the one we have open (replaced by
 * an operator, a restore, or an attacker), append to the file that is
 * there now: records must never go to an unlinked file where no one would
 * see them. */
static gboolean follow_path(KjAudit *a, GError **error)
{
	struct stat fst, pst;

	if (fstat(a->fd, &fst) == 0 && stat(a->path, &pst) == 0 && fst.st_dev == pst.st_dev &&
	    fst.st_ino == pst.st_ino)
		return TRUE;
	int fd = open(a->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return io_error(error, "cannot reopen audit log", a->path);
	close(a->fd);
	a->fd = fd;
	a->cached = FALSE;
	return TRUE;
}

static gboolean current_head(KjAudit *a, off_t *size, KjAuditHead *head, GError **error)
{
	struct stat st;

	if (fstat(a->fd, &st) < 0)
		return io_error(error, "cannot stat audit log", a->path);
	*size = st.st_size;
	if (a->cached && a->cached_size == st.st_size) {
		*head = a->head;
		return TRUE;
	}
	if (st.st_size == 0) {
		head->seq = 0;
		memcpy(head->hash, KJ_AUDIT_GENESIS, sizeof head->hash);
		return TRUE;
	}
	return _kj_audit_read_tail(a->fd, st.st_size, a->max_record, a->path, head, error);
}

static gboolean check_field(const char *name, const char *value, GError **error)
{
	if (value == NULL || *value == '\0' || strlen(value) > KJ_AUDIT_MAX_FIELD ||
	    !g_utf8_validate(value, -1, NULL)) {
		g_set_error(error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_INVALID,
			    "audit record %s must be non-empty UTF-8 of at most %d bytes", name,
			    KJ_AUDIT_MAX_FIELD);
		return FALSE;
	}
	return TRUE;
}

/* Builds the line (with its newline) for the record after prev. */
static char *build_line(const KjAuditHead *prev, const char *actor, const char *action,
			const char *object, json_t *details, gsize *len, KjAuditHead *next)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *time = g_date_time_format(now, "%Y-%m-%dT%H:%M:%S.%fZ");
	json_t *rec = json_object();

	json_object_set_new(rec, "seq", json_integer(prev->seq + 1));
	json_object_set_new(rec, "time", json_string(time));
	json_object_set_new(rec, "actor", json_string(actor));
	json_object_set_new(rec, "action", json_string(action));
	json_object_set_new(rec, "object", json_string(object));
	json_object_set(rec, "details", details ? details : json_null());
	json_object_set_new(rec, "prev", json_string(prev->hash));
	char *body = json_dumps(rec, JSON_COMPACT);
	json_decref(rec);
	if (body == NULL)
		return NULL;

	/* body ends in '}'; the hash covers exactly that text. */
	next->seq = prev->seq + 1;
	kj_sha256_hex(body, strlen(body), next->hash);
	GString *line = g_string_sized_new(strlen(body) + 80);
	g_string_append_len(line, body, (gssize)strlen(body) - 1);
	g_string_append_printf(line, ",\"hash\":\"%s\"}\n", next->hash);
	free(body);
	*len = line->len;
	return g_string_free(line, FALSE);
}

/* Writes the record (not yet synced); the caller holds both locks. */
static gboolean append_locked(KjAudit *a, const char *actor, const char *action, const char *object,
			      json_t *details, KjAuditHead *out, GError **error)
{
	KjAuditHead prev, next;
	off_t size;
	gsize len;

	if (!current_head(a, &size, &prev, error))
		return FALSE;
	g_autofree char *line = build_line(&prev, actor, action, object, details, &len, &next);
	if (line == NULL || (gint64)len > a->max_record) {
		g_set_error(error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_INVALID,
			    "audit record for %s %s is longer than %" G_GINT64_FORMAT
			    " bytes (audit.max_record_bytes)",
			    action, object, a->max_record);
		return FALSE;
	}
	ssize_t n = write(a->fd, line, len);
	if (n != (ssize_t)len) {
		io_error(error, "cannot append to audit log", a->path);
		/* Cut back what may have been written: we hold the lock, so
		 * the end of the file is ours. */
		if (ftruncate(a->fd, size) == 0)
			(void)fdatasync(a->fd);
		a->cached = FALSE;
		return FALSE;
	}
	a->head = next;
	a->cached_size = size + (off_t)len;
	a->cached = TRUE;
	a->written++;
	if (out)
		*out = next;
	return TRUE;
}

/* Waits (a->lock held) until record number mine of this handle is on
 * disk, running the sync itself when no other thread is.  Descriptors
 * are duplicated for the sync, which runs unlocked: follow_path() may
 * replace a->fd meanwhile. */
static gboolean wait_synced(KjAudit *a, guint64 mine, GError **error)
{
	while (a->synced < mine) {
		if (a->syncing) {
			g_cond_wait(&a->synced_cond, &a->lock);
			continue;
		}
		guint64 upto = a->written;
		KjAuditHead head = a->head;
		int fd = dup(a->fd), hfd = dup(a->head_fd), err = 0;
		a->syncing = TRUE;
		g_mutex_unlock(&a->lock);
		char buf[128];
		int n = g_snprintf(buf, sizeof buf, "%020" G_GINT64_FORMAT " %s\n", head.seq,
				   head.hash);
		/* The head file holds one fixed-size line, rewritten in place:
		 * it is far smaller than a disk sector, so the write is atomic
		 * in practice, and it costs one fdatasync, not a rename. */
		if (fd < 0 || fdatasync(fd) < 0)
			err = errno ? errno : EIO;
		else if (hfd < 0 || pwrite(hfd, buf, (size_t)n, 0) != n || fdatasync(hfd) < 0)
			err = -(errno ? errno : EIO);
		if (fd >= 0)
			close(fd);
		if (hfd >= 0)
			close(hfd);
		g_mutex_lock(&a->lock);
		a->syncing = FALSE;
		if (err != 0) {
			a->sync_fail = upto;
			a->sync_errno = err;
		}
		a->synced = upto;
		g_cond_broadcast(&a->synced_cond);
	}
	if (a->sync_fail >= mine && a->sync_errno != 0) {
		int err = a->sync_errno;
		errno = err < 0 ? -err : err;
		return io_error(error,
				err < 0 ? "cannot write audit head file" : "cannot sync audit log",
				err < 0 ? a->head_path : a->path);
	}
	return TRUE;
}

/* The fields of one record, as every append takes them. */
static gboolean check_record(const char *actor, const char *action, const char *object,
			     json_t *details, GError **error)
{
	if (!check_field("actor", actor, error) || !check_field("action", action, error) ||
	    !check_field("object", object, error))
		return FALSE;
	if (details && !json_is_object(details)) {
		g_set_error(error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_INVALID,
			    "audit record details must be a JSON object");
		return FALSE;
	}
	return TRUE;
}

gboolean kj_audit_append(KjAudit *a, const char *actor, const char *action, const char *object,
			 json_t *details, KjAuditHead *head, GError **error)
{
	g_return_val_if_fail(a != NULL, FALSE);
	if (!check_record(actor, action, object, details, error))
		return FALSE;
	g_mutex_lock(&a->lock);
	gboolean ok = follow_path(a, error) && lock_log(a, error);
	if (ok) {
		ok = append_locked(a, actor, action, object, details, head, error);
		flock(a->fd, LOCK_UN);
	}
	if (ok)
		ok = wait_synced(a, a->written, error);
	g_mutex_unlock(&a->lock);
	return ok;
}

/* --- batches ---------------------------------------------------------- */

typedef struct {
	char *actor, *action, *object;
	json_t *details;
} Pending;

struct KjAuditBatch {
	GPtrArray *recs; /* Pending * */
};

static void pending_free(Pending *p)
{
	g_free(p->actor);
	g_free(p->action);
	g_free(p->object);
	json_decref(p->details);
	g_free(p);
}

KjAuditBatch *kj_audit_batch_new(void)
{
	KjAuditBatch *b = g_new0(KjAuditBatch, 1);
	b->recs = g_ptr_array_new_with_free_func((GDestroyNotify)pending_free);
	return b;
}

void kj_audit_batch_free(KjAuditBatch *b)
{
	if (b == NULL)
		return;
	g_ptr_array_unref(b->recs);
	g_free(b);
}

void kj_audit_batch_add(KjAuditBatch *b, const char *actor, const char *action, const char *object,
			json_t *details)
{
	g_return_if_fail(b != NULL);
	Pending *p = g_new0(Pending, 1);
	p->actor = g_strdup(actor);
	p->action = g_strdup(action);
	p->object = g_strdup(object);
	p->details = details ? json_incref(details) : NULL;
	g_ptr_array_add(b->recs, p);
}

guint kj_audit_batch_len(const KjAuditBatch *b)
{
	g_return_val_if_fail(b != NULL, 0);
	return b->recs->len;
}

gboolean kj_audit_batch_append(KjAudit *a, KjAuditBatch *b, GError **error)
{
	g_return_val_if_fail(a != NULL && b != NULL, FALSE);
	g_autoptr(GPtrArray) recs = g_steal_pointer(&b->recs);
	b->recs = g_ptr_array_new_with_free_func((GDestroyNotify)pending_free);
	if (recs->len == 0)
		return TRUE;
	for (guint i = 0; i < recs->len; i++) {
		Pending *p = recs->pdata[i];
		if (!check_record(p->actor, p->action, p->object, p->details, error))
			return FALSE;
	}
	g_mutex_lock(&a->lock);
	gboolean ok = follow_path(a, error) && lock_log(a, error);
	if (ok) {
		for (guint i = 0; ok && i < recs->len; i++) {
			Pending *p = recs->pdata[i];
			ok = append_locked(a, p->actor, p->action, p->object, p->details, NULL,
					   error);
		}
		flock(a->fd, LOCK_UN);
	}
	/* Records written before a failure are synced all the same. */
	GError *sync_error = NULL;
	if (!wait_synced(a, a->written, ok ? error : &sync_error))
		ok = FALSE;
	g_clear_error(&sync_error);
	g_mutex_unlock(&a->lock);
	return ok;
}
