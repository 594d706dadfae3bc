#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the s2svpn "events" notifications received for SECONDS, one per
line: "<command> <tunnel id> <state>".

  events.py SECONDS
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from genl import S2svpn, A, T, CMD, parse_attrs, u  # noqa: E402

names = {v: k for k, v in vars(CMD).items() if k != "MAX"}
nl = S2svpn()
nl.subscribe("events")
print("ready", flush=True)
for cmd, attrs in nl.events(float(sys.argv[1])):
    nest = parse_attrs(attrs.get(A.TUNNEL, b""))
    print(names.get(cmd, cmd), u(nest.get(T.ID)), u(nest.get(T.STATE)), flush=True)
