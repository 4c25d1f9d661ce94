# ledger-inspect - 'kyojin inspect start|answer|report': the checklist
# derived from the basic policy is issued to every department; answers are
# audited; the report gives progress, scores and items not met and exits 1
# when an item is 不適合; bad answers and closed campaigns are refused.
. "$(dirname "$0")/lib.sh"

run 0 ledger department add D-01 name=総務課
run 0 ledger department add D-02 name=税務課
run 3 inspect start Y2026 --name 令和8年度 --from 令和8年6月1日 --to 2026-02-30
run 2 inspect start Y2026 --name 令和8年度
run 0 --json inspect start Y2026 --name 令和8年度自己点検 --from 令和8年6月1日 --to 2026-06-30
json "d['answers_issued'] > 20 and d['answers_issued'] % 2 == 0"
run 0 ledger checklist show CL-6-5
expect_out '基本方針 6\(5\)'

run 0 inspect answer Y2026 D-01 CL-6-5 適合 --evidence 受講率100%
run 0 inspect answer Y2026 D-01 CL-6-8c 不適合
run 0 inspect answer Y2026 D-02 CL-6-5 一部適合
run 3 inspect answer Y2026 D-01 CL-6-5 たぶん
expect_err 'result .* is not one of 適合\|一部適合\|不適合\|該当なし'
run 3 inspect answer Y2026 D-01 CL-6 適合
expect_err "no answer 'Y2026/D-01/CL-6'"
run 3 inspect answer Y2099 D-01 CL-6-5 適合
run 0 --json audit show
json "any(r['action'] == 'ledger.answer.set' and r['details']['changes']['result'] == {'old': None, 'new': '不適合'} for r in d['records'])"

run 1 --json inspect report Y2026
json "[x['department'] for x in d['departments']] == ['D-01', 'D-02']"
json "d['departments'][0]['answered'] == 2 and d['departments'][0]['score'] == 50 and d['departments'][0]['gaps'] == ['CL-6-8c']"
json "d['departments'][1]['score'] == 50"

run 0 ledger campaign set Y2026 status=closed
run 3 inspect answer Y2026 D-02 CL-6-5 適合
expect_err 'closed'
