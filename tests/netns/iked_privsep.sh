#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# s2svpn-test: once
#
# s2svpn-iked's privilege separation (issue 11, F4): the daemon runs as an
# unprivileged user with only CAP_NET_ADMIN and CAP_NET_BIND_SERVICE (bounding
# set included) and still brings the tunnel up; control clients that connect
# and send nothing, or half a line, do not stall IKE or other clients; a
# control directory that is world-writable, a symlink or someone else's makes
# the daemon refuse to start, before it touches the kernel.
#
#   netns l (customer gateway)                netns r (plays AWS)
#   s2svpn-iked, initiates                    s2svpn-iked, startup_action = add
#   s2svpn0 169.254.10.2/30                   s2svpn0 169.254.10.1/30
#   veth0 10.0.0.1/24 ----------------------- veth1 10.0.0.2/24
#   control: /run/s2svpn/l.sock               control: /run/s2svpn/r.sock
#
# Independent assertions do not stop the test: each prints ok/not ok, and the
# test fails at the end if any did not hold.
. "$(dirname "$0")/lib.sh"
IKED=$S2SVPN_REPO/userspace-ike/s2svpn-iked
CTL=/run/s2svpn

n_bad=0
# soft WHAT GOT WANT: like check_eq, but keeps going.
soft() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		echo "not ok - $1: got '$2', want '$3'"
		n_bad=$((n_bad + 1))
	fi
}

s2svpn_load
netns_new l r
veth l veth0 r veth1
ip -n l addr add 10.0.0.1/24 dev veth0
ip -n r addr add 10.0.0.2/24 dev veth1

iked_conf /tmp/l.conf test-l s2svpn0 10.0.0.1 customer start "" \
	10.0.0.2 Sup3r.secret_psk1 169.254.10.0/30
iked_conf /tmp/r.conf test-r s2svpn0 10.0.0.2 aws add "" \
	10.0.0.1 Sup3r.secret_psk1 169.254.10.0/30

# refused DIR WHAT PATTERN: a daemon told to listen in DIR exits 1 at once
# with PATTERN, and has created no device.
refused() {
	local out rc
	out=$(timeout 5 ip netns exec l "$IKED" -c /tmp/l.conf -S "$1/l.sock" 2>&1)
	rc=$?
	soft "$2: daemon refuses to start (exit 1)" "$rc" 1
	if grep -qF -- "$3" <<<"$out"; then
		ok "$2: error says '$3'"
	else
		echo "not ok - $2: error '$out', want '$3'"
		n_bad=$((n_bad + 1))
	fi
	soft "$2: no device created" "$(ip -n l -o link show dev s2svpn0 2>/dev/null | wc -l)" 0
	ip -n l link del s2svpn0 2>/dev/null
}
mkdir -m 0777 /run/ctl-ww
chmod 0777 /run/ctl-ww
refused /run/ctl-ww "world-writable control directory" \
	"/run/ctl-ww: control directory is writable by group or others (mode 0777)"
mkdir -m 0770 /run/ctl-gw
chmod 0770 /run/ctl-gw
refused /run/ctl-gw "group-writable control directory" \
	"/run/ctl-gw: control directory is writable by group or others (mode 0770)"
mkdir -m 0755 /run/ctl-real
ln -s /run/ctl-real /run/ctl-link
refused /run/ctl-link "symlinked control directory" \
	"/run/ctl-link: control directory is a symbolic link"
mkdir -m 0755 /run/ctl-other
chown 1234:1234 /run/ctl-other
refused /run/ctl-other "control directory of another user" \
	"/run/ctl-other: control directory is owned by uid 1234"
rm -rf /run/ctl-ww /run/ctl-gw /run/ctl-real /run/ctl-link /run/ctl-other

ip netns exec r "$IKED" -c /tmp/r.conf -S $CTL/r.sock -l debug >/tmp/r.log 2>&1 &
rpid=$!
sleep 0.5
ip netns exec l "$IKED" -c /tmp/l.conf -S $CTL/l.sock -l debug >/tmp/l.log 2>&1 &
lpid=$!
wait_usable l
ping_check "tunnel up as an unprivileged daemon: ping through it" l 169.254.10.1

# /proc/PID/status: every uid and gid non-zero; CAP_NET_ADMIN (12) and
# CAP_NET_BIND_SERVICE (10) only, in every set that matters.
st=/proc/$lpid/status
soft "daemon's real, effective, saved and fs uids are not root" \
	"$(awk '/^Uid:/ {print ($2 && $3 && $4 && $5) ? "non-zero" : $0}' $st)" non-zero
soft "daemon's gids are not root" \
	"$(awk '/^Gid:/ {print ($2 && $3 && $4 && $5) ? "non-zero" : $0}' $st)" non-zero
soft "daemon has no supplementary groups" "$(awk '/^Groups:/ {print NF - 1}' $st)" 0
for set in CapEff CapPrm CapBnd; do
	soft "$set: CAP_NET_ADMIN and CAP_NET_BIND_SERVICE only" \
		"$(awk "/^$set:/ {print \$2}" $st)" 0000000000001400
done
soft "CapInh and CapAmb empty" "$(awk '/^Cap(Inh|Amb):/ {print $2}' $st | sort -u)" 0000000000000000
soft "NoNewPrivs" "$(awk '/^NoNewPrivs:/ {print $2}' $st)" 1
uid=$(awk '/^Uid:/ {print $2}' $st)
if grep -qE "running as uid $uid .*capabilities cap_net_bind_service,cap_net_admin" /tmp/l.log; then
	ok "daemon logs its uid and capabilities after the drop"
else
	echo "not ok - daemon logs its uid and capabilities: $(grep -m1 'running as' /tmp/l.log)"
	n_bad=$((n_bad + 1))
fi
soft "control directory: a directory, root's, not writable by others" \
	"$(stat -c '%F %u %a' $CTL)" "directory 0 755"
soft "control socket: root's, group may connect, others may not" \
	"$(stat -c '%F %u %a' $CTL/l.sock)" "socket 0 660"

# stall PATH SECONDS: four control clients that connect and stall for
# SECONDS, two silent, two with half a command; one the daemon hangs up on
# reconnects at once. Touches /tmp/stall.ready once all are connected,
# and prints how many connections each made.
stall() {
	python3 - "$@" <<'PY'
import select, socket, sys, time
path, secs = sys.argv[1], float(sys.argv[2])
data = [b"", b"", b"stat", b"stat"]
conns, socks = [0] * 4, [None] * 4
def connect(i):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    if data[i]:
        s.send(data[i])
    socks[i] = s
    conns[i] += 1
for i in range(4):
    connect(i)
open("/tmp/stall.ready", "w").close()
end = time.time() + secs
while time.time() < end:
    r, _, _ = select.select(socks, [], [], max(0, end - time.time()))
    for s in r:
        i = socks.index(s)
        try:
            closed = not s.recv(4096)
        except OSError:
            closed = True
        if closed:
            s.close()
            connect(i)
print(" ".join(map(str, conns)))
PY
}

# latency PATH N: the longest of N status round trips, in ms, measured by
# the client itself (UML's process start-up is not the daemon's doing).
latency() {
	python3 - "$@" <<'PY'
import socket, sys, time
worst = 0
for _ in range(int(sys.argv[2])):
    t0 = time.time()
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    s.connect(sys.argv[1])
    s.send(b"status\n")
    out = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
    ms = int((time.time() - t0) * 1000)
    if b"phase 1: Established" not in out:
        ms = 99999
    worst = max(worst, ms)
    time.sleep(0.3)
print(worst)
PY
}

alive0=$(grep -c "peer alive" /tmp/l.log)
rm -f /tmp/stall.ready
stall $CTL/l.sock 4 >/tmp/stall.out &
stallpid=$!
for _ in $(seq 100); do
	[ -e /tmp/stall.ready ] && break
	sleep 0.1
done
ms=$(latency $CTL/l.sock 3)
echo "# status while 4 clients stall: at most $ms ms"
soft "status answers within 1 s while 4 clients stall (worst of 3)" \
	"$([ "$ms" -lt 1000 ] && echo yes || echo "$ms ms")" yes
out=$(ip netns exec l "$S2SVPNCTL" -S $CTL/l.sock status 2>&1)
soft "s2svpnctl status answers while 4 clients stall" \
	"$(grep -c '^  phase 1: Established, phase 2: Established$' <<<"$out")" 1
wait "$stallpid"
alive1=$(grep -c "peer alive" /tmp/l.log)
soft "stalled clients held their one connection each for 4 s (idle timeout 5 s)" "$(cat /tmp/stall.out)" "1 1 1 1"
soft "DPD kept going during the stall (>= 2 probes answered in 4 s)" \
	"$([ $((alive1 - alive0)) -ge 2 ] && echo yes || echo "$((alive1 - alive0))")" yes
ping_check "tunnel still passes traffic after the stall" l 169.254.10.1
soft "no peer declared dead" "$(grep -c 'peer dead' /tmp/l.log)" 0

# A client that never completes its line is dropped after the idle timeout.
idle=$(python3 - $CTL/l.sock <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.send(b"sta")
t0 = time.time()
s.settimeout(20)
try:
    while s.recv(4096):
        pass
    print(round(time.time() - t0))
except socket.timeout:
    print("still open after 20 s")
PY
)
soft "an idle client is hung up on after the idle timeout (5 s)" "$idle" 5

# A request longer than the limit is refused with a precise error.
long=$(python3 - $CTL/l.sock <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"x" * 4096)
s.settimeout(5)
out = b""
try:
    while True:
        b = s.recv(4096)
        if not b:
            break
        out += b
except (socket.timeout, ConnectionResetError):
    pass
print(out.decode(errors="replace").strip())
PY
)
soft "an over-long request gets an error" "$long" \
	"error: command longer than 255 bytes; send one line, e.g. \"status\""

kill -TERM "$lpid" "$rpid"
wait "$lpid"
soft "SIGTERM: unprivileged daemon exits 0" "$?" 0
wait "$rpid"
soft "SAs deleted at exit" "$(grep -c 'deleting the SAs' /tmp/l.log)" 1

[ "$n_bad" = 0 ] || fail "$n_bad assertion(s) did not hold (see above)"
echo "# $n_ok checks passed"
