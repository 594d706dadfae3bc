#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Forged and replayed IKEv2 messages, for tests of a responder's defences.

  ike_forge.py init SRC DST SPORT [COUNT] [PPS]
      COUNT (1) IKE_SA_INIT requests from SRC:SPORT (SPORT 0: a random port
      each) to DST:500, sent through a raw socket so that SRC may be any
      address, even one a daemon has bound. Each has a random SPI and nonce
      and offers aes128-sha256-prfsha256-modp2048 with a valid KE, so that a
      responder without defences creates state for it.
  ike_forge.py flood DST SECONDS PPS SRC...
      IKE_SA_INIT requests from the SRC addresses in turn, random ports.
  ike_forge.py capture IFACE SRC FILE [TIMEOUT]
      Save the first IKE INFORMATIONAL request from SRC to port 4500 seen
      arriving on IFACE (UDP payload, non-ESP marker included) in FILE.
  ike_forge.py replay FILE BIND DST LISTEN
      Send FILE from BIND:4500 to DST:4500, then count the datagrams DST
      sends to BIND:4500 for LISTEN seconds; print the count.
"""
import os
import random
import socket
import struct
import sys
import time

IKE_SA_INIT, INFORMATIONAL = 34, 37
PL_SA, PL_KE, PL_NONCE = 33, 34, 40


def payload(nxt, body):
    return struct.pack("!BBH", nxt, 0, 4 + len(body)) + body


def transform(last, ttype, tid, keylen=None):
    attr = struct.pack("!HH", 0x800E, keylen) if keylen else b""
    return struct.pack("!BBHBBH", 0 if last else 3, 0, 8 + len(attr), ttype, 0, tid) + attr


def sa_init(spi):
    tr = (transform(False, 1, 12, 128) + transform(False, 3, 12) + transform(False, 2, 5) +
          transform(True, 4, 14))
    prop = struct.pack("!BBHBBBB", 0, 0, 8 + len(tr), 1, 1, 0, 4) + tr
    ke = struct.pack("!HH", 14, 0) + (4).to_bytes(256, "big")	# 2^2: in the subgroup
    body = payload(PL_KE, prop) + payload(PL_NONCE, ke) + payload(0, os.urandom(32))
    hdr = struct.pack("!8s8sBBBBII", spi, b"\0" * 8, PL_SA, 0x20, IKE_SA_INIT, 0x08, 0,
                      28 + len(body))
    return hdr + body


def udp_ip(src, dst, sport, dport, data):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    return ip + udp


def raw_socket():
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    return s


def send_inits(s, srcs, dst, sport, count, pps):
    gap = 1.0 / pps if pps else 0
    for i in range(count):
        port = sport or random.randint(1024, 65000)
        s.sendto(udp_ip(srcs[i % len(srcs)], dst, port, 500, sa_init(os.urandom(8))), (dst, 0))
        if gap:
            time.sleep(gap)


def capture(iface, src, path, timeout):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.bind((iface, 0))
    s.settimeout(timeout)
    want = socket.inet_aton(src)
    print("ready", file=sys.stderr, flush=True)
    while True:
        f, addr = s.recvfrom(65535)
        if addr[2] == socket.PACKET_OUTGOING or f[12:14] != b"\x08\x00":
            continue
        ip = f[14:]
        ihl = (ip[0] & 15) * 4
        udp = ip[ihl:]
        if ip[9] != 17 or ip[12:16] != want or len(udp) < 8 + 4 + 28:
            continue
        if struct.unpack_from("!H", udp, 2)[0] != 4500:
            continue
        data = udp[8:struct.unpack_from("!H", udp, 4)[0]]
        ike = data[4:]
        if data[:4] != b"\0\0\0\0" or ike[18] != INFORMATIONAL or ike[19] & 0x20:
            continue
        with open(path, "wb") as f_out:
            f_out.write(data)
        print("captured INFORMATIONAL request, message ID %d" %
              struct.unpack_from("!I", ike, 20)[0])
        return


def replay(path, bind, dst, listen):
    with open(path, "rb") as f:
        data = f.read()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((bind, 4500))
    s.sendto(data, (dst, 4500))
    n, end = 0, time.monotonic() + listen
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            s.recvfrom(65535)
            n += 1
        except socket.timeout:
            break
    print(n)


def main(a):
    if a[0] == "init":
        send_inits(raw_socket(), [a[1]], a[2], int(a[3]), int(a[4]) if len(a) > 4 else 1,
                   float(a[5]) if len(a) > 5 else 0)
    elif a[0] == "flood":
        pps = float(a[3])
        send_inits(raw_socket(), a[4:], a[1], 0, int(float(a[2]) * pps), pps)
    elif a[0] == "capture":
        capture(a[1], a[2], a[3], float(a[4]) if len(a) > 4 else 20)
    elif a[0] == "replay":
        replay(a[1], a[2], a[3], float(a[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
