#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Measure how long traffic stops: UDP probes every few ms and their echoes.

  outage.py serve ADDR PORT                 echo every datagram back
  outage.py probe SRC DST PORT MS FILE      send a numbered probe every MS
                                            milliseconds from SRC until
                                            SIGTERM, then write to FILE:
                                            "sent received longest_gap_ms
                                             gap_start_epoch_ms"

The longest gap is the longest time between two consecutive echoes
received (or between the start and the first one): the outage a user sees.
"""
import select
import signal
import socket
import sys
import time


def serve(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    print("ready", file=sys.stderr, flush=True)
    while True:
        data, peer = s.recvfrom(2048)
        s.sendto(data, peer)


def probe(src, dst, port, ms, path):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.setblocking(False)
    print("ready", file=sys.stderr, flush=True)
    seq = sent = received = 0
    start = last = time.time()
    longest, gap_start = 0.0, start
    next_send = start
    while not stop:
        now = time.time()
        if now >= next_send:
            try:
                s.sendto(seq.to_bytes(8, "big"), (dst, port))
            except OSError:
                pass    # no route while the tunnels are down: a lost probe
            seq += 1
            sent += 1
            next_send += ms / 1000.0
        r, _, _ = select.select([s], [], [], max(0.0, next_send - time.time()))
        if r:
            try:
                s.recv(64)
            except OSError:
                continue
            now = time.time()
            received += 1
            if now - last > longest:
                longest, gap_start = now - last, last
            last = now
    now = time.time()
    if now - last > longest:
        longest, gap_start = now - last, last
    with open(path, "w") as f:
        f.write("%d %d %d %d\n" % (sent, received, round(longest * 1000),
                                   round(gap_start * 1000)))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 7 and sys.argv[1] == "probe":
        probe(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
    else:
        sys.exit(__doc__)
