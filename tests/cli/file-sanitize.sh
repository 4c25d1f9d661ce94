#!/bin/sh
# file-sanitize.sh - 'kyojin file sanitize' end to end through the real
# binary and the sandboxed worker: exit codes, outputs, reports, the
# batch form, the store and the audit records.
. "$(dirname "$0")/lib.sh"

python3 - "$T" <<'PY'
import io, os, sys, zipfile
t = sys.argv[1]
def w(n, b):
    open(os.path.join(t, n), "wb").write(b if isinstance(b, bytes) else b.encode())
w("meibo.csv", "氏名,住所\r\n山田,東京\r\n".encode("cp932"))
w("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 200)
w("notes.txt", "hello \u202eexe.txt\n")
w("run.ps1", "Write-Host hi\n")
w("page.html", "<p>Hi</p><script>alert(1)</script>\n")
b = io.BytesIO()
with zipfile.ZipFile(b, "w") as z:
    z.writestr("docs/readme.txt", "hello\n")
    z.writestr("docs/setup.exe", b"MZ\x90\x00not really")
    z.writestr("../../evil.txt", "x\n")
w("folder.zip", b.getvalue())
PY

# Sanitized: exit 0, output and report written, CSV in UTF-8 with a BOM.
run 0 file sanitize "$T/meibo.csv" -o "$T/out.csv" --report "$T/r.json"
expect_out 'sanitized: .*meibo.csv'
python3 - "$T" <<'PY' || fail "CSV output or report"
import json, sys
t = sys.argv[1]
d = open(t + "/out.csv", "rb").read()
assert d.startswith(b"\xef\xbb\xbf") and "氏名,住所\n山田,東京\n" in d.decode("utf-8-sig")
r = json.load(open(t + "/r.json"))
assert r["verdict"] == "sanitized" and r["output_type"] == "text/csv"
assert len(r["input_sha256"]) == 64 and len(r["output_sha256"]) == 64
assert r["format_version"] == 1 and isinstance(r["actions"], list)
PY

# Blocked: exit 1, no output, reason in the report and on stderr.
run 1 file sanitize "$T/invoice.pdf" -o "$T/x.pdf" --report "$T/r2.json"
[ ! -e "$T/x.pdf" ] || fail "blocked file was written"
expect_err 'blocked: .*always blocked'
grep -q '"verdict": "blocked"' "$T/r2.json" || fail "blocked report"
run 1 file sanitize "$T/run.ps1" -o "$T/x"
expect_err 'always blocked'
run 1 file sanitize "$T/page.html" -o "$T/x"
run 0 file sanitize "$T/page.html" -o "$T/page.txt" --profile text
! grep -q alert "$T/page.txt" || fail "script text survived html_to_text"

# Archives: the exe is removed, the path made safe, the rest delivered.
run 0 file sanitize "$T/folder.zip" -o "$T/folder.out.zip" --report "$T/r3.json" --json
json 'd["verdict"] == "sanitized" and d["report"]["output_type"] == "application/zip"'
python3 - "$T" <<'PY' || fail "archive output"
import json, sys, zipfile
t = sys.argv[1]
names = zipfile.ZipFile(t + "/folder.out.zip").namelist()
assert "docs/readme.txt" in names and "evil.txt" in names, names
assert not any(".." in n or n.endswith(".exe") for n in names), names
r = json.load(open(t + "/r3.json"))
assert any("member removed" in a["what"] for a in r["actions"])
PY

# Usage errors: exit 2.
run 2 file sanitize "$T/meibo.csv"
run 2 file sanitize --out-dir "$T/o" -o x "$T/meibo.csv"
run 2 file sanitize "$T/meibo.csv" -o x --pdf-mode bogus
run 2 file sanitize "$T/meibo.csv" -o x --profile nope

# Unreadable input: exit 3.
run 3 file sanitize "$T/missing.csv" -o "$T/x"

# No data directory yet: nothing kept.  With one: the original is in the
# store and every verdict has an audit record.
[ ! -d "$D" ] || fail "data directory created without being asked"
mkdir -p "$D"
run 1 file sanitize --out-dir "$T/batch" --jobs 2 "$T/meibo.csv" "$T/invoice.pdf" \
	"$T/notes.txt" "$T/folder.zip"
expect_out '3 sanitized, 1 blocked or held, 0 unreadable'
[ -f "$T/batch/meibo.csv" ] && [ -f "$T/batch/notes.txt" ] && [ -f "$T/batch/folder.zip" ] ||
	fail "batch outputs"
[ -f "$T/batch/invoice.pdf.report.json" ] || fail "batch report of the blocked file"
[ ! -e "$T/batch/invoice.pdf" ] || fail "blocked file written in batch"
run 0 audit show --json
python3 - "$T/out" <<'PY' || fail "audit records"
import json, sys
d = json.load(open(sys.argv[1]))
recs = d["records"] if isinstance(d, dict) else d
acts = sorted(r["action"] for r in recs)
assert acts.count("file.sanitize") == 3 and acts.count("file.block") == 1, acts
PY
sha=$(sha256sum "$T/invoice.pdf" | cut -d' ' -f1)
run 0 store get "$sha" -o "$T/orig.pdf"
cmp -s "$T/orig.pdf" "$T/invoice.pdf" || fail "original not kept in the store"
run 0 audit verify

# The cdr.* configuration keys set the limits.
printf 'cdr:\n  archive_max_entries: 2\n' >"$T/k.yaml"
run 1 --config "$T/k.yaml" file sanitize "$T/folder.zip" -o "$T/k.zip" --report "$T/k.json"
grep -q 'more than 2 entries' "$T/k.json" || fail "cdr.archive_max_entries not applied"
run 0 config keys
expect_out 'cdr.archive_max_ratio'
