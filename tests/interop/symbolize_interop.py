#!/usr/bin/env python3
# symbolize_interop.py - compares `lalscan symbolize --json` with llvm-symbolizer on every line-table
# row, procedure start and inline-site address that llvm-pdbutil lists for each image's PDB.
"""Usage: symbolize_interop.py LALSCAN NAME=IMAGE=PDB...

Prints one "ok - ..." line per (image, category) and "not ok - ..." for unexplained differences.
Address lists come from `llvm-pdbutil dump -l -symbols -modules`, never from lalscan.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

CATEGORIES = ('line rows', 'function starts', 'inline sites')
BATCH = 4000            # addresses per llvm-symbolizer process
SHOW = 5                # differences listed per "not ok" line
# llvm-symbolizer's crash handler would otherwise run a symbolizer on its own stack each time
QUIET_CRASH = dict(os.environ, LLVM_DISABLE_SYMBOLIZATION='1')
PROC_KINDS = ('S_GPROC32', 'S_LPROC32', 'S_GPROC32_ID', 'S_LPROC32_ID', 'S_LPROC32_DPC', 'S_LPROC32_DPC_ID')


def run(args, inp=None, check=True):
    p = subprocess.run(args, input=inp, capture_output=True, text=True, errors='replace')
    if check and p.returncode != 0:
        raise RuntimeError('%s: exit %d: %s' % (' '.join(args[:3]), p.returncode, p.stderr.strip()[:300]))
    return p


# ---------------------------------------------------------------------------------------------
# What the PDB says, read through llvm-pdbutil (independent of lalscan)
# ---------------------------------------------------------------------------------------------

class PdbFacts:
    def __init__(self):
        self.addrs = {c: set() for c in CATEGORIES}
        self.procs = []          # (start VA, end VA, name)
        self.cross_sites = []    # (start VA, end VA) ranges of inline sites whose inlinee has bit 31 set
        self.site_ranges = []    # (start VA, end VA, inlinee) of every inline-site range
        self.line_blocks = []    # (start VA, end VA, [(VA, line)...]) from the C13 line tables


def image_layout(image):
    """Preferred ImageBase and section RVAs (1-based section numbers as in the PDB)."""
    hdr = run(['llvm-readobj', '--file-headers', '--sections', image]).stdout
    base = int(re.search(r'ImageBase: (0x[0-9A-Fa-f]+)', hdr).group(1), 16)
    secs = [int(v, 16) for v in re.findall(r'VirtualAddress: (0x[0-9A-Fa-f]+)', hdr)]
    return base, secs


def pdb_facts(pdb, image):
    base, secs = image_layout(image)
    facts = PdbFacts()
    facts.base = base

    def va(sec, off):
        if sec < 1 or sec > len(secs):
            return None
        return base + secs[sec - 1] + off

    out = run(['llvm-pdbutil', 'dump', '-l', '-symbols', '-modules', pdb]).stdout.splitlines()
    rec_re = re.compile(r'^\s*\d+ \| (S_\w+) \[size = \d+\](?: `(.*)`)?')
    blk_re = re.compile(r'^\s+([0-9A-F]{4}):([0-9A-F]{8})-([0-9A-F]{8}), line/addr entries = \d+')
    row_re = re.compile(r'(\d+) ([0-9A-F]{8})')
    proc_re = re.compile(r'addr = (\d+):(\d+), code size = (\d+)')
    code_re = re.compile(r'code end (0x[0-9A-F]+)|code (0x[0-9A-F]+)')
    i, n = 0, len(out)
    proc_start = None
    while i < n:
        ln = out[i]
        m = blk_re.match(ln)
        if m:      # a C13 line block: rows follow until a blank line; offsets are section offsets
            sec = int(m.group(1), 16)
            lo, hi = va(sec, int(m.group(2), 16)), va(sec, int(m.group(3), 16))
            rows = []
            i += 1
            while i < n and out[i].strip():
                for r in row_re.finditer(out[i]):
                    a = va(sec, int(r.group(2), 16))
                    if a is not None:
                        facts.addrs['line rows'].add(a)
                        rows.append((a, int(r.group(1))))
                i += 1
            if lo is not None and rows:
                facts.line_blocks.append((lo, hi, sorted(rows)))
            continue
        m = rec_re.match(ln)
        if m and m.group(1) in PROC_KINDS and i + 1 < n:
            p = proc_re.search(out[i + 1])
            if p:
                a = va(int(p.group(1)), int(p.group(2)))
                if a is not None:
                    proc_start = a
                    facts.procs.append((a, a + int(p.group(3)), m.group(2)))
                    facts.addrs['function starts'].add(a)
        elif m and m.group(1) == 'S_INLINESITE' and i + 1 < n and proc_start is not None:
            inl = re.search(r'inlinee = (0x[0-9A-F]+)', out[i + 1])
            inlinee = int(inl.group(1), 16) if inl else 0
            # annotation lines follow until the next record; offsets are from the procedure start
            ranges, cur = [], None
            j = i + 2
            while j < n and not rec_re.match(out[j]) and not out[j].startswith('Mod '):
                for c in code_re.finditer(out[j]):
                    if c.group(2):                       # a new range starts here
                        if cur is not None and cur[1] is None:
                            cur[1] = int(c.group(2), 16)
                        cur = [int(c.group(2), 16), None]
                        ranges.append(cur)
                    elif cur is not None:
                        cur[1] = int(c.group(1), 16)
                j += 1
            for lo, hi in ranges:
                s = proc_start + lo
                pts = {s} if hi is None or hi <= lo else {s, s + (hi - lo) // 2, proc_start + hi - 1}
                facts.addrs['inline sites'] |= pts
                if hi is not None and hi > lo:
                    facts.site_ranges.append((s, proc_start + hi, inlinee))
                    if inlinee & 0x80000000:
                        facts.cross_sites.append((s, proc_start + hi))
            i = j
            continue
        i += 1
    facts.procs.sort()
    return facts


def table_line(facts, a):
    """The line the C13 line table gives for a: the last row at or below a in its block."""
    for lo, hi, rows in facts.line_blocks:
        if lo <= a <= hi:
            cands = [ln for va, ln in rows if va <= a]
            if cands:
                return cands[-1]
    return None


def containing_proc(facts, a):
    best = None
    for s, e, name in facts.procs:
        if s <= a < max(e, s + 1):
            if best is None or s >= best[0]:
                best = (s, e, name)
    return best


# ---------------------------------------------------------------------------------------------
# llvm-symbolizer, batched, surviving crashes
# ---------------------------------------------------------------------------------------------

def staging_dir(image, pdb, tmp):
    """A directory where the image sits next to its PDB under the exact name its RSDS record
    gives. llvm-symbolizer 14 has no option to name the PDB: it tries the recorded path and then
    that base name beside the image, case-sensitively (pdb-format.md B.6)."""
    dbg = run(['llvm-readobj', '--coff-debug-directory', image]).stdout
    m = re.search(r'PDBFileName: (.*)', dbg)
    rec = m.group(1).strip() if m else os.path.basename(pdb)
    base = re.split(r'[\\/]', rec)[-1]
    d = tempfile.mkdtemp(dir=tmp)
    os.symlink(os.path.abspath(image), os.path.join(d, os.path.basename(image)))
    if not os.path.exists(os.path.join(d, base)):
        os.symlink(os.path.abspath(pdb), os.path.join(d, base))
    return os.path.join(d, os.path.basename(image)), base


def llvm_batch(obj, addrs):
    """Returns (results, crashed): results[k] is the parsed JSON for addrs[k] for the addresses
    answered before any crash. llvm-symbolizer flushes each answer, so after a crash the answers
    it printed are complete and belong to the first addresses of the batch."""
    p = subprocess.run(['llvm-symbolizer', '--obj=' + obj, '--inlines', '--output-style=JSON'],
                       input=''.join('0x%x\n' % a for a in addrs), capture_output=True, text=True,
                       errors='replace', env=QUIET_CRASH)
    res = []
    for ln in p.stdout.splitlines():
        try:
            res.append(json.loads(ln))
        except ValueError:
            break
    ok = [r for r, a in zip(res, addrs) if int(r.get('Address', '0x0'), 16) == a]
    if len(ok) != len(res):           # answers not in input order: trust none of them
        ok = []
    return ok[:len(addrs)], p.returncode != 0


def llvm_symbolize(obj, addrs):
    """Maps address -> list of (function, file, line) innermost first, or None for addresses
    that make llvm-symbolizer crash (isolated: each is confirmed to crash when run alone)."""
    out = {}

    def one_batch(chunk):
        got, todo = {}, list(chunk)
        while todo:
            res, crashed = llvm_batch(obj, todo)
            for a, r in zip(todo, res):
                got[a] = r
            if not crashed and len(res) == len(todo):
                break
            if len(res) < len(todo):
                suspect = todo[len(res)]
                alone, crashed_alone = llvm_batch(obj, [suspect])
                got[suspect] = alone[0] if alone and not crashed_alone else None
                todo = todo[len(res) + 1:]
            else:
                break
        return got

    chunks = [addrs[k:k + BATCH] for k in range(0, len(addrs), BATCH)]
    with ThreadPoolExecutor(max_workers=2) as ex:
        for got in ex.map(one_batch, chunks):
            out.update(got)
    frames = {}
    for a, r in out.items():
        if r is None:
            frames[a] = None
        elif 'Error' in r:
            frames[a] = 'error: ' + r['Error'].get('Message', '?')
        else:
            frames[a] = [(s.get('FunctionName', '??'), s.get('FileName', '??'), s.get('Line', 0))
                         for s in r.get('Symbol', [])]
    return frames


# ---------------------------------------------------------------------------------------------
# lalscan
# ---------------------------------------------------------------------------------------------

def lalscan_symbolize(lalscan, image, pdb, addrs):
    p = subprocess.run([lalscan, 'symbolize', '--json', '--image', image, '--pdb', pdb],
                       input=''.join('0x%x\n' % a for a in addrs), capture_output=True, text=True,
                       errors='replace')
    res, bad = {}, []
    for ln in p.stdout.splitlines():
        try:
            o = json.loads(ln)
            res[int(o['address'], 16)] = o
        except (ValueError, KeyError, TypeError):
            bad.append(ln[:120])
    return res, p.returncode, p.stderr.strip().splitlines()[-3:], bad


def lal_frames(o):
    fr = o.get('frames') or []
    return [(f.get('symbol') or '??', f.get('file') or '??', f.get('line') or 0) for f in fr]


# ---------------------------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------------------------

def norm_frames(frames):
    """Only truly equivalent spellings are folded:
    - llvm-symbolizer prints "??" for an unknown function or file and 0 for an unknown line;
      lalscan gives null/absent. Both map to ("??", "??", 0) above.
    Nothing else is normalized: file names are compared byte for byte as recorded in the PDB
    (case and separators included), since both tools read the same string."""
    return [(f, fi, int(l)) for f, fi, l in frames]


def fmt(frames):
    if frames is None:
        return 'crash'
    if isinstance(frames, str):
        return frames
    return ' <- '.join('%s %s:%d' % (f, fi.split('\\')[-1].split('/')[-1], l) for f, fi, l in frames) or '(none)'


def in_ranges(a, ranges):
    return any(s <= a < e for s, e in ranges)


def compare_one(a, ll, lf, facts):
    """Returns ('agree'|'known:<reason>'|'differ', note)."""
    if ll is None:
        # no oracle: llvm-symbolizer crashed here. lalscan must name the procedure that contains
        # the address according to llvm-pdbutil's procedure ranges.
        # no oracle: llvm-symbolizer crashed here. lalscan must name the procedure that contains
        # the address (llvm-pdbutil's procedure ranges) with the line its line table gives.
        p, tl = containing_proc(facts, a), table_line(facts, a)
        if lf and p and lf[-1][0] == p[2] and (tl is None or lf[-1][2] == tl):
            return 'known:no oracle (llvm-symbolizer crashes; lalscan names the containing procedure and table line)', ''
        return 'differ', 'llvm-symbolizer crashed; lalscan %s, llvm-pdbutil procedure %s line %s' % (
            fmt(lf), p[2] if p else 'none', tl)
    if isinstance(ll, str):
        return 'differ', 'llvm-symbolizer %s' % ll
    ll, lf = norm_frames(ll), norm_frames(lf)
    if ll == lf:
        return 'agree', ''
    # llvm-symbolizer silently drops inline frames whose inlinee is a cross-module id (bit 31,
    # pdb-format.md 5.5): it walks the frames innermost first and stops at the first one whose
    # inlinee lines it cannot find, so the frames it prints are the outer end of lalscan's chain.
    # Accept only inside a cross-module inline site and when the frames it does print agree exactly.
    if facts.cross_sites and in_ranges(a, facts.cross_sites) and len(lf) > len(ll) and ll == lf[len(lf) - len(ll):]:
        return 'known:llvm-symbolizer drops cross-module inline frames (pdb-format.md 5.5)', ''
    return 'differ', 'llvm %s | lalscan %s' % (fmt(ll), fmt(lf))


HEX64 = re.compile(r'^0x(0|[1-9a-f][0-9a-f]*)$')


def contract_problem(a, o, facts):
    """Checks one lalscan JSON object against the symbolize contract (DESIGN.md): 64-bit values
    as lower-case "0x" strings without leading zeros, lines as numbers, rva = address - ImageBase,
    symbol = the outermost frame, displacement from the containing procedure's start."""
    for k in ('address', 'rva', 'displacement'):
        if not isinstance(o.get(k), str) or not HEX64.match(o[k]):
            return '%s is %r' % (k, o.get(k))
    if int(o['rva'], 16) != a - facts.base:
        return 'rva %s, expected 0x%x' % (o['rva'], a - facts.base)
    fr = o.get('frames')
    if not isinstance(fr, list) or not fr:
        return 'no frames'
    for f in fr:
        if not isinstance(f.get('line'), int) and f.get('line') is not None:
            return 'line is %r' % f.get('line')
    if o.get('symbol') != fr[-1].get('symbol'):
        return 'symbol %r but outermost frame %r' % (o.get('symbol'), fr[-1].get('symbol'))
    p = containing_proc(facts, a)
    if p and o.get('symbol') == p[2] and int(o['displacement'], 16) != a - p[0]:
        return 'displacement %s, expected 0x%x from %s' % (o['displacement'], a - p[0], p[2])
    return None


def check_image(lalscan, name, image, pdb, tmp):
    lines = []
    facts = pdb_facts(pdb, image)
    every = sorted(set().union(*facts.addrs.values()))
    obj, recorded = staging_dir(image, pdb, tmp)
    ll = llvm_symbolize(obj, every)
    # The fixture whose PDB name differs in case: show llvm-symbolizer's own lookup failing.
    if os.path.basename(pdb) != recorded and os.path.basename(pdb).lower() == recorded.lower():
        res, _ = llvm_batch(image, every[:1])
        failed = bool(res) and ('Error' in res[0] or all(s.get('FunctionName') == '??' for s in res[0].get('Symbol', [])))
        lines.append(('ok' if failed else 'not ok') +
                     ' - %s: llvm-symbolizer alone does not find %s (on disk %s): known oracle limit, '
                     'compared through a link with the recorded name' % (name, recorded, os.path.basename(pdb)))
    lal, rc, err, bad = lalscan_symbolize(lalscan, image, pdb, every)
    if rc not in (0, 1) or bad or not lal:
        lines.append('not ok - %s: lalscan symbolize exit %d, %d answers for %d addresses%s%s' % (
            name, rc, len(lal), len(every), '; stderr: ' + ' / '.join(err) if err else '',
            '; unparsable: ' + bad[0] if bad else ''))
    bad_contract = [(a, contract_problem(a, o, facts)) for a, o in sorted(lal.items())]
    bad_contract = [(a, w) for a, w in bad_contract if w]
    if lal:
        if bad_contract:
            lines.append('not ok - %s json contract: %d/%d objects wrong, first: %s' % (
                name, len(bad_contract), len(lal), ' || '.join('0x%x: %s' % x for x in bad_contract[:SHOW])))
        else:
            lines.append('ok - %s json contract: %d/%d objects (rva, symbol, displacement, value forms)' % (
                name, len(lal), len(lal)))
    for cat in CATEGORIES:
        addrs = sorted(facts.addrs[cat])
        if not addrs:
            lines.append('ok - %s %s: none in this PDB' % (name, cat))
            continue
        agree, known, diffs = 0, {}, []
        for a in addrs:
            if a not in lal:
                diffs.append('0x%x: lalscan gave no answer (llvm %s)' % (a, fmt(ll.get(a))))
                continue
            verdict, note = compare_one(a, ll.get(a), lal_frames(lal[a]), facts)
            if verdict == 'agree':
                agree += 1
            elif verdict.startswith('known:'):
                known[verdict[6:]] = known.get(verdict[6:], 0) + 1
            else:
                diffs.append('0x%x: %s' % (a, note))
        kn = sum(known.values())
        detail = ''.join('; %d %s' % (v, k) for k, v in sorted(known.items()))
        if diffs:
            lines.append('not ok - %s %s: %d/%d agree, %d known differences%s, %d unexplained, first: %s' % (
                name, cat, agree, len(addrs), kn, detail, len(diffs), ' || '.join(diffs[:SHOW])))
        else:
            lines.append('ok - %s %s: %d/%d agree, %d known differences%s' % (name, cat, agree, len(addrs), kn, detail))
    return lines


def main(argv):
    if len(argv) < 3:
        print('not ok - symbolize_interop.py: usage: LALSCAN NAME=IMAGE=PDB...')
        return 2
    lalscan = argv[1]
    todo = []
    for spec in argv[2:]:
        name, image, pdb = spec.split('=', 2)
        if not (os.path.isfile(image) and os.path.isfile(pdb)):
            print('not ok - %s: missing input %s or %s' % (name, image, pdb))
            continue
        todo.append((name, image, pdb))
    with tempfile.TemporaryDirectory() as tmp:
        with ThreadPoolExecutor(max_workers=2) as ex:
            futs = [ex.submit(check_image, lalscan, n, i, p, tmp) for n, i, p in todo]
            for (n, _, _), f in zip(todo, futs):
                try:
                    for ln in f.result():
                        print(ln, flush=True)
                except Exception as e:     # a broken tool run must show up as a failure, not vanish
                    print('not ok - %s: %s' % (n, e), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
