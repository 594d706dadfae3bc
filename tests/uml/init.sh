#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the UML test kernel (init=). The host root is mounted over hostfs;
# give it a private /proc, /sys, /dev, /run and /tmp, run the job that
# run-uml.sh described in $S2SVPN_OUT/job.conf, and power off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LC_ALL=C.UTF-8

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
# 0755, as on a real system: s2svpn-iked refuses a world-writable control directory.
mount -t tmpfs -o mode=0755 tmpfs /run
# A private /tmp, except for what the job needs from the host's: the tree
# may live there (CI clones anywhere), and so may the output directory.
# shellcheck source=/dev/null
. "$S2SVPN_OUT/job.conf"
mkdir -p /run/host-tmp
mount --bind /tmp /run/host-tmp
mount -t tmpfs tmpfs /tmp
for path in "$S2SVPN_REPO" "$S2SVPN_OUT" "$S2SVPN_KO"; do
	case $path in
	/tmp/?*)
		top=${path#/tmp/}
		top=${top%%/*}
		if [ ! -e "/tmp/$top" ]; then
			mkdir -p "/tmp/$top"
			mount --bind "/run/host-tmp/$top" "/tmp/$top"
		fi
		;;
	esac
done
mount -t debugfs debugfs /sys/kernel/debug
hostname s2svpn-uml
ip link set lo up

# The job is the integration tests, unless job.conf names another script
# (make bench: S2SVPN_GUEST=bench/guest.sh).
bash "${S2SVPN_GUEST:-$(dirname "$0")/guest-run.sh}" >"$S2SVPN_OUT/guest.log" 2>&1

sync
echo o >/proc/sysrq-trigger
sleep 10
