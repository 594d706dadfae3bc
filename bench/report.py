#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn a `make bench` run's raw.tsv into results.md and chart.png.

  report.py DIR

raw.tsv lines: section round metric peer alg value unit. Round 0 is the
warm-up and is discarded. Every figure is the median of the runs, with min
and max; s2svpn's ratio is against the best other peer with the same
algorithm, and the goal (1.1x the best peer, the worst run above the peer's
best) is judged on those.
"""
import collections
import math
import os
import statistics
import subprocess
import sys

d = sys.argv[1]
rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(d, "raw.tsv")) if l.strip()]
vals = collections.defaultdict(list)
meta, notes, drivers = {}, [], []
for sec, rnd, metric, peer, alg, value, unit in rows:
    if sec == "meta":
        meta[metric] = value
    elif sec == "host":
        meta.setdefault("host", []).append(value)
    elif sec == "note":
        notes.append(value)
    elif sec == "driver":
        drivers.append((metric, value, unit))
    elif rnd != "0":
        try:
            v = float(value)
        except ValueError:
            continue
        if not math.isnan(v):
            vals[(sec, metric, peer, alg)].append(v)

ALGS = ["aes-gcm-128", "aes-cbc-256-sha256", "chacha20-poly1305"]
PEERS = ["s2svpn", "xfrm", "wireguard"]
# Table rows: s2svpn-aead is s2svpn with chapoly_lib=0 (ChaCha20-Poly1305
# through the kernel's AEAD template): what the library path gains.
ROWS = ["s2svpn", "s2svpn-aead", "xfrm", "wireguard"]
LABEL = {"veth": "plain veth (no tunnel)", "s2svpn-aead": "s2svpn, AEAD template (chapoly_lib=0)"}
TPUT = [("tcp1", "TCP 1 stream, Mbit/s"), ("tcp4", "TCP 4 streams, Mbit/s"),
        ("udp64", "UDP 64 B, pps"), ("udp1400", "UDP 1400 B, pps")]
LAT = [("ping_idle_median", "idle median"), ("ping_idle_p99", "idle p99"),
       ("ping_load_median", "loaded median"), ("ping_load_p99", "loaded p99")]


def stat(key):
    v = vals.get(key)
    if not v:
        return None
    return statistics.median(v), min(v), max(v), len(v)


def fmt(x):
    if x >= 10000:
        return f"{x:,.0f}"
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def cell(s):
    return "–" if not s else f"{fmt(s[0])} ({fmt(s[1])}–{fmt(s[2])})"


def best_peer(sec, metric, alg, higher=True):
    """The best peer other than s2svpn for a metric: (peer, stat)."""
    best = None
    for p in ["xfrm", "wireguard"]:
        s = stat((sec, metric, p, alg))
        if s and (best is None or (s[0] > best[1][0] if higher else s[0] < best[1][0])):
            best = (p, s)
    return best


out = []
w = out.append
n_runs = max((len(v) for v in vals.values()), default=0)
w(f"Kernel {meta.get('kernel', '?')} (UML, one CPU), {n_runs} runs per figure after a "
  f"discarded warm-up, peers interleaved; median (min–max). TCP runs {meta.get('secs', '?')} s.")
if meta.get("host"):
    w("")
    w("Host (2 cores, shared): " + "; ".join(meta["host"]) + ".")
w("")
w("### Throughput")
w("")
w("UDP: packets per second out of the receiving tunnel device; through the 1422-byte CBC "
  "tunnels a 1400-byte datagram is two fragments, counted as two.")
w("")
w("| algorithm | peer | " + " | ".join(t[1] for t in TPUT) + " |")
w("|---|---|" + "---|" * len(TPUT))
verdicts = []
for alg in ["none"] + ALGS:
    for peer in (["veth"] if alg == "none" else ROWS):
        cells, any_ = [], False
        for m, _ in TPUT:
            s = stat(("tput", m, peer, alg))
            any_ = any_ or bool(s)
            c = cell(s)
            if s and peer == "s2svpn":
                b = best_peer("tput", m, alg)
                if b:
                    r = s[0] / b[1][0]
                    c += f" **{r:.2f}x** {b[0]}"
                    verdicts.append((alg, m, b[0], r, s[1] > b[1][2]))
            cells.append(c)
        if any_:
            w(f"| {alg} | {LABEL.get(peer, peer)} | " + " | ".join(cells) + " |")
w("")
if verdicts:
    met = [v for v in verdicts if v[3] >= 1.1 and v[4]]
    w(f"Goal (s2svpn at least 1.1x the best peer with the same algorithm and its worst run "
      f"above that peer's best): met for {len(met)} of {len(verdicts)} figures"
      + (": " + ", ".join(f"{a} {m}" for a, m, *_ in met) if met else "") + ".")
    w("")

w("### Latency: ping RTT, ms")
w("")
w("Idle: ping every 10 ms; loaded: ping every 20 ms during a 1-stream TCP transfer.")
w("")
w("| algorithm | peer | " + " | ".join(t[1] for t in LAT) + " |")
w("|---|---|" + "---|" * len(LAT))
for alg in ["none"] + ALGS:
    for peer in (["veth"] if alg == "none" else ROWS):
        cells = [cell(stat(("lat", m, peer, alg))) for m, _ in LAT]
        if any(c != "–" for c in cells):
            w(f"| {alg} | {'plain veth' if peer == 'veth' else LABEL.get(peer, peer)} | " +
              " | ".join(cells) + " |")
w("")

w("### Crypto ceiling")
w("")
w("bench/aeadspeed times the transform ESP allocates (geniv around the AEAD) on ESP-shaped "
  "1438-byte payloads in place, one CPU; WireGuard's row is the ChaCha20-Poly1305 library it "
  "calls. Ceiling = 1/(1/enc + 1/dec) (both ends share the CPU); with path adds the plain veth "
  "1-stream TCP cost: 1/(1/enc + 1/dec + 1/veth). Reached = TCP 1 stream median / ceiling with path.")
w("")
w("| algorithm | driver | enc MB/s | dec MB/s | ceiling Mbit/s | with path Mbit/s | reached |")
w("|---|---|---|---|---|---|---|")
veth = stat(("tput", "tcp1", "veth", "none"))
for alg in ALGS:
    for drv in sorted({k[2] for k in vals if k[0] == "crypto" and k[3] == alg}):
        enc = stat(("crypto", "enc", drv, alg))
        dec = stat(("crypto", "dec", drv, alg))
        if not enc or not dec:
            continue
        ceil = 8 / (1 / enc[0] + 1 / dec[0])
        path = 1 / (1 / ceil + 1 / veth[0]) if veth else ceil
        lib = drv.startswith("lib-")
        reached = []
        # s2svpn's ChaCha20-Poly1305 runs on the library (chapoly.c), the
        # same ChaCha20 and Poly1305 code as WireGuard's.
        lib_users = ["wireguard"] + (["s2svpn"] if alg == "chacha20-poly1305" else [])
        tmpl_users = ["s2svpn-aead", "xfrm"] if alg == "chacha20-poly1305" else ["s2svpn", "xfrm"]
        for p in (lib_users if lib else tmpl_users):
            s = stat(("tput", "tcp1", p, alg))
            if s:
                reached.append(f"{p} {100 * s[0] / path:.0f}%")
        w(f"| {alg} | `{drv}` | {fmt(enc[0])} | {fmt(dec[0])} | {fmt(ceil)} | {fmt(path)} | "
          f"{', '.join(reached) or '–'} |")
w("")

w("### Cost per SA and per device")
w("")
w("Kernel memory = Slab + Percpu + VmallocUsed + KernelStack from /proc/meminfo, before and "
  "after, caches dropped.")
w("")
w("| peer | per device, bytes | per SA pair, bytes | SAs installed |")
w("|---|---|---|---|")
for p in PEERS:
    dev = stat(("cost", "kmem_per_device", p, "-"))
    pair = sas = None
    for alg in ALGS:
        if stat(("cost", "kmem_per_sa_pair", p, alg)):
            pair = stat(("cost", "kmem_per_sa_pair", p, alg))
            sas = stat(("cost", "sas_installed", p, alg))
    w(f"| {p} | {fmt(dev[0]) if dev else '–'} | {fmt(pair[0]) if pair else '–'} | "
      f"{fmt(sas[0]) if sas else '–'} |")
w("")
w("WireGuard: a peer (one key pair each way) counts as an SA pair; its SAs installed are 2 per peer.")
w("")
lk = sorted({k[1] for k in vals if k[0] == "lookup"})
if lk:
    w("### Lookup cost: the receiver with 1 SA and with many")
    w("")
    w("The runs with 1 SA come before the SAs are installed, those with many after: not "
      "interleaved, so a change of the host's load in between shows here as much as the lookup; "
      "compare s2svpn's change with xfrm's.")
    w("")
    labels = sorted({m.split("_", 1)[1] for m in lk}, key=lambda s: int(s.rstrip("sa")))
    w("| peer | figure | " + " | ".join(labels) + " | change |")
    w("|---|---|" + "---|" * (len(labels) + 1))
    for p in PEERS:
        alg = "chacha20-poly1305" if p == "wireguard" else "aes-gcm-128"
        for m in ("udp64", "tcp1"):
            ss = [stat(("lookup", f"{m}_{l}", p, alg)) for l in labels]
            if not any(ss):
                continue
            ch = (f"{100 * (ss[-1][0] / ss[0][0] - 1):+.1f}%" if ss[0] and ss[-1] else "–")
            w(f"| {p} ({alg}) | {'UDP 64 B, pps' if m == 'udp64' else 'TCP 1 stream, Mbit/s'} | "
              + " | ".join(cell(s) for s in ss) + f" | {ch} |")
    w("")

def section(title, text, first, cols, sec, rows):
    """A table of one section's figures: a row per (label, peer, alg), a column per metric."""
    if not any(stat((sec, m, p, a)) for m, _ in cols for _, p, a in rows):
        return
    w(f"### {title}")
    w("")
    w(text)
    w("")
    w(f"| {first} | " + " | ".join(t[1] for t in cols) + " |")
    w("|---|" + "---|" * len(cols))
    for label, p, a in rows:
        w(f"| {label} | " + " | ".join(cell(stat((sec, m, p, a))) for m, _ in cols) + " |")
    w("")


section("IKE: one charon initiates all connections at once",
        "IKEv2 AES128-SHA256-X25519, CHILD AES128-GCM-16 with PFS (X25519); the responder is one "
        "s2svpn-iked per connection (its design: one daemon per connection) or one charon with "
        "all of them. The initiator brings all connections up at once, then rekeys every "
        "CHILD_SA at once (one `swanctl --rekey` each), then every IKE SA. Per second: until "
        "the initiator has them all up, so its own cost and swanctl's are in it. CPU: the "
        "responders' user and system time (netlink and kernel SA work included) from "
        "/proc/PID/stat in 10 ms ticks, from the first request until 1 s after the last is "
        "done, per tunnel or rekey; idle: per tunnel over 5 s with all of them up. The "
        "per-operation figures include the idle cost of those seconds: under UML every system "
        "call is a round trip through the host's ptrace, so s2svpn-iked's 100 ms timer tick, and "
        "its reading of the tunnel's receive counter for DPD every tenth of dpd_interval, cost "
        "far more than on a router.",
        "responder", [("tunnels_per_s", "tunnels up per second"),
                      ("child_rekeys_per_s", "CHILD_SA rekeys per second"),
                      ("ike_rekeys_per_s", "IKE SA rekeys per second"),
                      ("tunnel_cpu_ms", "responder CPU per tunnel, ms"),
                      ("child_rekey_cpu_ms", "responder CPU per CHILD rekey, ms"),
                      ("ike_rekey_cpu_ms", "responder CPU per IKE rekey, ms"),
                      ("idle_cpu_ms_per_s", "idle responder CPU per tunnel, ms/s"),
                      ("kb_per_ike_sa", "responder kB per IKE SA (Pss)"),
                      ("kb_idle", "idle responder process, kB (Pss)")],
        "ike", [(p, p, "-") for p in ("s2svpn-iked", "charon")])
section("Failover: tunnel 1's path drops everything",
        "s2svpn-iked with two tunnels to two endpoints, a 100 pps UDP stream; default DPD is "
        "s2svpn-iked's (AWS's) interval 10 s and timeout 40 s, aggressive 1 s and 3 s.",
        "DPD", [("detect_s", "cut to first datagram on tunnel 2, s"),
                ("outage_s", "outage (last on 1 to first on 2), s")],
        "failover", [(l, "s2svpn-iked", l) for l in ("default", "aggressive")])
if notes:
    w("### Not measured")
    w("")
    for n in notes:
        w(f"- {n}")
    w("")
if drivers:
    w("### Crypto drivers (/proc/crypto after every tunnel was up)")
    w("")
    w("| name | driver | refcnt |")
    w("|---|---|---|")
    for name, drv, ref in drivers:
        w(f"| `{name}` | `{drv}` | {ref} |")
    w("")

md = "\n".join(out)
open(os.path.join(d, "results.md"), "w").write(md + "\n")
print(md)

# The chart: TCP 1 stream and UDP 64 B per algorithm and peer, with min-max
# bars; a panel per figure that was measured.
PANELS = [("tcp1", 1, "TCP, 1 stream, Mbit/s"), ("udp64", 1000, "UDP, 64-byte payloads, kpps")]
panels = [p for p in PANELS if any(stat(("tput", p[0], q, a)) for q in PEERS for a in ALGS)]
if not panels:
    sys.exit(0)
dat = os.path.join(d, "chart.dat")
with open(dat, "w") as f:
    for m, scale, _ in panels:
        f.write(f"# {m}\n")
        for alg in ALGS:
            f.write(f'"{alg}"')
            for p in PEERS:
                s = stat(("tput", m, p, alg))
                f.write(" " + (" ".join(f"{x / scale:.2f}" for x in s[:3]) if s else "NaN NaN NaN"))
            f.write("\n")
        f.write("\n\n")
vt = stat(("tput", "tcp1", "veth", "none"))
gp = f"""
set terminal pngcairo size {550 * len(panels)},520 font "sans,10"
set output "{os.path.join(d, 'chart.png')}"
set multiplot layout 1,{len(panels)} title "s2svpn vs xfrm vs WireGuard, {meta.get('kernel', '')} UML, 1 CPU (median, min-max)"
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.8 border -1
set yrange [0:*]
set key top left
set grid ytics
set xtics nomirror font ",9"
"""
for i, (m, _, title) in enumerate(panels):
    if m == "tcp1" and vt:
        title += f" (plain veth {vt[0]:.0f})"
    gp += f"""set title "{title}"
plot "{dat}" index {i} using 2:3:4:xtic(1) title "s2svpn" lc rgb "#1f77b4", \\
  "" index {i} using 5:6:7 title "xfrm" lc rgb "#ff7f0e", \\
  "" index {i} using 8:9:10 title "WireGuard" lc rgb "#2ca02c"
"""
gp += "unset multiplot\n"
r = subprocess.run(["gnuplot"], input=gp, text=True, capture_output=True)
if r.returncode:
    sys.exit(f"gnuplot: {r.stderr}")
