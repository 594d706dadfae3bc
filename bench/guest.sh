#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The `make bench` job inside UML (init.sh runs it instead of the tests when
# job.conf sets S2SVPN_GUEST). Every peer gets its own pair of namespaces,
# all set up once, so that the runs of one figure can interleave:
#
#   netns CFG-a                                netns CFG-b
#   tunnel device 192.168.0.1/24 ------------- tunnel device 192.168.0.2/24
#   v0 10.0.0.1/24 --------- veth ------------ v1 10.0.0.2/24, iperf3 -s
#
# CFG is veth (no tunnel: iperf3 to 10.0.0.2), s2-* (s2svpn, static SAs),
# xf-* (xfrm ESP-in-UDP tunnel mode, xfrm interface) or wg-chacha
# (WireGuard). Writes $S2SVPN_OUT/raw.tsv (section round metric peer alg
# value unit) and the evidence next to it; bench/report.py makes the table.
# A last line "PASS bench" or "FAIL bench: why" goes to $S2SVPN_OUT/results.
set -u
# shellcheck source=/dev/null
. "$S2SVPN_OUT/job.conf"
# shellcheck source=../tests/netns/lib.sh
. "$S2SVPN_REPO/tests/netns/lib.sh"
export S2SVPN_KO S2SVPN_REPO
OUT=$S2SVPN_OUT
RAW=$OUT/raw.tsv
RUNS=${BENCH_RUNS:-5}
SECS=${BENCH_SECS:-10}
USECS=${BENCH_UDP_SECS:-5}
PINGS=${BENCH_PINGS:-200}
LSECS=${BENCH_LOAD_SECS:-5}
NSAS=${BENCH_SAS:-10000}
NDEVS=${BENCH_DEVS:-200}
IKE_N=${BENCH_IKE_N:-20}
IKED=$S2SVPN_REPO/userspace-ike/s2svpn-iked
NETNS=$S2SVPN_REPO/tests/netns

# config | peer | algorithm | MTU | s2svpn algorithm | xfrm algorithm (KEY, AUTH, SALT)
configs=(
	"veth|veth|none|1500||"
	"s2-gcm|s2svpn|aes-gcm-128|1436|rfc4106(gcm(aes))|aead rfc4106(gcm(aes)) 0xKEYSALT 128"
	"xf-gcm|xfrm|aes-gcm-128|1436||aead rfc4106(gcm(aes)) 0xKEYSALT 128"
	"s2-cbc|s2svpn|aes-cbc-256-sha256|1422|authenc(hmac(sha256),cbc(aes))|enc cbc(aes) 0xKEY auth-trunc hmac(sha256) 0xAUTH 128"
	"xf-cbc|xfrm|aes-cbc-256-sha256|1422||enc cbc(aes) 0xKEY auth-trunc hmac(sha256) 0xAUTH 128"
	"s2-chacha|s2svpn|chacha20-poly1305|1436|rfc7539esp(chacha20,poly1305)|aead rfc7539esp(chacha20,poly1305) 0xKEYSALT 128"
	"s2-chacha-aead|s2svpn-aead|chacha20-poly1305|1436|rfc7539esp(chacha20,poly1305)|"
	"xf-chacha|xfrm|chacha20-poly1305|1436||aead rfc7539esp(chacha20,poly1305) 0xKEYSALT 128"
	"wg-chacha|wireguard|chacha20-poly1305|1436||"
)
declare -A PEER ALG MTU S2ALG XFALG DST RXDEV
for entry in "${configs[@]}"; do
	IFS='|' read -r c p a m s x <<<"$entry"
	# BENCH_CONFIGS: only these (bench.sh --profile).
	case " ${BENCH_CONFIGS:-$c} " in *" $c "*) CFGS+=("$c") ;; esac
	PEER[$c]=$p ALG[$c]=$a MTU[$c]=$m S2ALG[$c]=$s XFALG[$c]=$x
	DST[$c]=192.168.0.2
	case $p in
	s2svpn*) RXDEV[$c]=s2svpn0 ;;
	xfrm) RXDEV[$c]=xfrm1 ;;
	wireguard) RXDEV[$c]=wg0 ;;
	*) RXDEV[$c]=v1 ;;
	esac
done
DST[veth]=10.0.0.2

T0=$(date +%s)
ok() {
	n_ok=$((n_ok + 1))
	echo "ok - $* [$(($(date +%s) - T0)) s]"
}

# emit SECTION ROUND METRIC PEER ALG VALUE UNIT
emit() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RAW"
}

note() {
	echo "# $*"
	printf 'note\t-\t-\t-\t-\t%s\t-\n' "$*" >>"$RAW"
}

# Key material for the direction a->b (ab) and b->a (ba) of a config.
keys() {
	local c=$1 d
	for d in ab ba; do
		eval "ENC_$d=$(hexkey 32) AUTH_$d=$(hexkey 32) SALT_$d=$(hexkey 4)"
	done
	case ${ALG[$c]} in
	aes-gcm-128) ENC_ab=${ENC_ab:0:32} ENC_ba=${ENC_ba:0:32} ;;
	esac
}

setup_pair() {
	local c=$1 ns
	netns_new "$c-a" "$c-b"
	for ns in "$c-a" "$c-b"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	done
	veth "$c-a" v0 "$c-b" v1
	ip -n "$c-a" addr add 10.0.0.1/24 dev v0
	ip -n "$c-b" addr add 10.0.0.2/24 dev v1
}

setup_s2svpn() {
	local c=$1 side me peer out in lib=/sys/module/s2svpn/parameters/chapoly_lib
	keys "$c"
	# s2svpn-aead: the same module with its ChaCha20-Poly1305 SAs on the
	# kernel's AEAD template instead of the library (read at SA creation).
	[ "${PEER[$c]}" = s2svpn-aead ] && { echo N >$lib || return 1; }
	for side in a b; do
		if [ $side = a ]; then me=1 peer=2 out=ab in=ba; else me=2 peer=1 out=ba in=ab; fi
		local ns=$c-$side kout=/tmp/$c-$out.key kin=/tmp/$c-$in.key
		for d in ab ba; do
			local e="ENC_$d" a="AUTH_$d" s="SALT_$d"
			if [ "${ALG[$c]}" = aes-cbc-256-sha256 ]; then
				keyfile "/tmp/$c-$d.key" enc "${!e}" auth "${!a}"
			else
				keyfile "/tmp/$c-$d.key" enc "${!e}" salt "${!s}"
			fi
		done
		ip -n "$ns" link add s2svpn0 type s2svpn
		ip -n "$ns" link set s2svpn0 mtu "${MTU[$c]}"
		ip -n "$ns" addr add "192.168.0.$me/24" dev s2svpn0
		ip -n "$ns" link set s2svpn0 up
		ip netns exec "$ns" "$S2SVPNCTL" set s2svpn0 mss-clamp off || return 1
		ip netns exec "$ns" "$S2SVPNCTL" tunnel set s2svpn0 0 local "10.0.0.$me" \
			remote "10.0.0.$peer" || return 1
		ip netns exec "$ns" "$S2SVPNCTL" sa add s2svpn0 tunnel 0 dir out \
			spi "0x100$me" alg "${S2ALG[$c]}" keyfile "$kout" || return 1
		ip netns exec "$ns" "$S2SVPNCTL" sa add s2svpn0 tunnel 0 dir in \
			spi "0x100$peer" alg "${S2ALG[$c]}" keyfile "$kin" || return 1
	done
	echo Y >$lib
}

# xfrm_spec CONFIG DIR: the xfrm algorithm arguments with DIR's keys.
xfrm_spec() {
	local c=$1 d=$2 spec e a s
	e="ENC_$d" a="AUTH_$d" s="SALT_$d"
	spec=${XFALG[$c]}
	spec=${spec/KEYSALT/${!e}${!s}}
	spec=${spec/KEY/${!e}}
	spec=${spec/AUTH/${!a}}
	echo "$spec"
}

setup_xfrm() {
	local c=$1 side me peer ab ba
	keys "$c"
	ab=$(xfrm_spec "$c" ab) ba=$(xfrm_spec "$c" ba)
	for side in a b; do
		if [ $side = a ]; then me=1 peer=2; else me=2 peer=1; fi
		local ns=$c-$side dev=v$((me - 1))
		ip netns exec "$ns" python3 "$NETNS/espinudp_sock.py" >/dev/null &
		SOCKPIDS+=("$!")
		ip -n "$ns" link add xfrm1 type xfrm dev "$dev" if_id 7
		ip -n "$ns" link set xfrm1 mtu "${MTU[$c]}"
		ip -n "$ns" addr add "192.168.0.$me/24" dev xfrm1
		ip -n "$ns" link set xfrm1 up
		# shellcheck disable=SC2086
		ip -n "$ns" xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x1001 \
			reqid 7 mode tunnel $ab encap espinudp 4500 4500 0.0.0.0 \
			replay-window 32 if_id 7 || return 1
		# shellcheck disable=SC2086
		ip -n "$ns" xfrm state add src 10.0.0.2 dst 10.0.0.1 proto esp spi 0x1002 \
			reqid 7 mode tunnel $ba encap espinudp 4500 4500 0.0.0.0 \
			replay-window 32 if_id 7 || return 1
		ip -n "$ns" xfrm policy add dir out src 0.0.0.0/0 dst 0.0.0.0/0 if_id 7 \
			tmpl src "10.0.0.$me" dst "10.0.0.$peer" proto esp reqid 7 mode tunnel || return 1
		ip -n "$ns" xfrm policy add dir in src 0.0.0.0/0 dst 0.0.0.0/0 if_id 7 \
			tmpl src "10.0.0.$peer" dst "10.0.0.$me" proto esp reqid 7 mode tunnel || return 1
	done
}

setup_wg() {
	local c=$1 side me peer
	(umask 077 && wg genkey >/tmp/wg-a.priv && wg genkey >/tmp/wg-b.priv)
	for side in a b; do
		if [ $side = a ]; then me=1 peer=2; else me=2 peer=1; fi
		local ns=$c-$side other
		[ $side = a ] && other=b || other=a
		ip -n "$ns" link add wg0 type wireguard
		ip netns exec "$ns" wg set wg0 private-key "/tmp/wg-$side.priv" listen-port 51820 \
			peer "$(wg pubkey </tmp/wg-$other.priv)" allowed-ips 0.0.0.0/0 \
			endpoint "10.0.0.$peer:51820" || return 1
		ip -n "$ns" link set wg0 mtu "${MTU[$c]}"
		ip -n "$ns" addr add "192.168.0.$me/24" dev wg0
		ip -n "$ns" link set wg0 up
	done
}

setup() {
	local c=$1
	setup_pair "$c"
	case ${PEER[$c]} in
	s2svpn*) setup_s2svpn "$c" ;;
	xfrm) setup_xfrm "$c" ;;
	wireguard) setup_wg "$c" ;;
	esac || fail "$c: setup"
	ip netns exec "$c-b" iperf3 -s -D --logfile "/tmp/iperf3-$c.log" || fail "$c: iperf3 -s"
	# The first packets: WireGuard's handshake, ARP, the servers up.
	for _ in $(seq 50); do
		ip netns exec "$c-a" ping -c 1 -W 1 "${DST[$c]}" >/dev/null 2>&1 && break
		sleep 0.1
	done
	ping_check "$c: ${PEER[$c]} ${ALG[$c]} passes traffic" "$c-a" "${DST[$c]}"
}

# iperf3 CONFIG ARGS...: run the client in CONFIG's namespace a, JSON on stdout.
iperf() {
	local c=$1 out i
	shift
	# The server takes one test at a time; retry while it finishes the last.
	for i in 1 2 3 4 5; do
		# iperf3 -J warns on stderr (a UDP block over the TCP MSS): not JSON.
		if out=$(ip netns exec "$c-a" iperf3 -c "${DST[$c]}" -J "$@" 2>/dev/null) &&
		   ! grep -q '"error"' <<<"$out"; then
			echo "$out" >"$OUT/iperf/$c-$(date +%s%N).json"
			echo "$out"
			return 0
		fi
		sleep 0.5
	done
	echo "# iperf3 $c $*: $(grep -m1 error <<<"$out")" >&2
	return 1
}

json_tcp() {
	python3 -c 'import json,sys; j=json.load(sys.stdin); print("%.1f" % (j["end"]["sum_received"]["bits_per_second"] / 1e6))'
}

# udp_pps CONFIG LEN: packets per second that came out of the receiving
# tunnel device (decrypted and handed to the stack), over the sender's
# time. Not what the iperf3 server read: on one CPU a flooding sender
# starves it, and its socket drops what the tunnel did deliver.
udp_pps() {
	local c=$1 len=$2 before after secs
	local stat=/sys/class/net/${RXDEV[$c]}/statistics/rx_packets
	before=$(ip netns exec "$c-b" cat "$stat")
	secs=$(iperf "$c" -u -b 0 -l "$len" -t "$USECS" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum"]["seconds"])') ||
		return 1
	after=$(ip netns exec "$c-b" cat "$stat")
	echo "$after $before $secs" | awk '{ printf "%.0f\n", ($1 - $2) / $3 }'
}

# ping_stats: median and 99th percentile of "time=" in ms from ping -D output.
ping_stats() {
	python3 -c '
import re, sys
t = sorted(float(m) for m in re.findall(r"time=([0-9.]+)", sys.stdin.read()))
if not t:
    print("nan nan"); sys.exit()
p = lambda q: t[min(len(t) - 1, int(q * len(t)))]
print("%.3f %.3f" % (t[len(t) // 2], p(0.99)))'
}

measure() {
	local t=$1 c=$2 r=$3 v m p99 pid
	local peer=${PEER[$c]} alg=${ALG[$c]}
	# bench.sh --profile samples the kernel from the host while this runs.
	[ -n "${BENCH_MARK:-}" ] && : >"$OUT/mark-$c-$t"
	case $t in
	tcp1 | tcp4)
		v=$(iperf "$c" -t "$SECS" -Z -P "${t#tcp}" | json_tcp) || return 0
		emit tput "$r" "$t" "$peer" "$alg" "$v" Mbit/s
		;;
	udp64 | udp1400)
		v=$(udp_pps "$c" "${t#udp}") || return 0
		emit tput "$r" "$t" "$peer" "$alg" "$v" pps
		;;
	ping)
		read -r m p99 < <(ip netns exec "$c-a" ping -c "$PINGS" -i 0.01 -W 1 "${DST[$c]}" | ping_stats)
		emit lat "$r" ping_idle_median "$peer" "$alg" "$m" ms
		emit lat "$r" ping_idle_p99 "$peer" "$alg" "$p99" ms
		;;
	pingload)
		iperf "$c" -t "$LSECS" -Z >/dev/null &
		pid=$!
		sleep 1
		read -r m p99 < <(ip netns exec "$c-a" ping -c $((LSECS * 100 / 4)) -i 0.02 -W 1 \
			"${DST[$c]}" | ping_stats)
		wait "$pid"
		emit lat "$r" ping_load_median "$peer" "$alg" "$m" ms
		emit lat "$r" ping_load_p99 "$peer" "$alg" "$p99" ms
		;;
	esac
}

# crypto_ceiling ROUND: aeadspeed.ko times the ESP transforms (and refuses
# to load); once a round, between the tunnels' runs.
crypto_ceiling() {
	local r=$1 line out
	dmesg -C
	insmod "$BENCH_AEADSPEED_KO" len=1438 msecs="${BENCH_CRYPTO_MS:-1000}" 2>/dev/null
	out=$(dmesg | sed -n 's/^.*aeadspeed: /aeadspeed: /p')
	echo "$out" | sed "s/^/round $r: /" >>"$OUT/aeadspeed.txt"
	while read -r line; do
		# aeadspeed: LABEL driver DRIVER len LEN DIR OPS ops NS ns MBPS MB/s
		# shellcheck disable=SC2086
		set -- $line
		emit crypto "$r" "$7" "$4" "$2" "${12}" MB/s
	done < <(grep ' MB/s$' <<<"$out")
	grep -q ' dec ' <<<"$out" || fail "aeadspeed: $out"
}

# /proc/crypto entries of the ESP algorithms: one driver per name, and how
# many transforms use it (refcnt), saved with the results.
crypto_drivers() {
	cp /proc/crypto "$OUT/proc-crypto.txt"
	python3 - "$OUT/proc-crypto.txt" <<'PY' >"$OUT/drivers.txt"
import sys
blocks = open(sys.argv[1]).read().split("\n\n")
want = ("rfc4106", "rfc7539esp", "authenc(hmac(sha256),cbc(aes))", "seqiv", "echainiv",
        "gcm(aes)", "chacha20", "poly1305", "cbc(aes)", "hmac(sha256)", "aes", "sha256", "ghash")
for b in blocks:
    f = dict(l.split(":", 1) for l in b.strip().splitlines() if ":" in l)
    f = {k.strip(): v.strip() for k, v in f.items()}
    if any(f.get("name", "").startswith(w) for w in want):
        print(f'{f["name"]}\t{f["driver"]}\tpriority {f.get("priority")}\trefcnt {f.get("refcnt")}')
PY
	while IFS=$'\t' read -r name driver _ refcnt; do
		emit driver 1 "$name" - - "$driver" "${refcnt#refcnt }"
	done <"$OUT/drivers.txt"
}

# kmem: kernel memory in kB that objects of a network configuration take.
kmem() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep "${BENCH_SETTLE:-1}"
	awk '/^(Slab|Percpu|VmallocUsed|KernelStack):/ { s += $2 } END { print s }' /proc/meminfo
}

# Per device: NDEVS of each kind in a namespace of their own.
cost_devices() {
	local kind k0 k1 i
	for kind in s2svpn xfrm wireguard; do
		netns_new memdev
		k0=$(kmem)
		for i in $(seq "$NDEVS"); do
			case $kind in
			s2svpn) echo "link add m$i type s2svpn" ;;
			xfrm) echo "link add m$i type xfrm dev lo if_id $i" ;;
			wireguard) echo "link add m$i type wireguard" ;;
			esac
		done | ip -n memdev -batch - || fail "$NDEVS $kind devices"
		k1=$(kmem)
		emit cost 1 kmem_per_device "$kind" - "$(((k1 - k0) * 1024 / NDEVS))" bytes
		ip netns del memdev
	done
	ok "memory per device"
}

# Install NSAS more SAs in s2-gcm-b and xf-gcm-b (the receivers), and
# NSAS/2 WireGuard peers in wg-chacha-b (a peer is an SA pair).
cost_sas() {
	local k0 k1 k2 ndev
	ndev=$(((NSAS + 5) / 6))
	k0=$(kmem)
	ip netns exec s2-gcm-b python3 - "$NETNS" "$ndev" <<'PY' || fail "s2svpn devices for the SAs"
import subprocess, sys
n = int(sys.argv[2])
subprocess.run(["ip", "-batch", "-"], check=True, text=True,
               input="".join(f"link add x{i} type s2svpn\n" for i in range(n)))
PY
	k1=$(kmem)
	ip netns exec s2-gcm-b python3 - "$NETNS" "$ndev" <<'PY' || fail "s2svpn SAs"
import socket, sys
sys.path.insert(0, sys.argv[1])
from genl import S2svpn, A, T, SA
nl = S2svpn()
spi = 0x100000
for i in range(int(sys.argv[2])):
    ifi = socket.if_nametoindex(f"x{i}")
    for tid in (0, 1):
        nl.do("TUNNEL_SET", [(A.IFINDEX, ("u32", ifi)), (A.TUNNEL, [
            (T.ID, ("u8", tid)), (T.REMOTE4, socket.inet_aton("10.9.0.1")),
            (T.LOCAL_PORT, ("u16", 4600))])])
        for d in (1, 0, 0):
            spi += 1
            nl.do("SA_NEW", [(A.IFINDEX, ("u32", ifi)), (A.SA, [
                (SA.TUNNEL_ID, ("u8", tid)), (SA.DIR, ("u8", d)), (SA.SPI, ("u32", spi)),
                (SA.ALG, "rfc4106(gcm(aes))"), (SA.ENC_KEY, spi.to_bytes(16, "big")),
                (SA.SALT, b"salt")])])
PY
	k2=$(kmem)
	emit cost 1 sas_installed s2svpn aes-gcm-128 "$((ndev * 6))" SAs
	emit cost 1 kmem_per_sa_pair s2svpn aes-gcm-128 "$(((k2 - k1) * 1024 * 2 / (ndev * 6)))" bytes
	emit cost 1 kmem_per_device_with_tunnels s2svpn - "$(((k1 - k0) * 1024 / ndev))" bytes

	k0=$(kmem)
	python3 - "$NSAS" <<'PY' | ip -n xf-gcm-b -batch - || fail "xfrm states"
import sys
for i in range(int(sys.argv[1])):
    print(f"xfrm state add src 10.9.{i >> 8 & 255}.{i & 255} dst 10.0.0.2 proto esp "
          f"spi {0x100000 + i} reqid {100 + i} mode tunnel "
          f"aead rfc4106(gcm(aes)) 0x{i:032x}73616c74 128 "
          f"encap espinudp 4500 4500 0.0.0.0 if_id {100 + i}")
PY
	k1=$(kmem)
	emit cost 1 sas_installed xfrm aes-gcm-128 "$NSAS" SAs
	emit cost 1 kmem_per_sa_pair xfrm aes-gcm-128 "$(((k1 - k0) * 1024 * 2 / NSAS))" bytes

	k0=$(kmem)
	python3 - "$((NSAS / 2))" <<'PY' >/tmp/wg-peers.conf
import base64, os, sys
for i in range(int(sys.argv[1])):
    print(f"[Peer]\nPublicKey = {base64.b64encode(os.urandom(32)).decode()}\n"
          f"AllowedIPs = 10.{100 + (i >> 16)}.{i >> 8 & 255}.{i & 255}/32\n")
PY
	ip netns exec wg-chacha-b wg addconf wg0 /tmp/wg-peers.conf || fail "WireGuard peers"
	k1=$(kmem)
	emit cost 1 sas_installed wireguard chacha20-poly1305 "$((NSAS / 2 * 2))" SAs
	emit cost 1 kmem_per_sa_pair wireguard chacha20-poly1305 "$(((k1 - k0) * 1024 / (NSAS / 2)))" bytes
	ok "memory per SA: $NSAS SAs each for s2svpn and xfrm, $((NSAS / 2)) WireGuard peers"
}

# Lookup cost: the same figures with 1 SA and with NSAS SAs installed.
lookup_rounds() {
	local label=$1 r t c
	for r in $(seq "$FIRST" "$RUNS"); do
		for t in ${BENCH_LOOKUP_TESTS:-udp64}; do
			for c in s2-gcm xf-gcm; do
				v=$(measure_value "$t" "$c") || continue
				emit lookup "$r" "${t}_$label" "${PEER[$c]}" "${ALG[$c]}" "$v" "$(unit "$t")"
			done
		done
	done
}

unit() {
	case $1 in tcp*) echo Mbit/s ;; *) echo pps ;; esac
}

measure_value() {
	case $1 in
	tcp1) iperf "$2" -t "$SECS" -Z | json_tcp ;;
	udp64) udp_pps "$2" 64 ;;
	esac
}

# IKE: tunnels per second and memory per IKE SA with the same initiator
# load (one charon initiating IKE_N connections at once), answered by
# IKE_N s2svpn-iked (one per connection, as it is built) or by one charon.
IKE_PROP=aes128-sha256-x25519
ESP_PROP=aes128gcm16-x25519
IKE_PSK=Bench.psk_0123456789

# charon_start NS DIR: a charon of its own in NS, configured in DIR.
charon_start() {
	local ns=$1 dir=$2 _
	cat >"$dir/strongswan.conf" <<CONF
charon {
	load_modular = no
	load = random nonce openssl pem pkcs1 hmac kdf sha1 sha2 aes gcm curve25519 gmp kernel-netlink socket-default vici
	install_routes = no
	retransmit_tries = 3
	plugins {
		vici {
			socket = unix://$dir/charon.vici
		}
	}
	filelog {
		log {
			path = $dir/charon.log
			default = 0
		}
	}
}
swanctl {
	socket = unix://$dir/charon.vici
}
CONF
	ip netns exec "$ns" unshare -m sh -c "mount -t tmpfs tmpfs /run; \
		STRONGSWAN_CONF=$dir/strongswan.conf exec /usr/lib/ipsec/charon" >"$dir/stdout" 2>&1 &
	CHARON=$!
	for _ in $(seq 100); do
		[ -S "$dir/charon.vici" ] && return 0
		sleep 0.1
	done
	return 1
}

# swan_conns DIR SIDE START: IKE_N connections, k = 1..IKE_N, between
# 10.1.0.1 (initiator) and 10.1.0.(100 + k) (responder).
swan_conns() {
	local dir=$1 side=$2 start=$3 k me peer
	mkdir -p "$dir/swanctl"
	{
		echo "connections {"
		for k in $(seq "$IKE_N"); do
			if [ "$side" = i ]; then me=10.1.0.1 peer=10.1.0.$((100 + k));
			else me=10.1.0.$((100 + k)) peer=10.1.0.1; fi
			cat <<CONF
	c$k {
		version = 2
		local_addrs = $me
		remote_addrs = $peer
		proposals = $IKE_PROP
		encap = yes
		local { auth = psk
			id = $me }
		remote { auth = psk
			id = $peer }
		children { c$k { local_ts = 0.0.0.0/0
			remote_ts = 0.0.0.0/0
			esp_proposals = $ESP_PROP
			if_id_in = $k
			if_id_out = $k
			start_action = $start } }
	}
CONF
		done
		echo "}"
		echo "secrets { ike { secret = $IKE_PSK } }"
	} >"$dir/swanctl/swanctl.conf"
}

swanctl_in() {
	local ns=$1 dir=$2
	shift 2
	ip netns exec "$ns" env STRONGSWAN_CONF="$dir/strongswan.conf" SWANCTL_DIR="$dir/swanctl" \
		swanctl "$@"
}

# pss PID...: their proportional set size, summed, in kB.
pss() {
	local p s=0 v
	for p in "$@"; do
		v=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null)
		s=$((s + ${v:-0}))
	done
	echo "$s"
}

# cpu_ms PID...: their user and system CPU time, summed, in ms.
cpu_ms() {
	local p s=0 hz
	hz=$(getconf CLK_TCK)
	for p in "$@"; do
		# utime and stime, fields 14 and 15: the 12th and 13th after the
		# parenthesised command name, which may hold spaces.
		s=$((s + $(sed 's/.*) //' "/proc/$p/stat" | awk '{ print $12 + $13 }')))
	done
	echo "$((s * 1000 / hz))"
}

# new_sas KIND MAX: how many CHILD_SAs (KIND child) or IKE SAs (ike) the
# initiator (ike_round's, in /tmp/ike-i) has up whose unique id is above MAX; with MAX empty, the highest
# unique id of those it has up.
new_sas() {
	swanctl_in ike-i /tmp/ike-i --list-sas 2>/dev/null | awk -v kind="$1" -v max="$2" '
		kind == "child" && /^  c[0-9]+: #[0-9]+, reqid [0-9]+, INSTALLED,/ ||
		kind == "ike" && /^c[0-9]+: #[0-9]+, ESTABLISHED,/ {
			id = $2; gsub(/[#,]/, "", id); id += 0
			if (id > top) top = id
			if (max != "" && id > max) n++
		}
		END { print (max == "" ? top + 0 : n + 0) }'
}

# ike_rekeys RESPONDER KIND: the initiator rekeys all IKE_N CHILD_SAs (KIND
# child, with PFS: a key exchange each) or IKE SAs (ike) at once; rekeys per
# second until it has IKE_N new ones up. The old ones are gone by then or
# going: charon deletes them as part of the rekey. Called by ike_round: the
# responders are its pids.
ike_rekeys() {
	local resp=$1 kind=$2 k i n=0 top t0 t1 c0 c1 rpids=()
	top=$(new_sas "$kind" "")
	c0=$(cpu_ms "${pids[@]}")
	t0=$(date +%s.%N)
	for k in $(seq "$IKE_N"); do
		swanctl_in ike-i /tmp/ike-i --rekey "--$kind" "c$k" >/dev/null 2>&1 &
		rpids+=("$!")
	done
	for i in $(seq 600); do
		n=$(new_sas "$kind" "$top")
		[ "$n" -ge "$IKE_N" ] && break
		sleep 0.1
	done
	t1=$(date +%s.%N)
	wait "${rpids[@]}"
	sleep 1
	c1=$(cpu_ms "${pids[@]}")
	if [ "$n" -ge "$IKE_N" ]; then
		emit ike "$IKE_R" "${kind}_rekeys_per_s" "$resp" - "$(echo "$IKE_N / ($t1 - $t0)" | bc -l)" rekeys/s
		emit ike "$IKE_R" "${kind}_rekey_cpu_ms" "$resp" - "$(echo "($c1 - $c0) / $IKE_N" | bc -l)" ms
	else
		note "IKE: $resp answered $n of $IKE_N $kind rekeys in 60 s"
	fi
}

# ike_round RESPONDER: IKE_N tunnels from one charon to the responder(s).
ike_round() {
	local resp=$1 k i t0 t1 n=0 m0 m1 c0 c1 i1 dir_i=/tmp/ike-i dir_r=/tmp/ike-r pids=()
	netns_new ike-i ike-r
	veth ike-i v0 ike-r v1
	ip -n ike-i addr add 10.1.0.1/24 dev v0
	for k in $(seq "$IKE_N"); do
		ip -n ike-r addr add "10.1.0.$((100 + k))/24" dev v1
	done
	rm -rf $dir_i $dir_r
	mkdir -p $dir_i $dir_r
	if [ "$resp" = s2svpn-iked ]; then
		for k in $(seq "$IKE_N"); do
			(umask 077 && cat >"$dir_r/r$k.conf") <<CONF
[connection]
name = bench-$k
device = s2svpn$k
local_address = 10.1.0.$((100 + k))
startup_action = add
phase1_encryption = AES128
phase1_integrity = SHA2-256
phase1_dh_groups = 31
phase2_encryption = AES128-GCM-16
phase2_dh_groups = 31

[tunnel1]
outside_address = 10.1.0.1
psk = $IKE_PSK
inside_cidr = 169.254.$k.0/30
inside_role = aws
CONF
			ip netns exec ike-r "$IKED" -c "$dir_r/r$k.conf" -S "/run/iked-$k.sock" \
				>"$dir_r/r$k.log" 2>&1 &
			pids+=("$!")
		done
	else
		swan_conns $dir_r r none
		charon_start ike-r $dir_r || { note "IKE: charon responder did not start"; return 1; }
		pids=("$CHARON")
		swanctl_in ike-r $dir_r --load-all >/dev/null 2>&1 || { note "IKE: responder swanctl --load-all failed"; return 1; }
	fi
	swan_conns $dir_i i start
	charon_start ike-i $dir_i || { note "IKE: charon initiator did not start"; return 1; }
	local cpid=$CHARON
	sleep 1
	m0=$(pss "${pids[@]}")
	c0=$(cpu_ms "${pids[@]}")
	t0=$(date +%s.%N)
	swanctl_in ike-i $dir_i --load-all >/dev/null 2>&1
	for i in $(seq 600); do
		n=$(swanctl_in ike-i $dir_i --list-sas 2>/dev/null | grep -c INSTALLED)
		[ "$n" -ge "$IKE_N" ] && break
		sleep 0.1
	done
	t1=$(date +%s.%N)
	sleep 1
	m1=$(pss "${pids[@]}")
	c1=$(cpu_ms "${pids[@]}")
	# Idle: all tunnels up, nothing to do for 5 s (timers, DPD, counters).
	sleep 5
	i1=$(cpu_ms "${pids[@]}")
	if [ "$n" -ge "$IKE_N" ]; then
		emit ike "$IKE_R" tunnels_per_s "$resp" - "$(echo "$IKE_N / ($t1 - $t0)" | bc -l)" tunnels/s
		emit ike "$IKE_R" tunnel_cpu_ms "$resp" - "$(echo "($c1 - $c0) / $IKE_N" | bc -l)" ms
		emit ike "$IKE_R" kb_per_ike_sa "$resp" - "$(echo "($m1 - $m0) / $IKE_N" | bc -l)" kB
		emit ike "$IKE_R" kb_idle "$resp" - "$(echo "$m0 / ${#pids[@]}" | bc -l)" kB/process
		emit ike "$IKE_R" idle_cpu_ms_per_s "$resp" - "$(echo "($i1 - $c1) / 5 / $IKE_N" | bc -l)" ms/s
		ike_rekeys "$resp" child
		ike_rekeys "$resp" ike
	else
		note "IKE: $resp established $n of $IKE_N tunnels in 60 s"
	fi
	kill "${pids[@]}" "$cpid" 2>/dev/null
	wait "${pids[@]}" "$cpid" 2>/dev/null
	ip netns del ike-i
	ip netns del ike-r
}

# IKE: tunnels per second and memory per IKE SA under the same initiator
# load (one charon initiating IKE_N connections at once), answered by
# IKE_N s2svpn-iked (one per connection, as it is built) or by one charon.
ike_bench() {
	local resp
	for IKE_R in $(seq "$FIRST" "$RUNS"); do
		for resp in s2svpn-iked charon; do
			ike_round "$resp"
		done
	done
	ok "IKE: $IKE_N tunnels per round"
}

# Failover: s2svpn-iked with two tunnels, to two endpoints (each its own
# s2svpn-iked, as AWS has two), a 100 pps UDP stream to an address both
# endpoints hold; tunnel 1's path then drops everything (netem loss 100%),
# as a dead peer does. The outage is the gap between the last datagram that
# came through tunnel 1 and the first through tunnel 2.
#
#   netns fl: lo 10.0.0.1 (local_address), remote_prefixes 172.16.0.0/24
#     v1 10.0.1.1 ---- fr1 v0 10.0.1.2, lo 172.16.0.1 (tunnel 1's endpoint)
#     v2 10.0.2.1 ---- fr2 v0 10.0.2.2, lo 172.16.0.1 (tunnel 2's endpoint)
fo_conf() {
	local file=$1 local=$2 startup=$3 dpd=$4
	shift 4
	{
		cat <<CONF
[connection]
device = s2svpn0
local_address = $local
startup_action = $startup
phase1_encryption = AES128
phase1_integrity = SHA2-256
phase1_dh_groups = 19
phase2_encryption = AES128-GCM-16
phase2_dh_groups = 19
$dpd
CONF
		[ "$startup" = start ] && printf 'preferred_tunnel = 1\nremote_prefixes = 172.16.0.0/24\n'
		local n=1 t
		for t in "$@"; do
			# t: outside_address:inside /30:role
			IFS=: read -r o c role <<<"$t"
			printf '\n[tunnel%s]\noutside_address = %s\npsk = %s\ninside_cidr = %s\ninside_role = %s\n' \
				"$n" "$o" "$IKE_PSK" "$c" "$role"
			n=$((n + 1))
		done
	} >"$file"
	chmod 600 "$file"
}

# failover_round LABEL DPD_LINES LIMIT ROUND: LIMIT s to wait for tunnel 2.
failover_round() {
	local label=$1 dpd=$2 limit=$3 r=$4 k i pids=() spid rpids=() t_cut
	local dir=/tmp/fo
	rm -rf $dir
	mkdir -p $dir
	netns_new fl fr1 fr2
	ip -n fl addr add 10.0.0.1/32 dev lo
	for k in 1 2; do
		veth fl "v$k" "fr$k" v0
		ip -n fl addr add "10.0.$k.1/24" dev "v$k"
		ip -n "fr$k" addr add "10.0.$k.2/24" dev v0
		ip -n "fr$k" route add 10.0.0.1/32 via "10.0.$k.1"
		ip -n "fr$k" addr add 172.16.0.1/32 dev lo
		fo_conf "$dir/r$k.conf" "10.0.$k.2" add "$dpd" "10.0.0.1:169.254.1$((k - 1)).0/30:aws"
		ip netns exec "fr$k" "$IKED" -j -l debug -c "$dir/r$k.conf" -S "$dir/r$k.sock" >"$dir/r$k.log" 2>&1 &
		pids+=("$!")
	done
	fo_conf "$dir/l.conf" 10.0.0.1 start "$dpd" \
		"10.0.1.2:169.254.10.0/30:customer" "10.0.2.2:169.254.11.0/30:customer"
	ip netns exec fl "$IKED" -j -l debug -c "$dir/l.conf" -S "$dir/l.sock" >"$dir/l.log" 2>&1 &
	pids+=("$!")
	for i in $(seq 300); do
		[ "$(json fl 'sum(t["state"] == "usable" for t in j["devices"][0]["tunnels"])' 2>/dev/null)" = 2 ] &&
			ip -n fl route get 172.16.0.1 2>/dev/null | grep -q s2svpn0 && break
		sleep 0.1
	done
	if [ "$i" = 300 ]; then
		note "failover ($label): both tunnels not up in 30 s: $(tail -2 $dir/l.log | tr '\n' ' ')"
		kill "${pids[@]}" 2>/dev/null
		wait 2>/dev/null
		return 1
	fi
	for k in 1 2; do
		ip netns exec "fr$k" python3 "$S2SVPN_REPO/bench/udpstream.py" recv 172.16.0.1 9000 \
			"$dir/recv$k" >"$dir/recv$k.out" 2>&1 &
		rpids+=("$!")
	done
	for k in 1 2; do
		for i in $(seq 50); do grep -q ready "$dir/recv$k.out" && break; sleep 0.1; done
	done
	ip netns exec fl python3 "$S2SVPN_REPO/bench/udpstream.py" send 172.16.0.1 9000 100 &
	spid=$!
	sleep 2
	t_cut=$(ip netns exec fl python3 -c '
import subprocess, time
t = time.monotonic()
subprocess.run(["tc", "qdisc", "add", "dev", "v1", "root", "netem", "loss", "100%"], check=True)
print(t)')
	for i in $(seq $((limit * 10))); do
		[ -s "$dir/recv2.first" ] && break
		sleep 0.1
	done
	kill "$spid" 2>/dev/null
	kill -TERM "${rpids[@]}" 2>/dev/null
	wait "$spid" "${rpids[@]}" 2>/dev/null
	read -r n1 _ last1 <"$dir/recv1"
	read -r n2 first2 _ <"$dir/recv2"
	if [ "${n1:-0}" -gt 0 ] && [ "${n2:-0}" -gt 0 ]; then
		emit failover "$r" outage_s "s2svpn-iked" "$label" "$(echo "$first2 - $last1" | bc -l)" s
		emit failover "$r" detect_s "s2svpn-iked" "$label" "$(echo "$first2 - $t_cut" | bc -l)" s
	else
		note "failover ($label): no traffic through tunnel 2 within ${limit} s (tunnel 1 got $n1)"
	fi
	kill -TERM "${pids[@]}" 2>/dev/null
	wait "${pids[@]}" 2>/dev/null
	# The daemons' logs, with the cut's time, for reading the timeline.
	mkdir -p "$OUT/failover/$label-$r"
	cp $dir/*.log "$OUT/failover/$label-$r/"
	echo "cut at monotonic $t_cut" >"$OUT/failover/$label-$r/cut"
	ip netns del fl
	ip netns del fr1
	ip netns del fr2
}

failover_bench() {
	local r
	if ! "$IKED" --help 2>&1 | grep -qi failover; then
		note "failover: not yet available"
		return 0
	fi
	for r in $(seq "$FIRST" "$RUNS"); do
		# AWS's default DPD (10 s interval, 40 s timeout in s2svpn-iked), and
		# the aggressive setting its manual suggests.
		case ${BENCH_FAILOVER:-default aggressive} in *default*)
			failover_round default "" 80 "$r" ;;
		esac
		case ${BENCH_FAILOVER:-default aggressive} in *aggressive*)
			failover_round aggressive "$(printf 'dpd_interval = 1\ndpd_timeout = 3')" 30 "$r" ;;
		esac
	done
	ok "failover measured"
}

main() {
	local r t c i order
	: >"$RAW"
	mkdir -p "$OUT/iperf"
	# Process substitution needs /dev/fd, which devtmpfs lacks.
	[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
	s2svpn_load
	emit meta 1 kernel - - "$(uname -r)" -
	emit meta 1 runs - - "$RUNS" -
	emit meta 1 secs - - "$SECS" -
	SOCKPIDS=()
	for c in "${CFGS[@]}"; do
		setup "$c"
	done
	crypto_drivers

	# Round 0 is the warm-up, discarded by the report; a smoke run has none.
	FIRST=0
	[ "$RUNS" -le 1 ] && FIRST=1
	for r in $(seq "$FIRST" "$RUNS"); do
		[ "${BENCH_CRYPTO:-1}" = 1 ] && crypto_ceiling "$r"
		for t in ${BENCH_TESTS:-tcp1 tcp4 udp64 udp1400 ping pingload}; do
			# A/B/C interleaved, the order rotated every round.
			order=()
			for i in "${!CFGS[@]}"; do
				order+=("${CFGS[$(((i + r) % ${#CFGS[@]}))]}")
			done
			for c in "${order[@]}"; do
				measure "$t" "$c" "$r"
			done
		done
		ok "round $r done"
	done

	# BENCH_STAGES: the stages after the throughput and latency rounds.
	stages=" ${BENCH_STAGES-cost ike failover} "
	if [[ $stages == *" cost "* ]]; then
		lookup_rounds 1sa
		cost_devices
		cost_sas
		lookup_rounds "${NSAS}sa"
	fi
	[[ $stages == *" ike "* ]] && ike_bench
	[[ $stages == *" failover "* ]] && failover_bench
	# Kernel symbols, modules' included, for bench.sh --profile.
	cp /proc/kallsyms "$OUT/kallsyms"
	for pid in "${SOCKPIDS[@]}"; do kill "$pid" 2>/dev/null; done
	echo "# $n_ok checks passed"
}

(main) >"$OUT/bench.log" 2>&1
rc=$?
dmesg >"$OUT/bench.kmsg"
if [ "$rc" = 0 ]; then
	echo "PASS bench" >>"$OUT/results"
else
	echo "FAIL bench: $(grep -m1 '^not ok' "$OUT/bench.log" || tail -n1 "$OUT/bench.log")" >>"$OUT/results"
fi
