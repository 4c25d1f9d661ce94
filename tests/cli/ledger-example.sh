# ledger-example - the example city's ledger (examples/ledger) loads with
# its script, and check, due, staff, risk matrix and inspect report give
# what the docs show: the findings left on purpose, completion rates.
. "$(dirname "$0")/lib.sh"

KYOJIN="$KYOJIN" sh "$KJ_SOURCE_ROOT/examples/ledger/load.sh" "$D" >"$T/load.out" 2>&1 ||
	{ cat "$T/load.out" >&2; fail "examples/ledger/load.sh failed"; }
run 0 --json ledger person show P001
json "d['record']['name'] == '津軽 一郎'"
run 1 --json ledger check
json "any(f['rule'] == 'asset-contract-clauses' and f['key'] == 'SYS-HP' for f in d['findings'])"
json "any(f['rule'] == 'asset-level-below-content' and f['key'] == 'SYS-HP' for f in d['findings'])"
json "any(f['rule'] == 'person-no-pledge' and f['key'] == 'P013' for f in d['findings'])"
json "not any(f['rule'] == 'asset-my-number-segment' for f in d['findings'])"
# The form data (自治体機密性 3B) kept by a service in the US; the mail
# service in Japan with its terms on record is not a finding.
json "any(f['rule'] == 'cloud-data-location' and f['key'] == 'CL-FORM' and 'US' in f['message'] for f in d['findings'])"
json "not any(f['rule'].startswith('cloud-') and f['key'] == 'CL-MAIL' for f in d['findings'])"
json "any(f['rule'] == 'asset-level-mismatch' and f['key'] == 'INF-HPFORM' for f in d['findings'])"
run 0 --json ledger due --today 2026-06-01 --days 60
json "any(x['key'] == 'IN-2026-001' and x['overdue'] for x in d['due'])"
run 0 --json ledger staff
json "[(x['staff'], x['pledge_rate']) for x in d['departments'] if x['department'] == 'KOTEI'] == [(1, 0)]"
run 0 --json risk matrix
json "sum(c['risks'] for c in d['cells']) == 5"
run 1 --json inspect report FY2026
json "[x['score'] for x in d['departments'] if x['department'] == 'DIGI'] == [75]"
run 0 ledger export asset -o "$T/asset.csv"
run 0 --json audit verify

# The assets' hosts agree with the example city's segment model.
run 1 --json ledger check --model "$KJ_SOURCE_ROOT/examples/policy/city.yaml"
json "not any(f['rule'].startswith('asset-host') for f in d['findings'])"
run 0 ledger asset set SYS-LGWAN hosts=lg-files,mn-juki,no-such-host
run 1 --json ledger check --model "$KJ_SOURCE_ROOT/examples/policy/city.yaml"
json "any(f['rule'] == 'asset-host-segment' and f['key'] == 'SYS-LGWAN' and 'mn-juki' in f['message'] for f in d['findings'])"
json "any(f['rule'] == 'asset-host-unknown' and 'no-such-host' in f['message'] for f in d['findings'])"
run 3 ledger check --model "$T/missing.yaml"

# The CISO's report: one HTML page with every section; ledger text escaped.
run 0 ledger audit-finding set AF-2026-02 "description=<script>alert(1)</script> 研修"
run 0 report ciso --campaign FY2026 --today 2026-06-01 -o "$T/report.html"
[ "$(grep -c '<h2>' "$T/report.html")" = 6 ] || fail "report lacks sections"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt; 研修' "$T/report.html" || fail "ledger text not escaped"
! grep -q '<script>' "$T/report.html" || fail "raw script in the report"
grep -q '令和8年6月1日' "$T/report.html" || fail "report date not in 和暦"
run 3 report ciso --campaign NOPE

# The same report as PDF: valid (MuPDF re-opens it and finds no damage),
# A4 pages, the Japanese headings and the ledger's figures in its text.
run 0 report ciso --campaign FY2026 --today 2026-06-01 -o "$T/report.pdf"
expect_err 'report.pdf: [1-9][0-9]* pages'
pages=$(sed -n 's/.*report.pdf: \([0-9]*\) pages.*/\1/p' "$T/err")
head -c 5 "$T/report.pdf" | grep -q '^%PDF-' || fail "not a PDF"
run 0 report ciso --campaign FY2026 --today 2026-06-01 --pdf -o "$T/report-2.bin"
cmp -s "$T/report-2.bin" "$T/report.pdf" || head -c 5 "$T/report-2.bin" | grep -q '^%PDF-' ||
	fail "--pdf did not write a PDF"
if command -v mutool >/dev/null 2>&1; then
	mutool info "$T/report.pdf" >"$T/info" 2>&1 || fail "mutool cannot open the PDF"
	grep -q "^Pages: $pages\$" "$T/info" || { cat "$T/info" >&2; fail "page count"; }
	grep -q '\[ 0 0 595 842 \]' "$T/info" || fail "pages are not A4"
	mutool clean "$T/report.pdf" "$T/clean.pdf" 2>"$T/clean.err" || fail "mutool clean failed"
	! grep -qi 'error\|repair' "$T/clean.err" || { cat "$T/clean.err" >&2; fail "PDF damaged"; }
	mutool draw -F txt -o "$T/report.txt" "$T/report.pdf" 2>/dev/null || fail "no text"
	# Line breaks and the zero-width break points (extracted as spaces)
	# are taken out of the text and of what is looked for.
	tr -d '\n ' <"$T/report.txt" >"$T/report.flat"
	for s in '情報セキュリティ定期報告（最高情報セキュリティ責任者宛）' '令和8年6月1日（2026-06-01）時点' \
		'1. 情報資産（実効区分別）' '2. リスクマップ（現状）' '3. 自己点検' '5. 対応中のインシデント' \
		'自治体機密性3A3' 'DIGI2/1675%' '<script>alert(1)</script>' 'IN-2026-001'; do
		grep -qF -- "$(printf '%s' "$s" | tr -d ' ')" "$T/report.flat" || fail "PDF text lacks '$s'"
	done
fi
