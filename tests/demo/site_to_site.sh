#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The scenario of `make demo`, run inside UML by tests/uml/guest-run.sh
# (tests/demo/demo.sh sets it up and shows its output as it goes). Lines
# starting "==>" are narration, "$ " a command shown with its output, and
# **text** a key figure (demo.sh makes them bold on a terminal).
#
#   onprem-host 192.168.1.10
#        |
#   onprem-gw  192.168.1.1 | 203.0.113.10   s2svpn0 (tunnels 1 and 2), s2svpn-iked
#        |
#   internet   netem: 10 ms each way per link, 0.1 % loss
#        |
#   cloud-vpn  198.51.100.1 (tunnel 1), 198.51.100.2 (tunnel 2) | 10.10.0.1
#              PEER=s2svpn: s2svpn0 + s2svpn1, an s2svpn-iked each
#              PEER=strongswan: charon, xfrm1 + xfrm2, an updown script
#        |
#   cloud-host 10.10.0.10
. "$S2SVPN_REPO/tests/netns/lib.sh"
IKED=$S2SVPN_REPO/userspace-ike/s2svpn-iked
PROBE=$S2SVPN_REPO/tests/netns/probe.py
PEER=${S2SVPN_DEMO_PEER:-s2svpn}
D=/tmp/demo
SS=$D/strongswan
pids=""
t_start=$(date +%s.%N)

say() { echo; echo "==> $*"; }
run() {
	echo "$ $*"
	"$@" 2>&1 | sed 's/^/  /'
}
# nsrun NS CMD...: show and run CMD in namespace NS.
nsrun() {
	local ns=$1
	shift
	echo "[$ns]\$ $(basename "$1") ${*:2}"
	ip netns exec "$ns" "$@" 2>&1 | sed 's/^/  /'
}
since() { printf %.1f "$(echo "$(date +%s.%N) - $1" | bc)"; }
cleanup() {
	local p
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
}
trap cleanup EXIT

s2svpn_load
rm -rf $D
mkdir -p $D

say "Building the network: an on-premises site and a cloud VPC joined by a simulated internet."
cat <<'PIC'
  onprem-host 192.168.1.10
       |  LAN 192.168.1.0/24
  onprem-gw   s2svpn0 + s2svpn-iked          (your router: customer gateway)
       |  203.0.113.10
  internet    netem: 10 ms per hop each way, 0.1 % loss
       |  198.51.100.1 (tunnel 1)   198.51.100.2 (tunnel 2)
  cloud-vpn   two tunnel endpoints            (plays AWS's virtual private gateway)
       |  VPC 10.10.0.0/24
  cloud-host  10.10.0.10
PIC
netns_new onprem-host onprem-gw internet cloud-vpn cloud-host
veth onprem-host eth0 onprem-gw lan0
veth onprem-gw wan0 internet i-onprem
veth internet i-cloud cloud-vpn wan0
veth cloud-vpn lan0 cloud-host eth0
ip -n onprem-host addr add 192.168.1.10/24 dev eth0
ip -n onprem-host route add default via 192.168.1.1
ip -n onprem-gw addr add 192.168.1.1/24 dev lan0
ip -n onprem-gw addr add 203.0.113.10/24 dev wan0
ip -n onprem-gw route add default via 203.0.113.1
ip -n internet addr add 203.0.113.1/24 dev i-onprem
ip -n internet addr add 198.51.100.254/24 dev i-cloud
ip -n cloud-vpn addr add 198.51.100.1/24 dev wan0
ip -n cloud-vpn addr add 198.51.100.2/24 dev wan0
ip -n cloud-vpn route add default via 198.51.100.254
ip -n cloud-vpn addr add 10.10.0.1/24 dev lan0
ip -n cloud-host addr add 10.10.0.10/24 dev eth0
ip -n cloud-host route add default via 10.10.0.1
for ns in onprem-gw internet cloud-vpn; do
	ip netns exec $ns sysctl -qw net.ipv4.ip_forward=1
done
# The cloud side ends each tunnel on its own interface: replies may come
# back on the other one for a moment during a failover (loose rp_filter).
ip netns exec cloud-vpn sysctl -qw net.ipv4.conf.all.rp_filter=2
for link in "onprem-gw wan0" "internet i-onprem" "internet i-cloud" "cloud-vpn wan0"; do
	set -- $link
	ip netns exec "$1" tc qdisc add dev "$2" root netem delay 10ms loss 0.1%
done
ip netns exec onprem-host ping -c 2 -q 203.0.113.10 >/dev/null
echo "  the internet: $(ip netns exec onprem-gw ping -c 3 -i 0.2 -q 198.51.100.1 | tail -1)"

# --- configuration -----------------------------------------------------------
# iked_conf (lib.sh): aggressive DPD, these algorithms, and EXTRA lines.
ALGS="phase1_encryption = AES256-GCM-16
phase1_integrity = SHA2-256
phase1_dh_groups = 20
phase2_encryption = AES256-GCM-16
phase2_dh_groups = 20"
iked_conf $D/onprem.conf vpn-demo s2svpn0 203.0.113.10 customer start \
	"$ALGS
preferred_tunnel = 1
remote_prefixes = 10.10.0.0/24" \
	198.51.100.1 Demo.tunnel1_psk 169.254.10.0/30 \
	198.51.100.2 Demo.tunnel2_psk 169.254.11.0/30

start_cloud_s2svpn() {
	iked_conf $D/cloud1.conf cloud-t1 s2svpn0 198.51.100.1 aws add \
		"$ALGS
remote_prefixes = 192.168.1.0/24
route_metric = 100" 203.0.113.10 Demo.tunnel1_psk 169.254.10.0/30
	iked_conf $D/cloud2.conf cloud-t2 s2svpn1 198.51.100.2 aws add \
		"$ALGS
remote_prefixes = 192.168.1.0/24
route_metric = 200" 203.0.113.10 Demo.tunnel2_psk 169.254.11.0/30
	ip netns exec cloud-vpn "$IKED" -c $D/cloud1.conf -S /run/cloud-t1.sock >$D/cloud1.log 2>&1 &
	pids="$pids $!"
	ip netns exec cloud-vpn "$IKED" -c $D/cloud2.conf -S /run/cloud-t2.sock >$D/cloud2.log 2>&1 &
	pids="$pids $!"
}

start_cloud_strongswan() {
	local i
	mkdir -p $SS/swanctl
	cat >$SS/strongswan.conf <<CONF
charon {
	load_modular = no
	load = random nonce openssl pem pkcs1 hmac kdf sha1 sha2 aes gcm gmp kernel-netlink socket-default vici updown
	install_routes = no
	# IKEv2 DPD: dead after 3 unanswered retransmits, 1 s apart.
	retransmit_tries = 2
	retransmit_timeout = 1
	retransmit_base = 1
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
		}
	}
}
swanctl {
	socket = unix://$SS/charon.vici
}
CONF
	# Routes to the on-premises LAN follow the CHILD SAs: the updown script
	# routes 192.168.1.0/24 via xfrmN while tunnel N is up (metric 100 * N).
	cat >$SS/updown.sh <<'SH'
#!/bin/sh
n=$PLUTO_IF_ID_OUT
case $PLUTO_VERB in
up-client) ip route replace 192.168.1.0/24 dev xfrm$n metric $((100 * n)) ;;
down-client) ip route del 192.168.1.0/24 dev xfrm$n metric $((100 * n)) ;;
esac
exit 0
SH
	chmod 755 $SS/updown.sh
	{
		echo "connections {"
		for i in 1 2; do
			cat <<CONF
	tunnel$i {
		version = 2
		local_addrs = 198.51.100.$i
		remote_addrs = 203.0.113.10
		proposals = aes256gcm16-prfsha256-ecp384
		encap = yes
		dpd_delay = 1s
		local {
			auth = psk
			id = 198.51.100.$i
		}
		remote {
			auth = psk
			id = 203.0.113.10
		}
		children {
			net$i {
				local_ts = 0.0.0.0/0
				remote_ts = 0.0.0.0/0
				esp_proposals = aes256gcm16-ecp384
				mode = tunnel
				if_id_in = $i
				if_id_out = $i
				updown = $SS/updown.sh
				dpd_action = clear
				start_action = none
			}
		}
	}
CONF
		done
		echo "}"
		echo "secrets {"
		for i in 1 2; do
			cat <<CONF
	ike-$i {
		id-1 = 198.51.100.$i
		id-2 = 203.0.113.10
		secret = Demo.tunnel${i}_psk
	}
CONF
		done
		echo "}"
	} >$SS/swanctl/swanctl.conf
	for i in 1 2; do
		ip -n cloud-vpn link add xfrm$i type xfrm dev wan0 if_id $i
		ip -n cloud-vpn addr add 169.254.1$((i - 1)).1/30 dev xfrm$i
		ip -n cloud-vpn link set xfrm$i up
	done
	ip netns exec cloud-vpn unshare -m sh -c "mount -t tmpfs tmpfs /run; \
		STRONGSWAN_CONF=$SS/strongswan.conf exec /usr/lib/ipsec/charon" >$SS/stdout 2>&1 &
	pids="$pids $!"
	for _ in $(seq 100); do
		[ -S $SS/charon.vici ] && break
		sleep 0.1
	done
	ip netns exec cloud-vpn env STRONGSWAN_CONF=$SS/strongswan.conf SWANCTL_DIR=$SS/swanctl \
		swanctl --load-all >$SS/load.out 2>&1 || fail "swanctl --load-all: $(cat $SS/load.out)"
}

say "The on-premises router's connection file (one file = one VPN connection, two tunnels):"
grep -v '^psk' $D/onprem.conf | sed 's/^/  /'
if [ "$PEER" = strongswan ]; then
	say "Cloud side: strongSwan's charon, one IKE connection per tunnel, each on an xfrm interface."
	start_cloud_strongswan
else
	say "Cloud side: two s2svpn-iked, one per tunnel endpoint (s2svpn0 on 198.51.100.1, s2svpn1 on .2), waiting for the router."
	start_cloud_s2svpn
fi

say "Starting s2svpn-iked on the on-premises router: it brings up both tunnels (IKEv2, pre-shared keys)."
echo "[onprem-gw]\$ s2svpn-iked -c onprem.conf"
t0=$(date +%s.%N)
ip netns exec onprem-gw "$IKED" -c $D/onprem.conf >$D/onprem.log 2>&1 &
pids="$pids $!"
tstate() {
	json onprem-gw "' '.join(t['state'] for d in j['devices'] for t in d['tunnels'])" 2>/dev/null
}
up=""
for _ in $(seq 300); do
	[ "$(tstate)" = "usable usable" ] && { up=$(since "$t0"); break; }
	sleep 0.1
done
[ -n "$up" ] || fail "tunnels not up after 30 s: $(tstate); $(tail -5 $D/onprem.log)"
sed -n 's/^.*\(tunnel [12] ([0-9.]*)\): \(.*established.*\)$/  \1: \2/p' $D/onprem.log | head -4
echo "  **both tunnels up in $up s**"

say "A ping from the on-premises host to the cloud host, through tunnel 1:"
nsrun onprem-host ping -c 4 -i 0.3 10.10.0.10
say "A 4 MiB transfer from host to host (TCP, checked end to end with SHA-256):"
port=5001
ip netns exec cloud-host python3 "$S2SVPN_REPO/tests/netns/tcp_xfer.py" serve 10.10.0.10 $port >$D/xfer.out 2>&1 &
sleep 0.5
t0=$(date +%s.%N)
sent=$(ip netns exec onprem-host timeout 60 python3 "$S2SVPN_REPO/tests/netns/tcp_xfer.py" send 10.10.0.10 $port 4194304 2>&1)
secs=$(since "$t0")
wait $!
got=$(cat $D/xfer.out)
echo "  sent:     $sent"
echo "  received: $got"
[ "$sent" = "$got" ] || fail "transfer corrupted or incomplete"
echo "  **4 MiB in $secs s, intact** ($(echo "scale=1; 4 * 8 / $secs" | bc) Mbit/s inside UML)"

say "What the kernel and the daemon say: s2svpnctl show (the device, its tunnels, SAs and counters)"
echo "  (the kernel numbers the tunnels 0 and 1; the connection file and the daemon's part, 1 and 2)"
nsrun onprem-gw "$S2SVPNCTL" show
say "s2svpnctl status (the IKE side: phases, algorithms, DPD, next rekeys):"
nsrun onprem-gw "$S2SVPNCTL" status

# probe_start NAME / probe_stop NAME: a UDP echo every 20 ms from the
# on-premises host to the cloud host; the longest silence is the outage.
ip netns exec cloud-host python3 "$PROBE" echo 10.10.0.10 7777 >$D/echo.out 2>&1 &
pids="$pids $!"
for _ in $(seq 50); do
	grep -q ready $D/echo.out && break
	sleep 0.1
done
probe_start() {
	ip netns exec onprem-host python3 "$PROBE" send 10.10.0.10 7777 20 >"$D/$1.probe" 2>"$D/$1.probe.err" &
	probe=$!
}
probe_stop() {
	kill -TERM $probe
	wait $probe
	read -r _ p_sent _ _ _ p_lost _ p_gap _ _ <"$D/$1.probe"
}
active() {
	json onprem-gw 'j["devices"][0]["active_tunnel"] + 1' 2>/dev/null
}

say "Now the failure: tunnel 1's path through the internet goes black (both directions)."
echo "  A UDP probe sends a packet every 20 ms from onprem-host to cloud-host and back."
probe_start cut
sleep 2
echo "[internet]\$ ip route add blackhole 198.51.100.1/32; ip rule add from 198.51.100.1 blackhole"
ip -n internet route add blackhole 198.51.100.1/32
ip -n internet rule add from 198.51.100.1 blackhole
t_cut=$(date +%s.%N)
fo=""
for _ in $(seq 200); do
	[ "$(active)" = 2 ] && { fo=$(since "$t_cut"); break; }
	sleep 0.05
done
[ -n "$fo" ] || fail "no failover 10 s after the cut: $(tail -5 $D/onprem.log)"
sleep 3
probe_stop cut
cut_gap=$p_gap
grep -E "peer dead|failover" $D/onprem.log | sed 's/^/  log: /'
echo "  daemon switched to tunnel 2 $fo s after the cut (DPD: 1 s interval + 3 s timeout)"
echo "  **outage: $cut_gap ms** (longest silence of the 20 ms probe; $p_lost of $p_sent probes lost)"
nsrun onprem-gw "$S2SVPNCTL" show s2svpn0 | grep -E "active|tunnel [01]:|failover|failback|why" || true

say "The path comes back. The daemon re-initiates tunnel 1 (retries 1 s, 2 s, 4 s... apart) and fails back to it."
probe_start back
echo "[internet]\$ ip rule del from 198.51.100.1 blackhole; ip route del blackhole 198.51.100.1/32"
ip -n internet rule del from 198.51.100.1 blackhole
ip -n internet route del blackhole 198.51.100.1/32
t_back=$(date +%s.%N)
fb=""
for _ in $(seq 900); do
	[ "$(active)" = 1 ] && { fb=$(since "$t_back"); break; }
	sleep 0.1
done
[ -n "$fb" ] || fail "no failback 90 s after the path came back: $(tail -5 $D/onprem.log)"
sleep 2
probe_stop back
back_gap=$p_gap
grep -E "failback" $D/onprem.log | sed 's/^/  log: /'
echo "  **failback to tunnel 1 $fb s after the path returned; longest probe gap $back_gap ms**"
nsrun onprem-gw "$S2SVPNCTL" show s2svpn0 | grep -E "active|tunnel [01]:|failover|failback|why" || true

say "Metrics for Prometheus (node_exporter's textfile collector), named after AWS's CloudWatch ones:"
nsrun onprem-gw "$S2SVPNCTL" metrics

say "Summary"
echo "  cloud side:               $PEER"
echo "  tunnels up:               **$up s**"
echo "  transfer:                 4 MiB intact in $secs s"
echo "  failover (tunnel 1 cut):  **outage $cut_gap ms**, switched after $fo s"
echo "  failback (path restored): back on tunnel 1 after $fb s, **longest gap $back_gap ms**"
echo "  demo ran $(since "$t_start") s"
cleanup
trap - EXIT
echo "ok - demo complete"
