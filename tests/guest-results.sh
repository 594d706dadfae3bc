#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Reporting a guest's run (UML or QEMU) from its output directory, for
# run-uml.sh and run-qemu.sh; needs report.sh.

# write_job OUT LABEL KO REPO TIMEOUT TEST...: OUT/job.conf, what the guest's
# init (tests/uml/guest-run.sh) reads; $S2SVPN_MODPARAMS, $S2SVPN_TEST_DIR,
# $S2SVPN_TEST_TIMEOUT (else TIMEOUT) and $S2SVPN_TEST_ENV pass through.
write_job() {
	local out=$1 label=$2 ko=$3 repo=$4 timeout=$5
	shift 5
	cat >"$out/job.conf" <<CONF
S2SVPN_KERNEL='$label'
S2SVPN_KO='$ko'
S2SVPN_REPO='$repo'
S2SVPN_OUT='$out'
S2SVPN_TESTS='$*'
S2SVPN_MODPARAMS='${S2SVPN_MODPARAMS:-}'
S2SVPN_TEST_DIR='${S2SVPN_TEST_DIR:-tests/netns}'
S2SVPN_TEST_TIMEOUT='${S2SVPN_TEST_TIMEOUT:-$timeout}'
S2SVPN_TEST_ENV='${S2SVPN_TEST_ENV:-}'
CONF
}

# watch_guest OUT PID LIMIT: wait for the guest boot PID (timeout(1) and
# its emulator), and stop it if OUT/console.log stays silent for LIMIT s. A
# hung kernel prints nothing more, while a live guest logs the end of each
# test at the latest when the guest's own limit ends it, so LIMIT is that
# limit plus two minutes: a hang costs that, not the whole boot's limit.
# The hang is described in OUT/hang.txt; for UML, whose kernel is its main
# host process, with gdb's backtrace of where the kernel is stuck.
watch_guest() {
	local out=$1 boot=$2 limit=$3 pid
	while kill -0 "$boot" 2>/dev/null; do
		sleep 5
		[ $(($(date +%s) - $(stat -c %Y "$out/console.log"))) -gt "$limit" ] || continue
		pid=$(pgrep -P "$boot" | head -n1)
		[ -n "$pid" ] || continue
		echo "no console output for $limit s: stopped" >"$out/hang.txt"
		[ "$(cat "/proc/$pid/comm")" = linux ] &&
			timeout 120 gdb -p "$pid" -batch -ex 'bt 40' >>"$out/hang.txt" 2>&1
		# shellcheck disable=SC2046 # a list of pids
		kill -KILL "$pid" $(pgrep -P "$pid") 2>/dev/null
		return
	done
}

# report_hang LABEL OUT: a failure if watch_guest stopped the guest.
report_hang() {
	[ -s "$2/hang.txt" ] || return 0
	failed "$1: kernel hung, $(head -n1 "$2/hang.txt")"
	keep "$2/hang.txt" "$2/console.log"
}

# keep FILE...: name the logs a failure left and show the end of the first,
# so that a CI run's output alone says what went wrong.
keep() {
	echo "#   kept: $*"
	tail -n 40 "$1" 2>/dev/null | sed 's/^/#   | /'
}

# report_tests LABEL OUT TEST...: one result per test, from OUT/results.
report_tests() {
	local label=$1 out=$2 t line
	shift 2
	for t in "$@"; do
		line=$(grep -m1 -E "^(PASS|FAIL) $t( |:|$)" "$out/results" 2>/dev/null)
		case "$line" in
		PASS*) pass "$label ${line#PASS }" ;;
		FAIL*)
			failed "$label ${line#FAIL }"
			keep "$out/$t.log" "$out/$t.kmsg"
			;;
		*)
			failed "$label $t: did not run (kernel died?)"
			keep "$out/console.log"
			;;
		esac
	done
}

# report_kernel_log LABEL OUT: the whole boot's kernel log is free of splats
# and shows the module loaded.
report_kernel_log() {
	local label=$1 out=$2
	if grep -qE "$S2SVPN_SPLAT" "$out/console.log"; then
		failed "$label kernel log: $(grep -m1 -E "$S2SVPN_SPLAT" "$out/console.log")"
		if [ -s "$out/kmemleak.txt" ]; then
			keep "$out/kmemleak.txt" "$out/console.log"
		else
			keep "$out/console.log"
		fi
	elif ! grep -q 's2svpn: ESP-in-UDP site-to-site VPN device loaded' "$out/console.log"; then
		failed "$label kernel log: module never loaded"
		keep "$out/console.log"
	else
		pass "$label kernel log free of BUG/WARNING/KASAN/leak reports"
	fi
}
