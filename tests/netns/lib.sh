#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the integration tests. Each test runs inside UML as its own
# bash process; it prints "ok - what" for every check that held and stops at
# the first "not ok - what", exiting non-zero.
set -u

n_ok=0

ok() {
	n_ok=$((n_ok + 1))
	echo "ok - $*"
}

fail() {
	echo "not ok - $*"
	exit 1
}

# check WHAT CMD...: CMD must succeed.
check() {
	local what=$1 out
	shift
	out=$("$@" 2>&1) || fail "$what: '$*' failed: $out"
	ok "$what"
}

# check_err WHAT PATTERN CMD...: CMD must fail with PATTERN in its output.
check_err() {
	local what=$1 pattern=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		fail "$what: '$*' succeeded, expected an error matching '$pattern'"
	fi
	grep -qF -- "$pattern" <<<"$out" ||
		fail "$what: '$*' failed with '$out', expected '$pattern'"
	ok "$what"
}

# check_eq WHAT GOT WANT
check_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
	ok "$1"
}

# wait_eq WHAT WANT CMD...: poll CMD (up to 10 s) until it prints WANT; for
# counters that async crypto completes a little after the traffic.
wait_eq() {
	local what=$1 want=$2 got i
	shift 2
	for i in $(seq 100); do
		got=$("$@")
		[ "$got" = "$want" ] && break
		sleep 0.1
	done
	check_eq "$what" "$got" "$want"
}

s2svpn_load() {
	# shellcheck disable=SC2086
	grep -q '^s2svpn ' /proc/modules || insmod "$S2SVPN_KO" ${S2SVPN_MODPARAMS:-} ||
		fail "insmod $S2SVPN_KO"
}

# link_json NS DEV PYEXPR: evaluate PYEXPR over `ip -d -j link show` of DEV
# (the object is "l"), e.g. link_json a s2svpn0 'l["mtu"]'.
link_json() {
	ip -n "$1" -d -j link show dev "$2" |
		python3 -c "import json,sys; l=json.load(sys.stdin)[0]; print($3)"
}
# wait_usable NS: until NS's first tunnel is usable, up to 10 s (the ping
# check that follows says whether it came up).
wait_usable() {
	local _
	for _ in $(seq 100); do
		[ "$(json "$1" 'j["devices"][0]["tunnels"][0]["state"]' 2>/dev/null)" = usable ] && return 0
		sleep 0.1
	done
}

# link_stat NS DEV COUNTER: one counter of /sys/class/net/DEV/statistics.
link_stat() {
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"
}

# kmemleak_check: report leaks of objects allocated since kmemleak_clear.
kmemleak_clear() {
	[ -w /sys/kernel/debug/kmemleak ] && echo clear >/sys/kernel/debug/kmemleak
	return 0
}

kmemleak_check() {
	local f=/sys/kernel/debug/kmemleak leaks

	if [ ! -w $f ]; then
		echo "# kmemleak not in this kernel ($S2SVPN_KERNEL): leak scan skipped"
		return 0
	fi
	# Objects are reported once older than 5 s and still unreferenced after
	# two scans; give RCU and netns cleanup work time to finish first.
	sleep 6
	echo scan >$f
	echo scan >$f
	leaks=$(cat $f)
	[ -z "$leaks" ] || fail "kmemleak reports leaks: $leaks"
	ok "kmemleak scan finds no leak"
}

# The control tool, as built by `make` (tools/).
S2SVPNCTL=$S2SVPN_REPO/tools/s2svpnctl
ctl() {
	"$S2SVPNCTL" "$@"
}

# hexkey BYTES: that many random bytes in hex.
hexkey() {
	head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'
}

# keyfile PATH enc HEX [auth HEX] [salt HEX]: a key file for `ctl sa add`.
keyfile() {
	local path=$1
	shift
	(umask 077 && : >"$path")
	while [ $# -ge 2 ]; do
		echo "$1 $2" >>"$path"
		shift 2
	done
}

# veth NS1 IF1 NS2 IF2: a veth pair between two namespaces, both ends up.
veth() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

# netns_new NAME...: fresh namespaces with loopback up.
netns_new() {
	local ns
	for ns in "$@"; do
		ip netns del "$ns" 2>/dev/null
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
}

# tcp_check WHAT NS_SERVER ADDR NS_CLIENT BYTES: a verified TCP transfer.
tcp_check() {
	local what=$1 srv=$2 addr=$3 cli=$4 bytes=$5 port=$((5000 + RANDOM % 1000))
	local out=/tmp/tcp_xfer.$$ got want

	ip netns exec "$srv" python3 "$S2SVPN_REPO/tests/netns/tcp_xfer.py" serve \
		"$addr" "$port" >"$out" 2>&1 &
	local pid=$!
	want=$(ip netns exec "$cli" timeout 120 python3 \
		"$S2SVPN_REPO/tests/netns/tcp_xfer.py" send "$addr" "$port" "$bytes" 2>&1)
	wait "$pid"
	got=$(cat "$out")
	rm -f "$out"
	[ -n "$want" ] && [ "$got" = "$want" ] ||
		fail "$what: sent '$want', received '$got'"
	ok "$what"
}

# ping_check WHAT NS ADDR: three echo requests, all answered.
ping_check() {
	ip netns exec "$2" ping -q -c 3 -i 0.2 -W 2 "$3" >/dev/null 2>&1 ||
		fail "$1: no answer from $3 in $2"
	ok "$1"
}

# json NS PYEXPR: evaluate PYEXPR over `s2svpnctl -j show` in NS ("j").
json() {
	ip netns exec "$1" "$S2SVPNCTL" -j show |
		python3 -c "import json,sys; j=json.load(sys.stdin); print($2)"
}

# tunstat NS DEV TUNNEL COUNTER: one counter of a tunnel, from the kernel
# (COUNTER as in enum s2svpn_a_stats without prefix: RX_PACKETS, DROP_AUTH...).
# TUNNEL "net" reads the namespace-wide counters.
tunstat() {
	ip netns exec "$1" python3 - "$S2SVPN_REPO/tests/netns" "$2" "$3" "$4" <<'PY'
import socket, sys
sys.path.insert(0, sys.argv[1])
from genl import S2svpn, A, T, ST, parse_attrs, tunnels, u
dev, tid, ctr = sys.argv[2], sys.argv[3], getattr(ST, sys.argv[4])
r = S2svpn().do("DEV_GET", [(A.IFINDEX, ("u32", socket.if_nametoindex(dev)))])[0]
if tid == "net":
    print(u(parse_attrs(r[1][A.NET_STATS]).get(ctr)))
else:
    print(u(parse_attrs(tunnels(r[2])[int(tid)][T.STATS]).get(ctr)))
PY
}

# tunstat_log NS DEV TUNNEL COUNTER OUT: sample one tunnel counter every 50 ms
# as "epoch-ms value" lines into OUT until killed (pid in $!): a reading
# taken by tunstat lands seconds late on a loaded emulated guest.
tunstat_log() {
	ip netns exec "$1" python3 - "$S2SVPN_REPO/tests/netns" "$2" "$3" "$4" >"$5" <<'PY' &
import socket, sys, time
sys.path.insert(0, sys.argv[1])
from genl import S2svpn, A, T, ST, parse_attrs, tunnels, u
dev, tid, ctr = sys.argv[2], int(sys.argv[3]), getattr(ST, sys.argv[4])
nl, idx = S2svpn(), socket.if_nametoindex(dev)
while True:
    r = nl.do("DEV_GET", [(A.IFINDEX, ("u32", idx))])[0]
    v = u(parse_attrs(tunnels(r[2])[tid][T.STATS]).get(ctr))
    print(round(time.time() * 1000), v, flush=True)
    time.sleep(0.05)
PY
}

# tunstat_at LOG MS: the last value LOG (from tunstat_log) had sampled by MS.
tunstat_at() {
	awk -v t="$2" '$1 <= t { v = $2 } END { print v + 0 }' "$1"
}

# iked_conf FILE NAME DEVICE LOCAL ROLE STARTUP EXTRA [OUTSIDE PSK CIDR]...:
# an s2svpn-iked connection file with aggressive DPD (1 s + 3 s, clear),
# the [connection] lines EXTRA (algorithms, routes...) and a [tunnelN] per
# OUTSIDE PSK CIDR triple, this side in ROLE (customer or aws).
iked_conf() {
	local f=$1 name=$2 dev=$3 local=$4 role=$5 startup=$6 extra=$7 n=1
	shift 7
	(umask 077 && cat >"$f") <<CONF
[connection]
name = $name
device = $dev
local_address = $local
startup_action = $startup
; aggressive dead peer detection: dead after 1 s of silence + 3 s
dpd_interval = 1
dpd_timeout = 3
dpd_action = clear
$extra
CONF
	while [ $# -ge 3 ]; do
		cat >>"$f" <<CONF

[tunnel$n]
outside_address = $1
psk = $2
inside_cidr = $3
inside_role = $role
CONF
		n=$((n + 1))
		shift 3
	done
}
