# gateway-restart: every queue state across a restart (kill -9, then a
# new kyojind on the same data directory).  received and sanitized resume
# (also in gateway-crash); here: held stays held with its reason (not
# sanitized again, no second notice), delivered stays delivered (no second
# copy in the Maildir, no second "queue.delivered"), a sanitized entry
# whose retry is due is delivered by the new process, and a held entry is
# released after the restart and then delivered.
. "$KJ_SOURCE_ROOT/tests/cli/gateway-lib.sh"
count() { # STATE: entries in that state
	run 0 queue list --state "$1" --json
	python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/out"
}
audited() { grep -c "\"action\":\"queue.$1\"" "$D/audit.jsonl"; }
cat >"$T/strict.yaml" <<EOC
data_dir: $D
smtp:
  listen: 127.0.0.1:0
gateway:
  profile: strict
  notify_held: sender
EOC
cat >"$T/down.yaml" <<EOC
data_dir: $D
smtp:
  listen: 127.0.0.1:0
gateway:
  delivery: smtp
  relay: 127.0.0.1:1
  retry_initial_s: 1
  retry_max_s: 1
EOC
cat >"$T/normal.yaml" <<EOC
data_dir: $D
smtp:
  listen: 127.0.0.1:0
EOC
# delivered (one plain message) and held (attachments under "strict",
# with its notice delivered to the Maildir).
gw_start "$T/strict.yaml"
$GW send "$PORT" "$KJ_SOURCE_ROOT/examples/mail/01-iso2022jp-outlook.eml" \
	"$KJ_SOURCE_ROOT/examples/mail/03-attachments.eml"
$GW settled "$KYOJIN" "$D" 3 || fail "not settled: $(tail "$T/gw.log")"
[ "$(count held)" = 1 ] || fail "expected one held entry"
run 0 queue list --state held --json
HID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["id"])' "$T/out")
run 0 queue show "$HID" --json
REASON=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["reason"])' "$T/out")
gw_kill
# sanitized, its relay down: deferred, then the process dies.
gw_start "$T/down.yaml"
$GW send "$PORT" "$KJ_SOURCE_ROOT/examples/mail/02-html-newsletter.eml"
$GW wait-entry "$KYOJIN" "$D" "e['state'] == 'sanitized' and e['attempts'] >= 1" ||
	fail "no deferred entry"
gw_kill
DELIVERED=$(count delivered)
FILES=$(ls "$D/maildir/new" | wc -l)
AUD_DELIVERED=$(audited delivered)
AUD_SANITIZED=$(audited sanitized)
AUD_NOTICE=$(audited notice)
[ "$DELIVERED" = 2 ] && [ "$FILES" = 2 ] || fail "expected 2 delivered, 2 files: $DELIVERED, $FILES"

# A new process: the due sanitized entry is delivered; nothing else moves.
gw_start "$T/normal.yaml"
$GW settled "$KYOJIN" "$D" 4 || fail "the deferred entry was not resumed: $(tail "$T/gw.log")"
[ "$(count delivered)" = 3 ] || fail "expected 3 delivered after the restart"
[ "$(ls "$D/maildir/new" | wc -l)" = 3 ] || fail "a delivered message was delivered again"
[ "$(audited delivered)" = $((AUD_DELIVERED + 1)) ] || fail "a second queue.delivered"
[ "$(audited sanitized)" = "$AUD_SANITIZED" ] || fail "something was sanitized again"
[ "$(audited notice)" = "$AUD_NOTICE" ] || fail "a second notice"
run 0 queue show "$HID" --json
json "d['state'] == 'held' and d['reason'] == '''$REASON'''"
# The held entry released after the restart: delivered (its original,
# as the audit record says).
run 0 queue release "$HID" --reason "reviewed after restart"
$GW wait-entry "$KYOJIN" "$D" "e['id'] == '$HID' and e['state'] == 'delivered'" ||
	fail "released entry not delivered"
[ "$(ls "$D/maildir/new" | wc -l)" = 4 ] || fail "released entry not in the Maildir"
gw_stop
run 0 audit verify
