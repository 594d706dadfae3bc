#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# man.sh - the man pages: mandoc -T lint clean, s2svpnctl(8) and
# s2svpn-iked(8) say what --help says line by line, s2svpn-iked.conf(5)
# documents exactly the keys config.c knows, bash completion knows every
# command and option. PASS/FAIL lines as tests/report.sh.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 1
# shellcheck source=report.sh
. tests/report.sh

if ! out=$(nice -n 10 make -s man 2>&1); then
	echo "$out" | tail -n 20
	failed "make man"
	exit 0
fi
pass "make man: s2svpnctl.8 s2svpn-iked.8 s2svpn-iked.conf.5 s2svpn.4"

for p in build/man/*.[458]; do
	if out=$(mandoc -T lint -W warning "$p" 2>&1) && [ -z "$out" ]; then
		pass "mandoc -T lint -W warning clean: ${p#build/man/}"
	else
		echo "$out"
		failed "mandoc -T lint: ${p#build/man/}: $(echo "$out" | wc -l) messages"
	fi
done

render() { MANWIDTH=200 mandoc -T utf8 -O width=200 "$1" | col -bx | sed 's/^ *//; s/ *$//'; }

# Every line of --help is a line of the page, in the same order.
for prog in tools/s2svpnctl userspace-ike/s2svpn-iked; do
	name=$(basename "$prog")
	missing=$("$prog" --help | sed 's/^ *//; s/ *$//' | grep -v '^$' |
		grep -vxF -f <(render "build/man/$name.8") | head -n 5)
	if [ -z "$missing" ]; then
		pass "$name.8 carries every line of $name --help"
	else
		failed "$name.8 lacks lines of --help: $(echo "$missing" | tr '\n' '|')"
	fi
done

# The keys config.c parses, and the keys the page documents.
keys_c=$(sed -nE 's/^\s*\[K_[A-Z0-9_]+\] = \{ "([a-z0-9_]+)".*/\1/p' userspace-ike/config.c | sort -u)
keys_man=$(render build/man/s2svpn-iked.conf.5 | sed -nE 's/^([a-z0-9_]+) = .*/\1/p' | sort -u)
if [ -n "$keys_c" ] && [ "$keys_c" = "$keys_man" ]; then
	pass "s2svpn-iked.conf.5 documents the $(wc -l <<<"$keys_c") keys of config.c, no other"
else
	failed "s2svpn-iked.conf.5 keys differ from config.c's:" \
		"$(diff <(echo "$keys_c") <(echo "$keys_man") | grep '^[<>]' | tr '\n' ' ')"
fi

# The AWS NAMES table names real keys only.
bad=$(sed -nE 's/^\.BR? ([a-z0-9_]+)( ", " ([a-z0-9_]+))?$/\1 \3/p' dist/man/s2svpn-iked.conf.5.tail |
	tr ' ' '\n' | grep -v '^$' | grep -vxF -f <(echo "$keys_c"))
if [ -z "$bad" ]; then
	pass "s2svpn-iked.conf.5 AWS NAMES: every entry is a key of config.c"
else
	failed "s2svpn-iked.conf.5 AWS NAMES: unknown keys: $(tr "\n" " " <<<"$bad")"
fi

# Completion: every command of help.c, every long option of both programs.
comp=dist/s2svpnctl.bash-completion
want=$(sed -nE 's/^\s*\{ "([a-z-]+)( [a-z]+)?", ".*/\1/p' tools/help.c | sort -u)
want="$want $(sed -nE 's/^\s*\{ "([a-z-]+)", (no|required)_argument.*/--\1/p' \
	tools/s2svpnctl.c userspace-ike/main.c | sort -u)"
missing=""
for w in $want; do
	grep -qE "(^|[ '])$w([ ']|$)" "$comp" || missing="$missing $w"
done
if [ -z "$missing" ]; then
	pass "bash completion offers every command and long option ($(wc -w <<<"$want"))"
else
	failed "bash completion lacks:$missing"
fi
