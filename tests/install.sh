#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# install.sh - make install into a DESTDIR, against Debian's 6.1 headers:
# every file where it belongs with its mode, /etc/s2svpn 0700, a file there
# never overwritten, a second install idempotent, make uninstall leaving no
# file behind (but the user's). PASS/FAIL lines as tests/report.sh.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 1
# shellcheck source=report.sh
. tests/report.sh

# shellcheck disable=SC2012
hdr=$(ls -d /usr/src/linux-headers-6.1.*-amd64 2>/dev/null | sort -V | tail -n 1)
if [ -z "$hdr" ]; then
	failed "make install: no /usr/src/linux-headers-6.1.*-amd64"
	exit 0
fi
kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$hdr/include/generated/utsrelease.h")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/root
log=$repo/build/check/install.log
mkdir -p "$(dirname "$log")"

# The module builds in a tree of links (as build-kmod.sh's), not in kmod/.
kmod=$repo/build/kmod-install/kmod
mkdir -p "$kmod"
ln -sfn "$repo/uapi" "$kmod/../uapi"
find "$kmod" -maxdepth 1 -type l ! -exec test -e {} \; -delete
for f in "$repo"/kmod/*; do ln -sfn "$f" "$kmod/$(basename "$f")"; done

mk() { nice -n 10 make -s KDIR="$hdr" KMOD="$kmod" DESTDIR="$dest" PREFIX=/usr "$@" >>"$log" 2>&1; }

: >"$log"
if ! mk install; then
	tail -n 20 "$log"
	failed "make install DESTDIR=... PREFIX=/usr (see $log)"
	exit 0
fi
pass "make install DESTDIR=... PREFIX=/usr KDIR=$(basename "$hdr")"

want="0644 lib/modules/$kver/updates/s2svpn.ko
0755 usr/sbin/s2svpn-iked
0755 usr/sbin/s2svpnctl
0644 usr/lib/systemd/system/s2svpn-iked@.service
0644 usr/share/man/man4/s2svpn.4
0644 usr/share/man/man5/s2svpn-iked.conf.5
0644 usr/share/man/man8/s2svpn-iked.8
0644 usr/share/man/man8/s2svpnctl.8
0644 usr/share/bash-completion/completions/s2svpnctl
0777 usr/share/bash-completion/completions/s2svpn-iked
0644 usr/lib/sysusers.d/s2svpn.conf
0700 etc/s2svpn
0644 etc/s2svpn/s2svpn-iked.conf.example"
bad=""
while read -r mode path; do
	got=$(stat -c '%a' "$dest/$path" 2>/dev/null | sed 's/^/0/')
	[ "$got" = "$mode" ] || bad="$bad $path($got, want $mode)"
done <<<"$want"
extra=$(cd "$dest" && find . ! -type d | sed 's|^\./||' | sort |
	comm -23 - <(awk '{print $2}' <<<"$want" | sort))
if [ -z "$bad$extra" ]; then
	pass "make install: $(wc -l <<<"$want") files and modes as expected, nothing else"
else
	failed "make install: wrong or missing:$bad; unexpected: $extra"
fi

if grep -q '^ExecStart=/usr/sbin/s2svpn-iked -c /etc/s2svpn/%i.conf$' \
	"$dest/usr/lib/systemd/system/s2svpn-iked@.service"; then
	pass "installed unit runs /usr/sbin/s2svpn-iked (PREFIX substituted)"
else
	failed "installed unit: ExecStart does not name /usr/sbin/s2svpn-iked"
fi

# The unit as systemd reads it, with ExecStart on the daemon just built.
unit=$tmp/s2svpn-iked@.service
sed "s|^ExecStart=/usr/sbin/|ExecStart=$repo/userspace-ike/|" \
	"$dest/usr/lib/systemd/system/s2svpn-iked@.service" >"$unit"
if out=$(systemd-analyze verify --man=no "$unit" 2>&1) && [ -z "$out" ]; then
	pass "systemd-analyze verify: s2svpn-iked@.service clean"
else
	failed "systemd-analyze verify: $out"
fi
# The hardening, as systemd-analyze security scores it (0 best, 10 worst):
# what is left is what the daemon needs (root, the network, CAP_NET_ADMIN).
score=$(systemd-analyze security --offline=true "$unit" 2>&1 |
	sed -nE 's/.*Overall exposure level for .*: ([0-9.]+) .*/\1/p')
if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.5) }'; then
	pass "systemd-analyze security: exposure $score (at most 2.5)"
else
	failed "systemd-analyze security: exposure '${score}', want at most 2.5"
fi

# Nothing in /etc/s2svpn is overwritten; a second install changes nothing.
echo "; mine" >"$dest/etc/s2svpn/s2svpn-iked.conf.example"
echo "; my connection" >"$dest/etc/s2svpn/vpn.conf"
chmod 0700 "$dest/etc/s2svpn"
if mk install && [ "$(cat "$dest/etc/s2svpn/s2svpn-iked.conf.example")" = "; mine" ] &&
	[ "$(cat "$dest/etc/s2svpn/vpn.conf")" = "; my connection" ]; then
	pass "make install again: /etc/s2svpn files kept as they were"
else
	failed "make install again overwrote a file in /etc/s2svpn (or failed)"
fi

# Uninstall: only the user's files stay.
if mk uninstall; then
	left=$(cd "$dest" && find . ! -type d | sed 's|^\./||' | sort | tr '\n' ' ')
	if [ "$left" = "etc/s2svpn/s2svpn-iked.conf.example etc/s2svpn/vpn.conf " ]; then
		pass "make uninstall: only the user's files in /etc/s2svpn are left"
	else
		failed "make uninstall left: $left"
	fi
else
	failed "make uninstall (see $log)"
fi
rm -f "$dest/etc/s2svpn/"*
mk install && mk uninstall
left=$(cd "$dest" && find . ! -type d | wc -l)
if [ "$left" = 0 ] && [ ! -e "$dest/etc/s2svpn" ]; then
	pass "make install + make uninstall on a clean tree leaves no file, no /etc/s2svpn"
else
	failed "make install + uninstall on a clean tree left $left files"
fi
