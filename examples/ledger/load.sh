#!/bin/sh
# load.sh - load the example city's ledger (五所川原市, fictional staff) into a
# data directory, so that a newcomer sees a populated system:
#
#   examples/ledger/load.sh [DATA_DIR]        (default: ./var)
#   kyojin --data-dir DATA_DIR ledger check
#
# The CSV files are what city staff keep in Excel: UTF-8 with BOM (most), one
# in CP932 (person.csv, as Excel saves "CSV"), headers by column name or by
# Japanese label, dates in 和暦 or Western form.  Order matters: a register
# is loaded after the registers it references.  The ledger is left with a
# few findings on purpose (a contract without the clauses its assets need,
# a missing pledge, a department without a manager, personal information
# classified 3B kept by a cloud service abroad) for 'ledger check'.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
KYOJIN=${KYOJIN:-kyojin}
dir=${1:-./var}
k() { "$KYOJIN" --data-dir "$dir" --actor example-loader "$@"; }

for noun in department person role contractor cloud asset social risk incident timeline \
	pledge training audit-plan audit-finding audit-followup; do
	k ledger import "$noun" "$here/$noun.csv"
done
k ledger duty set policy-review last_done=令和7年3月31日
k ledger duty set training last_done=2025-06-30
k inspect start FY2026 --name 令和8年度情報セキュリティ自己点検 --from 令和8年6月1日 --to 令和8年6月30日
k inspect answer FY2026 DIGI CL-6-5 適合 --evidence 受講記録 --by P002
k inspect answer FY2026 DIGI CL-6-8a 一部適合 --evidence "HP保守契約に再委託条項なし" --by P002
k inspect answer FY2026 SHIMIN CL-6-3a 適合 --by P004
k inspect answer FY2026 SOMU CL-5-2 不適合 --evidence "誓約書未回収あり" --by P001
echo "loaded; try: $KYOJIN --data-dir $dir ledger check | ledger due | risk matrix | inspect report FY2026 | ledger staff | report ciso --campaign FY2026 -o report.pdf"
