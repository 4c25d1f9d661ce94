/*++
 * NAME
 *	audit_read - reading and verifying the audit trail
 * DESCRIPTION
 *	kj_audit_read() streams the records of a log; kj_audit_verify()
 *	walks the whole chain and names the first record where it breaks:
 *	a line that is not a record, a record whose hash does not match its
 *	content (altered), a sequence number out of order (removed,
 *	inserted or reordered), or a prev that is not the hash of the record
 *	before (altered and re-hashed, or spliced).  A log cut back at the
 *	end is found by comparing with the head file kept beside the log,
 *	or with a head published earlier (the witness).
 * SECURITY
 *	The log is untrusted input here: an auditor may be checking a copy
 *	handed over by the party being audited.  Lines are read into a
 *	bounded buffer (KJ_AUDIT_MAX_RECORD_CEILING), parsed with jansson
 *	rejecting duplicate keys, and every member is type-checked.
 * LIMITS
 *	KJ_AUDIT_MAX_RECORD_CEILING bytes per line when reading.
 * STANDARDS
 *	基本方針 7: audits must be able to rely on the trail.
 * SEE ALSO
 *	audit.c (the format), cli/audit.c
 *--*/
#include "audit/audit.h"

#include "audit/audit_private.h"
#include "util/limits.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ,"hash":"<64 hex>"} */
#define HASH_PREFIX ",\"hash\":\""
#define HASH_SUFFIX_LEN (sizeof HASH_PREFIX - 1 + KJ_SHA256_HEX_LEN + 2)

static gboolean bad(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static gboolean bad(GError **error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error_literal(error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_TAMPERED, msg);
	return FALSE;
}

void _kj_audit_parsed_clear(KjAuditParsed *p)
{
	if (p->json)
		json_decref(p->json);
	memset(p, 0, sizeof *p);
}

static const char *str_member(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The hash member must be last and exactly shaped, so that the hashed
 * text can be cut from the line without re-serialising. */
static gboolean check_hash(const char *line, gsize len, char *hash, GError **error)
{
	const char *tail = line + len - HASH_SUFFIX_LEN;

	if (len < HASH_SUFFIX_LEN + 2 || memcmp(tail, HASH_PREFIX, sizeof HASH_PREFIX - 1) != 0 ||
	    line[len - 2] != '"' || line[len - 1] != '}')
		return bad(error, "not a record: its hash member is missing or not last");
	memcpy(hash, tail + sizeof HASH_PREFIX - 1, KJ_SHA256_HEX_LEN);
	hash[KJ_SHA256_HEX_LEN] = '\0';
	if (!kj_sha256_hex_valid(hash))
		return bad(error, "not a record: its hash is not 64 lower-case hex digits");

	gsize body_len = len - HASH_SUFFIX_LEN;
	KjSha256 *h = kj_sha256_new();
	char want[KJ_SHA256_HEX_LEN + 1];
	kj_sha256_update(h, line, body_len);
	kj_sha256_update(h, "}", 1);
	kj_sha256_finish(h, want);
	if (strcmp(want, hash) != 0)
		return bad(error, "its content does not match its hash: the record was altered");
	return TRUE;
}

static gboolean check_members(KjAuditParsed *p, GError **error)
{
	static const char *const keys[] = {"seq",    "time",    "actor", "action",
					   "object", "details", "prev",  "hash"};
	json_t *o = p->json;
	json_t *seq = json_object_get(o, "seq");

	if (json_object_size(o) != G_N_ELEMENTS(keys))
		return bad(error, "not a record: it has %zu members, not %zu", json_object_size(o),
			   G_N_ELEMENTS(keys));
	for (gsize i = 0; i < G_N_ELEMENTS(keys); i++)
		if (json_object_get(o, keys[i]) == NULL)
			return bad(error, "not a record: member '%s' is missing", keys[i]);
	if (!json_is_integer(seq) || json_integer_value(seq) < 1)
		return bad(error, "not a record: seq is not a positive integer");
	p->seq = json_integer_value(seq);
	p->time = str_member(o, "time");
	p->actor = str_member(o, "actor");
	p->action = str_member(o, "action");
	p->object = str_member(o, "object");
	p->prev = str_member(o, "prev");
	p->details = json_object_get(o, "details");
	if (!p->time || !p->actor || !p->action || !p->object || !p->prev)
		return bad(error, "not a record: time, actor, action, object and prev must be "
				  "strings");
	if (!json_is_object(p->details) && !json_is_null(p->details))
		return bad(error, "not a record: details must be an object or null");
	if (json_is_null(p->details))
		p->details = NULL;
	if (!kj_sha256_hex_valid(p->prev))
		return bad(error, "not a record: prev is not 64 lower-case hex digits");
	return TRUE;
}

gboolean _kj_audit_parse_line(const char *line, gsize len, KjAuditParsed *p, GError **error)
{
	json_error_t jerr;

	memset(p, 0, sizeof *p);
	if (!check_hash(line, len, p->hash, error))
		return FALSE;
	p->json = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (p->json == NULL || !json_is_object(p->json)) {
		_kj_audit_parsed_clear(p);
		return bad(error, "not a record: not a JSON object (%s)", jerr.text);
	}
	if (!check_members(p, error)) {
		_kj_audit_parsed_clear(p);
		return FALSE;
	}
	return TRUE;
}

gboolean _kj_audit_read_tail(int fd, off_t size, gint64 max_record, const char *path,
			     KjAuditHead *head, GError **error)
{
	gsize want = (gsize)MIN((gint64)size, max_record + 1);
	g_autofree char *buf = g_malloc(want + 1);
	ssize_t n = pread(fd, buf, want, size - (off_t)want);

	if (n != (ssize_t)want) {
		g_set_error(error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_IO,
			    "cannot read the end of audit log %s: %s", path,
			    n < 0 ? g_strerror(errno) : "short read");
		return FALSE;
	}
	buf[want] = '\0';
	if (buf[want - 1] != '\n') {
		g_set_error(error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_DAMAGED,
			    "audit log %s does not end with a complete record "
			    "(run 'kyojin audit verify')",
			    path);
		return FALSE;
	}
	buf[want - 1] = '\0';
	char *start = memrchr(buf, '\n', want - 1);
	if (start == NULL && (gint64)want < (gint64)size) {
		g_set_error(error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_DAMAGED,
			    "the last record of audit log %s is longer than %" G_GINT64_FORMAT
			    " bytes (run 'kyojin audit verify')",
			    path, max_record);
		return FALSE;
	}
	start = start ? start + 1 : buf;
	KjAuditParsed p;
	g_autoptr(GError) perr = NULL;
	if (!_kj_audit_parse_line(start, strlen(start), &p, &perr)) {
		g_set_error(error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_DAMAGED,
			    "the last record of audit log %s is not valid: %s "
			    "(run 'kyojin audit verify')",
			    path, perr->message);
		return FALSE;
	}
	head->seq = p.seq;
	memcpy(head->hash, p.hash, sizeof head->hash);
	_kj_audit_parsed_clear(&p);
	return TRUE;
}

gboolean kj_audit_get_head(const char *log_path, KjAuditHead *head, GError **error)
{
	struct stat st;
	int fd = open(log_path, O_RDONLY | O_CLOEXEC);

	head->seq = 0;
	memcpy(head->hash, KJ_AUDIT_GENESIS, sizeof head->hash);
	if (fd < 0) {
		if (errno == ENOENT)
			return TRUE; /* no log yet: the empty chain */
		g_set_error(error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_IO, "cannot open %s: %s",
			    log_path, g_strerror(errno));
		return FALSE;
	}
	gboolean ok = fstat(fd, &st) == 0;
	if (!ok)
		g_set_error(error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_IO, "cannot stat %s: %s",
			    log_path, g_strerror(errno));
	else if (st.st_size > 0)
		ok = _kj_audit_read_tail(fd, st.st_size, KJ_AUDIT_MAX_RECORD_CEILING, log_path,
					 head, error);
	close(fd);
	return ok;
}

/*
 * Line reader: calls fn for every line (without its newline), with a
 * bounded buffer; a line longer than max is passed as NULL.  *partial is
 * set when the file does not end with a newline (the last line is then
 * still passed, flagged by the caller).
 */
typedef gboolean (*LineFunc)(const char *line, gsize len, gint64 lineno, gpointer ud);

static gboolean read_lines(const char *path, gsize max, LineFunc fn, gpointer ud, gboolean *partial,
			   GError **error)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		g_set_error(error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_IO, "cannot open %s: %s", path,
			    g_strerror(errno));
		return FALSE;
	}
	GByteArray *cur = g_byte_array_sized_new(4096);
	char chunk[65536];
	gint64 lineno = 0;
	gboolean toolong = FALSE, go = TRUE, ok = TRUE;
	ssize_t n;

	*partial = FALSE;
	while (go && (n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			g_set_error(error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_IO, "cannot read %s: %s",
				    path, g_strerror(errno));
			ok = FALSE;
			break;
		}
		const char *p = chunk, *end = chunk + n;
		while (go && p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			gsize take = (gsize)((nl ? nl : end) - p);
			if (!toolong && cur->len + take > max) {
				toolong = TRUE;
				g_byte_array_set_size(cur, 0);
			}
			if (!toolong)
				g_byte_array_append(cur, (const guint8 *)p, (guint)take);
			p += take;
			if (nl == NULL)
				break;
			p++;
			lineno++;
			g_byte_array_append(cur, (const guint8 *)"", 1);
			go = fn(toolong ? NULL : (const char *)cur->data,
				toolong ? 0 : cur->len - 1, lineno, ud);
			g_byte_array_set_size(cur, 0);
			toolong = FALSE;
		}
	}
	if (ok && go && (cur->len > 0 || toolong)) {
		*partial = TRUE;
		g_byte_array_append(cur, (const guint8 *)"", 1);
		fn(toolong ? NULL : (const char *)cur->data, toolong ? 0 : cur->len - 1, ++lineno,
		   ud);
	}
	g_byte_array_free(cur, TRUE);
	close(fd);
	return ok;
}

typedef struct {
	KjAuditRecordFunc func;
	gpointer user_data;
	GError *error;
} ReadCtx;

/* The record a parsed line stands for; line is the text it was parsed
 * from (the record borrows both). */
static KjAuditRecord record_of(const KjAuditParsed *p, const char *line)
{
	KjAuditRecord rec = {.seq = p->seq,
			     .time = p->time,
			     .actor = p->actor,
			     .action = p->action,
			     .object = p->object,
			     .details = p->details,
			     .prev = p->prev,
			     .line = line,
			     .hash = p->hash};
	return rec;
}

static gboolean read_one(const char *line, gsize len, gint64 lineno, gpointer ud)
{
	ReadCtx *c = ud;
	KjAuditParsed p;
	g_autoptr(GError) err = NULL;

	if (line == NULL || !_kj_audit_parse_line(line, len, &p, &err)) {
		g_set_error(&c->error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_TAMPERED,
			    "line %" G_GINT64_FORMAT " is not a valid record: %s", lineno,
			    err ? err->message : "longer than the record limit");
		return FALSE;
	}
	KjAuditRecord rec = record_of(&p, line);
	gboolean go = c->func(&rec, c->user_data);
	_kj_audit_parsed_clear(&p);
	return go;
}

gboolean kj_audit_read(const char *log_path, KjAuditRecordFunc func, gpointer user_data,
		       GError **error)
{
	ReadCtx c = {.func = func, .user_data = user_data};
	gboolean partial;

	if (!g_file_test(log_path, G_FILE_TEST_EXISTS))
		return TRUE;
	if (!read_lines(log_path, KJ_AUDIT_MAX_RECORD_CEILING, read_one, &c, &partial, error))
		return FALSE;
	if (c.error) {
		g_propagate_error(error, c.error);
		return FALSE;
	}
	return TRUE;
}

/*
 * Verification.
 */

/* A head as "SEQ:HASH", "SEQ HASH" (the head file) or just "HASH". */
static gboolean parse_head_text(const char *text, KjAuditHead *h)
{
	g_autofree char *s = g_strstrip(g_strdup(text));
	char *sep = strpbrk(s, ": ");
	const char *hash = s;

	h->seq = -1; /* unknown: find the hash anywhere */
	if (sep) {
		*sep = '\0';
		char *end = NULL;
		errno = 0;
		gint64 v = g_ascii_strtoll(s, &end, 10);
		if (errno || end == s || *end != '\0' || v < 0)
			return FALSE;
		h->seq = v;
		hash = sep + 1;
		while (*hash == ' ')
			hash++;
	}
	if (!kj_sha256_hex_valid(hash))
		return FALSE;
	memcpy(h->hash, hash, sizeof h->hash);
	return TRUE;
}

typedef struct {
	KjAuditVerdict *v;
	KjAuditHead prev;
	gboolean have_file_head, have_witness;
	KjAuditHead file_head, witness;
	gboolean file_head_matched;
} VerifyCtx;

static gboolean verify_fail(VerifyCtx *c, gint64 lineno, gint64 seq, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

static gboolean verify_fail(VerifyCtx *c, gint64 lineno, gint64 seq, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	c->v->ok = FALSE;
	c->v->bad_line = lineno;
	c->v->bad_seq = seq;
	c->v->reason = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	return FALSE;
}

/* Checks that a head recorded elsewhere names this record, if it names
 * its sequence number. */
static gboolean check_known_head(VerifyCtx *c, const KjAuditParsed *p, gint64 lineno)
{
	if (c->have_file_head && p->seq == c->file_head.seq) {
		if (strcmp(p->hash, c->file_head.hash) != 0)
			return verify_fail(c, lineno, p->seq,
					   "record %" G_GINT64_FORMAT " differs from the head file "
					   "%s: the record was replaced",
					   p->seq, KJ_AUDIT_HEAD_NAME);
		c->file_head_matched = TRUE;
	}
	if (c->have_witness && !c->v->witness_found) {
		if (c->witness.seq == p->seq && strcmp(p->hash, c->witness.hash) != 0)
			return verify_fail(c, lineno, p->seq,
					   "record %" G_GINT64_FORMAT " is not the one in the "
					   "published head %s: the log was rewritten",
					   p->seq, c->witness.hash);
		if (strcmp(p->hash, c->witness.hash) == 0 &&
		    (c->witness.seq < 0 || c->witness.seq == p->seq))
			c->v->witness_found = TRUE;
	}
	return TRUE;
}

static gboolean verify_one(const char *line, gsize len, gint64 lineno, gpointer ud)
{
	VerifyCtx *c = ud;
	gint64 want = c->prev.seq + 1;
	KjAuditParsed p;
	g_autoptr(GError) err = NULL;

	if (line == NULL)
		return verify_fail(c, lineno, want,
				   "line %" G_GINT64_FORMAT " is longer than any record may be",
				   lineno);
	if (!_kj_audit_parse_line(line, len, &p, &err))
		return verify_fail(c, lineno, want,
				   "record %" G_GINT64_FORMAT " (line %" G_GINT64_FORMAT "): %s",
				   want, lineno, err->message);
	gboolean ok = TRUE;
	if (p.seq != want)
		ok = verify_fail(c, lineno, want,
				 "record %" G_GINT64_FORMAT " expected at line %" G_GINT64_FORMAT
				 " but record %" G_GINT64_FORMAT " found: records were %s",
				 want, lineno, p.seq,
				 p.seq > want ? "removed" : "inserted, duplicated or reordered");
	else if (strcmp(p.prev, c->prev.hash) != 0)
		ok = verify_fail(c, lineno, want,
				 "record %" G_GINT64_FORMAT " (line %" G_GINT64_FORMAT
				 ") does not follow record %" G_GINT64_FORMAT
				 ": its prev is not that record's hash (record %" G_GINT64_FORMAT
				 " was altered and re-hashed, or the log was spliced)",
				 want, lineno, c->prev.seq, c->prev.seq);
	else
		ok = check_known_head(c, &p, lineno);
	if (ok) {
		c->prev.seq = p.seq;
		memcpy(c->prev.hash, p.hash, sizeof p.hash);
		c->v->records++;
	}
	_kj_audit_parsed_clear(&p);
	return ok;
}

static gboolean load_file_head(const char *head_path, KjAuditHead *h, gboolean *have,
			       KjAuditVerdict *v)
{
	g_autofree char *text = NULL;

	*have = FALSE;
	if (head_path == NULL || !g_file_get_contents(head_path, &text, NULL, NULL))
		return TRUE;
	g_strstrip(text);
	if (*text == '\0')
		return TRUE; /* created, never written: no record yet */
	if (!parse_head_text(text, h)) {
		v->ok = FALSE;
		v->reason = g_strdup_printf("the head file %s is not valid", head_path);
		return FALSE;
	}
	*have = TRUE;
	return TRUE;
}

/* After the walk: a head recorded earlier must still be in the log. */
static void verify_tail(VerifyCtx *c, gboolean partial)
{
	KjAuditVerdict *v = c->v;

	if (!v->ok)
		return;
	if (partial) {
		verify_fail(c, c->v->records + 1, c->prev.seq + 1,
			    "the log ends in an incomplete record after record %" G_GINT64_FORMAT
			    ": the tail was truncated or a write was interrupted",
			    c->prev.seq);
		return;
	}
	if (c->have_file_head && !c->file_head_matched && c->file_head.seq > c->prev.seq) {
		verify_fail(c, c->v->records + 1, c->prev.seq + 1,
			    "the log ends at record %" G_GINT64_FORMAT " but the head file "
			    "records %" G_GINT64_FORMAT ": records %" G_GINT64_FORMAT
			    " to %" G_GINT64_FORMAT " were cut off the end",
			    c->prev.seq, c->file_head.seq, c->prev.seq + 1, c->file_head.seq);
		return;
	}
	if (c->have_witness && !v->witness_found) {
		g_autofree char *seq =
		    c->witness.seq >= 0 ? g_strdup_printf("%" G_GINT64_FORMAT ":", c->witness.seq)
					: g_strdup("");
		verify_fail(c, c->v->records + 1, c->prev.seq + 1,
			    "the published head %s%s is not in the log (it ends at record "
			    "%" G_GINT64_FORMAT "): the log was cut back or rewritten",
			    seq, c->witness.hash, c->prev.seq);
	}
}

void kj_audit_verdict_clear(KjAuditVerdict *v)
{
	g_free(v->reason);
	memset(v, 0, sizeof *v);
}

gboolean kj_audit_verify(const char *log_path, const char *head_path, const char *witness,
			 KjAuditVerdict *v, GError **error)
{
	VerifyCtx c = {.v = v};
	gboolean partial = FALSE;

	memset(v, 0, sizeof *v);
	v->ok = TRUE;
	memcpy(c.prev.hash, KJ_AUDIT_GENESIS, sizeof c.prev.hash);
	if (witness) {
		if (!parse_head_text(witness, &c.witness)) {
			g_set_error(error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_INVALID,
				    "'%s' is not a head: give SEQ:HASH as printed by 'kyojin "
				    "audit head'",
				    witness);
			return FALSE;
		}
		c.have_witness = TRUE;
	}
	if (!load_file_head(head_path, &c.file_head, &c.have_file_head, v))
		return TRUE;
	if (g_file_test(log_path, G_FILE_TEST_EXISTS) &&
	    !read_lines(log_path, KJ_AUDIT_MAX_RECORD_CEILING, verify_one, &c, &partial, error))
		return FALSE;
	verify_tail(&c, partial);
	v->head = c.prev;
	return TRUE;
}

/* One line of the reverse walk: parsed, then handed to func. */
static gboolean reverse_line(const char *line, gsize len, KjAuditRecordFunc func,
			     gpointer user_data, gboolean *stop, GError **error)
{
	KjAuditParsed p;
	GError *perr = NULL;
	g_autofree char *copy = g_strndup(line, len);

	if (!_kj_audit_parse_line(copy, len, &p, &perr)) {
		g_set_error(error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_TAMPERED, "%s", perr->message);
		g_error_free(perr);
		return FALSE;
	}
	KjAuditRecord rec = record_of(&p, copy);
	*stop = !func(&rec, user_data);
	_kj_audit_parsed_clear(&p);
	return TRUE;
}

/* Reads the log from its end in blocks, so that the newest records cost
 * the same whatever the size of the log (a console page of the trail). */
gboolean kj_audit_read_reverse(const char *log_path, KjAuditRecordFunc func, gpointer user_data,
			       GError **error)
{
	struct stat st;
	int fd = open(log_path, O_RDONLY | O_CLOEXEC);
	gboolean ok = TRUE, stop = FALSE;
	enum { BLOCK = 64 * 1024 };

	if (fd < 0) {
		if (errno == ENOENT)
			return TRUE;
		g_set_error(error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_IO, "cannot open %s: %s",
			    log_path, g_strerror(errno));
		return FALSE;
	}
	if (fstat(fd, &st) != 0) {
		g_set_error(error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_IO, "cannot stat %s: %s",
			    log_path, g_strerror(errno));
		close(fd);
		return FALSE;
	}
	off_t pos = st.st_size;
	/* The bytes after pos not yet handed out: the start of the earliest
	 * line seen so far, which may continue in the block before. */
	GByteArray *tail = g_byte_array_new();
	while (ok && !stop && pos > 0) {
		gsize chunk = (gsize)MIN((off_t)BLOCK, pos);
		pos -= (off_t)chunk;
		GByteArray *buf = g_byte_array_sized_new((guint)(chunk + tail->len));
		g_byte_array_set_size(buf, (guint)chunk);
		if (pread(fd, buf->data, chunk, pos) != (ssize_t)chunk) {
			g_set_error(error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_IO, "cannot read %s: %s",
				    log_path, g_strerror(errno));
			g_byte_array_unref(buf);
			ok = FALSE;
			break;
		}
		g_byte_array_append(buf, tail->data, tail->len);
		g_byte_array_set_size(tail, 0);
		gsize end = buf->len;
		/* The file ends with a newline; strip it once. */
		if (pos + (off_t)chunk == st.st_size && end > 0 && buf->data[end - 1] == '\n')
			end--;
		while (ok && !stop) {
			const guint8 *nl = end ? memrchr(buf->data, '\n', end) : NULL;
			if (!nl) {
				if (pos == 0 && end > 0)
					ok = reverse_line((const char *)buf->data, end, func,
							  user_data, &stop, error);
				else
					g_byte_array_append(tail, buf->data, (guint)end);
				break;
			}
			gsize start = (gsize)(nl - buf->data) + 1;
			if (end > start)
				ok = reverse_line((const char *)buf->data + start, end - start,
						  func, user_data, &stop, error);
			end = start - 1;
		}
		g_byte_array_unref(buf);
		if (tail->len > (guint)KJ_AUDIT_MAX_RECORD_CEILING) {
			g_set_error(error, KJ_AUDIT_ERROR, KJ_AUDIT_ERROR_TAMPERED,
				    "a line of %s is longer than any record", log_path);
			ok = FALSE;
		}
	}
	g_byte_array_unref(tail);
	close(fd);
	return ok;
}
