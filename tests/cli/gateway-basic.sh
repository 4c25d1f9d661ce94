# gateway-basic: kyojind on a loopback port, the example mails sent with a
# real SMTP client (python3 smtplib); sanitized ones land in the Maildir,
# the encrypted ones are held in the queue, the audit log verifies, the
# queue CLI acts on a held entry with audit.
. "$KJ_SOURCE_ROOT/tests/cli/gateway-lib.sh"
cat >"$T/kyojin.yaml" <<EOC
data_dir: $D
smtp:
  listen: 127.0.0.1:0
gateway:
  workers: 2
  metrics_listen: 127.0.0.1:0
EOC
"$KYOJIND" --check-config --config "$T/kyojin.yaml" >"$T/out" 2>&1 || fail "check-config"
printf 'smtp:\n  listen: nowhere\n' >"$T/bad.yaml"
"$KYOJIND" --check-config --config "$T/bad.yaml" 2>"$T/err" && fail "bad config accepted"
expect_err "ADDRESS:PORT"

gw_start "$T/kyojin.yaml"
$GW send "$PORT" "$KJ_SOURCE_ROOT"/examples/mail/*.eml || fail "sending"
$GW settled "$KYOJIN" "$D" 9 || fail "queue did not settle: $(cat "$T/gw.log")"

n_new=$(ls "$D/maildir/new" | wc -l)
run 0 queue list --state held --json
n_held=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/out")
[ "$n_held" -ge 1 ] || fail "no held message (PPAP and S/MIME examples must be held)"
[ $((n_new + n_held)) = 9 ] || fail "delivered $n_new + held $n_held != 9"
# Delivered mail is the sanitized version: no HTML part, no attachment.
! grep -lq "Content-Type: text/html" "$D"/maildir/new/* || fail "HTML reached the Maildir"
grep -q "^Subject:" "$D"/maildir/new/* || fail "delivered mail has no Subject"
# Each delivered file is the sanitized blob itself (a hard link, mode
# 0440), the one the queue entry names; every blob has its row.
run 0 queue list --state delivered --json
python3 - "$T/out" "$D" <<'PY' || fail "delivered files are not the sanitized blobs"
import json, os, subprocess, sys
d = sys.argv[2]
for e in json.load(open(sys.argv[1])):
    q = json.loads(subprocess.run([os.environ['KYOJIN'], '--data-dir', d, '--json', 'queue', 'show',
                                   e['id']], capture_output=True, check=True).stdout)
    s = q['sanitized']
    blob = os.stat(os.path.join(d, 'blobs', s[:2], s[2:4], s))
    md = os.stat(os.path.join(d, 'maildir', 'new', e['id']))
    assert (blob.st_ino, blob.st_dev) == (md.st_ino, md.st_dev), e['id']
    assert md.st_nlink == 2 and md.st_mode & 0o777 == 0o440, e['id']
PY
run 0 store fsck
run 0 audit verify
run 0 audit show --json
for a in queue.received queue.sanitized queue.held queue.delivered mail.sanitize mail.hold; do
	grep -q "\"$a\"" "$T/out" || fail "audit lacks $a"
done

# Operator actions on a held entry.
run 0 queue list --state held --json
HID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["id"])' "$T/out")
run 0 queue show "$HID"
expect_out "quarantine_id: Q-"
run 3 queue release "$HID"
expect_err "reason"
run 3 queue show 00000000000000000000
run 0 queue retry "$HID" --reason "test retry"
$GW settled "$KYOJIN" "$D" 9 || fail "retried entry did not settle"
run 0 queue delete "$HID" --reason "test delete"
run 0 audit show --json
grep -q '"queue.retry"' "$T/out" && grep -q '"queue.delete"' "$T/out" || fail "operator actions not audited"

# Prometheus counters.
python3 -c 'import urllib.request,sys; sys.stdout.write(urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1]).read().decode())' "$MPORT" >"$T/out"
expect_out "^kyojind_received_total 9"
expect_out "^kyojind_delivered_total $n_new"

# SIGHUP: a good configuration is taken, a bad one refused (old kept).
cat >>"$T/kyojin.yaml" <<EOC
  retry_initial_s: 5
EOC
kill -HUP $GWPID
python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import gateway
gateway.wait_for(lambda: "configuration reloaded" in open(sys.argv[2]).read(), "reload")' \
	"$KJ_SOURCE_ROOT/tests/cli" "$T/gw.log" || fail "SIGHUP did not reload"
cp "$T/kyojin.yaml" "$T/good.yaml"
echo "smtp: {max_errors: 0}" >"$T/kyojin.yaml"
kill -HUP $GWPID
python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import gateway
gateway.wait_for(lambda: "reload refused" in open(sys.argv[2]).read(), "refused reload")' \
	"$KJ_SOURCE_ROOT/tests/cli" "$T/gw.log" || fail "bad reload not refused"
$GW talk "$PORT" 'QUIT\r\n' | grep -q "^220 221$" || fail "kyojind not serving after a refused reload"
cp "$T/good.yaml" "$T/kyojin.yaml" # the CLI reads ./kyojin.yaml too

# SIGTERM: exits cleanly.
gw_stop
run 0 audit verify
