#!/usr/bin/env python3
# verifier_expect.py - oracle test: lalscan's analysis of each Verifier fixture dump against the fixture
# writer's expectations (DUMP.expect.json, member "verifier"); one ok/not ok line per (dump, aspect).
#
#   verifier_expect.py --lalscan BIN --symbols DIR DUMP...
#
# Only gaps lalscan admits in its own warnings are passed as "known gap"; anything else it does not
# report, or reports differently, is a failure. Python 3 standard library only.

import argparse
import json
import os
import subprocess
import sys

# Writer counter names (vflayouts.COUNTERS) -> lalscan's verifier.counters keys.
COUNTER_KEYS = {
    "current_paged_pool_allocations": "current_paged_allocations",
    "current_nonpaged_pool_allocations": "current_nonpaged_allocations",
    "paged_bytes": "paged_bytes",
    "nonpaged_bytes": "nonpaged_bytes",
    "peak_paged_pool_allocations": "peak_paged_allocations",
    "peak_nonpaged_pool_allocations": "peak_nonpaged_allocations",
    "peak_paged_bytes": "peak_paged_bytes",
    "peak_nonpaged_bytes": "peak_nonpaged_bytes",
}

# A corrupt fixture's damage must be named in a warning: the writer's words plus the reader's phrasings
# of the same fact (any one, case-insensitive).
DAMAGE_WORDS = {
    "page_cycle": ["cycle"],
    "huge_depth": ["depth"],
    "foreign_page": ["verifierentry", "another driver", "does not belong", "foreign"],
    "counter_mismatch": ["p4", "mismatch", "bug check says"],
}

# What lalscan's pool_header.check says for each kind of block the writer makes (pool.py).
HEADER_CHECK = {"normal": "ok", "special": "special-pool", "big": "big-page", "big-8": "big-page"}

# Words that make a warning an explanation of missing VF_POOL_TRACE stacks, or of the 0x60 record gap.
TRACE_WORDS = ["vf_pool_trace", "trace log", "pool trace", "stack trace", "stacks"]
GAP_0X60_WORDS = ["0x60", "symbol"]

# Bug checks that are Verifier violations by themselves (exit status 1 without any leak).
VERIFIER_CODES = {"0xc4", "0xc1", "0xc6", "0xc9", "0xd6"}


class Report:
    """Prints the lines, or only keeps them (quiet: the oracle's self-test)."""

    def __init__(self, quiet=False):
        self.failed, self.quiet, self.lines = 0, quiet, []

    def _emit(self, text):
        self.lines.append(text)
        if not self.quiet:
            print(text)

    def line(self, ok, dump, aspect, detail=""):
        if ok:
            self._emit("ok - %s: %s%s" % (dump, aspect, (" (%s)" % detail) if detail else ""))
        else:
            self.failed += 1
            self._emit("not ok - %s: %s: %s" % (dump, aspect, detail))

    def gap(self, dump, aspect, what):
        self._emit("ok - %s: %s known gap: %s" % (dump, aspect, what))


def hexnorm(v):
    if v is None:
        return None
    if isinstance(v, int):
        return "0x%x" % v
    return "0x%x" % int(v, 16)


def warning_with(out, words):
    """The first warning containing every one of words (case-insensitive), else None."""
    for w in out.get("warnings") or []:
        if all(x.lower() in w.lower() for x in words):
            return w
    return None


def warning_with_any(out, words):
    for w in out.get("warnings") or []:
        if any(x.lower() in w.lower() for x in words):
            return w
    return None


def short(s, n=140):
    s = " ".join(str(s).split())
    return s if len(s) <= n else s[:n - 3] + "..."


def runner(lalscan, symbols, nt_dir=None):
    """dump -> (exit status, stdout, stderr) of `lalscan --json -y SYMBOLS DUMP`; with nt_dir, also
    `--nt-pdb NT_DIR/ntkrnl-fake-ARCH.pdb`, the stand-in kernel PDB whose publics name the stack log."""
    def run(dump):
        extra = []
        with open(dump + ".expect.json", encoding="utf-8") as fh:
            exp = json.load(fh)
        if nt_dir:
            arch = exp["header"]["arch"]
            extra = ["--nt-pdb", os.path.join(nt_dir, "ntkrnl-fake-%s.pdb" % ("x64" if arch == "x64" else "x86"))]
        # Without a 0xC4 the user names the driver (the scenario's record is found by its name).
        v = exp.get("verifier") or {}
        if v.get("selected_by") == "name":
            extra += ["--driver", v["driver"]["name"]]
        p = subprocess.run([lalscan, "--json", "-y", symbols] + extra + [dump], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=300)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    return run


def check_dump(rep, run, dump):
    name = os.path.basename(dump)
    with open(dump + ".expect.json", encoding="utf-8") as fh:
        exp = json.load(fh)
    v = exp.get("verifier")
    if v is None:
        rep.line(False, name, "expectations", "no \"verifier\" member in %s.expect.json" % name)
        return
    bc = exp["header"]["bugcheck"]
    code = hexnorm(bc["code"])
    eparams = [hexnorm(x) for x in bc["parameters"]]
    sub = eparams[0] if code == "0xc4" else None
    allocs = v.get("allocations") or []
    in_dump = bool(v.get("records_in_dump"))
    bad = {c["kind"]: c for c in v.get("corruption") or []}
    scenario = ("none" if not v.get("enabled") else "triage" if not in_dump
                else "0x60" if sub == "0x60" else "bad" if bad else "good")

    try:
        rc, stdout, stderr = run(dump)
    except (OSError, subprocess.TimeoutExpired) as exc:
        rep.line(False, name, "lalscan runs", str(exc))
        return
    sanitizer = [ln for ln in stderr.splitlines() if "Sanitizer" in ln or "runtime error:" in ln]
    rep.line(not sanitizer, name, "no sanitizer report", short("; ".join(sanitizer[:3])))
    try:
        out = json.loads(stdout)
    except ValueError as exc:
        rep.line(False, name, "JSON output", "not one JSON document (%s); stderr: %s" % (exc, short(stderr)))
        return
    if out.get("schema") != "lalscan.report/1" or "error" in out:
        rep.line(False, name, "JSON output", "schema %r, error %r" % (out.get("schema"), out.get("error")))
        return
    leaks = out.get("leaks") or []
    got = {hexnorm(l["address"]): l for l in leaks}
    gv = out.get("verifier") or None

    # Exit status: 1 for a Verifier bug check or any leak, else 0.
    want_rc = 1 if (code in VERIFIER_CODES or (allocs and in_dump)) else 0
    rep.line(rc == want_rc, name, "exit status %d" % want_rc,
             "" if rc == want_rc else "got %d; stderr: %s" % (rc, short(stderr)))

    # Bug check.
    obc = out.get("bugcheck") or {}
    gparams = [hexnorm(x) for x in obc.get("parameters") or []]
    gsub = hexnorm((obc.get("subcode") or {}).get("value")) if obc.get("subcode") else None
    problems = []
    if hexnorm(obc.get("code")) != code:
        problems.append("code %s, expected %s" % (obc.get("code"), code))
    if gparams != eparams:
        problems.append("parameters %s, expected %s" % (gparams, eparams))
    if sub and gsub != sub:
        problems.append("subcode %s, expected %s" % (gsub, sub))
    rep.line(not problems, name, "bug check %s/%s" % (code, sub) if sub else "bug check %s" % code,
             "; ".join(problems))

    dname = v["driver"]["name"]
    if scenario == "none":
        check_none(rep, name, out, gv, leaks)
        return
    if scenario == "triage":
        check_triage(rep, name, out, gv, leaks, dname, v)
        return
    if scenario == "0x60" and gv is None and not leaks:
        check_0x60_gap(rep, name, out, dname, v, allocs)
        return

    # Driver name and record.
    problems = []
    if gv is None:
        problems.append("no verifier member")
    else:
        if (gv.get("driver") or "").lower() != dname.lower():
            problems.append("verifier.driver %r, expected %r" % (gv.get("driver"), dname))
        if hexnorm(gv.get("record")) != hexnorm(v["record"]):
            problems.append("verifier.record %s, expected %s" % (gv.get("record"), v["record"]))
    if obc.get("driver") is not None and obc["driver"].lower() != dname.lower():
        problems.append("bugcheck.driver %r, expected %r" % (obc["driver"], dname))
    rep.line(not problems, name, "driver %s, record %s" % (dname, v["record"]), "; ".join(problems))
    if gv is None:
        rep.line(False, name, "verifier analysis", "verifier is null; warnings: %s" % short(out.get("warnings")))
        return

    # Record layout agrees with the era's form (and variant).
    lid = ((gv.get("layout") or {}).get("id") or "")
    form = v["form"]
    want = {"xp-hash-array": "hash", "mi-verifier-driver-entry": "mi-",
            "vf-target-verified-driver-data": "vtvdd-%s-" % (v.get("variant") or "").lower()}[form]
    lay_ok = lid.startswith(want) if want.endswith("-") else want in lid
    if form == "mi-verifier-driver-entry" and "hash" in lid:
        lay_ok = False
    rep.line(lay_ok, name, "record layout %s" % (lid or "?"),
             "" if lay_ok else "expected a %s layout (%s)" % (form, want))

    # Counters.
    ec, gc = v.get("counters") or {}, gv.get("counters") or {}
    diffs = ["%s %s, expected %s" % (gk, gc.get(gk), ec[ek]) for ek, gk in COUNTER_KEYS.items()
             if ek in ec and gc.get(gk) != ec[ek]]
    if gv.get("records_expected") != v.get("count"):
        diffs.append("records_expected %s, expected %s" % (gv.get("records_expected"), v.get("count")))
    rep.line(not diffs, name, "counters (current %d paged / %d nonpaged, 0x%x / 0x%x bytes)" % (
        ec.get("current_paged_pool_allocations", 0), ec.get("current_nonpaged_pool_allocations", 0),
        ec.get("paged_bytes", 0), ec.get("nonpaged_bytes", 0)), "; ".join(diffs))

    # Outstanding allocations as a set keyed by address: charged size, tag, caller.
    want_set = {hexnorm(a["address"]): a for a in allocs}
    missing = sorted(set(want_set) - set(got))
    extra = sorted(set(got) - set(want_set))
    wrong = []
    for addr in sorted(set(want_set) & set(got)):
        a, l = want_set[addr], got[addr]
        caller = hexnorm((l.get("caller") or {}).get("address"))
        for what, g, e in (("size", l.get("size"), a["size"]), ("tag", l.get("tag"), a["tag"]),
                           ("caller", caller, hexnorm(a["caller"]))):
            if g != e:
                wrong.append("%s %s %s, expected %s" % (addr, what, g, e))
    detail = []
    if missing:
        detail.append("%d of %d not reported (%s)" % (len(missing), len(want_set), ", ".join(missing[:4])))
    if extra:
        detail.append("%d not expected (%s)" % (len(extra), ", ".join(extra[:4])))
    detail += wrong[:6]
    if (missing or extra) and gv is not None:
        detail.append("records_found %s; warnings: %s" % (gv.get("records_found"), short(out.get("warnings"), 300)))
    rep.line(not (missing or extra or wrong), name, "%d outstanding allocations (address, size, tag, caller)"
             % len(want_set), "; ".join(detail))

    check_pool(rep, name, v, want_set, got, gc)
    check_complete(rep, name, out, gv, bad, scenario)
    check_lookaside(rep, name, v, want_set, got, out)
    check_stacks(rep, name, v, want_set, got, out)


def check_pool(rep, name, v, want_set, got, gc):
    """Pool class per block, and what lalscan says about the block's POOL_HEADER.
    Documented limits (not gaps in lalscan): NonPagedPoolNx (0x200) cannot be stored in a POOL_HEADER's
    7/8-bit PoolType (the writer stores the base type, verifier.md §5.2), so nonpaged-nx is compared as
    nonpaged; special-pool and big-page blocks have no header, so their class can only come from the
    record's counters, and is unknowable when the driver holds both paged and nonpaged blocks."""
    both = gc.get("current_paged_allocations", 0) and gc.get("current_nonpaged_allocations", 0)
    wrong, notes, nx = [], [], 0
    for addr in sorted(set(want_set) & set(got)):
        a, l = want_set[addr], got[addr]
        want = a["pool"]
        if want == "nonpaged-nx":
            want, nx = "nonpaged", nx + 1
        g = l.get("pool")
        if a["block"] != "normal" and both and g == "unknown":
            notes.append("%s has no header and the driver holds both classes: unknown accepted" % addr)
            continue
        if g != want:
            wrong.append("%s pool %s, expected %s (writer: %s, header type %s)" % (
                addr, g, want, a["pool"], a.get("pool_header_type")))
    if nx:
        notes.append("%d nonpaged-nx compared as nonpaged: the header cannot carry NX" % nx)
    n = len(set(want_set) & set(got))
    rep.line(not wrong, name, "pool class of %d reported allocations" % n, "; ".join(wrong[:6] or notes))
    wrong = []
    for addr in sorted(set(want_set) & set(got)):
        a, l = want_set[addr], got[addr]
        chk = (l.get("pool_header") or {}).get("check")
        if chk != HEADER_CHECK[a["block"]]:
            wrong.append("%s pool_header.check %r, expected %r (%s block)" % (addr, chk, HEADER_CHECK[a["block"]],
                                                                            a["block"]))
    rep.line(not wrong, name, "pool header checks of %d reported allocations" % n, "; ".join(wrong[:6]))


def check_complete(rep, name, out, gv, bad, scenario):
    warns = out.get("warnings") or []
    if not bad:
        ok = gv.get("complete") is True and gv.get("records_found") == gv.get("records_expected")
        rep.line(ok, name, "verifier.complete true, records %s/%s" % (gv.get("records_found"),
                                                                    gv.get("records_expected")),
                 "" if ok else "complete %r; warnings: %s" % (gv.get("complete"), short(warns, 300)))
        return
    ok = gv.get("complete") is False or bool(warns)
    rep.line(ok, name, "damaged record reported (complete %r, %d warnings)" % (gv.get("complete"), len(warns)),
             "" if ok else "complete is true and there is no warning")
    for kind in sorted(bad):
        words = DAMAGE_WORDS.get(kind, []) + [w.lower() for w in bad[kind].get("message_words", [])]
        w = warning_with_any(out, words)
        rep.line(w is not None, name, "warning names the damage %s" % kind,
                 short(w) if w else "no warning contains any of %s; warnings: %s" % (words, short(warns, 300)))


def expected_list(v, alloc):
    """The lookaside list a refill block came from: the writer's list with the block's tag."""
    for lst in v.get("lookaside") or []:
        if lst["tag"] == alloc["tag"]:
            return lst
    return None


def check_lookaside(rep, name, v, want_set, got, out):
    refill = {a: want_set[a] for a in want_set if want_set[a].get("lookaside_refill")}
    found = sorted(set(refill) & set(got))
    wrong, lists = [], {}
    for addr in sorted(set(want_set) & set(got)):
        a, gl = want_set[addr], got[addr].get("lookaside")
        if addr not in refill:
            if gl:
                wrong.append("%s (%s, not a refill) attributed to %s" % (addr, a["site"], gl.get("list")))
            continue
        lst = expected_list(v, a)
        if lst is None:
            wrong.append("%s: the expectations have no list with tag %s" % (addr, a["tag"]))
            continue
        lists[lst["symbol"]] = lst
        if not gl:
            wrong.append("%s (%s, %s) lookaside null, expected %s %s" % (addr, a["site"], a["tag"], lst["symbol"],
                                                                        lst["address"]))
        elif gl.get("list") != lst["symbol"] or hexnorm(gl.get("address")) != hexnorm(lst["address"]):
            wrong.append("%s lookaside %s %s, expected %s %s" % (addr, gl.get("list"), gl.get("address"),
                                                                 lst["symbol"], lst["address"]))
    if refill and not found:
        wrong.append("none of the %d refill blocks was reported (see allocations)" % len(refill))
    # The list facts in sites[].lookaside, for every list a reported refill block came from.
    sites = {}
    for s in out.get("sites") or []:
        sl = s.get("lookaside")
        if sl:
            sites.setdefault(sl.get("list"), []).append(sl)
    for sym, lst in sorted(lists.items()):
        if sym not in sites:
            wrong.append("sites[] has no lookaside %s" % sym)
            continue
        for sl in sites[sym]:
            c = sl.get("counters") or {}
            for what, g, e in (("address", hexnorm(sl.get("address")), hexnorm(lst["address"])),
                               ("tag", sl.get("tag"), lst["tag"]), ("size", sl.get("size"), lst["size"]),
                               ("depth", sl.get("depth"), lst["depth"]),
                               ("total_allocates", c.get("total_allocates"), lst["total_allocates"]),
                               ("total_frees", c.get("total_frees"), lst["total_frees"]),
                               ("allocate_misses", c.get("allocate_misses"), lst["allocate_misses"]),
                               ("free_misses", c.get("free_misses"), lst["free_misses"]),
                               ("held", c.get("held"), lst["outstanding"]),
                               ("live", sl.get("live"), lst["live"])):
                if g != e:
                    wrong.append("%s %s %r, expected %r" % (sym, what, g, e))
    wrong = list(dict.fromkeys(wrong))
    rep.line(not wrong, name, "lookaside attribution of %d refill blocks (%s)" % (
        len(refill), ", ".join(sorted(lists)) or "no list"), "; ".join(wrong[:6]))


def check_stacks(rep, name, v, want_set, got, out):
    traced = {a: want_set[a] for a in want_set if want_set[a].get("stack")}
    if not v.get("trace_log"):
        extra = [a for a in got if got[a].get("stack")]
        rep.line(not extra, name, "stacks: no VF_POOL_TRACE log in era %s, none reported" % v["era"],
                 "stacks reported for %s" % ", ".join(extra[:4]) if extra else "")
        return
    empty = [a for a in traced if not (got.get(a) or {}).get("stack")]
    wrong = []
    for a in sorted(set(traced) - set(empty)):
        e = [hexnorm(x) for x in traced[a]["stack"]]
        g = [hexnorm(f.get("address")) for f in got[a]["stack"]]
        if g != e and g != e[1:]:
            wrong.append("%s stack %s, expected %s" % (a, g[:4], e[:4]))
    if wrong:
        rep.line(False, name, "VF_POOL_TRACE stacks", "; ".join(wrong[:4]))
        return
    if not empty:
        rep.line(True, name, "VF_POOL_TRACE stacks of %d traced allocations" % len(traced))
        return
    w = warning_with_any(out, TRACE_WORDS)
    if w:
        rep.gap(name, "VF_POOL_TRACE stacks of %d traced allocations" % len(empty), "explained: " + short(w))
    else:
        rep.line(False, name, "VF_POOL_TRACE stacks",
                 "the log (%s, %d records) holds stacks for %d outstanding allocations (%s); leaks[].stack is "
                 "empty and no warning says why" % (v["trace_log"]["va"], v["trace_log"]["length"], len(empty),
                                                    ", ".join(sorted(empty)[:3])))


def check_none(rep, name, out, gv, leaks):
    ok = gv is None and not leaks
    rep.line(ok, name, "no Verifier: no verifier record, no leaks",
             "" if ok else "verifier %s, %d leaks" % (short(gv), len(leaks)))


def check_triage(rep, name, out, gv, leaks, dname, v):
    obc = out.get("bugcheck") or {}
    ok = (obc.get("driver") or "").lower() == dname.lower()
    rep.line(ok, name, "driver %s from the bug check" % dname, "" if ok else "bugcheck.driver %r" % obc.get("driver"))
    ok = not leaks and (gv is None or gv.get("complete") is False)
    rep.line(ok, name, "triage: no allocations claimed (records not in the dump)",
             "" if ok else "%d leaks, verifier %s" % (len(leaks), short(gv)))
    ids = [d.get("id") for d in out.get("diagnosis") or []]
    ok = "small-dump-without-allocations" in ids
    rep.line(ok, name, "diagnosis small-dump-without-allocations", "" if ok else "diagnosis ids %s" % ids)


def check_0x60_gap(rep, name, out, dname, v, allocs):
    """0xC4/0x60 gives byte totals, not the record (verifier.md §2.8 step 1: ViBadDriver or the suspect
    list, i.e. kernel symbols, or a search). When lalscan reports no record, every record-derived aspect
    is a known gap provided a warning says so; when it does report one, check_dump compares it all."""
    w = warning_with(out, GAP_0X60_WORDS)
    aspects = ["driver %s" % dname, "counters", "%d outstanding allocations" % len(allocs),
               "lookaside attribution", "VF_POOL_TRACE stacks"]
    for a in aspects:
        if w:
            rep.gap(name, a, "0x60 gives no record address; lalscan says: " + short(w))
        else:
            rep.line(False, name, a, "no record reported and no warning explains why (warnings: %s)"
                     % short(out.get("warnings"), 300))


# The oracle's self-test: doctored copies of lalscan's real report on one dump, each of which must make
# the named aspect fail (an oracle that passes everything proves nothing).
def _drop_leak(o):
    o["leaks"] = o["leaks"][1:]


def _first_leak(field, value):
    def f(o):
        o["leaks"][0][field] = value
    return f


def _counter(o):
    o["verifier"]["counters"]["nonpaged_bytes"] += 0x10


def _list_counter(o):
    for s in o["sites"]:
        if s.get("lookaside"):
            s["lookaside"]["counters"]["total_frees"] += 1


def _unlist(o):
    for l in o["leaks"]:
        l["lookaside"] = None


def _param(o):
    o["bugcheck"]["parameters"][3] = "0x63"


def _no_trace_warning(o):
    """lalscan explains the missing stacks; without that explanation the gap must fail."""
    o["warnings"] = [w for w in (o.get("warnings") or []) if not any(t in w.lower() for t in TRACE_WORDS)]


def _no_warnings(o):
    o["warnings"] = []
    o["verifier"]["complete"] = False


def _no_record(warn):
    def f(o):
        o["verifier"], o["leaks"], o["sites"] = None, [], []
        o["warnings"] = ["bug check 0xC4/0x60 gives no record address; finding it needs the kernel's symbols"] \
            if warn else []
    return f


# (dump, what, doctor, aspect, outcome): outcome "fail" = a new "not ok" line naming the aspect,
# "gap" = a "known gap" line naming it.
SELFTEST = [
    ("verifier-win10-x64.dmp", "a leak left out", _drop_leak, "outstanding allocations", "fail"),
    ("verifier-win10-x64.dmp", "a wrong charged size", _first_leak("size", 8), "outstanding allocations", "fail"),
    ("verifier-win10-x64.dmp", "a wrong tag", _first_leak("tag", "Xxxx"), "outstanding allocations", "fail"),
    ("verifier-win10-x64.dmp", "a wrong caller", _first_leak("caller", {"address": "0x1"}),
     "outstanding allocations", "fail"),
    ("verifier-win10-x64.dmp", "a wrong pool class", _first_leak("pool", "session-paged"), "pool class", "fail"),
    ("verifier-win10-x64.dmp", "a wrong byte counter", _counter, "counters", "fail"),
    ("verifier-win10-x64.dmp", "a wrong lookaside counter", _list_counter, "lookaside attribution", "fail"),
    ("verifier-win10-x64.dmp", "a lost lookaside attribution", _unlist, "lookaside attribution", "fail"),
    ("verifier-win10-x64.dmp", "a wrong bug check parameter", _param, "bug check", "fail"),
    ("verifier-win10-x64.dmp", "empty stacks without a warning on the trace log", _no_trace_warning,
     "VF_POOL_TRACE stacks", "fail"),
    ("verifier-bad-page-cycle-x64.dmp", "a damaged record without warnings", _no_warnings,
     "warning names the damage", "fail"),
    ("verifier-xp-x86-60.dmp", "no record, with a warning on 0x60", _no_record(True), "outstanding allocations",
     "gap"),
    ("verifier-xp-x86-60.dmp", "no record and no warning", _no_record(False), "outstanding allocations", "fail"),
]


def selftest(run, directory):
    for dump_name, what, doctor, aspect, outcome in SELFTEST:
        dump = os.path.join(directory, dump_name)
        if not os.path.exists(dump + ".expect.json"):
            print("not ok - oracle self-test: %s is missing" % dump_name)
            continue
        rc, stdout, stderr = run(dump)
        base = Report(quiet=True)
        check_dump(base, lambda d: (rc, stdout, stderr), dump)
        o = json.loads(stdout)
        doctor(o)
        rep = Report(quiet=True)
        check_dump(rep, lambda d, t=json.dumps(o): (rc, t, stderr), dump)
        new = [ln for ln in rep.lines if ln not in base.lines]
        if outcome == "fail":
            hit = [ln for ln in new if ln.startswith("not ok") and aspect in ln]
        else:
            hit = [ln for ln in new if ln.startswith("ok") and "known gap" in ln and aspect in ln]
        print("%s - oracle self-test on %s: %s %s the %s aspect%s" % (
            "ok" if hit else "not ok", dump_name, what, "fails" if outcome == "fail" else "is a known gap in",
            aspect, "" if hit else ": changed lines %s" % (new or "none")))


def main(argv):
    ap = argparse.ArgumentParser(description="Compare lalscan's analysis of Verifier fixtures with the writer's "
                                             "expectations.")
    ap.add_argument("--lalscan", required=True)
    ap.add_argument("--symbols", required=True)
    ap.add_argument("--selftest", metavar="DIR", help="also check that doctored reports on DIR's fixtures are caught")
    ap.add_argument("--nt-pdb-dir", metavar="DIR", help="pass the stand-in kernel PDBs of DIR (stack log symbols)")
    ap.add_argument("dumps", nargs="+")
    a = ap.parse_args(argv)
    run = runner(a.lalscan, a.symbols, a.nt_pdb_dir)
    rep = Report()
    for d in a.dumps:
        if not os.path.exists(d + ".expect.json"):
            continue
        try:
            check_dump(rep, run, d)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            rep.line(False, os.path.basename(d), "checker", "%s: %s" % (type(exc).__name__, exc))
    if a.selftest:
        selftest(run, a.selftest)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
