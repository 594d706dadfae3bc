#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# package.sh - the Debian packages: dpkg-buildpackage -b -us -uc in a copy
# of the tree builds s2svpn and s2svpn-dkms with the expected files and
# conffiles, lintian finds no error, and DKMS builds the module from
# s2svpn-dkms's source for Debian's 6.1 and 6.12 amd64 headers, in a
# temporary DKMS tree (the system's is not touched). PASS/FAIL lines as
# tests/report.sh; logs in build/check/package/.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 1
# shellcheck source=report.sh
. tests/report.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
logs=$repo/build/check/package
rm -rf "$logs"
mkdir -p "$logs"

# The tree as git sees it (committed or not, ignored files left out).
mkdir "$tmp/src"
git ls-files -co --exclude-standard -z | tar --null -cf - -T - | tar -xf - -C "$tmp/src"
if ! (cd "$tmp/src" && nice -n 10 dpkg-buildpackage -b -us -uc >"$logs/build.log" 2>&1); then
	tail -n 20 "$logs/build.log"
	failed "dpkg-buildpackage -b -us -uc (see $logs/build.log)"
	exit 0
fi
ver=$(cd "$tmp/src" && dpkg-parsechangelog -SVersion)
deb=$(ls "$tmp"/s2svpn_"$ver"_*.deb 2>/dev/null)
dkmsdeb=$tmp/s2svpn-dkms_${ver}_all.deb
if [ -f "$deb" ] && [ -f "$dkmsdeb" ]; then
	pass "dpkg-buildpackage -b -us -uc: $(basename "$deb") $(basename "$dkmsdeb")"
else
	failed "dpkg-buildpackage built no s2svpn or s2svpn-dkms package"
	exit 0
fi

# s2svpn: what it must hold, with modes; the example is its only conffile.
list=$(dpkg-deb -c "$deb" | awk '{ print $1, $6 }')
bad=""
for want in "-rwxr-xr-x ./usr/sbin/s2svpn-iked" "-rwxr-xr-x ./usr/sbin/s2svpnctl" \
	"-rw-r--r-- ./lib/systemd/system/s2svpn-iked@.service" \
	"-rw-r--r-- ./usr/share/man/man8/s2svpn-iked.8.gz" "-rw-r--r-- ./usr/share/man/man8/s2svpnctl.8.gz" \
	"-rw-r--r-- ./usr/share/man/man5/s2svpn-iked.conf.5.gz" "-rw-r--r-- ./usr/share/man/man4/s2svpn.4.gz" \
	"-rw-r--r-- ./usr/share/bash-completion/completions/s2svpnctl" \
	"-rw-r--r-- ./usr/lib/sysusers.d/s2svpn.conf" \
	"drwx------ ./etc/s2svpn/" "-rw-r--r-- ./etc/s2svpn/s2svpn-iked.conf.example"; do
	grep -qxF -- "$want" <<<"$list" || bad="$bad ${want#* }"
done
conffiles=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles 2>/dev/null)
postinst=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./postinst 2>/dev/null)
grep -q 'systemd-sysusers.*s2svpn.conf' <<<"$postinst" || bad="$bad postinst:systemd-sysusers"
if [ -z "$bad" ] && [ "$conffiles" = /etc/s2svpn/s2svpn-iked.conf.example ]; then
	pass "s2svpn: daemon, ctl, unit, 4 man pages, completion, sysusers (postinst), /etc/s2svpn 0700, example as conffile"
else
	failed "s2svpn: missing or wrong mode:$bad; conffiles: $conffiles"
fi
if dpkg-deb -c "$dkmsdeb" | grep -c "\./usr/src/s2svpn-$ver/dkms.conf$" >/dev/null &&
	dpkg-deb -x "$dkmsdeb" "$tmp/dkms-root" &&
	grep -qx 'AUTOINSTALL="yes"' "$tmp/dkms-root/usr/src/s2svpn-$ver/dkms.conf" &&
	grep -qx "PACKAGE_VERSION=\"$ver\"" "$tmp/dkms-root/usr/src/s2svpn-$ver/dkms.conf"; then
	pass "s2svpn-dkms: /usr/src/s2svpn-$ver with dkms.conf (AUTOINSTALL, version $ver)"
else
	failed "s2svpn-dkms: no /usr/src/s2svpn-$ver/dkms.conf with AUTOINSTALL and version $ver"
fi

lintian --tag-display-limit 0 "$tmp"/s2svpn_"$ver"_*.changes >"$logs/lintian.log" 2>&1
errors=$(grep -c '^E:' "$logs/lintian.log")
warnings=$(grep -c '^W:' "$logs/lintian.log")
if [ "$errors" = 0 ]; then
	pass "lintian: 0 errors, $warnings warnings ($(grep '^W:' "$logs/lintian.log" |
		awk '{ print $3 }' | sort -u | tr '\n' ' '| sed 's/ $//'))"
else
	grep '^E:' "$logs/lintian.log"
	failed "lintian: $errors errors"
fi

# DKMS, as on a router, but in a tree of our own.
for glob in '/usr/src/linux-headers-6.1.*-amd64' '/usr/src/linux-headers-6.12.*-amd64'; do
	# shellcheck disable=SC2012,SC2086 # a glob, expanded here
	hdr=$(ls -d $glob 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$hdr" ]; then
		failed "dkms build: no headers matching $glob"
		continue
	fi
	kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$hdr/include/generated/utsrelease.h")
	mkdir -p "$tmp/dkms-tree" "$tmp/dkms-install"
	if nice -n 10 dkms build --dkmstree "$tmp/dkms-tree" --sourcetree "$tmp/dkms-root/usr/src" \
		--installtree "$tmp/dkms-install" -m s2svpn -v "$ver" -k "$kver" \
		--kernelsourcedir "$hdr" >"$logs/dkms-$kver.log" 2>&1 &&
		ko=$(ls "$tmp/dkms-tree/s2svpn/$ver/$kver"/*/module/s2svpn.ko* 2>/dev/null) &&
		[ "$(modinfo -F vermagic "$ko" | awk '{ print $1 }')" = "$kver" ]; then
		pass "dkms build -k $kver from s2svpn-dkms: $(basename "$ko"), vermagic $kver"
	else
		tail -n 20 "$logs/dkms-$kver.log"
		failed "dkms build -k $kver (see $logs/dkms-$kver.log)"
	fi
done
if [ -e /var/lib/dkms/s2svpn ]; then
	failed "dkms: /var/lib/dkms/s2svpn exists (the system's tree was used)"
fi
