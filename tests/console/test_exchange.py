# test_exchange.py - file exchange between segments: upload, approval by
# the uploader's department, CDR inbound, personal-number block outbound
# with a notification, expiry, size and type limits
# (tests/cli/console-exchange.sh).
import json
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from kjconsole import Env, check, finish  # noqa: E402


def my_number(body11):
    """A 12-digit 個人番号 with its check digit (総務省令 の検査用数字)."""
    digits = [int(c) for c in body11]
    s = 0
    for n in range(1, 12):
        p = digits[11 - n]
        q = n + 1 if n <= 6 else n - 5
        s += p * q
    r = s % 11
    return body11 + str(0 if r <= 1 else 11 - r)


def up(client, direction, recipient, name, data, note=None, headers=None, ctype=None):
    q = {"direction": direction, "recipient": recipient, "name": name}
    if note:
        q["note"] = note
    path = "/api/exchange?" + urllib.parse.urlencode(q)
    st, js, resp, _ = client.request("POST", path, raw=data, headers=headers,
                                     content_type=ctype or "application/octet-stream")
    return st, js


env = Env("console:\n  exchange_max_bytes: 4096\n")
env.add_account("alice", "staff", "総務課")
env.add_account("bob", "staff", "総務課")
env.add_account("appr", "approver", "総務課")
env.add_account("appr2", "approver", "税務課")
env.add_account("eve", "staff", "税務課")
env.add_account("carol", "staff", "企画課")
env.add_account("sec", "secadmin", "情報政策課")
env.add_account("aud", "auditor", "監査")
env.add_account("ro", "readonly", "総務課")
env.start()
try:
    alice, bob, appr, appr2 = env.login("alice"), env.login("bob"), env.login("appr"), \
        env.login("appr2")
    eve, carol, sec, aud, ro = env.login("eve"), env.login("carol"), env.login("sec"), \
        env.login("aud"), env.login("ro")

    # Outbound with a personal number: blocked, security notified.
    pn = my_number("12345678901")
    data = ("氏名,個人番号\n山田太郎,%s %s %s\n" % (pn[:4], pn[4:8], pn[8:])).encode()
    st, js = up(alice, "outbound", "eve", "名簿.csv", data, note="送付")
    check(st == 201 and js["state"] == "uploaded" and js["department"] == "総務課",
          "outbound upload (%s)" % js)
    xid = js["id"]
    check(alice.post("/api/exchange/%s/approve" % xid, {})[0] == 403, "staff cannot approve")
    check(appr2.post("/api/exchange/%s/approve" % xid, {})[0] == 404,
          "another department's approver: 404")
    st, js, _ = appr.post("/api/exchange/%s/approve" % xid, {})
    check(st == 200 and js["state"] == "blocked" and "個人番号" in js["failure"],
          "a personal number blocks the transfer (%s)" % js)
    check(pn not in json.dumps(js, ensure_ascii=False), "the number is not in the answer")
    check(eve.download("/api/exchange/%s/download" % xid)[0] == 409,
          "a blocked file cannot be downloaded")
    st, js, _ = sec.get("/api/notifications")
    check(st == 200 and js["items"] and js["items"][0]["kind"] == "exchange.blocked" and
          js["items"][0]["object"] == xid, "the security team is notified")
    check(alice.get("/api/notifications")[0] == 403, "staff do not read notifications")
    check(aud.get("/api/notifications")[0] == 200, "auditors read notifications")
    log = open(os.path.join(env.data, "audit.jsonl"), encoding="utf-8").read()
    check('"exchange.blocked"' in log and pn not in log, "audited without the number")

    # Outbound clean: available to the recipient and the department.
    st, js = up(alice, "outbound", "eve", "議事録.txt", "会議の議事録です。\n".encode())
    xid2 = js["id"]
    check(eve.get("/api/exchange/" + xid2)[0] == 200, "the recipient sees the upload")
    check(carol.get("/api/exchange/" + xid2)[0] == 404, "others do not")
    st, js, _ = appr.post("/api/exchange/%s/approve" % xid2, {"comment": "OK"})
    check(st == 200 and js["state"] == "available" and js["expires_unix"] > 0,
          "clean outbound file available (%s)" % js)
    st, body, resp = eve.download("/api/exchange/%s/download" % xid2)
    check(st == 200 and body == "会議の議事録です。\n".encode(), "the recipient downloads it")
    check(bob.download("/api/exchange/%s/download" % xid2)[0] == 200,
          "the uploader's department downloads it")
    check(carol.download("/api/exchange/%s/download" % xid2)[0] == 404,
          "another department cannot")
    check(ro.download("/api/exchange/%s/download" % xid2)[0] == 403,
          "read-only accounts do not download")
    st, js, _ = eve.get("/api/exchange")
    check(st == 200 and xid2 in [x["id"] for x in js["items"]], "the recipient lists it")
    st, js, _ = carol.get("/api/exchange")
    check(st == 200 and not js["items"], "an unrelated department lists nothing")

    # Expiry.
    db = env.db()
    db.execute("UPDATE exchange_file SET expires_unix = 1 WHERE id = ?", (xid2,))
    db.commit()
    st, body, _ = eve.download("/api/exchange/%s/download" % xid2)
    check(st == 409, "an expired file is not downloadable (%d)" % st)
    st, js, _ = eve.get("/api/exchange/" + xid2)
    check(js["state"] == "expired", "and is marked expired")

    # Inbound: through the CDR engine.
    st, js = up(eve, "inbound", "alice", "data.csv", "a,b\n1,2\n".encode())
    xin = js["id"]
    check(appr.post("/api/exchange/%s/approve" % xin, {})[0] == 404,
          "the approver of the uploader's department decides, not the recipient's")
    check(eve.post("/api/exchange/%s/approve" % xin, {})[0] == 403, "no self-approval")
    st, js, _ = appr2.post("/api/exchange/%s/approve" % xin, {})
    check(st == 200 and js["state"] in ("available", "failed") and js["report"] is not None,
          "inbound file went through CDR (%s)" % js.get("state"))
    if js["state"] == "available":
        check(alice.download("/api/exchange/%s/download" % xin)[0] == 200,
              "the recipient downloads the sanitized file")
    st, js = up(eve, "inbound", "alice", "x.txt", b"hello\n")
    st, js, _ = appr2.post("/api/exchange/%s/refuse" % js["id"], {"comment": "不要"})
    check(st == 200 and js["state"] == "refused", "refused")
    check(appr2.post("/api/exchange/%s/approve" % js["id"], {})[0] == 409,
          "a refused file cannot be approved")

    # Hostile uploads.
    st, js = up(alice, "outbound", "eve", "big.bin", b"x" * 5000)
    check(st == 413, "over console.exchange_max_bytes is 413 (%d)" % st)
    st, js = up(alice, "outbound", "eve", "a.txt", b"x", ctype="application/json")
    check(st == 415, "wrong content type is 415")
    st, js = up(alice, "outbound", "eve", "a.txt", b"x", ctype="multipart/form-data; b=1")
    check(st == 415, "multipart is 415")
    st, js = up(alice, "sideways", "eve", "a.txt", b"x")
    check(st == 400, "unknown direction is 400")
    st, js = up(alice, "outbound", "nobody", "a.txt", b"x")
    check(st == 400, "unknown recipient is 400")
    st, js = up(alice, "outbound", "eve", "", b"x")
    check(st == 400, "empty name is 400")
    st, js = up(alice, "outbound", "eve", "a\x01b.txt", b"x")
    check(st == 400, "control character in the name is 400")
    st, js = up(alice, "outbound", "eve", "a.txt", b"")
    check(st == 413 or st == 400, "empty file refused (%d)" % st)
    st, js = up(alice, "outbound", "eve", "../../etc/passwd", b"x")
    check(st == 201 and js["filename"] == "passwd", "a path as name is reduced to its base name")
    st, js, _, _ = alice.request("POST", "/api/exchange?direction=outbound&recipient=eve&name=a",
                                 raw=b"x", content_type="application/octet-stream", csrf=False)
    check(st == 403, "upload without CSRF is 403")
    check(aud.request("POST", "/api/exchange?direction=outbound&recipient=eve&name=a",
                      raw=b"x", content_type="application/octet-stream")[0] == 403,
          "auditors cannot upload")
    for evil in ("/api/exchange/..%2f..%2fkyojin.db/download", "/api/exchange/X-1/download",
                 "/api/exchange/%2e%2e/download"):
        st, body, _ = alice.download(evil)
        check(st == 404 and b"SQLite" not in body, "exchange traversal %s is 404" % evil)
finally:
    env.stop()
finish()
