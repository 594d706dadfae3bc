#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# s2svpn-test: once
#
# s2svpn-iked as a systemd Type=notify service, without systemd: a listener
# on $NOTIFY_SOCKET records what the daemon tells it. READY=1 comes once the
# UDP sockets and the control socket exist; SIGHUP (systemctl reload) gives
# RELOADING=1 then READY=1 and the daemon carries on; SIGTERM gives
# STOPPING=1 and exit 0. With $JOURNAL_STREAM naming its stderr, every log
# line starts with its syslog priority <N>.
. "$(dirname "$0")/lib.sh"
IKED=$S2SVPN_REPO/userspace-ike/s2svpn-iked

s2svpn_load
netns_new l
ip -n l link add veth0 type dummy
ip -n l addr add 10.0.0.1/24 dev veth0
ip -n l link set veth0 up
iked_conf /tmp/sd.conf test-sd s2svpn0 10.0.0.1 customer add "" \
	10.0.0.2 Sup3r.secret_psk1 169.254.10.0/30

rm -f /tmp/notify.sock /tmp/notify.log
python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/tmp/notify.sock")
# Writable by all, as systemd'"'"'s /run/systemd/notify: the daemon is
# ready only after it has become its unprivileged user.
os.chmod("/tmp/notify.sock", 0o777)
while True:
    m = s.recv(4096).decode()
    with open("/tmp/notify.log", "a") as f:
        f.write(m.replace("\n", "|") + "\n")
' &
lpid=$!
for _ in $(seq 50); do [ "$(stat -c %a /tmp/notify.sock 2>/dev/null)" = 777 ] && break; sleep 0.1; done

: >/tmp/sd.log
stream=$(stat -c '%d:%i' /tmp/sd.log)
NOTIFY_SOCKET=/tmp/notify.sock JOURNAL_STREAM=$stream \
	ip netns exec l "$IKED" -c /tmp/sd.conf -S /run/iked-sd.sock 2>>/tmp/sd.log &
pid=$!

# notified N PATTERN: the Nth message matches PATTERN (waits up to 5 s).
notified() {
	local _
	for _ in $(seq 50); do
		sed -n "$1p" /tmp/notify.log 2>/dev/null | grep -qE -- "$2" && return 0
		sleep 0.1
	done
	return 1
}

notified 1 '^READY=1\|STATUS=connection test-sd on s2svpn0$' ||
	fail "no READY=1 within 5 s: $(cat /tmp/notify.log 2>/dev/null) log: $(cat /tmp/sd.log)"
# What READY promises was done before it was sent.
ports=$(ip netns exec l ss -Hlun | awk '{ print $4 }' | sort | tr '\n' ' ')
check_eq "READY=1 once UDP 500 and 4500 are bound" "$ports" "10.0.0.1:4500 10.0.0.1:500 "
[ -S /run/iked-sd.sock ] || fail "READY=1 before the control socket exists"
ok "READY=1 once the control socket exists, STATUS names the connection"

kill -HUP "$pid"
notified 2 '^RELOADING=1$' || fail "SIGHUP: no RELOADING=1: $(cat /tmp/notify.log)"
notified 3 '^READY=1$' || fail "SIGHUP: no READY=1 after RELOADING=1: $(cat /tmp/notify.log)"
sleep 0.3
kill -0 "$pid" 2>/dev/null || fail "the daemon died on SIGHUP"
check "SIGHUP: RELOADING=1, READY=1, daemon still serves its control socket" \
	ip netns exec l "$S2SVPNCTL" -S /run/iked-sd.sock status
grep -q '^<4>warning: SIGHUP: reloading the configuration is not implemented yet;' /tmp/sd.log ||
	fail "SIGHUP: no <4>warning about reload: $(cat /tmp/sd.log)"
ok "SIGHUP logs a warning that reload is not implemented"

kill -TERM "$pid"
wait "$pid"
rc=$?
check_eq "SIGTERM: exit status" "$rc" 0
notified 4 '^STOPPING=1' || fail "SIGTERM: no STOPPING=1: $(cat /tmp/notify.log)"
ok "SIGTERM: STOPPING=1"
kill "$lpid"

grep -q '^<5>notice: connection test-sd on s2svpn0 ready$' /tmp/sd.log ||
	fail "journal: no '<5>notice: ... ready': $(cat /tmp/sd.log)"
bad=$(grep -v '^<[0-7]>' /tmp/sd.log | head -n 3)
[ -z "$bad" ] || fail "journal: lines without a <N> priority: $bad"
ok "journal stream: every line starts with its priority ($(wc -l </tmp/sd.log) lines)"

# Without $JOURNAL_STREAM, plain lines as before.
ip netns exec l "$IKED" -c /tmp/sd.conf -S /run/iked-sd.sock 2>/tmp/plain.log &
pid=$!
for _ in $(seq 50); do grep -q ready /tmp/plain.log && break; sleep 0.1; done
kill -TERM "$pid"
wait "$pid"
grep -q '^notice: connection test-sd on s2svpn0 ready$' /tmp/plain.log ||
	fail "stderr without the journal: $(cat /tmp/plain.log)"
ok "stderr without the journal: no <N> prefixes"
