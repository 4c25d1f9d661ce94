/*++
 * NAME
 *	sandbox_child - the worker side of the sandbox
 * DESCRIPTION
 *	_kj_sandbox_child_main() runs in a freshly forked worker.  It
 *	confines the process in this order, before any untrusted byte is
 *	read: new process group; PR_SET_PDEATHSIG(SIGKILL), then a check
 *	that the parent did not die before that; the channel moved to fd 3,
 *	fds 0 and 1 (and 2 unless keep_stderr) pointed at /dev/null, every
 *	other fd closed (close_range); all signal handlers inherited from
 *	the host reset to default and all signals unblocked, SIGXFSZ
 *	ignored; PR_SET_DUMPABLE 0 (no core files of hostile data, no
 *	ptrace by same-uid processes); rlimits; the caller's prepare hook;
 *	PR_SET_NO_NEW_PRIVS; the seccomp filter.  It then says READY and
 *	serves jobs until the channel is closed.
 *
 *	Rlimits: RLIMIT_CORE 0, RLIMIT_FSIZE 0 (SIGXFSZ is ignored, so a
 *	write that would grow a file fails with EFBIG), RLIMIT_NOFILE
 *	KJ_SANDBOX_NOFILE, RLIMIT_NPROC 0 (the kernel ignores it for root;
 *	seccomp kills fork anyway), RLIMIT_MEMLOCK 0, RLIMIT_CPU
 *	cpu_seconds * jobs this worker may serve (capped; RLIMIT_CPU is
 *	cumulative and re-arming it would need setrlimit in the filter, so
 *	the per-job bound is the parent's wall clock), RLIMIT_AS = the
 *	address space inherited at fork + memory_bytes, except under
 *	AddressSanitizer, whose shadow memory reserves terabytes.
 *
 *	The worker ends only with _exit(): no atexit handlers, no stdio
 *	flush of buffers copied from the parent, and no LeakSanitizer pass
 *	(which would need ptrace-like calls the filter kills).
 * SECURITY
 *	Runs as the same user as the parent; the confinement above is what
 *	separates them.  Reads untrusted data (the job input) only after
 *	the filter is loaded.  Everything it sends back is re-checked by the
 *	parent, which assumes a compromised worker.
 * LIMITS
 *	See DESCRIPTION; values from util/limits.h via KjSandboxOptions.
 * STANDARDS
 *	基本方針 2(12), 6(6).  prctl(2), setrlimit(2), close_range(2).
 * SEE ALSO
 *	sandbox.c, sandbox_seccomp.c
 *--*/
#include "sandbox/sandbox_private.h"

#include "util/limits.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The channel; KJ_SB_CHILD_FD once the fds are arranged. */
static int sb_chan = -1;

/* exit_group directly: not even a sanitizer's _exit interceptor runs. */
static G_GNUC_NORETURN void die(int code)
{
	for (;;)
		syscall(SYS_exit_group, code);
}

static void write_full(const void *buf, gsize len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(sb_chan, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die(124);
		p += n;
		len -= (gsize)n;
	}
}

/* 1: all read; 0: clean EOF before the first byte; dies on anything else. */
static int read_full(void *buf, gsize len)
{
	char *p = buf;
	gsize got = 0;

	while (got < len) {
		ssize_t n = read(sb_chan, p + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 && got == 0)
			return 0;
		if (n <= 0)
			die(124);
		got += (gsize)n;
	}
	return 1;
}

static void reply(KjSbStatus status, const void *data, guint64 len, gboolean send_data)
{
	KjSbReply r = {.magic = KJ_SB_MAGIC, .status = status, .len = len};

	write_full(&r, sizeof r);
	if (send_data && len > 0)
		write_full(data, (gsize)len);
}

static gboolean set_errno(GError **error, const char *what)
{
	int err = errno;

	g_set_error(error, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_SETUP, "%s: %s", what,
		    g_strerror(err));
	return FALSE;
}

void _kj_sandbox_close_from(int first)
{
	if (close_range((unsigned)first, ~0U, 0) == 0)
		return;
	/* Kernels before 5.9: close what the fd limit allows. */
	long max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = first; fd < max; fd++)
		close(fd);
}

/* A stderr that is a regular file could be overwritten in place; only a
 * tty, pipe or socket (journald) is kept. */
static gboolean stderr_keepable(void)
{
	struct stat st;

	return fstat(2, &st) == 0 &&
	       (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

static gboolean arrange_fds(int fd, gboolean keep_stderr, GError **error)
{
	int chan = fcntl(fd, F_DUPFD, KJ_SB_CHILD_FD);
	int nul;

	if (chan < 0)
		return set_errno(error, "cannot move the sandbox channel");
	sb_chan = chan;
	nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nul < 0)
		return set_errno(error, "cannot open /dev/null");
	if (keep_stderr && !stderr_keepable())
		keep_stderr = FALSE;
	if (dup2(nul, 0) < 0 || dup2(nul, 1) < 0 || (!keep_stderr && dup2(nul, 2) < 0))
		return set_errno(error, "cannot redirect stdio to /dev/null");
	if (chan != KJ_SB_CHILD_FD && dup2(chan, KJ_SB_CHILD_FD) < 0)
		return set_errno(error, "cannot move the sandbox channel");
	sb_chan = KJ_SB_CHILD_FD;
	_kj_sandbox_close_from(KJ_SB_CHILD_FD + 1);
	return TRUE;
}

/* Handlers inherited from the host (a daemon's SIGTERM handler writing to
 * a self-pipe, ASan's SIGSEGV reporter that would try to fork a
 * symbolizer) must not run in the worker: a crash is reported by the
 * parent from the signal number. */
void _kj_sandbox_reset_signals(void)
{
	struct sigaction sa;
	sigset_t all;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++) {
		if (s != SIGKILL && s != SIGSTOP)
			(void)sigaction(s, &sa, NULL);
	}
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGXFSZ, &sa, NULL);
	sigemptyset(&all);
	(void)sigprocmask(SIG_SETMASK, &all, NULL);
}

static gboolean set_limit(int resource, rlim_t soft, rlim_t hard, const char *name, GError **error)
{
	struct rlimit rl = {.rlim_cur = soft, .rlim_max = hard};

	if (setrlimit(resource, &rl) == 0)
		return TRUE;
	g_set_error(error, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_SETUP, "cannot set %s: %s", name,
		    g_strerror(errno));
	return FALSE;
}

/* Address space mapped now (first field of /proc/self/statm, in pages). */
static guint64 current_vm_bytes(void)
{
	char buf[128];
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return g_ascii_strtoull(buf, NULL, 10) * (guint64)sysconf(_SC_PAGESIZE);
}

static gboolean set_limits(const KjSbChildArgs *a, GError **error)
{
	const KjSandboxOptions *o = a->opts;
	guint64 cpu = (guint64)o->cpu_seconds * a->jobs;

	if (cpu > KJ_SANDBOX_WORKER_CPU_CAP)
		cpu = KJ_SANDBOX_WORKER_CPU_CAP;
	if (!set_limit(RLIMIT_CORE, 0, 0, "RLIMIT_CORE", error) ||
	    !set_limit(RLIMIT_FSIZE, 0, 0, "RLIMIT_FSIZE", error) ||
	    !set_limit(RLIMIT_NOFILE, KJ_SANDBOX_NOFILE, KJ_SANDBOX_NOFILE, "RLIMIT_NOFILE",
		       error) ||
	    !set_limit(RLIMIT_NPROC, 0, 0, "RLIMIT_NPROC", error) ||
	    !set_limit(RLIMIT_MEMLOCK, 0, 0, "RLIMIT_MEMLOCK", error) ||
	    /* SIGXCPU at the soft limit, SIGKILL one second later. */
	    !set_limit(RLIMIT_CPU, cpu, cpu + 1, "RLIMIT_CPU", error))
		return FALSE;
	if (!KJ_SB_ASAN) {
		guint64 as = current_vm_bytes() + o->memory_bytes;
		if (!set_limit(RLIMIT_AS, as, as, "RLIMIT_AS", error))
			return FALSE;
	}
	return TRUE;
}

static gboolean setup(const KjSbChildArgs *a, GError **error)
{
	(void)setpgid(0, 0);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		return set_errno(error, "cannot set PR_SET_PDEATHSIG");
	if (getppid() != a->parent)
		die(0);
	if (!arrange_fds(a->fd, a->opts->keep_stderr, error))
		return FALSE;
	/* Its role in ps(1) and /proc, instead of the spawner's name. */
	(void)prctl(PR_SET_NAME, "kj-worker", 0, 0, 0);
	_kj_sandbox_reset_signals();
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return set_errno(error, "cannot clear PR_SET_DUMPABLE");
	if (!set_limits(a, error))
		return FALSE;
	/* The parent reports any failure here as KJ_SANDBOX_ERROR_SETUP. */
	if (a->opts->prepare != NULL && !a->opts->prepare(a->user_data, error))
		return FALSE;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return set_errno(error, "cannot set PR_SET_NO_NEW_PRIVS");
	return _kj_sandbox_seccomp_load(error);
}

#define KJ_SB_ONE_WRITE_MAX (1024 * 1024)

/* Reads and throws away len bytes, so that the parent's write completes. */
static void drain(guint64 len)
{
	char buf[4096];

	while (len > 0) {
		gsize n = len < sizeof buf ? (gsize)len : sizeof buf;
		read_full(buf, n);
		len -= n;
	}
}

static void serve_one(const KjSbChildArgs *a, guint64 len)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GBytes) input = NULL;
	g_autoptr(GByteArray) output = NULL;
	guint8 *buf = len <= G_MAXSIZE ? g_try_malloc(len > 0 ? (gsize)len : 1) : NULL;

	if (buf == NULL) {
		drain(len);
		reply(KJ_SB_LIMIT, NULL, len, FALSE);
		return;
	}
	if (len > 0 && read_full(buf, (gsize)len) == 0)
		die(124);
	input = g_bytes_new_take(buf, (gsize)len);
	output = g_byte_array_new();
	if (!a->func(input, output, a->user_data, &err)) {
		const char *msg = err != NULL ? err->message : "job failed without a message";
		reply(KJ_SB_FAILED, msg, strlen(msg), TRUE);
	} else if (output->len > a->opts->max_output) {
		reply(KJ_SB_LIMIT, NULL, output->len, FALSE);
	} else if (output->len <= KJ_SB_ONE_WRITE_MAX) {
		/* Header and output in one write, so that the parent wakes
		 * once: copying a sanitized message (tens of KB) costs less
		 * than the extra context switch (perf, mail benchmark). */
		KjSbReply r = {.magic = KJ_SB_MAGIC, .status = KJ_SB_OK, .len = output->len};
		g_byte_array_prepend(output, (const guint8 *)&r, sizeof r);
		write_full(output->data, output->len);
	} else {
		reply(KJ_SB_OK, output->data, output->len, TRUE);
	}
}

void _kj_sandbox_child_main(const KjSbChildArgs *a)
{
	g_autoptr(GError) err = NULL;
	KjSbRequest req;

	sb_chan = a->fd;
	if (!setup(a, &err)) {
		const char *msg = err != NULL ? err->message : "sandbox setup failed";
		reply(KJ_SB_SETUP, msg, strlen(msg), TRUE);
		die(127);
	}
	reply(KJ_SB_READY, NULL, 0, FALSE);
	for (;;) {
		if (read_full(&req, sizeof req) == 0)
			die(0);
		if (req.magic != KJ_SB_MAGIC)
			die(125);
		serve_one(a, req.len);
	}
}
