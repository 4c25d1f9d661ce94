#!/bin/sh
# mail-corpus.sh - every real message of $KJ_CORPUS/mail (read in place)
# through the batch form with isolation on: never a crash or an
# unreadable-input exit; each output re-parsed: one text/plain part,
# valid UTF-8, no <script from the input, no raw URL; held ones have a
# reason.
. "$(dirname "$0")/lib.sh"
[ -n "$CORPUS" ] && [ -d "$CORPUS/mail" ] || { echo "corpus not found: skipped"; exit 77; }
find "$CORPUS/mail" -type f | sort >"$T/files"
# shellcheck disable=SC2046
"$KYOJIN" mail sanitize --jobs 2 --out-dir "$T/o" $(cat "$T/files") >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 0 ] || [ $rc = 1 ] || { tail "$T/err" >&2; fail "batch exited $rc"; }
tail -1 "$T/out"
python3 - "$T/o" "$T/files" <<'PY' || fail "corpus outputs"
import email, json, os, re, sys
from email import policy
o = sys.argv[1]
names = [l for l in open(sys.argv[2])]
reports = [f[:-len(".report.json")] for f in os.listdir(o) if f.endswith(".report.json")]
assert len(reports) == len(names), (len(reports), len(names))
held = 0
for n in reports:
    r = json.load(open(os.path.join(o, n + ".report.json")))
    if r["verdict"] == "held":
        held += 1
        assert r["reasons"], n
        continue
    m = email.message_from_binary_file(open(os.path.join(o, n), "rb"), policy=policy.default)
    assert not m.is_multipart() and m.get_content_type() == "text/plain", n
    t = m.get_content()
    assert "<script" not in t.lower(), n
    assert not re.search(r"https?://", t), n
print("corpus:", len(names), "files,", held, "held")
PY
