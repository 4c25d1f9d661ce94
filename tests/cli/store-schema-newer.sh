# store-schema-newer - a database written by a newer kyojin is refused
# with exit 3 and a message saying to upgrade, and is left byte-identical.
. "$(dirname "$0")/lib.sh"

printf 'x' >"$T/x"
run 0 store put "$T/x"
python3 - "$D/kyojin.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("INSERT INTO schema_version VALUES (999, 'from the future', '2099-01-01T00:00:00Z')")
c.commit()
c.close()
PY
sum_before=$(cksum <"$D/kyojin.db")

run 3 store info
expect_err 'database schema version 999 is newer than this kyojin supports \([0-9]+\); upgrade kyojin'
run 3 store put "$T/x"
expect_err 'upgrade kyojin'
run 3 --json store fsck
json "d['error']['exit_code'] == 3 and 'upgrade kyojin' in d['error']['message']"

[ "$(cksum <"$D/kyojin.db")" = "$sum_before" ] || fail "the newer database was modified"
