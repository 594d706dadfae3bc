#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside UML (from init.sh): loads s2svpn.ko, keeps the KUnit output,
# then runs each integration test in a fresh shell with its own namespaces.
# Writes $S2SVPN_OUT/results ("PASS name" / "FAIL name: why") and, per test,
# NAME.log (its output) and NAME.kmsg (the kernel log while it ran).
set -u
# shellcheck source=/dev/null
. "$S2SVPN_OUT/job.conf"
# shellcheck source=../report.sh
. "$S2SVPN_REPO/tests/report.sh"
export S2SVPN_KO S2SVPN_REPO S2SVPN_KERNEL S2SVPN_MODPARAMS S2SVPN_OUT
results=$S2SVPN_OUT/results

# Boot-time kmemleak reports are not ours: tests look at what they add.
# The periodic scanner is off: on this one-CPU KASAN kernel a scan takes the
# CPU for seconds, in the middle of whichever timed test is running. The
# tests that check for leaks scan themselves, and one scan ends the boot.
kmemleak=/sys/kernel/debug/kmemleak
if [ -w $kmemleak ]; then
	echo scan=off >$kmemleak
	echo clear >$kmemleak
fi

dmesg -C
# shellcheck disable=SC2086
if ! insmod "$S2SVPN_KO" $S2SVPN_MODPARAMS >"$S2SVPN_OUT/insmod.log" 2>&1; then
	echo "FAIL insmod: $(cat "$S2SVPN_OUT/insmod.log")" >>"$results"
	exit 0
fi
# KUnit suites run synchronously at insmod.
dmesg >"$S2SVPN_OUT/kunit.kmsg"

for t in $S2SVPN_TESTS; do
	script=$S2SVPN_REPO/${S2SVPN_TEST_DIR:-tests/netns}/$t.sh
	dmesg -C
	echo "s2svpn-test: begin $t" >/dev/kmsg
	start=$(date +%s.%N)
	# In a session of its own, so that whatever it started (daemons, charon,
	# bird) can be killed after it, pass or fail, before the next test.
	rm -f /tmp/s2svpn-test.sid
	# shellcheck disable=SC2086
	env ${S2SVPN_TEST_ENV:-} timeout --kill-after=10 "${S2SVPN_TEST_TIMEOUT:-480}" \
		setsid --wait bash -c 'echo $$ >/tmp/s2svpn-test.sid; exec bash "$0"' "$script" \
		>"$S2SVPN_OUT/$t.log" 2>&1
	rc=$?
	[ -s /tmp/s2svpn-test.sid ] && pkill -KILL -s "$(cat /tmp/s2svpn-test.sid)" 2>/dev/null
	sleep 0.2
	secs=$(echo "$(date +%s.%N) - $start" | bc)
	echo "s2svpn-test: end $t rc=$rc" >/dev/kmsg
	dmesg >"$S2SVPN_OUT/$t.kmsg"
	# Every namespace a test made dies with it, even on failure.
	ip -all netns delete 2>/dev/null
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "FAIL $t: timed out after ${S2SVPN_TEST_TIMEOUT:-480} s" >>"$results"
	elif [ "$rc" != 0 ]; then
		echo "FAIL $t: $(grep -m1 '^not ok' "$S2SVPN_OUT/$t.log" || tail -n1 "$S2SVPN_OUT/$t.log")" >>"$results"
	elif grep -qE "$S2SVPN_SPLAT" "$S2SVPN_OUT/$t.kmsg"; then
		echo "FAIL $t: kernel log: $(grep -m1 -E "$S2SVPN_SPLAT" "$S2SVPN_OUT/$t.kmsg")" >>"$results"
	else
		printf 'PASS %s (%.1f s)\n' "$t" "$secs" >>"$results"
	fi
done

# Leaks of the whole run: a scan logs "N new suspected memory leaks", which
# run-uml.sh finds in the console log; their backtraces are kept. Two scans,
# as in lib.sh's kmemleak_check: an object that changed between them is not
# reported yet.
if [ -w $kmemleak ]; then
	sleep 6
	echo scan >$kmemleak
	echo scan >$kmemleak
	cat $kmemleak >"$S2SVPN_OUT/kmemleak.txt"
fi
