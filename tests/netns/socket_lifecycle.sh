#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The daemon's socket: ESP on it is consumed by the kernel while IKE (non-ESP
# marker) and NAT-keepalives still reach the daemon; when the daemon dies its
# tunnel is detached and announced, the port is free at once, and a new
# daemon re-attaches to the SAs still installed.
#
#   netns d                                   netns k
#   fake_daemon.py owns UDP :4500             kernel socket :4500
#   s2svpn0 169.254.10.1/30 (t0, fd socket)   s2svpn0 169.254.10.2/30 (t0)
#   veth0 10.0.0.1/24 ----------------------- veth1 10.0.0.2/24
. "$(dirname "$0")/lib.sh"
here=$S2SVPN_REPO/tests/netns

s2svpn_load
netns_new d k
veth d veth0 k veth1
ip -n d addr add 10.0.0.1/24 dev veth0
ip -n k addr add 10.0.0.2/24 dev veth1
for ns in d k; do
	ip -n $ns link add s2svpn0 type s2svpn
	ip -n $ns link set s2svpn0 up
done
ip -n d addr add 169.254.10.1/30 dev s2svpn0
ip -n k addr add 169.254.10.2/30 dev s2svpn0
KEY=$(hexkey 16) SALT=$(hexkey 4)
keyfile /tmp/kk enc "$KEY" salt "$SALT"

start_daemon() {
	ip netns exec d python3 "$here/fake_daemon.py" s2svpn0 0 10.0.0.1 10.0.0.2 \
		"$@" >/tmp/daemon.out 2>&1 &
	daemon=$!
	for _ in $(seq 50); do
		grep -q ready /tmp/daemon.out && return 0
		sleep 0.1
	done
	fail "fake daemon did not start: $(cat /tmp/daemon.out)"
}

start_daemon 0x100 0x200 "$KEY" "$SALT"
ok "daemon gave its socket to tunnel 0 and installed two SAs"
check "k: tunnel 0 on a kernel socket" ip netns exec k "$S2SVPNCTL" tunnel set s2svpn0 0 \
	local 10.0.0.2 remote 10.0.0.1
check "k: outbound SA" ip netns exec k "$S2SVPNCTL" sa add s2svpn0 tunnel 0 dir out \
	spi 0x200 alg 'rfc4106(gcm(aes))' keyfile /tmp/kk
check "k: inbound SA" ip netns exec k "$S2SVPNCTL" sa add s2svpn0 tunnel 0 dir in \
	spi 0x100 alg 'rfc4106(gcm(aes))' keyfile /tmp/kk
ping_check "ping over the daemon's socket" d 169.254.10.2

ip netns exec k python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"\0\0\0\0ike-message", ("10.0.0.1", 4500))
s.sendto(b"\xff", ("10.0.0.1", 4500))'
for _ in $(seq 100); do
	[ "$(grep -c '^rx' /tmp/daemon.out)" -ge 2 ] && break
	sleep 0.1
done
grep -q "^rx 00000000696b652d6d657373616765$" /tmp/daemon.out ||
	fail "IKE datagram did not reach the daemon: $(cat /tmp/daemon.out)"
ok "IKE datagram (non-ESP marker) reached the daemon unchanged"
grep -q "^rx ff$" /tmp/daemon.out || fail "NAT-keepalive did not reach the daemon"
ok "NAT-keepalive reached the daemon"
check_eq "no ESP reached the daemon" "$(grep -c '^rx' /tmp/daemon.out)" 2

# k's socket is s2svpn's own: nobody reads it, so IKE datagrams and
# keepalives sent to it are dropped rather than queued up to its buffer.
ip netns exec d python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(20):
    s.sendto(b"\0\0\0\0ike-message", ("10.0.0.2", 4500))
    s.sendto(b"\xff", ("10.0.0.2", 4500))'
sleep 0.5
check_eq "k: nothing queued on s2svpn's own socket" "$(ip netns exec k python3 -c '
print(sum(int(l.split()[4].split(":")[1], 16) for l in open("/proc/net/udp").readlines()[1:]
          if l.split()[1].endswith(":1194")))')" 0
ping_check "k's socket still carries ESP" d 169.254.10.2

# The daemon dies: its tunnel is detached and announced.
ip netns exec d python3 "$here/events.py" 3 >/tmp/events.out &
events=$!
for _ in $(seq 100); do
	grep -q ready /tmp/events.out && break
	sleep 0.1
done
kill -9 "$daemon"
wait "$daemon" 2>/dev/null
wait "$events"
grep -q "^SOCK_DETACH_NTF 0" /tmp/events.out || fail "no socket-detach event: $(cat /tmp/events.out)"
ok "socket detach announced for tunnel 0"
grep -q "^TUNNEL_STATE_NTF 0 0" /tmp/events.out || fail "no tunnel-unusable event: $(cat /tmp/events.out)"
ok "tunnel 0 announced unusable"
check_eq "carrier off with no usable tunnel" \
	"$(link_json d s2svpn0 '"NO-CARRIER" in l["flags"]')" True
ip netns exec d ping -q -c 2 -W 1 169.254.10.2 >/dev/null 2>&1 && fail "ping without a socket"
ok "nothing sent without a socket"
check "port 4500 free again at once" ip netns exec d python3 -c '
import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).bind(("0.0.0.0", 4500))'

# A new daemon attaches to the SAs still installed.
start_daemon
ping_check "ping again after a new daemon attached its socket" d 169.254.10.2

# The daemon takes its socket back (UDP_ENCAP 0) and closes it: UDP no
# longer tells s2svpn, which must not send on the closed socket.
kill -USR1 "$daemon"
for _ in $(seq 50); do grep -q '^reset' /tmp/daemon.out && break; sleep 0.1; done
grep -q '^reset' /tmp/daemon.out || fail "daemon did not reset its socket: $(cat /tmp/daemon.out)"
tx=$(tunstat d s2svpn0 0 TX_PACKETS)
ip netns exec d ping -q -c 2 -i 0.2 -W 1 169.254.10.2 >/dev/null 2>&1 &&
	fail "ping answered over a socket its owner took back and closed"
check_eq "nothing sent on the closed socket" "$(tunstat d s2svpn0 0 TX_PACKETS)" "$tx"
wait_eq "tunnel 0 detached from the closed socket" unusable \
	json d 'j["devices"][0]["tunnels"][0]["state"]'
kill -9 "$daemon"
wait "$daemon" 2>/dev/null
check "delete both namespaces" sh -c "ip netns del d && ip netns del k"
echo "# $n_ok checks passed"
