/* fuzz-audit - the audit record parser and chain verifier on hostile bytes
 * (an auditor may verify a copy of the log handed over by anyone). */
#include "audit/audit.h"
#include "audit/audit_private.h"

#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	KjAuditParsed p;
	GError *error = NULL;

	if (_kj_audit_parse_line((const char *)data, size, &p, &error))
		_kj_audit_parsed_clear(&p);
	g_clear_error(&error);

	/* The whole-file path: verify the bytes as a log. */
	char path[] = "/tmp/kj-fuzz-audit-XXXXXX";
	int fd = g_mkstemp(path);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		KjAuditVerdict v;
		if (kj_audit_verify(path, NULL, NULL, &v, &error))
			kj_audit_verdict_clear(&v);
		g_clear_error(&error);
	}
	close(fd);
	unlink(path);
	return 0;
}
