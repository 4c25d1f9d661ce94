#!/usr/bin/env python3
# nflog-reader.py GROUP - print packets logged to nflog GROUP as kernel log lines
#
# Used by tests/cli/policy-netns.sh inside the router namespace.  The kernel
# writes nftables "log prefix" messages of non-initial network namespaces to
# the kernel log only when net.netfilter.nf_log_all_netns=1, a host-wide
# switch a test should not flip; "log group N" (nfnetlink_log) works in any
# namespace.  This reader binds the group over a raw netlink socket and
# prints each packet in the same "PREFIX IN= OUT= SRC= DST= ... PROTO= SPT=
# DPT=" form as the kernel log, so `kyojin policy flows` reads both alike.
#
# Prints "ready" on stderr once bound.  On SIGTERM it drains what the kernel
# has already queued (drops are queued synchronously, qthreshold 1) and exits.
import ipaddress
import os
import signal
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_ULOG = 4
NFULNL_MSG_PACKET, NFULNL_MSG_CONFIG = 0, 1
NFULA_CFG_CMD, NFULA_CFG_MODE = 1, 2
NFULNL_CFG_CMD_BIND = 1
NFULNL_COPY_PACKET = 2
NFULA_IFINDEX_INDEV, NFULA_IFINDEX_OUTDEV, NFULA_PAYLOAD, NFULA_PREFIX = 4, 5, 9, 10
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2


def attr(kind, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, kind) + payload + b"\0" * ((4 - n % 4) % 4)


def config(sock, group, attrs, seq):
    body = struct.pack("=BBH", socket.AF_UNSPEC, 0, socket.htons(group)) + attrs
    hdr = struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG,
                      NLM_F_REQUEST | NLM_F_ACK, seq, 0)
    sock.send(hdr + body)
    reply = sock.recv(65536)
    _, mtype, _, _, _ = struct.unpack_from("=IHHII", reply)
    if mtype == NLMSG_ERROR:
        err = struct.unpack_from("=i", reply, 16)[0]
        if err != 0:
            sys.exit("nflog config failed: %s" % os.strerror(-err))


def attrs_of(buf, off, end):
    out = {}
    while off + 4 <= end:
        n, kind = struct.unpack_from("=HH", buf, off)
        if n < 4:
            break
        out[kind & 0x7fff] = buf[off + 4:off + n]
        off += (n + 3) & ~3
    return out


def ifname(a):
    if a is None:
        return ""
    try:
        return socket.if_indextoname(struct.unpack("!I", a)[0])
    except OSError:
        return "?"


def line_of(a):
    pkt = a.get(NFULA_PAYLOAD)
    if not pkt or pkt[0] >> 4 != 4 or len(pkt) < 20:
        return None
    ihl = (pkt[0] & 15) * 4
    proto = pkt[9]
    src, dst = ipaddress.ip_address(pkt[12:16]), ipaddress.ip_address(pkt[16:20])
    name = {6: "TCP", 17: "UDP", 1: "ICMP"}.get(proto, str(proto))
    ports = ""
    if proto in (6, 17) and len(pkt) >= ihl + 4:
        sport, dport = struct.unpack_from("!HH", pkt, ihl)
        ports = " SPT=%d DPT=%d" % (sport, dport)
    prefix = a.get(NFULA_PREFIX, b"").rstrip(b"\0").decode("ascii", "replace").strip()
    stamp = time.strftime("%b %d %H:%M:%S")
    return "%s router kernel: %s IN=%s OUT=%s SRC=%s DST=%s LEN=%d PROTO=%s%s" % (
        stamp, prefix, ifname(a.get(NFULA_IFINDEX_INDEV)), ifname(a.get(NFULA_IFINDEX_OUTDEV)),
        src, dst, len(pkt), name, ports)


def handle(buf):
    off = 0
    while off + 16 <= len(buf):
        n, mtype, _, _, _ = struct.unpack_from("=IHHII", buf, off)
        if n < 16:
            break
        if mtype == (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET:
            text = line_of(attrs_of(buf, off + 20, off + n))
            if text:
                print(text, flush=True)
        off += (n + 3) & ~3


def main():
    group = int(sys.argv[1])
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.bind((0, 0))
    config(sock, group, attr(NFULA_CFG_CMD, struct.pack("=B", NFULNL_CFG_CMD_BIND)), 1)
    config(sock, group, attr(NFULA_CFG_MODE, struct.pack("!IBB", 0xffff,
                                                           NFULNL_COPY_PACKET, 0)), 2)
    class Stop(Exception):
        pass

    def on_term(*_):
        raise Stop()

    signal.signal(signal.SIGTERM, on_term)
    print("ready", file=sys.stderr, flush=True)
    try:
        while True:
            handle(sock.recv(1 << 20))
    except Stop:
        pass
    sock.setblocking(False)
    while True:
        try:
            handle(sock.recv(1 << 20))
        except (BlockingIOError, InterruptedError):
            break


if __name__ == "__main__":
    main()
