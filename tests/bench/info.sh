#!/usr/bin/env bash
# info.sh - benchmark (figures, never pass/fail): `lalscan info --modules` on generated sparse
# bitmap dumps describing 16 GiB and 1 GiB of RAM with the same present pages. The time and the
# bytes read should be about the same: opening a dump must not read it whole.
set -eu
cd "$(dirname "$0")/../.."
L=${LALSCAN_REL:-./lalscan}
[ -x "$L" ] || make -s lalscan
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
python3 fixtures/mkdump/bench.py sparse "$d" >/dev/null
runs=${RUNS:-200}
printf '%-16s %14s %10s %14s %12s\n' dump "file bytes" pages "bytes read" "ms per run"
for f in "$d"/sparse-16g.dmp "$d"/sparse-1g.dmp; do
    size=$(stat -c %s "$f")
    stats=$("$L" info --modules --stats "$f" 2>&1 >/dev/null | tail -1)
    read_bytes=$(echo "$stats" | sed -n 's/.*: \([0-9]*\) bytes.*/\1/p')
    pages=$(echo "$stats" | sed -n 's/.* \([0-9]*\) pages present/\1/p')
    start=$(date +%s%N)
    for _ in $(seq "$runs"); do "$L" info --modules "$f" >/dev/null; done
    end=$(date +%s%N)
    printf '%-16s %14s %10s %14s %12.3f\n' "$(basename "$f")" "$size" "$pages" "$read_bytes" \
        "$(awk -v a="$start" -v b="$end" -v n="$runs" 'BEGIN { print (b - a) / n / 1e6 }')"
done
