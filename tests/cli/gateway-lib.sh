# gateway-lib.sh - shared helpers for the gateway tests (tests/cli/gateway-*.sh).
# Sources lib.sh, then gives:
#   gw_start CONF [ARGS...]  start kyojind on CONF; sets GWPID, PORT (SMTP)
#                            and MPORT (metrics, when configured)
#   gw_stop                  SIGTERM, and fail unless it exits 0
#   gw_kill                  kill -9 and reap (a crash)
#   gw_sink MODE             start tests/cli/gateway.py's SMTP sink answering
#                            as $T/mode says (MODE written there); sets
#                            SINKPID and SINK (its port); messages in $T/sunk
# The exit trap kills whatever of these is still running and removes $T;
# a test with more to undo sets its own trap and calls gw_cleanup in it.
. "$KJ_SOURCE_ROOT/tests/cli/lib.sh"
KYOJIND="$KJ_BUILD_ROOT/src/daemon/kyojind"
GW="python3 $KJ_SOURCE_ROOT/tests/cli/gateway.py"
GWPID=
SINKPID=
mkdir -p "$D"

gw_cleanup() {
	[ -n "$SINKPID" ] && kill "$SINKPID" 2>/dev/null
	[ -n "$GWPID" ] && kill -9 "$GWPID" 2>/dev/null
	rm -rf "$T"
}
trap gw_cleanup EXIT

gw_start() {
	conf=$1
	shift
	rm -f "$T/ready"
	"$KYOJIND" --config "$conf" "$@" --ready-file "$T/ready" 2>>"$T/gw.log" &
	GWPID=$!
	PORT=$($GW port "$T/ready") || fail "kyojind did not start: $(tail "$T/gw.log")"
	MPORT=$(sed -n 2p "$T/ready")
}

gw_stop() {
	kill -TERM "$GWPID"
	wait "$GWPID" || fail "kyojind exited $? on SIGTERM"
	GWPID=
}

gw_kill() {
	kill -9 "$GWPID"
	wait "$GWPID" 2>/dev/null
	GWPID=
}

gw_sink() {
	mkdir -p "$T/sunk"
	echo "$1" >"$T/mode"
	$GW sink "$T/sinkport" "$T/mode" "$T/sunk" &
	SINKPID=$!
	SINK=$($GW port "$T/sinkport") || fail "sink did not start"
}
