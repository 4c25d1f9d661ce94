# ledger-basic - 'kyojin ledger NOUN add|list|show|set|delete', check, due,
# columns and risk matrix; every change is in the audit log with its old
# and new values; levels outside the scheme and references to missing
# records are refused with exit 3; check exits 1 on findings.
. "$(dirname "$0")/lib.sh"

run 0 ledger columns asset
expect_out 'confidentiality +level +機密性'
run 0 ledger department add D-01 name=総務課 kind=課
run 0 ledger person add P-01 name=山田太郎 department=D-01 employment=職員
run 0 ledger asset add SYS name=住民記録システム kind=system department=D-01 segment=lgwan confidentiality=2
run 0 ledger asset add INFO name=住民票 kind=information department=D-01 held_in=SYS confidentiality=3 my_number=はい

# Bad input: missing references, levels outside the scheme, unknown columns,
# bad dates, missing required columns, unknown registers and actions.
run 3 ledger asset add X name=x kind=system department=D-99
expect_err "department 'D-99' refers to a missing department record"
run 3 ledger asset add X name=x kind=system department=D-01 confidentiality=3A
expect_err "not a level of scheme mic-c"
run 3 ledger asset add X name=x kind=system department=D-01 colour=red
expect_err "no column 'colour'"
run 3 ledger pledge add PL-1 person=P-01 signed_on=平成32年1月1日
expect_err "outside the era 平成"
run 3 ledger social add S-1 service=X account=@city operating_rules=r
expect_err 'responsible .* is required'
run 2 ledger nosuch list
run 2 ledger asset frobnicate

# Show: effective levels inherited from the information held.
run 0 --json ledger asset show SYS
json "d['record']['confidentiality'] == '2' and any(l['scheme'] == 'mic-c' and l['effective'] == '3' and l['inherited_from'] == 'INFO' for l in d['effective_levels'])"

# Set with old/new values in the audit log; a stale version is refused.
run 0 ledger asset set SYS confidentiality=3 --if-version 1
run 3 ledger asset set SYS confidentiality=1 --if-version 1
expect_err 'at version 2, not 1'
run 0 --json audit show
json "any(r['action'] == 'ledger.asset.set' and r['details']['changes']['confidentiality'] == {'old': '2', 'new': '3'} for r in d['records'])"
run 0 --json ledger asset show SYS
json "d['record']['version'] == 2 and d['record']['confidentiality'] == '3'"

# Check: findings exit 1 (個人番号 outside the My Number segment, ...).
run 1 --json ledger check
json "any(f['rule'] == 'asset-my-number-segment' and f['key'] == 'INFO' for f in d['findings'])"
json "any(f['rule'] == 'org-no-ciso' for f in d['findings'])"

# Delete: refused while referenced, then allowed; audited with old values.
run 3 ledger asset delete SYS
expect_err 'still referenced by 1 asset'
run 0 ledger asset delete INFO
run 0 --json audit show
json "any(r['action'] == 'ledger.asset.delete' and r['details']['changes']['name'] == {'old': '住民票', 'new': None} for r in d['records'])"
run 0 --json ledger asset list
json "[r['key'] for r in d['records']] == ['SYS']"
run 0 --json ledger asset list --where segment=mynumber
json "d['records'] == []"

# Due (seeded duties never done are due), with a fixed day.
run 0 --json ledger due --today 令和8年3月1日 --days 10
json "any(x['key'] == 'policy-review' for x in d['due'])"

# Risk grid and matrix.
run 0 ledger asset add A name=a kind=system department=D-01
run 0 ledger risk add R-1 asset=A threat=T1 likelihood=4 impact=4 current_likelihood=2 current_impact=3
run 0 --json ledger risk show R-1
json "d['record']['inherent_level'] == '極高' and d['record']['current_level'] == '中'"
run 0 --json risk matrix
json "[c['risks'] for c in d['cells'] if c['likelihood'] == 2 and c['impact'] == 3] == [1]"
run 0 --json risk matrix --by inherent --svg "$T/map.svg"
json "[c['risks'] for c in d['cells'] if c['likelihood'] == 4 and c['impact'] == 4] == [1]"
python3 -c "import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); sys.exit(0 if len(d.getElementsByTagName('rect')) == 25 else 1)" "$T/map.svg" || fail "SVG heat map is not 25 cells"
run 2 risk matrix --by tomorrow
