#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Flat profile of a UML kernel from host perf samples.

  profile.py PERF_SCRIPT_OUTPUT KALLSYMS [TOP]

The UML kernel is a host process: its code, modules included, runs at the
addresses /proc/kallsyms shows inside it. perf resolves what is in the
`linux` binary and the host's libraries; module addresses (s2svpn.ko)
come back unknown and are looked up in KALLSYMS here. Prints the share of
samples per function, and per group (crypto, copy/checksum, s2svpn, ...).
"""
import bisect
import collections
import re
import sys

syms = []
for line in open(sys.argv[2]):
    f = line.split()
    if len(f) >= 3 and f[1].lower() in "tw":
        syms.append((int(f[0], 16), f[2] + (f" {f[3]}" if len(f) > 3 else "")))
syms.sort()
addrs = [a for a, _ in syms]
top = int(sys.argv[3]) if len(sys.argv) > 3 else 40

count = collections.Counter()
total = 0
for line in open(sys.argv[1]):
    m = re.match(r"\s*([0-9a-f]+)\s+(.*?)\s+\((.*)\)\s*$", line)
    if not m:
        continue
    ip, sym, dso = int(m.group(1), 16), m.group(2), m.group(3)
    if sym.startswith("[unknown]") or not sym:
        i = bisect.bisect_right(addrs, ip) - 1
        sym = syms[i][1] if i >= 0 and ip - addrs[i] < 0x10000 else f"?{dso}"
    else:
        sym = re.sub(r"\+0x[0-9a-f]+$", "", sym)
    count[sym] += 1
    total += 1

GROUPS = [
    ("crypto: AES", r"aes|crypto_cipher|ctr_crypt|crypto_ctr"),
    ("crypto: GHASH/GCM", r"ghash|gf128|gcm|be128"),
    ("crypto: ChaCha20/Poly1305", r"chacha|poly1305"),
    ("crypto: SHA-256/HMAC/CBC", r"sha256|hmac|cbc|authenc|sha2"),
    ("crypto: API, scatterlists", r"scatterwalk|crypto_|skcipher|aead|seqiv|echainiv|sg_|skb_to_sgvec"),
    ("copy, checksum", r"memcpy|memmove|copy|csum|checksum|memset"),
    ("s2svpn", r"\[s2svpn\]"),
    ("WireGuard", r"wg_|\[wireguard\]"),
    ("xfrm/ESP", r"xfrm|esp"),
    ("TCP/UDP/IP", r"tcp|udp|ip_|ip6|inet|__ip|skb_gso|gro|gso"),
    ("skb, memory", r"skb|kmalloc|kfree|kmem|slab|page|alloc|free"),
    ("scheduler, UML", r"sched|switch|schedule|userspace|do_syscall|sig|timer|irq|softirq|wait|idle|ptrace"),
]
groups = collections.Counter()
for sym, n in count.items():
    for g, rx in GROUPS:
        if re.search(rx, sym):
            groups[g] += n
            break
    else:
        groups["other"] += n

print(f"{total} samples")
print("\nby group:")
for g, n in groups.most_common():
    print(f"  {100 * n / total:5.1f}%  {g}")
print(f"\ntop {top} functions:")
for sym, n in count.most_common(top):
    print(f"  {100 * n / total:5.1f}%  {sym}")
