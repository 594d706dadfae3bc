#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# apt-download.sh ARCH PACKAGE=VERSION... - download Debian packages of a
# foreign architecture into $S2SVPN_CACHE/debs-ARCH and print their paths.
# apt-download.sh ARCH --newest REGEX - print "PACKAGE=VERSION" of the newest
# package whose name matches REGEX.
#
# A private APT state per architecture (the host's sources, its keyring) so
# that no `dpkg --add-architecture` touches the machine; the package lists
# are refreshed when a wanted version is not in them.
set -euo pipefail
arch=$1
shift
cache=${S2SVPN_CACHE:-$HOME/.cache/s2svpn}
state=$cache/apt-$arch
debs=$cache/debs-$arch
mkdir -p "$state/lists/partial" "$state/archives/partial" "$state/sources.list.d" "$debs"
touch "$state/status"
cp /etc/apt/sources.list.d/*.sources "$state/sources.list.d/" 2>/dev/null || true
[ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$state/sources.list"
[ -f "$state/sources.list" ] || : >"$state/sources.list"

# apt_ get|cache ARGS...
apt_() {
	local tool=apt-$1
	shift
	"$tool" -q -o APT::Architecture="$arch" -o APT::Architectures="$arch" \
		-o Dir::State="$state" -o Dir::State::status="$state/status" \
		-o Dir::Cache="$state" -o Dir::Etc::SourceList="$state/sources.list" \
		-o Dir::Etc::SourceParts="$state/sources.list.d" \
		-o Debug::NoLocking=1 "$@"
}

# The lock serializes concurrent runs for one architecture.
exec 9>"$state/lock.s2svpn"
flock 9
if [ "$1" = --newest ]; then
	[ -s "$state/update.log" ] || apt_ get update >"$state/update.log" 2>&1 ||
		{ cat "$state/update.log" >&2; exit 1; }
	pkg=$(apt_ cache search --names-only "$2" 2>/dev/null |
		cut -d' ' -f1 | sort -V | tail -n 1)
	[ -n "$pkg" ] || { echo "apt-download: no package matches $2" >&2; exit 1; }
	echo "$pkg=$(apt_ cache show "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | head -n 1)"
	exit 0
fi
for want in "$@"; do
	pkg=${want%%=*} ver=${want#*=}
	base=${pkg}_$(echo "$ver" | sed 's/:/%3a/')
	file=$(ls "$debs/${base}_$arch.deb" "$debs/${base}_all.deb" 2>/dev/null | head -n 1 || true)
	if [ -z "$file" ]; then
		if ! apt_ cache show "$want" >/dev/null 2>&1; then
			apt_ get update >"$state/update.log" 2>&1 ||
				{ cat "$state/update.log" >&2; exit 1; }
		fi
		(cd "$debs" && apt_ get download "$want" >&2)
		file=$(ls "$debs/${base}_$arch.deb" "$debs/${base}_all.deb" 2>/dev/null | head -n 1 || true)
	fi
	[ -s "$file" ] || { echo "apt-download: $want: not downloaded" >&2; exit 1; }
	echo "$file"
done
