#!/bin/sh
# mail-bad-input.sh - generated hostile messages through the real binary
# and the sandboxed worker: each gives a valid output (exit 0) or a held
# verdict with a reason (exit 1), never a crash or exit 3.
. "$(dirname "$0")/lib.sh"

python3 - "$T" <<'PY'
import os, sys
t = sys.argv[1]
H = "From: a@example.jp\nTo: b@example.lg.jp\nSubject: t\nMIME-Version: 1.0\n"
def w(n, b):
    open(os.path.join(t, n), "wb").write(b if isinstance(b, bytes) else b.encode())
w("deep.eml", H + "".join("Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n" % (i, i) for i in range(1000)) + "Content-Type: text/plain\n\nx\n")
w("deep822.eml", H + "Content-Type: message/rfc822\n\nSubject: n\n" * 1000 + "\nx\n")
w("longheader.eml", "From: a@example.jp\nSubject: " + "A" * (10 * 1024 * 1024) + "\n\nx\n")
w("nul.eml", b"From: a@example.jp\nSubject: a\0b\n\nx\0y\n")
w("crlf.eml", "From: a@example.jp\r\nSubject: m\rTo: b@example.jp\n\r\nl1\rl2\r\nl3\n")
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
for f in deep deep822 longheader nul crlf nobound badb64 charset split sjis2231 bidi empty \
	zeropart htmldeep entities; do
	"$KYOJIN" mail sanitize "$T/$f.eml" -o "$T/$f.out" --report "$T/$f.json" 2>"$T/err"
	rc=$?
	[ $rc = 0 ] || [ $rc = 1 ] || { cat "$T/err" >&2; fail "$f: exit $rc"; }
	python3 - "$T/$f.out" "$T/$f.json" $rc <<'PY' || fail "$f: bad output or report"
import email, json, os, sys
from email import policy
r = json.load(open(sys.argv[2]))
if sys.argv[3] == "1":
    assert r["verdict"] == "held" and r["reasons"] and not os.path.exists(sys.argv[1])
else:
    m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
    assert not m.is_multipart() and m.get_content_type() == "text/plain"
    t = m.get_content()
    assert "\u202e" not in t and "\0" not in t
PY
done
grep -q '"limit: MIME nesting' "$T/deep.json" || fail "deep nesting not held for its limit"
grep -q 'max_header_bytes' "$T/longheader.json" || fail "long header not held for its limit"
grep -q '見積書.pdf' "$T/sjis2231.json" || fail "Shift_JIS RFC 2231 filename"
grep -q 'empty' "$T/empty.json" || fail "empty message reason"
