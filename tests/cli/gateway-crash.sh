# gateway-crash: kill -9 kyojind (three times, at different points of a
# load over 4 connections) and kill -9 its sandboxed workers, restart it,
# and prove every message that got 250 is delivered or held: none lost,
# duplicates counted.  Then restart resume from each queue state: an
# entry put back to 'received' (as a crash between spool and sanitizing
# leaves it) and one left 'sanitized' (relay down) both get delivered.
. "$KJ_SOURCE_ROOT/tests/cli/gateway-lib.sh"
cat >"$T/kyojin.yaml" <<EOC
data_dir: $D
smtp:
  listen: 127.0.0.1:0
gateway:
  workers: 2
EOC
: >"$T/acked"
# ASan's leak check cannot run in a killed process; it does in the last run.
for at in 20 60 110; do
	gw_start "$T/kyojin.yaml"
	$GW load "$PORT" 400 4 "$T/acked" - &
	LOADPID=$!
	$GW wait-lines "$T/acked" $at || fail "load did not reach $at acks"
	gw_kill
	wait $LOADPID
done
# Workers: kill the sandboxed children while a load runs.
gw_start "$T/kyojin.yaml"
$GW load "$PORT" 60 2 "$T/acked" - &
LOADPID=$!
n=$(wc -l <"$T/acked")
$GW wait-lines "$T/acked" $((n + 10)) || fail "load stalled"
for c in $(cat /proc/$GWPID/task/*/children 2>/dev/null); do kill -9 "$c" 2>/dev/null; done
wait $LOADPID
$GW settled "$KYOJIN" "$D" 1 || fail "queue did not settle after restart"
$GW check-acked "$KYOJIN" "$D" "$T/acked" "$D/maildir" >"$T/report" || fail "$(cat "$T/report")"
cat "$T/report"
gw_stop

# Restart resume: one entry back to 'received', one left 'sanitized'
# behind an unreachable relay.
run 0 queue list --state delivered --json
RID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["id"])' "$T/out")
rm -f "$D/maildir/new/$RID"
sqlite3 "$D/kyojin.db" "UPDATE queue SET state = 'received', sanitized = NULL WHERE id = '$RID'"
cat >"$T/relay.yaml" <<EOC
data_dir: $D
smtp:
  listen: 127.0.0.1:0
gateway:
  delivery: smtp
  relay: 127.0.0.1:1
  retry_initial_s: 3600
EOC
gw_start "$T/relay.yaml"
$GW send "$PORT" "$KJ_SOURCE_ROOT/examples/mail/02-html-newsletter.eml"
python3 - "$KYOJIN" "$D" <<'PY' || fail "entries did not reach sanitized/deferred"
import sys; sys.path.insert(0, __import__('os').environ['KJ_SOURCE_ROOT'] + '/tests/cli')
import gateway
k, d = sys.argv[1], sys.argv[2]
gateway.wait_for(lambda: sum(1 for e in gateway.queue(k, d)
                             if e['state'] == 'sanitized') >= 2, 'deferred entries')
PY
kill -TERM $GWPID
wait $GWPID
GWPID=
run 0 queue list --state sanitized --json
json 'len(d) == 2'
run 0 queue show "$RID" --json
json 'd["attempts"] >= 1 and "relay" in d["last_error"]'
gw_start "$T/kyojin.yaml"
run 0 queue list --state sanitized --json
python3 -c 'import json,sys; print("\n".join(e["id"] for e in json.load(open(sys.argv[1]))))' "$T/out" >"$T/ids"
# Their next attempt is an hour away; the operator retries them now.
run 0 queue retry $(cat "$T/ids") --reason "relay back"
$GW settled "$KYOJIN" "$D" 1 || fail "resumed entries not delivered"
[ -f "$D/maildir/new/$RID" ] || fail "entry resumed from 'received' not delivered"
gw_stop
run 0 audit verify
