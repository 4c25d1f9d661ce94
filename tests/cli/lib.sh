# lib.sh - shared helpers for the CLI tests.  Each test sources this file,
# gets a fresh temporary directory ($T) with a data directory ($D) not yet
# created, and calls the helpers below.  The directory is removed on exit.
set -u
: "${KYOJIN:?KYOJIN must name the kyojin binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/kj-cli.XXXXXX")
D="$T/var"
trap 'rm -rf "$T"' EXIT
export KYOJIN_DATA_DIR="$D"
unset KYOJIN_CONFIG KYOJIN_ACTOR
cd "$T" || exit 99
CORPUS=${KJ_CORPUS:-}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# run EXPECTED_EXIT CMD...: runs kyojin with CMD, output in $T/out and
# $T/err, and fails unless the exit code is EXPECTED_EXIT.
run() {
	want=$1
	shift
	"$KYOJIN" "$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" != "$want" ]; then
		echo "--- stdout" >&2
		cat "$T/out" >&2
		echo "--- stderr" >&2
		cat "$T/err" >&2
		fail "kyojin $* exited $got, expected $want"
	fi
}

# expect_out PATTERN / expect_err PATTERN: grep -E in the last output.
expect_out() { grep -Eq -- "$1" "$T/out" || { cat "$T/out" >&2; fail "stdout lacks /$1/"; }; }
expect_err() { grep -Eq -- "$1" "$T/err" || { cat "$T/err" >&2; fail "stderr lacks /$1/"; }; }
expect_no_out() { ! grep -Eq -- "$1" "$T/out" || { cat "$T/out" >&2; fail "stdout has /$1/"; }; }

# json EXPR: evaluates a jq-free check with python3's json module on $T/out.
json() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
		"$T/out" "$1" || { cat "$T/out" >&2; fail "json check failed: $1"; }
}
