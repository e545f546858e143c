#!/usr/bin/env bash
# sympath.test.sh - symbol lookups on real images and PDBs from $SHARED/realworld: a store built
# at test time in a temporary folder (plain, MSZIP, LZX, two-tier, file.ptr), checked byte for
# byte against the originals and against cabextract. Nothing from realworld enters the repo.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$(cd "$ROOT/.." && pwd)/shared}
RW="$SHARED/realworld"
PROBE="$(dirname "${LALSCAN:-$ROOT/build/asan/lalscan}")/tests/test_sympath"

ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; }

missing=""
for t in gcab cabextract python3 sha256sum; do command -v "$t" >/dev/null || missing="$missing $t"; done
[ -x "$PROBE" ] || missing="$missing $PROBE"
[ -d "$RW" ] || missing="$missing $RW"
if [ -n "$missing" ]; then
    nok "prerequisites missing:$missing"
    exit 1
fi

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

sha() { sha256sum | cut -d' ' -f1; }

# find KIND SPEC IMAGE ORIG WHAT: the probe finds the file; its bytes must equal ORIG
find_check() {
    local kind=$1 spec=$2 image=$3 orig=$4 what=$5 want_how=${6:-}
    local got
    got=$("$PROBE" "$kind" "$spec" "$image" 2>"$T/err" | sha)
    if [ "$got" = "$(sha <"$orig")" ]; then
        if [ -n "$want_how" ] && ! grep -q "$want_how" "$T/err"; then
            nok "$what: found, but not as expected ($want_how): $(cat "$T/err")"
        else
            ok "$what ($(sed 's/.*path=//' "$T/err" | sed "s|$T|TMP|"))"
        fi
    else
        nok "$what: $(head -c 600 "$T/err")"
    fi
}

# Keys are written by the probe-independent route: llvm-readobj when present, else skip that
# part with a "not ok" (never silently).
pdbkey() {
    llvm-readobj --coff-debug-directory "$1" | python3 -c '
import re, sys
t = sys.stdin.read()
g = bytes.fromhex(re.search(r"PDBGUID: \(([0-9A-F ]+)\)", t).group(1).replace(" ", ""))
age = int(re.search(r"PDBAge: (\d+)", t).group(1))
print("%08X%04X%04X%s%x" % (int.from_bytes(g[0:4], "little"), int.from_bytes(g[4:6], "little"),
                            int.from_bytes(g[6:8], "little"), g[8:].hex().upper(), age))'
}
if ! command -v llvm-readobj >/dev/null; then
    nok "llvm-readobj missing (needed to compute store keys independently)"
    exit 1
fi

SI="$RW/drv-systeminformer-amd64"
WFP="$RW/drv-wfp-driverproject-x64"
KPH="$RW/drv-kprocesshacker-2016-i386"
S="$T/store"

# 1. plain folder: the image names SystemInformer.pdb, the file is systeminformer.pdb
find_check find-pdb "$SI" "$SI/systeminformer.sys" "$SI/systeminformer.pdb" \
    "folder: SystemInformer.pdb found as systeminformer.pdb" "how=1 flags=0"

# 2. MSZIP store entry of a real PDB (age 122: key ends in 7a)
k=$(pdbkey "$WFP/driver.sys")
case "$k" in *7a) ok "driver.sys key ends in 7a (age 122): $k" ;; *) nok "driver.sys key $k" ;; esac
mkdir -p "$S/driver.pdb/$k" && cp "$WFP/driver.pdb" "$T/driver.pdb"
(cd "$T" && gcab -c -n -z "$S/driver.pdb/$k/driver.pd_" driver.pdb) && rm "$T/driver.pdb"
find_check find-pdb "srv*$S*https://msdl.microsoft.com/download/symbols" "$WFP/driver.sys" "$WFP/driver.pdb" \
    "store: MSZIP driver.pd_ (real PDB, 405504 bytes)" "flags=1"

# 3. LZX store entry of a real PDB, also checked against cabextract
k=$(pdbkey "$KPH/kprocesshacker.sys")
mkdir -p "$S/kprocesshacker.pdb/$k"
python3 "$ROOT/fixtures/stores/lzxcab.py" "$S/kprocesshacker.pdb/$k/kprocesshacker.pd_" "$KPH/kprocesshacker.pdb"
find_check find-pdb "srv*$S" "$KPH/kprocesshacker.sys" "$KPH/kprocesshacker.pdb" \
    "store: LZX kprocesshacker.pd_ (real x86 PDB)" "flags=1"
mkdir -p "$T/cx" && cabextract -q -d "$T/cx" "$S/kprocesshacker.pdb/$k/kprocesshacker.pd_" 2>/dev/null
if [ "$(sha <"$T/cx/kprocesshacker.pdb")" = "$("$PROBE" find-pdb "srv*$S" "$KPH/kprocesshacker.sys" 2>/dev/null | sha)" ]; then
    ok "LZX: lalscan output equals cabextract output"
else
    nok "LZX: lalscan output differs from cabextract output"
fi

# 4. two-tier store, key directory in lower case, image by time stamp and size
S2="$T/store2"
ik=$(llvm-readobj --file-headers "$SI/ksi.dll" | python3 -c '
import re, sys
t = sys.stdin.read()
print("%08X%x" % (int(re.search(r"TimeDateStamp: .*\((0x[0-9A-Fa-f]+)\)", t).group(1), 16),
                  int(re.search(r"SizeOfImage: (\d+)", t).group(1))))' | tr 'A-F' 'a-f')
mkdir -p "$S2/ks/KSI.DLL/$ik" && : >"$S2/index2.txt" && cp "$SI/ksi.dll" "$S2/ks/KSI.DLL/$ik/ksi.dll"
find_check find-image "$S2" "$SI/ksi.dll" "$SI/ksi.dll" "two-tier store: ksi.dll (dir and key in other case)" "how=3"

# 5. file.ptr relative to the store, pointing to a real PDB copied elsewhere in it
k=$(pdbkey "$SI/ksi.dll")
mkdir -p "$S/ksi.pdb/$k" "$S/pool" && cp "$SI/ksi.pdb" "$S/pool/ksi.pdb"
echo "pool/ksi.pdb" >"$S/ksi.pdb/$k/file.ptr"
find_check find-pdb "srv*$S" "$SI/ksi.dll" "$SI/ksi.pdb" "store: file.ptr to pool/ksi.pdb" "flags=2"

# 6. not found: the message lists where it looked and the skipped URL
if "$PROBE" find-pdb "srv*$T/empty*https://msdl.microsoft.com/download/symbols" "$SI/systeminformer.sys" 2>"$T/err" >/dev/null; then
    nok "empty store: unexpectedly found"
elif grep -q "SystemInformer.pdb (key 95435CEC4AB104C5E86BFBEA4416C4A31) not found" "$T/err" &&
    grep -q "offline" "$T/err"; then
    ok "not found: message names the key and the skipped URL"
else
    nok "not found message: $(cat "$T/err")"
fi

# 7. corrupt .pd_ in the first store, good copy in the second: the second is used
k=$(pdbkey "$WFP/driver.sys")
mkdir -p "$T/bad/driver.pdb/$k"
head -c 3000 "$S/driver.pdb/$k/driver.pd_" >"$T/bad/driver.pdb/$k/driver.pd_"
find_check find-pdb "srv*$T/bad;srv*$S" "$WFP/driver.sys" "$WFP/driver.pdb" "truncated .pd_ first, good copy next"
if "$PROBE" find-pdb "srv*$T/bad" "$WFP/driver.sys" 2>"$T/err" >/dev/null; then
    nok "truncated .pd_ alone: unexpectedly found"
elif grep -q "driver.pd_: header at offset 0x8 says the cabinet is" "$T/err"; then
    ok "truncated .pd_ alone: not found, and the message says why"
else
    nok "truncated .pd_ message: $(cat "$T/err")"
fi
exit 0
