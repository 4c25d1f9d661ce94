/*++
 * NAME
 *	fuzz-policy-load - the segment model loader, checker and compilers on arbitrary bytes
 * DESCRIPTION
 *	Loads the input as a model; when it loads, runs everything that
 *	walks a model: check, the nftables compiler for each firewall, the
 *	DOT graph and the longest-prefix table.
 * SECURITY
 *	The model is operator-written, but the loader must never crash,
 *	leak or loop on any bytes (基本方針 6(6)).
 * LIMITS
 *	Those of util/limits.h (Policy).
 * STANDARDS
 *	基本方針 2(8)-(11), 6(3)①②③.
 * SEE ALSO
 *	src/lib/policy/load.c, fuzz-policy-log.c.
 *--*/
#include "policy/policy.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GError *error = NULL;
	KjPolicy *p = kj_policy_load_data("fuzz.yaml", (const char *)data, size, &error);

	g_clear_error(&error);
	if (p == NULL)
		return 0;
	GPtrArray *v = kj_policy_check(p);
	g_ptr_array_unref(v);
	GArray *fws = kj_policy_enforcers(p);
	for (guint i = 0; i < fws->len && i < 4; i++)
		g_free(kj_policy_compile_nft(p, g_array_index(fws, guint, i), (int)i - 1));
	g_array_unref(fws);
	g_free(kj_policy_graph_dot(p));
	KjFlowAnalysis *a = kj_flow_analysis_new(p);
	kj_flow_analysis_line(a, "10.0.0.1,10.0.0.2,tcp,443,t", 27);
	kj_flow_analysis_free(a);
	kj_policy_free(p);
	return 0;
}
