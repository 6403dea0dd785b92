#!/usr/bin/python3
"""Size breakdown of a statically linked program from its GNU ld map.

  tools/musl_mapsize.py MAP [BEARSSL_SOURCE_TREE] [--top N]

Sums the input sections the linker kept (after --gc-sections) by where they
came from: BearSSL (libbearssl.a), ours (every other object given on the
command line, i.e. certstream.c with certstream.h), musl libc (libc.a and its
crt files), libgcc, and the rest (linker padding, crtbegin/end). Counts the
sections that take space in the file (.text, .rodata, .data, .eh_frame...);
.bss and .tbss take none and are shown apart. With the BearSSL source tree
its objects are grouped by folder (ssl, x509, ec, ...). Lists the N (default
8) largest BearSSL objects and our largest functions and tables.
"""
import collections
import os
import re
import sys

SKIP = ('.debug', '.comment', '.note.GNU-stack', '.gnu.attributes', '.stab',
        '/DISCARD/', '.gnu_debuglink')
NOBITS = ('.bss', '.tbss')

out_re = re.compile(r'^(\S+)(?:\s+0x([0-9a-f]+)\s+0x([0-9a-f]+))?\s*$')
in_re = re.compile(r'^ (\S+)(?:\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(.+))?$')
cont_re = re.compile(r'^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(.+)$')
fill_re = re.compile(r'^ \*fill\*\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)')


def origin(path):
    """(group, member) of an input file name in the map."""
    m = re.match(r'^(.*)\((.*)\)$', path)
    lib, member = (m.group(1), m.group(2)) if m else (path, None)
    base = os.path.basename(lib)
    if base == 'libbearssl.a':
        return 'BearSSL', member
    if base == 'libc.a' or ('musl' in lib and base.startswith('crt')) \
            or base in ('Scrt1.o', 'crt1.o', 'rcrt1.o', 'crti.o', 'crtn.o'):
        return 'musl libc', member or base
    if base.startswith('libgcc'):
        return 'libgcc', member
    if base.startswith('crtbegin') or base.startswith('crtend') \
            or base.startswith('<') or lib.startswith('linker'):
        return 'other', base
    if base.endswith('.a'):
        return base, member
    return 'ours', base


def parse(path):
    """[(output section, input section, size, group, member)]."""
    rows = []
    osec = None
    pending = None          # an input section name whose numbers follow
    started = False
    with open(path, errors='replace') as f:
        for line in f:
            line = line.rstrip('\n')
            if not started:
                started = line.startswith('Linker script and memory map')
                continue
            if pending is not None:
                m = cont_re.match(line)
                if m:
                    rows.append((osec, pending, int(m.group(2), 16))
                                + origin(m.group(3).strip()))
                pending = None
                continue
            if not line or line.startswith('LOAD ') \
                    or line.startswith('START GROUP') \
                    or line.startswith('END GROUP') \
                    or line.startswith('OUTPUT('):
                continue
            if not line[0].isspace():
                m = out_re.match(line)
                osec = m.group(1) if m else None
                continue
            if osec is None or osec.startswith(SKIP):
                continue
            m = fill_re.match(line)
            if m:
                rows.append((osec, '*fill*', int(m.group(2), 16),
                             'other', 'padding'))
                continue
            if line.startswith(' *') or line.startswith('  '):
                continue    # patterns, symbols, assignments
            m = in_re.match(line)
            if not m:
                continue
            if m.group(2) is None:
                pending = m.group(1)
            else:
                rows.append((osec, m.group(1), int(m.group(3), 16))
                            + origin(m.group(4).strip()))
    return rows


def kind(osec):
    if osec.startswith(NOBITS):
        return 'bss'
    if osec.startswith('.text') or osec in ('.init', '.fini', '.plt'):
        return 'text'
    if osec.startswith('.rodata') or osec.startswith('.data.rel.ro'):
        return 'rodata'
    if osec.startswith('.data') or osec.startswith('.tdata') \
            or osec.startswith('.init_array') \
            or osec.startswith('.fini_array') or osec.startswith('.got'):
        return 'data'
    return 'other'


def main():
    args = sys.argv[1:]
    top = 8
    if '--top' in args:
        i = args.index('--top')
        top = int(args[i + 1])
        del args[i:i + 2]
    if not args:
        sys.exit(__doc__)
    mapfile = args[0]
    tree = args[1] if len(args) > 1 else None
    folder = {}
    if tree:
        for d, _, files in os.walk(os.path.join(tree, 'src')):
            for n in files:
                if n.endswith('.c'):
                    folder[n[:-2] + '.o'] = os.path.relpath(
                        d, os.path.join(tree, 'src'))

    rows = parse(mapfile)
    groups = collections.OrderedDict(
        (g, collections.Counter()) for g in
        ('BearSSL', 'ours', 'musl libc', 'libgcc', 'other'))
    br_obj = collections.Counter()
    br_dir = collections.Counter()
    ours = collections.Counter()
    bss = collections.Counter()
    for osec, isec, size, group, member in rows:
        k = kind(osec)
        if k == 'bss':
            bss[group] += size
            continue
        groups.setdefault(group, collections.Counter())[k] += size
        if group == 'BearSSL':
            br_obj[member] += size
            br_dir[folder.get(member, '?')] += size
        elif group == 'ours':
            name = re.sub(r'^\.(text|rodata|data\.rel\.ro|data)(\.str1\.\d+'
                          r'|\.cst\d+)?\.?', '', isec) or isec
            ours['%s (%s)' % (name, k)] += size
    total = sum(sum(c.values()) for c in groups.values())
    if total == 0:
        sys.exit('%s: no sections found' % mapfile)
    print('size by origin (bytes in the file\'s sections, from %s):'
          % os.path.basename(mapfile))
    for g, c in groups.items():
        n = sum(c.values())
        if n == 0 and g not in ('BearSSL', 'ours'):
            continue
        parts = ', '.join('%s %d' % (k, c[k])
                          for k in ('text', 'rodata', 'data', 'other')
                          if c[k])
        print('  %-10s %7d  %5.1f%%  (%s)' % (g, n, 100.0 * n / total, parts))
    print('  %-10s %7d  (the file adds ELF headers and page alignment)'
          % ('total', total))
    if sum(bss.values()):
        print('  not in the file: .bss %d (%s)' % (
            sum(bss.values()),
            ', '.join('%s %d' % kv for kv in bss.most_common())))
    if br_dir and tree:
        print('  BearSSL by folder: ' + ', '.join(
            '%s %d' % kv for kv in br_dir.most_common()))
    if br_obj:
        print('  BearSSL largest: ' + ', '.join(
            '%s %d' % (m[:-2] if m and m.endswith('.o') else m, n)
            for m, n in br_obj.most_common(top)))
    if ours:
        print('  ours largest: ' + ', '.join(
            '%s %d' % kv for kv in ours.most_common(top)))


if __name__ == '__main__':
    main()
