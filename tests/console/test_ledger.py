# test_ledger.py - the ledger, gateway and audit areas of the API on the
# example city's ledger (examples/ledger/load.sh): registers, pages,
# search, add/edit/delete with versions, inherited classification, heat
# map, due duties, findings, self-inspection forms and answers, incident
# timeline, queue counts, the audit trail, its verification and export
# (tests/cli/console-ledger.sh).
import json
import os
import subprocess
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from kjconsole import KYOJIN, Env, check, finish  # noqa: E402

# A stand-in for kyojind's metrics endpoint (gateway.metrics_listen), on
# loopback, serving the Prometheus text kyojind writes.
import http.server  # noqa: E402
import threading  # noqa: E402


class Metrics(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = (b"# TYPE kyojind_received_total counter\nkyojind_received_total 43\n"
                b"kyojind_held_total 2\nkyojind_connections 1\nnot a sample\n")
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


metrics = http.server.HTTPServer(("127.0.0.1", 0), Metrics)
threading.Thread(target=metrics.serve_forever, daemon=True).start()
env = Env("console:\n  gateway_metrics: 127.0.0.1:%d\n" % metrics.server_address[1])
src = os.environ.get("KJ_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
p = subprocess.run(["sh", os.path.join(src, "examples", "ledger", "load.sh"), env.data],
                   env=dict(env.env, KYOJIN=KYOJIN), capture_output=True, text=True)
if p.returncode != 0:
    raise SystemExit("load.sh: " + p.stderr)
env.add_account("sec", "secadmin", "情報政策課")
env.add_account("somu", "approver", "総務課")
env.add_account("digi", "approver", "DIGI")
env.add_account("staff", "staff", "総務課")
env.add_account("aud", "auditor", "監査")
env.add_account("ro", "readonly", "総務課")
env.start()
Q = urllib.parse.quote
try:
    sec, somu, digi, staff = env.login("sec"), env.login("somu"), env.login("digi"), \
        env.login("staff")
    aud, ro = env.login("aud"), env.login("ro")

    st, js, _ = ro.get("/api/ledger/registers")
    nouns = [r["noun"] for r in js["registers"]]
    check(st == 200 and "asset" in nouns and "incident" in nouns, "registers listed")
    asset = [r for r in js["registers"] if r["noun"] == "asset"][0]
    kind = [c for c in asset["columns"] if c["name"] == "kind"][0]
    check("information" in kind["choices"] and kind["required"], "columns with choices")

    st, js, _ = ro.get("/api/ledger/asset?limit=3")
    check(st == 200 and len(js["items"]) == 3 and js["next_cursor"], "a page of assets")
    check("values" in js["items"][0] and "effective" not in js["items"][0], "plain page")
    st, js3, _ = ro.get("/api/ledger/asset?limit=3&effective=1")
    check("effective" in js3["items"][0], "effective=1: assets carry inherited classification")
    keys = [x["key"] for x in js["items"]]
    st, js2, _ = ro.get("/api/ledger/asset?limit=3&cursor=" + Q(js["next_cursor"]))
    check(st == 200 and js2["items"][0]["key"] > keys[-1], "the next page continues in key order")
    st, js, _ = ro.get("/api/ledger/asset?q=" + Q("住民"))
    check(st == 200 and any("住民" in (x["values"]["name"] or "") for x in js["items"]),
          "search by name")
    st, js, _ = ro.get("/api/ledger/asset?where=department&value=SHIMIN")
    check(st == 200 and js["items"] and all(x["values"]["department"] == "SHIMIN"
                                            for x in js["items"]), "filter by column")
    check(ro.get("/api/ledger/asset?where=nonsense&value=1")[0] == 400, "unknown column 400")
    check(ro.get("/api/ledger/nonsense")[0] == 404, "unknown register 404")
    st, js, _ = ro.get("/api/ledger/asset/INF-JUMIN")
    check(st == 200 and js["key"] == "INF-JUMIN" and js["effective"], "one asset with levels")
    check(ro.get("/api/ledger/asset/NO-SUCH")[0] == 404, "no such record 404")
    st, js, _ = ro.get("/api/ledger/incident/IN-2026-001")
    check(st == 200 and isinstance(js.get("timeline"), list) and js["timeline"],
          "an incident with its timeline")

    # Writes: the security team only, with versions.
    body = {"key": "INF-TEST", "values": {"name": "テスト資産", "kind": "information",
                                          "department": "SOMU", "held_in": "SYS-KIKAN"}}
    check(staff.post("/api/ledger/asset", body)[0] == 403, "staff cannot write the ledger")
    check(aud.post("/api/ledger/asset", body)[0] == 403, "auditors cannot write the ledger")
    st, js, _ = sec.post("/api/ledger/asset", body)
    check(st == 201 and js["version"] == 1, "secadmin adds an asset (%s)" % js)
    check(sec.post("/api/ledger/asset", body)[0] == 409, "a duplicate key is 409")
    st, js, _ = sec.post("/api/ledger/asset/INF-TEST", {"version": 1,
                                                       "values": {"location": "書庫"}})
    check(st == 200 and js["version"] == 2 and js["values"]["location"] == "書庫", "edited")
    st, js, _ = sec.post("/api/ledger/asset/INF-TEST", {"version": 1,
                                                       "values": {"location": "別"}})
    check(st == 409 and js["error"]["code"] == "conflict", "a stale version is 409 conflict")
    st, js, _ = sec.post("/api/ledger/asset/INF-TEST", {"values": {"kind": "spaceship"}})
    check(st == 400, "a value outside its choices is 400")
    st, js, _ = sec.post("/api/ledger/asset/INF-TEST", {"values": {"bogus": "x"}})
    check(st == 400, "an unknown column is 400")
    st, js, _ = sec.post("/api/ledger/asset/INF-TEST", {"values": {"name": ["x"]}})
    check(st == 400, "a non-string value is 400")
    st, js, _ = sec.post("/api/ledger/asset/INF-TEST/delete", {"version": 2})
    check(st == 200, "deleted")
    check(ro.get("/api/ledger/asset/INF-TEST")[0] == 404, "gone")

    # Views.
    st, js, _ = ro.get("/api/risk/heatmap?which=inherent")
    check(st == 200 and len(js["cells"]) == 5 and len(js["cells"][0]) == 5 and
          sum(c["risks"] for row in js["cells"] for c in row) == 5, "heat map with 5 risks")
    check(ro.get("/api/risk/heatmap?which=x")[0] == 400, "bad heat map kind 400")
    st, js, _ = ro.get("/api/due?horizon_days=3650")
    check(st == 200 and js["items"] and "overdue" in js, "due and overdue")
    check(ro.get("/api/due?horizon_days=-1")[0] == 400, "bad horizon 400")
    st, js, _ = ro.get("/api/findings")
    check(st == 200 and any(f["rule"] == "person-no-pledge" for f in js["items"]), "findings")

    # Self-inspection: progress, a department's form, answers by its approver.
    st, js, _ = ro.get("/api/inspections/FY2026")
    digi_row = [d for d in js["departments"] if d["department"] == "DIGI"]
    check(st == 200 and digi_row and digi_row[0]["score"] == 75, "inspection progress")
    check(ro.get("/api/inspections/NOPE")[0] == 404, "no such campaign 404")
    st, js, _ = somu.get("/api/inspections/FY2026/departments/SOMU")
    check(st == 200 and js["items_total"] > 0 and js["may_answer"] is True,
          "the approver's own department form")
    item = js["items"][0]["item"]
    st, js, _ = somu.get("/api/inspections/FY2026/departments/DIGI")
    check(st == 200 and js["may_answer"] is False, "another department's form is read-only")
    ans = {"department": "SOMU", "item": item, "result": "適合", "evidence": "確認済"}
    check(staff.post("/api/inspections/FY2026/answer", ans)[0] == 403, "staff cannot answer")
    check(digi.post("/api/inspections/FY2026/answer", ans)[0] == 404,
          "another department's approver cannot answer for SOMU")
    st, js, _ = somu.post("/api/inspections/FY2026/answer", ans)
    check(st == 200 and [x for x in js["items"] if x["item"] == item][0]["result"] == "適合",
          "answered (%s)" % st)
    st, js, _ = somu.post("/api/inspections/FY2026/answer", dict(ans, result="たぶん"))
    check(st == 400, "an answer outside 適合/一部適合/不適合/該当なし is 400")
    st, js, _ = sec.post("/api/inspections/FY2026/answer", dict(ans, department="DIGI"))
    check(st == 200, "the security team answers for any department")

    # Gateway.
    check(staff.get("/api/gateway/summary")[0] == 403, "staff do not see the gateway")
    st, js, _ = aud.get("/api/gateway/summary")
    check(st == 200 and set(js["states"]) >= {"received", "held", "delivered"} and
          "pending" in js and "held_reasons" in js, "gateway summary")
    k = js["kyojind"]
    check(k["configured"] and k["reachable"] and k["counters"]["kyojind_received_total"] == 43
          and "not" not in k["counters"], "kyojind's counters read (%s)" % k)
    st, js, _ = aud.get("/api/gateway/queue?state=held")
    check(st == 200 and js["items"] == [], "queue page")
    check(aud.get("/api/gateway/queue?state=bogus")[0] == 400, "bad state 400")

    # Audit trail.
    check(staff.get("/api/audit")[0] == 403, "staff do not read the audit trail")
    st, js, _ = aud.get("/api/audit?limit=5")
    check(st == 200 and len(js["items"]) == 5 and js["next_cursor"], "audit page")
    seqs = [x["seq"] for x in js["items"]]
    check(seqs == sorted(seqs, reverse=True), "newest first")
    st, js2, _ = aud.get("/api/audit?limit=5&cursor=" + Q(js["next_cursor"]))
    check(st == 200 and js2["items"][0]["seq"] < seqs[-1], "next page is older")
    st, js, _ = aud.get("/api/audit?action=ledger.&actor=sec")
    check(st == 200 and js["items"] and all(x["actor"] == "sec" and
                                            x["action"].startswith("ledger.")
                                            for x in js["items"]), "filter by actor and action")
    st, js, _ = aud.get("/api/audit?object=" + Q("asset:INF-TEST"))
    check(st == 200 and len(js["items"]) >= 3, "filter by object")
    st, js, _ = aud.get("/api/audit/verify")
    check(st == 200 and js["ok"] is True and js["records"] > 10, "chain verified")
    st, head, _ = aud.get("/api/audit/head")
    check(st == 200 and head["witness"] == "%d:%s" % (head["seq"], head["hash"]), "head")
    st, js, _ = aud.get("/api/audit/verify?witness=" + Q(head["witness"]))
    check(st == 200 and js["witness_found"] is True, "the published head is in the chain")
    st, body, resp = aud.download("/api/audit/export")
    lines = body.decode().splitlines()
    check(st == 200 and json.loads(lines[-1])["action"] == "audit.export" and
          "attachment" in resp.getheader("Content-Disposition"), "export ends with its record")
    # An auditor verifies the export elsewhere: a directory holding only it.
    offline = os.path.join(env.tmp, "offline")
    os.makedirs(offline)
    with open(os.path.join(offline, "audit.jsonl"), "wb") as f:
        f.write(body)
    p = subprocess.run([KYOJIN, "--data-dir", offline, "audit", "verify"], capture_output=True,
                       text=True, env=env.env)
    check(p.returncode == 0, "the export verifies offline: " + p.stdout + p.stderr)
finally:
    env.stop()
    metrics.shutdown()
finish()
