#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Hold UDP sockets on port 4500 with UDP_ENCAP_ESPINUDP set, as an IKE
daemon does, so that the kernel's xfrm receives ESP in UDP. Runs until
killed.

  espinudp_sock.py [PORT]
"""
import signal
import socket
import sys

UDP_ENCAP = 100
UDP_ENCAP_ESPINUDP = 2

port = int(sys.argv[1]) if len(sys.argv) > 1 else 4500
socks = []
for fam, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, port))
    s.setsockopt(socket.IPPROTO_UDP, UDP_ENCAP, UDP_ENCAP_ESPINUDP)
    socks.append(s)
print("ready", flush=True)
signal.pause()
