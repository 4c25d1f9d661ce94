# test_release.py - release requests: request, approve, refuse, the two
# approvals of an original, separation of duties, downloads, PPAP archives
# opened with their password (tests/cli/console-release.sh).
import hashlib
import json
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from kjconsole import Env, check, finish  # noqa: E402

CSV = "氏名,所属\n山田,総務課\n".encode("utf-8")
env = Env()
env.add_account("alice", "staff", "総務課", "alice@city.example.lg.jp")
env.add_account("bob", "staff", "総務課")
env.add_account("appr", "approver", "総務課")
env.add_account("appr2", "approver", "税務課")
env.add_account("eve", "staff", "税務課", "eve@city.example.lg.jp")
env.add_account("sec", "secadmin", "情報政策課")
env.add_account("sec2", "secadmin", "情報政策課")
env.add_account("aud", "auditor", "監査")
qid = env.add_mail("alice@city.example.lg.jp", "名簿", [("meibo.csv", CSV)])
qid_eve = env.add_mail("eve@city.example.lg.jp", "税務", [("zei.csv", CSV)])
corpus = os.environ.get("KJ_CORPUS", "")
ppap = os.path.join(corpus, "archives", "recursive-extractor", "TestDataEncryptedZipCrypto.zip")
qid_ppap = None
if os.path.exists(ppap):
    qid_ppap = env.add_mail("alice@city.example.lg.jp", "【送付】資料",
                            [("資料.zip", open(ppap, "rb").read())])
# Last, so that out.eml is its sanitized form.
qid_last = env.add_mail("alice@city.example.lg.jp", "通知の確認", [("b.csv", CSV)])
env.start()
try:
    alice, bob, appr = env.login("alice"), env.login("bob"), env.login("appr")
    appr2, eve, sec = env.login("appr2"), env.login("eve"), env.login("sec")
    sec2, aud = env.login("sec2"), env.login("aud")

    # The mail view: alice's department sees it, eve's does not.
    st, js, _ = alice.get("/api/mail")
    ids = [m["id"] for m in js["items"]]
    check(st == 200 and qid in ids and qid_eve not in ids, "alice lists her department's mail")
    st, js, _ = alice.get("/api/mail/" + qid)
    check(st == 200 and js["attachment_list"][0]["filename"] == "meibo.csv" and
          js["departments"] == ["総務課"], "mail detail with attachments and departments")
    check(eve.get("/api/mail/" + qid)[0] == 404, "another department's mail is 404")
    check(eve.get("/api/mail?department=" + urllib.parse.quote("総務課"))[0] == 404, "naming another department is 404")
    st, js, _ = sec.get("/api/mail")
    check(st == 200 and len(js["items"]) == (4 if qid_ppap else 3), "secadmin sees all mail")
    check(aud.get("/api/mail")[0] == 403, "auditors do not read mail")

    # The text the recipients received (the notice first): kept by the
    # gateway as the queue entry's sanitized blob; made here the same way.
    st, js, _ = alice.get("/api/mail/%s/text" % qid)
    check(st == 404, "no sanitized copy kept outside the gateway: 404")
    blob = env.kj_json("store", "put", os.path.join(env.tmp, "out.eml"))["blobs"][0]["id"]
    db = env.db()
    db.execute("INSERT INTO queue (id, state, sender, recipients, client, helo, size, original,"
               " sanitized, quarantine_id, attempts, next_attempt, received_at, received_unix,"
               " updated_at) VALUES ('00000000000000000001', 'delivered', 'a@example.net',"
               " '[\"alice@city.example.lg.jp\"]', '127.0.0.1', 'x', 1, ?, ?, ?, 0, 0,"
               " '2026-04-01T00:00:00Z', 0, '2026-04-01T00:00:00Z')", ("0" * 64, blob, qid_last))
    db.commit()
    st, js, _ = alice.get("/api/mail/%s/text" % qid_last)
    check(st == 200 and "本文です" in js["text"] and qid_last in js["text"],
          "the delivered text with its notice (%d)" % st)
    check(eve.get("/api/mail/%s/text" % qid_last)[0] == 404, "not for another department")

    # Request a sanitized copy; bad requests first.
    st, js, _ = alice.post("/api/releases", {"quarantine_id": qid, "attachment_index": 1,
                                             "kind": "sanitized"})
    check(st == 400, "a request needs a reason")
    st, js, _ = alice.post("/api/releases", {"quarantine_id": qid, "attachment_index": "1",
                                             "kind": "sanitized", "reason": "x"})
    check(st == 400, "attachment_index must be an integer")
    st, js, _ = alice.post("/api/releases", {"quarantine_id": qid, "attachment_index": 9,
                                             "kind": "sanitized", "reason": "x"})
    check(st == 404, "no such attachment is 404")
    st, js, _ = alice.post("/api/releases", {"quarantine_id": qid, "attachment_index": 1,
                                             "kind": "everything", "reason": "x"})
    check(st == 400, "unknown kind is 400")
    st, js, _ = eve.post("/api/releases", {"quarantine_id": qid, "attachment_index": 1,
                                           "kind": "sanitized", "reason": "見たい"})
    check(st == 404, "requesting another department's attachment is 404")
    st, js, _ = alice.post("/api/releases", {"quarantine_id": qid, "attachment_index": 1,
                                             "kind": "sanitized", "reason": "業務で必要\n2行目"})
    check(st == 201 and js["state"] == "requested" and js["department"] == "総務課",
          "request created (%s)" % js)
    rid = js["id"]
    check(js["subject"] == "名簿" and "sender@example.net" in (js["sender"] or ""),
          "the request carries the mail's subject and sender (%s, %s)"
          % (js.get("subject"), js.get("sender")))
    st, js, _ = appr.get("/api/releases?state=requested")
    mine = [x for x in js["items"] if x["id"] == rid]
    check(st == 200 and mine and mine[0]["subject"] == "名簿" and mine[0]["sender"],
          "the approver's queue shows subject and sender")
    st, js, _ = appr.get("/api/releases/" + rid)
    check(st == 200 and js["subject"] == "名簿", "and so does the request itself")
    check(alice.post("/api/releases/%s/approve" % rid, {})[0] == 403, "staff cannot approve")
    check(appr2.post("/api/releases/%s/approve" % rid, {})[0] == 404,
          "another department's approver gets 404")
    check(eve.get("/api/releases/" + rid)[0] == 404, "another department cannot see it")
    st, js, _ = appr2.get("/api/releases")
    check(st == 200 and rid not in [x["id"] for x in js["items"]], "nor list it")
    st, js, _ = bob.get("/api/releases")
    check(st == 200 and rid in [x["id"] for x in js["items"]], "the department lists it")
    check(alice.download("/api/releases/%s/download" % rid)[0] == 409,
          "not downloadable before approval")
    st, js, _ = appr.post("/api/releases/%s/approve" % rid, {"comment": "承認"},
                          csrf=False)
    check(st == 403, "approval without CSRF is refused")
    st, js, _ = appr.post("/api/releases/%s/approve" % rid, {"comment": "承認"})
    check(st == 200 and js["state"] in ("released", "failed") and js["approver"] == "appr",
          "approved (%s)" % js)
    if js["state"] == "released":
        st, body, resp = alice.download("/api/releases/%s/download" % rid)
        check(st == 200 and "attachment;" in resp.getheader("Content-Disposition") and
              len(body) > 0, "the sanitized file downloads")
        check(eve.download("/api/releases/%s/download" % rid)[0] == 404,
              "another department cannot download it")
    check(appr.post("/api/releases/%s/approve" % rid, {})[0] == 409, "approving twice is 409")
    for evil in ("/api/releases/..%2f..%2fetc%2fpasswd/download",
                 "/api/releases/../../etc/passwd/download", "/api/releases/%00/download",
                 "/api/releases/R-0000000000000000000/download"):
        st, body, _ = alice.download(evil)
        check(st == 404 and b"root:" not in body, "download traversal %s is 404 (%d)" %
              (evil, st))

    # Refusal; separation of duties.
    st, js, _ = alice.post("/api/releases", {"quarantine_id": qid, "attachment_index": 1,
                                             "kind": "sanitized", "reason": "再度"})
    st, js, _ = appr.post("/api/releases/%s/refuse" % js["id"], {"comment": "不要"})
    check(st == 200 and js["state"] == "refused", "refused")
    st, js, _ = sec.post("/api/releases", {"quarantine_id": qid, "attachment_index": 1,
                                           "kind": "sanitized", "reason": "調査"})
    check(st == 201, "secadmin requests for any department")
    st, js, _ = sec.post("/api/releases/%s/approve" % js["id"], {})
    check(st == 403 and js["error"]["code"] == "separation_of_duties",
          "nobody approves their own request")

    # The original: two approvals, two people, flagged in the audit log.
    st, js, _ = alice.post("/api/releases", {"quarantine_id": qid, "attachment_index": 1,
                                             "kind": "original", "reason": "原本が必要"})
    oid = js["id"]
    st, js, _ = appr.post("/api/releases/%s/approve" % oid, {})
    check(st == 200 and js["state"] == "approved", "first approval of an original")
    check(alice.download("/api/releases/%s/download" % oid)[0] == 409,
          "an original is not released after one approval")
    st, js, _ = appr.post("/api/releases/%s/approve" % oid, {})
    check(st == 403, "the department's approver cannot give the second approval")
    st, js, _ = sec.post("/api/releases/%s/approve" % oid, {"comment": "例外承認"})
    check(st == 200 and js["state"] == "released" and js["second_approver"] == "sec",
          "second approval by the security team releases it")
    st, body, _ = alice.download("/api/releases/%s/download" % oid)
    check(st == 200 and body == CSV, "the original downloads byte for byte")
    records = [json.loads(x) for x in open(os.path.join(env.data, "audit.jsonl"))]
    orig = [x for x in records if x["action"] == "release.original"]
    check(len(orig) == 1 and orig[0]["details"]["unsanitized"] is True and
          orig[0]["object"] == oid, "release.original flagged in the audit log")
    acts = {x["action"] for x in records}
    check({"release.request", "release.approve", "release.refuse", "release.download"} <= acts,
          "every step audited: %s" % sorted(acts))

    # Auditors read requests of every department but decide nothing.
    st, js, _ = aud.get("/api/releases")
    check(st == 200 and len(js["items"]) >= 4, "auditor lists every request")
    check(aud.post("/api/releases/%s/refuse" % oid, {})[0] == 403, "auditor cannot decide")

    # Pagination.
    st, js, _ = sec.get("/api/releases?limit=2")
    check(st == 200 and len(js["items"]) == 2 and js["next_cursor"], "first page")
    st, js2, _ = sec.get("/api/releases?limit=2&cursor=" + js["next_cursor"])
    check(st == 200 and not set(x["id"] for x in js["items"]) & set(x["id"] for x in js2["items"]),
          "second page continues")
    check(sec.get("/api/releases?limit=0")[0] == 400, "limit 0 is 400")
    check(sec.get("/api/releases?limit=100000")[0] == 400, "limit too large is 400")
    check(sec.get("/api/releases?cursor=%01")[0] == 400, "a bad cursor is 400")

    # The requests of one mail, filtered by the server; department scope kept.
    for who in (alice, sec):
        st, every, _ = who.get("/api/releases?limit=500")
        want = [x["id"] for x in every["items"] if x["quarantine_id"] == qid]
        st, js, _ = who.get("/api/releases?quarantine_id=" + qid)
        check(st == 200 and len(want) >= 3 and [x["id"] for x in js["items"]] == want,
              "quarantine_id keeps that mail's requests, newest first (%d of %d)"
              % (len(js["items"]), len(every["items"])))
    st, js, _ = sec.get("/api/releases?limit=1&quarantine_id=" + qid)
    st2, js2, _ = sec.get("/api/releases?limit=1&quarantine_id=%s&cursor=%s" %
                          (qid, js["next_cursor"]))
    check(st2 == 200 and js2["items"][0]["quarantine_id"] == qid and
          js2["items"][0]["id"] != js["items"][0]["id"], "quarantine_id pages with its cursor")
    st, js, _ = sec.get("/api/releases?quarantine_id=Q-none")
    check(st == 200 and js["items"] == [], "an unknown mail has no requests")
    st, js, _ = eve.get("/api/releases?quarantine_id=" + qid)
    check(st == 200 and js["items"] == [], "another department sees none of that mail's requests")

    # PPAP: the recipient's password opens the archive inside the sandbox.
    if qid_ppap:
        body = {"quarantine_id": qid_ppap, "attachment_index": 1, "password": "wrong-one",
                "reason": "取引先からの資料"}
        st, js, _ = alice.post("/api/ppap/open", body)
        check(st == 422 and js["error"]["code"] == "wrong_password", "wrong password is 422 (%s)"
              % js)
        check(eve.post("/api/ppap/open", dict(body, password="TestData"))[0] == 404,
              "another department cannot open it")
        st, js, _ = alice.post("/api/ppap/open", dict(body, password="TestData"))
        check(st in (201, 422), "PPAP opened (%d %s)" % (st, js))
        if st == 201:
            pid = js["id"]
            check(js["kind"] == "ppap" and js["state"] == "requested", "a ppap request")
            st, js, _ = appr.post("/api/releases/%s/approve" % pid, {})
            check(st == 200 and js["state"] == "released", "PPAP release approved")
            st, data, _ = alice.download("/api/releases/%s/download" % pid)
            check(st == 200 and data[:2] == b"PK", "the sanitized archive downloads")
        # The archive's members are named TestData/..., so the password is
        # looked for as a JSON string value and as a whole database field.
        log = open(os.path.join(env.data, "audit.jsonl"), encoding="utf-8").read()
        check('"TestData"' not in log and "wrong-one" not in log,
              "the password is not in the audit log")
        db = env.db()
        hits = 0
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            cols = [c[1] for c in db.execute("PRAGMA table_info(%s)" % table)]
            for c in cols:
                hits += db.execute("SELECT count(*) FROM %s WHERE CAST(%s AS TEXT) IN"
                                   " ('TestData', 'wrong-one')" % (table, c)).fetchone()[0]
        check(hits == 0, "the password is not stored in any field")
    else:
        print("note: corpus archive missing; PPAP part skipped", file=sys.stderr)
finally:
    env.stop()
finish()
