# mkdump_vfcheck.py - the fixture checker's own walk of Driver Verifier structures in a dump.
# Offsets typed in again from verifier.md (§2.2-§2.7, §4.1-§4.2, §5.2), nothing imported from fixtures/mkdump.

import os

SIG_ENTRY, SIG_PAGE = 0x98761940, 0x21321345
# Record offsets: (signature, base_name, pool_page_headers, pool_trackers, counters) per form and width.
MI = {4: (0x24, 0x10, 0x28, 0x30, 0x38), 8: (0x40, 0x18, 0x50, 0x60, 0x70)}
MI_SIZE = {4: 0x58, 8: 0xA0}
VT = {("A", 4): (0x18, 0x20, 0x28), ("A", 8): (0x30, 0x40, 0x50), ("C", 4): (0x20, 0x28, 0x34),
      ("C", 8): (0x40, 0x50, 0x68), ("D", 8): (0x40, 0x50, 0x70), ("B", 4): (0x20, 0x28, 0x30),
      ("B", 8): (0x40, 0x50, 0x60)}
# MmVerifierData: name -> (x86, x64 <= Win10, x64 Win11, pointer-sized)
MMVD = {"level": (0, 0, 0, 0), "allocations_attempted": (0x10, 0x10, 0x10, 0), "loads": (0x30, 0x30, 0x34, 0),
        "unloads": (0x34, 0x34, 0x38, 0), "current_paged_pool_allocations": (0x40, 0x40, 0x44, 0),
        "current_nonpaged_pool_allocations": (0x44, 0x44, 0x48, 0), "paged_bytes": (0x50, 0x50, 0x58, 1),
        "nonpaged_bytes": (0x54, 0x58, 0x60, 1), "allocation_freed": (None, None, 0x30, 0)}
# GENERAL_LOOKASIDE: name -> (x86, x64, size) (§4.1)
LA = {"depth": (0x08, 0x10, 2), "total_allocates": (0x0C, 0x14, 4), "allocate_misses": (0x10, 0x18, 4),
      "total_frees": (0x14, 0x1C, 4), "free_misses": (0x18, 0x20, 4), "size": (0x24, 0x2C, 4)}
CAP = 100000


def _n(raw):
    return int.from_bytes(raw, "little")


class R:
    def __init__(self, D):
        self.D, self.p = D, D.ptr

    def u(self, va, n):
        raw = self.D.read(va, n)
        if raw is None:
            raise ValueError("%#x (%d bytes) is not in the dump" % (va, n))
        return _n(raw)

    def ptr(self, va):
        return self.u(va, self.p)


def slist_first(r, va, kind):
    """First entry and Depth of an SLIST_HEADER (§2.7)."""
    if kind == "x86" or r.p == 4:
        return r.u(va, 4), r.u(va + 4, 2)
    q0, q1 = r.u(va, 8), r.u(va + 8, 8)
    if kind == "header8":
        a = (q0 >> 25) << 4
        return (a | 0xFFFFF80000000000) if a else 0, q0 & 0xFFFF
    return q1 & ~0xF, q0 & 0xFFFF


def slist_walk(r, first):
    out, seen = [], set()
    e = first
    while e:
        if e in seen:
            return out, True
        seen.add(e)
        out.append(e)
        if len(out) > CAP:
            return out, True
        e = r.ptr(e)
    return out, False


def check(D, exp, ok):
    v = exp["verifier"]
    r = R(D)
    p = r.p
    drv = v["driver"]
    base = int(drv["base"], 16)
    ok(v["records_in_dump"] == (D.type != 4 and bool(v.get("record"))), "Verifier: records_in_dump flag")
    if D.type == 4:
        ok(D.read(base, 2) is None, "Verifier: triage dump keeps no driver image")
        if v.get("record"):
            ok(D.read(int(v["record"], 16), 8) is None, "Verifier: triage dump keeps no P3 record")
            nm = D.read(int(v["name_address"], 16), 2 * len(drv["name"]))
            ok(nm is not None and nm.decode("utf-16-le") == drv["name"], "Verifier: driver name readable at P2")
        return
    _image(r, drv, v, ok)
    _mmvd(r, v, ok)
    _lookasides(r, v, ok)
    if not v["enabled"]:
        ok(not v["allocations"] and v["mm_verifier_data"]["values"].get("level", 0) == 0,
           "Verifier off: Level 0, no records expected")
        return
    kinds = [c["kind"] for c in v.get("corruption", [])]
    rec = int(v["record"], 16)
    bc = exp["header"]["bugcheck"]["parameters"]
    found = _records(r, v, rec, kinds, ok)
    want = {(int(a["address"], 16), a["size"], a["tag"], int(a["caller"], 16)) for a in v["allocations"]}
    if "page_cycle" not in kinds:
        ok(found == want, "Verifier: %d in-use tracker records equal the expected allocations" % len(want),
           "found %s, want %s" % (sorted(found - want)[:3], sorted(want - found)[:3]))
    cnt = v["counters"]
    cur = cnt["current_paged_pool_allocations"] + cnt["current_nonpaged_pool_allocations"]
    ok(cur == len(want) == v["count"], "Verifier: Cur counters = number of records")
    ok(sum(a["size"] for a in v["allocations"]) == cnt["paged_bytes"] + cnt["nonpaged_bytes"],
       "Verifier: charged sizes sum to PagedBytes + NonPagedBytes")
    if bc[0] == "0x62":
        ok(int(bc[2], 16) == rec, "Verifier: P3 is the record")
        ok((int(bc[3], 16) == cur) == ("counter_mismatch" not in kinds), "Verifier: P4 vs counters as declared")
        name = D.read(int(bc[1], 16), 2 * len(drv["name"]))
        ok(name is not None and name.decode("utf-16-le") == drv["name"], "Verifier: UTF-16 driver name at P2")
    elif bc[0] == "0x60":
        ok(int(bc[1], 16) == cnt["paged_bytes"] and int(bc[2], 16) == cnt["nonpaged_bytes"]
           and int(bc[3], 16) == cur, "Verifier: 0x60 P2/P3/P4 = paged bytes, nonpaged bytes, count")
    _blocks(r, v, ok)
    if v.get("other_records"):
        _by_name(r, v, exp, ok)
    if v.get("trace_log"):
        _trace(r, v, ok)


def _image(r, drv, v, ok):
    """DllBase: MZ, PE, TimeDateStamp, SizeOfImage, the RSDS PDB name; a call just before each caller."""
    base = int(drv["base"], 16)
    lfanew = r.u(base + 0x3C, 4)
    ok(r.u(base + lfanew, 4) == 0x4550 and r.u(base + lfanew + 8, 4) == drv["timestamp"]
       and r.u(base + lfanew + 24 + 0x38, 4) == drv["size"], "Verifier: driver image header at DllBase")
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "drivers", "bin", drv["image"])
    with open(src, "rb") as f:
        raw = f.read()
    ok(r.D.read(base, 0x200) == raw[:0x200], "Verifier: image headers equal the file's")
    pdb = drv["pdb"].encode("ascii")
    hdr = r.D.read(base + 0x2000, 0x400) or b""
    ok(b"RSDS" in hdr and pdb in hdr, "Verifier: RSDS record names %s" % drv["pdb"])
    bad = []
    for a in v.get("allocations", []):
        c = int(a["caller"], 16)
        if not base <= c < base + drv["size"]:
            bad.append(a["caller"])
            continue
        b = r.D.read(c - 7, 7)
        if not (b[2] == 0xE8 or b[1:3] == b"\xff\x15" or b[5] == 0xFF and b[6] & 0xF8 == 0xD0
                or b[4] == 0xFF and b[5] & 0xF8 == 0x50 or b[0:3] == b"\x48\xff\x25"):
            bad.append(a["caller"])
    ok(not bad, "Verifier: every caller is inside the image, right after a call", str(bad))


def _mmvd(r, v, ok):
    m = v["mm_verifier_data"]
    col = 0 if r.p == 4 else (2 if m["layout"] == "win11" else 1)
    bad = []
    for name, offs in MMVD.items():
        if name in m["values"] and offs[col] is not None:
            got = r.u(int(m["va"], 16) + offs[col], r.p if offs[3] else 4)
            if got != m["values"][name]:
                bad.append(name)
    ok(not bad, "Verifier: MmVerifierData (%s layout) counters" % m["layout"], str(bad))


def _chain(r, head):
    """ExNPagedLookasideListHead walked by Flink (bounded); also says whether every Blink points back."""
    chain, prev, e, back = [], head, r.ptr(head), True
    while e != head and len(chain) < 64:
        chain.append(e)
        back = back and r.ptr(e + r.p) == prev
        prev, e = e, r.ptr(e)
    return chain, back and r.ptr(head + r.p) == prev


def _lookasides(r, v, ok):
    head = int(v["kernel_globals"]["ex_npaged_lookaside_list_head"], 16)
    chain, back = _chain(r, head)
    le_off = 0x40 if r.p == 8 else 0x30
    bad = []
    for lst in v["lookaside"]:
        a = int(lst["address"], 16)
        w = 1 if r.p == 8 else 0
        if lst["state"] == "unused":
            if r.D.read(a, 0x80 if r.p == 8 else 0x50) != bytes(0x80 if r.p == 8 else 0x50) or lst["tag"] is not None:
                bad.append(lst["symbol"] + ".unused")
            continue
        for k, offs in LA.items():
            if r.u(a + offs[w], offs[2]) != lst[k]:
                bad.append("%s.%s" % (lst["symbol"], k))
        if r.D.read(a + (0x28 if r.p == 8 else 0x20), 4) != lst["tag"].encode("latin-1"):
            bad.append(lst["symbol"] + ".tag")
        if r.ptr(a + (0x30 if r.p == 8 else 0x28)) != int(lst["allocate"], 16):
            bad.append(lst["symbol"] + ".allocate")
        if r.ptr(a + (0x38 if r.p == 8 else 0x2C)) != int(lst["free"], 16):
            bad.append(lst["symbol"] + ".free")
        linked = (a + le_off) in chain
        if linked != lst["live"] or (lst["state"] == "deleted" and r.ptr(a + le_off) != 0):
            bad.append(lst["symbol"] + ".state")
        first, depth = slist_first(r, a, v["slist"] or "x86")
        ents, cyc = slist_walk(r, first)
        if cyc or [hex(x) for x in ents] != lst["cached"] or depth != len(ents):
            bad.append(lst["symbol"] + ".cached")
    ok(not bad, "Verifier: %d lookaside lists (counters, tag, routine, link state, cache)" % len(v["lookaside"]), str(bad))
    if "lookaside_chain" in v:
        _pool_lists(r, v, head, chain, back, ok)


def _charged(p, n):
    """Verifier's charged size of a small nonpaged block (§2.4a e): round_up(n, 4) + pointer, to the granule."""
    g = 16 if p == 8 else 8
    return ((n + 3) // 4 * 4 + p + g - 1) // g * g


def _pool_lists(r, v, head, chain, back, ok):
    """Lists inside pool blocks (device extension, other drivers): the POOL_HEADER around them, their
    place in ExNPagedLookasideListHead (live) or the stale links RemoveEntryList left (§4.2), the leaks."""
    p, gran = r.p, gran_of(r.p)
    le_off, lsize = (0x40, 0x80) if p == 8 else (0x30, 0x50)
    ok([hex(x) for x in chain] == v["lookaside_chain"] and back,
       "Verifier: ExNPagedLookasideListHead chain (%d lists, Flink order, every Blink points back)" % len(chain))
    bad = []
    allocs = {a["address"]: a for a in v.get("allocations", [])}
    pooled = [l for l in v["lookaside"] + v["other_lookaside"] if l.get("pool_block")]
    for lst in v["other_lookaside"]:
        a = int(lst["address"], 16)
        if (r.D.read(a + (0x28 if p == 8 else 0x20), 4) != lst["tag"].encode("latin-1")
                or r.u(a + (0x2C if p == 8 else 0x24), 4) != lst["size"]):
            bad.append(lst["symbol"] + " tag/size")
    for lst in pooled:
        a, blk, h = int(lst["address"], 16), int(lst["pool_block"], 16), int(lst["pool_header"], 16)
        wd = r.u(h, 4)
        units, ptype = ((wd >> 16) & 0x1FF, (wd >> 25) & 0x7F) if p == 4 else ((wd >> 16) & 0xFF, wd >> 24)
        if (h + gran != blk or a != blk + lst["offset"] or r.D.read(h + 4, 4) != lst["pool_tag"].encode("latin-1")
                or units * gran != lst["block_size"] + gran or lst["offset"] + lsize > lst["block_size"]
                or ptype != int(lst["pool_header_type"], 16) or (ptype & 0x3F) - 1 != 0
                or (p == 8 and a % 16)):
            bad.append(lst["symbol"] + " pool block")
        le = a + le_off
        fl, bl = r.ptr(le), r.ptr(le + p)
        want = lst["list_entry"]
        if hex(fl) != want["flink"] or hex(bl) != want["blink"]:
            bad.append(lst["symbol"] + " ListEntry")
        if lst["live"]:
            if le not in chain or r.ptr(fl + p) != le or r.ptr(bl) != le:
                bad.append(lst["symbol"] + " live links")
        elif (not want["stale"] or le in chain or r.ptr(fl + p) == le or r.ptr(bl) == le
              or r.ptr(bl) != fl or r.ptr(fl + p) != bl or not all(x == head or x in chain for x in (fl, bl))):
            # Removed: the old neighbours now point at each other and stay in the chain.
            bad.append(lst["symbol"] + " stale links")
        for x in lst.get("leaks", []):
            al = allocs.get(x)
            if (al is None or al["tag"] != lst["tag"] or not al["lookaside_refill"]
                    or al["size"] != _charged(p, lst["size"])):
                bad.append("%s leak %s" % (lst["symbol"], x))
    refill = {a["address"] for a in v.get("allocations", []) if a["lookaside_refill"]}
    claimed = [x for l in v["lookaside"] for x in l.get("leaks", [])]
    if sorted(claimed) != sorted(refill):
        bad.append("refill blocks %s vs attributed %s" % (sorted(refill), sorted(claimed)))
    ok(not bad, "Verifier: %d lookaside lists in pool (POOL_HEADER, offset, links, attributed leaks)" % len(pooled),
       str(bad))


def _records(r, v, rec, kinds, ok):
    """The allocation records found by walking the record (§2.8), as (VA, bytes, tag, caller)."""
    p = r.p
    found = set()
    if v["form"] == "xp-hash-array":
        ok(r.u(rec + 0x24, 4) == SIG_ENTRY, "Verifier: XP entry signature")
        h, size, free = r.ptr(rec + 0x30), r.ptr(rec + 0x34), r.ptr(rec + 0x38)
        ok(size == v["hash"]["size"] and hex(h) == v["hash"]["pool_hash"], "Verifier: PoolHash and PoolHashSize")
        in_use = []
        for i in range(min(size, CAP)):
            s = h + 0x10 * i
            va = r.ptr(s)
            if va >= 0x80000000 and va % 8 == 0:
                in_use.append(i)
                found.add((va, r.ptr(s + 8), r.D.read(s + 12, 4).decode("latin-1"), r.ptr(s + 4)))
        chain, i = [], free
        while i != 0xFFFFFFFF and len(chain) <= size:
            chain.append(i)
            i = r.ptr(h + 0x10 * i)
        ok(sorted(chain + in_use) == list(range(size)), "Verifier: free-index chain + in-use slots cover the table")
        ok(in_use == v["hash"]["in_use_indices"], "Verifier: in-use hash slots")
        return found
    if v["form"] == "mi-verifier-driver-entry":
        sig, bn, pph, ptr_, _ = MI[p]
        ok(r.ptr(rec + sig) == SIG_ENTRY, "Verifier: MI_VERIFIER_DRIVER_ENTRY signature")
        ok(r.ptr(rec + bn + p) == rec + MI_SIZE[p], "Verifier: BaseName.Buffer right after the entry")
    else:
        pph, ptr_, _ = VT[(v["variant"], p)]
        sus = r.ptr(rec)
        ok(hex(sus) == v["suspect_entry"], "Verifier: VTVDD+0 -> VF_SUSPECT_DRIVER_ENTRY")
        bn = 0x18 if p == 8 else 0x10
        ln = r.u(sus + bn, 2)
        name = r.D.read(r.ptr(sus + bn + p), ln)
        ok(name is not None and name.decode("utf-16-le") == v["driver"]["name"], "Verifier: suspect entry BaseName")
    first, depth = slist_first(r, rec + pph, v["slist"])
    pages, cyc = slist_walk(r, first)
    if "page_cycle" in kinds:
        ok(cyc, "Verifier: PoolPageHeaders cycle is present as declared")
        return found
    ok(not cyc, "Verifier: PoolPageHeaders ends with 0")
    ok([hex(x) for x in pages] == v["trackers"]["pages"] + [] or len(v["trackers"]["foreign_pages"]) > 0,
       "Verifier: tracker page list")
    ok((depth == 0xFFFF) == ("huge_depth" in kinds) and (depth == len(pages) or "huge_depth" in kinds),
       "Verifier: PoolPageHeaders Depth as declared")
    n, ss = (0x80, 0x20) if p == 8 else (0x100, 0x10)
    foreign = []
    for pg in pages:
        ok(pg % 0x1000 == 0 and r.ptr(pg + 2 * p) == SIG_PAGE, "Verifier: tracker page %#x signature" % pg)
        if r.ptr(pg + p) != rec:
            foreign.append(hex(pg))
            continue
        for i in range(1, n):
            s = pg + i * ss
            nb = r.ptr(s + 2 * p)
            if nb & 1 == 0:
                found.add((r.ptr(s), nb, r.D.read(s + 3 * p, 4).decode("latin-1"), r.ptr(s + p)))
    ok(foreign == [f["page"] for f in v["trackers"]["foreign_pages"]], "Verifier: foreign tracker pages skipped")
    ffirst, fdepth = slist_first(r, rec + ptr_, v["slist"])
    free, cyc = slist_walk(r, ffirst)
    ok(not cyc and len(free) == v["trackers"]["free_list_depth"]
       and all(r.ptr(s + 2 * p) & 1 for s in free), "Verifier: PoolTrackers slots all have bit 0 of NumberOfBytes set")
    return found


def _by_name(r, v, exp, ok):
    """No 0xC4 and several verified drivers: walk the anchor list (§2.4a i / §2.5), read each BaseName, and
    the entry named like the driver must lead to the expected record; every other record walks on its own."""
    p, mi = r.p, v["form"] == "mi-verifier-driver-entry"
    ok(exp["header"]["bugcheck"]["code"] != "0xc4", "Verifier: no 0xC4, so no P3 names the record")
    head = int(v["anchor_list"]["head"], 16)
    ok(hex(head) == v["kernel_globals"]["mi_suspect_driver_list" if mi else "vf_suspect_drivers_list"],
       "Verifier: anchor list head is the %s global" % v["record_anchor"])
    walked, prev, e = [], head, r.ptr(head)
    while e != head and len(walked) <= 64:
        back = r.ptr(e + p) == prev
        bn = MI[p][1] if mi else (0x18 if p == 8 else 0x10)
        raw = r.D.read(r.ptr(e + bn + p), r.u(e + bn, 2))
        walked.append((hex(e), raw.decode("utf-16-le") if raw else None, back))
        prev, e = e, r.ptr(e)
    ok(e == head and all(w[2] for w in walked), "Verifier: anchor list closes on its head, every Blink back")
    ok([(w[0], w[1]) for w in walked] == [(x["entry"], x["name"]) for x in v["anchor_list"]["entries"]],
       "Verifier: anchor list entries and BaseNames in Flink order", str(walked))
    mine = [w[0] for w in walked if w[1] and w[1].lower() == v["driver"]["name"].lower()]
    ok(len(mine) == 1, "Verifier: exactly one anchor entry is named %s" % v["driver"]["name"])
    if mine and mi:
        ok(mine[0] == v["record"] and r.ptr(int(mine[0], 16) + MI[p][0]) == SIG_ENTRY,
           "Verifier: the entry named %s is the record (signature ok)" % v["driver"]["name"])
    elif mine:
        ok(mine[0] == v["suspect_entry"] and hex(r.ptr(int(v["record"], 16))) == mine[0],
           "Verifier: VTVDD+0 points to the suspect entry named %s" % v["driver"]["name"])
    recs = {v["record"]}
    for o in v["other_records"]:
        ov = dict(v, record=o["record"], suspect_entry=o["suspect_entry"], trackers=o["trackers"],
                  allocations=o["allocations"], driver=dict(v["driver"], name=o["name"]))
        found = _records(r, ov, int(o["record"], 16), [], ok)
        want = {(int(a["address"], 16), a["size"], a["tag"], int(a["caller"], 16)) for a in o["allocations"]}
        ok(found == want and len(want) == o["count"], "Verifier: %s record holds its %d allocations" % (o["name"], len(want)))
        c = o["counters"]
        ok(c["current_paged_pool_allocations"] + c["current_nonpaged_pool_allocations"] == o["count"]
           and sum(a["size"] for a in o["allocations"]) == c["paged_bytes"] + c["nonpaged_bytes"],
           "Verifier: %s counters match its allocations" % o["name"])
        _blocks(r, ov, ok)
        recs.add(o["record"])
    ok(len(recs) == 1 + len(v["other_records"]) and recs == {x["record"] for x in v["anchor_list"]["entries"]},
       "Verifier: one distinct record per anchor entry")


def _blocks(r, v, ok):
    """Each leaked block: trailer -> its slot (XP: {ListIndex, Verifier}), POOL_HEADER tag/size/type."""
    p = r.p
    bad = []
    for a in v["allocations"]:
        va, tr = int(a["address"], 16), int(a["trailer"], 16)
        if v["form"] == "xp-hash-array":
            if r.u(tr + 4, 4) != int(v["record"], 16) or 0x10 * r.u(tr, 4) + int(v["hash"]["pool_hash"], 16) != int(a["slot"], 16):
                bad.append(a["address"] + " trailer")
        elif r.ptr(tr) != int(a["slot"], 16) or r.ptr(int(a["slot"], 16)) != va:
            bad.append(a["address"] + " trailer")
        if a["pool_header"]:
            h = int(a["pool_header"], 16)
            w = r.u(h, 4)
            units, ptype = ((w >> 16) & 0x1FF, (w >> 25) & 0x7F) if p == 4 else ((w >> 16) & 0xFF, w >> 24)
            gran = 8 if p == 4 else 16
            if (h + gran != va or r.D.read(h + 4, 4) != a["tag"].encode("latin-1")
                    or units * gran < a["size"] + gran or ptype != int(a["pool_header_type"], 16)
                    or (ptype & 0x3F) - 1 != (int(a["pool_type"], 16) & 1)):
                bad.append(a["address"] + " header")
        elif a["special_pool"] and (va + a["size"] + gran_of(p) - 1) // gran_of(p) * gran_of(p) % 0x1000 != 0:
            bad.append(a["address"] + " special pool end")
    ok(not bad, "Verifier: %d leaked blocks (trailer, POOL_HEADER)" % len(v["allocations"]), str(bad))


def gran_of(p):
    return 8 if p == 4 else 16


def _trace(r, v, ok):
    """VF_POOL_TRACE (§2.6) through the globals: every expected stack is there, no evicted one is."""
    t = v["trace_log"]
    g = v["kernel_globals"]
    log, idx, length = r.ptr(int(g["vf_pool_traces"], 16)), r.u(int(g["vf_pool_traces_index"], 16), 4), \
        r.u(int(g["vf_pool_traces_length"], 16), 4)
    ok(hex(log) == t["va"] and idx == t["index"] and length == t["length"] and length & (length - 1) == 0,
       "Verifier: VfPoolTraces, index and length")
    p = r.p
    fo = 0x18 if p == 8 else 0x0C
    esz = fo + p * t["frames"]
    recs = {}
    for k in range(length):
        e = log + k * esz
        fr = [r.ptr(e + fo + p * i) for i in range(t["frames"])]
        while fr and fr[-1] == 0:
            fr.pop()
        recs.setdefault(r.ptr(e), []).append(fr)
    bad = []
    for a in v["allocations"]:
        got = recs.get(int(a["address"], 16), [])
        if a["stack"] is None and got:
            bad.append(a["address"] + " not evicted")
        elif a["stack"] is not None and (not got or [hex(x) for x in got[0]] != a["stack"]):
            bad.append(a["address"] + " stack")
    ok(not bad, "Verifier: trace log stacks of %d allocations (present or evicted)" % len(v["allocations"]), str(bad))
