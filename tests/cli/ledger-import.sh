# ledger-import - 'kyojin ledger import|export' with each bad input class:
# wrong columns, mixed encodings, duplicate keys, dates in 和暦 and Western
# forms, references to missing records, levels outside the scheme; a
# failed file changes nothing; export is UTF-8 with BOM and re-imports.
. "$(dirname "$0")/lib.sh"

python3 - "$T" <<'PY'
import sys, os
t = sys.argv[1]
def w(name, text, enc='utf-8', bom=False):
    with open(os.path.join(t, name), 'wb') as f:
        if bom: f.write(b'\xef\xbb\xbf')
        f.write(text.encode(enc))
w('dep.csv', 'キー,名称,種別\r\nD-01,総務課,課\r\nD-02,"税務課, 市民税係",課\r\n', bom=True)
w('people.csv', 'key,name,department,employment\nP-01,髙橋一郎,D-01,職員\nP-02,山田花子,D-02,会計年度任用職員\n', enc='cp932')
w('pledge.csv', 'key,person,signed_on\nPL-1,P-01,令和8年3月1日\nPL-2,P-02,2026/3/1\n')
with open(os.path.join(t, 'mixed.csv'), 'wb') as f:
    f.write('key,name,department\nP-03,佐藤,D-01\n'.encode('utf-8'))
    f.write('P-04,鈴木,D-01\n'.encode('cp932'))
w('wrongcol.csv', 'key,name,colour\nD-09,x,red\n')
w('nokey.csv', 'name,kind\nx,課\n')
w('fields.csv', 'key,name\nD-08,x\nD-09,y,z\n')
w('dup.csv', 'key,name\nD-08,x\nD-09,y\nD-08,z\n')
w('ref.csv', 'key,name,department\nP-08,x,D-01\nP-09,y,D-77\n')
w('level.csv', 'key,name,kind,department,confidentiality\nA-01,x,information,D-01,3A\n')
w('baddate.csv', 'key,person,signed_on\nPL-8,P-01,令和元年4月30日\n')
w('euc.csv', 'key,name\nD-07,固定資産税課\n', enc='euc-jp')
w('quote.csv', 'key,name\nD-07,"固定"資産税課\n')
PY

run 0 --json ledger import department "$T/dep.csv"
json "d['added'] == 2 and d['encoding'] == 'UTF-8'"
run 0 --json ledger import person "$T/people.csv"
json "d['added'] == 2 and d['encoding'] == 'CP932'"
run 0 --json ledger person show P-01
json "d['record']['name'] == '髙橋一郎'"
run 0 ledger import pledge "$T/pledge.csv"
run 0 --json ledger pledge list
json "[r['signed_on'] for r in d['records']] == ['2026-03-01', '2026-03-01']"

run 3 ledger import person "$T/mixed.csv"
expect_err 'mixed encodings: line 2 is UTF-8 but line 3 is not'
run 3 ledger import department "$T/wrongcol.csv"
expect_err "unknown column 'colour'"
run 3 ledger import department "$T/nokey.csv"
expect_err 'no key column'
run 3 ledger import department "$T/fields.csv"
expect_err 'line 3 has 3 fields but the header has 2'
run 3 ledger import department "$T/dup.csv"
expect_err "line 4: duplicate key 'D-08' \(first on line 2\)"
run 3 ledger import department "$T/dep.csv"
expect_err "department 'D-01' already exists"
run 3 ledger import person "$T/ref.csv"
expect_err "line 3: .*'D-77' refers to a missing department record"
run 3 ledger import asset "$T/level.csv"
expect_err 'not a level of scheme mic-c'
run 3 ledger import pledge "$T/baddate.csv"
expect_err 'outside the era 令和'
run 3 ledger import department "$T/euc.csv"
expect_err 'EUC-JP'
run 3 ledger import department "$T/quote.csv"
expect_err 'line 2: text after the closing quote'
run 3 ledger import department "$T/nonexistent.csv"
run 2 ledger import nosuch "$T/dep.csv"

# Nothing of a failed file was kept (P-08 came before the bad line).
run 0 --json ledger person list
json "[r['key'] for r in d['records']] == ['P-01', 'P-02']"

# Export: BOM, CRLF, quoting; re-import with --update changes nothing.
run 0 ledger export department -o "$T/out.csv"
head -c 3 "$T/out.csv" | od -An -tx1 | grep -q 'ef bb bf' || fail "no BOM"
grep -q '"税務課, 市民税係"' "$T/out.csv" || fail "field with a comma not quoted"
run 0 --json ledger import department "$T/out.csv" --update
json "d['updated'] == 2"
run 0 --json ledger department show D-01
json "d['record']['version'] == 1"

# XLSX export (libxlsxwriter): a workbook with the register's rows.
if run_xlsx=$("$KYOJIN" ledger export department --xlsx -o "$T/dep.xlsx" 2>&1); then
	python3 - "$T/dep.xlsx" <<'PY' || fail "the workbook lacks the rows"
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
s = z.read('xl/sharedStrings.xml').decode()
sys.exit(0 if '税務課, 市民税係' in s and '名称' in s else 1)
PY
else
	echo "$run_xlsx" | grep -q 'without libxlsxwriter' || fail "xlsx export: $run_xlsx"
fi
run 2 ledger export department --xlsx
