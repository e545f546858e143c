#!/usr/bin/env bash
# triage.sh - benchmark (figures, never pass/fail): folder triage of 1,000 generated small memory
# dumps and 50 generated Verifier kernel dumps with symbols; dumps/s at -j1 and -j2, peak RSS, and
# the first run and the rerun with a triage database (the rerun should analyze nothing).
# Run by hand: bash tests/bench/triage.sh   (SMALL=200 KERNEL=10 for a quick look). Not in tests/run.sh.
set -eu
cd "$(dirname "$0")/../.."
L=${LALSCAN_REL:-./lalscan}
[ -x "$L" ] || make -s lalscan
SMALL=${SMALL:-1000}
KERNEL=${KERNEL:-50}
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT

# "SECONDS KIB" of a command whose stdout is discarded (stderr kept in $d/stderr); wall time from
# the clock (time's %e has 10 ms steps), peak RSS from /usr/bin/time (Debian package time) or python
measure() {
    local a b
    if [ -x /usr/bin/time ]; then
        a=$(date +%s.%N)
        /usr/bin/time -f '%M' -o "$d/time.out" "$@" >/dev/null 2>"$d/stderr" || true
        b=$(date +%s.%N)
        echo "$(echo "$b - $a" | bc) $(tail -1 "$d/time.out")"
    else
        python3 - "$@" 2>"$d/stderr" <<'EOF'
import resource, subprocess, sys, time
t = time.monotonic()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
print("%.4f %d" % (time.monotonic() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
EOF
    fi
}

t0=$(date +%s.%N)
python3 fixtures/mkdump/bench.py triage "$d/dumps/small" "$SMALL" >/dev/null
# kernel dumps: each a 19041 x64 bitmap dump with its own number of tracked allocations
for i in $(seq 0 $((KERNEL - 1))); do
    python3 fixtures/mkdump/bench.py verifier "$d/dumps/kernel" $((100 + 20 * i)) >/dev/null
done
t1=$(date +%s.%N)
files=$(find "$d/dumps" -type f | wc -l)
mib=$(du -sm "$d/dumps" | cut -f1)
echo "lalscan: $L; $(nproc) processors; timer: $([ -x /usr/bin/time ] && echo /usr/bin/time || echo python)"
printf 'generated %d small + %d kernel dumps (%d files incl. expectation JSON, %d MiB) in %.1f s\n' \
    "$SMALL" "$KERNEL" "$files" "$mib" "$(echo "$t1 - $t0" | bc)"
ndumps=$((SMALL + KERNEL))
row() { # label, then the command
    local label=$1
    shift
    read -r s kib < <(measure "$@")
    printf '%-28s %8.3f s %9.0f dumps/s %8d KiB peak   %s\n' "$label" "$s" \
        "$(echo "$ndumps / $s" | bc -l)" "$kib" "$(grep -o '([0-9]* analyzed, [0-9]* from the database)' "$d/stderr" || true)"
}
SYM=(-y fixtures/drivers/bin)
row "text, -j 1" "$L" -q -v -j 1 "${SYM[@]}" "$d/dumps"
row "text, -j 2" "$L" -q -v -j 2 "${SYM[@]}" "$d/dumps"
row "--json, -j 1" "$L" -q -v --json -j 1 "${SYM[@]}" "$d/dumps"
row "--json, -j 2" "$L" -q -v --json -j 2 "${SYM[@]}" "$d/dumps"
row "--db, first run, -j 2" "$L" -q -v --db "$d/t.db" -j 2 "${SYM[@]}" "$d/dumps"
row "--db, rerun, -j 2" "$L" -q -v --db "$d/t.db" -j 2 "${SYM[@]}" "$d/dumps"
row "--db, rerun --json, -j 2" "$L" -q -v --json --db "$d/t.db" -j 2 "${SYM[@]}" "$d/dumps"
printf 'database: %d KiB, %s dumps, %s buckets\n' "$(($(stat -c %s "$d/t.db") / 1024))" \
    "$(sqlite3 "$d/t.db" 'SELECT count(*) FROM dumps' 2>/dev/null || echo '?')" \
    "$(sqlite3 "$d/t.db" 'SELECT count(*) FROM buckets' 2>/dev/null || echo '?')"
