# gateway-privsep: kyojind started as root binds a port below 1024, then
# runs as gateway.user: the daemon, every thread of it and every
# sandboxed worker have that user's uid and gid in all four slots, no
# supplementary groups and no capabilities, and the workers run under a
# seccomp filter.  The user can write its data directory and Maildir but
# not a root-owned directory beside them, nor the configuration.  Runs
# as root only (it creates a system user with useradd and removes it);
# skips (77) otherwise.
. "$KJ_SOURCE_ROOT/tests/cli/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root (useradd, a port below 1024): skipped"; exit 77; }
command -v useradd >/dev/null 2>&1 || { echo "no useradd: skipped"; exit 77; }
KYOJIND="$KJ_BUILD_ROOT/src/daemon/kyojind"
GW="python3 $KJ_SOURCE_ROOT/tests/cli/gateway.py"
U="kjgw$$"
useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$U" ||
	fail "useradd $U"
GWPID=
trap '[ -n "$GWPID" ] && kill -9 $GWPID 2>/dev/null; userdel "$U" 2>/dev/null; rm -rf "$T"' EXIT
UID_=$(id -u "$U")
GID_=$(id -g "$U")
chmod 755 "$T"
mkdir -p "$D" "$T/outside" "$T/run"
chown "$U:" "$D" "$T/run"
# A free port below 1024 on loopback (binding it needs root).
LOW=$(python3 -c 'import socket
for p in range(1023, 600, -1):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); print(p); break
    except OSError: pass
    finally: s.close()')
[ -n "$LOW" ] || fail "no free port below 1024"
cat >"$T/gw.yaml" <<EOC
data_dir: $D
smtp:
  listen: 127.0.0.1:$LOW
gateway:
  user: $U
  workers: 2
EOC
chmod 644 "$T/gw.yaml"
# The ready file is written once the data directory is open, as $U.
"$KYOJIND" --config "$T/gw.yaml" --ready-file "$T/run/ready" 2>"$T/gw.log" &
GWPID=$!
PORT=$($GW port "$T/run/ready") || fail "kyojind did not start: $(tail "$T/gw.log")"
[ "$PORT" = "$LOW" ] || fail "listening on $PORT, not $LOW"
grep -q "running as $U" "$T/gw.log" || fail "no 'running as $U': $(cat "$T/gw.log")"
$GW send "$PORT" "$KJ_SOURCE_ROOT/examples/mail/02-html-newsletter.eml" \
	"$KJ_SOURCE_ROOT/examples/mail/03-attachments.eml"
$GW settled "$KYOJIN" "$D" 2 || fail "not settled: $(tail "$T/gw.log")"
# The daemon, each of its threads, and its children (the sandboxed
# workers, kept for reuse).
python3 - "$GWPID" "$UID_" "$GID_" <<'PY' || fail "a kyojind process or thread kept privileges"
import os, sys
pid, uid, gid = sys.argv[1], sys.argv[2], sys.argv[3]
def status(path):
    return dict(l.rstrip('\n').split(':\t', 1) for l in open(path) if ':\t' in l)
def check(path, what):
    st = status(path)
    assert st['Uid'].split() == [uid] * 4, (what, 'Uid', st['Uid'])
    assert st['Gid'].split() == [gid] * 4, (what, 'Gid', st['Gid'])
    assert st.get('Groups', '').strip() == '', (what, 'Groups', st.get('Groups'))
    for cap in ('CapEff', 'CapPrm'):
        assert int(st[cap], 16) == 0, (what, cap, st[cap])
    return st
tasks = os.listdir('/proc/%s/task' % pid)
for t in tasks:
    check('/proc/%s/task/%s/status' % (pid, t), 'thread %s' % t)
def kids(p):
    out = set()
    for t in os.listdir('/proc/%s/task' % p):
        out.update(open('/proc/%s/task/%s/children' % (p, t)).read().split())
    return out
# Descendants: the workers' spawners (made before any thread), their
# reserves (copies of a spawner, forked by it) and the sandboxed workers
# they fork, named kj-spawner and kj-worker; nothing else.
desc, todo, workers = set(), list(kids(pid)), set()
while todo:
    c = todo.pop()
    desc.add(c)
    k = kids(c)
    name = status('/proc/%s/status' % c)['Name'].strip()
    assert name in ('kj-spawner', 'kj-worker'), ('unknown process below kyojind', c, name)
    if name == 'kj-worker':
        assert not k, ('worker with children', c, k)
        workers.add(c)
    todo.extend(k)
assert workers, 'no sandboxed worker running'
for c in desc:
    check('/proc/%s/status' % c, 'child %s' % c)
for c in workers:
    st = status('/proc/%s/status' % c)
    assert st['Seccomp'].strip() == '2', ('worker', c, 'Seccomp', st['Seccomp'])
children = desc
print('daemon: %d threads, %d processes below it (%d workers), all uid %s' % (len(tasks), len(children), len(workers), uid))
PY
# Everything the daemon made belongs to it; it can write nowhere else.
[ -z "$(find "$D" ! -user "$U")" ] || fail "files not owned by $U: $(find "$D" ! -user "$U")"
ls "$D/maildir/new" | grep -q . || fail "nothing delivered"
setpriv --reuid="$UID_" --regid="$GID_" --clear-groups sh -c "echo x >'$D/probe'" ||
	fail "$U cannot write its data directory"
setpriv --reuid="$UID_" --regid="$GID_" --clear-groups sh -c "echo x >'$T/outside/probe'" 2>/dev/null &&
	fail "$U can write a root-owned directory"
setpriv --reuid="$UID_" --regid="$GID_" --clear-groups sh -c "echo x >>'$T/gw.yaml'" 2>/dev/null &&
	fail "$U can write the configuration"
kill -TERM $GWPID
wait $GWPID || fail "kyojind exited $? on SIGTERM"
GWPID=

# A data directory the user cannot write: refused at start, with a reason.
mkdir -p "$T/rootdata"
sed "s|data_dir: $D|data_dir: $T/rootdata|" "$T/gw.yaml" >"$T/bad.yaml"
"$KYOJIND" --config "$T/bad.yaml" 2>"$T/bad.log" && fail "started on a data directory it cannot write"
grep -q "cannot start" "$T/bad.log" || fail "no reason given: $(cat "$T/bad.log")"
