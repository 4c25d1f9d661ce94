/*++
 * NAME
 *	test-sandbox-spawn - workers are forked by the spawner, not the host
 * DESCRIPTION
 *	A lock another host thread holds when a worker starts must not reach
 *	the worker; a spawner that dies is replaced; freeing the sandbox
 *	leaves neither spawner nor worker behind.
 *--*/
#include "sandbox/sandbox.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

/* Taken by a host thread after the sandbox is made; taken by every job. */
static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;

static gboolean job_lock(GBytes *input, GByteArray *output, gpointer user_data, GError **error)
{
	pthread_mutex_lock(&held);
	pthread_mutex_unlock(&held);
	g_byte_array_append(output, (const guint8 *)"ok", 2);
	return TRUE;
}

typedef struct {
	GMutex m;
	GCond c;
	gboolean locked, release;
} Holder;

static gpointer hold_thread(gpointer data)
{
	Holder *h = data;

	pthread_mutex_lock(&held);
	g_mutex_lock(&h->m);
	h->locked = TRUE;
	g_cond_broadcast(&h->c);
	while (!h->release)
		g_cond_wait(&h->c, &h->m);
	g_mutex_unlock(&h->m);
	pthread_mutex_unlock(&held);
	return NULL;
}

static KjSandbox *new_sandbox(KjSandboxMode mode, KjSandboxFunc func)
{
	KjSandboxOptions o;

	kj_sandbox_options_init(&o);
	o.mode = mode;
	o.timeout_ms = 3000;
	o.max_jobs = 2;
	o.name = "test worker";
	return kj_sandbox_new(&o, func, NULL);
}

static void run_ok(KjSandbox *sb)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GBytes) in = g_bytes_new_static("x", 1);
	g_autoptr(GBytes) out = kj_sandbox_run(sb, in, &err);

	g_assert_no_error(err);
	g_assert_cmpmem(g_bytes_get_data(out, NULL), g_bytes_get_size(out), "ok", 2);
}

/* Before the spawner, each of these workers was forked by the host while
 * the other thread held the lock, and hung until the timeout. */
static void test_lock_held_at_fork(gconstpointer data)
{
	KjSandboxMode mode = (KjSandboxMode)GPOINTER_TO_INT(data);
	g_autoptr(KjSandbox) sb = new_sandbox(mode, job_lock);
	Holder h = {0};
	GThread *t;
	KjSandboxStats st;

	g_mutex_init(&h.m);
	g_cond_init(&h.c);
	t = g_thread_new("holder", hold_thread, &h);
	g_mutex_lock(&h.m);
	while (!h.locked)
		g_cond_wait(&h.c, &h.m);
	g_mutex_unlock(&h.m);
	for (int i = 0; i < 5; i++) /* max_jobs 2: three workers at least */
		run_ok(sb);
	kj_sandbox_get_stats(sb, &st);
	g_assert_cmpuint(st.forks, >=, 3);
	g_assert_cmpuint(st.timeouts, ==, 0);
	g_mutex_lock(&h.m);
	h.release = TRUE;
	g_cond_broadcast(&h.c);
	g_mutex_unlock(&h.m);
	g_thread_join(t);
	g_mutex_clear(&h.m);
	g_cond_clear(&h.c);
}

static gboolean job_ok(GBytes *input, GByteArray *output, gpointer user_data, GError **error)
{
	g_byte_array_append(output, (const guint8 *)"ok", 2);
	return TRUE;
}

/* Parent process id of pid, from /proc/PID/stat (field 4). */
static int parent_of(int pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/stat", pid);
	g_autofree char *text = NULL;
	g_auto(GStrv) f = NULL;
	const char *p;

	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	p = strrchr(text, ')'); /* the command name may contain anything */
	g_assert_nonnull(p);
	f = g_strsplit(p + 1, " ", 4); /* "", state, ppid, rest */
	g_assert_cmpuint(g_strv_length(f), ==, 4);
	return (int)g_ascii_strtoll(f[2], NULL, 10);
}

/* Dead: reaped, or a zombie waiting for a parent that is not this
 * process (a spawner's reserve is reaped by init once it takes over). */
static gboolean gone(int pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/stat", pid);
	g_autofree char *text = NULL;
	const char *p;

	if (kill(pid, 0) == -1 && errno == ESRCH)
		return TRUE;
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return TRUE;
	p = strrchr(text, ')');
	return p != NULL && p[1] == ' ' && p[2] == 'Z';
}

static void test_spawner_replaced(void)
{
	KjSandbox *sb = new_sandbox(KJ_SANDBOX_REUSE, job_ok);
	g_autoptr(GError) err = NULL;
	g_autoptr(GBytes) in = g_bytes_new_static("x", 1);
	g_autoptr(GBytes) lost = NULL;
	int worker, spawner, worker2, spawner2;

	run_ok(sb);
	worker = kj_sandbox_get_worker_pid(sb);
	spawner = parent_of(worker);
	g_assert_cmpint(spawner, !=, getpid());
	g_assert_cmpint(parent_of(spawner), ==, getpid());
	g_assert_cmpint(kill(spawner, SIGKILL), ==, 0);
	/* The worker dies with its spawner; this job may fail, never hang. */
	lost = kj_sandbox_run(sb, in, &err);
	if (lost == NULL)
		g_test_message("job after the spawner died: %s", err->message);
	g_clear_error(&err);
	run_ok(sb);
	worker2 = kj_sandbox_get_worker_pid(sb);
	spawner2 = parent_of(worker2);
	g_assert_cmpint(spawner2, !=, spawner);
	/* Taken over by the reserve, the dead spawner's own copy: not a
	 * new fork of this (threaded, in a daemon) process. */
	g_assert_cmpint(parent_of(spawner2), !=, getpid());
	kj_sandbox_free(sb);
	g_assert_true(gone(worker2));
	g_assert_true(gone(spawner2));
}

/* State letter of pid, from /proc/PID/stat (field 3). */
static char state_of(int pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/stat", pid);
	g_autofree char *text = NULL;
	const char *p;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return '?';
	p = strrchr(text, ')');
	return p != NULL && p[1] == ' ' ? p[2] : '?';
}

/* A spawner killed while it had no worker (the host learns of it only
 * at the next spawn) is replaced by that job, which succeeds. */
static void test_spawner_lost_idle(void)
{
	g_autoptr(KjSandbox) sb = new_sandbox(KJ_SANDBOX_REUSE, job_ok);
	g_autofree char *path = g_strdup_printf("/proc/%d/task/%d/children", getpid(), getpid());
	g_autofree char *text = NULL;
	KjSandboxStats st;

	if (!g_file_get_contents(path, &text, NULL, NULL)) {
		g_test_skip("no /proc/PID/task/TID/children");
		return;
	}
	/* This sandbox's spawner is the test's only child. */
	g_auto(GStrv) kids = g_strsplit(g_strstrip(text), " ", -1);
	g_assert_cmpuint(g_strv_length(kids), ==, 1);
	int spawner = (int)g_ascii_strtoll(kids[0], NULL, 10);
	g_assert_cmpint(kill(spawner, SIGKILL), ==, 0);
	for (int i = 0; i < 10000 && state_of(spawner) != 'Z'; i++)
		g_usleep(1000);
	g_assert_cmpint(state_of(spawner), ==, 'Z');
	run_ok(sb);
	kj_sandbox_get_stats(sb, &st);
	g_assert_cmpuint(st.setup_errors, ==, 0);
	g_assert_cmpint(parent_of(kj_sandbox_get_worker_pid(sb)), !=, spawner);
	g_assert_cmpint(state_of(spawner), ==, '?'); /* reaped */
}

/* Each lost spawner is followed by its reserve, which makes a reserve of
 * its own: the host never forks a replacement itself. */
static void test_spawner_reserve(void)
{
	g_autoptr(KjSandbox) sb = new_sandbox(KJ_SANDBOX_REUSE, job_ok);
	g_autoptr(GBytes) in = g_bytes_new_static("x", 1);
	int spawner, prev = 0;

	run_ok(sb);
	spawner = parent_of(kj_sandbox_get_worker_pid(sb));
	g_assert_cmpint(parent_of(spawner), ==, getpid());
	for (int round = 0; round < 3; round++) {
		g_autoptr(GError) err = NULL;
		g_autoptr(GBytes) lost = NULL;
		g_assert_cmpint(kill(spawner, SIGKILL), ==, 0);
		/* The worker dies with its spawner: this job may fail. */
		lost = kj_sandbox_run(sb, in, &err);
		if (lost == NULL)
			g_test_message("job after the spawner died: %s", err->message);
		run_ok(sb);
		prev = spawner;
		spawner = parent_of(kj_sandbox_get_worker_pid(sb));
		g_assert_cmpint(spawner, !=, prev);
		g_assert_cmpint(parent_of(spawner), !=, getpid());
	}
	g_autofree char *path = g_strdup_printf("/proc/%d/task/%d/children", getpid(), getpid());
	g_autofree char *text = NULL;
	if (g_file_get_contents(path, &text, NULL, NULL))
		g_assert_cmpstr(g_strstrip(text), ==, ""); /* the first one reaped, no new fork */
}

static gpointer make_sandbox(gpointer data)
{
	return new_sandbox(KJ_SANDBOX_REUSE, job_ok);
}

/* A spawner made by a thread that then ends (a pool thread replacing a
 * lost spawner, say) lives on: it is not tied to that thread. */
static void test_spawner_outlives_thread(void)
{
	GThread *t = g_thread_new("maker", make_sandbox, NULL);
	g_autoptr(KjSandbox) sb = g_thread_join(t);
	KjSandboxStats st;

	run_ok(sb);
	int spawner = parent_of(kj_sandbox_get_worker_pid(sb));
	/* Five jobs, two a worker: three workers, all from that spawner. */
	for (int i = 0; i < 4; i++)
		run_ok(sb);
	g_assert_cmpint(parent_of(kj_sandbox_get_worker_pid(sb)), ==, spawner);
	g_assert_cmpint(state_of(spawner), !=, 'Z');
	kj_sandbox_get_stats(sb, &st);
	g_assert_cmpuint(st.forks, ==, 3);
	g_assert_cmpuint(st.crashes + st.setup_errors + st.protocol_errors, ==, 0);
}

/* NONE runs in process: no spawner is forked at all. */
static void test_none_forks_nothing(void)
{
	g_autoptr(KjSandbox) sb = new_sandbox(KJ_SANDBOX_NONE, job_ok);
	KjSandboxStats st;

	run_ok(sb);
	kj_sandbox_get_stats(sb, &st);
	g_assert_cmpuint(st.forks, ==, 0);
	g_assert_cmpint(kj_sandbox_get_worker_pid(sb), ==, 0);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_data_func("/sandbox-spawn/lock-held-at-fork/reuse",
			     GINT_TO_POINTER(KJ_SANDBOX_REUSE), test_lock_held_at_fork);
	g_test_add_data_func("/sandbox-spawn/lock-held-at-fork/fork-each",
			     GINT_TO_POINTER(KJ_SANDBOX_FORK_EACH), test_lock_held_at_fork);
	g_test_add_func("/sandbox-spawn/spawner-replaced", test_spawner_replaced);
	g_test_add_func("/sandbox-spawn/spawner-lost-idle", test_spawner_lost_idle);
	g_test_add_func("/sandbox-spawn/spawner-reserve", test_spawner_reserve);
	g_test_add_func("/sandbox-spawn/spawner-outlives-thread", test_spawner_outlives_thread);
	g_test_add_func("/sandbox-spawn/none-forks-nothing", test_none_forks_nothing);
	return g_test_run();
}
