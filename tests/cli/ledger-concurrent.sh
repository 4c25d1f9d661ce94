# ledger-concurrent - two processes edit the same record at once: no update
# is lost.  Each process changes its own column N times; at the end both
# columns hold their last values and the version counts every change.  Two
# conditional sets from the same version: exactly one wins, the other
# exits 3 with a conflict.  No sleeps: the processes race freely.
. "$(dirname "$0")/lib.sh"

N=15
run 0 ledger department add D-01 name=総務課
run 0 ledger asset add A name=a kind=system department=D-01

writer() {
	col=$1
	i=1
	while [ $i -le $N ]; do
		"$KYOJIN" ledger asset set A "$col=$col-$i" >/dev/null 2>"$T/err-$col" || {
			echo "writer $col failed at $i" >>"$T/failures"
			cat "$T/err-$col" >>"$T/failures"
		}
		i=$((i + 1))
	done
}
writer location &
p1=$!
writer format &
p2=$!
wait $p1
wait $p2
[ ! -s "$T/failures" ] || { cat "$T/failures" >&2; fail "a writer failed"; }
run 0 --json ledger asset show A
json "d['record']['location'] == 'location-$N' and d['record']['format'] == 'format-$N'"
json "d['record']['version'] == 1 + 2 * $N"
run 0 --json audit show
json "len([r for r in d['records'] if r['action'] == 'ledger.asset.set']) == 2 * $N"

# Both read version V; both try to change it conditionally.
V=$((1 + 2 * N))
"$KYOJIN" ledger asset set A name=first --if-version $V >"$T/o1" 2>"$T/e1" &
p1=$!
"$KYOJIN" ledger asset set A name=second --if-version $V >"$T/o2" 2>"$T/e2" &
p2=$!
wait $p1
r1=$?
wait $p2
r2=$?
[ $((r1 + r2)) -eq 3 ] || fail "expected one success and one conflict, got $r1 and $r2"
grep -q "is at version $((V + 1)), not $V" "$T/e1" "$T/e2" || fail "conflict message missing"
run 0 --json ledger asset show A
json "d['record']['version'] == $((V + 1)) and d['record']['name'] in ('first', 'second')"

# Two processes add the same key at once: one adds it, the other is told
# that it exists; the record is the winner's, whole.
"$KYOJIN" ledger asset add B name=one kind=system department=D-01 >"$T/o1" 2>"$T/e1" &
p1=$!
"$KYOJIN" ledger asset add B name=two kind=medium department=D-01 >"$T/o2" 2>"$T/e2" &
p2=$!
wait $p1
r1=$?
wait $p2
r2=$?
[ $((r1 + r2)) -eq 3 ] || fail "expected one add and one refusal, got $r1 and $r2"
grep -q "already exists" "$T/e1" "$T/e2" || fail "duplicate message missing"
run 0 --json ledger asset show B
json "(d['record']['name'], d['record']['kind']) in (('one', 'system'), ('two', 'medium')) and d['record']['version'] == 1"

# An import with --update and a set race on the same record: both
# changes are kept, one after the other.
printf 'key,location\nA,from-file\n' >"$T/upd.csv"
"$KYOJIN" ledger import asset "$T/upd.csv" --update >"$T/o1" 2>"$T/e1" &
p1=$!
"$KYOJIN" ledger asset set A format=from-set >"$T/o2" 2>"$T/e2" &
p2=$!
wait $p1 || { cat "$T/e1" >&2; fail "import failed"; }
wait $p2 || { cat "$T/e2" >&2; fail "set failed"; }
run 0 --json ledger asset show A
json "d['record']['location'] == 'from-file' and d['record']['format'] == 'from-set' and d['record']['version'] == $((V + 3))"
