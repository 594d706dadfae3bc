#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# s2svpn-test: once
#
# Rekeys without losing traffic: s2svpn-iked to s2svpn-iked with a 12 s
# CHILD lifetime and a 30 s IKE lifetime (rekey 4-6 s before expiry), a
# 20 pps ping stream for 36 s across several CHILD rekeys and one IKE
# rekey: every ping answered, new SPIs in the kernel. Then the same with a
# packet lifetime: the kernel's soft expiry starts the rekeys.
#
#   netns l (initiator)                       netns r (startup_action = add)
#   s2svpn0 169.254.10.2/30                   s2svpn0 169.254.10.1/30
#   veth0 10.0.0.1/24 ----------------------- veth1 10.0.0.2/24
. "$(dirname "$0")/lib.sh"
IKED=$S2SVPN_REPO/userspace-ike/s2svpn-iked

s2svpn_load
netns_new l r
veth l veth0 r veth1
ip -n l addr add 10.0.0.1/24 dev veth0
ip -n r addr add 10.0.0.2/24 dev veth1

conf() {
	(umask 077 && cat >"/tmp/$1.conf") <<CONF
[connection]
name = rekey-$1
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
rekey_margin = 4
rekey_fuzz = 50
dpd_timeout = 10
dpd_interval = 2

[tunnel1]
outside_address = $3
psk = Sup3r.secret_psk1
inside_cidr = 169.254.10.0/30
inside_role = $4
CONF
}
conf l 10.0.0.1 10.0.0.2 customer start
conf r 10.0.0.2 10.0.0.1 aws add
# Only the initiator's timers drive rekeys here: the responder's lifetimes
# are longer, as AWS's are when the customer gateway rekeys first.
sed -i 's/^phase1_lifetime = 30/phase1_lifetime = 3600/; s/^phase2_lifetime = 12/phase2_lifetime = 1800/' /tmp/r.conf

ip netns exec r "$IKED" -c /tmp/r.conf -S /run/iked-r.sock -l debug >/tmp/r.log 2>&1 &
rpid=$!
sleep 0.5
ip netns exec l "$IKED" -c /tmp/l.conf -S /run/iked-l.sock -l debug >/tmp/l.log 2>&1 &
lpid=$!
wait_usable l
ping_check "tunnel up" l 169.254.10.1
spi0=$(json l 'j["devices"][0]["tunnels"][0]["sas"][0]["spi"]')

ip netns exec l ping -q -i 0.05 -c 720 -W 2 169.254.10.1 >/tmp/ping.out 2>&1
stats=$(grep 'packets transmitted' /tmp/ping.out)
child_rekeys=$(grep -c "installed outbound SA" /tmp/l.log)
ike_rekeys=$(grep -c "IKE SA rekeyed" /tmp/l.log)
echo "# $stats; $((child_rekeys - 1)) CHILD rekeys, $ike_rekeys IKE rekeys"
[ "$((child_rekeys - 1))" -ge 2 ] || fail "only $((child_rekeys - 1)) CHILD rekeys in 36 s"
ok "$((child_rekeys - 1)) CHILD rekeys during the stream"
[ "$ike_rekeys" -ge 1 ] || fail "no IKE rekey in 36 s"
ok "$ike_rekeys IKE rekey(s) during the stream"
grep -q ' 0% packet loss' /tmp/ping.out || fail "pings lost across rekeys: $stats"
ok "no ping lost across the rekeys: $stats"
[ "$(json l 'j["devices"][0]["tunnels"][0]["sas"][0]["spi"]')" != "$spi0" ] ||
	fail "outbound SPI unchanged after the rekeys"
ok "the kernel sends on a new outbound SPI"

# Volume lifetimes: with phase2_lifetime_packets = 150 the kernel asks for a
# rekey at 135 packets an SA (an event on the s2svpn genl family), and the
# daemon rekeys before the SA reaches its hard limit. The time lifetimes
# are long now, so only the packet counts rekey.
kill -TERM "$lpid"
wait "$lpid"
sed -i 's/^phase1_lifetime = 30/phase1_lifetime = 3600/; s/^phase2_lifetime = 12/phase2_lifetime = 1800/' \
	/tmp/l.conf
echo "phase2_lifetime_packets = 150" >>/tmp/l.conf
ip netns exec l "$IKED" -c /tmp/l.conf -S /run/iked-l.sock -l debug >/tmp/l2.log 2>&1 &
lpid=$!
wait_usable l
ping_check "tunnel up again, with a packet lifetime" l 169.254.10.1
ip netns exec l ping -q -i 0.05 -c 300 -W 2 169.254.10.1 >/tmp/ping2.out 2>&1
stats=$(grep 'packets transmitted' /tmp/ping2.out)
soft=$(grep -c "reached its soft limit" /tmp/l2.log)
hard=$(grep -c "reached its hard limit" /tmp/l2.log)
child_rekeys=$(grep -c "CHILD_SA rekeyed" /tmp/l2.log)
echo "# $stats; $soft soft expiries, $hard hard, $child_rekeys CHILD rekeys"
[ "$soft" -ge 2 ] && [ "$child_rekeys" -ge 2 ] ||
	fail "packet lifetime: $soft soft expiries, $child_rekeys CHILD rekeys in 300 pings"
ok "packet lifetime: the kernel's soft expiry rekeyed the CHILD_SA $child_rekeys times"
check_eq "packet lifetime: no SA reached its hard limit" "$hard" 0
grep -q ' 0% packet loss' /tmp/ping2.out || fail "pings lost across volume rekeys: $stats"
ok "no ping lost across the volume rekeys: $stats"

kill -TERM "$lpid" "$rpid"
wait "$lpid" "$rpid"
echo "# $n_ok checks passed"
