#!/usr/bin/env python3
# peer_regex.py LOG - the peer to beat: what a city's engineer would write with
# Python's re module to pull (src, dst, proto, dport) out of kernel nftables
# log lines and CSV, counting each distinct tuple.  No model lookup at all,
# so it does less than `kyojin policy flows`; it is a floor for "simple".
import collections
import re
import sys

nft = re.compile(r"SRC=(\S+) DST=(\S+) .*?PROTO=(\S+)(?: SPT=\d+ DPT=(\d+))?")
seen = collections.Counter()
lines = 0
with open(sys.argv[1], "rb") as f:
    for raw in f:
        lines += 1
        line = raw.decode("utf-8", "replace")
        m = nft.search(line)
        if m:
            seen[m.groups()] += 1
            continue
        parts = line.rstrip("\n").split(",")
        if len(parts) >= 4:
            seen[tuple(parts[:4])] += 1
print(lines, len(seen))
