#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""UDP outage probe.

  probe.py echo ADDR PORT               answer every datagram (run on the far host)
  probe.py send ADDR PORT [INTERVAL_MS [SRC]]
                                        send a numbered datagram every INTERVAL_MS
                                        (default 20), from SRC if given, until
                                        SIGTERM or SIGINT, then (answers in flight
                                        given 2 s to arrive) print one line:
  sent N received N lost N longest_gap_ms G gap_start_s S gap_start_epoch_ms E

Once its socket is bound, echo says "ready" on standard output, send on
standard error (its standard output is the result line).

The longest gap is the longest time between two consecutive answers (or
from the first send to the first answer): the outage as a user sees it,
within one interval. gap_start_s is when it began, in seconds after the
first send; gap_start_epoch_ms the same on the wall clock, to compare with
a daemon's log.
"""
import select
import signal
import socket
import struct
import sys
import time


def echo(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    print("ready", flush=True)
    while True:
        data, peer = s.recvfrom(2048)
        s.sendto(data, peer)


def send(addr, port, interval_ms, src=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if src:
        s.bind((src, 0))
    s.setblocking(False)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    interval = interval_ms / 1000.0
    print("ready", file=sys.stderr, flush=True)
    wall_start, start = time.time(), time.monotonic()
    last_answer = start
    longest, longest_at = 0.0, 0.0
    seq, received, seen = 0, 0, set()
    next_send = start
    while not stop:
        now = time.monotonic()
        if now >= next_send:
            try:
                s.sendto(struct.pack("!Q", seq), (addr, port))
            except OSError:
                pass  # no route or unreachable for now: counts as lost
            seq += 1
            next_send += interval
            if next_send < now:
                next_send = now + interval
        try:
            r, _, _ = select.select([s], [], [], max(0.0, next_send - time.monotonic()))
        except InterruptedError:
            continue
        if not r:
            continue
        try:
            data = s.recv(64)
        except OSError:
            continue
        if len(data) != 8:
            continue
        n = struct.unpack("!Q", data)[0]
        if n in seen:
            continue
        seen.add(n)
        received += 1
        now = time.monotonic()
        if now - last_answer > longest:
            longest, longest_at = now - last_answer, last_answer - start
        last_answer = now
    if received == 0:
        longest, longest_at = time.monotonic() - start, 0.0
    # Answers still on their way when told to stop are not lost: wait up
    # to 2 s for them (they do not count for the gap).
    deadline = time.monotonic() + 2.0
    while received < seq and time.monotonic() < deadline:
        r, _, _ = select.select([s], [], [], max(0.0, deadline - time.monotonic()))
        if not r:
            break
        try:
            data = s.recv(64)
        except OSError:
            continue
        if len(data) == 8 and struct.unpack("!Q", data)[0] not in seen:
            seen.add(struct.unpack("!Q", data)[0])
            received += 1
    print("sent %d received %d lost %d longest_gap_ms %d gap_start_s %.2f gap_start_epoch_ms %d"
          % (seq, received, seq - received, round(longest * 1000), longest_at,
             round((wall_start + longest_at) * 1000)), flush=True)


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "echo":
        echo(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) >= 4 and sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]) if len(sys.argv) > 4 else 20.0,
             sys.argv[5] if len(sys.argv) > 5 else None)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
