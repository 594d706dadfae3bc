#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh - everything `make check` verifies, ending with "N passed, N failed".
#
#   T=NAME  run only the integration tests whose name matches the glob NAME
#           ("kunit" for none: the KUnit suites run whenever the module loads);
#           skips checkpatch and the amd64 header builds
#   K=VER   only this kernel: 6.12 or 6.1 (UML), qemu-6.12 or qemu-6.1 (QEMU,
#           Debian's amd64 kernels), qemu (both QEMU kernels)
#
# Kernels are cached under $S2SVPN_CACHE (default ~/.cache/s2svpn); logs of
# the last run are under build/check/.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 1
# shellcheck source=report.sh
. tests/report.sh

T=${T:-}
K=${K:-}
S2SVPN_TALLY=$(mktemp)
export S2SVPN_TALLY
trap 'rm -f "$S2SVPN_TALLY"' EXIT
started=$(date +%s)

finish() {
	local p f s
	p=$(grep -c '^PASS' "$S2SVPN_TALLY")
	f=$(grep -c '^FAIL' "$S2SVPN_TALLY")
	s=$(grep -c '^SKIP' "$S2SVPN_TALLY")
	echo
	echo "# make check took $(($(date +%s) - started)) s"
	[ "$f" = 0 ] || grep '^FAIL' "$S2SVPN_TALLY" | sed 's/^/# /'
	if [ "$s" = 0 ]; then
		echo "$p passed, $f failed"
	else
		echo "$p passed, $f failed, $s skipped"
	fi
	[ "$f" = 0 ]
	exit
}

echo "== dependencies"
if tests/deps.sh all; then
	pass "dependencies installed"
else
	failed "dependencies: see the apt-get output above"
	finish
fi

# cmocka_report PREFIX EXIT OUTPUT: a result per "[       OK ]" and
# "[  FAILED  ]" line of cmocka's output, and a failure if the run failed.
cmocka_report() {
	local prefix=$1 rc=$2 out=$3 name
	while read -r name; do
		pass "$prefix $name"
	done < <(sed -nE 's/^\[ +OK +\] (.*)$/\1/p' <<<"$out")
	while read -r name; do
		failed "$prefix $name"
	done < <(sed -nE 's/^\[ +FAILED +\] ([a-z_0-9]+)$/\1/p' <<<"$out")
	if [ "$rc" != 0 ] || ! grep -q PASSED <<<"$out"; then
		echo "$out" | tail -n 30
		failed "$prefix: exit $rc"
	fi
}

newest() {
	# shellcheck disable=SC2012
	ls -d $1 2>/dev/null | sort -V | tail -n 1
}

echo "== userspace: s2svpnctl, s2svpn-iked"
if make -s -C tools >/dev/null; then
	pass "s2svpnctl built (-std=c11 -Wall -Wextra -Werror)"
else
	failed "s2svpnctl build"
fi
if make -s -C userspace-ike s2svpn-iked >/dev/null; then
	pass "s2svpn-iked built (-std=c11 -Wall -Wextra -Werror)"
else
	failed "s2svpn-iked build"
fi
# lib.sh and *_lib.sh are sourced by tests, not tests themselves.
all_tests=$(for f in tests/netns/*.sh; do
	n=$(basename "$f" .sh)
	case $n in lib | *_lib) ;; *) echo "$n" ;; esac
done)
if [ -z "$T" ]; then
	tests=$all_tests
elif [ "$T" = kunit ]; then
	tests=""
else
	# shellcheck disable=SC2254
	tests=$(for n in $all_tests; do case $n in $T) echo "$n" ;; esac; done)
	# shellcheck disable=SC2254
	[ -n "$tests" ] || case bench in $T) ;; *) failed "T=$T matches no test in tests/netns/"; finish ;; esac
fi

# Tests marked "# s2svpn-test: qemu-only" need more than UML's one CPU.
uml_tests=$(for n in $tests; do
	grep -q '^# s2svpn-test: qemu-only' "tests/netns/$n.sh" || echo "$n"
done)

# QEMU: Debian's stock amd64 kernels on two vCPUs with AES-NI/AVX crypto
# drivers (tests/qemu/). Each stage's list is what it runs when T is empty;
# T narrows it. The boots run one after another in the background, beside
# the UML boots (one host thread each); their results are printed at the end.
# What needs two CPUs or the CPU's crypto drivers: the datapath, xfrm
# interop (AES-GCM and ChaCha20 on the SIMD drivers), smp_stress, and the
# daemon on 6.12. S2SVPN_QEMU_ALL=1 adds what UML covers as well (about
# 20 more minutes of emulation, over CI's budget when run every time).
qemu_6_12="device_lifecycle s2s_datapath xfrm_interop smp_stress iked_basic iked_failover"
qemu_6_1="s2s_datapath xfrm_interop smp_stress"
if [ -n "${S2SVPN_QEMU_ALL:-}" ]; then
	qemu_6_12="$qemu_6_12 netlink_api socket_lifecycle mtu_df_limits xfrm_interop_cbc"
	qemu_6_1="$qemu_6_1 device_lifecycle netlink_api socket_lifecycle mtu_df_limits xfrm_interop_cbc"
fi
qemu_stage() {
	local variant=$1 list=$2 label=qemu-${1#*-} kdir ko want n
	want=$(for n in $list; do case " $(echo $tests) " in *" $n "*) echo "$n" ;; esac; done)
	[ -n "$want" ] || return 0
	echo "== $label: $(echo $want)"
	if ! kdir=$(tests/qemu/kernel.sh "$variant"); then
		failed "$label: kernel download or initramfs"
		return
	fi
	# A build directory of its own: the amd64 header builds run meanwhile.
	if ! ko=$(tests/build-kmod.sh "$label" "/usr/src/linux-headers-$(cat "$kdir/kver")"); then
		failed "$label: module build"
		return
	fi
	# shellcheck disable=SC2086 # a list of words
	tests/qemu/run-qemu.sh "$label" "$kdir" "$ko" "$repo/build/check/$label" $want
}
qemu_out=$repo/build/check/qemu-stages.log
mkdir -p "$repo/build/check"
: >"$qemu_out"
case ${K:-qemu} in
qemu*)
	{
		for v in amd64-6.12:qemu_6_12 amd64-6.1:qemu_6_1; do
			variant=${v%%:*} list=${v#*:}
			case ${K:-qemu} in qemu | "qemu-${variant#amd64-}") ;; *) continue ;; esac
			qemu_stage "$variant" "${!list}"
		done
	} >"$qemu_out" 2>&1 &
	qemu_pid=$!
	;;
*) qemu_pid="" ;;
esac

if [ -z "$T" ]; then
	# cmocka suites, built with ASan and UBSan (import-aws's runs s2svpn-iked --check).
	out=$(make -s -C tools test 2>&1)
	cmocka_report "s2svpnctl unit" $? "$out"

	echo "== userspace: s2svpn-iked"
	out=$(make -s -C userspace-ike test 2>&1)
	cmocka_report "s2svpn-iked unit" $? "$out"
	if out=$(python3 tools/check-spec.py 2>&1); then
		pass "uapi/s2svpn.yaml agrees with uapi/linux/s2svpn.h: ${out#*: }"
	else
		echo "$out"
		failed "uapi/s2svpn.yaml disagrees with uapi/linux/s2svpn.h"
	fi
fi

if [ -z "$T" ]; then
	echo "== install, man pages, Debian packages"
	tests/install.sh
	tests/man.sh
	tests/package.sh
fi

if [ -z "$T" ]; then
	echo "== checkpatch --strict"
	# checkpatch.pl and its data files, unpacked once from linux-source-6.12.
	cp_dir=${S2SVPN_CACHE:-$HOME/.cache/s2svpn}/checkpatch-$(dpkg-query -W -f '${Version}' linux-source-6.12)
	if [ ! -x "$cp_dir/scripts/checkpatch.pl" ]; then
		mkdir -p "$cp_dir"
		tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$cp_dir" --strip-components=1 \
			--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch'
	fi
	checkpatch=$cp_dir/scripts/checkpatch.pl
	# compat.h is the one file that must compare kernel versions.
	if out=$(cd "$repo" && "$checkpatch" --strict --no-tree --terse --show-types \
		-f Kconfig kmod/Kbuild $(ls kmod/*.[ch] uapi/linux/*.h 2>/dev/null | grep -v compat.h) 2>&1 &&
		"$checkpatch" --strict --no-tree --terse --show-types \
			--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON -f kmod/compat.h 2>&1); then
		pass "checkpatch --strict clean on kmod/ uapi/ Kconfig"
	else
		echo "$out" | grep -v '^total: 0 errors, 0 warnings'
		failed "checkpatch --strict: $(echo "$out" | grep -cE ': (ERROR|WARNING|CHECK):') findings"
	fi

	echo "== W=1 + sparse builds against Debian's headers: amd64, arm64, armhf, s390x"
	for glob in '/usr/src/linux-headers-6.12.*-amd64' '/usr/src/linux-headers-6.1.*-amd64'; do
		hdr=$(newest "$glob")
		name=amd64-$(basename "$hdr" | sed 's/^linux-headers-//')
		if [ -z "$hdr" ]; then
			failed "W=1 build: no headers matching $glob"
		elif tests/build-kmod.sh "$name" "$hdr" C=1 >/dev/null; then
			pass "W=1 + sparse build, no warnings: $name"
		else
			failed "W=1 + sparse build: $name"
		fi
	done
	tests/cross-build.sh arm64 armhf s390x
fi

# uml_stage VERSION FLAVOUR: build (or reuse) the UML kernel, build the
# module against it, boot it with the tests; 6.12 with every debugging
# option (check), 6.1 without (the oldest kernel).
uml_stage() {
	local ver=$1 flavour=$2 label tree ko run smoke out async
	label=um-$ver-$flavour
	echo "== $label"
	if ! tree=$(tests/uml/build-kernel.sh "$ver" "$flavour"); then
		failed "$label kernel build"
		return
	fi
	pass "$label kernel built: $tree"
	if ! ko=$(tests/build-kmod.sh "$label" "$tree" ARCH=um CONFIG_S2SVPN_KUNIT_TEST=y); then
		failed "$label W=1 module build"
		return
	fi
	pass "W=1 build, no warnings: $label (with KUnit)"
	if [ -z "$T" ] && [ "$flavour" = plain ]; then
		if tests/intree-build.sh "$tree"; then
			pass "in-tree build by README's steps, W=1 and KUnit: $label"
		else
			failed "in-tree build by README's steps: $label"
		fi
	fi
	# Tests marked "# s2svpn-test: once" test the daemon, not the kernel:
	# a full run has them on the debug kernel only (T= or K= runs them anywhere).
	run=$uml_tests
	if [ -z "$T$K" ] && [ "$flavour" = plain ]; then
		run=$(for n in $uml_tests; do
			grep -q '^# s2svpn-test: once' "tests/netns/$n.sh" || echo "$n"
		done)
		echo "# $label: daemon tests (s2svpn-test: once) ran on um-6.12-debug:" \
			$(for n in $uml_tests; do case " $(echo $run) " in *" $n "*) ;; *) echo "$n" ;; esac; done)
	fi
	# shellcheck disable=SC2086
	tests/uml/run-uml.sh "$label" "$tree" "$ko" "$repo/build/check/$label" $run

	# make bench keeps working: one short iteration (about four minutes) on the
	# plain kernel, when T is empty or matches "bench".
	# shellcheck disable=SC2254
	case bench in ${T:-bench}) smoke=$flavour ;; *) smoke="" ;; esac
	if [ "$smoke" = plain ]; then
		out=$(bench/bench.sh --smoke "$tree" "$ko" "$repo/build/check/$label-bench")
		case $out in
		PASS*) pass "$label ${out#PASS }" ;;
		*) failed "$label ${out#FAIL }" ;;
		esac
	fi

	# Tests marked "# s2svpn-test: async" run again in a boot of their own
	# where every SA's crypto completes asynchronously (cryptd): cryptd
	# instances outrank the synchronous ones for the rest of a boot.
	[ "$flavour" = debug ] || return
	async=$(for n in $uml_tests; do
		grep -q '^# s2svpn-test: async' "tests/netns/$n.sh" && echo "$n"
	done)
	[ -n "$async" ] || return
	# shellcheck disable=SC2086
	S2SVPN_MODPARAMS=async_crypto=1 tests/uml/run-uml.sh "$label+async" "$tree" "$ko" \
		"$repo/build/check/$label+async" $async
}

umls=$(for kf in 6.12:debug 6.1:plain; do
	[ -n "$K" ] && [ "$K" != "${kf%%:*}" ] && continue
	[ -n "$uml_tests" ] || [ "$T" = kunit ] || [ -z "$T" ] || continue
	echo "$kf"
done)
if [ "$(echo $umls)" = "6.12:debug 6.1:plain" ]; then
	# Both boots are single-threaded: the 6.1 boot runs beside the 6.12
	# ones (and QEMU's) instead of after them. On a cold machine the 6.12
	# boot starts once its kernel is built; the 6.1 kernel is built beside
	# it, niced, so that the boots' timed tests keep their share of the CPU.
	tests/uml/build-kernel.sh 6.12 debug >/dev/null
	um61_out=$repo/build/check/um-6.1-stage.log
	{
		nice -n 10 tests/uml/build-kernel.sh 6.1 plain >/dev/null
		uml_stage 6.1 plain
	} >"$um61_out" 2>&1 &
	um61_pid=$!
	uml_stage 6.12 debug
	wait "$um61_pid"
	cat "$um61_out"
else
	for kf in $umls; do
		uml_stage "${kf%%:*}" "${kf#*:}"
	done
fi

if [ -n "$qemu_pid" ]; then
	wait "$qemu_pid"
	cat "$qemu_out"
fi
finish
