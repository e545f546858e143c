#!/usr/bin/env bash
# symbolize-interop.test.sh - checks `lalscan symbolize` against llvm-symbolizer (the oracle) on our
# fixture drivers and on real MSVC driver PDBs; the comparison itself is tests/interop/symbolize_interop.py.
# Addresses: every line-table row, procedure start and inline-site range that llvm-pdbutil lists.
# A difference is "known" (counted, not a failure) only where lalscan's answer is exactly what
# llvm-pdbutil's decoding of the PDB implies and llvm-symbolizer 14 differs for a named reason
# (details and the rules in tests/interop/symbolize_interop.py):
#  - it crashes on some systeminformer.sys addresses (cross-module inline sites): "no oracle";
#  - it drops cross-module inline frames (pdb-format.md 5.5);
#  - it misdecodes inline-site annotation ranges (a later range's line, or the site missed);
#  - it names functions by public symbols: other aliases (memcpy/memmove), demangled C++ names
#    with parameters, and on x86 it strips "_" even from names that were not decorated;
#  - under identical code folding several procedures share an address: lalscan must be
#    consistent with one of them (name, inline sites and that procedure's own line block);
#  - it cannot find a PDB whose file name differs in case from the image's RSDS name
#    (systeminformer.sys, laldrv-x64-O2-case.sys): it is given a link with the recorded name.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SHARED=${SHARED:-$(cd "$ROOT/.." && pwd)/shared}
FIX=${FIX:-$ROOT/fixtures}
LALSCAN=${LALSCAN:-$ROOT/build/asan/lalscan}

missing=0
for tool in llvm-symbolizer llvm-pdbutil llvm-readobj python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "not ok - $tool not installed (make deps installs llvm and python3)"
        missing=1
    fi
done
if [ ! -x "$LALSCAN" ]; then
    echo "not ok - lalscan not built: $LALSCAN (make BUILD=asan testbins)"
    missing=1
fi
[ "$missing" = 0 ] || exit 1

D=$FIX/drivers/bin
R=$SHARED/realworld
images=(
    "laldrv-x64-O2.sys=$D/laldrv-x64-O2.sys=$D/laldrv-x64-O2.pdb"
    "laldrv-x64-O0.sys=$D/laldrv-x64-O0.sys=$D/laldrv-x64-O0.pdb"
    "laldrv-x86-O2.sys=$D/laldrv-x86-O2.sys=$D/laldrv-x86-O2.pdb"
    "laldrv-x86-O0.sys=$D/laldrv-x86-O0.sys=$D/laldrv-x86-O0.pdb"
    "laldrv-x64-O2-case.sys=$D/laldrv-x64-O2-case.sys=$D/laldrv-x64-o2-case.pdb"
    "laldrv-x64-O2-pg8k.sys=$D/laldrv-x64-O2-pg8k.sys=$D/laldrv-x64-O2-pg8k.pdb"
    "kprocesshacker.sys(i386)=$R/drv-kprocesshacker-2016-i386/kprocesshacker.sys=$R/drv-kprocesshacker-2016-i386/kprocesshacker.pdb"
    "kprocesshacker.sys(amd64)=$R/drv-kprocesshacker-2016-amd64/kprocesshacker.sys=$R/drv-kprocesshacker-2016-amd64/kprocesshacker.pdb"
    "systeminformer.sys=$R/drv-systeminformer-amd64/systeminformer.sys=$R/drv-systeminformer-amd64/systeminformer.pdb"
    "wfp-driver.sys=$R/drv-wfp-driverproject-x64/driver.sys=$R/drv-wfp-driverproject-x64/driver.pdb"
    # beyond drivers: C++ names, an MSVC DLL beside the driver, and x86/x64/ARM64 of one program
    "usermode.exe=$R/drv-wfp-driverproject-x64/usermode.exe=$R/drv-wfp-driverproject-x64/usermode.pdb"
    "ksi.dll=$R/drv-systeminformer-amd64/ksi.dll=$R/drv-systeminformer-amd64/ksi.pdb"
    "xcpt4.exe(x86)=$R/um-msvc-seh-tests/x86/xcpt4.exe=$R/um-msvc-seh-tests/x86/xcpt4.pdb"
    "xcpt4.exe(x64)=$R/um-msvc-seh-tests/x64/xcpt4.exe=$R/um-msvc-seh-tests/x64/xcpt4.pdb"
    "xcpt4.exe(arm64)=$R/um-msvc-seh-tests/arm64/xcpt4.exe=$R/um-msvc-seh-tests/arm64/xcpt4.pdb"
)
python3 -B "$ROOT/tests/interop/symbolize_interop.py" "$LALSCAN" "${images[@]}"
