#!/usr/bin/env bash
# pdb_types_pdbutil.test.sh - interoperability: for every struct/union definition in the fixture and
# real-world PDBs, lalscan's TPI reader must list the same members at the same offsets, and the same
# size, as llvm-pdbutil dump -types (an independent reader of the same files).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FIX=${FIX:-$ROOT/fixtures}
SHARED=${SHARED:-$(cd "$ROOT/.." && pwd)/shared}
BIN=$(dirname "${LALSCAN:-$ROOT/build/asan/lalscan}")/tests/test_pdb_types
PDBUTIL=$(command -v llvm-pdbutil || command -v llvm-pdbutil-14 || command -v llvm-pdbutil-19 || true)
if [ -z "$PDBUTIL" ]; then echo "not ok - llvm-pdbutil is not installed (Debian package llvm)"; exit 1; fi
if ! command -v python3 >/dev/null; then echo "not ok - python3 is not installed"; exit 1; fi
if [ ! -x "$BIN" ]; then echo "not ok - $BIN is not built (make BUILD=asan testbins)"; exit 1; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pdbs="$FIX/types/types-x86.pdb $FIX/types/types-x64.pdb"
for f in "$FIX"/drivers/bin/laldrv-x86-O2.pdb "$FIX"/drivers/bin/laldrv-x64-O2.pdb \
         "$SHARED"/realworld/drv-*/*.pdb "$SHARED"/realworld/um-msvc-seh-tests/*/*.pdb; do
    pdbs="$pdbs $f"
done
fail=0
for pdb in $pdbs; do
    name=${pdb#"$SHARED"/realworld/}; name=${name#"$FIX"/}
    if [ ! -f "$pdb" ]; then echo "not ok - $name: file missing"; fail=1; continue; fi
    "$PDBUTIL" dump -types "$pdb" > "$tmp/theirs" 2>&1 || { echo "not ok - $name: llvm-pdbutil failed"; fail=1; continue; }
    "$BIN" --dump "$pdb" > "$tmp/ours" 2>&1 || { echo "not ok - $name: test_pdb_types --dump failed: $(head -c 300 "$tmp/ours")"; fail=1; continue; }
    python3 - "$name" "$tmp/theirs" "$tmp/ours" <<'PY' || fail=1
import re, sys
name, theirs, ours = sys.argv[1:4]
recs, cur = {}, None
for line in open(theirs, errors='replace'):
    m = re.match(r'\s+0x([0-9A-F]+) \| (LF_\w+) \[size = \d+\](?: `(.*)`)?', line)
    if m:
        cur = {'kind': m.group(2), 'name': m.group(3), 'lines': []}
        recs[int(m.group(1), 16)] = cur
    elif cur is not None:
        cur['lines'].append(line)
want = {}
for ti, r in recs.items():
    if r['kind'] not in ('LF_STRUCTURE', 'LF_CLASS', 'LF_UNION', 'LF_INTERFACE'):
        continue
    txt = ''.join(r['lines'])
    if 'forward ref' in txt:
        continue
    fl = re.search(r'field list: (0x[0-9A-F]+|<no type>)', txt).group(1)
    size = int(re.search(r'sizeof (\d+)', txt).group(1))
    mem, f, hops = [], (int(fl, 16) if fl != '<no type>' else None), 0
    while f and hops < 1000:
        nxt, hops = None, hops + 1
        lines = recs[f]['lines']
        for i, l in enumerate(lines):
            mm = re.search(r'- LF_MEMBER \[name = `(.*?)`, Type = .*?, offset = (\d+)', l)
            if mm:
                mem.append((mm.group(1), int(mm.group(2))))
            if '- LF_BCLASS' in l and i + 1 < len(lines):
                mb = re.search(r'offset = (\d+)', lines[i + 1])
                mem.append(('<base>', int(mb.group(1))))
            mi = re.search(r'- LF_INDEX continuation = (0x[0-9A-F]+)', l)
            if mi:
                nxt = int(mi.group(1), 16)
        f = nxt
    if fl == '<no type>':
        continue
    want[ti] = (r['name'], size, mem)
got, cur, errs = {}, None, []
for line in open(ours, errors='replace'):
    line = line.rstrip('\n')
    if line.startswith('T '):
        _, ti, rest = line.split(' ', 2)
        tname, size = rest.rsplit(' ', 1)
        cur = int(ti, 16)
        got[cur] = (tname, int(size), [])
    elif line.startswith('M ') and cur is not None:
        mname, off = line[2:].rsplit(' ', 1)
        got[cur][2].append((mname, int(off)))
    elif line.startswith('E '):
        errs.append(line[2:])
bad = [ti for ti in want if got.get(ti) != want[ti]]
nmem = sum(len(v[2]) for v in want.values())
if bad or errs:
    ti = bad[0] if bad else None
    why = ('0x%X %s: llvm-pdbutil %s, lalscan %s' % (ti, want[ti][0], want[ti][1:], got.get(ti, ('-',))[1:])) if bad else errs[0]
    print('not ok - %s: %d of %d structures differ from llvm-pdbutil, %d errors; first: %s' % (name, len(bad), len(want), len(errs), why[:600]))
    sys.exit(1)
print('ok - %s: %d structures, %d members: sizes and offsets agree with llvm-pdbutil' % (name, len(want), nmem))
PY
done
exit $fail
