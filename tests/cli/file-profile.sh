#!/bin/sh
# file-profile.sh - YAML file profiles ('file sanitize --profile FILE') and
# the cdr.* configuration keys for PDF and image limits: a profile blocks
# whole kinds, chooses the PDF mode and overrides limits; the configuration
# sets the limits profiles start from; a bad profile or key is a usage
# error naming file, line and column.  Reads real files from $KJ_CORPUS.
. "$(dirname "$0")/lib.sh"

pdf3="$CORPUS/pdf/cabinet-of-horrors/webCapture.pdf"
jpg="$CORPUS/images/exif-gps/DSCN0010.jpg"
[ -n "$CORPUS" ] && [ -f "$pdf3" ] && [ -f "$jpg" ] || exit 77
EX="$KJ_SOURCE_ROOT/examples/file"

# verdict REPORT WANT [REASON-PATTERN]
verdict() {
	python3 - "$@" <<'PY' || fail "report $1: want $2 ${3:-}"
import json, re, sys
r = json.load(open(sys.argv[1]))
assert r["verdict"] == sys.argv[2], r
if len(sys.argv) > 3:
    assert re.search(sys.argv[3], r["reason"] or "") or any(
        re.search(sys.argv[3], x) for x in r["limits_hit"]), r
PY
}

# The example profiles load.
printf 'hello\n' >"$T/a.txt"
for f in "$EX"/profile-*.yaml; do
	run 0 file sanitize "$T/a.txt" -o "$T/x.txt" --profile "$f"
done

# text-only: PDF reduced to text, images blocked by the profile.
run 0 file sanitize "$pdf3" -o "$T/p.txt" --report "$T/r.json" --profile "$EX/profile-text-only.yaml"
verdict "$T/r.json" sanitized
grep -q '"output_type": "text/plain' "$T/r.json" || fail "text-only: PDF not text"
run 1 file sanitize "$jpg" -o "$T/x.jpg" --report "$T/r.json" --profile "$EX/profile-text-only.yaml"
verdict "$T/r.json" blocked 'blocked by the profile'
# Inside an archive a blocked kind is removed, the rest delivered.
python3 - "$jpg" "$T/a.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[2], "w") as z:
    z.write(sys.argv[1], "photo.jpg")
    z.writestr("note.txt", "hello\n")
PY
cat >"$T/noimg.yaml" <<'Y'
types:
  image: block
Y
run 0 file sanitize "$T/a.zip" -o "$T/a.out.zip" --report "$T/r.json" --profile "$T/noimg.yaml"
python3 - "$T/a.out.zip" <<'PY' || fail "archive member of a blocked kind not removed"
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
assert names == ["note.txt"], names
PY

# A profile's PDF mode and limits.
cat >"$T/p.yaml" <<'Y'
name: two-pages
pdf:
  mode: structural
  max_pages: 2
Y
run 1 file sanitize "$pdf3" -o "$T/p.pdf" --report "$T/r.json" --profile "$T/p.yaml"
verdict "$T/r.json" held 'pages'
sed -i 's/max_pages: 2/max_pages: 3/' "$T/p.yaml"
run 0 file sanitize "$pdf3" -o "$T/p.pdf" --report "$T/r.json" --profile "$T/p.yaml"
! grep -q 'every page rendered' "$T/r.json" || fail "pixel mode used despite the profile"

# Configuration keys: the limits every profile starts from.
printf 'cdr:\n  pdf_max_pages: 2\n' >"$T/c1.yaml"
run 1 --config "$T/c1.yaml" file sanitize "$pdf3" -o "$T/p.pdf" --report "$T/r.json"
verdict "$T/r.json" held 'pages'
printf 'cdr:\n  image_max_dim: 100\n' >"$T/c2.yaml"
run 1 --config "$T/c2.yaml" file sanitize "$jpg" -o "$T/x.jpg" --report "$T/r.json"
verdict "$T/r.json" held '640|100'
printf 'cdr:\n  image_max_pixels: 1000\n' >"$T/c3.yaml"
run 1 --config "$T/c3.yaml" file sanitize "$jpg" -o "$T/x.jpg" --report "$T/r.json"
verdict "$T/r.json" held 'pixels'
printf 'cdr:\n  pdf_dpi: 72\n' >"$T/c4.yaml"
run 0 --config "$T/c4.yaml" file sanitize "$pdf3" -o "$T/p.pdf" --report "$T/r.json"
grep -q '72 dpi' "$T/r.json" || fail "cdr.pdf_dpi not applied"
# ... and a profile overrides them.
printf 'pdf:\n  max_pages: 5\n' >"$T/p5.yaml"
run 0 --config "$T/c1.yaml" file sanitize "$pdf3" -o "$T/p.pdf" --profile "$T/p5.yaml"
# Out of range: refused at start-up (a bad configuration is bad input: 3).
printf 'cdr:\n  pdf_dpi: 5000\n' >"$T/c5.yaml"
run 3 --config "$T/c5.yaml" file sanitize "$pdf3" -o "$T/p.pdf"
expect_err "c5.yaml:2:12: key 'cdr.pdf_dpi'"
run 0 config keys
expect_out 'cdr.pdf_max_pages'
expect_out 'cdr.image_max_pixels'
expect_out 'cdr.convert_timeout_s'

# Bad profiles: usage error with file:line:col, nothing read or written.
printf 'name: x\ntypes:\n  pdf: maybe\n' >"$T/bad.yaml"
run 2 file sanitize "$pdf3" -o "$T/b.pdf" --profile "$T/bad.yaml"
expect_err "bad.yaml:3:8: types.pdf is sanitize or block, not 'maybe'"
[ ! -e "$T/b.pdf" ] || fail "output written with a bad profile"
printf 'pdf:\n  pages: 3\n' >"$T/bad2.yaml"
run 2 file sanitize "$pdf3" -o "$T/b.pdf" --profile "$T/bad2.yaml"
expect_err "bad2.yaml:2:10: unknown key 'pdf.pages'"
run 2 file sanitize "$pdf3" -o "$T/b.pdf" --profile "$T/missing.yaml"
expect_err "missing.yaml"
run 2 file sanitize "$pdf3" -o "$T/b.pdf" --profile lenient
expect_err "unknown profile 'lenient'"
exit 0
