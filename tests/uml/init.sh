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
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug
hostname s2svpn-uml
ip link set lo up

bash "$(dirname "$0")/guest-run.sh" >"$S2SVPN_OUT/guest.log" 2>&1

sync
echo o >/proc/sysrq-trigger
sleep 10
