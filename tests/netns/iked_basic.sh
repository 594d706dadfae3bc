#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# s2svpn-test: once
#
# s2svpn-iked to s2svpn-iked: IKEv2 with a PSK brings the tunnel up (the
# daemons create the device, its inside address, the tunnel and the SAs),
# traffic passes, the control socket reports both phases established, and a
# killed peer is declared dead within the DPD timeout.
#
#   netns l (customer gateway)                netns r (plays AWS)
#   s2svpn-iked, initiates                    s2svpn-iked, startup_action = add
#   s2svpn0 169.254.10.2/30 (made by iked)    s2svpn0 169.254.10.1/30
#   veth0 10.0.0.1/24 ----------------------- veth1 10.0.0.2/24
. "$(dirname "$0")/lib.sh"
IKED=$S2SVPN_REPO/userspace-ike/s2svpn-iked

s2svpn_load
netns_new l r
veth l veth0 r veth1
ip -n l addr add 10.0.0.1/24 dev veth0
ip -n r addr add 10.0.0.2/24 dev veth1

# conf NAME LOCAL REMOTE ROLE STARTUP
conf() {
	(umask 077 && cat >"/tmp/$1.conf") <<CONF
[connection]
name = test-$1
device = s2svpn0
local_address = $2
startup_action = $5
phase1_encryption = AES128
phase1_integrity = SHA2-256
phase1_dh_groups = 14
phase2_encryption = AES128-GCM-16
phase2_dh_groups = 14
dpd_timeout = 6
dpd_interval = 1
dpd_action = clear

[tunnel1]
outside_address = $3
psk = Sup3r.secret_psk1
inside_cidr = 169.254.10.0/30
inside_role = $4
CONF
}
conf l 10.0.0.1 10.0.0.2 customer start
conf r 10.0.0.2 10.0.0.1 aws add
check "config files valid" "$IKED" --check -c /tmp/l.conf

ip netns exec r "$IKED" -c /tmp/r.conf -S /run/iked-r.sock -l debug >/tmp/r.log 2>&1 &
rpid=$!
sleep 0.5
ip netns exec l "$IKED" -c /tmp/l.conf -S /run/iked-l.sock -l debug >/tmp/l.log 2>&1 &
lpid=$!

up=""
for i in $(seq 100); do
	if [ "$(json l 'j["devices"][0]["tunnels"][0]["state"]' 2>/dev/null)" = usable ] &&
	   [ "$(json r 'j["devices"][0]["tunnels"][0]["state"]' 2>/dev/null)" = usable ]; then
		up=$i
		break
	fi
	sleep 0.1
done
[ -n "$up" ] || fail "tunnel not up after 10 s: l: $(tail -5 /tmp/l.log) r: $(tail -5 /tmp/r.log)"
ok "IKE_SA_INIT + IKE_AUTH: both sides usable after $((up * 100)) ms"
check_eq "daemon put the inside address on the device" \
	"$(ip -n l -j addr show dev s2svpn0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["addr_info"][0]["local"])')" \
	169.254.10.2
ping_check "ping the peer's inside address through the tunnel" l 169.254.10.1
tcp_check "TCP 1 MiB through the negotiated SAs, verified" r 169.254.10.1 l 1048576

status=$(ip netns exec l "$S2SVPNCTL" -S /run/iked-l.sock status) ||
	fail "s2svpnctl status: $status"
grep -q "^tunnel 1: 10.0.0.2 (active)$" <<<"$status" || fail "control socket status: $status"
grep -q "^  phase 1: Established, phase 2: Established$" <<<"$status" ||
	fail "control socket status: $status"
grep -q "^  IKE SA: initiator, SPIs [0-9a-f]\{16\}_i [0-9a-f]\{16\}_r, aes128-sha256-prfsha256-modp2048" \
	<<<"$status" || fail "IKE SA line: $status"
grep -q "^  CHILD SA: aes128gcm16, SPIs in 0x[0-9a-f]\{8\} out 0x[0-9a-f]\{8\}, rekey in" \
	<<<"$status" || fail "CHILD SA line: $status"
# "probing" when a liveness check is in flight (a loaded guest, idle for 1 s).
grep -q "^  DPD: \(alive\|probing\) (interval 1 s, timeout 6 s, action clear)$" <<<"$status" ||
	fail "DPD line: $status"
check_eq "status -j: phases in AWS's words" \
	"$(ip netns exec l "$S2SVPNCTL" -j -S /run/iked-l.sock status |
	   python3 -c 'import json,sys; t=json.load(sys.stdin)["tunnels"][0]; print(t["phase1"], t["phase2"], t["spi_in"] > 0)')" \
	"Established Established True"
# Only CAP_NET_ADMIN (12) and CAP_NET_BIND_SERVICE (10) left, bounding set too.
check_eq "daemon kept only CAP_NET_ADMIN and CAP_NET_BIND_SERVICE" \
	"$(awk '/^Cap(Eff|Prm|Bnd)/ {print $2}' /proc/$lpid/status | sort -u)" 0000000000001400
check_eq "daemon has no_new_privs" "$(awk '/^NoNewPrivs/ {print $2}' /proc/$lpid/status)" 1
ok "control socket: phase 1 and phase 2 established"

# The peer dies without a word: DPD (1 s interval, 6 s timeout) notices.
kill -9 "$rpid"
wait "$rpid" 2>/dev/null || true
t0=$(date +%s.%N)
dead=""
for i in $(seq 150); do
	grep -q "peer dead" /tmp/l.log && { dead=$(echo "$(date +%s.%N) - $t0" | bc); break; }
	sleep 0.1
done
[ -n "$dead" ] || fail "peer death not detected in 15 s: $(tail -5 /tmp/l.log)"
ok "killed peer declared dead after $(printf %.1f "$dead") s (DPD timeout 6 s)"
wait_eq "tunnel unusable once its SAs are gone" unusable json l 'j["devices"][0]["tunnels"][0]["state"]'

kill -TERM "$lpid"
wait "$lpid"
check_eq "SIGTERM: daemon exits 0" "$?" 0

# fail_case WHAT SED_ON_L PATTERN_L PATTERN_R: both sides refuse, cleanly.
fail_case() {
	conf l 10.0.0.1 10.0.0.2 customer start
	conf r 10.0.0.2 10.0.0.1 aws add
	sed -i "$2" /tmp/l.conf
	ip netns exec r "$IKED" -c /tmp/r.conf -S /run/iked-r.sock -l debug >/tmp/r.log 2>&1 &
	rpid=$!
	ip netns exec l "$IKED" -c /tmp/l.conf -S /run/iked-l.sock -l debug >/tmp/l.log 2>&1 &
	lpid=$!
	for _ in $(seq 100); do
		grep -q "IKE SA closed" /tmp/l.log && break
		sleep 0.1
	done
	grep -q "IKE SA closed: $3" /tmp/l.log ||
		fail "$1: initiator did not close with '$3': $(grep -E 'closed|error' /tmp/l.log | tail -2)"
	grep -qE "$4" /tmp/r.log || fail "$1: responder log lacks '$4': $(tail -3 /tmp/r.log)"
	ok "$1: initiator says '$3', responder logs it too"
	for ns in l r; do
		check_eq "$1: no SA in $ns's kernel" \
			"$(json $ns 'sum(len(t["sas"]) for d in j["devices"] for t in d["tunnels"])')" 0
	done
	kill -TERM "$lpid" "$rpid"
	wait "$lpid" "$rpid"
}
# The suites of the strongSwan test, s2svpn-iked on both sides: up, ping,
# a verified transfer, and the negotiated proposal as configured.
# suite P1ENC P1INT P1DH P2ENC P2INT EXPECT (status's IKE proposal prefix)
suite() {
	conf l 10.0.0.1 10.0.0.2 customer start
	conf r 10.0.0.2 10.0.0.1 aws add
	for f in /tmp/l.conf /tmp/r.conf; do
		sed -i "s/^phase1_encryption = .*/phase1_encryption = $1/
			s/^phase1_dh_groups = .*/phase1_dh_groups = $3\nphase1_integrity = $2/
			/^phase1_integrity = SHA2-256$/d
			s/^phase2_encryption = .*/phase2_encryption = $4\nallow_weak = yes/
			s/^phase2_dh_groups = .*/phase2_dh_groups = $3/" "$f"
		[ -n "$5" ] && sed -i "s/^phase2_dh_groups/phase2_integrity = $5\nphase2_dh_groups/" "$f"
	done
	ip netns exec r "$IKED" -c /tmp/r.conf -S /run/iked-r.sock -l debug >/tmp/r.log 2>&1 &
	rpid=$!
	ip netns exec l "$IKED" -c /tmp/l.conf -S /run/iked-l.sock -l debug >/tmp/l.log 2>&1 &
	lpid=$!
	wait_usable l
	ping_check "$6: tunnel up, ping" l 169.254.10.1
	tcp_check "$6: TCP 256 KiB, verified" r 169.254.10.1 l 262144
	check_eq "$6: negotiated as configured" \
		"$(ip netns exec l "$S2SVPNCTL" -j -S /run/iked-l.sock status |
		   python3 -c 'import json,sys; print(json.load(sys.stdin)["tunnels"][0]["ike_proposal"])')" "$6"
	kill -TERM "$lpid" "$rpid"
	wait "$lpid" "$rpid"
}
suite AES128 SHA2-256 14 AES128-GCM-16 "" aes128-sha256-prfsha256-modp2048
suite AES256 SHA1 14 AES256 SHA1 aes256-sha1-prfsha1-modp2048
suite AES256-GCM-16 SHA2-384 20 AES256-GCM-16 "" aes256gcm16-prfsha384-ecp384
suite chacha20poly1305 SHA2-256 31 chacha20poly1305 "" chacha20poly1305-prfsha256-x25519

fail_case "wrong PSK" "s/^psk = .*/psk = Wrong.secret_psk9/" "authentication failed" \
	"AUTH.*(mismatch|fail)|authentication failed"
fail_case "no common proposal" "s/^phase1_encryption = .*/phase1_encryption = AES256/" \
	"no proposal chosen" "no proposal|NO_PROPOSAL_CHOSEN"
echo "# $n_ok checks passed"
