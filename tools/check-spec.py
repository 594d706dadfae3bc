#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that the YNL spec uapi/s2svpn.yaml and the C header
uapi/linux/s2svpn.h describe exactly the same generic netlink family.

The C names are derived from the spec with the rules of the kernel's
tools/net/ynl/ynl-gen-c.py (name-prefix, enum-name, attr-cnt-name, ...), so
a header generated from the spec would be equal to the one checked in.
Compared: every enum (name, entry names, values and order, including the
__MAX/MAX entries), every #define (family name and version, constants,
multicast group), and what the header's comments state about attributes
(type, nested set, enum, fixed length). The spec is also checked for
internal consistency (references between sets, operations, enums, groups).

Exit status: 0 if they agree, 1 on any disagreement (one line per problem),
2 on usage or parse errors. Needs PyYAML (Debian: python3-yaml).
"""

import argparse
import os
import re
import sys

try:
    import yaml
except ImportError:
    sys.stderr.write("check-spec: needs PyYAML: apt-get install python3-yaml\n")
    sys.exit(2)


def c_upper(name):
    return name.upper().replace('-', '_')


def c_lower(name):
    return name.lower().replace('-', '_')


class Fatal(Exception):
    pass


# --- the C header -----------------------------------------------------------

class HeaderEnum:
    def __init__(self, name, line):
        self.name = name
        self.line = line
        self.entries = []       # [(NAME, value, comment, line)]

    def names(self):
        return [e[0] for e in self.entries]


def eval_c_expr(expr, known, where):
    """Evaluate a C integer constant expression of known names."""
    def repl(m):
        ident = m.group(0)
        if ident not in known:
            raise Fatal(f"{where}: unknown name {ident} in '{expr}'")
        return str(known[ident])
    text = re.sub(r'[A-Za-z_]\w*', repl, expr)
    text = re.sub(r'\b(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\b', r'\1', text)
    if not re.fullmatch(r'[\s0-9a-fA-FxX()+\-*<|]*', text):
        raise Fatal(f"{where}: cannot evaluate '{expr}'")
    try:
        return int(eval(text, {"__builtins__": {}}, {}))  # digits only
    except Exception as exc:
        raise Fatal(f"{where}: cannot evaluate '{expr}': {exc}")


ENTRY_OR_COMMENT = re.compile(
    r'/\*.*?\*/'
    r'|(?P<name>[A-Za-z_]\w*)\s*(?:=\s*(?P<expr>[^,/}]+?))?\s*(?:,|(?=\s*$)|(?=\s*/))',
    re.S)


def parse_header(path):
    with open(path, encoding='utf-8') as f:
        text = f.read()

    def lineno(pos):
        return text.count('\n', 0, pos) + 1

    defines = {}                # NAME -> (value, line)
    known = {}                  # every integer name seen so far
    for m in re.finditer(r'^#define[ \t]+(\w+)[ \t]+(.+?)[ \t]*$', text, re.M):
        name, value = m.group(1), re.sub(r'/\*.*?\*/', '', m.group(2)).strip()
        where = f"{path}:{lineno(m.start())}"
        if value.startswith('"'):
            defines[name] = (value.strip('"'), lineno(m.start()))
            continue
        try:
            val = eval_c_expr(value, known, where)
        except Fatal:
            continue        # not an integer constant: e.g. a macro
        defines[name] = (val, lineno(m.start()))
        known[name] = val

    enums = {}
    for m in re.finditer(r'\benum\s+(\w+)\s*\{(.*?)\}\s*;', text, re.S):
        en = HeaderEnum(m.group(1), lineno(m.start()))
        body, base = m.group(2), m.start(2)
        nextval = 0
        last_end = None
        for t in ENTRY_OR_COMMENT.finditer(body):
            if t.group(0).startswith('/*'):
                # A comment on the entry's own line documents that entry;
                # one on a line by itself introduces what follows.
                between = body[last_end:t.start()] if last_end is not None else '\n'
                if en.entries and '\n' not in between:
                    n, v, c, ln = en.entries[-1]
                    en.entries[-1] = (n, v, (c + ' ' + t.group(0)[2:-2]).strip(), ln)
                continue
            name = t.group('name')
            where = f"{path}:{lineno(base + t.start())}"
            if t.group('expr') is not None:
                nextval = eval_c_expr(t.group('expr').strip(), known, where)
            en.entries.append((name, nextval, '', lineno(base + t.start())))
            known[name] = nextval
            nextval += 1
            last_end = t.end()
        if en.name in enums:
            raise Fatal(f"{path}:{en.line}: enum {en.name} defined twice")
        enums[en.name] = en
    return defines, enums


# --- the spec, with ynl-gen-c's naming rules --------------------------------

class SpecEnum:
    """An enum the spec renders into the uAPI header."""

    def __init__(self, cname, what):
        self.cname = cname      # 'enum s2svpn_a' -> 's2svpn_a'
        self.what = what        # for messages
        self.entries = []       # [(NAME, value, origin)]


class Spec:
    def __init__(self, path, errors):
        with open(path, encoding='utf-8') as f:
            self.y = yaml.safe_load(f)
        self.path = path
        self.err = errors
        y = self.y
        for key in ('name', 'attribute-sets', 'operations'):
            if key not in y:
                raise Fatal(f"{path}: no '{key}'")
        self.fam = y['name']
        if y.get('protocol', 'genetlink') not in ('genetlink', 'genetlink-c',
                                                  'genetlink-legacy'):
            raise Fatal(f"{path}: protocol must be genetlink, genetlink-c or "
                        f"genetlink-legacy, not {y.get('protocol')}")
        if 'async-prefix' in y['operations']:
            raise Fatal(f"{path}: operations: async-prefix is not supported "
                        "by this checker")
        self.defines = {}       # NAME -> (value, origin)
        self.enums = {}         # cname -> SpecEnum
        self.defs = {}          # definition name -> yaml
        self.sets = {}          # set name -> {attr name: (yaml, value)}
        self.set_cname = {}     # set name -> C enum name
        self.set_pfx = {}       # set name -> C prefix of its attributes
        self.build()

    def add_define(self, name, value, origin):
        if name in self.defines:
            self.err.append(f"spec: {origin}: #define {name} rendered twice")
        self.defines[name] = (value, origin)

    def add_enum(self, obj, default, what):
        # ynl-gen-c: 'enum-name' present and empty means an anonymous enum,
        # which cannot be matched against the header by name.
        cname = obj['enum-name'] if 'enum-name' in obj else default
        if not cname:
            raise Fatal(f"{self.path}: {what}: anonymous enum, set enum-name")
        cname = c_lower(cname)
        if cname in self.enums:
            raise Fatal(f"{self.path}: {what}: enum {cname} rendered twice")
        e = SpecEnum(cname, what)
        self.enums[cname] = e
        return e

    def build(self):
        y, fam = self.y, self.fam
        self.add_define(c_upper(y.get('c-family-name', fam + '_FAMILY_NAME')),
                        fam, 'name')
        self.add_define(c_upper(y.get('c-version-name', fam + '_FAMILY_VERSION')),
                        y.get('version', 1), 'version')
        for d in y.get('definitions', []):
            self.build_definition(d)
        for s in y['attribute-sets']:
            self.build_set(s)
        self.build_ops()
        for g in y.get('mcast-groups', {}).get('list', []):
            name = c_upper(g.get('c-define-name', f"{fam}-mcgrp-{g['name']}"))
            self.add_define(name, g['name'], f"mcast-groups/{g['name']}")

    def build_definition(self, d):
        fam = self.fam
        name = d['name']
        if name in self.defs:
            self.err.append(f"spec: definitions: '{name}' defined twice")
        self.defs[name] = d
        if d.get('header') or d.get('scope', 'uapi') != 'uapi':
            return
        if d['type'] == 'const':
            pfx = d.get('name-prefix', f"{fam}-")
            self.add_define(c_upper(pfx + name), d['value'],
                            f"definitions/{name}")
            return
        if d['type'] not in ('enum', 'flags'):
            return
        e = self.add_enum(d, f"{fam}_{c_lower(name)}", f"definitions/{name}")
        pfx = d.get('name-prefix', f"{fam}-{name}-")
        val = d.get('value-start', 0)
        for ent in d.get('entries', []):
            ent = ent if isinstance(ent, dict) else {'name': ent}
            if 'value' in ent:
                val = ent['value']
            v = (1 << val) if d['type'] == 'flags' else val
            e.entries.append((c_upper(pfx + ent['name']), v,
                              f"definitions/{name}/{ent['name']}"))
            val += 1
        if d.get('render-max'):
            if d['type'] == 'flags':
                mask = 0
                for _, v, _ in e.entries:
                    mask |= v
                e.entries.append((c_upper(pfx + 'mask'), mask, 'render-max'))
            else:
                cnt = e.entries[-1][1] + 1
                e.entries.append(('__' + c_upper(pfx + 'max'), cnt, 'render-max'))
                e.entries.append((c_upper(pfx + 'max'), cnt - 1, 'render-max'))

    def build_set(self, s):
        fam, name = self.fam, s['name']
        if name in self.sets:
            self.err.append(f"spec: attribute-sets: '{name}' defined twice")
        if 'subset-of' in s:
            # A subset reuses its parent's attributes and values; checked
            # for existence in check_refs(), not rendered.
            self.sets[name] = None
            return
        if 'name-prefix' in s:
            pfx = s['name-prefix']
        elif name == fam:
            pfx = f"{fam}-a-"
        else:
            pfx = f"{fam}-a-{name}-"
        cnt = c_upper(s.get('attr-cnt-name', f"__{pfx}max"))
        mx = c_upper(s.get('attr-max-name', f"{pfx}max"))
        if 'enum-name' not in s:
            raise Fatal(f"{self.path}: attribute-sets/{name}: no enum-name, "
                        "ynl-gen-c would render an anonymous enum")
        e = self.add_enum(s, None, f"attribute-sets/{name}")
        attrs = {}
        val = 1
        for a in s['attributes']:
            if 'value' in a:
                val = a['value']
            if a['name'] in attrs:
                self.err.append(f"spec: attribute-sets/{name}: attribute "
                                f"'{a['name']}' defined twice")
            attrs[a['name']] = (a, val)
            e.entries.append((c_upper(pfx + a['name']), val,
                              f"attribute-sets/{name}/{a['name']}"))
            val += 1
        top = max(v for _, v in attrs.values())
        e.entries.append((cnt, top + 1, f"attribute-sets/{name} (count)"))
        e.entries.append((mx, top, f"attribute-sets/{name} (max)"))
        self.sets[name] = attrs
        self.set_cname[name] = e.cname
        self.set_pfx[name] = c_upper(pfx)

    def build_ops(self):
        y, fam = self.y, self.fam
        ops = y['operations']
        pfx = ops.get('name-prefix', f"{fam}-cmd-")
        if 'enum-name' not in ops:
            raise Fatal(f"{self.path}: operations: no enum-name, ynl-gen-c "
                        "would render an anonymous enum")
        e = self.add_enum(ops, None, 'operations')
        val = 1
        self.ops = {}
        for op in ops['list']:
            if 'value' in op:
                val = op['value']
            self.ops[op['name']] = (op, val)
            e.entries.append((c_upper(pfx + op['name']), val,
                              f"operations/{op['name']}"))
            val += 1
        cnt = c_upper(y.get('cmd-cnt-name', f"__{pfx}max"))
        mx = c_upper(y.get('cmd-max-name', f"{pfx}max"))
        top = e.entries[-1][1]
        e.entries.append((cnt, top + 1, 'operations (count)'))
        e.entries.append((mx, top, 'operations (max)'))
        self.op_prefix = c_upper(pfx)


# --- internal consistency of the spec ---------------------------------------

SCALAR_MAX = {'u8': 0xff, 'u16': 0xffff, 'u32': 0xffffffff,
              'u64': 0xffffffffffffffff}


def check_refs(spec, err):
    consts = {n: d for n, d in spec.defs.items() if d['type'] == 'const'}
    enums = {n: d for n, d in spec.defs.items() if d['type'] in ('enum', 'flags')}

    for s in spec.y['attribute-sets']:
        sname = s['name']
        if 'subset-of' in s:
            parent = spec.sets.get(s['subset-of'])
            if parent is None:
                err.append(f"spec: attribute-sets/{sname}: subset-of "
                           f"'{s['subset-of']}' is not a full attribute set")
                continue
            for a in s['attributes']:
                if a['name'] not in parent:
                    err.append(f"spec: attribute-sets/{sname}: '{a['name']}' "
                               f"is not in '{s['subset-of']}'")
            continue
        attrs = spec.sets[sname]
        has_pad = any(a['type'] == 'pad' for a, _ in attrs.values())
        for aname, (a, _) in attrs.items():
            where = f"spec: attribute-sets/{sname}/{aname}"
            t = a.get('type')
            if t == 'nest' and a.get('nested-attributes') not in spec.sets:
                err.append(f"{where}: nested-attributes "
                           f"'{a.get('nested-attributes')}' is not an attribute set")
            if t in ('u64', 's64') and not has_pad:
                err.append(f"{where}: 64-bit attribute in a set without a pad "
                           "attribute")
            if 'enum' in a:
                if a['enum'] not in enums:
                    err.append(f"{where}: enum '{a['enum']}' is not defined")
                else:
                    check_enum_max(spec, enums[a['enum']], a, where, err)
            for key, lim in a.get('checks', {}).items():
                if isinstance(lim, str) and not re.fullmatch(
                        r'[us](8|16|32|64)-(min|max)', lim) and lim not in consts:
                    err.append(f"{where}: checks/{key}: '{lim}' is not a const")
                val = consts[lim]['value'] if lim in consts else lim
                if key in ('min', 'max') and isinstance(val, int) \
                        and t in SCALAR_MAX and val > SCALAR_MAX[t]:
                    err.append(f"{where}: checks/{key} {val} does not fit {t}")
            if 'min' in a.get('checks', {}) and 'max' in a['checks']:
                lo, hi = (resolve(consts, a['checks'][k]) for k in ('min', 'max'))
                if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
                    err.append(f"{where}: checks min {lo} > max {hi}")

    groups = {g['name'] for g in spec.y.get('mcast-groups', {}).get('list', [])}
    for oname, (op, _) in spec.ops.items():
        where = f"spec: operations/{oname}"
        aset = op.get('attribute-set')
        if aset is None:
            if any(k in op for k in ('do', 'dump', 'event', 'notify')):
                err.append(f"{where}: no attribute-set")
            continue
        if aset not in spec.sets:
            err.append(f"{where}: attribute-set '{aset}' is not defined")
            continue
        real = spec.sets[aset]
        if real is None:
            real = spec.sets[next(s['subset-of'] for s in spec.y['attribute-sets']
                                  if s['name'] == aset)]
        lists = []
        for mode in ('do', 'dump'):
            for part in ('request', 'reply'):
                body = op.get(mode, {}).get(part)
                if body is not None:
                    lists.append((f"{mode}/{part}", body.get('attributes', [])))
        if 'event' in op:
            lists.append(('event', op['event'].get('attributes', [])))
        for what, names in lists:
            for n in names:
                if n not in real:
                    err.append(f"{where}: {what}: attribute '{n}' is not in "
                               f"set '{aset}'")
        if 'notify' in op and op['notify'] not in spec.ops:
            err.append(f"{where}: notify '{op['notify']}' is not an operation")
        if 'mcgrp' in op and op['mcgrp'] not in groups:
            err.append(f"{where}: mcgrp '{op['mcgrp']}' is not in mcast-groups")
        if ('event' in op or 'notify' in op) and 'mcgrp' not in op:
            err.append(f"{where}: notification without mcgrp")


def resolve(consts, lim):
    return consts[lim]['value'] if isinstance(lim, str) and lim in consts else lim


def check_enum_max(spec, d, a, where, err):
    """A u8 carrying an enum must not accept values past its last entry."""
    if d['type'] != 'enum':
        return
    n = len(d.get('entries', [])) + d.get('value-start', 0)
    mx = a.get('checks', {}).get('max')
    if mx is not None and resolve({k: v for k, v in spec.defs.items()
                                   if v['type'] == 'const'}, mx) != n - 1:
        err.append(f"{where}: checks/max {mx} but enum '{d['name']}' ends "
                   f"at {n - 1}")


# --- spec vs header ---------------------------------------------------------

def compare(spec, hdr_path, hdefines, henums, err):
    for name, (val, origin) in spec.defines.items():
        if name not in hdefines:
            err.append(f"{hdr_path}: #define {name} missing (spec {origin} = "
                       f"{val!r})")
        elif hdefines[name][0] != val:
            err.append(f"{hdr_path}:{hdefines[name][1]}: #define {name} is "
                       f"{hdefines[name][0]!r}, spec {origin} says {val!r}")
    spec_consts = set(spec.defines)
    for name, (val, line) in hdefines.items():
        if name.startswith(c_upper(spec.fam) + '_') and name not in spec_consts:
            err.append(f"{hdr_path}:{line}: #define {name} is not in the spec")

    for cname, se in spec.enums.items():
        he = henums.get(cname)
        if he is None:
            err.append(f"{hdr_path}: enum {cname} missing (spec {se.what})")
            continue
        hmap = {n: (v, ln) for n, v, _, ln in he.entries}
        smap = {n: (v, o) for n, v, o in se.entries}
        for n, v, o in se.entries:
            if n not in hmap:
                err.append(f"{hdr_path}:{he.line}: enum {cname}: {n} missing "
                           f"(spec {o} = {v})")
            elif hmap[n][0] != v:
                err.append(f"{hdr_path}:{hmap[n][1]}: enum {cname}: {n} is "
                           f"{hmap[n][0]} but spec {o} gives {v}")
        for n, v, _, ln in he.entries:
            if n not in smap:
                err.append(f"{hdr_path}:{ln}: enum {cname}: {n} (= {v}) is not "
                           f"in the spec ({se.what})")
        common_s = [n for n, _, _ in se.entries if n in hmap]
        common_h = [n for n in he.names() if n in smap]
        if common_s != common_h:
            err.append(f"{hdr_path}:{he.line}: enum {cname}: entries in a "
                       f"different order than the spec: {common_h} vs {common_s}")
    for cname, he in henums.items():
        if cname not in spec.enums:
            err.append(f"{hdr_path}:{he.line}: enum {cname} is not in the spec")


COMMENT_TYPE = re.compile(r'^\s*(u8|u16|u32|u64|s8|s16|s32|s64|string|binary|'
                          r'flag|nest)\b(.*)', re.S)


def compare_comments(spec, hdr_path, henums, err):
    """What the header's comments say about attributes must hold in the spec."""
    by_cname = {c: s for s, c in spec.set_cname.items()}
    for cname, he in henums.items():
        sname = by_cname.get(cname)
        if sname is None:
            continue
        attrs = {spec.set_pfx[sname] + c_upper(n): a
                 for n, (a, _) in spec.sets[sname].items()}
        for n, _, comment, ln in he.entries:
            a = attrs.get(n)
            m = COMMENT_TYPE.match(comment)
            if a is None or m is None:
                continue
            where = f"{hdr_path}:{ln}: {n}"
            ctype, rest = m.group(1), m.group(2)
            if ctype != a['type']:
                err.append(f"{where}: header says {ctype}, spec "
                           f"attribute-sets/{sname}/{a['name']} is {a['type']}")
            em = re.search(r'enum (\w+)', rest)
            if ctype == 'nest' and em:
                target = a.get('nested-attributes')
                if spec.set_cname.get(target) != em.group(1):
                    err.append(f"{where}: header nests enum {em.group(1)}, spec "
                               f"nests attribute set '{target}'")
            elif em:
                dname = a.get('enum')
                d = spec.defs.get(dname) if dname else None
                want = None
                if d is not None:
                    want = d['enum-name'] if 'enum-name' in d else \
                        f"{spec.fam}_{c_lower(d['name'])}"
                if want != em.group(1):
                    err.append(f"{where}: header says enum {em.group(1)}, spec "
                               f"attribute enum is {dname!r}")
            check_comment_range(spec, a, where, rest, err)
            lm = re.search(r'(\d+) bytes', rest)
            if ctype == 'binary' and lm:
                got = a.get('checks', {}).get('exact-len')
                if got != int(lm.group(1)):
                    err.append(f"{where}: header says {lm.group(1)} bytes, spec "
                               f"exact-len is {got}")


def check_comment_range(spec, a, where, rest, err):
    """Ranges the header's comment states must be the spec's checks:
    "0 or 1" and "X to Y" / "X..Y" give the max, "nonzero" a min of 1."""
    consts = {n: d for n, d in spec.defs.items() if d['type'] == 'const'}
    checks = a.get('checks', {})
    mx = resolve(consts, checks.get('max'))
    mn = resolve(consts, checks.get('min'))
    want = None
    if re.search(r'\b0 or 1\b', rest):
        want = 1
    m = re.search(r'(\d+)(?:\s*\([^)]*\))?\s*(?:\.\.|to)\s*(\d+)', rest)
    if m:
        want = int(m.group(2))
    if want is not None and mx != want:
        err.append(f"{where}: header allows up to {want}, spec checks/max "
                   f"is {mx}")
    if re.search(r'\bnonzero\b', rest) and not (isinstance(mn, int) and mn >= 1):
        err.append(f"{where}: header says nonzero, spec checks/min is {mn}")


def check_header_ops(spec, hdr_path, henums, err):
    """Commands the header documents as do/dump must have both in the spec,
    and *_NTF commands must be multicast notifications."""
    he = henums.get(spec.y['operations'].get('enum-name') or '')
    if he is None:
        return
    byc = {c_upper(spec.y['operations'].get('name-prefix', '') + n): op
           for n, (op, _) in spec.ops.items()}
    for n, _, comment, ln in he.entries:
        op = byc.get(n)
        if op is None:
            continue
        if 'do/dump' in comment and not ('do' in op and 'dump' in op):
            err.append(f"{hdr_path}:{ln}: {n} is do/dump in the header, the "
                       f"spec operation '{op['name']}' lacks "
                       f"{'do' if 'do' not in op else 'dump'}")
        if n.endswith('_NTF') and not ('event' in op or 'notify' in op):
            err.append(f"{hdr_path}:{ln}: {n}: spec operation '{op['name']}' "
                       "is not an event")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    top = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--spec', default=os.path.join(top, 'uapi', 's2svpn.yaml'))
    ap.add_argument('--header', default=os.path.join(top, 'uapi', 'linux',
                                                     's2svpn.h'))
    args = ap.parse_args()
    spec_rel = os.path.relpath(args.spec)
    hdr_rel = os.path.relpath(args.header)

    err = []
    try:
        spec = Spec(args.spec, err)
        hdefines, henums = parse_header(args.header)
    except (Fatal, OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        what = f"missing key {exc}" if isinstance(exc, KeyError) else exc
        sys.stderr.write(f"check-spec: {what}\n")
        return 2

    check_refs(spec, err)
    compare(spec, hdr_rel, hdefines, henums, err)
    compare_comments(spec, hdr_rel, henums, err)
    check_header_ops(spec, hdr_rel, henums, err)

    for e in err:
        sys.stderr.write(f"check-spec: {e}\n")
    if err:
        sys.stderr.write(f"check-spec: {spec_rel} and {hdr_rel} disagree "
                         f"({len(err)} problem{'s' if len(err) != 1 else ''})\n")
        return 1
    nattr = sum(len(s) for s in spec.sets.values() if s)
    ncmd = sum(1 for _, val in spec.ops.values() if val)
    print(f"check-spec: {spec_rel} matches {hdr_rel}: {len(spec.enums)} enums, "
          f"{nattr} attributes, {ncmd} commands, "
          f"{len(spec.defines)} defines")
    return 0


if __name__ == '__main__':
    sys.exit(main())
