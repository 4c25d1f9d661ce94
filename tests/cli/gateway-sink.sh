# gateway-sink: delivery over SMTP to Postfix's smtp-sink, a relay that
# insists on <CRLF>.<CRLF> (the mail engine writes LF line ends; they
# once went out bare and smtp-sink waited for the end of DATA until the
# delivery timed out).  Checks every message is delivered, arrives with
# CRLF line ends only and keeps a line that starts with a dot.  Skips
# (77) without smtp-sink (Debian package postfix).
. "$KJ_SOURCE_ROOT/tests/cli/lib.sh"
command -v smtp-sink >/dev/null 2>&1 || { echo "smtp-sink not installed: skipped"; exit 77; }
KYOJIND="$KJ_BUILD_ROOT/src/daemon/kyojind"
GW="python3 $KJ_SOURCE_ROOT/tests/cli/gateway.py"
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
SP=$(freeport)
mkdir -p "$D" "$T/dump"
sinkuser=
if [ "$(id -u)" = 0 ]; then
	sinkuser="-u nobody"
	chmod 755 "$T"
	chown nobody "$T/dump"
fi
# shellcheck disable=SC2086
smtp-sink $sinkuser -d "$T/dump/%H%M%S." 127.0.0.1:"$SP" 100 2>"$T/sink.err" &
SINKPID=$!
GWPID=
trap 'kill $SINKPID 2>/dev/null; [ -n "$GWPID" ] && kill -9 $GWPID 2>/dev/null; rm -rf "$T"' EXIT
python3 -c 'import socket,select,sys,time
end = time.monotonic() + 30
while time.monotonic() < end:
    try: socket.create_connection(("127.0.0.1", int(sys.argv[1]))).close(); sys.exit(0)
    except OSError: select.select([], [], [], 0.05)
sys.exit(1)' "$SP" || fail "smtp-sink did not start: $(cat "$T/sink.err")"
cat >"$T/gw.yaml" <<EOC
data_dir: $D
smtp:
  listen: 127.0.0.1:0
gateway:
  delivery: smtp
  relay: 127.0.0.1:$SP
  retry_initial_s: 1
  retry_max_s: 1
EOC
"$KYOJIND" --config "$T/gw.yaml" --ready-file "$T/ready" 2>"$T/gw.log" &
GWPID=$!
PORT=$($GW port "$T/ready") || fail "kyojind did not start: $(tail "$T/gw.log")"
printf 'From: <a@example.net>\nTo: <staff@city.lg.jp>\nSubject: dots\n\nfirst line\n.a line that starts with a dot\n..two dots\nlast line\n' >"$T/dots.eml"
$GW send "$PORT" "$KJ_SOURCE_ROOT/examples/mail/02-html-newsletter.eml" "$T/dots.eml" \
	"$KJ_SOURCE_ROOT/examples/mail/01-iso2022jp-outlook.eml"
$GW settled "$KYOJIN" "$D" 3 || fail "not settled: $(tail "$T/gw.log")"
run 0 --json queue list
json "sum(1 for e in d if e['state'] == 'delivered') == 3"
grep -q 'deferred' "$T/gw.log" && fail "a delivery to smtp-sink was deferred: $(grep deferred "$T/gw.log")"
python3 - "$T/dump" <<'PY' || fail "smtp-sink's dumps are not what was sent"
import email, email.policy, os, sys
d = sys.argv[1]
msgs = [open(os.path.join(d, f), 'rb').read() for f in sorted(os.listdir(d))]
assert len(msgs) == 3, len(msgs)
dots = [m for m in msgs if b'Subject: dots' in m]
assert len(dots) == 1
text = email.message_from_bytes(dots[0], policy=email.policy.default).get_content()
# Dot-stuffed on the way out, unstuffed by smtp-sink: the lines as sent.
assert '\n.a line that starts with a dot\n..two dots\nlast line' in text, text
PY
kill -TERM $GWPID
wait $GWPID || fail "kyojind exited $? on SIGTERM"
GWPID=
run 0 audit verify
