/* mail.h - the mail sanitization engine (メール無害化, see sanitize.c). */
#ifndef KJ_MIME_MAIL_H
#define KJ_MIME_MAIL_H

#include "util/hash.h"

#include <glib.h>

#define KJ_MAIL_ERROR (kj_mail_error_quark())
GQuark kj_mail_error_quark(void);

typedef enum {
	KJ_MAIL_ERROR_PROFILE,   /* a profile file or name is not acceptable */
	KJ_MAIL_ERROR_INTERNAL,  /* the engine failed (not the input): a bug */
	KJ_MAIL_ERROR_ISOLATION, /* the sandboxed worker failed: held */
	KJ_MAIL_ERROR_FORMAT,    /* a serialized result is damaged */
} KjMailError;

typedef enum {
	KJ_MAIL_LINKS_DEFANG, /* hxxps://example[.]com/ (default) */
	KJ_MAIL_LINKS_STRIP,  /* [URL removed] */
	KJ_MAIL_LINKS_KEEP,   /* left as they are */
} KjMailLinkMode;

typedef enum {
	KJ_MAIL_LANG_JA, /* notice in Japanese (default; city staff read it) */
	KJ_MAIL_LANG_EN,
} KjMailLang;

typedef enum {
	KJ_MAIL_CHARSET_UTF8,      /* output body and headers in UTF-8 (default) */
	KJ_MAIL_CHARSET_ISO2022JP, /* for old clients: 7-bit ISO-2022-JP */
} KjMailCharset;

typedef enum {
	KJ_MAIL_ATTACH_REMOVE, /* attachments removed and listed (default) */
	KJ_MAIL_ATTACH_HOLD,   /* a message with attachments is held whole */
} KjMailAttachPolicy;

/* Every limit of one sanitization; kj_mail_limits_init() gives the
 * defaults of util/limits.h, the front end copies the config keys. */
typedef struct {
	gint64 max_message_bytes;
	gint64 max_header_count;
	gint64 max_header_bytes;
	gint64 max_mime_depth;
	gint64 max_parts;
	gint64 max_decoded_bytes;
	gint64 html_max_depth;
	gint64 html_max_nodes;
} KjMailLimits;

void kj_mail_limits_init(KjMailLimits *limits);

/* What a site decides about its mail.  Built-in profiles: "default"
 * (ja, defang, UTF-8, remove), "ja-iso2022jp", "en", "strict" (hold
 * messages with attachments, strip links). */
typedef struct {
	char *name;
	KjMailLinkMode links;
	KjMailLang lang;
	KjMailCharset charset;
	KjMailAttachPolicy attachments;
	GPtrArray *keep_headers; /* char *, canonical case, in output order */
	KjMailLimits limits;
} KjMailProfile;

KjMailProfile *kj_mail_profile_new(const char *builtin, GError **error);
/* A YAML profile (see profile.c for its shape) given as a buffer; name is
 * used in error messages.  The library reads no file itself. */
KjMailProfile *kj_mail_profile_new_from_data(const char *name, const char *data, gsize len,
					     GError **error);
void kj_mail_profile_free(KjMailProfile *profile);
/* Names of the built-in profiles, NULL-terminated, static. */
const char *const *kj_mail_profile_builtins(void);

typedef enum {
	KJ_MAIL_SANITIZED,
	KJ_MAIL_HELD,
} KjMailVerdict;

/* One removed attachment (or a file listed inside a TNEF container). */
typedef struct {
	guint index;         /* 1-based, in message order */
	char *filename;      /* UTF-8, neutralized for display; may be NULL */
	char *declared_type; /* Content-Type as sent */
	char *detected_type; /* from the bytes (libmagic) */
	gint64 size;         /* decoded bytes */
	char sha256[KJ_SHA256_HEX_LEN + 1];
	char *container; /* "winmail.dat" for TNEF members, else NULL */
	char *note;      /* "encrypted zip (PPAP)", ... or NULL */
	GBytes *data;    /* decoded bytes, for the quarantine; may be NULL */
} KjMailAttachment;

typedef struct {
	KjMailVerdict verdict;
	GPtrArray *reasons;     /* char *: why held, each one line */
	GPtrArray *actions;     /* char *: what was done, machine words */
	GPtrArray *attachments; /* KjMailAttachment * */
	GBytes *output;         /* the sanitized message; NULL when held */
	char *report_json;      /* the report (see report.c) */
	char original_sha256[KJ_SHA256_HEX_LEN + 1];
	char *subject; /* UTF-8, for the quarantine index; may be NULL */
	char *from;
	char *to;
	char *message_id;
} KjMailResult;

void kj_mail_result_free(KjMailResult *result);

/* Process-wide set-up (GMime, the libmagic database).  Call once in the
 * parent before any sandbox forks: the sandboxed child has no file
 * system to load them from. */
void kj_mail_global_init(void);

/* Sanitizes one message in this process.  raw is untrusted.  quarantine_id
 * names the original in the output and notice; NULL when there is no
 * quarantine (the SHA-256 of the original is shown instead).  Bad input
 * is not an error: it gives a result whose verdict is KJ_MAIL_HELD with
 * reasons.  Returns FALSE only on an internal failure. */
gboolean kj_mail_sanitize(GBytes *raw, const KjMailProfile *profile, const char *quarantine_id,
			  KjMailResult **out, GError **error);

/* The quarantine id a front end with a data directory uses for raw: a
 * function of the bytes alone, so sanitizing the same message twice
 * finds the same quarantine entry. */
char *kj_mail_quarantine_id(const char sha256[KJ_SHA256_HEX_LEN + 1]);

/* Serialization of a result across the sandbox boundary (isolate.c). */
GBytes *kj_mail_result_serialize(const KjMailResult *result);
KjMailResult *kj_mail_result_deserialize(GBytes *bytes, GError **error);

/* Isolation (isolate.c): the same as kj_mail_sanitize, in a sandboxed
 * worker.  A worker that crashes, runs out of time or memory gives a held
 * result naming what happened, not an error. */
typedef struct KjMailWorker KjMailWorker;

typedef enum {
	KJ_MAIL_ISOLATE_REUSE,     /* one worker for many messages (default) */
	KJ_MAIL_ISOLATE_FORK_EACH, /* a fresh worker per message */
	KJ_MAIL_ISOLATE_NONE,      /* in process: debugging only */
} KjMailIsolation;

/* profile is borrowed and must outlive the worker. */
KjMailWorker *kj_mail_worker_new(const KjMailProfile *profile, KjMailIsolation mode,
				 GError **error);
gboolean kj_mail_worker_sanitize(KjMailWorker *worker, GBytes *raw, const char *quarantine_id,
				 KjMailResult **out, GError **error);
/* The same, with the SHA-256 of raw already computed by the caller (who
 * needs it for the quarantine id anyway): the worker does not hash the
 * message again, and the result carries the caller's digest, not one the
 * worker could misstate.  A batch computes it while the previous message
 * is in the worker, off the critical path. */
gboolean kj_mail_worker_sanitize_hashed(KjMailWorker *worker, GBytes *raw,
					const char sha256[KJ_SHA256_HEX_LEN + 1],
					const char *quarantine_id, KjMailResult **out,
					GError **error);
/* One message for a worker: its bytes, their SHA-256 as above (NULL: the
 * worker computes it) and its quarantine id (NULL: none). */
typedef struct {
	GBytes *raw;
	const char *sha256;
	const char *quarantine_id;
} KjMailInput;
/* kj_mail_worker_sanitize_hashed() of in that also hands the worker next
 * (may be NULL), to start on while the caller deals with in's result
 * (kj_sandbox_run_ahead()).  Pass the same next->raw as in->raw of the
 * following call; any other message there is simply sanitized (what
 * was sent ahead is dropped).  The result is always in's. */
gboolean kj_mail_worker_run(KjMailWorker *worker, const KjMailInput *in, const KjMailInput *next,
			    KjMailResult **out, GError **error);
void kj_mail_worker_free(KjMailWorker *worker);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KjMailProfile, kj_mail_profile_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(KjMailResult, kj_mail_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(KjMailWorker, kj_mail_worker_free)

#endif
