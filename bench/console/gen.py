#!/usr/bin/env python3
# gen.py DATA_DIR [ASSETS] [MESSAGES] - fills a kyojin data directory whose
# schema exists (any write command made it) with ASSETS rows in the asset
# register and MESSAGES in the gateway's queue, in two bulk transactions.
# Rows are what the real writers would store (keys, departments, states,
# JSON recipient lists, RFC 3339 times); the blob ids point at nothing,
# which the list pages never read.
import datetime
import json
import os
import random
import sqlite3
import sys

data, n_assets, n_msgs = sys.argv[1], int(sys.argv[2] if len(sys.argv) > 2 else 100000), \
    int(sys.argv[3] if len(sys.argv) > 3 else 100000)
db = sqlite3.connect(os.path.join(data, "kyojin.db"))
rnd = random.Random(1)
now = datetime.datetime(2026, 4, 1, tzinfo=datetime.timezone.utc)
stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")


def columns(table):
    return [r[1] for r in db.execute("PRAGMA table_info(%s)" % table)]


def insert(table, rows):
    cols = list(rows[0].keys())
    db.executemany("INSERT INTO %s (%s) VALUES (%s)" % (table, ", ".join(cols),
                                                       ", ".join("?" * len(cols))),
                   [tuple(r[c] for c in cols) for r in rows])


depts = ["B%02d" % i for i in range(20)]
with db:
    insert("ledger_department", [dict(key=d, version=1, created_at=stamp, updated_at=stamp,
                                      name="部署%s" % d, kind="課") for d in depts])
    kinds = ["information", "system", "medium", "document", "network"]
    rows = []
    for i in range(n_assets):
        rows.append(dict(key="A%06d" % i, version=1, created_at=stamp, updated_at=stamp,
                         name="資産 %06d" % i, kind=kinds[i % 5],
                         department=depts[i % len(depts)], segment="lgwan",
                         confidentiality=str(1 + i % 3)))
    insert("ledger_asset", rows)
    states = ["delivered"] * 90 + ["held"] * 6 + ["sanitized"] * 2 + ["received"] * 2
    reasons = ["encrypted: password-protected archive (PPAP)", "macro-enabled document",
               "encrypted: S/MIME content cannot be inspected"]
    rows = []
    t0 = int(now.timestamp()) - n_msgs * 3
    for i in range(n_msgs):
        t = t0 + i * 3
        st = rnd.choice(states)
        at = datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
            "%Y-%m-%dT%H:%M:%SZ")
        rows.append(dict(id="%012x%08x" % (t * 1000000, i), state=st,
                         sender="sender%d@example.net" % (i % 500),
                         recipients=json.dumps(["staff%d@city.lg.jp" % (i % 300)]),
                         client="192.0.2.%d" % (i % 250), helo="mx.example.net",
                         size=2000 + i % 50000, original="%064x" % i,
                         sanitized=None if st in ("received", "held") else "%064x" % (i + 1),
                         quarantine_id=None, reason=rnd.choice(reasons) if st == "held" else None,
                         attempts=0, next_attempt=0, last_error=None, received_at=at,
                         received_unix=t, updated_at=at))
    insert("queue", rows)
print("generated %d assets and %d queue messages" % (n_assets, n_msgs))
