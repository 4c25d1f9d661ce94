# test_authz.py - the authorization matrix: every role x every action x an
# object of the account's own department and of another one, generated
# from the table below (written from docs/en/console.md, independently of
# src/lib/account/authz.c).  Expected: "-" -> 403; "own" -> allowed for
# the own department and 404 for the other; "all" -> allowed for both.
# Actions marked dept-free have no department to compare
# (tests/cli/console-authz.sh).
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from kjconsole import PASSWORD, Env, check, finish  # noqa: E402

ROLES = ["staff", "approver", "secadmin", "auditor", "readonly"]
#          action                     staff  approver secadmin auditor readonly  dept-free
MATRIX = [("mail.read",                "own", "own",   "all",   "-",    "own",   False),
          ("release.request",          "own", "own",   "all",   "-",    "-",     False),
          ("release.read",             "own", "own",   "all",   "all",  "own",   False),
          ("release.approve",          "-",   "own",   "all",   "-",    "-",     False),
          ("release.approve_original", "-",   "-",     "all",   "-",    "-",     False),
          ("release.download",         "own", "own",   "all",   "-",    "-",     False),
          ("ppap.open",                "own", "own",   "all",   "-",    "-",     False),
          ("exchange.upload",          "own", "own",   "all",   "-",    "-",     True),
          ("exchange.read",            "own", "own",   "all",   "all",  "own",   False),
          ("exchange.approve",         "-",   "own",   "all",   "-",    "-",     False),
          ("exchange.download",        "own", "own",   "all",   "-",    "-",     False),
          ("ledger.read",              "all", "all",   "all",   "all",  "all",   True),
          ("ledger.write",             "-",   "-",     "all",   "-",    "-",     True),
          ("inspect.answer",           "-",   "own",   "all",   "-",    "-",     False),
          ("gateway.read",             "-",   "-",     "all",   "all",  "-",     True),
          ("audit.read",               "-",   "-",     "all",   "all",  "-",     True),
          ("notification.read",        "-",   "-",     "all",   "all",  "-",     True),
          ("account.read",             "-",   "own",   "all",   "all",  "-",     False),
          ("account.admin",            "-",   "-",     "all",   "-",    "-",     True)]
DEPTS = {"A": "総務課", "B": "税務課"}
Q = urllib.parse.quote

env = Env()
for d, name in DEPTS.items():
    for role in ROLES:
        env.add_account("%s-%s" % (role, d.lower()), role, name, "%s-%s@city.example.lg.jp" %
                        (role, d.lower()))
env.add_account("outsider", "staff", "企画課")
env.kj("ledger", "department", "add", "A", "name=" + DEPTS["A"], "kind=課")
env.kj("ledger", "department", "add", "B", "name=" + DEPTS["B"], "kind=課")
env.kj("inspect", "start", "C1", "--name", "点検", "--from", "2026-01-01", "--to", "2026-12-31")
mail = {d: env.add_mail("staff-%s@city.example.lg.jp" % d.lower(), "mail " + d,
                        [("f%s.csv" % d, b"a,b\n1,2\n")]) for d in DEPTS}
corpus = os.environ.get("KJ_CORPUS", "")
ppap_path = os.path.join(corpus, "archives", "recursive-extractor",
                         "TestDataEncryptedZipCrypto.zip")
ppap = {}
if os.path.exists(ppap_path):
    ppap = {d: env.add_mail("staff-%s@city.example.lg.jp" % d.lower(), "ppap " + d,
                            [("p.zip", open(ppap_path, "rb").read())]) for d in DEPTS}
env.start()
try:
    s = {}
    for d in DEPTS:
        for role in ROLES:
            s[(role, d)] = env.login("%s-%s" % (role, d.lower()))

    def new_request(d, kind="sanitized"):
        st, js, _ = s[("staff", d)].post("/api/releases", {
            "quarantine_id": mail[d], "attachment_index": 1, "kind": kind, "reason": "r"})
        assert st == 201, js
        return js["id"]

    def approved_original(d):
        rid = new_request(d, "original")
        st, js, _ = s[("approver", d)].post("/api/releases/%s/approve" % rid, {})
        assert st == 200 and js["state"] == "approved", js
        return rid

    def released(d):
        rid = approved_original(d)
        other = "B" if d == "A" else "A"
        st, js, _ = s[("secadmin", other)].post("/api/releases/%s/approve" % rid, {})
        assert st == 200 and js["state"] == "released", js
        return rid

    def upload(client, d):
        q = urllib.parse.urlencode({"direction": "outbound", "recipient": "outsider",
                                    "name": "memo.txt"})
        return client.request("POST", "/api/exchange?" + q, raw=b"memo\n",
                              content_type="application/octet-stream")[:2]

    def new_file(d):
        st, js = upload(s[("staff", d)], d)
        assert st == 201, js
        return js["id"]

    def available_file(d):
        xid = new_file(d)
        st, js, _ = s[("approver", d)].post("/api/exchange/%s/approve" % xid, {})
        assert st == 200 and js["state"] == "available", js
        return xid

    prepared = {d: {"release": released(d), "file": available_file(d)} for d in DEPTS}
    serial = [0]

    def attempt(action, c, d):
        """Performs action as client c on an object of department d; returns the status."""
        serial[0] += 1
        if action == "mail.read":
            return c.get("/api/mail/" + mail[d])[0]
        if action == "release.request":
            return c.post("/api/releases", {"quarantine_id": mail[d], "attachment_index": 1,
                                            "kind": "sanitized", "reason": "matrix"})[0]
        if action == "release.read":
            return c.get("/api/releases/" + prepared[d]["release"])[0]
        if action == "release.approve":
            return c.post("/api/releases/%s/refuse" % new_request(d), {})[0]
        if action == "release.approve_original":
            return c.post("/api/releases/%s/approve" % approved_original(d), {})[0]
        if action == "release.download":
            return c.download("/api/releases/%s/download" % prepared[d]["release"])[0]
        if action == "ppap.open":
            if not ppap:
                return None
            st = c.post("/api/ppap/open", {"quarantine_id": ppap[d], "attachment_index": 1,
                                           "password": "wrong password", "reason": "m"})[0]
            # A wrong password past authorization is the 422 of the archive.
            return 200 if st == 422 else st
        if action == "exchange.upload":
            return upload(c, d)[0]
        if action == "exchange.read":
            return c.get("/api/exchange/" + prepared[d]["file"])[0]
        if action == "exchange.approve":
            return c.post("/api/exchange/%s/refuse" % new_file(d), {})[0]
        if action == "exchange.download":
            return c.download("/api/exchange/%s/download" % prepared[d]["file"])[0]
        if action == "ledger.read":
            return c.get("/api/ledger/department")[0]
        if action == "ledger.write":
            return c.post("/api/ledger/department", {"key": "M%d" % serial[0],
                                                     "values": {"name": "課%d" % serial[0]}})[0]
        if action == "inspect.answer":
            return c.post("/api/inspections/C1/answer", {"department": d, "item": "CL-5-1",
                                                         "result": "適合"})[0]
        if action == "gateway.read":
            return c.get("/api/gateway/summary")[0]
        if action == "audit.read":
            return c.get("/api/audit?limit=1")[0]
        if action == "notification.read":
            return c.get("/api/notifications")[0]
        if action == "account.read":
            return c.get("/api/accounts?department=" + Q(DEPTS[d]))[0]
        if action == "account.admin":
            return c.post("/api/accounts", {"login": "new%d" % serial[0], "role": "staff",
                                            "department": DEPTS[d], "password": PASSWORD})[0]
        raise AssertionError(action)

    cells = 0
    for action, *scopes, dept_free in MATRIX:
        for role, scope in zip(ROLES, scopes):
            for own in (True, False):
                acct_dept = "A"
                obj_dept = "A" if own else "B"
                st = attempt(action, s[(role, acct_dept)], obj_dept)
                if st is None:
                    continue
                if scope == "-" and (action, role, own) == ("release.approve_original",
                                                             "approver", False):
                    # Whether a request is an original is known only to
                    # whoever may see it: to an approver of another
                    # department it is simply not there.
                    want = "404"
                elif scope == "-":
                    want = "403"
                elif scope == "all" or dept_free or own:
                    want = "2xx"
                else:
                    want = "404"
                got = "2xx" if 200 <= st < 300 else str(st)
                cells += 1
                check(got == want, "%s as %s on %s department: %s, expected %s" %
                      (action, role, "own" if own else "other", st, want))
    print("authorization matrix: %d cells checked" % cells)
    check(cells >= 180, "the matrix covers every cell (%d)" % cells)
finally:
    env.stop()
finish()
