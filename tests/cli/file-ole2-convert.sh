#!/bin/sh
# file-ole2-convert.sh - legacy Office (doc, xls, ppt) through the
# converter: LibreOffice headless turns each real sample from the corpus
# into a PDF in its own isolated process, the PDF is sanitized in pixel
# mode, and the report keeps the original's type and hash and names the
# converter.  What the originals carry (VBA, an embedded executable
# package, Excel 4 macros) is not in the output, which MuPDF opens.
# Without a converter the same files are held.  Skipped (77) without
# soffice (scripts/setup installs LibreOffice).
. "$(dirname "$0")/lib.sh"

O="$CORPUS/office/oletools"
[ -n "$CORPUS" ] && [ -d "$O" ] || exit 77
command -v soffice >/dev/null || { echo "soffice not installed: skipped"; exit 77; }
command -v mutool >/dev/null || exit 77
# Run as root, the converter runs as nobody and must reach TMPDIR.
chmod 711 "$T"
mkdir -p "$T/tmp"
export TMPDIR="$T/tmp"

# converted FILE TYPE: sanitized through LibreOffice, checks the report and
# that the output is a PDF MuPDF opens, with the original's markers gone.
converted() {
	f=$1 type=$2
	rm -f "$T/o.pdf" "$T/r.json"
	run 0 file sanitize "$f" -o "$T/o.pdf" --report "$T/r.json" --profile office
	python3 - "$T/r.json" "$type" "$f" <<'PY' || fail "$f: report"
import hashlib, json, sys
r = json.load(open(sys.argv[1]))
assert r["verdict"] == "sanitized", r
assert r["detected_type"] == sys.argv[2], r["detected_type"]
assert r["output_type"] == "application/pdf" and r["output_name"].endswith(".pdf"), r
assert r["input_sha256"] == hashlib.sha256(open(sys.argv[3], "rb").read()).hexdigest()
assert r["converter"] and "soffice" in r["converter"], r["converter"]
assert "network: none" in r["converter"] or "NOT isolated" in r["converter"], r["converter"]
assert "converted to PDF" in r["actions"][0]["what"], r["actions"]
assert any("rendered" in a["what"] for a in r["actions"]), r["actions"]
PY
	pages=$(mutool info "$T/o.pdf" 2>/dev/null | sed -n 's/^Pages: //p')
	[ -n "$pages" ] && [ "$pages" -ge 1 ] || fail "$f: MuPDF cannot open the output"
	# Pixel mode: images only, no text, no scripts, no embedded files.
	[ -z "$(mutool draw -F txt "$T/o.pdf" 2>/dev/null | tr -d '[:space:]')" ] ||
		fail "$f: text survived pixel mode"
	! grep -aqE '/JavaScript|/EmbeddedFile|/Launch' "$T/o.pdf" || fail "$f: active content"
	[ -z "$(ls -A "$T/tmp")" ] || { ls -la "$T/tmp" >&2; fail "$f: temporary files left"; }
}

# The marker is really in the original (an embedded package naming calc.exe).
grep -aq 'calc.exe' "$O/oleobj/sample_with_calc_embedded.doc" || fail "corpus: no package"

converted "$O/msodde/harmless-clean.doc" application/msword
converted "$O/oleobj/sample_with_calc_embedded.doc" application/msword
! grep -aq 'calc.exe' "$T/o.pdf" || fail "embedded package survived"
# A presentation with a VBA project: only page images come out.
converted "$O/olevba/sample_with_vba.ppt" application/vnd.ms-powerpoint
converted "$O/excel4-macros/excel4_sample_macro.xls" application/vnd.ms-excel
converted "$O/oleobj/embedded-simple-2007.xls" application/vnd.ms-excel

# The same file without a converter: held, nothing written.
run 1 file sanitize "$O/msodde/harmless-clean.doc" -o "$T/n.pdf" --report "$T/r.json"
grep -q 'unless the profile names a converter' "$T/r.json" || fail "held without converter"
[ ! -e "$T/n.pdf" ] || fail "output without converter"

# Damaged input: the first 8 KiB of a .doc (still typed as Word by its
# header).  LibreOffice fails or renders what it can; either way the
# result is a verdict, never a crash, and a sanitized result is a PDF.
head -c 8192 "$O/oleobj/embedded-unicode.doc" >"$T/cut.doc"
"$KYOJIN" file sanitize "$T/cut.doc" -o "$T/cut.pdf" --report "$T/r.json" --profile office \
	>"$T/out" 2>"$T/err"
rc=$?
case $rc in
0) mutool info "$T/cut.pdf" >/dev/null 2>&1 || fail "truncated doc: unreadable PDF" ;;
1) grep -q '"verdict": "held"' "$T/r.json" || fail "truncated doc: not held" ;;
*) cat "$T/err" >&2; fail "truncated doc: exit $rc" ;;
esac
[ -z "$(ls -A "$T/tmp")" ] || fail "truncated doc: temporary files left"

# Encrypted legacy Office (RC4): LibreOffice cannot open it without the
# password and writes nothing; held, never passed.
for f in "$O/encrypted/encrypted.doc" "$O/encrypted/encrypted.ppt"; do
	[ -f "$f" ] || continue
	run 1 file sanitize "$f" -o "$T/e.pdf" --report "$T/r.json" --profile office
	grep -q '"verdict": "held"' "$T/r.json" || fail "$f: not held"
	[ ! -e "$T/e.pdf" ] || fail "$f: output written"
done

# Batch form: one worker, three kinds.
run 0 file sanitize --profile office --out-dir "$T/batch" "$O/msodde/harmless-clean.doc" \
	"$O/olevba/sample_with_vba.ppt" "$O/oleobj/embedded-simple-2007.xls"
for n in harmless-clean sample_with_vba embedded-simple-2007; do
	[ -s "$T/batch/$n.pdf" ] || fail "batch: no $n.pdf"
done
exit 0
