#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# s2svpn-test: once
#
# Two tunnels, one dies: s2svpn-iked moves traffic to the other within the
# DPD bound, fails back when the first returns, routes the remote prefixes
# only while a tunnel is up, and a paced TCP transfer survives it all.
#
#   netns l: on-premises router           netns inet        netns aws: two endpoints
#   lan0 198.51.100.1/24 (the "host")                        lan0 192.0.2.1/24 (the "host")
#   s2svpn-iked, tunnels 1 and 2                             s2svpn-iked A: s2svpn0, 10.0.2.1
#   s2svpn0 .10.2/30 .11.2/30                                s2svpn-iked B: s2svpn1, 10.0.2.2
#   veth0 10.0.1.1 ---------- 10.0.1.254 | 10.0.2.254 ------ veth1 10.0.2.1, 10.0.2.2
#
# The cloud side has one device per endpoint, like AWS's two tunnel
# endpoints; its static routes to the on-premises LAN differ in metric and
# ignore_routes_with_linkdown skips the device whose tunnel lost its SA.
. "$(dirname "$0")/lib.sh"
IKED=$S2SVPN_REPO/userspace-ike/s2svpn-iked
here=$(dirname "$0")
DPD_INTERVAL=1
DPD_TIMEOUT=2
BOUND_MS=$(((DPD_INTERVAL + DPD_TIMEOUT + 1) * 1000))

s2svpn_load
netns_new l inet aws
veth l veth0 inet i0
veth inet i1 aws veth1
ip -n l addr add 10.0.1.1/24 dev veth0
ip -n l route add default via 10.0.1.254
ip -n inet addr add 10.0.1.254/24 dev i0
ip -n inet addr add 10.0.2.254/24 dev i1
ip netns exec inet sysctl -qw net.ipv4.ip_forward=1
ip -n aws addr add 10.0.2.1/24 dev veth1
ip -n aws addr add 10.0.2.2/24 dev veth1
ip -n aws route add default via 10.0.2.254
ip netns exec aws sysctl -qw net.ipv4.conf.all.ignore_routes_with_linkdown=1
for ns in l aws; do
	ip -n $ns link add lan0 type dummy
	ip -n $ns link set lan0 up
done
ip -n l addr add 198.51.100.1/24 dev lan0
ip -n aws addr add 192.0.2.1/24 dev lan0

# conf FILE NAME DEVICE LOCAL PREFIX METRIC STARTUP, then [tunnelN] lines.
conf() {
	(umask 077 && cat >"$1") <<CONF
[connection]
name = $2
device = $3
local_address = $4
remote_prefixes = $5
route_metric = $6
startup_action = $7
phase1_encryption = AES128
phase1_integrity = SHA2-256
phase1_dh_groups = 19
phase2_encryption = AES128-GCM-16
phase2_dh_groups = 19
dpd_interval = $DPD_INTERVAL
dpd_timeout = $DPD_TIMEOUT
CONF
}
tunnel() {	# FILE N OUTSIDE PSK INSIDE ROLE
	cat >>"$1" <<CONF

[tunnel$2]
outside_address = $3
psk = $4
inside_cidr = $5
inside_role = $6
CONF
}
conf /tmp/l.conf onprem s2svpn0 10.0.1.1 192.0.2.0/24 0 start
tunnel /tmp/l.conf 1 10.0.2.1 Tunnel.one_psk 169.254.10.0/30 customer
tunnel /tmp/l.conf 2 10.0.2.2 Tunnel.two_psk 169.254.11.0/30 customer
conf /tmp/a.conf aws-a s2svpn0 10.0.2.1 198.51.100.0/24 100 add
tunnel /tmp/a.conf 1 10.0.1.1 Tunnel.one_psk 169.254.10.0/30 aws
conf /tmp/b.conf aws-b s2svpn1 10.0.2.2 198.51.100.0/24 200 add
tunnel /tmp/b.conf 1 10.0.1.1 Tunnel.two_psk 169.254.11.0/30 aws
for f in l a b; do
	check "$f.conf valid" "$IKED" --check -c /tmp/$f.conf
done

start_aws() {	# a|b
	ip netns exec aws "$IKED" -c /tmp/$1.conf -S /run/iked-$1.sock -l debug >>/tmp/$1.log 2>&1 &
	eval "${1}pid=$!"
}
start_aws a
start_aws b
sleep 0.3
ip netns exec l "$IKED" -c /tmp/l.conf -S /run/iked-l.sock -l debug >/tmp/l.log 2>&1 &
lpid=$!

lstatus() { ip netns exec l "$S2SVPNCTL" -S /run/iked-l.sock "$@"; }
both_up() {
	[ "$(json l '" ".join(t["state"] for t in j["devices"][0]["tunnels"])' 2>/dev/null)" = "usable usable" ]
}
for _ in $(seq 150); do both_up && break; sleep 0.1; done
both_up || fail "both tunnels not up in 15 s: $(tail -5 /tmp/l.log)"
ok "both tunnels up"
check_eq "tunnel 1 (kernel tunnel 0) active, the preferred one" \
	"$(json l 'j["devices"][0]["active_tunnel"]')" 0
check_eq "static route to the cloud LAN via the device" \
	"$(ip -n l -j route show 192.0.2.0/24 | python3 -c 'import json,sys; r=json.load(sys.stdin)[0]; print(r["dev"], r["protocol"])')" \
	"s2svpn0 static"
check_eq "cloud side: both return routes, by metric" \
	"$(ip -n aws route show 198.51.100.0/24 | awk '{print $3, $NF}' | tr '\n' ' ')" \
	"s2svpn0 100 s2svpn1 200 "

ip netns exec aws python3 "$here/probe.py" echo 192.0.2.1 7000 >/tmp/echo.out 2>&1 &
echo=$!
for _ in $(seq 100); do grep -q ready /tmp/echo.out && break; sleep 0.1; done

# probe_start / probe_stop NAME: the longest gap between echoes meanwhile.
probe_start() {
	rm -f /tmp/probe.err
	ip netns exec l python3 "$here/probe.py" send 192.0.2.1 7000 20 198.51.100.1 \
		>/tmp/probe.out 2>/tmp/probe.err &
	probe=$!
	for _ in $(seq 100); do grep -q ready /tmp/probe.err && break; sleep 0.1; done
}
probe_stop() {
	kill -TERM "$probe"
	wait "$probe"
	# sent N received N lost N longest_gap_ms G gap_start_s S gap_start_epoch_ms E
	read -r _ sent _ received _ _ _ gap _ _ _ gap_at </tmp/probe.out
}
# wait_active N WHAT: until the kernel's active tunnel is N (up to 60 s).
wait_active() {
	for _ in $(seq 600); do
		[ "$(json l 'j["devices"][0]["active_tunnel"]')" = "$1" ] && return 0
		sleep 0.1
	done
	fail "$2: active tunnel not $1 after 60 s: $(lstatus show)"
}

# A transfer paced over the first failover and failback.
port=$((5000 + RANDOM % 1000))
ip netns exec aws python3 "$here/tcp_xfer.py" serve 192.0.2.1 $port >/tmp/tcp.out 2>&1 &
tcpsrv=$!
ip netns exec l timeout 150 python3 "$here/tcp_xfer.py" send 192.0.2.1 $port 6291456 25 \
	>/tmp/tcp.want 2>&1 &
tcpcli=$!

# 1. Blackhole tunnel 1's outside path.
probe_start
sleep 1
cut=$(date +%s%3N)
ip -n inet route add blackhole 10.0.2.1/32
wait_active 1 "blackholed tunnel 1"
sleep 2
probe_stop
[ "$received" -gt 0 ] || fail "no echo at all: $sent sent"
# last_failover_ms: when the daemon last failed over, from its history (UTC, ms).
last_failover_ms() {
	lstatus show | python3 -c '
import sys, datetime
at = ""
for l in sys.stdin:
    f = l.split()
    if len(f) > 1 and f[1] == "failover":
        t = datetime.datetime.strptime(f[0], "%Y-%m-%dT%H:%M:%S.%fZ")
        at = round(t.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)
print(at)'
}
fo_at=$(last_failover_ms)
[ -n "$fo_at" ] || fail "no failover in the history: $(lstatus show)"
echo "# failover: outage $gap ms (probes every 20 ms; DPD interval ${DPD_INTERVAL} s," \
	"timeout ${DPD_TIMEOUT} s); path cut to switch $((fo_at - cut)) ms," \
	"switch to traffic back $((gap_at + gap - fo_at)) ms"
[ $((gap_at + gap - fo_at)) -le 1000 ] ||
	fail "traffic back $((gap_at + gap - fo_at)) ms after the daemon switched (goal: 1 s)"
ok "traffic back within 1 s of the daemon declaring the tunnel dead"
[ "$gap" -le "$BOUND_MS" ] || fail "failover outage $gap ms over the bound $BOUND_MS ms"
ok "failover after a blackhole: traffic back in $gap ms (bound $BOUND_MS ms)"
grep -q "failover: tunnel 2 active (failover: tunnel 1 down (peer dead (DPD)))" /tmp/l.log ||
	fail "failover not logged: $(grep -i fail /tmp/l.log | tail -3)"
ok "failover logged with its reason"
check_eq "cloud side withdrew tunnel 1's route" \
	"$(ip -n aws route show 198.51.100.0/24 | awk '{print $3}' | tr '\n' ' ')" "s2svpn1 "

# 2. The path comes back: tunnel 1 is re-established and traffic fails back.
probe_start
ip -n inet route del blackhole 10.0.2.1/32
wait_active 0 "path restored"
sleep 1
probe_stop
echo "# failback: longest gap $gap ms, $received of $sent echoes"
[ "$gap" -le 500 ] || fail "failback lost traffic for $gap ms"
ok "failback to tunnel 1 without an outage (longest gap $gap ms)"
show=$(lstatus show)
grep -q "^    failovers: 1, failbacks: 1$" <<<"$show" || fail "show: $show"
grep -q "failover  1 -> 2  failover: tunnel 1 down (peer dead (DPD))" <<<"$show" ||
	fail "history: $show"
grep -q "failback  2 -> 1  failback: preferred tunnel 1 up again" <<<"$show" || fail "history: $show"
ok "s2svpnctl show: failover and failback in the history"

wait "$tcpcli" || fail "paced TCP transfer: $(cat /tmp/tcp.want)"
wait "$tcpsrv"
check_eq "6 MiB TCP transfer survived failover and failback, verified" \
	"$(cat /tmp/tcp.out)" "$(cat /tmp/tcp.want)"

# 3. The peer's daemon is killed, then restarted.
probe_start
kill -9 "$apid"
wait "$apid" 2>/dev/null
wait_active 1 "killed peer daemon"
sleep 2
probe_stop
echo "# peer daemon killed: outage $gap ms"
[ "$gap" -le "$BOUND_MS" ] || fail "outage $gap ms after the peer's daemon died, bound $BOUND_MS ms"
ok "peer daemon killed: traffic on tunnel 2 within $gap ms"
probe_start
start_aws a
wait_active 0 "peer daemon restarted"
sleep 1
probe_stop
[ "$gap" -le 500 ] || fail "failback after the restart lost traffic for $gap ms"
ok "peer daemon restarted: back on tunnel 1, longest gap $gap ms"

m=$(ip netns exec l "$S2SVPNCTL" -S /run/iked-l.sock metrics s2svpn0)
grep -q '^s2svpn_failovers_total{device="s2svpn0"} 2$' <<<"$m" || fail "metrics: $m"
grep -q '^s2svpn_tunnel_state{device="s2svpn0",tunnel="1",outside_ip="10.0.2.1"} 1$' <<<"$m" ||
	fail "metrics: $m"
grep -q '^s2svpn_tunnel_data_out_bytes_total{device="s2svpn0",tunnel="2",outside_ip="10.0.2.2"} [1-9]' \
	<<<"$m" || fail "metrics: $m"
ok "s2svpnctl metrics: tunnel state, data out, 2 failovers"

# 3b. A one-way failure: our packets to tunnel 1's endpoint are lost while
# the cloud keeps sending over tunnel 1, so its ESP keeps arriving and we
# have no reason of our own to check it. Its liveness check, which it sends
# because it stops hearing us, makes us check at once; without that we
# would notice only after the cloud gave up and its traffic moved to
# tunnel 2, twice the DPD bound.
asked0=$(grep -c "peer checked our liveness: checking that our packets reach it" /tmp/l.log)
tunstat_log l s2svpn0 0 RX_PACKETS /tmp/rx.log
sampler=$!
ip netns exec aws ping -q -i 0.05 -s 64 198.51.100.1 >/dev/null 2>&1 &
cloud_ping=$!
probe_start
for _ in $(seq 50); do [ -s /tmp/rx.log ] && break; sleep 0.1; done
start=$(date +%s%3N)
sleep 1
cut=$(date +%s%3N)
ip -n inet route add blackhole 10.0.2.1/32
wait_active 1 "one-way failure"
fo_at=$(last_failover_ms)
kill "$sampler"
wait "$sampler" 2>/dev/null
# Counts from the sampled log, by time: the one second before the cut, and
# from the cut to our switch.
rx0=$(tunstat_at /tmp/rx.log "$start")
rx1=$(tunstat_at /tmp/rx.log "$cut")
rx2=$(tunstat_at /tmp/rx.log "$fo_at")
# Before the cut the probe's echoes come back too; after it only the cloud's
# own pings (20 a second) and liveness checks can arrive: unless they keep
# arriving, this is not the one-way failure it is meant to be.
[ $((rx1 - rx0)) -gt 20 ] || fail "one-way failure: tunnel 1 idle before the cut ($((rx1 - rx0)) packets)"
[ $((rx2 - rx1)) -ge 10 ] ||
	fail "one-way failure: only $((rx2 - rx1)) packets arrived on tunnel 1 after the cut"
echo "# one-way failure: $((rx2 - rx1)) packets arrived on tunnel 1 between the cut and the switch"
probe_stop
kill "$cloud_ping"
wait "$cloud_ping" 2>/dev/null
echo "# one-way failure: outage $gap ms, path cut to switch $((fo_at - cut)) ms"
[ "$gap" -le "$BOUND_MS" ] || fail "one-way failure: outage $gap ms over the bound $BOUND_MS ms"
[ "$(grep -c "peer checked our liveness: checking that our packets reach it" /tmp/l.log)" -gt \
	"$asked0" ] || fail "one-way failure: the peer's liveness check did not start ours"
ok "one-way failure (cloud traffic still arriving): traffic back in $gap ms (bound $BOUND_MS ms)"
probe_start
ip -n inet route del blackhole 10.0.2.1/32
wait_active 0 "one-way failure repaired"
sleep 1
probe_stop
[ "$gap" -le 500 ] || fail "failback after the one-way failure lost traffic for $gap ms"
ok "one-way failure repaired: back on tunnel 1, longest gap $gap ms"

# 4. Both peers leave: the route to the cloud LAN is withdrawn.
kill -TERM "$apid" "$bpid"
wait "$apid" "$bpid"
for _ in $(seq 100); do
	[ -z "$(ip -n l route show 192.0.2.0/24)" ] && break
	sleep 0.1
done
check_eq "no tunnel up: static route withdrawn" "$(ip -n l route show 192.0.2.0/24)" ""
grep -q "no tunnel up" /tmp/l.log || fail "all-down not logged"
ok "all tunnels down logged"
kill "$echo"
kill -TERM "$lpid"
wait "$lpid"
check_eq "SIGTERM: daemon exits 0" "$?" 0
echo "# $n_ok checks passed"
