#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Swap SAs make-before-break and flip the active tunnel, as fast as asked.

  sa_churn.py NS_L NS_R DEV SECONDS [INTERVAL]

Every INTERVAL seconds (0.1), for both tunnels and both directions: the
receiver's new inbound SA (fresh SPI and key), then the sender's outbound
(replacing the old one at once), then the receiver's previous inbound
deleted; then both sides' active tunnel flips. One process with a netlink
socket in each namespace, so that the churn keeps its pace on a guest whose
CPUs the traffic saturates. Prints "rekeys N flips N errors N" and the
first error.
"""
import ctypes
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from genl import S2svpn, A, SA, NlError  # noqa: E402

CLONE_NEWNET = 0x40000000
ALG = "rfc4106(gcm(aes))"
IN, OUT = 0, 1
libc = ctypes.CDLL(None, use_errno=True)


def netlink_in(ns, dev):
    """A genl socket and DEV's ifindex in netns NS (the thread moves back)."""
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    if libc.setns(fd, CLONE_NEWNET):
        raise OSError(ctypes.get_errno(), "setns " + ns)
    try:
        return S2svpn(), ("u32", socket.if_nametoindex(dev))
    finally:
        libc.setns(home, CLONE_NEWNET)
        os.close(fd)
        os.close(home)


def main():
    ns_l, ns_r, dev, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    interval = float(sys.argv[5]) if len(sys.argv) > 5 else 0.1
    side = {"l": netlink_in(ns_l, dev), "r": netlink_in(ns_r, dev)}
    rekeys = flips = errors = 0
    first = ""

    def do(who, cmd, attrs):
        nl, ifi = side[who]
        nl.do(cmd, [(A.IFINDEX, ifi)] + attrs)

    def sa(tid, d, spi, key=None):
        attrs = [(SA.TUNNEL_ID, ("u8", tid)), (SA.DIR, ("u8", d)), (SA.SPI, ("u32", spi))]
        if key:
            attrs += [(SA.ALG, ALG), (SA.ENC_KEY, key[:16]), (SA.SALT, key[16:])]
        return [(A.SA, attrs)]

    gen = 1
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        gen += 1
        for tid in (0, 1):
            for d, tx, rx in ((1, "l", "r"), (2, "r", "l")):
                # The tests' SPI plan: 0x<generation><tunnel><direction>.
                new = int("%x%x%x" % (gen, tid, d), 16)
                old = int("%x%x%x" % (gen - 1, tid, d), 16)
                key = os.urandom(20)
                try:
                    do(rx, "SA_NEW", sa(tid, IN, new, key))
                    do(tx, "SA_NEW", sa(tid, OUT, new, key))
                    do(rx, "SA_DEL", sa(tid, IN, old))
                    rekeys += 1
                except NlError as e:
                    errors += 1
                    first = first or "gen %d tunnel %d dir %d: %s" % (gen, tid, d, e)
        for who in ("l", "r"):
            do(who, "DEV_SET", [(A.ACTIVE_TUNNEL, ("u8", gen % 2))])
        flips += 1
        time.sleep(interval)
    print("rekeys %d flips %d errors %d %s" % (rekeys, flips, errors, first))


main()
