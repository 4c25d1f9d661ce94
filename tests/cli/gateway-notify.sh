# gateway-notify: the delivery-status notice (RFC 3464) to the sender of
# a held message, end to end over SMTP: kyojind with the "strict" profile
# (a message with attachments is held) and gateway.notify_held: sender
# relays to a python3 SMTP sink.  Checks the notice is multipart/report
# with a message/delivery-status part naming each recipient, quotes the
# original's headers but not its body, goes to the original sender from
# the null sender, and is audited; a held message from the null sender
# gets none; with notify_held: none nothing is sent.
. "$KJ_SOURCE_ROOT/tests/cli/gateway-lib.sh"
gw_sink accept
conf() {
	cat >"$T/gw.yaml" <<EOC
data_dir: $D
smtp:
  listen: 127.0.0.1:0
gateway:
  profile: strict
  delivery: smtp
  relay: 127.0.0.1:$SINK
  notify_held: $1
EOC
}
conf bogus
"$KYOJIND" --config "$T/gw.yaml" --check-config 2>"$T/err" && fail "notify_held: bogus accepted"
grep -q "notify_held" "$T/err" || fail "no word on notify_held: $(cat "$T/err")"

conf sender
gw_start "$T/gw.yaml"
$GW send "$PORT" "$KJ_SOURCE_ROOT/examples/mail/03-attachments.eml"
# The held message and its notice (delivered).
$GW settled "$KYOJIN" "$D" 2 || fail "not settled: $(tail "$T/gw.log")"
run 0 --json queue list
json "sorted(e['state'] for e in d) == ['delivered', 'held']"
ls "$T/sunk" | grep -q . || fail "no notice reached the relay"
python3 - "$T/sunk" "$KJ_SOURCE_ROOT/examples/mail/03-attachments.eml" <<'PY' || fail "the notice is not an RFC 3464 report"
import email, email.policy, os, sys
d = sys.argv[1]
files = os.listdir(d)
assert len(files) == 1, files
raw = open(os.path.join(d, files[0]), 'rb').read()
m = email.message_from_bytes(raw, policy=email.policy.default)
assert m.get_content_type() == 'multipart/report', m.get_content_type()
assert m.get_param('report-type') == 'delivery-status'
assert str(m['To']) == 'sender@example.net', m['To']
assert m['Auto-Submitted'] == 'auto-replied'
parts = list(m.iter_parts())
assert [p.get_content_type() for p in parts] == ['text/plain', 'message/delivery-status', 'text/rfc822-headers'], [p.get_content_type() for p in parts]
text = parts[0].get_content()
assert '保留' in text and 'held for review' in text, text
status = parts[1].as_bytes().decode()
assert 'Reporting-MTA: dns;' in status and 'Final-Recipient: rfc822; staff@city.lg.jp' in status, status
assert 'Action: delayed' in status and 'Status: 4.7.0' in status, status
orig = email.message_from_bytes(open(sys.argv[2], 'rb').read(), policy=email.policy.default)
quoted = parts[2].get_payload()
assert str(orig['Message-ID']) in quoted, quoted
assert orig.get_body(('plain',)).get_content().strip().splitlines()[0] not in quoted, 'body quoted'
PY
# The notice's entry: from <>, to the sender, "queue.notice" audited.
run 0 --json queue list
json "any(e['sender'] == '' and e['recipients'] == ['sender@example.net'] for e in d)"
run 0 --json audit show
grep -q '"queue.notice"' "$T/out" || fail "no queue.notice in the audit log"

# A held message from the null sender: no notice.
rm -f "$T"/sunk/*
python3 - "$PORT" "$KJ_SOURCE_ROOT/examples/mail/03-attachments.eml" <<'PY'
import smtplib, sys
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=30)
s.sendmail('', ['staff@city.lg.jp'], open(sys.argv[2], 'rb').read().replace(b'\r\n', b'\n').replace(b'\n', b'\r\n'))
s.quit()
PY
$GW settled "$KYOJIN" "$D" 3 || fail "not settled"
run 0 --json queue list
json "len(d) == 3 and sum(1 for e in d if e['state'] == 'held') == 2"
gw_stop

# notify_held: none: a held message, no notice.
conf none
gw_start "$T/gw.yaml"
$GW send "$PORT" "$KJ_SOURCE_ROOT/examples/mail/03-attachments.eml"
$GW settled "$KYOJIN" "$D" 4 || fail "not settled"
run 0 --json queue list
json "len(d) == 4 and sum(1 for e in d if e['state'] == 'held') == 3"
gw_stop
[ -z "$(ls "$T/sunk")" ] || fail "a notice was sent that should not have been"
run 0 audit verify
