#!/bin/sh
# file-bad-input.sh - hostile and broken files through the real binary
# and the sandboxed worker: every one gives a sanitized output (exit 0)
# or a blocked/held verdict with a reason (exit 1), never a crash or
# exit 3; the archive bombs and PPAP archives of the corpus are refused
# with the reason that names them.
. "$(dirname "$0")/lib.sh"

python3 - "$T" <<'PY'
import io, os, sys, zipfile
t = sys.argv[1]
def w(n, b):
    open(os.path.join(t, n), "wb").write(b if isinstance(b, bytes) else b.encode())
w("empty.txt", b"")
w("nul.txt", b"a\0b\x1b[31mc\r\n")
w("deep.rtf", b"{\\rtf1 " + b"{" * 50000)
w("obj.rtf", b"{\\rtf1\\ansi\\ansicpg932 \\'82\\'a0{\\object{\\*\\objdata 0105000002}}}")
w("trunc.zip", b"PK\x03\x04" + b"\x14\x00" * 20)
w("random.bin", os.urandom(8192))
w("lnk.pdf", b"\x4c\x00\x00\x00\x01\x14\x02\x00" + b"\x00" * 100)
w("onenote.docx", b"\xe4\x52\x5c\x7b\x8c\xd8\xa7\x4d\xae\xb1\x53\x78\xd0\x29\x96\xd3" + b"\x00" * 100)
w("iso.zip", b"\x00" * 32769 + b"CD001" + b"\x00" * 4000)
w("name\u202egpj.exe", b"hello\n")
b = io.BytesIO()
with zipfile.ZipFile(b, "w", zipfile.ZIP_STORED) as z:
    for i in range(20000):
        z.writestr("f%d.txt" % i, "")
w("many.zip", b.getvalue())
# fuzz-cdr: a package whose member name is not UTF-8 made the reason
# unsendable across the sandbox ("damaged result").
b = io.BytesIO()
with zipfile.ZipFile(b, "w", zipfile.ZIP_STORED) as z:
    z.writestr("[Content_Types].xml", "<Types/>")
    z.writestr("../QQ/x.xml", "y")
w("badname", b.getvalue().replace(b"QQ", b"\xff\xfe"))  # raw bytes, no UTF-8 flag
PY
for f in empty.txt nul.txt deep.rtf obj.rtf trunc.zip random.bin lnk.pdf onenote.docx iso.zip \
	"name$(printf '\342\200\256')gpj.exe" many.zip badname; do
	"$KYOJIN" file sanitize "$T/$f" -o "$T/$f.out" --report "$T/$f.json" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc = 0 ] || [ $rc = 1 ] || { cat "$T/err" >&2; fail "$f: exit $rc"; }
	python3 - "$T/$f.out" "$T/$f.json" $rc <<'PY' || fail "$f: bad output or report"
import json, os, sys
r = json.load(open(sys.argv[2]))
if sys.argv[3] == "1":
    assert r["verdict"] in ("blocked", "held") and r["reason"], r
    assert not os.path.exists(sys.argv[1])
else:
    d = open(sys.argv[1], "rb").read()
    assert r["verdict"] == "sanitized" and b"\0" not in d and b"\x1b" not in d
PY
done
grep -q '"verdict": "held"' "$T/deep.rtf.json" || fail "RTF nesting bomb not held"
! grep -q 'isolation' "$T/badname.json" || fail "non-UTF-8 member name broke the wire format"
grep -q 'archive_max_entries' "$T/many.zip.json" || fail "entry limit not named"
grep -q 'always blocked' "$T/lnk.pdf.json" || fail "LNK named .pdf"
grep -q 'always blocked' "$T/onenote.docx.json" || fail "OneNote named .docx"
grep -q 'always blocked' "$T/iso.zip.json" || fail "ISO named .zip"
python3 -c 'import sys; d=open(sys.argv[1],encoding="utf-8").read(); assert "あ" in d and "0105" not in d' \
	"$T/obj.rtf.out" || fail "RTF object or CP932 text"

[ -n "$CORPUS" ] && [ -d "$CORPUS/archives/bombs" ] || exit 0
for f in zbsm.zip 10GB.zip.bz2 10GB.rar.bz2; do
	run 1 file sanitize "$CORPUS/archives/bombs/$f" -o "$T/b.zip" --report "$T/b.json"
	grep -q 'zip bomb' "$T/b.json" || fail "$f: not refused as a zip bomb"
done
for f in TestDataEncryptedAES.zip TestDataEncryptedZipCrypto.zip TestDataEncrypted.7z \
	TestDataEncrypted.rar TestDataEncrypted.rar4; do
	run 1 file sanitize "$CORPUS/archives/recursive-extractor/$f" -o "$T/p.zip"
	expect_err 'held: .*PPAP'
done
run 0 file sanitize "$CORPUS/archives/bombs/zip-slip.zip" -o "$T/s.zip"
python3 -c 'import sys,zipfile; n=zipfile.ZipFile(sys.argv[1]).namelist(); assert n and not any(".." in x for x in n), n' \
	"$T/s.zip" || fail "zip-slip names"
