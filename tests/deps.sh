#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh [userspace|kernel|package|all] - install the Debian packages s2svpn needs to
# build and test, if any is missing (apt-get update first, as a fresh Debian 12
# machine needs).
set -euo pipefail

# Build the module and the userspace tools, run their unit tests and the
# spec check.
userspace="make gcc pkg-config libmnl-dev libcmocka-dev libssl-dev libevent-dev libinih-dev libcap-ng-dev
	libsystemd-dev python3 python3-yaml"
# Build, boot and test UML kernels; build against Debian's amd64 headers.
kernel="linux-source-6.12 linux-source-6.1 linux-headers-6.12-amd64 linux-headers-amd64
	sparse gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf gcc-s390x-linux-gnu
	qemu-system-x86 cpio gdb
	bc bison flex libelf-dev libssl-dev xz-utils patch perl kmod
	iproute2 iputils-ping python3 strongswan-charon strongswan-swanctl
	libstrongswan-standard-plugins bird2"
# make install, the man pages, the Debian packages and their DKMS builds.
package="mandoc dpkg-dev debhelper dh-dkms dkms lintian fakeroot pkgconf bsdextrautils"
# make bench (and its smoke in make check): load, the WireGuard peer, the chart.
bench="iperf3 wireguard-tools gnuplot-nox bc"

case "${1:-all}" in
userspace) want=$userspace ;;
kernel) want=$kernel ;;
package) want=$package ;;
all) want="$userspace $kernel $package $bench" ;;
*) echo "usage: deps.sh [userspace|kernel|package|all]" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing" >&2
	echo "deps: run as root, or: sudo apt-get install$missing" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
