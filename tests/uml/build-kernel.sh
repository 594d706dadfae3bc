#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel.sh VERSION FLAVOUR - build (or reuse) a User-Mode Linux kernel.
#
#   VERSION  6.12 or 6.1 (Debian's linux-source-VERSION package)
#   FLAVOUR  debug or plain (config/FLAVOUR.config over config/common.config)
#
# The tree is unpacked, patched, configured and built under
# $S2SVPN_CACHE (default ~/.cache/s2svpn), in a directory keyed by a hash of
# the source package version, the patches and the config fragments, so an
# unchanged configuration is never rebuilt. Prints the tree's path on stdout;
# everything else goes to stderr and to the tree's build.log.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
version=${1:?usage: build-kernel.sh VERSION FLAVOUR}
flavour=${2:?usage: build-kernel.sh VERSION FLAVOUR}
cache=${S2SVPN_CACHE:-$HOME/.cache/s2svpn}
jobs=${JOBS:-$(nproc)}

tarball=/usr/src/linux-source-$version.tar.xz
[ -f "$tarball" ] || { echo "build-kernel: $tarball missing; run 'make deps'" >&2; exit 1; }
[ -f "$here/config/$flavour.config" ] || { echo "build-kernel: no flavour '$flavour' (config/$flavour.config)" >&2; exit 1; }

pkgver=$(dpkg-query -W -f '${Version}' "linux-source-$version")
key=$( { echo "$pkgver"; cat "$here"/patches/*.patch "$here/config/common.config" \
	"$here/config/$flavour.config"; } | sha256sum | cut -c1-12)
name=um-$version-$flavour
tree=$cache/$name-$key

mkdir -p "$cache"
exec 9>"$cache/$name.lock"
flock 9

if [ -f "$tree/.s2svpn-built" ]; then
	echo "$tree"
	exit 0
fi

# A stale tree of the same version and flavour is only disk space now.
for old in "$cache/$name"-*; do
	[ "$old" != "$tree" ] && [ -d "$old" ] && rm -rf "$old"
done
rm -rf "$tree"
mkdir -p "$tree"
log=$tree/build.log
echo "build-kernel: building $name ($pkgver, key $key) in $tree; log: $log" >&2

fail() {
	echo "build-kernel: $1 failed; last lines of $log:" >&2
	tail -n 40 "$log" >&2
	exit 1
}

tar -xJf "$tarball" -C "$tree" --strip-components=1 || fail "unpacking $tarball"
for p in "$here"/patches/*.patch; do
	patch -d "$tree" -p1 -F0 --no-backup-if-mismatch <"$p" >>"$log" 2>&1 || fail "patch $(basename "$p")"
done

cd "$tree"
{
	make ARCH=um defconfig &&
	scripts/kconfig/merge_config.sh -m .config "$here/config/common.config" \
		"$here/config/$flavour.config" &&
	make ARCH=um olddefconfig
} >>"$log" 2>&1 || fail "configure"

# merge_config only warns when Kconfig overrides a request: make it fatal.
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=n) want="# ${line%=n} is not set" ;;
	CONFIG_*=*) want=$line ;;
	*) continue ;;
	esac
	if ! grep -qxF "$want" .config; then
		[ "${line#*=}" = n ] && ! grep -q "^${line%=n}=" .config && continue
		echo "build-kernel: $line requested but .config has: $(grep "^${line%%=*}=\|${line%%=*} is not" .config || echo nothing)" >&2
		bad=1
	fi
done < <(cat "$here/config/common.config" "$here/config/$flavour.config")
[ "$bad" = 0 ] || exit 1

{
	make ARCH=um -j"$jobs" linux &&
	make ARCH=um -j"$jobs" modules_prepare &&
	make ARCH=um -j"$jobs" modules
} >>"$log" 2>&1 || fail "build"

touch .s2svpn-built
echo "build-kernel: $name ready" >&2
echo "$tree"
