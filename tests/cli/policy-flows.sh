#!/bin/sh
# policy-flows.sh - `kyojin policy flows`: kernel nftables log, conntrack -L
# and CSV; violations aggregated with counts and first/last seen; garbage,
# truncated and over-long lines counted and skipped.
. "$(dirname "$0")/lib.sh"
EX="$KJ_SOURCE_ROOT/examples/policy"
DATA="$KJ_SOURCE_ROOT/tests/data/policy"

run 1 policy flows "$EX/city.yaml" "$DATA/kern.log"
expect_out '2  mn-term-shimin-01 \(10.10.2.11\) -> public-internet \(203.0.113.9\) tcp/443  first Nov 25 19:07:24  last Nov 25 19:07:25'
expect_out 'lg-term-somu-01 \(10.20.2.11\) -> inet-mta \(10.30.1.5\) tcp/25'
expect_out 'public-internet \(203.0.113.50\) -> lg-mail \(10.20.1.10\) tcp/25'
expect_no_out 'inet-vdi'
expect_out 'lines 8, flows 5, allowed 1, violations 4, ignored 1, garbage 1, truncated 1'

run 1 --json policy flows "$EX/city.yaml" "$DATA/kern.log" "$DATA/conntrack.txt" "$DATA/flows.csv"
json 'd["stats"]["violations"] == 7 and d["stats"]["garbage"] == 1 and d["stats"]["truncated"] == 2'
json 'd["not_allowed"][0]["count"] == 2 and d["not_allowed"][0]["src_segment"] == "mynumber" and d["not_allowed"][0]["dst"] == "public-internet"'
json 'any(g["src"] == "inet-mta" and g["dst"] == "lg-mail" for g in d["not_allowed"])'
json 'not any(g["src"] == "mn-chukan-renkei" for g in d["not_allowed"])'

# Only allowed flows: exit 0.
printf '10.20.2.11,10.30.1.30,tcp,3389,t\n10.30.1.10,10.20.1.10,tcp,25,t\n' >"$T/ok.csv"
run 0 policy flows "$EX/city.yaml" "$T/ok.csv"
expect_out 'allowed 2, violations 0'

# Stdin, an over-long line, binary garbage, a last line cut off.
python3 -c '
import sys
w = sys.stdout.buffer
w.write(b"10.10.2.11,203.0.113.9,tcp,443,a\n")
w.write(b"1" * 100000 + b"\n")
w.write(bytes(range(256)) + b"\n")
w.write(b"10.10.2.11,203.0.113.9,tcp,443,b\n")
w.write(b"Nov 25 19:07:24 fw kernel: kyojin-drop: IN=a OUT=b SRC=10.10.2.11 DST=203.0")
' >"$T/mixed.log"
"$KYOJIN" --json policy flows "$EX/city.yaml" - <"$T/mixed.log" >"$T/out" 2>"$T/err"
[ $? = 1 ] || fail "stdin flows did not exit 1"
json 'd["stats"]["overlong"] == 1 and d["stats"]["violations"] == 2 and d["stats"]["truncated"] == 1 and d["stats"]["garbage"] >= 1'

# A line the kernel really wrote (dmesg, with its trailing space), captured
# from netns-city's router with net.netfilter.nf_log_all_netns=1.
run 1 --json policy flows "$DATA/netns-city.yaml" "$DATA/dmesg-real.log"
json 'd["stats"]["flows"] == 1 and d["not_allowed"][0]["src"] == "mn-term" and d["not_allowed"][0]["dst"] == "world" and d["not_allowed"][0]["dport"] == 443'

run 3 policy flows "$EX/city.yaml" "$T/missing.log"
expect_err 'missing.log'
run 3 policy flows "$DATA/bad-syntax.yaml" "$DATA/kern.log"
run 2 policy flows "$EX/city.yaml"
exit 0
