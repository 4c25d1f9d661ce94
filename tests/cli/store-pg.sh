# store-pg - the PostgreSQL backend against a real server: initdb and
# postgres run as a non-root user (nobody when the test runs as root) in a
# private directory, listening only on a Unix socket there (no TCP); the
# unit program test-db-pg then exercises the backend, every migration and
# the ledger through it.  The server is stopped on exit.  Skipped (77)
# when PostgreSQL's server programs or libpq are not installed.
. "$(dirname "$0")/lib.sh"

prog="$KJ_BUILD_ROOT/tests/unit/test-db-pg"
[ -x "$prog" ] || exit 77
grep -q '^#define KJ_HAVE_LIBPQ 1' "$KJ_BUILD_ROOT/kj_build_config.h" || exit 77
bin=
for d in /usr/lib/postgresql/*/bin; do
	[ -x "$d/initdb" ] && bin=$d
done
[ -n "$bin" ] || exit 77

as_user() { "$@"; }
if [ "$(id -u)" = 0 ]; then
	command -v runuser >/dev/null || exit 77
	as_user() { runuser -u nobody -- "$@"; }
	chmod 711 "$T"
fi
pg="$T/pg"
mkdir "$pg"
[ "$(id -u)" = 0 ] && chown nobody "$pg"

stop() {
	[ -f "$pg/data/postmaster.pid" ] && as_user "$bin/pg_ctl" -D "$pg/data" -m immediate stop >/dev/null 2>&1
	rm -rf "$T"
}
trap stop EXIT

as_user "$bin/initdb" -D "$pg/data" -U kyojin -A trust -E UTF8 --locale=C --no-sync \
	>"$T/initdb.log" 2>&1 || { cat "$T/initdb.log" >&2; fail "initdb failed"; }
# -w: pg_ctl polls the server until it accepts connections (bounded by -t).
as_user "$bin/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w -t 60 \
	-o "-k $pg -c listen_addresses= -c fsync=off" start >"$T/pgctl.log" 2>&1 ||
	{ cat "$T/pgctl.log" "$pg/server.log" >&2; fail "postgres did not start"; }

KJ_PG_CONNINFO="host=$pg user=kyojin dbname=postgres" "$prog" >"$T/out" 2>&1 ||
	{ cat "$T/out" >&2; fail "test-db-pg failed"; }
grep -q '^ok .*/db-pg/backend$' "$T/out" || { cat "$T/out" >&2; fail "backend case did not run"; }
grep -q '^ok .*/db-pg/schema-ledger$' "$T/out" || { cat "$T/out" >&2; fail "ledger case did not run"; }
! grep -q '# SKIP' "$T/out" || { cat "$T/out" >&2; fail "a case was skipped"; }
