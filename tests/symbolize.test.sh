#!/usr/bin/env bash
# symbolize.test.sh - `lalscan symbolize` on the realworld drivers: text and JSON output, VA/RVA
# rules, PDB found beside the image in another letter case, identity mismatch, usage errors.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$(cd "$ROOT/.." && pwd)/shared}
L=${LALSCAN:-$ROOT/build/asan/lalscan}
RW=$SHARED/realworld
SI=$RW/drv-systeminformer-amd64
K64=$RW/drv-kprocesshacker-2016-amd64
K86=$RW/drv-kprocesshacker-2016-i386
if [ ! -x "$L" ]; then echo "not ok - lalscan binary missing: $L"; exit 1; fi
for f in "$SI/systeminformer.sys" "$SI/systeminformer.pdb" "$K64/kprocesshacker.sys" "$K86/kprocesshacker.pdb"; do
    [ -f "$f" ] || { echo "not ok - missing input $f"; exit 1; }
done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# expect NAME WANT_RC CMD... : runs CMD, stdout to $tmp/out, stderr to $tmp/err
expect() {
    local name=$1 want=$2; shift 2
    "$@" > "$tmp/out" 2> "$tmp/err"; local rc=$?
    if grep -q -E 'AddressSanitizer|runtime error' "$tmp/err"; then
        echo "not ok - $name: sanitizer report"; return 1
    fi
    if [ "$rc" -ne "$want" ]; then
        echo "not ok - $name: exit $rc, want $want: $(head -c 300 "$tmp/err")"; return 1
    fi
    return 0
}
same() {  # same NAME FILE_WITH_EXPECTED
    if diff -u "$2" "$tmp/out" > "$tmp/diff"; then echo "ok - $1"
    else echo "not ok - $1: output differs"; sed 's/^/#   /' "$tmp/diff" | head -20; fi
}

# The image names SystemInformer.pdb; the file beside it is systeminformer.pdb.
cat > "$tmp/want" <<'W'
systeminformer!ReadNoFence64+0x0 [onecore\internal\sdk\inc\volatile_accessors.h @ 215] (inlined)
systeminformer!ReadULong64NoFence+0x0 [onecore\internal\sdk\inc\volatile_accessors.h @ 934] (inlined)
systeminformer!RtlReadULong64FromUser+0x2a [minkernel\ntos\rtl\umaccess\uma.c @ 507]

systeminformer!ExAllocateFromNPagedLookasideList+0x1 [C:\Program Files (x86)\Windows Kits\10\Include\10.0.26100.0\km\wdm.h @ 26676] (inlined)
systeminformer!KphAllocateFromNPagedLookaside+0x10 [C:\Users\aione\source\repos\systeminformer\KSystemInformer\alloc.c @ 147]

W
expect "image VA with inline frames" 0 "$L" symbolize --image "$SI/systeminformer.sys" 0x140043d5e 0x1400010dc &&
    same "image VA with inline frames, PDB found beside the image case-insensitively" "$tmp/want"

# Below ImageBase an address is an RVA; --base makes addresses VAs of a loaded module.
expect "rva below ImageBase" 0 "$L" symbolize --image "$SI/systeminformer.sys" 0x43d5e 0x10dc &&
    same "addresses below ImageBase are RVAs" "$tmp/want"
printf '0xfffff80012383d5e\nfffff800123410dc\n\n' > "$tmp/in"
expect "--base and stdin" 0 "$L" symbolize --image "$SI/systeminformer.sys" --base 0xfffff80012340000 < "$tmp/in" &&
    same "--base with addresses on stdin (with and without 0x)" "$tmp/want"

# JSON Lines
expect "json" 0 "$L" symbolize --json --pdb "$SI/systeminformer.pdb" 0x2b9b 0x7fffffff
if python3 - "$tmp/out" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 2, lines
a, b = (json.loads(l) for l in lines)
assert a == {"address": "0x2b9b", "module": "systeminformer", "rva": "0x2b9b",
             "symbol": "KphCaptureStackInMessage", "displacement": "0x4f", "frames": [
    {"symbol": "RtlUShortMult", "file": "C:\\Program Files (x86)\\Windows Kits\\10\\Include\\10.0.26100.0\\km\\ntintsafe.h", "line": 7585},
    {"symbol": "KphMsgDynAddStackTrace", "file": "C:\\Users\\aione\\source\\repos\\systeminformer\\kphlib\\kphmsgdyn.c", "line": 411},
    {"symbol": "KphCaptureStackInMessage", "file": "C:\\Users\\aione\\source\\repos\\systeminformer\\KSystemInformer\\comms.c", "line": 720}]}, a
assert b["symbol"] is None and b["displacement"] is None and b["frames"] == [] and b["rva"] == "0x7fffffff", b
PY
then echo "ok - JSON Lines: cross-scope inline frames, unresolved address has null symbol"
else echo "not ok - JSON Lines content"; fi

# x86 PDB, asm procedure with a linkage name, two lines at one address
cat > "$tmp/want" <<'W'
kprocesshacker!KphDispatchCreate+0x4a [d:\projects\processhacker2\kprocesshacker\main.c @ 154]

kprocesshacker!_SEH_prolog4+0x2 [d:\5359\minkernel\crts\crtw32\misc\i386\sehprolg4.asm @ 75]

kprocesshacker!DriverUnload+0x1 [d:\projects\processhacker2\kprocesshacker\main.c @ 113]

kprocesshacker+0x7fff0

W
expect "x86 pdb only" 0 "$L" symbolize --pdb "$K86/kprocesshacker.pdb" 0x1050 170e 0x4007 0x7fff0 &&
    same "x86 PDB alone: addresses are RVAs; unresolved prints module+offset" "$tmp/want"

# identity mismatch: refused (exit 3, both GUIDs named) unless --force
expect "mismatch" 3 "$L" symbolize --image "$K64/kprocesshacker.sys" --pdb "$K86/kprocesshacker.pdb" 0x11050 &&
    if grep -q '3B3CBA51-F638-4C3C-82AF-40A915606028' "$tmp/err" && grep -q '7F458D92-CC6E-4B9B-9D2A-87403D20D4C1' "$tmp/err"; then
        echo "ok - mismatched PDB refused, message names both GUIDs"
    else echo "not ok - mismatch message: $(cat "$tmp/err")"; fi
expect "force" 0 "$L" symbolize --force --image "$K64/kprocesshacker.sys" --pdb "$K86/kprocesshacker.pdb" 0x11050 &&
    grep -q 'warning (--force)' "$tmp/err" && echo "ok - --force symbolizes with a warning" || echo "not ok - --force"

# usage and unreadable inputs
expect "no inputs" 2 "$L" symbolize 0x1000 && echo "ok - no --image/--pdb is a usage error"
expect "bad address" 2 "$L" symbolize --pdb "$K86/kprocesshacker.pdb" 0x1050 nothex && grep -q 'KphDispatchCreate' "$tmp/out" &&
    echo "ok - a bad address is a usage error, the others still print"
expect "bad option" 2 "$L" symbolize --nope && echo "ok - unknown option is a usage error"
expect "missing pdb" 3 "$L" symbolize --pdb "$tmp/none.pdb" 0x1000 && grep -q 'none.pdb' "$tmp/err" &&
    echo "ok - unreadable PDB exits 3 naming the file"
cp "$SI/systeminformer.sys" "$tmp/alone.sys"
expect "pdb not found" 3 "$L" symbolize -y "$tmp" --image "$tmp/alone.sys" 0x1000 && grep -q 'SystemInformer.pdb' "$tmp/err" &&
    echo "ok - PDB not found beside the image or on the symbol path exits 3"
printf 'not a pdb at all' > "$tmp/junk.pdb"
expect "junk pdb" 3 "$L" symbolize --pdb "$tmp/junk.pdb" 0x1000 && grep -q 'not a PDB' "$tmp/err" &&
    echo "ok - a non-PDB file exits 3 with a clear message"
