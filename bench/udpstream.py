#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A paced UDP stream and its receiver, for the failover stage of make bench.

  udpstream.py send ADDR PORT PPS    send sequence-numbered datagrams until killed
  udpstream.py recv ADDR PORT FILE   receive until killed; then write to FILE
                                     "count first last" (CLOCK_MONOTONIC, s);
                                     FILE.first appears at the first datagram

The monotonic clock is the kernel's, the same in every namespace of one
UML boot, so times from receivers in two namespaces compare.
"""
import signal
import socket
import sys
import time

mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
if mode == "send":
    gap = 1 / float(sys.argv[4])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    seq, nxt = 0, time.monotonic()
    while True:
        try:
            s.sendto(seq.to_bytes(8, "big"), (addr, port))
        except OSError:
            pass  # no route while no tunnel is up: keep the pace
        seq += 1
        nxt += gap
        time.sleep(max(0, nxt - time.monotonic()))
else:
    out = sys.argv[4]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    count, first, last = 0, None, None

    def done(*_):
        with open(out, "w") as f:
            f.write(f"{count} {first or 0} {last or 0}\n")
        sys.exit(0)

    signal.signal(signal.SIGTERM, done)
    print("ready", flush=True)
    while True:
        s.recv(64)
        now = time.monotonic()
        count += 1
        if first is None:
            first = now
            with open(out + ".first", "w") as f:
                f.write(f"{now}\n")
        last = now
