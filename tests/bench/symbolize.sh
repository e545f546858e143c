#!/usr/bin/env bash
# symbolize.sh - benchmark: lalscan symbolize vs llvm-symbolizer on 100,000 random .text addresses,
# and the cost of opening a PDB to resolve one address for PDBs of growing size. Figures only.
# Usage: tests/bench/symbolize.sh [LALSCAN] (default: build/rel/lalscan, then $LALSCAN_REL).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${SHARED:-$(cd "$ROOT/.." && pwd)/shared}
LAL=${1:-${LALSCAN_REL:-$ROOT/build/rel/lalscan}}
N=${N:-100000}
for tool in llvm-symbolizer llvm-readobj python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool not installed" >&2; exit 2; }
done
[ -x "$LAL" ] || { echo "bench: lalscan not built: $LAL (make)" >&2; exit 2; }
export LAL N SHARED
export LLVM_DISABLE_SYMBOLIZATION=1   # llvm-symbolizer's crash handler would symbolize its own stack
exec python3 - <<'PY'
import os, random, re, subprocess, tempfile, time

LAL, N, R = os.environ['LAL'], int(os.environ['N']), os.environ['SHARED'] + '/realworld'


def text_range(image):
    out = subprocess.run(['llvm-readobj', '--file-headers', '--sections', image], capture_output=True, text=True).stdout
    base = int(re.search(r'ImageBase: (0x[0-9A-Fa-f]+)', out).group(1), 16)
    for sec in out.split('Section {')[1:]:
        if re.search(r'Name: \.text\b', sec):
            va = int(re.search(r'VirtualAddress: (0x[0-9A-Fa-f]+)', sec).group(1), 16)
            size = int(re.search(r'VirtualSize: (0x[0-9A-Fa-f]+)', sec).group(1), 16)
            return base + va, base + va + size
    raise SystemExit('no .text in ' + image)


def staged(image, pdb, tmp):
    # llvm-symbolizer finds the PDB only under the name the image records (case-sensitive)
    dbg = subprocess.run(['llvm-readobj', '--coff-debug-directory', image], capture_output=True, text=True).stdout
    rec = re.split(r'[\\/]', re.search(r'PDBFileName: (.*)', dbg).group(1).strip())[-1]
    d = tempfile.mkdtemp(dir=tmp)
    os.symlink(os.path.abspath(image), os.path.join(d, os.path.basename(image)))
    if not os.path.exists(os.path.join(d, rec)):
        os.symlink(os.path.abspath(pdb), os.path.join(d, rec))
    return os.path.join(d, os.path.basename(image))


def time_llvm(obj, addrs):
    """Total time; after a crash, restarts after the crashing address (answers are flushed one by one)."""
    t, crashes, todo = 0.0, 0, addrs
    while todo:
        t0 = time.perf_counter()
        p = subprocess.run(['llvm-symbolizer', '--obj=' + obj, '--output-style=JSON'],
                           input=''.join('0x%x\n' % a for a in todo), capture_output=True, text=True)
        t += time.perf_counter() - t0
        if p.returncode == 0:
            break
        crashes += 1
        todo = todo[len(p.stdout.splitlines()) + 1:]
    return t, crashes


def time_lal(image, pdb, addrs, args=()):
    t0 = time.perf_counter()
    p = subprocess.run([LAL, 'symbolize', '--json', '--image', image, '--pdb', pdb, *args],
                       input=''.join('0x%x\n' % a for a in addrs) if not args else None,
                       capture_output=True, text=True)
    t = time.perf_counter() - t0
    return t, p.returncode, len(p.stdout.splitlines())


with tempfile.TemporaryDirectory() as tmp:
    print('== %d random .text addresses, one process each (seed 1)' % N)
    print('%-28s %12s %12s %8s  %s' % ('image', 'lalscan s', 'llvm s', 'llvm/lal', 'notes'))
    for label, image, pdb in (
            ('usermode.exe', R + '/drv-wfp-driverproject-x64/usermode.exe', R + '/drv-wfp-driverproject-x64/usermode.pdb'),
            ('systeminformer.sys', R + '/drv-systeminformer-amd64/systeminformer.sys', R + '/drv-systeminformer-amd64/systeminformer.pdb')):
        lo, hi = text_range(image)
        rnd = random.Random(1)
        addrs = [rnd.randrange(lo, hi) for _ in range(N)]
        obj = staged(image, pdb, tmp)
        # untimed first pass: drop the addresses llvm-symbolizer crashes on, so both tools get
        # the same set and llvm-symbolizer's time is not inflated by restarts
        bad, todo = set(), addrs
        while todo:
            p = subprocess.run(['llvm-symbolizer', '--obj=' + obj, '--output-style=JSON'],
                               input=''.join('0x%x\n' % a for a in todo), capture_output=True, text=True)
            if p.returncode == 0:
                break
            k = len(p.stdout.splitlines())
            bad.add(todo[k])
            todo = todo[k + 1:]
        addrs = [a for a in addrs if a not in bad]
        tl, rc, nout = time_lal(image, pdb, addrs)
        tv, crashes = time_llvm(obj, addrs)
        print('%-28s %12.3f %12.3f %8.2f  %d addresses (%d dropped: llvm-symbolizer crashes); lalscan exit %d, %d answers'
              % (label, tl, tv, tv / tl if tl else 0, len(addrs), N - len(addrs), rc, nout))

    print('\n== open the PDB and resolve one address (first .text byte), best of 5 runs')
    print('%-52s %10s %12s %12s' % ('pdb', 'bytes', 'lalscan ms', 'llvm ms'))
    pdbs = []
    for d, _, files in os.walk(R):
        for f in files:
            if f.endswith('.pdb'):
                base = f[:-4]
                img = next((os.path.join(d, base + e) for e in ('.sys', '.exe', '.dll') if os.path.exists(os.path.join(d, base + e))), None)
                if img:
                    pdbs.append((os.path.getsize(os.path.join(d, f)), os.path.join(d, f), img))
    for size, pdb, image in sorted(pdbs):
        lo, _ = text_range(image)
        obj = staged(image, pdb, tmp)
        tl = min(time_lal(image, pdb, [], args=('0x%x' % lo,))[0] for _ in range(5))
        tv = min(time_llvm(obj, [lo])[0] for _ in range(5))
        print('%-52s %10d %12.1f %12.1f' % (os.path.relpath(pdb, R), size, tl * 1e3, tv * 1e3))
PY
