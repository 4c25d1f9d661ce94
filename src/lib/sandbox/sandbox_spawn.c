/*++
 * NAME
 *	sandbox_spawn - the fork server that starts a sandbox's workers
 * DESCRIPTION
 *	fork() copies only the calling thread.  A lock that another thread
 *	of the host held at that moment (glibc's gconv or locale lock, a
 *	GLib or library mutex) stays taken forever in the child, and a
 *	worker that needs it hangs until the job's timeout.  So workers are
 *	not forked by the host: kj_sandbox_new() forks one small process,
 *	the spawner, at a moment the host chooses (front ends create their
 *	sandboxes before they start threads), and every worker of that
 *	sandbox is then forked by the spawner, which never has a second
 *	thread and never runs anything but the loop below.  A worker is
 *	therefore a copy of the host as it was when the sandbox was made,
 *	whatever the host's threads are doing when the worker starts.
 *
 *	A spawner that dies (killed, say) is followed by its reserve: a copy
 *	of itself that it forked on the host's request (CLONE) as soon as it
 *	started, which waits on a channel of its own and does not die with
 *	its parent.  The reserve that takes over makes a reserve in turn.
 *	So a replacement is a fork of a single-threaded process, like the
 *	first spawner; only when the reserve is gone too does the host fork
 *	a new spawner from whatever thread runs the job, where another
 *	thread may hold a lock at that moment (the risk the spawner exists
 *	to avoid).
 *
 *	Protocol on the spawner's channel (SOCK_SEQPACKET socketpair, one
 *	KjSbSpawnMsg per packet, native byte order):
 *	  host -> spawner: SPAWN; REAP with the worker's pid; CLONE.
 *	  spawner -> host: SPAWNED with the worker's (or the reserve's) pid
 *	  and, as SCM_RIGHTS, the host's end of its channel; FAILED with an
 *	  errno; EXITED with the worker's wait status.
 *	The host sends REAP only after it has killed the worker, so the
 *	spawner's blocking waitpid() returns at once.  It keeps two workers
 *	at most: the one serving jobs and the one the host starts while the
 *	first serves its last job (sandbox.c, standby).  End of file on the
 *	channel (the host freed the sandbox or died) makes the spawner kill
 *	its workers and exit.
 * SECURITY
 *	The spawner never sees job input; it is as trusted as the host.  It
 *	holds no descriptor but its channel and stdio, resets inherited
 *	signal handlers, and exits when the host closes the channel or dies
 *	(end of file); workers die with the spawner (PR_SET_PDEATHSIG).
 *	Workers are
 *	confined exactly as before (sandbox_child.c).
 * SEE ALSO
 *	sandbox.c, sandbox_child.c
 *--*/
#include "sandbox/sandbox_private.h"

#include "util/limits.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

enum { SPAWN = 1, REAP, SPAWNED, FAILED, EXITED, CLONE };

typedef struct {
	uint32_t magic;
	uint32_t kind;
	int32_t pid;
	int32_t value; /* FAILED: errno; EXITED: wait status */
} KjSbSpawnMsg;

static G_GNUC_NORETURN void spawner_exit(void)
{
	for (;;)
		syscall(SYS_exit_group, 0);
}

static void spawner_send(int ctl, uint32_t kind, pid_t pid, int value, int fd)
{
	KjSbSpawnMsg m = {.magic = KJ_SB_MAGIC, .kind = kind, .pid = pid, .value = value};
	struct iovec iov = {&m, sizeof m};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr h = {.msg_iov = &iov, .msg_iovlen = 1};

	if (fd >= 0) {
		struct cmsghdr *c;
		memset(&u, 0, sizeof u);
		h.msg_control = u.buf;
		h.msg_controllen = sizeof u.buf;
		c = CMSG_FIRSTHDR(&h);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof fd);
	}
	while (sendmsg(ctl, &h, MSG_NOSIGNAL) < 0) {
		if (errno != EINTR)
			spawner_exit(); /* the host is gone */
	}
}

static void spawner_kill(pid_t worker)
{
	int st;

	if (worker <= 0)
		return;
	(void)kill(worker, SIGKILL);
	while (waitpid(worker, &st, 0) < 0 && errno == EINTR)
		;
}

/* A worker serving jobs, and the one the host may have started ahead to
 * take over from it (sandbox.c: standby). */
#define KJ_SB_SPAWNER_WORKERS 2

static G_GNUC_NORETURN void spawner_loop(KjSbChildArgs *args, int ctl);

/* A worker: its channel is wherever it lands; sandbox_child.c moves it. */
static G_GNUC_NORETURN void worker_main(KjSbChildArgs *args, int fd)
{
	args->fd = fd;
	_kj_sandbox_child_main(args);
}

/* A reserve: a copy of this spawner with a channel of its own in the
 * place of this one's (fd 3), and no worker.  Forked by a process that
 * never has a second thread, it is as clean a copy of the host as this
 * one; its parent's death does not end it. */
static G_GNUC_NORETURN void reserve_main(KjSbChildArgs *args, int fd)
{
	if (dup2(fd, KJ_SB_CHILD_FD) < 0)
		spawner_exit();
	close(fd);
	spawner_loop(args, KJ_SB_CHILD_FD);
}

/* Forks a child on a new channel of the given socket type: the child
 * runs child_main with its end, the host is sent the other end and the
 * child's pid (SPAWNED), or FAILED.  Returns the pid, 0 on failure. */
static pid_t fork_child(KjSbChildArgs *args, int ctl, int type,
			void (*child_main)(KjSbChildArgs *, int))
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv) < 0) {
		spawner_send(ctl, FAILED, 0, errno, -1);
		return 0;
	}
	if (type == SOCK_STREAM)
		_kj_sandbox_set_buffers(sv);
	args->parent = getpid();
	pid = fork();
	if (pid == 0) {
		close(ctl);
		close(sv[0]);
		child_main(args, sv[1]);
		spawner_exit();
	}
	close(sv[1]);
	if (pid < 0)
		spawner_send(ctl, FAILED, 0, errno, -1);
	else
		spawner_send(ctl, SPAWNED, pid, 0, sv[0]);
	close(sv[0]);
	return pid > 0 ? pid : 0;
}

static void spawn_one(KjSbChildArgs *args, int ctl, pid_t worker[KJ_SB_SPAWNER_WORKERS])
{
	/* The host reaps a worker before it asks for the third; be sure. */
	if (worker[0] > 0 && worker[1] > 0) {
		spawner_kill(worker[0]);
		worker[0] = 0;
	}
	pid_t pid = fork_child(args, ctl, SOCK_STREAM, worker_main);
	if (pid > 0)
		worker[worker[0] > 0 ? 1 : 0] = pid;
}

static G_GNUC_NORETURN void spawner_loop(KjSbChildArgs *args, int ctl)
{
	pid_t worker[KJ_SB_SPAWNER_WORKERS] = {0, 0};

	for (;;) {
		KjSbSpawnMsg m;
		ssize_t n = recv(ctl, &m, sizeof m, 0);
		int k = -1;

		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof m || m.magic != KJ_SB_MAGIC) {
			for (int i = 0; i < KJ_SB_SPAWNER_WORKERS; i++)
				spawner_kill(worker[i]);
			spawner_exit();
		}
		for (int i = 0; i < KJ_SB_SPAWNER_WORKERS; i++)
			if (m.kind == REAP && m.pid > 0 && m.pid == worker[i])
				k = i;
		if (m.kind == SPAWN) {
			spawn_one(args, ctl, worker);
		} else if (m.kind == CLONE) {
			(void)fork_child(args, ctl, SOCK_SEQPACKET, reserve_main);
		} else if (k >= 0) {
			int st = -1;
			while (waitpid(worker[k], &st, 0) < 0) {
				if (errno != EINTR) {
					st = -1;
					break;
				}
			}
			worker[k] = 0;
			spawner_send(ctl, EXITED, m.pid, st, -1);
		} else {
			spawner_send(ctl, EXITED, m.pid, -1, -1);
		}
	}
}

static G_GNUC_NORETURN void spawner_main(KjSbChildArgs *args, int ctl, pid_t host)
{
	/* No PR_SET_PDEATHSIG: it fires when the creating *thread* exits,
	 * and a spawner made from a pool thread would die, with the worker
	 * of whatever job another thread was running, when that thread was
	 * retired.  The host's death closes the channel instead: recv() in
	 * the loop sees the end of file. */
	if (getppid() != host)
		spawner_exit();
	/* Named for ps(1) and /proc (the name of the thread that forked it
	 * otherwise); its reserves inherit the name, its workers rename. */
	(void)prctl(PR_SET_NAME, "kj-spawner", 0, 0, 0);
	_kj_sandbox_reset_signals();
	/* Nothing of the host's but stdio and the channel: move the channel
	 * to 3 and close the rest, as the worker will. */
	if (ctl != KJ_SB_CHILD_FD) {
		if (dup2(ctl, KJ_SB_CHILD_FD) < 0)
			spawner_exit();
		ctl = KJ_SB_CHILD_FD;
	}
	_kj_sandbox_close_from(KJ_SB_CHILD_FD + 1);
	spawner_loop(args, ctl);
}

void _kj_sandbox_spawner_init(KjSbSpawner *sp)
{
	memset(sp, 0, sizeof *sp);
	sp->ctl = sp->pidfd = sp->reserve_ctl = sp->reserve_pidfd = -1;
}

static void reserve_make(KjSbSpawner *sp);

gboolean _kj_sandbox_spawner_start(KjSbSpawner *sp, const KjSbChildArgs *args, GError **error)
{
	int sv[2];
	pid_t host = getpid();
	pid_t pid;

	sp->pid = 0;
	sp->ctl = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		int err = errno;
		g_set_error(error, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_SETUP,
			    "cannot create a channel for the %s spawner: %s", args->opts->name,
			    g_strerror(err));
		return FALSE;
	}
	pid = fork();
	if (pid == 0) {
		KjSbChildArgs copy = *args;
		close(sv[0]);
		spawner_main(&copy, sv[1], host);
	}
	close(sv[1]);
	if (pid < 0) {
		int err = errno;
		close(sv[0]);
		g_set_error(error, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_SETUP,
			    "cannot fork the %s spawner: %s", args->opts->name, g_strerror(err));
		return FALSE;
	}
	sp->pid = pid;
	sp->ctl = sv[0];
	sp->pidfd = pidfd_open(pid, 0);
	sp->child = TRUE;
	reserve_make(sp);
	return TRUE;
}

/* Waits (boundedly) for a process that is not the host's child to exit:
 * it is reaped by its parent or by init, not here. */
static void await_exit(int pidfd)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};

	if (pidfd < 0)
		return;
	while (poll(&p, 1, KJ_SANDBOX_SPAWN_MS) < 0 && errno == EINTR)
		;
	close(pidfd);
}

/* End of file tells a spawner to kill its workers and exit. */
static void primary_stop(KjSbSpawner *sp)
{
	int st;

	if (sp->pid <= 0)
		return;
	close(sp->ctl);
	if (sp->child) {
		while (waitpid(sp->pid, &st, 0) < 0 && errno == EINTR)
			;
		if (sp->pidfd >= 0)
			close(sp->pidfd);
	} else {
		await_exit(sp->pidfd);
	}
	sp->pid = 0;
	sp->ctl = -1;
	sp->pidfd = -1;
}

static void reserve_stop(KjSbSpawner *sp)
{
	if (sp->reserve <= 0)
		return;
	close(sp->reserve_ctl);
	await_exit(sp->reserve_pidfd);
	sp->reserve = 0;
	sp->reserve_ctl = -1;
	sp->reserve_pidfd = -1;
}

void _kj_sandbox_spawner_stop(KjSbSpawner *sp)
{
	primary_stop(sp);
	reserve_stop(sp);
}

/* One reply, within the deadline.  *fd receives a passed descriptor. */
static gboolean spawner_recv(KjSbSpawner *sp, KjSbSpawnMsg *m, int *fd, gint64 deadline)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {m, sizeof *m};
	struct msghdr h = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	*fd = -1;
	for (;;) {
		struct pollfd p = {.fd = sp->ctl, .events = POLLIN};
		gint64 left = deadline - g_get_monotonic_time();
		int r;

		if (left <= 0)
			return FALSE;
		r = poll(&p, 1, (int)MIN((left + 999) / 1000, (gint64)G_MAXINT));
		if (r > 0)
			break;
		if (r < 0 && errno != EINTR)
			return FALSE;
	}
	h.msg_control = u.buf;
	h.msg_controllen = sizeof u.buf;
	do
		n = recvmsg(sp->ctl, &h, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&h); n > 0 && c != NULL; c = CMSG_NXTHDR(&h, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(fd, CMSG_DATA(c), sizeof *fd);
	}
	if (n == (ssize_t)sizeof *m && m->magic == KJ_SB_MAGIC && !(h.msg_flags & MSG_CTRUNC))
		return TRUE;
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
	return FALSE;
}

static gboolean spawner_ask(KjSbSpawner *sp, uint32_t kind, pid_t pid)
{
	KjSbSpawnMsg m = {.magic = KJ_SB_MAGIC, .kind = kind, .pid = pid};

	if (sp->pid <= 0)
		return FALSE;
	for (;;) {
		if (send(sp->ctl, &m, sizeof m, MSG_NOSIGNAL) == (ssize_t)sizeof m)
			return TRUE;
		if (errno != EINTR)
			return FALSE;
	}
}

/* A spawner that does not answer is replaced by the next spawn (by the
 * reserve, which is kept). */
static void spawner_broken(KjSbSpawner *sp)
{
	if (sp->pid > 0 && sp->pidfd >= 0)
		(void)pidfd_send_signal(sp->pidfd, SIGKILL, NULL, 0);
	else if (sp->pid > 0 && sp->child)
		(void)kill(sp->pid, SIGKILL);
	primary_stop(sp);
}

/* CLONE, while the spawner is there and no reserve is. */
static void reserve_make(KjSbSpawner *sp)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)KJ_SANDBOX_SPAWN_MS * 1000;
	KjSbSpawnMsg m;
	int fd = -1;

	if (sp->pid <= 0 || sp->reserve > 0)
		return;
	if (!spawner_ask(sp, CLONE, 0) || !spawner_recv(sp, &m, &fd, deadline)) {
		spawner_broken(sp);
		return;
	}
	if (m.kind != SPAWNED || m.pid <= 0 || fd < 0) {
		if (fd >= 0)
			close(fd);
		return;
	}
	sp->reserve = m.pid;
	sp->reserve_ctl = fd;
	/* Now, while it is certainly the spawner's unreaped child. */
	sp->reserve_pidfd = pidfd_open(m.pid, 0);
}

gboolean _kj_sandbox_spawner_takeover(KjSbSpawner *sp)
{
	struct pollfd p = {.fd = sp->reserve_pidfd, .events = POLLIN};

	if (sp->pid > 0 || sp->reserve <= 0)
		return FALSE;
	/* Without a pidfd its life cannot be told safely: not taken. */
	if (sp->reserve_pidfd < 0 || poll(&p, 1, 0) != 0) {
		reserve_stop(sp);
		return FALSE;
	}
	sp->pid = sp->reserve;
	sp->ctl = sp->reserve_ctl;
	sp->pidfd = sp->reserve_pidfd;
	sp->child = FALSE;
	sp->reserve = 0;
	sp->reserve_ctl = sp->reserve_pidfd = -1;
	reserve_make(sp);
	return TRUE;
}

gboolean _kj_sandbox_spawner_spawn(KjSbSpawner *sp, pid_t *pid, int *fd, GError **error)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)KJ_SANDBOX_SPAWN_MS * 1000;
	KjSbSpawnMsg m;

	if (!spawner_ask(sp, SPAWN, 0) || !spawner_recv(sp, &m, fd, deadline)) {
		spawner_broken(sp);
		g_set_error(error, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_SETUP,
			    "the worker spawner did not answer");
		return FALSE;
	}
	if (m.kind == SPAWNED && m.pid > 0 && *fd >= 0) {
		*pid = m.pid;
		return TRUE;
	}
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
	if (m.kind == FAILED) {
		g_set_error(error, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_SETUP,
			    "cannot start a worker: %s", g_strerror(m.value));
		return FALSE;
	}
	spawner_broken(sp);
	g_set_error(error, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_SETUP,
		    "the worker spawner sent an unexpected reply");
	return FALSE;
}

int _kj_sandbox_spawner_reap(KjSbSpawner *sp, pid_t pid)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)KJ_SANDBOX_SPAWN_MS * 1000;
	KjSbSpawnMsg m;
	int fd;

	if (!spawner_ask(sp, REAP, pid) || !spawner_recv(sp, &m, &fd, deadline)) {
		spawner_broken(sp);
		return -1;
	}
	if (fd >= 0)
		close(fd);
	if (m.kind != EXITED || m.pid != pid) {
		spawner_broken(sp);
		return -1;
	}
	return m.value;
}
