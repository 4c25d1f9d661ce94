#!/bin/sh
# policy-check.sh - `kyojin policy check`: clean models exit 0, violations
# exit 1 with clause, hosts and fix, bad files exit 3 with file:line:column,
# usage errors exit 2.  Needs no data directory.
. "$(dirname "$0")/lib.sh"
EX="$KJ_SOURCE_ROOT/examples/policy"
DATA="$KJ_SOURCE_ROOT/tests/data/policy"

run 0 policy check "$EX/city.yaml"
expect_out 'clean: 33 hosts'
run 0 policy check "$EX/beta.yaml"
expect_out 'variant beta'
[ ! -d "$D" ] || fail "policy check created the data directory"

run 0 --json policy check "$EX/city.yaml"
json 'd["clean"] is True and d["violations"] == [] and d["variant"] == "alpha" and d["format_version"] == 1'

run 1 policy check "$DATA/bad-city.yaml"
expect_out 'bad-city.yaml:21:5: \[基本方針 6\(3\)①\] mynumber-internet'
expect_out '\[基本方針 6\(3\)①\] mynumber-terminal-controls'
expect_out '\[基本方針 6\(3\)②\] lgwan-internet-direct: flow lg-web'
expect_out '\[基本方針 6\(3\)③\] internet-via-security-cloud: flow proxy-out'
expect_out '\[基本方針 6\(3\)③\] internet-monitoring'
expect_out 'hosts: lg-term, inet-proxy'
expect_out 'fix: '
expect_out '5 violations'

run 1 --json policy check "$DATA/bad-city.yaml"
json 'len(d["violations"]) == 5 and not d["clean"]'
json 'any(v["rule"] == "lgwan-internet-direct" and v["clause"] == "基本方針 6(3)②" and v["flow"] == "lg-web" and "lg-term" in v["hosts"] and v["line"] == 23 for v in d["violations"])'

run 3 policy check "$DATA/bad-syntax.yaml"
expect_err 'bad-syntax.yaml:4:1: not valid YAML'
run 3 policy check "$DATA/bad-unknown-key.yaml"
expect_err "bad-unknown-key.yaml:8:5: unknown key 'adresses' in a host \\(did you mean 'addresses'\\?\\)"
run 3 policy check "$DATA/bad-cycle.yaml"
expect_err 'circular group reference: g1 -> g2 -> g1'
run 3 policy check "$DATA/bad-cidr.yaml"
expect_err "bad-cidr.yaml:2:22: networks: '2001:db8::g/32' is not an IPv4 or IPv6 address"
run 3 policy check "$DATA/empty.yaml"
expect_err 'the model is empty'
run 3 policy check "$T/no-such-file.yaml"
expect_err 'cannot read the model'
run 3 --json policy check "$DATA/bad-cycle.yaml"
json 'd["error"]["exit_code"] == 3'

run 2 policy check
run 2 policy check a b
run 2 policy check --no-such-option "$EX/city.yaml"
run 0 policy --help
expect_out 'check'
run 0 policy check --help
expect_out '6\(3\)'
exit 0
