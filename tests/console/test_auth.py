# test_auth.py - login, sessions, CSRF, TOTP, lockout and the hostile
# requests every endpoint must survive (tests/cli/console-auth.sh).
import base64
import hmac
import json
import os
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from kjconsole import CONSOLE, PASSWORD, Env, check, finish  # noqa: E402

env = Env("console:\n  lockout_failures: 3\n  login_rate_per_min: 1000\n")
env.add_account("alice", "staff", "総務課", "alice@city.example.lg.jp")
env.add_account("appr", "approver", "総務課")
env.add_account("eve", "staff", "税務課")
env.start()
try:
    c = env.client()

    # Security headers on API, static and error answers alike.
    for path in ("/api/auth/me", "/", "/js/app.js", "/nope", "/api/nope"):
        st, _, resp = c.get(path)
        csp = resp.getheader("Content-Security-Policy") or ""
        check("default-src 'self'" in csp and "unsafe-inline" not in csp
              and "frame-ancestors 'none'" in csp, "CSP on %s: %s" % (path, csp))
        check(resp.getheader("X-Content-Type-Options") == "nosniff", "nosniff on " + path)
        check(resp.getheader("X-Frame-Options") == "DENY", "X-Frame-Options on " + path)
        check(resp.getheader("Referrer-Policy") == "no-referrer", "Referrer-Policy on " + path)
        if path.startswith("/api/"):
            check(resp.getheader("Cache-Control") == "no-store", "no-store on " + path)
    st, _, resp = c.get("/api/auth/me")
    check(st == 401, "me without a session is 401 (%d)" % st)

    # Static files: types, traversal refused, nothing outside www.
    st, body, resp = c.download("/")
    check(st == 200 and b"kyojin" in body and resp.getheader("Content-Type").startswith(
        "text/html"), "index.html served as text/html")
    st, body, resp = c.download("/js/app.js")
    check(st == 200 and resp.getheader("Content-Type").startswith("text/javascript"),
          "module served as text/javascript")
    for evil in ("/../secret.txt", "/%2e%2e/secret.txt", "/js/../../secret.txt",
                 "/js/%2e%2e/%2e%2e/secret.txt", "/.hidden", "/js/..%2f..%2fsecret.txt",
                 "/..\\secret.txt", "/js//app.js", "/%00/../secret.txt"):
        st, body, resp = c.download(evil)
        # A NUL ends the path where libmicrohttpd decodes it: "/" is served.
        check((st in (400, 404) or "%00" in evil) and b"outside the www" not in body,
              "static traversal %s refused (%d)" % (evil, st))
    os.symlink(os.path.join(env.tmp, "secret.txt"), os.path.join(env.www, "link.txt"))
    st, body, _ = c.download("/link.txt")
    check(st == 404 and b"outside" not in body, "symlink out of www refused (%d)" % st)
    st, _, _ = c.post("/index.html", {}, csrf=False)
    check(st == 405, "POST to a static file is 405 (%d)" % st)

    # Login: wrong password, unknown login, bad shapes.
    st, js, _ = c.post("/api/auth/login", {"login": "alice", "password": "wrong password!!"})
    check(st == 401 and js["error"]["code"] == "bad_credentials", "wrong password is 401")
    st, js, _ = c.post("/api/auth/login", {"login": "nobody", "password": PASSWORD})
    check(st == 401 and js["error"]["code"] == "bad_credentials",
          "unknown login looks like a wrong password")
    st, js, _ = c.post("/api/auth/login", {"login": 5, "password": PASSWORD})
    check(st == 400 and js["error"]["code"] == "invalid", "non-string login is 400")
    st, js, _ = c.post("/api/auth/login", {"password": PASSWORD})
    check(st == 400, "missing login is 400")
    st, js, _, _ = c.request("POST", "/api/auth/login", raw=b'{"login": "alice", "pass',
                             csrf=False)
    check(st == 400 and js["error"]["code"] == "bad_json", "truncated JSON is 400 bad_json")
    st, js, _, _ = c.request("POST", "/api/auth/login", raw=b"[1,2]", csrf=False)
    check(st == 400, "a JSON array body is 400")
    st, js, _, _ = c.request("POST", "/api/auth/login", raw=b"[" * 100000 + b"]" * 100000,
                             csrf=False)
    check(st == 413, "a 200 kB body of brackets is 413 (%d)" % st)
    st, js, _, _ = c.request("POST", "/api/auth/login", raw=b"[" * 50 + b"]" * 50, csrf=False)
    check(st == 400, "deeply nested JSON is 400 (%d)" % st)
    st, js, _, _ = c.request("POST", "/api/auth/login", raw=b'{"login":"a\xff"}', csrf=False)
    check(st == 400, "non-UTF-8 body is 400")
    st, js, _, _ = c.request("POST", "/api/auth/login",
                             raw=b'{"login":"alice","login":"appr","password":"x"}', csrf=False)
    check(st == 400, "duplicate keys are 400")
    st, js, _, _ = c.request("POST", "/api/auth/login",
                             raw=json.dumps({"login": "alice", "password": PASSWORD}).encode(),
                             content_type="application/x-www-form-urlencoded", csrf=False)
    check(st == 415, "form-encoded login is 415 (no cross-site form posts)")
    st, js, _, _ = c.request("POST", "/api/auth/login", raw=b"x" * (70 * 1024), csrf=False)
    check(st == 413 and js["error"]["code"] == "too_large", "oversized body is 413")
    st, js, _ = c.post("/api/auth/login", {"login": "alice", "password": PASSWORD},
                       headers={"Origin": "https://evil.example"})
    check(st == 403 and js["error"]["code"] == "origin", "cross-origin login refused")
    st, js, _ = c.post("/api/auth/login", {"login": "alice", "password": PASSWORD},
                       headers={"Sec-Fetch-Site": "cross-site"})
    check(st == 403, "Sec-Fetch-Site: cross-site refused")

    # Session fixation: a cookie planted before login is not what login gives.
    planted = "kj_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    c = env.client()
    c.cookie = planted
    st, js, resp = c.post("/api/auth/login", {"login": "alice", "password": PASSWORD})
    check(st == 200 and c.cookie != planted, "login issues a new session id")
    sc = resp.getheader("Set-Cookie")
    check("HttpOnly" in sc and "SameSite=Strict" in sc and "Path=/" in sc,
          "session cookie is HttpOnly, SameSite=Strict: " + sc)
    fix = env.client()
    fix.cookie = planted
    st, _, _ = fix.get("/api/auth/me")
    check(st == 401, "the planted cookie is no session")
    st, js, _ = c.get("/api/auth/me")
    check(st == 200 and js["account"]["login"] == "alice" and js["account"]["department"] ==
          "総務課", "me names the account")
    check(js["permissions"]["mail.read"] == "own" and js["permissions"]["audit.read"] ==
          "none", "me lists permissions")
    # Re-login from the same browser rotates the session: the old one dies.
    old = c.cookie
    st, js, _ = c.post("/api/auth/login", {"login": "alice", "password": PASSWORD})
    o = env.client()
    o.cookie = old
    check(o.get("/api/auth/me")[0] == 401 and c.cookie != old,
          "a second login ends the previous session")

    # CSRF: state changes need the header, and the right value.
    st, js, _ = c.post("/api/auth/logout", {}, csrf=False)
    check(st == 403 and js["error"]["code"] == "csrf", "logout without CSRF is 403")
    st, js, _ = c.post("/api/auth/logout", {}, headers={"X-CSRF-Token": "x" * 43})
    check(st == 403 and js["error"]["code"] == "csrf", "wrong CSRF token is 403")
    other = env.login("eve")
    st, js, _ = c.post("/api/auth/logout", {}, headers={"X-CSRF-Token": other.csrf})
    check(st == 403, "another session's CSRF token is refused")
    st, js, _ = c.post("/api/auth/logout", {})
    check(st == 200, "logout with CSRF")
    check(c.get("/api/auth/me")[0] == 401, "session gone after logout")

    # Unknown endpoints and methods.
    st, js, _ = other.get("/api/nothing/here")
    check(st == 404, "unknown endpoint 404")
    st, js, _ = other.request("DELETE", "/api/auth/me")[:3]
    check(st == 405, "wrong method 405 (%d)" % st)
    st = other.request("HEAD", "/api/auth/me")[0]
    check(st == 405, "no HEAD on the API (%d)" % st)
    st = other.request("HEAD", "/js/app.js")[0]
    check(st == 200, "HEAD of a static file (%d)" % st)

    # Expired sessions: idle and absolute.
    s = env.login("eve")
    db = env.db()
    db.execute("UPDATE account_session SET last_unix = last_unix - 100000")
    db.commit()
    st, js, _ = s.get("/api/auth/me")
    check(st == 401 and "expired" in js["error"]["message"], "idle session expires")
    s = env.login("eve")
    db.execute("UPDATE account_session SET created_unix = created_unix - 100000")
    db.commit()
    check(s.get("/api/auth/me")[0] == 401, "session past its absolute lifetime expires")

    # TOTP: required for the approver, replay refused.
    a = env.client()
    st, js, _ = a.post("/api/auth/login", {"login": "appr", "password": PASSWORD})
    check(st == 401 and js["error"]["code"] == "totp_required", "approver needs a code")
    code = env.fresh_code("appr")
    st, js, _ = a.post("/api/auth/login", {"login": "appr", "password": PASSWORD,
                                           "totp": code})
    check(st == 200, "approver logs in with password and code (%s)" % js)
    b = env.client()
    st, js, _ = b.post("/api/auth/login", {"login": "appr", "password": PASSWORD,
                                           "totp": code})
    check(st == 401 and "already used" in js["error"]["message"], "a replayed code is refused")
    db = env.db()
    used = db.execute("SELECT totp_last_step FROM account WHERE login = 'appr'").fetchone()[0]
    older = env.totp_code("appr", offset=used - 1 - int(time.time()) // 30)
    st, js, _ = b.post("/api/auth/login", {"login": "appr", "password": PASSWORD,
                                           "totp": older})
    check(st == 401, "an older code is refused after a newer one")
    st, js, _ = b.post("/api/auth/login", {"login": "appr", "password": PASSWORD,
                                           "totp": "12345x"})
    check(st == 401, "a malformed code is refused")

    # Lockout after 3 failures (config), refusing even the right password.
    env.kj("account", "unlock", "appr")
    for i in range(3):
        b.post("/api/auth/login", {"login": "eve", "password": "not the password"})
    st, js, _ = b.post("/api/auth/login", {"login": "eve", "password": PASSWORD})
    check(st == 423 and js["error"]["code"] == "locked", "locked after 3 failures (%d)" % st)
    env.kj("account", "unlock", "eve")
    st, js, _ = b.post("/api/auth/login", {"login": "eve", "password": PASSWORD})
    check(st == 200, "unlock lets the account in")
    env.kj("account", "lock", "eve")
    check(b.get("/api/auth/me")[0] == 401, "locking an account ends its sessions")
    env.kj("account", "unlock", "eve")

    # Password change: current password needed, sessions rotated.
    s = env.login("alice")
    st, js, _ = s.post("/api/auth/password", {"current_password": "wrong",
                                             "new_password": "another long password"})
    check(st == 403, "password change needs the current password")
    st, js, _ = s.post("/api/auth/password", {"current_password": PASSWORD,
                                             "new_password": "short"})
    check(st == 400 and js["error"]["code"] == "weak_password", "short password refused")
    keep = env.login("alice")
    st, js, _ = s.post("/api/auth/password", {"current_password": PASSWORD,
                                             "new_password": "another long password"})
    check(st == 200, "password changed")
    check(keep.get("/api/auth/me")[0] == 401, "other sessions end on a password change")
    check(s.get("/api/auth/me")[0] == 200, "the changing browser keeps a new session")
    st, _, _ = s.post("/api/auth/password", {"current_password": "another long password",
                                             "new_password": PASSWORD})
    check(st == 200, "password changed back")

    # TOTP enrolment for a staff member.
    st, js, _ = s.post("/api/auth/totp/enrol", {"password": PASSWORD})
    check(st == 200 and js["otpauth_uri"].startswith("otpauth://totp/"), "TOTP enrolment")
    st, js, _ = s.post("/api/auth/totp/confirm", {"code": "000000"})
    check(st == 400, "wrong confirmation code refused")
    st, js, _ = s.post("/api/auth/totp/confirm",
                       {"code": env.fresh_code("alice", pending=True)})
    check(st == 200 and js["totp_enabled"], "TOTP confirmed")
    st, js, _ = env.client().post("/api/auth/login", {"login": "alice", "password": PASSWORD})
    check(st == 401 and js["error"]["code"] == "totp_required", "alice now needs a code")

    # First login of a security administrator whose second factor is
    # pending: an enrolment token (no session), then the code activates it.
    out = env.kj_json("account", "add", "kato", "--role", "secadmin", "--department",
                      "情報政策課", "--password-stdin", stdin=PASSWORD + "\n")
    pending = out["totp_secret"]
    k = env.client()
    k.cookie = "kj_session=planted-before-login-0123456789"
    st, js, _ = k.post("/api/auth/login", {"login": "kato", "password": "wrong password!!"})
    check(st == 401 and "enrolment" not in js["error"], "a wrong password gives no enrolment")
    st, js, resp = k.post("/api/auth/login", {"login": "kato", "password": PASSWORD})
    en = js["error"].get("enrolment", {})
    check(st == 403 and js["error"]["code"] == "totp_enrolment_required" and
          en.get("secret") == pending and ("secret=" + pending) in en.get("otpauth_uri", "") and
          en.get("expires_unix", 0) > time.time() and len(en.get("token", "")) >= 40,
          "first login answers with an enrolment token and the pending secret (%d %s)"
          % (st, js["error"]["code"]))
    check(resp.getheader("Set-Cookie") is None and "csrf_token" not in js,
          "no session and no CSRF token before the code")
    tok = en["token"]
    # The token is useless as a session, in a cookie or a header.
    t = env.client()
    t.cookie = "kj_session=" + tok
    check(t.get("/api/auth/me")[0] == 401, "the enrolment token is no session cookie")
    check(t.get("/api/releases")[0] == 401, "nor opens any endpoint")
    check(env.client().get("/api/auth/me", headers={"Authorization": "Bearer " + tok})[0] == 401,
          "nor as a bearer token")
    # Bad shapes, a bad token, a wrong code.
    st, js, _ = k.post("/api/auth/login/enrol", {"enrolment_token": tok})
    check(st == 400, "enrolment without a code is 400")
    st, js, _ = k.post("/api/auth/login/enrol", {"enrolment_token": 5, "code": "123456"})
    check(st == 400, "a token of the wrong type is 400")
    st, js, _ = k.post("/api/auth/login/enrol", {"enrolment_token": "A" * 43, "code": "123456"})
    check(st == 401 and js["error"]["code"] == "bad_credentials", "an unknown token is 401")
    st, js, _ = k.post("/api/auth/login/enrol", {"enrolment_token": tok, "code": "12345x"})
    check(st == 401, "a malformed code is refused")
    st, js, _ = k.post("/api/auth/login/enrol", {"enrolment_token": tok, "code": "123456"},
                       headers={"Origin": "https://evil.example"})
    check(st == 403 and js["error"]["code"] == "origin", "a cross-site enrolment is refused")
    # A new first login replaces the token.
    st, js2, _ = k.post("/api/auth/login", {"login": "kato", "password": PASSWORD})
    tok2 = js2["error"]["enrolment"]["token"]
    check(st == 403 and tok2 != tok, "a second first login gives a new token")
    good = env.fresh_code("kato", pending=True)
    st, js, _ = k.post("/api/auth/login/enrol", {"enrolment_token": tok, "code": good})
    check(st == 401, "the replaced token is refused")
    st, js, resp = k.post("/api/auth/login/enrol", {"enrolment_token": tok2, "code": good})
    check(st == 200 and js["account"]["login"] == "kato" and js["account"]["totp_enabled"] and
          js["csrf_token"], "the code activates the secret and logs in (%d %s)" % (st, js))
    check(k.cookie and "planted" not in k.cookie, "the planted session was rotated")
    check(k.get("/api/auth/me")[0] == 200, "the new session works")
    check(k.post("/api/auth/logout")[0] == 200, "and carries a CSRF token")
    st, js, _ = env.client().post("/api/auth/login/enrol", {"enrolment_token": tok2,
                                                           "code": good})
    check(st == 401, "the token is used once")
    st, js, _ = env.client().post("/api/auth/login", {"login": "kato", "password": PASSWORD,
                                                     "totp": good})
    check(st == 401 and "already used" in js["error"]["message"],
          "the enrolment code is spent: replayed at login, refused")
    st, js, _ = env.client().post("/api/auth/login", {"login": "kato", "password": PASSWORD})
    check(st == 401 and js["error"]["code"] == "totp_required", "kato now logs in with a code")
    # An expired token; wrong codes lock the account out.
    env.kj("account", "add", "ito", "--role", "approver", "--department", "総務課",
           "--password-stdin", stdin=PASSWORD + "\n")
    i = env.client()
    st, js, _ = i.post("/api/auth/login", {"login": "ito", "password": PASSWORD})
    itok = js["error"]["enrolment"]["token"]
    db = env.db()
    db.execute("UPDATE account_enrolment SET expires_unix = 1 WHERE login = 'ito'")
    db.commit()
    st, js, _ = i.post("/api/auth/login/enrol", {"enrolment_token": itok,
                                                 "code": env.fresh_code("ito", pending=True)})
    check(st == 401 and "expired" in js["error"]["message"], "an expired token is refused")
    st, js, _ = i.post("/api/auth/login", {"login": "ito", "password": PASSWORD})
    itok = js["error"]["enrolment"]["token"]
    for _ in range(3):
        i.post("/api/auth/login/enrol", {"enrolment_token": itok, "code": "000000"})
    st, js, _ = i.post("/api/auth/login/enrol", {"enrolment_token": itok,
                                                 "code": env.fresh_code("ito", pending=True)})
    check(st == 423 and js["error"]["code"] == "locked", "wrong codes lock the account (%d)" % st)
    env.kj("account", "unlock", "ito")

    # The audit log has the story, without passwords or codes.
    log = open(os.path.join(env.data, "audit.jsonl"), encoding="utf-8").read()
    check('"account.login"' in log and '"account.login_failed"' in log and
          '"account.lockout"' in log, "logins, failures and lockouts audited")
    check(PASSWORD not in log and code not in log, "no password or code in the audit log")
    recs = [json.loads(x) for x in log.splitlines()]
    check(any(r["action"] == "account.totp_enrol_start" and r["object"] == "kato" for r in recs)
          and any(r["action"] == "account.totp_enable" and r["object"] == "kato" for r in recs)
          and any(r["action"] == "account.login" and r["object"] == "kato" and
                  (r.get("details") or {}).get("enrolled") for r in recs),
          "enrolment start, activation and the login audited")
    check(pending not in log and tok not in log and tok2 not in log and good not in log,
          "no secret, token or code in the audit log")
finally:
    env.stop()

# Login attempts per address are throttled, whatever the account; a huge
# header is refused and the server goes on.
rl = Env("console:\n  login_rate_per_min: 3\n", www=False)
rl.add_account("alice", "staff", "総務課")
# A TOTP secret as an older kyojin stored it (plain base32): sealed at start.
rl.kj("account", "add", "mori", "--role", "approver", "--department", "総務課",
      "--password-stdin", stdin=PASSWORD + "\n")
legacy = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
db = rl.db()
db.execute("UPDATE account SET totp_pending = ? WHERE login = 'mori'", (legacy,))
db.commit()
db.close()
rl.start()
try:
    db = rl.db()
    row = db.execute("SELECT totp_pending FROM account WHERE login = 'mori'").fetchone()[0]
    db.close()
    check(row.startswith("sb1:") and legacy not in row, "the console sealed the plain secret")
    key = os.stat(os.path.join(rl.data, "totp.key"))
    check(key.st_mode & 0o777 == 0o600 and key.st_size == 32, "totp.key is 32 bytes, 0600")
    def hotp(secret, step):
        h = hmac.new(base64.b32decode(secret), struct.pack(">Q", step), "sha1").digest()
        o = h[-1] & 15
        return "%06d" % ((struct.unpack(">I", h[o:o + 4])[0] & 0x7fffffff) % 1000000)
    cur = int(time.time()) // 30
    got = rl.kj_json("account", "totp-code", "mori")["code"]
    check(got in [hotp(legacy, cur + d) for d in (-1, 0, 1)],
          "the sealed secret still makes its codes")
    log = open(os.path.join(rl.data, "audit.jsonl"), encoding="utf-8").read()
    check('"account.totp_sealed"' in log and legacy not in log, "sealing audited, no secret")
    c = rl.client()
    codes = [c.post("/api/auth/login", {"login": "user%d" % i, "password": "x" * 12})[0]
             for i in range(5)]
    check(codes[:3] == [401, 401, 401] and codes[3:] == [429, 429],
          "the fourth login attempt in a minute is 429 (%s)" % codes)
    st, js, _ = c.post("/api/auth/login", {"login": "alice", "password": PASSWORD})
    check(st == 429 and js["error"]["code"] == "rate_limited", "even with the right password")
    st, js, _ = c.post("/api/auth/login/enrol", {"enrolment_token": "A" * 43, "code": "123456"})
    check(st == 429, "enrolment attempts are throttled with the logins (%d)" % st)
    try:
        st, _, _ = c.get("/api/auth/me", headers={"Cookie": "kj_session=" + "A" * 300000})
        check(st in (400, 413, 431), "a 300 kB header is refused (%d)" % st)
    except (ConnectionError, OSError):
        pass  # closed without an answer: also a refusal
    check(rl.client().get("/api/auth/me")[0] == 401, "the server still answers")
finally:
    rl.stop()

# Plain HTTP only on loopback; HTTPS with a configured certificate.
tmp = Env(www=False)
p = subprocess.run([CONSOLE, "--check-config", "--listen", "0.0.0.0:8443"],
                   capture_output=True, text=True, env=tmp.env)
check(p.returncode == 3 and "loopback" in p.stderr, "plain HTTP on 0.0.0.0 refused")
p = subprocess.run([CONSOLE, "--check-config", "--listen", "127.0.0.1:8443"],
                   capture_output=True, text=True, env=tmp.env)
check(p.returncode == 0, "plain HTTP on loopback accepted")
key, crt = os.path.join(tmp.tmp, "k.pem"), os.path.join(tmp.tmp, "c.pem")
r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", crt, "-days", "1", "-subj", "/CN=localhost"], capture_output=True)
if r.returncode == 0:
    with open(os.path.join(tmp.tmp, "tls.yaml"), "w") as f:
        f.write("console:\n  listen: 0.0.0.0:8443\n  tls_cert: %s\n  tls_key: %s\n" % (crt, key))
    p = subprocess.run([CONSOLE, "--check-config", "--config",
                        os.path.join(tmp.tmp, "tls.yaml")], capture_output=True, text=True,
                       env=tmp.env)
    check(p.returncode == 0 and "HTTPS" in p.stdout, "HTTPS on any address accepted")
    tls = Env("console:\n  tls_cert: %s\n  tls_key: %s\n" % (crt, key), www=False)
    tls.add_account("alice", "staff", "総務課")
    tls.start()
    import http.client
    import ssl
    ctx = ssl.create_default_context(cafile=crt)
    ctx.check_hostname = False
    conn = http.client.HTTPSConnection("127.0.0.1", tls.port, context=ctx, timeout=60)
    conn.request("POST", "/api/auth/login", body=json.dumps(
        {"login": "alice", "password": PASSWORD}), headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    resp.read()
    sc = resp.getheader("Set-Cookie") or ""
    check(resp.status == 200 and sc.startswith("__Host-kj_session=") and "Secure" in sc,
          "over HTTPS the cookie is __Host- and Secure: " + sc)
    check("max-age" in (resp.getheader("Strict-Transport-Security") or ""), "HSTS over HTTPS")
    conn.close()
    tls.stop()
with open(os.path.join(tmp.tmp, "bad.yaml"), "w") as f:
    f.write("console:\n  session_idle_s: 5\n")
p = subprocess.run([CONSOLE, "--check-config", "--config", os.path.join(tmp.tmp, "bad.yaml")],
                   capture_output=True, text=True, env=tmp.env)
check(p.returncode == 3 and "bad.yaml:2:" in p.stderr, "config errors name file:line (%s)" %
      p.stderr.strip())
tmp.stop()
finish()
