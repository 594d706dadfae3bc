#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Result bookkeeping shared by check.sh and the scripts it calls: one line per
# result on stdout, and the same line appended to $S2SVPN_TALLY.

report() {
	local verdict=$1
	shift
	printf '%-4s %s\n' "$verdict" "$*"
	[ -n "${S2SVPN_TALLY:-}" ] && printf '%s %s\n' "$verdict" "$*" >>"$S2SVPN_TALLY"
	return 0
}

pass() { report PASS "$@"; }
failed() { report FAIL "$@"; }
skipped() { report SKIP "$@"; }

# The patterns that fail any kernel log.
S2SVPN_SPLAT='BUG:|WARNING:|KASAN:|UBSAN:|Call Trace:|suspected memory leak|unregister_netdevice: waiting'
