#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-qemu.sh LABEL KDIR KO OUTDIR TEST... - boot a Debian stock kernel
# (KDIR from kernel.sh) under QEMU with two vCPUs over the host root shared
# by virtio-9p, load KO and run the integration tests as run-uml.sh does,
# with the same job file, results and environment ($S2SVPN_MODPARAMS,
# $S2SVPN_TEST_TIMEOUT, $S2SVPN_TEST_ENV). No KUnit: Debian's kernels have
# none, it stays on UML.
#
# Software emulation (no KVM): -cpu max gives AES-NI, PCLMUL, AVX2 and VAES,
# so the module meets Debian's SIMD crypto drivers and their async (cryptd)
# fallback on two CPUs that really run in parallel (multi-threaded TCG).
#
# Retry policy: QEMU 7.2's TCG can race the kernel's live text patching of a
# static key (seen as "Oops: int3" in the network stack, from ping's
# SO_TIMESTAMP switching netstamp_needed_key; in both full runs of
# 2026-12-07). When a boot dies of an int3 oops whose trace does not name
# s2svpn (the "Modules linked in" line aside, which names it whenever it is
# loaded), a second boot runs the tests that had no result yet and the output
# says so; the first boot's results stand, and its log before the oops must
# be free of splats. Any other splat, or one naming s2svpn, fails as it is.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=../report.sh
. "$repo/tests/report.sh"
# shellcheck source=../guest-results.sh
. "$repo/tests/guest-results.sh"

label=$1 kdir=$2 ko=$(realpath "$3") out=$(realpath -m "$4")
shift 4
tests="$*"
kver=$(cat "$kdir/kver")

# boot TEST...
boot() {
	rm -rf "$out"
	mkdir -p "$out"
	write_job "$out" "$label" "$ko" "$repo" 900 "$@"
	echo "S2SVPN_QEMU_KDIR='$kdir'" >>"$out/job.conf"
	local limit=${S2SVPN_QEMU_TIMEOUT:-$(($# * ${S2SVPN_TEST_TIMEOUT:-900} + 300))}
	local start
	start=$(date +%s)
	timeout --kill-after=10 "$limit" qemu-system-x86_64 \
		-cpu max -smp 2 -accel tcg,thread=multi -m 2G \
		-display none -monitor none -no-reboot -nic none \
		-serial "file:$out/console.log" \
		-kernel "$kdir/boot/vmlinuz-$kver" -initrd "$kdir/initramfs.cpio.gz" \
		-virtfs local,path=/,mount_tag=root,security_model=passthrough,multidevs=remap \
		-append "console=ttyS0 panic_on_warn=1 oops=panic panic=1 log_buf_len=8M
			S2SVPN_INIT=$here/init.sh S2SVPN_OUT=$out" \
		</dev/null >"$out/qemu.log" 2>&1 &
	local qemu=$! rc
	watch_guest "$out" "$qemu" $((${S2SVPN_TEST_TIMEOUT:-900} + 120))
	{ wait "$qemu"; } 2>/dev/null
	rc=$?
	echo "# $label: QEMU ran $(($(date +%s) - start)) s (exit $rc); logs in $out"
}

# shellcheck disable=SC2086 # a list of words
boot $tests
if grep -q 'Oops: int3' "$out/console.log" &&
	! sed -n '/Oops: int3/,/end trace/p' "$out/console.log" |
		grep -v 'Modules linked in:' | grep -q s2svpn; then
	first=$out.int3
	rm -rf "$first"
	mv "$out" "$first"
	rest=$(for t in $tests; do
		grep -qE "^(PASS|FAIL) $t( |:|$)" "$first/results" 2>/dev/null || echo "$t"
	done | paste -sd' ')
	echo "# $label: the guest died of an int3 oops outside s2svpn" \
		"($(grep -m1 -A6 'Oops: int3' "$first/console.log" | tr -d '\r' | grep -m1 -oE 'RIP: [^ ]+'))," \
		"QEMU's TCG racing text patching; booting once more for $rest" \
		"(policy: tests/qemu/run-qemu.sh)"
	# shellcheck disable=SC2086 # a list of words
	boot $rest
	cat "$first/results" >>"$out/results" 2>/dev/null
	mv "$first" "$out/first-boot-int3"
	splat=$(sed '/Oops: int3/,$d' "$out/first-boot-int3/console.log" | grep -m1 -E "$S2SVPN_SPLAT")
	[ -z "$splat" ] || failed "$label first boot's kernel log: $splat"
fi
[ -s "$out/crypto.txt" ] && echo "# $label crypto drivers: $(awk '{print $NF}' FS='driver *: ' "$out/crypto.txt" | awk '{print $1}' | sort -u | paste -sd' ')"

report_hang "$label" "$out"
# shellcheck disable=SC2086 # a list of words
report_tests "$label" "$out" $tests
report_kernel_log "$label" "$out"
