#!/bin/sh
# dlp-scan: 'kyojin dlp scan' finds 個人番号 and 法人番号 in text, CSV,
# Shift_JIS, docx and zip, masks them in text and JSON output, and exits
# 0 on clean files.
. "$(dirname "$0")/lib.sh"

MY=123456789018
CORP=7000012050002
printf '申請書\n個人番号：%s\n' "$MY" >form.txt
printf '氏名,マイナンバー,備考\n山田,1234-5678-9018,\n佐藤,111111111118,\n' >list.csv
printf '会議の議事録です。2024-04-01 参加者 12 名。\n' >clean.txt
printf '請求書 電話 03-1234-5678 カード 4111 1111 1111 1111 登録 %s\n' "$CORP" >invoice.txt
python3 - "$MY" <<'PY'
import sys, zipfile
my = sys.argv[1]
open("sjis.txt", "wb").write(("住民票の写し\r\nマイナンバー " + my + "\r\n").encode("cp932"))
# Excel's "Unicode text" export: UTF-16LE with a BOM, tab-separated.
open("unicode.txt", "wb").write(("\ufeff氏名\t個人番号\r\n山田\t" + my + "\r\n").encode("utf-16-le"))
with zipfile.ZipFile("bundle.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("資料/名簿.csv", "no,個人番号\n1," + my + "\n")
    z.writestr("readme.txt", "nothing here")
ct = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
      'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
      'officedocument.wordprocessingml.document.main+xml"/></Types>')
doc = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats'
       '.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>個人番号</w:t></w:r></w:p><w:p>'
       '<w:r><w:t>' + my[:6] + '</w:t></w:r><w:r><w:t>' + my[6:] + '</w:t></w:r></w:p></w:body>'
       '</w:document>')
with zipfile.ZipFile("report.docx", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", ct)
    z.writestr("word/document.xml", doc)
PY

run 1 dlp scan form.txt
expect_out 'form.txt: line 2, column 6: 個人番号 my_number \*{8}9018 \(high\)'
expect_no_out "$MY"

run 1 dlp scan list.csv
expect_out 'line 2, column 4: .*\*{8}9018 \(high\)'
expect_out 'line 3, column 4: .*\*{8}1118 \(high\)'

run 1 dlp scan sjis.txt
expect_out 'sjis.txt: line 2, column 8: .*\(high\)'

run 1 dlp scan unicode.txt
expect_out 'unicode.txt: line 2, column 4: .*\(high\)'

run 1 --json dlp scan bundle.zip report.docx
json 'd["found"] == 2 and d["unreadable"] == 0'
json 'd["files"][0]["findings"][0]["location"] == "資料/名簿.csv"'
json 'd["files"][1]["findings"][0]["location"] == "word/document.xml"'
json 'd["files"][1]["findings"][0]["confidence"] == "high"'
json 'all(f["masked"] == "********9018" for x in d["files"] for f in x["findings"])'
expect_no_out "$MY"

run 1 dlp scan invoice.txt
expect_out 'corporate_number \*{9}0002 \(low\)'
expect_no_out "$CORP"
run 0 dlp scan --no-corporate invoice.txt
run 0 dlp scan clean.txt
expect_out 'clean.txt: clean'
run 0 dlp scan --min-confidence high invoice.txt

# Several files: a finding anywhere makes exit 1.
run 1 dlp scan clean.txt form.txt
# Standard input.
"$KYOJIN" dlp scan - <form.txt >"$T/out" 2>"$T/err"
[ $? = 1 ] || fail "stdin scan did not find the number"
expect_no_out "$MY"

run 2 dlp scan
run 2 dlp scan --min-confidence huge form.txt
run 0 dlp --help
expect_out 'scan'
exit 0
