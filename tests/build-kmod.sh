#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kmod.sh NAME KDIR [MAKE ARGS...] - build s2svpn.ko with W=1 against
# KDIR in build/kmod-NAME (a tree of links to kmod/, so that builds for
# several kernels never share objects). Any compiler or modpost warning is
# an error. Prints the module's path.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
name=$1 kdir=$2
shift 2
out=$repo/build/kmod-$name/kmod

mkdir -p "$out"
# kmod/Kbuild finds the uapi header at ../uapi.
ln -sfn "$repo/uapi" "$out/../uapi"
# Mirror kmod/: link every source, drop links whose source is gone.
find "$out" -maxdepth 1 -type l ! -exec test -e {} \; -delete
for f in "$repo"/kmod/*; do
	ln -sfn "$f" "$out/$(basename "$f")"
done

log=$out/build.log
if ! make -C "$kdir" M="$out" W=1 CONFIG_S2SVPN=m "$@" modules >"$log" 2>&1; then
	echo "build-kmod: $name: build failed:" >&2
	grep -E 'error|warning' "$log" >&2 || tail -n 30 "$log" >&2
	exit 1
fi
if grep -iE '(^|[^a-z_])warning:' "$log" >&2; then
	echo "build-kmod: $name: warnings (see $log)" >&2
	exit 1
fi
echo "$out/s2svpn.ko"
