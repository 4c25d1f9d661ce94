# gateway-hostile: hostile messages arriving over SMTP (the mail engine's
# bad-input list: deep MIME and message/rfc822 nesting, a 10 MB header,
# broken base64, unknown charsets, split encoded words, Shift_JIS and
# bidi-override attachment names, HTML nesting and entity floods, empty
# and boundary-less messages) and the malformed mail of ../shared/corpus,
# sent over one connection each.  Every message that gets 250 ends
# delivered (sanitized: it carries X-Kyojin-Sanitized) or held, none is
# lost, kyojind stays up, and the audit trail verifies.
. "$KJ_SOURCE_ROOT/tests/cli/gateway-lib.sh"
mkdir -p "$T/in"
cat >"$T/gw.yaml" <<EOC
data_dir: $D
smtp:
  listen: 127.0.0.1:0
gateway:
  workers: 2
EOC
gw_start "$T/gw.yaml"
python3 - "$T/in" <<'PY'
import os, sys
t = sys.argv[1]
H = "From: a@example.jp\nTo: b@example.lg.jp\nSubject: t\nMIME-Version: 1.0\n"
def w(n, b):
    open(os.path.join(t, n), "wb").write(b if isinstance(b, bytes) else b.encode())
w("deep.eml", H + "".join("Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n" % (i, i) for i in range(1000)) + "Content-Type: text/plain\n\nx\n")
w("deep822.eml", H + "Content-Type: message/rfc822\n\nSubject: n\n" * 1000 + "\nx\n")
w("longheader.eml", "From: a@example.jp\nSubject: " + "A" * (10 * 1024 * 1024) + "\n\nx\n")
w("nobound.eml", H + "Content-Type: multipart/mixed\n\n--x\n\ny\n--x--\n")
w("badb64.eml", H + "Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!@@==A=\n")
w("charset.eml", H + "Content-Type: text/plain; charset=x-no-such\n\n\xff\xfe abc\n")
w("split.eml", "From: a@example.jp\nSubject: =?UTF-8?B?44GC4w==?= =?UTF-8?B?gYQ=?=\n\nx\n")
w("sjis2231.eml", H + "Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: application/pdf\nContent-Disposition: attachment; filename*=Shift_JIS''%8C%A9%90%CF%8F%91.pdf\n\n%PDF-1.4\n--m--\n")
w("bidi.eml", H + "Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename*=UTF-8''..%2F..%2Finvoice%E2%80%AEfdp.exe\n\nMZ\n--m--\n")
w("empty.eml", b"")
w("zeropart.eml", H + "Content-Type: multipart/mixed; boundary=z\n\n--z--\n")
w("htmldeep.eml", H + "Content-Type: text/html\n\n" + "<div>" * 100000 + "x\n")
w("entities.eml", H + "Content-Type: text/html\n\n<p>" + "&amp;&#x41;" * 500000 + "</p>\n")
PY
[ -n "$CORPUS" ] && [ -d "$CORPUS/mail/malformed" ] &&
	find "$CORPUS/mail/malformed" -type f -name '*.eml' | sort >"$T/corpus"
python3 - "$PORT" "$T/acked" "$T/in" "$T/corpus" <<'PY' || fail "SMTP client"
import os, smtplib, sys
port, acked = int(sys.argv[1]), open(sys.argv[2], 'w')
files = sorted(os.path.join(sys.argv[3], f) for f in os.listdir(sys.argv[3]))
if os.path.exists(sys.argv[4]):
    files += [l.strip() for l in open(sys.argv[4]) if l.strip()]
refused = 0
for f in files:
    raw = open(f, 'rb').read().replace(b'\r\n', b'\n').replace(b'\r', b'\n').replace(b'\n', b'\r\n')
    s = smtplib.SMTP('127.0.0.1', port, timeout=120)
    s.ehlo()
    try:
        assert s.mail('sender@example.net')[0] == 250
        assert s.rcpt('staff@city.lg.jp')[0] == 250
        code, resp = s.data(raw)
        acked.write(resp.decode().rsplit(' ', 1)[-1] + '\n')
    except smtplib.SMTPDataError as e:
        assert 500 <= e.smtp_code < 600, (f, e)
        refused += 1
    s.quit()
print('%d sent, %d refused at SMTP' % (len(files), refused))
PY
N=$(wc -l <"$T/acked")
[ "$N" -ge 13 ] || fail "only $N messages accepted"
$GW settled "$KYOJIN" "$D" "$N" || fail "not settled: $(tail "$T/gw.log")"
$GW check-acked "$KYOJIN" "$D" "$T/acked" "$D/maildir" >"$T/report" || fail "$(cat "$T/report")"
cat "$T/report"
for f in "$D"/maildir/new/*; do
	grep -q '^X-Kyojin-Sanitized:' "$f" || fail "delivered without sanitizing: $f"
done
kill -0 $GWPID || fail "kyojind died"
gw_stop
run 0 audit verify
