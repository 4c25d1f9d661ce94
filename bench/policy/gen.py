#!/usr/bin/env python3
# gen.py DIR LINES HOSTS - write DIR/model.yaml (HOSTS hosts over the three
# segments, a firewall, gateways, groups and flows) and DIR/flows.log
# (LINES lines: kernel nftables log lines mixed with CSV, about one in ten
# a flow the model forbids, one in a thousand garbage).  One million
# distinct lines are generated and repeated to reach LINES, which keeps
# generation quick; the parser sees each line afresh.
import random
import sys

out, lines, hosts = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(42)
seg_net = {"mynumber": (10, 10), "lgwan": (10, 20), "internet": (10, 30)}


def addr(seg, i):
    a, b = seg_net[seg]
    return "%d.%d.%d.%d" % (a, b, 2 + i // 250, 1 + i % 250)


per = hosts // 3
with open(out + "/model.yaml", "w") as f:
    f.write("organization: bench city\nvariant: alpha\nsegments:\n"
            "  mynumber: {networks: [10.10.0.0/16]}\n  lgwan: {networks: [10.20.0.0/16]}\n"
            "  internet: {networks: [10.30.0.0/16], monitoring: true}\n"
            "externals:\n  - {name: cloud, kind: security-cloud, networks: [192.0.2.0/24]}\n"
            "  - {name: world, kind: internet, networks: [0.0.0.0/0]}\n"
            "services:\n  - {name: https, protocol: tcp, ports: [443]}\n"
            "  - {name: rdp, protocol: tcp, ports: [3389]}\n"
            "  - {name: smb, protocol: tcp, ports: [445]}\nhosts:\n"
            "  - {name: fw, segment: lgwan, role: firewall, addresses: [10.10.0.1, 10.20.0.1, "
            "10.30.0.1]}\n"
            "  - {name: mn-sys, segment: mynumber, role: business-system, addresses: [10.10.1.1]}\n"
            "  - {name: lg-sys, segment: lgwan, role: business-system, addresses: [10.20.1.1]}\n"
            "  - {name: vdi, segment: internet, role: screen-transfer, addresses: [10.30.1.1]}\n")
    for seg, pre in (("mynumber", "mn"), ("lgwan", "lg"), ("internet", "in")):
        role = "server" if seg == "internet" else "terminal"
        extra = ", export_disabled: true, mfa: true" if seg == "mynumber" else ""
        for i in range(per):
            f.write("  - {name: %s-%d, segment: %s, role: %s, addresses: [%s]%s}\n"
                    % (pre, i, seg, role, addr(seg, i), extra))
    f.write("groups:\n")
    for pre in ("mn", "lg", "in"):
        f.write("  - name: %s-all\n    members:\n" % pre)
        for i in range(per):
            f.write("      - %s-%d\n" % (pre, i))
    f.write("flows:\n"
            "  - {from: mn-all, to: mn-sys, service: https}\n"
            "  - {from: lg-all, to: lg-sys, service: smb}\n"
            "  - {from: lg-all, to: vdi, service: rdp}\n"
            "  - {from: vdi, to: world, via: cloud, service: https}\n"
            "  - {from: in-all, to: cloud, service: https}\n")

allowed = [("mn", "10.10.1.1", 443), ("lg", "10.20.1.1", 445), ("lg", "10.30.1.1", 3389),
           ("in", "192.0.2.10", 443)]
denied = [("mn", "203.0.113.9", 443), ("lg", "198.51.100.7", 443), ("lg", "10.30.5.5", 22),
          ("in", "10.20.1.1", 445)]
segs = {"mn": "mynumber", "lg": "lgwan", "in": "internet"}
chunk = []
for n in range(1000000):
    pre, dst, port = rnd.choice(denied if n % 10 == 0 else allowed)
    src = addr(segs[pre], rnd.randrange(per))
    if n % 1000 == 999:
        chunk.append("garbage line %d \x01\x02\n" % n)
    elif n % 2:
        chunk.append("%s,%s,tcp,%d,2026-11-25T10:%02d:%02d+09:00\n"
                     % (src, dst, port, n // 60 % 60, n % 60))
    else:
        chunk.append("Nov 25 10:%02d:%02d fw kernel: [%d.%06d] kyojin-drop: IN=eth1 OUT=eth2 "
                     "MAC=02:00:00:00:00:01:02:00:00:00:00:02:08:00 SRC=%s DST=%s LEN=60 "
                     "TOS=0x00 PREC=0x00 TTL=63 ID=%d DF PROTO=TCP SPT=%d DPT=%d "
                     "WINDOW=64240 RES=0x00 SYN URGP=0\n"
                     % (n // 60 % 60, n % 60, n // 1000, n % 1000000, src, dst, n % 65536,
                        1024 + n % 60000, port))
block = "".join(chunk).encode()
with open(out + "/flows.log", "wb") as f:
    full, rest = divmod(lines, 1000000)
    for _ in range(full):
        f.write(block)
    f.write(b"".join(x.encode() for x in chunk[:rest]))
