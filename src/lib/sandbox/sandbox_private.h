/* sandbox_private.h - wire protocol between sandbox.c and sandbox_child.c. */
#ifndef KJ_SANDBOX_SANDBOX_PRIVATE_H
#define KJ_SANDBOX_SANDBOX_PRIVATE_H

#include "sandbox/sandbox.h"

#include <stdint.h>

/*
 * Frames on the channel (a SOCK_STREAM socketpair, native byte order: both
 * ends are the same program on the same host).
 *   parent -> child: KjSbRequest, then len input bytes.
 *   child -> parent: KjSbReply, then len payload bytes (output for OK,
 *   message for FAILED and SETUP, nothing for READY and LIMIT, where len is
 *   the size that was too large).
 */
#define KJ_SB_MAGIC 0x4b4a5342u /* "KJSB" */

/* SO_SNDBUF and SO_RCVBUF of both ends of the channel (see sandbox.c). */
#define KJ_SB_SOCKET_BUFFER (4 * 1024 * 1024)

/* The child's end of the channel after setup; write/read are allowed on it. */
#define KJ_SB_CHILD_FD 3

typedef enum {
	KJ_SB_READY = 1, /* setup finished, filter loaded */
	KJ_SB_OK,
	KJ_SB_FAILED,
	KJ_SB_LIMIT,
	KJ_SB_SETUP,
} KjSbStatus;

typedef struct {
	uint32_t magic;
	uint32_t reserved;
	uint64_t len;
} KjSbRequest;

typedef struct {
	uint32_t magic;
	uint32_t status;
	uint64_t len;
} KjSbReply;

/* What the child needs to know; a copy of the parent's normalised options. */
typedef struct {
	const KjSandboxOptions *opts;
	KjSandboxFunc func;
	gpointer user_data;
	int fd;       /* child's end of the channel, any number */
	guint jobs;   /* jobs this worker may serve (RLIMIT_CPU multiplier) */
	pid_t parent; /* to detect a parent that died before PDEATHSIG was set */
} KjSbChildArgs;

/* The host's handle on its spawner (sandbox_spawn.c), and on the reserve:
 * a copy of the spawner forked by the spawner itself, which takes over if
 * the spawner dies, so that a replacement is never forked by the
 * (multi-threaded) host. */
typedef struct {
	pid_t pid;      /* 0: none (not started, or stopped after a failure) */
	int ctl;        /* SOCK_SEQPACKET channel, -1 if none */
	int pidfd;      /* -1 if unavailable */
	gboolean child; /* the host's own child (reaped by waitpid), not a reserve */
	pid_t reserve;  /* 0: none */
	int reserve_ctl;
	int reserve_pidfd;
} KjSbSpawner;

/* A handle with nothing started. */
void _kj_sandbox_spawner_init(KjSbSpawner *sp);
/* Makes the reserve the spawner (and asks it for a new reserve); FALSE
 * when there is none alive. */
gboolean _kj_sandbox_spawner_takeover(KjSbSpawner *sp);

/* Forks the spawner; args is copied into it for every worker it starts. */
gboolean _kj_sandbox_spawner_start(KjSbSpawner *sp, const KjSbChildArgs *args, GError **error);
/* Closes the channels (the spawner and the reserve kill their workers and
 * exit) and waits for them. */
void _kj_sandbox_spawner_stop(KjSbSpawner *sp);
/* Asks for a worker: its pid and the host's end of its channel. */
gboolean _kj_sandbox_spawner_spawn(KjSbSpawner *sp, pid_t *pid, int *fd, GError **error);
/* The wait status of a worker the host has killed, -1 if unknown. */
int _kj_sandbox_spawner_reap(KjSbSpawner *sp, pid_t pid);

/* Shared by the worker and the spawner (sandbox_child.c, sandbox.c). */
void _kj_sandbox_reset_signals(void);
void _kj_sandbox_close_from(int first);
void _kj_sandbox_set_buffers(const int sv[2]);

/* Never returns: the child ends with _exit(). */
G_GNUC_NORETURN void _kj_sandbox_child_main(const KjSbChildArgs *args);

/* Loads the seccomp filter into the calling process (sandbox_seccomp.c). */
gboolean _kj_sandbox_seccomp_load(GError **error);

/* TRUE when built with AddressSanitizer (RLIMIT_AS is then not set). */
#if defined(__SANITIZE_ADDRESS__)
#define KJ_SB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KJ_SB_ASAN 1
#endif
#endif
#ifndef KJ_SB_ASAN
#define KJ_SB_ASAN 0
#endif

#endif
