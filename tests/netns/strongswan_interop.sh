#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# s2svpn-iked against strongSwan (Debian's charon + swanctl, an xfrm
# interface and encap = yes on its side), for the suites AWS and routers
# use: s2svpn-iked as initiator, then as responder; pings and a verified
# TCP transfer through each tunnel.
#
#   netns l (s2svpn)                          netns r (strongSwan)
#   s2svpn-iked, s2svpn0 169.254.10.2/30      charon, xfrm1 169.254.10.1/30 (if_id 7)
#   veth0 10.0.0.1/24 ----------------------- veth1 10.0.0.2/24
. "$(dirname "$0")/lib.sh"
IKED=$S2SVPN_REPO/userspace-ike/s2svpn-iked
SS=/tmp/ss
PSK=Sup3r.secret_psk1

s2svpn_load

# AWS-style names for s2svpn-iked | strongSwan proposals.
suites=(
	"AES128|SHA2-256|14|AES128-GCM-16||14|aes128-sha256-modp2048|aes128gcm16-modp2048"
	"AES256|SHA1|14|AES256|SHA1|14|aes256-sha1-modp2048|aes256-sha1-modp2048"
	"AES256-GCM-16|SHA2-384|20|AES256-GCM-16||20|aes256gcm16-prfsha384-ecp384|aes256gcm16-ecp384"
	"chacha20poly1305|SHA2-256|31|chacha20poly1305||31|chacha20poly1305-prfsha256-x25519|chacha20poly1305-x25519"
)

start_charon() {
	rm -rf $SS
	mkdir -p $SS/swanctl/conf.d
	cat >$SS/strongswan.conf <<CONF
charon {
	load_modular = no
	load = random nonce openssl pem pkcs1 hmac kdf sha1 sha2 aes gcm gmp kernel-netlink socket-default vici updown
	install_routes = no
	retransmit_tries = 2
	plugins {
		vici {
			socket = unix://$SS/charon.vici
		}
	}
	filelog {
		log {
			path = $SS/charon.log
			flush_line = yes
			default = 1
			ike = 2
		}
	}
}
swanctl {
	socket = unix://$SS/charon.vici
}
CONF
	ip netns exec r unshare -m sh -c "mount -t tmpfs tmpfs /run; \
		STRONGSWAN_CONF=$SS/strongswan.conf exec /usr/lib/ipsec/charon" >$SS/stdout 2>&1 &
	charon=$!
	for _ in $(seq 100); do
		[ -S $SS/charon.vici ] && return 0
		sleep 0.1
	done
	fail "charon did not start: $(tail -5 $SS/stdout $SS/charon.log 2>/dev/null)"
}

swanctl() {
	ip netns exec r env STRONGSWAN_CONF=$SS/strongswan.conf SWANCTL_DIR=$SS/swanctl \
		swanctl "$@"
}

# iked_conf ENC INTEG DH ENC2 INTEG2 DH2 STARTUP
iked_conf() {
	(umask 077 && cat >/tmp/l.conf) <<CONF
[connection]
name = interop
device = s2svpn0
local_address = 10.0.0.1
startup_action = $7
phase1_encryption = $1
phase1_integrity = $2
phase1_dh_groups = $3
phase2_encryption = $4
phase2_dh_groups = $6
dpd_timeout = 10
dpd_interval = 2
allow_weak = yes

[tunnel1]
outside_address = 10.0.0.2
psk = $PSK
inside_cidr = 169.254.10.0/30
inside_role = customer
CONF
	[ -n "$5" ] && sed -i "s/^phase2_dh_groups/phase2_integrity = $5\nphase2_dh_groups/" /tmp/l.conf
	return 0
}

# swan_conf IKE_PROPOSAL ESP_PROPOSAL START_ACTION
swan_conf() {
	cat >$SS/swanctl/swanctl.conf <<CONF
connections {
	s2svpn {
		version = 2
		local_addrs = 10.0.0.2
		remote_addrs = 10.0.0.1
		proposals = $1
		encap = yes
		dpd_delay = 5
		local {
			auth = psk
			id = 10.0.0.2
		}
		remote {
			auth = psk
			id = 10.0.0.1
		}
		children {
			net {
				local_ts = 0.0.0.0/0
				remote_ts = 0.0.0.0/0
				esp_proposals = $2
				mode = tunnel
				if_id_in = 7
				if_id_out = 7
				start_action = $3
			}
		}
	}
}
secrets {
	ike-1 {
		id-1 = 10.0.0.1
		id-2 = 10.0.0.2
		secret = $PSK
	}
}
CONF
}

run_suite() {
	local entry=$1 role=$2 e1 i1 d1 e2 i2 d2 sp1 sp2 what up=""
	IFS='|' read -r e1 i1 d1 e2 i2 d2 sp1 sp2 <<<"$entry"
	what="$sp1 / $sp2, s2svpn-iked as $role"

	netns_new l r
	veth l veth0 r veth1
	ip -n l addr add 10.0.0.1/24 dev veth0
	ip -n r addr add 10.0.0.2/24 dev veth1
	ip -n r link add xfrm1 type xfrm dev veth1 if_id 7
	ip -n r addr add 169.254.10.1/30 dev xfrm1
	ip -n r link set xfrm1 up
	start_charon
	if [ "$role" = initiator ]; then
		swan_conf "$sp1" "$sp2" none
		iked_conf "$e1" "$i1" "$d1" "$e2" "$i2" "$d2" start
	else
		swan_conf "$sp1" "$sp2" none
		iked_conf "$e1" "$i1" "$d1" "$e2" "$i2" "$d2" add
	fi
	swanctl --load-all >$SS/load.out 2>&1 || fail "$what: swanctl --load-all: $(cat $SS/load.out)"
	ip netns exec l "$IKED" -c /tmp/l.conf -S /run/iked-l.sock -l debug >/tmp/l.log 2>&1 &
	iked=$!
	if [ "$role" = responder ]; then
		sleep 0.5
		swanctl --initiate --child net >$SS/initiate.out 2>&1 ||
			fail "$what: swanctl --initiate: $(tail -3 $SS/initiate.out); iked: $(tail -3 /tmp/l.log)"
	fi
	for i in $(seq 100); do
		if [ "$(json l 'j["devices"][0]["tunnels"][0]["state"]' 2>/dev/null)" = usable ]; then
			up=$i
			break
		fi
		sleep 0.1
	done
	[ -n "$up" ] || fail "$what: no tunnel after 10 s; iked: $(grep -iE 'error|warn|fail|closed' /tmp/l.log | tail -3); charon: $(grep -iE 'error|fail|no proposal|auth' $SS/charon.log | tail -3)"
	ok "$what: negotiated in $((up * 100)) ms"
	ping_check "$what: ping s2svpn -> strongSwan" l 169.254.10.1
	ping_check "$what: ping strongSwan -> s2svpn" r 169.254.10.2
	tcp_check "$what: TCP 256 KiB, verified" r 169.254.10.1 l 262144
	swanctl --list-sas >$SS/sas.out 2>&1
	grep -v 'failed to load' $SS/sas.out | sed 's/^/#   /'
	grep -q "ESTABLISHED" $SS/sas.out || fail "$what: strongSwan shows no established IKE SA"
	# Floated to port 4500: NAT-T (the only way s2svpn carries ESP).
	grep -q "10.0.0.2\[4500\]" $SS/sas.out || fail "$what: strongSwan not on port 4500"
	ok "$what: strongSwan lists the IKE SA established on port 4500"
	kill -TERM "$iked"
	wait "$iked"
	kill "$charon"
	wait "$charon" 2>/dev/null
	ip netns del l
	ip netns del r
}

# fail_case WHAT IKED_PSK IKED_IKE SWAN_IKE IKED_PATTERN CHARON_PATTERN
fail_case() {
	local what=$1
	netns_new l r
	veth l veth0 r veth1
	ip -n l addr add 10.0.0.1/24 dev veth0
	ip -n r addr add 10.0.0.2/24 dev veth1
	start_charon
	swan_conf "$4" aes128gcm16 none
	swanctl --load-all >$SS/load.out 2>&1 || fail "$what: swanctl --load-all"
	iked_conf "$3" SHA2-256 14 AES128-GCM-16 "" 14 start
	sed -i "s/^psk = .*/psk = $2/" /tmp/l.conf
	ip netns exec l "$IKED" -c /tmp/l.conf -S /run/iked-l.sock -l debug >/tmp/l.log 2>&1 &
	iked=$!
	for _ in $(seq 100); do
		grep -q "IKE SA closed" /tmp/l.log && break
		sleep 0.1
	done
	grep -q "IKE SA closed: $5" /tmp/l.log ||
		fail "$what: s2svpn-iked did not fail with '$5': $(grep -E 'closed|error' /tmp/l.log | tail -2)"
	ok "$what: s2svpn-iked says 'IKE SA closed: $5'"
	grep -qE "$6" $SS/charon.log || fail "$what: charon log lacks '$6': $(grep -iE "auth|mac|fail|proposal" $SS/charon.log | tail -4 | tr "\n" " ")"
	ok "$what: strongSwan says so too"
	check_eq "$what: no SA in the kernel" \
		"$(json l 'sum(len(t["sas"]) for d in j["devices"] for t in d["tunnels"])')" 0
	check_eq "$what: no SA in strongSwan" "$(swanctl --list-sas 2>/dev/null | grep -c ESTABLISHED)" 0
	kill -TERM "$iked"
	wait "$iked"
	kill "$charon"
	wait "$charon" 2>/dev/null
	ip netns del l
	ip netns del r
}

# Rekeys both ways under a 50 pps ping stream (s2svpn-iked's short
# lifetimes, strongSwan's rekeys by hand), then strongSwan is killed and
# s2svpn-iked's DPD must notice within dpd_interval + dpd_timeout.
rekey_dpd_case() {
	local what="rekeys under traffic, then a dead strongSwan" t0 dead i

	netns_new l r
	veth l veth0 r veth1
	ip -n l addr add 10.0.0.1/24 dev veth0
	ip -n r addr add 10.0.0.2/24 dev veth1
	ip -n r link add xfrm1 type xfrm dev veth1 if_id 7
	ip -n r addr add 169.254.10.1/30 dev xfrm1
	ip -n r link set xfrm1 up
	start_charon
	swan_conf aes128-sha256-modp2048 aes128gcm16-modp2048 none
	swanctl --load-all >$SS/load.out 2>&1 || fail "$what: swanctl --load-all"
	iked_conf AES128 SHA2-256 14 AES128-GCM-16 "" 14 start
	# CHILD rekeys 7 s after the CHILD_SA is up, the IKE SA's 20 s; no fuzz.
	sed -i 's/^dpd_timeout = .*/phase1_lifetime = 25\nphase2_lifetime = 12\nrekey_margin = 5\nrekey_fuzz = 0\ndpd_timeout = 6/' /tmp/l.conf
	ip netns exec l "$IKED" -c /tmp/l.conf -S /run/iked-l.sock -l debug >/tmp/l.log 2>&1 &
	iked=$!
	wait_usable l
	ping_check "$what: tunnel up" l 169.254.10.1
	# strongSwan rekeys the IKE SA at 3 s, the CHILD_SA at 9 s; ours follow
	# 20 s (IKE) and 7 s (CHILD) after the last rekey of each.
	ip netns exec l ping -q -i 0.02 -c 1500 -W 2 169.254.10.1 >/tmp/flood.out 2>&1 &
	local flood=$!
	sleep 3
	swanctl --rekey --ike s2svpn >$SS/rekey.out 2>&1 || fail "$what: swanctl --rekey --ike"
	sleep 6
	swanctl --rekey --child net >$SS/rekey.out 2>&1 || fail "$what: swanctl --rekey --child"
	wait "$flood"
	grep -q ' 0% packet loss' /tmp/flood.out ||
		fail "$what: packets lost: $(grep loss /tmp/flood.out); iked: $(grep -iE 'rekey|warn' /tmp/l.log | tail -4)"
	ok "$what: 1500 pings at 50/s across the rekeys, none lost"
	local st
	st=$(ip netns exec l "$S2SVPNCTL" -j -S /run/iked-l.sock status |
	     python3 -c 'import json,sys; t=json.load(sys.stdin)["tunnels"][0]; print(t["child_rekeys"], t["ike_rekeys"])')
	echo "# CHILD rekeys, IKE rekeys: $st"
	[ "${st% *}" -ge 3 ] && [ "${st#* }" -ge 2 ] ||
		fail "$what: expected >= 3 CHILD and >= 2 IKE rekeys (ours and strongSwan's), got $st; $(grep -iE 'rekey' /tmp/l.log | tail -6)"
	ok "$what: CHILD and IKE SAs rekeyed by both sides ($st)"
	kill -9 "$charon"
	wait "$charon" 2>/dev/null
	t0=$(date +%s%N)
	dead=""
	for i in $(seq 200); do
		grep -q "peer dead" /tmp/l.log && { dead=$((($(date +%s%N) - t0) / 1000000)); break; }
		sleep 0.1
	done
	[ -n "$dead" ] || fail "$what: strongSwan's death not noticed in 20 s"
	[ "$dead" -le 9000 ] || fail "$what: dead after $dead ms, over dpd_interval 2 s + dpd_timeout 6 s + 1 s"
	ok "$what: killed strongSwan declared dead after $dead ms (DPD 2 s + 6 s)"
	kill -TERM "$iked"
	wait "$iked"
	ip netns del l
	ip netns del r
}

for s in "${suites[@]}"; do
	run_suite "$s" initiator
	run_suite "$s" responder
done
fail_case "wrong PSK" Wrong.secret_psk9 AES128 aes128-sha256-modp2048 \
	"authentication failed" "MAC mismatched|authentication of .* failed|AUTHENTICATION_FAILED"
fail_case "no common proposal" $PSK AES256 aes128-sha256-modp2048 \
	"no proposal chosen" "received proposals unacceptable"
rekey_dpd_case
echo "# $n_ok checks passed"
