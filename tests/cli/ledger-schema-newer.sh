# ledger-schema-newer - a database written by a newer kyojin is refused by
# the ledger commands with exit 3 and the store's message, and left as is.
. "$(dirname "$0")/lib.sh"

run 0 ledger department add D-01 name=総務課
python3 - "$D/kyojin.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("INSERT INTO schema_version VALUES (999, 'from the future', '2099-01-01T00:00:00Z')")
c.commit()
c.close()
PY
sum_before=$(cksum <"$D/kyojin.db")
run 3 ledger department list
expect_err 'database schema version 999 is newer than this kyojin supports \([0-9]+\); upgrade kyojin'
run 3 ledger department add D-02 name=税務課
expect_err 'upgrade kyojin'
run 3 ledger check
run 3 --json ledger due
json "d['error']['exit_code'] == 3 and 'upgrade kyojin' in d['error']['message']"
[ "$(cksum <"$D/kyojin.db")" = "$sum_before" ] || fail "the newer database was modified"
