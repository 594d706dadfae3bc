#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The QEMU guest's init (from initramfs-init, over the host root shared by
# virtio-9p): the Debian kernel's own modules over /lib/modules, the CPU's
# crypto drivers loaded as udev would at boot (AES-NI, AVX ChaCha20), the
# module's dependencies, then the same job as under UML (tests/uml/init.sh).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# shellcheck source=/dev/null
. "$S2SVPN_OUT/job.conf"
kver=$(uname -r)
mount -t tmpfs tmpfs /lib/modules
mkdir -p "/lib/modules/$kver"
mount --bind "$S2SVPN_QEMU_KDIR/lib/modules/$kver" "/lib/modules/$kver"
# shellcheck disable=SC2046 # a list of aliases
modprobe -q -a $(cat /sys/devices/system/cpu/modalias) 2>/dev/null
modprobe -a $(modinfo -F depends "$S2SVPN_KO" | tr , ' ') \
	>"$S2SVPN_OUT/modprobe.log" 2>&1
# What crypto drivers the tests will get: proof that they are not generic C.
grep -E '^(name|driver|priority)' /proc/crypto | paste - - - |
	grep -E 'rfc4106|chacha20' >"$S2SVPN_OUT/crypto.txt" 2>/dev/null
umount /proc /sys /dev
exec bash "$S2SVPN_REPO/tests/uml/init.sh"
