#!/usr/bin/env bash
# mkdump-selfcheck.test.sh - guards the fixture oracle: regenerating every scenario must give the
# committed bytes, and an independent tiny parser must find the key invariants in each dump.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
fix=${FIX:-$root/fixtures}
if ! command -v python3 >/dev/null; then
    echo "not ok - mkdump selfcheck: python3 is not installed (needed to run fixtures/mkdump)"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! bash "$fix/make-fixtures.sh" "$tmp" >"$tmp/.log" 2>&1; then
    echo "not ok - make-fixtures.sh runs: $(tail -n 3 "$tmp/.log" | tr '\n' ' ')"
    exit 0
fi
echo "ok - make-fixtures.sh regenerates $(ls "$tmp" | grep -vc expect.json) dumps"

# Byte equality with the committed fixtures, both directions.
for f in "$tmp"/*; do
    n=$(basename "$f")
    [ "$n" = .log ] && continue
    if [ ! -f "$fix/dumps/$n" ]; then
        echo "not ok - regenerated $n: not committed in fixtures/dumps (run fixtures/make-fixtures.sh)"
    elif cmp -s "$f" "$fix/dumps/$n"; then
        echo "ok - regenerated $n is byte-identical"
    else
        echo "not ok - regenerated $n: differs from fixtures/dumps/$n ($(cmp "$f" "$fix/dumps/$n" 2>&1 | head -n 1))"
    fi
done
for f in "$fix"/dumps/*.dmp "$fix"/dumps/*.dmp.gz "$fix"/dumps/*.expect.json; do
    [ -e "$f" ] || continue
    [ -e "$tmp/$(basename "$f")" ] || echo "not ok - committed $(basename "$f"): no scenario produces it any more"
done

# The dumps the Makefile's `make run` uses must exist and carry several modules.
for n in x64-bitmap-kernel.dmp x86pae-full.dmp; do
    if [ -f "$fix/dumps/$n" ] && [ "$(grep -c '"timestamp"' "$fix/dumps/$n.expect.json")" -ge 4 ]; then
        echo "ok - $n exists with several modules"
    else
        echo "not ok - $n: missing, or fewer than 4 modules"
    fi
done

# Independent re-read of the committed files.
python3 "$root/tests/mkdump_check.py" --summary "$fix"/dumps/*.dmp "$fix"/dumps/*.dmp.gz

# The checker's own triage invariants must hold on a real Windows triage dump.
real=${SHARED:-$root/../shared}/realworld/dump-rizin-triage-x64/triage_x64.dmp
if [ -f "$real" ]; then
    python3 "$root/tests/mkdump_check.py" --summary "$real" | sed 's/^\(not \)\{0,1\}ok - /&real file: /'
else
    echo "not ok - real triage dump for the checker: $real not found (set SHARED)"
fi
exit 0
