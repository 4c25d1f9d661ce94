/*++
 * NAME
 *	fuzz-policy-log - the flow-log parsers (nftables, conntrack, CSV) on arbitrary bytes
 * DESCRIPTION
 *	Feeds the input to `policy flows`' analysis line by line (against a
 *	small fixed model), and whole to the line parser, checking that a
 *	parsed flow's fields are in range.
 * SECURITY
 *	Log lines can be forged by anyone able to log: the parser must
 *	never read out of bounds, crash or grow memory with its input.
 * LIMITS
 *	KJ_POLICY_LOG_MAX_LINE_DEFAULT.
 * STANDARDS
 *	基本方針 6(3)③, 6(7).
 * SEE ALSO
 *	src/lib/policy/flowlog.c, src/lib/policy/flows.c.
 *--*/
#include "policy/policy.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char model[] =
    "segments:\n  mynumber: {networks: [10.10.0.0/16]}\n  lgwan: {networks: [10.20.0.0/16]}\n"
    "  internet: {networks: [10.30.0.0/16, '2001:db8::/32'], monitoring: true}\n"
    "externals: [{name: w, kind: internet, networks: [0.0.0.0/0, '::/0']}]\n"
    "services: [{name: s, protocol: tcp, ports: [443, 1000-2000]}]\n"
    "hosts:\n  - {name: a, segment: lgwan, role: terminal, addresses: [10.20.0.5]}\n"
    "  - {name: b, segment: internet, role: screen-transfer, addresses: [10.30.0.5, "
    "'2001:db8::5']}\n"
    "flows: [{from: a, to: b, service: s}]\n";

static KjPolicy *policy;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size;
	KjObservedFlow f;

	if (policy == NULL) {
		policy = kj_policy_load_data("model", model, sizeof model - 1, NULL);
		if (policy == NULL)
			abort();
	}
	/* A copy of exactly size bytes, so ASan sees any read past the end. */
	char *whole = g_memdup2(data, size);
	if (kj_flowlog_parse_line(whole, size, &f) == KJ_FLOWLOG_FLOW) {
		if (f.dport > 65535 || f.time_len > size)
			abort();
		if (f.time_len && (f.time < whole || f.time + f.time_len > whole + size))
			abort();
	}
	g_free(whole);
	KjFlowAnalysis *a = kj_flow_analysis_new(policy);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		char *line = g_memdup2(s, n);
		kj_flow_analysis_line(a, line, n);
		g_free(line);
		s += n + 1;
	}
	GPtrArray *g = kj_flow_analysis_groups(a);
	g_ptr_array_unref(g);
	kj_flow_analysis_free(a);
	return 0;
}
