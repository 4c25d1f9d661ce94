#!/bin/sh
# dlp-bad-input: unreadable, encrypted, truncated and binary files never
# crash 'kyojin dlp scan'; what cannot be scanned whole exits 3, never 0.
. "$(dirname "$0")/lib.sh"

run 3 dlp scan missing.txt
expect_err 'missing.txt'

head -c 65536 /dev/urandom >random.bin
"$KYOJIN" dlp scan random.bin >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 0 ] || [ "$rc" = 1 ] || [ "$rc" = 3 ] || fail "random.bin: exit $rc"

python3 - <<'PY'
import zipfile
with zipfile.ZipFile("ok.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("a.csv", "no,個人番号\n1,123456789018\n" * 200)
data = open("ok.zip", "rb").read()
open("cut.zip", "wb").write(data[: len(data) // 2])
# A member of 200 MB of zeros: refused by the ratio limit while streaming.
with zipfile.ZipFile("bomb.zip", "w", zipfile.ZIP_DEFLATED) as z:
    with z.open("zeros.txt", "w") as f:
        block = b"0" * (1 << 20)
        for _ in range(200):
            f.write(block)
PY
"$KYOJIN" dlp scan cut.zip >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 1 ] || [ "$rc" = 3 ] || fail "cut.zip: exit $rc"
run 3 dlp scan bomb.zip
expect_err 'ratio|limit'

# Encrypted Office (OLE2 EncryptedPackage) and encrypted zip members from
# the corpus, read in place.
if [ -n "$CORPUS" ] && [ -d "$CORPUS/office/oletools" ]; then
	run 3 dlp scan "$CORPUS/office/oletools/encrypted/encrypted.docx"
	expect_err 'encrypted'
	run 3 dlp scan "$CORPUS/office/oletools/msodde/dde-test-from-office2003.doc.zip"
	expect_err 'encrypted'
	for f in "$CORPUS"/office/oletools/msodde/*.docx "$CORPUS"/office/oletools/oleobj/*; do
		[ -f "$f" ] || continue
		"$KYOJIN" dlp scan "$f" >"$T/out" 2>"$T/err"
		rc=$?
		[ "$rc" -le 3 ] || fail "$f: exit $rc"
	done
fi
exit 0
