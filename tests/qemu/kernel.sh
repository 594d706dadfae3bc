#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel.sh VARIANT - a Debian stock kernel ready for QEMU, cached; prints its
# directory: boot/vmlinuz-KVER, lib/modules/KVER (depmod'ed), kver, arch and
# initramfs.cpio.gz (busybox, the virtio-9p modules, initramfs-init).
#
#   amd64-6.12  linux-image-6.12.*-amd64, the version of the installed headers
#   amd64-6.1   linux-image-6.1.*-amd64, likewise
#
# The image is the one matching the linux-headers package the module is
# built against, so the module loads without --force. Downloads go through
# tests/apt-download.sh; the cache key is the package version and this
# script's and the initramfs's contents.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${S2SVPN_CACHE:-$HOME/.cache/s2svpn}
variant=${1:?usage: kernel.sh amd64-6.12|amd64-6.1}

arch=${variant%%-*} series=${variant#*-}
case $arch in
amd64) ;;
*) echo "kernel.sh: unknown variant $variant" >&2; exit 2 ;;
esac
hdr=$(ls -d /usr/src/linux-headers-"$series".*-"$arch" 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$hdr" ] || { echo "kernel.sh: no /usr/src/linux-headers-$series.*-$arch" >&2; exit 1; }
kver=${hdr#/usr/src/linux-headers-}
ver=$(dpkg-query -W -f '${Version}' "linux-headers-$kver")
key=$(cat "$0" "$here/initramfs-init" | sha256sum | cut -c1-8)
dir=$cache/qemu-$kver-$ver-$key
if [ -f "$dir/kver" ]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/qemu-$kver.lock"
flock 9
if [ -f "$dir/kver" ]; then
	echo "$dir"
	exit 0
fi
tmp=$dir.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
deb=$("$repo/tests/apt-download.sh" "$arch" "linux-image-$kver=$ver")
dpkg-deb -x "$deb" "$tmp"
depmod -b "$tmp" "$kver"

# The initramfs: static busybox, the modules that reach the host root over
# virtio-9p (with their dependencies, in load order), and /init.
bb=$("$repo/tests/apt-download.sh" "$arch" "$("$repo/tests/apt-download.sh" "$arch" --newest '^busybox-static$')")
ir=$tmp/initramfs
mkdir -p "$ir/bin" "$ir/modules" "$ir/proc" "$ir/sys" "$ir/dev" "$ir/newroot"
dpkg-deb --fsys-tarfile "$bb" | tar -xO ./bin/busybox >"$ir/bin/busybox"
chmod 755 "$ir/bin/busybox"
ln -s busybox "$ir/bin/sh"
: >"$ir/modules/order"
modprobe -a -d "$tmp" -S "$kver" --show-depends virtio_pci 9pnet_virtio 9p |
	awk '$1 == "insmod" {print $2}' | awk '!seen[$0]++' | while read -r ko; do
	name=$(basename "$ko")
	case $name in
	*.xz) xz -dc "$ko" >"$ir/modules/${name%.xz}" ;;
	*.zst) zstd -qdc "$ko" >"$ir/modules/${name%.zst}" ;;
	*) cp "$ko" "$ir/modules/$name" ;;
	esac
	name=${name%.xz}
	echo "${name%.zst}" >>"$ir/modules/order"
done
install -m 755 "$here/initramfs-init" "$ir/init"
(cd "$ir" && find . | cpio -o -H newc --quiet | gzip -1) >"$tmp/initramfs.cpio.gz"
rm -rf "$ir"
echo "$arch" >"$tmp/arch"
echo "$kver" >"$tmp/kver"
# Older builds of this kernel (another key) go.
for old in "$cache/qemu-$kver-"*; do
	[ "$old" = "$tmp" ] || rm -rf "$old"
done
mv "$tmp" "$dir"
echo "$dir"
