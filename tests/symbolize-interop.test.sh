#!/usr/bin/env bash
# symbolize-interop.test.sh - checks `lalscan symbolize` against llvm-symbolizer (the oracle) on our
# fixture drivers and on real MSVC driver PDBs; the comparison itself is tests/interop/symbolize_interop.py.
# Addresses: every line-table row, procedure start and inline-site range that llvm-pdbutil lists.
# Known differences (counted, not failures; lalscan is right in each):
#  - llvm-symbolizer crashes on some systeminformer.sys addresses (inline sites with cross-module
#    inlinees): "no oracle"; lalscan must name the procedure that contains the address there.
#  - llvm-symbolizer silently drops cross-module inline frames (pdb-format.md 5.5).
#  - llvm-symbolizer cannot find a PDB whose file name differs in case from the image's RSDS name
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
)
python3 "$ROOT/tests/interop/symbolize_interop.py" "$LALSCAN" "${images[@]}"
