#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Capture ESP-in-UDP frames and send them again, for the replay test.

  espcap.py capture IFACE SPI COUNT FILE   save COUNT received Ethernet frames
                                           carrying ESP with SPI (hex or dec)
  espcap.py send IFACE FILE                transmit the saved frames verbatim
"""
import socket
import struct
import sys

ETH_P_ALL = 3


def esp_spi(frame):
    """SPI of an IPv4 ESP-in-UDP frame to port 4500, or None."""
    if len(frame) < 14 + 20 + 8 + 8 or frame[12:14] != b"\x08\x00":
        return None
    ihl = (frame[14] & 0x0F) * 4
    if frame[14 + 9] != 17:
        return None
    udp = 14 + ihl
    if struct.unpack_from("!H", frame, udp + 2)[0] != 4500:
        return None
    return struct.unpack_from("!I", frame, udp + 8)[0] or None


def capture(iface, spi, count, path):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    s.settimeout(30)
    # The test waits for this line: starting Python can take longer than
    # the traffic it is meant to see on a KASAN kernel.
    print("ready", file=sys.stderr, flush=True)
    frames = []
    while len(frames) < count:
        frame, addr = s.recvfrom(65535)
        if addr[2] != socket.PACKET_OUTGOING and esp_spi(frame) == spi:
            frames.append(frame)
    with open(path, "wb") as f:
        for fr in frames:
            f.write(struct.pack("!I", len(fr)) + fr)
    print(len(frames), flush=True)


def send(iface, path):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    data = open(path, "rb").read()
    off = n = 0
    while off < len(data):
        ln = struct.unpack_from("!I", data, off)[0]
        s.send(data[off + 4:off + 4 + ln])
        off += 4 + ln
        n += 1
    print(n, flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "capture":
        capture(sys.argv[2], int(sys.argv[3], 0), int(sys.argv[4]), sys.argv[5])
    elif len(sys.argv) == 4 and sys.argv[1] == "send":
        send(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
