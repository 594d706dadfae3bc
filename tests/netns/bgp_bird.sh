#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# s2svpn-test: once
#
# BGP over both tunnels with BIRD 2, as AWS Site-to-Site VPN does it: one
# eBGP session per tunnel over its inside /30 (keepalive 10 s, hold 30 s),
# plus BFD over the tunnel (300 ms x 3) for fast detection. Routes learned
# over a tunnel's session leave over that tunnel (the device picks the
# tunnel by the route's next hop); when tunnel 1's outside path is
# blackholed, BFD takes its session down, BIRD withdraws its routes and
# traffic moves to tunnel 2 (outage measured by a 20 ms UDP probe); when the
# path comes back, so do the session and the route. Return traffic is
# asymmetric (out on tunnel 1, back on tunnel 2): fine with strict rp_filter
# on the side where one s2svpn device holds both tunnels, dropped by strict
# and passed by loose rp_filter where each tunnel has its own device.
#
#   onhost 192.168.1.10 -- lan0 cgw (customer gateway)       AS 65000
#                             s2svpn0: tunnel 1 169.254.10.2/30, tunnel 2 169.254.11.2/30
#                             s2svpn-iked (both tunnels), bird
#                           wan0 203.0.113.10
#                                  |
#                           inet (forwards; the cut: blackhole 198.51.100.1)
#                                  |
#                           wan0 198.51.100.1 + .2
#                           aws (two tunnel endpoints)          AS 64512
#                             s2svpn0 169.254.10.1/30 (iked #1, local .1)
#                             s2svpn1 169.254.11.1/30 (iked #2, local .2), bird
#   cloudhost 10.10.0.10, 10.20.0.10 -- lan0
#
# Advertised: the cloud 10.10.0.0/24 preferring tunnel 1 and 10.20.0.0/24
# preferring tunnel 2 (AS-path prepend on the other session); on-premises
# 192.168.1.0/24 preferring tunnel 2 (so replies from 10.10.0.10 come back
# over tunnel 2).
. "$(dirname "$0")/lib.sh"
IKED=$S2SVPN_REPO/userspace-ike/s2svpn-iked
PROBE=$S2SVPN_REPO/tests/netns/probe.py
B=/tmp/bgp
pids=""

cleanup() {
	local rc=$? p
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	# On failure, keep the daemons' and BIRD's logs beside the test's.
	if [ "$rc" != 0 ] && [ -n "${S2SVPN_OUT:-}" ]; then
		mkdir -p "$S2SVPN_OUT/bgp_bird.files"
		cp $B/*.log $B/*.bird $B/*.out "$S2SVPN_OUT/bgp_bird.files/" 2>/dev/null
		echo "# logs kept in $S2SVPN_OUT/bgp_bird.files"
	fi
}
trap cleanup EXIT

command -v bird >/dev/null || fail "bird not installed (tests/deps.sh kernel installs bird2)"
s2svpn_load
rm -rf $B
mkdir -p $B

netns_new onhost cgw inet aws cloudhost
veth onhost eth0 cgw lan0
veth cgw wan0 inet i-cgw
veth inet i-aws aws wan0
veth aws lan0 cloudhost eth0
ip -n onhost addr add 192.168.1.10/24 dev eth0
ip -n onhost route add default via 192.168.1.1
ip -n cgw addr add 192.168.1.1/24 dev lan0
ip -n cgw addr add 203.0.113.10/24 dev wan0
ip -n cgw route add default via 203.0.113.1
ip -n inet addr add 203.0.113.1/24 dev i-cgw
ip -n inet addr add 198.51.100.254/24 dev i-aws
ip -n aws addr add 198.51.100.1/24 dev wan0
ip -n aws addr add 198.51.100.2/24 dev wan0
ip -n aws route add default via 198.51.100.254
ip -n aws addr add 10.10.0.1/24 dev lan0
ip -n aws addr add 10.20.0.1/24 dev lan0
ip -n cloudhost addr add 10.10.0.10/24 dev eth0
ip -n cloudhost addr add 10.20.0.10/24 dev eth0
ip -n cloudhost route add default via 10.10.0.1
for ns in cgw inet aws; do
	ip netns exec $ns sysctl -qw net.ipv4.ip_forward=1
done
# Strict reverse-path filtering on the customer gateway, for every device.
ip netns exec cgw sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.default.rp_filter=1

ALGS="phase1_encryption = AES128
phase1_integrity = SHA2-256
phase1_dh_groups = 14
phase2_encryption = AES128-GCM-16
phase2_dh_groups = 14"
iked_conf $B/cgw.conf cgw s2svpn0 203.0.113.10 customer start "$ALGS" \
	198.51.100.1 Tunnel1.psk_bgp 169.254.10.0/30 \
	198.51.100.2 Tunnel2.psk_bgp 169.254.11.0/30
iked_conf $B/aws1.conf aws-t1 s2svpn0 198.51.100.1 aws add "$ALGS" \
	203.0.113.10 Tunnel1.psk_bgp 169.254.10.0/30
iked_conf $B/aws2.conf aws-t2 s2svpn1 198.51.100.2 aws add "$ALGS" \
	203.0.113.10 Tunnel2.psk_bgp 169.254.11.0/30

# Cloud side first: its daemons wait for the customer gateway.
ip netns exec aws "$IKED" -c $B/aws1.conf -S /run/aws1.sock -l debug >$B/aws1.log 2>&1 &
pids="$pids $!"
ip netns exec aws "$IKED" -c $B/aws2.conf -S /run/aws2.sock -l debug >$B/aws2.log 2>&1 &
pids="$pids $!"
sleep 0.5
ip netns exec cgw "$IKED" -c $B/cgw.conf -S /run/cgw.sock -l debug >$B/cgw.log 2>&1 &
pids="$pids $!"

tstate() {
	json "$1" "[t['state'] for d in j['devices'] for t in d['tunnels']]" 2>/dev/null
}
up=""
for i in $(seq 150); do
	if [ "$(tstate cgw)" = "['usable', 'usable']" ]; then
		up=$i
		break
	fi
	sleep 0.1
done
[ -n "$up" ] || fail "tunnels not up after 15 s: $(tstate cgw); $(tail -3 $B/cgw.log)"
ok "s2svpn-iked: both tunnels usable after $((up * 100)) ms"

# bird_conf FILE ROUTER_ID LOCAL_AS PEER_AS LAN_EXPORT SESSION...
#   SESSION: NAME:LOCAL_INSIDE:PEER_INSIDE:PREPEND_FILTER_CONDITION
bird_conf() {
	local f=$1 rid=$2 las=$3 pas=$4 lan=$5 s name laddr peer prep
	shift 5
	cat >"$f" <<CONF
router id $rid;
log "$f.log" all;
debug protocols { states, events };
protocol device { scan time 2; }
protocol direct { ipv4; interface "lan0"; }
protocol kernel { ipv4 { import none; export where source = RTS_BGP; }; }
protocol bfd {
	interface "s2svpn*" {
		min rx interval 300 ms;
		min tx interval 300 ms;
		multiplier 3;
	};
}
CONF
	for s in "$@"; do
		IFS=: read -r name laddr peer prep <<<"$s"
		cat >>"$f" <<CONF
protocol bgp $name {
	local $laddr as $las;
	neighbor $peer as $pas;
	keepalive time 10;
	hold time 30;
	bfd on;
	ipv4 {
		import all;
		export filter {
			if ! (net ~ [ $lan ]) then reject;
			if $prep then bgp_path.prepend($las);
			accept;
		};
	};
}
CONF
	done
}
bird_conf $B/cgw.bird 192.168.1.1 65000 64512 192.168.1.0/24 \
	"t1:169.254.10.2:169.254.10.1:true" "t2:169.254.11.2:169.254.11.1:false"
bird_conf $B/aws.bird 10.10.0.1 64512 65000 "10.10.0.0/24, 10.20.0.0/24" \
	"t1:169.254.10.1:169.254.10.2:net = 10.20.0.0/24" \
	"t2:169.254.11.1:169.254.11.2:net = 10.10.0.0/24"
for side in cgw aws; do
	ip netns exec $side bird -p -c $B/$side.bird || fail "bird -p: $side.bird does not parse"
	ip netns exec $side bird -f -c $B/$side.bird -s $B/$side.ctl -P $B/$side.pid >$B/$side.bird.out 2>&1 &
	pids="$pids $!"
done

birdc_() {
	ip netns exec "$1" birdc -s "$B/$1.ctl" "${@:2}"
}
established() {
	birdc_ "$1" show protocols "$2" 2>/dev/null | grep -c "Established"
}
up=""
for i in $(seq 300); do
	if [ "$(established cgw t1)$(established cgw t2)$(established aws t1)$(established aws t2)" = 1111 ]; then
		up=$i
		break
	fi
	sleep 0.1
done
[ -n "$up" ] || fail "BGP sessions not Established in 30 s: $(birdc_ cgw show protocols | tr '\n' ' ')"
ok "BGP: t1 and t2 Established on both sides after $((up * 100)) ms"
birdc_ cgw show protocols | sed 's/^/#   /'
birdc_ cgw show bfd sessions | sed 's/^/#   /'
bfd=$(birdc_ cgw show bfd sessions | grep -c ' Up ')
check_eq "BFD: a session per tunnel, both Up" "$bfd" 2

# route_via NS PREFIX: the gateway of the kernel's route (BIRD's, once it is in).
route_via() {
	ip -n "$1" -j route show "$2" proto bird |
		python3 -c 'import json,sys; r=json.load(sys.stdin); print(r[0].get("gateway","") + " " + r[0]["dev"] if r else "none")'
}
wait_eq "10.10.0.0/24 installed via tunnel 1's inside peer" "169.254.10.1 s2svpn0" \
	route_via cgw 10.10.0.0/24
wait_eq "10.20.0.0/24 installed via tunnel 2's inside peer" "169.254.11.1 s2svpn0" \
	route_via cgw 10.20.0.0/24
wait_eq "cloud side: 192.168.1.0/24 via tunnel 2 (s2svpn1)" "169.254.11.2 s2svpn1" \
	route_via aws 192.168.1.0/24
check_eq "onhost's pings follow BIRD's routes, not the active tunnel" \
	"$(json cgw 'j["devices"][0]["active_tunnel"]')" 0

ping20() {
	ip netns exec onhost ping -q -c 20 -s 1200 -i 0.01 -W 2 "$1" >/dev/null 2>&1
}
# bgp_state: one line on the routing state, for failure messages.
bgp_state() {
	local side
	for side in cgw aws; do
		printf '%s: %s; ' "$side" "$(birdc_ $side show protocols | awk '$1 ~ /^t[12]$/ {$2 = $3 = $5 = ""; print}' | paste -sd, -)"
		printf 'bfd %s; ' "$(birdc_ $side show bfd sessions | awk '/s2svpn/ {print $2, $3}' | paste -sd, -)"
	done
	printf 'cgw 10.10.0.0/24: %s; aws 192.168.1.0/24: %s; ' \
		"$(route_via cgw 10.10.0.0/24)" "$(route_via aws 192.168.1.0/24)"
	printf 'tunnels: %s; bird log: %s' "$(tstate cgw)" \
		"$(grep -hE 'bfd1:|t1:|t2:' $B/cgw.bird.log $B/aws.bird.log | tail -n 4 | paste -sd'|' -)"
}
# via_tunnel WHAT ADDR TUNNEL: 20 pings of 1200 bytes from onhost to ADDR
# must leave on TUNNEL (BGP and BFD add about 100 bytes per packet to both).
# ADDR's /24 must be routed via TUNNEL's inside peer first: if a BFD session
# missed its packets to a stalled CPU (this is a one-CPU emulator), BIRD took
# the BGP session down and retries it after its error wait time (60 s), so
# wait up to 90 s for the route, saying why it was gone.
via_tunnel() {
	local what=$1 addr=$2 tun=$3 other=$((1 - $3)) a0 b0 a1 b1 i
	local prefix=${2%.*}.0/24 want="169.254.1$3.1 s2svpn0"
	if [ "$(route_via cgw "$prefix")" != "$want" ]; then
		echo "# $prefix not via $want before '$what': $(bgp_state)"
		i=$((SECONDS + 90))
		while [ $SECONDS -lt $i ]; do
			[ "$(route_via cgw "$prefix")" = "$want" ] && break
			sleep 0.2
		done
		[ "$(route_via cgw "$prefix")" = "$want" ] ||
			fail "$what: $prefix not via $want in 90 s; $(bgp_state)"
		echo "# $prefix via $want again"
	fi
	a0=$(tunstat cgw s2svpn0 "$tun" TX_BYTES)
	b0=$(tunstat cgw s2svpn0 "$other" TX_BYTES)
	ping20 "$addr" || fail "$what: no answer to 20 pings of $addr from onhost; $(bgp_state)"
	a1=$(tunstat cgw s2svpn0 "$tun" TX_BYTES)
	b1=$(tunstat cgw s2svpn0 "$other" TX_BYTES)
	[ $((a1 - a0)) -ge 24000 ] && [ $((b1 - b0)) -lt 24000 ] ||
		fail "$what: tunnel $tun sent $((a1 - a0)) B, tunnel $other $((b1 - b0)) B for 20 x 1200 B pings"
	ok "$what: tunnel $tun sent $((a1 - a0)) B, tunnel $other $((b1 - b0)) B"
}
via_tunnel "onhost -> 10.10.0.10 leaves on tunnel 1 (kernel tunnel 0)" 10.10.0.10 0
via_tunnel "onhost -> 10.20.0.10 leaves on tunnel 2 (kernel tunnel 1)" 10.20.0.10 1

# Asymmetric: 10.10.0.10's replies come back over tunnel 2. The cloud side
# has a device per tunnel: strict rp_filter drops the requests that arrive
# on s2svpn0 while the route back is via s2svpn1; loose lets them through.
rx0=$(tunstat cgw s2svpn0 1 RX_PACKETS)
ip netns exec aws sysctl -qw net.ipv4.conf.all.rp_filter=1
if out=$(ip netns exec onhost ping -c 3 -i 0.2 -W 1 10.10.0.10 2>&1); then
	fail "strict rp_filter on the cloud side (a device per tunnel) let asymmetric traffic in: $(echo "$out" | tail -2 | tr '\n' ' ') cloud: $(ip -n aws route show 192.168.1.0/24) cgw: $(ip -n cgw route show 10.10.0.0/24); rp_filter $(ip netns exec aws sysctl -n net.ipv4.conf.all.rp_filter net.ipv4.conf.s2svpn0.rp_filter net.ipv4.conf.s2svpn1.rp_filter | tr '\n' ' ')"
fi
ok "cloud side, a device per tunnel: strict rp_filter drops asymmetric traffic"
ip netns exec aws sysctl -qw net.ipv4.conf.all.rp_filter=2
ping_check "cloud side with loose rp_filter (2): asymmetric ping answered" onhost 10.10.0.10
rx1=$(tunstat cgw s2svpn0 1 RX_PACKETS)
[ $((rx1 - rx0)) -ge 3 ] || fail "replies did not come back over tunnel 2 ($((rx1 - rx0)) packets)"
ok "replies from 10.10.0.10 came back over tunnel 2 ($((rx1 - rx0)) packets) into a strict rp_filter (1) customer gateway"
tcp_check "TCP 1 MiB onhost <- cloudhost, asymmetric, verified" cloudhost 10.10.0.10 onhost 1048576

# The cut: tunnel 1's outside path blackholed both ways, a 20 ms probe running.
ip netns exec cloudhost python3 "$PROBE" echo 10.10.0.10 7777 >$B/echo.out 2>&1 &
pids="$pids $!"
for _ in $(seq 50); do
	grep -q ready $B/echo.out && break
	sleep 0.1
done
ip netns exec onhost python3 "$PROBE" send 10.10.0.10 7777 20 >$B/probe.out 2>$B/probe.err &
probe=$!
sleep 2
ip -n inet route add blackhole 198.51.100.1/32
ip -n inet rule add from 198.51.100.1 blackhole
t0=$(date +%s.%N)
ok "cut: tunnel 1's outside path (198.51.100.1) blackholed both ways"
down=""
for i in $(seq 100); do
	if [ "$(route_via cgw 10.10.0.0/24)" = "169.254.11.1 s2svpn0" ]; then
		down=$(echo "$(date +%s.%N) - $t0" | bc)
		break
	fi
	sleep 0.05
done
[ -n "$down" ] || fail "10.10.0.0/24 not moved to tunnel 2 in 5 s: $(route_via cgw 10.10.0.0/24); $(birdc_ cgw show protocols | tr '\n' ' ')"
ok "BFD down, BIRD withdrew t1's route: 10.10.0.0/24 via 169.254.11.1 after $(printf %.2f "$down") s"
sleep 3
kill -TERM $probe
wait $probe
read -r _ sent _ got _ lost _ gap _ <$B/probe.out
echo "# probe: $(cat $B/probe.out)"
[ "$got" -gt 0 ] || fail "probe: no answer at all"
[ "$gap" -lt 3000 ] || fail "outage ${gap} ms: longer than BFD detection should allow"
ok "outage measured by a 20 ms UDP probe: ${gap} ms ($lost of $sent probes lost)"
grep -E "t1" $B/cgw.bird.log | tail -4 | sed "s/^/#   bird: /"
check_eq "t1 down on the customer gateway" "$(established cgw t1)" 0
check_eq "t2 still Established" "$(established cgw t2)" 1
via_tunnel "after the cut, onhost -> 10.10.0.10 leaves on tunnel 2" 10.10.0.10 1
grep -E "failover|peer dead" $B/cgw.log | tail -2 | sed 's/^/#   /'

# The path comes back: s2svpn-iked re-establishes tunnel 1 (backoff), then
# BGP, then the route.
ip -n inet rule del from 198.51.100.1 blackhole
ip -n inet route del blackhole 198.51.100.1/32
t0=$(date +%s.%N)
back=""
for i in $(seq 450); do
	if [ "$(route_via cgw 10.10.0.0/24)" = "169.254.10.1 s2svpn0" ]; then
		back=$(echo "$(date +%s.%N) - $t0" | bc)
		break
	fi
	sleep 0.1
done
[ -n "$back" ] || fail "10.10.0.0/24 not back on tunnel 1 45 s after the path came back: $(tstate cgw); $(birdc_ cgw show protocols | tr '\n' ' ')"
ok "path restored: tunnel 1, its BGP session and 10.10.0.0/24 via 169.254.10.1 back after $(printf %.1f "$back") s"
# On 6.12-debug the first pings right after the route came back were lost
# once (all 20): wait until one is answered, then count.
for i in $(seq 20); do
	ip netns exec onhost ping -q -c 1 -W 1 10.10.0.10 >/dev/null 2>&1 && break
done
echo "# first answer over tunnel 1 again after $i attempt(s)"
via_tunnel "onhost -> 10.10.0.10 on tunnel 1 again" 10.10.0.10 0
grep -E "tunnel 1 .*(initiat|retry|again|established|dead|failback|closed)" $B/cgw.log | tail -12 | sed 's/^/#   cgw: /'

cleanup
trap - EXIT
echo "# $n_ok checks passed"
