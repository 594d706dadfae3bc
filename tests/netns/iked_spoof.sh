#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# s2svpn-test: once
#
# s2svpn-iked against spoofed and replayed IKE (issue 11, F1-F3), and a
# genuine peer restart:
#  (a) a forged IKE_SA_INIT from the peer's address (other port, and 500)
#      leaves the established tunnel, its routes and kernel SAs alone; the
#      responder keeps it as a half-open SA beside the established one;
#  (b) the peer restarts (kill -9, start again, INITIAL_CONTACT): the old
#      CHILD SAs leave the kernel (one inbound SA, no orphan), traffic
#      passes and the next CHILD rekey works;
#  (c) an INFORMATIONAL request replayed from another address moves
#      nothing: the daemon keeps talking to the real peer;
#  (d) an IKE_SA_INIT flood from many sources, the peer's own address
#      included, keeps half-open state bounded (cookies) while the real
#      peer restarts and connects.
#
#   netns l (customer gateway, initiates)     netns r (plays AWS, under attack)
#   s2svpn0 169.254.10.2/30                   s2svpn0 169.254.10.1/30
#   veth0 10.0.0.1/24 (+ spoofed sources) --- veth1 10.0.0.2/24 (+ 10.0.0.3)
. "$(dirname "$0")/lib.sh"
IKED=$S2SVPN_REPO/userspace-ike/s2svpn-iked
FORGE=$S2SVPN_REPO/tests/netns/ike_forge.py

s2svpn_load
netns_new l r
veth l veth0 r veth1
ip -n l addr add 10.0.0.1/24 dev veth0
ip -n r addr add 10.0.0.2/24 dev veth1
ip -n r addr add 10.0.0.3/32 dev lo

# conf NAME LOCAL REMOTE ROLE STARTUP PREFIX
conf() {
	(umask 077 && cat >"/tmp/$1.conf") <<CONF
[connection]
name = spoof-$1
device = s2svpn0
local_address = $2
startup_action = $5
phase1_encryption = AES128
phase1_integrity = SHA2-256
phase1_dh_groups = 14
phase2_encryption = AES128-GCM-16
phase2_dh_groups = 14
phase2_lifetime = 14
rekey_margin = 4
rekey_fuzz = 20
dpd_timeout = 6
dpd_interval = 1
dpd_action = clear
remote_prefixes = $6

[tunnel1]
outside_address = $3
psk = Sup3r.secret_psk1
inside_cidr = 169.254.10.0/30
inside_role = $4
CONF
}
conf l 10.0.0.1 10.0.0.2 customer start 192.168.20.0/24
conf r 10.0.0.2 10.0.0.1 aws add 192.168.10.0/24
# No rekey disturbs (a); l rekeys every ~10 s from (b) on, r never does.
sed -i 's/^phase2_lifetime = 14/phase2_lifetime = 3600/' /tmp/r.conf /tmp/l.conf

start_l() {
	ip netns exec l "$IKED" -c /tmp/l.conf -S /run/iked-l.sock -l debug >>/tmp/l.log 2>&1 &
	lpid=$!
}
: >/tmp/l.log
ip netns exec r "$IKED" -c /tmp/r.conf -S /run/iked-r.sock -l debug >/tmp/r.log 2>&1 &
rpid=$!
sleep 0.5
start_l
wait_usable l
wait_usable r
ping_check "tunnel up" l 169.254.10.1

# r's SAs in the kernel ("dir:spi ..."), its inbound count, its routes and phases.
r_sas() {
	json r '" ".join("%s:%x" % (s["dir"], s["spi"]) for s in j["devices"][0]["tunnels"][0]["sas"])'
}
r_in() {
	json r 'sum(s["dir"] == "in" for s in j["devices"][0]["tunnels"][0]["sas"])'
}
r_routes() {
	ip -n r route show dev s2svpn0 | grep -c 192.168.10.0/24
}
r_phases() {
	ip netns exec r "$S2SVPNCTL" -S /run/iked-r.sock status | grep -c \
		"^  phase 1: Established, phase 2: Established$"
}

# ---- (a) forged IKE_SA_INIT from the peer's address -------------------------
sas=$(r_sas)
check_eq "r: one SA pair before the attack" "$(r_in)" 1
check_eq "r: route via the tunnel" "$(r_routes)" 1
check "forged IKE_SA_INIT from 10.0.0.1:33333" \
	ip netns exec l python3 "$FORGE" init 10.0.0.1 10.0.0.2 33333 1
check "forged IKE_SA_INIT from 10.0.0.1:500" \
	ip netns exec l python3 "$FORGE" init 10.0.0.1 10.0.0.2 500 1
sleep 1.5
grep -q "half-open IKE SA from 10.0.0.1:33333 kept beside the ESTABLISHED one" /tmp/r.log ||
	fail "(a) r did not keep the forged IKE_SA_INIT as a half-open SA: $(grep -iE 'half|new IKE SA' /tmp/r.log | tail -3)"
ok "(a) r keeps the forged IKE SA half-open beside the established one"
check_eq "(a) r: kernel SAs unchanged" "$(r_sas)" "$sas"
check_eq "(a) r: route still via the tunnel" "$(r_routes)" 1
check_eq "(a) r: both phases still established" "$(r_phases)" 1
grep -q "tunnel down\|no tunnel up" /tmp/r.log && fail "(a) r reported the tunnel down: $(grep -E 'down|no tunnel' /tmp/r.log | tail -2)"
ok "(a) r never reported the tunnel down"
ping_check "(a) ping still passes" l 169.254.10.1

# ---- (b) a genuine peer restart ---------------------------------------------
kill -9 "$lpid"
wait "$lpid" 2>/dev/null
sed -i 's/^phase2_lifetime = 3600/phase2_lifetime = 14/' /tmp/l.conf
start_l
for _ in $(seq 100); do
	grep -q "the peer authenticated a new IKE SA: replacing" /tmp/r.log && break
	sleep 0.1
done
wait_usable l
ping_check "(b) after the peer's restart: ping" l 169.254.10.1
wait_eq "(b) r: exactly one inbound SA (the old one removed, no orphan)" 1 r_in
check_eq "(b) r: route still via the tunnel" "$(r_routes)" 1
rekeys=$(grep -c "CHILD_SA rekeyed" /tmp/l.log)
for _ in $(seq 200); do
	[ "$(grep -c "CHILD_SA rekeyed" /tmp/l.log)" -gt "$rekeys" ] && break
	sleep 0.1
done
[ "$(grep -c "CHILD_SA rekeyed" /tmp/l.log)" -gt "$rekeys" ] ||
	fail "(b) no CHILD rekey within 20 s after the restart: $(grep -iE 'rekey|ENOSPC|failed' /tmp/[lr].log | tail -4)"
grep -q "No space\|ENOSPC\|installing SPI .* failed" /tmp/r.log &&
	fail "(b) r could not install the rekeyed SA: $(grep -E 'space|failed' /tmp/r.log | tail -2)"
ok "(b) the CHILD rekey after the restart installed"
ping_check "(b) ping after the rekey" l 169.254.10.1

# ---- (c) a replayed INFORMATIONAL from another address -----------------------
ip netns exec r python3 "$FORGE" capture veth1 10.0.0.1 /tmp/info.bin 20 >/tmp/cap.out 2>/dev/null ||
	fail "(c) no INFORMATIONAL request from l captured: $(cat /tmp/cap.out)"
ok "(c) $(cat /tmp/cap.out)"
# l goes silent for 3 s (its packets are lost), so only the replay speaks
# for "the peer"; r's own liveness checks must still go to 10.0.0.1.
ip netns exec l tc qdisc add dev veth0 root netem loss 100% || fail "netem loss"
got=$(ip netns exec r python3 "$FORGE" replay /tmp/info.bin 10.0.0.3 10.0.0.2 3)
ip netns exec l tc qdisc del dev veth0 root
check_eq "(c) r sent nothing to the replayer's address" "$got" 0
ping_check "(c) tunnel still up after the replay" l 169.254.10.1
sleep 3	# a few more DPD rounds
check_eq "(c) r: both phases still established" "$(r_phases)" 1
ping_check "(c) ping through later DPD rounds" l 169.254.10.1

# ---- (d) an IKE_SA_INIT flood while the real peer restarts -------------------
srcs="10.0.0.1"
for i in $(seq 10 29); do
	ip -n l addr add "10.0.0.$i/24" dev veth0
	srcs="$srcs 10.0.0.$i"
done
# shellcheck disable=SC2086
ip netns exec l python3 "$FORGE" flood 10.0.0.2 12 100 $srcs &
fpid=$!
sleep 1
kill -9 "$lpid"
wait "$lpid" 2>/dev/null
: >/tmp/l.log
start_l
up=""
for i in $(seq 150); do
	if [ "$(json l 'j["devices"][0]["tunnels"][0]["state"]' 2>/dev/null)" = usable ] &&
	   grep -q "tunnel up" /tmp/l.log; then
		up=$i
		break
	fi
	sleep 0.1
done
[ -n "$up" ] || fail "(d) the real peer did not connect during the flood: $(tail -5 /tmp/l.log)"
ok "(d) the real peer connected during the flood in $((up * 100)) ms"
ping_check "(d) ping during the flood" l 169.254.10.1
wait "$fpid"
grep -q "half-open [0-9]*, in all [0-9]*" /tmp/r.log || fail "(d) r logged no half-open count"
max=$(grep -o "half-open [0-9]*, in all [0-9]*" /tmp/r.log |
	awk '{ t = $2 + 0; a = $5 + 0; if (t > mt) mt = t; if (a > ma) ma = a } END { print mt + 0, ma + 0 }')
read -r per_tunnel in_all <<<"$max"
[ "$per_tunnel" -le 4 ] && [ "$in_all" -le 16 ] ||
	fail "(d) half-open state unbounded: $per_tunnel per tunnel, $in_all in all"
ok "(d) half-open IKE SAs bounded: at most $per_tunnel for the tunnel, $in_all in all"
grep -q "responder demands a cookie" /tmp/l.log ||
	echo "# (d) l was not asked for a cookie"
wait_eq "(d) r: exactly one inbound SA (after any rekey grace)" 1 r_in
kill -0 "$rpid" || fail "(d) r died"

kill -TERM "$lpid" "$rpid"
wait "$lpid" "$rpid"
echo "# $n_ok checks passed"
