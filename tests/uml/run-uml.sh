#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-uml.sh LABEL TREE KO OUTDIR TEST... - boot a UML kernel over the host
# root, load KO (running its KUnit suites), run the integration tests, and
# report: the KUnit cases (parsed by the tree's kunit.py), each test, and
# whether the kernel log stayed free of splats. $S2SVPN_MODPARAMS, if set,
# are the module parameters of every insmod. $S2SVPN_TEST_DIR (default
# tests/netns) is where TEST.sh are, $S2SVPN_TEST_TIMEOUT each one's limit
# in seconds (480), $S2SVPN_TEST_ENV VAR=VALUE words for their environment.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=../report.sh
. "$repo/tests/report.sh"
# shellcheck source=../guest-results.sh
. "$repo/tests/guest-results.sh"

label=$1 tree=$2 ko=$(realpath "$3") out=$(realpath -m "$4")
shift 4
tests="$*"

rm -rf "$out"
mkdir -p "$out"
# shellcheck disable=SC2086 # a list of words
write_job "$out" "$label" "$ko" "$repo" 480 $tests

# The guest reads every program over hostfs, and a hostfs read that goes to
# the disk stalls the whole one-thread UML kernel, timers included: on a cold
# CI machine that took BIRD's BFD (300 ms) and a tunnel's DPD down. Read what
# the tests run into the host's page cache first (a second or two, once).
warm_cache() {
	local b bins=""
	for b in ip ping bird birdc swanctl iperf3 tc bc socat ethtool nft \
		/usr/bin/python3 /usr/lib/ipsec/charon \
		"$repo/userspace-ike/s2svpn-iked" "$repo/tools/s2svpnctl"; do
		b=$(command -v "$b") && bins="$bins $b"
	done
	# shellcheck disable=SC2086 # lists of paths
	{
		ldd $bins 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3}'
		echo $bins | tr ' ' '\n'
		find /usr/lib/python3.11 /usr/lib/python3/dist-packages /usr/lib/ipsec \
			/usr/lib/x86_64-linux-gnu/ipsec "$tree/tools/testing/kunit" \
			-type f 2>/dev/null
	} | sort -u | xargs -r -d '\n' cat >/dev/null 2>&1
}
warm_cache

# UML keeps its memory in a file under TMPDIR; it may dump core on panic.
ulimit -c 0
# Each test has its own limit inside, and watch_guest stops a kernel that
# went silent; the boot's limit is the last resort, their sum plus ten
# minutes for boot, insmod and KUnit.
# shellcheck disable=SC2086 # a list of words
set -- $tests
uml_timeout=${S2SVPN_UML_TIMEOUT:-$(($# * ${S2SVPN_TEST_TIMEOUT:-480} + 600))}
start=$(date +%s)
timeout --kill-after=10 "$uml_timeout" "$tree/linux" mem=1G \
	rootfstype=hostfs rootflags=/ rw init="$here/init.sh" \
	panic_on_warn=1 oops=panic log_buf_len=8M con0=null,fd:1 con=null \
	S2SVPN_OUT="$out" </dev/null >"$out/console.log" 2>&1 &
boot=$!
watch_guest "$out" "$boot" $((${S2SVPN_TEST_TIMEOUT:-480} + 120))
# (quietly: bash would report the kill of its job)
{ wait "$boot"; } 2>/dev/null
rc=$?
echo "# $label: UML ran $(($(date +%s) - start)) s (exit $rc); logs in $out"
report_hang "$label" "$out"

# KUnit: the suites ran at insmod; kunit.py reads their KTAP.
if grep -q '^FAIL insmod' "$out/results" 2>/dev/null; then
	failed "$label insmod: $(grep -m1 '^FAIL insmod' "$out/results")"
elif [ ! -s "$out/kunit.kmsg" ]; then
	failed "$label kunit: no kernel log captured (kernel died at boot?)"
	keep "$out/console.log"
else
	python3 "$tree/tools/testing/kunit/kunit.py" parse "$out/kunit.kmsg" \
		>"$out/kunit.txt" 2>&1
	krc=$?
	summary=$(grep -m1 -E 'Testing complete|Ran [0-9]+ tests' "$out/kunit.txt" | sed 's/\x1b\[[0-9;]*m//g')
	while read -r verdict name; do
		if [ "$verdict" = PASSED ]; then
			pass "$label kunit $name"
		elif [ "$verdict" = SKIPPED ]; then
			skipped "$label kunit $name"
		else
			failed "$label kunit $name"
		fi
	done < <(sed 's/\x1b\[[0-9;]*m//g' "$out/kunit.txt" |
		sed -nE 's/^\[[0-9:]+\] *\[(PASSED|FAILED|CRASHED|SKIPPED)\] ([a-z0-9_]+)$/\1 \2/p' |
		grep -v -w -E "$(grep -oE 'Subtest: [a-z0-9_]+' "$out/kunit.kmsg" | awk '{print $2}' | paste -sd'|')" )
	if [ "$krc" != 0 ] || [ -z "$summary" ]; then
		failed "$label kunit: kunit.py parse exit $krc: ${summary:-no summary}"
		keep "$out/kunit.txt" "$out/kunit.kmsg"
	fi
fi

# shellcheck disable=SC2086 # a list of words
report_tests "$label" "$out" $tests
report_kernel_log "$label" "$out"
