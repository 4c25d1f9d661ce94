/* sandbox.h - run a parser of hostile bytes in a sandboxed child (see sandbox.c). */
#ifndef KJ_SANDBOX_SANDBOX_H
#define KJ_SANDBOX_SANDBOX_H

#include <glib.h>

#define KJ_SANDBOX_ERROR (kj_sandbox_error_quark())
GQuark kj_sandbox_error_quark(void);

typedef enum {
	KJ_SANDBOX_ERROR_CRASHED, /* the worker died by a signal (SIGSYS = forbidden system call) */
	KJ_SANDBOX_ERROR_TIMEOUT, /* wall-clock timeout or CPU limit exceeded; worker killed */
	KJ_SANDBOX_ERROR_LIMIT,   /* memory exhausted or output larger than max_output */
	KJ_SANDBOX_ERROR_PROTOCOL, /* the worker broke the framing or exited mid-job */
	KJ_SANDBOX_ERROR_FAILED,   /* the job function returned FALSE; its message is carried */
	KJ_SANDBOX_ERROR_SETUP,    /* socketpair/fork/rlimit/seccomp/prepare failed */
} KjSandboxError;

/* Runs in the child (or in-process for KJ_SANDBOX_NONE).  Reads input, appends
 * its result to output.  Returning FALSE sends (*error)->message back; the
 * message is treated as untrusted text by the parent.  Must not fork, exec,
 * open files or use the network: the seccomp filter kills or refuses that. */
typedef gboolean (*KjSandboxFunc)(GBytes *input, GByteArray *output, gpointer user_data,
				  GError **error);

/* Optional: runs in each new worker after fork and before the seccomp filter
 * is loaded (files may still be opened here; no hostile bytes seen yet).
 * Returning FALSE fails the job with KJ_SANDBOX_ERROR_SETUP. */
typedef gboolean (*KjSandboxPrepareFunc)(gpointer user_data, GError **error);

typedef enum {
	KJ_SANDBOX_REUSE,     /* default: a worker serves up to max_jobs jobs */
	KJ_SANDBOX_FORK_EACH, /* a fresh worker per job */
	KJ_SANDBOX_NONE,      /* in-process, NO isolation: debugging and fuzzing only */
} KjSandboxMode;

/* A zero field means "the default from util/limits.h", so a zero-initialised
 * struct is valid and as strict as the defaults.  Values above the ceilings
 * in util/limits.h are clamped. */
typedef struct {
	KjSandboxMode mode;
	guint cpu_seconds; /* per job; RLIMIT_CPU of a worker is cpu_seconds * jobs it may serve */
	guint64
	    memory_bytes; /* address space a worker may add to what it inherits (not under ASan) */
	guint timeout_ms; /* per-job wall clock, enforced by the parent with SIGKILL */
	guint max_jobs;   /* REUSE: jobs per worker before it is replaced */
	gsize max_output; /* largest output a job may return */
	/* Additions to the contract (all optional): */
	const char *name;             /* used in messages, e.g. "sanitizer worker" */
	const char *const *charsets;  /* iconv charsets usable in the child (NULL = defaults) */
	KjSandboxPrepareFunc prepare; /* see above; gets the same user_data */
	gboolean
	    keep_stderr; /* TRUE: child's fd 2 is the parent's (crash reports); FALSE: /dev/null */
} KjSandboxOptions;

typedef struct {
	guint64 jobs;     /* jobs submitted */
	guint64 ahead;    /* jobs sent to a worker before it was done with the one before */
	guint64 forks;    /* workers started */
	guint64 crashes;  /* workers that died by a signal (not counting our SIGKILL on timeout) */
	guint64 timeouts; /* jobs killed for time (wall clock or RLIMIT_CPU) */
	guint64 failures; /* jobs whose function returned an error */
	guint64 limits;   /* jobs over a memory or output limit */
	guint64 protocol_errors;
	guint64 setup_errors;
} KjSandboxStats;

typedef struct _KjSandbox KjSandbox;

void kj_sandbox_options_init(KjSandboxOptions *opts);

/* Forks the sandbox's worker spawner (sandbox_spawn.c), a copy of the host as
 * it is now: user_data and everything it points to are seen by workers as they
 * were at this call.  Call it before the host starts threads, or at least
 * while no other thread may hold a lock a worker needs.  Never fails: workers
 * are started lazily by kj_sandbox_run(), which reports setup errors.  A
 * KjSandbox belongs to one thread at a time; use one per worker slot. */
KjSandbox *kj_sandbox_new(const KjSandboxOptions *opts, KjSandboxFunc func, gpointer user_data);

/* Returns the job's output (caller owns it), or NULL with error set.  After
 * any failure the worker is killed and the next call starts a fresh one. */
GBytes *kj_sandbox_run(KjSandbox *sb, GBytes *input, GError **error);

/* kj_sandbox_run() of input that also hands the worker next (if not NULL)
 * to start on as soon as it is done with input, so that it does not wait
 * for the caller between jobs.  Pass next as input of the following
 * call, the same GBytes: that call then only collects its result.  next
 * is sent only when the channel can hold it whole and the worker will
 * serve it (REUSE, not at its last job); otherwise, or when the worker
 * fails on input, the following call sends it again (to a fresh worker).
 * A following call with another input drops the worker and what it had
 * queued.  Results are never mixed up: each call returns input's. */
GBytes *kj_sandbox_run_ahead(KjSandbox *sb, GBytes *input, GBytes *next, GError **error);

/* Kills (SIGKILL) and reaps the worker, if any, and frees sb.  NULL is fine. */
void kj_sandbox_free(KjSandbox *sb);

void kj_sandbox_get_stats(const KjSandbox *sb, KjSandboxStats *stats);

/* The charsets pre-loaded when KjSandboxOptions.charsets is NULL.
 * NULL-terminated; static, do not free. */
const char *const *kj_sandbox_default_charsets(void);

/* Process id of the current worker, 0 if none (for tests and diagnostics). */
int kj_sandbox_get_worker_pid(const KjSandbox *sb);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KjSandbox, kj_sandbox_free)

#endif
