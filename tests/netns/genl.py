#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Minimal client of the "s2svpn" generic netlink family, for tests.

The attribute and command numbers are read from uapi/linux/s2svpn.h, so the
tests follow the header. Requests are built from Python values exactly as
given, so a test can send what s2svpnctl would refuse to: wrong types, wrong
lengths, attributes an operation does not take.

    from genl import S2svpn, NlError, A
    nl = S2svpn()
    nl.do("DEV_SET", [(A.IFINDEX, ("u32", 7)), (A.ACTIVE_TUNNEL, ("u8", 1))])

Values: ("u8"|"u16"|"u32"|"u64", n), bytes, str (NUL-terminated), None (flag),
or a list of (type, value) for a nest.
"""
import errno
import os
import re
import socket
import struct
import types

NETLINK_GENERIC = 16
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_ACK, NLM_F_DUMP = 1, 2, 4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_ACK_TLVS = 0x200
NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS = 1, 2
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME, CTRL_ATTR_MCAST_GROUPS = 1, 2, 7
CTRL_ATTR_MCAST_GRP_NAME, CTRL_ATTR_MCAST_GRP_ID = 1, 2
NETLINK_ADD_MEMBERSHIP, NETLINK_EXT_ACK, SOL_NETLINK = 1, 11, 270

HEADER = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      "../../uapi/linux/s2svpn.h")


def _enums(path):
    """Every enum of the header as {enum name: {member: value}}."""
    text = open(path).read()
    out = {}
    for name, body in re.findall(r"enum (\w+) \{(.*?)\};", text, re.S):
        val, members = -1, {}
        body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            if "=" in item:
                key, expr = (x.strip() for x in item.split("=", 1))
                val = members[expr.split("-")[0].strip()] - 1 if "-" in expr else int(expr, 0)
            else:
                key = item
                val += 1
            members[key] = val
        out[name] = members
    return out


_E = _enums(HEADER)


def _ns(enum, prefix):
    return types.SimpleNamespace(**{k[len(prefix):]: v for k, v in _E[enum].items()
                                    if k.startswith(prefix)})


CMD = _ns("s2svpn_cmd", "S2SVPN_CMD_")
A = _ns("s2svpn_a", "S2SVPN_A_")
T = _ns("s2svpn_a_tunnel", "S2SVPN_A_TUNNEL_")
SA = _ns("s2svpn_a_sa", "S2SVPN_A_SA_")
ST = _ns("s2svpn_a_stats", "S2SVPN_A_STATS_")


class NlError(Exception):
    def __init__(self, err, msg):
        super().__init__(f"{os.strerror(err)}: {msg}")
        self.errno, self.msg = err, msg


def _attr(atype, value):
    if isinstance(value, tuple):
        fmt = {"u8": "B", "u16": "H", "u32": "I", "u64": "Q"}[value[0]]
        data = struct.pack(fmt, value[1])
    elif isinstance(value, bytes):
        data = value
    elif isinstance(value, str):
        data = value.encode() + b"\0"
    elif value is None:
        data = b""
    else:
        data = b"".join(_attr(t, v) for t, v in value)
        atype |= 0x8000  # NLA_F_NESTED
    hdr = struct.pack("HH", 4 + len(data), atype)
    return hdr + data + b"\0" * (-len(data) % 4)


def parse_attrs(data):
    """{type: payload bytes}; nested types still need parse_attrs()."""
    out, off = {}, 0
    while off + 4 <= len(data):
        alen, atype = struct.unpack_from("HH", data, off)
        if alen < 4:
            break
        out[atype & 0x3FFF] = data[off + 4:off + alen]
        off += (alen + 3) & ~3
    return out


def attr_list(data):
    """[(type, payload)] in order, repeated types kept."""
    out, off = [], 0
    while off + 4 <= len(data):
        alen, atype = struct.unpack_from("HH", data, off)
        if alen < 4:
            break
        out.append((atype & 0x3FFF, data[off + 4:off + alen]))
        off += (alen + 3) & ~3
    return out


def tunnels(raw):
    """{tunnel id: attrs} of a DEV_GET reply's raw attributes."""
    out = {}
    for atype, payload in attr_list(raw):
        if atype == A.TUNNEL:
            t = parse_attrs(payload)
            out[u(t[T.ID])] = t
    return out


def u(data):
    return int.from_bytes(data, "little") if data else 0


class Genl:
    def __init__(self, family):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.bind((0, 0))
        self.seq = 0
        self.family_id, self.groups = GENL_ID_CTRL, {}
        reply = self.request(CTRL_CMD_GETFAMILY, [(CTRL_ATTR_FAMILY_NAME, family)],
                             version=1)[0][1]
        self.family_id = u(reply[CTRL_ATTR_FAMILY_ID])
        for grp in parse_attrs(reply.get(CTRL_ATTR_MCAST_GROUPS, b"")).values():
            g = parse_attrs(grp)
            self.groups[g[CTRL_ATTR_MCAST_GRP_NAME].rstrip(b"\0").decode()] = \
                u(g[CTRL_ATTR_MCAST_GRP_ID])

    def request(self, cmd, attrs, dump=False, version=1):
        self.seq += 1
        flags = NLM_F_REQUEST | NLM_F_ACK | (NLM_F_DUMP if dump else 0)
        payload = struct.pack("BBH", cmd, version, 0) + b"".join(_attr(t, v) for t, v in attrs)
        self.sock.send(struct.pack("IHHII", 16 + len(payload), self.family_id, flags,
                                   self.seq, 0) + payload)
        replies = []
        self.recvs = 0
        while True:
            data = self.sock.recv(1 << 20)
            self.recvs += 1
            off = 0
            while off < len(data):
                mlen, mtype, mflags, _, _ = struct.unpack_from("IHHII", data, off)
                body = data[off + 16:off + mlen]
                off += (mlen + 3) & ~3
                if mtype == NLMSG_ERROR:
                    err = -struct.unpack_from("i", body)[0]
                    if err == 0:
                        return replies
                    msg = ""
                    if mflags & NLM_F_ACK_TLVS:
                        inner = struct.unpack_from("I", body, 4)[0]
                        # NLM_F_CAPPED: only the request's header was echoed.
                        tlvs = parse_attrs(body[4 + 16 if mflags & 0x100 else 4 + inner:])
                        msg = tlvs.get(NLMSGERR_ATTR_MSG, b"").rstrip(b"\0").decode()
                    raise NlError(err, msg)
                if mtype == NLMSG_DONE:
                    if dump:
                        return replies
                    continue
                replies.append((body[0], parse_attrs(body[4:]), body[4:]))

    def subscribe(self, group):
        self.sock.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, self.groups[group])

    def events(self, timeout):
        """Notifications received within @timeout seconds: [(cmd, attrs)]."""
        self.sock.settimeout(timeout)
        out = []
        try:
            while True:
                data = self.sock.recv(1 << 16)
                off = 0
                while off < len(data):
                    mlen = struct.unpack_from("I", data, off)[0]
                    body = data[off + 16:off + mlen]
                    out.append((body[0], parse_attrs(body[4:])))
                    off += (mlen + 3) & ~3
        except socket.timeout:
            return out


class S2svpn(Genl):
    def __init__(self):
        super().__init__("s2svpn")

    def do(self, cmd, attrs):
        return self.request(getattr(CMD, cmd), attrs)

    def dump(self, cmd, attrs=()):
        return self.request(getattr(CMD, cmd), list(attrs), dump=True)


def expect_error(fn, err, fragment):
    """Run fn(); it must fail with errno @err and an extack containing
    @fragment. Returns the message."""
    try:
        fn()
    except NlError as e:
        if e.errno != err or fragment not in e.msg:
            raise AssertionError(f"got {errno.errorcode.get(e.errno)} '{e.msg}', "
                                 f"want {errno.errorcode.get(err)} '...{fragment}...'")
        return e.msg
    raise AssertionError(f"succeeded, want {errno.errorcode.get(err)} '{fragment}'")
