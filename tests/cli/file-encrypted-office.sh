#!/bin/sh
# file-encrypted-office.sh - password-protected Office files (an OLE2
# compound file holding an EncryptedPackage stream, whatever the name says:
# .docx, .xlsm, .pptx, .xlsb) are HELD as encrypted (PPAP), not blocked as a
# type mismatch: nobody can inspect them, so a person must decide.
# Reads $KJ_CORPUS/office/oletools/encrypted in place.
. "$(dirname "$0")/lib.sh"

dir="$CORPUS/office/oletools/encrypted"
[ -n "$CORPUS" ] && [ -d "$dir" ] || exit 77
n=0
for f in "$dir"/*.docx "$dir"/*.docm "$dir"/*.xlsx "$dir"/*.xlsm "$dir"/*.xlsb "$dir"/*.pptx "$dir"/*.pptm; do
	[ -f "$f" ] || continue
	run 1 --json file sanitize "$f" -o "$T/out.bin" --report "$T/r.json"
	python3 - "$T/r.json" "$f" <<'PY' || fail "$f: not held as encrypted"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["verdict"] == "held", r["verdict"]
assert "encrypted Office document" in r["reason"], r["reason"]
PY
	[ ! -s "$T/out.bin" ] || fail "$f: output written for a held file"
	n=$((n + 1))
done
[ $n -ge 10 ] || fail "only $n encrypted samples found"
exit 0
