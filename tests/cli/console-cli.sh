#!/bin/sh
# console-cli: kyojin account and kyojin release from the command line: an
# account added with its password on stdin, the mailbox directory, a
# request for a quarantined attachment, refusal of one's own decision,
# approval of an original twice by two people, lock and unlock, and
# kyojin-console --check-config on good and bad files.
. "$(dirname "$0")/lib.sh"
CONSOLE=${KYOJIN_CONSOLE:-$(dirname "$KYOJIN")/../console/kyojin-console}
PW="correct horse battery staple"

echo "$PW" >"$T/pw"
run 0 --json account add alice --role staff --department 総務課 --email alice@city.example.lg.jp \
	--password-stdin <"$T/pw"
run 2 account add bob --role wizard --department 総務課 --password-stdin <"$T/pw"
echo short >"$T/short"
run 3 account add bob --role staff --department 総務課 --password-stdin <"$T/short"
expect_err "12 characters"
run 0 --json account add appr --role approver --department 総務課 --password-stdin <"$T/pw"
json "d['totp_secret'] and d['otpauth_uri'].startswith('otpauth://totp/kyojin:appr?')"
run 0 --json account add sec --role secadmin --department 情報政策課 --password-stdin <"$T/pw"
run 3 account add alice --role staff --department 総務課 --password-stdin <"$T/pw"
expect_err "exists"
run 0 --json account list
json "[a['login'] for a in d['accounts']] == ['alice', 'appr', 'sec']"
json "[a['totp_pending'] for a in d['accounts']] == [False, True, True]"
run 0 --json account totp-code appr
run 0 account mailbox soumu@city.example.lg.jp 総務課
run 3 account mailbox not-an-address 総務課

cat >"$T/in.eml" <<'MAIL'
From: sender@example.net
To: soumu@city.example.lg.jp
Subject: =?UTF-8?B?6LOH5paZ?=
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain; charset=UTF-8

本文
--b
Content-Type: text/csv; name="a.csv"
Content-Disposition: attachment; filename="a.csv"

a,b
1,2
--b--
MAIL
run 0 --json mail sanitize "$T/in.eml" -o "$T/out.eml"
qid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["quarantine_id"])' "$T/out")
run 3 release request "$qid" 1 --as nobody --reason x
run 2 release request "$qid" 1 --as alice
run 0 --json release request "$qid" 1 --as alice --kind original --reason 原本が必要
rid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["request"]["id"])' "$T/out")
run 3 release approve "$rid" --as alice
expect_err "own request"
run 0 --json release approve "$rid" --as appr
json "d['request']['state'] == 'approved'"
run 3 release approve "$rid" --as appr
run 0 --json release approve "$rid" --as sec --comment 例外
json "d['request']['state'] == 'released' and d['request']['second_approver'] == 'sec'"
run 0 --json release list --state released
json "[r['id'] for r in d['requests']] == ['$rid']"
run 0 --json release list --quarantine-id "$qid"
json "[r['id'] for r in d['requests']] == ['$rid']"
run 0 --json release list --quarantine-id Q-nothing
json "d['requests'] == []"
run 0 --json release show "$rid"
run 3 release show R-nothing
run 0 --json audit show
python3 - "$T/out" <<'PY' || fail "release.original not flagged in the audit log"
import json, sys
recs = json.load(open(sys.argv[1]))
recs = recs.get("records", recs) if isinstance(recs, dict) else recs
assert any(r["action"] == "release.original" and r["details"]["unsanitized"] for r in recs)
PY

run 0 account lock alice
run 0 --json account list
json "[a['locked'] for a in d['accounts'] if a['login'] == 'alice'] == [True]"
run 3 release request "$qid" 1 --as nonexistent --reason x
run 0 account unlock alice

"$CONSOLE" --check-config >"$T/out" 2>"$T/err" || fail "--check-config with defaults"
printf 'console:\n  listen: 0.0.0.0:8443\n' >"$T/bad.yaml"
"$CONSOLE" --check-config --config "$T/bad.yaml" >"$T/out" 2>"$T/err" && fail "plain HTTP on 0.0.0.0 accepted"
expect_err "loopback"
printf 'console:\n  lockout_failures: 0\n' >"$T/bad2.yaml"
"$CONSOLE" --check-config --config "$T/bad2.yaml" >"$T/out" 2>"$T/err" && fail "lockout_failures 0 accepted"
expect_err "bad2.yaml:2:"
printf 'console:\n  approvers: "総務課"\n' >"$T/bad3.yaml"
"$CONSOLE" --check-config --config "$T/bad3.yaml" >"$T/out" 2>"$T/err" && fail "bad approvers accepted"
expect_err "department=login"
for n in 0 17; do
	printf 'console:\n  workers: %s\n' "$n" >"$T/bad4.yaml"
	"$CONSOLE" --check-config --config "$T/bad4.yaml" >"$T/out" 2>"$T/err" && fail "workers $n accepted"
	expect_err "bad4.yaml:2:"
done
printf 'console:\n  workers: 3\n' >"$T/good.yaml"
"$CONSOLE" --check-config --config "$T/good.yaml" >"$T/out" 2>"$T/err" || fail "workers 3 refused"
exit 0
