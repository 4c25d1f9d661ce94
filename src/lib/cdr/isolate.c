/*++
 * NAME
 *	isolate - the CDR dispatcher inside the sandboxed worker
 * DESCRIPTION
 *	A KjCdrWorker runs kj_cdr_sanitize() in a sandbox (sandbox/): a
 *	forked child with rlimits and a seccomp filter, reused for a bounded
 *	number of files (recycled after any failure).  The file crosses the
 *	socket with its name and declared type; the whole result comes back.
 *
 *	Job input: "KJCI", name length (2 bytes, little-endian), declared
 *	type length (2 bytes), the name, the declared type, the file.
 *
 *	Wire format of a result: "KJCR" 0x01, then sections of tag (1 byte),
 *	length (4 bytes, little-endian), bytes.  Tags: V verdict (1 byte),
 *	R reason, T detected type, D declared type, I input SHA-256, S output
 *	SHA-256, O output, N output name, Y output type, A action location
 *	followed by W its text, L a limit hit, X the file needs the
 *	converter (1 byte), C the converter note.  Unknown tags are an
 *	error: both ends are the same build.
 *
 *	Legacy Office with a converter in the profile: the worker types the
 *	file and answers "needs the converter" (X); the parent runs the
 *	converter in its own isolated process (convert.c) and sends the PDF
 *	back to the worker as a "KJCP" job (a PDF from the converter: pixel
 *	mode unless the profile asks for text).  The report keeps the
 *	original's type and hash, lists the conversion first and names the
 *	converter.
 * SECURITY
 *	The parent treats what the child sends as hostile: every length is
 *	checked against what is left, every string must be valid UTF-8,
 *	hashes must be hex, the output's hash is recomputed and compared, and
 *	a child that crashes, times out or sends garbage gives a HELD result
 *	naming what happened (基本方針 2(12): nothing passes unsanitized
 *	because the sanitizer failed).  libmagic's database is loaded before
 *	the fork (kj_cdr_global_init): the worker may open no file.
 * LIMITS
 *	cdr.convert_timeout_s for the converter (convert.c); 30 s wall clock
 *	and 30 s CPU per file in the worker, 100 files per worker, output
 *	at most cdr.max_output + 16 MiB of report.
 * STANDARDS
 *	基本方針 2(12), 6(3)②, 6(6); DESIGN.md "Processes".
 * SEE ALSO
 *	sandbox/sandbox.h, mime/isolate.c (the same shape for mail).
 *--*/
#include "cdr/cdr_internal.h"

#include "sandbox/sandbox.h"
#include "util/tlv.h"
#include "util/hash.h"

#include <string.h>

#define WIRE_MAGIC "KJCR\x01"
#define WIRE_MAGIC_LEN 5
#define INPUT_MAGIC "KJCI"
#define CONVERTED_MAGIC "KJCP" /* a PDF the converter made */

struct KjCdrWorker {
	KjCdrOptions opts;
	KjCdrIsolation mode;
	KjSandbox *sb;
};

static void serialize_into(const KjCdrResult *r, GByteArray *b)
{
	guint8 v = (guint8)r->verdict;

	g_byte_array_append(b, (const guint8 *)WIRE_MAGIC, WIRE_MAGIC_LEN);
	kj_tlv_put(b, 'V', &v, 1);
	kj_tlv_put_str(b, 'R', r->reason);
	kj_tlv_put_str(b, 'T', r->detected_type);
	kj_tlv_put_str(b, 'D', r->declared_type);
	kj_tlv_put_str(b, 'I', r->input_sha256);
	kj_tlv_put_str(b, 'S', r->output_sha256);
	if (r->output)
		kj_tlv_put(b, 'O', g_bytes_get_data(r->output, NULL), g_bytes_get_size(r->output));
	kj_tlv_put_str(b, 'N', r->output_name);
	kj_tlv_put_str(b, 'Y', r->output_type);
	for (guint i = 0; i < r->actions->len; i++) {
		const KjCdrAction *a = r->actions->pdata[i];
		kj_tlv_put_str(b, 'A', a->location ? a->location : "");
		kj_tlv_put_str(b, 'W', a->what ? a->what : "");
	}
	for (guint i = 0; i < r->limits_hit->len; i++)
		kj_tlv_put_str(b, 'L', r->limits_hit->pdata[i]);
	if (r->needs_converter) {
		guint8 x = 1;
		kj_tlv_put(b, 'X', &x, 1);
	}
	kj_tlv_put_str(b, 'C', r->converter);
}

GBytes *kj_cdr_result_serialize(const KjCdrResult *r)
{
	GByteArray *b = g_byte_array_new();
	serialize_into(r, b);
	return g_byte_array_free_to_bytes(b);
}

static gboolean set_once(char **field, const char *p, gsize n)
{
	if (*field)
		return FALSE;
	*field = g_strndup(p, n);
	return strlen(*field) == n;
}

static gboolean take_section(KjCdrResult *r, char tag, const char *p, gsize n)
{
	if (tag != 'O' && tag != 'V' && tag != 'X' && !g_utf8_validate_len(p, n, NULL))
		return FALSE;
	switch (tag) {
	case 'V':
		if (n != 1 || (guint8)p[0] > KJ_CDR_HELD)
			return FALSE;
		r->verdict = (KjCdrVerdict)(guint8)p[0];
		return TRUE;
	case 'R':
		return set_once(&r->reason, p, n);
	case 'T':
		return set_once(&r->detected_type, p, n);
	case 'D':
		return set_once(&r->declared_type, p, n);
	case 'I':
		return set_once(&r->input_sha256, p, n) && kj_sha256_hex_valid(r->input_sha256);
	case 'S':
		return set_once(&r->output_sha256, p, n) && kj_sha256_hex_valid(r->output_sha256);
	case 'O':
		if (r->output)
			return FALSE;
		r->output = g_bytes_new(p, n);
		return TRUE;
	case 'N':
		return set_once(&r->output_name, p, n);
	case 'Y':
		return set_once(&r->output_type, p, n);
	case 'A': {
		KjCdrAction *a = g_new0(KjCdrAction, 1);
		a->location = g_strndup(p, n);
		g_ptr_array_add(r->actions, a);
		return strlen(a->location) == n;
	}
	case 'W': {
		KjCdrAction *a = r->actions->len ? r->actions->pdata[r->actions->len - 1] : NULL;
		if (a == NULL || a->what)
			return FALSE;
		a->what = g_strndup(p, n);
		return strlen(a->what) == n;
	}
	case 'L':
		g_ptr_array_add(r->limits_hit, g_strndup(p, n));
		return TRUE;
	case 'X':
		if (n != 1 || p[0] != 1 || r->needs_converter)
			return FALSE;
		r->needs_converter = TRUE;
		return TRUE;
	case 'C':
		return set_once(&r->converter, p, n);
	default:
		return FALSE;
	}
}

/* The parts a result must have, and an output that matches its hash. */
static gboolean result_complete(const KjCdrResult *r)
{
	for (guint i = 0; i < r->actions->len; i++)
		if (((KjCdrAction *)r->actions->pdata[i])->what == NULL)
			return FALSE;
	if (r->input_sha256 == NULL || r->detected_type == NULL)
		return FALSE;
	if (r->needs_converter && r->verdict != KJ_CDR_HELD)
		return FALSE;
	if (r->verdict != KJ_CDR_SANITIZED)
		return r->reason != NULL && r->output == NULL;
	if (r->output == NULL || r->output_sha256 == NULL || r->output_name == NULL ||
	    r->output_type == NULL)
		return FALSE;
	char hex[KJ_SHA256_HEX_LEN + 1];
	kj_sha256_hex(g_bytes_get_data(r->output, NULL), g_bytes_get_size(r->output), hex);
	return strcmp(hex, r->output_sha256) == 0;
}

typedef struct {
	KjCdrResult *r;
	const char *data;
} TakeCtx;

static gboolean take_one(char tag, gsize off, gsize n, gpointer user_data)
{
	TakeCtx *c = user_data;
	return take_section(c->r, tag, c->data + off, n);
}

KjCdrResult *kj_cdr_result_deserialize(GBytes *bytes, GError **error)
{
	gsize len = 0;
	const char *d = g_bytes_get_data(bytes, &len);
	g_autoptr(KjCdrResult) r = _kj_cdr_result_new();
	TakeCtx c = {r, d};
	gboolean ok = kj_tlv_walk(d, len, WIRE_MAGIC, WIRE_MAGIC_LEN, take_one, &c);

	if (ok && result_complete(r))
		return g_steal_pointer(&r);
	g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_CORRUPT,
		    "the sanitizer worker sent a damaged result");
	return NULL;
}

/* A held result made by the parent when the worker failed. */
static KjCdrResult *held_result(GBytes *input, const char *declared, const char *why)
{
	KjCdrResult *r = _kj_cdr_result_new();
	gsize len = 0;
	const void *d = g_bytes_get_data(input, &len);
	char hex[KJ_SHA256_HEX_LEN + 1];

	kj_sha256_hex(d ? d : "", len, hex);
	r->input_sha256 = g_strdup(hex);
	r->verdict = KJ_CDR_HELD;
	r->reason = g_strdup_printf("isolation: %s (held, 基本方針 2(12))", why);
	r->detected_type = g_strdup("application/octet-stream");
	r->declared_type = g_strdup(declared);
	return r;
}

/* The converter parsed hostile bytes: its PDF is rendered to pixels
 * (or reduced to text when the profile wants text), never kept in
 * structure, and it may not name a converter of its own. */
static void converted_options(KjCdrOptions *o)
{
	if (o->pdf_mode != KJ_CDR_PDF_TEXT)
		o->pdf_mode = KJ_CDR_PDF_PIXEL;
	o->ole2_converter = NULL;
	/* The PDF is the converter's, not a PDF the sender sent. */
	o->blocked_classes &= ~(guint)KJ_CDR_CLASS_PDF;
}

static gboolean job(GBytes *input, GByteArray *output, gpointer user_data, GError **error)
{
	const KjCdrWorker *w = user_data;
	gsize len = 0;
	const char *d = g_bytes_get_data(input, &len);

	gboolean converted = len >= 8 && memcmp(d, CONVERTED_MAGIC, 4) == 0;
	if (len < 8 || (!converted && memcmp(d, INPUT_MAGIC, 4) != 0)) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_IO, "bad job framing");
		return FALSE;
	}
	gsize nlen = (gsize)(guint8)d[4] | (gsize)(guint8)d[5] << 8;
	gsize tlen = (gsize)(guint8)d[6] | (gsize)(guint8)d[7] << 8;
	if (nlen + tlen > len - 8) {
		g_set_error(error, KJ_CDR_ERROR, KJ_CDR_ERROR_IO, "bad job framing");
		return FALSE;
	}
	g_autofree char *name = nlen ? g_strndup(d + 8, nlen) : NULL;
	g_autofree char *type = tlen ? g_strndup(d + 8 + nlen, tlen) : NULL;
	g_autoptr(GBytes) file =
	    g_bytes_new_from_bytes(input, 8 + nlen + tlen, len - 8 - nlen - tlen);
	KjCdrOptions opts = w->opts;
	if (converted)
		converted_options(&opts);
	g_autoptr(KjCdrResult) r = kj_cdr_sanitize(file, name, type, &opts, error);
	if (r == NULL)
		return FALSE;
	serialize_into(r, output);
	return TRUE;
}

static gboolean prepare(gpointer user_data, GError **error)
{
	kj_cdr_global_init();
	return TRUE;
}

KjCdrWorker *kj_cdr_worker_new(const KjCdrOptions *opts, KjCdrIsolation mode)
{
	KjCdrWorker *w = g_new0(KjCdrWorker, 1);
	KjSandboxOptions o;

	kj_cdr_global_init();
	if (opts)
		w->opts = *opts;
	else
		kj_cdr_options_init(&w->opts);
	w->mode = mode;
	if (mode == KJ_CDR_ISOLATE_NONE)
		return w;
	kj_sandbox_options_init(&o);
	o.mode = mode == KJ_CDR_ISOLATE_FORK_EACH ? KJ_SANDBOX_FORK_EACH : KJ_SANDBOX_REUSE;
	o.cpu_seconds = 30;
	o.timeout_ms = 30000;
	o.max_jobs = 100;
	o.max_output = w->opts.max_output + 16 * 1024 * 1024;
	o.name = "file sanitizer";
	o.prepare = prepare;
	w->sb = kj_sandbox_new(&o, job, w);
	return w;
}

void kj_cdr_worker_free(KjCdrWorker *w)
{
	if (w == NULL)
		return;
	kj_sandbox_free(w->sb);
	g_free(w);
}

static KjCdrResult *run_once(KjCdrWorker *w, GBytes *input, const char *name,
			     const char *declared_type, gboolean converted, GError **error)
{
	g_autoptr(GError) err = NULL;

	if (w->mode == KJ_CDR_ISOLATE_NONE) {
		KjCdrOptions opts = w->opts;
		if (converted)
			converted_options(&opts);
		return kj_cdr_sanitize(input, name, declared_type, &opts, error);
	}
	gsize nlen = name ? MIN(strlen(name), 4096) : 0;
	gsize tlen = declared_type ? MIN(strlen(declared_type), 1024) : 0, len = 0;
	const void *d = g_bytes_get_data(input, &len);
	GByteArray *in = g_byte_array_sized_new((guint)(len + nlen + tlen + 8));
	const char *magic = converted ? CONVERTED_MAGIC : INPUT_MAGIC;
	guint8 h[8] = {(guint8)magic[0], (guint8)magic[1],   (guint8)magic[2],
		       (guint8)magic[3], (guint8)nlen,       (guint8)(nlen >> 8),
		       (guint8)tlen,     (guint8)(tlen >> 8)};
	g_byte_array_append(in, h, 8);
	g_byte_array_append(in, (const guint8 *)name, (guint)nlen);
	g_byte_array_append(in, (const guint8 *)declared_type, (guint)tlen);
	g_byte_array_append(in, d, (guint)len);
	g_autoptr(GBytes) job_input = g_byte_array_free_to_bytes(in);
	g_autoptr(GBytes) reply = kj_sandbox_run(w->sb, job_input, &err);
	if (reply == NULL)
		return held_result(input, declared_type, err->message);
	KjCdrResult *r = kj_cdr_result_deserialize(reply, &err);
	return r ? r : held_result(input, declared_type, err->message);
}

/* NAME without its extension, then ".pdf": what the PDF is judged as. */
static char *pdf_name(const char *name)
{
	g_autofree char *base = g_path_get_basename(name && *name ? name : "document");
	char *dot = strrchr(base, '.');

	if (dot && dot != base)
		*dot = '\0';
	return g_strconcat(base, ".pdf", NULL);
}

/* The legacy Office document r says needs the converter: converted
 * outside the worker, its PDF sanitized by the worker, and one result
 * made of both.  Any failure holds the original with the reason. */
static KjCdrResult *convert_held(KjCdrWorker *w, KjCdrResult *r, GBytes *input, const char *name,
				 GError **error)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *how = NULL;
	gsize len = 0;
	const guint8 *d = g_bytes_get_data(input, &len);
	const char *ext = _kj_cdr_ole2_ext(r->detected_type, name);

	r->needs_converter = FALSE;
	g_autoptr(GBytes) pdf =
	    kj_cdr_convert_to_pdf(d, len, ext ? ext : "doc", &w->opts, &how, &err);
	if (pdf == NULL) {
		g_free(r->reason);
		r->reason = g_strdup_printf("legacy Office (OLE2) held: %s", err->message);
		if (g_error_matches(err, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT))
			g_ptr_array_add(r->limits_hit, g_strdup(err->message));
		return r;
	}
	g_autofree char *pname = pdf_name(name);
	g_autoptr(KjCdrResult) p = run_once(w, pdf, pname, NULL, TRUE, error);
	if (p == NULL)
		return r;
	g_autoptr(KjCdrResult) orig = r;
	KjCdrAction *a = g_new0(KjCdrAction, 1);
	a->location = g_strdup("document");
	a->what = g_strdup_printf("legacy Office (%s) converted to PDF by the converter; "
				  "macros, embedded objects and fields are not carried over",
				  orig->detected_type);
	g_ptr_array_insert(p->actions, 0, a);
	g_free(p->detected_type);
	p->detected_type = g_steal_pointer(&orig->detected_type);
	g_free(p->declared_type);
	p->declared_type = g_steal_pointer(&orig->declared_type);
	g_free(p->input_sha256);
	p->input_sha256 = g_steal_pointer(&orig->input_sha256);
	p->converter = g_steal_pointer(&how);
	if (p->verdict != KJ_CDR_SANITIZED) {
		g_autofree char *why = p->reason;
		p->reason = g_strdup_printf("the converter's PDF: %s", why ? why : "refused");
		/* Blocked output of a converter is a converter failure: held. */
		p->verdict = KJ_CDR_HELD;
	}
	return g_steal_pointer(&p);
}

KjCdrResult *kj_cdr_worker_sanitize(KjCdrWorker *w, GBytes *input, const char *name,
				    const char *declared_type, GError **error)
{
	KjCdrResult *r = run_once(w, input, name, declared_type, FALSE, error);

	if (r && r->needs_converter && w->opts.ole2_converter)
		return convert_held(w, r, input, name, error);
	return r;
}

KjCdrResult *kj_cdr_sanitize_isolated(GBytes *input, const char *name, const char *declared_type,
				      const KjCdrOptions *opts, GError **error)
{
	g_autoptr(KjCdrWorker) w = kj_cdr_worker_new(opts, KJ_CDR_ISOLATE_FORK_EACH);
	return kj_cdr_worker_sanitize(w, input, name, declared_type, error);
}
