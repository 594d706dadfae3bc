#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# s2svpn to s2svpn with both tunnels: next-hop tunnel selection, the active
# tunnel switched under traffic, a verified TCP transfer, captured packets
# replayed, a wrong key, garbage from a plain UDP socket, and SA delete,
# socket close, namespace delete and module unload while traffic flows.
#
#   netns l                                        netns r
#   lo 198.51.100.1/32                             lo 192.0.2.1/32
#   s2svpn0 169.254.10.1/30 (t0, peer .10.2)        s2svpn0 169.254.10.2/30 (t0, peer .10.1)
#           169.254.11.1/30 (t1, peer .11.2)                169.254.11.2/30 (t1, peer .11.1)
#   192.0.2.0/24 dev s2svpn0 (active tunnel)        198.51.100.0/24 dev s2svpn0
#   veth0 10.0.0.1/24 (t0), 10.0.1.1/24 (t1) ----- veth1 10.0.0.2/24 (t0), 10.0.1.2/24 (t1)
#   kernel socket :4500                            kernel socket :4500
#
# s2svpn-test: async
. "$(dirname "$0")/lib.sh"
here=$S2SVPN_REPO/tests/netns
ALG='rfc4106(gcm(aes))'

s2svpn_load
netns_new l r
veth l veth0 r veth1
ip -n l addr add 10.0.0.1/24 dev veth0
ip -n l addr add 10.0.1.1/24 dev veth0
ip -n r addr add 10.0.0.2/24 dev veth1
ip -n r addr add 10.0.1.2/24 dev veth1
ip -n l addr add 198.51.100.1/32 dev lo
ip -n r addr add 192.0.2.1/32 dev lo

# keys K<tunnel><direction>: "lr" is left to right.
for k in 0lr 0rl 1lr 1rl; do
	keyfile "/tmp/k$k" enc "$(hexkey 16)" salt "$(hexkey 4)"
done

# side NS SELF PEER OUT IN ROUTE: a router with both tunnels. SPIs are
# 0x<tunnel>01 left to right and 0x<tunnel>02 right to left; OUT and IN name
# the key files (lr, rl).
side() {
	local ns=$1 me=$2 peer=$3 out=$4 in=$5 t so si
	[ "$out" = lr ] && { so=1; si=2; } || { so=2; si=1; }
	ip -n "$ns" link add s2svpn0 type s2svpn
	# Exact packet counts below: no IPv6 housekeeping traffic.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.s2svpn0.disable_ipv6=1
	ip -n "$ns" addr add "169.254.10.$me/30" dev s2svpn0
	ip -n "$ns" addr add "169.254.11.$me/30" dev s2svpn0
	ip -n "$ns" link set s2svpn0 up
	ip -n "$ns" route add "$6" dev s2svpn0
	for t in 0 1; do
		ip netns exec "$ns" "$S2SVPNCTL" tunnel set s2svpn0 "$t" \
			local "10.0.$t.$me" remote "10.0.$t.$peer" \
			inside-peer "169.254.1$t.$peer" || return 1
		ip netns exec "$ns" "$S2SVPNCTL" sa add s2svpn0 tunnel "$t" dir out \
			spi "0x${t}0${so}" alg "$ALG" keyfile "/tmp/k$t$out" || return 1
		ip netns exec "$ns" "$S2SVPNCTL" sa add s2svpn0 tunnel "$t" dir in \
			spi "0x${t}0${si}" alg "$ALG" keyfile "/tmp/k$t$in" || return 1
	done
}
side_l() { side l 1 2 lr rl 192.0.2.0/24; }
side_r() { side r 2 1 rl lr 198.51.100.0/24; }
check "left router: two tunnels, four SAs" side_l
check "right router: two tunnels, four SAs" side_r
check_eq "carrier up with usable tunnels" \
	"$(link_json l s2svpn0 '"LOWER_UP" in l["flags"]')" True

# Next hop = inside peer picks the tunnel.
before0=$(tunstat l s2svpn0 0 TX_PACKETS)
before1=$(tunstat l s2svpn0 1 TX_PACKETS)
ping_check "ping tunnel 0's inside peer" l 169.254.10.2
check_eq "those pings left on tunnel 0" "$(($(tunstat l s2svpn0 0 TX_PACKETS) - before0))" 3
check_eq "none on tunnel 1" "$(($(tunstat l s2svpn0 1 TX_PACKETS) - before1))" 0
ping_check "ping tunnel 1's inside peer" l 169.254.11.2
check_eq "those pings left on tunnel 1" "$(($(tunstat l s2svpn0 1 TX_PACKETS) - before1))" 3
# ip -s link (what SNMP reads): exactly those 6 pings of 84 bytes each way,
# counted once, in inner bytes; nothing dropped.
for ns in l r; do
	got=
	for c in tx_packets tx_bytes rx_packets rx_bytes tx_dropped rx_dropped; do
		got="$got $c=$(link_stat "$ns" s2svpn0 "$c")"
	done
	check_eq "$ns: ip -s link counts 6 pings once each way" "$got" \
		" tx_packets=6 tx_bytes=504 rx_packets=6 rx_bytes=504 tx_dropped=0 rx_dropped=0"
done
ping_check "ping the right LAN over the active tunnel" l 192.0.2.1
tcp_check "TCP 4 MiB left to right, verified" r 192.0.2.1 l 4194304
tcp_check "TCP 1 MiB right to left, verified" l 169.254.10.1 r 1048576

# Switch the active tunnel under a probe stream (a numbered UDP datagram
# every 20 ms, echoed by r): nothing lost. Each switch waits for packets on
# the tunnel, not for a time, and the stream runs until both switches are
# behind it: on a loaded emulated guest one s2svpnctl call takes seconds.
# tx_since TUNNEL BASE: packets sent on TUNNEL since its counter read BASE.
tx_since() { echo $(($(tunstat l s2svpn0 "$1" TX_PACKETS) - $2)); }
# wait_tx TUNNEL BASE N: until N packets have left on TUNNEL (60 tries).
wait_tx() {
	for _ in $(seq 60); do
		[ "$(tx_since "$1" "$2")" -ge "$3" ] && return 0
		sleep 0.2
	done
	return 1
}
ip netns exec r python3 "$here/probe.py" echo 192.0.2.1 7000 >/tmp/echo.out &
echo_pid=$!
for _ in $(seq 100); do grep -q ready /tmp/echo.out && break; sleep 0.1; done
before0=$(tunstat l s2svpn0 0 TX_PACKETS)
before1=$(tunstat l s2svpn0 1 TX_PACKETS)
ip netns exec l python3 "$here/probe.py" send 192.0.2.1 7000 20 198.51.100.1 \
	>/tmp/probe.out 2>/tmp/probe.err &
pid=$!
wait_tx 0 "$before0" 20 || fail "the probe stream did not start on tunnel 0"
check "switch to tunnel 1 under traffic" ip netns exec l "$S2SVPNCTL" set s2svpn0 active-tunnel 1
wait_tx 1 "$before1" 20 || fail "only $(tx_since 1 "$before1") packets took tunnel 1 while it was active"
sent1=$(tx_since 1 "$before1")
back0=$(tunstat l s2svpn0 0 TX_PACKETS)
check "switch back to tunnel 0" ip netns exec l "$S2SVPNCTL" set s2svpn0 active-tunnel 0
wait_tx 0 "$back0" 20 || fail "no packets on tunnel 0 after switching back"
kill -TERM "$pid"
wait "$pid"
kill "$echo_pid"
wait "$echo_pid" 2>/dev/null
# sent N received N lost N longest_gap_ms G ...
read -r _ sent _ received _ lost _ gap _ </tmp/probe.out
echo "# two switches under a 50/s stream: $sent sent, $received echoed, longest gap $gap ms"
[ "${sent:-0}" -gt 60 ] && [ "$lost" = 0 ] ||
	fail "datagrams lost across switches: $(cat /tmp/probe.out)"
ok "no packet lost across two switches"
ok "tunnel 1 carried $sent1 packets while active"

# Replay: capture ESP that r accepted, send it again from l's side.
replay=$(tunstat r s2svpn0 0 DROP_REPLAY)
ip netns exec r python3 "$here/espcap.py" capture veth1 0x001 5 /tmp/esp.cap \
	>/tmp/cap.out 2>/tmp/cap.err &
pid=$!
for _ in $(seq 100); do grep -q ready /tmp/cap.err && break; sleep 0.1; done
ip netns exec l ping -q -c 5 -i 0.1 169.254.10.2 >/dev/null
wait "$pid" || fail "capture of 5 ESP frames failed"
rx=$(tunstat r s2svpn0 0 RX_PACKETS)
check_eq "5 captured frames sent again" \
	"$(ip netns exec l python3 "$here/espcap.py" send veth0 /tmp/esp.cap)" 5
# delta NS TUNNEL COUNTER BASE: how much a counter grew since BASE.
delta() { echo $(($(tunstat "$1" s2svpn0 "$2" "$3") - $4)); }
wait_eq "replayed frames counted as replays" 5 delta r 0 DROP_REPLAY "$replay"
check_eq "replayed frames not delivered" "$(tunstat r s2svpn0 0 RX_PACKETS)" "$rx"

# Wrong key: authentication fails, counted per reason; the right key heals.
auth=$(tunstat r s2svpn0 1 DROP_AUTH)
keyfile /tmp/kbad enc "$(hexkey 16)" salt "$(hexkey 4)"
check "replace r's tunnel 1 inbound SA with a wrong key" sh -c \
	"ip netns exec r $S2SVPNCTL sa del s2svpn0 tunnel 1 dir in spi 0x101 &&
	 ip netns exec r $S2SVPNCTL sa add s2svpn0 tunnel 1 dir in spi 0x101 alg '$ALG' keyfile /tmp/kbad"
ip netns exec l ping -q -c 3 -i 0.2 -W 1 169.254.11.2 >/dev/null 2>&1 &&
	fail "pings passed an SA with the wrong key"
ok "no ping through a wrong key"
check_eq "3 authentication failures counted" "$(($(tunstat r s2svpn0 1 DROP_AUTH) - auth))" 3
check "put the right key back" sh -c \
	"ip netns exec r $S2SVPNCTL sa del s2svpn0 tunnel 1 dir in spi 0x101 &&
	 ip netns exec r $S2SVPNCTL sa add s2svpn0 tunnel 1 dir in spi 0x101 alg '$ALG' keyfile /tmp/k1lr"
ping_check "tunnel 1 works again" l 169.254.11.2

# Garbage at port 4500 from a plain UDP socket: counted, never a crash.
unknown=$(tunstat r s2svpn0 net DROP_UNKNOWN_SPI)
auth=$(tunstat r s2svpn0 0 DROP_AUTH)
malformed=$(tunstat r s2svpn0 0 DROP_MALFORMED)
ip netns exec l python3 - <<'PY' || fail "garbage sender"
import os, random, socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
dst = ("10.0.0.2", 4500)
random.seed(4500)
for _ in range(300):   # unknown SPIs (0x1000.. never installed)
    s.sendto(struct.pack("!II", random.randrange(0x1000, 1 << 32), 1) + os.urandom(random.randrange(0, 200)), dst)
for i in range(200):   # r's tunnel 0 inbound SPI, random payload: ICV fails
    s.sendto(struct.pack("!II", 0x001, 1000000 + i) + os.urandom(random.randrange(26, 300)), dst)
for i in range(100):   # too short for IV and ICV
    s.sendto(struct.pack("!II", 0x001, 2000000 + i) + os.urandom(random.randrange(1, 24)), dst)
for payload in (b"\xff", b"\0\0\0\0ike", b"", b"\x01"):   # keepalive, IKE, runts
    s.sendto(payload, dst)
PY
wait_eq "300 unknown SPIs counted" 300 delta r net DROP_UNKNOWN_SPI "$unknown"
wait_eq "200 forged packets failed authentication" 200 delta r 0 DROP_AUTH "$auth"
wait_eq "100 truncated packets counted malformed" 100 delta r 0 DROP_MALFORMED "$malformed"
ping_check "tunnel 0 unharmed by the garbage" l 169.254.10.2

# Teardown under load: SA delete, socket close, namespace delete, unload.
# The floods run until the test stops them: a deadline ran out before the
# slow steps below on a loaded emulated guest.
ip netns exec l ping -q -f 169.254.10.2 >/dev/null 2>&1 &
flood=$!
sleep 1
nosa=$(tunstat l s2svpn0 0 DROP_NO_SA)
check "delete l's tunnel 0 outbound SA under a flood" ip netns exec l "$S2SVPNCTL" \
	sa del s2svpn0 tunnel 0 dir out spi 0x001
for i in $(seq 20); do
	[ "$(tunstat l s2svpn0 0 DROP_NO_SA)" -gt "$nosa" ] && break
	[ "$i" = 20 ] && fail "no NO_SA drops in 5 s after the delete" \
		"(flood ping $(kill -0 "$flood" 2>/dev/null && echo running || echo gone))"
	sleep 0.25
done
ok "flood without an outbound SA counted as NO_SA drops"
check "delete r's tunnels (closing its socket) under the flood" sh -c \
	"ip netns exec r $S2SVPNCTL tunnel del s2svpn0 0 && ip netns exec r $S2SVPNCTL tunnel del s2svpn0 1"
check "delete namespace r under the flood" ip netns del r
kill -0 "$flood" 2>/dev/null || fail "the flood ended before namespace r was deleted"
kill "$flood"
wait "$flood"
ip netns exec l ping -q -f 192.0.2.1 >/dev/null 2>&1 &
flood=$!
sleep 1
check "unload the module under a flood" timeout 60 rmmod s2svpn
kill "$flood"
wait "$flood"
check_err "device gone with the module" "does not exist" ip -n l link show s2svpn0
echo "# $n_ok checks passed"
