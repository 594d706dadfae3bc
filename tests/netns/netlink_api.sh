#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The generic netlink family's contract: every malformed or impossible
# request is refused with an errno and an extack message that says what was
# wrong, and leaves nothing half-applied; a dump of thousands of SAs spans
# messages; nothing works without CAP_NET_ADMIN.
#
#   netns nl: s2svpn0 (the object of every request), s2svpn1..N for the dump,
#   all sharing one kernel socket on 4600; nothing is sent anywhere.
. "$(dirname "$0")/lib.sh"

s2svpn_load
netns_new nl
ip -n nl link add s2svpn0 type s2svpn
ip -n nl link add dummy0 type dummy

ip netns exec nl python3 - "$S2SVPN_REPO/tests/netns" <<'PY' || fail "netlink API cases"
import errno, os, socket, sys
sys.path.insert(0, sys.argv[1])
from genl import S2svpn, NlError, A, T, SA, CMD, expect_error, parse_attrs, u

nl = S2svpn()
ifi = socket.if_nametoindex("s2svpn0")
dummy = socket.if_nametoindex("dummy0")
n = 0
key16, salt = bytes(range(16)), b"salt"

def case(what, fn, err, fragment):
    global n
    try:
        msg = expect_error(fn, err, fragment)
    except AssertionError as e:
        print(f"not ok - {what}: {e}")
        sys.exit(1)
    n += 1
    print(f"ok - {what}: {errno.errorcode[err]} '{msg}'")

def dev(*attrs):
    return [(A.IFINDEX, ("u32", ifi))] + list(attrs)

def tun(*attrs):
    return lambda: nl.do("TUNNEL_SET", dev((A.TUNNEL, list(attrs))))

def sa(*attrs):
    return lambda: nl.do("SA_NEW", dev((A.SA, list(attrs))))

def sa_ok(tid, d, spi, *extra):
    nl.do("SA_NEW", dev((A.SA, [(SA.TUNNEL_ID, ("u8", tid)), (SA.DIR, ("u8", d)),
                              (SA.SPI, ("u32", spi)), (SA.ALG, "rfc4106(gcm(aes))"),
                              (SA.ENC_KEY, key16), (SA.SALT, salt)] + list(extra))))

IN, OUT = 0, 1
v4 = socket.inet_aton

case("device that is not s2svpn",
     lambda: nl.do("DEV_GET", [(A.IFINDEX, ("u32", dummy))]), errno.ENODEV, "no s2svpn device")
case("missing ifindex", lambda: nl.do("DEV_SET", []), errno.EINVAL, "")
case("active tunnel 2", lambda: nl.do("DEV_SET", dev((A.ACTIVE_TUNNEL, ("u8", 2)))),
     errno.ERANGE, "")
case("attribute DEV_SET does not take",
     lambda: nl.do("DEV_SET", dev((A.IFNAME, "x"))), errno.EINVAL, "")
case("MSS clamp 100", lambda: nl.do("DEV_SET", dev((A.MSS_CLAMP, ("u16", 100)))),
     errno.EINVAL, "MSS clamp out of range")
case("MSS clamp 65496", lambda: nl.do("DEV_SET", dev((A.MSS_CLAMP, ("u16", 65496)))),
     errno.EINVAL, "MSS clamp out of range")
case("DF policy 3", lambda: nl.do("DEV_SET", dev((A.DF, ("u8", 3)))), errno.ERANGE, "")

case("tunnel without nest", lambda: nl.do("TUNNEL_SET", dev()), errno.EINVAL, "")
case("new tunnel without remote", tun((T.ID, ("u8", 0))), errno.EINVAL,
     "needs a remote address")
case("two remote addresses", tun((T.ID, ("u8", 0)), (T.REMOTE4, v4("10.0.0.2")),
                                 (T.REMOTE6, bytes(16))), errno.EINVAL, "exactly one remote")
case("3-byte IPv4 address", tun((T.ID, ("u8", 0)), (T.REMOTE4, b"\x0a\0\0")), errno.ERANGE,
     "size out of range")
case("mixed families", tun((T.ID, ("u8", 0)), (T.REMOTE4, v4("10.0.0.2")),
                           (T.LOCAL6, bytes(16))), errno.EINVAL, "different families")
null = os.open("/dev/null", os.O_RDONLY)
case("fd that is not a socket", tun((T.ID, ("u8", 0)), (T.REMOTE4, v4("10.0.0.2")),
                                    (T.SOCK_FD, ("u32", null))), errno.ENOTSOCK, "not an open socket")
tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
case("TCP socket", tun((T.ID, ("u8", 0)), (T.REMOTE4, v4("10.0.0.2")),
                       (T.SOCK_FD, ("u32", tcp.fileno()))), errno.EINVAL, "not a UDP socket")
unbound = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
case("unbound UDP socket", tun((T.ID, ("u8", 0)), (T.REMOTE4, v4("10.0.0.2")),
                               (T.SOCK_FD, ("u32", unbound.fileno()))), errno.EINVAL, "not bound")
case("fd and listen port", tun((T.ID, ("u8", 0)), (T.REMOTE4, v4("10.0.0.2")),
                               (T.SOCK_FD, ("u32", unbound.fileno())),
                               (T.LOCAL_PORT, ("u16", 4600))), errno.EINVAL, "not both")
udp4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp4.bind(("0.0.0.0", 4700))
case("IPv6 tunnel on an IPv4 socket", tun((T.ID, ("u8", 0)), (T.REMOTE6, socket.inet_pton(
    socket.AF_INET6, "fd00::2")), (T.SOCK_FD, ("u32", udp4.fileno()))),
     errno.EAFNOSUPPORT, "needs an IPv6 socket")
case("listen port in use", tun((T.ID, ("u8", 0)), (T.REMOTE4, v4("10.0.0.2")),
                               (T.LOCAL_PORT, ("u16", 4700))), errno.EADDRINUSE, "in use")
xfrm = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
xfrm.bind(("0.0.0.0", 4701))
xfrm.setsockopt(socket.IPPROTO_UDP, 100, 2)  # UDP_ENCAP_ESPINUDP: xfrm's
case("socket xfrm already owns", tun((T.ID, ("u8", 0)), (T.REMOTE4, v4("10.0.0.2")),
                                     (T.SOCK_FD, ("u32", xfrm.fileno()))), errno.EBUSY,
     "another encapsulation")
# Sending from an address that is not this namespace's would spoof it.
case("IPv4 local address not of the namespace",
     tun((T.ID, ("u8", 0)), (T.REMOTE4, v4("10.0.0.2")), (T.LOCAL4, v4("10.99.0.1")),
         (T.SOCK_FD, ("u32", udp4.fileno()))), errno.EADDRNOTAVAIL,
     "not an address of the socket's network namespace")
udp6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
udp6.bind(("::", 4702))
case("IPv6 local address not of the namespace",
     tun((T.ID, ("u8", 0)), (T.REMOTE6, socket.inet_pton(socket.AF_INET6, "fd00::2")),
         (T.LOCAL6, socket.inet_pton(socket.AF_INET6, "fd00::99")),
         (T.SOCK_FD, ("u32", udp6.fileno()))), errno.EADDRNOTAVAIL,
     "not an address of the socket's network namespace")
got = nl.do("DEV_GET", dev())[0][1]
if T.ID in parse_attrs(got.get(A.TUNNEL, b"")):
    print("not ok - a refused TUNNEL_SET left a tunnel behind"); sys.exit(1)
print("ok - refused requests left no tunnel")
case("delete a tunnel that does not exist",
     lambda: nl.do("TUNNEL_DEL", dev((A.TUNNEL, [(T.ID, ("u8", 1))]))), errno.ENOENT, "no such tunnel")
case("SA on a missing tunnel", sa((SA.TUNNEL_ID, ("u8", 0)), (SA.DIR, ("u8", OUT)),
                                  (SA.SPI, ("u32", 1)), (SA.ALG, "rfc4106(gcm(aes))"),
                                  (SA.ENC_KEY, key16), (SA.SALT, salt)),
     errno.ENOENT, "no such tunnel")

nl.do("TUNNEL_SET", dev((A.TUNNEL, [(T.ID, ("u8", 0)), (T.REMOTE4, v4("10.0.0.2")),
                                   (T.LOCAL_PORT, ("u16", 4600))])))
print("ok - tunnel 0 created on a kernel socket, port 4600")
base = [(SA.TUNNEL_ID, ("u8", 0)), (SA.DIR, ("u8", OUT)), (SA.SPI, ("u32", 0x100))]
case("unknown algorithm", sa(*base, (SA.ALG, "cbc(des3_ede)"), (SA.ENC_KEY, key16)),
     errno.EINVAL, "unknown algorithm")
case("missing key", sa(*base, (SA.ALG, "rfc4106(gcm(aes))")), errno.EINVAL, "")
case("20-byte AES key", sa(*base, (SA.ALG, "rfc4106(gcm(aes))"), (SA.ENC_KEY, bytes(20)),
                           (SA.SALT, salt)), errno.EINVAL, "key length")
case("GCM without salt", sa(*base, (SA.ALG, "rfc4106(gcm(aes))"), (SA.ENC_KEY, key16)),
     errno.EINVAL, "salt")
case("GCM with an auth key", sa(*base, (SA.ALG, "rfc4106(gcm(aes))"), (SA.ENC_KEY, key16),
                                (SA.SALT, salt), (SA.AUTH_KEY, bytes(32))), errno.EINVAL, "no auth key")
case("CBC without auth key", sa(*base, (SA.ALG, "authenc(hmac(sha256),cbc(aes))"),
                                (SA.ENC_KEY, key16)), errno.EINVAL, "auth key")
case("GCM ICV of 10", sa(*base, (SA.ALG, "rfc4106(gcm(aes))"), (SA.ENC_KEY, key16),
                         (SA.SALT, salt), (SA.ICV_LEN, ("u8", 10))), errno.EINVAL, "ICV length")
case("5-byte salt", sa(*base, (SA.ALG, "rfc4106(gcm(aes))"), (SA.ENC_KEY, key16),
                       (SA.SALT, b"saltx")), errno.ERANGE, "")
case("SPI 0", sa((SA.TUNNEL_ID, ("u8", 0)), (SA.DIR, ("u8", IN)), (SA.SPI, ("u32", 0)),
                 (SA.ALG, "rfc4106(gcm(aes))"), (SA.ENC_KEY, key16), (SA.SALT, salt)),
     errno.ERANGE, "")
case("replay window 4097", sa((SA.TUNNEL_ID, ("u8", 0)), (SA.DIR, ("u8", IN)),
                              (SA.SPI, ("u32", 9)), (SA.ALG, "rfc4106(gcm(aes))"),
                              (SA.ENC_KEY, key16), (SA.SALT, salt),
                              (SA.REPLAY_WINDOW, ("u32", 4097))), errno.ERANGE, "")
case("replay window on an outbound SA", sa(*base, (SA.ALG, "rfc4106(gcm(aes))"),
                                           (SA.ENC_KEY, key16), (SA.SALT, salt),
                                           (SA.REPLAY_WINDOW, ("u32", 64))),
     errno.EINVAL, "inbound SAs only")
case("sequence number past 2^32 without ESN", sa(*base, (SA.ALG, "rfc4106(gcm(aes))"),
                                                (SA.ENC_KEY, key16), (SA.SALT, salt),
                                                (SA.SEQ, ("u64", 1 << 33))), errno.EINVAL, "needs ESN")
case("tunnel id 2", sa((SA.TUNNEL_ID, ("u8", 2)), (SA.DIR, ("u8", IN)), (SA.SPI, ("u32", 9)),
                       (SA.ALG, "rfc4106(gcm(aes))"), (SA.ENC_KEY, key16), (SA.SALT, salt)),
     errno.ERANGE, "")
sa_ok(0, IN, 0x200)
sa_ok(0, IN, 0x201)
case("duplicate inbound SPI on the tunnel",
     lambda: sa_ok(0, IN, 0x200), errno.EEXIST, "")
case("third inbound SA", lambda: sa_ok(0, IN, 0x202), errno.ENOSPC, "two inbound SAs")
case("delete an SA that does not exist",
     lambda: nl.do("SA_DEL", dev((A.SA, [(SA.TUNNEL_ID, ("u8", 0)), (SA.DIR, ("u8", OUT)),
                                         (SA.SPI, ("u32", 0x999))]))), errno.ENOENT, "no SA")
case("get an SA that does not exist",
     lambda: nl.do("SA_GET", dev((A.SA, [(SA.TUNNEL_ID, ("u8", 0)), (SA.DIR, ("u8", IN)),
                                         (SA.SPI, ("u32", 0x999))]))), errno.ENOENT, "no SA")
print(f"# {n} refusals checked")
PY
ok "every refused request names its problem"

# Inbound SPIs are unique per namespace, across devices.
ip -n nl link add s2svpn1 type s2svpn
check "second device, tunnel on the same socket" ip netns exec nl "$S2SVPNCTL" \
	tunnel set s2svpn1 0 remote 10.0.0.3 listen-port 4600
keyfile /tmp/k enc 000102030405060708090a0b0c0d0e0f salt 73616c74
check_err "inbound SPI of another device refused" "in use" ip netns exec nl "$S2SVPNCTL" \
	sa add s2svpn1 tunnel 0 dir in spi 0x200 alg 'rfc4106(gcm(aes))' keyfile /tmp/k

# Without CAP_NET_ADMIN nothing, not even a read.
check_err "unprivileged DEV_GET refused" "Operation not permitted" \
	ip netns exec nl setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=-all --bounding-set=-all "$S2SVPNCTL" show

# Nor can an unprivileged user listen to the events (SPIs, tunnel state).
ip netns exec nl setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=-all --bounding-set=-all python3 - "$S2SVPN_REPO/tests/netns" \
	<<'PY' || fail "unprivileged user joined the events group"
import errno, sys
sys.path.insert(0, sys.argv[1])
from genl import S2svpn
try:
    S2svpn().subscribe("events")
except PermissionError:
    sys.exit(0)
print("# unprivileged user joined the events group")
sys.exit(1)
PY
ok "unprivileged user cannot join the events group"

# The root of an unprivileged user namespace has CAP_NET_ADMIN over its own
# network namespace only: it may create the link, but the family refuses
# every operation (GENL_ADMIN_PERM wants the capability in init_user_ns).
userns_case() {
	python3 - "$S2SVPN_REPO/tests/netns" <<'PY'
import errno, socket, subprocess, sys
sys.path.insert(0, sys.argv[1])
from genl import S2svpn, NlError, A, T
subprocess.run(["ip", "link", "add", "s2u0", "type", "s2svpn"], check=True)
ifi = socket.if_nametoindex("s2u0")
nl = S2svpn()
cases = [
    ("DEV_GET", lambda: nl.do("DEV_GET", [(A.IFINDEX, ("u32", ifi))])),
    ("DEV_GET dump", lambda: nl.dump("DEV_GET")),
    ("TUNNEL_SET", lambda: nl.do("TUNNEL_SET", [(A.IFINDEX, ("u32", ifi)), (A.TUNNEL, [
        (T.ID, ("u8", 0)), (T.REMOTE4, socket.inet_aton("10.0.0.1")),
        (T.LOCAL_PORT, ("u16", 4700))])])),
]
bad = 0
for what, fn in cases:
    try:
        fn()
        print(f"# user namespace root: {what} accepted")
        bad = 1
    except NlError as e:
        if e.errno != errno.EPERM:
            print(f"# user namespace root: {what}: {e}, want EPERM")
            bad = 1
sys.exit(bad)
PY
}
export -f userns_case
export S2SVPN_REPO
check "user namespace root (as nobody, own netns) refused every operation" \
	setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urn bash -c userns_case

# A dump of thousands of SAs: 350 devices x 2 tunnels x 3 SAs.
ip netns exec nl python3 - "$S2SVPN_REPO/tests/netns" <<'PY' || fail "SA dump"
import socket, subprocess, sys
sys.path.insert(0, sys.argv[1])
from genl import S2svpn, A, T, SA, parse_attrs, u
nl = S2svpn()
spi = 0x10000
for i in range(350):
    name = f"s2d{i}"
    subprocess.run(["ip", "link", "add", name, "type", "s2svpn"], check=True)
    ifi = socket.if_nametoindex(name)
    for tid in (0, 1):
        nl.do("TUNNEL_SET", [(A.IFINDEX, ("u32", ifi)), (A.TUNNEL, [
            (T.ID, ("u8", tid)), (T.REMOTE4, socket.inet_aton("10.9.0.1")),
            (T.LOCAL_PORT, ("u16", 4600))])])
        for d in (1, 0, 0):
            spi += 1
            nl.do("SA_NEW", [(A.IFINDEX, ("u32", ifi)), (A.SA, [
                (SA.TUNNEL_ID, ("u8", tid)), (SA.DIR, ("u8", d)), (SA.SPI, ("u32", spi)),
                (SA.ALG, "rfc4106(gcm(aes))"), (SA.ENC_KEY, bytes(16)), (SA.SALT, bytes(4))])])
replies = nl.dump("SA_GET")
spis = {u(parse_attrs(r[1][A.SA])[SA.SPI]) for r in replies}
want = set(range(0x10001, spi + 1)) | {0x200, 0x201}
if spis != want:
    print(f"not ok - dump returned {len(spis)} distinct SAs, want {len(want)}")
    sys.exit(1)
if nl.recvs < 3:
    print(f"not ok - {len(replies)} SAs came in {nl.recvs} reads: not a multi-part dump")
    sys.exit(1)
print(f"ok - SA dump: {len(replies)} SAs, each once, in {nl.recvs} reads")
PY
ok "dump of 2102 SAs complete across messages"
check "delete the namespace with 352 devices" ip netns del nl
echo "# $n_ok checks passed"
