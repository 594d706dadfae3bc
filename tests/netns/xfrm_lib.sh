# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced by xfrm_interop*.sh: one case is s2svpn in netns s2 against the
# kernel's xfrm ESP-in-UDP (tunnel mode, xfrm interface) in netns xf, with
# the same keys: pings both ways, inner IPv4 and IPv6, and verified TCP
# transfers both ways. Split over two tests so each stays well inside the
# per-test time limit on the debug kernel.
#
#   netns s2                                   netns xf
#   s2svpn0 169.254.10.1/30 fd01::1/64         xfrm1 169.254.10.2/30 fd01::2/64
#      | tunnel 0, kernel socket :4500            | if_id 7, espinudp_sock.py :4500
#   veth0 10.0.0.1/24 fd00::1/64 ----------- veth1 10.0.0.2/24 fd00::2/64
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

here=$S2SVPN_REPO/tests/netns

# label | s2svpn algorithm | enc bytes | auth bytes | xfrm algorithm arguments
algs=(
	"aes128gcm16|rfc4106(gcm(aes))|16|0|aead rfc4106(gcm(aes)) KEYSALT 128"
	"aes256gcm16|rfc4106(gcm(aes))|32|0|aead rfc4106(gcm(aes)) KEYSALT 128"
	"chacha20poly1305|rfc7539esp(chacha20,poly1305)|32|0|aead rfc7539esp(chacha20,poly1305) KEYSALT 128"
	"aes128-sha1|authenc(hmac(sha1),cbc(aes))|16|20|enc cbc(aes) KEY auth-trunc hmac(sha1) AUTH 96"
	"aes256-sha256|authenc(hmac(sha256),cbc(aes))|32|32|enc cbc(aes) KEY auth-trunc hmac(sha256) AUTH 128"
	"aes256-sha384|authenc(hmac(sha384),cbc(aes))|32|48|enc cbc(aes) KEY auth-trunc hmac(sha384) AUTH 192"
	"aes128-sha512|authenc(hmac(sha512),cbc(aes))|16|64|enc cbc(aes) KEY auth-trunc hmac(sha512) AUTH 256"
)

# xfrm_args SPEC ENC AUTH SALT: the xfrm algorithm arguments with keys in.
xfrm_args() {
	local spec=$1 enc=$2 auth=$3 salt=$4
	spec=${spec/KEYSALT/0x$enc$salt}
	spec=${spec/KEY/0x$enc}
	spec=${spec/AUTH/0x$auth}
	echo "$spec"
}

run_case() {
	local label=$1 alg=$2 encb=$3 authb=$4 spec=$5 outer=$6 esn=$7
	local a b any what="$label outer IPv$outer${esn:+ esn}"
	local enc_o auth_o salt_o enc_i auth_i salt_i xo xi esnflags=""

	if [ "$outer" = 4 ]; then a=10.0.0.1 b=10.0.0.2 any=0.0.0.0; else a=fd00::1 b=fd00::2 any=::; fi
	netns_new s2 xf
	veth s2 veth0 xf veth1
	ip -n s2 addr add 10.0.0.1/24 dev veth0
	ip -n s2 addr add fd00::1/64 dev veth0 nodad
	ip -n xf addr add 10.0.0.2/24 dev veth1
	ip -n xf addr add fd00::2/64 dev veth1 nodad

	enc_o=$(hexkey "$encb") enc_i=$(hexkey "$encb")
	auth_o="" auth_i="" salt_o="" salt_i=""
	if [ "$authb" != 0 ]; then
		auth_o=$(hexkey "$authb") auth_i=$(hexkey "$authb")
		keyfile /tmp/k_out enc "$enc_o" auth "$auth_o"
		keyfile /tmp/k_in enc "$enc_i" auth "$auth_i"
	else
		salt_o=$(hexkey 4) salt_i=$(hexkey 4)
		keyfile /tmp/k_out enc "$enc_o" salt "$salt_o"
		keyfile /tmp/k_in enc "$enc_i" salt "$salt_i"
	fi
	xo=$(xfrm_args "$spec" "$enc_o" "$auth_o" "$salt_o")
	xi=$(xfrm_args "$spec" "$enc_i" "$auth_i" "$salt_i")
	[ -n "$esn" ] && esnflags="replay-window 128"

	# xfrm side: encap socket, interface, states, policies.
	rm -f /tmp/espinudp.out
	ip netns exec xf python3 "$here/espinudp_sock.py" >/tmp/espinudp.out &
	sockpid=$!
	ip -n xf link add xfrm1 type xfrm dev veth1 if_id 7
	ip -n xf addr add 169.254.10.2/30 dev xfrm1
	ip -n xf addr add fd01::2/64 dev xfrm1 nodad
	ip -n xf link set xfrm1 up
	# shellcheck disable=SC2086
	ip -n xf xfrm state add src "$a" dst "$b" proto esp spi 0x1000 reqid 7 mode tunnel \
		$xo encap espinudp 4500 4500 $any if_id 7 flag af-unspec${esn:+ esn} $esnflags ||
		fail "$what: xfrm state (s2 -> xf)"
	# shellcheck disable=SC2086
	ip -n xf xfrm state add src "$b" dst "$a" proto esp spi 0x2000 reqid 7 mode tunnel \
		$xi encap espinudp 4500 4500 $any if_id 7 flag af-unspec${esn:+ esn} $esnflags ||
		fail "$what: xfrm state (xf -> s2)"
	for net in 0.0.0.0/0 ::/0; do
		ip -n xf xfrm policy add dir out src $net dst $net \
			tmpl src "$b" dst "$a" proto esp reqid 7 mode tunnel if_id 7
		ip -n xf xfrm policy add dir in src $net dst $net \
			tmpl src "$a" dst "$b" proto esp reqid 7 mode tunnel if_id 7
	done

	# s2svpn side.
	ip -n s2 link add s2svpn0 type s2svpn
	ip -n s2 addr add 169.254.10.1/30 dev s2svpn0
	ip -n s2 addr add fd01::1/64 dev s2svpn0 nodad
	ip -n s2 link set s2svpn0 up
	check "$what: tunnel set" ip netns exec s2 "$S2SVPNCTL" tunnel set s2svpn0 0 \
		remote "$b" local "$a" inside-peer 169.254.10.2
	check "$what: outbound SA" ip netns exec s2 "$S2SVPNCTL" sa add s2svpn0 tunnel 0 \
		dir out spi 0x1000 alg "$alg" keyfile /tmp/k_out ${esn:+esn}
	check "$what: inbound SA" ip netns exec s2 "$S2SVPNCTL" sa add s2svpn0 tunnel 0 \
		dir in spi 0x2000 alg "$alg" keyfile /tmp/k_in replay-window 128 ${esn:+esn}

	# xfrm decapsulates only once the socket is there: python starts slowly
	# on a loaded emulated guest (a first ping lost on QEMU 6.12 CI).
	for _ in $(seq 100); do grep -q ready /tmp/espinudp.out && break; sleep 0.1; done
	grep -q ready /tmp/espinudp.out || fail "$what: ESP-in-UDP socket on xf not ready in 10 s"
	ping_check "$what: ping s2svpn -> xfrm, inner IPv4" s2 169.254.10.2
	ping_check "$what: ping xfrm -> s2svpn, inner IPv4" xf 169.254.10.1
	ping_check "$what: ping s2svpn -> xfrm, inner IPv6" s2 fd01::2
	ping_check "$what: ping xfrm -> s2svpn, inner IPv6" xf fd01::1
	tcp_check "$what: TCP s2svpn -> xfrm, inner IPv4, 256 KiB" xf 169.254.10.2 s2 262144
	tcp_check "$what: TCP xfrm -> s2svpn, inner IPv6, 256 KiB" s2 fd01::1 xf 262144

	check_eq "$what: no drops on s2svpn" \
		"$(json s2 'sum(v for d in j["devices"] for t in d["tunnels"] for k, v in t["stats"].items() if k.startswith("drop"))')" 0
	kill "$sockpid"
	wait "$sockpid" 2>/dev/null
	ip netns del s2
	ip netns del xf
}

# xfrm_case LABEL OUTER [esn]: run_case for the algorithm LABEL of algs.
xfrm_case() {
	local entry label alg encb authb spec

	for entry in "${algs[@]}"; do
		IFS='|' read -r label alg encb authb spec <<<"$entry"
		if [ "$label" = "$1" ]; then
			run_case "$label" "$alg" "$encb" "$authb" "$spec" "$2" "${3:-}"
			return
		fi
	done
	fail "xfrm_case: no algorithm $1 in algs"
}

# xfrm_run LABEL... : every listed algorithm with IPv4 and IPv6 outer.
xfrm_run() {
	local want

	for want in "$@"; do
		xfrm_case "$want" 4
		xfrm_case "$want" 6
	done
}

# xfrm_run_esn LABEL: IPv4 outer with ESN, high sequence bits in the ICV as
# RFC 4303 appendix A and xfrm do it.
xfrm_run_esn() {
	xfrm_case "$1" 4 esn
}
