/* check_private.h - shared by check.c and check_net.c. */
#ifndef KJ_POLICY_CHECK_PRIVATE_H
#define KJ_POLICY_CHECK_PRIVATE_H

#include "policy/policy_private.h"

/* Clauses of the basic policy, as cited in every violation. */
#define KJ_CLAUSE_DEFS "基本方針 2(8)-(10)"
#define KJ_CLAUSE_SPLIT "基本方針 2(11)"
#define KJ_CLAUSE_MYNUMBER "基本方針 6(3)①"
#define KJ_CLAUSE_LGWAN "基本方針 6(3)②"
#define KJ_CLAUSE_INTERNET "基本方針 6(3)③"

/* Adds a violation; hosts is a NULL-terminated list of names (may be
 * NULL).  Returns the violation so that callers can add more hosts. */
KjPolicyViolation *_kj_check_add(GPtrArray *out, const char *rule, const char *clause,
				 KjPolicyMark mark, const char *flow, const char *fix,
				 const char *fmt, ...) G_GNUC_PRINTF(7, 8);
void _kj_check_host(KjPolicyViolation *v, const char *name);
/* Network well-formedness (check_net.c). */
void _kj_check_networks(const KjPolicy *p, GPtrArray *out);

#endif
