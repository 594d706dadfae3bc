#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - `make demo`: install what is missing, build the module for a
# User-Mode Linux kernel, s2svpnctl and s2svpn-iked, boot UML and play
# tests/demo/site_to_site.sh, showing its narration as it runs.
#
#   PEER=s2svpn|strongswan   what runs the cloud side's tunnel endpoints
#   K=6.1|6.12               the UML kernel: 6.1 plain by default (no
#                            KASAN or lockdep, so figures are not skewed by
#                            the debugging; the cheapest kernel to build and
#                            the one `make check` caches too); 6.12 is the
#                            debug kernel of `make check`
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo" || exit 1
PEER=${PEER:-s2svpn}
K=${K:-6.1}
case $PEER in s2svpn | strongswan) ;; *) echo "demo: PEER=s2svpn or PEER=strongswan" >&2; exit 2 ;; esac
case $K in 6.1) flavour=plain ;; 6.12) flavour=debug ;; *) echo "demo: K=6.1 or K=6.12" >&2; exit 2 ;; esac
label=um-$K-$flavour
started=$(date +%s)

if [ -t 1 ]; then
	bold=$(printf '\033[1m') cyan=$(printf '\033[1;36m') dim=$(printf '\033[2m') off=$(printf '\033[0m')
else
	bold="" cyan="" dim="" off=""
fi
step() { echo "${cyan}### $*${off}"; }
die() { echo "demo: $*" >&2; exit 1; }

step "1/4 Debian packages (tests/deps.sh: compilers, linux-source, iproute2, strongSwan...)"
tests/deps.sh all || die "missing packages; run as root (apt-get)"

step "2/4 Building s2svpnctl and s2svpn-iked"
make -s -C tools >/dev/null || die "s2svpnctl build failed"
make -s -C userspace-ike s2svpn-iked >/dev/null || die "s2svpn-iked build failed"

step "3/4 The UML kernel ($label) and the s2svpn module for it"
echo "${dim}    (cached in ${S2SVPN_CACHE:-~/.cache/s2svpn}; the first build takes about 10 minutes)${off}"
tree=$(tests/uml/build-kernel.sh "$K" "$flavour") || die "kernel build failed"
ko=$(tests/build-kmod.sh "demo-$label" "$tree" ARCH=um) || die "module build failed"

step "4/4 Booting UML and playing the scenario (cloud side: $PEER)"
out=$repo/build/demo
rm -rf "$out"
mkdir -p "$out"
: >"$out/site_to_site.log"
# The scenario writes its log on the host (hostfs): show it as it grows.
pretty() {
	sed -u -e "s/\*\*\([^*]*\)\*\*/${bold}\1${off}/g" \
		-e "s/^==> \(.*\)$/${cyan}==> \1${off}/" \
		-e "s/^\(\[[a-z-]*\]\$ .*\)$/${bold}\1${off}/"
}
S2SVPN_TEST_DIR=tests/demo S2SVPN_TEST_TIMEOUT=600 S2SVPN_TEST_ENV="S2SVPN_DEMO_PEER=$PEER" \
	tests/uml/run-uml.sh "$label" "$tree" "$ko" "$out" site_to_site >"$out.run-uml.out" 2>&1 &
uml=$!
tail -n +1 -F --pid=$uml "$out/site_to_site.log" 2>/dev/null | pretty
wait $uml
echo
if grep -q '^PASS site_to_site' "$out/results" 2>/dev/null &&
	grep -q '^PASS .*kernel log free' "$out.run-uml.out"; then
	echo "${bold}demo finished in $(($(date +%s) - started)) s; kernel log clean. Logs: $out${off}"
else
	grep -E '^FAIL' "$out.run-uml.out" | grep -v kunit
	echo "demo failed; logs in $out (console.log, site_to_site.log)" >&2
	exit 1
fi
