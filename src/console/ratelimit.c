/*++
 * NAME
 *	ratelimit - login attempts per client address
 * DESCRIPTION
 *	A one-minute window per client address, in memory, opened by the
 *	address's first attempt (not aligned to clock minutes, so that a
 *	burst across a minute boundary is still one window).  The
 *	account lockout (account.c) stops guessing one account's password;
 *	this stops one address from trying many accounts.  The table is
 *	bounded: when full, windows of past minutes are dropped, and if
 *	every entry is current the oldest-seen address is forgotten.
 * SECURITY
 *	Runs in the console's request threads, under one mutex.
 * LIMITS
 *	console.login_rate_per_min, KJ_CONSOLE_RATE_TABLE_MAX.
 * STANDARDS
 *	基本方針 6(6); OWASP Authentication Cheat Sheet (throttling).
 * SEE ALSO
 *	auth.c.
 *--*/
#include "console/console.h"

#include "util/limits.h"

typedef struct {
	gint64 start; /* unix seconds of the window's first attempt */
	gint64 count;
} RateEntry;

void kj_console_rate_init(KjConsole *c)
{
	g_mutex_init(&c->rate_lock);
	c->rate = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

static gboolean old_window(gpointer key, gpointer value, gpointer user_data)
{
	const RateEntry *e = value;
	return *(const gint64 *)user_data - e->start >= 60;
}

gboolean kj_console_rate_allow(KjConsole *c, const char *client, gint64 now)
{
	gboolean ok;

	g_mutex_lock(&c->rate_lock);
	RateEntry *e = g_hash_table_lookup(c->rate, client);
	if (!e) {
		if (g_hash_table_size(c->rate) >= KJ_CONSOLE_RATE_TABLE_MAX)
			g_hash_table_foreach_remove(c->rate, old_window, &now);
		if (g_hash_table_size(c->rate) >= KJ_CONSOLE_RATE_TABLE_MAX) {
			GHashTableIter it;
			gpointer k;
			g_hash_table_iter_init(&it, c->rate);
			if (g_hash_table_iter_next(&it, &k, NULL))
				g_hash_table_iter_remove(&it);
		}
		e = g_new0(RateEntry, 1);
		e->start = now;
		g_hash_table_insert(c->rate, g_strdup(client), e);
	}
	if (now - e->start >= 60 || now < e->start) {
		e->start = now;
		e->count = 0;
	}
	ok = e->count < c->cfg->console_login_rate_per_min;
	if (ok)
		e->count++;
	g_mutex_unlock(&c->rate_lock);
	return ok;
}
