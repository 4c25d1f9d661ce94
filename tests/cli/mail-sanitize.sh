#!/bin/sh
# mail-sanitize.sh - kyojin mail sanitize: single and batch forms, exit
# codes, profiles, report, quarantine and audit with a data directory.
. "$(dirname "$0")/lib.sh"
EX="$KJ_SOURCE_ROOT/examples/mail"

# No data directory: stdin to stdout, nothing kept, SHA-256 shown.
"$KYOJIN" mail sanitize <"$EX/01-iso2022jp-outlook.eml" >"$T/out" 2>"$T/err" || fail "stdin form"
expect_out "^X-Kyojin-Original-SHA256: [0-9a-f]{64}$"
expect_no_out "^X-Kyojin-Quarantine-Id"
expect_out "^Content-Type: text/plain; charset=UTF-8"
expect_err "not quarantined"
[ ! -d "$D" ] || fail "a data directory was created"

# -o and --report; held exit 1 with the reason; unreadable exit 3.
run 0 mail sanitize "$EX/02-html-newsletter.eml" -o "$T/o.eml" --report "$T/r.json"
python3 - "$T/o.eml" "$T/r.json" <<'PY' || fail "output or report"
import email, json, sys
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
assert not m.is_multipart() and m.get_content_type() == "text/plain"
t = m.get_content()
assert "document.location" not in t and "https://" not in t and "フィッシング" in t
r = json.load(open(sys.argv[2]))
assert r["verdict"] == "sanitized" and r["phishing"] and "html-to-text" in r["actions"]
PY
run 1 mail sanitize "$EX/04-ppap-encrypted-zip.eml" -o "$T/held.eml" --report "$T/h.json"
expect_err "held: encrypted.*PPAP"
[ ! -e "$T/held.eml" ] || fail "held message was written"
run 1 mail sanitize "$EX/07-smime-encrypted.eml" -o "$T/x.eml"
run 3 mail sanitize "$T/no-such-file.eml"
run 2 mail sanitize --profile no-such-profile "$EX/01-iso2022jp-outlook.eml"

# Profiles: built-in English + ISO-2022-JP, and a YAML file.
run 0 mail sanitize --profile en "$EX/03-attachments.eml" -o "$T/en.eml"
grep -q "^Content-Transfer-Encoding" "$T/en.eml" || fail "no CTE"
run 0 mail sanitize --profile ja-iso2022jp "$EX/01-iso2022jp-outlook.eml" -o "$T/jis.eml"
grep -q "charset=ISO-2022-JP" "$T/jis.eml" || fail "not ISO-2022-JP"
printf 'name: hold-all\nattachments: hold\nkeep_headers: [From, Subject]\n' >"$T/p.yaml"
run 1 mail sanitize --profile "$T/p.yaml" "$EX/03-attachments.eml" -o "$T/p.eml"
printf 'attachments: maybe\n' >"$T/bad.yaml"
run 2 mail sanitize --profile "$T/bad.yaml" "$EX/03-attachments.eml"
expect_err "bad.yaml:1"

# Batch, two sandboxed workers.
run 1 mail sanitize --out-dir "$T/batch" --jobs 2 "$EX"/*.eml
expect_out "7 sanitized, 2 held, 0 unreadable"
[ -s "$T/batch/02-html-newsletter.eml" ] || fail "batch output missing"
[ -s "$T/batch/04-ppap-encrypted-zip.eml.report.json" ] || fail "batch report missing"
[ ! -e "$T/batch/04-ppap-encrypted-zip.eml" ] || fail "held message written in batch"

# --no-sandbox is labelled as a debugging switch.
run 0 mail sanitize --no-sandbox "$EX/09-signed.eml" -o "$T/s.eml"
expect_err "debugging only"

# With a data directory: quarantine, quarantine id in the output, audit.
mkdir -p "$D"
run 0 mail sanitize "$EX/03-attachments.eml" -o "$T/q.eml"
grep -Eq "^X-Kyojin-Quarantine-Id: Q-[0-9a-f]{20}$" "$T/q.eml" || fail "no quarantine id"
# The zip member name written in CP932 without the UTF-8 flag, as Windows
# writes it, is listed decoded.
python3 -c 'import email,email.policy,sys; print(email.message_from_binary_file(open(sys.argv[1],"rb"),policy=email.policy.default).get_content())' "$T/q.eml" |
	grep "zip: 1 file(s): 名簿.csv" >/dev/null || fail "CP932 zip member name not decoded"
run 1 mail sanitize "$EX/04-ppap-encrypted-zip.eml"
run 0 audit show
expect_out "mail.sanitize"
expect_out "mail.hold"
run 0 audit verify
run 0 store fsck
