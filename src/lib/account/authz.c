/*++
 * NAME
 *	authz - what each console role may do, and where
 * DESCRIPTION
 *	One table, role x action -> scope.  Scope OWN limits an action to
 *	objects of the account's department; ALL is every department.
 *	Actions on things that belong to no department (the ledger, the
 *	gateway, the audit trail) are listed as department-free: for them
 *	OWN and ALL both simply allow.
 *
 *	The front ends check every request and every object against this
 *	table; an object outside the scope is answered as not found, so
 *	that changing an id in a URL tells nothing.
 *
 *	Separation of duties is not in the table but in the workflows
 *	(release.c, exchange.c): nobody approves their own request.
 * SECURITY
 *	Pure function of constant data.
 * STANDARDS
 *	基本方針 4 (組織体制), 6(6) (アクセス制御: need to know, least privilege).
 * SEE ALSO
 *	docs/en/console.md (the same table, for people).
 *--*/
#include "account/account.h"

#include <string.h>

#define N KJ_SCOPE_NONE
#define O KJ_SCOPE_OWN
#define A KJ_SCOPE_ALL

typedef struct {
	const char *action;
	gboolean departmental;
	/* staff, approver, secadmin, auditor, readonly */
	KjScope scope[5];
} Rule;

static const Rule rules[] = {
    /* Quarantined mail of a department: list, notice, attachments. */
    {"mail.read", TRUE, {O, O, A, N, O}},
    /* Ask for an attachment (sanitized or original), or open a PPAP archive. */
    {"release.request", TRUE, {O, O, A, N, N}},
    {"release.read", TRUE, {O, O, A, A, O}},
    /* First approval: the department's 情報セキュリティ管理者. */
    {"release.approve", TRUE, {N, O, A, N, N}},
    /* Second approval of an unsanitized original: the security team only. */
    {"release.approve_original", TRUE, {N, N, A, N, N}},
    {"release.download", TRUE, {O, O, A, N, N}},
    /* File exchange between segments. */
    {"exchange.upload", TRUE, {O, O, A, N, N}},
    {"exchange.read", TRUE, {O, O, A, A, O}},
    {"exchange.approve", TRUE, {N, O, A, N, N}},
    {"exchange.download", TRUE, {O, O, A, N, N}},
    /* Governance ledger. */
    {"ledger.read", FALSE, {A, A, A, A, A}},
    {"ledger.write", FALSE, {N, N, A, N, N}},
    /* Self-inspection answers of a department (基本方針 7). */
    {"inspect.answer", TRUE, {N, O, A, N, N}},
    {"gateway.read", FALSE, {N, N, A, A, N}},
    {"audit.read", FALSE, {N, N, A, A, N}},
    {"notification.read", FALSE, {N, N, A, A, N}},
    {"account.read", TRUE, {N, O, A, A, N}},
    {"account.admin", FALSE, {N, N, A, N, N}},
};

#undef N
#undef O
#undef A

static const Rule *find(const char *action)
{
	for (gsize i = 0; action && i < G_N_ELEMENTS(rules); i++)
		if (strcmp(rules[i].action, action) == 0)
			return &rules[i];
	return NULL;
}

KjScope kj_authz_scope(KjRole role, const char *action)
{
	const Rule *r = find(action);
	if (!r || (guint)role >= G_N_ELEMENTS(r->scope))
		return KJ_SCOPE_NONE;
	return r->scope[role];
}

gboolean kj_authz_allows(const KjAccount *a, const char *action, const char *department)
{
	const Rule *r = find(action);
	if (!a || !r)
		return FALSE;
	KjScope s = kj_authz_scope(a->role, action);
	if (s == KJ_SCOPE_NONE)
		return FALSE;
	if (s == KJ_SCOPE_ALL || !r->departmental)
		return TRUE;
	/* OWN: an object of no known department is nobody's own. */
	return department && a->department && strcmp(department, a->department) == 0;
}

const char *const *kj_authz_actions(void)
{
	static const char *names[G_N_ELEMENTS(rules) + 1];
	static gsize once;
	if (g_once_init_enter(&once)) {
		for (gsize i = 0; i < G_N_ELEMENTS(rules); i++)
			names[i] = rules[i].action;
		g_once_init_leave(&once, 1);
	}
	return names;
}
