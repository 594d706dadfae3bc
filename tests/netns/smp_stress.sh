#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SMP stress (QEMU, two vCPUs, Debian's kernels and their SIMD/cryptd crypto
# drivers): TCP streams in opposite directions pinned to different CPUs and
# ping floods both ways through one device, while both directions' SAs are
# swapped make-before-break as fast as the control path goes (new inbound,
# outbound switched, old inbound deleted) and the active tunnel flips. The
# transfers are checksum-verified, and every ESP packet a side sent is
# accounted for on the other: received, or counted in exactly one drop
# reason. Then the device is deleted and the module unloaded under a flood.
#
#   netns l                                        netns r
#   lo 198.51.100.1/32                             lo 192.0.2.1/32
#   s2svpn0 169.254.10.1/30 (t0), .11.1/30 (t1)    s2svpn0 169.254.10.2/30, .11.2/30
#   veth0 10.0.0.1/24, 10.0.1.1/24 --------------- veth1 10.0.0.2/24, 10.0.1.2/24
#
# s2svpn-test: qemu-only
. "$(dirname "$0")/lib.sh"
here=$S2SVPN_REPO/tests/netns
ALG='rfc4106(gcm(aes))'
SECONDS_=${SMP_STRESS_SECONDS:-20}
last_cpu=$(($(nproc) - 1))

s2svpn_load
netns_new l r
veth l veth0 r veth1
ip -n l addr add 10.0.0.1/24 dev veth0
ip -n l addr add 10.0.1.1/24 dev veth0
ip -n r addr add 10.0.0.2/24 dev veth1
ip -n r addr add 10.0.1.2/24 dev veth1
ip -n l addr add 198.51.100.1/32 dev lo
ip -n r addr add 192.0.2.1/32 dev lo

# SPIs: 0x<gen><tunnel><dir>, dir 1 = left to right, 2 = right to left;
# a fresh key for every SA.
spi() { printf '0x%x%x%x' "$1" "$2" "$3"; }
newkey() { keyfile "$1" enc "$(hexkey 16)" salt "$(hexkey 4)"; }
ctl_in() { ip netns exec "$1" "$S2SVPNCTL" "${@:2}"; }

side() {
	local ns=$1 me=$2 peer=$3 route=$4 t
	ip -n "$ns" link add s2svpn0 type s2svpn
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.s2svpn0.disable_ipv6=1
	ip -n "$ns" addr add "169.254.10.$me/30" dev s2svpn0
	ip -n "$ns" addr add "169.254.11.$me/30" dev s2svpn0
	ip -n "$ns" link set s2svpn0 up
	ip -n "$ns" route add "$route" dev s2svpn0
	for t in 0 1; do
		ctl_in "$ns" tunnel set s2svpn0 "$t" local "10.0.$t.$me" \
			remote "10.0.$t.$peer" inside-peer "169.254.1$t.$peer" || return 1
	done
}
check "left router: two tunnels" side l 1 2 192.0.2.0/24
check "right router: two tunnels" side r 2 1 198.51.100.0/24

# rekey GEN TUNNEL DIR: install generation GEN of one direction's SA pair,
# make-before-break: the receiver's new inbound first, then the sender's
# outbound (replacing its old one), then the receiver's old inbound goes.
rekey() {
	local gen=$1 t=$2 dir=$3 tx rx new old
	[ "$dir" = 1 ] && { tx=l; rx=r; } || { tx=r; rx=l; }
	new=$(spi "$gen" "$t" "$dir")
	newkey "/tmp/smp.key"
	ctl_in "$rx" sa add s2svpn0 tunnel "$t" dir in spi "$new" alg "$ALG" \
		keyfile /tmp/smp.key || return 1
	ctl_in "$tx" sa add s2svpn0 tunnel "$t" dir out spi "$new" alg "$ALG" \
		keyfile /tmp/smp.key || return 1
	[ "$gen" -gt 1 ] || return 0
	old=$(spi $((gen - 1)) "$t" "$dir")
	ctl_in "$rx" sa del s2svpn0 tunnel "$t" dir in spi "$old"
}
setup_sas() {
	local t d
	for t in 0 1; do for d in 1 2; do rekey 1 "$t" "$d" || return 1; done; done
}
check "four SA pairs installed" setup_sas
ping_check "tunnel 0 passes traffic" l 169.254.10.2
ping_check "tunnel 1 passes traffic" l 169.254.11.2

# Opposite TCP streams on different CPUs, ping floods both ways.
port=6000
ip netns exec r taskset -c 0 python3 "$here/tcp_xfer.py" serve 192.0.2.1 $port \
	>/tmp/smp.lr.got 2>&1 &
srv_lr=$!
ip netns exec l taskset -c "$last_cpu" python3 "$here/tcp_xfer.py" serve 198.51.100.1 \
	$((port + 1)) >/tmp/smp.rl.got 2>&1 &
srv_rl=$!
sleep 1
ip netns exec l taskset -c 0 timeout $((SECONDS_ + 120)) python3 "$here/tcp_xfer.py" \
	send 192.0.2.1 $port 16777216 "$SECONDS_" >/tmp/smp.lr.sent 2>&1 &
cli_lr=$!
ip netns exec r taskset -c "$last_cpu" timeout $((SECONDS_ + 120)) python3 \
	"$here/tcp_xfer.py" send 198.51.100.1 $((port + 1)) 16777216 "$SECONDS_" \
	>/tmp/smp.rl.sent 2>&1 &
cli_rl=$!
ip netns exec l taskset -c "$last_cpu" ping -q -f -w "$SECONDS_" -I 198.51.100.1 \
	192.0.2.1 >/tmp/smp.ping.l 2>&1 &
ping_l=$!
ip netns exec r taskset -c 0 ping -q -f -w "$SECONDS_" -I 192.0.2.1 198.51.100.1 \
	>/tmp/smp.ping.r 2>&1 &
ping_r=$!

# Rekey both directions of both tunnels and flip the active tunnel every
# 100 ms until the traffic's time is up (one process, ahead of the traffic
# in the scheduler, or the floods starve the control path).
churn=$(nice -n -10 python3 "$here/sa_churn.py" l r s2svpn0 "$SECONDS_")
wait "$ping_l" "$ping_r"
echo "# $churn"
read -r _ rekeys _ flips _ errors first <<<"$churn"
check_eq "no SA install or delete failed${first:+ ($first)}" "$errors" 0
ok "$rekeys SA pairs swapped and $flips active-tunnel switches under traffic"
[ "$rekeys" -ge $((SECONDS_ * 10)) ] || fail "only $rekeys SA swaps in $SECONDS_ s"

wait "$cli_lr" "$cli_rl"
wait "$srv_lr" "$srv_rl"
for d in lr rl; do
	[ -s /tmp/smp.$d.sent ] && [ "$(cat /tmp/smp.$d.sent)" = "$(cat /tmp/smp.$d.got)" ] ||
		fail "TCP $d: sent '$(cat /tmp/smp.$d.sent)', received '$(cat /tmp/smp.$d.got)'"
	ok "TCP $d: $(cut -d' ' -f1 /tmp/smp.$d.sent) bytes, SHA-256 verified"
done
grep -E 'packets transmitted' /tmp/smp.ping.l /tmp/smp.ping.r | sed 's/^/# /'

# Accounting, with the traffic over: every ESP packet one side's tunnels sent
# was received by the other's, or dropped there for one counted reason, or
# dropped by the veth between them.
sleep 1
# counters NS: "NAME=VALUE" words, tunnel counters summed over both tunnels.
counters() {
	ip netns exec "$1" python3 - "$here" s2svpn0 <<'PY'
import socket, sys
sys.path.insert(0, sys.argv[1])
from genl import S2svpn, A, T, ST, parse_attrs, tunnels, u
r = S2svpn().do("DEV_GET", [(A.IFINDEX, ("u32", socket.if_nametoindex(sys.argv[2])))])[0]
tot = {}
for t in tunnels(r[2]).values():
    for k, v in parse_attrs(t[T.STATS]).items():
        tot[k] = tot.get(k, 0) + u(v)
net = parse_attrs(r[1][A.NET_STATS])
names = {v: k for k, v in vars(ST).items() if k.isupper()}
out = ["%s=%d" % (names[k], v) for k, v in sorted(tot.items()) if k in names]
out.append("NET_DROP_UNKNOWN_SPI=%d" % u(net.get(ST.DROP_UNKNOWN_SPI)))
print(" ".join(out))
PY
}
# account SENDER RECEIVER RX_VETH TX_VETH
account() {
	local s r sent got drops veth
	s=$(counters "$1") && r=$(counters "$2") && [ -n "$s" ] && [ -n "$r" ] ||
		fail "reading the counters of $1 and $2"
	echo "# $1: $s"
	echo "# $2: $r"
	val() { sed -nE "s/.*(^| )$2=([0-9]+).*/\2/p" <<<"$1"; }
	sent=$(val "$s" TX_PACKETS)
	got=$(val "$r" RX_PACKETS)
	drops=$(($(val "$r" DROP_REPLAY) + $(val "$r" DROP_AUTH) + $(val "$r" DROP_TRAILER) +
		$(val "$r" DROP_MALFORMED) + $(val "$r" NET_DROP_UNKNOWN_SPI)))
	veth=$(($(link_stat "$2" "$3" rx_dropped) + $(link_stat "$1" "$4" tx_dropped)))
	echo "# $1 -> $2: sent $sent, received $got, dropped by $2 $drops, by veth $veth"
	[ "$sent" -gt 1000 ] || fail "$1 -> $2: only $sent ESP packets sent"
	check_eq "$1 -> $2: every ESP packet received or counted in one drop reason" \
		"$((got + drops + veth))" "$sent"
	check_eq "$2: no receive-side crypto or memory failure (DROP_OTHER)" "$(val "$r" DROP_OTHER)" 0
}
account l r veth1 veth0
account r l veth0 veth1

# Teardown under load: device delete, then module unload.
ip netns exec l ping -q -f -w 6 192.0.2.1 >/dev/null 2>&1 &
flood=$!
ip netns exec r ping -q -f -w 6 198.51.100.1 >/dev/null 2>&1 &
flood2=$!
sleep 1
check "delete l's device under floods both ways" ip -n l link del s2svpn0
sleep 1
check "unload the module under a flood" timeout 60 rmmod s2svpn
wait "$flood" "$flood2"
check_err "device gone with the module" "does not exist" ip -n r link show s2svpn0
echo "# $n_ok checks passed"
