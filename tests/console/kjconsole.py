# kjconsole.py - what the console API tests share: a kyojin-console started
# on a loopback port in a fresh data directory, accounts made with the real
# CLI, and a small HTTP client (http.client) that keeps the session cookie
# and sends the CSRF token.  Every server is stopped by the test that
# started it; nothing talks to anything but 127.0.0.1.
import email.message
import http.client
import json
import os
import select
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

KYOJIN = os.environ["KYOJIN"]
CONSOLE = os.environ.get("KYOJIN_CONSOLE") or os.path.join(
    os.path.dirname(KYOJIN), "..", "console", "kyojin-console")
PASSWORD = "correct horse battery staple"
FAILED = []


def check(cond, what):
    if not cond:
        FAILED.append(what)
        print("FAIL:", what, file=sys.stderr)
    return cond


def finish():
    if FAILED:
        print("%d check(s) failed" % len(FAILED), file=sys.stderr)
        sys.exit(1)
    print("all checks passed")


def wait_for(pred, what, deadline=60):
    end = time.monotonic() + deadline
    while not pred():
        if time.monotonic() > end:
            raise SystemExit("timed out waiting for " + what)
        select.select([], [], [], 0.05)


class Env:
    """A data directory with accounts, and a console serving it."""

    def __init__(self, config_text=None, www=True):
        self.tmp = tempfile.mkdtemp(prefix="kj-console.")
        self.data = os.path.join(self.tmp, "var")
        self.env = dict(os.environ, KYOJIN_DATA_DIR=self.data, KYOJIN_ACTOR="test")
        self.env.pop("KYOJIN_CONFIG", None)
        self.config = None
        if config_text is not None:
            self.config = os.path.join(self.tmp, "kyojin.yaml")
            with open(self.config, "w") as f:
                f.write(config_text)
        self.www = None
        if www:
            self.www = os.path.join(self.tmp, "www")
            os.makedirs(os.path.join(self.www, "js"))
            with open(os.path.join(self.www, "index.html"), "w") as f:
                f.write("<!doctype html><title>kyojin</title>")
            with open(os.path.join(self.www, "js", "app.js"), "w") as f:
                f.write("export const x = 1;\n")
            with open(os.path.join(self.tmp, "secret.txt"), "w") as f:
                f.write("outside the www directory\n")
        self.proc = None
        self.port = None

    def kj(self, *args, stdin=None, check_rc=True):
        p = subprocess.run([KYOJIN, *args], input=stdin, capture_output=True, text=True,
                           env=self.env)
        if check_rc and p.returncode != 0:
            raise SystemExit("kyojin %s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr))
        return p

    def kj_json(self, *args, stdin=None):
        return json.loads(self.kj("--json", *args, stdin=stdin).stdout)

    def add_account(self, login, role, dept, email_addr=None):
        args = ["account", "add", login, "--role", role, "--department", dept,
                "--password-stdin"]
        if email_addr:
            args += ["--email", email_addr]
        out = self.kj_json(*args, stdin=PASSWORD + "\n")
        if out.get("totp_secret"):
            self.kj("account", "totp", login, "--confirm", self.fresh_code(login, pending=True))
        return out

    def totp_code(self, login, pending=False, offset=0):
        return self.kj_json("account", "totp-code", login, "--step-offset", str(offset))["code"]

    def fresh_code(self, login, pending=False):
        """A code the server will accept now: of a 30-second step after the
        last one the account used, within the one-step window.  Waits (by
        polling the clock) when the next usable step has not come yet;
        retries when a step boundary passed while the code was made."""
        end = time.monotonic() + 120
        while time.monotonic() < end:
            last = 0
            if not pending and os.path.exists(os.path.join(self.data, "kyojin.db")):
                db = self.db()
                row = db.execute("SELECT totp_last_step FROM account WHERE login = ?",
                                 (login,)).fetchone()
                db.close()
                last = row[0] if row else 0
            cur = int(time.time()) // 30
            step = max(last + 1, cur - 1) if not pending else cur
            if step <= cur + 1:
                code = self.totp_code(login, offset=step - cur)
                if int(time.time()) // 30 == cur:
                    return code
            select.select([], [], [], 0.2)
        raise SystemExit("no usable one-time code for " + login)

    def db(self):
        return sqlite3.connect(os.path.join(self.data, "kyojin.db"))

    def start(self, extra=()):
        ready = os.path.join(self.tmp, "console.ready")
        if os.path.exists(ready):
            os.unlink(ready)
        args = [CONSOLE, "--data-dir", self.data, "--listen", "127.0.0.1:0",
                "--ready-file", ready]
        if self.config:
            args += ["--config", self.config]
        if self.www:
            args += ["--www-dir", self.www]
        args += list(extra)
        self.log = open(os.path.join(self.tmp, "console.log"), "w")
        self.proc = subprocess.Popen(args, env=self.env, stdout=self.log, stderr=self.log)
        wait_for(lambda: os.path.exists(ready) or self.proc.poll() is not None,
                 "the console to listen")
        if self.proc.poll() is not None:
            raise SystemExit("kyojin-console exited: " + open(self.log.name).read())
        self.port = int(open(ready).read().split()[0])
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode if self.proc else 0
        log = open(self.log.name).read() if self.proc else ""
        # AddressSanitizer reports go to the log: a leak or a bad access in
        # the server fails the test that exercised it.
        check("Sanitizer" not in log and "runtime error:" not in log,
              "the console's log is free of sanitizer reports:\n" + log[-6000:])
        check(rc == 0, "kyojin-console stopped cleanly (exit %s):\n%s" % (rc, log[-6000:]))
        shutil.rmtree(self.tmp, ignore_errors=True)

    def client(self):
        return Client(self.port)

    def login(self, login, totp=True, offset=0):
        c = self.client()
        body = {"login": login, "password": PASSWORD}
        acc = self.kj_json("account", "list")["accounts"]
        a = [x for x in acc if x["login"] == login][0]
        if a["totp_enabled"] and totp:
            body["totp"] = self.fresh_code(login)
        st, js, _ = c.post("/api/auth/login", body, csrf=False)
        if st != 200:
            raise SystemExit("login %s: %s %s" % (login, st, js))
        return c

    def add_mail(self, to, subject="test", attachments=(("report.pdf", b"%PDF-1.4\n%%EOF\n"),)):
        """Quarantines one mail to `to` with kyojin mail sanitize; returns its id."""
        m = email.message.EmailMessage()
        m["From"] = "sender@example.net"
        m["To"] = to
        m["Subject"] = subject
        m.set_content("本文です。\n")
        for name, data in attachments:
            m.add_attachment(data, maintype="application", subtype="octet-stream",
                             filename=name)
        path = os.path.join(self.tmp, "in.eml")
        with open(path, "wb") as f:
            f.write(bytes(m))
        p = self.kj("--json", "mail", "sanitize", path, "-o", os.path.join(self.tmp, "out.eml"),
                    check_rc=False)
        if p.returncode not in (0, 1):  # 1: held, which is quarantined too
            raise SystemExit("mail sanitize: exit %d: %s" % (p.returncode, p.stderr))
        return json.loads(p.stdout)["quarantine_id"]


class Client:
    def __init__(self, port):
        self.port = port
        self.cookie = None
        self.csrf = None

    def request(self, method, path, body=None, headers=None, csrf=True, raw=None,
                content_type="application/json"):
        h = dict(headers or {})
        if self.cookie:
            h.setdefault("Cookie", self.cookie)
        if csrf and self.csrf and method not in ("GET", "HEAD"):
            h.setdefault("X-CSRF-Token", self.csrf)
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None and content_type:
            h.setdefault("Content-Type", content_type)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        conn.request(method, path, body=data, headers=h)
        resp = conn.getresponse()
        payload = resp.read()
        conn.close()
        for k, v in resp.getheaders():
            if k.lower() == "set-cookie":
                self.cookie = v.split(";")[0]
        js = None
        if resp.getheader("Content-Type", "").startswith("application/json"):
            js = json.loads(payload) if payload else None
            if isinstance(js, dict) and "csrf_token" in js:
                self.csrf = js["csrf_token"]
        return resp.status, js, resp, payload

    def get(self, path, **kw):
        st, js, resp, payload = self.request("GET", path, **kw)
        return st, js, resp

    def post(self, path, body=None, **kw):
        st, js, resp, payload = self.request("POST", path, body=body, **kw)
        return st, js, resp

    def download(self, path):
        st, js, resp, payload = self.request("GET", path)
        return st, payload, resp
