/* test-sandbox.c - unit tests for sandbox/: isolation, limits, recycling. */
#include "sandbox/sandbox.h"
#include "sandbox/sandbox_private.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <iconv.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

/* ---- job functions (they run in the worker) ---- */

static gboolean job_echo(GBytes *input, GByteArray *output, gpointer user_data, GError **error)
{
	gsize len;
	const guint8 *p = g_bytes_get_data(input, &len);

	g_byte_array_append(output, p, (guint)len);
	return TRUE;
}

static gboolean job_pid(GBytes *input, GByteArray *output, gpointer user_data, GError **error)
{
	char buf[32];
	int n = g_snprintf(buf, sizeof buf, "%d", (int)getpid());

	g_byte_array_append(output, (const guint8 *)buf, (guint)n);
	return TRUE;
}

/* Input selects the behaviour: "ok", "segv", "abort", "raise", "loop",
 * "oom", "big", "fail", "ctl". */
static gboolean job_misbehave(GBytes *input, GByteArray *output, gpointer user_data, GError **error)
{
	gsize len;
	const char *cmd = g_bytes_get_data(input, &len);
	g_autofree char *c = g_strndup(cmd, len);

	if (g_str_equal(c, "segv")) {
		volatile uintptr_t addr = 16;
		*(volatile int *)addr = 1;
	} else if (g_str_equal(c, "abort")) {
		abort();
	} else if (g_str_equal(c, "raise")) {
		raise(SIGSEGV);
	} else if (g_str_equal(c, "loop")) {
		volatile guint64 n = 0;
		for (;;)
			n++;
	} else if (g_str_equal(c, "oom")) {
		for (;;)
			memset(g_malloc(1 << 20), 1, 1 << 20);
	} else if (g_str_equal(c, "big")) {
		g_byte_array_set_size(output, 4096);
		memset(output->data, 'x', 4096);
		return TRUE;
	} else if (g_str_equal(c, "fail")) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "bad input: 壊れた part %d",
			    3);
		return FALSE;
	} else if (g_str_equal(c, "ctl")) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
				    "line1\nline2\x1b[31m");
		return FALSE;
	}
	g_byte_array_append(output, (const guint8 *)"ok", 2);
	return TRUE;
}

static KjSandbox *new_sandbox(KjSandboxMode mode, guint timeout_ms, KjSandboxFunc func,
			      gpointer user_data)
{
	KjSandboxOptions o;

	kj_sandbox_options_init(&o);
	o.mode = mode;
	o.timeout_ms = timeout_ms;
	o.name = "test worker";
	return kj_sandbox_new(&o, func, user_data);
}

static GBytes *run_str(KjSandbox *sb, const char *s, GError **error)
{
	g_autoptr(GBytes) in = g_bytes_new(s, strlen(s));

	return kj_sandbox_run(sb, in, error);
}

static void assert_output(GBytes *out, const char *want)
{
	gsize len;
	const char *p;

	g_assert_nonnull(out);
	p = g_bytes_get_data(out, &len);
	g_assert_cmpmem(p, len, want, strlen(want));
}

/* ---- round trips and recycling ---- */

static void test_echo_mode(gconstpointer data)
{
	KjSandboxMode mode = (KjSandboxMode)GPOINTER_TO_INT(data);
	g_autoptr(KjSandbox) sb = new_sandbox(mode, 5000, job_echo, NULL);
	g_autoptr(GError) err = NULL;
	g_autoptr(GByteArray) big = g_byte_array_sized_new(1 << 20);
	g_autoptr(GBytes) big_in = NULL;
	g_autoptr(GBytes) out = NULL;
	KjSandboxStats st;

	for (int i = 0; i < 3; i++) {
		g_autoptr(GBytes) o = run_str(sb, "hello 世界", &err);
		g_assert_no_error(err);
		assert_output(o, "hello 世界");
	}
	/* Empty input, and one larger than the socket buffer both ways. */
	out = run_str(sb, "", &err);
	g_assert_no_error(err);
	g_assert_cmpuint(g_bytes_get_size(out), ==, 0);
	g_byte_array_set_size(big, 1 << 20);
	for (guint i = 0; i < big->len; i++)
		big->data[i] = (guint8)(i * 7);
	big_in = g_bytes_new(big->data, big->len);
	g_clear_pointer(&out, g_bytes_unref);
	out = kj_sandbox_run(sb, big_in, &err);
	g_assert_no_error(err);
	g_assert_true(g_bytes_equal(out, big_in));
	kj_sandbox_get_stats(sb, &st);
	g_assert_cmpuint(st.jobs, ==, 5);
	g_assert_cmpuint(st.forks, ==,
			 mode == KJ_SANDBOX_REUSE  ? 1
			 : mode == KJ_SANDBOX_NONE ? 0
						   : 5);
}

static void test_recycle(void)
{
	KjSandboxOptions o;
	g_autoptr(KjSandbox) sb = NULL;
	g_autoptr(GHashTable) pids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	KjSandboxStats st;

	kj_sandbox_options_init(&o);
	o.max_jobs = 100;
	sb = kj_sandbox_new(&o, job_pid, NULL);
	for (int i = 0; i < 1000; i++) {
		g_autoptr(GError) err = NULL;
		g_autoptr(GBytes) out = run_str(sb, "x", &err);
		gsize len;
		const char *p;

		g_assert_no_error(err);
		p = g_bytes_get_data(out, &len);
		g_hash_table_add(pids, g_strndup(p, len));
	}
	kj_sandbox_get_stats(sb, &st);
	g_assert_cmpuint(st.jobs, ==, 1000);
	g_assert_cmpuint(st.forks, ==, 10);
	g_assert_cmpuint(g_hash_table_size(pids), ==, 10);
	g_assert_cmpuint(st.crashes + st.timeouts + st.failures, ==, 0);
}

static void test_zero_options(void)
{
	KjSandboxOptions o = {0};
	g_autoptr(KjSandbox) sb = kj_sandbox_new(&o, job_echo, NULL);
	g_autoptr(GError) err = NULL;
	g_autoptr(GBytes) out = run_str(sb, "zero", &err);

	g_assert_no_error(err);
	assert_output(out, "zero");
}

static void test_free_kills_worker(void)
{
	KjSandbox *sb = new_sandbox(KJ_SANDBOX_REUSE, 5000, job_echo, NULL);
	g_autoptr(GError) err = NULL;
	g_autoptr(GBytes) G_GNUC_UNUSED out = run_str(sb, "a", &err);
	int pid = kj_sandbox_get_worker_pid(sb);

	g_assert_no_error(err);
	g_assert_cmpint(pid, >, 0);
	kj_sandbox_free(sb);
	g_assert_cmpint(kill(pid, 0), ==, -1);
	g_assert_cmpint(errno, ==, ESRCH);
}

/* ---- failures: every one gives a fresh worker next ---- */

static void expect_error(KjSandbox *sb, const char *cmd, KjSandboxError code, const char *substring)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GBytes) out = run_str(sb, cmd, &err);
	g_autoptr(GBytes) next = NULL;

	g_assert_null(out);
	g_assert_error(err, KJ_SANDBOX_ERROR, (gint)code);
	if (substring != NULL && strstr(err->message, substring) == NULL)
		g_error("%s: message \"%s\" lacks \"%s\"", cmd, err->message, substring);
	{
		g_autofree char *shown = g_strescape(cmd, NULL);
		g_test_message("%s -> %s", shown, err->message);
	}
	g_assert_cmpint(kj_sandbox_get_worker_pid(sb), ==, 0);
	g_clear_error(&err);
	next = run_str(sb, "ok", &err);
	g_assert_no_error(err);
	assert_output(next, "ok");
}

static void test_crash(void)
{
	g_autoptr(KjSandbox) sb = new_sandbox(KJ_SANDBOX_REUSE, 5000, job_misbehave, NULL);
	KjSandboxStats st;

	expect_error(sb, "segv", KJ_SANDBOX_ERROR_CRASHED,
		     "test worker killed by signal 11 (SIGSEGV");
	expect_error(sb, "abort", KJ_SANDBOX_ERROR_CRASHED, "signal 6 (SIGABRT");
	expect_error(sb, "raise", KJ_SANDBOX_ERROR_CRASHED, "signal 11");
	kj_sandbox_get_stats(sb, &st);
	g_assert_cmpuint(st.crashes, ==, 3);
	g_assert_cmpuint(st.forks, ==, 4);
}

static void test_timeout(void)
{
	g_autoptr(KjSandbox) sb = new_sandbox(KJ_SANDBOX_REUSE, 200, job_misbehave, NULL);
	gint64 t0 = g_get_monotonic_time();
	KjSandboxStats st;

	expect_error(sb, "loop", KJ_SANDBOX_ERROR_TIMEOUT, "test worker exceeded 200 ms");
	/* A loose bound (not a performance assertion): the 200 ms deadline
	 * was enforced, not the 10 s CPU limit. */
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 5 * G_USEC_PER_SEC);
	kj_sandbox_get_stats(sb, &st);
	g_assert_cmpuint(st.timeouts, ==, 1);
}

static void test_memory_limit(void)
{
	KjSandboxOptions o;
	g_autoptr(KjSandbox) sb = NULL;
	g_autoptr(GError) err = NULL;
	g_autoptr(GBytes) out = NULL;

	if (KJ_SB_ASAN) {
		g_test_skip("RLIMIT_AS is not set under AddressSanitizer");
		return;
	}
	kj_sandbox_options_init(&o);
	o.memory_bytes = 64 * 1024 * 1024;
	sb = kj_sandbox_new(&o, job_misbehave, NULL);
	out = run_str(sb, "oom", &err);
	g_assert_null(out);
	g_test_message("oom -> %s", err->message);
	g_assert_true(g_error_matches(err, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_LIMIT) ||
		      g_error_matches(err, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_CRASHED));
}

static void test_output_limit(gconstpointer data)
{
	KjSandboxOptions o;
	g_autoptr(KjSandbox) sb = NULL;

	kj_sandbox_options_init(&o);
	o.mode = (KjSandboxMode)GPOINTER_TO_INT(data);
	o.max_output = 1024;
	o.name = "test worker";
	sb = kj_sandbox_new(&o, job_misbehave, NULL);
	if (o.mode == KJ_SANDBOX_NONE) {
		g_autoptr(GError) err = NULL;
		g_autoptr(GBytes) out = run_str(sb, "big", &err);
		g_assert_null(out);
		g_assert_error(err, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_LIMIT);
		return;
	}
	expect_error(sb, "big", KJ_SANDBOX_ERROR_LIMIT, "4096 bytes exceed the limit of 1024");
}

static void test_failed_message(void)
{
	g_autoptr(KjSandbox) sb = new_sandbox(KJ_SANDBOX_REUSE, 5000, job_misbehave, NULL);
	g_autoptr(KjSandbox) none = new_sandbox(KJ_SANDBOX_NONE, 5000, job_misbehave, NULL);
	g_autoptr(GError) err = NULL;
	g_autoptr(GBytes) out = NULL;

	expect_error(sb, "fail", KJ_SANDBOX_ERROR_FAILED, NULL);
	out = run_str(sb, "fail", &err);
	g_assert_error(err, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_FAILED);
	g_assert_cmpstr(err->message, ==, "bad input: 壊れた part 3");
	g_clear_error(&err);
	/* Control characters from a (possibly compromised) worker are blanked. */
	out = run_str(sb, "ctl", &err);
	g_assert_cmpstr(err->message, ==, "line1 line2 [31m");
	g_clear_error(&err);
	out = run_str(none, "fail", &err);
	g_assert_error(err, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_FAILED);
	g_assert_cmpstr(err->message, ==, "bad input: 壊れた part 3");
}

/* ---- what the worker must not be able to do ---- */

typedef enum { EXPECT_KILL, EXPECT_EACCES } Expect;

static int inherited_fd = -1;
static pid_t test_pid; /* the test process, parent of every worker */
static char *forbidden_path;

static gboolean denied(GError **error, const char *what)
{
	int e = errno;

	g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", what, g_strerror(e));
	return FALSE;
}

static gboolean try_network(const char *arg, GError **error)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0)
		return denied(error, "socket");
	sin.sin_port = htons((uint16_t)g_ascii_strtoull(arg, NULL, 10));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	(void)connect(s, (struct sockaddr *)&sin, sizeof sin);
	return TRUE;
}

static gboolean try_files(const char *cmd, GError **error)
{
	struct stat st;

	if (g_str_equal(cmd, "open"))
		return open("/etc/passwd", O_RDONLY) >= 0 || denied(error, "open");
	if (g_str_equal(cmd, "openat"))
		return openat(AT_FDCWD, "/etc/passwd", O_RDONLY) >= 0 || denied(error, "openat");
	if (g_str_equal(cmd, "fopen"))
		return fopen("/etc/passwd", "r") != NULL || denied(error, "fopen");
	if (g_str_equal(cmd, "create"))
		return open(forbidden_path, O_CREAT | O_WRONLY, 0600) >= 0 ||
		       denied(error, "create");
	if (g_str_equal(cmd, "stat"))
		return stat("/etc/passwd", &st) == 0 || denied(error, "stat");
	g_assert_not_reached();
}

static gboolean try_process(const char *cmd, GError **error)
{
	struct rlimit rl = {RLIM_INFINITY, RLIM_INFINITY};
	char path[] = "/bin/true";
	char *argv[] = {path, NULL};

	if (g_str_equal(cmd, "execve"))
		return execve(argv[0], argv, argv + 1) == 0 || denied(error, "execve");
	if (g_str_equal(cmd, "fork")) {
		pid_t p = fork();
		if (p == 0)
			_exit(0);
		return p > 0 || denied(error, "fork");
	}
	if (g_str_equal(cmd, "ptrace"))
		return ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0 || denied(error, "ptrace");
	if (g_str_equal(cmd, "kill-parent"))
		return kill(test_pid, 0) == 0 || denied(error, "kill");
	if (g_str_equal(cmd, "setrlimit"))
		return setrlimit(RLIMIT_CPU, &rl) == 0 || denied(error, "setrlimit");
	if (g_str_equal(cmd, "prctl"))
		return prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == 0 || denied(error, "prctl");
	if (g_str_equal(cmd, "mmap-exec"))
		return mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			    0) != MAP_FAILED ||
		       denied(error, "mmap");
	if (g_str_equal(cmd, "dup"))
		return dup(KJ_SB_CHILD_FD) >= 0 || denied(error, "dup");
	if (g_str_equal(cmd, "read-inherited")) {
		char c;
		return read(inherited_fd, &c, 1) >= 0 || denied(error, "read");
	}
	g_assert_not_reached();
}

static gboolean job_forbidden(GBytes *input, GByteArray *output, gpointer user_data, GError **error)
{
	gsize len;
	const char *p = g_bytes_get_data(input, &len);
	g_autofree char *cmd = g_strndup(p, len);
	gboolean ok;

	if (g_str_has_prefix(cmd, "connect "))
		ok = try_network(cmd + 8, error);
	else if (g_str_equal(cmd, "ok"))
		return g_byte_array_append(output, (const guint8 *)"ok", 2) != NULL;
	else if (g_strv_contains(
		     (const char *const[]){"open", "openat", "fopen", "create", "stat", NULL}, cmd))
		ok = try_files(cmd, error);
	else
		ok = try_process(cmd, error);
	if (ok)
		g_byte_array_append(output, (const guint8 *)"ALLOWED", 7);
	return ok;
}

static void test_forbidden(void)
{
	static const struct {
		const char *cmd;
		Expect expect;
	} cases[] = {
	    {"open", EXPECT_EACCES},      {"openat", EXPECT_EACCES},
	    {"fopen", EXPECT_EACCES},     {"create", EXPECT_EACCES},
	    {"stat", EXPECT_EACCES},      {"execve", EXPECT_KILL},
	    {"fork", EXPECT_KILL},        {"ptrace", EXPECT_KILL},
	    {"kill-parent", EXPECT_KILL}, {"setrlimit", EXPECT_KILL},
	    {"prctl", EXPECT_KILL},       {"mmap-exec", EXPECT_KILL},
	    {"dup", EXPECT_KILL},         {"read-inherited", EXPECT_KILL},
	};
	g_autoptr(KjSandbox) sb = new_sandbox(KJ_SANDBOX_REUSE, 5000, job_forbidden, NULL);
	g_autofree char *dir = g_dir_make_tmp("kj-sandbox-XXXXXX", NULL);

	g_assert_nonnull(dir);
	forbidden_path = g_build_filename(dir, "created", NULL);
	/* Not O_CLOEXEC, as a careless host might leave it: the worker must
	 * still not reach it. */
	inherited_fd = open("/etc/passwd", O_RDONLY);
	g_assert_cmpint(inherited_fd, >=, 0);
	/* Well away from the channel's number in the worker. */
	g_assert_cmpint(dup2(inherited_fd, 100), ==, 100);
	close(inherited_fd);
	inherited_fd = 100;
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		if (cases[i].expect == EXPECT_KILL)
			expect_error(sb, cases[i].cmd, KJ_SANDBOX_ERROR_CRASHED,
				     "signal 31 (SIGSYS: forbidden system call)");
		else
			expect_error(sb, cases[i].cmd, KJ_SANDBOX_ERROR_FAILED,
				     "Permission denied");
	}
	g_assert_false(g_file_test(forbidden_path, G_FILE_TEST_EXISTS));
	close(inherited_fd);
	g_rmdir(dir);
	g_clear_pointer(&forbidden_path, g_free);
}

/* A listener in the parent: the worker's connect must never arrive. */
static void test_network_denied(void)
{
	g_autoptr(KjSandbox) sb = new_sandbox(KJ_SANDBOX_REUSE, 5000, job_forbidden, NULL);
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t sl = sizeof sin;
	int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	g_autofree char *cmd = NULL;

	g_assert_cmpint(l, >=, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g_assert_cmpint(bind(l, (struct sockaddr *)&sin, sizeof sin), ==, 0);
	g_assert_cmpint(listen(l, 4), ==, 0);
	g_assert_cmpint(getsockname(l, (struct sockaddr *)&sin, &sl), ==, 0);
	cmd = g_strdup_printf("connect %u", ntohs(sin.sin_port));
	expect_error(sb, cmd, KJ_SANDBOX_ERROR_CRASHED, "SIGSYS");
	g_assert_cmpint(accept(l, NULL, NULL), ==, -1);
	g_assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
	close(l);
}

/* ---- a compromised worker lying on the channel ---- */

static gboolean job_liar(GBytes *input, GByteArray *output, gpointer user_data, GError **error)
{
	gsize len;
	const char *cmd = g_bytes_get_data(input, &len);
	KjSbReply h = {.magic = KJ_SB_MAGIC, .status = KJ_SB_OK, .len = 1ULL << 40};

	if (len == 7 && memcmp(cmd, "garbage", 7) == 0) {
		h.magic = 0x41414141;
	} else if (len == 4 && memcmp(cmd, "huge", 4) == 0) {
		/* as initialised: OK with a terabyte of output */
	} else if (len == 7 && memcmp(cmd, "longmsg", 7) == 0) {
		h.status = KJ_SB_FAILED;
		h.len = 1 << 20;
	} else if (len == 6 && memcmp(cmd, "status", 6) == 0) {
		h.status = 99;
		h.len = 0;
	} else if (len == 6 && memcmp(cmd, "hangup", 6) == 0) {
		volatile int spin = 1;
		close(KJ_SB_CHILD_FD);
		while (spin)
			;
	} else {
		g_byte_array_append(output, (const guint8 *)"ok", 2);
		return TRUE;
	}
	if (write(KJ_SB_CHILD_FD, &h, sizeof h) != (ssize_t)sizeof h)
		return FALSE;
	g_byte_array_append(output, (const guint8 *)"ok", 2);
	return TRUE;
}

static void test_protocol(void)
{
	g_autoptr(KjSandbox) sb = new_sandbox(KJ_SANDBOX_REUSE, 300, job_liar, NULL);
	KjSandboxStats st;

	expect_error(sb, "garbage", KJ_SANDBOX_ERROR_PROTOCOL, "bad magic");
	expect_error(sb, "huge", KJ_SANDBOX_ERROR_PROTOCOL, "output larger");
	expect_error(sb, "longmsg", KJ_SANDBOX_ERROR_PROTOCOL, "oversized");
	expect_error(sb, "status", KJ_SANDBOX_ERROR_PROTOCOL, "unknown frame");
	expect_error(sb, "hangup", KJ_SANDBOX_ERROR_PROTOCOL, "closed its channel");
	kj_sandbox_get_stats(sb, &st);
	g_assert_cmpuint(st.protocol_errors, ==, 5);
}

/* ---- what the worker must be able to do ---- */

static gboolean job_iconv(GBytes *input, GByteArray *output, gpointer user_data, GError **error)
{
	gsize len;
	const char *p = g_bytes_get_data(input, &len);
	const char *nl = memchr(p, '\n', len);
	g_autofree char *cs = NULL;
	g_autofree char *via_glib = NULL;
	g_autofree char *copy = NULL;
	char buf[256];
	char *in, *out = buf;
	size_t inleft, outleft = sizeof buf;
	iconv_t cd;

	if (len == 2 && memcmp(p, "ok", 2) == 0)
		return g_byte_array_append(output, (const guint8 *)"ok", 2) != NULL;
	if (nl == NULL)
		return denied(error, "no charset");
	cs = g_strndup(p, (gsize)(nl - p));
	inleft = len - (gsize)(nl - p) - 1;
	copy = g_memdup2(nl + 1, inleft);
	in = copy;
	cd = iconv_open("UTF-8", cs);
	if (cd == (iconv_t)-1)
		return denied(error, "iconv_open");
	if (iconv(cd, &in, &inleft, &out, &outleft) == (size_t)-1) {
		iconv_close(cd);
		return denied(error, "iconv");
	}
	iconv_close(cd);
	/* The same through GLib, which GMime's callers also use. */
	via_glib =
	    g_convert(nl + 1, (gssize)(len - (gsize)(nl - p) - 1), "UTF-8", cs, NULL, NULL, error);
	if (via_glib == NULL || strlen(via_glib) != sizeof buf - outleft ||
	    memcmp(via_glib, buf, sizeof buf - outleft) != 0)
		return via_glib == NULL ? FALSE : denied(error, "g_convert differs");
	g_byte_array_append(output, (const guint8 *)buf, (guint)(sizeof buf - outleft));
	return TRUE;
}

static void test_iconv(void)
{
	static const struct {
		const char *charset;
		const char *bytes;
		const char *utf8;
	} cases[] = {
	    {"CP932", "\x93\xfa\x96\x7b\x8c\xea\x87\x40\x87\x8a", "日本語①㈱"},
	    {"SHIFT_JIS", "\x93\xfa\x96\x7b\x8c\xea", "日本語"},
	    {"EUC-JP", "\xc6\xfc\xcb\xdc\xb8\xec", "日本語"},
	    {"ISO-2022-JP", "\x1b$BF|K\\8l\x1b(B", "日本語"},
	    {"WINDOWS-1252", "caf\xe9 \x80", "café €"},
	};
	g_autoptr(KjSandbox) sb = new_sandbox(KJ_SANDBOX_FORK_EACH, 5000, job_iconv, NULL);

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) err = NULL;
		g_autofree char *in = g_strconcat(cases[i].charset, "\n", cases[i].bytes, NULL);
		g_autoptr(GBytes) out = run_str(sb, in, &err);

		g_assert_no_error(err);
		assert_output(out, cases[i].utf8);
	}
	/* A charset outside the pre-loaded list fails softly (EACCES on the
	 * gconv module), it does not kill the worker. */
	expect_error(sb, "IBM037\n\xc1", KJ_SANDBOX_ERROR_FAILED, "iconv_open");
}

static gboolean job_glib(GBytes *input, GByteArray *output, gpointer user_data, GError **error)
{
	g_autoptr(GHashTable) h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GString) s = g_string_new(NULL);
	g_autoptr(GRegex) re = g_regex_new("[0-9]+", 0, 0, error);
	g_autofree char *esc = g_markup_escape_text("<a href=\"x\">&</a>", -1);
	g_autofree char *nfc = g_utf8_normalize("ｶﾞ", -1, G_NORMALIZE_ALL_COMPOSE);
	g_autofree char *sum = g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, input);
	g_autofree char *b64 = g_base64_encode((const guchar *)"kyojin", 6);
	g_autofree char *num = NULL;
	g_auto(GStrv) parts = g_strsplit("a,b,c", ",", -1);
	g_autoptr(GDateTime) now = g_date_time_new_now_local();

	if (re == NULL || now == NULL)
		return FALSE;
	for (int i = 0; i < 1000; i++)
		g_hash_table_insert(h, g_strdup_printf("key%d", i), GINT_TO_POINTER(i));
	num = g_regex_replace_literal(re, "a1b22c333", -1, 0, "#", 0, error);
	g_string_append_printf(s, "%u|%d|%s|%s|%s|%s|%s|%u|%s|%.2f", g_hash_table_size(h),
			       GPOINTER_TO_INT(g_hash_table_lookup(h, "key777")), esc, nfc, sum,
			       b64, num, g_strv_length(parts),
			       g_utf8_validate("\xff", -1, NULL) ? "valid" : "invalid", 0.5);
	printf("# stdio works in the job (stdout is /dev/null in a worker)\n");
	fflush(stdout);
	g_byte_array_append(output, (const guint8 *)s->str, (guint)s->len);
	return TRUE;
}

static void test_glib(void)
{
	g_autoptr(KjSandbox) sb = new_sandbox(KJ_SANDBOX_REUSE, 5000, job_glib, NULL);
	g_autoptr(KjSandbox) none = new_sandbox(KJ_SANDBOX_NONE, 5000, job_glib, NULL);
	g_autoptr(GError) err = NULL;
	g_autoptr(GBytes) a = run_str(sb, "input", &err);
	g_autoptr(GBytes) b = NULL;

	g_assert_no_error(err);
	b = run_str(none, "input", &err);
	g_assert_no_error(err);
	g_test_message("glib job: %.*s", (int)g_bytes_get_size(a),
		       (const char *)g_bytes_get_data(a, NULL));
	g_assert_true(g_bytes_equal(a, b));
}

/* ---- prepare hook ---- */

static char *prepared;

static gboolean prepare_read(gpointer user_data, GError **error)
{
	return g_file_get_contents(user_data, &prepared, NULL, error);
}

static gboolean job_prepared(GBytes *input, GByteArray *output, gpointer user_data, GError **error)
{
	g_byte_array_append(output, (const guint8 *)prepared, (guint)strlen(prepared));
	return TRUE;
}

static void test_prepare(void)
{
	g_autofree char *dir = g_dir_make_tmp("kj-sandbox-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "table", NULL);
	g_autofree char *missing = g_build_filename(dir, "missing", NULL);
	KjSandboxOptions o;
	g_autoptr(GError) err = NULL;

	g_assert_true(g_file_set_contents(path, "loaded before seccomp", -1, NULL));
	kj_sandbox_options_init(&o);
	o.prepare = prepare_read;
	{
		g_autoptr(KjSandbox) sb = kj_sandbox_new(&o, job_prepared, path);
		g_autoptr(GBytes) out = run_str(sb, "x", &err);
		g_assert_no_error(err);
		assert_output(out, "loaded before seccomp");
	}
	{
		g_autoptr(KjSandbox) sb = kj_sandbox_new(&o, job_prepared, missing);
		g_autoptr(GBytes) out = run_str(sb, "x", &err);
		KjSandboxStats st;
		g_assert_null(out);
		g_assert_error(err, KJ_SANDBOX_ERROR, KJ_SANDBOX_ERROR_SETUP);
		g_assert_nonnull(strstr(err->message, "missing"));
		kj_sandbox_get_stats(sb, &st);
		g_assert_cmpuint(st.setup_errors, ==, 1);
	}
	g_unlink(path);
	g_rmdir(dir);
}

/* ---- overhead (only with -m perf) ---- */

static void perf_mode(KjSandboxMode mode, const char *label, int jobs)
{
	g_autoptr(KjSandbox) sb = new_sandbox(mode, 5000, job_echo, NULL);
	g_autofree guint8 *buf = g_malloc(20 * 1024);
	g_autoptr(GBytes) in = NULL;
	gint64 t0;

	memset(buf, 'm', 20 * 1024);
	in = g_bytes_new(buf, 20 * 1024);
	t0 = g_get_monotonic_time();
	for (int i = 0; i < jobs; i++) {
		g_autoptr(GError) err = NULL;
		g_autoptr(GBytes) G_GNUC_UNUSED out = kj_sandbox_run(sb, in, &err);
		g_assert_no_error(err);
	}
	g_test_minimized_result((double)(g_get_monotonic_time() - t0) / jobs,
				"%s: %.1f us per 20 KB echo job (%d jobs)", label,
				(double)(g_get_monotonic_time() - t0) / jobs, jobs);
}

/* ---- jobs sent ahead (kj_sandbox_run_ahead) ---- */

/* "segv..." crashes, "loop..." spins; anything else comes back as
 * "<input>@<worker pid>". */
static gboolean job_ahead(GBytes *input, GByteArray *output, gpointer user_data, GError **error)
{
	gsize len;
	const char *p = g_bytes_get_data(input, &len);
	char pid[32];
	int n = g_snprintf(pid, sizeof pid, "@%d", (int)getpid());

	if (len >= 4 && memcmp(p, "segv", 4) == 0) {
		volatile uintptr_t addr = 16;
		*(volatile int *)addr = 1;
	}
	if (len >= 4 && memcmp(p, "loop", 4) == 0) {
		volatile guint64 k = 0;
		for (;;)
			k++;
	}
	g_byte_array_append(output, (const guint8 *)p, (guint)len);
	g_byte_array_append(output, (const guint8 *)pid, (guint)n);
	return TRUE;
}

static KjSandbox *ahead_sandbox(KjSandboxMode mode, guint max_jobs, guint timeout_ms)
{
	KjSandboxOptions o;

	kj_sandbox_options_init(&o);
	o.mode = mode;
	o.max_jobs = max_jobs;
	o.timeout_ms = timeout_ms;
	o.name = "test worker";
	return kj_sandbox_new(&o, job_ahead, NULL);
}

/* The part of a job_ahead output before the pid; the pid in *pid. */
static char *ahead_output(GBytes *out, int *pid)
{
	gsize len;
	const char *p = g_bytes_get_data(out, &len);
	g_autofree char *s = g_strndup(p, len);
	char *at = strrchr(s, '@');

	g_assert_nonnull(at);
	*at = '\0';
	*pid = (int)g_ascii_strtoll(at + 1, NULL, 10);
	return g_strdup(s);
}

static GPtrArray *ahead_inputs(const char *const *words)
{
	GPtrArray *a = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);

	for (gsize i = 0; words[i] != NULL; i++)
		g_ptr_array_add(a, g_bytes_new(words[i], strlen(words[i])));
	return a;
}

/* Runs the inputs in order, each call handing over the next; checks
 * each result is its own input's and returns the worker pids. */
static GArray *run_chain(KjSandbox *sb, GPtrArray *in, const char *const *want_error)
{
	GArray *pids = g_array_new(FALSE, TRUE, sizeof(int));

	for (guint i = 0; i < in->len; i++) {
		g_autoptr(GError) err = NULL;
		GBytes *next = i + 1 < in->len ? in->pdata[i + 1] : NULL;
		g_autoptr(GBytes) out = kj_sandbox_run_ahead(sb, in->pdata[i], next, &err);
		int pid = 0;
		gsize len;
		const char *p = g_bytes_get_data(in->pdata[i], &len);

		if (want_error != NULL && want_error[i] != NULL) {
			g_assert_null(out);
			g_assert_nonnull(err);
			g_assert_nonnull(strstr(err->message, want_error[i]));
		} else {
			g_assert_no_error(err);
			g_autofree char *got = ahead_output(out, &pid);
			g_assert_cmpmem(got, strlen(got), p, len);
		}
		g_array_append_val(pids, pid);
	}
	return pids;
}

static void test_ahead_order(void)
{
	static const char *const words[] = {"a", "b", "c", "d", "e", "f", "g", "h", NULL};
	g_autoptr(KjSandbox) sb = ahead_sandbox(KJ_SANDBOX_REUSE, 0, 5000);
	g_autoptr(GPtrArray) in = ahead_inputs(words);
	g_autoptr(GArray) pids = run_chain(sb, in, NULL);
	KjSandboxStats st;

	kj_sandbox_get_stats(sb, &st);
	g_assert_cmpuint(st.jobs, ==, 8);
	g_assert_cmpuint(st.forks, ==, 1);
	/* Every job but the first was handed over with the one before. */
	g_assert_cmpuint(st.ahead, ==, 7);
	for (guint i = 1; i < pids->len; i++)
		g_assert_cmpint(g_array_index(pids, int, i), ==, g_array_index(pids, int, 0));
}

/* A worker that crashes or hangs with the next job in its channel: the
 * failure is the current job's, and the next one is served by a fresh
 * worker, not lost and not blamed. */
static void test_ahead_failure(void)
{
	static const char *const words[] = {"a", "segv", "c", "loop", "e", "f", NULL};
	static const char *const errors[] = {NULL, "SIGSEGV", NULL, "exceeded", NULL, NULL, NULL};
	g_autoptr(KjSandbox) sb = ahead_sandbox(KJ_SANDBOX_REUSE, 0, 500);
	g_autoptr(GPtrArray) in = ahead_inputs(words);
	g_autoptr(GArray) pids = run_chain(sb, in, errors);
	KjSandboxStats st;

	kj_sandbox_get_stats(sb, &st);
	g_assert_cmpuint(st.crashes, ==, 1);
	g_assert_cmpuint(st.timeouts, ==, 1);
	g_assert_cmpuint(st.forks, ==, 3);
	g_assert_cmpint(g_array_index(pids, int, 2), !=, g_array_index(pids, int, 0));
	g_assert_cmpint(g_array_index(pids, int, 4), !=, g_array_index(pids, int, 2));
	g_assert_cmpint(g_array_index(pids, int, 5), ==, g_array_index(pids, int, 4));
}

/* Recycling: a worker is never handed a job past its last one. */
static void test_ahead_recycle(void)
{
	static const char *const words[] = {"1", "2", "3", "4", "5", "6", "7", NULL};
	g_autoptr(KjSandbox) sb = ahead_sandbox(KJ_SANDBOX_REUSE, 3, 5000);
	g_autoptr(GPtrArray) in = ahead_inputs(words);
	g_autoptr(GArray) pids = run_chain(sb, in, NULL);
	KjSandboxStats st;

	kj_sandbox_get_stats(sb, &st);
	g_assert_cmpuint(st.forks, ==, 3);
	g_assert_cmpuint(st.ahead, ==, 4); /* 2 and 3, 5 and 6 */
	g_assert_cmpint(g_array_index(pids, int, 2), ==, g_array_index(pids, int, 0));
	g_assert_cmpint(g_array_index(pids, int, 3), !=, g_array_index(pids, int, 2));
	g_assert_cmpint(g_array_index(pids, int, 6), !=, g_array_index(pids, int, 5));
}

/* A next job larger than the channel holds is not sent ahead (it would
 * deadlock against the worker's reply); one the caller then does not ask
 * for is dropped with the worker, and every answer is still its own. */
static void test_ahead_big_and_changed(void)
{
	g_autoptr(KjSandbox) sb = ahead_sandbox(KJ_SANDBOX_REUSE, 0, 10000);
	g_autoptr(GError) err = NULL;
	gsize n = 64 * 1024 * 1024;
	g_autofree char *big = g_malloc(n);
	KjSandboxStats st;
	int pid;

	memset(big, 'x', n);
	g_autoptr(GBytes) a = g_bytes_new("a", 1);
	g_autoptr(GBytes) b = g_bytes_new("b", 1);
	g_autoptr(GBytes) c = g_bytes_new("c", 1);
	g_autoptr(GBytes) huge = g_bytes_new_take(g_steal_pointer(&big), n);

	g_autoptr(GBytes) o1 = kj_sandbox_run_ahead(sb, a, huge, &err);
	g_assert_no_error(err);
	g_autofree char *s1 = ahead_output(o1, &pid);
	g_assert_cmpstr(s1, ==, "a");
	kj_sandbox_get_stats(sb, &st);
	g_assert_cmpuint(st.ahead, ==, 0);
	g_autoptr(GBytes) o2 = kj_sandbox_run_ahead(sb, huge, b, &err);
	g_assert_no_error(err);
	g_assert_cmpuint(g_bytes_get_size(o2), >, n);
	g_autofree char *s2 = ahead_output(o2, &pid);
	g_assert_cmpuint(strlen(s2), ==, n);
	int first = pid;
	/* b was sent ahead; c is asked for instead. */
	g_autoptr(GBytes) o3 = kj_sandbox_run_ahead(sb, c, NULL, &err);
	g_assert_no_error(err);
	g_autofree char *s3 = ahead_output(o3, &pid);
	g_assert_cmpstr(s3, ==, "c");
	g_assert_cmpint(pid, !=, first);
	g_autoptr(GBytes) o4 = kj_sandbox_run(sb, b, &err);
	g_assert_no_error(err);
	g_autofree char *s4 = ahead_output(o4, &pid);
	g_assert_cmpstr(s4, ==, "b");
	kj_sandbox_get_stats(sb, &st);
	g_assert_cmpuint(st.ahead, ==, 1);
	g_assert_cmpuint(st.forks, ==, 2);
}

/* Children of pid, from /proc (NULL where the kernel does not list them). */
static GArray *children_of(int pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/task/%d/children", pid, pid);
	g_autofree char *text = NULL;
	GArray *a;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return NULL;
	a = g_array_new(FALSE, FALSE, sizeof(int));
	g_auto(GStrv) words = g_strsplit(g_strstrip(text), " ", -1);
	for (int i = 0; words[i] != NULL; i++) {
		int c = (int)g_ascii_strtoll(words[i], NULL, 10);
		if (c > 0)
			g_array_append_val(a, c);
	}
	return a;
}

/* The worker after a recycled one is started while the old one serves
 * its last job (the standby): the job after is served by it, and a
 * standby lost before its turn is replaced without a failure. */
/* The one pid of after that is not in before, 0 if none or several. */
static int new_child(GArray *before, GArray *after)
{
	int found = 0;

	for (guint i = 0; after != NULL && i < after->len; i++) {
		int p = g_array_index(after, int, i);
		gboolean old = FALSE;
		for (guint k = 0; before != NULL && k < before->len; k++)
			old = old || g_array_index(before, int, k) == p;
		if (!old && found != 0)
			return 0;
		if (!old)
			found = p;
	}
	return found;
}

static GArray *spawner_children(void)
{
	g_autoptr(GArray) mine = children_of(getpid());

	/* Our only child is the spawner (its reserve is its own child). */
	if (mine == NULL || mine->len != 1)
		return NULL;
	return children_of(g_array_index(mine, int, 0));
}

static void test_standby(void)
{
	static const char *const words[] = {"1", "2", "3", "4", NULL};
	g_autoptr(KjSandbox) sb = ahead_sandbox(KJ_SANDBOX_REUSE, 2, 5000);
	g_autoptr(GPtrArray) in = ahead_inputs(words);
	g_autoptr(GError) err = NULL;
	KjSandboxStats st;
	int pid[4] = {0};
	g_autoptr(GArray) after1 = NULL;

	for (int i = 0; i < 2; i++) {
		g_autoptr(GBytes) out = kj_sandbox_run(sb, in->pdata[i], &err);
		g_assert_no_error(err);
		g_free(ahead_output(out, &pid[i]));
		if (i == 0)
			after1 = spawner_children(); /* the worker and the reserve */
	}
	g_assert_cmpint(pid[0], ==, pid[1]);
	g_assert_cmpint(kj_sandbox_get_worker_pid(sb), ==, 0); /* recycled */
	/* The second job was the worker's last: it started the standby. */
	g_autoptr(GArray) after2 = spawner_children();
	int standby = new_child(after1, after2);
	g_autoptr(GBytes) o3 = kj_sandbox_run(sb, in->pdata[2], &err);
	g_assert_no_error(err);
	g_free(ahead_output(o3, &pid[2]));
	g_assert_cmpint(pid[2], !=, pid[0]);
	if (after2 != NULL)
		g_assert_cmpint(pid[2], ==, standby);
	/* Its last job started the next standby: kill it before its turn. */
	g_autoptr(GArray) after3 = spawner_children();
	g_autoptr(GBytes) o4 = kj_sandbox_run(sb, in->pdata[3], &err);
	g_assert_no_error(err);
	g_free(ahead_output(o4, &pid[3]));
	g_autoptr(GArray) after4 = spawner_children();
	int next = new_child(after3, after4);
	if (after4 != NULL) {
		g_assert_cmpint(next, >, 0);
		/* Killed, and dead (not the spawner's to reap yet) before the
		 * next job asks for it. */
		int pfd = (int)syscall(SYS_pidfd_open, next, 0);
		g_assert_cmpint(pfd, >=, 0);
		g_assert_cmpint(kill(next, SIGKILL), ==, 0);
		struct pollfd pp = {.fd = pfd, .events = POLLIN};
		g_assert_cmpint(poll(&pp, 1, 10000), ==, 1);
		close(pfd);
	}
	g_autoptr(GBytes) o5 = kj_sandbox_run(sb, in->pdata[0], &err);
	g_assert_no_error(err);
	int p5;
	g_free(ahead_output(o5, &p5));
	kj_sandbox_get_stats(sb, &st);
	g_assert_cmpuint(st.forks, ==, 3);
	g_assert_cmpuint(st.setup_errors, ==, 0);
	g_assert_cmpuint(st.crashes + st.protocol_errors + st.timeouts, ==, 0);
	g_assert_cmpint(p5, !=, next);
	if (after4 == NULL)
		g_test_message("no /proc/PID/task/TID/children: standby not observed directly");
}

static void test_ahead_none(void)
{
	static const char *const words[] = {"a", "b", "c", NULL};
	g_autoptr(KjSandbox) sb = ahead_sandbox(KJ_SANDBOX_NONE, 0, 5000);
	g_autoptr(GPtrArray) in = ahead_inputs(words);
	g_autoptr(GArray) pids = run_chain(sb, in, NULL);

	g_assert_cmpint(g_array_index(pids, int, 0), ==, getpid());
}

static void test_perf(void)
{
	if (!g_test_perf()) {
		g_test_skip("run with -m perf");
		return;
	}
	perf_mode(KJ_SANDBOX_NONE, "none", 10000);
	perf_mode(KJ_SANDBOX_REUSE, "reuse", 10000);
	perf_mode(KJ_SANDBOX_FORK_EACH, "fork-each", 10000);
}

static void add_deny_tests(void)
{
	g_test_add_func("/sandbox/forbidden", test_forbidden);
	g_test_add_func("/sandbox/network-denied", test_network_denied);
	g_test_add_func("/sandbox/protocol", test_protocol);
	g_test_add_func("/sandbox/iconv", test_iconv);
	g_test_add_func("/sandbox/glib", test_glib);
	g_test_add_func("/sandbox/prepare", test_prepare);
	g_test_add_func("/sandbox/perf", test_perf);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	test_pid = getpid();
	g_test_add_data_func("/sandbox/echo/reuse", GINT_TO_POINTER(KJ_SANDBOX_REUSE),
			     test_echo_mode);
	g_test_add_data_func("/sandbox/echo/fork-each", GINT_TO_POINTER(KJ_SANDBOX_FORK_EACH),
			     test_echo_mode);
	g_test_add_data_func("/sandbox/echo/none", GINT_TO_POINTER(KJ_SANDBOX_NONE),
			     test_echo_mode);
	g_test_add_func("/sandbox/recycle", test_recycle);
	g_test_add_func("/sandbox/zero-options", test_zero_options);
	g_test_add_func("/sandbox/free-kills-worker", test_free_kills_worker);
	g_test_add_func("/sandbox/crash", test_crash);
	g_test_add_func("/sandbox/timeout", test_timeout);
	g_test_add_func("/sandbox/memory-limit", test_memory_limit);
	g_test_add_data_func("/sandbox/output-limit/reuse", GINT_TO_POINTER(KJ_SANDBOX_REUSE),
			     test_output_limit);
	g_test_add_data_func("/sandbox/output-limit/none", GINT_TO_POINTER(KJ_SANDBOX_NONE),
			     test_output_limit);
	g_test_add_func("/sandbox/failed-message", test_failed_message);
	g_test_add_func("/sandbox/ahead/order", test_ahead_order);
	g_test_add_func("/sandbox/ahead/failure", test_ahead_failure);
	g_test_add_func("/sandbox/ahead/recycle", test_ahead_recycle);
	g_test_add_func("/sandbox/ahead/big-and-changed", test_ahead_big_and_changed);
	g_test_add_func("/sandbox/ahead/none", test_ahead_none);
	g_test_add_func("/sandbox/standby", test_standby);
	add_deny_tests();
	return g_test_run();
}
