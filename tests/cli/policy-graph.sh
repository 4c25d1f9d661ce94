#!/bin/sh
# policy-graph.sh - `kyojin policy graph`: DOT with the segments as clusters
# and sanitizing paths drawn distinctly; rendered by dot when installed.
. "$(dirname "$0")/lib.sh"
EX="$KJ_SOURCE_ROOT/examples/policy"

run 0 policy graph "$EX/city.yaml"
expect_out '^digraph kyojin \{'
expect_out 'subgraph "cluster_mynumber"'
expect_out 'subgraph "cluster_lgwan"'
expect_out 'subgraph "cluster_internet"'
expect_out '"h_inet-mta" -> "h_kyojind" \[label="smtp", color="#008800"'
expect_out '"h_mn-chukan-renkei" -> "x_chukan-server-platform" \[label="https", color="#cc0000", style=dashed'
expect_out '"h_lg-term-somu-01" -> "h_lg-files" \[label="smb"\]'
cp "$T/out" "$T/city.dot"
run 0 --json policy graph "$EX/city.yaml"
json 'd["dot"].startswith("digraph kyojin") and d["hosts"] == 33'
run 3 policy graph "$T/none.yaml"
if command -v dot >/dev/null 2>&1; then
	dot -Tsvg "$T/city.dot" >"$T/city.svg" || fail "dot rejected the graph"
fi
exit 0
