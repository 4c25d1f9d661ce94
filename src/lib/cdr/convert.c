/*++
 * NAME
 *	convert - legacy Office (OLE2: doc, xls, ppt) to PDF with LibreOffice
 * DESCRIPTION
 *	kj_cdr_convert_to_pdf() runs an office suite in headless mode
 *	("soffice --headless --convert-to pdf") on one document and returns
 *	the PDF it wrote.  The caller (isolate.c) then sanitizes that PDF in
 *	pixel mode like any other PDF: the converter is trusted with nothing
 *	but turning pages into a PDF, and its output is treated as hostile.
 *
 *	The sandboxed worker may not exec (its seccomp filter forbids it),
 *	so the converter is its own process, started from the parent, with
 *	its own isolation:
 *	- a private temporary directory (mode 0700) holding the input file,
 *	  the output directory and a fresh LibreOffice user profile
 *	  (-env:UserInstallation), removed afterwards;
 *	- an empty environment; stdin from /dev/null, stdout and stderr to
 *	  a log file in that directory; every other descriptor closed;
 *	- its own process group, killed as a whole (SIGKILL) when the time
 *	  limit expires and after it exits, and its own PID namespace where
 *	  the kernel allows one (the converter is its init: when it ends,
 *	  every process it left, even one that left the group, is killed);
 *	- no network: a new network namespace (unshare CLONE_NEWNET, inside
 *	  a new user namespace when not privileged); when the kernel refuses
 *	  both, the conversion still runs and the report says the network
 *	  was not isolated;
 *	- rlimits: address space, CPU seconds, file size (the output limit),
 *	  open files, no core dumps.
 *	- run as root, it becomes "nobody", owning only the temporary
 *	  directory.
 *	It is not seccomp-filtered and otherwise runs as the invoking user:
 *	LibreOffice reads its installation, fonts and the temporary directory.
 * SECURITY
 *	Runs in the parent (CLI, gateway), never in the worker.  Sees no
 *	hostile bytes itself: it writes them to a file and reads back a PDF
 *	of bounded size, checking only its first bytes.  Between fork and
 *	exec the child calls only async-signal-safe functions (the parent
 *	may have threads).
 * LIMITS
 *	cdr.convert_timeout_s, cdr.convert_memory_bytes, cdr.max_output.
 * STANDARDS
 *	基本方針 2(12), 6(3)②: what enters LGWAN is made harmless; legacy
 *	Office that cannot be converted is held, not passed.
 * SEE ALSO
 *	isolate.c (where the PDF goes next), docs/en/file.md.
 *--*/
#include "cdr/cdr_internal.h"

#include "util/limits.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Status bytes the child sends before exec on a close-on-exec pipe:
 * ST_BASE with the namespaces it is in, then ST_EXEC_FAILED and errno
 * (an int) if exec failed. */
#define ST_BASE 0x40
#define ST_NET 0x01 /* its own network namespace */
#define ST_PID 0x02 /* its own PID namespace */
#define ST_EXEC_FAILED 'E'

/* The program to run: an absolute path as given, or a name looked up in
 * PATH ("libreoffice" means soffice). */
static char *find_program(const char *converter, GError **error)
{
	const char *name = converter;

	if (strchr(converter, '/')) {
		if (g_file_test(converter, G_FILE_TEST_IS_EXECUTABLE) &&
		    !g_file_test(converter, G_FILE_TEST_IS_DIR))
			return g_strdup(converter);
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_UNSUPPORTED,
			    "the converter %s is not an executable file", converter);
		return NULL;
	}
	if (g_ascii_strcasecmp(name, "libreoffice") == 0)
		name = "soffice";
	char *path = g_find_program_in_path(name);
	if (path == NULL)
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_UNSUPPORTED,
			    "the converter '%s' is not installed (Debian: "
			    "libreoffice-core-nogui with -writer, -calc and -impress-nogui)",
			    name);
	return path;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP || flag == FTW_D)
		(void)rmdir(path);
	else
		(void)unlink(path);
	return 0;
}

static void remove_tree(const char *dir)
{
	if (dir)
		(void)nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static gboolean write_new(const char *path, const guint8 *data, gsize len, GError **error)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0) {
		int e = errno;
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_IO, "%s: %s", path, g_strerror(e));
		return FALSE;
	}
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = errno;
			close(fd);
			g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_IO, "%s: %s", path,
				    g_strerror(e));
			return FALSE;
		}
		data += n;
		len -= (gsize)n;
	}
	return close(fd) == 0;
}

typedef struct {
	char *const *argv;
	int log_fd, null_fd, status_fd;
	struct rlimit as, cpu, fsize, nofile, core;
	const char *dir;
	gboolean drop; /* running as root: become uid/gid (nobody) */
	uid_t uid;
	gid_t gid;
} Child;

static void child_write(int fd, const void *p, size_t n)
{
	while (write(fd, p, n) < 0 && errno == EINTR)
		;
}

/* In a new PID namespace the converter is its namespace's init: when it
 * ends, or is killed, the kernel kills every process left in the
 * namespace, including any that left the process group (setsid).  This
 * process stays outside, waits for it and ends the same way. */
static G_GNUC_NORETURN void wait_init(pid_t init)
{
	int status = 0;

	close(3); /* the parent's read ends when the converter execs */
	while (waitpid(init, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		kill(getpid(), WTERMSIG(status));
	}
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 126);
}

/* Namespaces: network and PID, as root directly, else inside a new user
 * namespace; network alone where PID namespaces are refused. */
static char enter_namespaces(void)
{
	if (unshare(CLONE_NEWNET | CLONE_NEWPID) == 0 ||
	    unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWPID) == 0)
		return ST_BASE | ST_NET | ST_PID;
	if (unshare(CLONE_NEWNET) == 0 || unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0)
		return ST_BASE | ST_NET;
	return ST_BASE;
}

/* After fork: async-signal-safe calls only, then exec. */
static G_GNUC_NORETURN void child_run(const Child *c)
{
	static char *const empty_env[] = {NULL};
	char st;

	(void)setpgid(0, 0);
	st = enter_namespaces();
	child_write(c->status_fd, &st, 1);
	if (dup2(c->null_fd, 0) < 0 || dup2(c->log_fd, 1) < 0 || dup2(c->log_fd, 2) < 0 ||
	    dup2(c->status_fd, 3) < 0)
		_exit(126);
	(void)fcntl(3, F_SETFD, FD_CLOEXEC);
	(void)syscall(SYS_close_range, 4U, ~0U, 0U);
	(void)setrlimit(RLIMIT_AS, &c->as);
	(void)setrlimit(RLIMIT_CPU, &c->cpu);
	(void)setrlimit(RLIMIT_FSIZE, &c->fsize);
	(void)setrlimit(RLIMIT_NOFILE, &c->nofile);
	(void)setrlimit(RLIMIT_CORE, &c->core);
	if (c->drop && (setgroups(0, NULL) < 0 || setgid(c->gid) < 0 || setuid(c->uid) < 0))
		_exit(126);
	/* Default dispositions and no blocked signal: an ignored SIGXFSZ
	 * (Python ignores it and its children inherit that) would turn the
	 * file size limit into a write error the converter may not report. */
	static const int dfl[] = {SIGPIPE, SIGXFSZ, SIGXCPU, SIGHUP, SIGINT, SIGQUIT, SIGTERM};
	for (gsize i = 0; i < G_N_ELEMENTS(dfl); i++)
		signal(dfl[i], SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	if (chdir(c->dir) < 0)
		_exit(125);
	if (st & ST_PID) {
		pid_t init = fork();
		if (init < 0)
			_exit(126);
		if (init > 0)
			wait_init(init);
	}
	execve(c->argv[0], c->argv, empty_env);
	int e = errno;
	st = ST_EXEC_FAILED;
	child_write(3, &st, 1);
	child_write(3, &e, sizeof e);
	_exit(127);
}

static gint64 now_ms(void)
{
	return g_get_monotonic_time() / 1000;
}

/* Waits for pid until deadline (monotonic ms) without reaping it, so
 * that its process group id stays reserved for the kill that follows.
 * TRUE when it exited, FALSE on time-out (still running). */
static gboolean wait_until(pid_t pid, gint64 deadline)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	gboolean exited = FALSE;

	for (;;) {
		siginfo_t info = {0};
		int r = waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT);
		if ((r == 0 && info.si_pid == pid) || (r < 0 && errno != EINTR)) {
			exited = TRUE;
			break;
		}
		gint64 left = deadline - now_ms();
		if (left <= 0)
			break;
		if (pfd >= 0) {
			struct pollfd p = {.fd = pfd, .events = POLLIN};
			(void)poll(&p, 1, (int)MIN(left, 1000));
		} else {
			/* No pidfd (kernel before 5.3): look ten times a second. */
			struct timespec ts = {0, 100 * 1000 * 1000};
			(void)nanosleep(&ts, NULL);
		}
	}
	if (pfd >= 0)
		close(pfd);
	return exited;
}

/* The converter's last message, one line, for the reason. */
static char *log_tail(const char *path)
{
	g_autofree char *text = NULL;
	gsize len = 0;

	if (!g_file_get_contents(path, &text, &len, NULL) || len == 0)
		return g_strdup("");
	gsize from = len > KJ_CDR_CONVERT_LOG_BYTES ? len - KJ_CDR_CONVERT_LOG_BYTES : 0;
	g_autofree char *valid = g_utf8_make_valid(text + from, (gssize)(len - from));
	g_strstrip(valid);
	char *nl = strrchr(valid, '\n');
	char *last = nl ? nl + 1 : valid;
	GString *s = g_string_new(": ");
	for (char *p = last; *p && s->len < 200; p = g_utf8_next_char(p)) {
		gunichar ch = g_utf8_get_char(p);
		g_string_append_unichar(s, g_unichar_iscntrl(ch) ? ' ' : ch);
	}
	return s->len > 2 ? g_string_free(s, FALSE) : (g_string_free(s, TRUE), g_strdup(""));
}

typedef struct {
	char *dir, *in, *out_dir, *out, *log, *profile_uri;
} Paths;

static void paths_clear(Paths *p)
{
	remove_tree(p->dir);
	g_free(p->dir);
	g_free(p->in);
	g_free(p->out_dir);
	g_free(p->out);
	g_free(p->log);
	g_free(p->profile_uri);
}

static gboolean paths_make(Paths *p, const guint8 *data, gsize len, const char *ext, GError **error)
{
	g_autoptr(GError) err = NULL;

	p->dir = g_dir_make_tmp("kyojin-convert-XXXXXX", &err);
	if (p->dir == NULL) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_IO,
			    "converter: cannot make a temporary directory: %s", err->message);
		return FALSE;
	}
	g_autofree char *profile = g_build_filename(p->dir, "profile", NULL);
	g_autofree char *indir = g_build_filename(p->dir, "in", NULL);
	g_autofree char *inname = g_strconcat("document.", ext, NULL);
	p->out_dir = g_build_filename(p->dir, "out", NULL);
	p->in = g_build_filename(indir, inname, NULL);
	p->out = g_build_filename(p->out_dir, "document.pdf", NULL);
	p->log = g_build_filename(p->dir, "converter.log", NULL);
	p->profile_uri = g_filename_to_uri(profile, NULL, NULL);
	if (mkdir(profile, 0700) < 0 || mkdir(indir, 0700) < 0 || mkdir(p->out_dir, 0700) < 0 ||
	    p->profile_uri == NULL) {
		int e = errno;
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_IO, "converter: %s: %s", p->dir,
			    g_strerror(e));
		return FALSE;
	}
	return write_new(p->in, data, len, error);
}

/* Run as root (a CLI run by the administrator), the converter would read
 * and write what root may.  It runs as "nobody" instead, owning only its
 * temporary directory.  Looked up before fork: getpwnam is not
 * async-signal-safe. */
static gboolean drop_target(const Paths *p, uid_t *uid, gid_t *gid, GError **error)
{
	if (geteuid() != 0)
		return TRUE;
	struct passwd *pw = getpwnam("nobody");
	if (pw == NULL || pw->pw_uid == 0) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_IO,
			    "converter: running as root and there is no 'nobody' user to run "
			    "the converter as");
		return FALSE;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	g_autofree char *indir = g_path_get_dirname(p->in);
	g_autofree char *profile = g_build_filename(p->dir, "profile", NULL);
	const char *const own[] = {p->dir, indir, p->in, p->out_dir, profile, NULL};
	for (const char *const *f = own; *f; f++) {
		if (lchown(*f, *uid, *gid) < 0) {
			int e = errno;
			g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_IO,
				    "converter: cannot hand %s over: %s", *f, g_strerror(e));
			return FALSE;
		}
	}
	return TRUE;
}

/* Forks and execs the converter; returns its pid or -1 with error. */
static pid_t spawn(const Paths *p, const char *program, const KjCdrOptions *opts, char *ns,
		   GError **error)
{
	g_autofree char *env_arg = g_strconcat("-env:UserInstallation=", p->profile_uri, NULL);
	/* Built before fork: the child may not allocate. */
	GPtrArray *a = g_ptr_array_new();
	g_ptr_array_add(a, g_strdup(program));
	for (const char *const *o =
		 (const char *const[]){"--headless", "--invisible", "--norestore", "--nolockcheck",
				       "--nodefault", "--nologo", NULL};
	     *o; o++)
		g_ptr_array_add(a, g_strdup(*o));
	g_ptr_array_add(a, g_strdup(env_arg));
	g_ptr_array_add(a, g_strdup("--convert-to"));
	g_ptr_array_add(a, g_strdup("pdf"));
	g_ptr_array_add(a, g_strdup("--outdir"));
	g_ptr_array_add(a, g_strdup(p->out_dir));
	g_ptr_array_add(a, g_strdup(p->in));
	g_ptr_array_add(a, NULL);
	g_auto(GStrv) argv = (GStrv)g_ptr_array_free(a, FALSE);
	int st_pipe[2];
	Child c = {.argv = argv, .dir = p->dir};
	rlim_t cpu = (rlim_t)opts->convert_timeout_s + 1;

	c.as.rlim_cur = c.as.rlim_max = (rlim_t)opts->convert_memory;
	c.cpu.rlim_cur = c.cpu.rlim_max = cpu;
	c.fsize.rlim_cur = c.fsize.rlim_max = (rlim_t)opts->max_output + 1;
	c.nofile.rlim_cur = c.nofile.rlim_max = KJ_CDR_CONVERT_MAX_FILES;
	c.core.rlim_cur = c.core.rlim_max = 0;
	if (!drop_target(p, &c.uid, &c.gid, error))
		return -1;
	c.drop = geteuid() == 0;
	c.log_fd = open(p->log, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	c.null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (c.log_fd < 0 || c.null_fd < 0 || pipe2(st_pipe, O_CLOEXEC) < 0) {
		int e = errno;
		if (c.log_fd >= 0)
			close(c.log_fd);
		if (c.null_fd >= 0)
			close(c.null_fd);
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_IO, "converter: %s", g_strerror(e));
		return -1;
	}
	c.status_fd = st_pipe[1];
	pid_t pid = fork();
	if (pid == 0)
		child_run(&c);
	int fork_errno = errno;
	close(st_pipe[1]);
	close(c.log_fd);
	close(c.null_fd);
	if (pid < 0) {
		close(st_pipe[0]);
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_IO, "converter: fork: %s",
			    g_strerror(fork_errno));
		return -1;
	}
	/* Also in the parent, so that a kill of the group cannot race the
	 * child's own setpgid. */
	(void)setpgid(pid, pid);
	/* Read until exec closes the pipe: the network status, then an exec
	 * failure if any. */
	char buf[2 + sizeof(int)]; /* status, then ST_EXEC_FAILED and errno */
	gsize got = 0;
	for (;;) {
		ssize_t n = read(st_pipe[0], buf + got, sizeof buf - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (gsize)n;
		if (got == sizeof buf)
			break;
	}
	close(st_pipe[0]);
	*ns = got >= 1 && (buf[0] & ~(ST_NET | ST_PID)) == ST_BASE ? buf[0] : 0;
	return pid;
}

static gboolean output_too_big(const Paths *p, gsize max)
{
	struct stat st;
	return lstat(p->out, &st) == 0 && S_ISREG(st.st_mode) && (guint64)st.st_size > max;
}

/* Reads the PDF the converter wrote: a regular file, not empty, at most
 * max bytes, starting as a PDF does. */
static GBytes *read_output(const Paths *p, gsize max, GError **error)
{
	g_autofree char *data = NULL;
	gsize len = 0;
	struct stat st;
	g_autofree char *tail = log_tail(p->log);

	if (lstat(p->out, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_CORRUPT,
			    "the converter produced no PDF%s", tail);
		return NULL;
	}
	if ((guint64)st.st_size > max) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT,
			    "limit: the converter's PDF is larger than %" G_GSIZE_FORMAT
			    " bytes (cdr.max_output)",
			    max);
		return NULL;
	}
	if (!g_file_get_contents(p->out, &data, &len, NULL) || len < 5 ||
	    memcmp(data, "%PDF-", 5) != 0) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_CORRUPT,
			    "the converter's output is not a PDF");
		return NULL;
	}
	return g_bytes_new_take(g_steal_pointer(&data), len);
}

GBytes *kj_cdr_convert_to_pdf(const guint8 *data, gsize len, const char *ext,
			      const KjCdrOptions *opts, char **how, GError **error)
{
	Paths p = {0};
	char ns = 0;
	int status = 0;
	GBytes *pdf = NULL;

	g_return_val_if_fail(opts != NULL && opts->ole2_converter != NULL, NULL);
	g_autofree char *program = find_program(opts->ole2_converter, error);
	if (program == NULL)
		return NULL;
	if (!paths_make(&p, data, len, ext, error)) {
		paths_clear(&p);
		return NULL;
	}
	gint64 deadline = now_ms() + (gint64)opts->convert_timeout_s * 1000;
	pid_t pid = spawn(&p, program, opts, &ns, error);
	if (pid < 0) {
		paths_clear(&p);
		return NULL;
	}
	gboolean exited = wait_until(pid, deadline);
	/* Whatever it left running (LibreOffice's soffice.bin under
	 * oosplash) goes with the group; the leader is reaped only now. */
	(void)kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!exited) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT,
			    "limit: the converter did not finish within %u s "
			    "(cdr.convert_timeout_s); its processes were killed",
			    opts->convert_timeout_s);
	} else if ((WIFSIGNALED(status) && WTERMSIG(status) == SIGXFSZ) ||
		   output_too_big(&p, opts->max_output)) {
		/* The file size limit stops the converter with SIGXFSZ, or,
		 * as its namespace's init (which ignores that signal), with a
		 * write error after which it may exit either way. */
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT,
			    "limit: the converter wrote more than %" G_GSIZE_FORMAT
			    " bytes (cdr.max_output_bytes) and was stopped",
			    opts->max_output);
	} else if (WIFSIGNALED(status)) {
		g_autofree char *tail = log_tail(p.log);
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_CORRUPT,
			    "the converter crashed (signal %d, %s)%s", WTERMSIG(status),
			    WTERMSIG(status) == SIGXCPU ? "CPU limit" : "killed", tail);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 125) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_IO,
			    "the converter cannot enter its temporary directory %s%s", p.dir,
			    geteuid() == 0 ? " as nobody (TMPDIR must be reachable by nobody)"
					   : "");
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_UNSUPPORTED,
			    "the converter %s could not be started", program);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		g_autofree char *tail = log_tail(p.log);
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_CORRUPT,
			    "the converter failed (exit %d)%s", WEXITSTATUS(status), tail);
	} else {
		pdf = read_output(&p, opts->max_output, error);
	}
	if (pdf && how)
		*how = g_strdup_printf(
		    "%s --headless --convert-to pdf%s; own process group, empty environment, "
		    "private temporary directory and profile, rlimits (address space "
		    "%" G_GUINT64_FORMAT " MiB, %u s)%s; network: %s",
		    program, geteuid() == 0 ? " as nobody" : "",
		    opts->convert_memory / (1024 * 1024), opts->convert_timeout_s,
		    (ns & ST_PID) ? ", own PID namespace" : "",
		    (ns & ST_NET) ? "none (own network namespace)"
				  : "NOT isolated (the kernel refused a network namespace)");
	paths_clear(&p);
	return pdf;
}
