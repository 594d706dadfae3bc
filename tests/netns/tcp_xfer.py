#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""TCP transfer with an end-to-end check, for the integration tests.

  tcp_xfer.py serve ADDR PORT          accept one connection, print its
                                       byte count and SHA-256, exit
  tcp_xfer.py send ADDR PORT NBYTES [SECONDS]
                                       send NBYTES of random data (spread
                                       over SECONDS if given), print the
                                       same line for what was sent

The test compares the two lines: a transfer that lost, reordered or altered
one byte does not match.
"""
import hashlib
import os
import socket
import sys
import time


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def serve(addr, port):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(1)
    s.settimeout(120)
    conn, _ = s.accept()
    conn.settimeout(120)
    h, n = hashlib.sha256(), 0
    while True:
        buf = conn.recv(65536)
        if not buf:
            break
        h.update(buf)
        n += len(buf)
    print(n, h.hexdigest(), flush=True)


def connect(addr, port):
    # The server is started in the background just before: retry until it
    # listens rather than guessing how long Python takes to start.
    for _ in range(200):
        try:
            return socket.create_connection((addr, port), timeout=60)
        except ConnectionRefusedError:
            time.sleep(0.1)
    return socket.create_connection((addr, port), timeout=60)


def send(addr, port, nbytes, seconds=0.0):
    s = connect(addr, port)
    h, left = hashlib.sha256(), nbytes
    start, chunk = time.time(), 65536 if not seconds else 16384
    while left:
        if seconds:
            # Paced: the transfer lasts through whatever the test does.
            wait = start + seconds * (nbytes - left) / nbytes - time.time()
            if wait > 0:
                time.sleep(wait)
        buf = os.urandom(min(left, chunk))
        h.update(buf)
        s.sendall(buf)
        left -= len(buf)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)
    print(nbytes, h.hexdigest(), flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) in (5, 6) and sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
             float(sys.argv[5]) if len(sys.argv) == 6 else 0.0)
    else:
        sys.exit(__doc__)
