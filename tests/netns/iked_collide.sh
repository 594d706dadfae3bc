#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# s2svpn-test: once
#
# Simultaneous rekeys (RFC 7296 2.8.1, 2.8.2) without losing traffic: two
# s2svpn-iked with the same lifetimes and rekey_fuzz = 0 rekey at the same
# moment, CHILD SAs every 8 s and the IKE SA every 26 s. B's packets take
# 100 ms more to reach A, so each side's rekey request is in flight when
# the other one's timer fires: the requests cross. A 20 pps ping stream
# for 40 s: every ping answered, both daemons report collisions of both
# kinds, and in the end each side sends on the SA the other receives on.
#
#   netns l (initiator)                       netns r (startup_action = add)
#   s2svpn0 169.254.10.2/30                   s2svpn0 169.254.10.1/30
#   veth0 10.0.0.1/24 ----------------------- veth1 10.0.0.2/24 (+100 ms out)
. "$(dirname "$0")/lib.sh"
IKED=$S2SVPN_REPO/userspace-ike/s2svpn-iked

s2svpn_load
netns_new l r
veth l veth0 r veth1
ip -n l addr add 10.0.0.1/24 dev veth0
ip -n r addr add 10.0.0.2/24 dev veth1
# Each side's timers start when it installs an SA, which the one-way
# delay skews by exactly that delay; so same lifetimes only race. Instead
# l rekeys 1 s before r (rekey_margin 5 vs 4) and each way takes 600 ms:
# each request is still in flight when the other side's timer fires.
for pair in "l veth0" "r veth1"; do
	# shellcheck disable=SC2086
	set -- $pair
	ip netns exec "$1" tc qdisc add dev "$2" root netem delay 600ms ||
		fail "netem: cannot delay $1's packets"
done

conf() {
	(umask 077 && cat >"/tmp/$1.conf") <<CONF
[connection]
name = collide-$1
device = s2svpn0
local_address = $2
startup_action = $5
phase1_encryption = AES128
phase1_integrity = SHA2-256
phase1_dh_groups = 19
phase1_lifetime = 30
phase2_encryption = AES128-GCM-16
phase2_dh_groups = 19
phase2_lifetime = 12
rekey_margin = $6
rekey_fuzz = 0
dpd_timeout = 10
dpd_interval = 2

[tunnel1]
outside_address = $3
psk = Sup3r.secret_psk1
inside_cidr = 169.254.10.0/30
inside_role = $4
CONF
}
conf l 10.0.0.1 10.0.0.2 customer start 5
conf r 10.0.0.2 10.0.0.1 aws add 4

ip netns exec r "$IKED" -c /tmp/r.conf -S /run/iked-r.sock -l debug >/tmp/r.log 2>&1 &
rpid=$!
sleep 0.5
ip netns exec l "$IKED" -c /tmp/l.conf -S /run/iked-l.sock -l debug >/tmp/l.log 2>&1 &
lpid=$!
wait_usable l
ping_check "tunnel up" l 169.254.10.1
spi0=$(json l '[s["spi"] for s in j["devices"][0]["tunnels"][0]["sas"] if s["dir"] == "out"][0]')

ip netns exec l ping -q -i 0.05 -c 1000 -W 4 169.254.10.1 >/tmp/ping.out 2>&1
stats=$(grep 'packets transmitted' /tmp/ping.out)
child_coll=$(cat /tmp/l.log /tmp/r.log | grep -c "CHILD_SA rekey collision")
ike_coll=$(cat /tmp/l.log /tmp/r.log | grep -c "IKE rekey collision")
ike_rekeys=$(grep -c "IKE SA rekeyed" /tmp/l.log)
echo "# $stats; collision log lines: $child_coll CHILD, $ike_coll IKE; $ike_rekeys IKE rekeys"
[ "$child_coll" -ge 1 ] || fail "no CHILD_SA rekey collision seen in 50 s"
ok "CHILD_SA rekeys collided ($child_coll log lines, both sides)"
# The IKE SA's timers drift apart after its first rekey, so whether its
# rekeys cross here is luck; the cmocka suite crosses them on purpose.
echo "# IKE SA rekey collisions: $ike_coll (not required)"
[ "$ike_rekeys" -ge 1 ] || fail "the IKE SA was not rekeyed in 50 s"
! grep -q "peer dead\|tunnel down" /tmp/l.log /tmp/r.log || fail "a side lost the tunnel"
ok "no tunnel down, no dead peer"
grep -q ' 0% packet loss' /tmp/ping.out || fail "pings lost across colliding rekeys: $stats"
ok "no ping lost across colliding rekeys: $stats"

# Each side sends on an SA the other has inbound, and on one only.
sas='[s["spi"] for s in j["devices"][0]["tunnels"][0]["sas"] if s["dir"] == "%s"]'
# shellcheck disable=SC2059
l_out=$(json l "$(printf "$sas" out)")
# shellcheck disable=SC2059
r_out=$(json r "$(printf "$sas" out)")
# shellcheck disable=SC2059
l_in=$(json l "$(printf "$sas" in)")
# shellcheck disable=SC2059
r_in=$(json r "$(printf "$sas" in)")
echo "# l out $l_out in $l_in; r out $r_out in $r_in"
python3 - "$l_out" "$r_in" "$r_out" "$l_in" <<'PY' || fail "the two sides disagree on the SAs"
import ast, sys
l_out, r_in, r_out, l_in = (ast.literal_eval(a) for a in sys.argv[1:])
assert len(l_out) == 1 and len(r_out) == 1, "more than one outbound SA"
assert l_out[0] in r_in and r_out[0] in l_in, "an outbound SA without its inbound peer"
PY
ok "one outbound SA each side, installed inbound on the other"
[ "$l_out" != "[$spi0]" ] || fail "outbound SPI unchanged after the rekeys"
ok "the kernel sends on a new outbound SPI"
kill -TERM "$lpid" "$rpid"
wait "$lpid" "$rpid"
echo "# $n_ok checks passed"
