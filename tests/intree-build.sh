#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# intree-build.sh TREE - build s2svpn inside a kernel tree, W=1, following
# README.md's "Building inside a kernel tree" steps, on a hard-linked copy of
# the cached TREE (files the steps change are replaced, never edited in
# place, so TREE itself is untouched). Warnings fail it.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
src=${1:?usage: intree-build.sh TREE}
copy=$(dirname "$src")/intree-$(basename "$src")
log=$copy.log

rm -rf "$copy"
cp -al "$src" "$copy"
cd "$copy"
rm -f .s2svpn-built

# Replace @file by its content plus @text (a hard link must not be written).
append() {
	local file=$1 text=$2 tmp
	tmp=$(mktemp)
	cat "$file" >"$tmp"
	printf '%s\n' "$text" >>"$tmp"
	rm -f "$file"
	mv "$tmp" "$file"
}

# The README's steps.
cp -r "$repo/kmod" drivers/net/s2svpn
cp "$repo/Kconfig" drivers/net/s2svpn/Kconfig
cp "$repo/uapi/linux/s2svpn.h" include/uapi/linux/
# drivers/net/Kconfig ends inside "if NETDEVICES ... endif": source before it.
tmp=$(mktemp)
sed '$d' drivers/net/Kconfig >"$tmp"
printf 'source "drivers/net/s2svpn/Kconfig"\n\nendif # NETDEVICES\n' >>"$tmp"
rm -f drivers/net/Kconfig
mv "$tmp" drivers/net/Kconfig
append drivers/net/Makefile 'obj-$(CONFIG_S2SVPN) += s2svpn/'
append .config 'CONFIG_S2SVPN=m'
append .config 'CONFIG_S2SVPN_KUNIT_TEST=y'

{
	make ARCH=um olddefconfig
	grep -qx 'CONFIG_S2SVPN=m' .config
	grep -qx 'CONFIG_S2SVPN_KUNIT_TEST=y' .config
	make ARCH=um -j"$(nproc)" W=1 drivers/net/s2svpn/
} >"$log" 2>&1 || { tail -n 20 "$log" >&2; exit 1; }
if grep -iE '(^|[^a-z_])warning:' "$log" >&2; then
	exit 1
fi
test -s drivers/net/s2svpn/s2svpn.o
cd /
rm -rf "$copy"
