#!/usr/bin/env bash
# symbolize_corrupt.test.sh - damaged copies of real PDBs (made at test time by
# tests/corrupt/pdb/mutate.py in a temporary directory) must end in a clear error and a
# non-zero exit, or at worst succeed; never a crash, sanitizer report or hang.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$(cd "$ROOT/.." && pwd)/shared}
LALSCAN=${LALSCAN:-$ROOT/build/asan/lalscan}
if [ ! -x "$LALSCAN" ]; then echo "not ok - lalscan binary missing: $LALSCAN"; exit 1; fi
if ! command -v python3 >/dev/null; then echo "not ok - python3 missing (needed to make corrupt PDBs)"; exit 1; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# addresses across .text/PAGE of the sources, so module streams, lines and publics are read
seq 4096 97 40000 | awk '{ printf "0x%x\n", $1 }' > "$tmp/addrs"

run_suite() {
    local src=$1 tag=$2
    if [ ! -f "$src" ]; then echo "not ok - $tag: source PDB missing: $src"; return; fi
    local dir="$tmp/$tag"
    if ! python3 "$ROOT/tests/corrupt/pdb/mutate.py" "$src" "$dir"; then
        echo "not ok - $tag: mutate.py failed"; return
    fi
    local bad=0 total=0 name expect rc base
    while read -r name expect; do
        total=$((total + 1))
        base="$dir/$name"
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 timeout 20 "$LALSCAN" symbolize --pdb "$base.pdb" \
            < "$tmp/addrs" > "$base.out" 2> "$base.err"
        rc=$?
        if grep -q -E 'AddressSanitizer|LeakSanitizer|runtime error' "$base.err"; then
            echo "not ok - $tag/$name: sanitizer report: $(grep -m1 -E 'ERROR|runtime error' "$base.err")"; bad=$((bad + 1)); continue
        fi
        if [ "$rc" -ge 124 ]; then
            echo "not ok - $tag/$name: crashed or hung (exit $rc)"; bad=$((bad + 1)); continue
        fi
        if [ "$expect" = fail ]; then
            if [ "$rc" -eq 0 ]; then
                echo "not ok - $tag/$name: accepted a damaged PDB (exit 0)"; bad=$((bad + 1)); continue
            fi
            if ! grep -q "$name.pdb" "$base.err"; then
                echo "not ok - $tag/$name: error does not name the file: $(head -c 200 "$base.err")"; bad=$((bad + 1)); continue
            fi
            echo "ok - $tag/$name: exit $rc: $(head -n1 "$base.err" | cut -c1-150)"
        else
            if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then
                echo "not ok - $tag/$name: unexpected exit $rc"; bad=$((bad + 1)); continue
            fi
            echo "ok - $tag/$name: exit $rc"
        fi
    done < "$dir/MANIFEST"
    [ "$total" -gt 0 ] || echo "not ok - $tag: no cases were made"
}

run_suite "$SHARED/realworld/drv-kprocesshacker-2016-i386/kprocesshacker.pdb" kph86
run_suite "$SHARED/realworld/drv-systeminformer-amd64/systeminformer.pdb" si
FIX=${FIX:-$ROOT/fixtures}
run_suite "$FIX/drivers/bin/laldrv-x86-O2.pdb" lld-x86
