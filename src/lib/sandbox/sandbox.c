/*++
 * NAME
 *	sandbox - run a parser of hostile bytes in a confined child process
 * DESCRIPTION
 *	A KjSandbox runs a KjSandboxFunc on input bytes in a forked worker
 *	confined by rlimits and a seccomp-bpf filter (sandbox_child.c,
 *	sandbox_seccomp.c), and returns the output bytes.  In REUSE mode (the
 *	default) one worker serves up to max_jobs jobs over length-prefixed
 *	frames on a socketpair, then is replaced; FORK_EACH starts a worker
 *	per job; NONE calls the function in-process without any isolation
 *	(debugging and fuzzing only).  After any failure (signal, timeout,
 *	protocol error, error status, limit) the worker is killed and the
 *	next job gets a fresh one, so nothing left by a bad input survives.
 *
 *	Per-job time is the parent's wall clock: every job has a deadline
 *	(timeout_ms) covering sending the input and receiving the output;
 *	poll() waits for it, and at the deadline the worker gets SIGKILL and
 *	is reaped.  RLIMIT_CPU in the worker is only a cumulative backstop.
 *
 *	Charsets: glibc's iconv_open() dlopen()s a gconv module from
 *	/usr/lib/<triplet>/gconv on first use, which the worker cannot do
 *	(open is refused with EACCES).  glibc keeps a module loaded while
 *	any iconv_t uses it (a closed one is unloaded after a few other
 *	releases, so open-and-close is not enough).  Just before forking
 *	the spawner (sandbox_spawn.c), which forks the workers, the host
 *	opens one iconv_t per charset in KjSandboxOptions.charsets
 *	(kj_sandbox_default_charsets() when NULL); the spawner keeps them
 *	open, so every worker inherits the loaded modules and the mapped
 *	gconv-modules.cache, and iconv_open() in the worker needs no file.
 *	A charset outside the list fails in the worker like an unknown
 *	charset (EINVAL), never by a kill.
 *	Other libraries that read files at initialisation (GMime's
 *	g_mime_init, libxml2's xmlInitParser) should be initialised in the
 *	parent before the first job, or in KjSandboxOptions.prepare.
 * SECURITY
 *	The parent is trusted; the worker is assumed compromised once it has
 *	read its input.  The parent therefore checks every frame: magic,
 *	status, output length against max_output before allocating, error
 *	message length (and makes it valid, printable UTF-8 of at most
 *	KJ_SANDBOX_MAX_ERROR_MESSAGE bytes, since it ends up in verdicts and
 *	the audit log).  Signals go through a pidfd where the kernel has one,
 *	so a recycled pid is never hit.
 *
 *	Host process state is left alone: no signal handlers are installed;
 *	SIGPIPE is avoided with send(MSG_NOSIGNAL); the host's only child is
 *	the spawner, reaped with waitpid(pid) when the sandbox is freed;
 *	workers are the spawner's children and it reports their exit status.
 *
 *	Threads: a KjSandbox is used by one thread at a time; a daemon keeps
 *	one per worker slot.  Workers are forked by the spawner, a copy of
 *	the host made by kj_sandbox_new(), never by the host itself, so
 *	locks held by the host's other threads when a worker starts do not
 *	matter.  Create sandboxes before starting threads (the spawner is a
 *	copy of the host at that moment, and user_data is read there).  A
 *	lost spawner is replaced at the next job by its reserve (a copy it
 *	made of itself, sandbox_spawn.c), or, if that is gone too, by a new
 *	fork from the thread running the job; a job that finds the spawner
 *	gone is given the replacement and tried once more, not failed.
 * LIMITS
 *	cpu_seconds, memory_bytes, timeout_ms, max_jobs, max_output: the
 *	KJ_SANDBOX_* defaults and ceilings in util/limits.h.
 * STANDARDS
 *	基本方針 2(12) 無害化通信: hostile bytes are parsed only in a
 *	sandboxed worker; a worker that fails gets the message held, never
 *	delivered raw.  基本方針 6(6) technical measures against malware.
 * SEE ALSO
 *	sandbox_child.c, sandbox_seccomp.c, mime/ (the mail sanitizer)
 *--*/
#include "sandbox/sandbox_private.h"

#include "util/limits.h"

#include <errno.h>
#include <iconv.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

G_DEFINE_QUARK(kj - sandbox - error - quark, kj_sandbox_error)

struct _KjSandbox {
	KjSandboxOptions opts; /* normalised; opts.name points to name */
	char *name;
	KjSandboxFunc func;
	gpointer user_data;
	pid_t pid; /* current worker, 0 if none */
	int pidfd; /* its pidfd, -1 if unavailable */
	int fd;    /* parent end of the channel */
	guint jobs_on_worker;
	pid_t standby;     /* worker started for when this one is replaced, 0 if none */
	int standby_fd;    /* its channel */
	int standby_pidfd; /* its pidfd, -1 if unavailable */
	GBytes *ahead;     /* input sent to the worker whose result was not asked for yet */
	gsize ahead_max;   /* largest frame sent ahead: half the channel's send buffer */
	KjSandboxStats stats;
	KjSbSpawner spawner; /* forks the workers, see sandbox_spawn.c */
	char **charsets;     /* KjSandboxOptions.charsets, copied; NULL = defaults */
};

typedef enum { IO_OK, IO_EOF, IO_TIMEOUT, IO_ERROR } IoResult;

static const char *const default_charsets[] = {
    /* Japanese mail and files first (the city's own correspondence). */
    "CP932", "SHIFT_JIS", "EUC-JP", "EUC-JP-MS", "ISO-2022-JP", "ISO-2022-JP-3", "EUC-JISX0213",
    /* Unicode forms that glibc implements as modules. */
    "UTF-16", "UTF-32", "UTF-7",
    /* Neighbours and the usual Western ones. */
    "GB18030", "GBK", "EUC-CN", "BIG5", "BIG5-HKSCS", "EUC-KR", "ISO-2022-KR", "WINDOWS-1252",
    "WINDOWS-1251", "WINDOWS-1250", "ISO-8859-15", "ISO-8859-2", "KOI8-R", NULL};

const char *const *kj_sandbox_default_charsets(void)
{
	return default_charsets;
}

void kj_sandbox_options_init(KjSandboxOptions *opts)
{
	g_return_if_fail(opts != NULL);
	memset(opts, 0, sizeof *opts);
	opts->mode = KJ_SANDBOX_REUSE;
	opts->cpu_seconds = KJ_SANDBOX_CPU_SECONDS_DEFAULT;
	opts->memory_bytes = KJ_SANDBOX_MEMORY_DEFAULT;
	opts->timeout_ms = KJ_SANDBOX_TIMEOUT_MS_DEFAULT;
	opts->max_jobs = KJ_SANDBOX_MAX_JOBS_DEFAULT;
	opts->max_output = KJ_SANDBOX_MAX_OUTPUT_DEFAULT;
	opts->name = "sandbox worker";
	opts->keep_stderr = TRUE;
}

#define NORMALISE(field, dflt, lo, hi)                                                             \
	do {                                                                                       \
		if (o->field == 0)                                                                 \
			o->field = (dflt);                                                         \
		o->field = CLAMP(o->field, (lo), (hi));                                            \
	} while (0)

static void normalise(KjSandboxOptions *o)
{
	NORMALISE(cpu_seconds, KJ_SANDBOX_CPU_SECONDS_DEFAULT, 1u, KJ_SANDBOX_CPU_SECONDS_CEILING);
	NORMALISE(memory_bytes, (guint64)KJ_SANDBOX_MEMORY_DEFAULT, (guint64)KJ_SANDBOX_MEMORY_MIN,
		  (guint64)KJ_SANDBOX_MEMORY_CEILING);
	NORMALISE(timeout_ms, KJ_SANDBOX_TIMEOUT_MS_DEFAULT, 1u, KJ_SANDBOX_TIMEOUT_MS_CEILING);
	NORMALISE(max_jobs, KJ_SANDBOX_MAX_JOBS_DEFAULT, 1u, KJ_SANDBOX_MAX_JOBS_CEILING);
	NORMALISE(max_output, (gsize)KJ_SANDBOX_MAX_OUTPUT_DEFAULT, (gsize)1,
		  (gsize)KJ_SANDBOX_MAX_OUTPUT_CEILING);
	if (o->mode == KJ_SANDBOX_FORK_EACH)
		o->max_jobs = 1;
	o->charsets = NULL; /* used by kj_sandbox_new() only */
}

static void iconv_close_ptr(gpointer p)
{
	iconv_close((iconv_t)p);
}

static GPtrArray *prewarm_charsets(const char *const *charsets)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(iconv_close_ptr);

	for (gsize i = 0; charsets[i] != NULL; i++) {
		iconv_t cd = iconv_open("UTF-8", charsets[i]);
		/* A charset this system lacks stays unusable in the worker too. */
		if (cd != (iconv_t)-1)
			g_ptr_array_add(a, cd);
	}
	return a;
}

/* Serialises the forks of spawners with this module's own iconv_open()
 * and iconv_close() calls.  Those take glibc's gconv lock; a process
 * forked by one thread while another thread was inside them inherits the
 * lock taken and deadlocks on its first charset conversion (seen: a CSV
 * held as "exceeded 30 s" in the batch form).  Locks of other libraries
 * are avoided by forking the spawner before the host starts threads. */
static GMutex fork_lock;

static KjSbChildArgs child_args(KjSandbox *sb)
{
	KjSbChildArgs args = {
	    .opts = &sb->opts,
	    .func = sb->func,
	    .user_data = sb->user_data,
	    .fd = -1,
	    .jobs = sb->opts.max_jobs,
	};
	return args;
}

/* Forks the spawner with the charsets loaded (see DESCRIPTION); the host
 * closes its iconv_t again at once: only the spawner forks workers. */
static gboolean spawner_start(KjSandbox *sb, GError **error)
{
	const char *const *charsets =
	    sb->charsets != NULL ? (const char *const *)sb->charsets : default_charsets;
	KjSbChildArgs args = child_args(sb);
	g_autoptr(GPtrArray) iconvs = NULL;
	gboolean ok;

	/* A lost spawner's reserve, a copy made by the spawner itself, is
	 * safer than a new copy of the host, whose other threads may hold a
	 * lock (a GLib or library mutex) at the moment of the fork. */
	if (_kj_sandbox_spawner_takeover(&sb->spawner))
		return TRUE;
	_kj_sandbox_spawner_stop(&sb->spawner);
	g_mutex_lock(&fork_lock);
	iconvs = prewarm_charsets(charsets);
	ok = _kj_sandbox_spawner_start(&sb->spawner, &args, error);
	g_clear_pointer(&iconvs, g_ptr_array_unref);
	g_mutex_unlock(&fork_lock);
	if (!ok)
		sb->stats.setup_errors++;
	return ok;
}

KjSandbox *kj_sandbox_new(const KjSandboxOptions *opts, KjSandboxFunc func, gpointer user_data)
{
	KjSandbox *sb;

	g_return_val_if_fail(opts != NULL, NULL);
	g_return_val_if_fail(func != NULL, NULL);
	sb = g_new0(KjSandbox, 1);
	sb->opts = *opts;
	normalise(&sb->opts);
	sb->name = g_strdup(opts->name != NULL ? opts->name : "sandbox worker");
	sb->opts.name = sb->name;
	sb->func = func;
	sb->user_data = user_data;
	sb->pidfd = -1;
	sb->fd = -1;
	sb->standby_fd = -1;
	sb->standby_pidfd = -1;
	_kj_sandbox_spawner_init(&sb->spawner);
	if (opts->charsets != NULL)
		sb->charsets = g_strdupv((char **)(uintptr_t)opts->charsets);
	/* A failure here is reported by the first kj_sandbox_run(). */
	if (opts->mode != KJ_SANDBOX_NONE)
		(void)spawner_start(sb, NULL);
	return sb;
}

/* Kills and reaps the worker; returns its wait status, or -1 if unknown. */
static int worker_stop(KjSandbox *sb)
{
	int status = -1;

	if (sb->pid <= 0)
		return -1;
	if (sb->pidfd >= 0)
		(void)pidfd_send_signal(sb->pidfd, SIGKILL, NULL, 0);
	else
		(void)kill(sb->pid, SIGKILL);
	status = _kj_sandbox_spawner_reap(&sb->spawner, sb->pid);
	if (sb->pidfd >= 0)
		close(sb->pidfd);
	close(sb->fd);
	sb->pid = 0;
	sb->pidfd = -1;
	sb->fd = -1;
	sb->jobs_on_worker = 0;
	/* A job sent ahead dies with the worker; the next call sends it
	 * again, to a fresh one. */
	g_clear_pointer(&sb->ahead, g_bytes_unref);
	return status;
}

static void standby_stop(KjSandbox *sb)
{
	if (sb->standby <= 0)
		return;
	if (sb->standby_pidfd >= 0) {
		(void)pidfd_send_signal(sb->standby_pidfd, SIGKILL, NULL, 0);
		close(sb->standby_pidfd);
	}
	(void)_kj_sandbox_spawner_reap(&sb->spawner, sb->standby);
	close(sb->standby_fd);
	sb->standby = 0;
	sb->standby_fd = -1;
	sb->standby_pidfd = -1;
}

void kj_sandbox_free(KjSandbox *sb)
{
	if (sb == NULL)
		return;
	(void)worker_stop(sb);
	standby_stop(sb);
	_kj_sandbox_spawner_stop(&sb->spawner);
	g_strfreev(sb->charsets);
	g_free(sb->name);
	g_free(sb);
}

void kj_sandbox_get_stats(const KjSandbox *sb, KjSandboxStats *stats)
{
	g_return_if_fail(sb != NULL && stats != NULL);
	*stats = sb->stats;
}

int kj_sandbox_get_worker_pid(const KjSandbox *sb)
{
	g_return_val_if_fail(sb != NULL, 0);
	return sb->pid;
}

static int remaining_ms(gint64 deadline)
{
	gint64 left = deadline - g_get_monotonic_time();

	if (left <= 0)
		return 0;
	return (int)MIN((left + 999) / 1000, (gint64)G_MAXINT);
}

static IoResult wait_fd(int fd, short events, gint64 deadline)
{
	for (;;) {
		struct pollfd p = {.fd = fd, .events = events};
		int ms = remaining_ms(deadline);
		int n;

		if (ms == 0)
			return IO_TIMEOUT;
		n = poll(&p, 1, ms);
		if (n < 0 && errno == EINTR)
			continue;
		/* Readiness, hang-up and error alike: the next call tells. */
		return n < 0 ? IO_ERROR : n == 0 ? IO_TIMEOUT : IO_OK;
	}
}

static IoResult send_all(int fd, const void *buf, gsize len, gint64 deadline)
{
	const char *p = buf;

	while (len > 0) {
		/* MSG_NOSIGNAL: a dead worker is an EPIPE, not a SIGPIPE for the host. */
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n >= 0) {
			p += n;
			len -= (gsize)n;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			IoResult r = wait_fd(fd, POLLOUT, deadline);
			if (r != IO_OK)
				return r;
		} else if (errno != EINTR) {
			return errno == EPIPE || errno == ECONNRESET ? IO_EOF : IO_ERROR;
		}
	}
	return IO_OK;
}

/* send_all() of head and then data, in one sendmsg() while both fit: the
 * worker wakes once for a job instead of once for its 16-byte header. */
static IoResult send_two(int fd, const void *head, gsize hlen, const void *data, gsize len,
			 gint64 deadline)
{
	while (hlen > 0) {
		struct iovec iov[2] = {{(void *)(uintptr_t)head, hlen},
				       {(void *)(uintptr_t)data, len}};
		struct msghdr m = {.msg_iov = iov, .msg_iovlen = len > 0 ? 2 : 1};
		ssize_t n = sendmsg(fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n >= 0) {
			gsize k = MIN((gsize)n, hlen);
			head = (const char *)head + k;
			hlen -= k;
			data = (const char *)data + ((gsize)n - k);
			len -= (gsize)n - k;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			IoResult r = wait_fd(fd, POLLOUT, deadline);
			if (r != IO_OK)
				return r;
		} else if (errno != EINTR) {
			return errno == EPIPE || errno == ECONNRESET ? IO_EOF : IO_ERROR;
		}
	}
	return send_all(fd, data, len, deadline);
}

static IoResult recv_all(int fd, void *buf, gsize len, gint64 deadline)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = recv(fd, p, len, MSG_DONTWAIT);
		if (n > 0) {
			p += n;
			len -= (gsize)n;
		} else if (n == 0) {
			return IO_EOF;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			IoResult r = wait_fd(fd, POLLIN, deadline);
			if (r != IO_OK)
				return r;
		} else if (errno != EINTR) {
			return errno == ECONNRESET ? IO_EOF : IO_ERROR;
		}
	}
	return IO_OK;
}

static const char *signal_reason(int sig)
{
	switch (sig) {
	case SIGSYS:
		return "SIGSYS: forbidden system call";
	case SIGSEGV:
		return "SIGSEGV: invalid memory access";
	case SIGBUS:
		return "SIGBUS: invalid memory access";
	case SIGABRT:
		return "SIGABRT: aborted, e.g. out of memory or a failed assertion";
	case SIGFPE:
		return "SIGFPE: arithmetic fault";
	case SIGILL:
		return "SIGILL: illegal instruction";
	case SIGKILL:
		return "SIGKILL: killed, e.g. by the kernel's out-of-memory killer";
	case SIGTRAP:
		return "SIGTRAP: breakpoint, e.g. a fatal GLib error";
	default:
		return sigabbrev_np(sig) != NULL ? sigabbrev_np(sig) : "unknown signal";
	}
}

static void set_timeout_error(KjSandbox *sb, GError **error)
{
	guint ms = sb->opts.timeout_ms;

	sb->stats.timeouts++;
	if (ms % 1000 == 0)
		g_set_error(error, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_TIMEOUT, "%s exceeded %u s",
			    sb->opts.name, ms / 1000);
	else
		g_set_error(error, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_TIMEOUT, "%s exceeded %u ms",
			    sb->opts.name, ms);
}

/* The worker stopped talking (EOF, I/O error or timeout): kill, reap and
 * say why from its wait status.  Always returns NULL. */
static GBytes *worker_lost(KjSandbox *sb, IoResult r, gint64 deadline, GError **error)
{
	int saved_errno = errno;
	gboolean hung = FALSE;
	int st;

	/* A worker that closed its channel is normally dying already; let it
	 * finish (until the job's deadline) so the status says how it died,
	 * rather than reporting our own SIGKILL. */
	if (r != IO_TIMEOUT && sb->pidfd >= 0)
		hung = wait_fd(sb->pidfd, POLLIN, deadline) == IO_TIMEOUT;
	st = worker_stop(sb);
	if (r == IO_TIMEOUT) {
		set_timeout_error(sb, error);
	} else if (hung) {
		sb->stats.protocol_errors++;
		g_set_error(error, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_PROTOCOL,
			    "%s closed its channel and did not exit", sb->opts.name);
	} else if (st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGXCPU) {
		sb->stats.timeouts++;
		g_set_error(error, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_TIMEOUT,
			    "%s exceeded its CPU time limit", sb->opts.name);
	} else if (st != -1 && WIFSIGNALED(st)) {
		sb->stats.crashes++;
		g_set_error(error, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_CRASHED,
			    "%s killed by signal %d (%s)", sb->opts.name, WTERMSIG(st),
			    signal_reason(WTERMSIG(st)));
	} else {
		sb->stats.protocol_errors++;
		if (st != -1 && WIFEXITED(st))
			g_set_error(error, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_PROTOCOL,
				    "%s exited with status %d during a job", sb->opts.name,
				    WEXITSTATUS(st));
		else
			g_set_error(error, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_PROTOCOL,
				    "%s stopped answering (%s)", sb->opts.name,
				    r == IO_EOF ? "connection closed" : g_strerror(saved_errno));
	}
	return NULL;
}

static GBytes *protocol_error(KjSandbox *sb, const char *what, GError **error)
{
	(void)worker_stop(sb);
	sb->stats.protocol_errors++;
	g_set_error(error, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_PROTOCOL, "%s sent %s", sb->opts.name,
		    what);
	return NULL;
}

/* Untrusted text from the worker: valid UTF-8, no control characters,
 * at most KJ_SANDBOX_MAX_ERROR_MESSAGE bytes, cut on a character. */
static char *clean_message(const char *buf, gsize len)
{
	g_autofree char *valid = g_utf8_make_valid(buf, (gssize)len);
	GString *s = g_string_sized_new(MIN(len, KJ_SANDBOX_MAX_ERROR_MESSAGE) + 1);

	for (char *p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		gsize n = (gsize)(g_utf8_next_char(p) - p);

		if (s->len + n > KJ_SANDBOX_MAX_ERROR_MESSAGE)
			break;
		if (g_unichar_iscntrl(c))
			g_string_append_c(s, ' ');
		else
			g_string_append_len(s, p, (gssize)n);
	}
	return g_string_free(s, FALSE);
}

/* Reads a message payload (FAILED, SETUP) of len bytes.  NULL on failure,
 * with the worker already discarded and error set. */
static char *recv_message(KjSandbox *sb, guint64 len, gint64 deadline, GError **error)
{
	g_autofree char *buf = NULL;
	IoResult r;

	/* Anything longer than a few times the cap is not a message. */
	if (len > 16 * KJ_SANDBOX_MAX_ERROR_MESSAGE) {
		protocol_error(sb, "an oversized error message", error);
		return NULL;
	}
	buf = g_malloc((gsize)len + 1);
	r = recv_all(sb->fd, buf, (gsize)len, deadline);
	if (r != IO_OK) {
		worker_lost(sb, r, deadline, error);
		return NULL;
	}
	return clean_message(buf, (gsize)len);
}

static gboolean await_ready(KjSandbox *sb, GError **error)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)sb->opts.timeout_ms * 1000;
	g_autoptr(GError) lost = NULL;
	g_autofree char *msg = NULL;
	KjSbReply h;
	IoResult r = recv_all(sb->fd, &h, sizeof h, deadline);

	if (r == IO_OK && h.magic == KJ_SB_MAGIC && h.status == KJ_SB_READY && h.len == 0)
		return TRUE;
	sb->stats.setup_errors++;
	if (r == IO_OK && h.magic == KJ_SB_MAGIC && h.status == KJ_SB_SETUP) {
		msg = recv_message(sb, h.len, deadline, &lost);
		(void)worker_stop(sb);
	} else if (r == IO_OK) {
		(void)protocol_error(sb, "a bad greeting", &lost);
	} else {
		(void)worker_lost(sb, r, deadline, &lost);
	}
	g_set_error(error, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_SETUP, "cannot start %s: %s",
		    sb->opts.name, msg != NULL ? msg : lost->message);
	return FALSE;
}

/* A job's input and output cross the channel in one go when they fit in
 * the send buffer: with the default 208 KB, a message with a 300 KB
 * attachment took several wake-ups of each side, and context switches
 * were 9 % of the mail benchmark with a reused worker (perf).  The kernel
 * caps the size at net.core.wmem_max; a smaller buffer is only slower. */
void _kj_sandbox_set_buffers(const int sv[2])
{
	int size = KJ_SB_SOCKET_BUFFER;

	for (int i = 0; i < 2; i++) {
		(void)setsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
		(void)setsockopt(sv[i], SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	}
}

/* How large a job may be to be sent ahead (kj_sandbox_run_ahead()).  A
 * worker reads a job whole before it writes anything, so a job sent
 * ahead only has to wait for the worker to finish reading the one before
 * it; if it did not fit in the channel it would wait for the worker to
 * read it, the worker would wait for us to read its reply, and both
 * would wait until the deadline.  Half the send buffer leaves room for
 * the kernel's own accounting of the queued bytes. */
static gsize ahead_capacity(int fd)
{
	int size = 0;
	socklen_t len = sizeof size;

	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, &len) != 0 || size <= 0)
		return 0;
	return (gsize)size / 2;
}

/* Starts the next worker while the current one serves its last job (a
 * reused worker only), so that the job after it does not wait for a
 * fork and the worker's set-up: the standby has seen no input, so it is
 * as fresh as one started later.  A failure here is left to
 * worker_start() to find and report. */
static void standby_start(KjSandbox *sb)
{
	pid_t pid = 0;
	int fd = -1;

	if (sb->opts.mode != KJ_SANDBOX_REUSE || sb->opts.max_jobs < 2 || sb->standby > 0 ||
	    sb->spawner.pid <= 0 || sb->jobs_on_worker + 1 < sb->opts.max_jobs)
		return;
	if (_kj_sandbox_spawner_spawn(&sb->spawner, &pid, &fd, NULL)) {
		sb->standby = pid;
		sb->standby_fd = fd;
		/* Now, while it is certainly the spawner's unreaped child: a
		 * pid looked up later could be another process's by then. */
		sb->standby_pidfd = pidfd_open(pid, 0);
	}
}

static gboolean worker_take(KjSandbox *sb, pid_t pid, int fd, int pidfd, GError **error)
{
	sb->pid = pid;
	sb->fd = fd;
	sb->pidfd = pidfd;
	sb->stats.forks++;
	sb->ahead_max = ahead_capacity(fd);
	return await_ready(sb, error);
}

static gboolean worker_start(KjSandbox *sb, GError **error)
{
	pid_t pid = 0;
	int fd = -1;

	/* A standby that died waiting (its READY may be in the channel
	 * already, so the greeting cannot tell) is not taken. */
	if (sb->standby > 0 && sb->standby_pidfd >= 0) {
		struct pollfd p = {.fd = sb->standby_pidfd, .events = POLLIN};
		if (poll(&p, 1, 0) != 0)
			standby_stop(sb);
	}
	if (sb->standby > 0) {
		g_autoptr(GError) lost = NULL;
		KjSandboxStats before = sb->stats;
		int pidfd = sb->standby_pidfd;
		pid = sb->standby, fd = sb->standby_fd;
		sb->standby = 0, sb->standby_fd = -1, sb->standby_pidfd = -1;
		if (worker_take(sb, pid, fd, pidfd, &lost))
			return TRUE;
		/* Lost with its spawner, say: a worker started now decides,
		 * and the standby's failure counts for nothing. */
		sb->stats = before;
	}
	/* A spawner lost since (killed, or its thread gone) is replaced
	 * here, from whatever thread runs the job: better than holding
	 * every later job. */
	if (sb->spawner.pid <= 0 && !spawner_start(sb, error))
		return FALSE;
	GError *e = NULL;
	gboolean ok = _kj_sandbox_spawner_spawn(&sb->spawner, &pid, &fd, &e);
	/* A spawner killed since the last job (the host learns of it only
	 * now) is dropped by the failed spawn: start another, once. */
	if (!ok && sb->spawner.pid <= 0) {
		g_clear_error(&e);
		ok =
		    spawner_start(sb, &e) && _kj_sandbox_spawner_spawn(&sb->spawner, &pid, &fd, &e);
	}
	if (!ok) {
		sb->stats.setup_errors++;
		g_propagate_prefixed_error(error, e, "%s: ", sb->opts.name);
		return FALSE;
	}
	return worker_take(sb, pid, fd, pidfd_open(pid, 0), error);
}

static GBytes *recv_output(KjSandbox *sb, guint64 len, gint64 deadline, GError **error)
{
	guint8 *buf;
	IoResult r;

	if (len > sb->opts.max_output)
		return protocol_error(sb, "output larger than it may", error);
	buf = g_malloc(len > 0 ? (gsize)len : 1);
	r = recv_all(sb->fd, buf, (gsize)len, deadline);
	if (r != IO_OK) {
		g_free(buf);
		return worker_lost(sb, r, deadline, error);
	}
	return g_bytes_new_take(buf, (gsize)len);
}

static GBytes *recv_reply(KjSandbox *sb, gint64 deadline, GError **error)
{
	g_autofree char *msg = NULL;
	KjSbReply h;
	IoResult r = recv_all(sb->fd, &h, sizeof h, deadline);

	if (r != IO_OK)
		return worker_lost(sb, r, deadline, error);
	if (h.magic != KJ_SB_MAGIC)
		return protocol_error(sb, "a frame with a bad magic number", error);
	switch (h.status) {
	case KJ_SB_OK:
		return recv_output(sb, h.len, deadline, error);
	case KJ_SB_FAILED:
		msg = recv_message(sb, h.len, deadline, error);
		if (msg == NULL)
			return NULL;
		(void)worker_stop(sb);
		sb->stats.failures++;
		g_set_error(error, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_FAILED, "%s", msg);
		return NULL;
	case KJ_SB_LIMIT:
		(void)worker_stop(sb);
		sb->stats.limits++;
		g_set_error(error, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_LIMIT,
			    "%s: %" G_GUINT64_FORMAT " bytes exceed the limit of %" G_GSIZE_FORMAT
			    " bytes (input too large for its memory, or output too large)",
			    sb->opts.name, (guint64)h.len, sb->opts.max_output);
		return NULL;
	default:
		return protocol_error(sb, "an unknown frame", error);
	}
}

static IoResult send_job(KjSandbox *sb, GBytes *input, gint64 deadline)
{
	gsize len = 0;
	const void *data = g_bytes_get_data(input, &len);
	KjSbRequest req = {.magic = KJ_SB_MAGIC, .len = len};

	return send_two(sb->fd, &req, sizeof req, data, len, deadline);
}

/* Sends next ahead when the channel can hold it and the worker will
 * still be there to serve it (it is not at its last job). */
static void send_ahead(KjSandbox *sb, GBytes *next, gint64 deadline)
{
	if (next == NULL || sb->opts.max_jobs < 2 || sb->jobs_on_worker + 2 > sb->opts.max_jobs ||
	    g_bytes_get_size(next) + sizeof(KjSbRequest) > sb->ahead_max)
		return;
	/* If this fails the worker is dying or stuck on the current job:
	 * the reply that follows says so, and the stream is dropped with
	 * the worker. */
	if (send_job(sb, next, deadline) == IO_OK) {
		sb->ahead = g_bytes_ref(next);
		sb->stats.ahead++;
	}
}

static GBytes *run_in_worker(KjSandbox *sb, GBytes *input, GBytes *next, GError **error)
{
	gint64 deadline;
	IoResult r;
	GBytes *out;

	/* The worker has something else queued (the caller sent a job ahead
	 * and then asked for another one): its answer cannot be unsent. */
	if (sb->ahead != NULL && sb->ahead != input)
		(void)worker_stop(sb);
	if (sb->pid == 0 && !worker_start(sb, error))
		return NULL;
	deadline = g_get_monotonic_time() + (gint64)sb->opts.timeout_ms * 1000;
	if (sb->ahead == input) {
		g_clear_pointer(&sb->ahead, g_bytes_unref);
	} else {
		r = send_job(sb, input, deadline);
		if (r != IO_OK)
			return worker_lost(sb, r, deadline, error);
	}
	send_ahead(sb, next, deadline);
	standby_start(sb);
	out = recv_reply(sb, deadline, error);
	if (out != NULL && ++sb->jobs_on_worker >= sb->opts.max_jobs)
		(void)worker_stop(sb);
	return out;
}

static GBytes *run_in_process(KjSandbox *sb, GBytes *input, GError **error)
{
	g_autoptr(GByteArray) output = g_byte_array_new();
	g_autoptr(GError) err = NULL;

	if (!sb->func(input, output, sb->user_data, &err)) {
		sb->stats.failures++;
		g_set_error(error, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_FAILED, "%s",
			    err != NULL ? err->message : "job failed without a message");
		return NULL;
	}
	if (output->len > sb->opts.max_output) {
		sb->stats.limits++;
		g_set_error(error, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_LIMIT,
			    "%s: %u bytes exceed the limit of %" G_GSIZE_FORMAT " bytes",
			    sb->opts.name, output->len, sb->opts.max_output);
		return NULL;
	}
	return g_byte_array_free_to_bytes(g_steal_pointer(&output));
}

GBytes *kj_sandbox_run_ahead(KjSandbox *sb, GBytes *input, GBytes *next, GError **error)
{
	g_return_val_if_fail(sb != NULL, NULL);
	g_return_val_if_fail(input != NULL, NULL);
	g_return_val_if_fail(next != input, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	sb->stats.jobs++;
	if (sb->opts.mode == KJ_SANDBOX_NONE)
		return run_in_process(sb, input, error);
	return run_in_worker(sb, input, next, error);
}

GBytes *kj_sandbox_run(KjSandbox *sb, GBytes *input, GError **error)
{
	return kj_sandbox_run_ahead(sb, input, NULL, error);
}
