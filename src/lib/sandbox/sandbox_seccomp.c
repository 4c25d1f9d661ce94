/*++
 * NAME
 *	sandbox_seccomp - the system call allow-list of a sandbox worker
 * DESCRIPTION
 *	_kj_sandbox_seccomp_load() installs a seccomp-bpf filter (built with
 *	libseccomp) whose default action kills the whole worker process
 *	(SCMP_ACT_KILL_PROCESS; SIGSYS is what the parent then sees).  The
 *	table below is the complete list of what a worker may do after the
 *	filter is loaded; every row says why it is there.  Three kinds of
 *	rows exist:
 *
 *	ALLOW	the call runs, sometimes only with restricted arguments:
 *		read only on the channel (fd 3); write only on the channel
 *		and on fds 1 and 2 (/dev/null, or the parent's stderr when
 *		KjSandboxOptions.keep_stderr is set); mmap and mprotect only
 *		without PROT_EXEC, so no new code can be mapped; tgkill only
 *		to the worker itself (abort() and raise() use it).
 *	EACCES	path-based file calls (open, openat, openat2, stat, lstat,
 *		newfstatat, statx, access, faccessat(2), readlink(at)) fail
 *		with EACCES instead of killing: library code probes files on
 *		error paths (glibc's iconv looks for gconv modules, gettext
 *		for catalogues, GLib's g_rand for /dev/urandom) and must see
 *		an ordinary failure, while no file can actually be read.
 *		newfstatat is here although glibc's fstat() uses it, because
 *		with an absolute path it would stat any file; fstat() then
 *		fails and stdio falls back to default buffering.
 *	ENOTTY	ioctl: GLib's logging asks isatty() before colouring.
 *	ENOTSOCK getpeername: GLib's logging asks whether stderr is
 *		journald's socket and would then open a socket of its own
 *		(found when a worker ran out of memory: g_error() was killed
 *		with SIGSYS instead of aborting).
 *
 *	Everything else is killed, in particular socket, connect, bind and
 *	every other network call, execve/execveat, fork/vfork/clone/clone3,
 *	ptrace, process_vm_*, kill (other processes), setrlimit/prlimit64,
 *	prctl, seccomp, mount, chdir, dup*, fcntl, pipe, sendmsg/recvmsg.
 *	Calls of other ABIs (i386, x32) are killed by libseccomp's
 *	architecture check.
 * SECURITY
 *	Runs in a freshly forked worker, before it has read any untrusted
 *	byte, after rlimits and prctl(PR_SET_NO_NEW_PRIVS).  The list was
 *	found empirically (strace -f of tests/unit/test-sandbox in plain
 *	and ASan+UBSan builds, with GLib, iconv and stdio in the job) and
 *	then locked down; AddressSanitizer's allocator needs only mmap,
 *	munmap, madvise, mprotect and sched_yield from it.
 * LIMITS
 *	None here; see sandbox.c.
 * STANDARDS
 *	基本方針 2(12) 無害化通信 and 6(6): hostile content is parsed only
 *	where it can do nothing but compute and answer on its channel.
 *	seccomp(2), seccomp_rule_add(3).
 * SEE ALSO
 *	sandbox.c, sandbox_child.c
 *--*/
#include "sandbox/sandbox_private.h"

#include <errno.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

typedef enum {
	SB_ALLOW,
	SB_EACCES,
	SB_ENOTTY,
	SB_ENOTSOCK,
	SB_NO_EXEC,   /* allowed if arg 2 (prot) has no PROT_EXEC */
	SB_CHAN_READ, /* allowed on the channel only */
	SB_OUT_WRITE, /* allowed on fds 1, 2 and the channel */
	SB_SELF_KILL, /* allowed if arg 0 (tgid) is the worker itself */
} SbRule;

static const struct {
	const char *name;
	SbRule rule;
} sb_rules[] = {
    /* The job's input and output. */
    {"read", SB_CHAN_READ},
    {"write", SB_OUT_WRITE},
    /* Ending: _exit() is exit_group; exit for completeness. */
    {"exit_group", SB_ALLOW},
    {"exit", SB_ALLOW},
    /* Memory: malloc (brk, mmap for large blocks, mremap for realloc,
	 * madvise for trimming), GLib, ASan's allocator and shadow. */
    {"brk", SB_ALLOW},
    {"mmap", SB_NO_EXEC},
    {"mprotect", SB_NO_EXEC},
    {"munmap", SB_ALLOW},
    {"mremap", SB_ALLOW},
    {"madvise", SB_ALLOW},
    /* Locks in glibc, GLib (g_mutex, g_once) and ASan spin locks. */
    {"futex", SB_ALLOW},
    {"sched_yield", SB_ALLOW},
    /* Signals to itself only: abort() and raise() block signals, may
	 * reset the handler and use tgkill; handlers return via rt_sigreturn. */
    {"rt_sigreturn", SB_ALLOW},
    {"rt_sigprocmask", SB_ALLOW},
    {"rt_sigaction", SB_ALLOW},
    {"sigaltstack", SB_ALLOW},
    {"restart_syscall", SB_ALLOW},
    {"tgkill", SB_SELF_KILL},
    {"getpid", SB_ALLOW},
    {"gettid", SB_ALLOW},
    /* Time (normally the vDSO; these are its fallbacks). */
    {"clock_gettime", SB_ALLOW},
    {"clock_getres", SB_ALLOW},
    {"gettimeofday", SB_ALLOW},
    {"time", SB_ALLOW},
    /* fd-only calls on the few fds the worker has: stdio's buffering
	 * check, ftell, and library cleanup. */
    {"fstat", SB_ALLOW},
    {"lseek", SB_ALLOW},
    {"close", SB_ALLOW},
    /* Hash seeds and malloc's tcache key; reads no file. */
    {"getrandom", SB_ALLOW},
    /* Path-based calls fail softly (see DESCRIPTION). */
    {"open", SB_EACCES},
    {"openat", SB_EACCES},
    {"openat2", SB_EACCES},
    {"stat", SB_EACCES},
    {"lstat", SB_EACCES},
    {"newfstatat", SB_EACCES},
    {"statx", SB_EACCES},
    {"access", SB_EACCES},
    {"faccessat", SB_EACCES},
    {"faccessat2", SB_EACCES},
    {"readlink", SB_EACCES},
    {"readlinkat", SB_EACCES},
    {"ioctl", SB_ENOTTY},
    /* GLib's logging asks whether stderr is journald's socket; if so it
	 * would open a socket of its own, which is killed.  ENOTSOCK makes it
	 * write to fd 2 instead. */
    {"getpeername", SB_ENOTSOCK},
};

static int add_rule(scmp_filter_ctx ctx, int nr, SbRule rule)
{
	int rc;

	switch (rule) {
	case SB_ALLOW:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	case SB_EACCES:
		return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), nr, 0);
	case SB_ENOTTY:
		return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOTTY), nr, 0);
	case SB_ENOTSOCK:
		return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOTSOCK), nr, 0);
	case SB_NO_EXEC:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	case SB_CHAN_READ:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					SCMP_A0(SCMP_CMP_EQ, KJ_SB_CHILD_FD, 0));
	case SB_OUT_WRITE:
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
				      SCMP_A0(SCMP_CMP_EQ, KJ_SB_CHILD_FD, 0));
		if (rc == 0)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					      SCMP_A0(SCMP_CMP_EQ, 1, 0));
		if (rc == 0)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					      SCMP_A0(SCMP_CMP_EQ, 2, 0));
		return rc;
	case SB_SELF_KILL:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid(), 0));
	}
	return -EINVAL;
}

gboolean _kj_sandbox_seccomp_load(GError **error)
{
	/* KILL_PROCESS needs API level 3 (Linux 4.14); on older kernels the
	 * worker is single-threaded, so killing the thread ends it too. */
	uint32_t deflt = seccomp_api_get() >= 3 ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_KILL;
	scmp_filter_ctx ctx = seccomp_init(deflt);
	int rc = 0;

	if (ctx == NULL) {
		g_set_error(error, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_SETUP,
			    "cannot create the seccomp filter");
		return FALSE;
	}
	for (gsize i = 0; i < G_N_ELEMENTS(sb_rules) && rc == 0; i++) {
		int nr = seccomp_syscall_resolve_name(sb_rules[i].name);

		/* A call this libseccomp does not know stays killed. */
		if (nr == __NR_SCMP_ERROR)
			continue;
		rc = add_rule(ctx, nr, sb_rules[i].rule);
		if (rc != 0)
			g_set_error(error, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_SETUP,
				    "cannot add seccomp rule for %s: %s", sb_rules[i].name,
				    g_strerror(-rc));
	}
	if (rc == 0) {
		rc = seccomp_load(ctx);
		if (rc != 0)
			g_set_error(error, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_SETUP,
				    "cannot load the seccomp filter: %s", g_strerror(-rc));
	}
	seccomp_release(ctx);
	return rc == 0;
}
