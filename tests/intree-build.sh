#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# intree-build.sh TREE - build s2svpn inside a kernel tree, W=1, following
# README.md's "Building inside a kernel tree" steps, on a copy of the cached
# TREE. Not a hard-linked one: make rewrites its outputs (.o, .cmd, the
# prepare step's user-offsets.s) in place, which would change TREE behind
# the cache's back, so that only a fresh TREE shows what a new machine sees.
#
# A warning in s2svpn's own files (or in a header they include), a modpost
# warning about s2svpn, or a Kconfig unmet-dependency warning fails it.
# W=1 also rebuilds some of the kernel's own files and 6.1's warn
# ("no previous prototype for 'foo'" in arch/x86/um): those are printed as
# notes, since they are not ours to fix.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
src=${1:?usage: intree-build.sh TREE}
copy=$(dirname "$src")/intree-$(basename "$src")
log=$copy.log

rm -rf "$copy"
cp -a "$src" "$copy"
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
# Attribute each warning to the file it is in or, for a header, to the
# first file of the "In file included from" chain above it.
ours=$(awk '
	/^In file included from / { chain = $0; next }
	/^[[:space:]]+from / { chain = chain " " $0; next }
	/unmet direct dependencies/ { print; next }
	/(^|[^a-z_])[Ww][Aa][Rr][Nn][Ii][Nn][Gg]:/ {
		if ($0 ~ /s2svpn/ || chain ~ /s2svpn/)
			print
		else
			print "note: the kernel'"'"'s own W=1 warning: " $0 > "/dev/stderr"
	}
	/^  [A-Z]/ { chain = "" }	# kbuild starts another file
' "$log")
if [ -n "$ours" ]; then
	printf '%s\n' "$ours" >&2
	exit 1
fi
test -s drivers/net/s2svpn/s2svpn.o
cd /
rm -rf "$copy"
