# gateway-abuse: protocol abuse against a running kyojind, each answered
# with the right refusal and without harm to the next client: bare LF
# (smuggling), NUL, overlong line, commands out of order, a pipelining
# flood, a slow client past a 1 s timeout (421), a connection dropped
# inside DATA (nothing queued), an oversized message (552).
. "$KJ_SOURCE_ROOT/tests/cli/lib.sh"
KYOJIND="$KJ_BUILD_ROOT/src/daemon/kyojind"
GW="python3 $KJ_SOURCE_ROOT/tests/cli/gateway.py"
mkdir -p "$D"
cat >"$T/kyojin.yaml" <<EOC
data_dir: $D
smtp:
  listen: 127.0.0.1:0
  command_timeout_s: 1
  max_message_bytes: 65536
  max_line_bytes: 512
EOC
"$KYOJIND" --config "$T/kyojin.yaml" --ready-file "$T/ready" 2>"$T/gw.log" &
GWPID=$!
trap 'kill -TERM $GWPID 2>/dev/null; wait $GWPID 2>/dev/null; rm -rf "$T"' EXIT
PORT=$($GW port "$T/ready") || fail "kyojind did not start"

check() {
	want=$1
	shift
	got=$($GW talk "$PORT" "$@")
	[ "$got" = "$want" ] || fail "$*: replies '$got', expected '$want'"
}
E='EHLO t\r\n'
M='MAIL FROM:<a@example.net>\r\nRCPT TO:<b@city.lg.jp>\r\nDATA\r\n'
check "220 250 250 250 354 550 221" "$E$M" 'x\n.\nMAIL FROM:<e@x>\r\n.\r\n' 'QUIT\r\n'
check "220 500 250 221" 'EHLO a\0b\r\n' "$E" 'QUIT\r\n'
check "220 500 250 221" "EHLO $(printf '%0600d' 0)\r\n" 'NOOP\r\n' 'QUIT\r\n'
check "220 503 503 503 221" 'MAIL FROM:<a@example.net>\r\n' 'RCPT TO:<b@city.lg.jp>\r\nDATA\r\nQUIT\r\n'
flood=$(python3 -c 'print("NOOP\\r\\n" * 2000, end="")')
check "220 $(python3 -c 'print(" ".join(["250"] * 2000))') 221" "$flood" 'QUIT\r\n'
big=$(python3 -c 'print(("y" * 70 + "\\r\\n") * 1000, end="")')
check "220 250 250 250 354 552 221" "$E$M" "$big" '.\r\nQUIT\r\n'
# Slow client: says nothing after EHLO; the 1 s command timeout closes it.
python3 - "$PORT" <<'PY' || fail "slow client not timed out"
import socket, sys
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
c.sendall(b"EHLO slow\r\n")
data = b""
while True:
    b = c.recv(4096)
    if not b:
        break
    data += b
assert b"421 4.4.2" in data, data
PY
# Dropped inside DATA: nothing is queued.
python3 - "$PORT" <<'PY'
import socket, sys
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
c.sendall(b"EHLO t\r\nMAIL FROM:<a@example.net>\r\nRCPT TO:<b@city.lg.jp>\r\nDATA\r\nSubject: half\r\n")
c.close()
PY
run 0 queue list --json
json 'len(d) == 0'
run 0 audit verify
