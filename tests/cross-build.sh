#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# cross-build.sh [TARGET...] - build s2svpn.ko with W=1 and sparse (C=1)
# against Debian's own headers for what routers run (check.sh builds amd64
# the same way against the installed headers):
#
#   arm64   aarch64-linux-gnu    linux-headers-ABI-arm64    64-bit ARM
#   armhf   arm-linux-gnueabihf  linux-headers-ABI-armmp    32-bit ARM (no 64-bit division)
#   s390x   s390x-linux-gnu      linux-headers-ABI-s390x    big-endian (byte order)
#
# The foreign headers are the same ABI and version as the host's
# linux-headers-amd64 (6.1), so they share its -common package and kbuild
# tools; they are downloaded once and unpacked into the cache. Prints one
# "PASS"/"FAIL" line per target (tests/report.sh) and exits non-zero on any
# failure. Any compiler, modpost or sparse warning fails the build.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 1
# shellcheck source=report.sh
. tests/report.sh
cache=${S2SVPN_CACHE:-$HOME/.cache/s2svpn}
rc=0

# The host's 6.1 ABI ("6.1.0-57") and package version ("6.1.192-3").
common=$(ls -d /usr/src/linux-headers-6.1.*-common 2>/dev/null | sort -V | tail -n 1)
abi=${common#/usr/src/linux-headers-}
abi=${abi%-common}
ver=$(dpkg-query -W -f '${Version}' "linux-headers-$abi-common" 2>/dev/null)

# unpack ARCH FLAVOUR: the headers' directory, downloaded and unpacked once.
# The host's ABI where Debian has it for ARCH (it shares the host's -common
# package); otherwise, as for s390x whose security updates lag, the newest
# ABI it has, with that ABI's own -common package unpacked beside it.
unpack() {
	local arch=$1 flavour=$2 want a v dir deb src l
	want=linux-headers-$abi-$flavour=$ver
	dir=$(ls -d "$cache/xheaders-$arch-$flavour-"*/.done 2>/dev/null | sort -V | tail -n 1)
	if [ -n "$dir" ] && [ "$(cat "$dir")" = "$want" ] ||
		{ [ -n "$dir" ] && [ -n "${S2SVPN_OFFLINE:-}" ]; }; then
		cat "${dir%/.done}/.kdir"
		return
	fi
	if ! deb=$(tests/apt-download.sh "$arch" "$want" 2>/dev/null); then
		want=$(tests/apt-download.sh "$arch" --newest \
			"^linux-headers-6\\.1\\.0-[0-9]+-$flavour\$") || return 1
		deb=$(tests/apt-download.sh "$arch" "$want") || return 1
	fi
	a=${want%%=*} v=${want#*=}
	a=${a#linux-headers-}
	a=${a%-"$flavour"}
	dir=$cache/xheaders-$arch-$flavour-$a-$v
	rm -rf "$dir"
	mkdir -p "$dir"
	dpkg-deb -x "$deb" "$dir" || return 1
	src=$dir/usr/src/linux-headers-$a-$flavour
	if [ "$a" != "$abi" ]; then
		deb=$(tests/apt-download.sh "$arch" "linux-headers-$a-common=$v") || return 1
		dpkg-deb -x "$deb" "$dir" || return 1
		sed -i "s#/usr/src/linux-headers-$a-common#$dir&#" "$src/Makefile"
		ln -sfn "/usr/lib/linux-kbuild-${abi%%.0-*}/scripts" \
			"$dir/usr/src/linux-headers-$a-common/scripts"
		ln -sfn "/usr/lib/linux-kbuild-${abi%%.0-*}/tools" \
			"$dir/usr/src/linux-headers-$a-common/tools"
	fi
	# The kbuild tools are host programs: the host's, same 6.1 series.
	for l in scripts tools; do
		ln -sfn "/usr/lib/linux-kbuild-${abi%%.0-*}/$l" "$src/$l"
	done
	echo "$src" >"$dir/.kdir"
	echo "$want" >"$dir/.done"
	echo "$src"
}

# build NAME KDIR ARCH CROSS
build() {
	local name=$1 kdir=$2 arch=$3 cross=$4 t0 out
	t0=$(date +%s)
	if out=$(tests/build-kmod.sh "$name" "$kdir" C=1 ${arch:+ARCH=$arch} \
		${cross:+CROSS_COMPILE=$cross} 2>&1); then
		pass "W=1 + sparse build, no warnings: $name ($(($(date +%s) - t0)) s)"
	else
		echo "$out" | tail -n 20
		failed "W=1 + sparse build: $name"
		rc=1
	fi
}

targets=${*:-arm64 armhf s390x}
for t in $targets; do
	case $t in
	arm64) arch=arm64 flavour=arm64 cross=aarch64-linux-gnu- ;;
	armhf) arch=arm flavour=armmp cross=arm-linux-gnueabihf- ;;
	s390x) arch=s390 flavour=s390x cross=s390x-linux-gnu- ;;
	*) failed "cross-build: unknown target $t"; rc=1; continue ;;
	esac
	if [ -z "$ver" ]; then
		failed "cross-build $t: no linux-headers-6.1.*-common on the host"
		rc=1
		continue
	fi
	if ! kdir=$(unpack "$t" "$flavour"); then
		failed "cross-build $t: could not fetch linux-headers-$abi-$flavour $ver"
		rc=1
		continue
	fi
	build "$t-${kdir##*/linux-headers-}" "$kdir" "$arch" "$cross"
done
exit $rc
