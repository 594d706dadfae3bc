#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# s2svpn-test: once
#
# SIGTERM leaves nothing in the kernel, whatever arrives meanwhile (issue
# 11): r is told to exit while its peer l, with startup_action = start,
# restarts and initiates again at once, before, during and after r's
# DELETEs. Once shutdown starts r must refuse new exchanges; after it
# exited, r's device holds no SA. Several timings, both orders.
#
#   netns l (initiates, restarted)            netns r (SIGTERM)
#   veth0 10.0.0.1/24 ----------------------- veth1 10.0.0.2/24
. "$(dirname "$0")/lib.sh"
IKED=$S2SVPN_REPO/userspace-ike/s2svpn-iked

s2svpn_load
netns_new l r
veth l veth0 r veth1
ip -n l addr add 10.0.0.1/24 dev veth0
ip -n r addr add 10.0.0.2/24 dev veth1
iked_conf /tmp/l.conf shut-l s2svpn0 10.0.0.1 customer start "" 10.0.0.2 Sup3r.secret_psk1 169.254.10.0/30
iked_conf /tmp/r.conf shut-r s2svpn0 10.0.0.2 aws add "" 10.0.0.1 Sup3r.secret_psk1 169.254.10.0/30

start_l() {
	ip netns exec l "$IKED" -c /tmp/l.conf -S /run/iked-l.sock -l debug >>/tmp/l.log 2>&1 &
	lpid=$!
}
start_r() {
	ip netns exec r "$IKED" -c /tmp/r.conf -S /run/iked-r.sock -l debug >>/tmp/r.log 2>&1 &
	rpid=$!
}
r_sas() {
	json r 'sum(len(t["sas"]) for d in j["devices"] for t in d["tunnels"])'
}
: >/tmp/l.log
: >/tmp/r.log
start_r
start_l

# round DELAY_BEFORE_TERM: l restarts, r gets SIGTERM DELAY later (s).
round() {
	wait_usable r
	wait_usable l
	ping_check "round $1: tunnel up" l 169.254.10.1
	kill -9 "$lpid"
	wait "$lpid" 2>/dev/null
	start_l
	sleep "$1"
	kill -TERM "$rpid"
	wait "$rpid"
	check_eq "round $1: r exits 0" "$?" 0
	check_eq "round $1: no SA left in r's kernel after exit" "$(r_sas)" 0
	start_r
}
for d in 0 0.05 0.1 0.2 0.3; do
	round "$d"
done
wait_usable r
ping_check "after the rounds: up again" l 169.254.10.1
grep -c "IKE_SA_INIT dropped: shutting down" /tmp/r.log | sed 's/^/# exchanges refused during shutdown: /'
kill -TERM "$lpid" "$rpid"
wait "$lpid" "$rpid"
check_eq "final: no SA left in r's kernel" "$(r_sas)" 0
echo "# $n_ok checks passed"
