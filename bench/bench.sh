#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh - `make bench`: s2svpn against xfrm and WireGuard (and, for IKE,
# strongSwan) in one User-Mode Linux boot of the plain 6.12 kernel; see
# README.md. Writes bench/results/DATE/ (results.md, chart.png, raw.tsv and
# the evidence: aeadspeed.txt, drivers.txt, proc-crypto.txt, logs) and
# bench/results/latest.md, and prints the table.
#
#   bench.sh                     the full run (about 45 minutes on 2 cores)
#   bench.sh --profile CONFIG... the kernel's profile under one TCP stream
#                                (CONFIG: s2-gcm, xf-gcm, wg-chacha... as in
#                                bench/guest.sh), sampled by host perf
#   bench.sh --smoke TREE KO OUT one short iteration in the UML kernel TREE
#                                with the module KO (make check uses it):
#                                prints one result line, exit 0 on success
#
# Environment: BENCH_RUNS (5), BENCH_SECS (10), BENCH_UDP_SECS (5),
# BENCH_PINGS (200), BENCH_SAS (10000), BENCH_TESTS, K (6.12: kernel version).
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 1
smoke=""
if [ "${1:-}" = --smoke ]; then
	smoke=1 tree=$2 ko=$(realpath "$3") out=$(realpath -m "$4")
fi

# build_aeadspeed TREE NAME: the crypto measurement module, built in
# build/aeadspeed-NAME; prints its path.
build_aeadspeed() {
	local dir=$repo/build/aeadspeed-$2
	mkdir -p "$dir"
	ln -sfn "$repo/bench/aeadspeed/aeadspeed.c" "$dir/aeadspeed.c"
	ln -sfn "$repo/bench/aeadspeed/Kbuild" "$dir/Kbuild"
	make -C "$1" ARCH=um M="$dir" W=1 modules >"$dir/build.log" 2>&1 ||
		{ tail -n 20 "$dir/build.log" >&2; return 1; }
	echo "$dir/aeadspeed.ko"
}

# boot TREE KO OUT TIMEOUT [VAR=VALUE...]: run bench/guest.sh in UML.
boot() {
	local tree=$1 ko=$2 out=$3 limit=$4 v cpu pin=()
	shift 4
	rm -rf "$out"
	mkdir -p "$out"
	{
		echo "S2SVPN_KERNEL='bench'"
		echo "S2SVPN_KO='$ko'"
		echo "S2SVPN_REPO='$repo'"
		echo "S2SVPN_OUT='$out'"
		echo "S2SVPN_TESTS=''"
		echo "S2SVPN_MODPARAMS=''"
		echo "S2SVPN_GUEST='$repo/bench/guest.sh'"
		for v in "$@"; do echo "$v"; done
	} >"$out/job.conf"
	ulimit -c 0
	# Same boot as tests/uml/run-uml.sh, with room for 10,000 SAs, on one
	# host core: UML's kernel and its ptraced user processes hand the one
	# virtual CPU back and forth, and across host cores every hand-off is
	# slow (unpinned, TCP through veth ran at a fifth and varied 3x).
	cpu=$(python3 -c 'import os; print(max(os.sched_getaffinity(0)))')
	taskset -c "$cpu" true 2>/dev/null && pin=(taskset -c "$cpu")
	"${pin[@]}" timeout --kill-after=10 "$limit" "$tree/linux" mem=2G \
		rootfstype=hostfs rootflags=/ rw init="$repo/tests/uml/init.sh" \
		panic_on_warn=1 oops=panic log_buf_len=8M con0=null,fd:1 con=null \
		S2SVPN_OUT="$out" </dev/null >"$out/console.log" 2>&1
}

# profile CONFIG...: the kernel's flat profile while each CONFIG runs one
# TCP stream (BENCH_SECS, default 20 s), sampled by host perf (UML is a host
# process; there is no perf inside it). Prints the profiles; the samples are
# in build/profile/CONFIG/.
if [ "${1:-}" = --profile ]; then
	shift
	command -v perf >/dev/null || { echo "bench: --profile needs perf (apt-get install linux-perf)" >&2; exit 1; }
	ver=${K:-6.12}
	label=um-$ver-plain
	tree=$(tests/uml/build-kernel.sh "$ver" plain) || exit 1
	ko=$(tests/build-kmod.sh "$label" "$tree" ARCH=um) || exit 1
	make -s -C tools >/dev/null || exit 1
	secs=${BENCH_SECS:-20}
	for c in "$@"; do
		out=$repo/build/profile/$c
		boot "$tree" "$ko" "$out" 600 "BENCH_CONFIGS='$c'" BENCH_TESTS=tcp1 BENCH_RUNS=1 \
			BENCH_SECS="$secs" BENCH_STAGES= BENCH_CRYPTO=0 BENCH_MARK=1 &
		bootpid=$!
		for _ in $(seq 600); do
			[ -e "$out/mark-$c-tcp1" ] && break
			sleep 0.1
		done
		# The UML kernel's host process: the child of the boot's timeout
		# (the others run its user processes and may be gone before perf
		# starts).
		pid=$(pgrep -P "$(pgrep -o -f "timeout .*S2SVPN_OUT=$out\$")" | head -n 1)
		sleep 1
		perf record -q -e cpu-clock -F 1999 -p "$pid" -o "$out/perf.data" -- sleep $((secs - 2)) \
			>/dev/null 2>&1
		wait "$bootpid"
		perf script -i "$out/perf.data" -F ip,sym,dso 2>/dev/null >"$out/perf.txt"
		echo "== $c: $(grep -m1 tput "$out/raw.tsv" | cut -f6-7)"
		python3 bench/profile.py "$out/perf.txt" "$out/kallsyms" "${TOP:-30}" | tee "$out/profile.txt"
	done
	exit 0
fi

if [ -n "$smoke" ]; then
	start=$(date +%s)
	if ! speed=$(build_aeadspeed "$tree" "$(basename "$(dirname "$(dirname "$ko")")")"); then
		echo "FAIL bench smoke: aeadspeed.ko build"
		exit 1
	fi
	# About four minutes alone; the limit leaves room for make check's
	# other boots on the same two cores (300 s was not enough beside them).
	boot "$tree" "$ko" "$out" 900 BENCH_RUNS=1 BENCH_SECS=1 BENCH_UDP_SECS=1 \
		BENCH_PINGS=20 BENCH_LOAD_SECS=2 BENCH_SAS=60 BENCH_DEVS=5 BENCH_IKE_N=2 \
		BENCH_CRYPTO_MS=50 BENCH_SETTLE=0.2 BENCH_FAILOVER=aggressive "BENCH_TESTS='udp64 ping'" \
		"BENCH_AEADSPEED_KO='$speed'"
	res=$(grep -m1 -E '^(PASS|FAIL) bench' "$out/results" 2>/dev/null)
	if [ "${res%% *}" = PASS ] &&
	   python3 bench/report.py "$out" >"$out/report.out" 2>&1 &&
	   grep -q '^| ' "$out/results.md"; then
		echo "PASS bench smoke: every peer measured, table and chart made ($(($(date +%s) - start)) s)"
		exit 0
	fi
	echo "FAIL bench smoke: ${res:-no result (kernel died?)}; logs in $out"
	exit 1
fi

tests/deps.sh all || exit 1
ver=${K:-6.12}
label=um-$ver-plain
tree=$(tests/uml/build-kernel.sh "$ver" plain) || exit 1
ko=$(tests/build-kmod.sh "$label" "$tree" ARCH=um) || exit 1
speed=$(build_aeadspeed "$tree" "$label") || exit 1
make -s -C tools >/dev/null || exit 1
make -s -C userspace-ike s2svpn-iked >/dev/null || exit 1

date=$(date -u +%Y-%m-%d)
out=$repo/bench/results/$date
work=$repo/build/bench
echo "bench: $label, logs in $work; about 50 minutes" >&2
load0=$(cut -d' ' -f1-3 /proc/loadavg)
boot "$tree" "$ko" "$work" 7200 "BENCH_AEADSPEED_KO='$speed'" \
	BENCH_RUNS="${BENCH_RUNS:-5}" BENCH_SECS="${BENCH_SECS:-10}" \
	BENCH_UDP_SECS="${BENCH_UDP_SECS:-5}" BENCH_PINGS="${BENCH_PINGS:-200}" \
	BENCH_SAS="${BENCH_SAS:-10000}" ${BENCH_TESTS:+"BENCH_TESTS='$BENCH_TESTS'"}
if ! grep -q '^PASS bench' "$work/results" 2>/dev/null; then
	echo "bench: failed: $(cat "$work/results" 2>/dev/null || echo 'no result (kernel died?)')" >&2
	echo "bench: see $work/bench.log and $work/console.log" >&2
	exit 1
fi
# The host's load before and after: other work on the machine shows here.
printf 'host\t-\t-\t-\t-\t%s\t-\n' "load average before: $load0" "after: $(cut -d' ' -f1-3 /proc/loadavg)" \
	>>"$work/raw.tsv"
python3 bench/report.py "$work" || exit 1
rm -rf "$out"
mkdir -p "$out"
cp "$work"/{results.md,chart.png,raw.tsv,aeadspeed.txt,drivers.txt,proc-crypto.txt,bench.log} "$out/"
cp "$work/results.md" bench/results/latest.md
cat "$out/results.md"
echo "bench: results in ${out#"$repo"/}/ and bench/results/latest.md" >&2
