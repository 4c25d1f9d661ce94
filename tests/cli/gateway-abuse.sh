# gateway-abuse: protocol abuse against a running kyojind, each answered
# with the right refusal and without harm to the next client: bare LF
# (smuggling), NUL, overlong line, commands out of order, a pipelining
# flood, a slow client past a 1 s timeout (421), slow-drip clients that
# send a byte at a time, each within the read timeout, in a command and
# inside DATA (421 before they finish), a connection dropped inside DATA
# (nothing queued), an oversized message (552).
. "$KJ_SOURCE_ROOT/tests/cli/gateway-lib.sh"
cat >"$T/kyojin.yaml" <<EOC
data_dir: $D
smtp:
  listen: 127.0.0.1:0
  command_timeout_s: 1
  data_timeout_s: 1
  min_data_rate: 1000
  max_message_bytes: 65536
  max_line_bytes: 512
EOC
gw_start "$T/kyojin.yaml"

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
    try:
        b = c.recv(4096)
    except ConnectionResetError:
        break
    if not b:
        break
    data += b
assert b"421 4.4.2" in data, data
PY
# Slow drip: one byte every quarter of the read timeout.  Each read
# comes in time, but the command (and DATA, at 4 bytes a second against
# a minimum of 1000) must be done within its deadline: 421 and closed
# long before the last byte.  The pause between bytes is a wait on the
# socket, which ends as soon as the server answers.
python3 - "$PORT" <<'PY' || fail "slow-drip client not cut off"
import select, socket, sys
def drip(prefix, payload):
    c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
    c.sendall(prefix)
    got = b""
    for i in range(len(payload)):
        try:
            c.sendall(payload[i:i + 1])
        except OSError:
            break
        r, _, _ = select.select([c], [], [], 0.25)
        if r:
            # The server closes with our unread bytes in its buffer, which
            # is a reset rather than an end of file: the same cut-off.
            try:
                chunk = c.recv(65536)
            except ConnectionResetError:
                break
            got += chunk
            if not chunk:
                break
    else:
        sys.exit("the drip of %r ran to its end: %r" % (prefix, got))
    c.close()
    assert b"421 4.4.2" in got, got
drip(b"", b"EHLO " + b"d" * 200 + b"\r\n")
drip(b"EHLO t\r\nMAIL FROM:<a@example.net>\r\nRCPT TO:<b@city.lg.jp>\r\nDATA\r\n",
     b"Subject: drip\r\n\r\n" + b"x" * 400 + b"\r\n.\r\n")
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
gw_stop
run 0 audit verify
