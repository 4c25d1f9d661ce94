/* audit_private.h - shared between audit.c and audit_read.c only. */
#ifndef KJ_AUDIT_AUDIT_PRIVATE_H
#define KJ_AUDIT_AUDIT_PRIVATE_H

#include "audit/audit.h"

#include <sys/types.h>

/* One record line taken apart.  Strings point into json (owned). */
typedef struct {
	json_t *json;
	gint64 seq;
	const char *time, *actor, *action, *object, *prev;
	json_t *details;
	char hash[KJ_SHA256_HEX_LEN + 1];
} KjAuditParsed;

/* Parses and checks one line (without newline): shape, types, and that
 * its hash member is the hash of the rest.  Does not check the chain. */
gboolean _kj_audit_parse_line(const char *line, gsize len, KjAuditParsed *p, GError **error);
void _kj_audit_parsed_clear(KjAuditParsed *p);

/* Reads the head from the last line of an open log of the given size. */
gboolean _kj_audit_read_tail(int fd, off_t size, gint64 max_record, const char *path,
			     KjAuditHead *head, GError **error);

#endif
