# gateway-postfix: the real peers.  An internet-side Postfix relays to
# kyojind (relayhost), kyojind delivers over SMTP to an LGWAN-side Postfix,
# which delivers to a Maildir (virtual(8)).  Each Postfix has its own
# config, queue and data directory and listens on 127.0.0.1 only; the
# system's Postfix service is neither used nor started.  Checks that the
# delivered mail is the sanitized version, the held ones are in kyojind's
# queue and every original is in the quarantine.  Skips (77) without Postfix.
. "$KJ_SOURCE_ROOT/tests/cli/lib.sh"
command -v postfix >/dev/null 2>&1 || { echo "postfix not installed: skipped"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "postfix instances need root: skipped"; exit 77; }
id postfix >/dev/null 2>&1 || { echo "no postfix user: skipped"; exit 77; }
KYOJIND="$KJ_BUILD_ROOT/src/daemon/kyojind"
GW="python3 $KJ_SOURCE_ROOT/tests/cli/gateway.py"
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PA=$(freeport)
PB=$(freeport)
mkdir -p "$D" "$T/vmail"
chown 65534:65534 "$T/vmail"
chmod 755 "$T"

# mkpostfix NAME PORT EXTRA-MAIN.CF-LINES
mkpostfix() {
	dir="$T/$1"
	mkdir -p "$dir/etc" "$dir/spool" "$dir/lib"
	chown postfix "$dir/lib"
	awk -v port="$2" '
		/^#/ || /^[ \t]/ || NF < 8 { print; next }
		$1 == "smtp" && $2 == "inet" { print "127.0.0.1:" port " inet n - n - - smtpd"; next }
		{ $5 = "n"; print }' /etc/postfix/master.cf >"$dir/etc/master.cf"
	cat >"$dir/etc/main.cf" <<EOC
compatibility_level = 3.6
queue_directory = $dir/spool
data_directory = $dir/lib
mail_owner = postfix
setgid_group = postdrop
myhostname = $1.test
mydomain = test
myorigin = \$myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
alias_maps =
alias_database =
maillog_file_prefixes = $T
maillog_file = $dir/maillog
smtp_tls_security_level = none
smtpd_tls_security_level = none
smtputf8_enable = no
biff = no
$3
EOC
	postfix -c "$dir/etc" check >"$dir/check.log" 2>&1
	postfix -c "$dir/etc" start >"$dir/start.log" 2>&1 ||
		fail "postfix $1 did not start: $(cat "$dir/start.log")"
}
GWPID=
cleanup() {
	for i in inet lgwan; do
		[ -f "$T/$i/etc/main.cf" ] && postfix -c "$T/$i/etc" abort >/dev/null 2>&1
	done
	[ -n "$GWPID" ] && kill -TERM "$GWPID" 2>/dev/null && wait "$GWPID"
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

cat >"$T/kyojin.yaml" <<EOC
data_dir: $D
smtp:
  listen: 127.0.0.1:0
  hostname: kyojind.test
gateway:
  delivery: smtp
  relay: 127.0.0.1:$PB
  retry_initial_s: 1
  retry_max_s: 2
EOC
"$KYOJIND" --config "$T/kyojin.yaml" --ready-file "$T/ready" 2>"$T/gw.log" &
GWPID=$!
PK=$($GW port "$T/ready") || fail "kyojind did not start: $(cat "$T/gw.log")"

mkpostfix lgwan "$PB" "virtual_mailbox_domains = city.lg.jp
virtual_mailbox_base = $T/vmail
virtual_mailbox_maps = static:staff/
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
virtual_minimum_uid = 100"
mkpostfix inet "$PA" "relayhost = [127.0.0.1]:$PK
relay_domains = city.lg.jp"

python3 - "$PA" "$PB" <<'PY' || fail "Postfix did not listen"
import sys; sys.path.insert(0, __import__('os').environ['KJ_SOURCE_ROOT'] + '/tests/cli')
import gateway, socket
def up(p):
    try:
        socket.create_connection(('127.0.0.1', p), timeout=2).close(); return True
    except OSError:
        return False
for p in sys.argv[1:]:
    gateway.wait_for(lambda: up(int(p)), 'postfix on port ' + p)
PY
$GW send "$PA" "$KJ_SOURCE_ROOT"/examples/mail/*.eml || fail "internet-side Postfix refused mail"
$GW settled "$KYOJIN" "$D" 9 ||
	fail "kyojind queue did not settle: $(tail "$T/gw.log"; tail "$T/inet/maillog")"
run 0 queue list --state delivered --json
n_deliv=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/out")
run 0 queue list --state held --json
n_held=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/out")
[ $((n_deliv + n_held)) = 9 ] || fail "delivered $n_deliv + held $n_held != 9"
[ "$n_held" -ge 1 ] || fail "nothing held (PPAP, S/MIME examples must be)"
python3 - "$T/vmail/staff/new" "$n_deliv" <<'PY' || fail "LGWAN Maildir: $(tail "$T/lgwan/maillog")"
import sys; sys.path.insert(0, __import__('os').environ['KJ_SOURCE_ROOT'] + '/tests/cli')
import gateway, os
d, n = sys.argv[1], int(sys.argv[2])
gateway.wait_for(lambda: os.path.isdir(d) and len(os.listdir(d)) >= n, 'LGWAN Maildir delivery')
PY
# The delivered mails are the sanitized versions: relayed by both
# Postfixes and kyojind, no HTML, the newsletter's links defanged.
grep -l "Received: from" "$T"/vmail/staff/new/* >/dev/null || fail "no Received: by the LGWAN Postfix"
grep -l "text/html" "$T"/vmail/staff/new/* && fail "HTML reached LGWAN"
python3 - "$T"/vmail/staff/new/* <<'PY' || fail "no defanged link in the delivered mails"
import email, sys
text = ''
for f in sys.argv[1:]:
    for part in email.message_from_binary_file(open(f, 'rb')).walk():
        if part.get_content_maintype() == 'text':
            text += part.get_payload(decode=True).decode('utf-8', 'replace')
sys.exit(0 if 'hxxp' in text or '[.]' in text else 1)
PY
# Every original is in the quarantine (the store), e.g. the newsletter's HTML.
run 0 queue list --json
python3 -c 'import json,sys; [print(e["id"]) for e in json.load(open(sys.argv[1]))]' "$T/out" >"$T/ids"
found_html=0
for id in $(cat "$T/ids"); do
	run 0 queue show "$id" --json
	orig=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["original"]); assert d["quarantine_id"]' "$T/out") ||
		fail "$id has no quarantine id"
	run 0 store get "$orig"
	grep -q "text/html" "$T/out" && found_html=1
done
[ $found_html = 1 ] || fail "the HTML original is not in the quarantine"
run 0 audit verify
echo "postfix: $n_deliv delivered to the LGWAN Maildir, $n_held held"
