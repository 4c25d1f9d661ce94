#!/bin/sh
# policy-compile.sh - `kyojin policy compile --target nftables`: one ruleset
# per firewall, accepted by `nft -c -f` when nft is installed (the syntax
# check needs no privilege beyond what nft -c asks; it changes nothing);
# models that fail check are refused with exit 1.
. "$(dirname "$0")/lib.sh"
EX="$KJ_SOURCE_ROOT/examples/policy"
DATA="$KJ_SOURCE_ROOT/tests/data/policy"

run 0 policy compile "$EX/city.yaml" --target nftables
expect_out '^table inet kyojin \{'
expect_out 'policy drop;'
expect_out 'ct state established,related accept'
expect_out 'log prefix "kyojin-drop: "'
expect_out 'ip saddr \{ 10.30.1.10 \} ip daddr \{ 10.20.1.10 \} tcp dport \{ 25 \} counter accept comment "mail-in"'
expect_no_out 'ip saddr \{ 10.30.1.5 \} ip daddr \{ 10.20.1.10 \}'
cp "$T/out" "$T/city.nft"

run 0 policy compile "$EX/city.yaml" --target nftables --host fw-core --log-group 7
expect_out 'group 7'
run 0 policy compile "$EX/beta.yaml" --target nftables --output-dir "$T/rules"
[ -s "$T/rules/fw.nft" ] || fail "no $T/rules/fw.nft"
run 0 --json policy compile "$EX/city.yaml" --target nftables
json 'len(d["rulesets"]) == 1 and d["rulesets"][0]["host"] == "fw-core" and "policy drop" in d["rulesets"][0]["ruleset"]'

run 1 policy compile "$DATA/bad-city.yaml" --target nftables
expect_err 'fails check with 5 violations: not compiled'
run 2 policy compile "$EX/city.yaml"
expect_err '--target nftables'
run 2 policy compile "$EX/city.yaml" --target iptables
run 2 policy compile "$EX/city.yaml" --target nftables --host lg-mail
expect_err 'no firewall host'
run 3 policy compile "$DATA/bad-syntax.yaml" --target nftables

# Every compiled ruleset must be valid nftables.
if command -v nft >/dev/null 2>&1 && nft -c -f "$T/city.nft" >/dev/null 2>"$T/nft-probe"; then
	for f in "$T/city.nft" "$T/rules/fw.nft"; do
		nft -c -f "$f" || fail "nft -c rejected $f"
	done
elif command -v nft >/dev/null 2>&1 && grep -qi 'permission\|operation not permitted' "$T/nft-probe"; then
	echo "nft -c needs privileges here; syntax not checked" >&2
	exit 77
elif command -v nft >/dev/null 2>&1; then
	cat "$T/nft-probe" >&2
	fail "nft -c rejected the compiled city ruleset"
else
	echo "nft not installed (apt-get install nftables): syntax not checked" >&2
	exit 77
fi
exit 0
