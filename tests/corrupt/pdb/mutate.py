#!/usr/bin/env python3
# mutate.py SRC.pdb OUTDIR - writes damaged copies of a real PDB for the corrupt-input suite and
# a manifest (name, expectation): "fail" = must end in a clear error and non-zero exit,
# "nocrash" = may succeed or fail, but never crash or hang. Parses MSF on its own (no lalscan code).
import os, random, struct, sys

src, out = sys.argv[1], sys.argv[2]
data = bytearray(open(src, 'rb').read())
bs, nblocks, dirsize = struct.unpack_from('<I4xII', data, 0x20)
u32 = lambda b, o: struct.unpack_from('<I', b, o)[0]
ndir = (dirsize + bs - 1) // bs
mapblk = u32(data, 0x34)
dirblocks = [u32(data, mapblk * bs + 4 * i) for i in range(ndir)]
directory = b''.join(bytes(data[b * bs:(b + 1) * bs]) for b in dirblocks)[:dirsize]
nstreams = u32(directory, 0)
sizes = [u32(directory, 4 + 4 * i) for i in range(nstreams)]
blocks, w = [], 1 + nstreams
for sz in sizes:
    n = 0 if sz == 0xFFFFFFFF else (sz + bs - 1) // bs
    blocks.append([u32(directory, 4 * (w + i)) for i in range(n)]); w += n

def dir_off(word):  # file offset of directory word `word`
    return dirblocks[word * 4 // bs] * bs + word * 4 % bs

def stream_off(s, pos):  # file offset of byte `pos` of stream s
    return blocks[s][pos // bs] * bs + pos % bs

def stream_bytes(s):
    return b''.join(bytes(data[b * bs:(b + 1) * bs]) for b in blocks[s])[:sizes[s]]

def put32(buf, off, v):
    struct.pack_into('<I', buf, off, v & 0xFFFFFFFF)

def put_stream32(buf, s, pos, v):
    for i, byte in enumerate(struct.pack('<I', v & 0xFFFFFFFF)):
        buf[stream_off(s, pos + i)] = byte

def put_stream16(buf, s, pos, v):
    for i, byte in enumerate(struct.pack('<H', v & 0xFFFF)):
        buf[stream_off(s, pos + i)] = byte

cases = []
def case(name, expect, buf):
    open(os.path.join(out, name + '.pdb'), 'wb').write(bytes(buf))
    cases.append((name, expect))

def patched(off, v):
    b = bytearray(data); put32(b, off, v); return b

os.makedirs(out, exist_ok=True)
b = bytearray(data); b[0] ^= 0xFF; case('bad-magic', 'fail', b)
for v in (0, 3, 256, 1 << 20, 0x80000000):
    case('block-size-%d' % v, 'fail', patched(0x20, v))
case('block-count-0', 'fail', patched(0x28, 0))
case('block-count-huge', 'fail', patched(0x28, 0xFFFFFFFF))
case('dir-size-0', 'fail', patched(0x2C, 0))
case('dir-size-huge', 'fail', patched(0x2C, 0xFFFFFFF0))
case('dir-size-3', 'fail', patched(0x2C, 3))
case('block-map-past-end', 'fail', patched(0x34, nblocks + 5))
case('block-map-is-superblock', 'fail', patched(0x34, 0))
case('dir-block-past-end', 'fail', patched(mapblk * bs, 0xFFFFFFFF))
case('dir-loop-to-map', 'fail', patched(mapblk * bs, mapblk))
if ndir > 1:
    case('dir-loop-repeat', 'fail', patched(mapblk * bs + 4, dirblocks[0]))
case('stream-count-huge', 'fail', patched(dir_off(0), 0xFFFFFFFF))
case('stream-count-dir-sized', 'fail', patched(dir_off(0), dirsize // 4))
case('dbi-size-huge', 'fail', patched(dir_off(1 + 3), 0x7FFFFFFF))
case('dbi-size-past-file', 'fail', patched(dir_off(1 + 3), (nblocks + 1) * bs))
w = 1 + nstreams + sum(len(x) for x in blocks[:3])
case('dbi-block-past-end', 'fail', patched(dir_off(w), nblocks + 100))
case('dbi-block-is-superblock', 'fail', patched(dir_off(w), 0))
case('dbi-block-shared-with-dir', 'fail', patched(dir_off(w), dirblocks[0]))
size = len(data)
for cut in sorted({0, 0x10, 0x33, 0x36, bs - 1, bs, bs + 1, 2 * bs, 3 * bs + 7, size // 4,
                   size // 2, 3 * size // 4, size - bs, size - 1}):
    case('truncated-at-%#x' % cut, 'fail', data[:cut])

# DBI header and substreams
dbi = stream_bytes(3)
b = bytearray(data); put_stream32(b, 3, 0, 0x12345678); case('dbi-old-signature', 'fail', b)
b = bytearray(data); put_stream32(b, 3, 0x18, 0x7FFFFFF0); case('dbi-modinfo-huge', 'fail', b)
b = bytearray(data); put_stream32(b, 3, 0x1C, 0x7FFFFFF0); case('dbi-contrib-huge', 'fail', b)
b = bytearray(data); put_stream32(b, 3, 0x30, 0x7FFFFFF0); case('dbi-debughdr-huge', 'fail', b)
b = bytearray(data); put_stream16(b, 3, 0x14, 0xFFFE); case('dbi-symrec-stream-bad', 'nocrash', b)
b = bytearray(data); put_stream16(b, 3, 0x10, nstreams + 3); case('dbi-psi-stream-bad', 'nocrash', b)

# module records: find the largest module stream and damage it
mods, at, end = [], 64, 64 + u32(dbi, 0x18)
while at + 0x42 <= end:
    ms, sb, c11, c13 = struct.unpack_from('<HIII', dbi, at + 0x22)
    mods.append((at, ms, sb, c11, c13))
    p = at + 0x40
    p = dbi.index(b'\0', p) + 1; p = dbi.index(b'\0', p) + 1
    at = (p + 3) & ~3
big = max((m for m in mods if m[1] != 0xFFFF), key=lambda m: m[2])
mrec, ms, sb, c11, c13 = big
b = bytearray(data); put_stream32(b, 3, mrec + 0x24, 0x7FFFFFF0); case('module-symbytes-huge', 'fail', b)
b = bytearray(data); put_stream32(b, 3, mrec + 0x2C, 0x7FFFFFF0); case('module-c13-huge', 'fail', b)
b = bytearray(data); put_stream16(b, 3, mrec + 0x22, nstreams + 7); case('module-stream-bad', 'fail', b)
mod = stream_bytes(ms)
# first procedure record: length pointing past the symbols, then a length cut short
p = 4
while p + 4 <= sb:
    ln, kind = struct.unpack_from('<HH', mod, p)
    if kind in (0x1110, 0x110F, 0x1147, 0x1146):
        break
    p += ln + 2
b = bytearray(data); put_stream16(b, ms, p, 0xFFF0); case('symbol-record-past-end', 'fail', b)
b = bytearray(data); put_stream16(b, ms, p, 2); case('symbol-record-too-short', 'nocrash', b)
b = bytearray(data); put_stream32(b, ms, p + 8, 0x7FFFFFF0); case('proc-end-huge', 'nocrash', b)
if c13 >= 8:
    b = bytearray(data); put_stream32(b, ms, sb + c11 + 4, 0x7FFFFFF0); case('c13-subsection-huge', 'fail', b)
# every symbol record length in the stream set to a random value (seeded)
rng = random.Random(1234)
b = bytearray(data); p = 4; k = 0
while p + 4 <= sb and k < 50:
    ln = struct.unpack_from('<H', mod, p)[0]
    if rng.random() < 0.1:
        put_stream16(b, ms, p, rng.choice([0, 1, 2, 3, 0xFFFF, ln + 4, ln - 4])); k += 1
    p += ln + 2
case('symbol-lengths-random', 'nocrash', b)

# random byte damage in the directory, DBI, the big module and the publics (seeded)
targets = [(3, len(dbi)), (ms, sizes[ms])]
psi = struct.unpack_from('<H', dbi, 0x10)[0]
symrec = struct.unpack_from('<H', dbi, 0x14)[0]
for s in (psi, symrec, 1, 4):
    if s < nstreams and sizes[s] not in (0, 0xFFFFFFFF):
        targets.append((s, sizes[s]))
for i in range(int(os.environ.get('FLIPS', '120'))):
    b = bytearray(data)
    s, n = rng.choice(targets)
    for _ in range(rng.randint(1, 8)):
        pos = rng.randrange(n)
        b[stream_off(s, pos)] = rng.choice([0, 0xFF, 0x7F, 0x80, rng.randrange(256)])
    case('flip-%03d-stream-%d' % (i, s), 'nocrash', b)
for i in range(20):
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        pos = rng.randrange(dirsize)
        b[dir_off(pos // 4) + pos % 4] = rng.randrange(256)
    case('flip-%03d-directory' % i, 'nocrash', b)

with open(os.path.join(out, 'MANIFEST'), 'w') as f:
    for name, expect in cases:
        f.write('%s %s\n' % (name, expect))
