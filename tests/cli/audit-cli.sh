# audit-cli - append, show, head, verify through the real binary; tampering
# found with exit 1 naming the record; parallel writers from several
# processes; verify --head against a published head.
. "$(dirname "$0")/lib.sh"

run 0 --actor alice audit append --action test.start --object demo --details '{"n":1}'
run 0 --json --actor alice audit append --action test.step --object 'メール ①' 
json 'd["seq"] == 2 and len(d["hash"]) == 64'
head2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["witness"])' "$T/out")

run 0 audit show
expect_out '^1  .*alice  test.start  demo  \{"n":1\}'
expect_out '^2  .*メール ①'
run 0 --json audit show --since 2
json 'len(d["records"]) == 1 and d["records"][0]["object"] == "メール ①"'
run 0 --json audit show --since 2000-01-01
json 'len(d["records"]) == 2'
run 2 audit show --since yesterday-ish
run 2 audit append --action x
expect_err 'needs --action and --object'
run 2 audit append --action x --object y --details '[1]'
expect_err 'must be a JSON object'
run 0 audit verify
KYOJIN_ACTOR=bob run 0 audit append --action test.env --object o
run 0 --json audit show --since 3
json 'd["records"][0]["actor"] == "bob"'

# Parallel writers: 4 processes x 25 appends, then an intact chain of 103.
i=0
while [ $i -lt 4 ]; do
	(
		j=0
		while [ $j -lt 25 ]; do
			"$KYOJIN" audit append --action test.parallel --object "w$i-$j" >/dev/null || exit 1
			j=$((j + 1))
		done
	) &
	i=$((i + 1))
done
wait
run 0 --json audit verify
json 'd["intact"] and d["records"] == 103'

run 0 audit verify --head "$head2"
run 0 --json audit head
json 'd["seq"] == 103'
run 2 audit verify --head nonsense
expect_err 'is not a head'

# Tampering: alter one byte of record 50 -> exit 1 naming record 50.
cp "$D/audit.jsonl" "$T/saved"
python3 - "$D/audit.jsonl" <<'P'
import sys
p = sys.argv[1]
lines = open(p, encoding="utf-8").read().split("\n")
lines[49] = lines[49].replace("test.parallel", "test.paralleL")
open(p, "w", encoding="utf-8").write("\n".join(lines))
P
run 1 audit verify
expect_err 'NOT intact'
run 1 --json audit verify
json 'd["intact"] is False and d["first_bad_seq"] == 50'
# show refuses nothing it can parse, but a damaged line stops it with exit 1.
cp "$T/saved" "$D/audit.jsonl"
printf 'garbage\n' >>"$D/audit.jsonl"
run 1 audit show
run 1 --json audit verify
json 'd["first_bad_seq"] == 104'
# append refuses to bury damage: the log is unchanged.
cp "$T/saved" "$D/audit.jsonl"
printf '{"seq":104,"trunc' >>"$D/audit.jsonl"
size=$(wc -c <"$D/audit.jsonl")
run 3 audit append --action a --object b
expect_err 'does not end with a complete record'
[ "$(wc -c <"$D/audit.jsonl")" = "$size" ] || fail "append changed a damaged log"

# Truncating whole records from the end: the head file gives it away.
cp "$T/saved" "$D/audit.jsonl"
head -n 90 "$T/saved" >"$D/audit.jsonl"
run 1 --json audit verify
json 'd["first_bad_seq"] == 91 and "cut off" in d["reason"]'
# ... and with the head file removed too, only the published head does.
rm "$D/audit.head"
run 0 audit verify
run 1 audit verify --head "$(python3 -c 'print("95:" + "0"*64)')"
exit 0
