#!/usr/bin/env python3
# mkdump_check.py - a second, tiny reader of the fixture dumps that checks their key invariants.
# It shares nothing with fixtures/mkdump (own offsets from crashdump-format.md), so writer drift shows.
# Usage: mkdump_check.py [--summary] DUMP... ; prints "ok - ..." / "not ok - ..." lines; exit 1 on any failure.

import gzip
import json
import os
import struct
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkdump_vfcheck as vfcheck     # noqa: E402  (Verifier structures: own walker)

PAGE = 0x1000


def u(d, off, n):
    if off < 0 or off + n > len(d):
        raise IndexError("read of %d bytes at %#x is past the end (%#x)" % (n, off, len(d)))
    return int.from_bytes(d[off:off + n], "little")


class Dump:
    def __init__(self, d):
        self.d = d
        self.is64 = d[4:8] == b"DU64"
        self.hs = 0x2000 if self.is64 else 0x1000
        self.type = u(d, 0xF98 if self.is64 else 0xF88, 4)
        self.machine = u(d, 0x30 if self.is64 else 0x20, 4)
        self.pae = (not self.is64) and d[0x5C] != 0
        self.dtb = u(d, 0x10, 8 if self.is64 else 4)
        self.psl = u(d, 0x20 if self.is64 else 0x18, 8 if self.is64 else 4)
        self.kdbg = u(d, 0x80 if self.is64 else 0x60, 8 if self.is64 else 4)
        self.ptr = 8 if self.is64 else 4
        self.pages = {}          # pfn -> file offset
        self.blocks = []         # triage (va, size, off)

    # -- physical containers
    def runs(self):
        b = 0x88 if self.is64 else 0x64
        n = u(self.d, b, 4)
        total = u(self.d, b + 8, 8) if self.is64 else u(self.d, b + 4, 4)
        out = []
        for i in range(n):
            if self.is64:
                out.append((u(self.d, b + 0x10 + 16 * i, 8), u(self.d, b + 0x18 + 16 * i, 8)))
            else:
                out.append((u(self.d, b + 8 + 8 * i, 4), u(self.d, b + 12 + 8 * i, 4)))
        off = self.hs
        for base, cnt in out:
            for k in range(cnt):
                self.pages[base + k] = off
                off += PAGE
        return out, total, off

    def bitmap(self, bm_off, bits, first):
        off = first
        bm = self.d[bm_off:bm_off + (bits + 7) // 8]
        for i, byte in enumerate(bm):
            for k in range(8):
                if byte >> k & 1:
                    self.pages[i * 8 + k] = off
                    off += PAGE
        return off

    def ranges(self):
        b = self.hs
        meta, first = u(self.d, b + 0x10, 8), u(self.d, b + 0x18, 8)
        off = first
        pos = b + 0x30
        while pos + 16 <= b + 0x20 + meta:
            base, cnt = u(self.d, pos, 8), u(self.d, pos + 8, 8)
            if base == 0:
                break
            for k in range(cnt):
                self.pages[base + k] = off
                off += PAGE
            pos += 16
        return meta, first, off

    # -- reading virtual memory
    def phys(self, pa, n):
        off = self.pages.get(pa // PAGE)
        if off is None or off + PAGE > len(self.d):
            return None
        return self.d[off + pa % PAGE: off + pa % PAGE + n]

    def pte(self, pa, size):
        raw = self.phys(pa, size)
        return None if raw is None else int.from_bytes(raw, "little")

    def translate(self, va):
        M = 0x000FFFFFFFFFF000
        if self.is64:
            t = self.dtb & ~0xFFF
            for shift, large in ((39, None), (30, 1 << 30), (21, 1 << 21), (12, None)):
                e = self.pte(t + 8 * ((va >> shift) & 0x1FF), 8)
                if e is None or not e & 1:
                    return None
                if large and e & 0x80:
                    return (e & M & ~(large - 1)) | (va & (large - 1))
                t = e & M
            return t | (va & 0xFFF)
        if self.pae:
            e = self.pte((self.dtb & ~0x1F) + 8 * (va >> 30), 8)
            if e is None or not e & 1:
                return None
            e = self.pte((e & M) + 8 * ((va >> 21) & 0x1FF), 8)
            if e is None or not e & 1:
                return None
            if e & 0x80:
                return (e & M & ~0x1FFFFF) | (va & 0x1FFFFF)
            e = self.pte((e & M) + 8 * ((va >> 12) & 0x1FF), 8)
            return None if e is None or not e & 1 else (e & M) | (va & 0xFFF)
        e = self.pte((self.dtb & ~0xFFF) + 4 * (va >> 22), 4)
        if e is None or not e & 1:
            return None
        if e & 0x80:
            return (e & 0xFFC00000) | (va & 0x3FFFFF)
        e = self.pte((e & 0xFFFFF000) + 4 * ((va >> 12) & 0x3FF), 4)
        return None if e is None or not e & 1 else (e & 0xFFFFF000) | (va & 0xFFF)

    def read(self, va, n):
        out = b""
        while n:
            k = min(n, PAGE - va % PAGE)
            if self.type == 4:
                src = next((b for b in self.blocks if b[0] <= va < b[0] + b[1]), None)
                if src is None:
                    return None
                k = min(n, src[0] + src[1] - va)
                chunk = self.d[src[2] + va - src[0]: src[2] + va - src[0] + k]
            else:
                pa = self.translate(va)
                chunk = None if pa is None else self.phys(pa, k)
            if chunk is None or len(chunk) < k:
                return None
            out += chunk
            va += k
            n -= k
        return out


def check(path):
    res = []

    def ok(cond, what, why=""):
        res.append(("ok - " if cond else "not ok - ") + "%s: %s" % (os.path.basename(path), what)
                   + ("" if cond else ": " + why))
        return cond

    with open(path, "rb") as f:
        d = f.read()
    if os.path.exists(path + ".expect.json"):
        with open(path + ".expect.json") as f:
            exp = json.load(f)
    else:
        exp = self_expectation(d)       # a real dump: structural checks only
    if d[:2] == b"\x1f\x8b":
        d = gzip.decompress(d)
        ok(exp["file"].get("gzip") and len(d) == exp["file"]["uncompressed_size"], "gzip wraps the dump")
    kinds = exp.get("corruption", {}).get("kinds", [])
    if "signature" in kinds:
        ok(d[:8] not in (b"PAGEDUMP", b"PAGEDU64"), "signature is damaged as declared")
        return res
    ok(d[:4] == b"PAGE" and d[4:8] in (b"DUMP", b"DU64"), "signature PAGEDUMP/PAGEDU64")
    D = Dump(d)
    h = exp["header"]
    ok(D.type == h["type_code"], "DumpType %d" % h["type_code"], "file has %d" % D.type)
    ok(D.machine == int(h["machine"], 16), "MachineImageType")
    ok(D.pae == h["pae"], "PaeEnabled")
    build = u(d, 0xC, 4)
    ok(build == h["build"], "MinorVersion is the build")
    code = u(d, 0x38 if D.is64 else 0x28, 4)
    ok(code == int(h["bugcheck"]["code"], 16), "bug check code")
    attrs = u(d, 0x1050 if D.is64 else 0x8A0, 4)
    if "encrypted" in kinds:
        ok(attrs & 0x100, "EncryptedDumpData attribute is set")
        return res
    size = len(d)
    req = u(d, 0xFA0, 8)
    try:
        if D.type == 1:
            runs, total, end = D.runs()
            if "absurd_counts" in kinds:
                ok(len(runs) > 86, "absurd NumberOfRuns present")
                return res
            ok(sum(c for _, c in runs) == total, "run PageCounts sum to NumberOfPages")
            ok(req == D.hs + total * PAGE, "RequiredDumpSpace = header + pages")
            if "past_eof" in kinds:
                ok(end > size, "runs promise pages past EOF")
            elif "truncate" in kinds:
                ok(end > size, "file is shorter than its runs")
            else:
                ok(end == size, "pages end exactly at EOF")
        elif D.type in (2, 5, 6):
            b = D.hs
            if D.type == 2:
                ok(d[b:b + 8] == b"SDMPDUMP", "SUMMARY_DUMP signature")
                first, bits, cnt = u(d, b + 0xC, 4), u(d, b + 0x10, 4), u(d, b + 0x14, 4)
                bm_off = b + (0x28 if D.is64 else 0x20)
            else:
                ok(d[b:b + 8] == (b"FDMPDUMP" if D.type == 5 else b"SDMPDUMP"), "bitmap signature")
                first, cnt, bits = u(d, b + 0x20, 8), u(d, b + 0x28, 8), u(d, b + 0x30, 8)
                bm_off = b + 0x38
            if "absurd_counts" in kinds:
                ok(bits > 8 * size, "absurd bitmap size present")
                return res
            ok(first % PAGE == 0 and first >= bm_off + (bits + 7) // 8, "first page offset aligned, after the bitmap")
            end = D.bitmap(bm_off, bits, first)
            ok(len(D.pages) == cnt, "popcount equals the page count", "%d vs %d" % (len(D.pages), cnt))
            if "past_eof" in kinds or "truncate" in kinds:
                ok(end > size, "bitmap promises pages past EOF")
            else:
                ok(end == size and req == size, "pages end exactly at EOF")
        elif D.type in (8, 9, 10):
            meta, first, end = D.ranges()
            ok(meta - 0x20 == first - 0x2040, "MetadataSize/FirstPageOffset consistency")
            if D.type == 10:
                ok(u(d, D.hs + 0x28, 8) == len(D.pages), "TotalNumberOfPages")
            ok(end == size, "pages end exactly at EOF")
        elif D.type == 4:
            b = D.hs
            f = (lambda o: u(d, b + o, 4))
            size_of_dump, valid = f(4), f(8)
            ok(valid == size_of_dump - 4, "ValidOffset = SizeOfDump - 4")
            if "trgd_missing" in kinds:
                ok(d[valid:valid + 4] != b"TRGD", "TRGD is missing as declared")
                return res
            ok(d[valid:valid + 4] == b"TRGD", "TRGD marker")
            dl, dc, sp, ss = f(0x30), f(0x34), f(0x38), f(0x3C)
            if "absurd_counts" in kinds:
                ok(dc > 65536, "absurd DriverCount present")
                return res
            stride = 0x90 if D.is64 else 0x4C
            ok(dl + dc * stride == sp, "driver list ends where the string pool starts")
            ok(sp % 8 == 0, "string pool 8-byte aligned")
            dbo, dbc = (f(0x78), f(0x7C)) if D.is64 else (f(0x60), f(0x64))
            nxt = dbo + 16 * dbc
            gaps = []
            for i in range(dbc):
                va, off, sz = u(d, dbo + 16 * i, 8), u(d, dbo + 16 * i + 8, 4), u(d, dbo + 16 * i + 12, 4)
                if off != nxt:
                    gaps.append(i)
                nxt = off + sz
                D.blocks.append((va, sz, off))
            ok(not gaps, "%d data block payloads back to back after the table" % dbc, "blocks %s" % gaps[:5])
            ok(nxt <= valid, "payloads end before TRGD")
            kd_off, kd_size = (f(0x70), f(0x74)) if D.is64 else (f(0x58), f(0x5C))
            ok(d[kd_off + 0x10:kd_off + 0x14] == b"KDBG", "KDBG copy tag")
            D.blocks.append((D.kdbg, kd_size, kd_off))
            top = u(d, b + 0x48, D.ptr)
            D.blocks.append((top, f(0x2C), f(0x28)))
            dpa = u(d, b + (0x60 if D.is64 else 0x4C), D.ptr)
            if dpa:
                dpo, dps = (f(0x68), f(0x6C)) if D.is64 else (f(0x50), f(0x54))
                D.blocks.append((dpa, dps, dpo))
            # Current thread through the PRCB copy and the KDBG offsets (§4.4).
            cur = u(d, f(0x1C) + u(d, kd_off + 0x2B4, 2), D.ptr)
            D.blocks.append((cur, u(d, kd_off + 0x2C0, 2), f(0x24)))
            mods = []
            for i in range(dc):
                e = dl + i * stride
                name_off = u(d, e, 4)
                n = u(d, name_off, 4)
                name = d[name_off + 4:name_off + 4 + 2 * n].decode("utf-16-le").rsplit("\\", 1)[-1]
                base = u(d, e + (0x38 if D.is64 else 0x1C), D.ptr)
                mods.append((name, base))
            if exp["modules"] is None:
                ok(all(n.lower().endswith((".exe", ".dll", ".sys")) for n, _ in mods),
                   "%d driver names decode from the string pool" % len(mods))
            else:
                want = [(m["name"], int(m["base"], 16)) for m in exp["modules"]]
                ok(mods == want, "driver list names and bases", "%s vs %s" % (mods, want))
            blob = size_of_dump
            if blob < size:
                ok(d[blob:blob + 8] == b"DumpBlob", "DumpBlob trailer signature")
                pos = blob + u(d, blob + 8, 4)
                while pos + 0x20 <= size:
                    pos += u(d, pos, 4) + u(d, pos + 0x18, 4) + u(d, pos + 0x14, 4) + u(d, pos + 0x1C, 4)
                ok(pos == size, "DumpBlob walk ends exactly at EOF")
            else:
                ok(blob == size, "file ends at SizeOfDump")
    except IndexError as exc:
        if not kinds:
            ok(False, "layout inside the file", str(exc))
        return res
    if D.type != 4 and D.machine != 0xAA64:
        mods = walk_modules(D)
        want = [(m["name"], int(m["base"], 16)) for m in exp["modules"]]
        if "truncate" in kinds:
            ok(mods[:len(want)] == want and mods[len(want):] in ([], ["unreadable"]),
               "module list walk stops where the truncated file ends", "%s vs %s" % (mods, want))
        elif "module_cycle" in kinds:
            ok(mods[-1] == "cycle" and mods[:-1] == want, "module list walk meets the declared cycle")
        else:
            ok(mods == want, "module list walk (KLDR entries, BaseDllName)", "%s vs %s" % (mods, want))
    kd = exp.get("kdbg") or {}
    if kd.get("encoded") and D.type != 4:
        ok(decoded_tag(D, kd) == b"KDBG", "encoded in-image KDBG decodes (§5.4 formula) to the KDBG tag")

    # Probes: the independent page walk (or triage block lookup) must agree with every one.
    # A transition PTE is not valid to this walk, so it reads as absent here.
    bad = []
    for p in exp["probes"]:
        got = D.read(int(p["va"], 16), p["size"])
        if p["expect"] == "bytes" and (got is None or got.hex() != p["hex"]):
            bad.append(p["va"])
        elif p["expect"] in ("not in dump", "transition") and got is not None:
            bad.append(p["va"])
    ok(not bad, "%d memory probes agree (incl. not-in-dump ones)" % len(exp["probes"]), "at %s" % bad)
    if exp.get("verifier"):
        try:
            vfcheck.check(D, exp, ok)
        except (IndexError, KeyError, TypeError, ValueError) as exc:
            ok(False, "Verifier structures", "%s: %s" % (type(exc).__name__, exc))
    return res


def decoded_tag(D, kd):
    """§5.4: w = rotl64(w ^ KiWaitNever, KiWaitNever & 0xFF); w = bswap64(w ^ &KdpDataBlockEncoded) ^ KiWaitAlways."""
    never, always = int(kd["ki_wait_never"], 16), int(kd["ki_wait_always"], 16)
    addr = int(kd["kdp_data_block_encoded"], 16)
    raw = D.read(int(kd["in_image_va"], 16) + 0x10, 8)
    if raw is None:
        return None
    w = int.from_bytes(raw, "little") ^ never
    n = (never & 0xFF) % 64
    w = ((w << n) | (w >> (64 - n))) & (2 ** 64 - 1)
    w = int.from_bytes((w ^ addr).to_bytes(8, "little"), "big") ^ always
    return w.to_bytes(8, "little")[:4]


def self_expectation(d):
    """For a real file without .expect.json: take the header facts from the file itself."""
    is64 = d[4:8] == b"DU64"
    return {"file": {}, "modules": None, "probes": [],
            "header": {"type_code": u(d, 0xF98 if is64 else 0xF88, 4),
                       "machine": hex(u(d, 0x30 if is64 else 0x20, 4)),
                       "pae": (not is64) and d[0x5C] != 0, "build": u(d, 0xC, 4),
                       "bugcheck": {"code": hex(u(d, 0x38 if is64 else 0x28, 4))}}}


def walk_modules(D):
    """PsLoadedModuleList walk (§6.4) with a revisit guard; KLDR offsets from §6.2."""
    p = D.ptr
    out, seen = [], set()
    head = D.psl
    raw = D.read(head, p)
    e = int.from_bytes(raw, "little") if raw else head
    while e != head and len(out) < 4096:
        if e in seen:
            out.append("cycle")
            break
        seen.add(e)
        ent = D.read(e, 0xA0 if D.is64 else 0x5C)
        if ent is None:
            out.append("unreadable")
            break
        base = int.from_bytes(ent[0x30:0x38] if D.is64 else ent[0x18:0x1C], "little")
        us = ent[0x58:0x68] if D.is64 else ent[0x2C:0x34]
        ln = struct.unpack_from("<H", us, 0)[0]
        buf = int.from_bytes(us[8:16] if D.is64 else us[4:8], "little")
        name = D.read(buf, ln)
        if name is None:
            out.append("unreadable")
            break
        out.append((name.decode("utf-16-le"), base))
        e = int.from_bytes(ent[0:p], "little")
    return out


def main(args):
    summary = "--summary" in args
    failed = 0
    for path in (a for a in args if a != "--summary"):
        try:
            lines = check(path)
        except Exception as exc:        # a crash in the checker is a failure, never a skip
            lines = ["not ok - %s: checker raised %s: %s" % (os.path.basename(path), type(exc).__name__, exc)]
        bad = [ln for ln in lines if ln.startswith("not ok")]
        failed += len(bad)
        if not summary:
            print("\n".join(lines))
        elif bad:
            print("not ok - invariants of %s: %s" % (os.path.basename(path), "; ".join(b[9:] for b in bad)))
        else:
            print("ok - invariants of %s (%d checks)" % (os.path.basename(path), len(lines)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
