#!/bin/sh
# file-corpus.sh - every archive of $KJ_CORPUS/archives (recursive-extractor,
# bombs, the Lhasa LZH collection) through the batch form and the
# sandboxed workers: each file gets a verdict and a report, none is
# unreadable or crashes a worker, and every sanitized output is a zip.
. "$(dirname "$0")/lib.sh"

[ -n "$CORPUS" ] && [ -d "$CORPUS/archives" ] || exit 0
find "$CORPUS/archives/recursive-extractor" "$CORPUS/archives/bombs" \
	"$CORPUS/archives/lzh" -type f ! -name '*.md' ! -name README >"$T/list"
n=$(wc -l <"$T/list")
# shellcheck disable=SC2046
# Two worker threads: workers are forked by their sandbox's spawner, so a
# library lock another thread holds at that moment cannot hang them (it
# did, before: TestDataForFilters.7z held as "exceeded 30 s" once in six
# runs).  No file may be held for time: each takes well under a second.
"$KYOJIN" --json file sanitize --out-dir "$T/o" --jobs 2 $(cat "$T/list") >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || { tail "$T/err" >&2; fail "corpus batch exit $rc"; }
python3 - "$T/out" "$T/o" "$n" <<'PY' || fail "corpus results"
import json, os, sys, zipfile
d = json.load(open(sys.argv[1]))
n = int(sys.argv[3])
assert d["errors"] == 0, [l for l in d["files"] if ": error:" in l]
assert d["sanitized"] + d["blocked_or_held"] == n
crashed = [l for l in d["files"] if "isolation:" in l]
assert not crashed, crashed
timed = [l for l in d["files"] if "sanitizer exceeded" in l]
assert not timed, timed
reports = [f for f in os.listdir(sys.argv[2]) if f.endswith(".report.json")]
assert len(reports) == n, (len(reports), n)
for f in reports:
    r = json.load(open(os.path.join(sys.argv[2], f)))
    if r["verdict"] == "sanitized" and r["output_type"] == "application/zip":
        zipfile.ZipFile(os.path.join(sys.argv[2], f[: -len(".report.json")])).testzip()
print("corpus: %d files, %d sanitized, %d blocked or held" % (n, d["sanitized"], d["blocked_or_held"]))
PY

# Aozora Bunko texts in Shift_JIS, unlabelled: decoded to UTF-8.
a="$CORPUS/text/aozora-sjis/127_ruby_150.txt"
[ -f "$a" ] || exit 0
run 0 file sanitize "$a" -o "$T/rashomon.txt"
python3 -c 'import sys; t=open(sys.argv[1],encoding="utf-8").read(); assert t.startswith("羅生門") and "芥川龍之介" in t' \
	"$T/rashomon.txt" || fail "Shift_JIS text not decoded"
