#!/usr/bin/python3
"""JSONTestSuite conformance of the extractor, through build/cs-extract.

Every file of ${JSONTESTSUITE:-../shared/JSONTestSuite/test_parsing}
(relative to the repository root) is one message (FILE... mode: some files
hold raw newlines, so never NDJSON). Each file is read four ways: whole,
--chunk 1, --chunk random:1, --chunk random:2.

  y_  must be accepted: {} on an object top value, CS_E_JSON_NOT_OBJECT
      on any other top value (checked against Python's json)
  n_  must be rejected with an error other than CS_E_JSON_NOT_OBJECT
  i_  implementation-defined: any verdict, but no crash or hang
  all the same output line (verdict and error offset) in all four ways,
      no crash, no hang (5 s per file)

Files are run many per invocation; if an invocation crashes, hangs or
prints the wrong number of lines, its files are rerun one by one under a
5 s timeout to name the culprit. The i_ verdicts are printed as a table.
CS_BUILD (default build) names the build folder.
"""
import glob
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
EXE = os.path.join(ROOT, os.environ.get('CS_BUILD', 'build'), 'cs-extract')
SUITE = os.environ.get('JSONTESTSUITE', '../shared/JSONTestSuite/test_parsing')
if not os.path.isabs(SUITE):
    SUITE = os.path.normpath(os.path.join(ROOT, SUITE))
TIMEOUT = 5.0
MODES = [('whole', []), ('chunk1', ['--chunk', '1']),
         ('random1', ['--chunk', 'random:1']),
         ('random2', ['--chunk', 'random:2'])]


def run_one(args, path):
    """The output line for one file, or a string starting with '!' that
    says how the run failed."""
    try:
        p = subprocess.run([EXE] + args + ['--', path],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return '!hang (> %g s)' % TIMEOUT
    if p.returncode < 0:
        return '!crash (signal %d)' % -p.returncode
    lines = p.stdout.split(b'\n')
    if p.returncode != 0 or len(lines) != 2 or lines[1] != b'':
        return '!exit %d, output %r, stderr %r' % (p.returncode,
                                                  p.stdout[:200],
                                                  p.stderr[:200])
    return lines[0].decode('utf-8', 'replace')


def run_mode(args, paths):
    """Output line per file: in batches, falling back to one by one."""
    out = {}
    batch = 40
    for i in range(0, len(paths), batch):
        part = paths[i:i + batch]
        try:
            p = subprocess.run([EXE] + args + ['--'] + part,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=TIMEOUT * 4)
            lines = p.stdout.split(b'\n')
            fine = p.returncode == 0 and len(lines) == len(part) + 1 \
                and lines[-1] == b''
        except subprocess.TimeoutExpired:
            fine = False
        if fine:
            for path, line in zip(part, lines):
                out[path] = line.decode('utf-8', 'replace')
        else:
            for path in part:
                out[path] = run_one(args, path)
    return out


def verdict(line):
    """'ok', an error name, or the '!' failure itself."""
    if line.startswith('!'):
        return line
    try:
        d = json.loads(line)
    except ValueError:
        return '!not JSON: %r' % line[:100]
    if not isinstance(d, dict):
        return '!not an object: %r' % line[:100]
    if 'error' in d:
        return str(d['error'])
    return 'ok'


def python_top_is_object(path):
    """True/False for the top value of a y_ file, None if Python can't
    tell."""
    try:
        with open(path, 'rb') as f:
            return isinstance(json.loads(f.read().decode('utf-8')), dict)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


def main():
    if not os.path.isdir(SUITE):
        print('SKIPPED: JSONTestSuite not found at %s' % SUITE)
        print('0 passed, 0 failed, 1 skipped')
        return 0
    if not os.access(EXE, os.X_OK):
        print('FAIL: %s not found (run make first)' % EXE)
        print('0 passed, 1 failed')
        return 1
    paths = sorted(glob.glob(os.path.join(SUITE, '*.json')))
    if not paths:
        print('FAIL: no .json files in %s' % SUITE)
        print('0 passed, 1 failed')
        return 1
    results = {name: run_mode(args, paths) for name, args in MODES}
    passed = failed = 0
    counts = {'y': 0, 'n': 0, 'i': 0}
    i_rows = []

    def fail(msg):
        nonlocal failed
        failed += 1
        print('FAIL ' + msg)

    for path in paths:
        base = os.path.basename(path)
        cls = base[0]
        counts[cls] = counts.get(cls, 0) + 1
        lines = {m: results[m][path] for m, _ in MODES}
        for mode, _ in MODES:
            v = verdict(lines[mode])
            where = '%s [%s]' % (base, mode)
            if v.startswith('!'):
                fail('%s: %s' % (where, v[1:]))
            elif cls == 'y':
                top = python_top_is_object(path)
                want = {True: ['ok'], False: ['CS_E_JSON_NOT_OBJECT'],
                        None: ['ok', 'CS_E_JSON_NOT_OBJECT']}[top]
                if v in want:
                    passed += 1
                else:
                    fail('%s: must be accepted (%s), got %s' % (
                        where, ' or '.join(want), lines[mode]))
            elif cls == 'n':
                if v not in ('ok', 'CS_E_JSON_NOT_OBJECT'):
                    passed += 1
                else:
                    fail('%s: must be rejected, got %s' % (where,
                                                           lines[mode]))
            else:
                passed += 1
        distinct = sorted(set(lines.values()))
        if len(distinct) == 1:
            passed += 1
        else:
            fail('%s: output depends on chunking: %s' % (base, '; '.join(
                '%s=%s' % (m, lines[m]) for m, _ in MODES)))
        if cls == 'i':
            i_rows.append((base[2:-5], verdict(lines['whole'])))

    print('JSONTestSuite at %s: %d y_, %d n_, %d i_ files, %d ways each' % (
        SUITE, counts['y'], counts['n'], counts['i'], len(MODES)))
    print('i_ verdicts (whole file; the chunked runs agree unless a FAIL '
          'above says otherwise):')

    def word(v):
        if v == 'ok':
            return 'accept'
        if v == 'CS_E_JSON_NOT_OBJECT':
            return 'accept'           # valid JSON, the top is not {}
        if v.startswith('!'):
            return 'FAIL'
        return 'reject ' + v.replace('CS_E_JSON_', '')
    cells = ['%-44s %s' % (n[:44], word(v)) for n, v in i_rows]
    half = (len(cells) + 1) // 2
    for a, b in zip(cells[:half], cells[half:] + ['']):
        print('  %-58s %s' % (a, b))
    acc = sum(1 for _, v in i_rows if word(v) == 'accept')
    print('  (%d accepted, %d rejected)' % (acc, len(i_rows) - acc))
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
