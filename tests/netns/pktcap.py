#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Report one field of the first matching frame received on an interface.

  pktcap.py esp-df IFACE SPI [MIN]   outer IPv4 DF bit (0/1) of ESP-in-UDP
                                     with that SPI, at least MIN bytes of
                                     UDP payload (so that the device's own
                                     IPv6 chatter is not taken for the
                                     packet under test)
  pktcap.py syn-mss IFACE PORT       MSS option of the first TCP SYN to PORT
"""
import socket
import struct
import sys

s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((sys.argv[2], 0))
s.settimeout(20)
want = int(sys.argv[3], 0)
minlen = int(sys.argv[4]) if len(sys.argv) > 4 else 0
print("ready", file=sys.stderr, flush=True)
while True:
    f, addr = s.recvfrom(65535)
    if addr[2] == socket.PACKET_OUTGOING or f[12:14] != b"\x08\x00":
        continue
    ip = f[14:]
    ihl = (ip[0] & 15) * 4
    l4 = ip[ihl:]
    if sys.argv[1] == "esp-df" and ip[9] == 17 and len(l4) >= 12:
        if struct.unpack_from("!H", l4, 2)[0] == 4500 and \
                struct.unpack_from("!I", l4, 8)[0] == want and \
                struct.unpack_from("!H", l4, 4)[0] - 8 >= minlen:
            print((struct.unpack_from("!H", ip, 6)[0] >> 14) & 1)
            break
    elif sys.argv[1] == "syn-mss" and ip[9] == 6 and len(l4) >= 20:
        dport, flags = struct.unpack_from("!H", l4, 2)[0], l4[13]
        if dport == want and flags & 0x02 and not flags & 0x10:
            opts, i = l4[20:(l4[12] >> 4) * 4], 0
            while i < len(opts) and opts[i] != 0:
                if opts[i] == 1:
                    i += 1
                    continue
                if opts[i] == 2:
                    print(struct.unpack_from("!H", opts, i + 2)[0])
                    sys.exit(0)
                i += max(opts[i + 1], 2)
            print("none")
            break
