#!/bin/sh
# file-frames.sh - a real animated GIF (LibreOffice's marchingants.gif, from
# Debian's libreoffice-common, which scripts/setup brings with LibreOffice):
# the sanitized PNG is the first frame only, MuPDF opens it at the GIF's
# size, and the report says how many frames were dropped.  Skipped (77)
# where the file is not installed.
. "$(dirname "$0")/lib.sh"

gif=/usr/lib/libreoffice/share/tipoftheday/marchingants.gif
[ -f "$gif" ] || { echo "$gif not installed: skipped"; exit 77; }
command -v mutool >/dev/null || exit 77
# It really is an animation: more than one image descriptor after the
# NETSCAPE looping extension.
python3 - "$gif" <<'PY' || fail "not an animated GIF"
import sys
d = open(sys.argv[1], "rb").read()
assert d[:6] == b"GIF89a" and b"NETSCAPE2.0" in d
PY

run 0 file sanitize "$gif" -o "$T/a.png" --report "$T/r.json"
python3 - "$T/r.json" <<'PY' || fail "report"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["verdict"] == "sanitized" and r["output_type"] == "image/png", r
notes = [a["what"] for a in r["actions"]]
assert any(w.startswith("animation of 2 frames: only the first kept, 1 dropped") for w in notes), notes
PY
mutool draw -o "$T/check.png" "$T/a.png" >/dev/null 2>&1 || fail "MuPDF cannot open the output"
python3 - "$T/a.png" <<'PY' || fail "output is not one 164x180 PNG"
import struct, sys
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n"
w, h = struct.unpack(">II", d[16:24])
assert (w, h) == (164, 180), (w, h)
assert b"acTL" not in d and b"fcTL" not in d
PY

# In the batch form and inside a zip the same note is made.
python3 - "$gif" "$T/a.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[2], "w") as z:
    z.write(sys.argv[1], "ants.gif")
PY
run 0 file sanitize "$T/a.zip" -o "$T/a.out.zip" --report "$T/r.json"
grep -q 'animation of 2 frames' "$T/r.json" || fail "no frame note for a zip member"
exit 0
