#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A stand-in for s2svpn-iked's socket handling, for the socket tests.

  fake_daemon.py DEV TUNNEL LOCAL REMOTE [SPI_OUT SPI_IN KEYHEX SALTHEX]

Binds UDP port 4500, gives the socket to tunnel TUNNEL of DEV (and installs
an AES-GCM SA pair when keys are given), prints "ready", then prints one line
per datagram the socket receives ("rx <hex>") until killed. On SIGUSR1 it
sets UDP_ENCAP to 0 (taking the socket back from s2svpn), closes the socket,
prints "reset" and waits to be killed.
"""
import os
import signal
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from genl import S2svpn, A, T, SA  # noqa: E402

dev, tid, local, remote = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 4500))
nl = S2svpn()
ifi = ("u32", socket.if_nametoindex(dev))
nl.do("TUNNEL_SET", [(A.IFINDEX, ifi), (A.TUNNEL, [
    (T.ID, ("u8", tid)), (T.LOCAL4, socket.inet_aton(local)),
    (T.REMOTE4, socket.inet_aton(remote)), (T.SOCK_FD, ("u32", s.fileno()))])])
if len(sys.argv) == 9:
    for d, spi in ((1, int(sys.argv[5], 0)), (0, int(sys.argv[6], 0))):
        nl.do("SA_NEW", [(A.IFINDEX, ifi), (A.SA, [
            (SA.TUNNEL_ID, ("u8", tid)), (SA.DIR, ("u8", d)), (SA.SPI, ("u32", spi)),
            (SA.ALG, "rfc4106(gcm(aes))"), (SA.ENC_KEY, bytes.fromhex(sys.argv[7])),
            (SA.SALT, bytes.fromhex(sys.argv[8]))])])


def reset(signum, frame):
    s.setsockopt(socket.IPPROTO_UDP, 100, 0)  # UDP_ENCAP: none
    s.close()
    print("reset", flush=True)
    signal.pause()


signal.signal(signal.SIGUSR1, reset)
print("ready", flush=True)
while True:
    data = s.recv(65535)
    print("rx", data.hex(), flush=True)
