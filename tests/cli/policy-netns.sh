#!/bin/sh
# policy-netns.sh - proof that the compiled ruleset really enforces the model.
#
# Builds tests/data/policy/netns-city.yaml (one host per role) as network
# namespaces: one namespace per host and external network, each joined by a
# veth pair to a router namespace that runs the ruleset from `kyojin policy
# compile --log-group`.  Every allowed flow must connect; the forbidden ones
# (My Number terminal -> internet, LGWAN terminal -> internet directly,
# internet -> LGWAN directly, around the mail gateway) must not.  The drops,
# read from nflog group 7 in the router namespace (nflog-reader.py: the
# kernel log is not written for non-initial namespaces unless a host-wide
# sysctl is flipped), are fed to `kyojin policy flows`, which must report
# exactly those four attempts.
#
# Traffic stays inside namespaces this test creates; all are removed on
# exit.  Skips (77) unless root with ip netns, nft and python3.  No sleeps:
# readiness is read from the listeners and the reader through fifos, and
# every wait is bounded by `timeout`.
. "$(dirname "$0")/lib.sh"
DATA="$KJ_SOURCE_ROOT/tests/data/policy"
MODEL="$DATA/netns-city.yaml"

[ "$(id -u)" = 0 ] || { echo "not root: skipped" >&2; exit 77; }
for c in ip nft python3 timeout; do
	command -v $c >/dev/null 2>&1 || { echo "$c missing: skipped" >&2; exit 77; }
done
P="kjp$$"
ip netns add "$P-probe" 2>/dev/null || { echo "ip netns unavailable: skipped" >&2; exit 77; }
ip netns del "$P-probe"

NSES=""
PIDS=""
cleanup() {
	for pid in $PIDS; do kill "$pid" 2>/dev/null; done
	for ns in $NSES; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

R="$P-r"
ip netns add "$R" || fail "cannot create router namespace"
NSES="$R"
ip -n "$R" link set lo up
ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1 || fail "no forwarding in $R"

# node NAME ADDR GATEWAY: a namespace with ADDR/32 behind the router, which
# answers as GATEWAY on that link (point to point: no shared subnets).
n=0
node() {
	n=$((n + 1))
	ns="$P-$1"
	ip netns add "$ns" || fail "cannot create $ns"
	NSES="$NSES $ns"
	ip link add "kjv$$x$n" type veth peer name eth0 netns "$ns" || fail "veth for $1"
	ip link set "kjv$$x$n" netns "$R"
	ip -n "$R" link set "kjv$$x$n" name "v$n"
	ip -n "$R" addr add "$3/32" dev "v$n"
	ip -n "$R" link set "v$n" up
	ip -n "$R" route add "$2/32" dev "v$n"
	ip -n "$ns" link set lo up
	ip -n "$ns" addr add "$2/32" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" route add "$3" dev eth0
	ip -n "$ns" route add default via "$3" dev eth0
}

node mn-term 10.10.2.11 10.10.0.1
node mn-sys 10.10.1.10 10.10.0.1
node mn-link 10.10.1.30 10.10.0.1
node lg-term 10.20.2.11 10.20.0.1
node lg-mail 10.20.1.10 10.20.0.1
node gw 10.30.1.10 10.30.0.1
node vdi 10.30.1.30 10.30.0.1
node mta 10.30.1.5 10.30.0.1
node chukan 198.19.10.5 198.19.10.1
node cloud 192.0.2.10 192.0.2.1
node world 203.0.113.9 203.0.113.1

# The ruleset: compiled from the model, refused by nothing, loaded as is.
run 0 policy compile "$MODEL" --target nftables --host fw --log-group 7
cp "$T/out" "$T/fw.nft"
ip netns exec "$R" nft -f "$T/fw.nft" || fail "nft -f rejected the compiled ruleset"

cat >"$T/listen.py" <<'EOF'
import selectors, socket, sys
sel = selectors.DefaultSelector()
for port in sys.argv[1:]:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(port)))
    s.listen(16)
    sel.register(s, selectors.EVENT_READ)
print("ready", flush=True)
while True:
    for key, _ in sel.select():
        conn, _ = key.fileobj.accept()
        conn.close()
EOF
cat >"$T/connect.py" <<'EOF'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1.5).close()
except OSError:
    sys.exit(1)
EOF

# listen NAME PORT...: starts a listener and waits (bounded) for "ready".
listen() {
	name=$1
	shift
	mkfifo "$T/fifo-$name"
	ip netns exec "$P-$name" python3 "$T/listen.py" "$@" >"$T/fifo-$name" 2>"$T/listen-$name.err" &
	PIDS="$PIDS $!"
	read -r ready <"$T/fifo-$name" || true
	[ "$ready" = ready ] || { cat "$T/listen-$name.err" >&2; fail "listener in $name not ready"; }
}
listen mn-sys 443
listen chukan 443
listen lg-mail 25
listen gw 25
listen vdi 3389
listen mta 25
listen cloud 8080 25
listen world 443

mkfifo "$T/fifo-nflog"
ip netns exec "$R" python3 "$DATA/nflog-reader.py" 7 >"$T/drops.log" 2>"$T/fifo-nflog" &
NFLOG=$!
PIDS="$PIDS $NFLOG"
ready=$(timeout 10 head -n 1 "$T/fifo-nflog") || true
[ "$ready" = ready ] || fail "nflog reader not ready: $ready"

can() { # can FROM DST PORT: FROM's namespace connects to DST:PORT
	timeout 10 ip netns exec "$P-$1" python3 "$T/connect.py" "$2" "$3"
}
allowed() { can "$@" || fail "allowed flow $1 -> $2:$3 did not connect"; }
denied() { ! can "$@" || fail "forbidden flow $1 -> $2:$3 connected"; }

allowed mn-term 10.10.1.10 443   # mn-work
allowed mn-link 198.19.10.5 443  # mn-chukan (the listed exception)
allowed mta 10.30.1.10 25        # mail-in, to the sanitizing gateway
allowed gw 10.20.1.10 25         # mail-in, gateway to LGWAN
allowed lg-term 10.30.1.30 3389  # web by screen transfer
allowed vdi 192.0.2.10 8080      # browse through the security cloud
allowed cloud 10.30.1.5 25       # mail relay from the security cloud

denied mn-term 203.0.113.9 443   # 6(3)①: My Number terminal -> internet
denied lg-term 203.0.113.9 443   # 6(3)②/③: LGWAN terminal -> internet directly
denied world 10.20.1.10 25       # 6(3)②: internet -> LGWAN directly
denied mta 10.20.1.10 25         # 6(3)②: around the mail gateway

kill "$NFLOG"
wait "$NFLOG" 2>/dev/null
grep -q 'kyojin-drop: IN=v[0-9]* OUT=v[0-9]* SRC=10.10.2.11 DST=203.0.113.9 .*PROTO=TCP SPT=[0-9]* DPT=443' "$T/drops.log" ||
	{ cat "$T/drops.log" >&2; fail "drop log lacks the My Number terminal's attempt"; }

# The drop counter of the ruleset saw them too.
ip netns exec "$R" nft list chain inet kyojin forward >"$T/chain"
grep -q 'counter packets [1-9][0-9]* bytes [0-9]* log prefix "kyojin-drop: "' "$T/chain" ||
	{ cat "$T/chain" >&2; fail "drop counter did not count"; }

run 1 --json policy flows "$MODEL" "$T/drops.log"
python3 - "$T/out" <<'EOF' || { cat "$T/out" "$T/drops.log" >&2; fail "flows did not report exactly the forbidden attempts"; }
import json, sys
d = json.load(open(sys.argv[1]))
got = sorted((g["src"], g["dst"], g["proto"], g["dport"]) for g in d["not_allowed"])
want = sorted([("mn-term", "world", "tcp", 443), ("lg-term", "world", "tcp", 443),
               ("world", "lg-mail", "tcp", 25), ("mta", "lg-mail", "tcp", 25)])
assert got == want, got
assert d["stats"]["allowed"] == 0 and d["stats"]["garbage"] == 0, d["stats"]
EOF
exit 0
